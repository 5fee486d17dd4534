/*
 * gem buffer objects: the table, fake offsets, vram and system memory,
 * move and LRU eviction (see dev_gem.h for the design and lock order).
 *
 * Memory.  vram pages come one by one from a stack of free page indexes
 * of the window (a BO's vram pages need not be contiguous: they are
 * reached through bo_pages, never through a base address); each is the
 * managed fictitious page PHYS_TO_VM_PAGE(base + ptoa(i)).  System pages
 * are RAM pages from vm_page_alloc(VM_ALLOC_NOOBJ | VM_ALLOC_WIRED), so
 * that vm_object_terminate only detaches them (the BO frees them), after
 * swap_reserve_by_cred() has charged their size to the creator's uid.
 * New memory is zeroed.
 *
 * Eviction.  When vram lacks the pages a create or a move to vram needs,
 * the least recently used BO in vram (bo_lru: set at creation and by
 * every fault) that is not busy is moved to system; repeat until enough
 * pages are free.  A BO whose move fails (its uid is over its limit, RAM
 * is short) is skipped for the rest of that pass.  If only BOs being
 * moved are left, wait for one to finish (they are all leaving vram).
 *
 * Locks used to protect data in this file: as in dev_gem.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/refcount.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "dev/dev_gem.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

static int	gem_offset_alloc(struct gem_softc *sc, vm_size_t size,
		    vm_ooffset_t *offp);
static void	gem_bo_insert(struct gem_softc *sc, struct gem_bo *bo);
static struct gem_bo *gem_bo_find(struct gem_softc *sc, uint32_t handle);
static uint32_t	gem_handle_alloc(struct gem_softc *sc);
static int	gem_vram_get(struct gem_softc *sc, struct gem_bo *self,
		    vm_pindex_t npages, vm_page_t *pages);
static struct gem_bo *gem_vram_victim(struct gem_softc *sc,
		    struct gem_bo *self, unsigned gen, bool *waitp);
static void	gem_vram_put(struct gem_softc *sc, vm_page_t *pages,
		    vm_pindex_t npages);
static int	gem_system_get(const struct ucred *cred, vm_pindex_t npages,
		    vm_page_t *pages);
static void	gem_system_put(const struct ucred *cred, vm_page_t *pages,
		    vm_pindex_t npages, bool charged);
static int	gem_pages_get(struct gem_softc *sc, struct gem_bo *bo,
		    enum gem_placement placement, bool zero,
		    vm_page_t **pagesp);
static void	gem_pages_put(struct gem_softc *sc, struct gem_bo *bo,
		    enum gem_placement placement, vm_page_t *pages,
		    bool charged);
static void	gem_pages_zero(vm_page_t *pages, vm_pindex_t npages);
static void	gem_pages_copy(vm_page_t *dst, vm_page_t *src,
		    vm_pindex_t npages);
static void	gem_pages_drain(vm_page_t *pages, vm_pindex_t npages);
static unsigned long gem_obj_revoke(vm_object_t obj);
static int	gem_bo_move(struct gem_bo *bo, enum gem_placement placement);
static bool	gem_bo_grab(struct gem_bo *bo);
static void	gem_bo_unbusy(struct gem_softc *sc, struct gem_bo *bo);
static void	gem_placement_error(const struct gem_bo *bo,
		    enum gem_placement placement, int error, struct sbuf *err);

const char *
gem_placement_name(enum gem_placement p)
{

	switch (p) {
	case GEM_VRAM:
		return ("vram");
	case GEM_SYSTEM:
		return ("system");
	default:
		return ("none");
	}
}

/*
 * Set up the softc of a new device: the vram window and its fictitious
 * range.  One reference, the device's.  0 or errno with a message.
 */
int
gem_softc_init(struct gem_softc *sc, const char *name, vm_size_t vram_size,
    struct sbuf *err)
{
	unsigned long i, npages;
	int error;

