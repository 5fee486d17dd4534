/*
 * Reader/writer locks, after FreeBSD's rwlock(9).
 *
 * rw_state layout:
 *	bit 0	RW_WRITER		held for writing
 *	bit 1	RW_WRITE_WAITERS	a writer sleeps on rw_writers_cv
 *	bit 2	RW_READ_WAITERS		a reader sleeps on rw_readers_cv
 *	bits 3+	number of readers
 *
 * Fast paths are a single compare-and-swap on rw_state.  A thread that
 * cannot get the lock takes rw_mtx, sets its waiter bit with a CAS that
 * also proves the lock is still held, and sleeps on the condition variable
 * with rw_mtx held across the check, so the wake-up cannot be lost: a
 * releaser whose CAS saw a waiter bit takes rw_mtx before waking anyone.
 * The waker clears the bit of the class it wakes; a woken thread that
 * still cannot get the lock sets it again.  Writers are woken before
 * readers (writer preference), one at a time; readers all at once.
 *
 * A thread whose fast path fails passes TEST_HOOK_LOCK_WAIT before the
 * slow path, so tests can see it wait (test_hook.h).
 *
 * rw_td_rlocks counts the read locks the calling thread holds on any
 * rwlock: such a thread may always join readers, even with a writer
 * waiting, otherwise a recursive read (or two object read locks) would
 * deadlock against the waiting writer.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "kern/kassert.h"
#include "kern/rwlock.h"
#include "kern/test_hook.h"

#define	RW_WRITER		0x1UL
#define	RW_WRITE_WAITERS	0x2UL
#define	RW_READ_WAITERS		0x4UL
#define	RW_WAITERS		(RW_WRITE_WAITERS | RW_READ_WAITERS)
#define	RW_ONE_READER		0x8UL
#define	RW_READERS(v)		((v) >> 3)
#define	RW_HOLDERS(v)		((v) & ~RW_WAITERS)

#define	RW_HOW_READ		0
#define	RW_HOW_WRITE		1

static __thread unsigned rw_td_rlocks;	/* read locks this thread holds */

static void	lock_rw(struct lock_object *lo, int how);
static int	unlock_rw(struct lock_object *lo);
static void	rw_rlock_hard(struct rwlock *rw);
static void	rw_wlock_hard(struct rwlock *rw);
static void	rw_wake(struct rwlock *rw);

const struct lock_class lock_class_rw = {
	.lc_name = "rw",
	.lc_lock = lock_rw,
	.lc_unlock = unlock_rw,
};

static inline unsigned long
rw_load(const struct rwlock *rw)
{

	return (__atomic_load_n(&rw->rw_state, __ATOMIC_RELAXED));
}

