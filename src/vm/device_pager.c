/*
 * The device pager, after FreeBSD's device_pager.c: OBJT_DEVICE objects
 * of unmanaged fake pages and OBJT_MGTDEVICE objects of managed
 * fictitious pages, built by cdev_pager_allocate(9) around a driver's
 * cdev_pager_ops, and the old-style pager (dev_pager_alloc, i.e.
 * vm_pager_allocate(OBJT_DEVICE, cdev, ...)) that maps a device through
 * its d_mmap method.
 *
 * One object per handle: objects sit on dev_pager_object_list, and an
 * allocation first looks the handle up.  The list lock dev_pager_mtx
 * ranks before any object lock (lookups lock each matching object while
 * holding it), so dev_pager_dealloc, which is entered with the object
 * locked, drops the object lock before taking the list lock.
 *
 * The allocation race (two threads allocating for one handle, both
 * finding nothing): both build an object with the list lock dropped; the
 * second to look again finds the winner's object, and its own object --
 * built exactly like a winner, fake-page list initialised, devp.dev set
 * -- becomes the loser.  The loser's handle is rewritten to the loser's
 * own address, so that no lookup can match it, the loser is put on the
 * list (dealloc unlinks unconditionally) and deallocated; its dtor gets
 * devp.dev, the handle it was built for, never the rewritten key.
 *
 * Deliberate divergences from FreeBSD 10.4, each for the daemon's sake:
 *	- the fault handler's prot argument (and the nprot of d_mmap called
 *	  from a fault) is the access of the fault, VM_PROT_WRITE when it
 *	  serves a write and VM_PROT_READ otherwise (vm_fault_prot()); 10.4
 *	  always passes PROT_READ, a placeholder for exactly this;
 *	- a handler's VM_PAGER_FAIL fails the fault like VM_PAGER_ERROR
 *	  (KERN_FAILURE, SIGBUS for the application).  10.4's vm_fault
 *	  treats FAIL from the top object as "no such page" and maps its
 *	  RAM placeholder zero-filled instead; here that page would hide a
 *	  dead or failing device behind zeros, take stores no device ever
 *	  sees, and cost daemon RAM nobody is charged for (see vm_fault.c);
 *	- vm_fault hands the pager a fake placeholder, not a RAM page, so a
 *	  fault costs no RAM (vm_fault.c).  10.4's RAM placeholder -- and
 *	  with it the vm_page_replace branch of old_dev_pager_fault, which
 *	  10.4 takes on every first fault -- is what a fault gets when the
 *	  vm_fault_fake_placeholder fail point fires;
 *	- the page a handler returns must be fully valid: asserted (it is
 *	  the handler's job, as in 10.4).  Without INVARIANTS the driver's
 *	  mistake is logged and the page marked valid here, where 10.4's
 *	  vm_pager_get_pages would zero the invalid part -- device memory;
 *	- a fake page that is already on devp_pglist (the updatefake path
 *	  after an invalidation) is not linked a second time (VPO_ONPGLIST);
 *	- putpages accepts Linux writeback of MAP_SHARED pages instead of
 *	  panicking: the data already lives in device memory;
 *	- cdev_pager_free_page takes a managed page out of its object before
 *	  pmap_remove_all, so a lock-free fault cannot record a new mapping
 *	  in between, and takes an OBJT_DEVICE page out of its object before
 *	  freeing it;
 *	- the old-style pager drops the cdev reference its ctor took when
 *	  the allocation found an existing object (FreeBSD leaks one per
 *	  extra mmap); the ctor itself still runs on every call;
 *	- vm_pager_allocate(OBJT_MGTDEVICE, ...) fails: d_mmap cannot supply
 *	  managed pages (FreeBSD silently builds an OBJT_DEVICE object).
 *
 * Locks used to protect data in this file:
 *	(a)	atomic
 *	(d)	dev_pager_mtx
 *	(t)	set by tests only, while no pager call runs
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/test_hook.h"
#include "vm/device_pager.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

/* Longest walk the list checker accepts before calling it a cycle. */
#define	DEV_PAGER_LIST_MAX	(1UL << 20)

