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
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/sleepqueue.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/vm_radix.h"
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

FAIL_POINT_DEFINE(vm_page_alloc);

static vm_page_t fakepg_alloc(void);
static void	fakepg_free_page(vm_page_t m);
static void	vm_page_memq_insert(vm_page_t m, vm_object_t object);
static void	vm_page_wake_waiters(vm_page_t m);
static void	vm_page_zero_range(vm_page_t m, int base, int size);
static void	vm_page_free_phys(vm_page_t m);

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
	m->flags = PG_FAKEZONE;
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
	m->flags = PG_FICTITIOUS | (m->flags & PG_FAKEZONE);
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
	KASSERT((m->flags & PG_FAKEZONE) != 0,
	    ("vm_page_putfake: page %p is not from vm_page_getfake",
	    (void *)m));
	KASSERT(m->object == NULL,
	    ("vm_page_putfake: page %p still in object %p", (void *)m,
	    (void *)m->object));
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


/*
 * Allocate a RAM page and, if object is not NULL, insert it at pindex,
 * exclusive busy unless VM_ALLOC_NOBUSY.  NULL when no page is free, when
 * the vm_page_alloc fail point fires, or when the radix insert needs a node
 * it cannot get (the page is then freed again; the caller backs off and
 * retries, FreeBSD's VM_WAIT).
 *
 * The object, if any, must be locked (write).  With VM_ALLOC_ZERO the page
 * is cleared through its host mapping; the caller must be a registered RCU
 * thread.
 */
vm_page_t
vm_page_alloc(vm_object_t object, vm_pindex_t pindex, int req)
{
	vm_page_t m;
	void *p;

	if (FAIL_POINT_EVAL(vm_page_alloc) != 0)
		return (NULL);
	KASSERT((object == NULL) == ((req & VM_ALLOC_NOOBJ) != 0),
	    ("vm_page_alloc: inconsistent object(%p)/req(%x)",
	    (void *)object, req));
	if (object != NULL)
		VM_OBJECT_ASSERT_WLOCKED(object);

	m = vm_phys_alloc_page();
	if (m == NULL)
		return (NULL);
	KASSERT(m->object == NULL, ("vm_page_alloc: page %p has object %p",
	    (void *)m, (void *)m->object));
	KASSERT(m->hold_count == 0, ("vm_page_alloc: page %p is held",
	    (void *)m));
	KASSERT((m->flags & PG_FICTITIOUS) == 0,
	    ("vm_page_alloc: fictitious page %p", (void *)m));
	m->flags = 0;
	m->oflags = (object != NULL && (object->flags & OBJ_UNMANAGED) != 0) ?
	    VPO_UNMANAGED : 0;
	m->aflags = 0;
	m->queue = PQ_NONE;
	m->wire_count = (req & VM_ALLOC_WIRED) != 0 ? 1 : 0;
	m->valid = 0;
	m->dirty = 0;
	__atomic_store_n(&m->busy_lock,
	    (object != NULL && (req & VM_ALLOC_NOBUSY) == 0) ?
	    VPB_SINGLE_EXCLUSIVER : VPB_UNBUSIED, __ATOMIC_RELAXED);
	/*
	 * The object's default memattr applies to its pages, except for
	 * fictitious objects, whose pager sets the memattr of the pages it
	 * hands out.
	 */
	if (object != NULL && (object->flags & OBJ_FICTITIOUS) == 0 &&
	    object->memattr != VM_MEMATTR_DEFAULT)
		pmap_page_set_memattr(m, object->memattr);
	if ((req & VM_ALLOC_ZERO) != 0) {
		rcu_read_lock();
		p = vm_phys_to_host(VM_PAGE_TO_PHYS(m));
		KASSERT(p != NULL, ("vm_page_alloc: no host address for %#jx",
		    (uintmax_t)VM_PAGE_TO_PHYS(m)));
		memset(p, 0, PAGE_SIZE);
		rcu_read_unlock();
		m->flags |= PG_ZERO;
	}
	if (object != NULL && vm_page_insert(m, object, pindex) != 0) {
		/* Never published: nobody can hold it. */
		vm_page_free_phys(m);
		return (NULL);
	}
	return (m);
}

