/*
 * gem: the cdev_pager_ops of buffer objects (OBJT_MGTDEVICE), after
 * i915_gem_pager_fault() of FreeBSD's drm2.
 *
 * The fault handler is entered with the object locked (write) and the
 * placeholder vm_fault put at the pindex, exclusive busy, in *mres.  The
 * page to return is the BO's page for that pindex in its current
 * placement: a managed fictitious vram page or a wired RAM page, never
 * in any other object (a BO's pages belong to its object alone, and a
 * move takes them all out before they are freed).
 *
 *	- Usually: vm_page_replace() puts the BO page where the placeholder
 *	  was, the placeholder is freed, the BO page is exclusive busy
 *	  (vm_fault unbusies it), fully valid, and returned.
 *	- While the BO is being moved (bo_moving): the lock must be dropped
 *	  to wait.  As i915 does, the placeholder is taken out of the object
 *	  first (nothing busy of ours stays behind while we sleep), then the
 *	  handler sleeps on the BO with the object lock as interlock; on
 *	  wake-up it looks again: the page may have been installed by
 *	  another fault meanwhile (use it), another fault's placeholder may
 *	  be there (wait for it to go), or the pindex is empty: then the BO
 *	  page is inserted with vm_page_insert(), which may fail for want of
 *	  a trie node -- unlock, pause, retry, at most GEM_INSERT_RETRIES
 *	  times -- and our placeholder is freed.
 *	- A retired BO (its last handle is gone, or the device), no memory
 *	  or a pindex past the BO: VM_PAGER_ERROR, i.e. SIGBUS for the
 *	  application, never an abort.
 *	  An error leaves our placeholder where vm_fault can undo it, or, if
 *	  it was taken out, frees it here (vm_fault only compares the
 *	  pointer, under the same lock hold).
 *
 * Every fault advances the BO's LRU clock.  The handler never takes the
 * driver mutex (see the lock order in dev_gem.h).
 *
 * Test hook: "gem_fault_wake", after a sleep on a moving BO, object
 * locked again.
 */
#include "config.h"

#include <errno.h>

#include "kern/kassert.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "dev/dev_gem.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

static int	gem_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
		    vm_ooffset_t foff, const struct ucred *cred,
		    uint16_t *color);
static void	gem_pg_dtor(void *handle);
static int	gem_pg_fault(vm_object_t obj, vm_ooffset_t offset, int prot,
		    vm_page_t *mres);
static void	gem_fault_unplace(vm_object_t obj, vm_page_t m);
static void	gem_fault_drop(struct gem_bo *bo, vm_page_t m);

const struct cdev_pager_ops gem_pager_ops = {
	.cdev_pg_ctor = gem_pg_ctor,
	.cdev_pg_dtor = gem_pg_dtor,
	.cdev_pg_fault = gem_pg_fault,
};

/* One object per BO, made once: nothing to check or count. */
static int
gem_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, uint16_t *color)
{
	struct gem_bo *bo = handle;

	(void)size;
	(void)prot;
	(void)foff;
	(void)cred;
	KASSERT(bo != NULL, ("gem_pg_ctor: no BO"));
	*color = 0;
	return (0);
}

/* The object is dead: free the BO (dev_gem_bo.c).  No lock held. */
static void
gem_pg_dtor(void *handle)
{

	gem_bo_dtor(handle);
}

/*
 * Take m out of obj before the object lock is dropped.  A placeholder is
 * unmanaged; a managed page (a resident page of ours being paged in
 * again) also loses its recorded mappings.  The object must be locked
 * (write).
 */
static void
gem_fault_unplace(vm_object_t obj, vm_page_t m)
{

	VM_OBJECT_ASSERT_WLOCKED(obj);
	if ((m->oflags & VPO_UNMANAGED) != 0) {
		vm_page_remove(m);
		return;
	}
	cdev_pager_free_page(obj, m);
}

/* Is m the BO's page at its pindex?  The object must be locked. */
static bool
gem_bo_owns_page(const struct gem_bo *bo, vm_page_t m)
{

	return (bo->bo_pages != NULL && m->pindex < bo->bo_npages &&
	    bo->bo_pages[m->pindex] == m);
}

