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
exit 0
