#!/bin/sh
# The pager libraries against the daemon's end of the connection, with
# no mount: tests/pager_tool is src/dev/pager_conn as a program.
#   - examples/pager-computed (C, libdevpager-pager): computed contents at
#     several offsets, read-only refusals, a revoke on SIGUSR1 after which
#     the contents are the next generation's; killed, faults fail;
#     restarted, they work again.
#   - examples/pager_mirror.py (Python module): the file's bytes, zeros
#     past its end, a data_return written into the file, an outside
#     change of the file revoking the device (--watch) and read anew;
#     killed and restarted likewise.
#   - a Python pager's unavailable and error answers, and
#     tests/pager_python_proto.py (the module against a hostile daemon).
set -eu
: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"
TOOL="$abs_top_builddir/tests/pager_tool"
CPAGER="$abs_top_builddir/examples/pager-computed/pager_computed"
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || PY=

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpf-interop.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.out "$tmp"/*.err; do
		[ -f "$f" ] && { echo "== $f"; cat "$f"; }
	done
	exit 1
}
# wait_for TEST...: poll (10 s at most) until the test holds.
wait_for() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "timed out waiting for: $*"
		sleep 0.05
	done
}
has_line() { grep -qx "$2" "$1" 2>/dev/null; }
expect() {
	has_line "$1" "$2" || fail "$1: no line '$2'"
}
stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	pids=$(echo "$pids" | sed "s/ $1\$//; s/ $1 / /")
}

# ---- C: examples/pager-computed ----------------------------------------
csock="$tmp/c.sock"
"$CPAGER" -s 7 "$csock" 2>"$tmp/c.err" &
cpid=$!
pids="$pids $cpid"
wait_for test -S "$csock"
: >"$tmp/x"
dd if=/dev/zero of="$tmp/x" bs=4096 count=1 2>/dev/null
"$TOOL" "$csock" pat1 1M verify 0 128K 7 verify 0x80000 64K 7 \
    verify 0xff000 4K 7 verify 0 4K 8 readw 0 4K "$tmp/y" \
    return 0 "$tmp/x" stats >"$tmp/c1.out"
expect "$tmp/c1.out" "verify 0 128K 7: ok"
expect "$tmp/c1.out" "verify 0x80000 64K 7: ok"
expect "$tmp/c1.out" "verify 0xff000 4K 7: ok"
expect "$tmp/c1.out" "verify 0 4K 8: wrong bytes"
expect "$tmp/c1.out" "readw 0 4K: error EROFS"
expect "$tmp/c1.out" "return 0 $tmp/x: error EROFS"
grep -q "^state=up gen=1 .* violations=0 .* features=1 " "$tmp/c1.out" || \
    fail "c1 stats"

# SIGUSR1: a new generation, the whole device revoked.
"$TOOL" "$csock" pat1 1M verify 0 4K 7 sync "$tmp/go1" wait-lock 10000 \
    verify 0 4K 8 verify 0xf0000 32K 8 >"$tmp/c2.out" &
tpid=$!
wait_for has_line "$tmp/c2.out" "sync $tmp/go1"
kill -USR1 "$cpid"
touch "$tmp/go1"
wait "$tpid" || fail "pager_tool failed"
expect "$tmp/c2.out" "verify 0 4K 7: ok"
expect "$tmp/c2.out" "lock 0 1048576 0"
expect "$tmp/c2.out" "verify 0 4K 8: ok"
expect "$tmp/c2.out" "verify 0xf0000 32K 8: ok"

# Killed: faults fail.  Restarted: they work again, on a new connection.
"$TOOL" -t 1000 "$csock" pat1 1M verify 0 4K 8 sync "$tmp/go2" \
    verify 0 4K 8 sync "$tmp/go3" verify 4K 4K 3 stats >"$tmp/c3.out" &
tpid=$!
wait_for has_line "$tmp/c3.out" "sync $tmp/go2"
kill -9 "$cpid"
wait "$cpid" 2>/dev/null || true
pids=""
rm -f "$csock"
touch "$tmp/go2"
wait_for has_line "$tmp/c3.out" "sync $tmp/go3"
"$CPAGER" -s 3 "$csock" 2>"$tmp/c2.err" &
cpid=$!
pids="$pids $cpid"
wait_for test -S "$csock"
touch "$tmp/go3"
wait "$tpid" || fail "pager_tool failed"
expect "$tmp/c3.out" "verify 0 4K 8: ok"
grep -Eq "^verify 0 4K 8: error E(NOTCONN|CONNRESET)$" "$tmp/c3.out" || \
    fail "a fault with the pager dead did not fail"
expect "$tmp/c3.out" "verify 4K 4K 3: ok"
grep -q "^state=up gen=2 .* violations=0 " "$tmp/c3.out" || fail "c3 stats"
stop_pid "$cpid"
[ ! -e "$csock" ] || fail "the C pager left its socket behind"

if [ -z "$PY" ]; then
	echo "SKIP: no python3, the Python module is not tested"
	exit 0
fi

# ---- Python: examples/pager_mirror.py ----------------------------------
psock="$tmp/p.sock"
data="$tmp/data"
head -c 1048576 /dev/urandom >"$data"
cp "$data" "$tmp/orig"
"$PY" "$abs_top_srcdir/examples/pager_mirror.py" --watch 0.05 "$psock" \
    "$data" 2>"$tmp/p.err" &
ppid=$!
pids="$pids $ppid"
wait_for test -S "$psock"
head -c 8192 /dev/urandom >"$tmp/patch"
"$TOOL" "$psock" mirror0 2M read 0 128K "$tmp/r1" read 0xa0000 8K "$tmp/r2" \
    read 0x100000 8K "$tmp/r3" return 0x3000 "$tmp/patch" \
    read 0x3000 8K "$tmp/r4" stats >"$tmp/p1.out"
expect "$tmp/p1.out" "read 0 128K: ok"
expect "$tmp/p1.out" "return 0x3000 $tmp/patch: ok"
head -c 131072 "$tmp/orig" | cmp -s - "$tmp/r1" || \
    fail "read 0 128K: not the file's bytes"
dd if="$tmp/orig" bs=4096 skip=160 count=2 2>/dev/null | cmp -s - "$tmp/r2" ||
    fail "read 0xa0000: not the file's bytes"
head -c 8192 /dev/zero | cmp -s - "$tmp/r3" || fail "past the end: not zeros"
dd if="$data" bs=4096 skip=3 count=2 2>/dev/null | cmp -s - "$tmp/patch" ||
    fail "data_return did not reach the file"
cmp -s "$tmp/r4" "$tmp/patch" || fail "read after return: old bytes"
grep -q "^state=up gen=1 .* violations=0 .* features=0 " "$tmp/p1.out" || \
    fail "p1 stats"

# Someone else writes the file: the mirror revokes, the next read is new.
head -c 4096 /dev/urandom >"$tmp/new"
"$TOOL" "$psock" mirror0 2M read 0x5000 4K "$tmp/r5" sync "$tmp/go4" \
    wait-lock 10000 read 0x5000 4K "$tmp/r6" >"$tmp/p2.out" &
tpid=$!
wait_for has_line "$tmp/p2.out" "sync $tmp/go4"
dd if="$tmp/new" of="$data" bs=4096 seek=5 conv=notrunc 2>/dev/null
touch "$tmp/go4"
wait "$tpid" || fail "pager_tool failed"
expect "$tmp/p2.out" "lock 0 2097152 0"
dd if="$tmp/orig" bs=4096 skip=5 count=1 2>/dev/null | cmp -s - "$tmp/r5" ||
    fail "read 0x5000 before the change: wrong bytes"
cmp -s "$tmp/r6" "$tmp/new" || fail "read 0x5000 after the change: old bytes"

# Killed, the faults fail; restarted, they work.
"$TOOL" -t 1000 "$psock" mirror0 2M read 0 4K "$tmp/r7" sync "$tmp/go5" \
    read 0 4K "$tmp/r8" sync "$tmp/go6" read 0 4K "$tmp/r9" >"$tmp/p3.out" &
tpid=$!
wait_for has_line "$tmp/p3.out" "sync $tmp/go5"
kill -9 "$ppid"
wait "$ppid" 2>/dev/null || true
pids=""
rm -f "$psock"
touch "$tmp/go5"
wait_for has_line "$tmp/p3.out" "sync $tmp/go6"
"$PY" "$abs_top_srcdir/examples/pager_mirror.py" "$psock" "$data" \
    2>"$tmp/p2.err" &
ppid=$!
pids="$pids $ppid"
wait_for test -S "$psock"
touch "$tmp/go6"
wait "$tpid" || fail "pager_tool failed"
expect "$tmp/p3.out" "read 0 4K: ok"
grep -Eq "^read 0 4K: error E(NOTCONN|CONNRESET)$" "$tmp/p3.out" || \
    fail "a fault with the Python pager dead did not fail"
head -c 4096 "$data" | cmp -s - "$tmp/r9" || fail "after restart: wrong bytes"
stop_pid "$ppid"

# ---- Python: unavailable, errors, read-only ----------------------------
cat >"$tmp/odd.py" <<'EOF'
import errno, sys
sys.path.insert(0, sys.argv[2])
import devpager_pager as dp

class Odd(dp.Pager):
    def page_in(self, offset, length, access):
        if offset == 0:
            return None
        if offset == 4096:
            raise OSError(errno.ENOSPC, "no")
        if offset == 8192:
            return b"short"
        return b"\x07" * length

Odd(readonly=True).run_forever(sys.argv[1])
EOF
"$PY" "$tmp/odd.py" "$tmp/o.sock" "$abs_top_srcdir/python" 2>"$tmp/o.err" &
opid=$!
pids="$pids $opid"
wait_for test -S "$tmp/o.sock"
"$TOOL" -m 32K "$tmp/o.sock" odd0 64K read 0 4K "$tmp/o1" read 4K 4K "$tmp/o2" \
    read 8K 4K "$tmp/o3" read 12K 8K "$tmp/o4" readw 12K 4K "$tmp/o5" \
    return 0 "$tmp/o1" stats >"$tmp/o.out"
expect "$tmp/o.out" "read 0 4K: ok"
expect "$tmp/o.out" "read 4K 4K: error ENOSPC"
expect "$tmp/o.out" "read 8K 4K: error EIO"
expect "$tmp/o.out" "read 12K 8K: ok"
expect "$tmp/o.out" "readw 12K 4K: error EROFS"
expect "$tmp/o.out" "return 0 $tmp/o1: error EROFS"
head -c 4096 /dev/zero | cmp -s - "$tmp/o1" || fail "unavailable: not zeros"
printf '\007%.0s' $(seq 8192) | cmp -s - "$tmp/o4" || fail "0x07 bytes"
grep -q " violations=0 .* features=1 " "$tmp/o.out" || fail "odd stats"
stop_pid "$opid"

# ---- Python: the module against a hostile daemon -----------------------
abs_top_srcdir="$abs_top_srcdir" "$PY" \
    "$abs_top_srcdir/tests/pager_python_proto.py" || \
    fail "tests/pager_python_proto.py"
echo "PASS: pager interop"
exit 0
