/*
 * pager_conn against a scripted pager: lock_request and lock_completed,
 * answered at once by the driver's pco_lock or later through
 * pager_conn_lock_completed.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_pager_conn_util.h"

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
	st = conn_stats();
	ck_assert_uint_eq(st.pcs_lock_requests, 2);
	ck_assert_uint_eq(st.pcs_lock_completions, 2);
	ck_assert_uint_eq(st.pcs_locks, 0);
	ck_assert_uint_eq(st.pcs_violations, 0);
}
END_TEST

/* A request of page 0 that the pager answers: the connection works. */
static void
req_supplied(void)
{
	struct peer_msg m;
	struct req r;

	req_start(&r, 0, PAGE, false);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_REQUEST);
	ck_assert_int_eq(peer_supply(&peer, &m, 0), 0);
	ck_assert_int_eq(req_join(&r), 0);
	req_free(&r);
}

/* pco_lock defers; pager_conn_lock_completed completes, once. */
START_TEST(test_lock_request_later)
{
	struct pager_conn_lock lk;
	struct peer_msg m;
	struct dpp_hdr h;
	uint32_t status;

	make_conn(5000, false);
	rec.lock_result = PAGER_CONN_LOCK_LATER;
	connect_up(0, 64);
	h = peer_hdr(DPP_LOCK_REQUEST, 0, 21, 0, 16 * PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert(rec_wait(&rec.nlocks, 1));
	lk = rec.locks[0];
	ck_assert_uint_eq(conn_stats().pcs_locks, 1);
	ck_assert_uint_eq(conn_stats().pcs_lock_completions, 0);

	pager_conn_lock_completed(conn, &lk, ENOMEM);
	ck_assert_int_eq(peer_read(&peer, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_LOCK_COMPLETED);
	ck_assert_uint_eq(m.h.id, 21);
	ck_assert_int_eq(dpp_status_decode(m.payload, 0, &status), DPP_OK);
	ck_assert_uint_eq(status, ENOMEM);
	/* Twice: ignored.  The next message is a request's. */
	pager_conn_lock_completed(conn, &lk, 0);
	req_supplied();
	ck_assert_uint_eq(conn_stats().pcs_lock_completions, 1);

	/* Outstanding when the connection ends: forgotten. */
	h = peer_hdr(DPP_LOCK_REQUEST, 0, 22, 0, PAGE, 0);
	ck_assert_int_eq(peer_send(&peer, &h, NULL), 0);
	ck_assert(rec_wait(&rec.nlocks, 2));
	lk = rec.locks[1];
	peer_hangup(&peer);
	ck_assert(rec_wait(&rec.events, 2));	/* up1 down1 */
	ck_assert_uint_eq(conn_stats().pcs_locks, 0);
	connect_up(0, 64);
	pager_conn_lock_completed(conn, &lk, 0);	/* of connection 1 */
	req_supplied();
	ck_assert_uint_eq(conn_stats().pcs_lock_completions, 1);
	ck_assert_uint_eq(conn_stats().pcs_violations, 0);
}
END_TEST

Suite *
pager_conn_locks_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn_locks");
	tc = conn_tcase_create(s, "locks", THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_lock_request);
	tcase_add_test(tc, test_lock_request_later);
	return (s);
}