static struct mtx dev_pager_mtx =
    MTX_INITIALIZER("dev_pager list", LOCK_RANK_PAGER_LIST, 0);
/*
 * The list head lives inside an otherwise unused object, so that the
 * list macros' container_of() of the head -- computed, never used, at the
 * end of every walk -- is a correctly aligned struct vm_object.
 */
static struct vm_object dev_pager_list_anchor = {	/* (d; r) */
	.pager_object_list =
	    CDS_LIST_HEAD_INIT(dev_pager_list_anchor.pager_object_list),
};
#define	dev_pager_object_list	(dev_pager_list_anchor.pager_object_list)
static struct dev_pager_counters dev_pager_stats;	/* (a) */
static int dev_pager_variant;				/* (t) */

FAIL_POINT_DEFINE(dev_pager_fault);

static pgo_alloc_t dev_pager_alloc;
static pgo_dealloc_t dev_pager_dealloc;
static pgo_getpages_t dev_pager_getpages;
static pgo_putpages_t dev_pager_putpages;
static pgo_haspage_t dev_pager_haspage;

static vm_object_t cdev_pager_allocate_impl(void *handle, enum obj_type tp,
	    const struct cdev_pager_ops *ops, vm_ooffset_t size,
	    vm_prot_t prot, vm_ooffset_t foff, const struct ucred *cred,
	    bool *foundp);
static void	dev_pager_free_page(vm_object_t object, vm_page_t m);
static void	dev_pager_check_member(vm_object_t object);
static void	dev_pager_check_pglist(vm_object_t object);
static void	dev_pager_count(unsigned long *counter);

static int	old_dev_pager_ctor(void *handle, vm_ooffset_t size,
		    vm_prot_t prot, vm_ooffset_t foff,
		    const struct ucred *cred, uint16_t *color);
static void	old_dev_pager_dtor(void *handle);
static int	old_dev_pager_fault(vm_object_t object, vm_ooffset_t offset,
		    int prot, vm_page_t *mres);

const struct pagerops devicepagerops = {
	.pgo_name = "dv",
	.pgo_alloc = dev_pager_alloc,
	.pgo_dealloc = dev_pager_dealloc,
	.pgo_getpages = dev_pager_getpages,
	.pgo_putpages = dev_pager_putpages,
	.pgo_haspage = dev_pager_haspage,
};

/* No pgo_init (the list and its lock are static) and no pgo_alloc. */
const struct pagerops mgtdevicepagerops = {
	.pgo_name = "md",
	.pgo_alloc = NULL,
	.pgo_dealloc = dev_pager_dealloc,
	.pgo_getpages = dev_pager_getpages,
	.pgo_putpages = dev_pager_putpages,
	.pgo_haspage = dev_pager_haspage,
};

static const struct cdev_pager_ops old_dev_pager_ops = {
	.cdev_pg_ctor = old_dev_pager_ctor,
	.cdev_pg_dtor = old_dev_pager_dtor,
	.cdev_pg_fault = old_dev_pager_fault,
};

