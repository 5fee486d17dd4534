/*
 * kern_sleep: sleep(9)/wakeup(9).  The no-lost-wake-up test drives the
 * exact window with the "sleepq_after_release" test hook, and proves its
 * own power by running the deliberately broken order too.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/lock.h"
#include "kern/mutex.h"
#include "kern/rwlock.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"

#define	NSLEEPERS	4

static struct mtx sl_mtx;
static struct rwlock sl_rw;
static int sl_cond;		/* (sl_mtx or sl_rw) */

static void
setup(void)
{

	mtx_init(&sl_mtx, "sleep test", LOCK_RANK_DRIVER, 0);
	rw_init(&sl_rw, "sleep test rw", LOCK_RANK_VM_OBJECT, 0);
	test_hook_reset();
}

static void
teardown(void)
{

	test_hook_reset();
	sleepq_test_set_broken_order(false);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static bool
wait_flag(int *flag, int ms)
{
	long deadline;

	deadline = now_ms() + ms;
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (now_ms() > deadline)
			return (false);
		usleep(1000);
	}
	return (true);
}

static bool
wait_sleepers(const void *chan, int n, int ms)
{
	long deadline;

	deadline = now_ms() + ms;
	while (sleepq_sleepers(chan) != n) {
		if (now_ms() > deadline)
			return (false);
		usleep(1000);
	}
	return (true);
}

/* --------------------------------------------------- no lost wake-up */

static int lw_first_error = -1;
static long lw_elapsed;
static int lw_timo;
static int waker_done;

static void *
lw_sleeper(void *arg)
{
	long t0;
	int error;

	mtx_lock(&sl_mtx);
	t0 = now_ms();
	error = 0;
	if (!sl_cond)
		error = msleep(&sl_cond, &sl_mtx, 0, "lw", lw_timo);
	lw_first_error = error;
	lw_elapsed = now_ms() - t0;
	mtx_unlock(&sl_mtx);
	return (arg);
}

static void *
lw_waker(void *arg)
{

	mtx_lock(&sl_mtx);	/* free: the sleeper dropped it */
	sl_cond = 1;
	wakeup(&sl_cond);
	mtx_unlock(&sl_mtx);
	__atomic_store_n(&waker_done, 1, __ATOMIC_RELEASE);
	return (arg);
}

/*
 * The sleeper parks right after dropping the interlock; the waker then
 * takes the interlock, sets the condition and calls wakeup() inside that
 * window.  The sleeper is already queued, so it must return 0 at once.
 */
START_TEST(test_no_lost_wakeup_in_window)
{
	pthread_t sleeper, waker;

	lw_timo = 10000;
	test_hook_arm("sleepq_after_release");
	pthread_create(&sleeper, NULL, lw_sleeper, NULL);
	ck_assert(test_hook_wait_parked("sleepq_after_release", 5000));
	pthread_create(&waker, NULL, lw_waker, NULL);
	/*
	 * The waker cannot finish while the sleeper sits in the window: the
	 * sleeper holds the bucket lock until it waits.
	 */
	ck_assert(!wait_flag(&waker_done, 200));
	test_hook_release("sleepq_after_release");
	pthread_join(waker, NULL);
	pthread_join(sleeper, NULL);
	ck_assert_int_eq(lw_first_error, 0);
	ck_assert_int_lt(lw_elapsed, 5000);
	ck_assert_int_eq(sleepq_sleepers(&sl_cond), 0);
}
END_TEST

/* The same interleaving against the broken order loses the wake-up. */
START_TEST(test_broken_order_loses_wakeup)
{
	pthread_t sleeper, waker;

	sleepq_test_set_broken_order(true);
	lw_timo = 300;
	test_hook_arm("sleepq_after_release");
	pthread_create(&sleeper, NULL, lw_sleeper, NULL);
	ck_assert(test_hook_wait_parked("sleepq_after_release", 5000));
	pthread_create(&waker, NULL, lw_waker, NULL);
	/* Nothing stops the waker now: its wakeup finds nobody. */
	ck_assert(wait_flag(&waker_done, 5000));
	test_hook_release("sleepq_after_release");
	pthread_join(waker, NULL);
	pthread_join(sleeper, NULL);
	ck_assert_int_eq(lw_first_error, EWOULDBLOCK);
	ck_assert_int_ge(lw_elapsed, 300);
}
END_TEST

