/*
 * The phys pager (OBJT_PHYS), after FreeBSD's phys_pager.c: objects of
 * unmanaged RAM pages, zero-filled on first touch and never paged out.
 *
 * An object allocated with a handle is named: it sits on
 * phys_pager_object_list and a later allocation with the same handle
 * returns it referenced (vm_pager_object_lookup, under phys_pager_mtx,
 * which comes before any object lock).  Allocation drops the list lock
 * to allocate, so two threads may race: the loser, which has no handle
 * yet and is on no list, is simply deallocated.
 *
 * Locks used to protect data in this file:
 *	(p)	phys_pager_mtx
 */
#include "config.h"

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

/* Pages around pindex haspage claims, as FreeBSD's PHYSCLUSTER. */
#define	PHYSCLUSTER	1024

static struct mtx phys_pager_mtx;
static struct cds_list_head phys_pager_object_list =	/* (p) */
    CDS_LIST_HEAD_INIT(phys_pager_object_list);

static pgo_init_t phys_pager_init;
static pgo_alloc_t phys_pager_alloc;
static pgo_dealloc_t phys_pager_dealloc;
static pgo_getpages_t phys_pager_getpages;
static pgo_putpages_t phys_pager_putpages;
static pgo_haspage_t phys_pager_haspage;

const struct pagerops physpagerops = {
	.pgo_name = "ph",
	.pgo_init = phys_pager_init,
	.pgo_alloc = phys_pager_alloc,
	.pgo_dealloc = phys_pager_dealloc,
	.pgo_getpages = phys_pager_getpages,
	.pgo_putpages = phys_pager_putpages,
	.pgo_haspage = phys_pager_haspage,
};

static void
phys_pager_init(void)
{

	mtx_init(&phys_pager_mtx, "phys_pager list", LOCK_RANK_PAGER_LIST,
	    MTX_DEF);
}

static vm_object_t
phys_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred)
{
	vm_object_t object, object1;
	vm_pindex_t pindex;

	if (foff & PAGE_MASK)
		return (NULL);
	pindex = OFF_TO_IDX(foff + PAGE_MASK + size);
	if (handle == NULL)
		return (vm_object_allocate(OBJT_PHYS, pindex));

	mtx_lock(&phys_pager_mtx);
	object = vm_pager_object_lookup(&phys_pager_object_list, handle);
	mtx_unlock(&phys_pager_mtx);
	if (object == NULL) {
		/* Allocate with no lock held, then look again. */
		object1 = vm_object_allocate(OBJT_PHYS, pindex);
		mtx_lock(&phys_pager_mtx);
		object = vm_pager_object_lookup(&phys_pager_object_list,
		    handle);
		if (object == NULL) {
			__atomic_store_n(&object1->handle, handle,
			    __ATOMIC_RELEASE);
			cds_list_add_tail_rcu(&object1->pager_object_list,
			    &phys_pager_object_list);
			object = object1;
			object1 = NULL;
		}
		mtx_unlock(&phys_pager_mtx);
		/* The loser has no handle and is on no list. */
		vm_object_deallocate(object1);
	}
	if (object->size < pindex) {
		VM_OBJECT_WLOCK(object);
		if (object->size < pindex)
			object->size = pindex;
		VM_OBJECT_WUNLOCK(object);
	}
	return (object);
}

/*
 * Unlink a named object.  The object lock is dropped around the list
 * lock, which ranks before it.  The object must be locked (write).
 */
static void
phys_pager_dealloc(vm_object_t object)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (object->handle != NULL) {
		VM_OBJECT_WUNLOCK(object);
		TEST_HOOK("phys_pager_dealloc");
		mtx_lock(&phys_pager_mtx);
		cds_list_del_rcu(&object->pager_object_list);
		mtx_unlock(&phys_pager_mtx);
		VM_OBJECT_WLOCK(object);
	}
	__atomic_store_n(&object->handle, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&object->type, OBJT_DEAD, __ATOMIC_RELEASE);
}

/*
 * Zero-fill what is not valid.  The requested page stays busy for the
 * caller; the others are unbusied.  The object must be locked (write).
 */
static int
phys_pager_getpages(vm_object_t object, vm_page_t *ma, int count,
    int reqpage)
{
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	for (i = 0; i < count; i++) {
		if (ma[i]->valid != VM_PAGE_BITS_ALL)
			vm_page_zero_invalid(ma[i], true);
		KASSERT(ma[i]->dirty == 0 || ma[i]->valid == VM_PAGE_BITS_ALL,
		    ("phys_pager_getpages: dirty invalid page %p",
		    (void *)ma[i]));
		if (i != reqpage && vm_page_xbusied(ma[i]))
			vm_page_xunbusy(ma[i]);
	}
	return (VM_PAGER_OK);
}

static void
phys_pager_putpages(vm_object_t object, vm_page_t *ma, int count, int flags,
    int *rtvals)
{

	panic("phys_pager_putpage called");
}

/*
 * Everything exists; claim a PHYSCLUSTER-aligned window around pindex,
 * clipped to the object.  The object must be locked (write).
 */
static bool
phys_pager_haspage(vm_object_t object, vm_pindex_t pindex, int *before,
    int *after)
{
	vm_pindex_t base, end;

	VM_OBJECT_ASSERT_WLOCKED(object);
	base = pindex & ~(vm_pindex_t)(PHYSCLUSTER - 1);
	end = base + (PHYSCLUSTER - 1);
	if (before != NULL)
		*before = (int)(pindex - base);
	if (after != NULL) {
		if (object->size != 0 && end >= object->size)
			end = object->size - 1;
		*after = end >= pindex ? (int)(end - pindex) : 0;
	}
	return (true);
}
