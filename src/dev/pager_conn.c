/*
 * pager_conn: the daemon's end of an external pager's connection.  The
 * contract, the threads and how the pager driver uses it are in
 * pager_conn.h; the wire format in <devpager/pager_proto.h> and
 * devpager_protocol(5).
 *
 * Slots.  Each data_request or data_return in flight has a slot; the
 * request id is (sequence << 8 | slot index), the sequence counting up
 * for the object's whole life, so an id is never reused and an answer
 * names its slot without a search.  A slot goes
 *	FREE -> WAIT	the caller took it and sent the request
 *	WAIT -> RECV	the reader matched an answer and is filling ps_dst
 *	WAIT|RECV -> DONE  answered (ps_error), or the connection was lost
 *	WAIT -> LATE	the caller timed out; the slot waits for the answer,
 *			which the reader reads and drops (-> FREE)
 *	DONE -> FREE	the caller collected the result
 * A caller never leaves while its slot is RECV: the reader may be
 * writing into the caller's buffer, and finishes (or fails) within the
 * stall timeout.
 *
 * The descriptor.  The connecting thread makes the socket and shakes
 * hands on it before publishing it (pc_fd, state UP); from then on the
 * reader thread owns it: when the connection ends the reader waits for a
 * send on it to finish and closes it, and only then may a new one be
 * published.  A drop only shuts the socket down (shutdown(2)), which
 * wakes the reader and fails a send under way.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/mutex.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "dev/pager_conn.h"
#include "libpager/pager_io.h"

#define	PAGER_PAGE_SIZE		4096u	/* the daemon's PAGE_SIZE */
#define	PAGER_SLOT_BITS		8	/* DPP_INFLIGHT_MAX = 1 << 8 */
#define	PAGER_DRAIN_SIZE	4096

enum pager_slot_state {
	SLOT_FREE,
	SLOT_WAIT,
	SLOT_RECV,
	SLOT_DONE,
	SLOT_LATE,
};

enum pager_slot_kind {
	SLOT_REQUEST,		/* data_request */
	SLOT_RETURN,		/* data_return */
};

struct pager_slot {
	uint64_t	 ps_id;		/* (m) 0 when FREE */
	uint64_t	 ps_gen;	/* (m) connection it was sent on */
	int		 ps_state;	/* (m) enum pager_slot_state */
	int		 ps_kind;	/* (m) enum pager_slot_kind */
	uint64_t	 ps_offset;	/* (m) */
	uint32_t	 ps_length;	/* (m) */
	void		*ps_dst;	/* (m) data_request's buffer */
	int		 ps_error;	/* (m) result when DONE */
};

enum pager_lock_state {
	LOCK_FREE,
	LOCK_NEW,		/* received; pco_lock not called yet */
	LOCK_RUNNING,		/* in pco_lock */
	LOCK_PENDING,		/* pco_lock deferred; the driver completes */
	LOCK_DONE,		/* completed; lock_completed to send */
};

struct pager_lockrec {
	int		 lr_state;	/* (m) enum pager_lock_state */
	struct pager_conn_lock lr_lock;	/* (m) */
	int		 lr_error;	/* (m) status for lock_completed */
};

struct pager_conn {
	struct mtx	 pc_mtx;
	char		*pc_path;	/* (c) */
	char		 pc_name[DPP_NAME_MAX + 1]; /* (c) */
	uint64_t	 pc_size;	/* (c) */
	uint32_t	 pc_max_data;	/* (c) */
	unsigned	 pc_nslots;	/* (c) our max_inflight */
	unsigned	 pc_timeout_ms;	/* (c) */
	bool		 pc_readonly;	/* (c) */
	const struct pager_conn_ops *pc_ops; /* (c) */
	void		*pc_arg;	/* (c) */
	size_t		 pc_mem;	/* (c) bytes allocated */
	pthread_t	 pc_reader;	/* (c) */
	pthread_t	 pc_events;	/* (c) */

	int		 pc_state;	/* (m) enum pager_conn_state */
	bool		 pc_closing;	/* (m) destroy has begun */
	int		 pc_fd;		/* (m) published socket, or -1 */
	uint64_t	 pc_gen;	/* (m) connections made */
	uint64_t	 pc_gen_ended;	/* (m) newest connection that ended */
	uint64_t	 pc_reader_gen;	/* (m) newest connection read */
	int		 pc_connect_error; /* (m) of the last attempt */
	bool		 pc_sending;	/* (m) a send is under way */
	uint64_t	 pc_send_gen;	/* (m) on this connection */
	unsigned	 pc_callers;	/* (m) threads inside the API */
	struct dpp_limits pc_lim;	/* (m) of the current connection */
	struct dpp_hello_reply pc_reply; /* (m) */
	unsigned	 pc_limit;	/* (m) outstanding allowed */
	unsigned	 pc_outstanding; /* (m) WAIT, RECV, LATE slots */
	unsigned	 pc_taken;	/* (m) slots not FREE */
	uint64_t	 pc_seq;	/* (m) id sequence */
	struct pager_slot *pc_slots;	/* (m) [pc_nslots] */
	struct pager_lockrec pc_locks[PAGER_CONN_LOCKS]; /* (m) */
	unsigned	 pc_nlocks;	/* (m) records not FREE */
	uint64_t	 pc_ev_up;	/* (m) newest gen reported up */
	uint64_t	 pc_ev_down;	/* (m) newest gen reported down */
	char		 pc_down_why[PAGER_CONN_ERRMSG_MAX]; /* (m) */
	struct pager_conn_stats pc_st;	/* (m) counters */

	uint8_t		 pc_drain[PAGER_DRAIN_SIZE]; /* (r) late payloads */
};

/* What fd_waiter_wait waits against, and what it last returned. */
struct fd_waiter {
	const struct timespec *fw_deadline;	/* NULL: forever */
	int		 fw_error;
};

static void	deadline_set(struct timespec *ts, unsigned ms);
static int	deadline_left_ms(const struct timespec *ts);
static int	fd_wait(int fd, short events, const struct timespec *deadline);
static int	fd_waiter_wait(void *arg, int fd, short events);
static int	fd_write(int fd, const void *hdr, size_t hlen,
		    const void *payload, size_t plen,
		    const struct timespec *deadline, size_t *sentp);
static int	fd_read(int fd, void *buf, size_t len,
		    const struct timespec *deadline, size_t *gotp);
static int	conn_connect_locked(struct pager_conn *pc,
		    const struct timespec *deadline);
static int	conn_handshake(struct pager_conn *pc, int fd,
		    const struct timespec *deadline, struct dpp_hello *hello,
		    struct dpp_hello_reply *reply, char *why, size_t whylen);
static int	conn_ready_locked(struct pager_conn *pc,
		    const struct timespec *deadline);
static void	conn_drop_locked(struct pager_conn *pc, uint64_t gen,
		    int violation, int error, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 5, 6)));
