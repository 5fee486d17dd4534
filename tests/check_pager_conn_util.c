/*
 * The daemon's side of the pager_conn suites (check_pager_conn_util.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_devpager.h"
#include "check_pager_conn_util.h"
#include "kern/kassert.h"
#include "kern/test_hook.h"

static void	rec_event(const char *fmt, uint64_t gen);
static void	rec_up(void *arg, uint64_t gen,
		    const struct dpp_hello_reply *reply);
static void	rec_down(void *arg, uint64_t gen, const char *why);
static int	rec_lock(void *arg, const struct pager_conn_lock *lk);
static void	*req_main(void *arg);
static void	*connect_main(void *arg);

struct peer peer;
struct pager_conn *conn;
struct rec rec;

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

bool
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

void
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

void
conn_setup(void)
{

	memset(&rec, 0, sizeof(rec));
	pthread_mutex_init(&rec.mtx, NULL);
	pthread_cond_init(&rec.cv, NULL);
	peer_open(&peer);
	conn = NULL;
}

void
conn_teardown(void)
{

	test_hook_reset();
	if (conn != NULL)
		pager_conn_destroy(conn);
	conn = NULL;
	peer_close(&peer);
}

TCase *
conn_tcase_create(Suite *s, const char *name, int timeout)
{
	TCase *tc;

	tc = tcase_create(name);
	tcase_set_timeout(tc, timeout);
	tcase_add_checked_fixture(tc, conn_setup, conn_teardown);
	suite_add_tcase(s, tc);
	return (tc);
}

struct pager_conn_stats
conn_stats(void)
{
	struct pager_conn_stats st;

	pager_conn_stats(conn, &st);
	return (st);
}

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

void
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

int
req_join(struct req *r)
{

	pthread_join(r->td, NULL);
	return (r->error);
}

void
req_free(struct req *r)
{

	free(r->buf);
	r->buf = NULL;
}

bool
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

void
connect_begin(struct connecting *c, uint32_t features, uint32_t inflight)
{

	c->error = -1;
	ck_assert_int_eq(pthread_create(&c->td, NULL, connect_main,
	    &c->error), 0);
	ck_assert_int_eq(peer_accept(&peer, PEER_WAIT_MS), 0);
	ck_assert_int_eq(peer_handshake(&peer, features, inflight, NULL), 0);
}

void
connect_end(struct connecting *c)
{

	pthread_join(c->td, NULL);
	ck_assert_int_eq(c->error, 0);
}

void
connect_up(uint32_t features, uint32_t inflight)
{
	struct connecting c;

	connect_begin(&c, features, inflight);
	connect_end(&c);
}
