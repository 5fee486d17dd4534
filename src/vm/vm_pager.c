/*
 * The pager layer, after FreeBSD's vm_pager.c and the inline wrappers of
 * vm_pager.h: the table of pagers by object type, the dead pager, the
 * wrappers the VM calls, and the handle lookup every named pager uses.
 */
#include "config.h"

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/refcount.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

static pgo_alloc_t dead_pager_alloc;
static pgo_dealloc_t dead_pager_dealloc;
static pgo_getpages_t dead_pager_getpages;
static pgo_putpages_t dead_pager_putpages;
static pgo_haspage_t dead_pager_haspage;

static vm_object_t vm_pager_object_lookup_broken(
	    struct cds_list_head *pg_list, void *handle);

/*
 * The dead pager: what an object's pager becomes once it is OBJT_DEAD.
 * Nothing can be paged in or out of it.
 */
const struct pagerops deadpagerops = {
	.pgo_name = "dd",
	.pgo_alloc = dead_pager_alloc,
	.pgo_dealloc = dead_pager_dealloc,
	.pgo_getpages = dead_pager_getpages,
	.pgo_putpages = dead_pager_putpages,
	.pgo_haspage = dead_pager_haspage,
};

/* The device, mgtdevice and sg pagers live in device_pager.c and
 * sg_pager.c; there is no vnode pager. */
const struct pagerops *const pagertab[OBJT_NTYPES] = {
	[OBJT_DEFAULT] = &defaultpagerops,
	[OBJT_SWAP] = &swappagerops,
	[OBJT_VNODE] = NULL,
	[OBJT_DEVICE] = &devicepagerops,
	[OBJT_PHYS] = &physpagerops,
	[OBJT_DEAD] = &deadpagerops,
	[OBJT_SG] = &sgpagerops,
	[OBJT_MGTDEVICE] = &mgtdevicepagerops,
};

/*
 * Test knobs.  pager_test_ops[type], when set, is used instead of
 * pagertab[type] (a test pager for an existing object type);
 * pager_broken_lookup selects the pre-fix lookup of reference §4.4.
 *	(a)	atomic; set only by tests, while no pager call is running
 */
static const struct pagerops *pager_test_ops[OBJT_NTYPES];	/* (a) */
static int pager_broken_lookup;					/* (a) */
static bool vm_pager_inited;

static inline const struct pagerops *
vm_pager_ops(objtype_t type)
{
	const struct pagerops *ops;

	KASSERT(type < OBJT_NTYPES, ("vm_pager_ops: bad type %d", type));
	ops = __atomic_load_n(&pager_test_ops[type], __ATOMIC_ACQUIRE);
	if (__predict_true(ops == NULL))
		ops = pagertab[type];
	return (ops);
}

void
vm_pager_set_test_ops(objtype_t type, const struct pagerops *ops)
{

	KASSERT(type < OBJT_NTYPES && type != OBJT_DEAD,
	    ("vm_pager_set_test_ops: bad type %d", type));
	__atomic_store_n(&pager_test_ops[type], ops, __ATOMIC_RELEASE);
}

void
vm_pager_set_broken_lookup(bool broken)
{

	__atomic_store_n(&pager_broken_lookup, broken ? 1 : 0,
	    __ATOMIC_RELEASE);
}

/* Run every pager's init method once. */
void
vm_pager_init(void)
{
	int i;

	if (vm_pager_inited)
		return;
	vm_pager_inited = true;
	for (i = 0; i < OBJT_NTYPES; i++)
		if (pagertab[i] != NULL && pagertab[i]->pgo_init != NULL)
			pagertab[i]->pgo_init();
}

/*
 * Allocate (or, for named pagers, find) an object of the given type.
 * Anonymous pagers charge cred's uid (swap accounting) and fail with
 * NULL beyond a limit; device pagers hand cred to the driver's ctor but
 * never charge it.
 */
