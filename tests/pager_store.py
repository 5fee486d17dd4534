#!/usr/bin/env python3
"""pager_store: the writable external pager of the mount tests.

    pager_store.py [--readonly] [--seed N] SOCKET LOG

Unwritten pages read the computed pattern of pager_computed (every
8-byte little-endian word at byte o is o ^ 0x5a5a5a5a5a5a5a5a ^ (seed +
generation)); pages the daemon gives back (page_out) are stored and read
back as stored.  Every event is one line appended to LOG, flushed:
"listening", "connected NAME SIZE", "in OFF LEN", "out OFF LEN",
"revoked ID OFF LEN ERR", "disconnected".  SIGUSR1 adds one to the
generation and revokes the whole device (dirty pages first); SIGTERM
stops.
"""

import os
import signal
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.environ.get("abs_top_srcdir", "."),
                                "python"))
import devpager_pager  # noqa: E402

XOR = 0x5a5a5a5a5a5a5a5a
PAGE = 4096


def pattern(off, length, key):
    words = [((off + i) ^ XOR ^ key) & 0xFFFFFFFFFFFFFFFF
             for i in range(0, length, 8)]
    return struct.pack("<%dQ" % len(words), *words)


class Store(devpager_pager.Pager):
    def __init__(self, log, seed, readonly):
        super().__init__(readonly=readonly)
        self.logf = open(log, "a", buffering=1)
        self.seed = seed
        self.gen = 0
        self.pages = {}
        self.size = 0
        self.mtx = threading.Lock()

    def log(self, line):
        with self.mtx:
            self.logf.write(line + "\n")

    def connected(self, info):
        self.size = info.size
        self.log("connected %s %d" % (info.name, info.size))

    def disconnected(self, why):
        self.size = 0
        self.log("disconnected")

    def page_in(self, offset, length, access):
        self.log("in %d %d" % (offset, length))
        key = self.seed + self.gen
        out = bytearray(pattern(offset, length, key))
        for o in range(offset, offset + length, PAGE):
            if o in self.pages:
                out[o - offset:o - offset + PAGE] = self.pages[o]
        return bytes(out)

    def page_out(self, offset, data):
        for i in range(0, len(data), PAGE):
            self.pages[offset + i] = bytes(data[i:i + PAGE])
        self.log("out %d %d" % (offset, len(data)))

    def revoked(self, lock_id, offset, length, error):
        self.log("revoked %d %d %d %d" % (lock_id, offset, length, error))

    def new_generation(self):
        self.gen += 1
        if self.size:
            self.revoke(0, self.size, return_dirty=True)


def main():
    args = sys.argv[1:]
    readonly = False
    seed = 0
    while args and args[0].startswith("--"):
        if args[0] == "--readonly":
            readonly = True
            args = args[1:]
        elif args[0] == "--seed":
            seed = int(args[1], 0)
            args = args[2:]
        else:
            break
    if len(args) != 2:
        print("usage: pager_store.py [--readonly] [--seed N] SOCKET LOG",
              file=sys.stderr)
        return 2
    p = Store(args[1], seed, readonly)
    p.listen(args[0])
    p.log("listening")

    def on_usr1(sig, frame):
        threading.Thread(target=p.new_generation, daemon=True).start()

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, lambda s, f: p.stop())
    try:
        p.run()
    finally:
        p.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
