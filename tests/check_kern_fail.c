/*
 * kern_fail: fail points.  Each term, chains, the canonical form after
 * partial use, strict rejection of bad specs, N% statistics with a seeded
 * generator, sleep(MS) timing and concurrent N* accounting.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check_devpager.h"
#include "kern/fail.h"

FAIL_POINT_DEFINE(kern_test_fail_a);
FAIL_POINT_DEFINE(kern_test_fail_b);
FAIL_POINT_DEFINE(kern_test_fail_c);

static void
setup(void)
{

	fail_point_reset_all();
	fail_point_seed(0);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static const char *
get(const char *name)
{
	static char buf[256];

	ck_assert_int_eq(fail_point_get(name, buf, sizeof(buf)), 0);
	return (buf);
}

static unsigned long
hits(const char *name)
{
	unsigned long h;

	ck_assert_int_eq(fail_point_hits(name, &h), 0);
	return (h);
}

START_TEST(test_default_off)
{
	int i;

	ck_assert_int_eq(fail_point_kern_test_fail_a.fp_enabled, 0);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
	ck_assert_uint_eq(hits("kern_test_fail_a"), 0);
}
END_TEST

START_TEST(test_return_always)
{
	int i;

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "return(5)"), 0);
	ck_assert_int_ne(fail_point_kern_test_fail_a.fp_enabled, 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), EIO);
	ck_assert_uint_eq(hits("kern_test_fail_a"), 5);
	ck_assert_str_eq(get("kern_test_fail_a"), "return(5)");
	/* Other points are untouched. */
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_b), 0);
	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "off"), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_int_eq(fail_point_kern_test_fail_a.fp_enabled, 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
}
END_TEST

START_TEST(test_count_return_then_off)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "3*return(12)"),
	    0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), ENOMEM);
	ck_assert_str_eq(get("kern_test_fail_a"), "2*return(12)");
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), ENOMEM);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), ENOMEM);
	/* Used up: the chain is empty and the point is off. */
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
	ck_assert_int_eq(fail_point_kern_test_fail_a.fp_enabled, 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_uint_eq(hits("kern_test_fail_a"), 3);
}
END_TEST

START_TEST(test_chain_count_then_return)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "2*return(12)->return(5)"), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 12);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 12);
	ck_assert_str_eq(get("kern_test_fail_a"), "return(5)");
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 5);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 5);
}
END_TEST

START_TEST(test_chain_skip_with_counted_off)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "2*off->1*return(7)->off"), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "1*off->1*return(7)->off");
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 7);
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_uint_eq(hits("kern_test_fail_a"), 1);
}
END_TEST

START_TEST(test_canonical_after_partial_use)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_b",
	    "5*return(4)->50%return(9)->sleep(0)->off"), 0);
	ck_assert_str_eq(get("kern_test_fail_b"),
	    "5*return(4)->50%return(9)->sleep(0)->off");
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_b), 4);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_b), 4);
	ck_assert_str_eq(get("kern_test_fail_b"),
	    "3*return(4)->50%return(9)->sleep(0)->off");
	/* A canonical string parses back to the same thing. */
	ck_assert_int_eq(fail_point_set("kern_test_fail_c",
	    get("kern_test_fail_b")), 0);
	ck_assert_str_eq(get("kern_test_fail_c"),
	    "3*return(4)->50%return(9)->sleep(0)->off");
}
END_TEST

START_TEST(test_sleep_measured)
{
	long t0, dt;

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "sleep(60)"), 0);
	t0 = now_ms();
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	dt = now_ms() - t0;
	ck_assert_int_ge(dt, 60);
	ck_assert_int_lt(dt, 5000);
	ck_assert_uint_eq(hits("kern_test_fail_a"), 0);

	/* sleep then go on to the next term. */
	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "1*sleep(40)->return(4)"), 0);
	t0 = now_ms();
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 4);
	ck_assert_int_ge(now_ms() - t0, 40);
	t0 = now_ms();
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 4);
	ck_assert_int_lt(now_ms() - t0, 40);
	ck_assert_str_eq(get("kern_test_fail_a"), "return(4)");
}
END_TEST

static int
count_fires(int n, int expect)
{
	int error, fired, i;

	fired = 0;
	for (i = 0; i < n; i++) {
		error = FAIL_POINT_EVAL(kern_test_fail_a);
		if (error != 0) {
			ck_assert_int_eq(error, expect);
			fired++;
		}
	}
	return (fired);
}

