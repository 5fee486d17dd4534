/*
 * Mutexes, after FreeBSD's mutex(9): mtx_init/mtx_lock/mtx_unlock/
 * mtx_trylock/mtx_assert, MTX_RECURSE and MTX_DUPOK, and Giant.
 *
 * The owner is always recorded (one store per acquisition), so mtx_owned()
 * works in every build; mtx_assert() checks only under INVARIANTS.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after mtx_init()
 *	(m)	the mutex itself
 */
#ifndef _KERN_MUTEX_H_
#define _KERN_MUTEX_H_

#include <pthread.h>
#include <stdbool.h>

#include "kern/lock.h"

#define	MTX_DEF		0x0000
#define	MTX_RECURSE	0x0004	/* recursion allowed (Giant) */
#define	MTX_DUPOK	0x0010	/* several of the same rank at once */
#define	MTX_NOWITNESS	0x0200

#define	MA_OWNED	0x01
#define	MA_NOTOWNED	0x02
#define	MA_RECURSED	0x04
#define	MA_NOTRECURSED	0x08

struct mtx {
	struct lock_object	lock_object;	/* (c) */
	pthread_mutex_t		mtx_lock;
	pthread_t		mtx_owner;	/* (m,a) valid if mtx_owned_flag */
	int			mtx_owned_flag;	/* (m,a) */
	unsigned		mtx_recurse;	/* (m) */
};

/*
 * Static initialiser, for mutexes that must work before any constructor
 * runs (Giant, registries filled by constructors):
 *	static struct mtx foo_mtx = MTX_INITIALIZER("foo", LOCK_RANK_LEAF, 0);
 * opts is MTX_RECURSE, MTX_DUPOK or MTX_NOWITNESS, or-ed, or 0.
 */
#define	MTX_INITIALIZER(name, rank, opts) {				\
	.lock_object = {						\
		.lo_class = &lock_class_mtx,				\
		.lo_name = (name),					\
		.lo_rank = (rank),					\
		.lo_flags = (((opts) & MTX_RECURSE) ? LO_RECURSABLE : 0) |	\
		    (((opts) & MTX_DUPOK) ? LO_DUPOK : 0) |		\
		    (((opts) & MTX_NOWITNESS) ? LO_NOWITNESS : 0),	\
	},								\
	.mtx_lock = PTHREAD_MUTEX_INITIALIZER,				\
}

void	mtx_init(struct mtx *m, const char *name, int rank, int opts);
void	mtx_destroy(struct mtx *m);
void	_mtx_lock(struct mtx *m, const char *file, int line);
void	_mtx_unlock(struct mtx *m, const char *file, int line);
int	_mtx_trylock(struct mtx *m, const char *file, int line);
bool	mtx_owned(const struct mtx *m);
bool	mtx_recursed(const struct mtx *m);
void	_mtx_assert(const struct mtx *m, int what, const char *file, int line);

#define	mtx_lock(m)	_mtx_lock((m), __FILE__, __LINE__)
#define	mtx_unlock(m)	_mtx_unlock((m), __FILE__, __LINE__)
#define	mtx_trylock(m)	_mtx_trylock((m), __FILE__, __LINE__)
#ifdef INVARIANTS
#define	mtx_assert(m, what)	_mtx_assert((m), (what), __FILE__, __LINE__)
#else
#define	mtx_assert(m, what)	((void)0)
#endif

/* Giant: recursive, lowest rank, held only around D_NEEDGIANT methods. */
extern struct mtx Giant;

#endif /* !_KERN_MUTEX_H_ */
