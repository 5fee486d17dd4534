#!/bin/sh
# dev/<name> by node number: with attributes never cached, every stat(2)
# is a GETATTR and every open an OPEN of the node number, which the
# daemon resolves through its index of devices by id among many devices;
# a destroyed device's node is gone (ENOENT), and a name made again is a
# new node with the new device's size.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
N=300

dpf_mount -o attr_timeout=0,entry_timeout=60
python3 - "$MNT/vm/ctl" "$N" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
for i in range(int(sys.argv[2])):
    os.write(fd, b"create id%d driver=ram size=%dK" % (i, 4 * (i + 1)))
PY
# Twice: the first stat is a LOOKUP, the second a GETATTR of the node.
for pass in 1 2; do
	inos=
	for i in 0 1 150 298 299; do
		set -- $(stat -c '%s %i' "$MNT/dev/id$i")
		[ "$1" -eq $((4096 * (i + 1))) ] ||
		    fail "pass $pass: dev/id$i is $1 bytes, expected $((4096 * (i + 1)))"
		case " $inos " in
		*" $2 "*) fail "dev/id$i has the node number of another device" ;;
		esac
		inos="$inos $2"
		head -c 1 "$MNT/dev/id$i" | od -An -tx1 | grep -q 00 ||
		    fail "pass $pass: cannot read dev/id$i"
	done
done
old=$(stat -c %i "$MNT/dev/id150")
dpf_ctl_ok "destroy id150" >/dev/null || fail "cannot destroy id150"
if stat "$MNT/dev/id150" >/dev/null 2>&1; then
	fail "dev/id150 still there after destroy"
fi
dpf_ctl_ok "create id150 driver=ram size=8K" >/dev/null ||
    fail "cannot make id150 again"
set -- $(stat -c '%s %i' "$MNT/dev/id150")
[ "$1" -eq 8192 ] || fail "the new dev/id150 is $1 bytes, expected 8192"
[ "$2" != "$old" ] || fail "the new dev/id150 has the old node number"
head -c 1 "$MNT/dev/id150" >/dev/null || fail "cannot read the new dev/id150"
[ "$(stat -c %s "$MNT/dev/id151")" -eq $((4096 * 152)) ] ||
    fail "dev/id151 changed"
dpf_alive
dpf_unmount
