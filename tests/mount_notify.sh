#!/bin/sh
# Type=notify (devpagerfs@.service): started with $NOTIFY_SOCKET, the
# daemon sends "READY=1" there exactly once, and only when the file system
# is mounted and its devices exist.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

SOCK="$DPF_TMP/notify"
python3 - "$SOCK" "$MNT" >"$DPF_TMP/listener" 2>&1 <<'PY' &
import os, socket, sys
path, mnt = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path + ".tmp")
os.rename(path + ".tmp", path)     # bound before the name appears
s.settimeout(20)
try:
    msg = s.recv(4096)
except socket.timeout:
    sys.exit("no datagram within 20 s")
mounted = any(l.split()[4] == mnt for l in open("/proc/self/mountinfo"))
ram0 = os.path.exists(os.path.join(mnt, "dev", "ram0"))
print("got %r mounted=%s ram0=%s" % (msg, mounted, ram0))
s.settimeout(1)
try:
    print("second %r" % s.recv(4096))
except socket.timeout:
    print("no second")
PY
listener=$!
i=0
while [ ! -S "$SOCK" ]; do
	i=$((i + 1))
	[ "$i" -le 400 ] || fail "the listener did not bind"
	kill -0 "$listener" 2>/dev/null || fail "listener: $(cat "$DPF_TMP/listener")"
	sleep 0.05
done

NOTIFY_SOCKET=$SOCK
export NOTIFY_SOCKET
dpf_mount
unset NOTIFY_SOCKET
st=0
wait "$listener" || st=$?
out=$(cat "$DPF_TMP/listener")
[ "$st" -eq 0 ] || fail "listener: $out"
[ "$out" = "got b'READY=1' mounted=True ram0=True
no second" ] || fail "the service manager saw: $out"
dpf_unmount
exit 0
