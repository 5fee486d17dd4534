/*
 * sleep(9) and wakeup(9) on hashed sleep queues.
 *
 * A sleeping thread puts a waiter record (on its stack) on the queue of the
 * bucket its channel hashes to, and waits on the bucket's condition
 * variable until a wakeup marks the record woken.  The protocol that rules
 * out a lost wake-up:
 *
 *	sleeper				waker
 *	(holds the interlock L)
 *	lock bucket
 *	enqueue waiter
 *	unlock L  ---------------->	lock L, change state, (unlock L)
 *	TEST_HOOK("sleepq_after_release")
 *	cond_wait (drops bucket)	lock bucket	(waits for the sleeper
 *					mark waiter woken, broadcast
 *					unlock bucket
 *	wakes, unlock bucket, relock L
 *
 * Because the waiter is queued before L is dropped and the bucket lock is
 * held until the sleeper waits, any waker that saw the state after the
 * sleeper released L finds the waiter.  The test hook sits exactly in the
 * window a broken implementation (drop L, then queue) would lose.
 *
 * wakeup_one() marks only the oldest waiter; every thread of the bucket
 * is signalled (one condvar per bucket) but only marked ones return, so a
 * return is never spurious.
 *
 * Bucket locks are plain pthread mutexes outside the lock-order checker:
 * they are leaves, never held while taking another lock except inside the
 * lock class methods called here, which take the caller's interlock
 * *after* the bucket lock was dropped.
 */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "kern/kassert.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"

#define	SLEEPQ_BUCKETS	128	/* power of two */

struct sleepq_waiter {
	TAILQ_ENTRY(sleepq_waiter) sw_link;	/* (b) */
	const void		*sw_wchan;	/* (c) */
	const char		*sw_wmesg;	/* (c) */
	bool			 sw_woken;	/* (b) */
};

struct sleepq_bucket {
	pthread_mutex_t		sb_lock;
	pthread_cond_t		sb_cv;		/* (b) */
	TAILQ_HEAD(, sleepq_waiter) sb_waiters;	/* (b) */
} __attribute__((__aligned__(64)));

static struct sleepq_bucket sleepq_table[SLEEPQ_BUCKETS];
static bool sleepq_broken_order;	/* tests: drop the interlock first */
static pthread_once_t sleepq_once = PTHREAD_ONCE_INIT;

static void	sleepq_init(void);
static struct sleepq_bucket *sleepq_lookup(const void *wchan);
static void	sleepq_wake(const void *wchan, bool one);
static void	deadline_after(struct timespec *ts, int ms);

static void
sleepq_init(void)
{
	pthread_condattr_t ca;
	int i;

	if (pthread_condattr_init(&ca) != 0 ||
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0)
		panic("sleepq_init: condattr");
	for (i = 0; i < SLEEPQ_BUCKETS; i++) {
		pthread_mutex_init(&sleepq_table[i].sb_lock, NULL);
		pthread_cond_init(&sleepq_table[i].sb_cv, &ca);
		TAILQ_INIT(&sleepq_table[i].sb_waiters);
	}
	pthread_condattr_destroy(&ca);
}

static struct sleepq_bucket *
sleepq_lookup(const void *wchan)
{
	uintptr_t h;

	(void)pthread_once(&sleepq_once, sleepq_init);
	h = (uintptr_t)wchan;
	h ^= h >> 7;
	h ^= h >> 15;
	return (&sleepq_table[h & (SLEEPQ_BUCKETS - 1)]);
}