static void
dev_pager_count(unsigned long *counter)
{

	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

void
dev_pager_counters(struct dev_pager_counters *c)
{

	c->built = __atomic_load_n(&dev_pager_stats.built, __ATOMIC_RELAXED);
	c->found = __atomic_load_n(&dev_pager_stats.found, __ATOMIC_RELAXED);
	c->race_losers = __atomic_load_n(&dev_pager_stats.race_losers,
	    __ATOMIC_RELAXED);
	c->deallocs = __atomic_load_n(&dev_pager_stats.deallocs,
	    __ATOMIC_RELAXED);
	c->dealloc_pages = __atomic_load_n(&dev_pager_stats.dealloc_pages,
	    __ATOMIC_RELAXED);
	c->faults = __atomic_load_n(&dev_pager_stats.faults,
	    __ATOMIC_RELAXED);
	c->fault_errors = __atomic_load_n(&dev_pager_stats.fault_errors,
	    __ATOMIC_RELAXED);
	c->memattr_warnings = __atomic_load_n(
	    &dev_pager_stats.memattr_warnings, __ATOMIC_RELAXED);
}

void
dev_pager_set_variant(enum dev_pager_variant v)
{

	__atomic_store_n(&dev_pager_variant, (int)v, __ATOMIC_RELEASE);
}

static inline bool
dev_pager_is_variant(enum dev_pager_variant v)
{

	return (__predict_false(__atomic_load_n(&dev_pager_variant,
	    __ATOMIC_ACQUIRE) == (int)v));
}

/*
 * Find or build the object for handle.  NULL when tp is not a device
 * type, foff is not page-aligned, foff + size wraps, or the ctor fails.
 * The ctor runs on every call, before dev_pager_mtx; the dtor runs once
 * per object built.
 */
vm_object_t
cdev_pager_allocate(void *handle, enum obj_type tp,
    const struct cdev_pager_ops *ops, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred)
{
	bool found;

	return (cdev_pager_allocate_impl(handle, tp, ops, size, prot, foff,
	    cred, &found));
}

/* *foundp: the first lookup found the object (nothing was built). */
static vm_object_t
cdev_pager_allocate_impl(void *handle, enum obj_type tp,
    const struct cdev_pager_ops *ops, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, bool *foundp)
{
	vm_object_t object, object1;
	vm_pindex_t pindex;
	uint16_t color;

	*foundp = false;
	if (tp != OBJT_DEVICE && tp != OBJT_MGTDEVICE)
		return (NULL);
	if ((foff & PAGE_MASK) != 0)
		return (NULL);
	if (round_page(size) < size || foff + round_page(size) < foff)
		return (NULL);
	size = round_page(size);
	pindex = OFF_TO_IDX(foff + size);

	color = 0;
	if (ops->cdev_pg_ctor(handle, size, prot, foff, cred, &color) != 0)
		return (NULL);

	object1 = NULL;
	mtx_lock(&dev_pager_mtx);
	object = vm_pager_object_lookup(&dev_pager_object_list, handle);
	if (object == NULL) {
		mtx_unlock(&dev_pager_mtx);
		TEST_HOOK("cdev_pager_allocate_H1");

		/*
		 * Build the object completely before anybody can see it:
		 * a race loser is torn down by the same dealloc as a
		 * winner, which walks its fake-page list and unlinks it.
		 */
		object1 = vm_object_allocate(tp, pindex);
		dev_pager_count(&dev_pager_stats.built);
		VM_OBJECT_WLOCK(object1);
		if (dev_pager_is_variant(DEV_PAGER_LOSER_NO_PGLIST_INIT))
			memset(&object1->un_pager.devp.devp_pglist, 0,
			    sizeof(object1->un_pager.devp.devp_pglist));
		else
			TAILQ_INIT(&object1->un_pager.devp.devp_pglist);
		object1->un_pager.devp.ops = ops;
		object1->un_pager.devp.dev = handle;
		object1->pg_color = color;
		vm_object_set_flag(object1, OBJ_COLORED);
		__atomic_store_n(&object1->handle, handle, __ATOMIC_RELEASE);
		VM_OBJECT_WUNLOCK(object1);
		TEST_HOOK("cdev_pager_allocate_H2");

		mtx_lock(&dev_pager_mtx);
		object = vm_pager_object_lookup(&dev_pager_object_list,
		    handle);
		if (object == NULL) {
			object = object1;
			object1 = NULL;
			if (dev_pager_is_variant(
			    DEV_PAGER_LOSER_NO_PGLIST_INIT))
				TAILQ_INIT(&object->un_pager.devp.devp_pglist);
			cds_list_add_tail_rcu(&object->pager_object_list,
			    &dev_pager_object_list);
		}
	} else {
		*foundp = true;
		dev_pager_count(&dev_pager_stats.found);
	}
	if (*foundp || object1 != NULL) {
		/* An existing object: make it large enough for us. */
		KASSERT(object->type == tp,
		    ("Inconsistent device pager type %p %d", (void *)object,
		    tp));
		VM_OBJECT_WLOCK(object);
		if (pindex > object->size)
			__atomic_store_n(&object->size, pindex,
			    __ATOMIC_RELAXED);
		VM_OBJECT_WUNLOCK(object);
	}
	mtx_unlock(&dev_pager_mtx);

	if (object1 != NULL) {
		/* We lost the race: tear our object down like any other. */
		dev_pager_count(&dev_pager_stats.race_losers);
		if (!dev_pager_is_variant(DEV_PAGER_LOSER_KEEPS_HANDLE))
			__atomic_store_n(&object1->handle, object1,
			    __ATOMIC_RELEASE);
		if (!dev_pager_is_variant(DEV_PAGER_LOSER_NOT_LISTED)) {
			mtx_lock(&dev_pager_mtx);
			cds_list_add_tail_rcu(&object1->pager_object_list,
			    &dev_pager_object_list);
			mtx_unlock(&dev_pager_mtx);
		}
		vm_object_deallocate(object1);
	}
	return (object);
}

/*
 * The old-style pager: the handle is a struct cdev mapped through its
 * d_mmap.  The ctor's cdev reference belongs to the object it builds;
 * when the allocation found an existing object instead, drop it here.
 */
static vm_object_t
dev_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred)
{
	struct cdev *dev;
	vm_object_t object;
	char path[SPECNAMELEN + sizeof("dev/")];
	bool found;

	dev = handle;
	object = cdev_pager_allocate_impl(handle, OBJT_DEVICE,
	    &old_dev_pager_ops, size, prot, foff, cred, &found);
	if (object == NULL)
		return (NULL);
	if (found)
		dev_rel(dev);
	snprintf(path, sizeof(path), "dev/%s", devtoname(dev));
	vm_object_set_path(object, path);
	return (object);
}

