#!/bin/sh
# dev/ram0 through the device pager: data written through mmap and msync'd
# in one process is seen by read(2) and by mmap in two others; the ram0
# object shows up in vm/objects while mapped and its reference goes when
# the mapping and the file are gone; faults are counted; a load past the
# end gets SIGBUS with the daemon alive; the dev_pager_fault fail point
# turns a fault into SIGBUS, and turning it off recovers.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}
ram0_row() {
	awk '$NF == "dev/ram0" && $8 == "dv"' "$MNT/vm/objects"
}

dpf_mount -o entry_timeout=0,attr_timeout=0
RAM="$MNT/dev/ram0"
# Every first touch a fault (ram's default prefault=open would push the
# pages at open; mount_prefault.sh covers that).
dpf_ctl_ok "prefault ram0 none" >/dev/null || fail "prefault ram0 none"
[ -f "$RAM" ] || fail "no dev/ram0 in the default tree"
size=$(stat -c %s "$RAM")
[ "$size" -eq $((16 * 1024 * 1024)) ] || fail "ram0 is $size bytes, not 16M"

faults0=$(stat_of faults)
# Process 1: mmap, store a pattern over 64 pages, msync, exit.
"$TOOL" pattern "$RAM" 8192 262144 7 || fail "pattern write failed"
# Process 2: read(2) sees it.
dd if="$RAM" of="$DPF_TMP/r" bs=4096 skip=2 count=64 2>/dev/null
python3 - "$DPF_TMP/r" <<'PY' || fail "read(2) does not see the msync'd data"
import sys
data = open(sys.argv[1], "rb").read()
def b(pos, seed=7):
    x = ((pos + 1) * 0x9e3779b97f4a7c15 ^ seed) & 0xffffffffffffffff
    return (x >> 29) & 0xff
bad = [i for i in range(len(data)) if data[i] != b(8192 + i)]
sys.exit(1 if bad or len(data) != 262144 else 0)
PY
# Process 3: a second mapping sees it.
"$TOOL" verify "$RAM" 8192 262144 7 || fail "mmap in another process differs"

faults1=$(stat_of faults)
[ $((faults1 - faults0)) -ge 64 ] || \
    fail "faults rose by $((faults1 - faults0)), expected >= 64"

# While a process maps 8 fresh pages, the object is listed with RES >= 8
# and REF >= 1; after it unmaps and closes, the reference is gone.
mkfifo "$DPF_TMP/hold"
"$TOOL" hold "$RAM" $((4 * 1024 * 1024)) 8 <"$DPF_TMP/hold" \
    >"$DPF_TMP/hold.out" &
holder=$!
exec 9>"$DPF_TMP/hold"
i=0
until grep -q ready "$DPF_TMP/hold.out" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -le 200 ] || fail "holder never got ready"
	sleep 0.05
done
row=$(ram0_row)
[ -n "$row" ] || fail "no dv object for dev/ram0 in vm/objects: $(cat "$MNT/vm/objects")"
set -- $row
[ "$2" -ge 8 ] || fail "RES is $2, expected >= 8 (pages touched)"
[ "$5" -ge 1 ] || fail "REF is $5 while mapped"
id=$1
grep -q '^type: dv$' "$MNT/vm/object/$id/info" || fail "info type is not dv"
[ "$(awk 'NR > 1' "$MNT/vm/object/$id/pages" | wc -l)" -ge 8 ] || \
    fail "pages lists fewer than 8 pages"
exec 9>&-
wait "$holder" || fail "holder failed"
i=0
while [ -n "$(ram0_row)" ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "ram0 object still referenced after unmap and close: $(ram0_row)"
	sleep 0.05
done

# SIGBUS past the end; the daemon lives on.
"$TOOL" sigbus "$RAM" $((16 * 1024 * 1024 + 4096)) || \
    fail "no SIGBUS past the end of ram0"
dpf_alive

# A pager error is SIGBUS for the application; off recovers.
errors0=$(stat_of fault_errors)
echo 'return(5)' >"$MNT/vm/fail/dev_pager_fault"
"$TOOL" sigbus "$RAM" $((12 * 1024 * 1024)) || \
    fail "dev_pager_fault=return(5) did not give SIGBUS"
dpf_alive
[ "$(stat_of fault_errors)" -gt "$errors0" ] || fail "fault_errors did not rise"
echo off >"$MNT/vm/fail/dev_pager_fault"
"$TOOL" touch "$RAM" $((12 * 1024 * 1024)) 1 || fail "no recovery after off"
dpf_unmount
exit 0
