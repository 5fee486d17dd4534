/*
 * Swap accounting per uid (see swap_reserve.h).  A small array of uid
 * entries sorted by uid, under one leaf mutex: reservations happen once
 * per anonymous object, not per page, so this is never hot.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/mutex.h"
#include "vm/swap_reserve.h"

FAIL_POINT_DEFINE(swap_reserve);

struct swap_uid {
	uid_t		uid;
	bool		own_limit;	/* limit set for this uid */
	vm_ooffset_t	limit;
	vm_ooffset_t	reserved;
	unsigned long	failures;
};

/*
 *	(s)	swap_mtx
 */
static struct mtx swap_mtx;
static bool swap_inited;
static struct swap_uid *swap_uids;		/* (s) sorted by uid */
static size_t swap_nuids;			/* (s) */
static size_t swap_cap;				/* (s) */
static vm_ooffset_t swap_total_bytes = SWAP_LIMIT_INFINITY; /* (s) */
static vm_ooffset_t swap_reserved_bytes;	/* (s) all uids */
static vm_ooffset_t swap_default = SWAP_LIMIT_INFINITY; /* (s) */
static time_t swap_last_log;			/* (s) rate limit */

static struct swap_uid *swap_uid_find(uid_t uid, bool create);
static vm_ooffset_t swap_uid_limit(const struct swap_uid *su);

void
swap_reserve_init(vm_ooffset_t total)
{

	if (!swap_inited) {
		mtx_init(&swap_mtx, "swap reserve", LOCK_RANK_SWAP, MTX_DEF);
		swap_inited = true;
	}
	mtx_lock(&swap_mtx);
	free(swap_uids);
	swap_uids = NULL;
	swap_nuids = swap_cap = 0;
	swap_total_bytes = total;
	swap_reserved_bytes = 0;
	swap_default = SWAP_LIMIT_INFINITY;
	mtx_unlock(&swap_mtx);
}

void
swap_reserve_fini(void)
{

	if (!swap_inited)
		return;
	mtx_lock(&swap_mtx);
	free(swap_uids);
	swap_uids = NULL;
	swap_nuids = swap_cap = 0;
	swap_reserved_bytes = 0;
	mtx_unlock(&swap_mtx);
}