/*
 * Give a RAM page back to vm_phys with its per-use state reset (memattr
 * back to the default, as FreeBSD's vm_page_free_toq does).
 */
static void
vm_page_free_phys(vm_page_t m)
{

	KASSERT((m->flags & PG_FICTITIOUS) == 0,
	    ("vm_page_free_phys: fictitious page %p", (void *)m));
	KASSERT(m->object == NULL, ("vm_page_free_phys: page %p in object %p",
	    (void *)m, (void *)m->object));
	if (pmap_page_get_memattr(m) != VM_MEMATTR_DEFAULT)
		pmap_page_set_memattr(m, VM_MEMATTR_DEFAULT);
	m->flags &= ~(PG_UNHOLDFREE | PG_ZERO | PG_MEMATTR_WARNED);
	m->oflags = 0;
	m->aflags = 0;
	m->wire_count = 0;
	m->valid = 0;
	m->dirty = 0;
	__atomic_store_n(&m->busy_lock, VPB_UNBUSIED, __ATOMIC_RELEASE);
	vm_phys_free_page(m);
}

/*
 * Free a page.  Managed pages: the page lock must be held.  A page still
 * in an object is removed first (the object must be write-locked).
 */
void
vm_page_free(vm_page_t m)
{

	vm_page_free_toq(m);
}

/*
 * Free a page whose lock the caller does not hold: a managed page is
 * freed under its page lock, a fake (unmanaged) one needs none.  What
 * the pagers and fault handlers do with a placeholder that
 * vm_page_replace() handed back and with the other pages of a request.
 */
void
vm_page_free_unlocked(vm_page_t m)
{

	if ((m->oflags & VPO_UNMANAGED) == 0) {
		vm_page_lock(m);
		vm_page_free(m);
		vm_page_unlock(m);
	} else
		vm_page_free(m);
}

/*
 * FreeBSD's vm_page_free_toq().  Fictitious pages are only taken out of
 * their object (their memory is not ours), except fake pages from our own
 * zone, which go back to it (a placeholder the pager replaced would leak
 * otherwise).  A held page is marked PG_UNHOLDFREE and freed by the last
 * vm_page_unhold().  Managed pages: the page lock must be held; unmanaged
 * pages take it here for the hold check if the caller does not hold it.
 */
void
vm_page_free_toq(vm_page_t m)
{
	bool locked;

	if ((m->oflags & VPO_UNMANAGED) == 0) {
		vm_page_lock_assert(m, MA_OWNED);
		KASSERT((m->flags & PG_FICTITIOUS) != 0 ||
		    pmap_page_mapping_count(m) == 0,
		    ("vm_page_free_toq: freeing mapped page %p", (void *)m));
	}
	KASSERT((__atomic_load_n(&m->busy_lock, __ATOMIC_RELAXED) &
	    VPB_BIT_SHARED) == 0 || m->busy_lock == VPB_UNBUSIED,
	    ("vm_page_free_toq: freeing shared-busy page %p", (void *)m));
	if (m->object != NULL)
		vm_page_remove(m);
	if ((m->flags & PG_FICTITIOUS) != 0 &&
	    (m->flags & PG_FAKEZONE) == 0)
		return;

	locked = mtx_owned(vm_page_lockptr(m));
	if (!locked)
		vm_page_lock(m);
	if (m->hold_count != 0) {
		KASSERT((m->flags & PG_UNHOLDFREE) == 0,
		    ("vm_page_free_toq: freeing page %p twice", (void *)m));
		m->flags |= PG_UNHOLDFREE;
		if (!locked)
			vm_page_unlock(m);
		return;
	}
	if (!locked)
		vm_page_unlock(m);
	if ((m->flags & PG_FICTITIOUS) != 0)
		fakepg_free_page(m);
	else
		vm_page_free_phys(m);
}

/*
 * Keep memq sorted by pindex, as FreeBSD does (vm_page_insert_after with
 * the predecessor from the trie).  m is already in the trie.
 */