static int	conn_send_locked(struct pager_conn *pc, uint64_t gen,
		    const struct dpp_hdr *h, const void *payload,
		    const struct timespec *deadline);
static int	slot_take_locked(struct pager_conn *pc,
		    const struct timespec *deadline, struct pager_slot **slotp);
static void	slot_free_locked(struct pager_conn *pc,
		    struct pager_slot *slot);
static int	conn_exchange(struct pager_conn *pc, int kind, uint64_t off,
		    uint32_t len, unsigned access, void *dst, const void *src);
static int	conn_recv_some(int fd, void *buf, size_t len, size_t *gotp);
static void	*conn_reader(void *arg);
static void	conn_serve(struct pager_conn *pc, int fd, uint64_t gen);
static int	conn_answer(struct pager_conn *pc, int fd, uint64_t gen,
		    const struct dpp_hdr *h, const struct timespec *deadline);
static int	conn_lock_request(struct pager_conn *pc, uint64_t gen,
		    const struct dpp_hdr *h);
static void	*conn_events(void *arg);
static int	conn_lock_work_locked(struct pager_conn *pc);
static void	conn_enter(struct pager_conn *pc);
static void	conn_leave(struct pager_conn *pc);

const char *
pager_conn_state_name(int state)
{

	switch (state) {
	case PAGER_CONN_DOWN:		return ("down");
	case PAGER_CONN_CONNECTING:	return ("connecting");
	case PAGER_CONN_UP:		return ("up");
	case PAGER_CONN_CLOSED:		return ("closed");
	}
	return ("?");
}