	rcu_thread_online();
	memset(sc, 0, sizeof(*sc));
	mtx_init(&sc->sc_mtx, "gem", LOCK_RANK_DRIVER, MTX_DEF);
	strlcpy(sc->sc_name, name, sizeof(sc->sc_name));
	TAILQ_INIT(&sc->sc_bos);
	sc->sc_next_handle = 1;
	sc->sc_next_off = GEM_OFFSET_MIN;
	refcount_init(&sc->sc_refs, 1);
	sc->sc_vram_size = vram_size;
	npages = atop(vram_size);
	sc->sc_vram_free = calloc(npages, sizeof(*sc->sc_vram_free));
	if (sc->sc_vram_free == NULL) {
		sbuf_printf(err, "out of memory");
		error = ENOMEM;
		goto fail;
	}
	/* Popped from the end: hand out low pages first. */
	for (i = 0; i < npages; i++)
		sc->sc_vram_free[i] = (uint32_t)(npages - 1 - i);
	sc->sc_vram_nfree = npages;
	error = vm_phys_window_create(name, vram_size, -1, 0, "memfd",
	    VM_MEMATTR_WRITE_COMBINING, &sc->sc_window, &sc->sc_vram_base);
	if (error != 0) {
		sbuf_printf(err, "cannot make a %ju-byte vram window: %s",
		    (uintmax_t)vram_size, strerror(error));
		goto fail;
	}
	error = vm_phys_fictitious_reg_range(sc->sc_vram_base,
	    sc->sc_vram_base + vram_size, VM_MEMATTR_WRITE_COMBINING);
	if (error != 0) {
		sbuf_printf(err, "cannot register the vram pages: %s",
		    error == EBUSY ? "all fictitious ranges are in use" :
		    strerror(error));
		vm_phys_window_destroy(sc->sc_window);
		goto fail;
	}
	return (0);
fail:
	free(sc->sc_vram_free);
	mtx_destroy(&sc->sc_mtx);
	return (error);
}

void
gem_softc_ref(struct gem_softc *sc)
{

	refcount_acquire(&sc->sc_refs);
}

/* The last reference frees the softc (the window is gone by then). */
void
gem_softc_rele(struct gem_softc *sc)
{

	if (!refcount_release(&sc->sc_refs))
		return;
	KASSERT(TAILQ_EMPTY(&sc->sc_bos),
	    ("gem_softc_rele: %s still has BOs", sc->sc_name));
	mtx_destroy(&sc->sc_mtx);
	free(sc->sc_vram_free);
	free(sc);
}

/* Advance the LRU clock for bo.  Any context (atomic). */
void
gem_bo_touch(struct gem_bo *bo)
{
	uint64_t t;

	t = __atomic_add_fetch(&bo->bo_sc->sc_tick, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&bo->bo_lru, t, __ATOMIC_RELAXED);
}

/*
 * Take a reference on bo's object if it still lives.  [s] held (it keeps
 * bo from being freed while we look).  The object is type-stable, so its
 * count can be read even while a dtor waits for sc_mtx; a count of 0
 * means it is dying and must not be revived.
 */
static bool
gem_bo_grab(struct gem_bo *bo)
{

	mtx_assert(&bo->bo_sc->sc_mtx, MA_OWNED);
	return (refcount_acquire_if_not_zero(&bo->bo_obj->ref_count));
}

/* End a move started by setting bo_busy.  [s] not held. */
static void
gem_bo_unbusy(struct gem_softc *sc, struct gem_bo *bo)
{

	mtx_lock(&sc->sc_mtx);
	bo->bo_busy = false;
	mtx_unlock(&sc->sc_mtx);
	/* Waiters for this BO and for any vram to come free. */
	wakeup(bo);
	wakeup(sc);
}

/*
 * A fake offset for size bytes, GEM_OFFSET_ALIGN-aligned: next-fit from
 * the cursor over the gaps between live BOs, wrapping once.  [s] held.
 */
static int
gem_offset_alloc(struct gem_softc *sc, vm_size_t size, vm_ooffset_t *offp)
{
	struct gem_bo *bo;
	vm_ooffset_t cand;
	int pass;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	if (size > GEM_NODE_SIZE - GEM_OFFSET_MIN)
		return (ENOSPC);
	cand = GEM_OFFSET_ROUNDUP(sc->sc_next_off);
	for (pass = 0; pass < 2; pass++) {
		TAILQ_FOREACH(bo, &sc->sc_bos, bo_link) {
			if (bo->bo_offset + bo->bo_size <= cand)
				continue;
			if (bo->bo_offset >= cand + size)
				break;
			cand = GEM_OFFSET_ROUNDUP(bo->bo_offset + bo->bo_size);
		}
		if (cand + size <= GEM_NODE_SIZE) {
			*offp = cand;
			sc->sc_next_off = cand + size;
			return (0);
		}
		cand = GEM_OFFSET_MIN;
	}
	return (ENOSPC);
}

/* Link bo into sc_bos, which is sorted by offset.  [s] held. */
static void
gem_bo_insert(struct gem_softc *sc, struct gem_bo *bo)
{
	struct gem_bo *b;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	TAILQ_FOREACH(b, &sc->sc_bos, bo_link) {
		if (b->bo_offset > bo->bo_offset) {
			TAILQ_INSERT_BEFORE(b, bo, bo_link);
			sc->sc_nbos++;
			return;
		}
	}
	TAILQ_INSERT_TAIL(&sc->sc_bos, bo, bo_link);
	sc->sc_nbos++;
}

