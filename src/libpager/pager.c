/*
 * libdevpager-pager: the pager's end of devpager_protocol(5), for
 * external pagers written in C (<devpager/pager.h>, devpager_pager(3)).
 *
 * One thread serves a connection: it reads a message, calls page_in()
 * or page_out(), writes the answer.  Other threads only write
 * (devpager_pager_revoke) and read the lock table.  Every message from
 * the daemon is checked as the daemon checks the pager's: the codec's
 * checks, then ours (a data_return when we said we take none, a
 * lock_completed for a lock we did not request); a violation ends the
 * connection with EPROTO.  The only buffer is one of hello.max_data
 * bytes (at most DPP_DATA_MAX), made at the handshake.
 *
 * Locks:
 *	[w]	p_wmtx: one writer at a time on the connection; taken
 *		before p_mtx
 *	[m]	p_mtx
 *	[s]	the serving thread only
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <devpager/pager.h>

#include "pager_io.h"

#define	PAGER_INFLIGHT		64	/* max_inflight we announce */
#define	PAGER_HANDSHAKE_MS	10000	/* hello must arrive within */
#define	PAGER_STALL_MIN_MS	1000	/* a begun message, at least */

struct pager_lock {
	uint64_t	id;
	uint64_t	off;
	uint64_t	len;
};

struct devpager_pager {
	struct devpager_pager_ops p_ops;	/* constant */
	void		*p_arg;
	unsigned	 p_flags;
	int		 p_listen_fd;
	char		*p_path;		/* bound by us, or NULL */
	ino_t		 p_path_ino;
	int		 p_stop[2];		/* self-pipe of stop() */

	pthread_mutex_t	 p_wmtx;
	pthread_mutex_t	 p_mtx;
	int		 p_fd;			/* [w,m] serving, or -1 */
	struct dpp_hello p_hello;		/* [m] of the connection */
	struct dpp_limits p_lim;		/* [m] */
	uint64_t	 p_lock_seq;		/* [m] */
	struct pager_lock p_locks[DPP_LOCKS_MAX]; /* [m] id 0: free */
	unsigned	 p_nlocks;		/* [m] */

	uint8_t		*p_buf;			/* [s] max_data bytes */
	size_t		 p_buflen;		/* [s] */
	unsigned	 p_stall_ms;		/* [s] */
	char		 p_err[256];		/* [s] */
};

/* How pager_io waits: pager_wait's arguments. */
struct pager_waiter {
	struct devpager_pager *pw_p;
	int		 pw_ms;
	bool		 pw_stoppable;
};

static void	pager_seterr(struct devpager_pager *p, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static int	pager_wait(struct devpager_pager *p, int fd, short events,
		    int ms, bool stoppable);
static int	pager_waiter_wait(void *arg, int fd, short events);
static int	pager_read(struct devpager_pager *p, int fd, void *buf,
		    size_t len, unsigned ms);
static int	pager_write(struct devpager_pager *p, int fd,
		    const struct dpp_hdr *h, const void *payload);
static int	pager_send(struct devpager_pager *p, int fd, uint16_t type,
		    const struct dpp_hdr *req, const void *payload);
static int	pager_handshake(struct devpager_pager *p, int fd);
static int	pager_loop(struct devpager_pager *p, int fd);
static int	pager_violation(struct devpager_pager *p,
		    const struct dpp_hdr *h, int v);

static void
pager_seterr(struct devpager_pager *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->p_err, sizeof(p->p_err), fmt, ap);
	va_end(ap);
}

