#!/bin/sh
# Issue 11: gem handles belong to the open that made them.  On a mount
# with allow_other and a gem node every user may open (mode 0666), root's
# open A creates and fills a buffer; another open of root's and an open
# of nobody's can neither INFO, MOVE, DESTROY nor FLINK A's handle, nor
# read it (pread, mmap: SIGBUS), nor write it (pwrite); their own handle
# 1 is another buffer; vm/ shows neither A's handle nor its offset.
# Sharing works by name (FLINK, then OPEN as nobody) and by handing A's
# descriptor to nobody's process over a UNIX socket (SCM_RIGHTS).  A
# destroyed buffer's object leaves vm/objects at once although the node
# stays open, and its offset maps nothing.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to switch users"; exit 77; }

chmod 0755 "$DPF_TMP"
dpf_mount -o allow_other,entry_timeout=0,attr_timeout=0
dpf_ctl_ok "create gemu driver=gem size=1M mode=0666" >/dev/null || \
    fail "cannot create gemu"
cat >"$DPF_TMP/private.py" <<'PY'
import errno, fcntl, mmap, os, signal, socket, struct, sys, time

MNT = sys.argv[1]
NODE = MNT + "/dev/gemu"
NOBODY = 65534
SIZE = 3 * 4096

def iowr(nr, size):
    return (3 << 30) | (size << 16) | (ord("G") << 8) | nr

CREATE, DESTROY, MOVE, INFO, FLINK, OPEN = (iowr(1, 32), iowr(2, 8),
    iowr(3, 8), iowr(4, 40), iowr(5, 16), iowr(6, 32))

def create(fd, size, placement=1):
    b = bytearray(struct.pack("=QIIIIQ", size, placement, 0, 0, 0, 0))
    fcntl.ioctl(fd, CREATE, b, True)
    size, _, _, h, _, off = struct.unpack("=QIIIIQ", b)
    return h, off

def info(fd, h):
    b = bytearray(struct.pack("=IIQQQQ", h, 0, 0, 0, 0, 0))
    fcntl.ioctl(fd, INFO, b, True)
    _, placement, size, off, _, objid = struct.unpack("=IIQQQQ", b)
    return placement, size, off, objid

def move(fd, h, placement):
    fcntl.ioctl(fd, MOVE, bytearray(struct.pack("=II", h, placement)), True)

def destroy(fd, h):
    fcntl.ioctl(fd, DESTROY, bytearray(struct.pack("=II", h, 0)), True)

def flink(fd, h):
    b = bytearray(struct.pack("=IIQ", h, 0, 0))
    fcntl.ioctl(fd, FLINK, b, True)
    return struct.unpack("=IIQ", b)[2]

def gopen(fd, name):
    b = bytearray(struct.pack("=QIIQQ", name, 0, 0, 0, 0))
    fcntl.ioctl(fd, OPEN, b, True)
    _, h, _, size, off = struct.unpack("=QIIQQ", b)
    return h, off

def err(f, *a):
    try:
        f(*a)
        return 0
    except OSError as e:
        return e.errno

def pattern(off, n):
    return bytes(((off + i) * 131 + 7) & 0xff for i in range(n))

def check(cond, what):
    if not cond:
        sys.stderr.write("FAILED: %s\n" % what)
        sys.stderr.flush()
        os._exit(1)

def in_child(uid, fn):
    """Run fn in a child of uid; True if it exited 0."""
    pid = os.fork()
    if pid == 0:
        try:
            if uid != 0:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            fn()
            os._exit(0)
        except BaseException as e:
            sys.stderr.write("child %d: %r\n" % (uid, e))
            os._exit(1)
    _, st = os.waitpid(pid, 0)
    return os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0

def touch_sigbus(fd, off):
    """A load at off through a mapping of fd raises SIGBUS (child)."""
    pid = os.fork()
    if pid == 0:
        m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ,
            offset=off)
        m[0]
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    return os.WIFSIGNALED(st) and os.WTERMSIG(st) == signal.SIGBUS

def mapped(fd, off, n):
    m = mmap.mmap(fd, n, mmap.MAP_SHARED, mmap.PROT_READ, offset=off)
    data = m[:n]
    m.close()
    return data

# A: root's open; the buffer, filled through A's mapping.
fda = os.open(NODE, os.O_RDWR)
ha, off = create(fda, SIZE)
m = mmap.mmap(fda, SIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE,
    offset=off)
m[:] = pattern(off, SIZE)
m.flush()
m.close()
placement, size, off2, objid = info(fda, ha)
check((placement, size, off2) == (1, SIZE, off), "A's INFO")
check(os.pread(fda, SIZE, off) == pattern(off, SIZE), "A's pread")

