#!/bin/sh
# Prefault (devpagerfs.8 "Prefault"): the policy keys and command, open
# and around pushing pages ahead of the faults through the pager, and
# none keeping exactly one READ per first touch.
#	- vm/devices shows prefault=POLICY first in STATE; bad values are
#	  refused and change nothing;
#	- prefault=open: the first touch of the pushed range makes no READ,
#	  the contents are right, the rest still faults one READ a page;
#	- a fail point refusing page K stops the push at K, silently, and a
#	  touch of K still gets SIGBUS;
#	- revoke of a pushed range makes the next touch fault again;
#	- memattr other than wb never prefaults;
#	- prefault=none with fault_pages=1: exactly one READ per page;
#	- prefault=around: a sequential reader is partly served from pushed
#	  windows.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}
ctl() {
	dpf_ctl_ok "$1" || fail "ctl '$1' failed"
}
# The errno name a command that must fail got.
ctl_err() {
	r=$(dpf_ctl "$1")
	echo "${r%%	*}"
}
state_of() {
	awk -v d="$1" '$1 == d { print $NF }' "$MNT/vm/devices"
}
refs_of() {
	awk -v d="$1" '$1 == d { print $3 }' "$MNT/vm/devices"
}
# Wait until dev/$1 has $2 references again: every open file of it is
# released (RELEASE reaches the daemon after close(2) returns).
wait_refs() {
	i=0
	while [ "$(refs_of "$1")" != "$2" ]; do
		i=$((i + 1)); [ "$i" -le 200 ] || \
		    fail "dev/$1 still has $(refs_of "$1") references"
		sleep 0.05
	done
}
# Drop the kernel's cached pages of dev/$1 (none may be mapped).
evict() {
	python3 - "$MNT/dev/$1" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
os.close(fd)
PY
}
wait_inval() {
	i=0
	while [ "$(stat_of invalidations_pending)" != 0 ]; do
		i=$((i + 1)); [ "$i" -le 200 ] || fail "invalidations stuck"
		sleep 0.05
	done
}

dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=1

# The policy: defaults, keys, the command, and refusals.
case $(state_of ram0) in
prefault=open*) ;;
*) fail "ram0 STATE is '$(state_of ram0)', not prefault=open first" ;;
esac
case $(state_of fb0) in
prefault=none*) ;;
*) fail "fb0 STATE is '$(state_of fb0)'" ;;
esac
[ "$(ctl_err "create bad0 driver=ram size=1M prefault=sometimes")" = \
    EINVAL ] || fail "prefault=sometimes was accepted"
[ "$(ctl_err "create bad0 driver=ram size=1M prefault_max=5000")" = \
    EINVAL ] || fail "prefault_max=5000 was accepted"
[ "$(ctl_err "create bad0 driver=ram size=1M prefault_window=2G")" = \
    EINVAL ] || fail "prefault_window=2G was accepted"
[ ! -e "$MNT/dev/bad0" ] || fail "a refused create made dev/bad0"
[ "$(ctl_err "prefault ram0 bogus")" = EINVAL ] || \
    fail "prefault ram0 bogus was accepted"
[ "$(ctl_err "prefault ram0")" = EINVAL ] || fail "prefault without policy"
[ "$(ctl_err "prefault nosuch open")" = ENOENT ] || \
    fail "prefault of an unknown device"
case $(state_of ram0) in
prefault=open*) ;;
*) fail "a refused command changed ram0: '$(state_of ram0)'" ;;
esac
ctl "prefault ram0 around prefault_window=1M" >/dev/null
case $(state_of ram0) in
prefault=around*) ;;
*) fail "prefault ram0 around: STATE '$(state_of ram0)'" ;;
esac
ctl "prefault ram0 none" >/dev/null
ctl "create pf1 driver=ram size=1M prefault=none" >/dev/null
[ "$(state_of pf1)" = prefault=none ] || fail "pf1: '$(state_of pf1)'"
base=$(refs_of pf1)

# open: contents written with prefault=none, then pushed at open.
"$TOOL" pattern "$MNT/dev/pf1" 0 1048576 7 || fail "pattern"
wait_refs pf1 "$base"
evict pf1
ctl "prefault pf1 open prefault_max=512K" >/dev/null
reads0=$(stat_of reads); pf0=$(stat_of prefaulted)
"$TOOL" verify "$MNT/dev/pf1" 0 524288 7 || fail "pushed pages are wrong"
[ "$(stat_of reads)" = "$reads0" ] || \
    fail "touching the pushed range made $(($(stat_of reads) - reads0)) READs"
[ "$(stat_of prefaulted)" -ge $((pf0 + 128)) ] || \
    fail "prefaulted rose by $(($(stat_of prefaulted) - pf0)), not 128"