struct devpager_pager *
devpager_pager_new(const struct devpager_pager_ops *ops, void *arg,
    unsigned flags)
{
	struct devpager_pager *p;
	int i;

	if (ops == NULL || ops->page_in == NULL ||
	    (flags & ~(DEVPAGER_PAGER_READONLY | DEVPAGER_PAGER_NORETURN)) != 0 ||
	    flags == (DEVPAGER_PAGER_READONLY | DEVPAGER_PAGER_NORETURN) ||
	    (ops->page_out == NULL && flags == 0)) {
		errno = EINVAL;
		return (NULL);
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return (NULL);
	p->p_ops = *ops;
	p->p_arg = arg;
	p->p_flags = flags;
	p->p_listen_fd = -1;
	p->p_fd = -1;
	if (pipe2(p->p_stop, O_CLOEXEC | O_NONBLOCK) != 0) {
		free(p);
		return (NULL);
	}
	pthread_mutex_init(&p->p_wmtx, NULL);
	pthread_mutex_init(&p->p_mtx, NULL);
	for (i = 0; i < DPP_LOCKS_MAX; i++)
		p->p_locks[i].id = 0;
	return (p);
}

void
devpager_pager_free(struct devpager_pager *p)
{
	struct stat sb;

	if (p == NULL)
		return;
	if (p->p_listen_fd >= 0)
		close(p->p_listen_fd);
	/* Remove the socket we made, if it is still ours. */
	if (p->p_path != NULL && lstat(p->p_path, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode) && sb.st_ino == p->p_path_ino)
		unlink(p->p_path);
	free(p->p_path);
	close(p->p_stop[0]);
	close(p->p_stop[1]);
	pthread_mutex_destroy(&p->p_wmtx);
	pthread_mutex_destroy(&p->p_mtx);
	free(p->p_buf);
	free(p);
}

const char *
devpager_pager_error(struct devpager_pager *p)
{

	return (p->p_err);
}

void
devpager_pager_stop(struct devpager_pager *p)
{
	int saved;

	saved = errno;
	(void)write(p->p_stop[1], "x", 1);	/* full: already stopping */
	errno = saved;
}

int
devpager_pager_listen(struct devpager_pager *p, const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	int error, fd, probe;

	if (p->p_listen_fd >= 0)
		return (EBUSY);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (ENAMETOOLONG);
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return (EEXIST);
		/* A socket: replace it only if nobody answers there. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe < 0)
			return (errno);
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			return (EADDRINUSE);
		}
		error = errno;
		close(probe);
		if (error != ECONNREFUSED)
			return (error == EAGAIN ? EADDRINUSE : error);
		if (unlink(path) != 0)
			return (errno);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return (errno);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 8) != 0 || lstat(path, &sb) != 0) {
		error = errno;
		close(fd);
		return (error);
	}
	p->p_path = strdup(path);
	if (p->p_path == NULL) {
		close(fd);
		unlink(path);
		return (ENOMEM);
	}
	p->p_path_ino = sb.st_ino;
	p->p_listen_fd = fd;
	return (0);
}

int
devpager_pager_run(struct devpager_pager *p)
{
	struct pollfd pfd[2];
	int fd;

	if (p->p_listen_fd < 0)
		return (EINVAL);
	for (;;) {
		pfd[0].fd = p->p_listen_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = p->p_stop[0];
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return (errno);
		}
		if (pfd[1].revents != 0)
			return (0);
		if (pfd[0].revents == 0)
			continue;
		fd = accept4(p->p_listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EAGAIN || errno == EPROTO)
				continue;
			return (errno);
		}
		/* A connection that breaks the protocol ends, not the loop. */
		(void)devpager_pager_serve_fd(p, fd);
	}
}

/*
 * Wait until fd has events or, if stoppable, stop() was called, at most
 * ms (-1: forever).  0, ECANCELED (stopped), ETIMEDOUT, or an errno.
 */
