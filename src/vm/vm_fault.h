/*
 * Page faults, after FreeBSD's vm_fault(): resolve (object, pindex) to a
 * resident, fully valid page, calling the object's pager if needed.
 *
 * This is what the filesystem calls for every READ and WRITE of a mapped
 * device or memory file.  The result comes back held (vm_page_hold, under
 * the page lock): its memory cannot be freed or reused until the caller
 * copies what it needs and calls vm_fault_unhold().  VM_PAGER_* codes
 * never leave src/vm: vm_fault returns KERN_* codes only.
 *
 * Fast path: a resident, fully valid, unbusied page is found with an RCU
 * lookup and held under its page lock only -- no object lock.  Otherwise
 * the slow path takes the object lock, puts a busy placeholder at pindex
 * (a RAM page from vm_page_alloc, or for OBJ_FICTITIOUS objects a fake
 * page -- a RAM page, as FreeBSD 10.4 always uses, when the fail point
 * vm_fault_fake_placeholder fires), calls vm_pager_get_pages and uses the
 * page the pager handed back in ma[reqpage], never the placeholder it may
 * have replaced and freed.
 *
 * Locks used to protect data in this file:
 *	(a)	atomic (striped per-thread counters)
 */
#ifndef _VM_VM_FAULT_H_
#define _VM_VM_FAULT_H_

#include "vm/vm.h"

/* Attempts at getting a placeholder (page allocation, trie node) before
 * giving up with KERN_RESOURCE_SHORTAGE; the n-th retry waits n ms. */
#define	VM_FAULT_ALLOC_RETRIES	8
/* Re-tries after the page went away during a pager call. */
#define	VM_FAULT_MAX_RETRIES	100

/*
 * Fault pindex of object in.  The caller holds a reference on object, no
 * VM lock, and is (or becomes, here) a registered RCU thread.  For
 * managed pages, map_key != 0 records (map_key, map_off) as a place the
 * page is served at (pmap_enter), so pmap_remove_all() can revoke it.
 * Returns:
 *	KERN_SUCCESS		*mp is the page, held, fully valid
 *	KERN_PROTECTION_FAILURE	pindex >= object size, dead object,
 *				VM_PAGER_BAD
 *	KERN_FAILURE		VM_PAGER_ERROR (or AGAIN); VM_PAGER_FAIL
 *				on a fictitious (device) object.  On other
 *				objects FAIL zero-fills, as FreeBSD does at
 *				the top object; FreeBSD 10.4 zero-fills
 *				for device objects too (its placeholder is
 *				a RAM page) -- a kept departure, see the
 *				top of device_pager.c
 *	KERN_RESOURCE_SHORTAGE	no page or trie node after
 *				VM_FAULT_ALLOC_RETRIES attempts
 */
int	vm_fault(vm_object_t object, vm_pindex_t pindex, vm_prot_t prot,
	    uint64_t map_key, vm_ooffset_t map_off, vm_page_t *mp);
/* Release the hold vm_fault() returned (takes the page lock). */
void	vm_fault_unhold(vm_page_t m);
/*
 * The prot of the fault this thread is running a pager call for
 * (VM_PROT_READ when none): lets a device pager tell a write fault from
 * a read one, since pgo_getpages has no prot argument.
 */
vm_prot_t vm_fault_prot(void);
/*
 * The read-ahead of the fault this thread runs (FreeBSD's rahead of
 * vm_pager_get_pages()): how many pages after the one being faulted the
 * caller is about to fault, at the next pindexes of the same object (0:
 * none or unknown).  A caller faulting a range says so before each
 * vm_fault() with vm_fault_set_ahead() and resets it to 0 when done; a
 * pager that fetches from far away may bring those pages in with the
 * same trip.  It is a hint: the pages may never be asked for.
 */
void	vm_fault_set_ahead(unsigned npages);
unsigned vm_fault_ahead(void);

/* Counters for vm/stats. */
struct vm_fault_counters {
	unsigned long	faults;		/* vm_fault() calls */
	unsigned long	fault_errors;	/* calls not returning KERN_SUCCESS */
	unsigned long	fastpath;	/* resolved without the object lock */
	unsigned long	pages;		/* pages brought in by a pager */
};
void	vm_fault_counters(struct vm_fault_counters *c);

#endif /* !_VM_VM_FAULT_H_ */