/* Binary search; with create, insert a fresh entry.  swap_mtx held. */
static struct swap_uid *
swap_uid_find(uid_t uid, bool create)
{
	struct swap_uid *n;
	size_t lo, hi, mid;

	mtx_assert(&swap_mtx, MA_OWNED);
	lo = 0;
	hi = swap_nuids;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (swap_uids[mid].uid == uid)
			return (&swap_uids[mid]);
		if (swap_uids[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!create)
		return (NULL);
	if (swap_nuids == swap_cap) {
		swap_cap = swap_cap == 0 ? 8 : swap_cap * 2;
		n = realloc(swap_uids, swap_cap * sizeof(*n));
		if (n == NULL)
			panic("swap_reserve: out of memory");
		swap_uids = n;
	}
	memmove(&swap_uids[lo + 1], &swap_uids[lo],
	    (swap_nuids - lo) * sizeof(*swap_uids));
	swap_nuids++;
	memset(&swap_uids[lo], 0, sizeof(swap_uids[lo]));
	swap_uids[lo].uid = uid;
	return (&swap_uids[lo]);
}

static vm_ooffset_t
swap_uid_limit(const struct swap_uid *su)
{

	return (su->own_limit ? su->limit : swap_default);
}

bool
swap_reserve_by_cred(vm_ooffset_t incr, const struct ucred *cred)
{
	struct swap_uid *su;
	vm_ooffset_t limit;
	time_t now;
	bool ok, logit;

	KASSERT((incr & PAGE_MASK) == 0, ("swap_reserve: %ju & PAGE_MASK",
	    (uintmax_t)incr));
	KASSERT(cred != NULL, ("swap_reserve_by_cred: no credentials"));
	KASSERT(swap_inited, ("swap_reserve_by_cred: not initialised"));
	logit = false;
	mtx_lock(&swap_mtx);
	su = swap_uid_find(cred->cr_uid, true);
	limit = swap_uid_limit(su);
	ok = FAIL_POINT_EVAL(swap_reserve) == 0 &&
	    incr <= swap_total_bytes - swap_reserved_bytes &&
	    swap_reserved_bytes <= swap_total_bytes &&
	    (limit == SWAP_LIMIT_INFINITY ||
	    (su->reserved <= limit && incr <= limit - su->reserved));
	if (ok) {
		su->reserved += incr;
		swap_reserved_bytes += incr;
	} else {
		su->failures++;
		now = time(NULL);
		if (now != swap_last_log) {
			swap_last_log = now;
			logit = true;
		}
	}
	mtx_unlock(&swap_mtx);
	if (logit)
		kern_log(LOG_INFO, "uid %d, pid %d: swap reservation for "
		    "%ju bytes failed", (int)cred->cr_uid, (int)cred->cr_pid,
		    (uintmax_t)incr);
	return (ok);
}

void
swap_release_by_cred(vm_ooffset_t decr, const struct ucred *cred)
{
	struct swap_uid *su;

	KASSERT((decr & PAGE_MASK) == 0, ("swap_release: %ju & PAGE_MASK",
	    (uintmax_t)decr));
	KASSERT(cred != NULL, ("swap_release_by_cred: no credentials"));
	mtx_lock(&swap_mtx);
	su = swap_uid_find(cred->cr_uid, false);
	KASSERT(su != NULL && su->reserved >= decr,
	    ("swap_release_by_cred: uid %d releases %ju, has %ju",
	    (int)cred->cr_uid, (uintmax_t)decr,
	    (uintmax_t)(su != NULL ? su->reserved : 0)));
	KASSERT(swap_reserved_bytes >= decr,
	    ("swap_release_by_cred: negative total"));
	if (su != NULL)
		su->reserved -= decr;
	swap_reserved_bytes -= decr;
	mtx_unlock(&swap_mtx);
}

void
swap_set_default_limit(vm_ooffset_t limit)
{

	mtx_lock(&swap_mtx);
	swap_default = limit;
	mtx_unlock(&swap_mtx);
}

vm_ooffset_t
swap_default_limit(void)
{
	vm_ooffset_t v;

	mtx_lock(&swap_mtx);
	v = swap_default;
	mtx_unlock(&swap_mtx);
	return (v);
}

void
swap_set_limit(uid_t uid, vm_ooffset_t limit)
{
	struct swap_uid *su;

	mtx_lock(&swap_mtx);
	su = swap_uid_find(uid, true);
	su->own_limit = true;
	su->limit = limit;
	mtx_unlock(&swap_mtx);
}

void
swap_set_total(vm_ooffset_t total)
{

	mtx_lock(&swap_mtx);
	swap_total_bytes = total;
	mtx_unlock(&swap_mtx);
}

vm_ooffset_t
swap_total(void)
{
	vm_ooffset_t v;

	mtx_lock(&swap_mtx);
	v = swap_total_bytes;
	mtx_unlock(&swap_mtx);
	return (v);
}

vm_ooffset_t
swap_reserved(void)
{
	vm_ooffset_t v;

	mtx_lock(&swap_mtx);
	v = swap_reserved_bytes;
	mtx_unlock(&swap_mtx);
	return (v);
}

bool
swap_uid_get(uid_t uid, struct swap_uid_info *sip)
{
	struct swap_uid *su;

	mtx_lock(&swap_mtx);
	su = swap_uid_find(uid, false);
	if (su != NULL) {
		sip->su_uid = su->uid;
		sip->su_reserved = su->reserved;
		sip->su_limit = swap_uid_limit(su);
		sip->su_failures = su->failures;
	}
	mtx_unlock(&swap_mtx);
	return (su != NULL);
}

void
swap_foreach(void (*cb)(const struct swap_uid_info *, void *), void *arg)
{
	struct swap_uid_info *snap;
	size_t i, n;

	mtx_lock(&swap_mtx);
	n = swap_nuids;
	snap = n == 0 ? NULL : calloc(n, sizeof(*snap));
	if (n != 0 && snap == NULL) {
		mtx_unlock(&swap_mtx);
		return;
	}
	for (i = 0; i < n; i++) {
		snap[i].su_uid = swap_uids[i].uid;
		snap[i].su_reserved = swap_uids[i].reserved;
		snap[i].su_limit = swap_uid_limit(&swap_uids[i]);
		snap[i].su_failures = swap_uids[i].failures;
	}
	mtx_unlock(&swap_mtx);
	for (i = 0; i < n; i++)
		cb(&snap[i], arg);
	free(snap);
}
