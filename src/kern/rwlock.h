/*
 * Reader/writer locks, after FreeBSD's rwlock(9): rw_rlock/rw_wlock,
 * try variants, rw_try_upgrade (succeeds only for the sole reader),
 * rw_downgrade, rw_assert, and rw_sleep() through sleep(9) below.
 *
 * The write owner is always recorded so rw_wowned() works in every build.
 * Read ownership is tracked per thread only under WITNESS, so
 * rw_assert(RA_RLOCKED) checks the calling thread there and only "some
 * reader" otherwise.
 *
 * Implementation: one atomic word holds the write bit, two waiter bits and
 * the reader count.  Uncontended rw_rlock/rw_runlock/rw_wlock/rw_wunlock
 * are one compare-and-swap each; only a thread that must wait, or that
 * releases the lock while the waiter bits are set, takes rw_mtx.  Writers
 * are preferred: once a writer waits, new readers wait too, unless the
 * reading thread already holds some read lock (a thread holding a read
 * lock must be able to take another one, or read recursion would
 * deadlock against a waiting writer).
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after rw_init()
 *	(a)	atomic
 *	(w)	rw_mtx
 */
#ifndef _KERN_RWLOCK_H_
#define _KERN_RWLOCK_H_

#include <pthread.h>
#include <stdbool.h>

#include "kern/lock.h"

#define	RW_DUPOK	0x0010
#define	RW_NOWITNESS	0x0200

#define	RA_LOCKED	0x01
#define	RA_RLOCKED	0x02
#define	RA_WLOCKED	0x04
#define	RA_UNLOCKED	0x08

struct rwlock {
	struct lock_object	lock_object;	/* (c) */
	unsigned long		rw_state;	/* (a) RW_* bits, readers */
	pthread_t		rw_owner;	/* (a) write owner or 0 */
	pthread_mutex_t		rw_mtx;		/* slow path only */
	pthread_cond_t		rw_readers_cv;	/* (w) blocked readers */
	pthread_cond_t		rw_writers_cv;	/* (w) blocked writers */
	unsigned		rw_readers_waiting; /* (w) */
	unsigned		rw_writers_waiting; /* (w) */
};

void	rw_init(struct rwlock *rw, const char *name, int rank, int opts);
void	rw_destroy(struct rwlock *rw);
void	_rw_rlock(struct rwlock *rw, const char *file, int line);
void	_rw_runlock(struct rwlock *rw, const char *file, int line);
void	_rw_wlock(struct rwlock *rw, const char *file, int line);
void	_rw_wunlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_rlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_wlock(struct rwlock *rw, const char *file, int line);
int	_rw_try_upgrade(struct rwlock *rw, const char *file, int line);
void	_rw_downgrade(struct rwlock *rw, const char *file, int line);
bool	rw_wowned(const struct rwlock *rw);
void	_rw_assert(const struct rwlock *rw, int what, const char *file,
	    int line);

#define	rw_rlock(rw)		_rw_rlock((rw), __FILE__, __LINE__)
#define	rw_runlock(rw)		_rw_runlock((rw), __FILE__, __LINE__)
#define	rw_wlock(rw)		_rw_wlock((rw), __FILE__, __LINE__)
#define	rw_wunlock(rw)		_rw_wunlock((rw), __FILE__, __LINE__)
#define	rw_try_rlock(rw)	_rw_try_rlock((rw), __FILE__, __LINE__)
#define	rw_try_wlock(rw)	_rw_try_wlock((rw), __FILE__, __LINE__)
#define	rw_try_upgrade(rw)	_rw_try_upgrade((rw), __FILE__, __LINE__)
#define	rw_downgrade(rw)	_rw_downgrade((rw), __FILE__, __LINE__)
#define	rw_unlock(rw) do {						\
	if (rw_wowned(rw))						\
		rw_wunlock(rw);						\
	else								\
		rw_runlock(rw);						\
} while (0)
#ifdef INVARIANTS
#define	rw_assert(rw, what)	_rw_assert((rw), (what), __FILE__, __LINE__)
#else
#define	rw_assert(rw, what)	((void)0)
#endif

#endif /* !_KERN_RWLOCK_H_ */