/*
 * Dispose of the page that was at the pindex when the fault began and is
 * in no object now: a placeholder -- a fake page, or the RAM page the
 * fault uses when vm_fault_fake_placeholder fires (cdev_pager(9)) -- is
 * freed; a page of the BO (bo_pages, any placement) stays the BO's.
 */
static void
gem_fault_drop(struct gem_bo *bo, vm_page_t m)
{

	KASSERT(m->object == NULL, ("gem_fault_drop: page %p in %p",
	    (void *)m, (void *)m->object));
	if ((m->flags & PG_FAKEZONE) != 0 || ((m->flags & PG_FICTITIOUS) == 0 &&
	    !gem_bo_owns_page(bo, m)))
		vm_page_free_unlocked(m);
}

/*
 * The OBJT_MGTDEVICE fault handler (see the top of the file).  The
 * object must be locked (write); it is locked on return, and may have
 * been dropped in between.
 */
static int
gem_pg_fault(vm_object_t obj, vm_ooffset_t offset, int prot, vm_page_t *mres)
{
	struct gem_bo *bo;
	vm_page_t m, page, ph;
	vm_pindex_t pidx;
	int tries;
	bool out;

	(void)prot;
	VM_OBJECT_ASSERT_WLOCKED(obj);
	bo = __atomic_load_n(&obj->handle, __ATOMIC_ACQUIRE);
	KASSERT(bo != NULL && bo->bo_obj == obj,
	    ("gem_pg_fault: object %p is not a gem BO's", (void *)obj));
	pidx = OFF_TO_IDX(offset);
	ph = *mres;
	out = false;		/* ph taken out of the object by us */
	tries = 0;
retry:
	while (bo->bo_moving) {
		if (!out && ph->object == obj) {
			gem_fault_unplace(obj, ph);
			out = true;
		}
		__atomic_add_fetch(&bo->bo_sc->sc_fault_waits, 1,
		    __ATOMIC_RELAXED);
		VM_OBJECT_SLEEP(obj, bo, 0, "gemmove", 0);
		TEST_HOOK("gem_fault_wake");
	}
	if (bo->bo_retired || bo->bo_placement == GEM_NONE ||
	    bo->bo_pages == NULL || pidx >= bo->bo_npages)
		goto fail;
	page = bo->bo_pages[pidx];
	gem_bo_touch(bo);

	if (!out) {
		/* Our placeholder (or our resident page) is at pidx. */
		KASSERT(vm_page_lookup(obj, pidx) == ph,
		    ("gem_pg_fault: %p is not at %ju of %p", (void *)ph,
		    (uintmax_t)pidx, (void *)obj));
		/* What is not the BO's page there is a placeholder. */
		KASSERT(ph == page || !gem_bo_owns_page(bo, ph),
		    ("gem_pg_fault: %p at %ju is a BO page", (void *)ph,
		    (uintmax_t)pidx));
		if (ph != page)
			vm_page_xbusy(page);
		cdev_pager_page_replace(obj, mres, page);
		return (VM_PAGER_OK);
	}

	/* We slept: look at the pindex again. */
	m = vm_page_lookup(obj, pidx);
	if (m == page) {
		/* Another fault installed it meanwhile. */
		if (vm_page_sleep_if_busy(m, "gempg"))
			goto retry;
		gem_fault_drop(bo, ph);
		*mres = page;
		return (VM_PAGER_OK);
	}
	if (m != NULL) {
		/* Another fault's placeholder: wait for it to go. */
		if (vm_page_sleep_if_busy(m, "gempg"))
			goto retry;
		goto fail;	/* a stranger that is not busy: cannot be */
	}
	if (vm_page_insert(page, obj, pidx) != 0) {
		/* No trie node: back off (FreeBSD's VM_WAIT) and retry. */
		if (++tries > GEM_INSERT_RETRIES)
			goto fail;
		VM_OBJECT_WUNLOCK(obj);
		pause_ms("gemins", tries);
		VM_OBJECT_WLOCK(obj);
		goto retry;
	}
	vm_page_xbusy(page);
	page->valid = VM_PAGE_BITS_ALL;
	gem_fault_drop(bo, ph);
	*mres = page;
	return (VM_PAGER_OK);

fail:
	if (out)
		gem_fault_drop(bo, ph);
	return (VM_PAGER_ERROR);
}
