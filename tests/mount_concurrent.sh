#!/bin/sh
# Listing vm/objects while four processes fault ram0: every snapshot is a
# header followed by well-formed rows, and the daemon survives.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"

dpf_mount
RAM="$MNT/dev/ram0"
pids=""
for w in 0 1 2 3; do
	(
		i=0
		while [ "$i" -lt 6 ]; do
			off=$(( (w * 6 + i) * 65536 ))
			"$TOOL" pattern "$RAM" "$off" 65536 "$w" || exit 1
			"$TOOL" verify "$RAM" "$off" 65536 "$w" || exit 1
			i=$((i + 1))
		done
	) &
	pids="$pids $!"
done
n=0
while [ "$n" -lt 60 ]; do
	cat "$MNT/vm/objects" >"$DPF_TMP/objects" || fail "cat vm/objects failed"
	awk 'NR == 1 { if ($1 != "ID" || $9 != "PATH") exit 1; next }
	    NF < 8 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || $5 !~ /^[0-9]+$/ \
	    { exit 1 }' "$DPF_TMP/objects" || \
	    fail "malformed snapshot: $(cat "$DPF_TMP/objects")"
	cat "$MNT/vm/stats" >/dev/null
	for f in "$MNT"/vm/object/*/pages; do
		cat "$f" >/dev/null 2>&1 || true	# objects may go away
	done
	n=$((n + 1))
done
for p in $pids; do
	wait "$p" || fail "a faulting process failed"
done
dpf_alive
dpf_unmount
exit 0
