#!/bin/sh
# No file under vm/ shows an address of the daemon's memory.  With objects
# of every kind the default tree and a plugin make (device objects of ram,
# fb and a plugin, managed-device gem buffers in vram and in system
# memory), mapped and faulted, every file under vm/ and every ctl reply
# is scanned for numbers (hex with or without 0x, and long decimals).  A
# number inside a range of vm/phys is a simulated physical address,
# legitimate content; any other number that falls inside one of the
# daemon's mappings (/proc/PID/maps), or in the user-space range where
# Linux puts heaps and mappings (0x550000000000 up), is a leak.  Every
# file is ASCII, and every device an info file names exists.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
PAT="$abs_top_builddir/examples/patterndrv/patterndrv.so"

ctl() {
	dpf_ctl_ok "$1" || fail "ctl '$1' failed"
}

dpf_mount -o entry_timeout=0,attr_timeout=0
replies="$DPF_TMP/replies"
: >"$replies"
ctl "create pat0 driver=$PAT size=64K seed=3" >>"$replies"
ctl "create ram1 driver=ram size=1M memattr=uc" >>"$replies"
v=$(ctl "gem gem0 create size=64K placement=vram")
s=$(ctl "gem gem0 create size=64K placement=system")
echo "$v" >>"$replies"
echo "$s" >>"$replies"
voff=${v#*offset=}; voff=${voff%% *}
soff=${s#*offset=}; soff=${soff%% *}
# Buffers made through vm/ctl are reached by their name (devpagerfs_gem(4)).
vname=${v#*name=}; vname=${vname%% *}
sname=${s#*name=}; sname=${sname%% *}

# Keep one mapping of each open while the tree is read, after faulting.
mkfifo "$DPF_TMP/hold"
holders=
for spec in "ram0 0" "ram1 0" "fb0 0" "pat0 0" "gem0 $voff $vname" \
    "gem0 $soff $sname"; do
	set -- $spec
	gemopt=
	[ $# -lt 3 ] || gemopt="-g $3"
	# shellcheck disable=SC2086
	"$TOOL" $gemopt hold "$MNT/dev/$1" "$2" 4 <"$DPF_TMP/hold" \
	    >>"$DPF_TMP/hold.out" &
	holders="$holders $!"
done
exec 9>"$DPF_TMP/hold"
i=0
until [ "$(grep -c ready "$DPF_TMP/hold.out" 2>/dev/null)" = 6 ]; do
	i=$((i + 1)); [ "$i" -le 400 ] || fail "the holders never got ready"
	sleep 0.05
done
cat "$MNT/vm/ctl" >>"$replies"

python3 - "$MNT/vm" "/proc/$DPF_PID/maps" "$replies" <<'PY' || \
    fail "vm/ shows the daemon's addresses"
import os, re, sys
vm, maps, replies = sys.argv[1:4]

bad = []
texts = {}
for root, dirs, files in os.walk(vm):
    for f in files:
        p = os.path.join(root, f)
        try:
            with open(p, "rb") as fh:
                raw = fh.read()
        except PermissionError:
            continue
        name = os.path.relpath(p, vm)
        texts[name] = raw.decode("latin-1")
        if any(b > 0x7e or (b < 0x20 and b != 0x0a) for b in raw):
            bad.append("vm/%s is not printable ASCII: %r" % (name, raw))
texts["ctl replies"] = open(replies).read()

mapped = []
for line in open(maps):
    lo, hi = line.split()[0].split("-")
    mapped.append((int(lo, 16), int(hi, 16)))
phys = []
for line in texts["phys"].splitlines()[1:]:
    col = line.split()
    phys.append((int(col[2], 16), int(col[3], 16)))
infos = sorted(k for k in texts if k.endswith("/info"))
pages = [k for k in texts if k.endswith("/pages")]

# Numbers: 0x hex, bare hex with a letter (8 digits or more), decimals
# from 2^32 up.  Physical addresses are content; the daemon's are not.
physical_seen = 0
token = re.compile(r"\b(?:0[xX][0-9a-fA-F]+|[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*"
                   r"|[0-9]+)\b")
for name, text in sorted(texts.items()):
    for m in token.finditer(text):
        t = m.group(0)
        if t.lower().startswith("0x"):
            v = int(t, 16)
        elif re.fullmatch(r"[0-9]+", t):
            v = int(t)
            if v < 1 << 32:
                continue
        elif len(t) >= 8:
            v = int(t, 16)
        else:
            continue
        if any(lo <= v <= hi for lo, hi in phys):
            if name in pages:
                physical_seen += 1
            continue
        if any(lo <= v < hi for lo, hi in mapped) or \
                0x550000000000 <= v < 0x800000000000:
            line = text[:m.start()].count("\n") + 1
            bad.append("vm/%s:%d: %s, an address of the daemon" %
                       (name, line, t))

# A device an info file names exists (a gem buffer's handle is not a
# cdev, and its bytes are no name).
devices = {l.split()[0] for l in texts["devices"].splitlines()[1:]}
for k in infos:
    for m in re.finditer(r"^cdev: (.*)$|^handle: cdev (.*)$", texts[k],
                         re.M):
        name = m.group(1) if m.group(1) is not None else m.group(2)
        if name not in devices:
            bad.append("vm/%s names device %r, which is not in vm/devices"
                       % (k, name))

# The run covered what it claims to.
types = set()
for k in infos:
    m = re.search(r"^type: (\w+)$", texts[k], re.M)
    types.add(m.group(1) if m else "?")
for t in ("dv", "md"):
    if t not in types:
        bad.append("no object of type %s among %d: %s" % (t, len(infos),
                   types))
if not any(re.search(r"^cdev: ", texts[k], re.M) for k in infos):
    bad.append("no device object names its cdev")
if physical_seen == 0:
    bad.append("no physical address was seen in any pages file")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print("%d files, %d objects, %d physical addresses: no daemon address" %
      (len(texts), len(infos), physical_seen))
for k in infos:
    print("vm/%s: %s" % (k, " | ".join(l for l in texts[k].splitlines()
          if l.startswith(("type", "handle", "cdev", "path")))))
PY

exec 9>&-
for h in $holders; do
	wait "$h" || fail "a holder failed"
done
dpf_unmount
exit 0
