#!/bin/bash
# The bash completion of devpagerctl on a real mount found the way
# devpagerctl finds it (the only fuse.devpagerfs line of mountinfo, here a
# copy of the real line, since other tests mount in parallel): the
# mount's device names, object IDs and paths, fail points.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
. "$abs_top_srcdir/tests/lib/completion.bash"

dpf_mount -o entry_timeout=0,attr_timeout=0
awk -v m="$MNT" '$5 == m' /proc/self/mountinfo >"$DPF_TMP/mountinfo"
grep -q ' - fuse.devpagerfs ' "$DPF_TMP/mountinfo" ||
    fail "mountinfo: $(cat "$DPF_TMP/mountinfo")"
_DEVPAGERCTL_MOUNTINFO="$DPF_TMP/mountinfo"

expect "devpagerctl destroy " "fb0 gem0 mem ram0"
expect "devpagerctl gem " "gem0"
expect "devpagerctl fb snapshot " "fb0"
dpf_ctl_ok "create ram7 driver=ram size=64K" >/dev/null || fail "create"
expect "devpagerctl destroy ram" "ram0 ram7"
# An object appears once a device is mapped (and lives while open).
exec 3<"$MNT/dev/ram7"
"$abs_top_builddir/tests/mmap_tool" touch "$MNT/dev/ram7" 0 1 ||
    fail "touch"
id=$(awk '$NF == "dev/ram7" { print $1 }' "$MNT/vm/objects")
[ -n "$id" ] || fail "no object for ram7: $(cat "$MNT/vm/objects")"
case " $(comp "devpagerctl object ") " in
*" $id "*) ;;
*) fail "object IDs lack $id: '$(comp "devpagerctl object ")'" ;;
esac
expect "devpagerctl heatmap dev/ram" "dev/ram7"
expect "devpagerctl --json heatmap $id" "$id"
expect "devpagerctl fail vm_page" "vm_page_alloc"
exec 3<&-
dpf_unmount
exit 0