/*
 * Find the live object for handle and return it referenced (the caller
 * must vm_object_deallocate it), or NULL.
 */
vm_object_t
cdev_pager_lookup(void *handle)
{
	vm_object_t object;

	mtx_lock(&dev_pager_mtx);
	object = vm_pager_object_lookup(&dev_pager_object_list, handle);
	mtx_unlock(&dev_pager_mtx);
	return (object);
}

/*
 * Revoke one page of a device object: for OBJT_MGTDEVICE every mapping
 * recorded for it is removed (the unmap callback runs for each) and it
 * leaves the object; for OBJT_DEVICE the fake page leaves the object and
 * the pager's list and is freed.  The object must be locked (write).
 */
void
cdev_pager_free_page(vm_object_t object, vm_page_t m)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (object->type == OBJT_MGTDEVICE) {
		KASSERT((m->oflags & VPO_UNMANAGED) == 0,
		    ("unmanaged %p", (void *)m));
		if (m->object == object) {
			vm_page_lock(m);
			vm_page_remove(m);
			vm_page_unlock(m);
		}
		pmap_remove_all(m);
	} else if (object->type == OBJT_DEVICE)
		dev_pager_free_page(object, m);
}

void
cdev_pager_page_replace(vm_object_t object, vm_page_t *mres, vm_page_t page)
{
	vm_page_t old;

	VM_OBJECT_ASSERT_WLOCKED(object);
	old = *mres;
	if (page != old) {
		if (vm_page_replace(page, object, old->pindex) != old)
			panic("cdev_pager_page_replace: invalid page "
			    "replacement");
		if ((old->oflags & VPO_UNMANAGED) == 0)
			pmap_remove_all(old);
		vm_page_free_unlocked(old);
		*mres = page;
	}
	page->valid = VM_PAGE_BITS_ALL;
}

