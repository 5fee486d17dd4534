/*
 * Named test hooks (see test_hook.h).
 *
 * A small registry of hook records, found by name, protected by one plain
 * pthread mutex and one condition variable (test_hook_cv) on which parked
 * threads and test_hook_wait_parked() wait.  Records are never freed, only
 * reset, so a parked thread never touches freed memory, even across
 * test_hook_reset().
 *
 * test_hooks_armed is the number of records that have something to do
 * (armed, parked, a callback, or watched for hit counts); while it is zero
 * TEST_HOOK() costs one relaxed load.  Hits are counted only while a hook
 * is active: arm it, give it a callback or test_hook_watch() it first.
 *
 * The registry mutex is not a witness-checked lock: hooks are reached with
 * arbitrary kernel locks held, and parking must not look like a lock-order
 * event.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kern/kassert.h"
#include "kern/test_hook.h"

struct test_hook {
	struct test_hook	*th_next;	/* (h) */
	char			*th_name;	/* (c) */
	bool			 th_armed;	/* (h) park the next thread */
	bool			 th_watched;	/* (h) count hits */
	unsigned		 th_parked;	/* (h) threads parked here */
	unsigned long		 th_gen;	/* (h) bumped by release */
	void			(*th_cb)(void *); /* (h) */
	void			*th_cbarg;	/* (h) */
	unsigned		 th_hits;	/* (h) */
};

int test_hooks_armed;

static pthread_mutex_t test_hook_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t test_hook_cv;
static pthread_once_t test_hook_once = PTHREAD_ONCE_INIT;
static struct test_hook *test_hook_list;	/* (h) */

static void	test_hook_init(void);
static struct test_hook *test_hook_find(const char *name, bool create);
static void	test_hook_recount(void);
static void	test_hook_lock(void);
static void	test_hook_unlock(void);

static void
test_hook_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&test_hook_cv, &ca);
	pthread_condattr_destroy(&ca);
}

/* The registry lock must be held. */
static struct test_hook *
test_hook_find(const char *name, bool create)
{
	struct test_hook *th;

	for (th = test_hook_list; th != NULL; th = th->th_next)
		if (strcmp(th->th_name, name) == 0)
			return (th);
	if (!create)
		return (NULL);
	th = calloc(1, sizeof(*th));
	if (th == NULL || (th->th_name = strdup(name)) == NULL)
		panic("test_hook: out of memory");
	th->th_next = test_hook_list;
	test_hook_list = th;
	return (th);
}

/* The registry lock must be held. */
static void
test_hook_recount(void)
{
	struct test_hook *th;
	int n;

	n = 0;
	for (th = test_hook_list; th != NULL; th = th->th_next)
		if (th->th_armed || th->th_watched || th->th_parked > 0 ||
		    th->th_cb != NULL)
			n++;
	__atomic_store_n(&test_hooks_armed, n, __ATOMIC_RELEASE);
}

static void
test_hook_lock(void)
{

	(void)pthread_once(&test_hook_once, test_hook_init);
	pthread_mutex_lock(&test_hook_mtx);
}

static void
test_hook_unlock(void)
{

	pthread_mutex_unlock(&test_hook_mtx);
}

void
test_hook_reached(const char *name)
{
	struct test_hook *th;
	void (*cb)(void *);
	void *cbarg;
	unsigned long gen;

	test_hook_lock();
	th = test_hook_find(name, false);
	if (th == NULL || (!th->th_armed && !th->th_watched &&
	    th->th_cb == NULL)) {
		test_hook_unlock();
		return;
	}
	th->th_hits++;
	cb = th->th_cb;
	cbarg = th->th_cbarg;
	test_hook_unlock();

	/* The callback runs unlocked: it may use hooks or take locks. */
	if (cb != NULL)
		cb(cbarg);

	test_hook_lock();
	if (th->th_armed) {
		th->th_armed = false;	/* one-shot */
		th->th_parked++;
		gen = th->th_gen;
		pthread_cond_broadcast(&test_hook_cv);
		while (th->th_gen == gen)
			pthread_cond_wait(&test_hook_cv, &test_hook_mtx);
		th->th_parked--;
		test_hook_recount();
	}
	test_hook_unlock();
}

void
test_hook_lock_wait(const char *lockname)
{
	char name[sizeof(TEST_HOOK_LOCK_WAIT_PREFIX) + 64];

	(void)snprintf(name, sizeof(name), "%s%s", TEST_HOOK_LOCK_WAIT_PREFIX,
	    lockname);
	test_hook_reached(name);
}

void
test_hook_arm(const char *name)
{
	struct test_hook *th;

	test_hook_lock();
	th = test_hook_find(name, true);
	th->th_armed = true;
	test_hook_recount();
	test_hook_unlock();
}

void
test_hook_watch(const char *name)
{
	struct test_hook *th;

	test_hook_lock();
	th = test_hook_find(name, true);
	th->th_watched = true;
	test_hook_recount();
	test_hook_unlock();
}

void
test_hook_set_callback(const char *name, void (*cb)(void *), void *arg)
{
	struct test_hook *th;

	test_hook_lock();
	th = test_hook_find(name, true);
	th->th_cb = cb;
	th->th_cbarg = arg;
	test_hook_recount();
	test_hook_unlock();
}

bool
test_hook_wait_parked(const char *name, int timeout_ms)
{
	struct test_hook *th;
	struct timespec ts;
	bool parked;
	int rv;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	test_hook_lock();
	th = test_hook_find(name, true);
	rv = 0;
	while (th->th_parked == 0 && rv != ETIMEDOUT)
		rv = pthread_cond_timedwait(&test_hook_cv, &test_hook_mtx,
		    &ts);
	parked = th->th_parked > 0;
	test_hook_unlock();
	return (parked);
}

void
test_hook_release(const char *name)
{
	struct test_hook *th;

	test_hook_lock();
	th = test_hook_find(name, true);
	th->th_armed = false;
	th->th_gen++;
	pthread_cond_broadcast(&test_hook_cv);
	test_hook_recount();
	test_hook_unlock();
}

unsigned
test_hook_hits(const char *name)
{
	struct test_hook *th;
	unsigned hits;

	test_hook_lock();
	th = test_hook_find(name, false);
	hits = th != NULL ? th->th_hits : 0;
	test_hook_unlock();
	return (hits);
}

void
test_hook_reset(void)
{
	struct test_hook *th;

	test_hook_lock();
	for (th = test_hook_list; th != NULL; th = th->th_next) {
		th->th_armed = false;
		th->th_watched = false;
		th->th_cb = NULL;
		th->th_cbarg = NULL;
		th->th_hits = 0;
		th->th_gen++;
	}
	pthread_cond_broadcast(&test_hook_cv);
	test_hook_recount();
	test_hook_unlock();
}
