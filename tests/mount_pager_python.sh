#!/bin/sh
# Issue 14: a device whose pages come from an external pager written with
# the Python module (tests/pager_store.py, devpager_pager.py(3)), through
# the mount (devpagerfs_pager(4)):
#	- the device exists before its pager: vm/devices says disconnected,
#	  `pager NAME connect` connects;
#	- contents are right on first touch at random offsets from several
#	  processes at once, with fault_pages=32 (one data_request per READ);
#	- dirty pages reach page_out after msync(2), after fsync(2) of a
#	  mapping, and after write(2) + fsync(2), with the right bytes;
#	- a revoke from the pager makes a live mapping fault again and see
#	  the new bytes, and the stores come back first;
#	- killing the pager fails faults (EIO, SIGBUS), counted in vm/stats,
#	  while the daemon and ram0 go on; a restarted pager serves the same
#	  device again (its cached pages are revoked: new contents);
#	- bad create keys are refused; destroy ends the connection.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
. "$abs_top_srcdir/tests/lib/pager.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
PY=${PYTHON:-python3}
export abs_top_srcdir

SOCK="$DPF_TMP/py.sock"
LOG="$DPF_TMP/py.log"
PG="$MNT/dev/pg0"
dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=32

# Bad keys change nothing.
for bad in "socket=$SOCK" "size=1M" "socket=rel/x size=1M" \
    "socket=$SOCK size=1M timeout=0" "socket=$SOCK size=1M timeout=x" \
    "socket=$SOCK size=1M backing=/tmp/x"; do
	case $(dpf_ctl "create bad driver=pager $bad") in
	EINVAL*) ;;
	*) fail "create with '$bad' was not refused with EINVAL" ;;
	esac
done
[ ! -e "$MNT/dev/bad" ] || fail "a refused create left dev/bad"

# The device first, the pager later.
dpf_ctl_ok "create pg0 driver=pager socket=$SOCK size=4M" >/dev/null ||
    fail "create pg0"
[ "$(pager_word pg0 pager)" = disconnected ] ||
    fail "a new device without pager is not disconnected: $(pager_state pg0)"
case $(dpf_ctl "pager pg0 connect") in
ENOTCONN*) ;;
*) fail "connect without a pager did not fail with ENOTCONN" ;;
esac
pager_start py "$PY" "$PAGER_STORE" "$SOCK" "$LOG"
dpf_ctl_ok "pager pg0 connect" | grep -q "^connected" ||
    fail "pager pg0 connect did not connect"
[ "$(pager_word pg0 pager)" = connected ] ||
    fail "vm/devices does not say connected: $(pager_state pg0)"
pager_state pg0 | grep -Eq '^prefault=[a-z]+,pager=connected,inflight=[0-9]+,requests=[0-9]+,errors=0,drops=0$' ||
    fail "vm/devices STATE is not as documented: $(pager_state pg0)"

# A sequential read of 1M before anything else: 32-page requests.
dd if="$PG" of=/dev/null bs=1M skip=3 count=1 2>/dev/null ||
    fail "read(2) of pg0"
grep -q "^in $((3 * 1048576)) 131072$" "$LOG" || {
	grep '^in' "$LOG" | tail -n 12
	fail "a sequential READ did not make one 128K request"
}

# First touch at random offsets from 4 processes.
"$PY" "$PAGER_CHECK" random "$PG" 0 4 64 1 || fail "random first touch"
[ "$(pager_word pg0 requests)" -gt 0 ] || fail "no request counted"
# One data_request per READ: never more requests than READs of pages.
ins=$(grep -c '^in ' "$LOG")
[ "$ins" -eq "$(pager_word pg0 requests)" ] ||
    fail "$ins page_in calls, $(pager_word pg0 requests) requests counted"
# Dirty pages back: msync, fsync of a mapping, write(2) + fsync.
"$PY" "$PAGER_CHECK" store "$PG" $((2 * 4096 + 100)) msync-bytes msync ||
    fail "store + msync"
grep -q "^out 8192 4096$" "$LOG" || fail "msync: page 2 not in page_out"
"$PY" "$PAGER_CHECK" store "$PG" $((7 * 4096 + 5)) fsync-bytes fsync ||
    fail "store + fsync"
