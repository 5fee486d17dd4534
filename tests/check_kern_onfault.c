/*
 * kern_onfault: guarded copies.  A real SIGBUS from a shared mapping of a
 * truncated file is recovered (stores and loads, again and again, on
 * several threads at once); a fault with no recovery point armed, a
 * fault outside the guarded range and a SIGBUS sent with raise() still
 * kill the process with SIGBUS.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/onfault.h"

#define	PG	4096
/* The faulting address a is in the page at p (memcpy starts anywhere). */
#define	IN_PAGE(a, p)						\
	((a) >= (uintptr_t)(p) && (a) < (uintptr_t)(p) + PG)

/*
 * A shared mapping of npages of a scratch file, cut down to keep pages:
 * the pages after that raise SIGBUS when touched.
 */
static char *
truncated_map(unsigned npages, unsigned keep)
{
	const char *tmp;
	char path[256];
	char *p;
	int fd;

	tmp = getenv("TMPDIR");
	snprintf(path, sizeof(path), "%s/onfault.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(ftruncate(fd, (off_t)npages * PG), 0);
	p = mmap(NULL, (size_t)npages * PG, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	memset(p, 0x5a, (size_t)npages * PG);
	ck_assert_int_eq(ftruncate(fd, (off_t)keep * PG), 0);
	close(fd);
	return (p);
}

START_TEST(test_recovers_store_and_load)
{
	char buf[PG], *m;
	uintptr_t faddr;
	unsigned long n0;
	int i;

	m = truncated_map(4, 1);
	memset(buf, 0x77, sizeof(buf));
	n0 = onfault_recoveries();
	/* Several times in a row: the handler leaves SIGBUS unblocked. */
	for (i = 0; i < 3; i++) {
		faddr = 0;
		ck_assert_int_eq(onfault_copy(m + PG, buf, PG, m, 4 * PG,
		    &faddr), EFAULT);
		ck_assert(IN_PAGE(faddr, m + PG));
		faddr = 0;
		ck_assert_int_eq(onfault_copy(buf, m + 3 * PG, PG, m, 4 * PG,
		    &faddr), EFAULT);
		ck_assert(IN_PAGE(faddr, m + 3 * PG));
	}
	/* A copy running into the lost part faults there. */
	ck_assert_int_eq(onfault_copy(m + PG / 2, buf, PG, m, 4 * PG, &faddr),
	    EFAULT);
	ck_assert(IN_PAGE(faddr, m + PG));
	ck_assert_uint_eq(onfault_recoveries() - n0, 7);
	/* The page still there works as before. */
	ck_assert_int_eq(onfault_copy(m, buf, PG, m, 4 * PG, NULL), 0);
	ck_assert_int_eq(memcmp(m, buf, PG), 0);
	ck_assert_int_eq(onfault_copy(buf, m, 16, m, 4 * PG, NULL), 0);
	munmap(m, 4 * PG);
}
END_TEST

#define	NTHREADS	4
#define	NROUNDS		200

static void *
fault_loop(void *arg)
{
	char buf[PG], *m = arg;
	uintptr_t faddr;
	long bad;
	int i;

	bad = 0;
	memset(buf, 1, sizeof(buf));
	for (i = 0; i < NROUNDS; i++) {
		if (onfault_copy(m + PG, buf, PG, m, 2 * PG, &faddr) !=
		    EFAULT || !IN_PAGE(faddr, m + PG))
			bad++;
		if (onfault_copy(m, buf, PG, m, 2 * PG, NULL) != 0)
			bad++;
	}
	return ((void *)bad);
}

START_TEST(test_recovers_on_many_threads)
{
	pthread_t td[NTHREADS];
	char *maps[NTHREADS];
	void *bad;
	int i;

	for (i = 0; i < NTHREADS; i++)
		maps[i] = truncated_map(2, 1);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&td[i], NULL, fault_loop,
		    maps[i]), 0);
	for (i = 0; i < NTHREADS; i++) {
		ck_assert_int_eq(pthread_join(td[i], &bad), 0);
		ck_assert_ptr_null(bad);
		munmap(maps[i], 2 * PG);
	}
}
END_TEST

/* The handler is installed, but nothing is armed: a genuine bug. */
START_TEST(test_unarmed_fault_kills)
{
	volatile char *m;

	m = truncated_map(2, 1);
	onfault_init();
	m[PG] = 1;
	ck_abort_msg("the store past the end of the file did not fault");
}
END_TEST

/* Armed, but the fault is on the other side of the copy. */
START_TEST(test_fault_outside_guard_kills)
{
	char buf[PG], *m;

	m = truncated_map(2, 1);
	(void)onfault_copy(buf, m + PG, PG, buf, sizeof(buf), NULL);
	ck_abort_msg("the load past the end of the file was recovered");
}
END_TEST

/* A SIGBUS someone sends is not a fault to recover from. */
START_TEST(test_sent_sigbus_kills)
{

	onfault_init();
	raise(SIGBUS);
	ck_abort_msg("raise(SIGBUS) returned");
}
END_TEST

Suite *
kern_onfault_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_onfault");
	tc = tcase_create("recover");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_recovers_store_and_load);
	tcase_add_test(tc, test_recovers_on_many_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("genuine");
	tcase_add_test_raise_signal(tc, test_unarmed_fault_kills, SIGBUS);
	tcase_add_test_raise_signal(tc, test_fault_outside_guard_kills,
	    SIGBUS);
	tcase_add_test_raise_signal(tc, test_sent_sigbus_kills, SIGBUS);
	suite_add_tcase(s, tc);
	return (s);
}