/* The live (not destroyed) BO with this handle, or NULL.  [s] held. */
static struct gem_bo *
gem_bo_find(struct gem_softc *sc, uint32_t handle)
{
	struct gem_bo *bo;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	TAILQ_FOREACH(bo, &sc->sc_bos, bo_link)
		if (bo->bo_handle == handle && !bo->bo_destroyed)
			return (bo);
	return (NULL);
}

/*
 * A handle no BO on sc_bos has: counting up, wrapping after
 * GEM_HANDLE_MAX.  0 if every handle is taken.  [s] held.
 */
static uint32_t
gem_handle_alloc(struct gem_softc *sc)
{
	struct gem_bo *bo;
	uint32_t h;
	unsigned long tries;
	bool used;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	for (tries = 0; tries <= sc->sc_nbos; tries++) {
		h = sc->sc_next_handle;
		sc->sc_next_handle = h >= GEM_HANDLE_MAX ? 1 : h + 1;
		used = false;
		TAILQ_FOREACH(bo, &sc->sc_bos, bo_link)
			if (bo->bo_handle == h) {
				used = true;
				break;
			}
		if (!used)
			return (h);
	}
	return (0);
}

/*
 * The least recently used BO in vram that may be evicted for self, with
 * its object referenced and bo_busy set; NULL if there is none (*waitp:
 * some are busy, i.e. leaving vram: worth waiting for).  [s] held.
 */
static struct gem_bo *
gem_vram_victim(struct gem_softc *sc, struct gem_bo *self, unsigned gen,
    bool *waitp)
{
	struct gem_bo *bo, *best;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	*waitp = false;
	best = NULL;
	TAILQ_FOREACH(bo, &sc->sc_bos, bo_link) {
		if (bo == self || bo->bo_placement != GEM_VRAM ||
		    bo->bo_evict_gen == gen)
			continue;
		if (bo->bo_busy) {
			*waitp = true;
			continue;
		}
		if (best == NULL || __atomic_load_n(&bo->bo_lru,
		    __ATOMIC_RELAXED) < __atomic_load_n(&best->bo_lru,
		    __ATOMIC_RELAXED))
			best = bo;
	}
	if (best != NULL) {
		if (!gem_bo_grab(best)) {
			/* Dying: its dtor gives the pages back soon. */
			*waitp = true;
			return (NULL);
		}
		best->bo_busy = true;
	}
	return (best);
}

/*
 * Fill pages[] with npages free vram pages, evicting the least recently
 * used BOs (never self) to system as needed.  0, ENOMEM (not enough
 * vram even after evicting everything that could be), ENXIO (the device
 * is going away).  No lock held; may sleep.
 */
static int
gem_vram_get(struct gem_softc *sc, struct gem_bo *self, vm_pindex_t npages,
    vm_page_t *pages)
{
	struct gem_bo *victim;
	vm_pindex_t i;
	unsigned gen;
	uint32_t idx;
	int error;
	bool wait;

	if (npages > atop(sc->sc_vram_size))
		return (ENOMEM);
	mtx_lock(&sc->sc_mtx);
	gen = ++sc->sc_evict_gen;
	for (;;) {
		if (sc->sc_dying) {
			mtx_unlock(&sc->sc_mtx);
			return (ENXIO);
		}
		if (sc->sc_vram_nfree >= npages)
			break;
		victim = gem_vram_victim(sc, self, gen, &wait);
		if (victim == NULL) {
			if (!wait) {
				mtx_unlock(&sc->sc_mtx);
				return (ENOMEM);
			}
			/* Woken when a move ends or a BO dies. */
			msleep(sc, &sc->sc_mtx, 0, "gemvram", 10);
			continue;
		}
		mtx_unlock(&sc->sc_mtx);
		TEST_HOOK("gem_evict");
		error = gem_bo_move(victim, GEM_SYSTEM);
		if (error == 0)
			__atomic_add_fetch(&sc->sc_evictions, 1,
			    __ATOMIC_RELAXED);
		mtx_lock(&sc->sc_mtx);
		victim->bo_busy = false;
		if (error != 0)
			victim->bo_evict_gen = gen;	/* not this pass */
		mtx_unlock(&sc->sc_mtx);
		wakeup(victim);
		vm_object_deallocate(victim->bo_obj);	/* may free victim */
		mtx_lock(&sc->sc_mtx);
	}
	for (i = 0; i < npages; i++) {
		idx = sc->sc_vram_free[--sc->sc_vram_nfree];
		pages[i] = PHYS_TO_VM_PAGE(sc->sc_vram_base + ptoa(idx));
		KASSERT(pages[i] != NULL && (pages[i]->flags &
		    PG_FICTITIOUS) != 0 && pages[i]->object == NULL,
		    ("gem_vram_get: bad vram page %p", (void *)pages[i]));
	}
	mtx_unlock(&sc->sc_mtx);
	return (0);
}