static void
vm_page_memq_insert(vm_page_t m, vm_object_t object)
{
	vm_page_t mpred;

	mpred = m->pindex == 0 ? NULL :
	    vm_radix_lookup_le(&object->rtree, m->pindex - 1);
	if (mpred != NULL)
		TAILQ_INSERT_AFTER(&object->memq, mpred, m, listq);
	else
		TAILQ_INSERT_HEAD(&object->memq, m, listq);
}

/*
 * Insert m into object at pindex.  Returns 0, or 1 when the trie could
 * not get a node (ENOMEM): then nothing changed and m->object/pindex are
 * reset, as FreeBSD's vm_page_insert does.  m->object and m->pindex are
 * set before the trie publishes m, so an RCU reader that finds m sees
 * them.  The object must be locked (write).
 */
int
vm_page_insert(vm_page_t m, vm_object_t object, vm_pindex_t pindex)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(m->object == NULL,
	    ("vm_page_insert: page %p already inserted in %p", (void *)m,
	    (void *)m->object));
	__atomic_store_n(&m->pindex, pindex, __ATOMIC_RELAXED);
	__atomic_store_n(&m->object, object, __ATOMIC_RELEASE);
	if (vm_radix_insert(&object->rtree, m) != 0) {
		__atomic_store_n(&m->object, NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&m->pindex, 0, __ATOMIC_RELAXED);
		return (1);
	}
	vm_page_memq_insert(m, object);
	__atomic_store_n(&object->resident_page_count,
	    object->resident_page_count + 1, __ATOMIC_RELAXED);
	object->generation++;
	return (0);
}

/*
 * Take m out of its object (no-op if it has none) and unbusy it if it
 * was exclusive busy.  The object must be locked (write); for a managed
 * page the page lock must be held too.
 */
void
vm_page_remove(vm_page_t m)
{
	vm_object_t object;
	vm_page_t mrem;

	object = m->object;
	if (object == NULL)
		return;
	VM_OBJECT_ASSERT_WLOCKED(object);
	if ((m->oflags & VPO_UNMANAGED) == 0)
		vm_page_lock_assert(m, MA_OWNED);
	if (vm_page_xbusied(m))
		vm_page_xunbusy(m);
	mrem = vm_radix_remove(&object->rtree, m->pindex);
	KASSERT(mrem == m, ("vm_page_remove: removed page %p, expected %p",
	    (void *)mrem, (void *)m));
	(void)mrem;
	TAILQ_REMOVE(&object->memq, m, listq);
	KASSERT(object->resident_page_count > 0,
	    ("vm_page_remove: object %p has no resident pages",
	    (void *)object));
	__atomic_store_n(&object->resident_page_count,
	    object->resident_page_count - 1, __ATOMIC_RELAXED);
	object->generation++;
	__atomic_store_n(&m->object, NULL, __ATOMIC_RELEASE);
}

/*
 * Put mnew in place of the page at pindex: trie replace and memq relink
 * in one step, so lookups never see a hole.  The old page loses its
 * object, is unbusied and is returned for the caller to free.  The object
 * must be locked (write); there must be a page at pindex.
 */
vm_page_t
vm_page_replace(vm_page_t mnew, vm_object_t object, vm_pindex_t pindex)
{
	vm_page_t mold;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(mnew->object == NULL,
	    ("vm_page_replace: page %p already in object %p", (void *)mnew,
	    (void *)mnew->object));
	__atomic_store_n(&mnew->pindex, pindex, __ATOMIC_RELAXED);
	__atomic_store_n(&mnew->object, object, __ATOMIC_RELEASE);
	mold = vm_radix_replace(&object->rtree, mnew);
	KASSERT(mold != NULL && mold->object == object &&
	    mold->pindex == pindex,
	    ("vm_page_replace: no page %p at %ju in %p", (void *)mold,
	    (uintmax_t)pindex, (void *)object));
	TAILQ_INSERT_AFTER(&object->memq, mold, mnew, listq);
	TAILQ_REMOVE(&object->memq, mold, listq);
	__atomic_store_n(&mold->object, NULL, __ATOMIC_RELEASE);
	if (vm_page_xbusied(mold))
		vm_page_xunbusy(mold);
	object->generation++;
	return (mold);
}

