"""The Python pager module (python/devpager_pager.py) against a scripted,
hostile daemon over a socket pair: every class of bad message must end the
connection with ProtocolError naming it, a good exchange must work, and a
seeded mutation run (DPF_FUZZ_ITERS, DPF_FUZZ_SEED) must only ever end a
connection normally or with ProtocolError.  Run by tests/pager_interop.sh.
"""

import errno
import os
import random
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.environ["abs_top_srcdir"], "python"))
import devpager_pager as dp  # noqa: E402

PAGE = 4096
SIZE = 64 * PAGE
MAX_DATA = 8 * PAGE
FAILED = []


def check(cond, what):
    if not cond:
        FAILED.append(what)
        print("FAIL: %s" % what)


def hdr(t, flags=0, mid=0, off=0, length=0, payload=0, magic=dp.MAGIC):
    return dp.HDR.pack(magic, t, flags, mid, off, length, payload)


def hello(vmin=1, vmax=1, name=b"pg0", features=0):
    body = dp.HELLO.pack(vmin, vmax, PAGE, SIZE, MAX_DATA, 8, 4, features,
                         1000, len(name), 0) + name
    return hdr(dp.HELLO_T, payload=len(body)) + body


class Recorder(dp.Pager):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.outs = []
        self.why = None

    def page_in(self, offset, length, access):
        if offset == 3 * PAGE:
            return None
        if offset == 4 * PAGE:
            raise OSError(errno.ENOSPC, "full")
        return bytes((offset + i) & 0xFF for i in range(length))

    def page_out(self, offset, data):
        self.outs.append((offset, bytes(data)))

    def disconnected(self, why):
        self.why = why


def serve(pager, sock):
    result = {}

    def run():
        try:
            pager.serve(sock)
            result["end"] = "ok"
        except dp.ProtocolError as e:
            result["end"] = "proto"
            result["msg"] = str(e)
        except OSError as e:
            result["end"] = "oserror"
            result["msg"] = str(e)

    t = threading.Thread(target=run)
    t.start()
    return t, result


def read_msg(sock):
    sock.settimeout(10)
    raw = b""
    while len(raw) < dp.HDR.size:
        chunk = sock.recv(dp.HDR.size - len(raw))
        if not chunk:
            return None
        raw += chunk
    h = dp.HDR.unpack(raw)
    body = b""
    while len(body) < h[6]:
        chunk = sock.recv(h[6] - len(body))
        if not chunk:
            return None
        body += chunk
    return h, body


def test_good_exchange():
    d, p = socket.socketpair()
    pager = Recorder()
    t, res = serve(pager, p)
    d.sendall(hello(1, 4))
    h, body = read_msg(d)
    check(h[1] == dp.HELLO_REPLY_T, "hello_reply type")
    version, _, features, inflight, _ = dp.HELLO_REPLY.unpack(body)
    check(version == 1 and features == 0 and inflight >= 1, "hello_reply")
    d.sendall(hdr(dp.DATA_REQUEST, 1, 7, PAGE, 2 * PAGE))
    h, body = read_msg(d)
    check(h[1] == dp.DATA_SUPPLY and h[3] == 7 and h[4] == PAGE and
          h[5] == 2 * PAGE, "data_supply header")
    check(body == bytes((PAGE + i) & 0xFF for i in range(2 * PAGE)),
          "data_supply bytes")
    d.sendall(hdr(dp.DATA_REQUEST, 1, 8, 3 * PAGE, PAGE))
    h, body = read_msg(d)
    check(h[1] == dp.DATA_UNAVAILABLE and h[6] == 0, "data_unavailable")
    d.sendall(hdr(dp.DATA_REQUEST, 3, 9, 4 * PAGE, PAGE))
    h, body = read_msg(d)
    check(h[1] == dp.DATA_ERROR and
          dp.STATUS.unpack(body)[0] == errno.ENOSPC, "data_error ENOSPC")
    d.sendall(hdr(dp.DATA_RETURN, 0, 10, 5 * PAGE, PAGE, PAGE) +
              b"\x42" * PAGE)
    h, body = read_msg(d)
    check(h[1] == dp.RETURN_COMPLETED and dp.STATUS.unpack(body)[0] == 0,
          "return_completed")
    check(pager.outs == [(5 * PAGE, b"\x42" * PAGE)], "page_out bytes")
    # A revoke from another thread, then its completion.
    lock_id = pager.revoke(0, SIZE, return_dirty=True)
    h, body = read_msg(d)
    check(h[1] == dp.LOCK_REQUEST and h[2] == dp.LOCK_RETURN and
          h[3] == lock_id and h[5] == SIZE, "lock_request")
    done = []
    pager.revoked = lambda i, o, n, e: done.append((i, o, n, e))
    d.sendall(hdr(dp.LOCK_COMPLETED, 0, lock_id, 0, SIZE, 4) +
              dp.STATUS.pack(0))
    for bad in ((1, 0), (0, 0), (SIZE, PAGE), (0, SIZE + PAGE)):
        try:
            pager.revoke(*bad)
            check(False, "revoke %r accepted" % (bad,))
        except OSError as e:
            check(e.errno == errno.EINVAL, "revoke %r: EINVAL" % (bad,))
    d.sendall(hdr(dp.TERMINATE, payload=3) + b"bye")
    t.join(10)
    check(res.get("end") == "ok", "terminate ends serve: %r" % res)
    check(done == [(lock_id, 0, SIZE, 0)], "revoked callback %r" % done)
    check(pager.why == "the daemon terminated: bye", "why %r" % pager.why)
    try:
        pager.revoke(0, PAGE)
        check(False, "revoke with no daemon")
    except OSError as e:
        check(e.errno == errno.ENOTCONN, "revoke: ENOTCONN")
    d.close()
    pager.close()