static void
deadline_after(struct timespec *ts, int ms)
{

	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
_sleep(const void *wchan, struct lock_object *lock, int flags,
    const char *wmesg, int timo_ms)
{
	struct sleepq_bucket *sb;
	struct sleepq_waiter w;
	struct timespec deadline;
	int error, how, rv;

	KASSERT(wchan != NULL, ("_sleep: NULL wchan (%s)",
	    wmesg != NULL ? wmesg : "?"));
	KASSERT(timo_ms >= 0, ("_sleep: negative timeout %d", timo_ms));
	if (timo_ms > 0)
		deadline_after(&deadline, timo_ms);

	sb = sleepq_lookup(wchan);
	w.sw_wchan = wchan;
	w.sw_wmesg = wmesg;
	w.sw_woken = false;

	how = 0;
	if (__predict_false(sleepq_broken_order)) {
		/* The broken order, for tests only: loses wake-ups. */
		if (lock != NULL)
			how = lock->lo_class->lc_unlock(lock);
		TEST_HOOK("sleepq_after_release");
		pthread_mutex_lock(&sb->sb_lock);
		TAILQ_INSERT_TAIL(&sb->sb_waiters, &w, sw_link);
	} else {
		/* Queue first, then release the interlock. */
		pthread_mutex_lock(&sb->sb_lock);
		TAILQ_INSERT_TAIL(&sb->sb_waiters, &w, sw_link);
		if (lock != NULL)
			how = lock->lo_class->lc_unlock(lock);
		TEST_HOOK("sleepq_after_release");
	}

	error = 0;
	while (!w.sw_woken) {
		if (timo_ms > 0) {
			rv = pthread_cond_timedwait(&sb->sb_cv, &sb->sb_lock,
			    &deadline);
			if (rv == ETIMEDOUT && !w.sw_woken) {
				TAILQ_REMOVE(&sb->sb_waiters, &w, sw_link);
				error = EWOULDBLOCK;
				break;
			}
		} else
			pthread_cond_wait(&sb->sb_cv, &sb->sb_lock);
	}
	pthread_mutex_unlock(&sb->sb_lock);

	if (lock != NULL && (flags & PDROP) == 0)
		lock->lo_class->lc_lock(lock, how);
	return (error);
}

static void
sleepq_wake(const void *wchan, bool one)
{
	struct sleepq_bucket *sb;
	struct sleepq_waiter *w, *tw;
	bool any;

	sb = sleepq_lookup(wchan);
	any = false;
	pthread_mutex_lock(&sb->sb_lock);
	TAILQ_FOREACH_SAFE(w, &sb->sb_waiters, sw_link, tw) {
		if (w->sw_wchan != wchan)
			continue;
		TAILQ_REMOVE(&sb->sb_waiters, w, sw_link);
		w->sw_woken = true;
		any = true;
		if (one)
			break;
	}
	if (any)
		pthread_cond_broadcast(&sb->sb_cv);
	pthread_mutex_unlock(&sb->sb_lock);
}

void
sleepq_test_set_broken_order(bool broken)
{

	sleepq_broken_order = broken;
}

void
wakeup(const void *wchan)
{

	sleepq_wake(wchan, false);
}

void
wakeup_one(const void *wchan)
{

	sleepq_wake(wchan, true);
}

int
sleepq_sleepers(const void *wchan)
{
	struct sleepq_bucket *sb;
	struct sleepq_waiter *w;
	int n;

	sb = sleepq_lookup(wchan);
	n = 0;
	pthread_mutex_lock(&sb->sb_lock);
	TAILQ_FOREACH(w, &sb->sb_waiters, sw_link)
		if (w->sw_wchan == wchan)
			n++;
	pthread_mutex_unlock(&sb->sb_lock);
	return (n);
}

/*
 * pause(9): sleep on a channel nobody wakes.  Returns EWOULDBLOCK, as
 * FreeBSD's pause() does when the time has passed.
 */
int
pause_ms(const char *wmesg, int timo_ms)
{
	char chan = 0;

	KASSERT(timo_ms > 0, ("pause_ms: timeout %d", timo_ms));
	if (timo_ms <= 0)
		timo_ms = 1;
	return (_sleep(&chan, NULL, 0, wmesg, timo_ms));
}