/* Give vram pages back.  [s] not held. */
static void
gem_vram_put(struct gem_softc *sc, vm_page_t *pages, vm_pindex_t npages)
{
	vm_pindex_t i;

	mtx_lock(&sc->sc_mtx);
	for (i = 0; i < npages; i++) {
		KASSERT(pages[i]->object == NULL,
		    ("gem_vram_put: page %p still in %p", (void *)pages[i],
		    (void *)pages[i]->object));
		sc->sc_vram_free[sc->sc_vram_nfree++] =
		    (uint32_t)atop(pages[i]->phys_addr - sc->sc_vram_base);
	}
	mtx_unlock(&sc->sc_mtx);
	wakeup(sc);
}

/*
 * Charge npages to cred's uid and allocate them from RAM, wired and
 * zeroed.  0 or ENOMEM (over the uid's limit, or RAM short), with
 * nothing charged or allocated.  No lock held.
 */
static int
gem_system_get(const struct ucred *cred, vm_pindex_t npages,
    vm_page_t *pages)
{
	vm_pindex_t i;

	if (!swap_reserve_by_cred(ptoa(npages), cred))
		return (ENOMEM);
	for (i = 0; i < npages; i++) {
		pages[i] = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ |
		    VM_ALLOC_WIRED | VM_ALLOC_ZERO);
		if (pages[i] == NULL) {
			gem_system_put(cred, pages, i, false);
			swap_release_by_cred(ptoa(npages), cred);
			return (ENOMEM);
		}
	}
	return (0);
}

/*
 * Free RAM pages (their recorded mappings first: a managed RAM page must
 * be unmapped before it is freed) and, if charged, release the charge.
 * A page somebody still holds is freed by its last unhold.  No lock held.
 */
static void
gem_system_put(const struct ucred *cred, vm_page_t *pages, vm_pindex_t npages,
    bool charged)
{
	vm_pindex_t i;

	for (i = 0; i < npages; i++) {
		KASSERT(pages[i]->object == NULL,
		    ("gem_system_put: page %p still in %p", (void *)pages[i],
		    (void *)pages[i]->object));
		pmap_remove_all(pages[i]);
		vm_page_lock(pages[i]);
		vm_page_free(pages[i]);
		vm_page_unlock(pages[i]);
	}
	if (charged)
		swap_release_by_cred(ptoa(npages), cred);
}

/*
 * A new page array of bo's size in placement (its memory zeroed if zero:
 * a move overwrites it anyway).  0, ENOMEM, ENXIO.  No lock held.
 */
static int
gem_pages_get(struct gem_softc *sc, struct gem_bo *bo,
    enum gem_placement placement, bool zero, vm_page_t **pagesp)
{
	vm_page_t *pages;
	int error;

	pages = calloc(bo->bo_npages, sizeof(*pages));
	if (pages == NULL)
		return (ENOMEM);
	if (placement == GEM_VRAM)
		error = gem_vram_get(sc, bo, bo->bo_npages, pages);
	else
		error = gem_system_get(&bo->bo_cred, bo->bo_npages, pages);
	if (error != 0) {
		free(pages);
		return (error);
	}
	if (zero)
		gem_pages_zero(pages, bo->bo_npages);
	*pagesp = pages;
	return (0);
}

/* Free a page array of placement and the memory in it.  No lock held. */
static void
gem_pages_put(struct gem_softc *sc, struct gem_bo *bo,
    enum gem_placement placement, vm_page_t *pages, bool charged)
{

	if (pages == NULL)
		return;
	if (placement == GEM_VRAM)
		gem_vram_put(sc, pages, bo->bo_npages);
	else if (placement == GEM_SYSTEM)
		gem_system_put(&bo->bo_cred, pages, bo->bo_npages, charged);
	free(pages);
}

static void
gem_pages_zero(vm_page_t *pages, vm_pindex_t npages)
{
	vm_pindex_t i;
	void *p;

	rcu_read_lock();
	for (i = 0; i < npages; i++) {
		if ((pages[i]->flags & PG_ZERO) != 0)
			continue;
		p = vm_phys_to_host(VM_PAGE_TO_PHYS(pages[i]));
		KASSERT(p != NULL, ("gem_pages_zero: no memory at %#jx",
		    (uintmax_t)VM_PAGE_TO_PHYS(pages[i])));
		memset(p, 0, PAGE_SIZE);
	}
	rcu_read_unlock();
}

