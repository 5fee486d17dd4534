#!/bin/sh
# The caching rules of devpagerfs(8): a write-back device keeps its pages
# cached across opens (a change made behind the page cache, through
# dev/mem, stays invisible until revoke); an uncached device is seen fresh
# at every open, and a page mapped from it is dropped and refaulted about
# 100 ms after being served, so a mapper sees the change without doing
# anything.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

ctl() {
	printf '%s' "$1" >"$MNT/vm/ctl" || fail "ctl '$1' failed"
}
# Physical base of a device window, from vm/phys.
phys_base() {
	awk -v n="$1" '$1 == "window" && $2 == n { print $3 }' "$MNT/vm/phys"
}
byte_at() {
	dd if="$1" bs=1 count=1 skip="$2" 2>/dev/null | od -An -tu1 | tr -d ' '
}
poke_phys() {	# poke_phys PA BYTE: store one byte through dev/mem
	printf "$(printf '\\%03o' "$2")" | dd of="$MNT/dev/mem" bs=1 \
	    seek=$(($1)) conv=notrunc 2>/dev/null || fail "dev/mem write failed"
}

dpf_mount
# prefault=none: an open must not refresh the cache (prefault=open pushes
# the device's current bytes at every open without writers).
ctl "create wbdev driver=ram size=64K memattr=wb prefault=none"
ctl "create ucdev driver=ram size=64K memattr=uc"
wb=$(phys_base wbdev)
uc=$(phys_base ucdev)
[ -n "$wb" ] && [ -n "$uc" ] || fail "no windows in vm/phys: $(cat "$MNT/vm/phys")"

# Cache page 0 of both, then change the memory behind them.
[ "$(byte_at "$MNT/dev/wbdev" 0)" = 0 ] || fail "wbdev does not start zeroed"
[ "$(byte_at "$MNT/dev/ucdev" 0)" = 0 ] || fail "ucdev does not start zeroed"
poke_phys "$wb" 65
poke_phys "$uc" 66
# Write-back: the cached page is kept across opens, so the change is not
# seen ...
[ "$(byte_at "$MNT/dev/wbdev" 0)" = 0 ] || \
    fail "wbdev page cache was not kept across opens"
# ... until the range is revoked.
ctl "revoke wbdev"
i=0
until [ "$(byte_at "$MNT/dev/wbdev" 0)" = 65 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "revoke did not refault wbdev"
	sleep 0.05
done
# Uncached: a new open sees device memory.
[ "$(byte_at "$MNT/dev/ucdev" 0)" = 66 ] || fail "ucdev open served stale data"

# A process that already maps ucdev sees a change within the linger
# time; one that maps wbdev does not.
watch() {	# watch DEV BYTE MS: start a watcher, wait until it has mapped
	"$TOOL" watch "$MNT/dev/$1" 0 "$2" "$3" >"$DPF_TMP/watch.$1" &
	watcher=$!
	i=0
	until grep -q ready "$DPF_TMP/watch.$1" 2>/dev/null; do
		i=$((i + 1)); [ "$i" -le 200 ] || fail "watcher never mapped $1"
		sleep 0.02
	done
}
inv0=$(awk '$1 == "invalidations:" { print $2 }' "$MNT/vm/stats")
watch ucdev 67 3000
poke_phys "$uc" 67
wait "$watcher" || fail "the ucdev mapping never saw the new byte"
watch wbdev 68 500
poke_phys "$wb" 68
if wait "$watcher"; then
	fail "the wbdev mapping was refreshed without a revoke"
fi
inv1=$(awk '$1 == "invalidations:" { print $2 }' "$MNT/vm/stats")
[ "$inv1" -gt "$inv0" ] || fail "no invalidations were counted"
dpf_unmount
exit 0
