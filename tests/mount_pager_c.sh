#!/bin/sh
# Issue 14: a device whose pages come from the C example pager
# (examples/pager-computed, built with libdevpager-pager), read-only,
# through the mount (devpagerfs_pager(4)):
#	- contents right on first touch at random offsets from several
#	  processes at once (fault_pages=32);
#	- SIGUSR1 (a new generation, revoked by the pager) makes a live
#	  mapping fault again and see the new words;
#	- a store into a read-only pager's device fails with EACCES and
#	  the page keeps the pager's bytes;
#	- SIGKILL: EIO and SIGBUS for new faults, vm/devices and vm/stats
#	  say so, the daemon and ram0 go on; a new pager process serves the
#	  same device without a new create;
#	- the device from the configuration file, with timeout=.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
. "$abs_top_srcdir/tests/lib/pager.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
PAGER="$abs_top_builddir/examples/pager-computed/pager_computed"
PY=${PYTHON:-python3}

SOCK="$DPF_TMP/c.sock"
PG="$MNT/dev/pc0"
cat >"$DPF_TMP/conf" <<CONF
create ram0 driver=ram size=1M
create pc0 driver=pager socket=$SOCK size=8M timeout=2000 mode=0666
CONF
dpf_mount -o "config=$DPF_TMP/conf,entry_timeout=0,attr_timeout=0,fault_pages=32"
[ -e "$PG" ] || fail "pc0 from the configuration file is missing"
[ "$(pager_word pc0 pager)" = disconnected ] || fail "pc0: $(pager_state pc0)"

pager_start c "$PAGER" -s 7 "$SOCK"
"$PY" "$PAGER_CHECK" random "$PG" 7 4 64 3 || fail "random first touch"
[ "$(pager_word pc0 pager)" = connected ] || fail "pc0: $(pager_state pc0)"

# A new generation: a live mapping sees it.
mkfifo "$DPF_TMP/hold"
"$PY" "$PAGER_CHECK" hold "$PG" 7 $((64 * 4096)) 4 <"$DPF_TMP/hold" \
    >"$DPF_TMP/hold.out" 2>"$DPF_TMP/hold.err" &
holder=$!
exec 9>"$DPF_TMP/hold"
wait_for grep -q ready "$DPF_TMP/hold.out" || fail "holder not ready"
kill -USR1 "$PAGER_PID"
# The revoke is complete when an untouched fresh mapping sees key 8.
wait_for "$PY" "$PAGER_CHECK" expect "$PG" $((64 * 4096)) "" 8 \
    2>/dev/null || fail "the revoke did not reach the device"
echo 8 >&9
wait_for grep -q ok "$DPF_TMP/hold.out" || {
	cat "$DPF_TMP/hold.err"
	fail "a mapping did not see the new generation"
}
exec 9>&-
wait "$holder" || fail "holder failed: $(cat "$DPF_TMP/hold.err")"

# Read-only: a store is refused and leaves no trace.
out=$("$PY" - "$PG" <<'PYW'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    os.pwrite(fd, b"nope", 4096 * 200)
    print("written")
except OSError as e:
    print(errno.errorcode[e.errno])
PYW
)
[ "$out" = EACCES ] || fail "a write to a read-only pager gave '$out'"
"$PY" "$PAGER_CHECK" expect "$PG" $((200 * 4096)) "" 8 ||
    fail "the refused bytes stayed in the device"

# SIGKILL: new faults fail, the rest goes on.
errs0=$(stat_of fault_errors)
pager_stop KILL
"$PY" "$PAGER_CHECK" eio "$PG" $((1000 * 4096)) || fail "no EIO"
"$TOOL" sigbus "$PG" $((1001 * 4096)) || fail "no SIGBUS"
[ "$(stat_of fault_errors)" -ge $((errs0 + 2)) ] ||
    fail "fault_errors did not count the failed faults"
[ "$(pager_word pc0 pager)" = disconnected ] || fail "pc0: $(pager_state pc0)"
"$TOOL" fill "$MNT/dev/ram0" 4096 4096 90 || fail "ram0 fill"
"$TOOL" check "$MNT/dev/ram0" 4096 4096 90 || fail "ram0 check"
dpf_alive

# A new process takes over the same device.
rm -f "$SOCK"
pager_start c "$PAGER" -s 20 "$SOCK"
"$PY" "$PAGER_CHECK" random "$PG" 20 2 8 4 2>/dev/null || true
wait_for "$PY" "$PAGER_CHECK" expect "$PG" 0 "" 20 2>/dev/null ||
    fail "page 0 still shows the old pager's words"
"$PY" "$PAGER_CHECK" random "$PG" 20 3 64 5 ||
    fail "the new pager's contents are not seen"
pager_state pc0 | grep -Eq '^prefault=[a-z]+,pager=connected,inflight=[0-9]+,requests=[0-9]+,errors=[1-9][0-9]*,drops=[1-9][0-9]*$' ||
    fail "vm/devices STATE after a restart: $(pager_state pc0)"
pager_stop
dpf_unmount
