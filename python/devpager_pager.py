"""Write an external pager for devpagerfs in Python (standard library only).

An external pager supplies the contents of one devpagerfs device
(``create NAME driver=pager socket=PATH size=SIZE``) and takes its dirty
pages back, over the protocol of devpager_protocol(5).  This module
listens on the UNIX socket PATH, accepts the daemon's connection, shakes
hands and runs the loop: each data_request calls ``page_in``, each
data_return calls ``page_out``; ``revoke`` asks the daemon to take a range
away from every mapping so that the next access faults again.

    import devpager_pager

    class Squares(devpager_pager.Pager):
        def page_in(self, offset, length, access):
            return bytes((offset + i) * (offset + i) & 0xff
                         for i in range(length))

    Squares(readonly=True).run_forever("/run/squares.sock")

``page_in(offset, length, access)`` returns ``length`` bytes, or ``None``
for "no data" (the daemon zero-fills the range), or raises ``OSError``
whose errno goes back in data_error (the faulting application gets
SIGBUS).  ``page_out(offset, data)`` stores the dirty bytes or raises
``OSError`` (msync/fsync then fail).  ``revoke(offset, length,
return_dirty=False)`` may be called from any thread, the callbacks
included; ``revoked(lock_id, offset, length, error)`` reports its
completion.  ``connected(info)`` and ``disconnected(why)`` are optional
hooks.  Callbacks run one at a time on the thread in ``run``/``serve``.

Every message from the daemon is checked as the C library checks it; a
violation ends that connection (``ProtocolError``, reported through
``disconnected``), never the pager.  See devpager_pager.py(3).
"""

import errno
import os
import select
import socket
import stat
import struct
import threading

__all__ = [
    "Pager", "DeviceInfo", "ProtocolError",
    "ACCESS_READ", "ACCESS_WRITE", "PROTOCOL_VERSION",
]

PROTOCOL_VERSION = 1
PROTOCOL_VERSION_MIN = 1
MAGIC = 0x52475044              # "DPGR" little-endian

HDR = struct.Struct("<IHHQQII")           # 32 bytes
HELLO = struct.Struct("<HHIQIIIIIHH")     # 40 bytes, then the name
HELLO_REPLY = struct.Struct("<HHIII")     # 16 bytes
STATUS = struct.Struct("<I")

DATA_MAX = 1 << 20
NAME_MAX = 255
REASON_MAX = 256
INFLIGHT_MAX = 256
LOCKS_MAX = 64
PAGE_SIZE_MIN = 512
PAGE_SIZE_MAX = 1 << 20
ERRNO_MAX = 4095

# Message types; the top bit says the pager sends it.
FROM_PAGER = 0x80
HELLO_T = 0x01
DATA_REQUEST = 0x02
DATA_RETURN = 0x03
LOCK_COMPLETED = 0x04
TERMINATE = 0x0F
HELLO_REPLY_T = 0x81
DATA_SUPPLY = 0x82
DATA_UNAVAILABLE = 0x83
DATA_ERROR = 0x84
RETURN_COMPLETED = 0x85
LOCK_REQUEST = 0x86
PAGER_TERMINATE = 0x8F
_TYPES = {HELLO_T, DATA_REQUEST, DATA_RETURN, LOCK_COMPLETED, TERMINATE,
          HELLO_REPLY_T, DATA_SUPPLY, DATA_UNAVAILABLE, DATA_ERROR,
          RETURN_COMPLETED, LOCK_REQUEST, PAGER_TERMINATE}

ACCESS_READ = 0x1
ACCESS_WRITE = 0x2
LOCK_RETURN = 0x1
DF_READONLY = 0x1
PF_READONLY = 0x1
PF_NORETURN = 0x2

_INFLIGHT = 64                  # max_inflight we announce
_HANDSHAKE_S = 10.0
_STALL_MIN_S = 1.0


class ProtocolError(Exception):
    """The daemon broke devpager_protocol(5); the connection is dropped."""