/* --------------------------------------------------- basic semantics */

START_TEST(test_timeout_returns_ewouldblock_relocked)
{
	long t0, dt;
	int error;

	mtx_lock(&sl_mtx);
	t0 = now_ms();
	error = msleep(&sl_cond, &sl_mtx, 0, "timo", 50);
	dt = now_ms() - t0;
	ck_assert_int_eq(error, EWOULDBLOCK);
	ck_assert_int_ge(dt, 50);
	ck_assert_int_lt(dt, 5000);
	ck_assert(mtx_owned(&sl_mtx));
	ck_assert_int_eq(sleepq_sleepers(&sl_cond), 0);
	mtx_unlock(&sl_mtx);
}
END_TEST

static int pd_trylock;

static void *
pdrop_other(void *arg)
{

	pd_trylock = mtx_trylock(&sl_mtx);
	if (pd_trylock)
		mtx_unlock(&sl_mtx);
	return (arg);
}

START_TEST(test_pdrop_leaves_lock_unheld)
{
	pthread_t td;
	int error;

	mtx_lock(&sl_mtx);
	error = msleep(&sl_cond, &sl_mtx, PDROP, "pdrop", 20);
	ck_assert_int_eq(error, EWOULDBLOCK);
	ck_assert(!mtx_owned(&sl_mtx));
	pthread_create(&td, NULL, pdrop_other, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(pd_trylock, 1);
#ifdef WITNESS
	ck_assert_int_eq(witness_held_count(), 0);
#endif
}
END_TEST

static int pd_woken_error = -1, pd_owned = -1;

static void *
pdrop_sleeper(void *arg)
{

	mtx_lock(&sl_mtx);
	pd_woken_error = msleep(&sl_cond, &sl_mtx, PDROP, "pdrop", 10000);
	pd_owned = mtx_owned(&sl_mtx);
	return (arg);
}

START_TEST(test_pdrop_woken)
{
	pthread_t td;

	pthread_create(&td, NULL, pdrop_sleeper, NULL);
	ck_assert(wait_sleepers(&sl_cond, 1, 5000));
	wakeup(&sl_cond);
	pthread_join(td, NULL);
	ck_assert_int_eq(pd_woken_error, 0);
	ck_assert_int_eq(pd_owned, 0);
	ck_assert_int_eq(mtx_trylock(&sl_mtx), 1);
	mtx_unlock(&sl_mtx);
}
END_TEST

static int n_returned;
static int n_errors;

static void *
counted_sleeper(void *arg)
{
	int error;

	mtx_lock(&sl_mtx);
	error = msleep(&sl_cond, &sl_mtx, 0, "many", 20000);
	n_returned++;
	if (error != 0)
		n_errors++;
	mtx_unlock(&sl_mtx);
	return (arg);
}

static int
returned(void)
{
	int n;

	mtx_lock(&sl_mtx);
	n = n_returned;
	mtx_unlock(&sl_mtx);
	return (n);
}

START_TEST(test_wakeup_one_wakes_exactly_one)
{
	pthread_t td[NSLEEPERS];
	long deadline;
	int i;

	for (i = 0; i < NSLEEPERS; i++)
		pthread_create(&td[i], NULL, counted_sleeper, NULL);
	ck_assert(wait_sleepers(&sl_cond, NSLEEPERS, 5000));
	wakeup_one(&sl_cond);
	deadline = now_ms() + 5000;
	while (returned() < 1 && now_ms() < deadline)
		usleep(1000);
	ck_assert_int_eq(returned(), 1);
	ck_assert_int_eq(sleepq_sleepers(&sl_cond), NSLEEPERS - 1);
	/* Give a wrongly woken thread time to show up: nobody else does. */
	usleep(100000);
	ck_assert_int_eq(returned(), 1);
	wakeup_one(&sl_cond);
	ck_assert(wait_sleepers(&sl_cond, NSLEEPERS - 2, 5000));
	wakeup(&sl_cond);
	for (i = 0; i < NSLEEPERS; i++)
		pthread_join(td[i], NULL);
	ck_assert_int_eq(n_returned, NSLEEPERS);
	ck_assert_int_eq(n_errors, 0);
}
END_TEST

START_TEST(test_wakeup_wakes_all)
{
	pthread_t td[NSLEEPERS];
	int i;

	for (i = 0; i < NSLEEPERS; i++)
		pthread_create(&td[i], NULL, counted_sleeper, NULL);
	ck_assert(wait_sleepers(&sl_cond, NSLEEPERS, 5000));
	wakeup(&sl_cond);
	ck_assert_int_eq(sleepq_sleepers(&sl_cond), 0);
	for (i = 0; i < NSLEEPERS; i++)
		pthread_join(td[i], NULL);
	ck_assert_int_eq(n_returned, NSLEEPERS);
	ck_assert_int_eq(n_errors, 0);
}
END_TEST

START_TEST(test_wakeup_other_channel_does_not_wake)
{
	int other;
	int error;

	mtx_lock(&sl_mtx);
	wakeup(&other);		/* nobody sleeps there: harmless */
	ck_assert_int_eq(sleepq_sleepers(&other), 0);
	error = msleep(&sl_cond, &sl_mtx, 0, "other", 100);
	ck_assert_int_eq(error, EWOULDBLOCK);
	mtx_unlock(&sl_mtx);
}
END_TEST

static int other_chan_error = -1;
static int other_chan;

static void *
other_chan_sleeper(void *arg)
{

	mtx_lock(&sl_mtx);
	other_chan_error = msleep(&sl_cond, &sl_mtx, 0, "other", 300);
	mtx_unlock(&sl_mtx);
	return (arg);
}

START_TEST(test_wakeup_of_other_channel_ignored_by_sleeper)
{
	pthread_t td;

	pthread_create(&td, NULL, other_chan_sleeper, NULL);
	ck_assert(wait_sleepers(&sl_cond, 1, 5000));
	wakeup(&other_chan);
	ck_assert_int_eq(sleepq_sleepers(&sl_cond), 1);
	pthread_join(td, NULL);
	ck_assert_int_eq(other_chan_error, EWOULDBLOCK);
}
END_TEST

/* ------------------------------------------------------ rwlock modes */

static int rs_error = -1, rs_wowned = -1, rs_try_r = -1, rs_try_w = -1;
static int rs_mode_write;

static void *
rw_sleeper(void *arg)
{

	if (rs_mode_write)
		rw_wlock(&sl_rw);
	else
		rw_rlock(&sl_rw);
	while (!sl_cond) {
		rs_error = rw_sleep(&sl_cond, &sl_rw, 0, "rwsl", 10000);
		if (rs_error != 0)
			break;
	}
	rs_wowned = rw_wowned(&sl_rw);
#ifdef WITNESS
	{
		bool shared;

		if (!witness_owned(&sl_rw.lock_object, &shared))
			rs_wowned = -2;
		else if (shared == (rs_mode_write != 0))
			rs_wowned = -3;
	}
#endif
	return (arg);
}

static void *
rw_probe(void *arg)
{

	rs_try_r = rw_try_rlock(&sl_rw);
	if (rs_try_r)
		rw_runlock(&sl_rw);
	rs_try_w = rw_try_wlock(&sl_rw);
	if (rs_try_w)
		rw_wunlock(&sl_rw);
	return (arg);
}

static void
rw_sleep_mode(int write)
{
	pthread_t td, probe;

	rs_mode_write = write;
	pthread_create(&td, NULL, rw_sleeper, NULL);
	ck_assert(wait_sleepers(&sl_cond, 1, 5000));
	/* The lock was dropped: a writer gets in while the sleeper sleeps. */
	rw_wlock(&sl_rw);
	sl_cond = 1;
	wakeup(&sl_cond);
	rw_wunlock(&sl_rw);
	pthread_join(td, NULL);
	ck_assert_int_eq(rs_error, 0);
	/* The sleeper thread exited still holding the lock in its mode. */
	pthread_create(&probe, NULL, rw_probe, NULL);
	pthread_join(probe, NULL);
	ck_assert_int_eq(rs_try_w, 0);
	if (write) {
		ck_assert_int_eq(rs_wowned, 1);
		ck_assert_int_eq(rs_try_r, 0);
	} else {
		ck_assert_int_eq(rs_wowned, 0);
		ck_assert_int_eq(rs_try_r, 1);
	}
}

START_TEST(test_rw_sleep_retakes_read_mode)
{

	rw_sleep_mode(0);
}
END_TEST

START_TEST(test_rw_sleep_retakes_write_mode)
{

	rw_sleep_mode(1);
}
END_TEST

START_TEST(test_sleep_with_recursed_giant_panics)
{

	panic_expect("sleeping with recursed mutex \"Giant\"");
	mtx_lock(&Giant);
	mtx_lock(&Giant);
	(void)msleep(&sl_cond, &Giant, 0, "giant", 10);
}
END_TEST

START_TEST(test_pause_ms)
{
	long t0, dt;

	t0 = now_ms();
	ck_assert_int_eq(pause_ms("pause", 30), EWOULDBLOCK);
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, 30);
	ck_assert_int_lt(dt, 5000);
}
END_TEST

