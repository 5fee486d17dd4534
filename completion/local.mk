# bash completion of devpagerctl (commands, device names and object IDs of
# the mount).  bash-completion loads completions/devpagerctl on demand.
if INSTALL_BASH_COMPLETION
dist_bashcompletion_DATA = completion/devpagerctl
else
EXTRA_DIST += completion/devpagerctl
endif
TESTS += tests/completion.sh tests/mount_completion.sh
dist_check_SCRIPTS += tests/completion.sh tests/mount_completion.sh
