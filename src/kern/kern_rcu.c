/*
 * Lazy RCU registration for threads the tree does not create (libfuse's
 * workers): rcu_thread_online() registers the calling thread with liburcu
 * on its first call and stores a non-NULL value under a pthread key whose
 * destructor unregisters the thread when it exits.  A thread that exits
 * while still registered would leave a dangling reader record that makes a
 * later synchronize_rcu() crash or hang.
 *
 * A thread must use either rcu_thread_online() or explicit
 * rcu_register_thread()/rcu_unregister_thread(), never both.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"

static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t rcu_key;
static __thread bool rcu_registered;

static void	rcu_key_create(void);
static void	rcu_thread_exit(void *arg);

static void
rcu_thread_exit(void *arg)
{

	(void)arg;
	if (rcu_registered) {
		rcu_unregister_thread();
		rcu_registered = false;
	}
}

static void
rcu_key_create(void)
{

	if (pthread_key_create(&rcu_key, rcu_thread_exit) != 0)
		panic("rcu: pthread_key_create failed");
}

void
rcu_thread_online(void)
{

	if (__predict_true(rcu_registered))
		return;
	(void)pthread_once(&rcu_key_once, rcu_key_create);
	rcu_register_thread();
	rcu_registered = true;
	/* Any non-NULL value makes the destructor run at thread exit. */
	if (pthread_setspecific(rcu_key, (void *)(uintptr_t)1) != 0)
		panic("rcu: pthread_setspecific failed");
}

bool
rcu_thread_is_registered(void)
{

	return (rcu_registered);
}