static int
pager_wait(struct devpager_pager *p, int fd, short events, int ms,
    bool stoppable)
{
	struct pollfd pfd[2];
	int n;

	for (;;) {
		pfd[0].fd = fd;
		pfd[0].events = events;
		pfd[0].revents = 0;
		pfd[1].fd = p->p_stop[0];
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		n = poll(pfd, stoppable ? 2 : 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (errno);
		if (pfd[1].revents != 0)
			return (ECANCELED);
		return (n == 0 ? ETIMEDOUT : 0);
	}
}

/* pager_wait as pager_io's wait. */
static int
pager_waiter_wait(void *arg, int fd, short events)
{
	struct pager_waiter *w = arg;

	return (pager_wait(w->pw_p, fd, events, w->pw_ms, w->pw_stoppable));
}

/*
 * Read len bytes, each wait at most ms.  0, ECONNRESET (end of stream),
 * ETIMEDOUT, ECANCELED, or an errno.
 */
static int
pager_read(struct devpager_pager *p, int fd, void *buf, size_t len,
    unsigned ms)
{
	struct pager_waiter w;

	w.pw_p = p;
	w.pw_ms = (int)ms;
	w.pw_stoppable = true;
	return (pager_io_recv(fd, buf, len, NULL, pager_waiter_wait, &w));
}

/* Write one message; the caller holds p_wmtx.  0 or an errno. */
static int
pager_write(struct devpager_pager *p, int fd, const struct dpp_hdr *h,
    const void *payload)
{
	uint8_t hbuf[DPP_HDR_SIZE];
	struct pager_waiter w;

	dpp_hdr_encode(hbuf, h);
	/* stop() does not cut a message short. */
	w.pw_p = p;
	w.pw_ms = (int)p->p_stall_ms;
	w.pw_stoppable = false;
	return (pager_io_send(fd, hbuf, DPP_HDR_SIZE, payload, h->payload,
	    NULL, pager_waiter_wait, &w));
}

/*
 * Send a message of type answering req (same id, offset, length), with
 * payload (a status, data) of the type's size.
 */
static int
pager_send(struct devpager_pager *p, int fd, uint16_t type,
    const struct dpp_hdr *req, const void *payload)
{
	struct dpp_hdr h;
	int error;

	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = type;
	h.id = req->id;
	h.offset = req->offset;
	h.length = req->length;
	if (type == DPP_DATA_SUPPLY)
		h.payload = req->length;
	else if (type == DPP_DATA_ERROR || type == DPP_RETURN_COMPLETED)
		h.payload = DPP_STATUS_SIZE;
	pthread_mutex_lock(&p->p_wmtx);
	error = pager_write(p, fd, &h, payload);
	pthread_mutex_unlock(&p->p_wmtx);
	return (error);
}

/* Send a terminate with reason (before or after the handshake). */
static void
pager_terminate(struct devpager_pager *p, int fd, const char *reason)
{
	struct dpp_hdr h;
	size_t n;

	n = strlen(reason);
	if (n > DPP_REASON_MAX)
		n = DPP_REASON_MAX;
	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = DPP_PAGER_TERMINATE;
	h.payload = (uint32_t)n;
	pthread_mutex_lock(&p->p_wmtx);
	(void)pager_write(p, fd, &h, reason);
	pthread_mutex_unlock(&p->p_wmtx);
}

static int
pager_violation(struct devpager_pager *p, const struct dpp_hdr *h, int v)
{

	pager_seterr(p, "protocol violation: %s (%s, id %#llx, offset %#llx, "
	    "length %#x, payload %u)", dpp_violation_name(v),
	    dpp_type_name(h->type) != NULL ? dpp_type_name(h->type) : "?",
	    (unsigned long long)h->id, (unsigned long long)h->offset,
	    h->length, h->payload);
	return (EPROTO);
}

static int
pager_handshake(struct devpager_pager *p, int fd)
{
	uint8_t buf[DPP_HELLO_SIZE + DPP_NAME_MAX];
	uint8_t rbuf[DPP_HELLO_REPLY_SIZE];
	struct devpager_pager_info info;
	struct dpp_hello_reply reply;
	struct dpp_hello hello;
	struct dpp_hdr h;
	uint8_t *nbuf;
	int error, v;

	p->p_stall_ms = PAGER_HANDSHAKE_MS;
	error = pager_read(p, fd, buf, DPP_HDR_SIZE, PAGER_HANDSHAKE_MS);
	if (error != 0) {
		pager_seterr(p, "no hello: %s", strerror(error));
		return (error == ECANCELED ? 0 : error);
	}
	dpp_hdr_decode(buf, &h);
	v = dpp_hdr_check(&h, DPP_FROM_DAEMON, NULL);
	if (v != DPP_OK)
		return (pager_violation(p, &h, v));
	if (h.type == DPP_TERMINATE) {
		pager_seterr(p, "the daemon terminated before hello");
		return (0);
	}
	error = pager_read(p, fd, buf, h.payload, PAGER_HANDSHAKE_MS);
	if (error != 0) {
		pager_seterr(p, "hello: %s", strerror(error));
		return (error == ECANCELED ? 0 : error);
	}
	v = dpp_hello_decode(buf, h.payload, &hello);
	if (v != DPP_OK)
		return (pager_violation(p, &h, v));

	memset(&reply, 0, sizeof(reply));
	reply.version = hello.version_max < DPP_VERSION ? hello.version_max :
	    DPP_VERSION;
	if (reply.version < hello.version_min ||
	    reply.version < DPP_VERSION_MIN) {
		pager_terminate(p, fd, "no common protocol version");
		pager_seterr(p, "no common protocol version (daemon %u..%u)",
		    hello.version_min, hello.version_max);
		return (EPROTO);
	}
	if (hello.max_data > p->p_buflen) {
		nbuf = realloc(p->p_buf, hello.max_data);
		if (nbuf == NULL) {
			pager_terminate(p, fd, "out of memory");
			pager_seterr(p, "no memory for %u-byte pages",
			    hello.max_data);
			return (ENOMEM);
		}
		p->p_buf = nbuf;
		p->p_buflen = hello.max_data;
	}
	p->p_stall_ms = hello.timeout_ms > PAGER_STALL_MIN_MS ?
	    hello.timeout_ms : PAGER_STALL_MIN_MS;
	if (p->p_ops.connected != NULL) {
		memset(&info, 0, sizeof(info));
		info.name = hello.name;
		info.size = hello.size;
		info.page_size = hello.page_size;
		info.max_data = hello.max_data;
		info.timeout_ms = hello.timeout_ms;
		info.version = reply.version;
		info.readonly = (hello.features & DPP_DF_READONLY) != 0;
		error = p->p_ops.connected(p->p_arg, &info);
		if (error != 0) {
			pager_terminate(p, fd, strerror(error));
			pager_seterr(p, "refused device %s: %s", hello.name,
			    strerror(error));
			return (0);
		}
	}
	reply.features = ((p->p_flags & DEVPAGER_PAGER_READONLY) != 0 ?
	    DPP_PF_READONLY : 0) |
	    ((p->p_flags & DEVPAGER_PAGER_NORETURN) != 0 ? DPP_PF_NORETURN : 0);
	reply.max_inflight = PAGER_INFLIGHT;
	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = DPP_HELLO_REPLY;
	h.payload = DPP_HELLO_REPLY_SIZE;
	dpp_hello_reply_encode(rbuf, &reply);
	/*
	 * Published before the reply goes out, so that a revoke made as
	 * soon as the daemon is up finds the connection; p_wmtx keeps it
	 * from writing before the reply.
	 */
	pthread_mutex_lock(&p->p_wmtx);
	pthread_mutex_lock(&p->p_mtx);
	p->p_fd = fd;
	p->p_hello = hello;
	dpp_hello_limits(&hello, &p->p_lim);
	memset(p->p_locks, 0, sizeof(p->p_locks));
	p->p_nlocks = 0;
	pthread_mutex_unlock(&p->p_mtx);
	error = pager_write(p, fd, &h, rbuf);
	if (error != 0) {
		pthread_mutex_lock(&p->p_mtx);
		p->p_fd = -1;
		pthread_mutex_unlock(&p->p_mtx);
	}
	pthread_mutex_unlock(&p->p_wmtx);
	if (error != 0) {
		pager_seterr(p, "cannot send hello_reply: %s",
		    strerror(error));
		return (error);
	}
	return (-1);	/* serving */
}

int
devpager_pager_serve_fd(struct devpager_pager *p, int fd)
{
	int error, fl;

	p->p_err[0] = '\0';
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		error = errno;
		close(fd);
		return (error);
	}
	error = pager_handshake(p, fd);
	if (error == -1) {
		error = pager_loop(p, fd);
		pthread_mutex_lock(&p->p_wmtx);
		pthread_mutex_lock(&p->p_mtx);
		p->p_fd = -1;
		p->p_nlocks = 0;
		pthread_mutex_unlock(&p->p_mtx);
		close(fd);
		pthread_mutex_unlock(&p->p_wmtx);
		if (p->p_ops.disconnected != NULL)
			p->p_ops.disconnected(p->p_arg, p->p_err);
	} else
		close(fd);
	return (error);
}

