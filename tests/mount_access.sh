#!/bin/sh
# With allow_other, another user can read vm/ but cannot write vm/ctl or a
# fail point; the mounting user can.  default_permissions is in force.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to switch users"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: no setpriv"; exit 77; }

chmod 0755 "$DPF_TMP"
dpf_mount -o allow_other
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
as_nobody cat "$MNT/vm/stats" >/dev/null || fail "nobody cannot read vm/stats"
as_nobody cat "$MNT/vm/objects" >/dev/null || \
    fail "nobody cannot read vm/objects"
as_nobody ls "$MNT/vm/fail" >/dev/null || fail "nobody cannot list vm/fail"
if as_nobody sh -c "printf 'destroy ram0' > '$MNT/vm/ctl'" 2>/dev/null; then
	fail "nobody could write vm/ctl"
fi
if as_nobody sh -c "echo 'return(5)' > '$MNT/vm/fail/vm_page_alloc'" \
    2>/dev/null; then
	fail "nobody could write a fail point"
fi
grep -qx off "$MNT/vm/fail/vm_page_alloc" || \
    fail "a refused write changed the fail point"
[ -e "$MNT/dev/ram0" ] || fail "ram0 vanished"
# The owner (root here) can.
echo 'return(5)' >"$MNT/vm/fail/vm_page_alloc" || fail "owner cannot write"
grep -qx 'return(5)' "$MNT/vm/fail/vm_page_alloc" || fail "spec not set"
echo off >"$MNT/vm/fail/vm_page_alloc"
dpf_unmount
exit 0
