/*
 * Swap accounting per uid: limits at the boundary, the global total,
 * default and per-uid limits, the swap_reserve fail point, the figures
 * the inspection tree prints, and concurrent reservations.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>

#include "check_devpager.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "vm/vm.h"
#include "vm/swap_reserve.h"

#define	TOTAL	(64 * PAGE_SIZE)

static const struct ucred u1 = { .cr_uid = 1001, .cr_gid = 100 };
static const struct ucred u2 = { .cr_uid = 1002, .cr_gid = 100 };
static const struct ucred u0 = { .cr_uid = 0, .cr_gid = 0 };

static void
setup(void)
{

	swap_reserve_init(TOTAL);
}

static void
teardown(void)
{

	fail_point_reset_all();
	swap_reserve_fini();
}

static struct swap_uid_info
uid_info(uid_t uid)
{
	struct swap_uid_info si;

	ck_assert(swap_uid_get(uid, &si));
	return (si);
}

START_TEST(test_unlimited_by_default)
{
	ck_assert_uint_eq(swap_default_limit(), SWAP_LIMIT_INFINITY);
	ck_assert(swap_reserve_by_cred(10 * PAGE_SIZE, &u1));
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_limit, SWAP_LIMIT_INFINITY);
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_reserved, 10 * PAGE_SIZE);
	ck_assert_uint_eq(swap_reserved(), 10 * PAGE_SIZE);
	ck_assert_uint_eq(swap_total(), TOTAL);
	swap_release_by_cred(10 * PAGE_SIZE, &u1);
	ck_assert_uint_eq(swap_reserved(), 0);
}
END_TEST

START_TEST(test_limit_boundary)
{
	struct swap_uid_info si;

	swap_set_limit(u1.cr_uid, 4 * PAGE_SIZE);
	ck_assert(swap_reserve_by_cred(3 * PAGE_SIZE, &u1));
	/* Exactly at the limit: fine. */
	ck_assert(swap_reserve_by_cred(PAGE_SIZE, &u1));
	si = uid_info(u1.cr_uid);
	ck_assert_uint_eq(si.su_reserved, 4 * PAGE_SIZE);
	ck_assert_uint_eq(si.su_failures, 0);
	/* One page more: refused, nothing charged, failure counted. */
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	si = uid_info(u1.cr_uid);
	ck_assert_uint_eq(si.su_reserved, 4 * PAGE_SIZE);
	ck_assert_uint_eq(si.su_failures, 1);
	ck_assert_uint_eq(swap_reserved(), 4 * PAGE_SIZE);
	/* A large request is refused whole, not partly charged. */
	ck_assert(!swap_reserve_by_cred(100 * PAGE_SIZE, &u1));
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_reserved, 4 * PAGE_SIZE);
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_failures, 2);
	/* Release restores room. */
	swap_release_by_cred(2 * PAGE_SIZE, &u1);
	ck_assert(swap_reserve_by_cred(2 * PAGE_SIZE, &u1));
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	swap_release_by_cred(4 * PAGE_SIZE, &u1);
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_reserved, 0);
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_failures, 3);
}
END_TEST

START_TEST(test_limits_are_per_uid)
{
	swap_set_limit(u1.cr_uid, 2 * PAGE_SIZE);
	ck_assert(swap_reserve_by_cred(2 * PAGE_SIZE, &u1));
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	/* u2 has no limit of its own and no default applies. */
	ck_assert(swap_reserve_by_cred(20 * PAGE_SIZE, &u2));
	ck_assert_uint_eq(uid_info(u2.cr_uid).su_failures, 0);
	swap_release_by_cred(2 * PAGE_SIZE, &u1);
	swap_release_by_cred(20 * PAGE_SIZE, &u2);
}
END_TEST

START_TEST(test_default_limit)
{
	swap_set_default_limit(3 * PAGE_SIZE);
	ck_assert_uint_eq(swap_default_limit(), 3 * PAGE_SIZE);
	ck_assert(swap_reserve_by_cred(3 * PAGE_SIZE, &u1));
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_limit, 3 * PAGE_SIZE);
	/* A uid's own limit overrides the default, both ways. */
	swap_set_limit(u2.cr_uid, 10 * PAGE_SIZE);
	ck_assert(swap_reserve_by_cred(10 * PAGE_SIZE, &u2));
	swap_set_limit(u1.cr_uid, PAGE_SIZE);
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_limit, PAGE_SIZE);
	swap_release_by_cred(3 * PAGE_SIZE, &u1);
	swap_release_by_cred(10 * PAGE_SIZE, &u2);
}
END_TEST

