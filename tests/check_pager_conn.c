/*
 * pager_conn, the daemon's end of an external pager's connection, against
 * a scripted pager (check_pager_peer.h) on a real UNIX socket: the
 * handshake, contents, several requests answered out of order, timeouts
 * and late answers, a pager that dies or stalls inside a message, every
 * class of protocol violation (each must drop the connection, fail the
 * waiters and be counted), lock requests, data_return, features,
 * reconnection, destroy with waiters, and a seeded mutation run of at
 * least 10 000 malformed messages (DPF_FUZZ_ITERS for more, DPF_FUZZ_SEED
 * to replay) that must never crash, leak or grow memory.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef DEVPAGER_ASAN
/* The sanitizer runtime's count (GCC ships no header for it). */
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

#include "check_devpager.h"
#include "check_fuzz.h"
#include "check_pager_peer.h"
#include "kern/kassert.h"
#include "kern/test_hook.h"
#include "dev/pager_conn.h"

#define	PAGE		4096u
#define	DEV_SIZE	(256 * PAGE)
#define	MAX_DATA	(8 * PAGE)
#define	NSLOTS		8

/* What the driver's callbacks saw. */
struct rec {
	pthread_mutex_t		mtx;
	pthread_cond_t		cv;
	char			log[512];	/* "up1 down1 up2 ..." */
	int			events;
	struct pager_conn_lock	locks[64];
	int			nlocks;
	int			lock_result;	/* what pco_lock returns */
};

static struct peer peer;
static struct pager_conn *conn;
static struct rec rec;

static void
rec_event(const char *fmt, uint64_t gen)
{
	size_t n;

	pthread_mutex_lock(&rec.mtx);
	n = strlen(rec.log);
	snprintf(rec.log + n, sizeof(rec.log) - n, "%s%s%ju",
	    n > 0 ? " " : "", fmt, (uintmax_t)gen);
	rec.events++;
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.mtx);
}

static void
rec_up(void *arg, uint64_t gen, const struct dpp_hello_reply *reply)
{

	rec_event("up", gen);
}

static void
rec_down(void *arg, uint64_t gen, const char *why)
{

	rec_event("down", gen);
}

static int
rec_lock(void *arg, const struct pager_conn_lock *lk)
{
	int r;

	pthread_mutex_lock(&rec.mtx);
	if (rec.nlocks < (int)nitems(rec.locks))
		rec.locks[rec.nlocks++] = *lk;
	r = rec.lock_result;
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.mtx);
	return (r);
}

static const struct pager_conn_ops rec_ops = {
	.pco_up = rec_up,
	.pco_lock = rec_lock,
	.pco_down = rec_down,
};

/* Wait until at least n events / locks were recorded; false on timeout. */
static bool
rec_wait(int *counter, int n)
{
	struct timespec ts;
	int error;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += PEER_WAIT_MS / 1000;
	error = 0;
	pthread_mutex_lock(&rec.mtx);
	while (*counter < n && error == 0)
		error = pthread_cond_timedwait(&rec.cv, &rec.mtx, &ts);
	pthread_mutex_unlock(&rec.mtx);
	return (*counter >= n);
}

static void
make_conn(unsigned timeout_ms, bool readonly)
{
	struct pager_conn_params p;

	memset(&p, 0, sizeof(p));
	p.pcp_path = peer.path;
	p.pcp_name = "pg0";
	p.pcp_size = DEV_SIZE;
	p.pcp_max_data = MAX_DATA;
	p.pcp_max_inflight = NSLOTS;
	p.pcp_timeout_ms = timeout_ms;
	p.pcp_readonly = readonly;
	p.pcp_ops = &rec_ops;
	p.pcp_arg = &rec;
	ck_assert_int_eq(pager_conn_create(&p, &conn), 0);
}

static void
setup(void)
{

	memset(&rec, 0, sizeof(rec));
	pthread_mutex_init(&rec.mtx, NULL);
	pthread_cond_init(&rec.cv, NULL);
	peer_open(&peer);
	conn = NULL;
}

static void
teardown(void)
{

	test_hook_reset();
	if (conn != NULL)
		pager_conn_destroy(conn);
	conn = NULL;
	peer_close(&peer);
}

static struct pager_conn_stats
stats(void)
{
	struct pager_conn_stats st;

	pager_conn_stats(conn, &st);
	return (st);
}

/* A request (or return) on its own thread. */
struct req {
	pthread_t	 td;
	uint64_t	 off;
	uint32_t	 len;
	unsigned	 access;
	bool		 ret;		/* pager_conn_return */
	uint8_t		*buf;
	int		 error;
};

static void *
req_main(void *arg)
{
	struct req *r;

	r = arg;
	if (r->ret)
		r->error = pager_conn_return(conn, r->off, r->len, r->buf);
	else
		r->error = pager_conn_request(conn, r->off, r->len, r->access,
		    r->buf);
	return (NULL);
}

static void
req_start(struct req *r, uint64_t off, uint32_t len, bool ret)
{

	memset(r, 0, sizeof(*r));
	r->off = off;
	r->len = len;
	r->access = DPP_ACCESS_READ;
	r->ret = ret;
	r->buf = malloc(len);
	ck_assert_ptr_nonnull(r->buf);
	if (ret)
		pattern_fill(r->buf, off, len, 3);
	else
		memset(r->buf, 0xee, len);
	ck_assert_int_eq(pthread_create(&r->td, NULL, req_main, r), 0);
}

static int
req_join(struct req *r)
{

	pthread_join(r->td, NULL);
	return (r->error);
}

static void
req_free(struct req *r)
{

	free(r->buf);
	r->buf = NULL;
}

static bool
all_bytes(const uint8_t *buf, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != v)
			return (false);
	return (true);
}

/* Connect on another thread while the peer accepts. */
static void *
connect_main(void *arg)
{

	*(int *)arg = pager_conn_connect(conn);
	return (NULL);
}

