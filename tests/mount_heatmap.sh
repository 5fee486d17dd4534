#!/bin/sh
# devpagerctl heatmap against a mount: touch some pages of a device
# through mmap(2), store into one, then decode the picture with the tests'
# own PNG reader (tests/png_probe) and check the cell of every page
# touched, and some that were not, at the place and in the colour
# devpagerctl(8) documents; the JSON must say the same.  A large device
# groups pages into cells.  Bad objects and files fail and write nothing.
#
# DPF_HEATMAP_KEEP=FILE copies the picture of ram1 to FILE (for a look).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

CTL="$abs_top_builddir/devpagerctl"
TOOL="$abs_top_builddir/tests/mmap_tool"
PROBE="$abs_top_builddir/tests/png_probe"
PG=4096
# devpagerctl(8): the colours, and cell i's top-left corner at
# (8 + 8 * (i % COLUMNS), 43 + 8 * (i / COLUMNS)), 64 columns at most.
ABSENT=505050
RESIDENT=3cb371
DIRTY=f0a030
TEXT=e8e8e8
BACKGROUND=202020

# ctl STATUS ARGS...: run devpagerctl, require exit STATUS.
ctl() {
	want=$1
	shift
	st=0
	"$CTL" -m "$MNT" "$@" >"$DPF_TMP/out" 2>"$DPF_TMP/err" || st=$?
	[ "$st" -eq "$want" ] || fail "devpagerctl $* exited $st, expected" \
	    "$want: $(cat "$DPF_TMP/out" "$DPF_TMP/err")"
}

# json FILE EXPR: a Python expression over the parsed JSON `j' must hold.
json() {
	python3 - "$1" "$2" <<'PY' || fail "JSON check '$2' failed"
import json, sys
j = json.load(open(sys.argv[1]))
if not eval("(" + sys.argv[2] + ")"):
    sys.exit("false: %s\n%s" % (sys.argv[2], json.dumps(j)[:2000]))
PY
}

# cell_at INDEX: the probe point in the middle of cell INDEX (64 columns).
cell_at() {
	echo "$((8 + 8 * ($1 % 64) + 3)),$((43 + 8 * ($1 / 64) + 3))"
}

# expect_cells PNG COLOUR INDEX...: each cell is that colour.
expect_cells() {
	png=$1
	colour=$2
	shift 2
	for i in "$@"; do
		got=$("$PROBE" "$png" "$(cell_at "$i")" | sed -n 2p)
		[ "$got" = "$colour" ] || fail "cell $i of $png is $got," \
		    "expected $colour"
	done
}

dpf_mount -o entry_timeout=0,attr_timeout=0
# prefault=none: the pictures count the pages the test touches.
dpf_ctl_ok "create ram1 driver=ram size=1M prefault=none" >/dev/null ||
    fail "create ram1"
dpf_ctl_ok "create ram2 driver=ram size=64M prefault=none" >/dev/null ||
    fail "create ram2"
# An open file keeps a device's object (and its pages) alive between the
# mmap_tool runs.
exec 3<"$MNT/dev/ram1" 4<"$MNT/dev/ram2"

# Old devpagerctl has no heatmap: a usage error (2) here fails the test.
ctl 2 heatmap dev/ram1
grep -q "usage: heatmap OBJECT FILE.png" "$DPF_TMP/err" ||
    fail "no heatmap usage: $(cat "$DPF_TMP/err")"

# ram1: 256 pages, one per cell.  Read pages 0, 5, 100 and 255; store
# into page 7 (written back by msync: resident and dirty).
for p in 0 5 100 255; do
	"$TOOL" touch "$MNT/dev/ram1" $((p * PG)) 1 || fail "touch page $p"
done
"$TOOL" fill "$MNT/dev/ram1" $((7 * PG)) $PG 0x5a || fail "fill page 7"

ctl 0 heatmap dev/ram1 "$DPF_TMP/ram1.png"
grep -q "^wrote $DPF_TMP/ram1.png [0-9]*x[0-9]*: dev/ram1, 256 pages, 1 per cell; 5 resident, 1 dirty, 0 held$" \
    "$DPF_TMP/out" || fail "heatmap said: $(cat "$DPF_TMP/out")"