START_TEST(test_percent_statistics)
{
	int fired;

	fail_point_seed(12345);
	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "30%return(9)"),
	    0);
	fired = count_fires(20000, 9);
	/* Binomial(20000, 0.3): sd ~ 65; allow ~7 sd. */
	ck_assert_int_gt(fired, 6000 - 450);
	ck_assert_int_lt(fired, 6000 + 450);
	ck_assert_uint_eq(hits("kern_test_fail_a"), (unsigned long)fired);
	/* The term never wears out. */
	ck_assert_str_eq(get("kern_test_fail_a"), "30%return(9)");

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "1%return(9)"),
	    0);
	fired = count_fires(20000, 9);
	ck_assert_int_gt(fired, 200 - 100);
	ck_assert_int_lt(fired, 200 + 100);

	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "100%return(9)"), 0);
	ck_assert_int_eq(count_fires(1000, 9), 1000);
}
END_TEST

START_TEST(test_percent_seed_reproducible)
{
	int seq1[200], seq2[200], seq3[200];
	int i, differ;

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "50%return(3)"),
	    0);
	fail_point_seed(7);
	for (i = 0; i < 200; i++)
		seq1[i] = FAIL_POINT_EVAL(kern_test_fail_a);
	fail_point_seed(7);
	for (i = 0; i < 200; i++)
		seq2[i] = FAIL_POINT_EVAL(kern_test_fail_a);
	fail_point_seed(8);
	for (i = 0; i < 200; i++)
		seq3[i] = FAIL_POINT_EVAL(kern_test_fail_a);
	ck_assert_mem_eq(seq1, seq2, sizeof(seq1));
	differ = 0;
	for (i = 0; i < 200; i++)
		differ += seq1[i] != seq3[i];
	ck_assert_int_gt(differ, 0);
}
END_TEST

START_TEST(test_percent_miss_falls_through)
{
	int error, i, n1, n2;

	fail_point_seed(99);
	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "50%return(1)->return(2)"), 0);
	n1 = n2 = 0;
	for (i = 0; i < 2000; i++) {
		error = FAIL_POINT_EVAL(kern_test_fail_a);
		ck_assert(error == 1 || error == 2);
		if (error == 1)
			n1++;
		else
			n2++;
	}
	ck_assert_int_gt(n1, 800);
	ck_assert_int_gt(n2, 800);
}
END_TEST

static const char *bad_specs[] = {
	"",
	"   \n",
	"return(",
	"return()",
	"return(0)",
	"return(4096)",
	"return(99999)",
	"return(-1)",
	"return(+5)",
	"return(05)",
	"return(5))",
	"return(5)x",
	"return (5)",
	"RETURN(5)",
	"0*return(1)",
	"101%return(1)",
	"0%return(1)",
	"1000000001*return(1)",
	"99999999999999999999999*return(1)",
	"50%3*return(1)",
	"5%",
	"5*",
	"5xreturn(1)",
	"garbage",
	"offf",
	"off()",
	"return(5)->",
	"->return(5)",
	"return(5)->->off",
	"return(5) ->off",
	"return(5)-off",
	"sleep()",
	"sleep(3600001)",
	"sleep(-1)",
	"panic",
	"return(5)->off->off->off->off->off->off->off->off->off->off->off"
	    "->off->off->off->off->off",	/* 17 terms */
};

START_TEST(test_bad_specs_rejected_unchanged)
{
	unsigned i;

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "2*return(3)"),
	    0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 3);
	for (i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
		ck_assert_msg(fail_point_set("kern_test_fail_a",
		    bad_specs[i]) == EINVAL, "spec \"%s\" accepted",
		    bad_specs[i]);
		ck_assert_str_eq(get("kern_test_fail_a"), "1*return(3)");
	}
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 3);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_uint_eq(hits("kern_test_fail_a"), 2);
}
END_TEST

START_TEST(test_good_edge_specs)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", " return(4095)\n"),
	    0);
	ck_assert_str_eq(get("kern_test_fail_a"), "return(4095)");
	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "1000000000*return(1)"), 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "1000000000*return(1)");
	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "return(1)->off->off->off->off->off->off->off->off->off->off"
	    "->off->off->off->off->off"), 0);	/* 16 terms */
	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "sleep(0)"), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "off\n"), 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
}
END_TEST

