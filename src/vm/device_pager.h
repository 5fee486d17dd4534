/*
 * The device pager's extras beyond the cdev_pager(9) KPI of vm_pager.h:
 * counters, the list checker, and test-only knobs.
 *
 * The pager keeps every OBJT_DEVICE and OBJT_MGTDEVICE object on
 * dev_pager_object_list (linked through pager_object_list), under
 * dev_pager_mtx ("dev_pager list", LOCK_RANK_PAGER_LIST), which ranks
 * before every object lock: a lookup by handle holds it while it locks
 * each matching object, and dev_pager_dealloc drops the object lock
 * before taking it.  The list is changed with the RCU list primitives,
 * so lock-free walks (vm_pager_object_lookup_rcu) are safe too.
 *
 * Test hooks (kern/test_hook.h), named as reference section 4:
 *	"cdev_pager_allocate_H1"  after the first lookup found nothing and
 *				  dev_pager_mtx was dropped
 *	"cdev_pager_allocate_H2"  the new object is fully built, before
 *				  dev_pager_mtx is taken again
 *	"dev_pager_dealloc_H3"	  after the dtor, before dev_pager_mtx (no
 *				  lock held)
 * Fail point: dev_pager_fault (evaluated at the top of getpages; when it
 * fires the fault fails with VM_PAGER_ERROR).
 *
 * Locks used to protect data in this file:
 *	(a)	atomic
 */
#ifndef _VM_DEVICE_PAGER_H_
#define _VM_DEVICE_PAGER_H_

#include <stddef.h>

#include "vm/vm.h"

struct dev_pager_counters {
	unsigned long	built;		/* objects built (winners + losers) */
	unsigned long	found;		/* allocations that found an object */
	unsigned long	race_losers;	/* objects built, then torn down */
	unsigned long	deallocs;	/* dev_pager_dealloc calls */
	unsigned long	dealloc_pages;	/* fake pages freed by dealloc */
	unsigned long	faults;		/* getpages calls */
	unsigned long	fault_errors;	/* getpages not VM_PAGER_OK */
	unsigned long	memattr_warnings; /* alias warnings printed */
};
void	dev_pager_counters(struct dev_pager_counters *c);

/*
 * Walk dev_pager_object_list under dev_pager_mtx, forwards and backwards,
 * checking the links, the object types and that no two live objects
 * share a handle.  Returns the number of problems (0: consistent) and
 * describes the first in buf.  *countp, if not NULL, gets the length.
 */
int	dev_pager_list_check(char *buf, size_t len, unsigned *countp);

/*
 * Broken variants of reference section 4, selectable only by tests, to
 * prove that the checkers catch them:
 *	DEV_PAGER_LOSER_NO_PGLIST_INIT	4.2 (a): the race loser's
 *		devp_pglist is left as zero-filled memory instead of
 *		being initialised (dealloc refuses it: panic)
 *	DEV_PAGER_LOSER_NOT_LISTED	4.2 (b): the loser is not put on
 *		the list before it is deallocated (dealloc refuses to
 *		unlink a non-member: panic)
 *	DEV_PAGER_LOSER_KEEPS_HANDLE	4.2 (c): the loser stays on the
 *		list with the real handle until it dies (the list checker
 *		reports two live objects with one handle)
 *	DEV_PAGER_DEALLOC_LOR		4.3 C: dealloc takes dev_pager_mtx
 *		with the object lock still held (the witness reports
 *		"vm object" -> "dev_pager list")
 */
enum dev_pager_variant {
	DEV_PAGER_CORRECT = 0,
	DEV_PAGER_LOSER_NO_PGLIST_INIT,
	DEV_PAGER_LOSER_NOT_LISTED,
	DEV_PAGER_LOSER_KEEPS_HANDLE,
	DEV_PAGER_DEALLOC_LOR,
};
void	dev_pager_set_variant(enum dev_pager_variant v);

#endif /* !_VM_DEVICE_PAGER_H_ */
