#!/bin/sh
# Shutdown with dirty mapped pages.  A process maps a ram device that has a
# backing file, stores 64 KiB and a few scattered pages without msync(2)
# and keeps the mapping; then the daemon is stopped:
#	- SIGTERM, SIGINT, SIGHUP (and SIGTERM with -s, and SIGTERM and
#	  SIGINT at once): it must exit 0 within a few seconds, leave nothing
#	  mounted, and the backing file must hold exactly what was stored;
#	- fusermount3 -u: refused while the file is mapped (the daemon keeps
#	  serving); fusermount3 -u -z: the daemon exits 0 once the mapping
#	  goes, with the stores in the file;
#	- a write-back that cannot finish (a fault held by a fail point): a
#	  second signal a second later ends the wait; the daemon exits 1
#	  within the documented bound and leaves nothing mounted.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
IMG="$DPF_TMP/back.img"
SIZE=1048576
# 64 KiB, then single pages and partial pages here and there, the last
# page of the device included.
RANGES="65536:65536 4096:4096 303104:100 528507:2000 786432:4096 1044480:4096"
HOLDER_PID=
CONN=

# Abort the FUSE connection of $MNT so that no process stays blocked on it
# (a daemon that hung in its teardown, a client writing back).
abort_conn() {
	if [ -n "$CONN" ] && [ -w "/sys/fs/fuse/connections/$CONN/abort" ]; then
		echo 1 2>/dev/null >"/sys/fs/fuse/connections/$CONN/abort" ||
		    true
	fi
	if dpf_is_mounted "$MNT"; then
		umount -f -c "$MNT" 2>/dev/null || true
	fi
}

# Wait at most $2 tenths of a second for process $1 to go.
gone_within() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "$2" ] || return 1
		sleep 0.1
	done
	return 0
}

shutdown_cleanup() {
	status=$?
	set +e
	exec 3>&-
	if { [ -n "$DPF_PID" ] && kill -0 "$DPF_PID" 2>/dev/null; } ||
	    dpf_is_mounted "$MNT"; then
		abort_conn
	fi
	if [ -n "$HOLDER_PID" ]; then
		kill -KILL "$HOLDER_PID" 2>/dev/null || true
		gone_within "$HOLDER_PID" 100 || abort_conn
	fi
	if [ -n "$DPF_PID" ] && ! gone_within "$DPF_PID" 50; then
		abort_conn
		kill -KILL "$DPF_PID" 2>/dev/null || true
		gone_within "$DPF_PID" 100 || true
	fi
	(exit "$status")
	dpf_cleanup
}
trap shutdown_cleanup EXIT

