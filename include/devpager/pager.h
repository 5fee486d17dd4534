/*
 * <devpager/pager.h>: write an external pager for devpagerfs in C
 * (libdevpager-pager, devpager_pager(3); the protocol is
 * devpager_protocol(5)).
 *
 * An external pager is a process that supplies the contents of one
 * devpagerfs device (driver=pager socket=PATH) and takes its dirty pages
 * back.  The library listens on the UNIX socket PATH, accepts the
 * daemon's connection, shakes hands and runs the loop: each data_request
 * calls page_in(), each data_return calls page_out(), and the answer goes
 * back.  devpager_pager_revoke() asks the daemon to take a range away
 * from every mapping, so that the next access faults again and sees what
 * page_in() supplies then.
 *
 *	static int
 *	my_page_in(void *arg, uint64_t off, void *buf, size_t len,
 *	    unsigned access)
 *	{
 *		fill(buf, off, len);
 *		return (0);
 *	}
 *
 *	static const struct devpager_pager_ops ops = {
 *		.page_in = my_page_in,
 *	};
 *
 *	p = devpager_pager_new(&ops, NULL, DEVPAGER_PAGER_READONLY);
 *	if (p == NULL || devpager_pager_listen(p, "/run/my.sock") != 0 ||
 *	    devpager_pager_run(p) != 0)
 *		err(1, "%s", p != NULL ? devpager_pager_error(p) : "new");
 *
 * Build with `pkg-config --cflags --libs devpager-pager`.
 *
 * Threads.  The callbacks run on the thread in devpager_pager_run() (or
 * devpager_pager_serve_fd()), one at a time, in the order the requests
 * arrive; the daemon may have several outstanding and accepts answers in
 * any order, so a slow page_in() only delays those behind it.
 * devpager_pager_revoke() and devpager_pager_stop() may be called from
 * any thread, the callbacks included; devpager_pager_stop() also from a
 * signal handler.  One daemon connection is served at a time.
 */
#ifndef _DEVPAGER_PAGER_H_
#define _DEVPAGER_PAGER_H_

#include <stddef.h>
#include <stdint.h>

#include <devpager/pager_proto.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	DEVPAGER_PAGER_API_VERSION	1

/* devpager_pager_new() flags: what the pager supports (hello_reply). */
#define	DEVPAGER_PAGER_READONLY	0x0001	/* refuse writes; no page_out */
#define	DEVPAGER_PAGER_NORETURN	0x0002	/* writable, dirty pages never
					   come back (no page_out) */

/* page_in(): no contents for this range; the daemon zero-fills it. */
#define	DEVPAGER_PAGER_UNAVAILABLE	(-1)

/* What the daemon said in its hello (valid during connected()). */
struct devpager_pager_info {
	const char	*name;		/* the device's name */
	uint64_t	 size;		/* device bytes */
	uint32_t	 page_size;	/* offsets and lengths are multiples */
	uint32_t	 max_data;	/* largest page_in/page_out length */
	uint32_t	 timeout_ms;	/* the daemon's request timeout */
	uint16_t	 version;	/* protocol version agreed */
	int		 readonly;	/* the device was created read-only */
};

struct devpager_pager_ops {
	/*
	 * Fill buf with len bytes of the device at off (access:
	 * DPP_ACCESS_READ, | DPP_ACCESS_WRITE for a write fault).  Return
	 * 0, DEVPAGER_PAGER_UNAVAILABLE, or an errno (the faulting
	 * application gets SIGBUS).  Required.
	 */
	int	(*page_in)(void *arg, uint64_t off, void *buf, size_t len,
		    unsigned access);
	/*
	 * Store len dirty bytes written at off: 0, or an errno (msync or
	 * fsync fails with EIO).  NULL: the pager must be created with
	 * DEVPAGER_PAGER_READONLY or DEVPAGER_PAGER_NORETURN.
	 */
	int	(*page_out)(void *arg, uint64_t off, const void *buf,
		    size_t len);
	/* A daemon connected: 0 accepts, an errno refuses.  Optional. */
	int	(*connected)(void *arg, const struct devpager_pager_info *info);
	/* The connection ended (why: for logs).  Optional. */
	void	(*disconnected)(void *arg, const char *why);
	/*
	 * The daemon completed revoke id: every mapping of the range
	 * faults again (error 0), or it could not (an errno).  Optional.
	 */
	void	(*revoked)(void *arg, uint64_t id, uint64_t off, uint64_t len,
		    int error);
};

struct devpager_pager;

/* A pager with ops (copied) and flags; NULL with errno set. */
struct devpager_pager *devpager_pager_new(const struct devpager_pager_ops *ops,
	    void *arg, unsigned flags);
void	devpager_pager_free(struct devpager_pager *p);

/*
 * Listen on the UNIX socket path (mode from the umask; a stale socket
 * nobody listens on is replaced).  0, or an errno: EADDRINUSE (a live
 * pager listens there), EEXIST (path is not a socket), ENAMETOOLONG...
 */
int	devpager_pager_listen(struct devpager_pager *p, const char *path);
/*
 * Accept daemon connections one after another and serve each until it
 * ends, until devpager_pager_stop().  0 after a stop, or an errno of
 * accept(2).  A connection that breaks the protocol is dropped (and
 * reported through disconnected()), not fatal.
 */
int	devpager_pager_run(struct devpager_pager *p);
/*
 * Serve one connected socket (for tests, socket activation, inetd).
 * 0 when the daemon sent terminate, closed the connection, or
 * devpager_pager_stop() was called; EPROTO when it broke the protocol;
 * another errno on an I/O error.  fd is closed on return.
 */
int	devpager_pager_serve_fd(struct devpager_pager *p, int fd);
/* Make run/serve_fd return.  Async-signal-safe. */
void	devpager_pager_stop(struct devpager_pager *p);

/*
 * Ask the daemon to revoke [off, off + len) (page-aligned, inside the
 * device): every mapping of it faults again.  flags DPP_LOCK_RETURN:
 * dirty pages come back through page_out() first.  Returns at once;
 * revoked() reports the completion.  0 (*idp set if idp is not NULL),
 * ENOTCONN (no daemon connected), EINVAL, EBUSY (as many revokes
 * outstanding as the daemon allows), or an I/O error.
 */
int	devpager_pager_revoke(struct devpager_pager *p, uint64_t off,
	    uint64_t len, unsigned flags, uint64_t *idp);

/* The last error or end of a connection, as text. */
const char *devpager_pager_error(struct devpager_pager *p);

#ifdef __cplusplus
}
#endif

#endif /* !_DEVPAGER_PAGER_H_ */
