/*
 * The default and swap pagers: anonymous memory (OBJT_DEFAULT,
 * OBJT_SWAP), after FreeBSD's default_pager.c and swap_pager.c.
 *
 * There is no swap device.  Every page of an anonymous object is a RAM
 * page of vm_phys that stays resident until the object dies or the page
 * is removed; a page is zero-filled the first time it is faulted in.
 * putpages therefore has nowhere to write to and accepts every page as
 * written (VM_PAGER_OK): the RAM copy is the backing store.  haspage
 * knows only resident pages.  Both types are charged to the allocating
 * uid (swap_reserve_by_cred) for their whole size at allocation; the
 * charge is released by vm_object_destroy().  Anonymous objects have no
 * handle: they are never looked up by name.
 */
#include "config.h"

#include "kern/kassert.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/swap_reserve.h"

static vm_object_t anon_pager_alloc(objtype_t type, void *handle,
	    vm_ooffset_t size, vm_ooffset_t off, const struct ucred *cred);
static pgo_alloc_t default_pager_alloc;
static pgo_alloc_t swap_pager_alloc;
static pgo_dealloc_t anon_pager_dealloc;
static pgo_getpages_t anon_pager_getpages;
static pgo_putpages_t anon_pager_putpages;
static pgo_haspage_t anon_pager_haspage;

const struct pagerops defaultpagerops = {
	.pgo_name = "df",
	.pgo_alloc = default_pager_alloc,
	.pgo_dealloc = anon_pager_dealloc,
	.pgo_getpages = anon_pager_getpages,
	.pgo_putpages = anon_pager_putpages,
	.pgo_haspage = anon_pager_haspage,
};

const struct pagerops swappagerops = {
	.pgo_name = "sw",
	.pgo_alloc = swap_pager_alloc,
	.pgo_dealloc = anon_pager_dealloc,
	.pgo_getpages = anon_pager_getpages,
	.pgo_putpages = anon_pager_putpages,
	.pgo_haspage = anon_pager_haspage,
};

/*
 * Reserve first, so that a refused charge allocates nothing; with a NULL
 * cred (the daemon's own memory) nothing is charged.
 */
static vm_object_t
anon_pager_alloc(objtype_t type, void *handle, vm_ooffset_t size,
    vm_ooffset_t off, const struct ucred *cred)
{
	vm_object_t object;
	vm_ooffset_t charge;

	KASSERT(handle == NULL, ("anonymous pager: handle specified"));
	if (handle != NULL)
		return (NULL);
	charge = round_page(size);
	if (cred != NULL && !swap_reserve_by_cred(charge, cred))
		return (NULL);
	object = vm_object_allocate(type, OFF_TO_IDX(round_page(off + size)));
	if (cred != NULL) {
		VM_OBJECT_WLOCK(object);
		object->cred = *cred;
		object->has_cred = true;
		object->charge = charge;
		VM_OBJECT_WUNLOCK(object);
	}
	return (object);
}

static vm_object_t
default_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t off, const struct ucred *cred)
{

	return (anon_pager_alloc(OBJT_DEFAULT, handle, size, off, cred));
}

static vm_object_t
swap_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t off, const struct ucred *cred)
{

	return (anon_pager_alloc(OBJT_SWAP, handle, size, off, cred));
}

/* No swap blocks to free; the charge goes in vm_object_destroy().  The
 * object must be locked (write). */
static void
anon_pager_dealloc(vm_object_t object)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	object->handle = NULL;
	__atomic_store_n(&object->type, OBJT_DEAD, __ATOMIC_RELEASE);
}

/*
 * Zero-fill the requested page (nothing was ever written anywhere else);
 * the other pages are not wanted and are freed.  The object must be
 * locked (write).
 */
static int
anon_pager_getpages(vm_object_t object, vm_page_t *ma, int count,
    int reqpage)
{
	vm_page_t m;
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	for (i = 0; i < count; i++) {
		if (i == reqpage)
			continue;
		m = ma[i];
		vm_page_free_unlocked(m);
	}
	m = ma[reqpage];
	if (m->valid != VM_PAGE_BITS_ALL)
		vm_page_zero_invalid(m, true);
	return (VM_PAGER_OK);
}

/* Accept every page: RAM is the backing store.  Object locked (write). */
static void
anon_pager_putpages(vm_object_t object, vm_page_t *ma, int count, int flags,
    int *rtvals)
{
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	for (i = 0; i < count; i++)
		rtvals[i] = VM_PAGER_OK;
}

/* Only resident pages exist.  The object must be locked (write). */
static bool
anon_pager_haspage(vm_object_t object, vm_pindex_t pindex, int *before,
    int *after)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return (vm_page_lookup(object, pindex) != NULL);
}
