#!/bin/sh
# Issue 11 (make regtest): 33000 create / map / destroy rounds of a gem
# buffer on one open of dev/gem0 (bench/gem_rounds), more than the 32767
# after which the old code, whose mapping entries pinned every destroyed
# buffer and its 2 MiB of offsets until the last close, failed every
# create with ENOMEM (and had slowed to 12-24 ms a round).  Every round
# must succeed within GEM_ROUNDS_SECONDS (default 600) in all; the daemon
# must live and exit 0.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
ROUNDS="$abs_top_builddir/bench/gem_rounds"
[ -x "$ROUNDS" ] || fail "no $ROUNDS (make bench/gem_rounds)"

dpf_mount
out=$("$ROUNDS" -q -n 33000 -w 3000 -t "${GEM_ROUNDS_SECONDS:-600}" \
    "$MNT/dev/gem0" 2>&1) || fail "gem_rounds: $out"
echo "$out"
dpf_alive
dpf_unmount
exit 0
