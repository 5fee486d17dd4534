/*
 * The harness checks itself: the binary runs, fixtures run in the forked
 * child, a panic the test expects is caught as the SIGABRT Check waits
 * for, and a panic with another message is not: it exits with
 * PANIC_EXPECT_MISMATCH, which fails a test that expects SIGABRT.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "check_devpager.h"
#include "kern/kassert.h"

static int fixture_ran;

static void
setup(void)
{
	fixture_ran = 1;
}

START_TEST(test_fixture_runs)
{
	ck_assert_int_eq(fixture_ran, 1);
}
END_TEST

START_TEST(test_expected_panic_aborts)
{

	panic_expect("harness: expected");
	panic("harness: expected panic %d", 42);
}
END_TEST

/* '*' stands for any text; the pieces must come in order. */
START_TEST(test_pattern_panic_aborts)
{

	panic_expect("object * at *:17");
	panic("harness: object %p at %s:%d", (void *)&fixture_ran, "x.c", 17);
}
END_TEST

START_TEST(test_pattern_out_of_order_exits)
{

	panic_expect("at *object");
	panic("harness: object %p at %s:%d", (void *)&fixture_ran, "x.c", 17);
}
END_TEST

/* Any panic aborts when the test names none. */
START_TEST(test_unnamed_panic_aborts)
{

	panic_expect(NULL);
	panic("harness: whatever");
}
END_TEST

/* Another panic than the one expected: an exit, never SIGABRT. */
START_TEST(test_other_panic_exits)
{

	panic_expect("harness: expected");
	panic("harness: something else went wrong");
}
END_TEST

/* The expectation follows the latest call. */
START_TEST(test_expectation_replaced)
{

	panic_expect("harness: first");
	panic_expect("harness: second");
	panic("harness: first");
}
END_TEST

Suite *
harness_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("harness");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_fixture_runs);
	tcase_add_test_raise_signal(tc, test_expected_panic_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_pattern_panic_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, test_unnamed_panic_aborts, SIGABRT);
	tcase_add_exit_test(tc, test_pattern_out_of_order_exits,
	    PANIC_EXPECT_MISMATCH);
	tcase_add_exit_test(tc, test_other_panic_exits,
	    PANIC_EXPECT_MISMATCH);
	tcase_add_exit_test(tc, test_expectation_replaced,
	    PANIC_EXPECT_MISMATCH);
	suite_add_tcase(s, tc);
	return (s);
}
