#!/bin/sh
# The daemon mounts a tree with dev/ and vm/, serves vm/stats as a
# consistent snapshot, and exits 0 after fusermount3 -u, SIGTERM and SIGINT.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

dpf_mount
[ -d "$MNT/dev" ] || fail "no dev/ directory"
[ -d "$MNT/vm" ] || fail "no vm/ directory"
ls "$MNT" | sort | tr '\n' ' ' | grep -qx 'dev vm ' || \
    fail "root lists '$(ls "$MNT" | tr '\n' ' ')', expected 'dev vm'"
for c in faults fault_errors invalidations objects pages; do
	grep -Eq "^$c: [0-9]+\$" "$MNT/vm/stats" || \
	    fail "vm/stats has no '$c: N' line"
done
# One snapshot per open: a reader with a tiny buffer sees the same text.
a=$(cat "$MNT/vm/stats")
b=$(dd if="$MNT/vm/stats" bs=7 2>/dev/null)
[ -n "$a" ] || fail "vm/stats is empty"
[ "$(printf '%s' "$a" | wc -l)" -eq "$(printf '%s' "$b" | wc -l)" ] || \
    fail "small reads see a different number of lines"
# vm/ is read-only except for the writable files.
if sh -c "echo x > '$MNT/vm/stats'" 2>/dev/null; then
	fail "vm/stats accepted a write"
fi
[ "$(stat -c %a "$MNT/vm/stats")" = 444 ] || fail "vm/stats mode is not 0444"
# Names are the daemon's: creating, removing, renaming and linking fail
# with EPERM (not ENOSYS), and the tree is unchanged afterwards.
before=$(ls "$MNT/dev" "$MNT/vm" | tr '\n' ' ')
for cmd in "touch '$MNT/dev/x'" "rm '$MNT/dev/ram0'" "rmdir '$MNT/vm/fail'" \
    "mkdir '$MNT/vm/x'" "mv '$MNT/dev/ram0' '$MNT/dev/ram9'" \
    "ln -s x '$MNT/dev/l'" "ln '$MNT/dev/ram0' '$MNT/dev/r2'" \
    "mknod '$MNT/dev/n' c 1 3" "mkfifo '$MNT/dev/f'"; do
	if out=$(LC_ALL=C sh -c "$cmd" 2>&1); then
		fail "'$cmd' succeeded"
	fi
	case $out in
	*"Operation not permitted"*) ;;
	*) fail "'$cmd': '$out', expected EPERM" ;;
	esac
done
[ "$(ls "$MNT/dev" "$MNT/vm" | tr '\n' ' ')" = "$before" ] || \
    fail "the tree changed: '$(ls "$MNT/dev" "$MNT/vm" | tr '\n' ' ')'"
dpf_unmount

# SIGTERM and SIGINT end the daemon cleanly, with exit status 0.
for sig in TERM INT; do
	dpf_mount
	kill -"$sig" "$DPF_PID"
	dpf_wait_exit
	i=0
	while dpf_is_mounted "$MNT"; do
		i=$((i + 1))
		[ "$i" -le 200 ] || fail "still mounted after SIG$sig"
		sleep 0.05
	done
done
exit 0