wait_refs pf1 "$base"
# Beyond prefault_max: one READ per page still.
reads0=$(stat_of reads)
"$TOOL" verify "$MNT/dev/pf1" 524288 524288 7 || fail "upper half wrong"
[ "$(stat_of reads)" = $((reads0 + 128)) ] || \
    fail "the upper half made $(($(stat_of reads) - reads0)) READs, not 128"
wait_refs pf1 "$base"

# revoke: a pushed range faults again on the next touch.
evict pf1
"$TOOL" touch "$MNT/dev/pf1" 0 1 || fail "touch"
wait_refs pf1 "$base"
ctl "prefault pf1 none" >/dev/null
ctl "revoke pf1 offset=0 length=64K" >/dev/null
wait_inval
reads0=$(stat_of reads)
"$TOOL" verify "$MNT/dev/pf1" 0 65536 7 || fail "revoked range wrong"
[ "$(stat_of reads)" = $((reads0 + 16)) ] || \
    fail "revoked pushed pages made $(($(stat_of reads) - reads0)) READs"
# Still cached (pushed, not revoked): no READ.
reads0=$(stat_of reads)
"$TOOL" verify "$MNT/dev/pf1" 65536 65536 7 || fail "kept range wrong"
[ "$(stat_of reads)" = "$reads0" ] || fail "unrevoked pushed pages faulted"
wait_refs pf1 "$base"

# A fail point refusing page 5: the push stops there, no error; page 5
# still gives SIGBUS, pages 0-4 come from the push.
ctl "create pf2 driver=ram size=256K prefault=open" >/dev/null
base2=$(refs_of pf2)
stops0=$(stat_of prefault_stops); pf0=$(stat_of prefaulted)
echo '5*off->return(5)' >"$MNT/vm/fail/dev_pager_fault"
reads0=$(stat_of reads)
"$TOOL" touch "$MNT/dev/pf2" 0 5 || fail "the open failed with the push"
[ "$(stat_of reads)" = "$reads0" ] || fail "pages 0-4 were not pushed"
[ "$(stat_of prefaulted)" = $((pf0 + 5)) ] || \
    fail "prefaulted rose by $(($(stat_of prefaulted) - pf0)), not 5"
[ "$(stat_of prefault_stops)" -gt "$stops0" ] || fail "no prefault_stops"
"$TOOL" sigbus "$MNT/dev/pf2" $((5 * 4096)) || \
    fail "page 5 did not raise SIGBUS"
echo off >"$MNT/vm/fail/dev_pager_fault"
dpf_alive
wait_refs pf2 "$base2"

# memattr other than wb: never pushed.
ctl "create pf3 driver=ram size=256K memattr=wc prefault=open" >/dev/null
pf0=$(stat_of prefaulted); reads0=$(stat_of reads)
"$TOOL" touch "$MNT/dev/pf3" 0 8 || fail "touch pf3"
[ "$(stat_of prefaulted)" = "$pf0" ] || fail "a wc device was prefaulted"
[ "$(stat_of reads)" = $((reads0 + 8)) ] || fail "wc: not one READ a page"

# none, fault_pages=1: exactly one READ (and one fault) per page.
ctl "create pf4 driver=ram size=1M prefault=none" >/dev/null
pf0=$(stat_of prefaulted); reads0=$(stat_of reads); f0=$(stat_of faults)
"$TOOL" touch "$MNT/dev/pf4" 0 64 || fail "touch pf4"
[ "$(stat_of reads)" = $((reads0 + 64)) ] || \
    fail "none: $(($(stat_of reads) - reads0)) READs for 64 pages"
[ "$(stat_of faults)" = $((f0 + 64)) ] || fail "none: faults"
[ "$(stat_of prefaulted)" = "$pf0" ] || fail "none: pages were pushed"

# around: a sequential reader of 4 MiB is served partly from windows.
ctl "create pf5 driver=ram size=4M prefault=around" >/dev/null
"$TOOL" pattern "$MNT/dev/pf5" 0 4194304 9 || fail "pattern pf5"
base5=$(refs_of pf5)
wait_refs pf5 "$base5"
evict pf5
pf0=$(stat_of prefaulted); reads0=$(stat_of reads)
"$TOOL" verify "$MNT/dev/pf5" 0 4194304 9 || fail "around: contents"
r=$(($(stat_of reads) - reads0))
# How many pages a window serves before the reader overtakes it depends
# on the CPUs the reader and the pushes get (with tests running beside
# it, under ASan, 520 and 685 READs were seen): some, never all.
[ "$r" -lt 1024 ] || fail "around: $r READs for 1024 pages"
[ "$(stat_of prefaulted)" -gt "$pf0" ] || fail "around pushed nothing"

dpf_alive
dpf_unmount
echo "PASS: prefault"
