/*
 * kern_witness: the lock-order checker (WITNESS builds, i.e.
 * --enable-invariants).  The fixed ranking Giant -> pager list -> object
 * -> page -> fictitious registry is taken in order and against it; a
 * reversal must be reported before the thread blocks, fatally by default
 * (SIGABRT) and observably with witness_set_fatal(false).
 *
 * Without WITNESS the suite checks that the hooks compile to nothing: a
 * reversed order neither aborts nor reports.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/lock.h"
#include "kern/mutex.h"
#include "kern/rwlock.h"

static struct mtx pager_mtx;		/* LOCK_RANK_PAGER_LIST */
static struct rwlock obj_a, obj_b;	/* LOCK_RANK_VM_OBJECT, DUPOK */
static struct mtx page_mtx;		/* LOCK_RANK_VM_PAGE */
static struct mtx fict_mtx;		/* LOCK_RANK_FICTITIOUS */
static struct mtx drv_a, drv_b;		/* LOCK_RANK_DRIVER, not DUPOK */

static void
setup(void)
{

	mtx_init(&pager_mtx, "dev_pager list", LOCK_RANK_PAGER_LIST, 0);
	rw_init(&obj_a, "vm object A", LOCK_RANK_VM_OBJECT, RW_DUPOK);
	rw_init(&obj_b, "vm object B", LOCK_RANK_VM_OBJECT, RW_DUPOK);
	mtx_init(&page_mtx, "page lock", LOCK_RANK_VM_PAGE, 0);
	mtx_init(&fict_mtx, "fictitious registry", LOCK_RANK_FICTITIOUS, 0);
	mtx_init(&drv_a, "driver A", LOCK_RANK_DRIVER, 0);
	mtx_init(&drv_b, "driver B", LOCK_RANK_DRIVER, 0);
}

#ifdef WITNESS
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

START_TEST(test_correct_order_never_reported)
{

	mtx_lock(&Giant);
	mtx_lock(&pager_mtx);
	rw_wlock(&obj_a);
	rw_rlock(&obj_b);		/* same rank, DUPOK */
	mtx_lock(&page_mtx);
	mtx_lock(&fict_mtx);
	ck_assert_int_eq(witness_held_count(), 6);
	/* Release in a different order than acquired. */
	mtx_unlock(&pager_mtx);
	rw_runlock(&obj_b);
	mtx_unlock(&fict_mtx);
	mtx_unlock(&Giant);
	mtx_unlock(&page_mtx);
	rw_wunlock(&obj_a);
	ck_assert_int_eq(witness_held_count(), 0);
	ck_assert_uint_eq(witness_reversals(), 0);
}
END_TEST

/* Object lock, then the pager list lock: the seed-19 reversal (4.3 C). */
START_TEST(test_reversal_fatal)
{

	panic_expect("witness: lock order reversal: \"dev_pager list\"*while "
	    "holding \"vm object A\"");
	rw_wlock(&obj_a);
	mtx_lock(&pager_mtx);	/* aborts here, before blocking */
}
END_TEST

START_TEST(test_reversal_reported_names_both)
{
	const char *r;

	witness_set_fatal(false);
	rw_wlock(&obj_a);
	mtx_lock(&pager_mtx);
	ck_assert_uint_eq(witness_reversals(), 1);
	r = witness_last_report();
	ck_assert_ptr_nonnull(strstr(r, "reversal"));
	ck_assert_ptr_nonnull(strstr(r, "\"dev_pager list\" (rank 40)"));
	ck_assert_ptr_nonnull(strstr(r, "\"vm object A\" (rank 50)"));
	ck_assert_ptr_nonnull(strstr(r, "check_kern_witness.c"));
	mtx_unlock(&pager_mtx);
	rw_wunlock(&obj_a);
	ck_assert_int_eq(witness_held_count(), 0);
}
END_TEST

START_TEST(test_giant_after_page_lock_reported)
{

	witness_set_fatal(false);
	mtx_lock(&page_mtx);
	mtx_lock(&Giant);
	ck_assert_uint_eq(witness_reversals(), 1);
	ck_assert_ptr_nonnull(strstr(witness_last_report(),
	    "\"Giant\" (rank 10)"));
	mtx_unlock(&Giant);
	mtx_unlock(&page_mtx);
}
END_TEST

START_TEST(test_giant_recursion_not_reported)
{

	/* Re-taking a held recursive lock cannot block: no order event. */
	mtx_lock(&Giant);
	mtx_lock(&pager_mtx);
	mtx_lock(&Giant);
	ck_assert_int_eq(witness_held_count(), 2);
	mtx_unlock(&Giant);
	mtx_unlock(&pager_mtx);
	mtx_unlock(&Giant);
	ck_assert_int_eq(witness_held_count(), 0);
	ck_assert_uint_eq(witness_reversals(), 0);
}
END_TEST

START_TEST(test_dupok_same_rank_allowed)
{

	rw_wlock(&obj_a);
	rw_wlock(&obj_b);
	ck_assert_int_eq(witness_held_count(), 2);
	rw_wunlock(&obj_a);
	rw_wunlock(&obj_b);
	ck_assert_uint_eq(witness_reversals(), 0);
}
END_TEST

