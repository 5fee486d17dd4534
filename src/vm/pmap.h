/*
 * The physical map, reduced to what a FUSE daemon can know: for every
 * managed page, the places it was served at.  A place is a mapping key
 * (an opaque 64-bit number the filesystem layer chooses, e.g. its inode
 * number) and a byte offset in it.
 *
 * pmap_remove_all(m) calls the registered unmap callback once for each
 * recorded place of m and forgets them; the filesystem's callback turns
 * that into a kernel page-cache invalidation.  Unmanaged pages (OBJT_DEVICE
 * fake pages) are never recorded, as in FreeBSD.
 *
 * The callback is called with the page lock held: it must only queue work
 * and never take a VM lock.
 *
 * Locks used to protect struct members in this file:
 *	(p)	the page lock of the page the entry hangs from
 */
#ifndef _VM_PMAP_H_
#define _VM_PMAP_H_

#include "vm/vm.h"

struct pv_entry {
	struct pv_entry	*pv_next;	/* (p) */
	uint64_t	 pv_key;	/* (p) mapping key */
	vm_ooffset_t	 pv_offset;	/* (p) byte offset in the mapping */
};

typedef void pmap_unmap_cb_t(uint64_t key, vm_ooffset_t offset,
    vm_size_t len, void *arg);

void	pmap_set_unmap_callback(pmap_unmap_cb_t *cb, void *arg);

void	pmap_page_init(vm_page_t m);
/* Record that m was served at (key, offset); idempotent.  Managed pages
 * only; the page lock must be held. */
void	pmap_enter(vm_page_t m, uint64_t key, vm_ooffset_t offset);
/* Forget every place of m, calling the callback for each.  KASSERTs the
 * page is managed.  Takes the page lock. */
void	pmap_remove_all(vm_page_t m);
/* Forget the places of m under key without calling the callback (the
 * mapping went away by itself).  Page lock held. */
void	pmap_remove_key(vm_page_t m, uint64_t key);
int	pmap_page_mapping_count(vm_page_t m);	/* page lock held */
void	pmap_page_set_memattr(vm_page_t m, vm_memattr_t ma);
vm_memattr_t pmap_page_get_memattr(vm_page_t m);
/* Counter of callbacks issued (for vm/stats and tests). */
unsigned long pmap_unmap_calls(void);

#endif /* !_VM_PMAP_H_ */