/* Copy the contents of src[] into dst[] through the direct map. */
static void
gem_pages_copy(vm_page_t *dst, vm_page_t *src, vm_pindex_t npages)
{
	vm_pindex_t i;
	void *d, *s;

	rcu_read_lock();
	for (i = 0; i < npages; i++) {
		d = vm_phys_to_host(VM_PAGE_TO_PHYS(dst[i]));
		s = vm_phys_to_host(VM_PAGE_TO_PHYS(src[i]));
		KASSERT(d != NULL && s != NULL,
		    ("gem_pages_copy: no memory for page %ju", (uintmax_t)i));
		memcpy(d, s, PAGE_SIZE);
	}
	rcu_read_unlock();
}

/*
 * Wait until nobody holds any of pages[]: a READ or WRITE that faulted a
 * page in before it was revoked is still copying to or from it.  Such a
 * holder needs at most the object lock, never sc_mtx, so no lock may be
 * held here.
 */
static void
gem_pages_drain(vm_page_t *pages, vm_pindex_t npages)
{
	vm_pindex_t i;

	for (i = 0; i < npages; i++) {
		vm_page_lock(pages[i]);
		while (pages[i]->hold_count != 0) {
			vm_page_unlock(pages[i]);
			pause_ms("gemhold", 1);
			vm_page_lock(pages[i]);
		}
		vm_page_unlock(pages[i]);
	}
}

/*
 * Revoke every resident page of obj: out of the object, and every place
 * it was served at invalidated (cdev_pager_free_page on OBJT_MGTDEVICE
 * is pmap_remove_all + vm_page_remove).  Busy pages are waited for.
 * Returns the number of pages revoked.  The object must be locked
 * (write); the lock may be dropped and retaken.
 */
static unsigned long
gem_obj_revoke(vm_object_t obj)
{
	vm_page_t m;
	unsigned long n;

	VM_OBJECT_ASSERT_WLOCKED(obj);
	n = 0;
again:
	while ((m = TAILQ_FIRST(&obj->memq)) != NULL) {
		if (vm_page_sleep_if_busy(m, "gemrvk"))
			goto again;
		KASSERT((m->oflags & VPO_UNMANAGED) == 0,
		    ("gem_obj_revoke: unmanaged page %p in %p", (void *)m,
		    (void *)obj));
		cdev_pager_free_page(obj, m);
		n++;
	}
	return (n);
}

/*
 * Move bo to placement with its contents (see dev_gem.h).  The caller
 * holds a reference on bo's object and has set bo_busy; no lock held.
 * 0; ENOMEM (no memory in the new placement: nothing changed); ENXIO
 * (the device is going away).
 */
static int
gem_bo_move(struct gem_bo *bo, enum gem_placement placement)
{
	struct gem_softc *sc = bo->bo_sc;
	vm_object_t obj = bo->bo_obj;
	enum gem_placement oplace;
	vm_page_t *npages, *opages;
	unsigned long n;
	bool ocharged;
	int error;

	mtx_lock(&sc->sc_mtx);
	oplace = bo->bo_placement;
	mtx_unlock(&sc->sc_mtx);
	if (oplace == placement)
		return (0);
	if (oplace == GEM_NONE)
		return (ENXIO);
	error = gem_pages_get(sc, bo, placement, false, &npages);
	if (error != 0)
		return (error);

	/* Revoke: from here on faults wait for the new pages. */
	VM_OBJECT_WLOCK(obj);
	bo->bo_moving = true;
	n = gem_obj_revoke(obj);
	VM_OBJECT_WUNLOCK(obj);
	__atomic_add_fetch(&sc->sc_revoked, n, __ATOMIC_RELAXED);
	TEST_HOOK("gem_move_revoked");

	/* Only the move changes bo_pages, and we are the move. */
	opages = bo->bo_pages;
	gem_pages_drain(opages, bo->bo_npages);
	gem_pages_copy(npages, opages, bo->bo_npages);

	mtx_lock(&sc->sc_mtx);
	VM_OBJECT_WLOCK(obj);
	ocharged = bo->bo_charged;
	bo->bo_pages = npages;
	bo->bo_placement = placement;
	bo->bo_charged = placement == GEM_SYSTEM;
	bo->bo_moving = false;
	/* The object's default memattr follows the memory (no pages are
	 * resident: the waiting faults took their placeholders out). */
	(void)vm_object_set_memattr(obj, placement == GEM_VRAM ?
	    VM_MEMATTR_WRITE_COMBINING : VM_MEMATTR_WRITE_BACK);
	VM_OBJECT_WUNLOCK(obj);
	mtx_unlock(&sc->sc_mtx);
	wakeup(bo);

	gem_pages_put(sc, bo, oplace, opages, ocharged);
	__atomic_add_fetch(&sc->sc_moves, 1, __ATOMIC_RELAXED);
	return (0);
}

