#!/bin/sh
# A ram device backed by a host file: data stored through mmap and msync'd,
# then fsync'd, is in the file even after kill -9 of the daemon; data
# written with write(2) is in the file after a clean unmount; the device
# comes back with its data on the next mount.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
IMG="$DPF_TMP/back.img"

ctl() {
	printf '%s' "$1" >"$MNT/vm/ctl" || fail "ctl '$1' failed"
}
file_has_pattern() {	# file_has_pattern OFF LEN SEED
	python3 - "$IMG" "$1" "$2" "$3" <<'PY'
import sys
path, off, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = open(path, "rb").read()[off:off + n]
def b(pos):
    x = ((pos + 1) * 0x9e3779b97f4a7c15 ^ seed) & 0xffffffffffffffff
    return (x >> 29) & 0xff
sys.exit(0 if len(data) == n and all(data[i] == b(off + i) for i in range(n)) else 1)
PY
}

dpf_mount
ctl "create bk driver=ram size=1M backing=$IMG"
[ -f "$IMG" ] || fail "the backing file was not created"
[ "$(stat -c %s "$IMG")" -eq 1048576 ] || fail "the backing file is not 1M"
"$TOOL" pattern "$MNT/dev/bk" 4096 65536 11 || fail "pattern write failed"
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDWR); os.fsync(fd)' \
    "$MNT/dev/bk" || fail "fsync failed"
kill -KILL "$DPF_PID"
wait "$DPF_PID" 2>/dev/null || true
DPF_PID=
"$FUSERMOUNT3" -u -z "$MNT" 2>/dev/null || umount -l "$MNT" || true
file_has_pattern 4096 65536 11 || fail "msync+fsync'd data lost after kill -9"

# write(2) and a clean unmount.
: >"$DPF_TMP/empty.conf"
dpf_mount -o config="$DPF_TMP/empty.conf"
ctl "create bk driver=ram size=1M backing=$IMG"
"$TOOL" verify "$MNT/dev/bk" 4096 65536 11 || \
    fail "the device did not come back with its data"
python3 - "$MNT/dev/bk" <<'PY' || fail "write(2) failed"
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
os.pwrite(fd, b"persist!" * 512, 524288)
os.close(fd)
PY
dpf_unmount
python3 - "$IMG" <<'PY' || fail "write(2) data not in the file after unmount"
import sys
sys.exit(0 if open(sys.argv[1], "rb").read()[524288:524288 + 4096] == b"persist!" * 512 else 1)
PY
exit 0