# mount_dev [daemon options]: mount with one ram device on a fresh backing
# file, its connection number in CONN.
mount_dev() {
	rm -f "$IMG"
	: >"$DPF_TMP/empty.conf"
	dpf_mount -o config="$DPF_TMP/empty.conf" "$@"
	CONN=$(awk -v m="$MNT" '$5 == m { split($3, d, ":"); c = d[2] }
	    END { print c }' /proc/self/mountinfo)
	dpf_ctl_ok "create bk driver=ram size=$SIZE backing=$IMG" >/dev/null ||
	    fail "cannot create the device"
}

# Start the holder: it dirties RANGES with pattern $1 and keeps the mapping
# until fd 3 is closed.
hold_dirty() {
	rm -f "$DPF_TMP/fifo" "$DPF_TMP/holder.out"
	mkfifo "$DPF_TMP/fifo"
	# shellcheck disable=SC2086
	"$TOOL" dirty "$MNT/dev/bk" "$SIZE" "$1" $RANGES \
	    <"$DPF_TMP/fifo" >"$DPF_TMP/holder.out" &
	HOLDER_PID=$!
	exec 3>"$DPF_TMP/fifo"
	i=0
	while ! grep -q ready "$DPF_TMP/holder.out" 2>/dev/null; do
		kill -0 "$HOLDER_PID" 2>/dev/null || fail "the holder died"
		i=$((i + 1))
		[ "$i" -le 200 ] || fail "the holder did not get ready"
		sleep 0.1
	done
}

# Let the holder exit (it unmaps on exit) and reap it.
release_holder() {
	exec 3>&-
	gone_within "$HOLDER_PID" 100 || fail "the holder did not exit"
	wait "$HOLDER_PID" 2>/dev/null || true
	HOLDER_PID=
}

# wait_daemon SECS STATUS: the daemon must exit within SECS seconds with
# exit status STATUS and leave nothing mounted.
wait_daemon() {
	gone_within "$DPF_PID" $(($1 * 10)) ||
	    fail "devpagerfs did not exit within $1 s"
	st=0
	wait "$DPF_PID" || st=$?
	DPF_PID=
	[ "$st" -eq "$2" ] || fail "devpagerfs exited with status $st, not $2"
	dpf_is_mounted "$MNT" && fail "$MNT is still mounted"
	return 0
}

# The backing file must be zeros except RANGES, which hold pattern $1.
file_is() {
	# shellcheck disable=SC2086
	python3 - "$IMG" "$SIZE" "$1" $RANGES <<'PY' || fail "$2"
import sys
path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = bytearray(size)
for r in sys.argv[4:]:
    off, n = (int(x) for x in r.split(":"))
    for pos in range(off, off + n):
        x = (((pos + 1) * 0x9e3779b97f4a7c15) & 0xffffffffffffffff) ^ seed
        want[pos] = (x >> 29) & 0xff
have = open(path, "rb").read()
if len(have) != size:
    sys.exit("backing file is %d bytes, not %d" % (len(have), size))
if have != want:
    bad = [i for i in range(size) if have[i] != want[i]]
    sys.exit("%d bytes differ, the first at %d (0x%02x, expected 0x%02x)"
             % (len(bad), bad[0], have[bad[0]], want[bad[0]]))
PY
}

# Signals, with the multi-threaded loop and once with -s; then two signals
# at once, as a terminal's Ctrl-C sends one to a script and one to the
# daemon it started: one request, the write-back is not cut short.
seed=100
for how in TERM INT HUP TERM:-s TERM+INT; do
	opt=
	case $how in
	*:*) opt=${how#*:}; sigs=${how%%:*} ;;
	*) sigs=$(echo "$how" | tr + ' ') ;;
	esac
	seed=$((seed + 1))
	# shellcheck disable=SC2086
	mount_dev $opt
	hold_dirty "$seed"
	for sig in $sigs; do
		kill -s "$sig" "$DPF_PID"
	done
	wait_daemon 5 0
	release_holder
	file_is "$seed" "$how: the stores are not in the backing file"
done

# fusermount3 -u is refused while the file is mapped; -u -z detaches, and
# the daemon exits once the last mapping goes, the stores written back.
seed=$((seed + 1))
mount_dev
hold_dirty "$seed"
if "$FUSERMOUNT3" -u "$MNT" 2>/dev/null; then
	fail "fusermount3 -u succeeded with the device mapped"
fi
dpf_alive
"$FUSERMOUNT3" -u -z "$MNT" || fail "fusermount3 -u -z failed"
kill -0 "$DPF_PID" 2>/dev/null || fail "the daemon exited with a mapping left"
release_holder
wait_daemon 5 0
file_is "$seed" "fusermount3 -u -z: the stores are not in the backing file"

# A write-back that cannot finish: a revoke launders the dirty pages, and
# the fault of that WRITE sleeps in a fail point.  SIGTERM waits for it; a
# second signal a second later gives up: exit 1 within the teardown bound
# (5 s), nothing left mounted.
seed=$((seed + 1))
mount_dev
hold_dirty "$seed"
printf 'sleep(20000)' >"$MNT/vm/fail/dev_pager_fault" ||
    fail "cannot set the fail point"
dpf_ctl_ok "revoke bk" >/dev/null || fail "revoke failed"
kill -TERM "$DPF_PID"
sleep 1.5
kill -0 "$DPF_PID" 2>/dev/null ||
    fail "the daemon did not wait for the write-back"
kill -TERM "$DPF_PID"
wait_daemon 8 1
grep -q "gave up writing dirty pages back" "$DPF_LOG" ||
    fail "no message about giving up"
release_holder
exit 0