/* CAS with acquire semantics on success (taking the lock). */
static inline bool
rw_cas_acq(struct rwlock *rw, unsigned long *vp, unsigned long nv)
{

	return (__atomic_compare_exchange_n(&rw->rw_state, vp, nv, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
}

/* CAS with release semantics (letting go of the lock). */
static inline bool
rw_cas_rel(struct rwlock *rw, unsigned long *vp, unsigned long nv)
{

	return (__atomic_compare_exchange_n(&rw->rw_state, vp, nv, false,
	    __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static inline bool
rw_can_read(unsigned long v)
{

	if ((v & RW_WRITER) != 0)
		return (false);
	return ((v & RW_WRITE_WAITERS) == 0 || rw_td_rlocks > 0);
}

static inline void
rw_set_owner(struct rwlock *rw)
{

	__atomic_store_n(&rw->rw_owner, pthread_self(), __ATOMIC_RELAXED);
}

static inline void
rw_clear_owner(struct rwlock *rw)
{

	__atomic_store_n(&rw->rw_owner, (pthread_t)0, __ATOMIC_RELAXED);
}

void
rw_init(struct rwlock *rw, const char *name, int rank, int opts)
{
	pthread_condattr_t ca;
	int flags;

	KASSERT((opts & ~(RW_DUPOK | RW_NOWITNESS)) == 0,
	    ("rw_init: bad options %#x for \"%s\"", opts, name));
	flags = 0;
	if ((opts & RW_DUPOK) != 0)
		flags |= LO_DUPOK;
	if ((opts & RW_NOWITNESS) != 0)
		flags |= LO_NOWITNESS;
	memset(rw, 0, sizeof(*rw));
	lock_init(&rw->lock_object, &lock_class_rw, name, rank, flags);
	if (pthread_mutex_init(&rw->rw_mtx, NULL) != 0 ||
	    pthread_condattr_init(&ca) != 0)
		panic("rw_init: cannot initialise \"%s\"", name);
	if (pthread_cond_init(&rw->rw_readers_cv, &ca) != 0 ||
	    pthread_cond_init(&rw->rw_writers_cv, &ca) != 0)
		panic("rw_init: cannot initialise \"%s\"", name);
	pthread_condattr_destroy(&ca);
}

void
rw_destroy(struct rwlock *rw)
{

	KASSERT(rw_load(rw) == 0, ("rw_destroy: lock \"%s\" busy (%#lx)",
	    rw->lock_object.lo_name, rw_load(rw)));
	pthread_cond_destroy(&rw->rw_readers_cv);
	pthread_cond_destroy(&rw->rw_writers_cv);
	pthread_mutex_destroy(&rw->rw_mtx);
}

bool
rw_wowned(const struct rwlock *rw)
{

	return ((rw_load(rw) & RW_WRITER) != 0 &&
	    pthread_equal(__atomic_load_n(&rw->rw_owner, __ATOMIC_RELAXED),
	    pthread_self()));
}

/*
 * Wake waiters after the lock became free with waiter bits set.  If
 * someone took the lock meanwhile, the bits are left for its release.
 */
static void
rw_wake(struct rwlock *rw)
{
	unsigned long v;

	pthread_mutex_lock(&rw->rw_mtx);
	v = rw_load(rw);
	for (;;) {
		if (RW_HOLDERS(v) != 0 || (v & RW_WAITERS) == 0)
			break;
		if (rw->rw_writers_waiting > 0) {
			if (!rw_cas_rel(rw, &v, v & ~RW_WRITE_WAITERS))
				continue;
			pthread_cond_signal(&rw->rw_writers_cv);
		} else {
			if (!rw_cas_rel(rw, &v, v & ~RW_WAITERS))
				continue;
			pthread_cond_broadcast(&rw->rw_readers_cv);
		}
		break;
	}
	pthread_mutex_unlock(&rw->rw_mtx);
}

static void
rw_rlock_hard(struct rwlock *rw)
{
	unsigned long v;

	if (rw_wowned(rw))
		panic("rw_rlock: \"%s\" is write-locked by this thread",
		    rw->lock_object.lo_name);
	pthread_mutex_lock(&rw->rw_mtx);
	v = rw_load(rw);
	for (;;) {
		if (rw_can_read(v)) {
			if (rw_cas_acq(rw, &v, v + RW_ONE_READER))
				break;
			continue;
		}
		if ((v & RW_READ_WAITERS) == 0 &&
		    !rw_cas_acq(rw, &v, v | RW_READ_WAITERS))
			continue;
		rw->rw_readers_waiting++;
		pthread_cond_wait(&rw->rw_readers_cv, &rw->rw_mtx);
		rw->rw_readers_waiting--;
		v = rw_load(rw);
	}
	pthread_mutex_unlock(&rw->rw_mtx);
}

void
_rw_rlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	witness_checkorder(&rw->lock_object, WITNESS_SHARED, file, line);
	v = rw_load(rw);
	if (!rw_can_read(v) || !rw_cas_acq(rw, &v, v + RW_ONE_READER)) {
		/* One retry for a reader that lost a CAS to another reader. */
		if (!rw_can_read(v) ||
		    !rw_cas_acq(rw, &v, v + RW_ONE_READER)) {
			TEST_HOOK_LOCK_WAIT(rw->lock_object.lo_name);
			rw_rlock_hard(rw);
		}
	}
	rw_td_rlocks++;
	witness_lock(&rw->lock_object, WITNESS_SHARED, file, line);
}

int
_rw_try_rlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	v = rw_load(rw);
	while (rw_can_read(v)) {
		if (rw_cas_acq(rw, &v, v + RW_ONE_READER)) {
			rw_td_rlocks++;
			witness_lock(&rw->lock_object,
			    WITNESS_SHARED | WITNESS_TRY, file, line);
			return (1);
		}
	}
	return (0);
}

void
_rw_runlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	witness_unlock(&rw->lock_object, file, line);
	KASSERT(rw_td_rlocks > 0, ("rw_runlock: \"%s\" not read-locked by "
	    "this thread at %s:%d", rw->lock_object.lo_name, file, line));
	rw_td_rlocks--;
	v = rw_load(rw);
	for (;;) {
		if ((v & RW_WRITER) != 0 || RW_READERS(v) == 0)
			panic("rw_runlock: \"%s\" not read-locked at %s:%d",
			    rw->lock_object.lo_name, file, line);
		if (rw_cas_rel(rw, &v, v - RW_ONE_READER))
			break;
	}
	if (RW_READERS(v) == 1 && (v & RW_WAITERS) != 0)
		rw_wake(rw);
}

static void
rw_wlock_hard(struct rwlock *rw)
{
	unsigned long nv, v;

	pthread_mutex_lock(&rw->rw_mtx);
	rw->rw_writers_waiting++;
	v = rw_load(rw);
	for (;;) {
		if (RW_HOLDERS(v) == 0) {
			/* Keep the bit set for the writers still waiting. */
			nv = (v & ~RW_WRITE_WAITERS) | RW_WRITER;
			if (rw->rw_writers_waiting > 1)
				nv |= RW_WRITE_WAITERS;
			if (rw_cas_acq(rw, &v, nv))
				break;
			continue;
		}
		if ((v & RW_WRITE_WAITERS) == 0 &&
		    !rw_cas_acq(rw, &v, v | RW_WRITE_WAITERS))
			continue;
		pthread_cond_wait(&rw->rw_writers_cv, &rw->rw_mtx);
		v = rw_load(rw);
	}
	rw->rw_writers_waiting--;
	pthread_mutex_unlock(&rw->rw_mtx);
}

void
_rw_wlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	if (rw_wowned(rw))
		panic("rw_wlock: recursing on \"%s\" at %s:%d",
		    rw->lock_object.lo_name, file, line);
	witness_checkorder(&rw->lock_object, 0, file, line);
	v = 0;
	if (!rw_cas_acq(rw, &v, RW_WRITER)) {
		TEST_HOOK_LOCK_WAIT(rw->lock_object.lo_name);
		rw_wlock_hard(rw);
	}
	rw_set_owner(rw);
	witness_lock(&rw->lock_object, 0, file, line);
}

int
_rw_try_wlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	if (rw_wowned(rw))
		return (0);
	v = rw_load(rw);
	while (RW_HOLDERS(v) == 0) {
		if (rw_cas_acq(rw, &v, v | RW_WRITER)) {
			rw_set_owner(rw);
			witness_lock(&rw->lock_object, WITNESS_TRY, file,
			    line);
			return (1);
		}
	}
	return (0);
}