/*
 * Move m to new_object at new_pindex.  Returns 0, or 1 if the new trie
 * could not get a node: then m is left where it was.  Both objects must
 * be locked (write); for a managed page the page lock must be held.
 */
int
vm_page_rename(vm_page_t m, vm_object_t new_object, vm_pindex_t new_pindex)
{
	vm_object_t old_object;
	vm_pindex_t opidx;
	vm_page_t mrem;

	old_object = m->object;
	KASSERT(old_object != NULL, ("vm_page_rename: page %p has no object",
	    (void *)m));
	VM_OBJECT_ASSERT_WLOCKED(old_object);
	VM_OBJECT_ASSERT_WLOCKED(new_object);
	if ((m->oflags & VPO_UNMANAGED) == 0)
		vm_page_lock_assert(m, MA_OWNED);

	/*
	 * Insert into the new trie first: if that fails nothing has moved.
	 * Until m->object is updated below, an RCU reader of either object
	 * may find m with a mismatching object or pindex; readers re-check
	 * both and fall back to the locked path.
	 */
	opidx = m->pindex;
	__atomic_store_n(&m->pindex, new_pindex, __ATOMIC_RELEASE);
	if (vm_radix_insert(&new_object->rtree, m) != 0) {
		__atomic_store_n(&m->pindex, opidx, __ATOMIC_RELAXED);
		return (1);
	}
	/* The trie finds leaves by their page's pindex: restore it. */
	__atomic_store_n(&m->pindex, opidx, __ATOMIC_RELEASE);
	mrem = vm_radix_remove(&old_object->rtree, opidx);
	KASSERT(mrem == m, ("vm_page_rename: removed %p, expected %p",
	    (void *)mrem, (void *)m));
	(void)mrem;
	__atomic_store_n(&m->pindex, new_pindex, __ATOMIC_RELEASE);
	TAILQ_REMOVE(&old_object->memq, m, listq);
	__atomic_store_n(&old_object->resident_page_count,
	    old_object->resident_page_count - 1, __ATOMIC_RELAXED);
	old_object->generation++;

	__atomic_store_n(&m->object, new_object, __ATOMIC_RELEASE);
	vm_page_memq_insert(m, new_object);
	__atomic_store_n(&new_object->resident_page_count,
	    new_object->resident_page_count + 1, __ATOMIC_RELAXED);
	new_object->generation++;
	/* FreeBSD marks the page dirty: its contents have no backing yet. */
	m->dirty = VM_PAGE_BITS_ALL;
	return (0);
}

/*
 * The page at pindex, or NULL.  The object must be locked (read or
 * write).
 */
vm_page_t
vm_page_lookup(vm_object_t object, vm_pindex_t pindex)
{

	VM_OBJECT_ASSERT_LOCKED(object);
	return (vm_radix_lookup(&object->rtree, pindex));
}

/*
 * The page at pindex without the object lock.  Call with rcu_read_lock
 * held.  The page is type-stable but may be removed, freed and reused at
 * any moment: take its page lock and re-check object, pindex (and
 * validity) before holding it.
 */
vm_page_t
vm_page_lookup_unlocked(vm_object_t object, vm_pindex_t pindex)
{

	KASSERT(rcu_read_ongoing(),
	    ("vm_page_lookup_unlocked: not in an RCU read-side section"));
	return (vm_radix_lookup(&object->rtree, pindex));
}

/*
 * Holds keep a page's memory from being freed (a free is deferred to the
 * last unhold).  The page lock must be held.
 */
void
vm_page_hold(vm_page_t m)
{

	vm_page_lock_assert(m, MA_OWNED);
	KASSERT(m->hold_count < UINT16_MAX,
	    ("vm_page_hold: hold count of %p overflows", (void *)m));
	m->hold_count++;
}

