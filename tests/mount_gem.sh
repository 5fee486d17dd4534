#!/bin/sh
# dev/gem0 on a real mount: a buffer made through vm/ctl is opened by its
# name and mapped at the offset the reply gives; while one process keeps
# it mapped it is moved to system and back: the contents stay intact for
# that process and for a fresh one, invalidations rise and the object's
# pages file shows the pages in the other window each time.  A small gem
# device: vram exhaustion evicts the least recently used buffer with its
# data intact.  A system buffer past the uid's limit: ENOMEM through the
# ioctl (as that user), with vm/swap showing the reservation.  The
# administrator's destroy only drops its own handle: a process that
# opened the name keeps the buffer until it closes.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}

# ctl CMD: the reply of a command that must succeed (fails the test).
ctl() {
	dpf_ctl_ok "$1" || fail "ctl '$1' failed"
}

# The object row of dev/DEV#H in vm/objects (ID first).
obj_id() {
	awk -v p="dev/$1#$2" '$NF == p { print $1 }' "$MNT/vm/objects"
}

# The windows the resident pages of object ID live in, sorted, unique.
windows() {
	awk 'NR > 1 { print $NF }' "$MNT/vm/object/$1/pages" | sort -u | \
	    tr '\n' ' '
}

dpf_mount -o entry_timeout=0,attr_timeout=0
GEM="$MNT/dev/gem0"
[ -f "$GEM" ] || fail "no dev/gem0 in the default tree"
[ "$(stat -c %s "$GEM")" = 4611686018427387904 ] || fail "gem0 is not 2^62 bytes"
# No buffer at offset 0: SIGBUS, and the daemon lives on.
"$TOOL" sigbus "$GEM" 0 || fail "no SIGBUS at offset 0 of gem0"
dpf_alive

