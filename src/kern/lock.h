/*
 * Common lock object and the lock-order checker ("witness").
 *
 * Every lock of the tree embeds a struct lock_object naming its class
 * (mutex or rwlock), its name and its rank.  Ranks give the one fixed lock
 * order of the tree: a thread may block on a lock only if every lock it
 * already holds has a strictly lower rank, except for locks initialised
 * with LO_DUPOK, of which several of the same rank may be held at once
 * (several VM object locks, for example).  Try-locks are never checked for
 * order, as in FreeBSD's WITNESS.
 *
 * With WITNESS (--enable-invariants) each thread keeps the list of locks it
 * holds; a reversal is reported (one log line naming both locks, their
 * ranks and where each was taken) and the process aborts *before* the
 * thread blocks, so a test can prove the checker fires instead of
 * deadlocking.  Re-acquiring a lock the thread already holds is not an
 * ordering event when it cannot block (a recursable mutex such as Giant, a
 * read lock taken again for reading); any other self-acquisition is
 * reported as a self-deadlock.  Without WITNESS all of this compiles to
 * nothing.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after lock_init()
 */
#ifndef _KERN_LOCK_H_
#define _KERN_LOCK_H_

#include <stdbool.h>

struct lock_object;

/* The fixed lock order of the tree, lowest first. */
enum lock_rank {
	LOCK_RANK_PLUGIN_LOAD = 5,	/* the plugin loader, across dlopen */
	LOCK_RANK_GIANT = 10,		/* Giant, for D_NEEDGIANT drivers */
	LOCK_RANK_DRIVER = 20,		/* a driver's own locks */
	LOCK_RANK_DEVMTX = 30,		/* the cdev registry (devmtx) */
	LOCK_RANK_PAGER_LIST = 40,	/* dev_pager_mtx, phys_pager_mtx */
	LOCK_RANK_VM_OBJECT = 50,	/* the object rwlock */
	LOCK_RANK_VM_PAGE = 60,		/* hashed page locks */
	LOCK_RANK_FICTITIOUS = 70,	/* fictitious-range registry */
	LOCK_RANK_VM_PHYS = 80,		/* physical free lists, windows */
	LOCK_RANK_SWAP = 80,		/* swap accounting */
	LOCK_RANK_LEAF = 100,		/* anything that takes no other lock */
};

/* Lock classes: how the generic sleep code drops and retakes a lock. */
struct lock_class {
	const char	*lc_name;
	/* Acquire in the mode lc_unlock() returned. */
	void		(*lc_lock)(struct lock_object *lo, int how);
	/* Release whatever mode is held; return that mode. */
	int		(*lc_unlock)(struct lock_object *lo);
};

extern const struct lock_class lock_class_mtx;
extern const struct lock_class lock_class_rw;

#define	LO_DUPOK	0x0001	/* several of this rank may be held at once */
#define	LO_RECURSABLE	0x0002	/* may be acquired recursively */
#define	LO_NOWITNESS	0x0004	/* not order-checked */

struct lock_object {
	const struct lock_class	*lo_class;	/* (c) */
	const char		*lo_name;	/* (c) */
	int			 lo_rank;	/* (c) enum lock_rank */
	int			 lo_flags;	/* (c) LO_* */
};

void	lock_init(struct lock_object *lo, const struct lock_class *class,
	    const char *name, int rank, int flags);

/*
 * Witness hooks, called by the lock implementations.  With WITNESS off they
 * are empty inlines.
 *	witness_checkorder: before blocking on lo; aborts on a reversal.
 *	witness_lock / witness_unlock: after acquiring / before releasing.
 *	witness_owned: does this thread hold lo (in any mode)?
 *	witness_held_count: number of locks the thread holds.
 */
#ifdef WITNESS
#define	WITNESS_SHARED	0x1
#define	WITNESS_TRY	0x2
void	witness_checkorder(struct lock_object *lo, int flags,
	    const char *file, int line);
void	witness_lock(struct lock_object *lo, int flags, const char *file,
	    int line);
void	witness_unlock(struct lock_object *lo, const char *file, int line);
bool	witness_owned(const struct lock_object *lo, bool *sharedp);
int	witness_held_count(void);
/*
 * Tests: make a reversal report and return instead of aborting, and read
 * back how many reversals were seen and the last message.
 */
void	witness_set_fatal(bool fatal);
unsigned witness_reversals(void);
const char *witness_last_report(void);
#else
#define	WITNESS_SHARED	0x1
#define	WITNESS_TRY	0x2
#define	witness_checkorder(lo, flags, file, line)	((void)0)
#define	witness_lock(lo, flags, file, line)		((void)0)
#define	witness_unlock(lo, file, line)			((void)0)
#endif

#endif /* !_KERN_LOCK_H_ */
