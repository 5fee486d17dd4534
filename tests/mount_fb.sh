#!/bin/sh
# fb0: draw through mmap, `devpagerctl fb snapshot` writes a PNG that
# decodes to exactly what was drawn (32 bpp XRGB8888, little-endian).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
CTL="$abs_top_builddir/devpagerctl"

dpf_mount
FB="$MNT/dev/fb0"
[ -f "$FB" ] || fail "no dev/fb0 in the default tree"
python3 - "$FB" <<'PY' || fail "drawing failed"
import mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
w, h = 640, 480
m = mmap.mmap(fd, w * h * 4)
row = bytearray(w * 4)
for y in range(h):
    for x in range(w):
        # B, G, R, X: a gradient with a diagonal line
        r, g, b = (x * 255 // (w - 1), y * 255 // (h - 1), 255 if x == y else 0)
        row[4 * x:4 * x + 4] = bytes((b, g, r, 0))
    m[y * w * 4:(y + 1) * w * 4] = row
m.flush()
PY
"$CTL" -m "$MNT" fb snapshot fb0 "$DPF_TMP/shot.png" >"$DPF_TMP/reply" || \
    fail "snapshot failed: $(cat "$DPF_TMP/reply")"
grep -q "640x480" "$DPF_TMP/reply" || fail "reply '$(cat "$DPF_TMP/reply")'"
python3 - "$DPF_TMP/shot.png" <<'PY' || fail "the PNG does not hold what was drawn"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, = struct.unpack(">I", data[pos:pos + 4])
    kind = data[pos + 4:pos + 8]
    body = data[pos + 8:pos + 8 + n]
    crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
    assert zlib.crc32(kind + body) & 0xffffffff == crc, "bad CRC"
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype = ihdr[:4]
assert (w, h, depth, ctype) == (640, 480, 8, 2), ihdr
raw = zlib.decompress(idat)
stride = 1 + 3 * w
prev = bytearray(3 * w)
for y in range(h):
    f = raw[y * stride]
    line = bytearray(raw[y * stride + 1:(y + 1) * stride])
    for i in range(len(line)):
        a = line[i - 3] if i >= 3 else 0
        b = prev[i]
        c = prev[i - 3] if i >= 3 else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pr) & 255
    for x in range(w):
        want = (x * 255 // (w - 1), y * 255 // (h - 1), 255 if x == y else 0)
        if tuple(line[3 * x:3 * x + 3]) != want:
            sys.exit("pixel (%d,%d) is %s, drew %s" % (x, y, tuple(line[3 * x:3 * x + 3]), want))
    prev = line
PY
dpf_unmount
exit 0