def test_readonly():
    d, p = socket.socketpair()
    pager = Recorder(readonly=True)
    t, res = serve(pager, p)
    d.sendall(hello())
    h, body = read_msg(d)
    check(dp.HELLO_REPLY.unpack(body)[2] == dp.PF_READONLY, "readonly bit")
    d.sendall(hdr(dp.DATA_REQUEST, 3, 1, 0, PAGE))
    h, body = read_msg(d)
    check(h[1] == dp.DATA_ERROR and
          dp.STATUS.unpack(body)[0] == errno.EROFS, "write fault: EROFS")
    d.sendall(hdr(dp.DATA_RETURN, 0, 2, 0, PAGE, PAGE) + bytes(PAGE))
    t.join(10)
    check(res.get("end") == "proto", "data_return to read-only: %r" % res)
    d.close()
    pager.close()


BAD = [
    ("request first", lambda: hdr(dp.DATA_REQUEST, 1, 1, 0, PAGE),
     "out of place"),
    ("name with a space", lambda: hello(name=b"a b"), "bad device name"),
    ("versions 2..3", lambda: hello(2, 3), "no common protocol version"),
    ("bad magic", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 1, 0, PAGE,
                                        magic=0x11223344), "bad magic"),
    ("misaligned", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 1, 100, PAGE),
     "out of range"),
    ("over max_data", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 1, 0,
                                            MAX_DATA + PAGE),
     "out of range"),
    ("past the end", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 1, SIZE,
                                           PAGE), "out of range"),
    ("payload on a request", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 1, 0,
                                                   PAGE, 4),
     "wrong payload length"),
    ("access 0", lambda: hello() + hdr(dp.DATA_REQUEST, 0, 1, 0, PAGE),
     "undefined flags"),
    ("id 0", lambda: hello() + hdr(dp.DATA_REQUEST, 1, 0, 0, PAGE),
     "unknown or already answered id"),
    ("a pager's type", lambda: hello() + hdr(dp.DATA_SUPPLY, 0, 1, 0, PAGE,
                                             PAGE),
     "message type of the other end"),
    ("unknown type", lambda: hello() + hdr(0x33, 0, 1, 0, PAGE),
     "unknown message type"),
    ("hello twice", lambda: hello() + hello(), "out of place"),
    ("oversized", lambda: hello() + hdr(dp.DATA_RETURN, 0, 1, 0, PAGE,
                                        0xFFFFFFFF), "oversized payload"),
    ("unknown lock", lambda: hello() + hdr(dp.LOCK_COMPLETED, 0, 5, 0, PAGE,
                                           4) + dp.STATUS.pack(0),
     "unknown or already answered id"),
    ("lock errno", lambda: hello() + hdr(dp.LOCK_COMPLETED, 0, 5, 0, PAGE,
                                         4) + dp.STATUS.pack(9999),
     "error number out of range"),
    ("terminate with id", lambda: hello() + hdr(dp.TERMINATE, 0, 1),
     "reserved field not zero"),
]


def test_bad_messages():
    for name, make, says in BAD:
        d, p = socket.socketpair()
        pager = Recorder()
        t, res = serve(pager, p)
        d.sendall(make())
        t.join(10)
        check(res.get("end") == "proto" and says in res.get("msg", ""),
              "%s: %r (want %r)" % (name, res, says))
        d.close()
        pager.close()


def test_mutations():
    iters = int(os.environ.get("DPF_FUZZ_ITERS") or 2000)
    seed = int(os.environ.get("DPF_FUZZ_SEED") or "0x5eed0f0d", 0)
    rng = random.Random(seed ^ 0x707974686f6e)
    ends = {}
    for i in range(iters):
        d, p = socket.socketpair()
        pager = Recorder(readonly=rng.random() < 0.3)
        t, res = serve(pager, p)
        msg = bytearray(hello())
        body = rng.choice([
            hdr(dp.DATA_REQUEST, 1, 1 + rng.randrange(99), PAGE, PAGE),
            hdr(dp.DATA_RETURN, 0, 9, 0, PAGE, PAGE) + bytes(PAGE),
            hdr(dp.LOCK_COMPLETED, 0, 1, 0, PAGE, 4) + dp.STATUS.pack(0),
            hdr(dp.TERMINATE, payload=4) + b"done",
        ])
        body = bytearray(body)
        for _ in range(1 + rng.randrange(3)):
            where = rng.randrange(min(len(body), 40))
            body[where] ^= 1 << rng.randrange(8)
        if rng.random() < 0.2:
            body = body[:rng.randrange(len(body))]
        msg += body
        try:
            d.sendall(msg)
            d.shutdown(socket.SHUT_WR)
            while read_msg(d) is not None:
                pass
        except OSError:
            pass
        t.join(10)
        check(not t.is_alive(), "mutation %d: serve did not end" % i)
        end = res.get("end")
        check(end in ("ok", "proto"), "mutation %d: %r" % (i, res))
        ends[end] = ends.get(end, 0) + 1
        d.close()
        pager.close()
    check(ends.get("proto", 0) > iters // 4, "too few violations: %r" % ends)


def main():
    test_good_exchange()
    test_readonly()
    test_bad_messages()
    test_mutations()
    if FAILED:
        print("%d failures" % len(FAILED))
        sys.exit(1)
    print("PASS: python module protocol checks")


if __name__ == "__main__":
    main()
