/*
 * The scatter/gather pager (OBJT_SG), after FreeBSD's sg_pager.c: an
 * object whose pages are fake pages aliasing the physical segments of an
 * sglist (kern/sglist.h).
 *
 * Every allocation builds a new object: there is no list and no lookup
 * (an sglist is constant once shared, so several objects may map it).
 * The object holds a reference on the sglist (sglist_hold) until its
 * dealloc (sglist_free).  Segments must be page-aligned in address and
 * length.  Fake pages are linked on sgp_pglist through plinks.q and freed
 * by dealloc.
 *
 * As for the device pager, putpages accepts Linux writeback (the data is
 * in device memory already), and a fake page that comes back in the
 * request (paged in again after an invalidation) is updated in place
 * rather than replaced by a second one.
 */
#include "config.h"

#include <stddef.h>

#include "kern/kassert.h"
#include "kern/sglist.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

static pgo_alloc_t sg_pager_alloc;
static pgo_dealloc_t sg_pager_dealloc;
static pgo_getpages_t sg_pager_getpages;
static pgo_putpages_t sg_pager_putpages;
static pgo_haspage_t sg_pager_haspage;

const struct pagerops sgpagerops = {
	.pgo_name = "sg",
	.pgo_alloc = sg_pager_alloc,
	.pgo_dealloc = sg_pager_dealloc,
	.pgo_getpages = sg_pager_getpages,
	.pgo_putpages = sg_pager_putpages,
	.pgo_haspage = sg_pager_haspage,
};

/*
 * A new object over the sglist handle, sized to the whole list.  NULL if
 * foff is not page-aligned, a segment is not page-aligned, or
 * [foff, foff + size) reaches past the list.
 */
static vm_object_t
sg_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred)
{
	struct sglist *sg;
	vm_object_t object;
	vm_pindex_t npages, pindex;
	int i;

	sg = handle;
	if (sg == NULL || (foff & PAGE_MASK) != 0)
		return (NULL);
	npages = 0;
	for (i = 0; i < sg->sg_nseg; i++) {
		if ((sg->sg_segs[i].ss_paddr & PAGE_MASK) != 0 ||
		    (sg->sg_segs[i].ss_len & PAGE_MASK) != 0)
			return (NULL);
		npages += sg->sg_segs[i].ss_len / PAGE_SIZE;
	}
	if (round_page(size) < size || foff + round_page(size) < foff)
		return (NULL);
	pindex = OFF_TO_IDX(foff + round_page(size));
	if (pindex > npages)
		return (NULL);

	object = vm_object_allocate(OBJT_SG, npages);
	VM_OBJECT_WLOCK(object);
	object->un_pager.sgp.sgp_sglist = sglist_hold(sg);
	TAILQ_INIT(&object->un_pager.sgp.sgp_pglist);
	__atomic_store_n(&object->handle, sg, __ATOMIC_RELEASE);
	VM_OBJECT_WUNLOCK(object);
	return (object);
}

/*
 * Free the fake pages (terminate detached them), release the sglist.
 * The object must be locked (write).
 */
static void
sg_pager_dealloc(vm_object_t object)
{
	vm_page_t m;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->type == OBJT_SG, ("sg_pager_dealloc: object %p "
	    "type %d", (void *)object, object->type));
	while ((m = TAILQ_FIRST(&object->un_pager.sgp.sgp_pglist)) != NULL) {
		TAILQ_REMOVE(&object->un_pager.sgp.sgp_pglist, m, plinks.q);
		m->oflags &= ~VPO_ONPGLIST;
		if (m->object == object)
			vm_page_remove(m);
		vm_page_putfake(m);
	}
	sglist_free(object->un_pager.sgp.sgp_sglist);
	object->un_pager.sgp.sgp_sglist = NULL;
	__atomic_store_n(&object->handle, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&object->type, OBJT_DEAD, __ATOMIC_RELEASE);
}

/*
 * Map m[reqpage] onto the segment that holds its offset.  The object must
 * be locked (write); it is dropped around vm_page_getfake.
 */
static int
sg_pager_getpages(vm_object_t object, vm_page_t *m, int count, int reqpage)
{
	struct sglist *sg;
	vm_memattr_t memattr;
	vm_ooffset_t offset, space;
	vm_paddr_t paddr;
	vm_page_t m_paddr, page;
	vm_pindex_t pindex;
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->type == OBJT_SG, ("sg_pager_getpages: object %p "
	    "type %d", (void *)object, object->type));
	sg = object->un_pager.sgp.sgp_sglist;
	memattr = object->memattr;
	pindex = m[reqpage]->pindex;

	for (i = 0; i < count; i++)
		if (i != reqpage)
			vm_page_free_unlocked(m[i]);

	/* The segment holding the page. */
	offset = IDX_TO_OFF(pindex);
	paddr = 0;
	space = 0;
	for (i = 0; i < sg->sg_nseg; i++) {
		space = sg->sg_segs[i].ss_len;
		if (offset < space) {
			paddr = sg->sg_segs[i].ss_paddr + offset;
			break;
		}
		offset -= space;
	}
	if (i == sg->sg_nseg)
		return (VM_PAGER_FAIL);

	/* A fake alias of a RAM page takes the RAM page's memattr. */
	m_paddr = vm_phys_paddr_to_vm_page(paddr);
	if (m_paddr != NULL)
		memattr = pmap_page_get_memattr(m_paddr);

	cdev_pager_fake_page(object, &m[reqpage], paddr, memattr);
	page = m[reqpage];
	if ((page->oflags & VPO_ONPGLIST) == 0) {
		TAILQ_INSERT_TAIL(&object->un_pager.sgp.sgp_pglist, page,
		    plinks.q);
		page->oflags |= VPO_ONPGLIST;
	}
	return (VM_PAGER_OK);
}

/* Writeback: the data is in device memory already.  WLOCKED. */
static void
sg_pager_putpages(vm_object_t object, vm_page_t *m, int count, int flags,
    int *rtvals)
{
	int i;

	VM_OBJECT_ASSERT_WLOCKED(object);
	for (i = 0; i < count; i++) {
		m[i]->dirty = 0;
		rtvals[i] = VM_PAGER_OK;
	}
}

static bool
sg_pager_haspage(vm_object_t object, vm_pindex_t pindex, int *before,
    int *after)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return (true);
}
