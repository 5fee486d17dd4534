/*
 * The lock-order checker ("witness"), compiled in with WITNESS
 * (--enable-invariants).
 *
 * FreeBSD's WITNESS learns the lock order from what it sees; this tree has
 * one fixed order instead (enum lock_rank in lock.h), which is simpler and
 * catches a reversal the first time either half of it runs, not only when
 * both orders have been seen.
 *
 * Each thread keeps, in thread-local storage, the list of locks it holds
 * with the mode, the place of acquisition and a recursion count.  Before a
 * thread blocks on a lock (witness_checkorder) every held lock is compared
 * with the new one:
 *	- held rank > new rank: reversal;
 *	- held rank == new rank, different lock: allowed only if the new lock
 *	  is LO_DUPOK;
 *	- the same lock: allowed for LO_RECURSABLE locks and for a shared
 *	  acquisition of a lock held shared; anything else would deadlock
 *	  on itself.
 * Try-locks cannot block, so they are not checked, but they are recorded
 * as held like any other acquisition.  A report names both locks, their
 * ranks and where each was taken, and panics unless a test switched the
 * checker to non-fatal with witness_set_fatal(false).
 *
 * All state is either thread-local or the report buffer, protected by a
 * plain pthread mutex (witness must not check itself).
 */
#include "config.h"

#ifdef WITNESS

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/lock.h"

#define	WITNESS_MAX_HELD	64
#define	WITNESS_REPORT_MAX	512

struct witness_held {
	struct lock_object	*wh_lock;
	const char		*wh_file;
	int			 wh_line;
	int			 wh_flags;	/* WITNESS_SHARED */
	unsigned		 wh_recurse;	/* extra acquisitions */
};

static __thread struct witness_held witness_held[WITNESS_MAX_HELD];
static __thread int witness_nheld;

static bool witness_fatal = true;	/* (a) */
static unsigned witness_nreversals;	/* (a) */
static pthread_mutex_t witness_report_mtx = PTHREAD_MUTEX_INITIALIZER;
static char witness_report_buf[WITNESS_REPORT_MAX];	/* witness_report_mtx */

static struct witness_held *witness_find(const struct lock_object *lo);
static void	witness_report(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));

static struct witness_held *
witness_find(const struct lock_object *lo)
{
	int i;

	for (i = witness_nheld - 1; i >= 0; i--)
		if (witness_held[i].wh_lock == lo)
			return (&witness_held[i]);
	return (NULL);
}

static void
witness_report(const char *fmt, ...)
{
	char msg[WITNESS_REPORT_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&witness_nreversals, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&witness_report_mtx);
	memcpy(witness_report_buf, msg, sizeof(witness_report_buf));
	pthread_mutex_unlock(&witness_report_mtx);
	if (__atomic_load_n(&witness_fatal, __ATOMIC_RELAXED))
		panic("witness: %s", msg);
	kern_log(LOG_ERR, "witness: %s", msg);
}

void
witness_checkorder(struct lock_object *lo, int flags, const char *file,
    int line)
{
	struct witness_held *wh;
	struct lock_object *held;
	int i;

	if ((lo->lo_flags & LO_NOWITNESS) != 0 || (flags & WITNESS_TRY) != 0)
		return;
	/*
	 * Re-acquiring a lock already held cannot block in the two allowed
	 * cases (a recursable lock, a shared lock taken shared again), so
	 * it is not an ordering event, as in FreeBSD; anything else would
	 * deadlock the thread on itself.
	 */
	wh = witness_find(lo);
	if (wh != NULL) {
		if ((lo->lo_flags & LO_RECURSABLE) != 0)
			return;
		if ((flags & WITNESS_SHARED) != 0 &&
		    (wh->wh_flags & WITNESS_SHARED) != 0)
			return;
		witness_report("recursion on non-recursive lock \"%s\" "
		    "(rank %d) at %s:%d, first acquired at %s:%d",
		    lo->lo_name, lo->lo_rank, file, line, wh->wh_file,
		    wh->wh_line);
		return;
	}
	for (i = 0; i < witness_nheld; i++) {
		wh = &witness_held[i];
		held = wh->wh_lock;
		if (held->lo_rank > lo->lo_rank) {
			witness_report("lock order reversal: \"%s\" (rank %d) "
			    "acquired at %s:%d while holding \"%s\" (rank %d) "
			    "acquired at %s:%d", lo->lo_name, lo->lo_rank,
			    file, line, held->lo_name, held->lo_rank,
			    wh->wh_file, wh->wh_line);
			return;
		}
		if (held->lo_rank == lo->lo_rank &&
		    (lo->lo_flags & LO_DUPOK) == 0) {
			witness_report("acquiring duplicate lock of same rank: "
			    "\"%s\" (rank %d) acquired at %s:%d while holding "
			    "\"%s\" (rank %d) acquired at %s:%d", lo->lo_name,
			    lo->lo_rank, file, line, held->lo_name,
			    held->lo_rank, wh->wh_file, wh->wh_line);
			return;
		}
	}
}

void
witness_lock(struct lock_object *lo, int flags, const char *file, int line)
{
	struct witness_held *wh;

	if ((lo->lo_flags & LO_NOWITNESS) != 0)
		return;
	wh = witness_find(lo);
	if (wh != NULL) {
		/* Recursion (Giant) or a recursive read lock. */
		wh->wh_recurse++;
		return;
	}
	if (witness_nheld >= WITNESS_MAX_HELD)
		panic("witness: thread holds more than %d locks, acquiring "
		    "\"%s\" at %s:%d", WITNESS_MAX_HELD, lo->lo_name, file,
		    line);
	wh = &witness_held[witness_nheld++];
	wh->wh_lock = lo;
	wh->wh_file = file;
	wh->wh_line = line;
	wh->wh_flags = flags & WITNESS_SHARED;
	wh->wh_recurse = 0;
}

void
witness_unlock(struct lock_object *lo, const char *file, int line)
{
	struct witness_held *wh;
	int i;

	if ((lo->lo_flags & LO_NOWITNESS) != 0)
		return;
	wh = witness_find(lo);
	if (wh == NULL)
		panic("witness: releasing unheld lock \"%s\" at %s:%d",
		    lo->lo_name, file, line);
	if (wh->wh_recurse > 0) {
		wh->wh_recurse--;
		return;
	}
	i = (int)(wh - witness_held);
	memmove(&witness_held[i], &witness_held[i + 1],
	    (witness_nheld - i - 1) * sizeof(witness_held[0]));
	witness_nheld--;
}

bool
witness_owned(const struct lock_object *lo, bool *sharedp)
{
	struct witness_held *wh;

	wh = witness_find(lo);
	if (wh == NULL)
		return (false);
	if (sharedp != NULL)
		*sharedp = (wh->wh_flags & WITNESS_SHARED) != 0;
	return (true);
}

int
witness_held_count(void)
{

	return (witness_nheld);
}

void
witness_set_fatal(bool fatal)
{

	__atomic_store_n(&witness_fatal, fatal, __ATOMIC_RELAXED);
}

unsigned
witness_reversals(void)
{

	return (__atomic_load_n(&witness_nreversals, __ATOMIC_RELAXED));
}

const char *
witness_last_report(void)
{

	return (witness_report_buf);
}

#endif /* WITNESS */
