/*
 * gem buffer objects: fake offsets, global names, vram and system
 * memory, move, LRU eviction and retirement (see dev_gem.h for the
 * design and lock order; the handle tables are in dev_gem_file.c).
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
 * Offsets and names.  sc_ranges holds every range of fake offsets that
 * is taken, by a live BO or by a retired one whose invalidation has not
 * been sent yet; a new BO gets a page-aligned offset drawn at random
 * (arc4random) until it overlaps none of them, which with 2^50 possible
 * offsets is the first draw but for the rarest case.  sc_names holds the
 * BOs that have a global name, also random.  Both are red-black trees:
 * lookups, inserts and removals are logarithmic in the number of BOs.
 *
 * Eviction.  When vram lacks the pages a create or a move to vram needs,
 * the least recently used BO in vram (bo_lru: set at creation and by
 * every fault) that is neither busy nor retired is moved to system;
 * repeat until enough pages are free.  A BO whose move fails (its uid is
 * over its limit, RAM is short) is skipped for the rest of that pass.
 * If only BOs being moved are left, wait for one to finish (they are all
 * leaving vram).
 *
 * Locks used to protect data in this file: as in dev_gem.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/refcount.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

static int	gem_range_cmp(const struct gem_range *a,
		    const struct gem_range *b);
static int	gem_name_cmp(const struct gem_bo *a, const struct gem_bo *b);
static uint64_t	gem_random64(void);
static int	gem_offset_alloc(struct gem_softc *sc, vm_size_t size,
		    struct gem_range *range);
static struct gem_range *gem_range_find(struct gem_softc *sc,
		    vm_ooffset_t off);
static int	gem_name_alloc(struct gem_softc *sc, struct gem_bo *bo);
static void	gem_range_done(void *arg);
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
static int	gem_bo_relocate(struct gem_bo *bo,
		    enum gem_placement placement);
static bool	gem_bo_grab(struct gem_bo *bo);
static void	gem_bo_unbusy(struct gem_softc *sc, struct gem_bo *bo);
static bool	gem_bo_retire_begin(struct gem_bo *bo);
static void	gem_bo_retire_finish(struct gem_bo *bo);
static void	gem_bo_release_memory(struct gem_bo *bo, bool dead);
static void	gem_placement_error(const struct gem_bo *bo,
		    enum gem_placement placement, int error, struct sbuf *err);

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define. */
RB_GENERATE_INTERNAL(gem_range_tree, gem_range, r_link, gem_range_cmp,
    static __attribute__((__unused__)))
RB_GENERATE_INTERNAL(gem_name_tree, gem_bo, bo_nlink, gem_name_cmp,
    static __attribute__((__unused__)))

static int
gem_range_cmp(const struct gem_range *a, const struct gem_range *b)
{

	return (a->r_start < b->r_start ? -1 : a->r_start > b->r_start);
}

static int
gem_name_cmp(const struct gem_bo *a, const struct gem_bo *b)
{

	return (a->bo_name < b->bo_name ? -1 : a->bo_name > b->bo_name);
}

/* 64 unpredictable bits (offsets and names must not be guessable). */
static uint64_t
gem_random_arc4(void)
{
	uint64_t v;

	arc4random_buf(&v, sizeof(v));
	return (v);
}

static uint64_t	(*gem_random_fn)(void) = gem_random_arc4;	/* (a) */

static uint64_t
gem_random64(void)
{

	return (__atomic_load_n(&gem_random_fn, __ATOMIC_ACQUIRE)());
}

void
gem_set_random(uint64_t (*fn)(void))
{

	__atomic_store_n(&gem_random_fn, fn != NULL ? fn : gem_random_arc4,
	    __ATOMIC_RELEASE);
}

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
 * range, the empty trees and the administrator's handle table.  One
 * reference, the device's.  0 or errno with a message.
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
	RB_INIT(&sc->sc_ranges);
	RB_INIT(&sc->sc_names);
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

/*
 * The last reference frees the softc (the window is gone by then, and
 * so is every BO, range and handle).
 */