void
cdev_pager_fake_page(vm_object_t object, vm_page_t *mres, vm_paddr_t paddr,
    vm_memattr_t memattr)
{
	vm_page_t page;

	VM_OBJECT_ASSERT_WLOCKED(object);
	page = *mres;
	if ((page->flags & PG_FICTITIOUS) != 0) {
		/* A fake placeholder, or a fake page of the object's being
		 * paged in again: point it at paddr. */
		vm_page_updatefake(page, paddr, memattr);
		page->valid = VM_PAGE_BITS_ALL;
		return;
	}
	/* getfake may block: no object lock around it. */
	VM_OBJECT_WUNLOCK(object);
	page = vm_page_getfake(paddr, memattr);
	VM_OBJECT_WLOCK(object);
	cdev_pager_page_replace(object, mres, page);
}

/* The object must be locked (write). */
static void
dev_pager_free_page(vm_object_t object, vm_page_t m)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->type == OBJT_DEVICE &&
	    (m->oflags & VPO_UNMANAGED) != 0,
	    ("Managed device or page obj %p m %p", (void *)object,
	    (void *)m));
	KASSERT((m->oflags & VPO_ONPGLIST) != 0,
	    ("dev_pager_free_page: page %p is not on the list of %p",
	    (void *)m, (void *)object));
	KASSERT(m->queue == PQ_NONE,
	    ("dev_pager_free_page: page %p of %p is on paging queue %d",
	    (void *)m, (void *)object, m->queue));
	TAILQ_REMOVE(&object->un_pager.devp.devp_pglist, m, plinks.q);
	m->oflags &= ~VPO_ONPGLIST;
	if (m->object == object)
		vm_page_remove(m);
	vm_page_putfake(m);
}

/*
 * dealloc refuses to unlink an object that is not on the list (a
 * TAILQ/list removal of a non-member corrupts its neighbours) and to walk
 * a fake-page list that was never initialised.  These checks are cheap
 * and always on: the broken variants of reference 4.2 must be caught in
 * every build.
 */
static void
dev_pager_check_member(vm_object_t object)
{
	struct cds_list_head *l;

	mtx_assert(&dev_pager_mtx, MA_OWNED);
	l = &object->pager_object_list;
	if (l->next == NULL || l->prev == NULL || l->next == l ||
	    l->next->prev != l || l->prev->next != l)
		panic("dev_pager_dealloc: object %p is not on the device "
		    "pager list", (void *)object);
}

static void
dev_pager_check_pglist(vm_object_t object)
{
	struct pglist *pl;

	pl = &object->un_pager.devp.devp_pglist;
	if (pl->tqh_last == NULL ||
	    (TAILQ_FIRST(pl) == NULL && pl->tqh_last != &TAILQ_FIRST(pl)))
		panic("dev_pager_dealloc: object %p: devp_pglist is not "
		    "initialised", (void *)object);
}

/*
 * Entered with the object locked (write) and dead; returns with it
 * locked and OBJT_DEAD.  The lock is dropped around the dtor and the
 * list lock, which ranks before it.
 */