class DeviceInfo:
    """What the daemon's hello said: the device being served."""

    def __init__(self, name, size, page_size, max_data, timeout_ms,
                 version, readonly):
        self.name = name
        self.size = size
        self.page_size = page_size
        self.max_data = max_data
        self.timeout_ms = timeout_ms
        self.version = version
        self.readonly = readonly

    def __repr__(self):
        return ("DeviceInfo(name=%r, size=%d, page_size=%d, max_data=%d, "
                "readonly=%r)" % (self.name, self.size, self.page_size,
                                  self.max_data, self.readonly))


class _Closed(Exception):
    """The stream ended (or stop() was called) at a message boundary."""


def _check_range(offset, length, page_size, size, max_data):
    mask = page_size - 1
    if length == 0 or offset & mask or length & mask:
        raise ProtocolError("offset or length out of range")
    if offset > size or length > size - offset:
        raise ProtocolError("offset or length out of range")
    if max_data is not None and length > max_data:
        raise ProtocolError("offset or length out of range")


def check_header(magic, mtype, flags, mid, offset, length, payload, hello):
    """Check a header the daemon sent, as dpp_hdr_check() does.

    hello is None before the handshake.  Raises ProtocolError.
    """
    if magic != MAGIC:
        raise ProtocolError("bad magic")
    if mtype not in _TYPES:
        raise ProtocolError("unknown message type 0x%x" % mtype)
    if mtype & FROM_PAGER:
        raise ProtocolError("message type of the other end")
    if hello is None and mtype not in (HELLO_T, TERMINATE):
        raise ProtocolError("message out of place in the handshake")
    if hello is not None and mtype == HELLO_T:
        raise ProtocolError("message out of place in the handshake")
    if payload > DATA_MAX:
        raise ProtocolError("oversized payload")
    if mtype in (HELLO_T, TERMINATE):
        if flags:
            raise ProtocolError("undefined flags")
        if mid or offset or length:
            raise ProtocolError("reserved field not zero")
        if mtype == HELLO_T and not (HELLO.size < payload <=
                                     HELLO.size + NAME_MAX):
            raise ProtocolError("wrong payload length")
        if mtype == TERMINATE and payload > REASON_MAX:
            raise ProtocolError("wrong payload length")
        return
    if mid == 0:
        raise ProtocolError("unknown or already answered id")
    if mtype == DATA_REQUEST:
        if flags not in (ACCESS_READ, ACCESS_READ | ACCESS_WRITE):
            raise ProtocolError("undefined flags")
        if payload:
            raise ProtocolError("wrong payload length")
        data = True
    elif mtype == DATA_RETURN:
        if flags:
            raise ProtocolError("undefined flags")
        if payload != length:
            raise ProtocolError("wrong payload length")
        data = True
    else:                       # LOCK_COMPLETED
        if flags:
            raise ProtocolError("undefined flags")
        if payload != STATUS.size:
            raise ProtocolError("wrong payload length")
        data = False
    _check_range(offset, length, hello.page_size, hello.size,
                 hello.max_data if data else None)


def decode_hello(buf):
    """Decode and check hello's payload; returns a DeviceInfo (version 0)."""
    if not HELLO.size < len(buf) <= HELLO.size + NAME_MAX:
        raise ProtocolError("wrong payload length")
    (vmin, vmax, page_size, size, max_data, max_inflight, max_locks,
     features, timeout_ms, name_len, reserved) = HELLO.unpack_from(buf)
    if reserved:
        raise ProtocolError("reserved field not zero")
    if name_len != len(buf) - HELLO.size:
        raise ProtocolError("wrong payload length")
    if vmin == 0 or vmin > vmax:
        raise ProtocolError("no common protocol version")
    if (page_size < PAGE_SIZE_MIN or page_size > PAGE_SIZE_MAX or
            page_size & (page_size - 1)):
        raise ProtocolError("handshake field out of bounds")
    if size == 0 or size % page_size:
        raise ProtocolError("handshake field out of bounds")
    if (max_data < page_size or max_data > DATA_MAX or
            max_data % page_size):
        raise ProtocolError("handshake field out of bounds")
    if not (1 <= max_inflight <= INFLIGHT_MAX and
            1 <= max_locks <= LOCKS_MAX):
        raise ProtocolError("handshake field out of bounds")
    if features & ~DF_READONLY:
        raise ProtocolError("handshake field out of bounds")
    raw = bytes(buf[HELLO.size:])
    if any(c <= 0x20 or c >= 0x7F for c in raw):
        raise ProtocolError("bad device name")
    info = DeviceInfo(raw.decode("ascii"), size, page_size, max_data,
                      timeout_ms, 0, bool(features & DF_READONLY))
    info.version_min = vmin
    info.version_max = vmax
    info.max_locks = max_locks
    return info


