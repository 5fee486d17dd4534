/*
 * Mutexes, after FreeBSD's mutex(9), on a pthread mutex.
 *
 * The owner is recorded on every acquisition and cleared before every
 * release, so mtx_owned() is exact for the calling thread in every build:
 * only the owner ever stores its own id, and it clears the field before it
 * lets go, so no other thread's stale view can make a thread believe it
 * owns a mutex it does not.  Recursion (MTX_RECURSE, Giant) is counted in
 * mtx_recurse by the owner; the pthread mutex itself is never recursive.
 *
 * With WITNESS every blocking acquisition is order-checked first.  While
 * test hooks are active a thread that finds a mutex taken passes
 * TEST_HOOK_LOCK_WAIT before it waits (test_hook.h).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "kern/kassert.h"
#include "kern/mutex.h"
#include "kern/test_hook.h"

static bool	mtx_trylock_hooked(struct mtx *m);
static void	lock_mtx(struct lock_object *lo, int how);
static int	unlock_mtx(struct lock_object *lo);

const struct lock_class lock_class_mtx = {
	.lc_name = "mutex",
	.lc_lock = lock_mtx,
	.lc_unlock = unlock_mtx,
};

struct mtx Giant = MTX_INITIALIZER("Giant", LOCK_RANK_GIANT, MTX_RECURSE);

static inline void
mtx_set_owner(struct mtx *m)
{

	__atomic_store_n(&m->mtx_owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&m->mtx_owned_flag, 1, __ATOMIC_RELAXED);
}

static inline void
mtx_clear_owner(struct mtx *m)
{

	__atomic_store_n(&m->mtx_owned_flag, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->mtx_owner, (pthread_t)0, __ATOMIC_RELAXED);
}

void
mtx_init(struct mtx *m, const char *name, int rank, int opts)
{
	int flags;

	KASSERT((opts & ~(MTX_RECURSE | MTX_DUPOK | MTX_NOWITNESS)) == 0,
	    ("mtx_init: bad options %#x for \"%s\"", opts, name));
	flags = 0;
	if ((opts & MTX_RECURSE) != 0)
		flags |= LO_RECURSABLE;
	if ((opts & MTX_DUPOK) != 0)
		flags |= LO_DUPOK;
	if ((opts & MTX_NOWITNESS) != 0)
		flags |= LO_NOWITNESS;
	memset(m, 0, sizeof(*m));
	lock_init(&m->lock_object, &lock_class_mtx, name, rank, flags);
	if (pthread_mutex_init(&m->mtx_lock, NULL) != 0)
		panic("mtx_init: pthread_mutex_init failed for \"%s\"", name);
}

void
mtx_destroy(struct mtx *m)
{

	KASSERT(!__atomic_load_n(&m->mtx_owned_flag, __ATOMIC_RELAXED),
	    ("mtx_destroy: mutex \"%s\" is locked",
	    m->lock_object.lo_name));
	(void)pthread_mutex_destroy(&m->mtx_lock);
}

bool
mtx_owned(const struct mtx *m)
{

	return (__atomic_load_n(&m->mtx_owned_flag, __ATOMIC_RELAXED) &&
	    pthread_equal(__atomic_load_n(&m->mtx_owner, __ATOMIC_RELAXED),
	    pthread_self()));
}

bool
mtx_recursed(const struct mtx *m)
{

	return (mtx_owned(m) && m->mtx_recurse > 0);
}

/*
 * While test hooks are active, try first, so that a thread that finds the
 * mutex taken passes TEST_HOOK_LOCK_WAIT before it waits (test_hook.h).
 * True if the mutex was taken here.
 */
static bool
mtx_trylock_hooked(struct mtx *m)
{

	if (!test_hooks_active())
		return (false);
	if (pthread_mutex_trylock(&m->mtx_lock) == 0)
		return (true);
	TEST_HOOK_LOCK_WAIT(m->lock_object.lo_name);
	return (false);
}

void
_mtx_lock(struct mtx *m, const char *file, int line)
{

	if (mtx_owned(m)) {
		if ((m->lock_object.lo_flags & LO_RECURSABLE) == 0)
			panic("mtx_lock: recursing on non-recursive mutex "
			    "\"%s\" at %s:%d", m->lock_object.lo_name, file,
			    line);
		m->mtx_recurse++;
		witness_lock(&m->lock_object, 0, file, line);
		return;
	}
	witness_checkorder(&m->lock_object, 0, file, line);
	if (!mtx_trylock_hooked(m) && pthread_mutex_lock(&m->mtx_lock) != 0)
		panic("mtx_lock: pthread_mutex_lock failed on \"%s\"",
		    m->lock_object.lo_name);
	mtx_set_owner(m);
	witness_lock(&m->lock_object, 0, file, line);
}

int
_mtx_trylock(struct mtx *m, const char *file, int line)
{

	if (mtx_owned(m)) {
		if ((m->lock_object.lo_flags & LO_RECURSABLE) == 0)
			return (0);
		m->mtx_recurse++;
		witness_lock(&m->lock_object, WITNESS_TRY, file, line);
		return (1);
	}
	if (pthread_mutex_trylock(&m->mtx_lock) != 0)
		return (0);
	mtx_set_owner(m);
	witness_lock(&m->lock_object, WITNESS_TRY, file, line);
	return (1);
}

void
_mtx_unlock(struct mtx *m, const char *file, int line)
{

	if (!mtx_owned(m))
		panic("mtx_unlock: mutex \"%s\" not owned at %s:%d",
		    m->lock_object.lo_name, file, line);
	witness_unlock(&m->lock_object, file, line);
	if (m->mtx_recurse > 0) {
		m->mtx_recurse--;
		return;
	}
	mtx_clear_owner(m);
	pthread_mutex_unlock(&m->mtx_lock);
}

void
_mtx_assert(const struct mtx *m, int what, const char *file, int line)
{

	switch (what) {
	case MA_OWNED:
	case MA_OWNED | MA_RECURSED:
	case MA_OWNED | MA_NOTRECURSED:
		if (!mtx_owned(m))
			kassert_panic("mutex %s not owned at %s:%d",
			    m->lock_object.lo_name, file, line);
		if ((what & MA_RECURSED) != 0 && m->mtx_recurse == 0)
			kassert_panic("mutex %s not recursed at %s:%d",
			    m->lock_object.lo_name, file, line);
		if ((what & MA_NOTRECURSED) != 0 && m->mtx_recurse != 0)
			kassert_panic("mutex %s recursed at %s:%d",
			    m->lock_object.lo_name, file, line);
		break;
	case MA_NOTOWNED:
		if (mtx_owned(m))
			kassert_panic("mutex %s owned at %s:%d",
			    m->lock_object.lo_name, file, line);
		break;
	default:
		kassert_panic("mtx_assert: unknown assertion %#x at %s:%d",
		    what, file, line);
	}
}

/*
 * Lock class methods for _sleep(): a mutex is dropped and retaken whole.
 * Sleeping with a recursed mutex would leave it held, so it is refused.
 */
static void
lock_mtx(struct lock_object *lo, int how)
{

	(void)how;
	mtx_lock((struct mtx *)lo);
}

static int
unlock_mtx(struct lock_object *lo)
{
	struct mtx *m;

	m = (struct mtx *)lo;
	if (mtx_recursed(m))
		panic("sleeping with recursed mutex \"%s\"", lo->lo_name);
	mtx_unlock(m);
	return (0);
}
