#!/bin/sh
# The fb driver's pixel formats and rules on a real mount: patterns drawn
# into 32-, 24- and 16-bpp framebuffers of odd widths (so rows have
# stride padding) through mmap(2)+msync and through write(2) come back
# pixel for pixel from `fb NAME snapshot path=...` decoded as a PNG
# (every chunk's CRC checked); the snapshot path rules; geometry limits
# refused with nothing created.  (tests/mount_fb.sh draws into fb0 and
# snapshots through devpagerctl.)
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

dpf_mount -o entry_timeout=0,attr_timeout=0

# expect ERRNO CMD [TEXT]: the result, and a reply containing TEXT.
expect() {
	got=$(dpf_ctl "$2")
	code=${got%%	*}
	REPLY=${got#*	}
	[ "$code" = "$1" ] || fail "'$2': got $code ($REPLY), expected $1"
	if [ $# -gt 2 ]; then
		case "$REPLY" in
		*"$3"*) ;;
		*) fail "'$2': reply '$REPLY' lacks '$3'" ;;
		esac
	fi
}

# fb.py draw FILE W H BPP STRIDE mmap|write: store the test pattern
# (value v at (x, y), little-endian, bpp/8 bytes; padding 0xa5).
# fb.py verify PNG W H BPP: the decoded PNG is the pattern's RGB, by the
# rules of devpagerfs_fb(4).
cat >"$DPF_TMP/fb.py" <<'PY'
import mmap, os, struct, sys, zlib

def value(x, y):
    v = (x * 2654435761 ^ y * 40503 ^ 0x9e3779b9) & 0xffffffff
    return v ^ (v >> 13)

def rgb(v, bpp):
    if bpp == 16:
        v &= 0xffff
        r, g, b = v >> 11, (v >> 5) & 63, v & 31
        return bytes(((r << 3) | (r >> 2), (g << 2) | (g >> 4),
                      (b << 3) | (b >> 2)))
    return bytes(((v >> 16) & 255, (v >> 8) & 255, v & 255))

def image(w, h, stride, bpp):
    n = bpp // 8
    img = bytearray(b"\xa5" * (stride * h))
    for y in range(h):
        for x in range(w):
            o = y * stride + x * n
            img[o:o + n] = struct.pack("<I", value(x, y))[:n]
    return bytes(img)

def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "signature"
    pos, idat = 8, b""
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        t = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(t + body) & 0xffffffff == crc, "CRC of %s" % t
        if t == b"IHDR":
            w, h, depth, ctype, comp, filt, lace = struct.unpack(
                ">IIBBBBB", body)
            assert (depth, ctype, comp, filt, lace) == (8, 2, 0, 0, 0)
        elif t == b"IDAT":
            idat += body
        elif t == b"IEND":
            assert pos + 12 + n == len(data), "data after IEND"
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows = []
    for y in range(h):
        line = raw[y * (3 * w + 1):(y + 1) * (3 * w + 1)]
        assert line[0] == 0, "filter %d" % line[0]
        rows.append(line[1:])
    return w, h, b"".join(rows)

cmd = sys.argv[1]
if cmd == "draw":
    path, w, h, bpp, stride, how = sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
    img = image(w, h, stride, bpp)
    fd = os.open(path, os.O_RDWR)
    if how == "mmap":
        m = mmap.mmap(fd, len(img), mmap.MAP_SHARED,
                      mmap.PROT_READ | mmap.PROT_WRITE)
        m[:] = img
        m.flush()
        m.close()
    else:
        assert os.pwrite(fd, img, 0) == len(img)
    os.close(fd)
else:
    path, w, h, bpp = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5])
    gw, gh, pix = decode(path)
    assert (gw, gh) == (w, h), "size %dx%d" % (gw, gh)
    for y in range(h):
        for x in range(w):
            got = pix[(y * w + x) * 3:(y * w + x) * 3 + 3]
            if got != rgb(value(x, y), bpp):
                print("pixel (%d,%d): %s, want %s" % (x, y, got.hex(),
                      rgb(value(x, y), bpp).hex()))
                sys.exit(1)
PY

# fb0 is the default 640x480x32 write-combining framebuffer.
[ "$(stat -c %s "$MNT/dev/fb0")" -eq 1228800 ] || fail "fb0: wrong size"
awk '$1 == "fb0" && $2 == "fb" && $6 == "WC" { f = 1 } END { exit !f }' \
    "$MNT/vm/devices" || fail "fb0 is not a WC fb device in vm/devices"
mkdir "$DPF_TMP/pics"

# shot NAME W H BPP STRIDE SIZE HOW [memattr]: create, check the size,
# draw, snapshot, verify.
shot() {
	expect 0 \
	    "create $1 driver=fb width=$2 height=$3 bpp=$4${8:+ memattr=$8}"
	[ "$(stat -c %s "$MNT/dev/$1")" -eq "$6" ] || \
	    fail "$1: size $(stat -c %s "$MNT/dev/$1"), expected $6"
	python3 "$DPF_TMP/fb.py" draw "$MNT/dev/$1" "$2" "$3" "$4" "$5" \
	    "$7" || fail "drawing into $1 failed"
	expect 0 "fb $1 snapshot path=$DPF_TMP/pics/$1.png" \
	    "wrote $DPF_TMP/pics/$1.png $2x$3"
	python3 "$DPF_TMP/fb.py" verify "$DPF_TMP/pics/$1.png" "$2" "$3" \
	    "$4" || fail "the $1 snapshot is not what was drawn"
}
# 77x40x32: stride 308 -> 320; 12800 bytes -> 16K.
shot f32 77 40 32 320 16384 mmap
# 33x21x24: stride 99 -> 128, uncached.
shot f24 33 21 24 128 4096 mmap uc
# 100x50x16: stride 200 -> 256, drawn with write(2).
shot f16 100 50 16 256 16384 write

# Path rules: absolute, existing directory, no symbolic link at the end
# (its target is left alone), no temporary file left behind.
echo keep >"$DPF_TMP/target"
ln -s "$DPF_TMP/target" "$DPF_TMP/pics/link.png"
expect ELOOP "fb f16 snapshot path=$DPF_TMP/pics/link.png" "symbolic link"
[ "$(cat "$DPF_TMP/target")" = keep ] || fail "the symlink's target changed"
expect ENOENT "fb f16 snapshot path=$DPF_TMP/nodir/x.png"
expect EINVAL "fb f16 snapshot path=relative.png"
expect EISDIR "fb f16 snapshot path=$DPF_TMP/pics"
expect EINVAL "fb ram0 snapshot path=$DPF_TMP/pics/r.png" "not a fb device"
[ "$(ls -A "$DPF_TMP/pics" | tr '\n' ' ')" = \
    "f16.png f24.png f32.png link.png " ] || \
    fail "unexpected files: $(ls -A "$DPF_TMP/pics" | tr '\n' ' ')"

# Geometry limits: refused before anything is allocated.
expect EINVAL "create big driver=fb width=8193 height=1" "8192"
expect EINVAL "create big driver=fb width=16384 height=16384 bpp=32"
expect EINVAL "create big driver=fb bpp=8"
[ ! -e "$MNT/dev/big" ] || fail "dev/big exists"
for f in f16 f24 f32; do
	expect 0 "destroy $f"
done
dpf_alive
dpf_unmount
exit 0