grep -q "^out 28672 4096$" "$LOG" || fail "fsync: page 7 not in page_out"
"$PY" "$PAGER_CHECK" store "$PG" $((9 * 4096)) write-bytes write ||
    fail "write + fsync"
grep -q "^out 36864 4096$" "$LOG" || fail "write: page 9 not in page_out"

# Revoke from the pager: a live mapping faults again and sees key 1.
mkfifo "$DPF_TMP/hold"
"$PY" "$PAGER_CHECK" hold "$PG" 0 $((16 * 4096)) 8 <"$DPF_TMP/hold" \
    >"$DPF_TMP/hold.out" 2>"$DPF_TMP/hold.err" &
holder=$!
exec 9>"$DPF_TMP/hold"
wait_for grep -q ready "$DPF_TMP/hold.out" || fail "holder not ready"
kill -USR1 "$PAGER_PID"
wait_for grep -q '^revoked 1 0 4194304 0$' "$LOG" ||
    fail "the pager's revoke did not complete"
echo 1 >&9
wait_for grep -q ok "$DPF_TMP/hold.out" || {
	cat "$DPF_TMP/hold.err"
	fail "a mapping did not see the new bytes after the revoke"
}
exec 9>&-
wait "$holder" || fail "holder failed: $(cat "$DPF_TMP/hold.err")"
# The stored pages come back from the pager as they were given (key 0
# around the stores); the others are new (key 1: the holder saw them).
"$PY" "$PAGER_CHECK" expect "$PG" $((2 * 4096 + 100)) msync-bytes 0 ||
    fail "page 2 lost its msync'd bytes across the revoke"
"$PY" "$PAGER_CHECK" expect "$PG" $((9 * 4096)) write-bytes 0 ||
    fail "page 9 lost its written bytes across the revoke"

# Kill the pager: faults fail, the daemon and ram0 go on.
errs0=$(stat_of fault_errors)
pager_stop KILL
"$PY" "$PAGER_CHECK" eio "$PG" $((100 * 4096)) || fail "no EIO without pager"
"$TOOL" sigbus "$PG" $((101 * 4096)) || fail "no SIGBUS without pager"
[ "$(stat_of fault_errors)" -ge $((errs0 + 2)) ] ||
    fail "fault_errors did not count the failed faults"
[ "$(pager_word pg0 pager)" = disconnected ] ||
    fail "vm/devices does not say disconnected: $(pager_state pg0)"
[ "$(pager_word pg0 drops)" -ge 1 ] || fail "the drop was not counted"
[ "$(pager_word pg0 errors)" -ge 2 ] || fail "the errors were not counted"
"$TOOL" fill "$MNT/dev/ram0" 0 8192 171 || fail "ram0 fill"
"$TOOL" check "$MNT/dev/ram0" 0 8192 171 || fail "ram0 check"
dpf_alive

# A new pager (seed 5) takes the same device over.
# The device's pages are revoked when it connects (asynchronously:
# until the kernel has dropped them, a cached page may still show the
# old pager's bytes), so wait for page 0, which was cached, to change.
rm -f "$SOCK"	# the killed pager's
pager_start py "$PY" "$PAGER_STORE" --seed 5 "$SOCK" "$LOG"
dpf_ctl_ok "pager pg0 connect" >/dev/null || fail "connect the new pager"
wait_for "$PY" "$PAGER_CHECK" expect "$PG" 0 "" 5 2>/dev/null ||
    fail "page 0 still shows the old pager's bytes"
"$PY" "$PAGER_CHECK" random "$PG" 5 3 32 2 ||
    fail "the restarted pager's contents are not seen"
[ "$(pager_word pg0 pager)" = connected ] || fail "not connected again"

# Destroy: the pager is told (terminate).
dpf_ctl_ok "destroy pg0" >/dev/null || fail "destroy pg0"
wait_for sh -c "tail -n 1 '$LOG' | grep -q disconnected" ||
    fail "the pager did not see the end of its connection"
pager_stop
dpf_unmount
