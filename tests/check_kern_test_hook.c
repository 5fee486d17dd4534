/*
 * kern_test_hook: the named test hooks every race test relies on.
 */
#include "config.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/mutex.h"
#include "kern/rwlock.h"
#include "kern/test_hook.h"

static void
setup(void)
{

	test_hook_reset();
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static int passed;	/* (a) */

static void *
reach_h1(void *arg)
{

	TEST_HOOK("h1");
	__atomic_add_fetch(&passed, 1, __ATOMIC_SEQ_CST);
	return (arg);
}

START_TEST(test_park_and_release)
{
	pthread_t td;

	test_hook_arm("h1");
	pthread_create(&td, NULL, reach_h1, NULL);
	ck_assert(test_hook_wait_parked("h1", 5000));
	/* Parked, so it cannot have gone past the hook. */
	ck_assert_int_eq(__atomic_load_n(&passed, __ATOMIC_SEQ_CST), 0);
	ck_assert_uint_eq(test_hook_hits("h1"), 1);
	test_hook_release("h1");
	pthread_join(td, NULL);
	ck_assert_int_eq(passed, 1);
}
END_TEST

START_TEST(test_one_shot)
{
	pthread_t td;

	test_hook_arm("h1");
	pthread_create(&td, NULL, reach_h1, NULL);
	ck_assert(test_hook_wait_parked("h1", 5000));
	test_hook_release("h1");
	pthread_join(td, NULL);
	/* Disarmed: this thread goes straight through (or the case hangs). */
	TEST_HOOK("h1");
	ck_assert(!test_hook_wait_parked("h1", 10));
}
END_TEST

START_TEST(test_wait_parked_times_out)
{
	long t0, dt;

	test_hook_arm("nobody_comes");
	t0 = now_ms();
	ck_assert(!test_hook_wait_parked("nobody_comes", 150));
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, 150);
	ck_assert_int_lt(dt, 5000);
}
END_TEST

START_TEST(test_release_before_park_disarms)
{
	pthread_t td;

	test_hook_arm("h1");
	test_hook_release("h1");
	pthread_create(&td, NULL, reach_h1, NULL);
	pthread_join(td, NULL);		/* would hang if it parked */
	ck_assert_int_eq(passed, 1);
}
END_TEST

static pthread_t cb_thread;
static int cb_calls;

static void
record_cb(void *arg)
{
	int *calls = arg;

	cb_thread = pthread_self();
	(*calls)++;
}

static void *
reach_cb_three_times(void *arg)
{

	TEST_HOOK("cb");
	TEST_HOOK("cb");
	TEST_HOOK("cb");
	*(pthread_t *)arg = pthread_self();
	return (NULL);
}

START_TEST(test_callback_runs_in_reaching_thread)
{
	pthread_t td, self_of_td;

	test_hook_set_callback("cb", record_cb, &cb_calls);
	pthread_create(&td, NULL, reach_cb_three_times, &self_of_td);
	pthread_join(td, NULL);
	ck_assert_int_eq(cb_calls, 3);
	ck_assert(pthread_equal(cb_thread, self_of_td));
	ck_assert(!pthread_equal(cb_thread, pthread_self()));
	ck_assert_uint_eq(test_hook_hits("cb"), 3);
	test_hook_reset();
	TEST_HOOK("cb");
	ck_assert_int_eq(cb_calls, 3);
	ck_assert_uint_eq(test_hook_hits("cb"), 0);
}
END_TEST

START_TEST(test_watch_counts_hits)
{
	int i;

	TEST_HOOK("w");		/* not watched yet: not counted */
	ck_assert_uint_eq(test_hook_hits("w"), 0);
	test_hook_watch("w");
	for (i = 0; i < 5; i++)
		TEST_HOOK("w");
	TEST_HOOK("other");
	ck_assert_uint_eq(test_hook_hits("w"), 5);
	ck_assert_uint_eq(test_hook_hits("other"), 0);
}
END_TEST

START_TEST(test_armed_counter_fast_path)
{

	ck_assert_int_eq(__atomic_load_n(&test_hooks_armed, __ATOMIC_RELAXED),
	    0);
	test_hook_arm("x");
	ck_assert_int_eq(test_hooks_armed, 1);
	test_hook_watch("y");
	ck_assert_int_eq(test_hooks_armed, 2);
	test_hook_release("x");
	ck_assert_int_eq(test_hooks_armed, 1);
	test_hook_reset();
	ck_assert_int_eq(test_hooks_armed, 0);
}
END_TEST

START_TEST(test_reset_releases_parked)
{
	pthread_t td;

	test_hook_arm("h1");
	pthread_create(&td, NULL, reach_h1, NULL);
	ck_assert(test_hook_wait_parked("h1", 5000));
	test_hook_reset();
	pthread_join(td, NULL);
	ck_assert_int_eq(passed, 1);
	ck_assert(!test_hook_wait_parked("h1", 10));
}
END_TEST

static int order[2], norder;	/* (a) */

static void *
reach_a(void *arg)
{

	TEST_HOOK("A");
	order[__atomic_fetch_add(&norder, 1, __ATOMIC_SEQ_CST)] = 'A';
	return (arg);
}

static void *
reach_b(void *arg)
{

	TEST_HOOK("B");
	order[__atomic_fetch_add(&norder, 1, __ATOMIC_SEQ_CST)] = 'B';
	return (arg);
}