static void
dev_pager_dealloc(vm_object_t object)
{
	const struct cdev_pager_ops *ops;
	vm_page_t m;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->type == OBJT_DEVICE || object->type == OBJT_MGTDEVICE,
	    ("dev_pager_dealloc: object %p type %d", (void *)object,
	    object->type));
	dev_pager_count(&dev_pager_stats.deallocs);
	ops = object->un_pager.devp.ops;
	if (dev_pager_is_variant(DEV_PAGER_DEALLOC_LOR)) {
		/* Broken on purpose: list lock under the object lock. */
		ops->cdev_pg_dtor(object->un_pager.devp.dev);
		TEST_HOOK("dev_pager_dealloc_H3");
		mtx_lock(&dev_pager_mtx);
		dev_pager_check_member(object);
		cds_list_del_rcu(&object->pager_object_list);
		mtx_unlock(&dev_pager_mtx);
	} else {
		VM_OBJECT_WUNLOCK(object);
		ops->cdev_pg_dtor(object->un_pager.devp.dev);
		TEST_HOOK("dev_pager_dealloc_H3");
		mtx_lock(&dev_pager_mtx);
		dev_pager_check_member(object);
		cds_list_del_rcu(&object->pager_object_list);
		mtx_unlock(&dev_pager_mtx);
		VM_OBJECT_WLOCK(object);
	}
	/*
	 * The links are left as they are: an RCU reader standing on this
	 * object still finds its way on.
	 */

	dev_pager_check_pglist(object);
	if (object->type == OBJT_DEVICE) {
		/* terminate detached them from the object; free them. */
		while ((m = TAILQ_FIRST(&object->un_pager.devp.devp_pglist)) !=
		    NULL) {
			dev_pager_free_page(object, m);
			dev_pager_count(&dev_pager_stats.dealloc_pages);
		}
	}
	__atomic_store_n(&object->handle, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&object->type, OBJT_DEAD, __ATOMIC_RELEASE);
}

/*
 * Ask the driver for ma[reqpage].  The driver's fault handler gets the
 * placeholder in ma[reqpage] and leaves there the page now at that
 * pindex.  Every other page of ma[] is freed.  The object must be locked
 * (write); the handler may drop and retake the lock.
 */
static int
dev_pager_getpages(vm_object_t object, vm_page_t *ma, int count, int reqpage)
{
	vm_page_t m;
	int error, i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->type == OBJT_DEVICE || object->type == OBJT_MGTDEVICE,
	    ("dev_pager_getpages: object %p type %d", (void *)object,
	    object->type));
	dev_pager_count(&dev_pager_stats.faults);
	if (FAIL_POINT_EVAL(dev_pager_fault) != 0)
		error = VM_PAGER_ERROR;
	else
		error = object->un_pager.devp.ops->cdev_pg_fault(object,
		    IDX_TO_OFF(ma[reqpage]->pindex), (int)vm_fault_prot(),
		    &ma[reqpage]);
	VM_OBJECT_ASSERT_WLOCKED(object);

	for (i = 0; i < count; i++)
		if (i != reqpage)
			vm_page_free_unlocked(ma[i]);

	if (error != VM_PAGER_OK) {
		dev_pager_count(&dev_pager_stats.fault_errors);
		return (error);
	}
	m = ma[reqpage];
	KASSERT((object->type == OBJT_DEVICE &&
	    (m->oflags & VPO_UNMANAGED) != 0) ||
	    (object->type == OBJT_MGTDEVICE &&
	    (m->oflags & VPO_UNMANAGED) == 0),
	    ("Wrong page type %p %p", (void *)m, (void *)object));
	if (object->type == OBJT_DEVICE &&
	    (m->oflags & VPO_ONPGLIST) == 0) {
		/*
		 * A fresh fake page; one from updatefake is listed already.
		 * plinks.q is free only on a page on no paging queue.
		 */
		KASSERT(m->queue == PQ_NONE,
		    ("dev_pager_getpages: page %p of %p is on paging queue %d",
		    (void *)m, (void *)object, m->queue));
		TAILQ_INSERT_TAIL(&object->un_pager.devp.devp_pglist, m,
		    plinks.q);
		m->oflags |= VPO_ONPGLIST;
	}
	/* Filling the page in is the handler's job (see the top). */
	KASSERT(m->valid == VM_PAGE_BITS_ALL,
	    ("dev_pager_getpages: fault handler of %p returned page %p at "
	    "%ju with valid %#x", (void *)object, (void *)m,
	    (uintmax_t)m->pindex, m->valid));
	if (__predict_false(m->valid != VM_PAGE_BITS_ALL)) {
		kern_log_ratelimited(object->un_pager.devp.ops, LOG_WARNING,
		    "WARNING: dev_pager_getpages: the fault handler of object "
		    "%ju returned page %ju not fully valid (%#x)",
		    (uintmax_t)object->id, (uintmax_t)m->pindex, m->valid);
		m->valid = VM_PAGE_BITS_ALL;
	}
	return (VM_PAGER_OK);
}

