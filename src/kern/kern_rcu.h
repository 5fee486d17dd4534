/*
 * The RCU flavour of the whole tree: liburcu "memb" (membarrier), with the
 * usual rcu_* names.  Include this instead of any <urcu*.h> header.
 *
 * liburcu needs every thread that calls rcu_read_lock() to be registered.
 * rcu_thread_online() registers the calling thread on its first call and
 * arranges (pthread key destructor) for it to be unregistered when the
 * thread exits; it is cheap to call on every request.  Threads created by
 * the tree itself may register and unregister explicitly instead.
 */
#ifndef _KERN_KERN_RCU_H_
#define _KERN_KERN_RCU_H_

/*
 * Let liburcu inline the functions it deems small enough for any
 * licence (rcu_dereference and friends): list walks and lookups call
 * them for every element.
 */
#ifndef URCU_INLINE_SMALL_FUNCTIONS
#define URCU_INLINE_SMALL_FUNCTIONS
#endif
#ifndef RCU_MEMBARRIER
#define RCU_MEMBARRIER
#endif
#include <urcu.h>
#include <urcu/rculist.h>
#include <urcu/rculfhash.h>

#include <stdbool.h>

/*
 * liburcu maps rcu_thread_online to urcu_memb_thread_online(), a no-op
 * for the memb flavour (it only matters for QSBR).  The tree's
 * rcu_thread_online() is the registering function below, so the mapping
 * is removed here.
 */
#undef rcu_thread_online

void	rcu_thread_online(void);
bool	rcu_thread_is_registered(void);

#endif /* !_KERN_KERN_RCU_H_ */
