/*
 * sleep(9) and wakeup(9): wait on a channel (any address) while releasing
 * a lock, with no lost wake-up.
 *
 * _sleep() takes the channel's sleep-queue bucket lock *before* it drops
 * the caller's lock, so a wakeup() issued by a thread that acquired the
 * caller's lock after the drop always finds the sleeper queued.  The lock is
 * retaken in the mode it was held in before returning, unless PDROP is
 * given.  timo is in milliseconds, 0 = forever.
 *
 * Returns 0 when woken, EWOULDBLOCK on timeout.  Spurious returns are
 * allowed; callers re-check their condition in a loop.
 *
 * Test hook "sleepq_after_release": reached after the lock was dropped and
 * before the thread waits, with the channel's bucket lock held, so a
 * wakeup() issued while a thread is parked there completes only after the
 * sleeper waits.  A callback on this hook must not call wakeup() (it
 * would deadlock on the bucket lock); use another thread.
 */
#ifndef _KERN_SLEEPQUEUE_H_
#define _KERN_SLEEPQUEUE_H_

#include <stdbool.h>

#include "kern/lock.h"

struct mtx;
struct rwlock;

#define	PDROP	0x0200	/* do not retake the lock after sleeping */

int	_sleep(const void *wchan, struct lock_object *lock, int flags,
	    const char *wmesg, int timo_ms);
void	wakeup(const void *wchan);
void	wakeup_one(const void *wchan);
/* Tests: number of threads sleeping on wchan right now. */
int	sleepq_sleepers(const void *wchan);
/*
 * Tests only: select the broken order (drop the interlock, then queue),
 * which loses a wake-up issued in between, to prove the no-lost-wake-up
 * test catches it.  Set before any thread sleeps.
 */
void	sleepq_test_set_broken_order(bool broken);

#define	msleep(chan, mtx, flags, wmesg, timo)				\
	_sleep((chan), &(mtx)->lock_object, (flags), (wmesg), (timo))
#define	rw_sleep(chan, rw, flags, wmesg, timo)				\
	_sleep((chan), &(rw)->lock_object, (flags), (wmesg), (timo))
/* Sleep with no interlock (pause(9)). */
int	pause_ms(const char *wmesg, int timo_ms);

#endif /* !_KERN_SLEEPQUEUE_H_ */
