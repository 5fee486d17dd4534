#!/bin/sh
# Soak (make regtest): for SOAK_SECONDS (default 20), four processes write
# and verify patterns in their own slices of ram0, another reads a gem
# buffer (when dev/gem0 exists) while a loop moves it between vram and
# system memory, a loop lists vm/objects and every pages file, and a loop
# creates and destroys a device.  Nothing may be corrupted, the daemon must
# live through it and exit 0 (under ASan: with no report).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
SECS=${SOAK_SECONDS:-20}

dpf_mount
RAM="$MNT/dev/ram0"
deadline=$(($(date +%s) + SECS))
running() { [ "$(date +%s)" -lt "$deadline" ]; }
ctl() { dpf_ctl_ok "$1"; }

pids=""
for w in 0 1 2 3; do
	(
		n=0
		while running; do
			off=$(( (w * 16 + n % 16) * 65536 ))
			"$TOOL" pattern "$RAM" "$off" 65536 $((w * 1000 + n)) ||
			    exit 1
			"$TOOL" verify "$RAM" "$off" 65536 $((w * 1000 + n)) ||
			    exit 1
			n=$((n + 1))
		done
	) &
	pids="$pids $!"
done

if [ -e "$MNT/dev/gem0" ]; then
	reply=$(ctl "gem gem0 create size=256K placement=vram") || \
	    fail "cannot create a gem buffer"
	handle=$(echo "$reply" | sed -n 's/.*handle=\([0-9]*\).*/\1/p')
	goff=$(echo "$reply" | sed -n 's/.*offset=\([0-9x]*\).*/\1/p')
	gname=$(echo "$reply" | sed -n 's/.*name=\([0-9]*\).*/\1/p')
	[ -n "$handle" ] && [ -n "$goff" ] && [ -n "$gname" ] || \
	    fail "bad gem reply '$reply'"
	# An open maps a gem buffer once it holds a handle: open it by name.
	"$TOOL" -g "$gname" pattern "$MNT/dev/gem0" "$goff" 262144 99 || \
	    fail "cannot write the gem buffer"
	(
		while running; do
			"$TOOL" -g "$gname" verify "$MNT/dev/gem0" "$goff" \
			    262144 99 || exit 1
		done
	) &
	pids="$pids $!"
	(
		p=system
		while running; do
			ctl "gem gem0 move handle=$handle placement=$p" \
			    >/dev/null || exit 1
			if [ "$p" = system ]; then p=vram; else p=system; fi
		done
	) &
	pids="$pids $!"
fi

(
	while running; do
		cat "$MNT/vm/objects" "$MNT/vm/stats" "$MNT/vm/devices" \
		    "$MNT/vm/phys" "$MNT/vm/swap" >/dev/null || exit 1
		for f in "$MNT"/vm/object/*/pages "$MNT"/vm/object/*/info; do
			cat "$f" >/dev/null 2>&1 || true	# may go away
		done
	done
) &
pids="$pids $!"
(
	n=0
	while running; do
		ctl "create soak$n driver=ram size=256K" >/dev/null || exit 1
		"$TOOL" fill "$MNT/dev/soak$n" 0 8192 $((n % 256)) || exit 1
		"$TOOL" check "$MNT/dev/soak$n" 0 8192 $((n % 256)) || exit 1
		ctl "destroy soak$n" >/dev/null || exit 1
		n=$((n + 1))
	done
) &
pids="$pids $!"

for p in $pids; do
	wait "$p" || fail "a soak worker failed"
done
dpf_alive
dpf_unmount
exit 0
