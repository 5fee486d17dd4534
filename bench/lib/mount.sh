# What the bench/run-*.sh scripts share, sourced before they parse their
# options (it only defines functions):
#
#	. "$(dirname "$0")/lib/mount.sh"
#	bench_init		after the options: $builddir made absolute
#				(default: the current directory if it is a
#				build directory), $FUSERMOUNT3, /dev/fuse
#	bench_tmp NAME		$tmp (a private temporary directory), its
#				empty mountpoint $mnt, and the exit trap
#	bench_mount CMD [ARG...]  CMD ARG... $mnt in the background ($pid,
#				output in $tmp/daemon.log); wait for the mount
#	bench_mount_other NAME CMD [ARG...]  the same on $tmp/NAME, for a
#				baseline file system; its pid joins $pids
#	bench_alive		is the daemon still running?  Says so if not.
#
# On exit the trap unmounts $mnt (lazily), stops every process in $pids
# (the script's helpers, started before the daemon) and then $pid, each
# with SIGTERM, and removes $tmp.  Setup errors exit 1 with a message.
# shellcheck shell=sh

bench_init() {
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
}

# Is $1 (default $mnt) a mount point?
bench_mounted() {
	awk -v m="${1:-$mnt}" '$5 == m { f = 1 } END { exit !f }' \
	    /proc/self/mountinfo
}

# Wait until $2 is mounted by process $1 (its output in $3).
bench_wait_mount() {
	bench_i=0
	until bench_mounted "$2"; do
		kill -0 "$1" 2>/dev/null || { cat "$3" >&2; exit 1; }
		bench_i=$((bench_i + 1))
		[ "$bench_i" -le 400 ] ||
		    { echo "$0: no mount on $2 in 20 s" >&2; exit 1; }
		sleep 0.05
	done
}

bench_cleanup() {
	if bench_mounted; then
		"$FUSERMOUNT3" -u -z "$mnt" 2>/dev/null || true
	fi
	for p in $pids $pid; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$tmp"
}

bench_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
	mnt=$tmp/mnt
	mkdir "$mnt"
	pid=
	pids=
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

bench_mount() {
	"$@" "$mnt" >"$tmp/daemon.log" 2>&1 &
	pid=$!
	bench_wait_mount "$pid" "$mnt" "$tmp/daemon.log"
}

# A second file system (a baseline) on $tmp/NAME, before bench_mount: its
# process joins $pids, and SIGTERM on exit unmounts it.
bench_mount_other() {
	bench_dir=$tmp/$1
	shift
	mkdir "$bench_dir"
	"$@" "$bench_dir" >"$bench_dir.log" 2>&1 &
	pids="$pids $!"
	bench_wait_mount "$!" "$bench_dir" "$bench_dir.log"
}

bench_alive() {
	kill -0 "$pid" 2>/dev/null && return 0
	echo "$0: devpagerfs died" >&2
	return 1
}