void
_rw_wunlock(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	if (!rw_wowned(rw))
		panic("rw_wunlock: \"%s\" not write-locked by this thread at "
		    "%s:%d", rw->lock_object.lo_name, file, line);
	witness_unlock(&rw->lock_object, file, line);
	rw_clear_owner(rw);
	v = RW_WRITER;
	if (rw_cas_rel(rw, &v, 0))
		return;
	while (!rw_cas_rel(rw, &v, v & ~RW_WRITER))
		;
	if ((v & RW_WAITERS) != 0)
		rw_wake(rw);
}

/*
 * Trade a read lock for the write lock, only if the caller is the only
 * reader; otherwise fail and leave the read lock held.
 */
int
_rw_try_upgrade(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	KASSERT(rw_td_rlocks > 0, ("rw_try_upgrade: \"%s\" not read-locked "
	    "at %s:%d", rw->lock_object.lo_name, file, line));
	v = rw_load(rw);
	for (;;) {
		KASSERT((v & RW_WRITER) == 0 && RW_READERS(v) > 0,
		    ("rw_try_upgrade: \"%s\" not read-locked at %s:%d",
		    rw->lock_object.lo_name, file, line));
		if (RW_READERS(v) != 1)
			return (0);
		if (rw_cas_acq(rw, &v, (v - RW_ONE_READER) | RW_WRITER))
			break;
	}
	rw_set_owner(rw);
	rw_td_rlocks--;
	witness_unlock(&rw->lock_object, file, line);
	witness_lock(&rw->lock_object, WITNESS_TRY, file, line);
	return (1);
}

