/*
 * The invalidation thread: ranges are sent from its own thread, merged
 * while waiting, and counted.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "fuse/fs_inval.h"
#include "fuse/fs_stats.h"
#include "check_devpager.h"

#define	MAXSENT	64

static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	cv;
	bool		gate_closed;
	int		n;
	fuse_ino_t	ino[MAXSENT];
	off_t		off[MAXSENT];
	off_t		len[MAXSENT];
	pthread_t	thread[MAXSENT];
} rec = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static int
record_send(struct fuse_session *se, fuse_ino_t ino, off_t off, off_t len)
{
	(void)se;
	pthread_mutex_lock(&rec.lock);
	while (rec.gate_closed)
		pthread_cond_wait(&rec.cv, &rec.lock);
	if (rec.n < MAXSENT) {
		rec.ino[rec.n] = ino;
		rec.off[rec.n] = off;
		rec.len[rec.n] = len;
		rec.thread[rec.n] = pthread_self();
		rec.n++;
	}
	pthread_mutex_unlock(&rec.lock);
	return (0);
}

static void
setup(void)
{
	memset(&rec.ino, 0, sizeof(rec.ino));
	rec.n = 0;
	rec.gate_closed = false;
	fs_inval_set_sender(record_send);
	ck_assert_int_eq(fs_inval_start(NULL), 0);
}

static void
teardown(void)
{
	fs_inval_stop();
	fs_inval_set_sender(NULL);
}

static void
gate(bool closed)
{
	pthread_mutex_lock(&rec.lock);
	rec.gate_closed = closed;
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.lock);
}

START_TEST(test_sent_from_own_thread)
{
	uint64_t before = FS_STAT_READ(invalidations);

	fs_inval_enqueue(7, 4096, 4096);
	fs_inval_wait_idle();
	ck_assert_int_eq(rec.n, 1);
	ck_assert_uint_eq(rec.ino[0], 7);
	ck_assert_int_eq(rec.off[0], 4096);
	ck_assert_int_eq(rec.len[0], 4096);
	ck_assert(!pthread_equal(rec.thread[0], pthread_self()));
	ck_assert_uint_eq(FS_STAT_READ(invalidations), before + 1);
}
END_TEST

START_TEST(test_merge_while_waiting)
{
	/* Hold the sender on a first range so the rest wait in the queue. */
	gate(true);
	fs_inval_enqueue(1, 0, 4096);
	while (fs_inval_pending() != 0)
		;	/* the thread took the first range and is blocked */
	fs_inval_enqueue(2, 8192, 4096);
	fs_inval_enqueue(2, 12288, 4096);	/* adjacent: merged */
	fs_inval_enqueue(2, 4096, 8192);	/* overlapping: merged */
	fs_inval_enqueue(3, 0, 4096);
	fs_inval_enqueue(3, 65536, 4096);	/* apart: separate */
	fs_inval_enqueue(4, 4096, 4096);
	fs_inval_enqueue(4, 0, 0);		/* whole file absorbs */
	ck_assert_uint_eq(fs_inval_pending(), 4);
	gate(false);
	fs_inval_wait_idle();
	ck_assert_int_eq(rec.n, 5);
	ck_assert_uint_eq(rec.ino[1], 2);
	ck_assert_int_eq(rec.off[1], 4096);
	ck_assert_int_eq(rec.len[1], 12288);
	ck_assert_uint_eq(rec.ino[2], 3);
	ck_assert_int_eq(rec.len[2], 4096);
	ck_assert_uint_eq(rec.ino[3], 3);
	ck_assert_int_eq(rec.off[3], 65536);
	ck_assert_uint_eq(rec.ino[4], 4);
	ck_assert_int_eq(rec.off[4], 0);
	ck_assert_int_eq(rec.len[4], 0);
}
END_TEST

START_TEST(test_close_sends_then_drops)
{
	int i;

	for (i = 0; i < 10; i++)
		fs_inval_enqueue(100 + i, 0, 4096);
	/* Not due for a minute: closing sends it at once. */
	fs_inval_enqueue_after(120, 0, 4096, 60000);
	fs_inval_close();
	ck_assert_int_eq(rec.n, 11);
	ck_assert_uint_eq(rec.ino[10], 120);
	ck_assert_uint_eq(fs_inval_pending(), 0);
	/* Closed: later ranges never reach the kernel. */
	fs_inval_enqueue(130, 0, 4096);
	fs_inval_enqueue_after(131, 0, 4096, 1);
	fs_inval_wait_idle();
	ck_assert_int_eq(rec.n, 11);
	ck_assert_uint_eq(fs_inval_dropped(), 2);
	ck_assert_uint_eq(fs_inval_pending(), 0);
}
END_TEST

static void *
close_thread(void *arg)
{
	int *nsent = arg;

	fs_inval_close();
	pthread_mutex_lock(&rec.lock);
	*nsent = rec.n;
	pthread_mutex_unlock(&rec.lock);
	return (NULL);
}

START_TEST(test_close_waits_for_the_send)
{
	pthread_t t;
	int nsent;

	/* One range is being sent (held at the gate), one waits. */
	gate(true);
	fs_inval_enqueue(1, 0, 4096);
	while (fs_inval_pending() != 0)
		;
	fs_inval_enqueue(2, 0, 4096);
	nsent = -1;
	ck_assert_int_eq(pthread_create(&t, NULL, close_thread, &nsent), 0);
	gate(false);
	pthread_join(t, NULL);
	/* close returned only after both sends had returned. */
	ck_assert_int_eq(nsent, 2);
	ck_assert_uint_eq(rec.ino[0], 1);
	ck_assert_uint_eq(rec.ino[1], 2);
}
END_TEST

static void *
stop_thread(void *arg)
{
	(void)arg;
	fs_inval_stop();
	return (NULL);
}

START_TEST(test_stop_sends_nothing_more)
{
	pthread_t t;

	/*
	 * After the request loop nothing may reach the kernel: stop lets
	 * the send under way finish and drops what waits.
	 */
	gate(true);
	fs_inval_enqueue(1, 0, 4096);
	while (fs_inval_pending() != 0)
		;
	fs_inval_enqueue(2, 0, 4096);
	fs_inval_enqueue(3, 65536, 4096);
	fs_inval_enqueue_after(4, 0, 4096, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, stop_thread, NULL), 0);
	/* Once stopping, a new range is dropped on the spot. */
	while (fs_inval_dropped() == 0)
		fs_inval_enqueue(5, 0, 4096);
	gate(false);
	pthread_join(t, NULL);
	ck_assert_int_eq(rec.n, 1);
	ck_assert_uint_eq(rec.ino[0], 1);
	ck_assert_uint_eq(fs_inval_pending(), 0);
	ck_assert_uint_ge(fs_inval_dropped(), 4);
}
END_TEST

Suite *
fs_inval_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_inval");
	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_sent_from_own_thread);
	tcase_add_test(tc, test_merge_while_waiting);
	tcase_add_test(tc, test_close_sends_then_drops);
	tcase_add_test(tc, test_close_waits_for_the_send);
	tcase_add_test(tc, test_stop_sends_nothing_more);
	suite_add_tcase(s, tc);
	return (s);
}
