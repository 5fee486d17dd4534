/*
 * The physical map, reduced to what a FUSE daemon can know (see pmap.h):
 * for each managed page, a list of pv entries recording where the page was
 * served, i.e. (mapping key, byte offset).  pmap_remove_all() turns those
 * into calls of the filesystem's unmap callback, which queues kernel
 * page-cache invalidations.
 *
 * The pv list of a page hangs from m->md.pv_list and is protected by the
 * page lock (vm_page_lock(m)), as FreeBSD's pv lists are by the pv list
 * locks.  Entries are malloc'd; pv_count mirrors the list length.
 *
 * Locks used to protect data in this file:
 *	(a)	atomic
 *	(p)	the page lock of the page the entry hangs from
 *	(s)	set once at start-up, before pages are mapped
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "kern/kassert.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/pmap.h"

static pmap_unmap_cb_t *pmap_unmap_cb;		/* (s) */
static void *pmap_unmap_arg;			/* (s) */
static unsigned long pmap_unmap_count;		/* (a) callbacks issued */

/*
 * Register the function that revokes a place (key, offset, len); NULL
 * removes it.  Set it before any page is mapped: a concurrent
 * pmap_remove_all() may see the old or the new pair.
 */
void
pmap_set_unmap_callback(pmap_unmap_cb_t *cb, void *arg)
{

	__atomic_store_n(&pmap_unmap_arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&pmap_unmap_cb, cb, __ATOMIC_RELEASE);
}

/*
 * Machine-dependent initialisation of a fresh page structure: no
 * mappings, write-back (FreeBSD's PAT_WRITE_BACK default).
 */
void
pmap_page_init(vm_page_t m)
{

	m->md.pv_list = NULL;
	m->md.pv_count = 0;
	m->md.pat_mode = VM_MEMATTR_DEFAULT;
}

/*
 * Record that m was served at (key, offset).  Idempotent: a place already
 * recorded is not added twice.  Managed pages only.
 * The page lock must be held.
 */
void
pmap_enter(vm_page_t m, uint64_t key, vm_ooffset_t offset)
{
	struct pv_entry *pv;

	vm_page_lock_assert(m, MA_OWNED);
	KASSERT((m->oflags & VPO_UNMANAGED) == 0,
	    ("pmap_enter: page %p is not managed", (void *)m));
	for (pv = m->md.pv_list; pv != NULL; pv = pv->pv_next)
		if (pv->pv_key == key && pv->pv_offset == offset)
			return;
	KASSERT(m->md.pv_count < UINT16_MAX,
	    ("pmap_enter: page %p has too many mappings", (void *)m));
	pv = malloc(sizeof(*pv));
	if (pv == NULL)
		panic("pmap_enter: no memory for a pv entry");
	pv->pv_key = key;
	pv->pv_offset = offset;
	pv->pv_next = m->md.pv_list;
	m->md.pv_list = pv;
	m->md.pv_count++;
}

/*
 * Revoke every place m was served at: the unmap callback runs once per
 * recorded place, with the page lock held, then the entries are freed.
 * The page must be managed (FreeBSD asserts the same).  Takes the page
 * lock; the caller must not hold it.
 */
void
pmap_remove_all(vm_page_t m)
{
	struct pv_entry *pv, *next;
	pmap_unmap_cb_t *cb;
	void *arg;

	KASSERT((m->oflags & VPO_UNMANAGED) == 0,
	    ("pmap_remove_all: page %p is not managed", (void *)m));
	cb = __atomic_load_n(&pmap_unmap_cb, __ATOMIC_ACQUIRE);
	arg = __atomic_load_n(&pmap_unmap_arg, __ATOMIC_RELAXED);
	vm_page_lock(m);
	pv = m->md.pv_list;
	m->md.pv_list = NULL;
	m->md.pv_count = 0;
	for (; pv != NULL; pv = next) {
		next = pv->pv_next;
		if (cb != NULL) {
			cb(pv->pv_key, pv->pv_offset, PAGE_SIZE, arg);
			__atomic_add_fetch(&pmap_unmap_count, 1,
			    __ATOMIC_RELAXED);
		}
		free(pv);
	}
	vm_page_unlock(m);
}

/*
 * Forget the places of m under key, without a callback (that mapping went
 * away by itself, e.g. the node was released).
 * The page lock must be held.
 */
void
pmap_remove_key(vm_page_t m, uint64_t key)
{
	struct pv_entry **pvp, *pv;

	vm_page_lock_assert(m, MA_OWNED);
	pvp = &m->md.pv_list;
	while ((pv = *pvp) != NULL) {
		if (pv->pv_key == key) {
			*pvp = pv->pv_next;
			m->md.pv_count--;
			free(pv);
		} else
			pvp = &pv->pv_next;
	}
}

/* Number of places m is recorded at.  The page lock must be held. */
int
pmap_page_mapping_count(vm_page_t m)
{

	return (m->md.pv_count);
}

/*
 * Set the page's memory attribute.  FreeBSD also changes the direct map
 * of a real page; the daemon has nothing to change, it records and
 * reports the attribute.
 */
void
pmap_page_set_memattr(vm_page_t m, vm_memattr_t ma)
{

	__atomic_store_n(&m->md.pat_mode, ma, __ATOMIC_RELAXED);
}

vm_memattr_t
pmap_page_get_memattr(vm_page_t m)
{

	return (__atomic_load_n(&m->md.pat_mode, __ATOMIC_RELAXED));
}

unsigned long
pmap_unmap_calls(void)
{

	return (__atomic_load_n(&pmap_unmap_count, __ATOMIC_RELAXED));
}