ctl 0 --json heatmap dev/ram1
cp "$DPF_TMP/out" "$DPF_TMP/ram1.json"
json "$DPF_TMP/ram1.json" 'j["path"] == "dev/ram1" and j["size"] == 256 and
    j["pages_per_cell"] == 1 and j["image"]["file"] is None'
json "$DPF_TMP/ram1.json" 'j["pages"] == {"not_resident": 251,
    "resident": 4, "dirty": 1, "held": 0}'
json "$DPF_TMP/ram1.json" '[c["first"] for c in j["cells"]
    if c["state"] == "resident"] == [0, 5, 100, 255] and
    [c["first"] for c in j["cells"] if c["state"] == "dirty"] == [7]'
json "$DPF_TMP/ram1.json" 'j["image"]["grid_x"] == 8 and
    j["image"]["grid_y"] == 43 and j["image"]["columns"] == 64 and
    j["image"]["rows"] == 4 and j["image"]["cell_pitch"] == 8'
# The same object by ID.
id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' \
    "$DPF_TMP/ram1.json")
ctl 0 --json heatmap "$id" "$DPF_TMP/by-id.png"
json "$DPF_TMP/out" 'j["path"] == "dev/ram1" and
    j["image"]["file"].endswith("by-id.png")'
cmp -s "$DPF_TMP/ram1.png" "$DPF_TMP/by-id.png" ||
    fail "the picture by ID differs from the picture by path"

# The picture, decoded: its size is the JSON's; the cells of the pages
# touched, and of their neighbours, are where and what the manual says.
size=$("$PROBE" "$DPF_TMP/ram1.png" | head -n 1)
json "$DPF_TMP/ram1.json" "'%d %d' % (j['image']['width'],
    j['image']['height']) == '$size'"
expect_cells "$DPF_TMP/ram1.png" $RESIDENT 0 5 100 255
expect_cells "$DPF_TMP/ram1.png" $DIRTY 7
expect_cells "$DPF_TMP/ram1.png" $ABSENT 1 4 6 8 63 64 99 101 254
# Between cells: background.  The path's first glyph, 'd' (scale 2 from
# (8, 8)): its top row is "....#".
pts=$("$PROBE" "$DPF_TMP/ram1.png" 15,46 9,9 17,9 | tail -n 3 | tr '\n' ' ')
[ "$pts" = "$BACKGROUND $BACKGROUND $TEXT " ] ||
    fail "gap and title pixels are '$pts'"

# ram2: 16384 pages, 4 per cell.  Page 9 lights cell 2 (pages 8-11).
"$TOOL" touch "$MNT/dev/ram2" $((9 * PG)) 1 || fail "touch ram2 page 9"
ctl 0 --json heatmap ram2 "$DPF_TMP/ram2.png"
json "$DPF_TMP/out" 'j["pages_per_cell"] == 4 and len(j["cells"]) == 4096
    and j["cells"][2] == {"first": 8, "pages": 4, "state": "resident",
    "not_resident": 3, "resident": 1, "dirty": 0, "held": 0}'
expect_cells "$DPF_TMP/ram2.png" $RESIDENT 2
expect_cells "$DPF_TMP/ram2.png" $ABSENT 0 1 3 4095

# Bad input: an error, and no file.
ctl 1 heatmap dev/nosuch "$DPF_TMP/bad.png"
grep -q "no object has the path 'dev/nosuch'" "$DPF_TMP/err" ||
    fail "unknown path: $(cat "$DPF_TMP/err")"
ctl 1 heatmap 999999 "$DPF_TMP/bad.png"
grep -q "no object 999999" "$DPF_TMP/err" ||
    fail "unknown ID: $(cat "$DPF_TMP/err")"
ctl 1 heatmap dev/ram1 "$DPF_TMP/no/such/dir.png"
[ ! -e "$DPF_TMP/bad.png" ] || fail "a failed heatmap wrote a file"
ctl 2 heatmap
ctl 2 heatmap dev/ram1 "$DPF_TMP/a.png" extra
ctl 2 --json heatmap dev/ram1 -

if [ -n "${DPF_HEATMAP_KEEP:-}" ]; then
	cp "$DPF_TMP/ram1.png" "$DPF_HEATMAP_KEEP"
fi
exec 3<&- 4<&-
dpf_unmount
exit 0