reply=$(ctl "gem gem0 create size=256K placement=vram")
case $reply in
handle=*' 'offset=*' 'size=262144' 'name=*) ;;
*) fail "create replied '$reply'" ;;
esac
h=${reply#handle=}; h=${h%% *}
off=${reply#*offset=}; off=${off%% *}
name=${reply#*name=}
[ $((off % 4096)) -eq 0 ] || fail "offset $off is not page-aligned"
# An open that holds no handle of it cannot touch it.
"$TOOL" sigbus "$GEM" "$off" || fail "a mapping without a handle got data"

# Process 1: the pattern, through its own mapping.
"$TOOL" -g "$name" pattern "$GEM" "$off" 262144 5 || fail "pattern write failed"
id=$(obj_id gem0 "$h")
[ -n "$id" ] || fail "no dev/gem0#$h in vm/objects: $(cat "$MNT/vm/objects")"
awk -v i="$id" '$1 == i && $8 == "md"' "$MNT/vm/objects" | grep -q . || \
    fail "dev/gem0#$h is not TP md"

# Process 2 holds a mapping of the whole buffer across the moves, and
# checks it after each.  Commands come on stdin, one per line.
mkfifo "$DPF_TMP/cmd"
cat >"$DPF_TMP/holder.py" <<'PY'
import fcntl, mmap, os, struct, sys
path, off, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
name = int(sys.argv[5])
IOC_OPEN = (3 << 30) | (32 << 16) | (ord("G") << 8) | 6
def b(pos, seed):
    x = ((pos + 1) * 0x9e3779b97f4a7c15 ^ seed) & 0xffffffffffffffff
    return (x >> 29) & 0xff
want = bytes(b(off + i, seed) for i in range(size))
fd = os.open(path, os.O_RDWR)
fcntl.ioctl(fd, IOC_OPEN, bytearray(struct.pack("=QIIQQ", name, 0, 0, 0, 0)), True)
m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=off)
print("ready", flush=True)
for line in iter(sys.stdin.readline, ""):
    if line.strip() == "check":
        print("ok" if m[:] == want else "bad", flush=True)
    elif line.strip() == "quit":
        break
m.close()
os.close(fd)
print("done", flush=True)
PY
python3 "$DPF_TMP/holder.py" "$GEM" "$off" 262144 5 "$name" <"$DPF_TMP/cmd" \
    >"$DPF_TMP/holder.out" 2>&1 &
holder=$!
exec 8>"$DPF_TMP/cmd"
wait_line() {
	i=0
	until [ "$(grep -c "$1" "$DPF_TMP/holder.out" 2>/dev/null)" -ge "$2" ]; do
		i=$((i + 1)); [ "$i" -le 400 ] || \
		    fail "holder: no '$1' #$2: $(cat "$DPF_TMP/holder.out")"
		grep -q bad "$DPF_TMP/holder.out" && \
		    fail "holder saw wrong contents"
		sleep 0.05
	done
}
wait_line ready 1
echo check >&8
wait_line ok 1
w0=$(windows "$id")
[ "$w0" = "gem0 " ] || fail "vram buffer pages are in '$w0', not gem0"

n=1
for place in system vram system vram; do
	inv0=$(stat_of invalidations)
	ctl "gem gem0 move handle=$h placement=$place" >/dev/null
	n=$((n + 1))
	echo check >&8
	wait_line ok "$n"
	"$TOOL" -g "$name" verify "$GEM" "$off" 262144 5 || \
	    fail "a fresh mapping differs after the move to $place"
	w=$(windows "$id")
	if [ "$place" = vram ]; then
		[ "$w" = "gem0 " ] || fail "after move to vram pages are in '$w'"
	else
		case $w in
		*gem0*|'') fail "after move to system pages are in '$w'" ;;
		esac
	fi
	i=0
	while [ "$(stat_of invalidations)" -le "$inv0" ]; do
		i=$((i + 1)); [ "$i" -le 100 ] || \
		    fail "invalidations did not rise on the move to $place"
		sleep 0.05
	done
done

# Three readers verify the buffer in a loop while it is moved back and
# forth and vm/objects is listed: no reader ever sees wrong data.
for r in 1 2 3; do
	(
		while [ ! -e "$DPF_TMP/stop" ]; do
			"$TOOL" -g "$name" verify "$GEM" "$off" 262144 5 || {
				echo bad >"$DPF_TMP/reader.$r"; exit 1; }
		done
		echo ok >"$DPF_TMP/reader.$r"
	) &
done
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ $((i % 2)) -eq 1 ] && place=system || place=vram
	ctl "gem gem0 move handle=$h placement=$place" >/dev/null
	cat "$MNT/vm/objects" >/dev/null
done
touch "$DPF_TMP/stop"
wait_readers() {
	for r in 1 2 3; do
		i=0
		until [ -s "$DPF_TMP/reader.$r" ]; do
			i=$((i + 1)); [ "$i" -le 400 ] || fail "reader $r hangs"
			sleep 0.05
		done
		[ "$(cat "$DPF_TMP/reader.$r")" = ok ] || \
		    fail "reader $r saw wrong data during the moves"
	done
}
wait_readers
echo check >&8
n=$((n + 1))
wait_line ok "$n"
dpf_alive

