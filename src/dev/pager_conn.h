/*
 * pager_conn: the daemon's end of one external pager's connection
 * (devpager_protocol(5)), independent of FUSE and of any driver.
 *
 * A pager_conn connects to a UNIX stream socket where an external pager
 * listens, shakes hands (hello / hello_reply), and then carries Mach's
 * memory-object messages: data_request answered by data_supply,
 * data_unavailable or data_error; data_return answered by
 * return_completed; lock_request from the pager answered by
 * lock_completed; terminate either way.
 *
 * Threads.  The caller's thread sends its own request and sleeps until
 * the answer, a timeout or the loss of the connection; each connection
 * has a reader thread, which receives every message and copies
 * data_supply's bytes straight into the waiting caller's buffer, and an
 * event thread, which runs the driver's callbacks (pco_up, pco_lock,
 * pco_down) and sends lock_completed, so that the reader never blocks on
 * the driver or on a send.  Requests carry ids (a sequence number and a
 * slot index, never reused); the pager may answer them in any order,
 * up to max_inflight at once.
 *
 * Failure.  Every wait is bounded by the request timeout (pcp_timeout_ms,
 * default PAGER_CONN_TIMEOUT_DEFAULT_MS): connecting and the handshake,
 * waiting for a free slot, sending, the answer.  A request that times out
 * returns ETIMEDOUT and its slot stays taken until the late answer comes
 * (which is then read and dropped); the connection stays up.  A message
 * that once begun does not arrive in full within the timeout, a closed
 * connection, and every protocol violation (what the codec checks in
 * <devpager/pager_proto.h>, plus: an id not in flight or answered twice,
 * an answer whose offset or length differs from its request, a
 * lock_request id already outstanding, more lock_requests than
 * max_locks) drop the connection: it is logged, shut down, every waiter
 * fails (ECONNRESET), and the next request (or pager_conn_connect)
 * connects again.  Nothing the pager sends makes the daemon allocate:
 * every buffer is the caller's or fixed at creation.
 *
 * HOW THE pager DRIVER USES THIS (phase B of issue #14)
 *
 *   create:  pager_conn_create() with socket=PATH, the device's name and
 *	size, max_data = fault_pages * PAGE_SIZE (the largest READ one fault
 *	brings), readonly as configured, and ops.  It does not connect: the
 *	first fault does (or call pager_conn_connect() to fail the create
 *	early, if the driver wants that).
 *   fault:   the fault handler (cdev_pager_ops.cdev_pg_fault or populate)
 *	calls pager_conn_request(conn, off, len, access, dst) with dst the
 *	host address of the window pages being filled, and fails the fault
 *	(VM_PAGER_ERROR -> EIO -> SIGBUS) on any nonzero return.  It may be
 *	called with the object lock held: the conn lock is a leaf and the
 *	callbacks never run on the calling thread.
 *   write-back: FUSE WRITE of a dirty range, fsync and the shutdown's
 *	write-back call pager_conn_return(conn, off, len, src); its error is
 *	the error fsync reports.  Skip it when the stats' features say
 *	DPP_PF_NORETURN; refuse writes (EROFS) for DPP_PF_READONLY.
 *   lock_request: pco_lock(arg, lk) runs on the event thread; revoke the
 *	range (cdev_pager_free_page / pmap_remove_all, then the kernel's
 *	cache through fs_inval_enqueue_done), and when the last invalidation
 *	was sent call pager_conn_lock_completed(conn, lk, 0) -- return
 *	PAGER_CONN_LOCK_LATER from pco_lock when completing later, or the
 *	status (0 or an errno) to complete at once.  With DPP_LOCK_RETURN in
 *	lk->pl_flags, dirty pages must go back (pager_conn_return) before
 *	completion: the kernel's invalidation launders them as WRITEs, so
 *	completing from the invalidation's done callback is enough.
 *	Completions for a connection that has gone are ignored.
 *   new pager: pco_up(arg, gen, reply) runs on the event thread for a
 *	new connection, before any of its lock requests: a restarted pager
 *	may hold other contents, so revoke every page the device has cached.
 *	pco_down(arg, gen, why) runs when it ends.  The event thread reports
 *	what it finds when it looks: a connection that came and went before
 *	it looked is not reported at all, only its successor's pco_up (gen
 *	> 1 all the same, so the revocation still happens).  No connect
 *	waits for the event thread: its pco_up may be waiting for a fault
 *	that is itself waiting for the connect.
 *   vm/devices: pager_conn_stats() -- state name, in flight, errors,
 *	timeouts, violations, connects, last error.
 *   ctl:     pager_conn_connect() ("reconnect"), pager_conn_disconnect().
 *   destroy: pager_conn_destroy() after the last fault and write-back:
 *	it sends terminate, fails what still waits and joins the threads.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after pager_conn_create()
 *	(m)	pc_mtx (a leaf, LOCK_RANK_LEAF)
 *	(r)	the reader thread only
 */
