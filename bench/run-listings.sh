#!/bin/sh
# run-listings.sh: bench/listings_bench on a fresh devpagerfs mount.
#
#   run-listings.sh [-b BUILDDIR] [--no-build] [-- LISTINGS_BENCH_ARGS...]
#
# Mounts BUILDDIR/devpagerfs (default devices, physmem=1G so that 10 000
# one-page ram windows and their objects fit with room to spare) on a
# private temporary directory, runs BUILDDIR/bench/listings_bench with
# the given arguments (default: 10000 devices and objects) on it,
# unmounts and prints what listings_bench printed.  See bench/README.md.
# Exit status: listings_bench's, or 1 on a setup error.
set -u

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
if [ -z "$builddir" ]; then
	if [ -f ./config.status ]; then
		builddir=$(pwd)
	else
		echo "$0: no build directory (-b BUILDDIR)" >&2
		exit 1
	fi
fi
builddir=$(cd "$builddir" && pwd) || exit 1
FUSERMOUNT3=${FUSERMOUNT3:-fusermount3}
[ -e /dev/fuse ] || { echo "$0: no /dev/fuse" >&2; exit 1; }
if [ "$build" -eq 1 ]; then
	make -C "$builddir" devpagerfs bench/listings_bench >/dev/null ||
	    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/listings.XXXXXX") || exit 1
mnt=$tmp/mnt
mkdir "$mnt"
pid=
mounted() {
	awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo
}
cleanup() {
	if mounted; then
		"$FUSERMOUNT3" -u -z "$mnt" 2>/dev/null || true
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Every ram window is a memfd of the daemon's: 10 000 devices need more
# than 10 000 descriptors.  Raise the limit if we may (root), never lower it.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 65536 ]; then
	ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null ||
	    true
fi
"$builddir/devpagerfs" -f -o physmem=1G "$mnt" >"$tmp/daemon.log" 2>&1 &
pid=$!
i=0
until mounted; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/daemon.log" >&2; exit 1; }
	i=$((i + 1))
	[ "$i" -le 400 ] || { echo "$0: no mount in 20 s" >&2; exit 1; }
	sleep 0.05
done
echo "# devpagerfs, fd limit $(ulimit -n), commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null ||
    echo unknown)"
status=0
"$builddir/bench/listings_bench" "$@" "$mnt" || status=$?
kill -0 "$pid" 2>/dev/null || { echo "$0: devpagerfs died" >&2; status=1; }
exit "$status"