/*
 * Create a BO of size bytes in placement for cred.  On success *infop
 * describes it.  0, EINVAL (size), ENOMEM (memory, charge, offsets or
 * handles exhausted), ENXIO.  No lock held.
 */
/* Why bo could not get pages in placement (gem_pages_get's error). */
static void
gem_placement_error(const struct gem_bo *bo, enum gem_placement placement,
    int error, struct sbuf *err)
{

	if (error == ENXIO)
		sbuf_printf(err, "device '%s' is going away",
		    bo->bo_sc->sc_name);
	else if (placement == GEM_VRAM)
		sbuf_printf(err, "vram is full: no %ju pages can be freed",
		    (uintmax_t)bo->bo_npages);
	else
		sbuf_printf(err, "cannot reserve %ju bytes of system memory "
		    "for uid %u", (uintmax_t)bo->bo_size,
		    (unsigned)bo->bo_cred.cr_uid);
}

int
gem_bo_create(struct gem_softc *sc, vm_size_t size,
    enum gem_placement placement, const struct ucred *cred,
    struct gem_bo_info *infop, struct sbuf *err)
{
	struct gem_bo *bo;
	vm_object_t obj;
	char path[sizeof(sc->sc_name) + 24], sz[32];
	int error;

	if (size == 0 || size > GEM_BO_SIZE_MAX) {
		size_format(GEM_BO_SIZE_MAX, sz, sizeof(sz));
		sbuf_printf(err, "size must be from 1 to %s", sz);
		return (EINVAL);
	}
	if (placement != GEM_VRAM && placement != GEM_SYSTEM) {
		sbuf_printf(err, "placement must be vram or system");
		return (EINVAL);
	}
	size = round_page(size);
	if (placement == GEM_VRAM && size > sc->sc_vram_size) {
		size_format(sc->sc_vram_size, sz, sizeof(sz));
		sbuf_printf(err, "a %ju-byte buffer does not fit in %s of "
		    "vram", (uintmax_t)size, sz);
		return (ENOMEM);
	}
	rcu_thread_online();
	bo = calloc(1, sizeof(*bo));
	if (bo == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	bo->bo_sc = sc;
	bo->bo_size = size;
	bo->bo_npages = atop(size);
	bo->bo_cred = *cred;
	gem_bo_touch(bo);

	error = gem_pages_get(sc, bo, placement, true, &bo->bo_pages);
	if (error != 0) {
		gem_placement_error(bo, placement, error, err);
		free(bo);
		return (error);
	}
	bo->bo_placement = placement;
	bo->bo_charged = placement == GEM_SYSTEM;

	/*
	 * The object; its handle is the BO, so the pager's dtor gets it.
	 * It is not reachable by anyone until it is on sc_bos.
	 */
	gem_softc_ref(sc);
	obj = cdev_pager_allocate(bo, OBJT_MGTDEVICE, &gem_pager_ops, size,
	    VM_PROT_ALL, 0, cred);
	if (obj == NULL) {
		gem_softc_rele(sc);
		gem_pages_put(sc, bo, placement, bo->bo_pages,
		    bo->bo_charged);
		free(bo);
		sbuf_printf(err, "cannot allocate the buffer's VM object");
		return (ENOMEM);
	}
	bo->bo_obj = obj;
	VM_OBJECT_WLOCK(obj);
	(void)vm_object_set_memattr(obj, placement == GEM_VRAM ?
	    VM_MEMATTR_WRITE_COMBINING : VM_MEMATTR_WRITE_BACK);
	VM_OBJECT_WUNLOCK(obj);

	mtx_lock(&sc->sc_mtx);
	if (sc->sc_dying)
		error = ENXIO;
	else if ((bo->bo_handle = gem_handle_alloc(sc)) == 0)
		error = ENOMEM;
	else
		error = gem_offset_alloc(sc, size, &bo->bo_offset);
	if (error != 0) {
		mtx_unlock(&sc->sc_mtx);
		sbuf_printf(err, "%s", error == ENXIO ? "device is going "
		    "away" : bo->bo_handle == 0 ? "no free handle" :
		    "no free range of fake offsets");
		/*
		 * Not on sc_bos: the dtor finds it there or not (it checks),
		 * and frees the memory and the BO.
		 */
		bo->bo_destroyed = true;
		vm_object_deallocate(obj);
		return (error == ENOSPC ? ENOMEM : error);
	}
	gem_bo_insert(sc, bo);
	snprintf(path, sizeof(path), "dev/%s#%u", sc->sc_name, bo->bo_handle);
	vm_object_set_path(obj, path);
	infop->bi_handle = bo->bo_handle;
	infop->bi_placement = placement;
	infop->bi_size = size;
	infop->bi_offset = bo->bo_offset;
	infop->bi_lru = __atomic_load_n(&bo->bo_lru, __ATOMIC_RELAXED);
	infop->bi_object_id = obj->id;
	mtx_unlock(&sc->sc_mtx);
	return (0);
}

/*
 * Drop the handle and the table's reference.  Mapped, the BO lives on
 * (and its offset stays taken) until the last mapping goes.  0 or ENOENT.
 */
int
gem_bo_destroy(struct gem_softc *sc, uint32_t handle, struct sbuf *err)
{
	struct gem_bo *bo;
	vm_object_t obj;

	mtx_lock(&sc->sc_mtx);
	bo = gem_bo_find(sc, handle);
	if (bo == NULL) {
		mtx_unlock(&sc->sc_mtx);
		sbuf_printf(err, "no buffer with handle %u on '%s'",
		    (unsigned)handle, sc->sc_name);
		return (ENOENT);
	}
	bo->bo_destroyed = true;
	obj = bo->bo_obj;
	mtx_unlock(&sc->sc_mtx);
	vm_object_deallocate(obj);		/* may free bo */
	return (0);
}

/*
 * Move the live BO handle to placement.  0, ENOENT, ENOMEM, ENXIO.  No
 * lock held.
 */
int
gem_bo_move_handle(struct gem_softc *sc, uint32_t handle,
    enum gem_placement placement, struct sbuf *err)
{
	struct gem_bo *bo;
	int error;