vm_object_t
vm_pager_allocate(objtype_t type, void *handle, vm_ooffset_t size,
    vm_prot_t prot, vm_ooffset_t off, const struct ucred *cred)
{
	const struct pagerops *ops;
	vm_object_t object;

	if (type >= OBJT_NTYPES)
		return (NULL);
	ops = vm_pager_ops(type);
	if (ops == NULL || ops->pgo_alloc == NULL)
		return (NULL);
	object = ops->pgo_alloc(handle, size, prot, off, cred);
	KASSERT(object == NULL || !object->has_cred ||
	    object->type == OBJT_DEFAULT || object->type == OBJT_SWAP,
	    ("vm_pager_allocate: type %d object %p was charged", type,
	    (void *)object));
	return (object);
}

/* The object must be locked (write). */
void
vm_pager_deallocate(vm_object_t object)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	vm_pager_ops(object->type)->pgo_dealloc(object);
}

/*
 * Page in m[reqpage] (and possibly its neighbours in m[]).  The pager may
 * put another page in place of m[reqpage] (vm_page_replace) and then
 * stores that page in m[reqpage]: callers use only what they find there
 * afterwards.  On VM_PAGER_OK a result that is not fully valid has its
 * invalid chunks zeroed -- never for fictitious pages, whose memory is a
 * device's: their pager must return them fully valid.  The object must
 * be locked (write); the pager may drop and retake the lock.
 */
int
vm_pager_get_pages(vm_object_t object, vm_page_t *m, int count, int reqpage)
{
	vm_pindex_t pindex;
	int r;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(reqpage >= 0 && reqpage < count,
	    ("vm_pager_get_pages: reqpage %d count %d", reqpage, count));
	pindex = m[reqpage]->pindex;
	r = vm_pager_ops(object->type)->pgo_getpages(object, m, count,
	    reqpage);
	VM_OBJECT_ASSERT_WLOCKED(object);
	if (r != VM_PAGER_OK)
		return (r);
	KASSERT(m[reqpage] != NULL, ("vm_pager_get_pages: no page"));
	KASSERT(m[reqpage]->object == object && m[reqpage]->pindex == pindex,
	    ("vm_pager_get_pages: page %p (object %p pindex %ju) is not at "
	    "%ju in %p", (void *)m[reqpage], (void *)m[reqpage]->object,
	    (uintmax_t)m[reqpage]->pindex, (uintmax_t)pindex,
	    (void *)object));
	(void)pindex;
	if (m[reqpage]->valid != VM_PAGE_BITS_ALL) {
		KASSERT((m[reqpage]->flags & PG_FICTITIOUS) == 0,
		    ("vm_pager_get_pages: fictitious page %p returned with "
		    "valid %#x", (void *)m[reqpage], m[reqpage]->valid));
		vm_page_zero_invalid(m[reqpage], true);
	}
	return (r);
}

/* The object must be locked (write). */
void
vm_pager_put_pages(vm_object_t object, vm_page_t *m, int count, int flags,
    int *rtvals)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	vm_pager_ops(object->type)->pgo_putpages(object, m, count, flags,
	    rtvals);
}

/* The object must be locked (write). */
bool
vm_pager_has_page(vm_object_t object, vm_pindex_t offset, int *before,
    int *after)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	return (vm_pager_ops(object->type)->pgo_haspage(object, offset,
	    before, after));
}

/*
 * Find the live object with this handle on pg_list and return it with a
 * new reference, or NULL.  The pager's list lock must be held (it keeps
 * the list from changing and orders us before any pgo_dealloc that wants
 * to unlink an object).  The OBJ_DEAD test and the reference are taken
 * under one hold of the object lock: terminate sets OBJ_DEAD under that
 * lock as soon as the count reaches 0, so a doomed object is never
 * returned and a count never goes 0 -> 1.
 */