/* Serve one connection after the handshake: 0 or an errno. */
static int
pager_loop(struct devpager_pager *p, int fd)
{
	uint8_t hbuf[DPP_HDR_SIZE], sbuf[DPP_STATUS_SIZE];
	char reason[DPP_REASON_MAX + 1];
	struct dpp_limits lim;
	struct pager_lock lk;
	struct dpp_hdr h;
	uint32_t status;
	unsigned i;
	int error, r, v;

	pthread_mutex_lock(&p->p_mtx);
	lim = p->p_lim;
	pthread_mutex_unlock(&p->p_mtx);
	for (;;) {
		error = pager_wait(p, fd, POLLIN, -1, true);
		if (error == ECANCELED) {
			pager_terminate(p, fd, "pager stopped");
			pager_seterr(p, "stopped");
			return (0);
		}
		if (error != 0)
			return (error);
		error = pager_read(p, fd, hbuf, DPP_HDR_SIZE, p->p_stall_ms);
		if (error != 0) {
			pager_seterr(p, "connection ended: %s", error ==
			    ECONNRESET ? "closed by the daemon" :
			    strerror(error));
			return (error == ECONNRESET || error == ECANCELED ?
			    0 : error);
		}
		dpp_hdr_decode(hbuf, &h);
		v = dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim);
		if (v != DPP_OK)
			return (pager_violation(p, &h, v));

		switch (h.type) {
		case DPP_DATA_REQUEST:
			if ((h.flags & DPP_ACCESS_WRITE) != 0 &&
			    (p->p_flags & DEVPAGER_PAGER_READONLY) != 0)
				r = EROFS;
			else
				r = p->p_ops.page_in(p->p_arg, h.offset,
				    p->p_buf, h.length, h.flags);
			if (r == 0)
				error = pager_send(p, fd, DPP_DATA_SUPPLY, &h,
				    p->p_buf);
			else if (r == DEVPAGER_PAGER_UNAVAILABLE)
				error = pager_send(p, fd,
				    DPP_DATA_UNAVAILABLE, &h, NULL);
			else {
				if (r < 0 || r > DPP_ERRNO_MAX)
					r = EIO;
				dpp_status_encode(sbuf, (uint32_t)r);
				error = pager_send(p, fd, DPP_DATA_ERROR, &h,
				    sbuf);
			}
			break;
		case DPP_DATA_RETURN:
			if ((p->p_flags & (DEVPAGER_PAGER_READONLY |
			    DEVPAGER_PAGER_NORETURN)) != 0)
				return (pager_violation(p, &h,
				    DPP_E_DIRECTION));
			error = pager_read(p, fd, p->p_buf, h.length,
			    p->p_stall_ms);
			if (error != 0)
				break;
			r = p->p_ops.page_out(p->p_arg, h.offset, p->p_buf,
			    h.length);
			if (r < 0 || r > DPP_ERRNO_MAX)
				r = EIO;
			dpp_status_encode(sbuf, (uint32_t)r);
			error = pager_send(p, fd, DPP_RETURN_COMPLETED, &h,
			    sbuf);
			break;
		case DPP_LOCK_COMPLETED:
			error = pager_read(p, fd, sbuf, sizeof(sbuf),
			    p->p_stall_ms);
			if (error != 0)
				break;
			v = dpp_status_decode(sbuf, 0, &status);
			if (v != DPP_OK)
				return (pager_violation(p, &h, v));
			pthread_mutex_lock(&p->p_mtx);
			for (i = 0; i < DPP_LOCKS_MAX; i++)
				if (p->p_locks[i].id == h.id)
					break;
			if (i == DPP_LOCKS_MAX) {
				pthread_mutex_unlock(&p->p_mtx);
				return (pager_violation(p, &h, DPP_E_ID));
			}
			lk = p->p_locks[i];
			if (lk.off != h.offset || lk.len != h.length) {
				pthread_mutex_unlock(&p->p_mtx);
				return (pager_violation(p, &h,
				    DPP_E_MISMATCH));
			}
			p->p_locks[i].id = 0;
			p->p_nlocks--;
			pthread_mutex_unlock(&p->p_mtx);
			if (p->p_ops.revoked != NULL)
				p->p_ops.revoked(p->p_arg, lk.id, lk.off,
				    lk.len, (int)status);
			break;
		case DPP_TERMINATE:
			error = pager_read(p, fd, reason, h.payload,
			    p->p_stall_ms);
			if (error != 0)
				break;
			reason[h.payload] = '\0';
			for (i = 0; i < h.payload; i++)
				if (reason[i] < 0x20 || reason[i] >= 0x7f)
					reason[i] = '?';
			pager_seterr(p, "the daemon terminated: %s", reason);
			return (0);
		default:
			return (pager_violation(p, &h, DPP_E_DIRECTION));
		}
		if (error != 0) {
			pager_seterr(p, "connection ended: %s",
			    strerror(error));
			return (error == ECONNRESET || error == ECANCELED ?
			    0 : error);
		}
	}
}