static void
connect_up(uint32_t features, uint32_t inflight)
{
	pthread_t td;
	int error;

	error = -1;
	ck_assert_int_eq(pthread_create(&td, NULL, connect_main, &error), 0);
	ck_assert_int_eq(peer_accept(&peer, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_handshake(&peer, features, inflight, NULL), 0);
	pthread_join(td, NULL);
	ck_assert_int_eq(error, 0);
}

START_TEST(test_create_bad_params)
{
	struct pager_conn_params p, q;
	struct pager_conn_stats st;
	char longpath[200], longname[300];

	memset(&p, 0, sizeof(p));
	p.pcp_path = peer.path;
	p.pcp_name = "pg0";
	p.pcp_size = DEV_SIZE;
	p.pcp_max_data = MAX_DATA;
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

#define	BADP(field, value) do {						\
	q = p;								\
	q.field = (value);						\
	conn = (struct pager_conn *)1;					\
	ck_assert_int_eq(pager_conn_create(&q, &conn), EINVAL);		\
	ck_assert_ptr_null(conn);					\
} while (0)
	BADP(pcp_path, NULL);
	BADP(pcp_path, "");
	BADP(pcp_path, longpath);
	BADP(pcp_name, NULL);
	BADP(pcp_name, "");
	BADP(pcp_name, "has space");
	BADP(pcp_name, "tab\t");
	BADP(pcp_name, longname);
	BADP(pcp_size, 0);
	BADP(pcp_size, DEV_SIZE + 1);
	BADP(pcp_max_data, 0);
	BADP(pcp_max_data, 6000);
	BADP(pcp_max_data, 2 * DPP_DATA_MAX);
	BADP(pcp_size, 4 * PAGE);	/* smaller than max_data */
	BADP(pcp_max_inflight, DPP_INFLIGHT_MAX + 1);
#undef BADP

	ck_assert_int_eq(pager_conn_create(&p, &conn), 0);
	st = stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
	ck_assert_uint_eq(st.pcs_gen, 0);
	ck_assert_uint_gt(st.pcs_mem, 0);
	ck_assert_str_eq(pager_conn_state_name(st.pcs_state), "down");
	/* Bad arguments to a request change nothing, connect nothing. */
	ck_assert_int_eq(pager_conn_request(conn, 1, PAGE, DPP_ACCESS_READ,
	    longpath), EINVAL);
	ck_assert_int_eq(pager_conn_request(conn, 0, 0, DPP_ACCESS_READ,
	    longpath), EINVAL);
	ck_assert_int_eq(pager_conn_request(conn, DEV_SIZE, PAGE,
	    DPP_ACCESS_READ, longpath), EINVAL);
	ck_assert_int_eq(pager_conn_request(conn, 0, MAX_DATA + PAGE,
	    DPP_ACCESS_READ, longpath), EINVAL);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE, DPP_ACCESS_WRITE,
	    longpath), EINVAL);
	ck_assert_int_eq(pager_conn_return(conn, 0, 3 * PAGE / 2, longpath),
	    EINVAL);
	st = stats();
	ck_assert_uint_eq(st.pcs_connect_failures, 0);
	ck_assert_uint_eq(st.pcs_requests, 0);
}
END_TEST

START_TEST(test_no_pager)
{
	struct pager_conn_stats st;
	uint8_t buf[PAGE];

	make_conn(1000, false);
	peer_unlisten(&peer);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE, DPP_ACCESS_READ,
	    buf), ENOTCONN);
	ck_assert_int_eq(pager_conn_connect(conn), ENOTCONN);
	st = stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
	ck_assert_uint_eq(st.pcs_connect_failures, 2);
	ck_assert_uint_eq(st.pcs_gen, 0);
	ck_assert_ptr_nonnull(strstr(st.pcs_last_error, "connect"));
	ck_assert_ptr_nonnull(strstr(st.pcs_last_error, peer.path));
}
END_TEST

/* The daemon's hello says what it is; the reply's choices are kept. */
START_TEST(test_handshake)
{
	struct pager_conn_stats st;
	struct dpp_hello hello;
	struct peer_msg m;
	struct req r;

	make_conn(3000, true);
	req_start(&r, 4 * PAGE, 2 * PAGE, false);
	ck_assert_int_eq(peer_accept(&peer, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_handshake(&peer, DPP_PF_NORETURN, 5, &hello), 0);
	ck_assert_uint_eq(hello.version_min, 1);
	ck_assert_uint_eq(hello.version_max, DPP_VERSION);
	ck_assert_uint_eq(hello.page_size, PAGE);
	ck_assert_uint_eq(hello.size, DEV_SIZE);
	ck_assert_uint_eq(hello.max_data, MAX_DATA);
	ck_assert_uint_eq(hello.max_inflight, NSLOTS);
	ck_assert_uint_eq(hello.max_locks, PAGER_CONN_LOCKS);
	ck_assert_uint_eq(hello.features, DPP_DF_READONLY);
	ck_assert_uint_eq(hello.timeout_ms, 3000);
	ck_assert_str_eq(hello.name, "pg0");

	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
	ck_assert_uint_eq(m.h.flags, DPP_ACCESS_READ);
	ck_assert_uint_eq(m.h.offset, 4 * PAGE);
	ck_assert_uint_eq(m.h.length, 2 * PAGE);
	ck_assert_uint_eq(m.h.payload, 0);
	ck_assert_uint_ne(m.h.id, 0);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	ck_assert(pattern_check(r.buf, 4 * PAGE, 2 * PAGE, 0));
	req_free(&r);

	st = stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_UP);
	ck_assert_uint_eq(st.pcs_gen, 1);
	ck_assert_uint_eq(st.pcs_version, 1);
	ck_assert_uint_eq(st.pcs_features, DPP_PF_NORETURN);
	ck_assert_uint_eq(st.pcs_requests, 1);
	ck_assert_uint_eq(st.pcs_inflight, 0);
	ck_assert(rec_wait(&rec.events, 1));
	ck_assert_str_eq(rec.log, "up1");
}
END_TEST

/* Many requests from several threads, each gets its own bytes. */
START_TEST(test_contents_many_threads)
{
	enum { NT = 4, PER = 25 };
	struct req r[NT];
	struct peer_msg m;
	uint64_t x, off;
	uint32_t len;
	int i, t, served;

	make_conn(5000, false);
	x = 0x12345;
	for (i = 0; i < PER; i++) {
		for (t = 0; t < NT; t++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			len = (uint32_t)(1 + x % 8) * PAGE;
			off = ((x >> 8) % (DEV_SIZE / PAGE - 8)) * PAGE;
			req_start(&r[t], off, len, false);
		}
		if (i == 0)
			ck_assert_int_eq(peer_accept_up(&peer), 0);
		for (served = 0; served < NT; served++) {
			ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
			ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
			ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
		}
		for (t = 0; t < NT; t++) {
			ck_assert_int_eq(req_join(&r[t]), 0);
			ck_assert_msg(pattern_check(r[t].buf, r[t].off,
			    r[t].len, 0), "wrong bytes at %#jx+%#x",
			    (uintmax_t)r[t].off, r[t].len);
			req_free(&r[t]);
		}
	}
	ck_assert_uint_eq(stats().pcs_requests, NT * PER);
	ck_assert_uint_eq(stats().pcs_gen, 1);
}
END_TEST

