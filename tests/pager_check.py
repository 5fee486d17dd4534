#!/usr/bin/env python3
"""pager_check: what the pager mount tests do to a device through mmap(2).

    pager_check.py random FILE KEY NPROC TOUCHES SEED
        NPROC processes each map FILE and check TOUCHES pages at random
        offsets (seeded) against the pattern with KEY (pager_store.py):
        first touches from several processes at once
    pager_check.py hold FILE KEY OFF NPAGES
        map, check NPAGES pages from OFF with KEY, print "ready"; then for
        every line KEY2 read on stdin check the same mapping against KEY2
        and print "ok" (or fail): the mapping must fault again
    pager_check.py store FILE OFF TEXT msync|fsync|write
        store TEXT at OFF through a mapping and msync(MS_SYNC) it, or
        through a mapping, then fsync(2) the file, or with pwrite(2) and
        fsync(2)
    pager_check.py expect FILE OFF TEXT KEY
        the page holding OFF reads TEXT at OFF and KEY's pattern elsewhere
    pager_check.py eio FILE OFF
        pread(2) of the page at OFF must fail with EIO

Exit status 0, 1 on a mismatch, 2 on a usage error.
"""

import errno
import mmap
import os
import random
import struct
import sys

XOR = 0x5a5a5a5a5a5a5a5a
PAGE = 4096


def pattern(off, length, key):
    words = [((off + i) ^ XOR ^ key) & 0xFFFFFFFFFFFFFFFF
             for i in range(0, length, 8)]
    return struct.pack("<%dQ" % len(words), *words)


def die(msg):
    print("pager_check: " + msg, file=sys.stderr)
    sys.exit(1)


def check_page(m, off, key):
    got = m[off:off + PAGE]
    if got != pattern(off, PAGE, key):
        die("page at %#x: wrong bytes for key %d (first word %#x)"
            % (off, key, struct.unpack_from("<Q", got)[0]))


def cmd_random(path, key, nproc, touches, seed):
    size = os.path.getsize(path)
    pids = []
    for n in range(nproc):
        pid = os.fork()
        if pid == 0:
            rng = random.Random(seed * 1000 + n)
            fd = os.open(path, os.O_RDONLY)
            m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
            for _ in range(touches):
                check_page(m, rng.randrange(size // PAGE) * PAGE, key)
            os._exit(0)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        if st != 0:
            bad += 1
    if bad:
        die("%d of %d processes failed" % (bad, nproc))


def cmd_hold(path, key, off, npages):
    fd = os.open(path, os.O_RDONLY)
    m = mmap.mmap(fd, os.path.getsize(path), mmap.MAP_SHARED, mmap.PROT_READ)
    for i in range(npages):
        check_page(m, off + i * PAGE, key)
    print("ready", flush=True)
    for line in sys.stdin:
        key = int(line)
        for i in range(npages):
            check_page(m, off + i * PAGE, key)
        print("ok", flush=True)


def cmd_store(path, off, text, how):
    data = text.encode()
    fd = os.open(path, os.O_RDWR)
    if how == "write":
        os.pwrite(fd, data, off)
        os.fsync(fd)
        return
    m = mmap.mmap(fd, os.path.getsize(path))
    m[off:off + len(data)] = data
    if how == "msync":
        m.flush()
    else:
        os.fsync(fd)
    m.close()


def cmd_expect(path, off, text, key):
    data = text.encode()
    page = off & ~(PAGE - 1)
    want = bytearray(pattern(page, PAGE, key))
    want[off - page:off - page + len(data)] = data
    fd = os.open(path, os.O_RDONLY)
    m = mmap.mmap(fd, os.path.getsize(path), mmap.MAP_SHARED, mmap.PROT_READ)
    if m[page:page + PAGE] != bytes(want):
        die("page at %#x is not %r over key %d" % (page, text, key))


def cmd_eio(path, off):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.pread(fd, PAGE, off)
    except OSError as e:
        if e.errno != errno.EIO:
            die("pread at %#x: %s, not EIO" % (off, e))
        return
    die("pread at %#x succeeded" % off)


def main():
    a = sys.argv[1:]
    n = lambda s: int(s, 0)  # noqa: E731
    if len(a) == 6 and a[0] == "random":
        cmd_random(a[1], n(a[2]), n(a[3]), n(a[4]), n(a[5]))
    elif len(a) == 5 and a[0] == "hold":
        cmd_hold(a[1], n(a[2]), n(a[3]), n(a[4]))
    elif len(a) == 5 and a[0] == "store":
        cmd_store(a[1], n(a[2]), a[3], a[4])
    elif len(a) == 5 and a[0] == "expect":
        cmd_expect(a[1], n(a[2]), a[3], n(a[4]))
    elif len(a) == 3 and a[0] == "eio":
        cmd_eio(a[1], n(a[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
