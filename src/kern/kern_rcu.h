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
 * Inline liburcu's read side (rcu_read_lock/unlock, rcu_dereference):
 * out of line, every read-side section costs two calls into the shared
 * library and two __tls_get_addr lookups of its thread-local reader
 * state, about a third of a lookup by handle.  liburcu's README allows
 * _LGPL_SOURCE to code that is LGPL- or GPL-compatible; devpagerfs is
 * BSD-2-Clause (LICENSE), which is.  Only the daemon, the tests and the
 * benchmarks include this header: the installed plugin KPI
 * (<devpager/devpager.h>) does not, so plugins under any licence stay
 * free of liburcu's inline code.
 */
#ifndef _LGPL_SOURCE
#define _LGPL_SOURCE
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
