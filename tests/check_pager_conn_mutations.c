/*
 * pager_conn against a scripted pager: a seeded mutation run of at least
 * 10 000 malformed messages (DPF_FUZZ_ITERS for more, DPF_FUZZ_SEED to
 * replay; make regtest runs it longer) that must never crash, leak or
 * grow memory.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef DEVPAGER_ASAN
/* The sanitizer runtime's count (GCC ships no header for it). */
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

#include "check_devpager.h"
#include "check_fuzz.h"
#include "check_pager_conn_util.h"

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
	st = conn_stats();
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
pager_conn_mutations_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_conn_mutations");
	tc = conn_tcase_create(s, "mutations", 300);
	tcase_add_test(tc, test_mutations);
	return (s);
}
