#!/bin/sh
# run-listings.sh: bench/listings_bench on a fresh devpagerfs mount.
#
#   run-listings.sh [-b BUILDDIR] [--no-build] [-- LISTINGS_BENCH_ARGS...]
#
# Mounts BUILDDIR/devpagerfs (default devices, physmem=1G so that 10 000
# one-page ram windows and their objects fit with room to spare) on a
# private temporary directory, runs BUILDDIR/bench/listings_bench with
# the given arguments (default: 10000 devices and objects) on it, with
# bench/minfs mounted beside it as the floor of an info read (-m),
# unmounts and prints what listings_bench printed.  See bench/README.md.
# Exit status: listings_bench's, or 1 on a setup error.
set -u
. "$(dirname "$0")/lib/mount.sh"

usage() {
	echo "usage: $0 [-b BUILDDIR] [--no-build] [-- LISTINGS_BENCH_ARGS...]" >&2
	exit 1
}

builddir=
build=1
while [ $# -gt 0 ]; do
	case $1 in
	-b) [ $# -ge 2 ] || usage; builddir=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
bench_init
if [ "$build" -eq 1 ]; then
	make -C "$builddir" devpagerfs bench/listings_bench bench/minfs \
	    >/dev/null ||
	    exit 1
fi

bench_tmp listings

# Every ram window is a memfd of the daemon's: 10 000 devices need more
# than 10 000 descriptors.  Raise the limit if we may (root), never lower it.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 65536 ]; then
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null ||
	    true
fi
# The floor: bench/minfs on a second mount point.
bench_mount_other minfs "$builddir/bench/minfs" -f
bench_mount "$builddir/devpagerfs" -f -o physmem=1G
echo "# devpagerfs, fd limit $(ulimit -n), commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null ||
    echo unknown)"
status=0
"$builddir/bench/listings_bench" -m "$tmp/minfs" "$@" "$mnt" || status=$?
bench_alive || status=1
exit "$status"
