/*
 * Page faults (see vm_fault.h).
 *
 * The placeholder.  FreeBSD 10.4 puts a RAM page from vm_page_alloc at
 * the faulting index of every object and lets the pager replace it; for
 * a device object the pager swaps it for a fake page and frees it.  Here
 * an OBJ_FICTITIOUS object gets a fake placeholder instead, so a device
 * fault costs no RAM.  When the fail point vm_fault_fake_placeholder
 * fires, the fault does without one and takes FreeBSD's RAM placeholder:
 * that is how a real fault -- through a mount, vm/fail/ -- reaches the
 * RAM branch of a device pager's fault handler (old_dev_pager_fault's
 * vm_page_replace, a driver's own), which every handler must have since
 * cdev_pager(9) promises either kind.
 *
 * The counters are striped: each thread bumps its own cache line, chosen
 * round-robin on its first fault, so the fast path writes no line shared
 * with other faulting threads.  Readers sum the stripes.
 */
#include "config.h"

#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/sleepqueue.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/pmap.h"

#define	FAULT_STRIPES	16

enum { FC_FAULTS, FC_ERRORS, FC_FAST, FC_PAGES, FC_NCOUNTERS };

static struct fault_stripe {
	unsigned long	c[FC_NCOUNTERS];		/* (a) */
} __attribute__((__aligned__(64))) fault_stripes[FAULT_STRIPES];
static unsigned fault_stripe_next;			/* (a) */
static __thread struct fault_stripe *fault_stripe_mine;
static __thread vm_prot_t fault_prot_cur = VM_PROT_READ;
static __thread unsigned fault_ahead_cur;

FAIL_POINT_DEFINE(vm_fault_fake_placeholder);

/* What vm_fault_placeholder() did. */
enum vmf_ph {
	VMF_PH_OK,		/* *mp is a new busy placeholder at pindex */
	VMF_PH_RETRY,		/* the object changed: look again */
	VMF_PH_SHORTAGE,	/* no page or trie node */
};

static void	fault_count(int which);
static enum vmf_ph vm_fault_placeholder(vm_object_t object,
		    vm_pindex_t pindex, vm_page_t *mp);
static void	vm_fault_undo(vm_object_t object, vm_pindex_t pindex,
		    vm_page_t m, bool ours);
static bool	vm_fault_fast(vm_object_t object, vm_pindex_t pindex,
		    uint64_t map_key, vm_ooffset_t map_off, vm_page_t *mp);
static int	vm_fault_slow(vm_object_t object, vm_pindex_t pindex,
		    vm_prot_t prot, uint64_t map_key, vm_ooffset_t map_off,
		    vm_page_t *mp);
static void	vm_fault_hold_locked(vm_page_t m, uint64_t map_key,
		    vm_ooffset_t map_off);

static void
fault_count(int which)
{
	struct fault_stripe *fs;

	fs = fault_stripe_mine;
	if (__predict_false(fs == NULL)) {
		fs = &fault_stripes[__atomic_fetch_add(&fault_stripe_next, 1,
		    __ATOMIC_RELAXED) % FAULT_STRIPES];
		fault_stripe_mine = fs;
	}
	__atomic_add_fetch(&fs->c[which], 1, __ATOMIC_RELAXED);
}

void
vm_fault_counters(struct vm_fault_counters *c)
{
	unsigned long sum[FC_NCOUNTERS] = { 0 };
	int i, j;

	for (i = 0; i < FAULT_STRIPES; i++)
		for (j = 0; j < FC_NCOUNTERS; j++)
			sum[j] += __atomic_load_n(&fault_stripes[i].c[j],
			    __ATOMIC_RELAXED);
	c->faults = sum[FC_FAULTS];
	c->fault_errors = sum[FC_ERRORS];
	c->fastpath = sum[FC_FAST];
	c->pages = sum[FC_PAGES];
}

vm_prot_t
vm_fault_prot(void)
{

	return (fault_prot_cur);
}

void
vm_fault_set_ahead(unsigned npages)
{

	fault_ahead_cur = npages;
}

unsigned
vm_fault_ahead(void)
{

	return (fault_ahead_cur);
}

int
vm_fault(vm_object_t object, vm_pindex_t pindex, vm_prot_t prot,
    uint64_t map_key, vm_ooffset_t map_off, vm_page_t *mp)
{
	int rv;

	KASSERT(object != NULL, ("vm_fault: no object"));
	rcu_thread_online();
	fault_count(FC_FAULTS);
	*mp = NULL;
	if (vm_fault_fast(object, pindex, map_key, map_off, mp)) {
		fault_count(FC_FAST);
		return (KERN_SUCCESS);
	}
	rv = vm_fault_slow(object, pindex, prot, map_key, map_off, mp);
	if (rv != KERN_SUCCESS)
		fault_count(FC_ERRORS);
	return (rv);
}