/* Three requests in flight at once, answered last first. */
START_TEST(test_out_of_order)
{
	struct peer_msg m[3];
	struct req r[3];
	int i;

	make_conn(5000, false);
	req_start(&r[0], 0, PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	req_start(&r[1], 8 * PAGE, 2 * PAGE, false);
	req_start(&r[2], 100 * PAGE, 8 * PAGE, false);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(peer_read(&peer, &m[i], PEER_WAIT_MS), 0);
	ck_assert_uint_ne(m[0].h.id, m[1].h.id);
	ck_assert_uint_ne(m[1].h.id, m[2].h.id);
	ck_assert_uint_ne(m[0].h.id, m[2].h.id);
	ck_assert_uint_eq(stats().pcs_inflight, 3);
	for (i = 2; i >= 0; i--)
		ck_assert_int_eq(peer_supply(&peer, &m[i], 0), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(req_join(&r[i]), 0);
		ck_assert(pattern_check(r[i].buf, r[i].off, r[i].len, 0));
		req_free(&r[i]);
	}
	ck_assert_uint_eq(stats().pcs_inflight, 0);
}
END_TEST

START_TEST(test_unavailable_and_error)
{
	struct pager_conn_stats st;
	struct dpp_hdr h;
	struct peer_msg m;
	struct req r;

	make_conn(5000, false);
	req_start(&r, PAGE, 3 * PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	h = peer_hdr(DPP_DATA_UNAVAILABLE, 0, m.h.id, m.h.offset, m.h.length,
	    0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert_int_eq(req_join(&r), 0);
	ck_assert(all_bytes(r.buf, r.len, 0));
	req_free(&r);

	req_start(&r, 2 * PAGE, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_status(&peer, DPP_DATA_ERROR, &m, ENOSPC), 0);
	ck_assert_int_eq(req_join(&r), ENOSPC);
	ck_assert(all_bytes(r.buf, r.len, 0xee));
	req_free(&r);

	st = stats();
	ck_assert_uint_eq(st.pcs_errors, 1);
	ck_assert_uint_eq(st.pcs_violations, 0);
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_UP);
}
END_TEST

/*
 * A request times out (ETIMEDOUT) and its slot waits for the answer; the
 * late answer is read and dropped, the connection stays up.
 */
START_TEST(test_timeout_then_late_answer)
{
	struct pager_conn_stats st;
	struct peer_msg m1, m2, m3;
	struct req r;

	make_conn(200, false);
	req_start(&r, 0, 4 * PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m1, PEER_WAIT_MS), 0);
	ck_assert_int_eq(req_join(&r), ETIMEDOUT);
	ck_assert(all_bytes(r.buf, r.len, 0xee));
	req_free(&r);
	st = stats();
	ck_assert_uint_eq(st.pcs_timeouts, 1);
	ck_assert_uint_eq(st.pcs_inflight, 1);

	req_start(&r, PAGE, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m2, PEER_WAIT_MS), 0);
	ck_assert_int_eq(req_join(&r), ETIMEDOUT);
	req_free(&r);

	/* Both late answers are taken without complaint. */
	ck_assert_int_eq(peer_supply(&peer, &m1, 0), 0);
	ck_assert_int_eq(peer_status(&peer, DPP_DATA_ERROR, &m2, EIO), 0);
	req_start(&r, 8 * PAGE, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m3, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_supply(&peer, &m3, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	ck_assert(pattern_check(r.buf, 8 * PAGE, PAGE, 0));
	req_free(&r);

	st = stats();
	ck_assert_uint_eq(st.pcs_late, 2);
	ck_assert_uint_eq(st.pcs_violations, 0);
	ck_assert_uint_eq(st.pcs_drops, 0);
	ck_assert_uint_eq(st.pcs_inflight, 0);
	ck_assert_uint_eq(st.pcs_gen, 1);
}
END_TEST

/*
 * The answer's bytes are being copied into the caller's buffer when the
 * caller's timeout strikes: the caller waits for the copy and gets the
 * data (leaving would let the reader write into freed memory).
 */
START_TEST(test_timeout_while_receiving)
{
	struct peer_msg m;
	struct req r;

	make_conn(100, false);
	test_hook_arm("pager_conn_reader_claimed");
	test_hook_arm("pager_conn_wait_receiving");
	req_start(&r, 16 * PAGE, 8 * PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert(test_hook_wait_parked("pager_conn_reader_claimed",
	    PEER_WAIT_MS));
	/* The caller is past its deadline, still waiting for the copy. */
	ck_assert(test_hook_wait_parked("pager_conn_wait_receiving",
	    PEER_WAIT_MS));
	test_hook_release("pager_conn_reader_claimed");
	test_hook_release("pager_conn_wait_receiving");
	ck_assert_int_eq(req_join(&r), 0);
	ck_assert(pattern_check(r.buf, 16 * PAGE, 8 * PAGE, 0));
	req_free(&r);
	ck_assert_uint_eq(stats().pcs_timeouts, 0);
}
END_TEST

/* The pager dies inside a message; the next request reconnects. */
START_TEST(test_pager_dies_mid_message)
{
	struct pager_conn_stats st;
	struct peer_msg m;
	struct dpp_hdr h;
	struct req r;
	uint8_t hbuf[DPP_HDR_SIZE], part[1000];

	make_conn(5000, false);
	req_start(&r, 0, 8 * PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	h = peer_hdr(DPP_DATA_SUPPLY, 0, m.h.id, m.h.offset, m.h.length,
	    m.h.length);
	dpp_hdr_encode(hbuf, &h);
	ck_assert_int_eq(peer_send_raw(&peer, hbuf, sizeof(hbuf)), 0);
	memset(part, 0x11, sizeof(part));
	ck_assert_int_eq(peer_send_raw(&peer, part, sizeof(part)), 0);
	peer_hangup(&peer);
	ck_assert_int_eq(req_join(&r), ECONNRESET);
	req_free(&r);
	st = stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
	ck_assert_uint_eq(st.pcs_violations, 1);
	ck_assert_uint_eq(st.pcs_drops, 1);
	ck_assert_ptr_nonnull(strstr(st.pcs_last_error,
	    dpp_violation_name(DPP_E_TRUNCATED)));

	/* A new pager: the next request connects again. */
	req_start(&r, PAGE, PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	ck_assert(pattern_check(r.buf, PAGE, PAGE, 0));
	req_free(&r);
	st = stats();
	ck_assert_uint_eq(st.pcs_gen, 2);
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_UP);
	ck_assert(rec_wait(&rec.events, 3));
	ck_assert_str_eq(rec.log, "up1 down1 up2");
}
END_TEST

/* A message that starts and stops: dropped after the timeout. */
START_TEST(test_pager_stalls_mid_message)
{
	struct peer_msg m;
	struct req r;
	uint8_t part[10];
	int e;

	make_conn(150, false);
	req_start(&r, 0, PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	memset(part, 0, sizeof(part));
	ck_assert_int_eq(peer_send_raw(&peer, "DPGR", 4), 0);
	ck_assert_int_eq(peer_send_raw(&peer, part, sizeof(part)), 0);
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	/* The request's own timeout may strike first. */
	e = req_join(&r);
	ck_assert_msg(e == ECONNRESET || e == ETIMEDOUT, "error %d", e);
	req_free(&r);
	ck_assert_uint_eq(stats().pcs_violations, 1);
	ck_assert_ptr_nonnull(strstr(stats().pcs_last_error,
	    dpp_violation_name(DPP_E_STALL)));
}
END_TEST

/* The malformed answers of test_violations, built from the request m. */
enum bad_kind {
	BAD_MAGIC, BAD_TYPE, BAD_DIRECTION, BAD_HELLO_AGAIN, BAD_FLAGS,
	BAD_RESERVED, BAD_OVERSIZE, BAD_PAYLOAD, BAD_RANGE, BAD_ID_SEQ,
	BAD_ID_SLOT, BAD_ID_ZERO, BAD_DUPLICATE, BAD_OFFSET, BAD_LENGTH,
	BAD_KIND, BAD_ERRNO_ZERO, BAD_ERRNO_BIG, BAD_LOCK_RANGE,
	BAD_LOCK_DUP, BAD_LOCK_MANY, BAD_REASON, BAD_TRUNC_STATUS,
	BAD_NKINDS
};

static const struct {
	const char	*name;
	int		 want;
	int		 req_error;	/* what the request returns */
} bad_cases[BAD_NKINDS] = {
	[BAD_MAGIC] = { "bad magic", DPP_E_MAGIC, ECONNRESET },
	[BAD_TYPE] = { "unknown type", DPP_E_TYPE, ECONNRESET },
	[BAD_DIRECTION] = { "a daemon's type", DPP_E_DIRECTION, ECONNRESET },
	[BAD_HELLO_AGAIN] = { "hello_reply again", DPP_E_STATE, ECONNRESET },
	[BAD_FLAGS] = { "flags on supply", DPP_E_FLAGS, ECONNRESET },
	[BAD_RESERVED] = { "id on terminate", DPP_E_RESERVED, ECONNRESET },
	[BAD_OVERSIZE] = { "4 GiB payload", DPP_E_OVERSIZE, ECONNRESET },
	[BAD_PAYLOAD] = { "payload != length", DPP_E_PAYLOAD, ECONNRESET },
	[BAD_RANGE] = { "misaligned offset", DPP_E_RANGE, ECONNRESET },
	[BAD_ID_SEQ] = { "id never issued", DPP_E_ID, ECONNRESET },
	[BAD_ID_SLOT] = { "id of no slot", DPP_E_ID, ECONNRESET },
	[BAD_ID_ZERO] = { "id 0", DPP_E_ID, ECONNRESET },
	[BAD_DUPLICATE] = { "answered twice", DPP_E_ID, 0 },
	[BAD_OFFSET] = { "other offset", DPP_E_MISMATCH, ECONNRESET },
	[BAD_LENGTH] = { "other length", DPP_E_MISMATCH, ECONNRESET },
	[BAD_KIND] = { "return_completed to a request", DPP_E_MISMATCH,
	    ECONNRESET },
	[BAD_ERRNO_ZERO] = { "data_error 0", DPP_E_STATUS, ECONNRESET },
	[BAD_ERRNO_BIG] = { "data_error 5000", DPP_E_STATUS, ECONNRESET },
	[BAD_LOCK_RANGE] = { "lock past the end", DPP_E_RANGE, ECONNRESET },
	[BAD_LOCK_DUP] = { "lock id outstanding", DPP_E_ID, ECONNRESET },
	[BAD_LOCK_MANY] = { "too many locks", DPP_E_BUSY, ECONNRESET },
	[BAD_REASON] = { "terminate reason of 300", DPP_E_PAYLOAD,
	    ECONNRESET },
	[BAD_TRUNC_STATUS] = { "status cut short", DPP_E_TRUNCATED,
	    ECONNRESET },
};

static void
send_bad(int kind, const struct peer_msg *m)
{
	struct dpp_hdr h;
	uint8_t s[DPP_STATUS_SIZE], rbuf[DPP_HELLO_REPLY_SIZE];
	uint8_t *data;
	int i;

	data = calloc(1, MAX_DATA + PAGE);
	ck_assert_ptr_nonnull(data);
	h = peer_hdr(DPP_DATA_SUPPLY, 0, m->h.id, m->h.offset, m->h.length,
	    m->h.length);
	switch (kind) {
	case BAD_MAGIC:
		h.magic ^= 0x100;
		break;
	case BAD_TYPE:
		h.type = 0x90;
		break;
	case BAD_DIRECTION:
		h.type = DPP_DATA_RETURN;
		break;
	case BAD_HELLO_AGAIN:
		h = peer_hdr(DPP_HELLO_REPLY, 0, 0, 0, 0,
		    DPP_HELLO_REPLY_SIZE);
		memset(rbuf, 0, sizeof(rbuf));
		rbuf[0] = 1;
		rbuf[8] = 1;
		(void)peer_send(&peer, &h, rbuf);
		goto out;
	case BAD_FLAGS:
		h.flags = 1;
		break;
	case BAD_RESERVED:
		h = peer_hdr(DPP_PAGER_TERMINATE, 0, 5, 0, 0, 0);
		break;
	case BAD_OVERSIZE:
		h.payload = UINT32_MAX;
		break;
	case BAD_PAYLOAD:
		h.payload = m->h.length - PAGE;
		break;
	case BAD_RANGE:
		h.offset += 512;
		break;
	case BAD_ID_SEQ:
		h.id ^= 1ULL << 40;
		break;
	case BAD_ID_SLOT:
		h.id = (h.id & ~0xffULL) | 200;
		break;
	case BAD_ID_ZERO:
		h.id = 0;
		break;
	case BAD_DUPLICATE:
		ck_assert_int_eq(peer_supply(&peer, m, 0), 0);
		break;
	case BAD_OFFSET:
		h.offset += PAGE;
		break;
	case BAD_LENGTH:
		h.length -= PAGE;
		h.payload -= PAGE;
		break;
	case BAD_KIND:
		(void)peer_status(&peer, DPP_RETURN_COMPLETED, m, 0);
		goto out;
	case BAD_ERRNO_ZERO:
		(void)peer_status(&peer, DPP_DATA_ERROR, m, 0);
		goto out;
	case BAD_ERRNO_BIG:
		(void)peer_status(&peer, DPP_DATA_ERROR, m, 5000);
		goto out;
	case BAD_LOCK_RANGE:
		h = peer_hdr(DPP_LOCK_REQUEST, 0, 7, DEV_SIZE - PAGE,
		    2 * PAGE, 0);
		break;
	case BAD_LOCK_DUP:
		h = peer_hdr(DPP_LOCK_REQUEST, 0, 7, 0, PAGE, 0);
		ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
		break;
	case BAD_LOCK_MANY:
		for (i = 0; i < PAGER_CONN_LOCKS; i++) {
			h = peer_hdr(DPP_LOCK_REQUEST, 0, 100 + i, 0, PAGE, 0);
			ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
		}
		h = peer_hdr(DPP_LOCK_REQUEST, 0, 1000, 0, PAGE, 0);
		break;
	case BAD_REASON:
		h = peer_hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, 300);
		break;
	case BAD_TRUNC_STATUS:
		h = peer_hdr(DPP_DATA_ERROR, 0, m->h.id, m->h.offset,
		    m->h.length, DPP_STATUS_SIZE);
		dpp_hdr_encode(data, &h);
		dpp_status_encode(s, EIO);
		memcpy(data + DPP_HDR_SIZE, s, 2);
		ck_assert_int_eq(peer_send_raw(&peer, data, DPP_HDR_SIZE + 2),
		    0);
		shutdown(peer.fd, SHUT_WR);
		goto out;
	}
	/*
	 * The header, and as much payload as it claims (within reason):
	 * the daemon may close as soon as it has read the header.
	 */
	dpp_hdr_encode(data, &h);
	(void)peer_send_raw(&peer, data, DPP_HDR_SIZE);
	if (h.payload <= MAX_DATA)
		(void)peer_send_raw(&peer, data + DPP_HDR_SIZE, h.payload);
out:
	free(data);
}

/*
 * Every class of violation drops the connection: the pager sees it
 * closed, the waiter fails, the violation is counted and logged by name,
 * and the next request connects again.
 */
START_TEST(test_violations)
{
	struct pager_conn_stats st;
	struct peer_msg m;
	struct req r;
	uint64_t gen;

	make_conn(2000, false);
	rec.lock_result = PAGER_CONN_LOCK_LATER;
	gen = 0;
	for (int k = 0; k < BAD_NKINDS; k++) {
		req_start(&r, 2 * PAGE, 2 * PAGE, false);
		ck_assert_int_eq(peer_accept_up(&peer), 0);
		ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
		ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
		send_bad(k, &m);
		ck_assert_msg(peer_wait_eof(&peer, PEER_WAIT_MS),
		    "%s: connection not dropped", bad_cases[k].name);
		ck_assert_int_eq(req_join(&r), bad_cases[k].req_error);
		if (bad_cases[k].req_error == 0)
			ck_assert(pattern_check(r.buf, r.off, r.len, 0));
		req_free(&r);
		st = stats();
		gen++;
		ck_assert_msg(st.pcs_violations == gen,
		    "%s: %ju violations after %ju cases", bad_cases[k].name,
		    (uintmax_t)st.pcs_violations, (uintmax_t)gen);
		ck_assert_uint_eq(st.pcs_gen, gen);
		ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
		ck_assert_uint_eq(st.pcs_inflight, 0);
		ck_assert_uint_eq(st.pcs_locks, 0);
		ck_assert_msg(strstr(st.pcs_last_error,
		    dpp_violation_name(bad_cases[k].want)) != NULL,
		    "%s: last error \"%s\" does not say \"%s\"",
		    bad_cases[k].name, st.pcs_last_error,
		    dpp_violation_name(bad_cases[k].want));
	}
}
END_TEST

/* A hello_reply (or no reply) that must fail the connect. */
static const struct {
	const char	*name;
	const char	*says;		/* in last_error */
	int		 error;
} hs_cases[] = {
	{ "version 2", "no common protocol version", ENOTCONN },
	{ "unknown feature", "handshake field", ENOTCONN },
	{ "both features", "handshake field", ENOTCONN },
	{ "inflight 0", "handshake field", ENOTCONN },
	{ "reserved", "reserved field", ENOTCONN },
	{ "supply first", "out of place", ENOTCONN },
	{ "short reply", "wrong payload", ENOTCONN },
	{ "bad magic", "bad magic", ENOTCONN },
	{ "terminate", "pager refused: go away", ENOTCONN },
	{ "hangup", "connection closed", ENOTCONN },
	{ "silence", "timed out", ETIMEDOUT },
};

START_TEST(test_handshake_violations)
{
	struct dpp_hello_reply reply;
	struct pager_conn_stats st;
	struct peer_msg m;
	struct dpp_hdr h;
	struct req r;
	uint8_t rbuf[DPP_HELLO_REPLY_SIZE];
	uint8_t raw[DPP_HDR_SIZE + DPP_HELLO_REPLY_SIZE];
	size_t k;

	make_conn(300, false);
	for (k = 0; k < nitems(hs_cases); k++) {
		req_start(&r, 0, PAGE, false);
		ck_assert_int_eq(peer_accept(&peer, PEER_WAIT_MS), 0);
		ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
		ck_assert_uint_eq(m.h.type, DPP_HELLO);
		reply.version = 1;
		reply.features = 0;
		reply.max_inflight = 4;
		h = peer_hdr(DPP_HELLO_REPLY, 0, 0, 0, 0,
		    DPP_HELLO_REPLY_SIZE);
		switch (k) {
		case 0:
			reply.version = 2;
			break;
		case 1:
			reply.features = 0x10;
			break;
		case 2:
			reply.features = DPP_PF_READONLY | DPP_PF_NORETURN;
			break;
		case 3:
			reply.max_inflight = 0;
			break;
		}
		dpp_hello_reply_encode(rbuf, &reply);
		switch (k) {
		case 4:
			rbuf[13] = 1;
			break;
		case 5:
			h = peer_hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, PAGE);
			break;
		case 6:
			h.payload = 8;
			break;
		case 7:
			h.magic = 0;
			break;
		case 8:
			h = peer_hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, 7);
			memcpy(rbuf, "go away", 7);
			break;
		}
		if (k == 9)
			peer_hangup(&peer);
		else if (k != 10) {
			/* The header and 16 bytes, whatever it claims. */
			dpp_hdr_encode(raw, &h);
			memcpy(raw + DPP_HDR_SIZE, rbuf, sizeof(rbuf));
			(void)peer_send_raw(&peer, raw, sizeof(raw));
		}
		ck_assert_int_eq(req_join(&r), hs_cases[k].error);
		req_free(&r);
		st = stats();
		ck_assert_uint_eq(st.pcs_connect_failures, k + 1);
		ck_assert_uint_eq(st.pcs_gen, 0);
		ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
		ck_assert_msg(strstr(st.pcs_last_error, hs_cases[k].says) !=
		    NULL, "%s: \"%s\" does not say \"%s\"", hs_cases[k].name,
		    st.pcs_last_error, hs_cases[k].says);
		if (k != 9)
			ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	}
	ck_assert_str_eq(rec.log, "");
}
END_TEST

/* lock_request: pco_lock runs, its status goes back in lock_completed. */
START_TEST(test_lock_request)
{
	struct pager_conn_stats st;
	struct peer_msg m;
	struct dpp_hdr h;
	uint32_t status;

	make_conn(5000, false);
	connect_up(0, 64);
	h = peer_hdr(DPP_LOCK_REQUEST, DPP_LOCK_RETURN, 11, 4 * PAGE,
	    200 * PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_LOCK_COMPLETED);
	ck_assert_uint_eq(m.h.id, 11);
	ck_assert_uint_eq(m.h.offset, 4 * PAGE);
	ck_assert_uint_eq(m.h.length, 200 * PAGE);
	ck_assert_uint_eq(m.len, DPP_STATUS_SIZE);
	ck_assert_int_eq(dpp_status_decode(m.payload, 0, &status), DPP_OK);
	ck_assert_uint_eq(status, 0);
	ck_assert_int_eq(rec.nlocks, 1);
	ck_assert_uint_eq(rec.locks[0].pl_gen, 1);
	ck_assert_uint_eq(rec.locks[0].pl_id, 11);
	ck_assert_uint_eq(rec.locks[0].pl_offset, 4 * PAGE);
	ck_assert_uint_eq(rec.locks[0].pl_length, 200 * PAGE);
	ck_assert_uint_eq(rec.locks[0].pl_flags, DPP_LOCK_RETURN);

	/* The driver's error goes back; the same id may come again. */
	rec.lock_result = EBUSY;
	h = peer_hdr(DPP_LOCK_REQUEST, 0, 11, 0, PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_LOCK_COMPLETED);
	ck_assert_int_eq(dpp_status_decode(m.payload, 0, &status), DPP_OK);
	ck_assert_uint_eq(status, EBUSY);
	st = stats();
	ck_assert_uint_eq(st.pcs_lock_requests, 2);
	ck_assert_uint_eq(st.pcs_lock_completions, 2);
	ck_assert_uint_eq(st.pcs_locks, 0);
	ck_assert_uint_eq(st.pcs_violations, 0);
}
END_TEST

/* pco_lock defers; pager_conn_lock_completed completes, once. */
START_TEST(test_lock_request_later)
{
	struct pager_conn_lock lk;
	struct peer_msg m;
	struct dpp_hdr h;
	struct req r;
	uint32_t status;

	make_conn(5000, false);
	rec.lock_result = PAGER_CONN_LOCK_LATER;
	connect_up(0, 64);
	h = peer_hdr(DPP_LOCK_REQUEST, 0, 21, 0, 16 * PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert(rec_wait(&rec.nlocks, 1));
	lk = rec.locks[0];
	ck_assert_uint_eq(stats().pcs_locks, 1);
	ck_assert_uint_eq(stats().pcs_lock_completions, 0);

	pager_conn_lock_completed(conn, &lk, ENOMEM);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_LOCK_COMPLETED);
	ck_assert_uint_eq(m.h.id, 21);
	ck_assert_int_eq(dpp_status_decode(m.payload, 0, &status), DPP_OK);
	ck_assert_uint_eq(status, ENOMEM);
	/* Twice: ignored.  The next message is a request's. */
	pager_conn_lock_completed(conn, &lk, 0);
	req_start(&r, 0, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	req_free(&r);
	ck_assert_uint_eq(stats().pcs_lock_completions, 1);

	/* Outstanding when the connection ends: forgotten. */
	h = peer_hdr(DPP_LOCK_REQUEST, 0, 22, 0, PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert(rec_wait(&rec.nlocks, 2));
	lk = rec.locks[1];
	peer_hangup(&peer);
	ck_assert(rec_wait(&rec.events, 2));	/* up1 down1 */
	ck_assert_uint_eq(stats().pcs_locks, 0);
	connect_up(0, 64);
	pager_conn_lock_completed(conn, &lk, 0);	/* of connection 1 */
	req_start(&r, 0, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	req_free(&r);
	ck_assert_uint_eq(stats().pcs_lock_completions, 1);
	ck_assert_uint_eq(stats().pcs_violations, 0);
}
END_TEST

/* data_return carries the bytes; return_completed's status comes back. */
START_TEST(test_data_return)
{
	struct pager_conn_stats st;
	struct peer_msg m;
	struct req r;
	uint8_t *got;

	make_conn(5000, false);
	got = malloc(MAX_DATA);
	ck_assert_ptr_nonnull(got);
	req_start(&r, 40 * PAGE, 8 * PAGE, true);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read_into(&peer, &m, got, MAX_DATA,
	    PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_RETURN);
	ck_assert_uint_eq(m.h.offset, 40 * PAGE);
	ck_assert_uint_eq(m.h.length, 8 * PAGE);
	ck_assert_uint_eq(m.h.payload, 8 * PAGE);
	ck_assert(pattern_check(got, 40 * PAGE, 8 * PAGE, 3));
	ck_assert_int_eq(peer_status(&peer, DPP_RETURN_COMPLETED, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	req_free(&r);

	req_start(&r, 0, PAGE, true);
	ck_assert_int_eq(peer_read_into(&peer, &m, got, MAX_DATA,
	    PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_status(&peer, DPP_RETURN_COMPLETED, &m,
	    ENOSPC), 0);
	ck_assert_int_eq(req_join(&r), ENOSPC);
	req_free(&r);
	free(got);
	st = stats();
	ck_assert_uint_eq(st.pcs_returns, 2);
	ck_assert_uint_eq(st.pcs_errors, 1);
}
END_TEST

/* What the features allow, refused without a message on the wire. */
START_TEST(test_features)
{
	struct peer_msg m;
	uint8_t buf[PAGE];

	make_conn(5000, false);
	connect_up(DPP_PF_READONLY, 64);
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EROFS);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE,
	    DPP_ACCESS_READ | DPP_ACCESS_WRITE, buf), EROFS);
	ck_assert_uint_eq(stats().pcs_requests, 0);
	ck_assert_uint_eq(stats().pcs_returns, 0);

	pager_conn_disconnect(conn, "test");
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	connect_up(DPP_PF_NORETURN, 64);
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EOPNOTSUPP);
	ck_assert_uint_eq(stats().pcs_returns, 0);
	pager_conn_destroy(conn);
	conn = NULL;
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_TERMINATE);

	/* A read-only device: the daemon refuses writes itself. */
	make_conn(5000, true);
	connect_up(0, 64);
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EROFS);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE,
	    DPP_ACCESS_READ | DPP_ACCESS_WRITE, buf), EROFS);
	ck_assert_uint_eq(stats().pcs_requests, 0);
}
END_TEST