def other_open(fd):
    check(err(info, fd, ha) == errno.ENOENT, "INFO of A's handle")
    check(err(move, fd, ha, 2) == errno.ENOENT, "MOVE of A's handle")
    check(err(flink, fd, ha) == errno.ENOENT, "FLINK of A's handle")
    check(err(destroy, fd, ha) == errno.ENOENT, "DESTROY of A's handle")
    e = err(os.pread, fd, 4096, off)
    check(e in (errno.EACCES, errno.EIO), "pread of A's offset: %d" % e)
    check(touch_sigbus(fd, off + 4096), "mmap of A's offset: no SIGBUS")
    e = err(os.pwrite, fd, b"X" * 16, off + 8)
    check(e in (errno.EACCES, errno.EIO), "pwrite of A's offset: %d" % e)
    # Its own handle 1 is its own buffer.
    h, o = create(fd, 4096)
    check(h == ha, "the other open's first handle is %d" % h)
    check(o != off, "the other open got A's offset")
    check(info(fd, h)[3] != objid, "the other open's handle 1 is A's BO")
    destroy(fd, h)

def as_other_user():
    fd = os.open(NODE, os.O_RDWR)
    other_open(fd)

fdc = os.open(NODE, os.O_RDWR)	# another open of root's
other_open(fdc)
check(in_child(NOBODY, as_other_user), "nobody's open")
check(info(fda, ha)[0] == 1, "A's buffer moved by another open")
check(os.pread(fda, SIZE, off) == pattern(off, SIZE),
    "A's data changed by another open")

# vm/ shows neither A's handle nor its offset.
objects = open(MNT + "/vm/objects").read()
row = [l for l in objects.splitlines()[1:] if l.split()[0] == str(objid)]
check(len(row) == 1, "A's object in vm/objects")
check(row[0].split()[-1] == "dev/gemu@0", "PATH is %s" % row[0].split()[-1])
text = objects + open(MNT + "/vm/object/%d/info" % objid).read() + \
    open(MNT + "/vm/object/%d/pages" % objid).read()
check(str(off) not in text and ("%x" % off) not in text,
    "vm/ shows A's offset")

# Sharing by name.
name = flink(fda, ha)
check(flink(fda, ha) == name, "a second FLINK gave another name")
def by_name():
    fd = os.open(NODE, os.O_RDONLY)
    check(err(gopen, fd, name ^ 1) == errno.ENOENT, "a wrong name opened")
    h, o = gopen(fd, name)
    check(o == off, "OPEN gave offset %d" % o)
    check(info(fd, h)[3] == objid, "OPEN gave another buffer")
    check(os.pread(fd, SIZE, off) == pattern(off, SIZE), "pread by name")
    check(mapped(fd, off, SIZE) == pattern(off, SIZE), "mmap by name")
check(in_child(NOBODY, by_name), "sharing by name")

# Sharing the open itself: A's descriptor handed to nobody's process.
sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
def handed_over():
    msg, fds, _, _ = socket.recv_fds(sb, 16, 1)
    fd = fds[0]
    check(info(fd, ha)[3] == objid, "A's handle on the handed-over fd")
    check(os.pread(fd, SIZE, off) == pattern(off, SIZE), "handed-over pread")
    check(mapped(fd, off, SIZE) == pattern(off, SIZE), "handed-over mmap")
pid = os.fork()
if pid == 0:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    sa.close()
    try:
        handed_over()
    except BaseException as e:
        sys.stderr.write("handed over: %r\n" % (e,))
        os._exit(1)
    os._exit(0)
sb.close()
socket.send_fds(sa, [b"fd"], [fda])
_, st = os.waitpid(pid, 0)
check(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, "fd handover")

# Destroyed with the node open (A and C): gone at once, nothing maps.
destroy(fda, ha)
check(err(info, fda, ha) == errno.ENOENT, "INFO after destroy")
gone = False
for i in range(40):
    objects = open(MNT + "/vm/objects").read()
    if not [l for l in objects.splitlines()[1:]
            if l.split()[0] == str(objid)]:
        gone = True
        break
    time.sleep(0.05)
check(gone, "the destroyed buffer's object is still in vm/objects")
check(touch_sigbus(fda, off), "the destroyed buffer's offset still maps")
os.close(fdc)
os.close(fda)
print("ok")
PY
out=$(python3 "$DPF_TMP/private.py" "$MNT" 2>&1) || fail "$out"
[ "$out" = ok ] || fail "$out"
dpf_alive
dpf_unmount
exit 0
