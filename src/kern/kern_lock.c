/*
 * The common lock object: what every lock class records at init time.
 *
 * The classes themselves (lock_class_mtx, lock_class_rw) live with their
 * implementations in kern_mutex.c and kern_rwlock.c; the lock-order
 * checker is kern_witness.c.
 */
#include "config.h"

#include <stddef.h>

#include "kern/kassert.h"
#include "kern/lock.h"

void
lock_init(struct lock_object *lo, const struct lock_class *class,
    const char *name, int rank, int flags)
{

	KASSERT(lo != NULL && class != NULL, ("lock_init: NULL argument"));
	KASSERT(rank > 0, ("lock_init: lock \"%s\" has no rank (%d)",
	    name != NULL ? name : "?", rank));
	KASSERT((flags & ~(LO_DUPOK | LO_RECURSABLE | LO_NOWITNESS)) == 0,
	    ("lock_init: bad flags %#x", flags));
	lo->lo_class = class;
	lo->lo_name = name != NULL ? name : "(unnamed)";
	lo->lo_rank = rank;
	lo->lo_flags = flags;
}
