/*
 * panic() and the failure path of KASSERT(): log one line and abort.
 *
 * Both are safe to call with any lock held: they only format into a stack
 * buffer and call kern_log(), which takes no lock.  abort() raises SIGABRT,
 * which is what the Check tests of assertions expect.
 *
 * The panic a test expects.  A test that proves an assertion fires names
 * the panic it expects with panic_expect() before running the code under
 * test: a pattern in which '*' stands for any text (pointers, paths and
 * line numbers), found anywhere in the message.  A panic whose message
 * matches aborts as usual; any
 * other panic is a different failure than the one the test is about: it
 * logs both messages and exits with PANIC_EXPECT_MISMATCH instead of
 * raising SIGABRT, so a test registered with
 * tcase_add_test_raise_signal(..., SIGABRT) fails ("Early exit with
 * return value 70") with the two messages just above its result.  The
 * expectation lives in a static buffer: it is set before the code under
 * test runs (so before any thread that could panic exists, or with a
 * barrier between) and only read by the panicking thread.
 *
 * Locks used to protect data in this file:
 *	(a)	atomic
 *	(e)	written before panic_expected_set is stored (release), read
 *		after it is loaded (acquire)
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "kern/kassert.h"
#include "kern/kern_log.h"

#define	PANIC_MSG_MAX	512

static char panic_expected[PANIC_MSG_MAX];	/* (e) */
static int panic_expected_set;			/* (a) */
static int panicking;					/* (a) */
static __thread bool panic_thread;	/* this thread is panicking */

static bool	panic_matches(const char *msg, const char *pattern);
static void	vpanic(const char *fmt, va_list ap)
    __attribute__((__noreturn__, __format__(__printf__, 1, 0)));

/*
 * Does msg contain the pieces of pattern between its '*'s, in order?
 */
static bool
panic_matches(const char *msg, const char *pattern)
{
	char piece[PANIC_MSG_MAX];
	const char *p, *star, *at;
	size_t n;

	for (p = pattern;; p = star + 1) {
		star = strchr(p, '*');
		n = star != NULL ? (size_t)(star - p) : strlen(p);
		if (n >= sizeof(piece))
			return (false);
		memcpy(piece, p, n);
		piece[n] = '\0';
		at = strstr(msg, piece);
		if (at == NULL)
			return (false);
		msg = at + n;
		if (star == NULL)
			return (true);
	}
}

/*
 * The first panic decides: a thread that panics while another one is
 * already panicking stops for good, as the other CPUs do in a kernel, so
 * that two failures racing each other cannot make the outcome (and the
 * message a test checks) depend on which one reaches abort() first.  A
 * panic inside a panic aborts at once.
 */
static void
vpanic(const char *fmt, va_list ap)
{
	char msg[PANIC_MSG_MAX];

	if (panic_thread) {
		kern_log(LOG_CRIT, "panic: recursive panic");
		abort();
	}
	panic_thread = true;
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL) != 0) {
		for (;;)
			(void)pause();
	}
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	kern_log(LOG_CRIT, "panic: %s", msg);
	if (__atomic_load_n(&panic_expected_set, __ATOMIC_ACQUIRE) &&
	    !panic_matches(msg, panic_expected)) {
		kern_log(LOG_CRIT, "panic_expect: this is not the expected "
		    "panic: wanted a message matching \"%s\", got \"%s\"",
		    panic_expected, msg);
		_exit(PANIC_EXPECT_MISMATCH);
	}
	abort();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	/* NOTREACHED */
}

void
kassert_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	/* NOTREACHED */
}

void
panic_expect(const char *pattern)
{

	if (pattern == NULL) {
		__atomic_store_n(&panic_expected_set, 0, __ATOMIC_RELEASE);
		return;
	}
	(void)snprintf(panic_expected, sizeof(panic_expected), "%s", pattern);
	__atomic_store_n(&panic_expected_set, 1, __ATOMIC_RELEASE);
}
