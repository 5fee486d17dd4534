/*
 * kern_lock: mutexes (incl. Giant), reader/writer locks, kern_log and
 * panic.  Concurrency is exercised with real threads; the assertions that
 * must fire are tested under INVARIANTS with SIGABRT.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/lock.h"
#include "kern/mutex.h"
#include "kern/rwlock.h"

#define	NTHREADS	4

static struct mtx test_mtx;
static struct rwlock test_rw;

static void
setup(void)
{

	mtx_init(&test_mtx, "test mtx", LOCK_RANK_DRIVER, 0);
	rw_init(&test_rw, "test rw", LOCK_RANK_VM_OBJECT, 0);
}

static void
teardown(void)
{

	mtx_destroy(&test_mtx);
	rw_destroy(&test_rw);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000L + ts.tv_nsec / 1000000L);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Poll *flag until it is non-zero or ms pass; true if it became set. */
static bool
wait_flag(int *flag, int ms)
{
	long deadline;

	deadline = now_ms() + ms;
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (now_ms() > deadline)
			return (false);
		sleep_ms(1);
	}
	return (true);
}

static void
set_flag(int *flag)
{

	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- mtx */

static long mtx_counter;
static int mtx_inside;
static int mtx_overlap;

static void *
mtx_hammer(void *arg)
{
	int i;

	for (i = 0; i < 50000; i++) {
		mtx_lock(&test_mtx);
		if (++mtx_inside != 1)
			mtx_overlap = 1;
		mtx_counter++;
		mtx_inside--;
		mtx_unlock(&test_mtx);
	}
	return (arg);
}

START_TEST(test_mtx_exclusion)
{
	pthread_t td[NTHREADS];
	int i;

	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&td[i], NULL, mtx_hammer,
		    NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(td[i], NULL);
	ck_assert_int_eq(mtx_overlap, 0);
	ck_assert_int_eq(mtx_counter, NTHREADS * 50000L);
	ck_assert(!mtx_owned(&test_mtx));
}
END_TEST

static int other_owned;
static int other_trylock;

static void *
mtx_other_thread(void *arg)
{

	other_owned = mtx_owned(&test_mtx);
	other_trylock = mtx_trylock(&test_mtx);
	if (other_trylock)
		mtx_unlock(&test_mtx);
	return (arg);
}

START_TEST(test_mtx_owned_per_thread)
{
	pthread_t td;

	ck_assert(!mtx_owned(&test_mtx));
	mtx_lock(&test_mtx);
	ck_assert(mtx_owned(&test_mtx));
	ck_assert(!mtx_recursed(&test_mtx));
	pthread_create(&td, NULL, mtx_other_thread, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(other_owned, 0);
	ck_assert_int_eq(other_trylock, 0);
	mtx_unlock(&test_mtx);
	ck_assert(!mtx_owned(&test_mtx));

	/* Free now: the other thread's trylock succeeds. */
	pthread_create(&td, NULL, mtx_other_thread, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(other_trylock, 1);
}
END_TEST

static int giant_other_trylock;

static void *
giant_other(void *arg)
{

	giant_other_trylock = mtx_trylock(&Giant);
	if (giant_other_trylock)
		mtx_unlock(&Giant);
	return (arg);
}

START_TEST(test_giant_recursion)
{
	pthread_t td;

	ck_assert_str_eq(Giant.lock_object.lo_name, "Giant");
	ck_assert_int_eq(Giant.lock_object.lo_rank, LOCK_RANK_GIANT);
	mtx_lock(&Giant);
	ck_assert(!mtx_recursed(&Giant));
	mtx_lock(&Giant);
	ck_assert(mtx_trylock(&Giant));
	ck_assert(mtx_recursed(&Giant));
	ck_assert_uint_eq(Giant.mtx_recurse, 2);
	mtx_assert(&Giant, MA_OWNED | MA_RECURSED);
	mtx_unlock(&Giant);
	mtx_unlock(&Giant);
	ck_assert(mtx_owned(&Giant));
	ck_assert(!mtx_recursed(&Giant));

	/* Still held once: another thread cannot take it. */
	pthread_create(&td, NULL, giant_other, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(giant_other_trylock, 0);
	mtx_unlock(&Giant);
	ck_assert(!mtx_owned(&Giant));
	pthread_create(&td, NULL, giant_other, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(giant_other_trylock, 1);
}
END_TEST

START_TEST(test_mtx_trylock_nonrecursive_owned_fails)
{

	mtx_lock(&test_mtx);
	ck_assert_int_eq(mtx_trylock(&test_mtx), 0);
	ck_assert(!mtx_recursed(&test_mtx));
	mtx_unlock(&test_mtx);
	ck_assert(!mtx_owned(&test_mtx));
}
END_TEST

START_TEST(test_mtx_recurse_nonrecursive_panics)
{

	panic_expect("mtx_lock: recursing on non-recursive mutex \"test mtx\"");
	mtx_lock(&test_mtx);
	mtx_lock(&test_mtx);	/* panics: not MTX_RECURSE */
}
END_TEST

START_TEST(test_mtx_unlock_unowned_panics)
{

	panic_expect("mtx_unlock: mutex \"test mtx\" not owned");
	mtx_unlock(&test_mtx);
}
END_TEST

START_TEST(test_mtx_init_flags)
{
	struct mtx m;

	mtx_init(&m, "flags", LOCK_RANK_VM_PAGE, MTX_DUPOK | MTX_RECURSE);
	ck_assert_int_eq(m.lock_object.lo_flags, LO_DUPOK | LO_RECURSABLE);
	ck_assert_int_eq(m.lock_object.lo_rank, LOCK_RANK_VM_PAGE);
	ck_assert_str_eq(m.lock_object.lo_name, "flags");
	ck_assert_ptr_eq(m.lock_object.lo_class, &lock_class_mtx);
	mtx_destroy(&m);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_mtx_assert_passes)
{

	mtx_assert(&test_mtx, MA_NOTOWNED);
	mtx_lock(&test_mtx);
	mtx_assert(&test_mtx, MA_OWNED);
	mtx_assert(&test_mtx, MA_OWNED | MA_NOTRECURSED);
	mtx_unlock(&test_mtx);
	mtx_lock(&Giant);
	mtx_lock(&Giant);
	mtx_assert(&Giant, MA_OWNED | MA_RECURSED);
	mtx_unlock(&Giant);
	mtx_assert(&Giant, MA_OWNED | MA_NOTRECURSED);
	mtx_unlock(&Giant);
	mtx_assert(&Giant, MA_NOTOWNED);
}
END_TEST

START_TEST(test_mtx_assert_owned_fires)
{

	panic_expect("mutex test mtx not owned at");
	mtx_assert(&test_mtx, MA_OWNED);
}
END_TEST

START_TEST(test_mtx_assert_notowned_fires)
{

	panic_expect("mutex test mtx owned at");
	mtx_lock(&test_mtx);
	mtx_assert(&test_mtx, MA_NOTOWNED);
}
END_TEST

START_TEST(test_mtx_assert_recursed_fires)
{

	panic_expect("mutex Giant not recursed at");
	mtx_lock(&Giant);
	mtx_assert(&Giant, MA_OWNED | MA_RECURSED);
}
END_TEST

START_TEST(test_mtx_assert_notrecursed_fires)
{

	panic_expect("mutex Giant recursed at");
	mtx_lock(&Giant);
	mtx_lock(&Giant);
	mtx_assert(&Giant, MA_OWNED | MA_NOTRECURSED);
}
END_TEST

static void *
mtx_assert_other(void *arg)
{

	mtx_assert(&test_mtx, MA_OWNED);	/* owned by main, not us */
	return (arg);
}

START_TEST(test_mtx_assert_owned_other_thread_fires)
{
	pthread_t td;

	panic_expect("mutex test mtx not owned at");
	mtx_lock(&test_mtx);
	pthread_create(&td, NULL, mtx_assert_other, NULL);
	pthread_join(td, NULL);
}
END_TEST
#endif /* INVARIANTS */

/* ------------------------------------------------------------- rwlock */

static pthread_barrier_t rd_barrier;
static int rd_together;

static void *
reader_overlap(void *arg)
{

	rw_rlock(&test_rw);
	/* Every reader must be inside at once for the barrier to open. */
	pthread_barrier_wait(&rd_barrier);
	__atomic_add_fetch(&rd_together, 1, __ATOMIC_RELAXED);
	rw_runlock(&test_rw);
	return (arg);
}

START_TEST(test_rw_readers_overlap)
{
	pthread_t td[NTHREADS];
	int i;

	pthread_barrier_init(&rd_barrier, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&td[i], NULL, reader_overlap, NULL);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(td[i], NULL);
	ck_assert_int_eq(rd_together, NTHREADS);
	ck_assert_uint_eq(__atomic_load_n(&test_rw.rw_state,
	    __ATOMIC_RELAXED), 0);
	pthread_barrier_destroy(&rd_barrier);
}
END_TEST

static int rd_started, rd_acquired;
static int rd_try;

static void *
reader_block(void *arg)
{

	rd_try = rw_try_rlock(&test_rw);
	if (rd_try)
		rw_runlock(&test_rw);
	set_flag(&rd_started);
	rw_rlock(&test_rw);
	set_flag(&rd_acquired);
	rw_runlock(&test_rw);
	return (arg);
}

START_TEST(test_rw_writer_excludes_readers)
{
	pthread_t td;

	rw_wlock(&test_rw);
	ck_assert(rw_wowned(&test_rw));
	pthread_create(&td, NULL, reader_block, NULL);
	ck_assert(wait_flag(&rd_started, 5000));
	ck_assert_int_eq(rd_try, 0);
	/* The reader stays out while the writer holds the lock. */
	ck_assert(!wait_flag(&rd_acquired, 200));
	rw_wunlock(&test_rw);
	ck_assert(wait_flag(&rd_acquired, 5000));
	pthread_join(td, NULL);
	ck_assert(!rw_wowned(&test_rw));
}
END_TEST

static int wr_acquired, wr_try;

static void *
writer_block(void *arg)
{

	wr_try = rw_try_wlock(&test_rw);
	if (wr_try)
		rw_wunlock(&test_rw);
	rw_wlock(&test_rw);
	set_flag(&wr_acquired);
	rw_wunlock(&test_rw);
	return (arg);
}

START_TEST(test_rw_readers_exclude_writer)
{
	pthread_t td;

	rw_rlock(&test_rw);
	pthread_create(&td, NULL, writer_block, NULL);
	ck_assert(!wait_flag(&wr_acquired, 200));
	ck_assert_int_eq(wr_try, 0);
	rw_runlock(&test_rw);
	ck_assert(wait_flag(&wr_acquired, 5000));
	pthread_join(td, NULL);
}
END_TEST

static int up_hold_go, up_holding;

static void *
reader_hold(void *arg)
{

	rw_rlock(&test_rw);
	set_flag(&up_holding);
	wait_flag(&up_hold_go, 10000);
	rw_runlock(&test_rw);
	return (arg);
}

START_TEST(test_rw_try_upgrade)
{
	pthread_t td;

	rw_rlock(&test_rw);
	pthread_create(&td, NULL, reader_hold, NULL);
	ck_assert(wait_flag(&up_holding, 5000));
	/* Two readers: the upgrade fails and the read lock stays. */
	ck_assert_int_eq(rw_try_upgrade(&test_rw), 0);
	ck_assert(!rw_wowned(&test_rw));
	rw_assert(&test_rw, RA_RLOCKED);
	set_flag(&up_hold_go);
	pthread_join(td, NULL);
	/* Sole reader now: it succeeds. */
	ck_assert_int_eq(rw_try_upgrade(&test_rw), 1);
	ck_assert(rw_wowned(&test_rw));
	rw_assert(&test_rw, RA_WLOCKED);
	rw_wunlock(&test_rw);
	ck_assert_uint_eq(__atomic_load_n(&test_rw.rw_state,
	    __ATOMIC_RELAXED), 0);
}
END_TEST

static int dg_started, dg_acquired;

static void *
reader_after_downgrade(void *arg)
{

	set_flag(&dg_started);
	rw_rlock(&test_rw);
	set_flag(&dg_acquired);
	rw_runlock(&test_rw);
	return (arg);
}

START_TEST(test_rw_downgrade_lets_readers_in)
{
	pthread_t td;

	rw_wlock(&test_rw);
	pthread_create(&td, NULL, reader_after_downgrade, NULL);
	ck_assert(wait_flag(&dg_started, 5000));
	ck_assert(!wait_flag(&dg_acquired, 100));
	rw_downgrade(&test_rw);
	ck_assert(!rw_wowned(&test_rw));
	rw_assert(&test_rw, RA_RLOCKED);
	/* The reader gets in while we still hold our read lock. */
	ck_assert(wait_flag(&dg_acquired, 5000));
	pthread_join(td, NULL);
	ck_assert_int_eq(rw_try_wlock(&test_rw), 0);
	rw_runlock(&test_rw);
	ck_assert_int_eq(rw_try_wlock(&test_rw), 1);
	rw_wunlock(&test_rw);
}
END_TEST

/* Readers keep the lock busy in overlapping turns; a writer must get in. */
static int starve_stop;
static long starve_reads;

static void *
starve_reader(void *arg)
{
	int i;

	while (!__atomic_load_n(&starve_stop, __ATOMIC_ACQUIRE)) {
		rw_rlock(&test_rw);
		for (i = 0; i < 2000; i++)
			__asm__ __volatile__("" ::: "memory");
		__atomic_add_fetch(&starve_reads, 1, __ATOMIC_RELAXED);
		rw_runlock(&test_rw);
	}
	return (arg);
}

START_TEST(test_rw_writer_not_starved)
{
	pthread_t td[3];
	long t0;
	int i;

	for (i = 0; i < 3; i++)
		pthread_create(&td[i], NULL, starve_reader, NULL);
	while (__atomic_load_n(&starve_reads, __ATOMIC_RELAXED) < 1000)
		sleep_ms(1);
	t0 = now_ms();
	for (i = 0; i < 200; i++) {
		rw_wlock(&test_rw);
		rw_wunlock(&test_rw);
	}
	set_flag(&starve_stop);
	for (i = 0; i < 3; i++)
		pthread_join(td[i], NULL);
	/* Generous bound: 200 writes against spinning readers. */
	ck_assert_int_lt(now_ms() - t0, 10000);
}
END_TEST

/* Readers check an invariant writers keep; writers count. */
static long rw_a, rw_b;
static int rw_broken;

static void *
rw_mixed(void *arg)
{
	unsigned seed;
	int i;

	seed = (unsigned)(unsigned long)arg;
	for (i = 0; i < 20000; i++) {
		if (rand_r(&seed) % 8 == 0) {
			rw_wlock(&test_rw);
			rw_a++;
			rw_b++;
			rw_wunlock(&test_rw);
		} else {
			rw_rlock(&test_rw);
			if (__atomic_load_n(&rw_a, __ATOMIC_RELAXED) !=
			    __atomic_load_n(&rw_b, __ATOMIC_RELAXED))
				rw_broken = 1;
			rw_runlock(&test_rw);
		}
	}
	return (arg);
}

START_TEST(test_rw_mixed_stress)
{
	pthread_t td[NTHREADS];
	long i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&td[i], NULL, rw_mixed, (void *)(i + 1));
	for (i = 0; i < NTHREADS; i++)
		pthread_join(td[i], NULL);
	ck_assert_int_eq(rw_broken, 0);
	ck_assert_int_eq(rw_a, rw_b);
	ck_assert_int_gt(rw_a, 0);
	ck_assert_uint_eq(__atomic_load_n(&test_rw.rw_state,
	    __ATOMIC_RELAXED), 0);
}
END_TEST

static int rr_writer_started, rr_writer_done;

static void *
rr_writer(void *arg)
{

	set_flag(&rr_writer_started);
	rw_wlock(&test_rw);
	set_flag(&rr_writer_done);
	rw_wunlock(&test_rw);
	return (arg);
}

/*
 * A thread that holds a read lock can take another one even while a writer
 * waits (writer preference would otherwise deadlock it on itself).
 */
START_TEST(test_rw_read_recursion_with_waiting_writer)
{
	pthread_t td;
	long deadline;

	rw_rlock(&test_rw);
	pthread_create(&td, NULL, rr_writer, NULL);
	ck_assert(wait_flag(&rr_writer_started, 5000));
	deadline = now_ms() + 5000;
	for (;;) {
		pthread_mutex_lock(&test_rw.rw_mtx);
		if (test_rw.rw_writers_waiting > 0) {
			pthread_mutex_unlock(&test_rw.rw_mtx);
			break;
		}
		pthread_mutex_unlock(&test_rw.rw_mtx);
		ck_assert_int_lt(now_ms(), deadline);
		sleep_ms(1);
	}
	rw_rlock(&test_rw);	/* must not block */
	rw_runlock(&test_rw);
	ck_assert_int_eq(rr_writer_done, 0);
	rw_runlock(&test_rw);
	ck_assert(wait_flag(&rr_writer_done, 5000));
	pthread_join(td, NULL);
}
END_TEST

static int wowned_other;

static void *
rw_wowned_other(void *arg)
{

	wowned_other = rw_wowned(&test_rw);
	return (arg);
}

START_TEST(test_rw_wowned_per_thread)
{
	pthread_t td;

	ck_assert(!rw_wowned(&test_rw));
	rw_wlock(&test_rw);
	ck_assert(rw_wowned(&test_rw));
	wowned_other = -1;
	pthread_create(&td, NULL, rw_wowned_other, NULL);
	pthread_join(td, NULL);
	ck_assert_int_eq(wowned_other, 0);
	rw_unlock(&test_rw);	/* picks wunlock */
	ck_assert(!rw_wowned(&test_rw));
	rw_rlock(&test_rw);
	ck_assert(!rw_wowned(&test_rw));
	rw_unlock(&test_rw);	/* picks runlock */
	ck_assert_int_eq(rw_try_wlock(&test_rw), 1);
	rw_wunlock(&test_rw);
}
END_TEST

START_TEST(test_rw_runlock_unlocked_panics)
{

	/* The witness notices first when there is one. */
#ifdef WITNESS
	panic_expect("witness: releasing unheld lock \"test rw\"");
#else
	panic_expect("rw_runlock: \"test rw\" not read-locked");
#endif
	rw_runlock(&test_rw);
}
END_TEST

START_TEST(test_rw_wlock_recursion_panics)
{

	panic_expect("rw_wlock: recursing on \"test rw\"");
	rw_wlock(&test_rw);
	rw_wlock(&test_rw);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_rw_assert_passes)
{

	rw_assert(&test_rw, RA_UNLOCKED);
	rw_rlock(&test_rw);
	rw_assert(&test_rw, RA_LOCKED);
	rw_assert(&test_rw, RA_RLOCKED);
	rw_runlock(&test_rw);
	rw_wlock(&test_rw);
	rw_assert(&test_rw, RA_LOCKED);
	rw_assert(&test_rw, RA_WLOCKED);
	rw_wunlock(&test_rw);
	rw_assert(&test_rw, RA_UNLOCKED);
}
END_TEST

START_TEST(test_rw_assert_wlocked_fires_when_read_locked)
{

	panic_expect("lock test rw not exclusively locked at");
	rw_rlock(&test_rw);
	rw_assert(&test_rw, RA_WLOCKED);
}
END_TEST

START_TEST(test_rw_assert_rlocked_fires_when_unlocked)
{

	panic_expect("lock test rw not read-locked at");
	rw_assert(&test_rw, RA_RLOCKED);
}
END_TEST

START_TEST(test_rw_assert_unlocked_fires_when_wlocked)
{

	panic_expect("lock test rw exclusively locked at");
	rw_wlock(&test_rw);
	rw_assert(&test_rw, RA_UNLOCKED);
}
END_TEST

START_TEST(test_rw_assert_locked_fires_when_unlocked)
{

	panic_expect("lock test rw not locked at");
	rw_assert(&test_rw, RA_LOCKED);
}
END_TEST
#endif /* INVARIANTS */

/* ---------------------------------------------------------- log/panic */

/* Run fn in a child with stderr on a pipe; return its output and status. */
static int
capture_child(void (*fn)(void), char *out, size_t outlen, int *statusp)
{
	ssize_t n;
	size_t off;
	pid_t pid;
	int fds[2];

	if (pipe(fds) != 0)
		return (-1);
	pid = fork();
	if (pid < 0)
		return (-1);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(fds[1]);
	off = 0;
	while (off < outlen - 1 &&
	    (n = read(fds[0], out + off, outlen - 1 - off)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(fds[0]);
	waitpid(pid, statusp, 0);
	return (0);
}

static void
child_log(void)
{

	kern_log(LOG_INFO, "hello %d", 42);
	kern_log(LOG_DEBUG, "hidden debug line");
	kern_log_set_debug(1);
	kern_log(LOG_DEBUG, "shown debug line\n");
}

static void
child_ratelimit(void)
{
	static const char key1[] = "k1", key2[] = "k2";
	int i, logged;

	/*
	 * Stay inside one second of the monotonic clock so the limiter
	 * cannot legitimately let a second line through.
	 */
	for (;;) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_nsec < 800000000L)
			break;
		usleep(10000);
	}
	logged = 0;
	for (i = 0; i < 5; i++)
		logged += kern_log_ratelimited(key1, LOG_WARNING, "one %d", i);
	logged += kern_log_ratelimited(key2, LOG_WARNING, "two");
	_exit(logged);
}

static void
child_panic(void)
{

	panic("bad thing %s", "happened");
}

START_TEST(test_kern_log_lines_and_debug_switch)
{
	char out[512];
	int status;

	ck_assert_int_eq(capture_child(child_log, out, sizeof(out), &status),
	    0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(out, "hello 42\nshown debug line\n");
	ck_assert_int_eq(kern_log_debug_enabled(), 0);
	kern_log_set_debug(1);
	ck_assert_int_eq(kern_log_debug_enabled(), 1);
	kern_log_set_debug(0);
}
END_TEST

START_TEST(test_kern_log_ratelimited)
{
	char out[512];
	int status;

	ck_assert_int_eq(capture_child(child_ratelimit, out, sizeof(out),
	    &status), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 2);
	ck_assert_str_eq(out, "one 0\ntwo\n");
}
END_TEST

START_TEST(test_panic_logs_and_aborts)
{
	char out[512];
	int status;

	ck_assert_int_eq(capture_child(child_panic, out, sizeof(out),
	    &status), 0);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
	ck_assert_str_eq(out, "panic: bad thing happened\n");
}
END_TEST

Suite *
kern_lock_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("kern_lock");

	tc = tcase_create("mtx");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mtx_exclusion);
	tcase_add_test(tc, test_mtx_owned_per_thread);
	tcase_add_test(tc, test_giant_recursion);
	tcase_add_test(tc, test_mtx_trylock_nonrecursive_owned_fails);
	tcase_add_test(tc, test_mtx_init_flags);
	tcase_add_test_raise_signal(tc, test_mtx_recurse_nonrecursive_panics,
	    SIGABRT);
	tcase_add_test_raise_signal(tc, test_mtx_unlock_unowned_panics,
	    SIGABRT);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "mtx", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS(ti, test_mtx_assert_passes);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_mtx_assert_owned_fires);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_mtx_assert_notowned_fires);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_mtx_assert_recursed_fires);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_mtx_assert_notrecursed_fires);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_mtx_assert_owned_other_thread_fires);

	tc = tcase_create("rwlock");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rw_readers_overlap);
	tcase_add_test(tc, test_rw_writer_excludes_readers);
	tcase_add_test(tc, test_rw_readers_exclude_writer);
	tcase_add_test(tc, test_rw_try_upgrade);
	tcase_add_test(tc, test_rw_downgrade_lets_readers_in);
	tcase_add_test(tc, test_rw_writer_not_starved);
	tcase_add_test(tc, test_rw_mixed_stress);
	tcase_add_test(tc, test_rw_read_recursion_with_waiting_writer);
	tcase_add_test(tc, test_rw_wowned_per_thread);
	tcase_add_test_raise_signal(tc, test_rw_runlock_unlocked_panics,
	    SIGABRT);
	tcase_add_test_raise_signal(tc, test_rw_wlock_recursion_panics,
	    SIGABRT);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "rwlock", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS(ti, test_rw_assert_passes);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_rw_assert_wlocked_fires_when_read_locked);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_rw_assert_rlocked_fires_when_unlocked);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_rw_assert_unlocked_fires_when_wlocked);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_rw_assert_locked_fires_when_unlocked);

	tc = tcase_create("log");
	tcase_add_test(tc, test_kern_log_lines_and_debug_switch);
	tcase_add_test(tc, test_kern_log_ratelimited);
	tcase_add_test(tc, test_panic_logs_and_aborts);
	suite_add_tcase(s, tc);
	return (s);
}
