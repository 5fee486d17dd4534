# Mount-test helper, sourced by every filesystem test:
#
#	. "$abs_top_srcdir/tests/lib/mount.sh"
#	dpf_mount [-o opts ...]		start devpagerfs -f on a fresh temp dir
#	... use "$MNT" ...
#	dpf_unmount			fusermount3 -u; requires exit status 0
#	dpf_ctl [-e] CMD		one vm/ctl command: "ERRNO<TAB>REPLY"
#	dpf_ctl_ok CMD			one that must succeed: its reply
#
# The test fails if the daemon dies, does not mount within 20 s, or exits
# non-zero after unmount.  Everything is cleaned up by a trap, even on
# failure.  Tests skip (77) only when /dev/fuse is absent.
# shellcheck shell=sh

: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"
: "${FUSERMOUNT3:=fusermount3}"

if [ ! -c /dev/fuse ]; then
	echo "SKIP: /dev/fuse is absent"
	exit 77
fi

DPF="$abs_top_builddir/devpagerfs"
DPF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dpf-test.XXXXXX")
MNT="$DPF_TMP/mnt"
DPF_LOG="$DPF_TMP/daemon.log"
DPF_PID=
mkdir "$MNT"

fail() {
	echo "FAIL: $*"
	if [ -s "$DPF_LOG" ]; then
		echo "---- daemon log (last 40 lines)"
		tail -n 40 "$DPF_LOG"
	fi
	exit 1
}

dpf_is_mounted() {
	awk -v m="$1" '$5 == m { found = 1 } END { exit !found }' \
	    /proc/self/mountinfo
}

dpf_cleanup() {
	status=$?
	if dpf_is_mounted "$MNT"; then
		"$FUSERMOUNT3" -u -z "$MNT" 2>/dev/null || umount -l "$MNT" \
		    2>/dev/null || true
	fi
	if [ -n "$DPF_PID" ] && kill -0 "$DPF_PID" 2>/dev/null; then
		kill -TERM "$DPF_PID" 2>/dev/null || true
		wait "$DPF_PID" 2>/dev/null || true
	fi
	rm -rf "$DPF_TMP"
	exit "$status"
}
trap dpf_cleanup EXIT
trap 'exit 1' INT TERM HUP

# Start the daemon in the foreground on $MNT with the given arguments and
# wait until the mount is there.
dpf_mount() {
	# A background job of a script starts with SIGINT ignored; the daemon
	# must see it to prove it exits cleanly on Ctrl-C.
	env --default-signal=INT "$DPF" -f "$@" "$MNT" >"$DPF_LOG" 2>&1 &
	DPF_PID=$!
	i=0
	while ! dpf_is_mounted "$MNT"; do
		if ! kill -0 "$DPF_PID" 2>/dev/null; then
			wait "$DPF_PID" 2>/dev/null || true
			DPF_PID=
			fail "devpagerfs died before mounting"
		fi
		i=$((i + 1))
		[ "$i" -le 400 ] || fail "devpagerfs did not mount in 20 s"
		sleep 0.05
	done
}

# Fail unless the daemon is still alive.
dpf_alive() {
	kill -0 "$DPF_PID" 2>/dev/null || fail "devpagerfs died"
	dpf_is_mounted "$MNT" || fail "the mount disappeared"
}

# Wait (at most 20 s) for the daemon to exit and check its status.
# Where a daemon that does not exit waits: each thread's kernel wait
# channel, and its stack when gdb is installed.
dpf_dump_threads() {
	echo "---- daemon threads (pid $DPF_PID): name, kernel wait channel"
	for t in /proc/"$DPF_PID"/task/*; do
		echo "$(cat "$t/comm" 2>/dev/null) $(cat "$t/wchan" 2>/dev/null)"
	done
	if command -v gdb >/dev/null 2>&1; then
		timeout 30 gdb -q -batch -p "$DPF_PID" \
		    -ex 'thread apply all bt 12' 2>/dev/null |
		    grep -E '^(Thread|#)' || true
	fi
}

dpf_wait_exit() {
	i=0
	while kill -0 "$DPF_PID" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 400 ]; then
			dpf_dump_threads
			kill -KILL "$DPF_PID" 2>/dev/null || true
			fail "devpagerfs did not exit within 20 s"
		fi
		sleep 0.05
	done
	st=0
	wait "$DPF_PID" || st=$?
	DPF_PID=
	[ "$st" -eq 0 ] || fail "devpagerfs exited with status $st"
}

dpf_unmount() {
	dpf_alive
	"$FUSERMOUNT3" -u "$MNT" || fail "fusermount3 -u failed"
	dpf_wait_exit
}

# dpf_ctl [-e] CMD: write CMD to $MNT/vm/ctl with one write(2) (with -e,
# after decoding Python's backslash escapes, for control bytes) and read
# the reply back at offset 0 on the same open file.  Prints
# "ERRNO<TAB>REPLY": ERRNO is 0 or a name such as EINVAL.
dpf_ctl() {
	dpf_ctl_esc=0
	if [ "$1" = -e ]; then
		dpf_ctl_esc=1
		shift
	fi
	python3 - "$MNT/vm/ctl" "$1" "$dpf_ctl_esc" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
cmd = sys.argv[2].encode()
if sys.argv[3] == "1":
    cmd = sys.argv[2].encode("latin-1").decode("unicode_escape") \
        .encode("latin-1")
try:
    os.write(fd, cmd)
    err = 0
except OSError as e:
    err = e.errno
text = os.pread(fd, 65536, 0).decode("utf-8", "replace")
print("%s\t%s" % (errno.errorcode.get(err, "0") if err else "0", text))
PY
}

# dpf_ctl_ok CMD: dpf_ctl for a command that must succeed; prints only the
# reply.  Returns 1, with the error on stderr, if the command failed.
dpf_ctl_ok() {
	dpf_ctl_out=$(dpf_ctl "$1") || return 1
	case $dpf_ctl_out in
	"0	"*) printf '%s\n' "${dpf_ctl_out#*	}" ;;
	*) echo "ctl '$1': $dpf_ctl_out" >&2; return 1 ;;
	esac
}

