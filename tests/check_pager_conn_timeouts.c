/*
 * pager_conn against a scripted pager: time.  A request that times out
 * and the late answer, read and dropped; a timeout while the answer is
 * being copied; a pager that dies or stalls inside a message.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_pager_conn_util.h"
#include "kern/test_hook.h"

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
	st = conn_stats();
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

	st = conn_stats();
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
	ck_assert_uint_eq(conn_stats().pcs_timeouts, 0);
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
	/* Reported up before it goes (test_events_coalesce). */
	ck_assert(rec_wait(&rec.events, 1));
	memset(part, 0x11, sizeof(part));
	ck_assert_int_eq(peer_send_raw(&peer, part, sizeof(part)), 0);
	peer_hangup(&peer);
	ck_assert_int_eq(req_join(&r), ECONNRESET);
	req_free(&r);
	st = conn_stats();
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
	st = conn_stats();
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
	ck_assert_uint_eq(conn_stats().pcs_violations, 1);
	ck_assert_ptr_nonnull(strstr(conn_stats().pcs_last_error,
	    dpp_violation_name(DPP_E_STALL)));
}
END_TEST

Suite *
pager_conn_timeouts_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn_timeouts");
	tc = conn_tcase_create(s, "timeouts", THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_timeout_then_late_answer);
	tcase_add_test(tc, test_timeout_while_receiving);
	tcase_add_test(tc, test_pager_dies_mid_message);
	tcase_add_test(tc, test_pager_stalls_mid_message);
	return (s);
}
