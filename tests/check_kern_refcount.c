/*
 * kern_refcount: refcount(9) on uatomic, including acquire-if-not-zero
 * hammered by two threads against the last release.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/refcount.h"

START_TEST(test_refcount_basic)
{
	volatile unsigned c;

	refcount_init(&c, 1);
	ck_assert_uint_eq(refcount_load(&c), 1);
	refcount_acquire(&c);
	refcount_acquire(&c);
	ck_assert_uint_eq(refcount_load(&c), 3);
	ck_assert(!refcount_release(&c));
	ck_assert(!refcount_release(&c));
	ck_assert(refcount_release(&c));
	ck_assert_uint_eq(refcount_load(&c), 0);
}
END_TEST

START_TEST(test_acquire_if_not_zero)
{
	volatile unsigned c;

	refcount_init(&c, 0);
	ck_assert(!refcount_acquire_if_not_zero(&c));
	ck_assert_uint_eq(refcount_load(&c), 0);
	refcount_init(&c, 2);
	ck_assert(refcount_acquire_if_not_zero(&c));
	ck_assert_uint_eq(refcount_load(&c), 3);
}
END_TEST

START_TEST(test_release_if_not_last)
{
	volatile unsigned c;

	refcount_init(&c, 2);
	ck_assert(refcount_release_if_not_last(&c));
	ck_assert_uint_eq(refcount_load(&c), 1);
	ck_assert(!refcount_release_if_not_last(&c));
	ck_assert_uint_eq(refcount_load(&c), 1);
	ck_assert(refcount_release(&c));
}
END_TEST

/*
 * Each round: the count starts at 1 (the base reference).  The hammer
 * thread takes and drops references with acquire_if_not_zero while the
 * other thread drops the base reference.  Exactly one release must see
 * the last reference go, and once it has, no acquire may succeed again.
 */
#define	ROUNDS		3000
static volatile unsigned hc;
static int h_dead;		/* (a) the count reached 0 */
static int h_lasts;		/* (a) releases that returned true */
static int h_revived;		/* (a) acquires after death */
static pthread_barrier_t h_barrier;

static void
note_release(bool last)
{

	if (last) {
		__atomic_add_fetch(&h_lasts, 1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&h_dead, 1, __ATOMIC_SEQ_CST);
	}
}

static void *
hammer(void *arg)
{
	int r, i;

	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&h_barrier);
		for (i = 0; i < 200; i++) {
			if (!refcount_acquire_if_not_zero(&hc))
				break;
			if (__atomic_load_n(&h_dead, __ATOMIC_SEQ_CST))
				__atomic_add_fetch(&h_revived, 1,
				    __ATOMIC_SEQ_CST);
			note_release(refcount_release(&hc));
		}
		pthread_barrier_wait(&h_barrier);
	}
	return (arg);
}

START_TEST(test_acquire_if_not_zero_never_revives)
{
	pthread_t td;
	int r, i, lasts_before;

	pthread_barrier_init(&h_barrier, NULL, 2);
	pthread_create(&td, NULL, hammer, NULL);
	for (r = 0; r < ROUNDS; r++) {
		refcount_init(&hc, 1);
		__atomic_store_n(&h_dead, 0, __ATOMIC_SEQ_CST);
		lasts_before = __atomic_load_n(&h_lasts, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&h_barrier);
		for (i = 0; i < r % 50; i++)
			__asm__ __volatile__("" ::: "memory");
		note_release(refcount_release(&hc));
		pthread_barrier_wait(&h_barrier);
		ck_assert_uint_eq(refcount_load(&hc), 0);
		ck_assert_int_eq(__atomic_load_n(&h_lasts, __ATOMIC_SEQ_CST) -
		    lasts_before, 1);
		ck_assert(!refcount_acquire_if_not_zero(&hc));
	}
	pthread_join(td, NULL);
	ck_assert_int_eq(h_revived, 0);
	ck_assert_int_eq(h_lasts, ROUNDS);
	pthread_barrier_destroy(&h_barrier);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_release_at_zero_fires)
{
	volatile unsigned c;

	panic_expect("refcount * is zero");
	refcount_init(&c, 0);
	(void)refcount_release(&c);
}
END_TEST
#endif

Suite *
kern_refcount_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("kern_refcount");
	tc = tcase_create("refcount");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_refcount_basic);
	tcase_add_test(tc, test_acquire_if_not_zero);
	tcase_add_test(tc, test_release_if_not_last);
	tcase_add_test(tc, test_acquire_if_not_zero_never_revives);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "refcount", NULL, NULL,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_release_at_zero_fires);
	return (s);
}
