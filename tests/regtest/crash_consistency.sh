#!/bin/sh
# Crash consistency (make regtest): CRASH_ROUNDS times (default 30), a
# writer stores numbered, checksummed 64-byte records into a ram device
# with a backing file -- by turns with pwrite(2) and through a shared
# mapping -- and fsyncs after each one, logging every record whose fsync
# returned 0.  At a random moment (seeded: CRASH_SEED, printed) the
# daemon is killed with SIGKILL; it is restarted on the same backing file
# and every acknowledged record, from every round so far, must be there,
# intact, read back through the new daemon.  A last clean unmount must
# exit 0 and leave them all in the backing file.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
ROUNDS=${CRASH_ROUNDS:-30}
SEED=${CRASH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
SIZE=4194304
IMG="$DPF_TMP/back.img"
ACKS="$DPF_TMP/acks"
CONF="$DPF_TMP/dpf.conf"
echo "crash_consistency: seed $SEED, $ROUNDS rounds" \
    "(CRASH_SEED=$SEED to repeat)"
echo "create bk driver=ram size=$SIZE backing=$IMG" >"$CONF"
: >"$ACKS"
WRITER_PID=

crash_cleanup() {
	status=$?
	set +e
	[ -z "$WRITER_PID" ] || kill -KILL "$WRITER_PID" 2>/dev/null
	(exit "$status")
	dpf_cleanup
}
trap crash_cleanup EXIT

# One round's client, started on a fresh daemon: first every record
# acknowledged so far must be on the device (read back through the
# daemon), exactly as written and its checksum right, else it exits 3 with
# the reason on stderr.  Then it touches $READY and stores records from seq
# on, tagged with the round, each followed by fsync(2); each record whose
# fsync returned 0 becomes a line "seq round" in $ACKS.  It ends with an
# error when the daemon dies under it.  Given only a path and "verify",
# it checks that file (the backing file) and prints the count.
cat >"$DPF_TMP/round.py" <<'PY'
import mmap, os, struct, sys, zlib

def payload(seq, rnd):
    return bytes((seq * 131 + i * 7 + rnd) & 0xff for i in range(44))

def record(seq, rnd):
    body = struct.pack("<4sQI", b"DPFR", seq, rnd) + payload(seq, rnd)
    return body + struct.pack("<I", zlib.crc32(body))

def verify(fd, acks):
    want = {}
    for line in open(acks):
        seq, rnd = (int(x) for x in line.split())
        want[seq] = rnd
    if not want:
        return 0
    top = (max(want) + 1) * 64
    data = b""
    while len(data) < top:
        chunk = os.pread(fd, top - len(data), len(data))
        if not chunk:
            break
        data += chunk
    for seq in sorted(want):
        rec = data[seq * 64:(seq + 1) * 64]
        if len(rec) != 64:
            sys.exit("record %d: short read" % seq)
        body, (crc,) = rec[:60], struct.unpack("<I", rec[60:])
        magic, rseq, rnd = struct.unpack("<4sQI", body[:16])
        if magic != b"DPFR" or rseq != seq or zlib.crc32(body) != crc:
            sys.exit("record %d: damaged or missing (magic %r, seq %d)"
                     % (seq, magic, rseq))
        if rnd != want[seq] or body[16:] != payload(seq, rnd):
            sys.exit("record %d: wrong contents (round %d, expected %d)"
                     % (seq, rnd, want[seq]))
    return len(want)

path, acks = sys.argv[1], sys.argv[2]
if sys.argv[3] == "verify":
    print(verify(os.open(path, os.O_RDONLY), acks))
    sys.exit(0)
size, seq, rnd, ready = int(sys.argv[3]), int(sys.argv[4]), \
    int(sys.argv[5]), sys.argv[6]
fd = os.open(path, os.O_RDWR)
n = verify(fd, acks)
m = mmap.mmap(fd, size)
log = open(acks, "a")
open(ready, "w").write("%d\n" % n)
while (seq + 1) * 64 <= size:
    rec = record(seq, rnd)
    if seq % 2:
        os.pwrite(fd, rec, seq * 64)
    else:
        m[seq * 64:(seq + 1) * 64] = rec
    os.fsync(fd)
    log.write("%d %d\n" % (seq, rnd))
    log.flush()
    seq += 1
PY
# Run python itself, not a version manager's wrapper script: 50 rounds.
PY=$(python3 -c 'import sys; print(sys.executable)')
READY="$DPF_TMP/ready"

DELAYS=$(python3 -c "import random; r = random.Random($SEED); \
print(' '.join(str(r.randrange(0, 400)) for _ in range($ROUNDS)))")
kills=0
next=0
n=0
for delay in $DELAYS; do
	dpf_mount -o config="$CONF"
	rm -f "$READY"
	"$PY" "$DPF_TMP/round.py" "$MNT/dev/bk" "$ACKS" "$SIZE" "$next" \
	    "$kills" "$READY" >/dev/null 2>"$DPF_TMP/round.err" &
	WRITER_PID=$!
	i=0
	while [ ! -s "$READY" ]; do
		if ! kill -0 "$WRITER_PID" 2>/dev/null; then
			cat "$DPF_TMP/round.err"
			fail "after $kills kills: acknowledged records lost" \
			    "(seed $SEED)"
		fi
		i=$((i + 1))
		[ "$i" -le 400 ] || fail "the writer did not start in 20 s"
		sleep 0.05
	done
	n=$(cat "$READY")
	sleep "$(printf '0.%03d' "$delay")"
	kill -KILL "$DPF_PID"
	wait "$DPF_PID" 2>/dev/null || true
	DPF_PID=
	wait "$WRITER_PID" 2>/dev/null || true
	WRITER_PID=
	"$FUSERMOUNT3" -u -z "$MNT" 2>/dev/null || umount -l "$MNT"
	kills=$((kills + 1))
	last=$(tail -n 1 "$ACKS" | cut -d' ' -f1)
	[ -z "$last" ] || next=$((last + 1))
done
# A last daemon must see them all, and a clean unmount leave them all in
# the backing file.
dpf_mount -o config="$CONF"
n=$("$PY" "$DPF_TMP/round.py" "$MNT/dev/bk" "$ACKS" verify) ||
    fail "after $kills kills: acknowledged records lost (seed $SEED)"
dpf_unmount
"$PY" "$DPF_TMP/round.py" "$IMG" "$ACKS" verify >/dev/null ||
    fail "acknowledged records missing from the backing file (seed $SEED)"
echo "crash_consistency: survived $kills kills, $n acknowledged records intact"
exit 0