/* Deadlines on the monotonic clock. */
static void
deadline_set(struct timespec *ts, unsigned ms)
{

	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Milliseconds left, rounded up; 0 once passed. */
static int
deadline_left_ms(const struct timespec *ts)
{
	struct timespec now;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(ts->tv_sec - now.tv_sec) * 1000000000LL +
	    (ts->tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return (0);
	if (ns / 1000000 >= 0x7fffffff)
		return (0x7fffffff);
	return ((int)((ns + 999999) / 1000000));
}

/* Wait for events on fd until deadline (NULL: forever): 0 or ETIMEDOUT. */
static int
fd_wait(int fd, short events, const struct timespec *deadline)
{
	struct pollfd pfd;
	int ms, n;

	for (;;) {
		ms = -1;
		if (deadline != NULL) {
			ms = deadline_left_ms(deadline);
			if (ms == 0)
				return (ETIMEDOUT);
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return (0);	/* ready, or an error the I/O will see */
		if (n < 0 && errno != EINTR)
			return (errno);
	}
}

/* fd_wait as pager_io's wait, remembering its error. */
static int
fd_waiter_wait(void *arg, int fd, short events)
{
	struct fd_waiter *w = arg;

	w->fw_error = fd_wait(fd, events, w->fw_deadline);
	return (w->fw_error);
}

/*
 * Send hdr then payload in full by the deadline.  0, ETIMEDOUT, or the
 * socket's errno; *sentp says how much went out (a partial message
 * leaves the stream unusable).
 */
static int
fd_write(int fd, const void *hdr, size_t hlen, const void *payload,
    size_t plen, const struct timespec *deadline, size_t *sentp)
{
	struct fd_waiter w;

	w.fw_deadline = deadline;
	w.fw_error = 0;
	return (pager_io_send(fd, hdr, hlen, payload, plen, sentp,
	    fd_waiter_wait, &w));
}

/*
 * Receive len bytes by the deadline (NULL: wait for the first byte
 * forever, then take the stall timeout the caller gives next).  0,
 * ETIMEDOUT, ECONNRESET (end of stream or a socket error); *gotp says
 * how much arrived.
 */
static int
fd_read(int fd, void *buf, size_t len, const struct timespec *deadline,
    size_t *gotp)
{
	struct fd_waiter w;
	int error;

	w.fw_deadline = deadline;
	w.fw_error = 0;
	error = pager_io_recv(fd, buf, len, gotp, fd_waiter_wait, &w);
	if (error != 0 && w.fw_error == 0)
		error = ECONNRESET;	/* the socket's, not the wait's */
	return (error);
}

/*
 * Receive 1..len bytes, waiting as long as it takes for the first:
 * 0 (*gotp > 0) or ECONNRESET (end of stream, socket error).
 */
static int
conn_recv_some(int fd, void *buf, size_t len, size_t *gotp)
{
	ssize_t n;
	int error;

	for (;;) {
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n > 0) {
			*gotp = (size_t)n;
			return (0);
		}
		if (n == 0)
			return (ECONNRESET);
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return (ECONNRESET);
		error = fd_wait(fd, POLLIN, NULL);
		if (error != 0)
			return (ECONNRESET);
	}
}

static void
conn_enter(struct pager_conn *pc)
{

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	KASSERT(!pc->pc_closing, ("pager_conn %s: call during destroy",
	    pc->pc_name));
	pc->pc_callers++;
}

static void
conn_leave(struct pager_conn *pc)
{

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	if (--pc->pc_callers == 0 && pc->pc_closing)
		wakeup(&pc->pc_callers);
}

int
pager_conn_create(const struct pager_conn_params *p,
    struct pager_conn **connp)
{
	struct sockaddr_un sun;
	struct pager_conn *pc;
	size_t i, nlen;
	unsigned nslots;
	int error;

	*connp = NULL;
	if (p->pcp_path == NULL || p->pcp_path[0] == '\0' ||
	    strlen(p->pcp_path) >= sizeof(sun.sun_path))
		return (EINVAL);
	nlen = p->pcp_name != NULL ? strlen(p->pcp_name) : 0;
	if (nlen == 0 || nlen > DPP_NAME_MAX)
		return (EINVAL);
	for (i = 0; i < nlen; i++)
		if ((unsigned char)p->pcp_name[i] <= 0x20 ||
		    (unsigned char)p->pcp_name[i] >= 0x7f)
			return (EINVAL);
	if (p->pcp_size == 0 || p->pcp_size % PAGER_PAGE_SIZE != 0 ||
	    p->pcp_max_data == 0 || p->pcp_max_data % PAGER_PAGE_SIZE != 0 ||
	    p->pcp_max_data > DPP_DATA_MAX || p->pcp_max_data > p->pcp_size)
		return (EINVAL);
	nslots = p->pcp_max_inflight != 0 ? p->pcp_max_inflight :
	    PAGER_CONN_INFLIGHT_DEFAULT;
	if (nslots > DPP_INFLIGHT_MAX)
		return (EINVAL);

	pc = calloc(1, sizeof(*pc));
	if (pc == NULL)
		return (ENOMEM);
	pc->pc_slots = calloc(nslots, sizeof(*pc->pc_slots));
	pc->pc_path = strdup(p->pcp_path);
	if (pc->pc_slots == NULL || pc->pc_path == NULL) {
		free(pc->pc_slots);
		free(pc->pc_path);
		free(pc);
		return (ENOMEM);
	}
	pc->pc_mem = sizeof(*pc) + nslots * sizeof(*pc->pc_slots) +
	    strlen(pc->pc_path) + 1;
	memcpy(pc->pc_name, p->pcp_name, nlen);
	pc->pc_size = p->pcp_size;
	pc->pc_max_data = p->pcp_max_data;
	pc->pc_nslots = nslots;
	pc->pc_timeout_ms = p->pcp_timeout_ms != 0 ? p->pcp_timeout_ms :
	    PAGER_CONN_TIMEOUT_DEFAULT_MS;
	pc->pc_readonly = p->pcp_readonly;
	pc->pc_ops = p->pcp_ops;
	pc->pc_arg = p->pcp_arg;
	pc->pc_fd = -1;
	pc->pc_seq = 1;
	pc->pc_state = PAGER_CONN_DOWN;
	mtx_init(&pc->pc_mtx, "pager conn", LOCK_RANK_LEAF, 0);

	error = pthread_create(&pc->pc_reader, NULL, conn_reader, pc);
	if (error == 0) {
		error = pthread_create(&pc->pc_events, NULL, conn_events, pc);
		if (error != 0) {
			mtx_lock(&pc->pc_mtx);
			pc->pc_closing = true;
			wakeup(&pc->pc_reader_gen);
			mtx_unlock(&pc->pc_mtx);
			pthread_join(pc->pc_reader, NULL);
		}
	}
	if (error != 0) {
		mtx_destroy(&pc->pc_mtx);
		free(pc->pc_slots);
		free(pc->pc_path);
		free(pc);
		return (error == EAGAIN ? ENOMEM : error);
	}
	*connp = pc;
	return (0);
}

void
pager_conn_destroy(struct pager_conn *pc)
{
	struct dpp_hdr h;
	struct timespec deadline;
	uint64_t gen;
	static const char reason[] = "device destroyed";

	mtx_lock(&pc->pc_mtx);
	pc->pc_closing = true;
	/* Let a connect under way finish (it is bounded by the timeout). */
	while (pc->pc_state == PAGER_CONN_CONNECTING)
		msleep(&pc->pc_state, &pc->pc_mtx, 0, "pgclose", 0);
	if (pc->pc_state == PAGER_CONN_UP) {
		gen = pc->pc_gen;
		memset(&h, 0, sizeof(h));
		h.magic = DPP_MAGIC;
		h.type = DPP_TERMINATE;
		h.payload = sizeof(reason) - 1;
		deadline_set(&deadline, pc->pc_timeout_ms);
		pc->pc_callers++;
		(void)conn_send_locked(pc, gen, &h, reason, &deadline);
		pc->pc_callers--;
		conn_drop_locked(pc, gen, 0, ESHUTDOWN, "device destroyed");
	}
	pc->pc_state = PAGER_CONN_CLOSED;
	wakeup(&pc->pc_state);
	wakeup(&pc->pc_reader_gen);
	wakeup(&pc->pc_ev_up);
	while (pc->pc_callers > 0)
		msleep(&pc->pc_callers, &pc->pc_mtx, 0, "pgclose", 0);
	mtx_unlock(&pc->pc_mtx);

	pthread_join(pc->pc_reader, NULL);
	pthread_join(pc->pc_events, NULL);
	KASSERT(pc->pc_fd == -1 && pc->pc_taken == 0,
	    ("pager_conn_destroy %s: fd %d, %u slots taken", pc->pc_name,
	    pc->pc_fd, pc->pc_taken));
	mtx_destroy(&pc->pc_mtx);
	free(pc->pc_slots);
	free(pc->pc_path);
	free(pc);
}

/*
 * Drop connection gen if it is the current one and up: shut the socket
 * down, fail every caller waiting on it, free late slots, forget lock
 * requests, log.  violation: a DPP_E_* code, 0 for none; error: what
 * the waiters get.  The conn lock must be held.
 */
static void
conn_drop_locked(struct pager_conn *pc, uint64_t gen, int violation,
    int error, const char *fmt, ...)
{
	struct pager_slot *slot;
	va_list ap;
	unsigned i;

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	if (pc->pc_state != PAGER_CONN_UP || pc->pc_gen != gen)
		return;
	va_start(ap, fmt);
	vsnprintf(pc->pc_st.pcs_last_error, sizeof(pc->pc_st.pcs_last_error),
	    fmt, ap);
	va_end(ap);
	memcpy(pc->pc_down_why, pc->pc_st.pcs_last_error,
	    sizeof(pc->pc_down_why));
	pc->pc_state = PAGER_CONN_DOWN;
	pc->pc_gen_ended = gen;
	pc->pc_st.pcs_drops++;
	if (violation != DPP_OK)
		pc->pc_st.pcs_violations++;
	(void)shutdown(pc->pc_fd, SHUT_RDWR);
	for (i = 0; i < pc->pc_nslots; i++) {
		slot = &pc->pc_slots[i];
		if (slot->ps_gen != gen)
			continue;
		if (slot->ps_state == SLOT_WAIT) {
			slot->ps_state = SLOT_DONE;
			slot->ps_error = error;
			pc->pc_outstanding--;
			wakeup(slot);
		} else if (slot->ps_state == SLOT_LATE)
			slot_free_locked(pc, slot);
		/* RECV: the reader fails it when its read fails. */
	}
	for (i = 0; i < PAGER_CONN_LOCKS; i++)
		pc->pc_locks[i].lr_state = LOCK_FREE;
	pc->pc_nlocks = 0;
	wakeup(&pc->pc_state);
	wakeup(&pc->pc_sending);
	wakeup(&pc->pc_taken);
	wakeup(&pc->pc_ev_up);
	kern_log_ratelimited(pc, violation != DPP_OK ? LOG_WARNING : LOG_INFO,
	    "pager %s: connection %ju dropped: %s", pc->pc_name,
	    (uintmax_t)gen, pc->pc_st.pcs_last_error);
}

/*
 * Send one message on connection gen, waiting for a send under way and
 * for socket space until the deadline.  Drops the conn lock during the
 * I/O.  0; ECONNRESET if the connection is gone (or goes: a partial
 * message drops it); ETIMEDOUT if nothing could be sent in time (the
 * connection survives when not a byte went out).  The conn lock must be
 * held.
 */
static int
conn_send_locked(struct pager_conn *pc, uint64_t gen, const struct dpp_hdr *h,
    const void *payload, const struct timespec *deadline)
{
	uint8_t buf[DPP_HDR_SIZE];
	size_t sent;
	int error, fd;

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	for (;;) {
		if (pc->pc_state != PAGER_CONN_UP || pc->pc_gen != gen)
			return (ECONNRESET);
		if (!pc->pc_sending)
			break;
		if (msleep(&pc->pc_sending, &pc->pc_mtx, 0, "pgsend",
		    deadline_left_ms(deadline) + 1) != 0 &&
		    deadline_left_ms(deadline) == 0)
			return (ETIMEDOUT);
	}
	pc->pc_sending = true;
	pc->pc_send_gen = gen;
	fd = pc->pc_fd;
	mtx_unlock(&pc->pc_mtx);

	dpp_hdr_encode(buf, h);
	error = fd_write(fd, buf, sizeof(buf), payload, h->payload, deadline,
	    &sent);

	mtx_lock(&pc->pc_mtx);
	pc->pc_sending = false;
	wakeup(&pc->pc_sending);
	if (error == 0)
		return (0);
	if (error == ETIMEDOUT && sent == 0)
		return (ETIMEDOUT);
	conn_drop_locked(pc, gen, 0, ECONNRESET,
	    "cannot send %s: %s", dpp_type_name(h->type),
	    error == ETIMEDOUT ? "timed out inside a message" :
	    strerror(error));
	return (error == ETIMEDOUT ? ETIMEDOUT : ECONNRESET);
}

/*
 * The handshake on a new socket, before anyone else sees it: hello out,
 * hello_reply (or a terminate) in.  0, or ETIMEDOUT/ENOTCONN with why.
 */
static int
conn_handshake(struct pager_conn *pc, int fd, const struct timespec *deadline,
    struct dpp_hello *hello, struct dpp_hello_reply *reply, char *why,
    size_t whylen)
{
	uint8_t buf[DPP_HDR_SIZE + DPP_HELLO_SIZE + DPP_NAME_MAX];
	uint8_t rbuf[DPP_REASON_MAX + 1];
	struct dpp_hdr h;
	size_t got, n, sent;
	int error, v;

	memset(hello, 0, sizeof(*hello));
	hello->version_min = DPP_VERSION_MIN;
	hello->version_max = DPP_VERSION;
	hello->page_size = PAGER_PAGE_SIZE;
	hello->size = pc->pc_size;
	hello->max_data = pc->pc_max_data;
	hello->max_inflight = pc->pc_nslots;
	hello->max_locks = PAGER_CONN_LOCKS;
	hello->features = pc->pc_readonly ? DPP_DF_READONLY : 0;
	hello->timeout_ms = pc->pc_timeout_ms;
	memcpy(hello->name, pc->pc_name, sizeof(hello->name));
	n = dpp_hello_encode(buf + DPP_HDR_SIZE, hello);
	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = DPP_HELLO;
	h.payload = (uint32_t)n;
	dpp_hdr_encode(buf, &h);
	error = fd_write(fd, buf, DPP_HDR_SIZE + n, NULL, 0, deadline, &sent);
	if (error != 0) {
		snprintf(why, whylen, "cannot send hello: %s",
		    strerror(error));
		return (error == ETIMEDOUT ? ETIMEDOUT : ENOTCONN);
	}

	error = fd_read(fd, buf, DPP_HDR_SIZE, deadline, &got);
	if (error != 0) {
		snprintf(why, whylen, "no hello_reply: %s",
		    error == ETIMEDOUT ? "timed out" : "connection closed");
		return (error == ETIMEDOUT ? ETIMEDOUT : ENOTCONN);
	}
	dpp_hdr_decode(buf, &h);
	v = dpp_hdr_check(&h, DPP_FROM_PAGER, NULL);
	if (v != DPP_OK) {
		snprintf(why, whylen, "handshake: %s (type 0x%x)",
		    dpp_violation_name(v), h.type);
		return (ENOTCONN);
	}
	if (h.type == DPP_PAGER_TERMINATE) {
		error = fd_read(fd, rbuf, h.payload, deadline, &got);
		for (n = 0; n < got; n++)
			if (rbuf[n] < 0x20 || rbuf[n] >= 0x7f)
				rbuf[n] = '?';
		rbuf[got] = '\0';
		snprintf(why, whylen, "pager refused: %.120s", (char *)rbuf);
		return (ENOTCONN);
	}
	error = fd_read(fd, buf, DPP_HELLO_REPLY_SIZE, deadline, &got);
	if (error != 0) {
		snprintf(why, whylen, "hello_reply: %s",
		    error == ETIMEDOUT ? "timed out" : "connection closed");
		return (error == ETIMEDOUT ? ETIMEDOUT : ENOTCONN);
	}
	v = dpp_hello_reply_decode(buf, hello, reply);
	if (v != DPP_OK) {
		snprintf(why, whylen, "hello_reply: %s",
		    dpp_violation_name(v));
		return (ENOTCONN);
	}
	return (0);
}

/*
 * Connect and shake hands; the state is DOWN on entry.  Drops the conn
 * lock while it works; others wait on pc_state.  0 when up, or the
 * error (kept in pc_connect_error for those who waited).  The conn lock
 * must be held.
 */
static int
conn_connect_locked(struct pager_conn *pc, const struct timespec *deadline)
{
	struct sockaddr_un sun;
	struct dpp_hello hello;
	struct dpp_hello_reply reply;
	char why[PAGER_CONN_ERRMSG_MAX];
	socklen_t elen;
	int error, fd, serr;

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	KASSERT(pc->pc_state == PAGER_CONN_DOWN, ("conn_connect: state %d",
	    pc->pc_state));
	pc->pc_state = PAGER_CONN_CONNECTING;
	/* The reader closes the last connection's socket; wait for it. */
	while (pc->pc_fd != -1) {
		if (msleep(&pc->pc_fd, &pc->pc_mtx, 0, "pgfd",
		    deadline_left_ms(deadline) + 1) != 0 &&
		    deadline_left_ms(deadline) == 0) {
			error = ETIMEDOUT;
			snprintf(why, sizeof(why),
			    "the last connection is still closing");
			goto fail;
		}
	}
	mtx_unlock(&pc->pc_mtx);

	why[0] = '\0';
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, pc->pc_path, strlen(pc->pc_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = errno;
		snprintf(why, sizeof(why), "socket: %s", strerror(error));
		error = error == EMFILE || error == ENFILE ? ENOMEM : error;
	} else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 &&
	    errno != EINPROGRESS) {
		error = errno;
		snprintf(why, sizeof(why), "connect %s: %s", pc->pc_path,
		    strerror(error));
		error = ENOTCONN;
	} else {
		/* A connection in progress completes (or fails) here. */
		error = fd_wait(fd, POLLOUT, deadline);
		elen = sizeof(serr);
		serr = 0;
		if (error == 0 && (getsockopt(fd, SOL_SOCKET, SO_ERROR, &serr,
		    &elen) != 0 || serr != 0)) {
			snprintf(why, sizeof(why), "connect %s: %s",
			    pc->pc_path, strerror(serr != 0 ? serr : errno));
			error = ENOTCONN;
		} else if (error != 0)
			snprintf(why, sizeof(why), "connect %s: timed out",
			    pc->pc_path);
		else
			error = conn_handshake(pc, fd, deadline, &hello, &reply,
			    why, sizeof(why));
	}
	if (error != 0 && fd >= 0)
		close(fd);

	mtx_lock(&pc->pc_mtx);
	if (error == 0 && pc->pc_closing) {
		close(fd);
		error = ESHUTDOWN;
		snprintf(why, sizeof(why), "device destroyed");
	}
	if (error != 0)
		goto fail;
	pc->pc_fd = fd;
	pc->pc_gen++;
	dpp_hello_limits(&hello, &pc->pc_lim);
	pc->pc_reply = reply;
	pc->pc_limit = reply.max_inflight < pc->pc_nslots ?
	    reply.max_inflight : pc->pc_nslots;
	pc->pc_state = PAGER_CONN_UP;
	pc->pc_connect_error = 0;
	wakeup(&pc->pc_state);
	wakeup(&pc->pc_reader_gen);
	wakeup(&pc->pc_ev_up);
	return (0);

fail:
	pc->pc_state = pc->pc_closing ? PAGER_CONN_CLOSED : PAGER_CONN_DOWN;
	pc->pc_connect_error = error;
	pc->pc_st.pcs_connect_failures++;
	snprintf(pc->pc_st.pcs_last_error, sizeof(pc->pc_st.pcs_last_error),
	    "%s", why);
	wakeup(&pc->pc_state);
	kern_log_ratelimited(pc, LOG_WARNING, "pager %s: no connection: %s",
	    pc->pc_name, why);
	return (error);
}

/*
 * Make sure the connection is up by the deadline: connect if down, wait
 * for a connect under way.  0 or an error as pager_conn_connect's.  The
 * conn lock must be held.
 */
static int
conn_ready_locked(struct pager_conn *pc, const struct timespec *deadline)
{

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	for (;;) {
		if (pc->pc_closing)
			return (ESHUTDOWN);
		switch (pc->pc_state) {
		case PAGER_CONN_UP:
			return (0);
		case PAGER_CONN_CLOSED:
			return (ESHUTDOWN);
		case PAGER_CONN_DOWN:
			return (conn_connect_locked(pc, deadline));
		case PAGER_CONN_CONNECTING:
			if (msleep(&pc->pc_state, &pc->pc_mtx, 0, "pgconn",
			    deadline_left_ms(deadline) + 1) != 0 &&
			    deadline_left_ms(deadline) == 0)
				return (ETIMEDOUT);
			if (pc->pc_state == PAGER_CONN_DOWN)
				return (pc->pc_connect_error != 0 ?
				    pc->pc_connect_error : ENOTCONN);
			break;
		}
	}
}

int
pager_conn_connect(struct pager_conn *pc)
{
	struct timespec deadline;
	int error;

	mtx_lock(&pc->pc_mtx);
	conn_enter(pc);
	deadline_set(&deadline, pc->pc_timeout_ms);
	error = conn_ready_locked(pc, &deadline);
	conn_leave(pc);
	mtx_unlock(&pc->pc_mtx);
	return (error);
}

void
pager_conn_disconnect(struct pager_conn *pc, const char *why)
{

	mtx_lock(&pc->pc_mtx);
	conn_drop_locked(pc, pc->pc_gen, 0, ECONNRESET, "%s",
	    why != NULL ? why : "disconnected");
	mtx_unlock(&pc->pc_mtx);
}

/*
 * Take a free slot on the current connection by the deadline, within
 * the agreed number outstanding.  0, ETIMEDOUT, ECONNRESET.  The conn
 * lock must be held.
 */
static int
slot_take_locked(struct pager_conn *pc, const struct timespec *deadline,
    struct pager_slot **slotp)
{
	unsigned i;

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	for (;;) {
		if (pc->pc_state != PAGER_CONN_UP)
			return (pc->pc_state == PAGER_CONN_CLOSED ?
			    ESHUTDOWN : ECONNRESET);
		if (pc->pc_outstanding < pc->pc_limit &&
		    pc->pc_taken < pc->pc_nslots)
			break;
		if (msleep(&pc->pc_taken, &pc->pc_mtx, 0, "pgslot",
		    deadline_left_ms(deadline) + 1) != 0 &&
		    deadline_left_ms(deadline) == 0)
			return (ETIMEDOUT);
	}
	for (i = 0; i < pc->pc_nslots; i++)
		if (pc->pc_slots[i].ps_state == SLOT_FREE)
			break;
	KASSERT(i < pc->pc_nslots, ("slot_take: none free, %u taken",
	    pc->pc_taken));
	pc->pc_taken++;
	pc->pc_outstanding++;
	*slotp = &pc->pc_slots[i];
	(*slotp)->ps_id = pc->pc_seq++ << PAGER_SLOT_BITS | i;
	(*slotp)->ps_gen = pc->pc_gen;
	(*slotp)->ps_state = SLOT_WAIT;
	return (0);
}

/* The conn lock must be held. */
static void
slot_free_locked(struct pager_conn *pc, struct pager_slot *slot)
{

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	if (slot->ps_state == SLOT_LATE)
		pc->pc_outstanding--;
	slot->ps_state = SLOT_FREE;
	slot->ps_id = 0;
	slot->ps_dst = NULL;
	pc->pc_taken--;
	wakeup(&pc->pc_taken);
}

/* data_request (kind SLOT_REQUEST, into dst) or data_return (from src). */
static int
conn_exchange(struct pager_conn *pc, int kind, uint64_t off, uint32_t len,
    unsigned access, void *dst, const void *src)
{
	struct pager_slot *slot;
	struct timespec deadline;
	struct dpp_hdr h;
	uint64_t id;
	int error, left;

	if (len == 0 || len > pc->pc_max_data || off % PAGER_PAGE_SIZE != 0 ||
	    len % PAGER_PAGE_SIZE != 0 || off > pc->pc_size ||
	    len > pc->pc_size - off)
		return (EINVAL);
	if (kind == SLOT_REQUEST && access != DPP_ACCESS_READ &&
	    access != (DPP_ACCESS_READ | DPP_ACCESS_WRITE))
		return (EINVAL);

	mtx_lock(&pc->pc_mtx);
	conn_enter(pc);
	deadline_set(&deadline, pc->pc_timeout_ms);
	error = conn_ready_locked(pc, &deadline);
	if (error != 0)
		goto out;
	if (kind == SLOT_RETURN || (access & DPP_ACCESS_WRITE) != 0) {
		if (pc->pc_readonly ||
		    (pc->pc_reply.features & DPP_PF_READONLY) != 0) {
			error = EROFS;
			goto out;
		}
		if (kind == SLOT_RETURN &&
		    (pc->pc_reply.features & DPP_PF_NORETURN) != 0) {
			error = EOPNOTSUPP;
			goto out;
		}
	}
	error = slot_take_locked(pc, &deadline, &slot);
	if (error != 0)
		goto out;
	id = slot->ps_id;
	slot->ps_kind = kind;
	slot->ps_offset = off;
	slot->ps_length = len;
	slot->ps_dst = dst;
	slot->ps_error = 0;
	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.id = id;
	h.offset = off;
	h.length = len;
	if (kind == SLOT_REQUEST) {
		h.type = DPP_DATA_REQUEST;
		h.flags = (uint16_t)access;
		pc->pc_st.pcs_requests++;
	} else {
		h.type = DPP_DATA_RETURN;
		h.payload = len;
		pc->pc_st.pcs_returns++;
	}
	error = conn_send_locked(pc, slot->ps_gen, &h, src, &deadline);
	if (error != 0 && slot->ps_state == SLOT_WAIT) {
		/* Never sent (or sent in part and dropped): nothing to wait. */
		slot->ps_state = SLOT_DONE;
		pc->pc_outstanding--;
	}
	while (slot->ps_state == SLOT_WAIT || slot->ps_state == SLOT_RECV) {
		left = deadline_left_ms(&deadline);
		if (left > 0) {
			msleep(slot, &pc->pc_mtx, 0, "pgwait", left);
			continue;
		}
		if (slot->ps_state == SLOT_RECV) {
			/*
			 * The reader is filling dst: wait for it past the
			 * deadline (its read is bounded by the stall timeout).
			 */
			if (test_hooks_active()) {
				mtx_unlock(&pc->pc_mtx);
				TEST_HOOK("pager_conn_wait_receiving");
				mtx_lock(&pc->pc_mtx);
				if (slot->ps_state != SLOT_RECV)
					continue;
			}
			msleep(slot, &pc->pc_mtx, 0, "pgrecv", 0);
			continue;
		}
		/* Timed out: the slot waits for the late answer. */
		slot->ps_state = SLOT_LATE;
		slot->ps_dst = NULL;
		pc->pc_st.pcs_timeouts++;
		kern_log_ratelimited(pc, LOG_WARNING,
		    "pager %s: %s %#jx+%#x timed out after %u ms",
		    pc->pc_name, dpp_type_name(h.type), (uintmax_t)off, len,
		    pc->pc_timeout_ms);
		error = ETIMEDOUT;
		goto out;
	}
	KASSERT(slot->ps_state == SLOT_DONE && slot->ps_id == id,
	    ("pager_conn: slot %#jx in state %d", (uintmax_t)id,
	    slot->ps_state));
	if (error == 0)
		error = slot->ps_error;
	slot_free_locked(pc, slot);
out:
	conn_leave(pc);
	mtx_unlock(&pc->pc_mtx);
	return (error);
}

int
pager_conn_request(struct pager_conn *pc, uint64_t off, uint32_t len,
    unsigned access, void *dst)
{

	return (conn_exchange(pc, SLOT_REQUEST, off, len, access, dst, NULL));
}

int
pager_conn_return(struct pager_conn *pc, uint64_t off, uint32_t len,
    const void *src)
{

	return (conn_exchange(pc, SLOT_RETURN, off, len, 0, NULL, src));
}

void
pager_conn_lock_completed(struct pager_conn *pc,
    const struct pager_conn_lock *lk, int error)
{
	struct pager_lockrec *lr;
	unsigned i;

	if (error < 0 || error > DPP_ERRNO_MAX)
		error = EIO;
	mtx_lock(&pc->pc_mtx);
	if (pc->pc_state == PAGER_CONN_UP && pc->pc_gen == lk->pl_gen) {
		for (i = 0; i < PAGER_CONN_LOCKS; i++) {
			lr = &pc->pc_locks[i];
			if ((lr->lr_state == LOCK_RUNNING ||
			    lr->lr_state == LOCK_PENDING) &&
			    lr->lr_lock.pl_id == lk->pl_id) {
				lr->lr_state = LOCK_DONE;
				lr->lr_error = error;
				wakeup(&pc->pc_ev_up);
				break;
			}
		}
	}
	mtx_unlock(&pc->pc_mtx);
}

void
pager_conn_stats(struct pager_conn *pc, struct pager_conn_stats *st)
{

	mtx_lock(&pc->pc_mtx);
	*st = pc->pc_st;
	st->pcs_state = pc->pc_state;
	st->pcs_gen = pc->pc_gen;
	st->pcs_version = pc->pc_state == PAGER_CONN_UP ?
	    pc->pc_reply.version : 0;
	st->pcs_features = pc->pc_state == PAGER_CONN_UP ?
	    pc->pc_reply.features : 0;
	st->pcs_inflight = pc->pc_outstanding;
	st->pcs_locks = pc->pc_nlocks;
	st->pcs_mem = pc->pc_mem;
	mtx_unlock(&pc->pc_mtx);
}

/*
 * The reader thread: serves each connection the connecting thread
 * publishes, then closes its socket once no send uses it.
 */
static void *
conn_reader(void *arg)
{
	struct pager_conn *pc;
	uint64_t gen;
	int fd;

	pc = arg;
	mtx_lock(&pc->pc_mtx);
	for (;;) {
		while (!pc->pc_closing && !(pc->pc_fd != -1 &&
		    pc->pc_reader_gen != pc->pc_gen))
			msleep(&pc->pc_reader_gen, &pc->pc_mtx, 0, "pgidle", 0);
		if (pc->pc_fd == -1 || pc->pc_reader_gen == pc->pc_gen)
			break;		/* closing, nothing left to serve */
		fd = pc->pc_fd;
		gen = pc->pc_gen;
		pc->pc_reader_gen = gen;
		mtx_unlock(&pc->pc_mtx);

		conn_serve(pc, fd, gen);

		mtx_lock(&pc->pc_mtx);
		conn_drop_locked(pc, gen, 0, ECONNRESET, "reader stopped");
		while (pc->pc_sending && pc->pc_send_gen == gen)
			msleep(&pc->pc_sending, &pc->pc_mtx, 0, "pgfdclose",
			    0);
		close(fd);
		pc->pc_fd = -1;
		wakeup(&pc->pc_fd);
	}
	mtx_unlock(&pc->pc_mtx);
	return (NULL);
}

/* Read and dispatch messages of connection gen until it ends. */
static void
conn_serve(struct pager_conn *pc, int fd, uint64_t gen)
{
	uint8_t hbuf[DPP_HDR_SIZE];
	char reason[DPP_REASON_MAX + 1];
	struct timespec deadline;
	struct dpp_limits lim;
	struct dpp_hdr h;
	size_t got, more, i;
	int error, v;

	mtx_lock(&pc->pc_mtx);
	lim = pc->pc_lim;
	mtx_unlock(&pc->pc_mtx);
	for (;;) {
		/*
		 * Idle: wait for a message's first bytes as long as need be;
		 * the rest of it must follow within the timeout.
		 */
		got = 0;
		error = conn_recv_some(fd, hbuf, DPP_HDR_SIZE, &got);
		if (error != 0) {
			mtx_lock(&pc->pc_mtx);
			conn_drop_locked(pc, gen, 0, ECONNRESET,
			    "the pager closed the connection");
			mtx_unlock(&pc->pc_mtx);
			return;
		}
		deadline_set(&deadline, pc->pc_timeout_ms);
		more = 0;
		error = fd_read(fd, hbuf + got, DPP_HDR_SIZE - got, &deadline,
		    &more);
		if (error != 0) {
			v = error == ETIMEDOUT ? DPP_E_STALL : DPP_E_TRUNCATED;
			mtx_lock(&pc->pc_mtx);
			conn_drop_locked(pc, gen, v, ECONNRESET,
			    "%s (header, %zu of %d bytes)",
			    dpp_violation_name(v), got + more, DPP_HDR_SIZE);
			mtx_unlock(&pc->pc_mtx);
			return;
		}
		dpp_hdr_decode(hbuf, &h);
		v = dpp_hdr_check(&h, DPP_FROM_PAGER, &lim);
		if (v != DPP_OK) {
			mtx_lock(&pc->pc_mtx);
			conn_drop_locked(pc, gen, v, ECONNRESET,
			    "%s: type 0x%x flags 0x%x id %#jx offset %#jx "
			    "length %#x payload %u", dpp_violation_name(v),
			    h.type, h.flags, (uintmax_t)h.id,
			    (uintmax_t)h.offset, h.length, h.payload);
			mtx_unlock(&pc->pc_mtx);
			return;
		}
		switch (h.type) {
		case DPP_DATA_SUPPLY:
		case DPP_DATA_UNAVAILABLE:
		case DPP_DATA_ERROR:
		case DPP_RETURN_COMPLETED:
			v = conn_answer(pc, fd, gen, &h, &deadline);
			break;
		case DPP_LOCK_REQUEST:
			v = conn_lock_request(pc, gen, &h);
			break;
		case DPP_PAGER_TERMINATE:
			error = fd_read(fd, reason, h.payload, &deadline, &got);
			for (i = 0; i < got; i++)
				if (reason[i] < 0x20 || reason[i] >= 0x7f)
					reason[i] = '?';
			reason[got] = '\0';
			mtx_lock(&pc->pc_mtx);
			if (error != 0)
				conn_drop_locked(pc, gen, DPP_E_TRUNCATED,
				    ECONNRESET, "terminate: %s",
				    dpp_violation_name(error == ETIMEDOUT ?
				    DPP_E_STALL : DPP_E_TRUNCATED));
			else
				conn_drop_locked(pc, gen, 0, ECONNRESET,
				    "the pager terminated: %s", reason);
			mtx_unlock(&pc->pc_mtx);
			return;
		default:
			v = DPP_E_DIRECTION;	/* dpp_hdr_check let it by */
			break;
		}
		if (v != DPP_OK)
			return;		/* dropped, and logged, already */
	}
}

/*
 * An answer to a data_request or data_return: match it with its slot,
 * take its payload (into the caller's buffer, or dropped for a late
 * slot), complete the slot.  DPP_OK, or the violation, the connection
 * having been dropped.
 */
static int
conn_answer(struct pager_conn *pc, int fd, uint64_t gen,
    const struct dpp_hdr *h, const struct timespec *deadline)
{
	struct pager_slot *slot;
	uint8_t sbuf[DPP_STATUS_SIZE];
	uint32_t status;
	size_t got, n, left;
	unsigned idx;
	int error, kind, v;
	bool late;
	void *dst;

	status = 0;
	if (h->type == DPP_DATA_ERROR || h->type == DPP_RETURN_COMPLETED) {
		error = fd_read(fd, sbuf, sizeof(sbuf), deadline, &got);
		if (error != 0) {
			v = error == ETIMEDOUT ? DPP_E_STALL : DPP_E_TRUNCATED;
			goto drop;
		}
		v = dpp_status_decode(sbuf, h->type == DPP_DATA_ERROR,
		    &status);
		if (v != DPP_OK)
			goto drop;
	}
	kind = h->type == DPP_RETURN_COMPLETED ? SLOT_RETURN : SLOT_REQUEST;

	mtx_lock(&pc->pc_mtx);
	idx = (unsigned)(h->id & ((1u << PAGER_SLOT_BITS) - 1));
	slot = idx < pc->pc_nslots ? &pc->pc_slots[idx] : NULL;
	if (slot == NULL || slot->ps_id != h->id || slot->ps_gen != gen ||
	    (slot->ps_state != SLOT_WAIT && slot->ps_state != SLOT_LATE)) {
		v = DPP_E_ID;
		goto drop_locked;
	}
	if (slot->ps_kind != kind || slot->ps_offset != h->offset ||
	    slot->ps_length != h->length) {
		v = DPP_E_MISMATCH;
		goto drop_locked;
	}
	late = slot->ps_state == SLOT_LATE;
	if (late)
		pc->pc_st.pcs_late++;
	if (h->type == DPP_DATA_ERROR ||
	    (h->type == DPP_RETURN_COMPLETED && status != 0))
		pc->pc_st.pcs_errors++;
	if (h->type != DPP_DATA_SUPPLY && h->type != DPP_DATA_UNAVAILABLE) {
		/* A status: complete at once. */
		if (late)
			slot_free_locked(pc, slot);
		else {
			slot->ps_state = SLOT_DONE;
			slot->ps_error = (int)status;
			pc->pc_outstanding--;
			wakeup(slot);
		}
		mtx_unlock(&pc->pc_mtx);
		return (DPP_OK);
	}
	dst = slot->ps_dst;
	if (!late)
		slot->ps_state = SLOT_RECV;
	mtx_unlock(&pc->pc_mtx);

	TEST_HOOK("pager_conn_reader_claimed");
	error = 0;
	got = 0;
	if (h->type == DPP_DATA_UNAVAILABLE) {
		if (!late)
			memset(dst, 0, h->length);
	} else if (!late) {
		error = fd_read(fd, dst, h->length, deadline, &got);
	} else {
		/* Late: read the bytes and drop them, a chunk at a time. */
		for (left = h->length; left > 0 && error == 0; left -= n) {
			n = left < sizeof(pc->pc_drain) ? left :
			    sizeof(pc->pc_drain);
			error = fd_read(fd, pc->pc_drain, n, deadline, &got);
		}
	}

	mtx_lock(&pc->pc_mtx);
	if (late)
		slot_free_locked(pc, slot);
	else {
		slot->ps_state = SLOT_DONE;
		slot->ps_error = error != 0 ? ECONNRESET : 0;
		pc->pc_outstanding--;
		wakeup(slot);
	}
	if (error != 0) {
		v = error == ETIMEDOUT ? DPP_E_STALL : DPP_E_TRUNCATED;
		goto drop_locked;
	}
	mtx_unlock(&pc->pc_mtx);
	return (DPP_OK);

drop:
	mtx_lock(&pc->pc_mtx);
drop_locked:
	conn_drop_locked(pc, gen, v, ECONNRESET,
	    "%s: %s id %#jx offset %#jx length %#x", dpp_violation_name(v),
	    dpp_type_name(h->type), (uintmax_t)h->id, (uintmax_t)h->offset,
	    h->length);
	mtx_unlock(&pc->pc_mtx);
	return (v);
}

/*
 * A lock_request: record it for the event thread.  DPP_OK, or the
 * violation (an id already outstanding, too many outstanding), the
 * connection having been dropped.
 */
static int
conn_lock_request(struct pager_conn *pc, uint64_t gen, const struct dpp_hdr *h)
{
	struct pager_lockrec *lr, *free_lr;
	unsigned i;
	int v;

	mtx_lock(&pc->pc_mtx);
	if (pc->pc_state != PAGER_CONN_UP || pc->pc_gen != gen) {
		mtx_unlock(&pc->pc_mtx);
		return (DPP_E_STATE);	/* dropped already */
	}
	free_lr = NULL;
	for (i = 0; i < PAGER_CONN_LOCKS; i++) {
		lr = &pc->pc_locks[i];
		if (lr->lr_state == LOCK_FREE) {
			if (free_lr == NULL)
				free_lr = lr;
		} else if (lr->lr_lock.pl_id == h->id) {
			v = DPP_E_ID;
			goto drop;
		}
	}
	if (free_lr == NULL) {
		v = DPP_E_BUSY;
		goto drop;
	}
	free_lr->lr_state = LOCK_NEW;
	free_lr->lr_lock.pl_gen = gen;
	free_lr->lr_lock.pl_id = h->id;
	free_lr->lr_lock.pl_offset = h->offset;
	free_lr->lr_lock.pl_length = h->length;
	free_lr->lr_lock.pl_flags = h->flags;
	free_lr->lr_error = 0;
	pc->pc_nlocks++;
	pc->pc_st.pcs_lock_requests++;
	wakeup(&pc->pc_ev_up);
	mtx_unlock(&pc->pc_mtx);
	return (DPP_OK);

drop:
	conn_drop_locked(pc, gen, v, ECONNRESET,
	    "%s: lock_request id %#jx offset %#jx length %#x",
	    dpp_violation_name(v), (uintmax_t)h->id, (uintmax_t)h->offset,
	    h->length);
	mtx_unlock(&pc->pc_mtx);
	return (v);
}

/*
 * One step of lock work on the current connection, if any: call
 * pco_lock for a new request, or send a completed one's lock_completed.
 * True if something was done.  The conn lock must be held; it is dropped
 * and retaken.
 */
static int
conn_lock_work_locked(struct pager_conn *pc)
{
	struct pager_lockrec *lr;
	struct pager_conn_lock lk;
	struct timespec deadline;
	struct dpp_hdr h;
	uint8_t status[DPP_STATUS_SIZE];
	unsigned i;
	int r;

	mtx_assert(&pc->pc_mtx, MA_OWNED);
	for (i = 0; i < PAGER_CONN_LOCKS; i++) {
		lr = &pc->pc_locks[i];
		if (lr->lr_state == LOCK_NEW) {
			lr->lr_state = LOCK_RUNNING;
			lk = lr->lr_lock;
			mtx_unlock(&pc->pc_mtx);
			r = pc->pc_ops != NULL && pc->pc_ops->pco_lock != NULL ?
			    pc->pc_ops->pco_lock(pc->pc_arg, &lk) : 0;
			mtx_lock(&pc->pc_mtx);
			if (lr->lr_state != LOCK_RUNNING ||
			    lr->lr_lock.pl_gen != lk.pl_gen ||
			    lr->lr_lock.pl_id != lk.pl_id)
				return (1);	/* completed or dropped */
			if (r == PAGER_CONN_LOCK_LATER)
				lr->lr_state = LOCK_PENDING;
			else {
				lr->lr_state = LOCK_DONE;
				lr->lr_error = r < 0 || r > DPP_ERRNO_MAX ?
				    EIO : r;
			}
			return (1);
		}
		if (lr->lr_state == LOCK_DONE) {
			memset(&h, 0, sizeof(h));
			h.magic = DPP_MAGIC;
			h.type = DPP_LOCK_COMPLETED;
			h.id = lr->lr_lock.pl_id;
			h.offset = lr->lr_lock.pl_offset;
			h.length = (uint32_t)lr->lr_lock.pl_length;
			h.payload = DPP_STATUS_SIZE;
			dpp_status_encode(status, (uint32_t)lr->lr_error);
			lr->lr_state = LOCK_FREE;
			pc->pc_nlocks--;
			pc->pc_st.pcs_lock_completions++;
			deadline_set(&deadline, pc->pc_timeout_ms);
			(void)conn_send_locked(pc, lr->lr_lock.pl_gen, &h,
			    status, &deadline);
			return (1);
		}
	}
	return (0);
}

/*
 * The event thread: reports connections up and down and runs lock
 * requests, in the order they happened, outside every lock.
 */
static void *
conn_events(void *arg)
{
	struct pager_conn *pc;
	struct dpp_hello_reply reply;
	char why[PAGER_CONN_ERRMSG_MAX];
	uint64_t gen;

	pc = arg;
	mtx_lock(&pc->pc_mtx);
	for (;;) {
		if (test_hooks_active()) {
			/* Tests hold the thread here, before it looks. */
			mtx_unlock(&pc->pc_mtx);
			TEST_HOOK("pager_conn_events");
			mtx_lock(&pc->pc_mtx);
		}
		if (pc->pc_ev_up > pc->pc_ev_down &&
		    pc->pc_gen_ended >= pc->pc_ev_up) {
			gen = pc->pc_ev_up;
			pc->pc_ev_down = gen;
			memcpy(why, pc->pc_down_why, sizeof(why));
			mtx_unlock(&pc->pc_mtx);
			if (pc->pc_ops != NULL && pc->pc_ops->pco_down != NULL)
				pc->pc_ops->pco_down(pc->pc_arg, gen, why);
			mtx_lock(&pc->pc_mtx);
			continue;
		}
		if (pc->pc_ev_up < pc->pc_gen) {
			gen = pc->pc_gen;
			reply = pc->pc_reply;
			pc->pc_ev_up = gen;
			mtx_unlock(&pc->pc_mtx);
			if (pc->pc_ops != NULL && pc->pc_ops->pco_up != NULL)
				pc->pc_ops->pco_up(pc->pc_arg, gen, &reply);
			mtx_lock(&pc->pc_mtx);
			continue;
		}
		if (pc->pc_state == PAGER_CONN_UP &&
		    conn_lock_work_locked(pc))
			continue;
		if (pc->pc_state == PAGER_CONN_CLOSED)
			break;
		msleep(&pc->pc_ev_up, &pc->pc_mtx, 0, "pgevent", 0);
	}
	mtx_unlock(&pc->pc_mtx);
	return (NULL);
}