void
vm_page_unhold(vm_page_t m)
{

	vm_page_lock_assert(m, MA_OWNED);
	KASSERT(m->hold_count >= 1, ("vm_page_unhold: hold count < 0!!!"));
	--m->hold_count;
	if (m->hold_count == 0 && (m->flags & PG_UNHOLDFREE) != 0) {
		KASSERT(m->object == NULL,
		    ("vm_page_unhold: freed page %p is in object %p",
		    (void *)m, (void *)m->object));
		m->flags &= ~PG_UNHOLDFREE;
		if ((m->flags & PG_FICTITIOUS) != 0)
			fakepg_free_page(m);
		else
			vm_page_free_phys(m);
	}
}

/*
 * Busy state.  busy_lock is atomic; a thread that waits for a busy page
 * sets VPB_BIT_WAITERS with the page lock held and sleeps on the page
 * with the page lock as interlock, and xunbusy wakes it under the page
 * lock, so no wake-up is lost whatever lock the unbusying thread holds.
 */
bool
vm_page_tryxbusy(vm_page_t m)
{
	unsigned x;

	x = VPB_UNBUSIED;
	return (__atomic_compare_exchange_n(&m->busy_lock, &x,
	    VPB_SINGLE_EXCLUSIVER, false, __ATOMIC_ACQUIRE,
	    __ATOMIC_RELAXED));
}

void
vm_page_xbusy(vm_page_t m)
{

	if (!vm_page_tryxbusy(m))
		panic("vm_page_xbusy: page %p failed exclusive busying",
		    (void *)m);
}

static void
vm_page_wake_waiters(vm_page_t m)
{
	bool locked;

	locked = mtx_owned(vm_page_lockptr(m));
	if (!locked)
		vm_page_lock(m);
	wakeup(m);
	if (!locked)
		vm_page_unlock(m);
}

void
vm_page_xunbusy(vm_page_t m)
{
	unsigned x;

	KASSERT(vm_page_xbusied(m), ("vm_page_xunbusy: page %p not "
	    "exclusive busy", (void *)m));
	x = __atomic_exchange_n(&m->busy_lock, VPB_UNBUSIED,
	    __ATOMIC_RELEASE);
	if ((x & VPB_BIT_WAITERS) != 0)
		vm_page_wake_waiters(m);
}

bool
vm_page_busied(vm_page_t m)
{

	return (__atomic_load_n(&m->busy_lock, __ATOMIC_ACQUIRE) !=
	    VPB_UNBUSIED);
}

bool
vm_page_xbusied(vm_page_t m)
{

	return ((__atomic_load_n(&m->busy_lock, __ATOMIC_ACQUIRE) &
	    VPB_BIT_EXCLUSIVE) != 0);
}

/*
 * If m is busy, drop the object lock, sleep until it is unbusied,
 * retake the object lock and return true (the caller must look the page
 * up again: it may be gone).  Otherwise return false with nothing
 * dropped.  The object must be locked (write).
 */
bool
vm_page_sleep_if_busy(vm_page_t m, const char *msg)
{
	vm_object_t object;
	unsigned x;

	object = m->object;
	KASSERT(object != NULL, ("vm_page_sleep_if_busy: page %p has no "
	    "object", (void *)m));
	VM_OBJECT_ASSERT_WLOCKED(object);
	if (!vm_page_busied(m))
		return (false);
	vm_page_lock(m);
	x = __atomic_load_n(&m->busy_lock, __ATOMIC_RELAXED);
	for (;;) {
		if (x == VPB_UNBUSIED) {
			vm_page_unlock(m);
			return (false);
		}
		if ((x & VPB_BIT_WAITERS) != 0 ||
		    __atomic_compare_exchange_n(&m->busy_lock, &x,
		    x | VPB_BIT_WAITERS, false, __ATOMIC_ACQ_REL,
		    __ATOMIC_RELAXED))
			break;
	}
	VM_OBJECT_WUNLOCK(object);
	msleep(m, vm_page_lockptr(m), PDROP, msg, 0);
	VM_OBJECT_WLOCK(object);
	return (true);
}

/*
 * Validity bits: one per DEV_BSIZE chunk of the page.
 */
