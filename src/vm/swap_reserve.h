/*
 * Swap (anonymous memory) accounting per uid, after FreeBSD's
 * swap_reserve_by_cred() / swap_release_by_cred() and RLIMIT_SWAP.
 *
 * Anonymous objects (OBJT_DEFAULT, OBJT_SWAP) are charged to the uid of
 * the credentials they are allocated with, when they are allocated, and
 * released when they are destroyed.  A reservation fails, charging
 * nothing, if it would take the uid past its limit or the daemon past the
 * global total (the simulated RAM size: there is no swap device, every
 * anonymous page lives in RAM).  The per-uid limit is unlimited unless a
 * default limit (the swap_limit mount option) or a limit for that uid
 * (ctl "swap limit") is set.  Device objects are never charged.
 *
 * Locks used to protect struct members in this file:
 *	(s)	the swap accounting lock (rank LOCK_RANK_SWAP, a leaf)
 */
#ifndef _VM_SWAP_RESERVE_H_
#define _VM_SWAP_RESERVE_H_

#include <stdbool.h>
#include <sys/types.h>

#include "kern/ucred.h"
#include "vm/vm.h"

#define	SWAP_LIMIT_INFINITY	UINT64_MAX

/* Per-uid figures, as vm/swap shows them. */
struct swap_uid_info {
	uid_t		su_uid;
	vm_ooffset_t	su_reserved;	/* (s) bytes charged now */
	vm_ooffset_t	su_limit;	/* (s) SWAP_LIMIT_INFINITY: none */
	unsigned long	su_failures;	/* (s) reservations refused */
};

/* Set the global total (bytes) and forget every uid.  Idempotent set-up
 * for vm_init(); swap_reserve_fini() frees the table (tests). */
void	swap_reserve_init(vm_ooffset_t total);
void	swap_reserve_fini(void);

/*
 * Charge incr bytes (page-aligned, KASSERT) to cred's uid.  True on
 * success; false (nothing charged, the uid's failure count bumped) when
 * the uid's limit or the global total would be exceeded, or the
 * swap_reserve fail point fires.
 */
bool	swap_reserve_by_cred(vm_ooffset_t incr, const struct ucred *cred);
/* Give back decr bytes charged to cred's uid earlier. */
void	swap_release_by_cred(vm_ooffset_t decr, const struct ucred *cred);

/* Limits.  The default applies to uids without their own limit. */
void	swap_set_default_limit(vm_ooffset_t limit);
vm_ooffset_t swap_default_limit(void);
void	swap_set_limit(uid_t uid, vm_ooffset_t limit);
void	swap_set_total(vm_ooffset_t total);
vm_ooffset_t swap_total(void);
vm_ooffset_t swap_reserved(void);		/* all uids */

/* One uid's figures; false if the uid was never seen. */
bool	swap_uid_get(uid_t uid, struct swap_uid_info *sip);
/* Call cb once per known uid in ascending uid order, from a snapshot
 * (no lock held during the callbacks). */
void	swap_foreach(void (*cb)(const struct swap_uid_info *, void *),
	    void *arg);

#endif /* !_VM_SWAP_RESERVE_H_ */
