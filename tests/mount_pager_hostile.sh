#!/bin/sh
# Issue 14: a hostile pager against the mounted daemon, through the real
# driver.  tests/pager_hostile.py answers the daemon's requests and, one
# answer in five, sends a malformed, truncated, oversized, out-of-place
# or duplicated message instead (PAGER_MOUNT_FUZZ_MSGS messages, 2500 by
# default; seed PAGER_MOUNT_FUZZ_SEED); meanwhile processes fault and
# write pages of its device.  Every mutation must make the daemon drop
# the connection; the daemon never dies (under ASan: no error, no leak at
# exit), ram0 keeps working, the faults that fail fail with EIO or
# SIGBUS, and a well-behaved pager serves the device afterwards.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
. "$abs_top_srcdir/tests/lib/pager.sh"
TOOL="$abs_top_builddir/tests/mmap_tool"
PY=${PYTHON:-python3}
MSGS=${PAGER_MOUNT_FUZZ_MSGS:-2500}
SEED=${PAGER_MOUNT_FUZZ_SEED:-0x686f7374}
DPF_STOP_FILE="$DPF_TMP/stop"
export abs_top_srcdir

SOCK="$DPF_TMP/h.sock"
PG="$MNT/dev/ph0"
dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=8
dpf_ctl_ok "create ph0 driver=pager socket=$SOCK size=2M timeout=1000" \
    >/dev/null || fail "create ph0"

"$PY" "$abs_top_srcdir/tests/pager_hostile.py" "$SOCK" "$MSGS" "$SEED" \
    >"$DPF_TMP/hostile.out" 2>"$DPF_TMP/hostile.err" &
PAGER_PID=$!

# Two processes fault (read(2) and loads through mmap) and write
# (write(2) of a whole page, so that data_return goes out) at random
# until the pager is done; any error but EIO (and SIGBUS, which ends the
# mapping child and is counted) is a failure.
"$PY" - "$PG" "$DPF_TMP/stop" 2 <<'PYF' >"$DPF_TMP/faults.out" 2>&1 &
import errno, mmap, os, random, signal, sys
path, stop, nproc = sys.argv[1], sys.argv[2], int(sys.argv[3])
size = 2 << 20
kids = []
for n in range(nproc):
    pid = os.fork()
    if pid == 0:
        rng = random.Random(n)
        fd = os.open(path, os.O_RDWR)
        ok = eio = 0
        while not os.path.exists(stop):
            off = rng.randrange(size // 4096) * 4096
            try:
                if rng.randrange(4) == 0:
                    os.pwrite(fd, bytes([n]) * 4096, off)
                else:
                    os.pread(fd, 4096, off)
                ok += 1
            except OSError as e:
                if e.errno != errno.EIO:
                    print("unexpected", e, flush=True)
                    os._exit(1)
                eio += 1
        print("child %d ok %d eio %d" % (n, ok, eio), flush=True)
        os._exit(0)
    kids.append(pid)
# Loads through a mapping, each in a child: SIGBUS is a possible end.
sigbus = loads = 0
while not os.path.exists(stop):
    pid = os.fork()
    if pid == 0:
        fd = os.open(path, os.O_RDONLY)
        m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
        rng = random.Random(os.getpid())
        for _ in range(64):
            m[rng.randrange(size)]
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    if os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGBUS:
        sigbus += 1
    elif st != 0:
        print("a mapping child ended with status", st, flush=True)
        sys.exit(1)
    loads += 1
bad = 0
for pid in kids:
    _, st = os.waitpid(pid, 0)
    bad += st != 0
print("mappers %d sigbus %d" % (loads, sigbus), flush=True)
sys.exit(1 if bad else 0)
PYF
faulter=$!

st=0
wait "$PAGER_PID" || st=$?
PAGER_PID=
touch "$DPF_TMP/stop"
fst=0
wait "$faulter" || fst=$?
cat "$DPF_TMP/hostile.out" "$DPF_TMP/faults.out"
[ "$st" -eq 0 ] || {
	cat "$DPF_TMP/hostile.err"
	fail "the hostile pager saw a mutation the daemon did not drop"
}
[ "$fst" -eq 0 ] || fail "a faulting process saw something else than EIO"
grep -q "^sent $MSGS " "$DPF_TMP/hostile.out" ||
    grep -q "^sent [0-9]* " "$DPF_TMP/hostile.out" ||
    fail "the hostile pager did not finish"
dpf_alive
drops=$(pager_word ph0 drops)
muts=$(awk '{ print $4 }' "$DPF_TMP/hostile.out")
[ "$drops" -ge "$muts" ] ||
    fail "$muts mutations, only $drops drops counted: $(pager_state ph0)"
"$TOOL" fill "$MNT/dev/ram0" 0 4096 7 || fail "ram0 fill"
"$TOOL" check "$MNT/dev/ram0" 0 4096 7 || fail "ram0 check"

# A well-behaved pager takes over.
rm -f "$SOCK"
pager_start h "$PY" "$PAGER_STORE" --seed 3 "$SOCK" "$DPF_TMP/store.log"
dpf_ctl_ok "pager ph0 connect" >/dev/null || fail "connect"
wait_for "$PY" "$PAGER_CHECK" expect "$PG" $((300 * 4096)) "" 3 \
    2>/dev/null || fail "the good pager's contents are not seen"
pager_stop
dpf_ctl_ok "destroy ph0" >/dev/null || fail "destroy ph0"
dpf_unmount