/*
 * Hold m and record the mapping.  The page lock must be held.
 */
static void
vm_fault_hold_locked(vm_page_t m, uint64_t map_key, vm_ooffset_t map_off)
{

	vm_page_lock_assert(m, MA_OWNED);
	vm_page_hold(m);
	if (map_key != 0 && (m->oflags & VPO_UNMANAGED) == 0)
		pmap_enter(m, map_key, map_off);
}

/*
 * The resident fast path: an RCU lookup, then the page lock only.  The
 * page may have been removed, freed and reused since the lookup (it is
 * type-stable, so reading it is safe): with its lock held, check it is
 * still this object's page at pindex, fully valid and not busy.  Removal
 * and free take the page lock (or check holds under it), so once held
 * the page stays ours.
 */
static bool
vm_fault_fast(vm_object_t object, vm_pindex_t pindex, uint64_t map_key,
    vm_ooffset_t map_off, vm_page_t *mp)
{
	vm_page_t m;

	if (pindex >= __atomic_load_n(&object->size, __ATOMIC_RELAXED))
		return (false);
	rcu_read_lock();
	m = vm_page_lookup_unlocked(object, pindex);
	if (m == NULL ||
	    __atomic_load_n(&m->valid, __ATOMIC_RELAXED) != VM_PAGE_BITS_ALL ||
	    vm_page_busied(m)) {
		rcu_read_unlock();
		return (false);
	}
	vm_page_lock(m);
	if (__atomic_load_n(&m->object, __ATOMIC_ACQUIRE) != object ||
	    __atomic_load_n(&m->pindex, __ATOMIC_RELAXED) != pindex ||
	    __atomic_load_n(&m->valid, __ATOMIC_RELAXED) != VM_PAGE_BITS_ALL ||
	    vm_page_busied(m)) {
		vm_page_unlock(m);
		rcu_read_unlock();
		return (false);
	}
	vm_fault_hold_locked(m, map_key, map_off);
	vm_page_unlock(m);
	rcu_read_unlock();
	*mp = m;
	return (true);
}

/*
 * The locked path.  See vm_fault.h for the return codes.
 */
/*
 * Put a busy placeholder at pindex, where no page is.  An OBJ_FICTITIOUS
 * object gets a fake page: no RAM is used for device objects (see the top
 * of the file); getfake may block, so the object lock is dropped around
 * it and everything re-checked after.  Anonymous memory, and a device
 * object when the fail point vm_fault_fake_placeholder fires, get a RAM
 * page, FreeBSD's placeholder.  The object must be locked (write).
 */
static enum vmf_ph
vm_fault_placeholder(vm_object_t object, vm_pindex_t pindex, vm_page_t *mp)
{
	vm_page_t m;

	VM_OBJECT_ASSERT_WLOCKED(object);
	if ((object->flags & OBJ_FICTITIOUS) != 0 &&
	    FAIL_POINT_EVAL(vm_fault_fake_placeholder) == 0) {
		VM_OBJECT_WUNLOCK(object);
		m = vm_page_getfake(0, object->memattr);
		VM_OBJECT_WLOCK(object);
		if ((object->flags & OBJ_DEAD) != 0 || pindex >= object->size ||
		    vm_page_lookup(object, pindex) != NULL) {
			vm_page_putfake(m);
			return (VMF_PH_RETRY);
		}
		if (vm_page_insert(m, object, pindex) != 0) {
			vm_page_putfake(m);
			return (VMF_PH_SHORTAGE);
		}
	} else {
		m = vm_page_alloc(object, pindex, VM_ALLOC_NORMAL);
		if (m == NULL)
			return (VMF_PH_SHORTAGE);
	}
	*mp = m;
	return (VMF_PH_OK);
}

/*
 * A failed pager call: free our placeholder m (ours) if it is still at
 * pindex and no pager list holds it; unbusy a page that was resident
 * before (the device pager keeps such pages listed).  The object must be
 * locked (write).
 */
static void
vm_fault_undo(vm_object_t object, vm_pindex_t pindex, vm_page_t m, bool ours)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (vm_page_lookup(object, pindex) != m)
		return;
	if (ours && (m->oflags & VPO_ONPGLIST) == 0)
		vm_page_free_unlocked(m);
	else if (vm_page_xbusied(m))
		vm_page_xunbusy(m);
}