START_TEST(test_global_total)
{
	ck_assert(swap_reserve_by_cred(TOTAL - PAGE_SIZE, &u1));
	ck_assert(!swap_reserve_by_cred(2 * PAGE_SIZE, &u2));
	ck_assert_uint_eq(uid_info(u2.cr_uid).su_reserved, 0);
	ck_assert_uint_eq(uid_info(u2.cr_uid).su_failures, 1);
	ck_assert(swap_reserve_by_cred(PAGE_SIZE, &u2));
	ck_assert_uint_eq(swap_reserved(), TOTAL);
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u0));
	swap_release_by_cred(TOTAL - PAGE_SIZE, &u1);
	swap_release_by_cred(PAGE_SIZE, &u2);
	swap_set_total(2 * TOTAL);
	ck_assert(swap_reserve_by_cred(TOTAL + PAGE_SIZE, &u0));
	swap_release_by_cred(TOTAL + PAGE_SIZE, &u0);
}
END_TEST

START_TEST(test_fail_point)
{
	ck_assert_int_eq(fail_point_set("swap_reserve", "return(12)"), 0);
	ck_assert(!swap_reserve_by_cred(PAGE_SIZE, &u1));
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_reserved, 0);
	ck_assert_uint_eq(uid_info(u1.cr_uid).su_failures, 1);
	ck_assert_int_eq(fail_point_set("swap_reserve", "off"), 0);
	ck_assert(swap_reserve_by_cred(PAGE_SIZE, &u1));
	swap_release_by_cred(PAGE_SIZE, &u1);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_unaligned_asserts)
{

	panic_expect("swap_reserve: 4097 & PAGE_MASK");
	(void)swap_reserve_by_cred(PAGE_SIZE + 1, &u1);
}
END_TEST

START_TEST(test_release_too_much_asserts)
{

	panic_expect("swap_release_by_cred: uid 1001 releases 8192, has 4096");
	ck_assert(swap_reserve_by_cred(PAGE_SIZE, &u1));
	swap_release_by_cred(2 * PAGE_SIZE, &u1);
}
END_TEST
#endif

struct collect {
	uid_t		uid[8];
	vm_ooffset_t	reserved[8];
	int		n;
};

static void
collect_cb(const struct swap_uid_info *si, void *arg)
{
	struct collect *c = arg;

	ck_assert_int_lt(c->n, 8);
	c->uid[c->n] = si->su_uid;
	c->reserved[c->n] = si->su_reserved;
	c->n++;
}

START_TEST(test_foreach_sorted)
{
	struct collect c = { .n = 0 };
	struct swap_uid_info si;

	ck_assert(!swap_uid_get(4242, &si));
	ck_assert(swap_reserve_by_cred(2 * PAGE_SIZE, &u2));
	ck_assert(swap_reserve_by_cred(PAGE_SIZE, &u0));
	ck_assert(swap_reserve_by_cred(3 * PAGE_SIZE, &u1));
	swap_foreach(collect_cb, &c);
	ck_assert_int_eq(c.n, 3);
	ck_assert_uint_eq(c.uid[0], 0);
	ck_assert_uint_eq(c.uid[1], 1001);
	ck_assert_uint_eq(c.uid[2], 1002);
	ck_assert_uint_eq(c.reserved[0], PAGE_SIZE);
	ck_assert_uint_eq(c.reserved[1], 3 * PAGE_SIZE);
	ck_assert_uint_eq(c.reserved[2], 2 * PAGE_SIZE);
	/* swap_reserve_init forgets everything. */
	swap_reserve_init(TOTAL);
	c.n = 0;
	swap_foreach(collect_cb, &c);
	ck_assert_int_eq(c.n, 0);
}
END_TEST

struct racer {
	int		ok;
};

static void *
racer_thread(void *arg)
{
	struct racer *r = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		if (swap_reserve_by_cred(PAGE_SIZE, &u1)) {
			r->ok++;
			if (i % 2 == 0) {
				swap_release_by_cred(PAGE_SIZE, &u1);
				r->ok--;
			}
		}
	}
	return (NULL);
}

/* Two threads pushing against one limit never overshoot it. */
START_TEST(test_concurrent_reservations)
{
	struct racer r[2] = { { 0 }, { 0 } };
	struct swap_uid_info si;
	pthread_t td[2];
	int i;

	swap_set_limit(u1.cr_uid, 50 * PAGE_SIZE);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&td[i], NULL, racer_thread,
		    &r[i]), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(td[i], NULL), 0);
	si = uid_info(u1.cr_uid);
	ck_assert_uint_eq(si.su_reserved, 50 * PAGE_SIZE);
	ck_assert_uint_eq((vm_ooffset_t)(r[0].ok + r[1].ok) * PAGE_SIZE,
	    si.su_reserved);
	ck_assert_uint_gt(si.su_failures, 0);
	ck_assert_uint_eq(swap_reserved(), 50 * PAGE_SIZE);
}
END_TEST

Suite *
swap_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("swap");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_unlimited_by_default);
	tcase_add_test(tc, test_limit_boundary);
	tcase_add_test(tc, test_limits_are_per_uid);
	tcase_add_test(tc, test_default_limit);
	tcase_add_test(tc, test_global_total);
	tcase_add_test(tc, test_fail_point);
	tcase_add_test(tc, test_foreach_sorted);
	tcase_add_test(tc, test_concurrent_reservations);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "core", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_unaligned_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_release_too_much_asserts);
	return (s);
}