vm_object_t
vm_pager_object_lookup(struct cds_list_head *pg_list, void *handle)
{
	vm_object_t object;
	unsigned refs;

	if (__predict_false(__atomic_load_n(&pager_broken_lookup,
	    __ATOMIC_ACQUIRE)))
		return (vm_pager_object_lookup_broken(pg_list, handle));
	cds_list_for_each_entry(object, pg_list, pager_object_list) {
		if (object->handle != handle)
			continue;
		TEST_HOOK("vm_pager_object_lookup_match");	/* H4 */
		VM_OBJECT_WLOCK(object);
		if ((object->flags & OBJ_DEAD) != 0) {
			VM_OBJECT_WUNLOCK(object);
			continue;
		}
		KASSERT(refcount_load(&object->ref_count) >= 1,
		    ("vm_pager_object_lookup: live object %p has no "
		    "references", (void *)object));
		vm_object_reference_locked(object);
		refs = refcount_load(&object->ref_count);
		KASSERT(object->type != OBJT_DEAD && refs >= 2,
		    ("vm_pager_object_lookup: returning object %p type %d "
		    "ref_count %u", (void *)object, object->type, refs));
		(void)refs;
		VM_OBJECT_WUNLOCK(object);
		return (object);
	}
	return (NULL);
}

/*
 * The pre-fix lookup of reference §4.4, for tests only: it tests OBJ_DEAD
 * without the object lock and references afterwards, so a deallocation
 * that runs in between makes it revive a dead object (0 -> 1).  The
 * reference count instrumentation (vm_object_revival_count, and a KASSERT
 * under INVARIANTS) catches that.
 */
static vm_object_t
vm_pager_object_lookup_broken(struct cds_list_head *pg_list, void *handle)
{
	vm_object_t object;

	cds_list_for_each_entry(object, pg_list, pager_object_list) {
		if (object->handle != handle)
			continue;
		if ((__atomic_load_n(&object->flags, __ATOMIC_ACQUIRE) &
		    OBJ_DEAD) != 0)
			continue;
		TEST_HOOK("vm_pager_object_lookup_broken");	/* H4' */
		vm_object_reference(object);
		return (object);
	}
	return (NULL);
}

/*
 * The same lookup without the list lock: an RCU walk of pg_list (nested
 * rcu_read_lock is fine; the caller must be a registered RCU thread).
 * The reference is taken only if the count is not zero, then handle and
 * type are checked again: the object may have been freed and reused for
 * something else between the match and the acquire (type-stable memory,
 * reuse only after a grace period once off the list, but our match may
 * predate its removal).  On a mismatch the reference is dropped outside
 * the read-side section and the walk starts over.
 */
vm_object_t
vm_pager_object_lookup_rcu(struct cds_list_head *pg_list, void *handle)
{
	vm_object_t object, found;
	objtype_t type;

restart:
	found = NULL;
	rcu_read_lock();
	cds_list_for_each_entry_rcu(object, pg_list, pager_object_list) {
		if (__atomic_load_n(&object->handle, __ATOMIC_RELAXED) !=
		    handle)
			continue;
		type = __atomic_load_n(&object->type, __ATOMIC_ACQUIRE);
		if (type == OBJT_DEAD)
			continue;
		if (!refcount_acquire_if_not_zero(&object->ref_count))
			continue;
		found = object;
		break;
	}
	rcu_read_unlock();
	if (found == NULL)
		return (NULL);
	if (__atomic_load_n(&found->handle, __ATOMIC_ACQUIRE) != handle ||
	    __atomic_load_n(&found->type, __ATOMIC_ACQUIRE) != type) {
		vm_object_deallocate(found);
		goto restart;
	}
	return (found);
}

/*
 * The dead pager's methods.
 */
static vm_object_t
dead_pager_alloc(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t off, const struct ucred *cred)
{

	return (NULL);
}

static void
dead_pager_dealloc(vm_object_t object)
{

}

static int
dead_pager_getpages(vm_object_t object, vm_page_t *ma, int count,
    int reqpage)
{

	return (VM_PAGER_FAIL);
}

static void
dead_pager_putpages(vm_object_t object, vm_page_t *ma, int count,
    int flags, int *rtvals)
{
	int i;

	for (i = 0; i < count; i++)
		rtvals[i] = VM_PAGER_AGAIN;
}

static bool
dead_pager_haspage(vm_object_t object, vm_pindex_t pindex, int *before,
    int *after)
{

	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return (false);
}