/*
 * Writeback of a device page (Linux writes dirty MAP_SHARED pages back):
 * the data is already in device memory, so there is nothing to do but
 * call the pages clean.  The object must be locked (write).
 */
static void
dev_pager_putpages(vm_object_t object, vm_page_t *ma, int count, int flags,
    int *rtvals)
{
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	for (i = 0; i < count; i++) {
		ma[i]->dirty = 0;
		rtvals[i] = VM_PAGER_OK;
	}
}

/* Every page exists; no clustering.  The object must be locked. */
static bool
dev_pager_haspage(vm_object_t object, vm_pindex_t pindex, int *before,
    int *after)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return (true);
}

/*
 * The old-style ctor: every page of [foff, foff + size) must map; the
 * object then holds a cdev reference.  The colour is the physical page
 * number minus the object page index of the last page checked,
 *	color = atop(paddr) - OFF_TO_IDX(off - PAGE_SIZE)
 * with off one page past it (reference row 18), so that a 2 MiB-aligned
 * physical address maps to a 2 MiB-aligned object offset (superpage
 * alignment hint); 0 for an empty range.
 */
static int
old_dev_pager_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, uint16_t *color)
{
	struct cdev *dev;
	struct cdevsw *csw;
	vm_memattr_t dummy;
	vm_ooffset_t off;
	vm_paddr_t paddr;
	vm_pindex_t npages;
	int ref;

	dev = handle;
	csw = dev_refthread(dev, &ref);
	if (csw == NULL)
		return (ENXIO);
	paddr = 0;
	off = foff;
	for (npages = OFF_TO_IDX(size); npages > 0; npages--) {
		dummy = VM_MEMATTR_DEFAULT;
		if (csw->d_mmap(dev, off, &paddr, (int)prot, &dummy) != 0) {
			dev_relthread(dev, ref);
			return (EINVAL);
		}
		off += PAGE_SIZE;
	}
	dev_ref(dev);
	dev_relthread(dev, ref);
	*color = size == 0 ? 0 :
	    (uint16_t)(atop(paddr) - OFF_TO_IDX(off - PAGE_SIZE));
	return (0);
}

static void
old_dev_pager_dtor(void *handle)
{

	dev_rel(handle);
}

/*
 * Map the page at offset through d_mmap.  d_mmap runs without the object
 * lock, with a thread reference on the device (a device being destroyed
 * makes the fault fail, never crash), and with td_fpop cleared: a fault
 * is not an operation on any open file.  A d_mmap error is a fault error
 * (VM_PAGER_FAIL), never an abort.  The object must be locked (write).
 */
