#!/bin/sh
# run-gem-rounds.sh: bench/gem_rounds on a fresh devpagerfs mount.
#
#   run-gem-rounds.sh [-b BUILDDIR] [--no-build] [-- GEM_ROUNDS_ARGS...]
#
# Mounts BUILDDIR/devpagerfs (default set: dev/gem0, 64M of vram) on a
# private temporary directory, runs BUILDDIR/bench/gem_rounds with the
# given arguments (default: 100000 rounds, windows of 10000) on
# MNT/dev/gem0, unmounts and prints what gem_rounds printed.  See
# bench/README.md.  Exit status: gem_rounds's, or 1 on a setup error.
set -u
. "$(dirname "$0")/lib/mount.sh"

usage() {
	echo "usage: $0 [-b BUILDDIR] [--no-build] [-- GEM_ROUNDS_ARGS...]" >&2
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
	make -C "$builddir" devpagerfs bench/gem_rounds >/dev/null || exit 1
fi

bench_tmp gem-rounds
bench_mount "$builddir/devpagerfs" -f
status=0
"$builddir/bench/gem_rounds" "$@" "$mnt/dev/gem0" || status=$?
bench_alive || status=1
exit "$status"
