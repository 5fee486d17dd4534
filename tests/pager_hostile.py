#!/usr/bin/env python3
"""pager_hostile: an external pager that breaks devpager_protocol(5).

    pager_hostile.py SOCKET MESSAGES SEED

Serves the daemon's connections one after another and answers its
requests -- data_request with data_supply, data_unavailable, data_error
or a lock_request first; data_return with return_completed -- and, one
answer in five, sends a mutation instead: a bit flip in the header, a
truncated header or payload, an oversized or wrong payload length, a
duplicated answer, an unknown id, a wrong range, a bad errno, a lock
request outside the device or with an undefined flag, a second
hello_reply, a daemon's message type, garbage; one handshake in
sixteen gets a mangled hello_reply.  After a mutation the daemon must
close the connection (within 10 s).  Stops after MESSAGES messages sent
and prints "sent N mutations M dropped D undropped U"; the exit status
is 1 if the daemon ever kept a connection a mutation should have ended.
The random choices come from SEED only.
"""

import random
import select
import socket
import struct
import sys

HDR = struct.Struct("<IHHQQII")
MAGIC = 0x52475044
PAGE = 4096
(HELLO, DATA_REQUEST, DATA_RETURN, LOCK_COMPLETED) = (0x01, 0x02, 0x03, 0x04)
(HELLO_REPLY, SUPPLY, UNAVAILABLE, ERROR, RET_DONE, LOCK_REQ) = (
    0x81, 0x82, 0x83, 0x84, 0x85, 0x86)


class Gone(Exception):
    pass


def recv_exact(s, n, timeout=10.0):
    buf = b""
    while len(buf) < n:
        r, _, _ = select.select([s], [], [], timeout)
        if not r:
            raise Gone("timeout")
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise Gone("eof")
        buf += chunk
    return buf


def read_msg(s, timeout=10.0):
    h = HDR.unpack(recv_exact(s, HDR.size, timeout))
    payload = recv_exact(s, h[6]) if h[6] else b""
    return h, payload


def wait_eof(s, timeout=10.0):
    """Did the daemon close within timeout (anything it sends is read)?"""
    try:
        while True:
            r, _, _ = select.select([s], [], [], timeout)
            if not r:
                return False
            if not s.recv(65536):
                return True
    except OSError:
        return True


def main():
    path, total, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
    rng = random.Random(seed)
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(4)
    sent = muts = dropped = undropped = 0
    lock_id = 1
    while sent < total:
        r, _, _ = select.select([ls], [], [], 30.0)
        if not r:
            print("pager_hostile: no connection for 30 s", file=sys.stderr)
            return 1
        s, _ = ls.accept()
        try:
            h, payload = read_msg(s)
            size = struct.unpack_from("<Q", payload, 8)[0]
            reply = bytearray(HDR.pack(MAGIC, HELLO_REPLY, 0, 0, 0, 0, 16) +
                              struct.pack("<HHIII", 1, 0, 0, 8, 0))
            if rng.randrange(16) == 0:
                reply[rng.randrange(len(reply))] ^= 1 + rng.randrange(255)
                s.sendall(reply)
                sent += 1
                wait_eof(s, 1.0)
                continue
            s.sendall(reply)
            sent += 1
            locks = 0
            while sent < total:
                h, payload = read_msg(s, 30.0)
                _, mtype, flags, mid, off, length, plen = h
                if mtype == LOCK_COMPLETED:
                    locks -= 1
                    continue
                if mtype == DATA_RETURN:
                    ans = HDR.pack(MAGIC, RET_DONE, 0, mid, off, length, 4) \
                        + struct.pack("<I", 0)
                elif mtype == DATA_REQUEST:
                    ans = HDR.pack(MAGIC, SUPPLY, 0, mid, off, length,
                                   length) + bytes([off // PAGE & 0xff]) * \
                        length
                else:
                    continue        # terminate: the EOF follows
                if rng.randrange(5) != 0:
                    k = rng.randrange(8)
                    if mtype == DATA_REQUEST and k == 0:
                        ans = HDR.pack(MAGIC, UNAVAILABLE, 0, mid, off,
                                       length, 0)
                    elif mtype == DATA_REQUEST and k == 1:
                        ans = HDR.pack(MAGIC, ERROR, 0, mid, off, length,
                                       4) + struct.pack("<I", 5)
                    elif k == 2 and locks < 8:
                        locks += 1
                        n = rng.randrange(1, 64) * PAGE
                        o = rng.randrange(0, size - n + 1, PAGE)
                        s.sendall(HDR.pack(MAGIC, LOCK_REQ, rng.randrange(2),
                                           lock_id, o, n, 0))
                        lock_id += 1
                        sent += 1
                    s.sendall(ans)
                    sent += 1
                    continue
                m = bytearray(ans)
                k = rng.randrange(12)
                if k == 0:
                    i = rng.randrange(HDR.size * 8)
                    m[i // 8] ^= 1 << (i % 8)
                elif k == 1:
                    m = m[:rng.randrange(1, HDR.size)]
                elif k == 2:
                    m = m[:HDR.size + rng.randrange(max(1, len(m) -
                                                        HDR.size))]
                    if len(m) == len(ans):
                        m = m[:-1]
                elif k == 3:
                    big = (1 << 20) + PAGE + rng.randrange(1 << 30)
                    m = bytearray(HDR.pack(MAGIC, SUPPLY, 0, mid, off, big,
                                           big))
                elif k == 4:
                    struct.pack_into("<I", m, 28, plen + length + 8 *
                                     rng.randrange(1, 64))
                elif k == 5:
                    s.sendall(ans)
                    sent += 1
                elif k == 6:
                    struct.pack_into("<Q", m, 8, mid ^ (1 << (40 +
                                                         rng.randrange(20))))
                elif k == 7:
                    struct.pack_into("<Q", m, 16, off + 8 *
                                     rng.randrange(1, 512))
                elif k == 8:
                    m = bytearray(HDR.pack(MAGIC, ERROR, 0, mid, off, length,
                                           4) + struct.pack(
                        "<I", rng.choice([0, 4096 + rng.randrange(1000)])))
                elif k == 9:
                    # past the end of the device, or an undefined flag
                    m = bytearray(HDR.pack(MAGIC, LOCK_REQ, 2 if
                                           rng.randrange(2) else 0, lock_id,
                                           size - PAGE * rng.randrange(4),
                                           (4 + rng.randrange(4)) * PAGE, 0))
                    lock_id += 1
                elif k == 10:
                    m = bytearray(HDR.pack(MAGIC, HELLO_REPLY, 0, 0, 0, 0,
                                           16) + struct.pack("<HHIII", 1, 0,
                                                             0, 8, 0))
                else:
                    m = bytearray(rng.randrange(256) for _ in
                                  range(32 + rng.randrange(64)))
                    m[0] ^= 0xff        # never the magic
                s.sendall(bytes(m))
                if k in (1, 2):
                    s.shutdown(socket.SHUT_WR)
                sent += 1
                muts += 1
                if wait_eof(s):
                    dropped += 1
                else:
                    undropped += 1
                    print("pager_hostile: mutation kind %d was not dropped"
                          % k, file=sys.stderr)
                break
        except (Gone, OSError, struct.error):
            pass
        finally:
            s.close()
    ls.close()
    print("sent %d mutations %d dropped %d undropped %d"
          % (sent, muts, dropped, undropped))
    return 1 if undropped else 0


if __name__ == "__main__":
    sys.exit(main())
