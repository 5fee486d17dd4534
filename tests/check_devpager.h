/*
 * Shared declarations of the Check test binary.
 */
#ifndef _TESTS_CHECK_DEVPAGER_H_
#define _TESTS_CHECK_DEVPAGER_H_

#include <check.h>
#include <signal.h>

#define	SUITE(name)	Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

/* Timeout for test cases that run threads, in seconds. */
#define	THREADED_TCASE_TIMEOUT	30

/*
 * Proofs that only a build configured with --enable-invariants can run
 * (KASSERTs, the lock-order checker, lock-owner assertions) go in a TCase
 * of their own, named after the one they belong with plus "_invariants"
 * (tcase_create_invariants), through TCASE_ADD_INVARIANTS and
 * TCASE_ADD_INVARIANTS_ABORT (a test that expects SIGABRT).  A plain
 * build compiles none of them: the macros record their names instead,
 * and the test binary lists them as TAP comments ("# not run: ...")
 * before any result, so that a plain make check never reads as covering
 * them.  The fixture may be NULL; timeout 0 keeps Check's default.
 */
TCase	*tcase_create_invariants(Suite *s, const char *name,
	    SFun setup, SFun teardown, int timeout);
void	invariants_not_built(const char *file, const char *test);
void	invariants_not_built_print(void);
#ifdef INVARIANTS
#define	TCASE_ADD_INVARIANTS(tc, fn)	tcase_add_test((tc), fn)
#define	TCASE_ADD_INVARIANTS_ABORT(tc, fn)				\
	tcase_add_test_raise_signal((tc), fn, SIGABRT)
#else
#define	TCASE_ADD_INVARIANTS(tc, fn)					\
	((void)(tc), invariants_not_built(__FILE__, #fn))
#define	TCASE_ADD_INVARIANTS_ABORT(tc, fn)				\
	((void)(tc), invariants_not_built(__FILE__, #fn))
#endif

#endif /* !_TESTS_CHECK_DEVPAGER_H_ */