static int
old_dev_pager_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{
	struct cdev *dev;
	struct cdevsw *csw;
	struct file *fpop;
	const char *dname;
	vm_memattr_t memattr, memattr1;
	vm_paddr_t paddr;
	vm_page_t m_paddr;
	unsigned dflags;
	int ref, ret;
	bool warn;

	VM_OBJECT_ASSERT_WLOCKED(object);
	dev = object->un_pager.devp.dev;
	memattr = object->memattr;
	VM_OBJECT_WUNLOCK(object);

	csw = dev_refthread(dev, &ref);
	if (csw == NULL) {
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_FAIL);
	}
	dflags = csw->d_flags;
	dname = csw->d_name != NULL ? csw->d_name : devtoname(dev);
	paddr = 0;
	fpop = curthread->td_fpop;
	curthread->td_fpop = NULL;
	ret = csw->d_mmap(dev, offset, &paddr, prot, &memattr);
	curthread->td_fpop = fpop;
	if (ret != 0) {
		dev_relthread(dev, ref);
		kern_log(LOG_WARNING,
		    "WARNING: dev_pager_getpage: map function returns error %d",
		    ret);
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_FAIL);
	}

	/*
	 * If paddr is a real RAM page, the fake page aliases it: the real
	 * page's memattr wins, and a driver that asked for another one is
	 * told so, once per page.
	 */
	m_paddr = vm_phys_paddr_to_vm_page(paddr);
	if (m_paddr != NULL) {
		vm_page_lock(m_paddr);
		memattr1 = pmap_page_get_memattr(m_paddr);
		warn = false;
		if (memattr1 != memattr && (dflags & D_MEM) == 0 &&
		    (m_paddr->flags & PG_MEMATTR_WARNED) == 0) {
			m_paddr->flags |= PG_MEMATTR_WARNED;
			warn = true;
		}
		vm_page_unlock(m_paddr);
		if (warn) {
			dev_pager_count(&dev_pager_stats.memattr_warnings);
			kern_log(LOG_WARNING, "Device driver %s has set "
			    "\"memattr\" inconsistently (drv %u pmap %u).",
			    dname, (unsigned)(uint8_t)memattr,
			    (unsigned)(uint8_t)memattr1);
		}
		memattr = memattr1;
	}
	dev_relthread(dev, ref);

	VM_OBJECT_WLOCK(object);
	cdev_pager_fake_page(object, mres, paddr, memattr);
	return (VM_PAGER_OK);
}

/*
 * The list checker (see device_pager.h).
 */
int
dev_pager_list_check(char *buf, size_t len, unsigned *countp)
{
	struct cds_list_head *l;
	vm_object_t object, o2;
	unsigned long fwd, back;
	int problems;

#define	PROBLEM(...) do {						\
	if (problems++ == 0 && buf != NULL && len > 0)			\
		snprintf(buf, len, __VA_ARGS__);			\
} while (0)

	problems = 0;
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	mtx_lock(&dev_pager_mtx);
	fwd = 0;
	for (l = dev_pager_object_list.next; l != &dev_pager_object_list;
	    l = l->next) {
		if (l == NULL || l->next == NULL || l->next->prev != l) {
			PROBLEM("broken forward link at %p", (void *)l);
			break;
		}
		if (++fwd > DEV_PAGER_LIST_MAX) {
			PROBLEM("forward walk does not end");
			break;
		}
		object = cds_list_entry(l, struct vm_object,
		    pager_object_list);
		if (object->type != OBJT_DEVICE &&
		    object->type != OBJT_MGTDEVICE)
			PROBLEM("object %p of type %d on the list",
			    (void *)object, object->type);
	}
	back = 0;
	for (l = dev_pager_object_list.prev; l != &dev_pager_object_list;
	    l = l->prev) {
		if (l == NULL || l->prev == NULL || l->prev->next != l) {
			PROBLEM("broken backward link at %p", (void *)l);
			break;
		}
		if (++back > DEV_PAGER_LIST_MAX) {
			PROBLEM("backward walk does not end");
			break;
		}
	}
	if (problems == 0 && fwd != back)
		PROBLEM("forward walk saw %lu objects, backward %lu", fwd,
		    back);
	if (problems == 0) {
		cds_list_for_each_entry(object, &dev_pager_object_list,
		    pager_object_list) {
			if ((__atomic_load_n(&object->flags,
			    __ATOMIC_ACQUIRE) & OBJ_DEAD) != 0)
				continue;
			for (l = object->pager_object_list.next;
			    l != &dev_pager_object_list; l = l->next) {
				o2 = cds_list_entry(l, struct vm_object,
				    pager_object_list);
				if ((__atomic_load_n(&o2->flags,
				    __ATOMIC_ACQUIRE) & OBJ_DEAD) == 0 &&
				    o2->handle == object->handle)
					PROBLEM("objects %p and %p share "
					    "handle %p", (void *)object,
					    (void *)o2, object->handle);
			}
		}
	}
	mtx_unlock(&dev_pager_mtx);
	if (countp != NULL)
		*countp = (unsigned)fwd;
	return (problems);
#undef PROBLEM
}
