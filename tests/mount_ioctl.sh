#!/bin/sh
# ioctl(2) on a device file reaches the driver's d_ioctl as FreeBSD's
# sys_ioctl hands it over: an _IO command's data points at the caller's
# argument value, a no-direction int command (FreeBSD's _IOWINT) at the
# int, an _IOWR command's buffer goes in and comes back; a no-direction
# command of another size, or a command with a direction and no size,
# fails with ENOTTY without reaching the driver.  The driver is the test
# plugin tests/plugins/testplug.so, whose d_ioctl records what it was
# given (`plugin NAME ioctl` reports it).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

PLUG="$abs_top_builddir/tests/plugins/testplug.so"
[ -f "$PLUG" ] || fail "$PLUG was not built"

dpf_mount -o entry_timeout=0,attr_timeout=0
dpf_ctl_ok "create t driver=$PLUG size=16K mode=0666" >/dev/null || \
    fail "cannot create the test device"

# io CMD ARG [IN]: one ioctl on dev/t through libc, with ARG as an
# unsigned long (or, with IN, the address of two uint64_t: IN and 0).
# Prints the errno name or 0, and with IN the second word afterwards.
io() {
	python3 - "$MNT/dev/t" "$@" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong]
libc.ioctl.restype = ctypes.c_int
fd = os.open(sys.argv[1], os.O_RDWR)
cmd = int(sys.argv[2], 0)
buf = None
if len(sys.argv) > 4:
    buf = (ctypes.c_uint64 * 2)(int(sys.argv[4], 0), 0)
    arg = ctypes.addressof(buf)
else:
    arg = int(sys.argv[3], 0)
rc = libc.ioctl(fd, cmd, arg)
err = ctypes.get_errno() if rc != 0 else 0
out = errno.errorcode.get(err, str(err)) if err else "0"
if buf is not None:
    out += " %#x" % buf[1]
print(out)
os.close(fd)
PY
}

# ioc DIR NR SIZE: command NR of type 't' in the asm-generic encoding
# (x86, arm64): dir << 30 | size << 16 | type << 8 | nr, with DIR 0
# none, 1 write, 2 read.
ioc() {
	echo $(( ($1 << 30) | ($3 << 16) | (0x74 << 8) | $2 ))
}
IO_ARG=$(ioc 0 1 0)		# _IO('t', 1)
IO_INT=$(ioc 0 2 4)		# no direction, sizeof(int)
IO_XOR=$(ioc 3 3 16)		# _IOWR('t', 3, uint64_t[2])
IO_ODD=$(ioc 0 5 3)		# no direction, 3 bytes
IO_R0=$(ioc 2 6 0)		# _IOR with no size
IO_UNK=$(ioc 0 7 0)		# _IO the driver does not know

last() {
	dpf_ctl_ok "plugin t ioctl" || fail "plugin t ioctl failed"
}

# _IO: the argument value itself, all 64 bits.
got=$(io "$IO_ARG" 0x123456789abcdef0)
[ "$got" = 0 ] || fail "_IO: $got"
want="calls=1 cmd=$(printf '%#x' "$IO_ARG") value=0x123456789abcdef0"
[ "$(last)" = "$want" ] || fail "_IO: the driver saw '$(last)', not '$want'"
got=$(io "$IO_ARG" 0)
[ "$(last)" = "calls=2 cmd=$(printf '%#x' "$IO_ARG") value=0" ] || \
    fail "_IO 0: the driver saw '$(last)'"

# An int by value: (int)arg, whatever the upper half holds.
got=$(io "$IO_INT" 0xfffffffffffffffb)
[ "$got" = 0 ] || fail "int ioctl: $got"
[ "$(last)" = "calls=3 cmd=$(printf '%#x' "$IO_INT") value=-5" ] || \
    fail "int ioctl: the driver saw '$(last)'"
got=$(io "$IO_INT" 0x7fffffff)
[ "$(last)" = "calls=4 cmd=$(printf '%#x' "$IO_INT") value=2147483647" ] \
    || fail "int ioctl: the driver saw '$(last)'"

# _IOWR: the buffer goes in and comes back.
got=$(io "$IO_XOR" 0 0x0102030405060708)
[ "$got" = "0 0xa4a7a6a1a0a3a2ad" ] || fail "_IOWR: $got"
[ "$(last)" = "calls=5 cmd=$(printf '%#x' "$IO_XOR") value=0x102030405060708" \
    ] || fail "_IOWR: the driver saw '$(last)'"

# Refused before the driver: no direction with a size other than 0 or
# sizeof(int); a direction with no size.
got=$(io "$IO_ODD" 1)
[ "$got" = ENOTTY ] || fail "3-byte no-direction ioctl: $got, not ENOTTY"
got=$(io "$IO_R0" 0)
[ "$got" = ENOTTY ] || fail "_IOR of size 0: $got, not ENOTTY"
case $(last) in
calls=5\ *) ;;
*) fail "refused ioctls reached the driver: '$(last)'" ;;
esac
# One the driver does not know: its own ENOTTY.
got=$(io "$IO_UNK" 9)
[ "$got" = ENOTTY ] || fail "unknown ioctl: $got"
case $(last) in
calls=6\ *) ;;
*) fail "the unknown ioctl did not reach the driver: '$(last)'" ;;
esac

# ioctl on something that is not a device.
python3 - "$MNT/vm/stats" <<'PY' || fail "ioctl on vm/stats"
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong]
fd = os.open(sys.argv[1], os.O_RDONLY)
rc = libc.ioctl(fd, 0x7401, 0)
sys.exit(0 if rc != 0 else 1)
PY

dpf_ctl_ok "destroy t" >/dev/null || fail "destroy t failed"
dpf_unmount
exit 0
