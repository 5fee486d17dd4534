#!/bin/sh
# Seed 23 -- the replaced page -- by real faults through the mount.  A
# device fault normally gets a fake placeholder; with the fail point
# vm/fail/vm_fault_fake_placeholder it gets FreeBSD 10.4's RAM placeholder
# instead, so the fault handler of dev/ram0 (the old-style d_mmap pager)
# takes its vm_page_replace branch: it swaps the RAM page for a fake page
# of the device's memory and frees it.  What read(2) and a mapping see is
# the device's data, never the freed placeholder's; the RAM comes back;
# the pages left in the object are fake pages of the ram0 window; and the
# fail point counts exactly one fault per page.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}
ram0_row() {
	awk '$NF == "dev/ram0" && $8 == "dv"' "$MNT/vm/objects"
}
# The pattern mmap_tool stores (position-dependent, seed 11).
check_pattern() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
off = int(sys.argv[2])
def b(pos, seed=11):
    x = ((pos + 1) * 0x9e3779b97f4a7c15 ^ seed) & 0xffffffffffffffff
    return (x >> 29) & 0xff
bad = [i for i in range(len(data)) if data[i] != b(off + i)]
sys.exit(1 if bad or len(data) != 4096 else 0)
PY
}

dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=1
RAM="$MNT/dev/ram0"
# Faults only where the test touches (no push at open).
dpf_ctl_ok "prefault ram0 none" >/dev/null || fail "prefault ram0 none"
FP="$MNT/vm/fail/vm_fault_fake_placeholder"
[ -f "$FP" ] || fail "no vm/fail/vm_fault_fake_placeholder"
[ "$(cat "$FP")" = off ] || fail "the fail point is not off at start"

# Device memory with a pattern in pages 4..11, then no object left and
# nothing in the kernel's page cache (revoke): the next faults on those
# pages are fresh ones.
"$TOOL" pattern "$RAM" 16384 32768 11 || fail "pattern write failed"
i=0
while [ -n "$(ram0_row)" ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "ram0 object still there: $(ram0_row)"
	sleep 0.05
done
inval0=$(stat_of invalidations)
dpf_ctl_ok "revoke ram0" >/dev/null || fail "revoke ram0 failed"
i=0
until [ "$(stat_of invalidations)" -gt "$inval0" ] &&
    [ "$(stat_of invalidations_pending)" -eq 0 ]; do
	i=$((i + 1)); [ "$i" -le 200 ] || fail "the revoke was not carried out"
	sleep 0.05
done

free0=$(stat_of ram_free)
errors0=$(stat_of vm_fault_errors)
echo '3*return(1)' >"$FP"

# read(2) of page 5: one fault, on a RAM placeholder.
dd if="$RAM" of="$DPF_TMP/p5" bs=4096 skip=5 count=1 2>/dev/null || \
    fail "read of page 5 failed"
[ "$(cat "$FP")" = '2*return(1)' ] || \
    fail "the read did not fault with a RAM placeholder (spec: $(cat "$FP"))"
check_pattern "$DPF_TMP/p5" 20480 || \
    fail "read(2) saw other bytes than the device's (the freed placeholder?)"

# A mapping of pages 6 and 7, kept while we look: two more faults, the
# same way.
mkfifo "$DPF_TMP/hold"
"$TOOL" hold "$RAM" 24576 2 <"$DPF_TMP/hold" >"$DPF_TMP/hold.out" &
holder=$!
exec 9>"$DPF_TMP/hold"
i=0
until grep -q ready "$DPF_TMP/hold.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -le 200 ] || fail "holder never got ready"
	sleep 0.05
done
[ "$(cat "$FP")" = off ] || \
    fail "the mapping did not take two RAM placeholders (spec: $(cat "$FP"))"
"$TOOL" verify "$RAM" 24576 8192 11 || \
    fail "a mapping saw other bytes than the device's"

# Every placeholder went back; no fault failed.
[ "$(stat_of ram_free)" -eq "$free0" ] || \
    fail "ram_free is $(stat_of ram_free), was $free0: a placeholder leaked"
[ "$(stat_of vm_fault_errors)" -eq "$errors0" ] || fail "a fault failed"

# The object holds fake pages of the ram0 window there, fully valid.
row=$(ram0_row)
[ -n "$row" ] || fail "no ram0 object while mapped"
set -- $row
id=$1
for p in 6 7; do
	line=$(awk -v p="$p" 'NR > 1 && $1 == p' "$MNT/vm/object/$id/pages")
	[ -n "$line" ] || fail "page $p is not resident"
	set -- $line
	[ "$3" = FU ] || fail "page $p has flags $3, not FU (a fake page)"
	[ "$4" = 0xff ] || fail "page $p is not fully valid ($4)"
	[ "$9" = ram0 ] || fail "page $p is at $2 in $9, not in the ram0 window"
done
exec 9>&-
wait "$holder" || fail "holder failed"

dpf_alive
dpf_unmount
exit 0