START_TEST(test_same_rank_without_dupok_reported)
{

	witness_set_fatal(false);
	mtx_lock(&drv_a);
	mtx_lock(&drv_b);
	ck_assert_uint_eq(witness_reversals(), 1);
	ck_assert_ptr_nonnull(strstr(witness_last_report(), "same rank"));
	ck_assert_ptr_nonnull(strstr(witness_last_report(), "driver A"));
	ck_assert_ptr_nonnull(strstr(witness_last_report(), "driver B"));
	mtx_unlock(&drv_b);
	mtx_unlock(&drv_a);
}
END_TEST

START_TEST(test_same_rank_without_dupok_fatal)
{

	panic_expect("witness: acquiring duplicate lock of same rank: "
	    "\"driver B\"*while holding \"driver A\"");
	mtx_lock(&drv_a);
	mtx_lock(&drv_b);
}
END_TEST

START_TEST(test_trylock_exempt_but_recorded)
{
	bool shared;

	rw_wlock(&obj_a);
	ck_assert_int_eq(mtx_trylock(&pager_mtx), 1);
	ck_assert_int_eq(rw_try_rlock(&obj_b), 1);
	ck_assert_int_eq(witness_held_count(), 3);
	ck_assert(witness_owned(&pager_mtx.lock_object, &shared));
	ck_assert(!shared);
	ck_assert(witness_owned(&obj_b.lock_object, &shared));
	ck_assert(shared);
	ck_assert_uint_eq(witness_reversals(), 0);
	mtx_unlock(&pager_mtx);
	rw_runlock(&obj_b);
	rw_wunlock(&obj_a);
	ck_assert_int_eq(witness_held_count(), 0);
}
END_TEST

START_TEST(test_trylocked_lock_counts_for_later_order)
{

	/* A try-locked high-rank lock still orders what comes after it. */
	witness_set_fatal(false);
	ck_assert_int_eq(mtx_trylock(&fict_mtx), 1);
	mtx_lock(&page_mtx);
	ck_assert_uint_eq(witness_reversals(), 1);
	mtx_unlock(&page_mtx);
	mtx_unlock(&fict_mtx);
}
END_TEST

START_TEST(test_self_deadlock_read_then_write_fatal)
{

	panic_expect("witness: recursion on non-recursive lock \"vm object "
	    "A\"");
	rw_rlock(&obj_a);
	rw_wlock(&obj_a);	/* would wait for itself forever */
}
END_TEST

START_TEST(test_shared_recursion_allowed)
{
	bool shared;

	rw_rlock(&obj_a);
	rw_rlock(&obj_a);
	ck_assert_int_eq(witness_held_count(), 1);
	ck_assert(witness_owned(&obj_a.lock_object, &shared) && shared);
	rw_runlock(&obj_a);
	ck_assert(witness_owned(&obj_a.lock_object, NULL));
	rw_runlock(&obj_a);
	ck_assert(!witness_owned(&obj_a.lock_object, NULL));
	ck_assert_uint_eq(witness_reversals(), 0);
}
END_TEST

START_TEST(test_upgrade_downgrade_tracked)
{
	bool shared;

	rw_rlock(&obj_a);
	ck_assert_int_eq(rw_try_upgrade(&obj_a), 1);
	ck_assert(witness_owned(&obj_a.lock_object, &shared) && !shared);
	rw_downgrade(&obj_a);
	ck_assert(witness_owned(&obj_a.lock_object, &shared) && shared);
	ck_assert_int_eq(witness_held_count(), 1);
	rw_runlock(&obj_a);
	ck_assert_int_eq(witness_held_count(), 0);
}
END_TEST

START_TEST(test_nowitness_lock_not_checked)
{
	struct mtx quiet;

	mtx_init(&quiet, "quiet", LOCK_RANK_GIANT, MTX_NOWITNESS);
	mtx_lock(&fict_mtx);
	mtx_lock(&quiet);
	ck_assert_int_eq(witness_held_count(), 1);
	mtx_unlock(&quiet);
	mtx_unlock(&fict_mtx);
	ck_assert_uint_eq(witness_reversals(), 0);
	mtx_destroy(&quiet);
}
END_TEST

static void *
rlock_assert_other(void *arg)
{

	rw_assert(&obj_a, RA_RLOCKED);	/* main holds it, not us */
	return (arg);
}

/* Read ownership is per thread under WITNESS. */
START_TEST(test_rw_assert_rlocked_other_thread_fires)
{
	pthread_t td;

	panic_expect("lock vm object A not read-locked at");
	rw_rlock(&obj_a);
	pthread_create(&td, NULL, rlock_assert_other, NULL);
	pthread_join(td, NULL);
}
END_TEST

/*
 * Two threads, deadlock-shaped: T1 holds the pager list lock and wants
 * the object lock; main holds the object lock and wants the pager list
 * lock.  The checker fires in main before it blocks.
 */