static int
vm_fault_slow(vm_object_t object, vm_pindex_t pindex, vm_prot_t prot,
    uint64_t map_key, vm_ooffset_t map_off, vm_page_t *mp)
{
	vm_page_t m, ma[1];
	vm_prot_t oprot;
	int allocfail, retries, rv, kr;
	bool ours;

	allocfail = retries = 0;
	VM_OBJECT_WLOCK(object);
retry:
	if ((object->flags & OBJ_DEAD) != 0) {
		if (object->type == OBJT_DEAD) {
			VM_OBJECT_WUNLOCK(object);
			return (KERN_PROTECTION_FAILURE);
		}
		/* Being torn down by someone: wait for the dust to settle. */
		VM_OBJECT_WUNLOCK(object);
		pause_ms("vmf_de", 1);
		VM_OBJECT_WLOCK(object);
		goto retry;
	}
	if (pindex >= object->size) {
		VM_OBJECT_WUNLOCK(object);
		return (KERN_PROTECTION_FAILURE);
	}

	m = vm_page_lookup(object, pindex);
	if (m != NULL) {
		if (vm_page_sleep_if_busy(m, "vmpfw"))
			goto retry;
		if (m->valid == VM_PAGE_BITS_ALL) {
			vm_page_lock(m);
			vm_fault_hold_locked(m, map_key, map_off);
			vm_page_unlock(m);
			VM_OBJECT_WUNLOCK(object);
			*mp = m;
			return (KERN_SUCCESS);
		}
		/* Resident but invalid (e.g. invalidated): page it in. */
		vm_page_xbusy(m);
		ours = false;
	} else {
		switch (vm_fault_placeholder(object, pindex, &m)) {
		case VMF_PH_OK:
			break;
		case VMF_PH_RETRY:
			goto retry;
		case VMF_PH_SHORTAGE:
			goto shortage;
		}
		ours = true;
	}

	/*
	 * Call the pager with paging in progress, so a terminate waits for
	 * us if the pager drops the object lock.  Only the page the pager
	 * leaves in ma[0] is used from here on: it may have replaced (and
	 * freed) our placeholder.
	 */
	vm_object_pip_add(object, 1);
	ma[0] = m;
	oprot = fault_prot_cur;
	fault_prot_cur = prot;
	rv = vm_pager_get_pages(object, ma, 1, 0);
	fault_prot_cur = oprot;
	vm_object_pip_wakeup(object);
	if (ma[0] != m)
		ours = false;
	m = ma[0];

	/*
	 * "Doesn't exist" at the top object: zero-fill, except for device
	 * objects, where the fault fails (a departure from FreeBSD 10.4,
	 * see the top of device_pager.c).
	 */
	if (rv == VM_PAGER_FAIL && (object->flags & OBJ_FICTITIOUS) == 0 &&
	    vm_page_lookup(object, pindex) == m) {
		vm_page_zero_invalid(m, true);
		rv = VM_PAGER_OK;
	}
	if (rv == VM_PAGER_OK) {
		if (vm_page_lookup(object, pindex) != m) {
			/* The page went away while the lock was dropped. */
			if (++retries > VM_FAULT_MAX_RETRIES) {
				VM_OBJECT_WUNLOCK(object);
				return (KERN_FAILURE);
			}
			goto retry;
		}
		KASSERT(m->valid == VM_PAGE_BITS_ALL,
		    ("vm_fault: pager returned page %p with valid %#x",
		    (void *)m, m->valid));
		fault_count(FC_PAGES);
		vm_page_lock(m);
		vm_fault_hold_locked(m, map_key, map_off);
		vm_page_unlock(m);
		if (vm_page_xbusied(m))
			vm_page_xunbusy(m);
		VM_OBJECT_WUNLOCK(object);
		*mp = m;
		return (KERN_SUCCESS);
	}

	switch (rv) {
	case VM_PAGER_BAD:
		kr = KERN_PROTECTION_FAILURE;
		break;
	default:
		/* ERROR, AGAIN, or FAIL on a fictitious object. */
		kr = KERN_FAILURE;
		break;
	}
	vm_fault_undo(object, pindex, m, ours);
	VM_OBJECT_WUNLOCK(object);
	return (kr);

shortage:
	/* No page or no trie node: back off and retry (VM_WAIT). */
	if (++allocfail >= VM_FAULT_ALLOC_RETRIES) {
		VM_OBJECT_WUNLOCK(object);
		return (KERN_RESOURCE_SHORTAGE);
	}
	VM_OBJECT_WUNLOCK(object);
	pause_ms("vmfwait", allocfail);
	VM_OBJECT_WLOCK(object);
	goto retry;
}

void
vm_fault_unhold(vm_page_t m)
{

	vm_page_lock(m);
	vm_page_unhold(m);
	vm_page_unlock(m);
}