/* Two hooks drive two threads in a chosen order. */
START_TEST(test_two_hooks_order_threads)
{
	pthread_t ta, tb;

	test_hook_arm("A");
	test_hook_arm("B");
	pthread_create(&ta, NULL, reach_a, NULL);
	pthread_create(&tb, NULL, reach_b, NULL);
	ck_assert(test_hook_wait_parked("A", 5000));
	ck_assert(test_hook_wait_parked("B", 5000));
	test_hook_release("B");
	pthread_join(tb, NULL);
	test_hook_release("A");
	pthread_join(ta, NULL);
	ck_assert_int_eq(norder, 2);
	ck_assert_int_eq(order[0], 'B');
	ck_assert_int_eq(order[1], 'A');
}
END_TEST

/*
 * lock_wait:NAME: a thread that finds a lock taken passes the hook before
 * it waits; one that gets the lock at once does not.
 */
static struct mtx hk_mtx = MTX_INITIALIZER("hook test mtx", LOCK_RANK_LEAF,
    0);
static struct rwlock hk_rw;
static int hk_got;	/* (a) */

static void *
lock_mtx_thread(void *arg)
{

	mtx_lock(&hk_mtx);
	__atomic_store_n(&hk_got, 1, __ATOMIC_SEQ_CST);
	mtx_unlock(&hk_mtx);
	return (arg);
}

static void *
wlock_rw_thread(void *arg)
{

	rw_wlock(&hk_rw);
	__atomic_store_n(&hk_got, 1, __ATOMIC_SEQ_CST);
	rw_wunlock(&hk_rw);
	return (arg);
}

static void *
rlock_rw_thread(void *arg)
{

	rw_rlock(&hk_rw);
	__atomic_store_n(&hk_got, 1, __ATOMIC_SEQ_CST);
	rw_runlock(&hk_rw);
	return (arg);
}

START_TEST(test_lock_wait_mutex)
{
	pthread_t td;

	/* Uncontended: no wait, no hook. */
	test_hook_watch("lock_wait:hook test mtx");
	mtx_lock(&hk_mtx);
	mtx_unlock(&hk_mtx);
	ck_assert_uint_eq(test_hook_hits("lock_wait:hook test mtx"), 0);

	test_hook_arm("lock_wait:hook test mtx");
	mtx_lock(&hk_mtx);
	pthread_create(&td, NULL, lock_mtx_thread, NULL);
	ck_assert(test_hook_wait_parked("lock_wait:hook test mtx", 5000));
	ck_assert_int_eq(__atomic_load_n(&hk_got, __ATOMIC_SEQ_CST), 0);
	test_hook_release("lock_wait:hook test mtx");
	mtx_unlock(&hk_mtx);
	pthread_join(td, NULL);
	ck_assert_int_eq(hk_got, 1);
	ck_assert_uint_eq(test_hook_hits("lock_wait:hook test mtx"), 1);
}
END_TEST

START_TEST(test_lock_wait_rwlock)
{
	pthread_t td;

	rw_init(&hk_rw, "hook test rw", LOCK_RANK_LEAF, 0);
	/* A writer waits behind a reader... */
	test_hook_arm("lock_wait:hook test rw");
	rw_rlock(&hk_rw);
	pthread_create(&td, NULL, wlock_rw_thread, NULL);
	ck_assert(test_hook_wait_parked("lock_wait:hook test rw", 5000));
	ck_assert_int_eq(__atomic_load_n(&hk_got, __ATOMIC_SEQ_CST), 0);
	test_hook_release("lock_wait:hook test rw");
	rw_runlock(&hk_rw);
	pthread_join(td, NULL);
	ck_assert_int_eq(hk_got, 1);

	/* ...a reader behind a writer... */
	hk_got = 0;
	test_hook_arm("lock_wait:hook test rw");
	rw_wlock(&hk_rw);
	pthread_create(&td, NULL, rlock_rw_thread, NULL);
	ck_assert(test_hook_wait_parked("lock_wait:hook test rw", 5000));
	ck_assert_int_eq(__atomic_load_n(&hk_got, __ATOMIC_SEQ_CST), 0);
	test_hook_release("lock_wait:hook test rw");
	rw_wunlock(&hk_rw);
	pthread_join(td, NULL);
	ck_assert_int_eq(hk_got, 1);

	/* ...and a reader next to a reader does not wait. */
	test_hook_watch("lock_wait:hook test rw");
	rw_rlock(&hk_rw);
	hk_got = 0;
	pthread_create(&td, NULL, rlock_rw_thread, NULL);
	pthread_join(td, NULL);
	rw_runlock(&hk_rw);
	ck_assert_int_eq(hk_got, 1);
	ck_assert_uint_eq(test_hook_hits("lock_wait:hook test rw"), 2);
	rw_destroy(&hk_rw);
}
END_TEST

Suite *
kern_test_hook_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_test_hook");
	tc = tcase_create("hooks");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_park_and_release);
	tcase_add_test(tc, test_one_shot);
	tcase_add_test(tc, test_wait_parked_times_out);
	tcase_add_test(tc, test_release_before_park_disarms);
	tcase_add_test(tc, test_callback_runs_in_reaching_thread);
	tcase_add_test(tc, test_watch_counts_hits);
	tcase_add_test(tc, test_armed_counter_fast_path);
	tcase_add_test(tc, test_reset_releases_parked);
	tcase_add_test(tc, test_two_hooks_order_threads);
	tcase_add_test(tc, test_lock_wait_mutex);
	tcase_add_test(tc, test_lock_wait_rwlock);
	suite_add_tcase(s, tc);
	return (s);
}
