#!/bin/sh
# The shutdown bound (make regtest; mount_shutdown.sh covers the rest): a
# dirty page whose write-back cannot finish (its fault sleeps in a fail
# point) and a single SIGTERM.  The daemon waits out the drain limit
# (10 s), gives up, aborts the connection, and the teardown watchdog (5 s)
# ends it: exit 1 after 10 to 20 s, nothing left mounted, no process left
# blocked on the mount.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
HOLDER_PID=

limit_cleanup() {
	status=$?
	set +e
	exec 3>&-
	if dpf_is_mounted "$MNT"; then
		umount -f -c "$MNT" 2>/dev/null
	fi
	[ -z "$HOLDER_PID" ] || kill -KILL "$HOLDER_PID" 2>/dev/null
	(exit "$status")
	dpf_cleanup
}
trap limit_cleanup EXIT

: >"$DPF_TMP/empty.conf"
dpf_mount -o config="$DPF_TMP/empty.conf"
dpf_ctl_ok "create bk driver=ram size=1M backing=$DPF_TMP/back.img" \
    >/dev/null || fail "cannot create the device"
mkfifo "$DPF_TMP/fifo"
"$TOOL" dirty "$MNT/dev/bk" 1048576 7 0:65536 <"$DPF_TMP/fifo" \
    >"$DPF_TMP/holder.out" &
HOLDER_PID=$!
exec 3>"$DPF_TMP/fifo"
i=0
while ! grep -q ready "$DPF_TMP/holder.out" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -le 200 ] || fail "the holder did not get ready"
	sleep 0.1
done
printf 'sleep(30000)' >"$MNT/vm/fail/dev_pager_fault" ||
    fail "cannot set the fail point"
dpf_ctl_ok "revoke bk" >/dev/null || fail "revoke failed"
t0=$(date +%s)
kill -TERM "$DPF_PID"
i=0
while kill -0 "$DPF_PID" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -le 250 ] || fail "devpagerfs did not exit within 25 s"
	sleep 0.1
done
took=$(($(date +%s) - t0))
st=0
wait "$DPF_PID" || st=$?
DPF_PID=
[ "$st" -eq 1 ] || fail "devpagerfs exited with status $st, not 1"
[ "$took" -ge 9 ] || fail "devpagerfs gave up after $took s, before the limit"
[ "$took" -le 20 ] || fail "devpagerfs took $took s"
dpf_is_mounted "$MNT" && fail "$MNT is still mounted"
grep -q "gave up writing dirty pages back after .* (the time limit)" \
    "$DPF_LOG" || fail "no message about the time limit"
exec 3>&-
i=0
while kill -0 "$HOLDER_PID" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "the holder stayed blocked"
	sleep 0.1
done
HOLDER_PID=
echo "shutdown_limit: gave up and exited 1 after $took s"
exit 0