	if (placement != GEM_VRAM && placement != GEM_SYSTEM) {
		sbuf_printf(err, "placement must be vram or system");
		return (EINVAL);
	}
	rcu_thread_online();
	mtx_lock(&sc->sc_mtx);
	for (;;) {
		bo = gem_bo_find(sc, handle);
		if (bo == NULL) {
			mtx_unlock(&sc->sc_mtx);
			sbuf_printf(err, "no buffer with handle %u on '%s'",
			    (unsigned)handle, sc->sc_name);
			return (ENOENT);
		}
		if (!bo->bo_busy)
			break;
		/* Another move of the same BO: wait for it. */
		msleep(bo, &sc->sc_mtx, 0, "gembusy", 0);
	}
	/* Live: the table's reference keeps the count above 0. */
	vm_object_reference(bo->bo_obj);
	bo->bo_busy = true;
	mtx_unlock(&sc->sc_mtx);

	gem_bo_touch(bo);
	error = gem_bo_move(bo, placement);
	gem_bo_unbusy(sc, bo);
	if (error != 0)
		gem_placement_error(bo, placement, error, err);
	vm_object_deallocate(bo->bo_obj);	/* may free bo */
	return (error);
}

/* Describe the live BO handle.  0 or ENOENT. */
int
gem_bo_info(struct gem_softc *sc, uint32_t handle, struct gem_bo_info *infop)
{
	struct gem_bo *bo;

	mtx_lock(&sc->sc_mtx);
	bo = gem_bo_find(sc, handle);
	if (bo == NULL) {
		mtx_unlock(&sc->sc_mtx);
		return (ENOENT);
	}
	infop->bi_handle = bo->bo_handle;
	infop->bi_placement = bo->bo_placement;
	infop->bi_size = bo->bo_size;
	infop->bi_offset = bo->bo_offset;
	infop->bi_lru = __atomic_load_n(&bo->bo_lru, __ATOMIC_RELAXED);
	infop->bi_object_id = bo->bo_obj->id;
	mtx_unlock(&sc->sc_mtx);
	return (0);
}

/*
 * d_mmap_single: the object of the live BO holding *offp, referenced,
 * with *offp made relative to it (a mapping counts as a use of the BO
 * for the LRU).  EINVAL when no BO holds the offset.
 */
int
gem_bo_lookup_offset(struct gem_softc *sc, vm_ooffset_t *offp,
    vm_object_t *objp)
{
	struct gem_bo *bo;

	mtx_lock(&sc->sc_mtx);
	TAILQ_FOREACH(bo, &sc->sc_bos, bo_link) {
		if (bo->bo_offset > *offp)
			break;
		if (bo->bo_destroyed || *offp - bo->bo_offset >= bo->bo_size)
			continue;
		vm_object_reference(bo->bo_obj);
		*objp = bo->bo_obj;
		*offp -= bo->bo_offset;
		gem_bo_touch(bo);
		mtx_unlock(&sc->sc_mtx);
		return (0);
	}
	mtx_unlock(&sc->sc_mtx);
	return (EINVAL);
}

/*
 * The pager's dtor: bo's object is dead (its pages were detached by
 * vm_object_terminate).  Invalidate wherever its pages were served
 * (vm_object_terminate leaves fictitious pages' mappings alone, and a
 * kernel page cache still holding them would show stale data at this
 * offset once it is reused), free the memory, unlink the BO and drop its
 * softc reference.  No lock held.
 */
void
gem_bo_dtor(struct gem_bo *bo)
{
	struct gem_softc *sc = bo->bo_sc;
	enum gem_placement place;
	vm_page_t *pages;
	vm_pindex_t i;
	struct gem_bo *b;
	bool charged;

	/*
	 * Nothing else changes the placement of a dead object's BO: a move
	 * holds a reference, and shutdown only takes BOs it can reference.
	 */
	mtx_lock(&sc->sc_mtx);
	place = bo->bo_placement;
	pages = bo->bo_pages;
	charged = bo->bo_charged;
	mtx_unlock(&sc->sc_mtx);
	if (place == GEM_VRAM)
		for (i = 0; i < bo->bo_npages; i++)
			pmap_remove_all(pages[i]);
	gem_pages_put(sc, bo, place, pages, charged);

	/*
	 * Off the list last: shutdown waits for every BO with memory to
	 * leave it before the vram range goes.
	 */
	mtx_lock(&sc->sc_mtx);
	bo->bo_pages = NULL;
	bo->bo_placement = GEM_NONE;
	TAILQ_FOREACH(b, &sc->sc_bos, bo_link) {
		if (b == bo) {
			TAILQ_REMOVE(&sc->sc_bos, bo, bo_link);
			sc->sc_nbos--;
			break;
		}
	}
	mtx_unlock(&sc->sc_mtx);
	/* A vram pass or a device destroy may wait for this. */
	wakeup(sc);
	free(bo);
	gem_softc_rele(sc);
}

/*
 * The device is being destroyed (destroy_dev has returned: no ioctl,
 * ctl command or mmap is running or can start).  Every BO loses its
 * memory -- pages revoked, holds drained, memory freed, charges
 * released -- and later faults on objects the filesystem still holds
 * fail with SIGBUS; live BOs lose their handle.  Returns once no page
 * of the vram range is in use, so the caller may unregister it.
 */
void
gem_softc_shutdown(struct gem_softc *sc)
{
	struct gem_bo *bo;
	enum gem_placement place;
	vm_page_t *pages;
	vm_object_t obj;
	bool charged, live, busy;

	rcu_thread_online();
	mtx_lock(&sc->sc_mtx);
	sc->sc_dying = true;
	for (;;) {
		/* A BO with memory whose object we can hold. */
		busy = false;
		TAILQ_FOREACH(bo, &sc->sc_bos, bo_link) {
			if (bo->bo_placement == GEM_NONE)
				continue;
			if (gem_bo_grab(bo))
				break;
			busy = true;	/* dying: its dtor is coming */
		}
		if (bo == NULL) {
			if (!busy)
				break;
			msleep(sc, &sc->sc_mtx, 0, "gemdie", 10);
			continue;
		}
		live = !bo->bo_destroyed;
		bo->bo_destroyed = true;
		obj = bo->bo_obj;
		mtx_unlock(&sc->sc_mtx);

		VM_OBJECT_WLOCK(obj);
		(void)gem_obj_revoke(obj);
		VM_OBJECT_WUNLOCK(obj);
		mtx_lock(&sc->sc_mtx);
		VM_OBJECT_WLOCK(obj);
		place = bo->bo_placement;
		pages = bo->bo_pages;
		charged = bo->bo_charged;
		bo->bo_pages = NULL;
		bo->bo_placement = GEM_NONE;
		bo->bo_charged = false;
		VM_OBJECT_WUNLOCK(obj);
		mtx_unlock(&sc->sc_mtx);
		if (pages != NULL) {
			gem_pages_drain(pages, bo->bo_npages);
			gem_pages_put(sc, bo, place, pages, charged);
		}
		if (live)
			vm_object_deallocate(obj);
		vm_object_deallocate(obj);	/* ours; may free bo */
		mtx_lock(&sc->sc_mtx);
	}
	mtx_unlock(&sc->sc_mtx);
}
