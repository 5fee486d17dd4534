/*
 * Shared declarations of the Check test binary.
 */
#ifndef _TESTS_CHECK_DEVPAGER_H_
#define _TESTS_CHECK_DEVPAGER_H_

#include <check.h>

#define	SUITE(name)	Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

/* Timeout for test cases that run threads, in seconds. */
#define	THREADED_TCASE_TIMEOUT	30

#endif /* !_TESTS_CHECK_DEVPAGER_H_ */
