#!/bin/sh
# A ram device whose backing file cannot hold or supply its data fails
# with errors, never by killing the daemon:
#  1. a 64K tmpfs cannot hold a 1M backing file: create is refused with
#     ENOSPC (the blocks are reserved at create) and leaves no file;
#  2. a page whose blocks were taken away on a full filesystem (a hole
#     punched, the room used by another file): pwrite(2) of it gets
#     ENOSPC, a reader of it SIGBUS, vm/stats counts both, the log names
#     the device once; other pages, ram0 and the daemon keep working, and
#     once there is room again the page can be written;
#  3. a backing file truncated under a mapped device: a load past the new
#     end gets SIGBUS, pread(2) EIO, pwrite(2) EIO, fsync(2) EIO; the
#     daemon and the device's other pages keep working.
# Needs root (it mounts tmpfs file systems).
set -eu
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: mounting tmpfs needs root"
	exit 77
fi
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
TINY="$DPF_TMP/tiny"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}
# pio OP FILE OFF [LEN]: pwrite, pread or fsync through a device node;
# prints 0 or the errno name.
pio() {
	python3 - "$@" <<'PY'
import errno, os, sys
op, path, off = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
fd = -1
try:
    fd = os.open(path, os.O_RDWR)
    if op == "pwrite":
        n = os.pwrite(fd, b"\xa5" * 4096, off)
        assert n == 4096, n
    elif op == "pread":
        b = os.pread(fd, 4096, off)
        assert len(b) == 4096, len(b)
    elif op == "fsync":
        os.fsync(fd)
    print(0)
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
finally:
    try:
        os.close(fd)
    except OSError:
        pass
PY
}
ram0_works() {
	[ "$(pio pwrite "$MNT/dev/ram0" 0x3000)" = 0 ] || \
	    fail "ram0: pwrite failed"
	[ "$(pio pread "$MNT/dev/ram0" 0x3000)" = 0 ] || \
	    fail "ram0: pread failed"
	"$TOOL" check "$MNT/dev/ram0" 0x3000 4096 0xa5 || \
	    fail "ram0: its data is wrong"
}
tiny_umount() {
	if dpf_is_mounted "$TINY"; then
		umount "$TINY" 2>/dev/null || umount -l "$TINY" || true
	fi
}
# dpf_cleanup takes the exit status from $?: hand it over (set +e, or
# the (exit) that restores it would end the trap before the cleanup).
trap 'st=$?; set +e; tiny_umount; (exit $st); dpf_cleanup' EXIT
mkdir "$TINY"

dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=1

# 1. No room for the file: refused, and nothing left behind.
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$TINY"
out=$(dpf_ctl "create bk driver=ram size=1M backing=$TINY/bk.img")
case $out in
ENOSPC*"cannot reserve 1M for backing"*) ;;
*) fail "create on a 64K tmpfs: '$out', want ENOSPC" ;;
esac
[ ! -e "$TINY/bk.img" ] || fail "the refused create left its file behind"
[ ! -e "$MNT/dev/bk" ] || fail "the refused device exists"
dpf_alive
ram0_works
umount "$TINY"

# 2. A page that lost its blocks on a full filesystem.
mount -t tmpfs -o size=256k,mode=0700 tmpfs "$TINY"
dpf_ctl_ok "create bk driver=ram size=128K backing=$TINY/bk.img prefault=none" \
    >/dev/null || fail "create bk failed"
"$TOOL" fill "$MNT/dev/bk" 0 131072 0x11 || fail "filling bk failed"
fallocate -p -o 80K -l 4K "$TINY/bk.img"
python3 - "$TINY/filler" <<'PY' || fail "could not fill the tmpfs"
import errno, os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
off = 0
while True:
    try:
        os.posix_fallocate(fd, off, 4096)
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise
        break
    off += 4096
PY
errs0=$(stat_of backing_errors)
ferrs0=$(stat_of fault_errors)
r=$(pio pwrite "$MNT/dev/bk" 0x14000)
[ "$r" = ENOSPC ] || fail "pwrite of page 20 on a full tmpfs: $r, want ENOSPC"
dpf_alive
r=$(pio pwrite "$MNT/dev/bk" 0x14000)
[ "$r" = ENOSPC ] || fail "second pwrite of page 20: $r, want ENOSPC"
"$TOOL" sigbus "$MNT/dev/bk" 0x14000 || \
    fail "a load of page 20 did not get SIGBUS"
dpf_alive
errs1=$(stat_of backing_errors)
ferrs1=$(stat_of fault_errors)
[ "$errs1" -ge $((errs0 + 3)) ] || \
    fail "backing_errors went from $errs0 to $errs1, want +3"
[ "$ferrs1" -ge $((ferrs0 + 3)) ] || \
    fail "fault_errors went from $ferrs0 to $ferrs1, want +3"
n=$(grep -c "device window 'bk'" "$DPF_LOG" || true)
[ "$n" -eq 1 ] || fail "the failure of bk was logged $n times, want once"
grep "device window 'bk'" "$DPF_LOG" | grep -q "No space left" || \
    fail "the log does not say why"
# The other pages of bk, ram0 and the daemon are fine.
[ "$(pio pwrite "$MNT/dev/bk" 0x13000)" = 0 ] || \
    fail "pwrite of page 19 failed"
"$TOOL" check "$MNT/dev/bk" 0x15000 4096 0x11 || fail "page 21 is wrong"
ram0_works
# Room again: the page can be written.
rm "$TINY/filler"
r=$(pio pwrite "$MNT/dev/bk" 0x14000)
[ "$r" = 0 ] || fail "pwrite of page 20 once there is room: $r"
dpf_ctl_ok "destroy bk" >/dev/null || fail "destroy bk failed"
umount "$TINY"

# 3. The backing file truncated under a mapped device.
# prefault=none: only touched pages are cached before the truncation.
dpf_ctl_ok "create tr driver=ram size=64K backing=$DPF_TMP/tr.img prefault=none" \
    >/dev/null || fail "create tr failed"
"$TOOL" fill "$MNT/dev/tr" 0 8192 0x22 || fail "filling tr failed"
truncate -s 8K "$DPF_TMP/tr.img"
errs0=$(stat_of backing_errors)
"$TOOL" sigbus "$MNT/dev/tr" 0x9000 || \
    fail "a load past the truncated end did not get SIGBUS"
r=$(pio pread "$MNT/dev/tr" 0xa000)
[ "$r" = EIO ] || fail "pread past the truncated end: $r, want EIO"
r=$(pio pwrite "$MNT/dev/tr" 0xb000)
[ "$r" = EIO ] || fail "pwrite past the truncated end: $r, want EIO"
r=$(pio fsync "$MNT/dev/tr" 0)
[ "$r" = EIO ] || fail "fsync of the truncated device: $r, want EIO"
dpf_alive
errs1=$(stat_of backing_errors)
[ "$errs1" -ge $((errs0 + 4)) ] || \
    fail "backing_errors went from $errs0 to $errs1, want +4"
n=$(grep -c "device window 'tr'" "$DPF_LOG" || true)
[ "$n" -eq 1 ] || fail "the failure of tr was logged $n times, want once"
"$TOOL" check "$MNT/dev/tr" 0 8192 0x22 || \
    fail "the pages still in the file are wrong"
ram0_works
dpf_ctl_ok "destroy tr" >/dev/null || fail "destroy tr failed"
dpf_unmount
exit 0