int
devpager_pager_revoke(struct devpager_pager *p, uint64_t off, uint64_t len,
    unsigned flags, uint64_t *idp)
{
	struct dpp_hdr h;
	uint64_t mask;
	unsigned i;
	int error, fd;

	if ((flags & ~DPP_LOCK_RETURN) != 0)
		return (EINVAL);
	pthread_mutex_lock(&p->p_wmtx);
	pthread_mutex_lock(&p->p_mtx);
	fd = p->p_fd;
	if (fd < 0) {
		error = ENOTCONN;
		goto out;
	}
	mask = (uint64_t)p->p_lim.page_size - 1;
	if (len == 0 || (off & mask) != 0 || (len & mask) != 0 ||
	    off > p->p_lim.size || len > p->p_lim.size - off ||
	    len > UINT32_MAX) {
		error = EINVAL;
		goto out;
	}
	if (p->p_nlocks >= p->p_hello.max_locks) {
		error = EBUSY;
		goto out;
	}
	for (i = 0; i < DPP_LOCKS_MAX; i++)
		if (p->p_locks[i].id == 0)
			break;
	p->p_locks[i].id = ++p->p_lock_seq;
	p->p_locks[i].off = off;
	p->p_locks[i].len = len;
	p->p_nlocks++;
	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = DPP_LOCK_REQUEST;
	h.flags = (uint16_t)flags;
	h.id = p->p_locks[i].id;
	h.offset = off;
	h.length = (uint32_t)len;
	pthread_mutex_unlock(&p->p_mtx);
	error = pager_write(p, fd, &h, NULL);
	pthread_mutex_lock(&p->p_mtx);
	if (error != 0) {
		/* The connection is broken; the serving thread will see. */
		(void)shutdown(fd, SHUT_RDWR);
		if (p->p_fd == fd && p->p_locks[i].id == h.id) {
			p->p_locks[i].id = 0;
			p->p_nlocks--;
		}
	} else if (idp != NULL)
		*idp = h.id;
out:
	pthread_mutex_unlock(&p->p_mtx);
	pthread_mutex_unlock(&p->p_wmtx);
	return (error);
}
