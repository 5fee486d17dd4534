/*
 * pager_conn, the daemon's end of an external pager's connection, against
 * a scripted pager (check_pager_peer.h) on a real UNIX socket: requests
 * and their answers -- creation parameters, no pager, the handshake,
 * contents from several threads, answers out of order, data_unavailable
 * and data_error, data_return, features, a terminate from the pager,
 * destroy with waiters, the pager's max_inflight, connect and disconnect
 * by hand.  Timeouts, violations, lock requests and the mutation run are
 * suites of their own (check_pager_conn_*.c).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_pager_conn_util.h"
#include "kern/test_hook.h"

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
	st = conn_stats();
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
	st = conn_stats();
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
	st = conn_stats();
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

	st = conn_stats();
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
	ck_assert_uint_eq(conn_stats().pcs_requests, NT * PER);
	ck_assert_uint_eq(conn_stats().pcs_gen, 1);
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
	ck_assert_uint_eq(conn_stats().pcs_inflight, 3);
	for (i = 2; i >= 0; i--)
		ck_assert_int_eq(peer_supply(&peer, &m[i], 0), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(req_join(&r[i]), 0);
		ck_assert(pattern_check(r[i].buf, r[i].off, r[i].len, 0));
		req_free(&r[i]);
	}
	ck_assert_uint_eq(conn_stats().pcs_inflight, 0);
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

	st = conn_stats();
	ck_assert_uint_eq(st.pcs_errors, 1);
	ck_assert_uint_eq(st.pcs_violations, 0);
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_UP);
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
	st = conn_stats();
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
	ck_assert_uint_eq(conn_stats().pcs_requests, 0);
	ck_assert_uint_eq(conn_stats().pcs_returns, 0);

	pager_conn_disconnect(conn, "test");
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	connect_up(DPP_PF_NORETURN, 64);
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EOPNOTSUPP);
	ck_assert_uint_eq(conn_stats().pcs_returns, 0);
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
	ck_assert_uint_eq(conn_stats().pcs_requests, 0);
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
	st = conn_stats();
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
	ck_assert_uint_eq(conn_stats().pcs_inflight, 2);
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
	/* Reported up before it goes (test_events_coalesce: else it may
	 * never be). */
	ck_assert(rec_wait(&rec.events, 1));
	pager_conn_disconnect(conn, "by ctl");
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	st = conn_stats();
	ck_assert_int_eq(st.pcs_state, PAGER_CONN_DOWN);
	ck_assert_str_eq(st.pcs_last_error, "by ctl");
	ck_assert_uint_eq(st.pcs_violations, 0);
	connect_up(0, 64);
	ck_assert_uint_eq(conn_stats().pcs_gen, 2);
	ck_assert(rec_wait(&rec.events, 3));
	ck_assert_str_eq(rec.log, "up1 down1 up2");
}
END_TEST

/*
 * The event thread reports what it finds when it looks: held before it
 * reports the first connection, which then comes and goes, it reports
 * the second one's pco_up only (gen 2: the driver still revokes), and no
 * connect waits for it (a connect that did could wait forever for a
 * pco_up that waits for a fault that waits for the connect).
 */
START_TEST(test_events_coalesce)
{
	struct connecting c;

	make_conn(5000, false);
	test_hook_arm("pager_conn_events");
	connect_up(0, 64);
	ck_assert(test_hook_wait_parked("pager_conn_events", PEER_WAIT_MS));
	ck_assert_int_eq(rec.events, 0);
	pager_conn_disconnect(conn, "by test");
	ck_assert(peer_wait_eof(&peer, PEER_WAIT_MS));
	/* The second connect ends with the event thread still held. */
	connect_begin(&c, 0, 64);
	connect_end(&c);
	ck_assert_uint_eq(conn_stats().pcs_gen, 2);
	test_hook_release("pager_conn_events");
	ck_assert(rec_wait(&rec.events, 1));
	ck_assert_str_eq(rec.log, "up2");
}
END_TEST

Suite *
pager_conn_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn");
	tc = conn_tcase_create(s, "conn", THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_create_bad_params);
	tcase_add_test(tc, test_no_pager);
	tcase_add_test(tc, test_handshake);
	tcase_add_test(tc, test_contents_many_threads);
	tcase_add_test(tc, test_out_of_order);
	tcase_add_test(tc, test_unavailable_and_error);
	tcase_add_test(tc, test_data_return);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_terminate_from_pager);
	tcase_add_test(tc, test_destroy_with_waiters);
	tcase_add_test(tc, test_inflight_limit);
	tcase_add_test(tc, test_connect_disconnect);
	tcase_add_test(tc, test_events_coalesce);
	return (s);
}
