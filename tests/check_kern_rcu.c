/*
 * kern_rcu: lazy RCU registration.  A thread registered through
 * rcu_thread_online() must be unregistered when it exits, or a later
 * synchronize_rcu() walks a dead reader.  All RCU work happens in the test
 * body (Check forks per test; no urcu threads in the parent).
 */
#include "config.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/kern_rcu.h"

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static void *
online_and_exit(void *arg)
{
	int *ok = arg;

	*ok = !rcu_thread_is_registered();
	rcu_thread_online();
	rcu_thread_online();	/* idempotent */
	*ok = *ok && rcu_thread_is_registered();
	rcu_read_lock();
	rcu_read_unlock();
	return (NULL);	/* exits registered: the key destructor cleans up */
}

START_TEST(test_exited_online_threads_do_not_break_synchronize)
{
	pthread_t td[8];
	int ok[8];
	int i, round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 8; i++)
			pthread_create(&td[i], NULL, online_and_exit, &ok[i]);
		for (i = 0; i < 8; i++) {
			pthread_join(td[i], NULL);
			ck_assert_int_eq(ok[i], 1);
		}
		/* Would touch freed reader records without the destructor. */
		synchronize_rcu();
	}
	rcu_thread_online();
	rcu_read_lock();
	rcu_read_unlock();
	synchronize_rcu();
}
END_TEST

START_TEST(test_registered_flag_per_thread)
{
	pthread_t td;
	int ok;

	ck_assert(!rcu_thread_is_registered());
	rcu_thread_online();
	ck_assert(rcu_thread_is_registered());
	/* A new thread starts unregistered. */
	pthread_create(&td, NULL, online_and_exit, &ok);
	pthread_join(td, NULL);
	ck_assert_int_eq(ok, 1);
	ck_assert(rcu_thread_is_registered());
}
END_TEST

static int reader_inside, reader_go, sync_done;	/* (a) */

static void *
slow_reader(void *arg)
{

	rcu_thread_online();
	rcu_read_lock();
	__atomic_store_n(&reader_inside, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&reader_go, __ATOMIC_SEQ_CST))
		usleep(1000);
	rcu_read_unlock();
	return (arg);
}

static void *
synchronizer(void *arg)
{

	synchronize_rcu();
	__atomic_store_n(&sync_done, 1, __ATOMIC_SEQ_CST);
	return (arg);
}

START_TEST(test_synchronize_waits_for_online_reader)
{
	pthread_t rd, sy;
	long t0;

	pthread_create(&rd, NULL, slow_reader, NULL);
	while (!__atomic_load_n(&reader_inside, __ATOMIC_SEQ_CST))
		usleep(1000);
	pthread_create(&sy, NULL, synchronizer, NULL);
	t0 = now_ms();
	while (now_ms() - t0 < 150)
		ck_assert_int_eq(__atomic_load_n(&sync_done, __ATOMIC_SEQ_CST),
		    0);
	__atomic_store_n(&reader_go, 1, __ATOMIC_SEQ_CST);
	pthread_join(sy, NULL);
	pthread_join(rd, NULL);
	ck_assert_int_eq(sync_done, 1);
}
END_TEST

Suite *
kern_rcu_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_rcu");
	tc = tcase_create("rcu");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_exited_online_threads_do_not_break_synchronize);
	tcase_add_test(tc, test_registered_flag_per_thread);
	tcase_add_test(tc, test_synchronize_waits_for_online_reader);
	suite_add_tcase(s, tc);
	return (s);
}