/* Ping-pong: any lost wake-up hangs (no timeouts) and trips the case. */
#define	PINGPONG_ROUNDS	20000
static int pp_turn;	/* (sl_mtx) 0: ping's turn, 1: pong's */

static void *
pong(void *arg)
{
	int i;

	mtx_lock(&sl_mtx);
	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		while (pp_turn != 1)
			msleep(&pp_turn, &sl_mtx, 0, "pong", 0);
		pp_turn = 0;
		wakeup(&pp_turn);
	}
	mtx_unlock(&sl_mtx);
	return (arg);
}

START_TEST(test_pingpong_no_lost_wakeups)
{
	pthread_t td;
	int i;

	pthread_create(&td, NULL, pong, NULL);
	mtx_lock(&sl_mtx);
	for (i = 0; i < PINGPONG_ROUNDS; i++) {
		while (pp_turn != 0)
			msleep(&pp_turn, &sl_mtx, 0, "ping", 0);
		pp_turn = 1;
		wakeup_one(&pp_turn);
	}
	while (pp_turn != 0)
		msleep(&pp_turn, &sl_mtx, 0, "ping", 0);
	mtx_unlock(&sl_mtx);
	pthread_join(td, NULL);
	ck_assert_int_eq(pp_turn, 0);
}
END_TEST

Suite *
kern_sleep_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_sleep");
	tc = tcase_create("sleepq");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_lost_wakeup_in_window);
	tcase_add_test(tc, test_broken_order_loses_wakeup);
	tcase_add_test(tc, test_timeout_returns_ewouldblock_relocked);
	tcase_add_test(tc, test_pdrop_leaves_lock_unheld);
	tcase_add_test(tc, test_pdrop_woken);
	tcase_add_test(tc, test_wakeup_one_wakes_exactly_one);
	tcase_add_test(tc, test_wakeup_wakes_all);
	tcase_add_test(tc, test_wakeup_other_channel_does_not_wake);
	tcase_add_test(tc, test_wakeup_of_other_channel_ignored_by_sleeper);
	tcase_add_test(tc, test_rw_sleep_retakes_read_mode);
	tcase_add_test(tc, test_rw_sleep_retakes_write_mode);
	tcase_add_test_raise_signal(tc, test_sleep_with_recursed_giant_panics,
	    SIGABRT);
	tcase_add_test(tc, test_pause_ms);
	tcase_add_test(tc, test_pingpong_no_lost_wakeups);
	suite_add_tcase(s, tc);
	return (s);
}
