/*
 * pager_conn against a scripted pager: every class of protocol violation
 * after the handshake (each must drop the connection, fail the waiters,
 * be counted and logged by name) and every bad hello_reply (the connect
 * fails).
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_pager_conn_util.h"
#include "kern/kassert.h"

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
		st = conn_stats();
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
		st = conn_stats();
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

Suite *
pager_conn_violations_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn_violations");
	tc = conn_tcase_create(s, "violations", THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_violations);
	tcase_add_test(tc, test_handshake_violations);
	return (s);
}