/*
 * Trade the write lock for a read lock without letting a writer in
 * between; blocked readers may then join unless a writer waits.
 */
void
_rw_downgrade(struct rwlock *rw, const char *file, int line)
{
	unsigned long v;

	if (!rw_wowned(rw))
		panic("rw_downgrade: \"%s\" not write-locked by this thread "
		    "at %s:%d", rw->lock_object.lo_name, file, line);
	witness_unlock(&rw->lock_object, file, line);
	rw_clear_owner(rw);
	v = rw_load(rw);
	while (!rw_cas_rel(rw, &v, (v & ~RW_WRITER) + RW_ONE_READER))
		;
	rw_td_rlocks++;
	witness_lock(&rw->lock_object, WITNESS_SHARED | WITNESS_TRY, file,
	    line);
	if ((v & RW_READ_WAITERS) == 0)
		return;
	pthread_mutex_lock(&rw->rw_mtx);
	if (rw->rw_writers_waiting == 0) {
		v = rw_load(rw);
		while ((v & RW_READ_WAITERS) != 0 &&
		    !rw_cas_rel(rw, &v, v & ~RW_READ_WAITERS))
			;
		pthread_cond_broadcast(&rw->rw_readers_cv);
	}
	pthread_mutex_unlock(&rw->rw_mtx);
}

void
_rw_assert(const struct rwlock *rw, int what, const char *file, int line)
{
	const char *name;
	bool readlocked;
#ifdef WITNESS
	bool shared;
#endif

	name = rw->lock_object.lo_name;
#ifdef WITNESS
	if ((rw->lock_object.lo_flags & LO_NOWITNESS) == 0)
		readlocked = witness_owned(&rw->lock_object, &shared) &&
		    shared;
	else
#endif
		readlocked = (rw_load(rw) & RW_WRITER) == 0 &&
		    RW_READERS(rw_load(rw)) > 0;

	switch (what) {
	case RA_LOCKED:
		if (!rw_wowned(rw) && !readlocked)
			kassert_panic("lock %s not locked at %s:%d", name,
			    file, line);
		break;
	case RA_RLOCKED:
		if (!readlocked)
			kassert_panic("lock %s not read-locked at %s:%d", name,
			    file, line);
		break;
	case RA_WLOCKED:
		if (!rw_wowned(rw))
			kassert_panic("lock %s not exclusively locked at "
			    "%s:%d", name, file, line);
		break;
	case RA_UNLOCKED:
		if (rw_wowned(rw))
			kassert_panic("lock %s exclusively locked at %s:%d",
			    name, file, line);
#ifdef WITNESS
		if (readlocked &&
		    (rw->lock_object.lo_flags & LO_NOWITNESS) == 0)
			kassert_panic("lock %s read-locked at %s:%d", name,
			    file, line);
#endif
		break;
	default:
		kassert_panic("rw_assert: unknown assertion %#x at %s:%d",
		    what, file, line);
	}
}

/* Lock class methods for _sleep(): retake in the mode that was held. */
static void
lock_rw(struct lock_object *lo, int how)
{
	struct rwlock *rw;

	rw = (struct rwlock *)lo;
	if (how == RW_HOW_WRITE)
		rw_wlock(rw);
	else
		rw_rlock(rw);
}

static int
unlock_rw(struct lock_object *lo)
{
	struct rwlock *rw;

	rw = (struct rwlock *)lo;
	if (rw_wowned(rw)) {
		rw_wunlock(rw);
		return (RW_HOW_WRITE);
	}
	rw_runlock(rw);
	return (RW_HOW_READ);
}