#ifndef _DEV_PAGER_CONN_H_
#define _DEV_PAGER_CONN_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devpager/pager_proto.h>

#define	PAGER_CONN_TIMEOUT_DEFAULT_MS	5000
#define	PAGER_CONN_INFLIGHT_DEFAULT	64
#define	PAGER_CONN_LOCKS		16	/* max_locks in hello */
#define	PAGER_CONN_ERRMSG_MAX		160
#define	PAGER_CONN_LOCK_LATER		(-1)	/* pco_lock completes later */

struct pager_conn;

enum pager_conn_state {
	PAGER_CONN_DOWN,	/* no connection; a request connects */
	PAGER_CONN_CONNECTING,	/* connect and handshake under way */
	PAGER_CONN_UP,		/* handshake done */
	PAGER_CONN_CLOSED,	/* being destroyed: no reconnect */
};

/* A lock_request, as the driver sees it. */
struct pager_conn_lock {
	uint64_t	pl_gen;		/* the connection it came on */
	uint64_t	pl_id;		/* the pager's id */
	uint64_t	pl_offset;	/* bytes, page-aligned */
	uint64_t	pl_length;
	unsigned	pl_flags;	/* DPP_LOCK_RETURN */
};

/*
 * The driver's callbacks; each may be NULL.  They run on the
 * connection's event thread with no lock of pager_conn held, may block
 * and may
 * call any pager_conn function but pager_conn_destroy.
 *	pco_up		a connection is up (gen numbers connections, from 1)
 *	pco_lock	revoke lk's range; 0 or an errno completes it now,
 *			PAGER_CONN_LOCK_LATER defers to
 *			pager_conn_lock_completed().  NULL: completed at once.
 *	pco_down	the connection gen has ended (why: for logs)
 */
struct pager_conn_ops {
	void	(*pco_up)(void *arg, uint64_t gen,
		    const struct dpp_hello_reply *reply);
	int	(*pco_lock)(void *arg, const struct pager_conn_lock *lk);
	void	(*pco_down)(void *arg, uint64_t gen, const char *why);
};

struct pager_conn_params {
	const char	*pcp_path;	/* the pager's socket */
	const char	*pcp_name;	/* device name sent in hello */
	uint64_t	 pcp_size;	/* device bytes, page multiple */
	uint32_t	 pcp_max_data;	/* largest request; page multiple,
					   <= DPP_DATA_MAX */
	unsigned	 pcp_max_inflight; /* 0: PAGER_CONN_INFLIGHT_DEFAULT */
	unsigned	 pcp_timeout_ms; /* 0: PAGER_CONN_TIMEOUT_DEFAULT_MS */
	bool		 pcp_readonly;	/* DPP_DF_READONLY */
	const struct pager_conn_ops *pcp_ops;
	void		*pcp_arg;
};

