#!/usr/bin/env python3
"""pager_mirror: an external pager that mirrors a file (devpager_pager.py(3)).

    pager_mirror.py [--watch SECONDS] SOCKET FILE

and in devpagerfs:

    create mirror0 driver=pager socket=SOCKET size=SIZE

Page-ins read FILE (bytes past its end read as zeros); dirty pages are
written back into FILE (page_out, then fsync), so an msync(2) of a
mapping of the device reaches the file.  With --watch, the file is
checked every SECONDS: when someone else has changed it, the whole device
is revoked, so that every mapping faults again and sees the new bytes.
SIGINT and SIGTERM stop the pager.
"""

import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import devpager_pager  # noqa: E402


class Mirror(devpager_pager.Pager):
    def __init__(self, path):
        super().__init__()
        self.path = path
        self.fd = os.open(path, os.O_RDWR)
        self.size = 0
        self.lock = threading.Lock()
        self.seen = self._stamp()

    def _stamp(self):
        st = os.fstat(self.fd)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def connected(self, info):
        self.size = info.size
        print("pager_mirror: serving %s (%d bytes) from %s"
              % (info.name, info.size, self.path), file=sys.stderr)

    def disconnected(self, why):
        self.size = 0
        print("pager_mirror: connection ended: %s" % why, file=sys.stderr)

    def page_in(self, offset, length, access):
        with self.lock:
            data = os.pread(self.fd, length, offset)
        return data + bytes(length - len(data))

    def page_out(self, offset, data):
        with self.lock:
            os.pwrite(self.fd, data, offset)
            os.fsync(self.fd)
            self.seen = self._stamp()     # our own change: no revoke

    def revoked(self, lock_id, offset, length, error):
        if error:
            print("pager_mirror: revoke %d failed: %s"
                  % (lock_id, os.strerror(error)), file=sys.stderr)

    def watch(self, period, stop):
        """Revoke everything when the file changes under us."""
        while not stop.wait(period):
            with self.lock:
                stamp = os.stat(self.path)
                stamp = (stamp.st_mtime_ns, stamp.st_size, stamp.st_ino)
                changed = stamp != self.seen
                self.seen = stamp
            if not changed or self.size == 0:
                continue
            if stamp[2] != os.fstat(self.fd).st_ino:
                # Replaced (an editor's rename): follow the new file.
                with self.lock:
                    os.close(self.fd)
                    self.fd = os.open(self.path, os.O_RDWR)
            offset = 0
            while offset < self.size:
                length = min(self.size - offset, 1 << 30)
                try:
                    self.revoke(offset, length)
                except OSError as e:
                    print("pager_mirror: revoke: %s" % e, file=sys.stderr)
                    break
                offset += length


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--watch", type=float, metavar="SECONDS",
                    help="revoke the device when FILE changes")
    ap.add_argument("socket")
    ap.add_argument("file")
    args = ap.parse_args()

    pager = Mirror(args.file)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: pager.stop())
    stop = threading.Event()
    if args.watch:
        threading.Thread(target=pager.watch, args=(args.watch, stop),
                         daemon=True).start()
    pager.listen(args.socket)
    try:
        pager.run()
    finally:
        stop.set()
        pager.close()


if __name__ == "__main__":
    main()