static int t1_holding, t1_done;
static int t1_got_obj;

static void *
t1_pager_then_object(void *arg)
{
	long deadline;

	mtx_lock(&pager_mtx);
	__atomic_store_n(&t1_holding, 1, __ATOMIC_RELEASE);
	/* Try (never block) until main's reversal was reported. */
	deadline = now_ms() + 10000;
	while (witness_reversals() == 0 && now_ms() < deadline) {
		if (rw_try_wlock(&obj_a)) {
			t1_got_obj = 1;
			rw_wunlock(&obj_a);
		}
		usleep(1000);
	}
	mtx_unlock(&pager_mtx);
	__atomic_store_n(&t1_done, 1, __ATOMIC_RELEASE);
	return (arg);
}

START_TEST(test_two_thread_reversal_reported_not_hung)
{
	pthread_t td;

	witness_set_fatal(false);
	rw_wlock(&obj_a);
	pthread_create(&td, NULL, t1_pager_then_object, NULL);
	while (!__atomic_load_n(&t1_holding, __ATOMIC_ACQUIRE))
		usleep(1000);
	/* Reported here; then waits until T1 gives up the pager lock. */
	mtx_lock(&pager_mtx);
	ck_assert_uint_eq(witness_reversals(), 1);
	ck_assert_ptr_nonnull(strstr(witness_last_report(),
	    "\"dev_pager list\" (rank 40)"));
	ck_assert_ptr_nonnull(strstr(witness_last_report(),
	    "\"vm object A\" (rank 50)"));
	mtx_unlock(&pager_mtx);
	rw_wunlock(&obj_a);
	pthread_join(td, NULL);
	ck_assert_int_eq(__atomic_load_n(&t1_done, __ATOMIC_ACQUIRE), 1);
	ck_assert_int_eq(t1_got_obj, 0);
}
END_TEST

static void *
t1_hold_pager(void *arg)
{

	mtx_lock(&pager_mtx);
	__atomic_store_n(&t1_holding, 1, __ATOMIC_RELEASE);
	for (;;)
		pause();
	return (arg);
}

START_TEST(test_two_thread_reversal_fatal)
{
	pthread_t td;

	panic_expect("witness: lock order reversal: \"dev_pager list\"*while "
	    "holding \"vm object A\"");
	rw_wlock(&obj_a);
	pthread_create(&td, NULL, t1_hold_pager, NULL);
	while (!__atomic_load_n(&t1_holding, __ATOMIC_ACQUIRE))
		usleep(1000);
	mtx_lock(&pager_mtx);	/* aborts instead of deadlocking */
}
END_TEST

START_TEST(test_unlock_of_unheld_rwlock_reported)
{

	panic_expect("witness: releasing unheld lock \"vm object B\"");
	rw_wlock(&obj_a);
	/* obj_b was never locked by this thread. */
	rw_runlock(&obj_b);
}
END_TEST
#else /* !WITNESS */

START_TEST(test_no_witness_reversal_is_silent)
{

	/* Without WITNESS the hooks are empty: no report, no abort. */
	rw_wlock(&obj_a);
	mtx_lock(&pager_mtx);
	mtx_lock(&Giant);
	mtx_unlock(&Giant);
	mtx_unlock(&pager_mtx);
	rw_wunlock(&obj_a);
	ck_assert(!rw_wowned(&obj_a));
	ck_assert(!mtx_owned(&pager_mtx));
}
END_TEST
#endif /* WITNESS */

Suite *
kern_witness_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("kern_witness");
	tc = tcase_create("order");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, NULL);
#ifndef INVARIANTS
	tcase_add_test(tc, test_no_witness_reversal_is_silent);
#endif
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "order", setup, NULL,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS(ti, test_correct_order_never_reported);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_reversal_fatal);
	TCASE_ADD_INVARIANTS(ti, test_reversal_reported_names_both);
	TCASE_ADD_INVARIANTS(ti, test_giant_after_page_lock_reported);
	TCASE_ADD_INVARIANTS(ti, test_giant_recursion_not_reported);
	TCASE_ADD_INVARIANTS(ti, test_dupok_same_rank_allowed);
	TCASE_ADD_INVARIANTS(ti, test_same_rank_without_dupok_reported);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_same_rank_without_dupok_fatal);
	TCASE_ADD_INVARIANTS(ti, test_trylock_exempt_but_recorded);
	TCASE_ADD_INVARIANTS(ti, test_trylocked_lock_counts_for_later_order);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_self_deadlock_read_then_write_fatal);
	TCASE_ADD_INVARIANTS(ti, test_shared_recursion_allowed);
	TCASE_ADD_INVARIANTS(ti, test_upgrade_downgrade_tracked);
	TCASE_ADD_INVARIANTS(ti, test_nowitness_lock_not_checked);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_rw_assert_rlocked_other_thread_fires);
	TCASE_ADD_INVARIANTS(ti, test_two_thread_reversal_reported_not_hung);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_two_thread_reversal_fatal);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_unlock_of_unheld_rwlock_reported);
	return (s);
}