/* A snapshot for vm/devices and tests. */
struct pager_conn_stats {
	int		 pcs_state;	/* enum pager_conn_state */
	uint64_t	 pcs_gen;	/* connections made so far */
	uint16_t	 pcs_version;	/* agreed (when up) */
	uint32_t	 pcs_features;	/* DPP_PF_* (when up) */
	unsigned	 pcs_inflight;	/* slots taken, late ones included */
	unsigned	 pcs_locks;	/* lock requests outstanding */
	uint64_t	 pcs_requests;	/* data_requests sent */
	uint64_t	 pcs_returns;	/* data_returns sent */
	uint64_t	 pcs_errors;	/* data_error / failed return_completed */
	uint64_t	 pcs_timeouts;	/* requests that timed out */
	uint64_t	 pcs_late;	/* answers after a timeout */
	uint64_t	 pcs_lock_requests; /* lock_requests received */
	uint64_t	 pcs_lock_completions; /* lock_completed sent (or being
					   sent when the count is read) */
	uint64_t	 pcs_violations; /* drops for a protocol violation */
	uint64_t	 pcs_drops;	/* connections lost, any cause */
	uint64_t	 pcs_connect_failures; /* connect/handshake failed */
	size_t		 pcs_mem;	/* bytes this connection allocated */
	char		 pcs_last_error[PAGER_CONN_ERRMSG_MAX];
};

/*
 * Make a connection object (nothing is connected yet): 0, EINVAL (a
 * parameter out of range: path empty or too long for a sockaddr_un,
 * name not 1..DPP_NAME_MAX printable characters, size or max_data not
 * page multiples, max_data over DPP_DATA_MAX or the size, max_inflight
 * over DPP_INFLIGHT_MAX) or ENOMEM.
 */
int	pager_conn_create(const struct pager_conn_params *p,
	    struct pager_conn **connp);
/*
 * Tear down: send terminate if up, fail every waiter, wait until every
 * caller has returned, join the threads, free.  No call may start once
 * destroy has begun.  Never from a callback.
 */
void	pager_conn_destroy(struct pager_conn *conn);

/*
 * Connect now if down (a ctl "reconnect"; requests do it themselves):
 * 0 when up, else the error of the attempt: ENOTCONN (nothing listens,
 * or the pager refused or broke the handshake -- see the stats' last
 * error), ETIMEDOUT, ESHUTDOWN (being destroyed).
 */
int	pager_conn_connect(struct pager_conn *conn);
/* Drop the connection if up (logged with why); waiters fail. */
void	pager_conn_disconnect(struct pager_conn *conn, const char *why);

/*
 * Ask the pager for [off, off + len) with DPP_ACCESS_READ, optionally |
 * DPP_ACCESS_WRITE, into dst (len bytes, untouched unless 0 is
 * returned; data_unavailable zero-fills it).  Connects first if down.
 * Blocks the calling thread at most about twice the timeout (a message
 * being received when the timeout strikes is waited for; its stall is
 * bounded by the timeout too).  Returns 0; the pager's errno from
 * data_error; ETIMEDOUT; ECONNRESET (the connection was lost); ENOTCONN
 * (no pager); EROFS (a write access on a read-only device or pager);
 * ESHUTDOWN.  off and len: page-aligned, 0 < len <= max_data, inside the
 * device (EINVAL otherwise).
 */
int	pager_conn_request(struct pager_conn *conn, uint64_t off, uint32_t len,
	    unsigned access, void *dst);
/*
 * Hand [off, off + len) back (data_return) from src and wait for
 * return_completed: 0, the pager's errno, or an error as for
 * pager_conn_request; EOPNOTSUPP when the pager said DPP_PF_NORETURN,
 * EROFS for DPP_PF_READONLY or a read-only device.
 */
int	pager_conn_return(struct pager_conn *conn, uint64_t off, uint32_t len,
	    const void *src);
/*
 * Complete a lock request that pco_lock deferred: error 0..DPP_ERRNO_MAX
 * is sent back in lock_completed (by the event thread).  Ignored when
 * lk's connection has gone, or lk was completed already.
 */
void	pager_conn_lock_completed(struct pager_conn *conn,
	    const struct pager_conn_lock *lk, int error);

void	pager_conn_stats(struct pager_conn *conn, struct pager_conn_stats *st);
/* "down", "connecting", "up", "closed". */
const char *pager_conn_state_name(int state);

#endif /* !_DEV_PAGER_CONN_H_ */