START_TEST(test_unknown_name)
{
	unsigned long h;
	char buf[32];

	ck_assert_int_eq(fail_point_set("no_such_point", "return(1)"),
	    ENOENT);
	ck_assert_int_eq(fail_point_get("no_such_point", buf, sizeof(buf)),
	    ENOENT);
	ck_assert_int_eq(fail_point_hits("no_such_point", &h), ENOENT);
	/* Unknown name wins over a bad spec: nothing to parse against. */
	ck_assert_int_eq(fail_point_set("no_such_point", "garbage"), ENOENT);
}
END_TEST

START_TEST(test_get_small_buffer)
{
	char buf[8];

	ck_assert_int_eq(fail_point_set("kern_test_fail_a",
	    "10*return(100)"), 0);
	ck_assert_int_eq(fail_point_get("kern_test_fail_a", buf, sizeof(buf)),
	    ERANGE);
	ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
	ck_assert_int_eq(strncmp(buf, "10*retu", 7), 0);
}
END_TEST

struct names {
	char	list[64][64];
	int	n;
};

static void
collect(const char *name, void *arg)
{
	struct names *nm = arg;

	if (nm->n < 64)
		snprintf(nm->list[nm->n++], sizeof(nm->list[0]), "%s", name);
}

START_TEST(test_foreach_sorted)
{
	static struct names nm;
	int i, found;

	fail_point_foreach(collect, &nm);
	ck_assert_int_ge(nm.n, 3);
	found = 0;
	for (i = 0; i < nm.n; i++) {
		if (i > 0)
			ck_assert_int_lt(strcmp(nm.list[i - 1], nm.list[i]),
			    0);
		if (strncmp(nm.list[i], "kern_test_fail_", 15) == 0)
			found++;
	}
	ck_assert_int_eq(found, 3);
}
END_TEST

START_TEST(test_reset_all)
{

	ck_assert_int_eq(fail_point_set("kern_test_fail_a", "return(1)"), 0);
	ck_assert_int_eq(fail_point_set("kern_test_fail_b", "7*return(2)"),
	    0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 1);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_b), 2);
	fail_point_reset_all();
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_a), 0);
	ck_assert_int_eq(FAIL_POINT_EVAL(kern_test_fail_b), 0);
	ck_assert_str_eq(get("kern_test_fail_a"), "off");
	ck_assert_str_eq(get("kern_test_fail_b"), "off");
	ck_assert_uint_eq(hits("kern_test_fail_a"), 0);
	ck_assert_uint_eq(hits("kern_test_fail_b"), 0);
}
END_TEST

/* N* is consumed exactly N times across concurrent evaluators. */
static int conc_fired[4];

static void *
conc_eval(void *arg)
{
	long idx = (long)arg;
	int i;

	for (i = 0; i < 5000; i++)
		if (FAIL_POINT_EVAL(kern_test_fail_c) == 6)
			conc_fired[idx]++;
	return (NULL);
}

START_TEST(test_count_exact_under_concurrency)
{
	pthread_t td[4];
	long i;
	int total;

	ck_assert_int_eq(fail_point_set("kern_test_fail_c",
	    "7777*return(6)->off"), 0);
	for (i = 0; i < 4; i++)
		pthread_create(&td[i], NULL, conc_eval, (void *)i);
	total = 0;
	for (i = 0; i < 4; i++) {
		pthread_join(td[i], NULL);
		total += conc_fired[i];
	}
	ck_assert_int_eq(total, 7777);
	ck_assert_uint_eq(hits("kern_test_fail_c"), 7777);
	ck_assert_str_eq(get("kern_test_fail_c"), "off");
}
END_TEST

Suite *
kern_fail_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_fail");
	tc = tcase_create("fail");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_default_off);
	tcase_add_test(tc, test_return_always);
	tcase_add_test(tc, test_count_return_then_off);
	tcase_add_test(tc, test_chain_count_then_return);
	tcase_add_test(tc, test_chain_skip_with_counted_off);
	tcase_add_test(tc, test_canonical_after_partial_use);
	tcase_add_test(tc, test_sleep_measured);
	tcase_add_test(tc, test_percent_statistics);
	tcase_add_test(tc, test_percent_seed_reproducible);
	tcase_add_test(tc, test_percent_miss_falls_through);
	tcase_add_test(tc, test_bad_specs_rejected_unchanged);
	tcase_add_test(tc, test_good_edge_specs);
	tcase_add_test(tc, test_unknown_name);
	tcase_add_test(tc, test_get_small_buffer);
	tcase_add_test(tc, test_foreach_sorted);
	tcase_add_test(tc, test_reset_all);
	tcase_add_test(tc, test_count_exact_under_concurrency);
	suite_add_tcase(s, tc);
	return (s);
}