START_TEST(test_terminate_from_pager)
{
	struct pager_conn_stats st;
	struct peer_msg m;
	struct dpp_hdr h;
	struct req r;

	make_conn(5000, false);
	req_start(&r, 0, PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	h = peer_hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, 7);
	ck_assert_int_eq(peer_send(&peer, &h, "bye\x01now"), 0);
	ck_assert_int_eq(req_join(&r), ECONNRESET);
	req_free(&r);
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	st = stats();
	ck_assert_uint_eq(st.pcs_violations, 0);
	ck_assert_uint_eq(st.pcs_drops, 1);
	ck_assert_ptr_nonnull(strstr(st.pcs_last_error, "bye?now"));
}
END_TEST

/* Destroy with callers waiting: they fail, the pager hears terminate. */
START_TEST(test_destroy_with_waiters)
{
	struct peer_msg m;
	struct req r[3];
	int i, e;

	make_conn(5000, false);
	req_start(&r[0], 0, PAGE, false);
	ck_assert_int_eq(peer_accept_up(&peer), 0);
	req_start(&r[1], PAGE, PAGE, false);
	req_start(&r[2], 2 * PAGE, PAGE, false);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	pager_conn_destroy(conn);
	conn = NULL;
	for (i = 0; i < 3; i++) {
		e = req_join(&r[i]);
		ck_assert_msg(e == ESHUTDOWN || e == ECONNRESET,
		    "request %d: %d", i, e);
		req_free(&r[i]);
	}
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_TERMINATE);
	ck_assert_uint_eq(m.len, strlen("device destroyed"));
	ck_assert_mem_eq(m.payload, "device destroyed", m.len);
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	ck_assert_str_eq(rec.log, "up1 down1");
}
END_TEST

