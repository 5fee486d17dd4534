/*
 * Resident memory pages, after FreeBSD's vm_page.c: hashed page locks,
 * holds, busy state, object membership, RAM page allocation and the fake
 * (fictitious, unmanaged) pages that alias device memory.
 *
 * Fake pages come from a type-stable zone of our own: slabs are allocated
 * with calloc() and never returned to libc, and a freed fake page goes
 * straight back onto the zone's free list.  An RCU reader that found a
 * fake page through vm_page_lookup_unlocked() therefore always reads a
 * struct vm_page, never freed memory; it must take the page lock and
 * re-check object/pindex before trusting it, exactly as for RAM pages
 * (which live in vm_phys's page array for the life of the daemon).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/pmap.h"

#define	FAKEPG_SLAB	64		/* fake pages per calloc() */

/*
 * The fake-page zone.
 *	(z)	fakepg_mtx
 */
static struct mtx fakepg_mtx;
static SLIST_HEAD(, vm_page) fakepg_free =		/* (z) via plinks.s.ss */
    SLIST_HEAD_INITIALIZER(fakepg_free);
static unsigned long fakepg_items;			/* (z) ever allocated */
static unsigned long fakepg_inuse;			/* (a) handed out */

struct mtx pa_lock[PA_LOCK_COUNT];
static bool vm_page_inited;

static vm_page_t fakepg_alloc(void);
static void	fakepg_free_page(vm_page_t m);

/*
 * Initialise the hashed page locks and the fake-page zone.  Idempotent,
 * so tests that bring the VM up several times in one process can call it.
 */
void
vm_page_init(void)
{
	int i;

	if (vm_page_inited)
		return;
	for (i = 0; i < PA_LOCK_COUNT; i++)
		mtx_init(&pa_lock[i], "vm page", LOCK_RANK_VM_PAGE,
		    MTX_DUPOK);
	mtx_init(&fakepg_mtx, "fakepg zone", LOCK_RANK_LEAF, MTX_DEF);
	vm_page_inited = true;
}

/*
 * Lock the page's bucket.  The address is read before the lock is taken,
 * so re-check it: a fake page's phys_addr changes only under the old
 * bucket's lock, hence a match after acquiring means we hold the right one.
 */
void
_vm_page_lock(vm_page_t m, const char *file, int line)
{
	struct mtx *mtx;

	for (;;) {
		mtx = vm_page_lockptr(m);
		_mtx_lock(mtx, file, line);
		if (__predict_true(mtx == vm_page_lockptr(m)))
			return;
		_mtx_unlock(mtx, file, line);
	}
}

int
_vm_page_trylock(vm_page_t m, const char *file, int line)
{
	struct mtx *mtx;

	for (;;) {
		mtx = vm_page_lockptr(m);
		if (!_mtx_trylock(mtx, file, line))
			return (0);
		if (__predict_true(mtx == vm_page_lockptr(m)))
			return (1);
		_mtx_unlock(mtx, file, line);
	}
}

/*
 * Change a page's physical address.  The old bucket's lock is held across
 * the store so a concurrent vm_page_lock() either sees the new address or
 * notices the move after acquiring the old bucket.
 */
static void
vm_page_set_phys(vm_page_t m, vm_paddr_t paddr)
{
	struct mtx *mtx;

	if (m->phys_addr == paddr)
		return;
	vm_page_lock(m);
	mtx = vm_page_lockptr(m);
	__atomic_store_n(&m->phys_addr, paddr, __ATOMIC_RELEASE);
	mtx_unlock(mtx);
}

/*
 * The fake-page zone.  Items are never given back to libc (type-stable);
 * a free item keeps object == NULL, so a stale RCU reader re-checking
 * m->object never mistakes it for a resident page.
 */
static vm_page_t
fakepg_alloc(void)
{
	vm_page_t m, slab;
	int i;

	mtx_lock(&fakepg_mtx);
	m = SLIST_FIRST(&fakepg_free);
	if (m == NULL) {
		mtx_unlock(&fakepg_mtx);
		slab = calloc(FAKEPG_SLAB, sizeof(*slab));
		if (slab == NULL)
			panic("vm_page_getfake: out of memory");
		for (i = 0; i < FAKEPG_SLAB; i++)
			slab[i].queue = PQ_NONE;
		mtx_lock(&fakepg_mtx);
		for (i = 0; i < FAKEPG_SLAB; i++)
			SLIST_INSERT_HEAD(&fakepg_free, &slab[i],
			    plinks.s.ss);
		fakepg_items += FAKEPG_SLAB;
		m = SLIST_FIRST(&fakepg_free);
	}
	SLIST_REMOVE_HEAD(&fakepg_free, plinks.s.ss);
	mtx_unlock(&fakepg_mtx);
	__atomic_add_fetch(&fakepg_inuse, 1, __ATOMIC_RELAXED);
	memset(&m->plinks, 0, sizeof(m->plinks));
	return (m);
}

