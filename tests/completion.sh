#!/bin/bash
# The bash completion of devpagerctl against a fake tree (-m): options,
# commands, device names (all, or one driver's), object IDs and paths,
# fail points, ctl keys and values (key=value completed after the '='
# whatever COMP_WORDBREAKS holds), PNG file names; nothing, and no
# message, without a mount.
set -eu
: "${abs_top_srcdir:?run through make check}"
F=$(mktemp -d "${TMPDIR:-/tmp}/dpf-comp.XXXXXX")
trap 'rm -rf "$F"' EXIT
. "$abs_top_srcdir/tests/lib/completion.bash"

mkdir -p "$F/dev" "$F/vm/fail" "$F/pics/sub"
touch "$F/dev/mem" "$F/dev/ram0" "$F/dev/fb0" "$F/dev/gem0" \
    "$F/vm/fail/vm_page_alloc" "$F/vm/fail/dev_pager_fault" \
    "$F/pics/a.png" "$F/pics/b.txt"
cat >"$F/vm/objects" <<'EOT'
    ID   RES   ACT INACT REF SHD  CM TP PATH
     3     6     0     0   1   0 WB  dv dev/ram0
     7     0     0     0   1   0 WC  md dev/gem0#1
EOT
cat >"$F/vm/devices" <<'EOT'
NAME             DRIVER   REFS FLAGS             SIZE MEMATTR STATE
mem              mem         1 ETERNAL,MEM       0x100 WB -
ram0             ram         2 -                 16M WB -
fb0              fb          1 -                 1200K WC -
gem0             gem         1 -                 0 WB -
EOT

M="devpagerctl -m $F"
expect "devpagerctl " "create destroy devices fail fb gem heatmap help memattr object objects phys prefault revoke stats swap top"
expect "devpagerctl he" "heatmap help"
expect "devpagerctl -" "--help --json --mount --version -V -h -m"
expect "devpagerctl --json st" "stats"
expect "$M destroy " "fb0 gem0 mem ram0"
expect "$M destroy r" "ram0"
expect "devpagerctl --mount=$F revoke f" "fb0"
expect "devpagerctl -m$F revoke ram0 " "length= offset="
expect "$M object " "3 7"
expect "$M object 3 " ""
expect "$M heatmap " "3 7 dev/gem0#1 dev/ram0"
expect "$M --json heatmap dev/r" "dev/ram0"
expect "$M heatmap --json dev/g" "dev/gem0#1"
expect "$M heatmap 3 $F/pics/" "$F/pics/a.png $F/pics/sub"
expect "$M fail " "dev_pager_fault vm_page_alloc"
expect "$M fail vm_page_alloc " "off"
expect "$M memattr ram0 u" "uc uc-"
expect "$M prefault r" "ram0"
expect "$M prefault ram0 " "around none open"
expect "$M prefault ram0 open prefault_m" "prefault_max="
expect "$M create ram1 driver=ram prefault=a" "around"
expect "$M gem " "gem0"
expect "$M gem gem0 " "create destroy move"
expect "$M gem gem0 create pl" "placement="
expect "$M gem gem0 move handle=1 placement=s" "system"
expect "$M gem gem0 destroy " "handle="
expect "$M create " ""
expect "$M create ram1 s" "size="
expect "$M create ram1 driver=r" "ram"
expect "$M create ram1 driver=ram memattr=w" "wb wc wp wt"
expect "$M create ram1 size=1" ""
expect "$M fb " "snapshot"
expect "$M fb snapshot " "fb0"
expect "$M fb snapshot fb0 $F/pics/a" "$F/pics/a.png"
expect "$M swap " "limit"
expect "$M swap limit " "size= uid="
expect "$M top -" "-d -n"
# With '=' not a word break, the whole word is the reply.
COMP_WORDBREAKS=$' \t\n'
expect "$M create ram1 driver=r" "driver=ram"
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'

# No mount: nothing from it, and not a word on stderr.
expect "devpagerctl -m $F/nowhere destroy " ""
printf '1 2 0:1 / / rw - ext4 /dev/sda1 rw\n' >"$F/mountinfo"
_DEVPAGERCTL_MOUNTINFO="$F/mountinfo"
expect "devpagerctl destroy " ""
expect "devpagerctl heatmap " ""
# Two devpagerfs mounts: devpagerctl would refuse to choose, and so does
# the completion.
printf '1 2 0:1 / %s rw - fuse.devpagerfs devpagerfs rw\n' "$F" "$F" \
    >>"$F/mountinfo"
expect "devpagerctl destroy " ""
_DEVPAGERCTL_MOUNTINFO=/nonexistent
expect "devpagerctl object " ""
[ -z "$(comp "devpagerctl -m /nonexistent heatmap " 2>&1)" ] ||
    { echo "FAIL: messages without a mount"; exit 1; }
exit 0
