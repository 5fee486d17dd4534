#!/bin/sh
# Bad values of devpagerfs's options are refused before mounting, with a
# one-line message and exit status 1; good ones mount.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

refuse() {
	expect=$1
	shift
	st=0
	"$DPF" -f "$@" "$MNT" >"$DPF_TMP/out" 2>&1 || st=$?
	[ "$st" -eq 1 ] || fail "'$*' exited $st, expected 1"
	dpf_is_mounted "$MNT" && fail "'$*' mounted anyway"
	[ "$(wc -l <"$DPF_TMP/out")" -eq 1 ] || \
	    fail "'$*': expected one line of error, got: $(cat "$DPF_TMP/out")"
	grep -q -- "$expect" "$DPF_TMP/out" || \
	    fail "'$*': message lacks '$expect': $(cat "$DPF_TMP/out")"
}

refuse "physmem" -o physmem=abc
refuse "physmem" -o physmem=
refuse "physmem" -o physmem=12Q
refuse "physmem" -o physmem=-1
refuse "physmem" -o physmem=1K
refuse "physmem" -o physmem=1024G
refuse "physmem" -o physmem=99999999999999999999999
refuse "swap_limit" -o swap_limit=1.5M
refuse "swap_limit" -o swap_limit=0xZZ
refuse "fault_pages" -o fault_pages=0
refuse "fault_pages" -o fault_pages=257
refuse "fault_pages" -o fault_pages=two
refuse "entry_timeout" -o entry_timeout=-1
refuse "config" -o config=
refuse "too many arguments" a b

# A bad configuration file is refused before mounting, with the file and
# line in the message.
refuse "nosuch.conf" -o config="$DPF_TMP/nosuch.conf"
printf '# devices\ncreate r1 driver=ram size=1M\ncreate r2 driver=ram size=1Q\n' \
    >"$DPF_TMP/bad.conf"
refuse "bad.conf:3" -o config="$DPF_TMP/bad.conf"
printf 'create r1 driver=nosuch\n' >"$DPF_TMP/bad2.conf"
refuse "bad2.conf:1" -o config="$DPF_TMP/bad2.conf"

# A good one mounts exactly its devices (no defaults).
printf '# two windows\ncreate r1 driver=ram size=1M mode=0600\n\ncreate r2 driver=ram size=64K memattr=uc\nswap limit uid=1000 size=8M\n' \
    >"$DPF_TMP/good.conf"
dpf_mount -o config="$DPF_TMP/good.conf"
[ "$(ls "$MNT/dev" | sort | tr '\n' ' ')" = "r1 r2 " ] || \
    fail "config mount has devices '$(ls "$MNT/dev" | tr '\n' ' ')'"
[ "$(stat -c %s "$MNT/dev/r2")" -eq 65536 ] || fail "r2 has the wrong size"
awk '$1 == "r2" && $6 == "UC" { f = 1 } END { exit !f }' \
    "$MNT/vm/devices" || fail "r2 is not UC in vm/devices"
grep -Eq '^ *1000 ' "$MNT/vm/swap" || fail "the swap limit did not apply"
dpf_unmount

# Good values mount; [source] becomes the fsname.
dpf_mount -o physmem=0x2000000,swap_limit=64M,fault_pages=8 mysource
awk -v m="$MNT" '$5 == m { for (i = 6; i <= NF; i++) if ($i == "-") \
    { print $(i + 1), $(i + 2); exit } }' /proc/self/mountinfo \
    >"$DPF_TMP/fs"
grep -q '^fuse.devpagerfs mysource$' "$DPF_TMP/fs" || \
    fail "fstype/source are '$(cat "$DPF_TMP/fs")'"
dpf_unmount
dpf_mount -o physmem=16M
grep -q default_permissions /proc/self/mountinfo || \
    fail "default_permissions was not added"
dpf_unmount

# As mount(8) runs the mount.fuse.devpagerfs helper for an fstab(5) line:
# the options that only mount(8) and fstab use are dropped, not refused.
ln -s "$DPF" "$DPF_TMP/mount.fuse.devpagerfs"
dpf_saved=$DPF
DPF="$DPF_TMP/mount.fuse.devpagerfs"
dpf_mount devpagerfs -o rw,nosuid,nodev,noexec,user,nofail,_netdev,defaults,x-systemd.automount,X-mount.mkdir,comment=dp,physmem=64M
awk '$1 == "ram" && $5 == "64M" { f = 1 } END { exit !f }' "$MNT/vm/phys" ||
    fail "physmem=64M did not apply through the helper"
dpf_unmount
DPF=$dpf_saved
exit 0