void
gem_softc_rele(struct gem_softc *sc)
{

	if (!refcount_release(&sc->sc_refs))
		return;
	KASSERT(TAILQ_EMPTY(&sc->sc_bos),
	    ("gem_softc_rele: %s still has BOs", sc->sc_name));
	KASSERT(RB_EMPTY(&sc->sc_ranges),
	    ("gem_softc_rele: %s still has offset ranges", sc->sc_name));
	KASSERT(sc->sc_admin.gf_nhandles == 0,
	    ("gem_softc_rele: %s still has ctl handles", sc->sc_name));
	mtx_destroy(&sc->sc_admin.gf_mtx);
	mtx_destroy(&sc->sc_mtx);
	if (sc->sc_dev != NULL)
		dev_rel(sc->sc_dev);
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

/* End a move or a retirement started by setting bo_busy.  [s] not held. */
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
 * A random fake offset for size bytes that overlaps no taken range; on
 * success range covers it and is on sc_ranges.  ENOSPC after
 * GEM_OFFSET_TRIES draws that all overlapped.  [s] held.
 */
static int
gem_offset_alloc(struct gem_softc *sc, vm_size_t size,
    struct gem_range *range)
{
	struct gem_range key, *next, *prev;
	vm_ooffset_t cand;
	uint64_t nslots, limit, r;
	int tries;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	if (size == 0 || size > GEM_NODE_SIZE - GEM_OFFSET_MIN)
		return (ENOSPC);
	nslots = (GEM_NODE_SIZE - GEM_OFFSET_MIN - size) / GEM_OFFSET_ALIGN +
	    1;
	/* Draws at or above limit would favour the low slots: redraw. */
	limit = UINT64_MAX - UINT64_MAX % nslots;
	for (tries = 0; tries < GEM_OFFSET_TRIES; tries++) {
		do
			r = gem_random64();
		while (r >= limit);
		cand = GEM_OFFSET_MIN + (r % nslots) * GEM_OFFSET_ALIGN;
		key.r_start = cand;
		next = RB_NFIND(gem_range_tree, &sc->sc_ranges, &key);
		if (next != NULL && next->r_start < cand + size)
			continue;
		prev = next != NULL ? RB_PREV(gem_range_tree, &sc->sc_ranges,
		    next) : RB_MAX(gem_range_tree, &sc->sc_ranges);
		if (prev != NULL && prev->r_start + prev->r_size > cand)
			continue;
		range->r_start = cand;
		range->r_size = size;
		RB_INSERT(gem_range_tree, &sc->sc_ranges, range);
		sc->sc_nranges++;
		return (0);
	}
	return (ENOSPC);
}

/* The taken range holding off, or NULL.  [s] held. */
static struct gem_range *
gem_range_find(struct gem_softc *sc, vm_ooffset_t off)
{
	struct gem_range key, *r;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	key.r_start = off;
	r = RB_NFIND(gem_range_tree, &sc->sc_ranges, &key);
	if (r == NULL || r->r_start != off)
		r = r != NULL ? RB_PREV(gem_range_tree, &sc->sc_ranges, r) :
		    RB_MAX(gem_range_tree, &sc->sc_ranges);
	if (r == NULL || off - r->r_start >= r->r_size)
		return (NULL);
	return (r);
}

/*
 * Give bo a random global name nobody has.  0 or ENOSPC (every draw
 * taken: cannot happen with 2^63 names).  [s] held.
 */
static int
gem_name_alloc(struct gem_softc *sc, struct gem_bo *bo)
{
	struct gem_bo key;
	uint64_t name;
	int tries;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	KASSERT(bo->bo_name == 0, ("gem_name_alloc: BO %p is named",
	    (void *)bo));
	for (tries = 0; tries < GEM_OFFSET_TRIES; tries++) {
		name = gem_random64() & GEM_NAME_MAX;
		if (name == 0)
			continue;
		key.bo_name = name;
		if (RB_FIND(gem_name_tree, &sc->sc_names, &key) != NULL)
			continue;
		bo->bo_name = name;
		RB_INSERT(gem_name_tree, &sc->sc_names, bo);
		return (0);
	}
	return (ENOSPC);
}

/*
 * The filesystem has invalidated the kernel's cache of a retired range
 * (dev_retire_range's done): its offsets may be given out again.  No
 * lock held; any thread.
 */
static void
gem_range_done(void *arg)
{
	struct gem_range *range = arg;
	struct gem_softc *sc = range->r_sc;

	mtx_lock(&sc->sc_mtx);
	KASSERT(range->r_bo == NULL, ("gem_range_done: range %#jx is live",
	    (uintmax_t)range->r_start));
	RB_REMOVE(gem_range_tree, &sc->sc_ranges, range);
	sc->sc_nranges--;
	sc->sc_nretiring--;
	mtx_unlock(&sc->sc_mtx);
	free(range);
	gem_softc_rele(sc);
}

/*
 * The least recently used BO in vram that may be evicted for self (not
 * retired), with its object referenced and bo_busy set; NULL if there is
 * none (*waitp: some are busy, i.e. leaving vram: worth waiting for).
 * [s] held.
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
		if (bo->bo_retired) {
			/* Its vram is about to come back. */
			*waitp = true;
			continue;
		}
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
		error = gem_bo_relocate(victim, GEM_SYSTEM);
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
 * (the BO has no memory any more: retired, or the device is going away).
 */
