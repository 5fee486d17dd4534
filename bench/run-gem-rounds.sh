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
	make -C "$builddir" devpagerfs bench/gem_rounds >/dev/null || exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gem-rounds.XXXXXX") || exit 1
mnt=$tmp/mnt
mkdir "$mnt"
pid=
cleanup() {
	if awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' \
	    /proc/self/mountinfo; then
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

"$builddir/devpagerfs" -f "$mnt" >"$tmp/daemon.log" 2>&1 &
pid=$!
i=0
until awk -v m="$mnt" '$5 == m { f = 1 } END { exit !f }' \
    /proc/self/mountinfo; do
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/daemon.log" >&2; exit 1; }
	i=$((i + 1))
	[ "$i" -le 400 ] || { echo "$0: no mount in 20 s" >&2; exit 1; }
	sleep 0.05
done
status=0
"$builddir/bench/gem_rounds" "$@" "$mnt/dev/gem0" || status=$?
kill -0 "$pid" 2>/dev/null || { echo "$0: devpagerfs died" >&2; status=1; }
exit "$status"