# The administrator's destroy drops its handle only: the holder's open
# holds one too, and keeps reading; its close destroys the buffer.
ctl "gem gem0 destroy handle=$h" >/dev/null
echo check >&8
wait_line ok $((n + 1))
[ -n "$(obj_id gem0 "$h")" ] || fail "the held buffer's object went at destroy"
echo quit >&8
exec 8>&-
wait "$holder" || fail "holder failed: $(cat "$DPF_TMP/holder.out")"
i=0
while [ -n "$(obj_id gem0 "$h")" ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "the buffer outlived its last handle"
	sleep 0.05
done
"$TOOL" sigbus "$GEM" "$off" || fail "a destroyed buffer's offset still maps"
dpf_alive

# Eviction on a small device (1M of vram): a is used last, so b goes to
# system when c needs room.
ctl "create gemt driver=gem size=1M" >/dev/null
T="$MNT/dev/gemt"
ra=$(ctl "gem gemt create size=512K")
rb=$(ctl "gem gemt create size=512K")
offa=${ra#*offset=}; offa=${offa%% *}
offb=${rb#*offset=}; offb=${offb%% *}
ha=${ra#handle=}; ha=${ha%% *}
hb=${rb#handle=}; hb=${hb%% *}
na=${ra#*name=}; nb=${rb#*name=}
"$TOOL" -g "$na" pattern "$T" "$offa" 524288 11 || fail "pattern a"
"$TOOL" -g "$nb" pattern "$T" "$offb" 524288 12 || fail "pattern b"
# A move to where it is already is a use: a becomes the most recent.
ctl "gem gemt move handle=$ha placement=vram" >/dev/null
"$TOOL" -g "$na" verify "$T" "$offa" 524288 11 || fail "a before eviction"
rc=$(ctl "gem gemt create size=256K")
offc=${rc#*offset=}; offc=${offc%% *}
nc=${rc#*name=}
"$TOOL" -g "$na" verify "$T" "$offa" 524288 11 || fail "a after eviction"
"$TOOL" -g "$nb" verify "$T" "$offb" 524288 12 || fail "b after eviction"
"$TOOL" -g "$nc" check "$T" "$offc" 262144 0 || fail "the new buffer is not zeroed"
ida=$(obj_id gemt "$ha"); idb=$(obj_id gemt "$hb")
"$TOOL" -g "$na" touch "$T" "$offa" 1 && "$TOOL" -g "$nb" touch "$T" "$offb" 1
case $(windows "$idb") in
*gemt*) fail "b is still in vram: $(windows "$idb")" ;;
esac
[ "$(windows "$ida")" = "gemt " ] || fail "a left vram: $(windows "$ida")"

# A system buffer past this uid's limit: ENOMEM through the ioctl.  (b,
# evicted to system, is charged already.)
uid=$(id -u)
swap_row() {
	awk -v u="$uid" 'NR > 1 && $1 == u' "$MNT/vm/swap"
}
res0=$(swap_row | awk '{ print $2 }')
[ -n "$res0" ] || res0=0
[ "$res0" -ge 524288 ] || fail "the evicted b is not charged: $(swap_row)"
ctl "swap limit uid=$uid size=$((res0 + 96 * 1024))" >/dev/null
# The buffer lives while its open does: python reads vm/swap before it
# closes the file, prints the row, and the shell checks it.
row=$(python3 - "$T" "$MNT/vm/swap" "$uid" <<'PY'
import errno, fcntl, os, struct, sys
IOC_CREATE = (3 << 30) | (32 << 16) | (ord("G") << 8) | 1
fd = os.open(sys.argv[1], os.O_RDWR)
def create(size, placement):
    buf = bytearray(struct.pack("=QIIIIQ", size, placement, 0, 0, 0, 0))
    fcntl.ioctl(fd, IOC_CREATE, buf, True)
    return struct.unpack("=QIIIIQ", buf)
size, _, _, handle, _, offset = create(64 << 10, 2)
assert size == 65536 and handle > 0 and offset % 4096 == 0, (size, handle)
try:
    create(64 << 10, 2)
    sys.exit(1)
except OSError as e:
    if e.errno != errno.ENOMEM:
        sys.exit(1)
for line in open(sys.argv[2]).read().splitlines()[1:]:
    if line.split()[0] == sys.argv[3]:
        print(line)
PY
) || fail "ioctl create past the limit"
set -- $row
[ "$2" -eq $((res0 + 65536)) ] || fail "vm/swap reserved is $2: $row"
[ "$4" -ge 1 ] || fail "vm/swap failures is $4: $row"
# Closed: the buffer and its charge are gone.
i=0
while [ "$(swap_row | awk '{ print $2 }')" -ne "$res0" ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "the closed open's buffer is still charged: $(swap_row)"
	sleep 0.05
done
dpf_alive
dpf_unmount
exit 0