static int
gem_bo_relocate(struct gem_bo *bo, enum gem_placement placement)
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
 * Move bo, named by a handle the caller holds, to placement: wait for
 * another move of it, then move.  The caller holds a reference on bo's
 * object.  0, ENOMEM, ENXIO, with a message.  No lock held.
 */
int
gem_bo_move(struct gem_bo *bo, enum gem_placement placement,
    struct sbuf *err)
{
	struct gem_softc *sc = bo->bo_sc;
	int error;

	rcu_thread_online();
	mtx_lock(&sc->sc_mtx);
	while (bo->bo_busy && !bo->bo_retired)
		msleep(bo, &sc->sc_mtx, 0, "gembusy", 0);
	if (bo->bo_retired) {
		/* A handle outlives its BO only when the device goes. */
		mtx_unlock(&sc->sc_mtx);
		sbuf_printf(err, "device '%s' is going away", sc->sc_name);
		return (ENXIO);
	}
	bo->bo_busy = true;
	mtx_unlock(&sc->sc_mtx);

	gem_bo_touch(bo);
	error = gem_bo_relocate(bo, placement);
	gem_bo_unbusy(sc, bo);
	if (error != 0)
		gem_placement_error(bo, placement, error, err);
	return (error);
}

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

/*
 * Make a BO of size bytes in placement for cred (with a global name at
 * once for the administrator's, admin: that is how others reach it),
 * linked on sc with one handle counted for the caller's table
 * (gem_bo_create in dev_gem_file.c adds it) and its object referenced
 * for the caller.  0, EINVAL (size), ENOMEM (memory, charge or offsets
 * exhausted), ENXIO.  No lock held.
 */
int
gem_bo_make(struct gem_softc *sc, bool admin, vm_size_t size,
    enum gem_placement placement, const struct ucred *cred,
    struct gem_bo **bop, struct sbuf *err)
{
	struct gem_range *range;
	struct gem_bo *bo;
	vm_object_t obj;
	char sz[32];
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
	range = calloc(1, sizeof(*range));
	if (bo == NULL || range == NULL) {
		free(bo);
		free(range);
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
		free(range);
		free(bo);
		return (error);
	}
	bo->bo_placement = placement;
	bo->bo_charged = placement == GEM_SYSTEM;

