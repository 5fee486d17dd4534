/*
 * Named test hooks: deterministic interleavings for race tests.
 *
 * Code marks a point with TEST_HOOK(name).  A test arms the hook; the next
 * thread to reach it parks there until the test releases it.  Tests drive
 * races step by step:
 *
 *	test_hook_arm("H1");
 *	start T1;
 *	test_hook_wait_parked("H1", 5000);	T1 is now parked at H1
 *	run T2 to completion;
 *	test_hook_release("H1");		T1 goes on
 *
 * A hook may also carry a callback run by the thread that reaches it
 * (test_hook_set_callback), for "do X exactly here" tests.  When no hook is
 * armed anywhere, TEST_HOOK costs one relaxed load of a global counter.
 * Hooks are compiled in every build; nothing arms them outside tests.
 */
#ifndef _KERN_TEST_HOOK_H_
#define _KERN_TEST_HOOK_H_

#include <stdbool.h>

#include "kern/kassert.h"

extern int test_hooks_armed;	/* (a) number of armed hooks */
void	test_hook_reached(const char *name);

#define	TEST_HOOK(name) do {						\
	if (__predict_false(__atomic_load_n(&test_hooks_armed,		\
	    __ATOMIC_RELAXED) != 0))					\
		test_hook_reached(name);				\
} while (0)

/*
 * TEST_HOOK_LOCK_WAIT(lockname): reached by a thread that found a mutex or
 * rwlock taken and is about to wait for it, as the hook named
 * "lock_wait:" followed by the lock's name ("lock_wait:dev_pager list").
 * A test parks a thread there to see that it is blocked behind another
 * one -- not merely slow -- without polling.  Only while some hook is
 * active does a lock acquisition try first to tell the cases apart.
 */
#define	TEST_HOOK_LOCK_WAIT_PREFIX	"lock_wait:"
#define	TEST_HOOK_LOCK_WAIT(lockname) do {				\
	if (__predict_false(__atomic_load_n(&test_hooks_armed,		\
	    __ATOMIC_RELAXED) != 0))					\
		test_hook_lock_wait(lockname);				\
} while (0)
void	test_hook_lock_wait(const char *lockname);
/* Is any hook active (armed, watched, with a callback, or parked)? */
static inline bool
test_hooks_active(void)
{

	return (__predict_false(__atomic_load_n(&test_hooks_armed,
	    __ATOMIC_RELAXED) != 0));
}

/* Park the next thread that reaches name (one-shot). */
void	test_hook_arm(const char *name);
/* Run cb(arg) in the thread that reaches name, every time, until reset. */
void	test_hook_set_callback(const char *name, void (*cb)(void *), void *arg);
/* Wait until a thread is parked at name; false on timeout. */
bool	test_hook_wait_parked(const char *name, int timeout_ms);
/* Let the thread parked at name go; the hook is disarmed. */
void	test_hook_release(const char *name);
/* Count hits of name without parking or a callback. */
void	test_hook_watch(const char *name);
/*
 * Number of times name was reached since the last reset, counted while
 * the hook was armed, had a callback or was watched.
 */
unsigned test_hook_hits(const char *name);
/* Disarm everything, release every parked thread, forget counts. */
void	test_hook_reset(void);

#endif /* !_KERN_TEST_HOOK_H_ */