static void
fakepg_free_page(vm_page_t m)
{

	KASSERT(m->object == NULL,
	    ("fakepg_free_page: page %p still in object %p", (void *)m,
	    (void *)m->object));
	m->flags &= ~PG_UNHOLDFREE;
	m->valid = m->dirty = 0;
	__atomic_store_n(&m->busy_lock, VPB_UNBUSIED, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&fakepg_inuse, 1, __ATOMIC_RELAXED);
	mtx_lock(&fakepg_mtx);
	SLIST_INSERT_HEAD(&fakepg_free, m, plinks.s.ss);
	mtx_unlock(&fakepg_mtx);
}

unsigned long
vm_page_fake_count(void)
{

	return (__atomic_load_n(&fakepg_inuse, __ATOMIC_RELAXED));
}

/*
 * Allocate a fake page aliasing paddr.  Like FreeBSD's (M_WAITOK) it may
 * block: the caller must hold no object lock (checked under WITNESS by
 * the lock counts: no lock of any kind may be held).
 */
vm_page_t
vm_page_getfake(vm_paddr_t paddr, vm_memattr_t memattr)
{
	vm_page_t m;

#ifdef WITNESS
	KASSERT(witness_held_count() == 0,
	    ("vm_page_getfake: called with %d locks held",
	    witness_held_count()));
#endif
	m = fakepg_alloc();
	/*
	 * A recycled item may still be seen by a stale RCU reader: move its
	 * address under the old bucket lock, then reset it completely.
	 */
	vm_page_set_phys(m, paddr);
	m->object = NULL;
	m->pindex = 0;
	m->flags = 0;
	m->oflags = 0;
	m->aflags = 0;
	m->hold_count = 0;
	m->wire_count = 0;
	m->segind = -1;
	m->valid = m->dirty = 0;
	vm_page_initfake(m, paddr, memattr);
	return (m);
}

/*
 * Make m a fake page for paddr: fictitious, unmanaged, exclusive busy,
 * wired once, never on a paging queue.  A page that is already fictitious
 * only gets its memattr updated.  vm_phys also uses this on the pages of
 * registered fictitious ranges (and then makes them managed).
 */
void
vm_page_initfake(vm_page_t m, vm_paddr_t paddr, vm_memattr_t memattr)
{

	if ((m->flags & PG_FICTITIOUS) != 0) {
		/*
		 * The page is already fictitious; only the memattr may
		 * change (FreeBSD's "memattr" label).
		 */
		pmap_page_set_memattr(m, memattr);
		return;
	}
	m->phys_addr = paddr;
	m->queue = PQ_NONE;
	m->flags = PG_FICTITIOUS;
	m->oflags = VPO_UNMANAGED;
	__atomic_store_n(&m->busy_lock, VPB_SINGLE_EXCLUSIVER,
	    __ATOMIC_RELAXED);
	m->wire_count = 1;
	pmap_page_init(m);
	pmap_page_set_memattr(m, memattr);
}

/*
 * Release a fake page obtained from vm_page_getfake().  It must already
 * be out of any object (vm_page_remove, or detached by terminate).  A
 * page still held by a reader (vm_page_hold) is freed by the last
 * vm_page_unhold() instead.
 */
void
vm_page_putfake(vm_page_t m)
{

	KASSERT((m->oflags & VPO_UNMANAGED) != 0,
	    ("vm_page_putfake: managed %p", (void *)m));
	KASSERT((m->flags & PG_FICTITIOUS) != 0,
	    ("vm_page_putfake: bad page %p", (void *)m));
	vm_page_lock(m);
	if (m->hold_count != 0) {
		KASSERT((m->flags & PG_UNHOLDFREE) == 0,
		    ("vm_page_putfake: page %p freed twice", (void *)m));
		m->flags |= PG_UNHOLDFREE;
		vm_page_unlock(m);
		return;
	}
	vm_page_unlock(m);
	fakepg_free_page(m);
}

/*
 * Point a fake page at a new address and memattr (the device pager's
 * "the driver moved the page" path).  The owning object, if any, must be
 * write-locked by the caller.
 */
void
vm_page_updatefake(vm_page_t m, vm_paddr_t paddr, vm_memattr_t memattr)
{

	KASSERT((m->flags & PG_FICTITIOUS) != 0,
	    ("vm_page_updatefake: bad page %p", (void *)m));
	vm_page_set_phys(m, paddr);
	pmap_page_set_memattr(m, memattr);
}

vm_memattr_t
vm_page_memattr(vm_page_t m)
{

	return (pmap_page_get_memattr(m));
}

_Static_assert(sizeof(struct vm_page) <= 128,
    "struct vm_page must fit in 128 bytes");
