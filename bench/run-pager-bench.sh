#!/bin/sh
# run-pager-bench.sh: what an external pager costs per page (issue 14).
#
#   run-pager-bench.sh [-b BUILDDIR] [--no-build] [-n ROUNDS] [-s MIB]
#                      [-p] [--no-python]
#
# One devpagerfs mount (-o fault_pages=32) with three devices of MIB MiB
# (default 16): ram0 (the in-process ram driver), pgc (driver=pager,
# served by the C example examples/pager-computed, libdevpager-pager) and
# pgpy (driver=pager, served by a Python pager of the module
# python/devpager_pager.py that serves the same words, computed once).  Every round
# (default 11) takes each device in turn, in an order that rotates every
# round: `revoke NAME` (the device forgets its pages: ram's fake pages go
# invalid, a pager device's pages must come from the pager again), wait
# until the kernel has dropped its cached pages, then
# `fault_bench -n 1 -t seq_read` on the device; its first_read line is the
# sequential first touch per page, one load per page, after open(2).  The
# medians over the rounds and the ratios pgc/ram0 (target <= 1.3) and
# pgpy/ram0 are printed.  -p pins the daemon, both pagers and fault_bench
# to CPU 0.  See bench/README.md.  Exit status 0, or 1 on a setup error
# or a failed run.
set -u
. "$(dirname "$0")/lib/mount.sh"

usage() {
	echo "usage: $0 [-b BUILDDIR] [--no-build] [-n ROUNDS] [-s MIB] [-p]" \
	    "[--no-python]" >&2
	exit 1
}

builddir=
build=1
rounds=11
mib=16
pin=
python=1
while [ $# -gt 0 ]; do
	case $1 in
	-b) [ $# -ge 2 ] || usage; builddir=$2; shift 2 ;;
	-n) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
	-s) [ $# -ge 2 ] || usage; mib=$2; shift 2 ;;
	-p) pin="taskset -c 0"; shift ;;
	--no-build) build=0; shift ;;
	--no-python) python=0; shift ;;
	*) usage ;;
	esac
done
case $rounds in ''|*[!0-9]*) usage ;; esac
case $mib in ''|*[!0-9]*) usage ;; esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 101 ] || usage
[ "$mib" -ge 1 ] && [ "$mib" -le 1024 ] || usage
bench_init
srcdir=$(cd "$(dirname "$0")/.." && pwd) || exit 1
PY=${PYTHON:-python3}
if [ "$build" -eq 1 ]; then
	make -C "$builddir" devpagerfs bench/fault_bench \
	    examples/pager-computed/pager_computed >/dev/null || exit 1
fi

bench_tmp pager-bench

# The pagers first: the devices connect on their first fault.
$pin "$builddir/examples/pager-computed/pager_computed" "$tmp/c.sock" \
    2>"$tmp/c.err" &
pids="$pids $!"
if [ "$python" -eq 1 ]; then
	$pin "$PY" - "$srcdir/python" "$tmp/py.sock" 2>"$tmp/py.err" <<'PYP' &
import array, sys
sys.path.insert(0, sys.argv[1])
import devpager_pager

class Stored(devpager_pager.Pager):
    # pager_computed's words with seed 0, o ^ 0x5a5a5a5a5a5a5a5a,
    # computed once when the daemon connects (C loops: array, one
    # big-integer xor; little-endian host assumed, as the daemon's) and
    # served as slices, so that the figure is the module's cost, not
    # Python arithmetic's.
    def connected(self, info):
        w = array.array("Q", range(0, info.size, 8)).tobytes()
        self.words = (int.from_bytes(w, "little") ^ int.from_bytes(
            b"\x5a" * info.size, "little")).to_bytes(info.size, "little")

    def page_in(self, offset, length, access):
        return self.words[offset:offset + length]

Stored(readonly=True).run_forever(sys.argv[2])
PYP
	pids="$pids $!"
fi
i=0
while [ ! -S "$tmp/c.sock" ] || { [ "$python" -eq 1 ] && [ ! -S "$tmp/py.sock" ]; }; do
	i=$((i + 1))
	[ "$i" -le 400 ] || { echo "$0: the pagers do not listen" >&2; exit 1; }
	sleep 0.05
done

cat >"$tmp/conf" <<CONF
create ram0 driver=ram size=${mib}M
create pgc driver=pager socket=$tmp/c.sock size=${mib}M
CONF
[ "$python" -eq 1 ] &&
    echo "create pgpy driver=pager socket=$tmp/py.sock size=${mib}M" \
    >>"$tmp/conf"
bench_mount $pin "$builddir/devpagerfs" -f \
    -o "config=$tmp/conf,fault_pages=32"

devs="ram0 pgc"
[ "$python" -eq 1 ] && devs="$devs pgpy"
ndevs=$(echo $devs | wc -w)

# The kernel's invalidations of a revoke are sent by the daemon's own
# thread: wait for them before the clock starts.
settle() {
	j=0
	while [ "$(awk '$1 == "invalidations_pending:" { print $2 }' \
	    "$mnt/vm/stats")" != 0 ]; do
		j=$((j + 1))
		[ "$j" -le 200 ] || break
		sleep 0.01
	done
}

: >"$tmp/records"
r=0
while [ "$r" -lt "$rounds" ]; do
	k=0
	order=
	for d in $devs; do
		order="$order $d"
	done
	# rotate by r
	set -- $order
	s=$((r % ndevs))
	while [ "$s" -gt 0 ]; do
		first=$1
		shift
		set -- "$@" "$first"
		s=$((s - 1))
	done
	for d in "$@"; do
		printf 'revoke %s' "$d" >"$mnt/vm/ctl" || exit 1
		settle
		out=$($pin timeout 120 "$builddir/bench/fault_bench" -n 1 \
		    -t seq_read "$mnt/dev/$d") || {
			echo "$0: fault_bench on $d failed" >&2
			exit 1
		}
		echo "$out" | awk -v d="$d" -v r="$r" \
		    '$1 == "first_read" || $1 == "seq_read" {
			print d, r, $1, $2 }' >>"$tmp/records"
	done
	r=$((r + 1))
done
bench_alive || exit 1

echo "# run-pager-bench: $rounds rounds, ${mib} MiB, fault_pages=32${pin:+, pinned to CPU 0}"
echo "# first_read: sequential first touch (the pager asked), ns/page, median"
echo "# seq_read: the same, page cache cold, device pages kept, ns/page, median"
awk -v devs="$devs" '
	{ v[$1, $3, ++n[$1, $3]] = $4 }
	function median(d, t,   m, i, j, a, x) {
		m = n[d, t]
		for (i = 1; i <= m; i++) a[i] = v[d, t, i]
		for (i = 2; i <= m; i++) {
			x = a[i]
			for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
			a[j + 1] = x
		}
		return (m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2)
	}
	END {
		k = split(devs, dv, " ")
		for (i = 1; i <= k; i++) {
			fr[dv[i]] = median(dv[i], "first_read")
			printf "%-5s first_read %10.1f ns/page  seq_read %10.1f ns/page\n",
			    dv[i], fr[dv[i]], median(dv[i], "seq_read")
		}
		printf "ratio pgc/ram0 %.2f (target <= 1.30)\n", fr["pgc"] / fr["ram0"]
		if (fr["pgpy"] != "")
			printf "ratio pgpy/ram0 %.2f\n", fr["pgpy"] / fr["ram0"]
	}' "$tmp/records"