/* The pager's max_inflight is the bound, not the daemon's slots. */
START_TEST(test_inflight_limit)
{
	struct peer_msg m[4];
	struct req r[4];
	int i;

	make_conn(5000, false);
	connect_up(0, 2);
	for (i = 0; i < 4; i++)
		req_start(&r[i], (uint64_t)i * PAGE, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m[0], PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_read(&peer, &m[1], PEER_WAIT_MS), 0);
	/* No third request while two are outstanding. */
	ck_assert_int_ne(peer_read(&peer, &m[2], 200), 0);
	ck_assert_uint_eq(stats().pcs_inflight, 2);
	ck_assert_int_eq(peer_supply(&peer, &m[1], 0), 0);
	ck_assert_int_eq(peer_read(&peer, &m[2], PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_supply(&peer, &m[0], 0), 0);
	ck_assert_int_eq(peer_read(&peer, &m[3], PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_supply(&peer, &m[2], 0), 0);
	ck_assert_int_eq(peer_supply(&peer, &m[3], 0), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(req_join(&r[i]), 0);
		ck_assert(pattern_check(r[i].buf, r[i].off, PAGE, 0));
		req_free(&r[i]);
	}
}
END_TEST

/* connect/disconnect by hand (what ctl does). */
START_TEST(test_connect_disconnect)
{
	struct pager_conn_stats st;

	make_conn(5000, false);
	connect_up(0, 64);
	ck_assert_int_eq(pager_conn_connect(conn), 0);	/* already up */
	pager_conn_disconnect(conn, "by ctl");
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	st = stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
	ck_assert_str_eq(st.pcs_last_error, "by ctl");
	ck_assert_uint_eq(st.pcs_violations, 0);
	connect_up(0, 64);
	ck_assert_uint_eq(stats().pcs_gen, 2);
	ck_assert(rec_wait(&rec.events, 3));
	ck_assert_str_eq(rec.log, "up1 down1 up2");
}
END_TEST

/*
 * The mutation run.  Three threads keep requests going; the pager
 * answers with valid messages (supplies, unavailable, errors, lock
 * requests, in any order) and, now and then, one mutation: a bit flip in
 * a valid answer's header, a truncated message, an oversized or wrong
 * payload, a duplicated answer, an unknown id, a wrong range, a bad
 * errno, a bad lock request, a second hello_reply, a daemon's type,
 * garbage, or a malformed hello_reply.  Each mutation must drop the
 * connection (counted exactly once), every request that succeeds must
 * hold the right bytes, and the allocated memory must stay flat.
 */
#define	FZ_THREADS	3
#define	FZ_PENDING	8

struct fz_req {
	pthread_t	td;
	uint64_t	state;
	unsigned long	ok, failed, bad_data;
};

static volatile int fz_stop;

static void *
fz_req_main(void *arg)
{
	struct fz_req *f;
	uint8_t *buf;
	uint64_t off, x;
	uint32_t len;
	int error;

	f = arg;
	buf = malloc(MAX_DATA);
	if (buf == NULL)
		return (NULL);
	while (!__atomic_load_n(&fz_stop, __ATOMIC_RELAXED)) {
		x = f->state;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		f->state = x;
		len = (uint32_t)(1 + x % (MAX_DATA / PAGE)) * PAGE;
		off = ((x >> 16) % (DEV_SIZE / PAGE - MAX_DATA / PAGE)) * PAGE;
		error = pager_conn_request(conn, off, len, DPP_ACCESS_READ,
		    buf);
		if (error == 0) {
			f->ok++;
			if (!pattern_check(buf, off, len, 0) &&
			    !all_bytes(buf, len, 0))
				f->bad_data++;
		} else
			f->failed++;
	}
	free(buf);
	return (NULL);
}

static size_t
heap_in_use(void)
{
#ifdef DEVPAGER_ASAN
	return (__sanitizer_get_current_allocated_bytes());
#else
	struct mallinfo2 mi;

	mi = mallinfo2();
	return (mi.uordblks);
#endif
}

enum fz_mut {
	FZ_BITFLIP, FZ_TRUNC_HDR, FZ_TRUNC_PAYLOAD, FZ_OVERSIZE,
	FZ_PAYLOAD, FZ_DUPLICATE, FZ_UNKNOWN_ID, FZ_RANGE, FZ_ERRNO,
	FZ_LOCK_BAD, FZ_HELLO_AGAIN, FZ_DIRECTION, FZ_GARBAGE, FZ_NMUT
};

START_TEST(test_mutations)
{
	struct fz_req req[FZ_THREADS];
	struct peer_msg pend[FZ_PENDING], m;
	struct pager_conn_stats st;
	struct fuzz fz;
	struct dpp_hdr h;
	uint8_t *buf, s[DPP_STATUS_SIZE];
	size_t heap0, heap, heap_max;
	unsigned long ok, bad, lock_id, sent;
	unsigned long muts, conn_muts, hs_muts, kinds[FZ_NMUT];
	unsigned npend, i, k, n;
	int iters, locks_out, t;

	iters = fuzz_iters(10000);
	fuzz_init(&fz, 0x7061676572ULL, NULL, 0, NULL, 0);
	make_conn(1000, false);
	buf = malloc(DPP_HDR_SIZE + MAX_DATA + 64);
	ck_assert_ptr_nonnull(buf);
	memset(kinds, 0, sizeof(kinds));
	muts = conn_muts = hs_muts = sent = 0;
	lock_id = 1;
	heap0 = heap_max = 0;
	fz_stop = 0;
	for (t = 0; t < FZ_THREADS; t++) {
		memset(&req[t], 0, sizeof(req[t]));
		req[t].state = fuzz_next(&fz) | 1;
		ck_assert_int_eq(pthread_create(&req[t].td, NULL, fz_req_main,
		    &req[t]), 0);
	}

	while (muts < (unsigned long)iters) {
		/* A connection; now and then a malformed hello_reply. */
		ck_assert_msg(peer_accept(&peer, PEER_WAIT_MS) == 0,
		    "seed %#jx: no connection after %lu mutations",
		    (uintmax_t)fz.seed, muts);
		if (fuzz_below(&fz, 32) == 0) {
			if (peer_read(&peer, &m, PEER_WAIT_MS) != 0)
				continue;
			memset(s, 0, sizeof(s));
			h = peer_hdr(DPP_HELLO_REPLY, 0, 0, 0, 0,
			    DPP_HELLO_REPLY_SIZE);
			dpp_hdr_encode(buf, &h);
			memset(buf + DPP_HDR_SIZE, 0, DPP_HELLO_REPLY_SIZE);
			buf[DPP_HDR_SIZE] = 1;
			buf[DPP_HDR_SIZE + 8] = 4;
			/* one random byte of the 48 changed */
			buf[fuzz_below(&fz, DPP_HDR_SIZE +
			    DPP_HELLO_REPLY_SIZE)] ^=
			    (uint8_t)(1 + fuzz_below(&fz, 255));
			(void)peer_send_raw(&peer, buf,
			    DPP_HDR_SIZE + DPP_HELLO_REPLY_SIZE);
			/* Some changes are harmless (max_inflight). */
			if (peer_wait_eof(&peer, 50))
				hs_muts++;
			else {
				peer_hangup(&peer);
				continue;
			}
			muts++;
			continue;
		}
		if (peer_handshake(&peer, 0, 1 + fuzz_below(&fz, 8), NULL) != 0)
			continue;
		if (heap0 == 0) {
			heap0 = heap_in_use();
			heap_max = heap0;
		}
		npend = 0;
		locks_out = 0;
		for (;;) {
			/*
			 * Wait for a message when no request is pending,
			 * then take whatever else has arrived.  Lock
			 * completions are counted, not answered.
			 */
			if (npend == 0 &&
			    peer_read(&peer, &m, PEER_WAIT_MS) != 0)
				break;		/* dropped without cause */
			else if (npend == 0)
				pend[npend++] = m;
			while (npend < FZ_PENDING && peer_readable(&peer, 0) &&
			    peer_read(&peer, &m, PEER_WAIT_MS) == 0)
				pend[npend++] = m;
			for (i = 0; i < npend; ) {
				if (pend[i].h.type == DPP_LOCK_COMPLETED) {
					locks_out--;
					pend[i] = pend[--npend];
					continue;
				}
				ck_assert_uint_eq(pend[i].h.type,
				    DPP_DATA_REQUEST);
				i++;
			}
			if (npend == 0)
				continue;
			i = fuzz_below(&fz, npend);	/* any order */
			m = pend[i];
			pend[i] = pend[--npend];
			h = peer_hdr(DPP_DATA_SUPPLY, 0, m.h.id, m.h.offset,
			    m.h.length, m.h.length);
			if (fuzz_below(&fz, 4) != 0) {
				/* A valid answer. */
				switch (fuzz_below(&fz, 8)) {
				case 0:
					h.type = DPP_DATA_UNAVAILABLE;
					h.payload = 0;
					(void)peer_send(&peer, &h, NULL);
					break;
				case 1:
					(void)peer_status(&peer,
					    DPP_DATA_ERROR, &m, EIO);
					break;
				case 2:
					if (locks_out >= 8) {
						(void)peer_supply(&peer, &m,
						    0);
						break;
					}
					locks_out++;
					h = peer_hdr(DPP_LOCK_REQUEST,
					    (uint16_t)fuzz_below(&fz, 2),
					    lock_id++, fuzz_below(&fz, 200) *
					    PAGE, (1 + fuzz_below(&fz, 56)) *
					    PAGE, 0);
					(void)peer_send(&peer, &h, NULL);
					pend[npend++] = m;	/* still owed */
					break;
				default:
					(void)peer_supply(&peer, &m, 0);
					break;
				}
				sent++;
				continue;
			}

			/* A mutation: the connection must drop. */
			k = fuzz_below(&fz, FZ_NMUT);
			dpp_hdr_encode(buf, &h);
			pattern_fill(buf + DPP_HDR_SIZE, m.h.offset,
			    m.h.length, 0);
			n = DPP_HDR_SIZE + m.h.length;
			switch (k) {
			case FZ_BITFLIP:
				i = fuzz_below(&fz, DPP_HDR_SIZE * 8);
				buf[i / 8] ^= (uint8_t)(1u << (i % 8));
				break;
			case FZ_TRUNC_HDR:
				n = 1 + fuzz_below(&fz, DPP_HDR_SIZE - 1);
				break;
			case FZ_TRUNC_PAYLOAD:
				n = DPP_HDR_SIZE + fuzz_below(&fz,
				    m.h.length);
				break;
			case FZ_OVERSIZE:
				h.payload = h.length = MAX_DATA + PAGE +
				    (uint32_t)(fuzz_next(&fz) % (UINT32_MAX -
				    2 * MAX_DATA));
				dpp_hdr_encode(buf, &h);
				n = DPP_HDR_SIZE;
				break;
			case FZ_PAYLOAD:
				h.payload = m.h.length +
				    (1 + fuzz_below(&fz, 64)) * 8;
				dpp_hdr_encode(buf, &h);
				n = DPP_HDR_SIZE + m.h.length;
				break;
			case FZ_DUPLICATE:
				(void)peer_send_raw(&peer, buf, n);
				break;
			case FZ_UNKNOWN_ID:
				h.id ^= 1ULL << (40 + fuzz_below(&fz, 20));
				dpp_hdr_encode(buf, &h);
				break;
			case FZ_RANGE:
				if (fuzz_below(&fz, 2) == 0 &&
				    m.h.offset + m.h.length < DEV_SIZE)
					h.offset += PAGE;
				else
					h.offset += 8 * (1 +
					    fuzz_below(&fz, 511));
				dpp_hdr_encode(buf, &h);
				break;
			case FZ_ERRNO:
				h = peer_hdr(DPP_DATA_ERROR, 0, m.h.id,
				    m.h.offset, m.h.length, DPP_STATUS_SIZE);
				dpp_hdr_encode(buf, &h);
				dpp_status_encode(buf + DPP_HDR_SIZE,
				    fuzz_below(&fz, 2) == 0 ? 0 :
				    DPP_ERRNO_MAX + 1 + fuzz_below(&fz, 1000));
				n = DPP_HDR_SIZE + DPP_STATUS_SIZE;
				break;
			case FZ_LOCK_BAD:
				h = peer_hdr(DPP_LOCK_REQUEST, 0, lock_id++,
				    DEV_SIZE - PAGE * fuzz_below(&fz, 4),
				    (4 + fuzz_below(&fz, 4)) * PAGE, 0);
				if (fuzz_below(&fz, 2) == 0)
					h.flags = 2;
				dpp_hdr_encode(buf, &h);
				n = DPP_HDR_SIZE;
				break;
			case FZ_HELLO_AGAIN:
				h = peer_hdr(DPP_HELLO_REPLY, 0, 0, 0, 0,
				    DPP_HELLO_REPLY_SIZE);
				dpp_hdr_encode(buf, &h);
				memset(buf + DPP_HDR_SIZE, 0,
				    DPP_HELLO_REPLY_SIZE);
				buf[DPP_HDR_SIZE] = 1;
				buf[DPP_HDR_SIZE + 8] = 1;
				n = DPP_HDR_SIZE + DPP_HELLO_REPLY_SIZE;
				break;
			case FZ_DIRECTION:
				h.type = (uint16_t)(h.type & 0x7f);
				dpp_hdr_encode(buf, &h);
				break;
			case FZ_GARBAGE:
				n = 32 + fuzz_below(&fz, 64);
				for (i = 0; i < n; i++)
					buf[i] = (uint8_t)fuzz_next(&fz);
				break;
			}
			(void)peer_send_raw(&peer, buf, n);
			if (k == FZ_TRUNC_HDR || k == FZ_TRUNC_PAYLOAD)
				shutdown(peer.fd, SHUT_WR);
			ck_assert_msg(peer_wait_eof(&peer, PEER_WAIT_MS),
			    "seed %#jx mutation %lu (kind %u): not dropped",
			    (uintmax_t)fz.seed, muts, k);
			kinds[k]++;
			muts++;
			conn_muts++;
			break;
		}
		if ((muts & 255) == 0 && heap0 != 0) {
			heap = heap_in_use();
			if (heap > heap_max)
				heap_max = heap;
		}
	}

	__atomic_store_n(&fz_stop, 1, __ATOMIC_RELAXED);
	peer_unlisten(&peer);
	pager_conn_disconnect(conn, "done");
	ok = bad = 0;
	for (t = 0; t < FZ_THREADS; t++) {
		pthread_join(req[t].td, NULL);
		ok += req[t].ok;
		bad += req[t].bad_data;
	}
	st = stats();
	free(buf);
	ck_assert_msg(bad == 0, "%lu requests got wrong bytes", bad);
	ck_assert_msg(ok > (unsigned long)iters / 4,
	    "only %lu requests succeeded", ok);
	ck_assert_msg(st.pcs_violations == conn_muts,
	    "seed %#jx: %ju violations counted, %lu sent",
	    (uintmax_t)fz.seed, (uintmax_t)st.pcs_violations, conn_muts);
	ck_assert_uint_ge(st.pcs_connect_failures, hs_muts);
	ck_assert_uint_eq(st.pcs_inflight, 0);
	for (k = 0; k < FZ_NMUT; k++)
		ck_assert_msg(kinds[k] > 0 || iters < 1000,
		    "mutation kind %u never ran", k);
	ck_assert_msg(heap_max - heap0 < (1u << 20),
	    "heap grew by %zu bytes", heap_max - heap0);
	ck_assert_uint_gt(sent, 0);
}
END_TEST

Suite *
pager_conn_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn");
	tc = tcase_create("conn");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_bad_params);
	tcase_add_test(tc, test_no_pager);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_contents_many_threads);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_unavailable_and_error);
	tcase_add_test(tc, test_timeout_then_late_answer);
	tcase_add_test(tc, test_timeout_while_receiving);
	tcase_add_test(tc, test_pager_dies_mid_message);
	tcase_add_test(tc, test_pager_stalls_mid_message);
	tcase_add_test(tc, test_violations);
	tcase_add_test(tc, test_handshake_violations);
	tcase_add_test(tc, test_lock_request);
	tcase_add_test(tc, test_lock_request_later);
	tcase_add_test(tc, test_data_return);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_terminate_from_pager);
	tcase_add_test(tc, test_destroy_with_waiters);
	tcase_add_test(tc, test_inflight_limit);
	tcase_add_test(tc, test_connect_disconnect);
	suite_add_tcase(s, tc);

	tc = tcase_create("mutations");
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	return (s);
}