	/*
	 * The object; its handle is the BO, so the pager's dtor gets it.
	 * It is not reachable by anyone until its range is on sc_ranges.
	 */
	gem_softc_ref(sc);
	obj = cdev_pager_allocate(bo, OBJT_MGTDEVICE, &gem_pager_ops, size,
	    VM_PROT_ALL, 0, cred);
	if (obj == NULL) {
		gem_softc_rele(sc);
		gem_pages_put(sc, bo, placement, bo->bo_pages,
		    bo->bo_charged);
		free(range);
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
	else if ((error = gem_offset_alloc(sc, size, range)) == 0 &&
	    admin && (error = gem_name_alloc(sc, bo)) != 0) {
		RB_REMOVE(gem_range_tree, &sc->sc_ranges, range);
		sc->sc_nranges--;
	}
	if (error != 0) {
		mtx_unlock(&sc->sc_mtx);
		sbuf_printf(err, "%s", error == ENXIO ? "device is going "
		    "away" : "no free range of fake offsets");
		/* Unreachable: the dtor frees the memory and the BO. */
		bo->bo_retired = true;
		free(range);
		vm_object_deallocate(obj);
		return (error == ENOSPC ? ENOMEM : error);
	}
	range->r_sc = sc;
	range->r_bo = bo;
	bo->bo_range = range;
	bo->bo_offset = range->r_start;
	bo->bo_handles = 1;		/* the one gem_handle_add makes */
	TAILQ_INSERT_TAIL(&sc->sc_bos, bo, bo_link);
	bo->bo_linked = true;
	sc->sc_nbos++;
	mtx_unlock(&sc->sc_mtx);

	*bop = bo;
	return (0);
}

/* Fill *infop (all but bi_handle) from bo.  No lock held. */
void
gem_bo_describe(struct gem_bo *bo, struct gem_bo_info *infop)
{
	struct gem_softc *sc = bo->bo_sc;

	mtx_lock(&sc->sc_mtx);
	infop->bi_handle = 0;
	infop->bi_placement = bo->bo_placement;
	infop->bi_size = bo->bo_size;
	infop->bi_offset = bo->bo_offset;
	infop->bi_lru = __atomic_load_n(&bo->bo_lru, __ATOMIC_RELAXED);
	infop->bi_object_id = bo->bo_obj->id;
	infop->bi_name = bo->bo_name;
	mtx_unlock(&sc->sc_mtx);
}

/*
 * bo's global name, made on first use.  The caller holds a handle of bo
 * and a reference on its object.  0, ENXIO (the device is going away),
 * ENOMEM.  No lock held.
 */
int
gem_bo_name(struct gem_bo *bo, uint64_t *namep)
{
	struct gem_softc *sc = bo->bo_sc;
	int error;

	error = 0;
	mtx_lock(&sc->sc_mtx);
	if (bo->bo_retired)
		error = ENXIO;
	else if (bo->bo_name == 0 && gem_name_alloc(sc, bo) != 0)
		error = ENOMEM;
	*namep = bo->bo_name;
	mtx_unlock(&sc->sc_mtx);
	return (error);
}

/*
 * The BO called name, with one more handle counted (the caller adds it
 * to a table, or drops it with gem_bo_handle_drop), or NULL.  No lock
 * held.
 */
struct gem_bo *
gem_bo_open_name(struct gem_softc *sc, uint64_t name)
{
	struct gem_bo key, *bo;

	if (name == 0 || name > GEM_NAME_MAX)
		return (NULL);
	key.bo_name = name;
	mtx_lock(&sc->sc_mtx);
	bo = sc->sc_dying ? NULL :
	    RB_FIND(gem_name_tree, &sc->sc_names, &key);
	if (bo != NULL) {
		/* Named BOs are live: retirement takes the name away. */
		KASSERT(!bo->bo_retired && bo->bo_handles > 0,
		    ("gem_bo_open_name: BO %p is retired", (void *)bo));
		bo->bo_handles++;
	}
	mtx_unlock(&sc->sc_mtx);
	return (bo);
}

/* The BO behind obj, if obj is a gem BO's object, else NULL. */
struct gem_bo *
gem_bo_of_object(vm_object_t obj)
{

	if (obj == NULL || obj->type != OBJT_MGTDEVICE ||
	    obj->un_pager.devp.ops != &gem_pager_ops)
		return (NULL);
	return (obj->handle);
}

/*
 * One handle of bo is gone.  The last one retires the BO and drops the
 * handles' reference on its object (which may free bo).  No lock held.
 */
void
gem_bo_handle_drop(struct gem_bo *bo)
{
	struct gem_softc *sc = bo->bo_sc;
	vm_object_t obj = bo->bo_obj;
	bool last, retire;

	mtx_lock(&sc->sc_mtx);
	KASSERT(bo->bo_handles > 0, ("gem_bo_handle_drop: BO %p has no "
	    "handle", (void *)bo));
	last = --bo->bo_handles == 0;
	retire = last && gem_bo_retire_begin(bo);
	mtx_unlock(&sc->sc_mtx);
	if (!last)
		return;
	if (retire)
		gem_bo_retire_finish(bo);
	vm_object_deallocate(obj);
}

/*
 * Mark bo retired: no offset lookup finds it, no name leads to it, no
 * fault is served from it.  Returns false if it already was (the device
 * is going away), true if the caller must finish with
 * gem_bo_retire_finish().  [s] held.
 */
static bool
gem_bo_retire_begin(struct gem_bo *bo)
{
	struct gem_softc *sc = bo->bo_sc;

	mtx_assert(&sc->sc_mtx, MA_OWNED);
	if (bo->bo_retired)
		return (false);
	VM_OBJECT_WLOCK(bo->bo_obj);
	bo->bo_retired = true;
	VM_OBJECT_WUNLOCK(bo->bo_obj);
	if (bo->bo_range != NULL)
		bo->bo_range->r_bo = NULL;
	if (bo->bo_name != 0) {
		RB_REMOVE(gem_name_tree, &sc->sc_names, bo);
		bo->bo_name = 0;
	}
	return (true);
}

/*
 * Finish retiring bo (gem_bo_retire_begin returned true): wait for a
 * move of it to end, revoke every resident page (every place one was
 * served is invalidated), release its memory and charge, then hand its
 * range to the filesystem, which drops the mapping entries of the range
 * and gives the range back (gem_range_done) once the kernel's cache of
 * it is invalidated.  The caller holds a reference on bo's object; no
 * lock held.  Test hook "gem_retire_revoked": pages revoked, memory not
 * freed yet.
 */
static void
gem_bo_retire_finish(struct gem_bo *bo)
{
	struct gem_softc *sc = bo->bo_sc;
	vm_object_t obj = bo->bo_obj;
	struct gem_range *range;
	unsigned long n;

	mtx_lock(&sc->sc_mtx);
	while (bo->bo_busy)
		msleep(bo, &sc->sc_mtx, 0, "gemret", 0);
	bo->bo_busy = true;
	mtx_unlock(&sc->sc_mtx);

	VM_OBJECT_WLOCK(obj);
	n = gem_obj_revoke(obj);
	VM_OBJECT_WUNLOCK(obj);
	__atomic_add_fetch(&sc->sc_revoked, n, __ATOMIC_RELAXED);
	TEST_HOOK("gem_retire_revoked");
	gem_bo_release_memory(bo, false);
	__atomic_add_fetch(&sc->sc_retired, 1, __ATOMIC_RELAXED);

	mtx_lock(&sc->sc_mtx);
	range = bo->bo_range;
	bo->bo_range = NULL;
	if (range != NULL)
		sc->sc_nretiring++;
	mtx_unlock(&sc->sc_mtx);
	gem_bo_unbusy(sc, bo);
	if (range != NULL) {
		/* gem_range_done drops this reference. */
		gem_softc_ref(sc);
		dev_retire_range(sc->sc_dev, range->r_start, range->r_size,
		    gem_range_done, range);
	}
}

/*
 * Take bo's memory away and free it: holds drained, vram pages' recorded
 * mappings removed (a RAM page's are removed when it is freed), charge
 * released.  Faults fail from then on.  No lock held; the caller has
 * set bo_busy, or bo's object is dead (dead: its lock is not taken).
 */
static void
gem_bo_release_memory(struct gem_bo *bo, bool dead)
{
	struct gem_softc *sc = bo->bo_sc;
	enum gem_placement place;
	vm_page_t *pages;
	vm_pindex_t i;
	bool charged;

	mtx_lock(&sc->sc_mtx);
	if (!dead)
		VM_OBJECT_WLOCK(bo->bo_obj);
	place = bo->bo_placement;
	pages = bo->bo_pages;
	charged = bo->bo_charged;
	bo->bo_pages = NULL;
	bo->bo_placement = GEM_NONE;
	bo->bo_charged = false;
	if (!dead)
		VM_OBJECT_WUNLOCK(bo->bo_obj);
	mtx_unlock(&sc->sc_mtx);
	if (pages == NULL)
		return;
	gem_pages_drain(pages, bo->bo_npages);
	if (place == GEM_VRAM)
		for (i = 0; i < bo->bo_npages; i++)
			pmap_remove_all(pages[i]);
	gem_pages_put(sc, bo, place, pages, charged);
	/* Shutdown waits for every BO's memory to go. */
	wakeup(sc);
}

/*
 * d_mmap_single: the object of the live BO holding *offp, referenced,
 * with *offp made relative to it (a mapping counts as a use of the BO
 * for the LRU).  EINVAL when no live BO holds the offset.
 */
int
gem_bo_lookup_offset(struct gem_softc *sc, vm_ooffset_t *offp,
    vm_object_t *objp)
{
	struct gem_range *r;
	struct gem_bo *bo;

	mtx_lock(&sc->sc_mtx);
	r = gem_range_find(sc, *offp);
	if (r == NULL || r->r_bo == NULL) {
		mtx_unlock(&sc->sc_mtx);
		return (EINVAL);
	}
	bo = r->r_bo;
	vm_object_reference(bo->bo_obj);
	*objp = bo->bo_obj;
	*offp -= r->r_start;
	mtx_unlock(&sc->sc_mtx);
	gem_bo_touch(bo);
	return (0);
}

/*
 * The pager's dtor: bo's object is dead (its pages were detached by
 * vm_object_terminate).  A retired BO has no memory left; one that died
 * while being created still has its own: free it, invalidating wherever
 * its vram pages were served (vm_object_terminate leaves fictitious
 * pages' mappings alone).  Then unlink the BO and drop its softc
 * reference.  No lock held.
 */
void
gem_bo_dtor(struct gem_bo *bo)
{
	struct gem_softc *sc = bo->bo_sc;

	gem_bo_release_memory(bo, true);
	mtx_lock(&sc->sc_mtx);
	KASSERT(bo->bo_retired && bo->bo_handles == 0 &&
	    bo->bo_range == NULL && bo->bo_name == 0,
	    ("gem_bo_dtor: BO %p dies unretired", (void *)bo));
	if (bo->bo_linked) {
		TAILQ_REMOVE(&sc->sc_bos, bo, bo_link);
		sc->sc_nbos--;
		bo->bo_linked = false;
	}
	mtx_unlock(&sc->sc_mtx);
	/* A vram pass or a device destroy may wait for this. */
	wakeup(sc);
	free(bo);
	gem_softc_rele(sc);
}

/*
 * The device is being destroyed (destroy_dev has returned: no ioctl,
 * ctl command, open or mmap is running or can start).  gem_softc_dying
 * marks it so (no BO is made from then on); the driver then closes the
 * ctl handles (gem_file_clear of sc_admin) and calls gem_softc_shutdown,
 * which retires every other BO although open files still hold handles of
 * it -- pages revoked, holds drained, memory freed, charges released,
 * mapping entries dropped -- so that later faults on objects the
 * filesystem still holds fail with SIGBUS.  It returns once no page of
 * the vram range is in use, so the caller may unregister it.
 */
void
gem_softc_dying(struct gem_softc *sc)
{

	mtx_lock(&sc->sc_mtx);
	sc->sc_dying = true;
	mtx_unlock(&sc->sc_mtx);
}

void
gem_softc_shutdown(struct gem_softc *sc)
{
	struct gem_bo *bo;
	vm_object_t obj;
	bool busy;

	rcu_thread_online();
	mtx_lock(&sc->sc_mtx);
	KASSERT(sc->sc_dying, ("gem_softc_shutdown: %s is not dying",
	    sc->sc_name));
	for (;;) {
		/* A BO not retired yet (its handles keep its object). */
		busy = false;
		TAILQ_FOREACH(bo, &sc->sc_bos, bo_link) {
			if (!bo->bo_retired && gem_bo_grab(bo))
				break;
			if (bo->bo_placement != GEM_NONE)
				busy = true;	/* retiring, or dying */
		}
		if (bo == NULL) {
			if (!busy)
				break;
			msleep(sc, &sc->sc_mtx, 0, "gemdie", 10);
			continue;
		}
		obj = bo->bo_obj;
		(void)gem_bo_retire_begin(bo);
		mtx_unlock(&sc->sc_mtx);
		gem_bo_retire_finish(bo);
		vm_object_deallocate(obj);	/* ours */
		mtx_lock(&sc->sc_mtx);
	}
	mtx_unlock(&sc->sc_mtx);
}
