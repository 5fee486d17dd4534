/*
 * The harness checks itself: the binary runs, fixtures run in the forked
 * child, and a test that aborts is reported as a failure with the signal
 * Check expects.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "check_devpager.h"

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

START_TEST(test_abort_is_caught)
{
	abort();
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
	tcase_add_test_raise_signal(tc, test_abort_is_caught, SIGABRT);
	suite_add_tcase(s, tc);
	return (s);
}