vm_page_bits_t
vm_page_bits(int base, int size)
{
	int first_bit, last_bit;

	KASSERT(base >= 0 && size >= 0 && base + size <= (int)PAGE_SIZE,
	    ("vm_page_bits: illegal base/size %d/%d", base, size));
	if (size == 0)
		return (0);
	first_bit = base >> DEV_BSHIFT;
	last_bit = (base + size - 1) >> DEV_BSHIFT;
	return ((vm_page_bits_t)((2u << last_bit) - (1u << first_bit)));
}

/* Zero [base, base + size) of a RAM page through its host mapping. */
static void
vm_page_zero_range(vm_page_t m, int base, int size)
{
	char *p;

	KASSERT((m->flags & PG_FICTITIOUS) == 0,
	    ("vm_page_zero_range: fictitious page %p", (void *)m));
	rcu_read_lock();
	p = vm_phys_to_host(VM_PAGE_TO_PHYS(m));
	KASSERT(p != NULL, ("vm_page_zero_range: no host address for %#jx",
	    (uintmax_t)VM_PAGE_TO_PHYS(m)));
	memset(p + base, 0, size);
	rcu_read_unlock();
}

/*
 * Zero the invalid DEV_BSIZE chunks of m and, if setvalid, mark the whole
 * page valid.  Never for fictitious pages: their memory is a device's.
 * The object must be locked (write).
 */
void
vm_page_zero_invalid(vm_page_t m, bool setvalid)
{
	int b, i;

	KASSERT((m->flags & PG_FICTITIOUS) == 0,
	    ("vm_page_zero_invalid: fictitious page %p", (void *)m));
	if (m->object != NULL)
		VM_OBJECT_ASSERT_WLOCKED(m->object);
	/* Zero runs of invalid chunks, one memset per run. */
	for (b = i = 0; i <= (int)(PAGE_SIZE / DEV_BSIZE); i++) {
		if (i == (int)(PAGE_SIZE / DEV_BSIZE) ||
		    (m->valid & ((vm_page_bits_t)1 << i)) != 0) {
			if (i > b)
				vm_page_zero_range(m, b << DEV_BSHIFT,
				    (i - b) << DEV_BSHIFT);
			b = i + 1;
		}
	}
	if (setvalid)
		m->valid = VM_PAGE_BITS_ALL;
}

/*
 * Mark [base, base + size) valid.  As in FreeBSD, the parts of the first
 * and last DEV_BSIZE chunks outside the range are zeroed (RAM pages only)
 * so that a chunk marked valid never exposes stale bytes.  The object
 * must be locked (write).
 */
void
vm_page_set_valid_range(vm_page_t m, int base, int size)
{
	int endoff, frag;

	if (m->object != NULL)
		VM_OBJECT_ASSERT_WLOCKED(m->object);
	if (size == 0)
		return;
	if ((m->flags & PG_FICTITIOUS) == 0) {
		frag = base & ~(DEV_BSIZE - 1);
		if (base != frag && (m->valid &
		    ((vm_page_bits_t)1 << (base >> DEV_BSHIFT))) == 0)
			vm_page_zero_range(m, frag, base - frag);
		endoff = base + size;
		frag = (endoff + DEV_BSIZE - 1) & ~(DEV_BSIZE - 1);
		if (endoff != frag && (m->valid &
		    ((vm_page_bits_t)1 << (endoff >> DEV_BSHIFT))) == 0)
			vm_page_zero_range(m, endoff, frag - endoff);
	}
	m->valid |= vm_page_bits(base, size);
}

/* Mark [base, base + size) dirty.  The object must be locked (write). */
void
vm_page_dirty_range(vm_page_t m, int base, int size)
{

	if (m->object != NULL)
		VM_OBJECT_ASSERT_WLOCKED(m->object);
	m->dirty |= vm_page_bits(base, size);
}

/* Is all of [base, base + size) valid?  The object must be locked. */
bool
vm_page_is_valid(vm_page_t m, int base, int size)
{
	vm_page_bits_t bits;

	bits = vm_page_bits(base, size);
	return (m->valid != 0 && (m->valid & bits) == bits);
}

_Static_assert(sizeof(struct vm_page) <= 128,
    "struct vm_page must fit in 128 bytes");