class Pager:
    """An external pager.  Subclass it, or pass page_in/page_out callables.

    readonly: refuse every write (no page_out).  noreturn: the device is
    writable but dirty pages never come back (no page_out).
    """

    def __init__(self, page_in=None, page_out=None, readonly=False,
                 noreturn=False):
        if readonly and noreturn:
            raise ValueError("readonly and noreturn exclude each other")
        if page_in is not None:
            self.page_in = page_in
        if page_out is not None:
            self.page_out = page_out
        self.readonly = readonly
        self.noreturn = noreturn
        self.error = ""                 # why the last connection ended
        self._listener = None
        self._path = None
        self._path_ino = None
        self._stop_r, self._stop_w = os.pipe()
        os.set_blocking(self._stop_w, False)
        self._wlock = threading.Lock()  # one writer; taken before _lock
        self._lock = threading.Lock()
        self._sock = None               # [_wlock, _lock] when serving
        self._info = None
        self._locks = {}                # lock id -> (offset, length)
        self._lock_seq = 0
        self._stall = _HANDSHAKE_S

    # -- what a pager overrides ------------------------------------------

    def page_in(self, offset, length, access):
        """Return length bytes of the device at offset (or None)."""
        raise OSError(errno.EIO, "page_in not implemented")

    def page_out(self, offset, data):
        """Store the dirty bytes data, written at offset."""
        raise OSError(errno.EROFS, "page_out not implemented")

    def connected(self, info):
        """A daemon connected for the device info; raise OSError to refuse."""

    def disconnected(self, why):
        """The connection ended; why says how."""

    def revoked(self, lock_id, offset, length, error):
        """The daemon completed revoke lock_id (error: 0 or an errno)."""

    # -- running -----------------------------------------------------------

    def listen(self, path):
        """Listen on the UNIX socket path (a stale socket is replaced)."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            st = None
        if st is not None:
            if not stat.S_ISSOCK(st.st_mode):
                raise FileExistsError(errno.EEXIST, "not a socket", path)
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.connect(path)
            except ConnectionRefusedError:
                os.unlink(path)
            else:
                raise OSError(errno.EADDRINUSE, "a pager listens there",
                              path)
            finally:
                probe.close()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(path)
            s.listen(8)
        except BaseException:
            s.close()
            raise
        self._listener = s
        self._path = path
        self._path_ino = os.lstat(path).st_ino

    def run(self):
        """Accept the daemon's connections one after another until stop()."""
        if self._listener is None:
            raise ValueError("listen() first")
        while True:
            ready = self._poll(self._listener, None)
            if ready is None:
                return
            try:
                conn, _ = self._listener.accept()
            except (InterruptedError, ConnectionAbortedError):
                continue
            try:
                self.serve(conn)
            except (ProtocolError, OSError):
                pass            # that connection ended; wait for the next

    def run_forever(self, path):
        """listen(path), then run() until stop() or KeyboardInterrupt."""
        self.listen(path)
        try:
            self.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.close()

    def stop(self):
        """Make run()/serve() return.  Safe from a signal handler."""
        try:
            os.write(self._stop_w, b"x")
        except (BlockingIOError, OSError):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Stop listening, remove the socket this pager made, free all."""
        for fd in (self._stop_r, self._stop_w):
            if fd >= 0:
                os.close(fd)
        self._stop_r = self._stop_w = -1
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._path is not None:
            try:
                st = os.lstat(self._path)
                if stat.S_ISSOCK(st.st_mode) and st.st_ino == self._path_ino:
                    os.unlink(self._path)
            except OSError:
                pass
            self._path = None

    def serve(self, sock):
        """Serve one connected socket until the daemon ends it.

        Returns normally on terminate, end of stream or stop(); raises
        ProtocolError when the daemon breaks the protocol.  sock is closed.
        """
        self.error = ""
        served = False
        try:
            if not self._handshake(sock):
                return
            served = True
            self._loop(sock)
        except _Closed as e:
            self.error = str(e)
        except ProtocolError as e:
            self.error = "protocol violation: %s" % e
            raise
        except OSError as e:
            self.error = "connection ended: %s" % e
            raise
        finally:
            with self._wlock:
                with self._lock:
                    self._sock = None
                    self._locks.clear()
                sock.close()
            if served:
                self.disconnected(self.error)

    def revoke(self, offset, length, return_dirty=False):
        """Ask the daemon to revoke [offset, offset + length); a lock id.

        Every mapping of the range faults again afterwards.  With
        return_dirty, dirty pages come back through page_out first.
        Raises OSError: ENOTCONN (no daemon), EINVAL, EBUSY.
        """
        with self._wlock:
            with self._lock:
                sock, info = self._sock, self._info
                if sock is None:
                    raise OSError(errno.ENOTCONN, "no daemon connected")
                mask = info.page_size - 1
                if (length <= 0 or offset < 0 or offset & mask or
                        length & mask or offset > info.size or
                        length > info.size - offset or
                        length > 0xFFFFFFFF):
                    raise OSError(errno.EINVAL, "range out of the device")
                if len(self._locks) >= info.max_locks:
                    raise OSError(errno.EBUSY, "too many revokes outstanding")
                self._lock_seq += 1
                lock_id = self._lock_seq
                self._locks[lock_id] = (offset, length)
            try:
                sock.sendall(HDR.pack(MAGIC, LOCK_REQUEST,
                                      LOCK_RETURN if return_dirty else 0,
                                      lock_id, offset, length, 0))
            except OSError:
                with self._lock:
                    self._locks.pop(lock_id, None)
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                raise
        return lock_id

    # -- the protocol ------------------------------------------------------

    def _poll(self, sock, timeout):
        """Wait for sock (None: until stop(); else seconds): sock or None."""
        p = select.poll()
        p.register(sock, select.POLLIN)
        if timeout is None:
            p.register(self._stop_r, select.POLLIN)
        ready = p.poll(None if timeout is None else timeout * 1000)
        if any(fd == self._stop_r for fd, _ in ready):
            return None
        return sock if ready else False

    def _recv(self, sock, n, idle=False):
        """n bytes; idle: wait for the first one as long as it takes."""
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            if idle and got == 0:
                if self._poll(sock, None) is None:
                    raise _Closed("stopped")
            elif not self._poll(sock, self._stall):
                raise ProtocolError("message stalled")
            k = sock.recv_into(view[got:], n - got)
            if k == 0:
                if got == 0 and idle:
                    raise _Closed("connection ended: closed by the daemon")
                raise ProtocolError("connection closed inside a message")
            got += k
        return buf

    def _send(self, sock, data):
        with self._wlock:
            sock.sendall(data)

    def _terminate(self, sock, reason):
        raw = reason.encode("ascii", "replace")[:REASON_MAX]
        try:
            self._send(sock, HDR.pack(MAGIC, PAGER_TERMINATE, 0, 0, 0, 0,
                                      len(raw)) + raw)
        except OSError:
            pass

    def _handshake(self, sock):
        sock.setblocking(True)
        self._stall = _HANDSHAKE_S
        sock.settimeout(_HANDSHAKE_S)
        hdr = HDR.unpack(self._recv(sock, HDR.size, idle=True))
        check_header(*hdr, hello=None)
        if hdr[1] == TERMINATE:
            self.error = "the daemon terminated before hello"
            return False
        info = decode_hello(self._recv(sock, hdr[6]))
        version = min(info.version_max, PROTOCOL_VERSION)
        if version < info.version_min or version < PROTOCOL_VERSION_MIN:
            self._terminate(sock, "no common protocol version")
            raise ProtocolError("no common protocol version")
        info.version = version
        self._stall = max(info.timeout_ms / 1000.0, _STALL_MIN_S)
        sock.settimeout(self._stall)
        try:
            self.connected(info)
        except OSError as e:
            why = os.strerror(e.errno) if e.errno else str(e)
            self._terminate(sock, why)
            self.error = "refused device %s: %s" % (info.name, why)
            return False
        features = ((PF_READONLY if self.readonly else 0) |
                    (PF_NORETURN if self.noreturn else 0))
        with self._wlock:
            sock.sendall(HDR.pack(MAGIC, HELLO_REPLY_T, 0, 0, 0, 0,
                                  HELLO_REPLY.size) +
                         HELLO_REPLY.pack(version, 0, features, _INFLIGHT,
                                          0))
            with self._lock:
                self._sock = sock
                self._info = info
                self._locks.clear()
        return True

    @staticmethod
    def _status(err):
        if not isinstance(err, int) or err <= 0 or err > ERRNO_MAX:
            return errno.EIO
        return err

    def _loop(self, sock):
        info = self._info
        while True:
            hdr = HDR.unpack(self._recv(sock, HDR.size, idle=True))
            check_header(*hdr, hello=info)
            _, mtype, flags, mid, offset, length, payload = hdr
            if mtype == DATA_REQUEST:
                self._data_request(sock, mid, offset, length, flags)
            elif mtype == DATA_RETURN:
                if self.readonly or self.noreturn:
                    raise ProtocolError("data_return to a pager that "
                                        "takes none")
                data = self._recv(sock, length)
                try:
                    self.page_out(offset, bytes(data))
                    err = 0
                except OSError as e:
                    err = self._status(e.errno)
                self._send(sock, HDR.pack(MAGIC, RETURN_COMPLETED, 0, mid,
                                          offset, length, STATUS.size) +
                           STATUS.pack(err))
            elif mtype == LOCK_COMPLETED:
                (err,) = STATUS.unpack(self._recv(sock, STATUS.size))
                if err > ERRNO_MAX:
                    raise ProtocolError("error number out of range")
                with self._lock:
                    rng = self._locks.get(mid)
                    if rng is None:
                        raise ProtocolError("unknown or already answered id")
                    if rng != (offset, length):
                        raise ProtocolError("answer does not match its "
                                            "request")
                    del self._locks[mid]
                self.revoked(mid, offset, length, err)
            else:                       # TERMINATE
                raw = bytes(self._recv(sock, payload)) if payload else b""
                reason = "".join(chr(c) if 0x20 <= c < 0x7F else "?"
                                 for c in raw)
                raise _Closed("the daemon terminated: %s" % reason)

    def _data_request(self, sock, mid, offset, length, access):
        if access & ACCESS_WRITE and self.readonly:
            data, err = None, errno.EROFS
        else:
            try:
                data, err = self.page_in(offset, length, access), 0
            except OSError as e:
                data, err = None, self._status(e.errno)
            if data is not None and len(data) != length:
                data, err = None, errno.EIO
        if err:
            msg = (HDR.pack(MAGIC, DATA_ERROR, 0, mid, offset, length,
                            STATUS.size) + STATUS.pack(err))
        elif data is None:
            msg = HDR.pack(MAGIC, DATA_UNAVAILABLE, 0, mid, offset, length, 0)
        else:
            msg = HDR.pack(MAGIC, DATA_SUPPLY, 0, mid, offset, length,
                           length)
            with self._wlock:
                sock.sendall(msg)
                sock.sendall(data)
            return
        self._send(sock, msg)
