#!/bin/sh
# VM_PAGER_ERROR and VM_PAGER_FAIL from a device fault, through the mount.
# Both fail the fault: read(2) gets EIO, a load through a mapping gets
# SIGBUS, the daemon lives on and counts the error.  FreeBSD 10.4 maps a
# zero-filled page for VM_PAGER_FAIL instead; this pager keeps SIGBUS (see
# cdev_pager(9) CAVEATS), so no zero page may ever be seen here.
#	ERROR	the dev_pager_fault fail point, before the driver is called
#	FAIL	the old-style pager of a destroyed device (dev_refthread
#		fails), faulted through a file and a mapping that outlive it
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}
# read(2) of one page of $1 at page $2 on a fresh open: prints the errno
# name, or "0" and the first byte.
read_page() {
	python3 - "$1" "$2" <<'PY'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
try:
    b = os.pread(fd, 4096, int(sys.argv[2]) * 4096)
    print("0 %d" % (b[0] if b else -1))
except OSError as e:
    print(errno.errorcode[e.errno])
PY
}

dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=1
RAM="$MNT/dev/ram0"

# ERROR: read(2) and a mapping of untouched pages.
errors0=$(stat_of vm_fault_errors)
echo 'return(5)' >"$MNT/vm/fail/dev_pager_fault"
[ "$(read_page "$RAM" 100)" = EIO ] || \
    fail "VM_PAGER_ERROR: read(2) did not fail with EIO"
"$TOOL" sigbus "$RAM" $((101 * 4096)) || \
    fail "VM_PAGER_ERROR: a load did not raise SIGBUS"
echo off >"$MNT/vm/fail/dev_pager_fault"
dpf_alive
[ "$(stat_of vm_fault_errors)" -ge $((errors0 + 2)) ] || \
    fail "vm_fault_errors did not count the two failed faults"
# Nothing was left behind: the same pages fault fine now.
case $(read_page "$RAM" 100) in
0\ *) ;;
*) fail "page 100 does not fault after the fail point is off" ;;
esac
"$TOOL" touch "$RAM" $((101 * 4096)) 1 || fail "page 101 does not fault"

# FAIL: a device destroyed under an open file and a mapping.
dpf_ctl_ok "create rf driver=ram size=64K" >/dev/null || fail "create rf"
RF="$MNT/dev/rf"
# Nothing of rf is in the kernel's cache: every touch below is a READ.
mkfifo "$DPF_TMP/hold"
"$TOOL" holdbus "$RF" 0 16 <"$DPF_TMP/hold" >"$DPF_TMP/hold.out" \
    2>"$DPF_TMP/hold.err" &
holder=$!
exec 9>"$DPF_TMP/hold"
i=0
until grep -q ready "$DPF_TMP/hold.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -le 200 ] || fail "holder never got ready"
	sleep 0.05
done
# A reader with the file open (and the device mapped for it) across the
# destroy.
mkfifo "$DPF_TMP/go"
python3 - "$RF" "$DPF_TMP/go" >"$DPF_TMP/reader.out" 9>&- <<'PY' &
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.pread(fd, 4096, 0)		# the device is mapped for this file now
print("open", flush=True)
open(sys.argv[2]).read()
try:
    os.pread(fd, 4096, 12 * 4096)
    print("0")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
reader=$!
i=0
until grep -q open "$DPF_TMP/reader.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -le 200 ] || fail "reader never opened rf"
	sleep 0.05
done
errors0=$(stat_of vm_fault_errors)
dpf_ctl_ok "destroy rf" >/dev/null || fail "destroy rf"
exec 9>&-
st=0
wait "$holder" || st=$?
[ "$st" -eq 0 ] || \
    fail "VM_PAGER_FAIL: a load after destroy did not raise SIGBUS: $(cat "$DPF_TMP/hold.err")"
echo go >"$DPF_TMP/go"
wait "$reader" || fail "reader failed"
[ "$(tail -n 1 "$DPF_TMP/reader.out")" = EIO ] || \
    fail "VM_PAGER_FAIL: read(2) after destroy gave $(tail -n 1 "$DPF_TMP/reader.out"), not EIO"
[ "$(stat_of vm_fault_errors)" -ge $((errors0 + 2)) ] || \
    fail "vm_fault_errors did not count the faults after destroy"
dpf_alive
dpf_unmount
exit 0
