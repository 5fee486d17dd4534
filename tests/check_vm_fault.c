/*
 * vm_fault: the pager path and the lock-free fast path, error mapping,
 * allocation and radix failures with retry, placeholders for fictitious
 * objects, the page the pager hands back, pmap records, busy pages,
 * concurrent faults, and hold vs free.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "check_devpager.h"
#include "check_vm_util.h"
#include "kern/fail.h"
#include "kern/kern_rcu.h"
#include "kern/refcount.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"

#define	TEST_PHYSMEM	(4UL << 20)
#define	FAKE_BASE	(VM_PHYS_WINDOW_BASE + 0x40000)

/*
 * A scriptable test pager, installed for OBJT_DEFAULT or OBJT_DEVICE.
 *	tp_result	what getpages returns
 *	tp_replace	put a fresh page in place of the placeholder
 *	tp_calls	getpages calls
 *	tp_prot		vm_fault_prot() seen by the last call
 *	tp_first	the placeholder of the last call
 */
static int tp_result;
static bool tp_replace;
static int tp_calls;
static vm_prot_t tp_prot;
static vm_page_t tp_first;
static int tp_freed_fake;

static int
tp_getpages(vm_object_t object, vm_page_t *ma, int count, int reqpage)
{
	vm_page_t m, old;

	VM_OBJECT_ASSERT_WLOCKED(object);
	tp_calls++;
	tp_prot = vm_fault_prot();
	tp_first = ma[reqpage];
	if (tp_result != VM_PAGER_OK)
		return (tp_result);
	m = ma[reqpage];
	if ((object->flags & OBJ_FICTITIOUS) != 0) {
		/* The device pager's updatefake path on the placeholder. */
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		vm_page_updatefake(m, FAKE_BASE + ptoa(m->pindex),
		    VM_MEMATTR_WRITE_COMBINING);
		if ((m->oflags & VPO_ONPGLIST) == 0) {
			TAILQ_INSERT_TAIL(&object->un_pager.devp.devp_pglist,
			    m, plinks.q);
			m->oflags |= VPO_ONPGLIST;
		}
		m->valid = VM_PAGE_BITS_ALL;
		return (VM_PAGER_OK);
	}
	if (tp_replace) {
		m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
		ck_assert_ptr_nonnull(m);
		vm_page_xbusy(m);
		old = vm_page_replace(m, object, ma[reqpage]->pindex);
		ck_assert_ptr_eq(old, ma[reqpage]);
		vm_page_lock(old);
		vm_page_free(old);
		vm_page_unlock(old);
		ma[reqpage] = m;
	}
	/* Partially valid: vm_pager_get_pages zeroes the rest. */
	m->valid = 0x01;
	return (VM_PAGER_OK);
}

static void
tp_dealloc(vm_object_t object)
{
	vm_page_t m;

	if (object->type == OBJT_DEVICE) {
		while ((m = TAILQ_FIRST(&object->un_pager.devp.devp_pglist)) !=
		    NULL) {
			TAILQ_REMOVE(&object->un_pager.devp.devp_pglist, m,
			    plinks.q);
			m->oflags &= ~VPO_ONPGLIST;
			vm_page_putfake(m);
			tp_freed_fake++;
		}
	}
	object->type = OBJT_DEAD;
}

static const struct pagerops tp_ops = {
	.pgo_name = "tp",
	.pgo_dealloc = tp_dealloc,
	.pgo_getpages = tp_getpages,
};

static unsigned unmap_calls;

static void
count_unmap(uint64_t key, vm_ooffset_t offset, vm_size_t len, void *arg)
{

	unmap_calls++;
}

static void
setup(void)
{

	ck_assert_int_eq(vm_init(TEST_PHYSMEM), 0);
	tp_result = VM_PAGER_OK;
	tp_replace = false;
	tp_calls = tp_freed_fake = 0;
	tp_first = NULL;
	unmap_calls = 0;
	pmap_set_unmap_callback(count_unmap, NULL);
}

static void
teardown(void)
{

	pmap_set_unmap_callback(NULL, NULL);
	vm_pager_set_test_ops(OBJT_DEFAULT, NULL);
	vm_pager_set_test_ops(OBJT_DEVICE, NULL);
	fail_point_reset_all();
	test_hook_reset();
	vm_fini();
}

static vm_object_t
anon_object(vm_pindex_t npages)
{
	vm_object_t object;

	object = vm_pager_allocate(OBJT_DEFAULT, NULL, ptoa(npages),
	    VM_PROT_ALL, 0, NULL);
	ck_assert_ptr_nonnull(object);
	return (object);
}

static int
hold_count(vm_page_t m)
{
	int n;

	vm_page_lock(m);
	n = m->hold_count;
	vm_page_unlock(m);
	return (n);
}

START_TEST(test_first_fault_zero_fills)
{
	struct vm_fault_counters c0, c1;
	vm_object_t object;
	unsigned char *p;
	vm_page_t m;
	int i;

	object = anon_object(8);
	vm_fault_counters(&c0);
	ck_assert_int_eq(vm_fault(object, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(m->object, object);
	ck_assert_uint_eq(m->pindex, 3);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert(!vm_page_busied(m));
	ck_assert_int_eq(hold_count(m), 1);
	p = page_host(m);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		if (p[i] != 0)
			ck_abort_msg("byte %d not zero", i);
	vm_fault_counters(&c1);
	ck_assert_uint_eq(c1.faults, c0.faults + 1);
	ck_assert_uint_eq(c1.pages, c0.pages + 1);
	ck_assert_uint_eq(c1.fastpath, c0.fastpath);
	ck_assert_uint_eq(c1.fault_errors, c0.fault_errors);
	vm_fault_unhold(m);
	ck_assert_int_eq(hold_count(m), 0);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_second_fault_fast_path)
{
	struct vm_fault_counters c0, c1;
	vm_object_t object;
	vm_page_t m1, m2;

	object = anon_object(8);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_READ, 0, 0, &m1),
	    KERN_SUCCESS);
	memset(page_host(m1), 0x42, PAGE_SIZE);
	vm_fault_counters(&c0);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_WRITE, 0, 0, &m2),
	    KERN_SUCCESS);
	vm_fault_counters(&c1);
	ck_assert_ptr_eq(m2, m1);
	ck_assert_uint_eq(c1.fastpath, c0.fastpath + 1);
	ck_assert_uint_eq(c1.pages, c0.pages);
	ck_assert_int_eq(hold_count(m1), 2);
	ck_assert_int_eq(page_host(m2)[100], 0x42);
	vm_fault_unhold(m1);
	vm_fault_unhold(m2);
	vm_object_deallocate(object);
}
END_TEST

struct locked_fault {
	vm_object_t	object;
	vm_page_t	m;
	int		rv;
};

static void *
locked_fault_thread(void *arg)
{
	struct locked_fault *lf = arg;

	lf->rv = vm_fault(lf->object, 0, VM_PROT_READ, 0, 0, &lf->m);
	return (NULL);
}

/* The fast path needs no object lock: it works while another thread
 * holds the object's write lock. */
START_TEST(test_fast_path_without_object_lock)
{
	struct locked_fault lf;
	vm_page_t m;
	pthread_t td;

	lf.object = anon_object(4);
	ck_assert_int_eq(vm_fault(lf.object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	lf.m = NULL;
	lf.rv = -1;
	VM_OBJECT_WLOCK(lf.object);
	ck_assert_int_eq(pthread_create(&td, NULL, locked_fault_thread, &lf),
	    0);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	VM_OBJECT_WUNLOCK(lf.object);
	ck_assert_int_eq(lf.rv, KERN_SUCCESS);
	ck_assert_ptr_eq(lf.m, m);
	vm_fault_unhold(m);
	vm_object_deallocate(lf.object);
}
END_TEST

START_TEST(test_pindex_past_size)
{
	struct vm_fault_counters c0, c1;
	vm_object_t object;
	vm_page_t m;

	object = anon_object(4);
	vm_fault_counters(&c0);
	ck_assert_int_eq(vm_fault(object, 4, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(vm_fault(object, 1000, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	vm_fault_counters(&c1);
	ck_assert_uint_eq(c1.fault_errors, c0.fault_errors + 2);
	ck_assert_uint_eq(object->resident_page_count, 0);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_dead_object)
{
	vm_object_t object;
	vm_page_t m;

	object = anon_object(4);
	vm_object_deallocate(object);
	/* Type-stable memory: a stale pointer faults on a dead object. */
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
}
END_TEST

START_TEST(test_pager_errors)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t m;

	vm_pager_set_test_ops(OBJT_DEFAULT, &tp_ops);
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	nfree = vm_phys_free_count();
	tp_result = VM_PAGER_ERROR;
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	tp_result = VM_PAGER_BAD;
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	tp_result = VM_PAGER_AGAIN;
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	ck_assert_int_eq(tp_calls, 3);
	/* Every placeholder was freed again. */
	ck_assert_uint_eq(object->resident_page_count, 0);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	vm_object_deallocate(object);
}
END_TEST

/* VM_PAGER_FAIL on anonymous memory: zero-fill, as FreeBSD does. */
START_TEST(test_pager_fail_zero_fills)
{
	vm_object_t object;
	vm_page_t m;

	vm_pager_set_test_ops(OBJT_DEFAULT, &tp_ops);
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	tp_result = VM_PAGER_FAIL;
	ck_assert_int_eq(vm_fault(object, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert_int_eq(page_host(m)[PAGE_SIZE - 1], 0);
	vm_fault_unhold(m);
	vm_object_deallocate(object);
}
END_TEST

/* ... but device memory cannot be zero-filled: KERN_FAILURE. */
START_TEST(test_pager_fail_fictitious)
{
	vm_object_t object;
	unsigned long nfake;
	vm_page_t m;

	vm_pager_set_test_ops(OBJT_DEVICE, &tp_ops);
	object = vm_object_allocate(OBJT_DEVICE, 8);
	nfake = vm_page_fake_count();
	tp_result = VM_PAGER_FAIL;
	ck_assert_int_eq(vm_fault(object, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	ck_assert_ptr_null(m);
	ck_assert_uint_eq(object->resident_page_count, 0);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
	vm_object_deallocate(object);
}
END_TEST

/* Fictitious objects get a fake placeholder, no RAM. */
START_TEST(test_fictitious_placeholder)
{
	vm_object_t object;
	unsigned long nfree, nfake;
	vm_page_t m, m2;

	vm_pager_set_test_ops(OBJT_DEVICE, &tp_ops);
	object = vm_object_allocate(OBJT_DEVICE, 8);
	nfree = vm_phys_free_count();
	nfake = vm_page_fake_count();
	ck_assert_int_eq(vm_fault(object, 5, VM_PROT_READ, 77, ptoa(5), &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	ck_assert_uint_eq(vm_page_fake_count(), nfake + 1);
	ck_assert_ptr_eq(tp_first, m);
	ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
	ck_assert_uint_eq(m->phys_addr, FAKE_BASE + ptoa(5));
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert(!vm_page_busied(m));
	/* Unmanaged: no mapping recorded. */
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	vm_page_unlock(m);
	vm_fault_unhold(m);
	ck_assert_int_eq(vm_fault(object, 5, VM_PROT_READ, 0, 0, &m2),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m2, m);
	ck_assert_int_eq(tp_calls, 1);
	vm_fault_unhold(m2);
	vm_object_deallocate(object);
	ck_assert_int_eq(tp_freed_fake, 1);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
}
END_TEST

/*
 * An invalidated resident page (NOTMAPPED remove on a device object) is
 * handed to the pager again, not replaced; on an error it stays listed.
 */
START_TEST(test_invalid_resident_page_paged_in_again)
{
	vm_object_t object;
	vm_page_t m, m2;

	vm_pager_set_test_ops(OBJT_DEVICE, &tp_ops);
	object = vm_object_allocate(OBJT_DEVICE, 8);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	VM_OBJECT_WLOCK(object);
	vm_object_page_remove(object, 0, 0, OBJPR_NOTMAPPED);
	ck_assert_int_eq(m->valid, 0);
	VM_OBJECT_WUNLOCK(object);
	tp_result = VM_PAGER_ERROR;
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m2),
	    KERN_FAILURE);
	ck_assert_ptr_eq(tp_first, m);
	ck_assert_ptr_eq(m->object, object);
	ck_assert(!vm_page_busied(m));
	tp_result = VM_PAGER_OK;
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m2),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m2, m);
	ck_assert_int_eq(tp_calls, 3);
	vm_fault_unhold(m2);
	vm_object_deallocate(object);
	ck_assert_int_eq(tp_freed_fake, 1);
}
END_TEST

/* The caller gets the page the pager put in place of the placeholder. */
START_TEST(test_uses_page_pager_returned)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t m;

	vm_pager_set_test_ops(OBJT_DEFAULT, &tp_ops);
	tp_replace = true;
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(vm_fault(object, 6, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_ptr_ne(m, tp_first);
	VM_OBJECT_WLOCK(object);
	ck_assert_ptr_eq(vm_page_lookup(object, 6), m);
	VM_OBJECT_WUNLOCK(object);
	ck_assert_ptr_null(tp_first->object);
	ck_assert_uint_ne(tp_first->flags & PG_FREE, 0);
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 1);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert(!vm_page_busied(m));
	vm_fault_unhold(m);
	vm_object_deallocate(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
}
END_TEST

START_TEST(test_fault_prot_reaches_pager)
{
	vm_object_t object;
	vm_page_t m;

	vm_pager_set_test_ops(OBJT_DEFAULT, &tp_ops);
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_WRITE, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_eq(tp_prot, VM_PROT_WRITE);
	ck_assert_int_eq(vm_fault_prot(), VM_PROT_READ);
	vm_fault_unhold(m);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_alloc_fail_point_shortage)
{
	struct vm_fault_counters c0, c1;
	vm_object_t object;
	vm_page_t m;

	object = anon_object(8);
	ck_assert_int_eq(fail_point_set("vm_page_alloc", "return(12)"), 0);
	vm_fault_counters(&c0);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_RESOURCE_SHORTAGE);
	vm_fault_counters(&c1);
	ck_assert_uint_eq(c1.fault_errors, c0.fault_errors + 1);
	ck_assert_uint_eq(object->resident_page_count, 0);
	/* Recovery once the fail point is off. */
	ck_assert_int_eq(fail_point_set("vm_page_alloc", "off"), 0);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	/* A few failures, then success: retried within one fault. */
	ck_assert_int_eq(fail_point_set("vm_page_alloc", "3*return(12)"), 0);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	vm_object_deallocate(object);
}
END_TEST

/* Radix node failure inside the fault: undone, retried, consistent. */
START_TEST(test_radix_failure_retry)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t m0, m;

	object = anon_object(64);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m0),
	    KERN_SUCCESS);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc",
	    "2*return(12)"), 0);
	ck_assert_int_eq(vm_fault(object, 40, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(object->resident_page_count, 2);
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 1);
	vm_fault_unhold(m);
	/* Permanent failure: shortage, nothing left behind. */
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_int_eq(vm_fault(object, 41, VM_PROT_READ, 0, 0, &m),
	    KERN_RESOURCE_SHORTAGE);
	ck_assert_uint_eq(object->resident_page_count, 2);
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 1);
	VM_OBJECT_WLOCK(object);
	ck_assert_ptr_null(vm_page_lookup(object, 41));
	VM_OBJECT_WUNLOCK(object);
	fail_point_set("vm_radix_node_alloc", "off");
	vm_fault_unhold(m0);
	vm_object_deallocate(object);
}
END_TEST

/* Same for the fake placeholder of a fictitious object. */
START_TEST(test_radix_failure_fictitious)
{
	vm_object_t object;
	unsigned long nfake;
	vm_page_t m0, m;

	vm_pager_set_test_ops(OBJT_DEVICE, &tp_ops);
	object = vm_object_allocate(OBJT_DEVICE, 64);
	ck_assert_int_eq(vm_fault(object, 0, VM_PROT_READ, 0, 0, &m0),
	    KERN_SUCCESS);
	nfake = vm_page_fake_count();
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_int_eq(vm_fault(object, 33, VM_PROT_READ, 0, 0, &m),
	    KERN_RESOURCE_SHORTAGE);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "off"), 0);
	ck_assert_int_eq(vm_fault(object, 33, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	vm_fault_unhold(m0);
	vm_object_deallocate(object);
}
END_TEST

/* Managed pages record where they were served; unmanaged do not. */
START_TEST(test_pmap_enter_managed_only)
{
	vm_object_t object, phys;
	vm_page_t m;

	object = anon_object(4);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_READ, 9, ptoa(1), &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_READ, 10, ptoa(1), &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(vm_fault(object, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 2);
	vm_page_unlock(m);
	vm_fault_unhold(m);
	pmap_remove_all(m);
	ck_assert_uint_eq(unmap_calls, 2);
	vm_object_deallocate(object);

	phys = vm_pager_allocate(OBJT_PHYS, NULL, ptoa(4), VM_PROT_ALL, 0,
	    NULL);
	ck_assert_int_eq(vm_fault(phys, 0, VM_PROT_READ, 9, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_ne(m->oflags & VPO_UNMANAGED, 0);
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	vm_page_unlock(m);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	vm_fault_unhold(m);
	vm_object_deallocate(phys);
}
END_TEST

struct busy_fault {
	vm_object_t	object;
	vm_page_t	m;
	int		rv;
};

static void *
busy_fault_thread(void *arg)
{
	struct busy_fault *bf = arg;

	bf->rv = vm_fault(bf->object, 2, VM_PROT_READ, 0, 0, &bf->m);
	return (NULL);
}

/* A fault on a busy page waits for it, then takes the valid page. */
START_TEST(test_fault_waits_for_busy_page)
{
	struct busy_fault bf;
	vm_page_t busy;
	pthread_t td;
	int i;

	bf.object = anon_object(4);
	bf.m = NULL;
	bf.rv = -1;
	VM_OBJECT_WLOCK(bf.object);
	busy = vm_page_alloc(bf.object, 2, VM_ALLOC_NORMAL | VM_ALLOC_ZERO);
	VM_OBJECT_WUNLOCK(bf.object);
	ck_assert_int_eq(pthread_create(&td, NULL, busy_fault_thread, &bf),
	    0);
	for (i = 0; i < 5000 && sleepq_sleepers(busy) == 0; i++)
		pause_ms("tstwt", 1);
	ck_assert_int_eq(sleepq_sleepers(busy), 1);
	VM_OBJECT_WLOCK(bf.object);
	busy->valid = VM_PAGE_BITS_ALL;
	vm_page_xunbusy(busy);
	VM_OBJECT_WUNLOCK(bf.object);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(bf.rv, KERN_SUCCESS);
	ck_assert_ptr_eq(bf.m, busy);
	vm_fault_unhold(busy);
	vm_object_deallocate(bf.object);
}
END_TEST

struct concurrent_faults {
	vm_object_t	object;
	vm_page_t	m[2][16];
	int		errors;
};

struct cf_arg {
	struct concurrent_faults *cf;
	int		id;
};

static void *
concurrent_fault_thread(void *arg)
{
	struct cf_arg *a = arg;
	int i;

	for (i = 0; i < 16; i++)
		if (vm_fault(a->cf->object, i, VM_PROT_READ, 0, 0,
		    &a->cf->m[a->id][i]) != KERN_SUCCESS)
			__atomic_add_fetch(&a->cf->errors, 1,
			    __ATOMIC_RELAXED);
	return (NULL);
}

/* Two threads fault the same pages: one page per pindex, one pager
 * call per pindex. */
START_TEST(test_concurrent_faults_same_pages)
{
	struct concurrent_faults cf;
	struct vm_fault_counters c0, c1;
	struct cf_arg a[2];
	pthread_t td[2];
	int i, j;

	memset(&cf, 0, sizeof(cf));
	cf.object = anon_object(16);
	vm_fault_counters(&c0);
	for (i = 0; i < 2; i++) {
		a[i].cf = &cf;
		a[i].id = i;
		ck_assert_int_eq(pthread_create(&td[i], NULL,
		    concurrent_fault_thread, &a[i]), 0);
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(td[i], NULL), 0);
	vm_fault_counters(&c1);
	ck_assert_int_eq(cf.errors, 0);
	ck_assert_uint_eq(c1.pages - c0.pages, 16);
	ck_assert_uint_eq(cf.object->resident_page_count, 16);
	for (i = 0; i < 16; i++) {
		ck_assert_ptr_eq(cf.m[0][i], cf.m[1][i]);
		ck_assert_int_eq(hold_count(cf.m[0][i]), 2);
		for (j = 0; j < 2; j++)
			vm_fault_unhold(cf.m[j][i]);
	}
	vm_object_deallocate(cf.object);
}
END_TEST

struct hold_reader {
	vm_object_t	object;
	pthread_barrier_t held, go;
	int		sum;
};

static void *
hold_reader_thread(void *arg)
{
	struct hold_reader *hr = arg;
	unsigned char *p;
	vm_page_t m;
	int i;

	ck_assert_int_eq(vm_fault(hr->object, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	pthread_barrier_wait(&hr->held);
	pthread_barrier_wait(&hr->go);
	p = page_host(m);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		hr->sum += p[i];
	vm_fault_unhold(m);
	return (NULL);
}

/* A page freed while a fault's caller holds it is freed at unhold. */
START_TEST(test_hold_vs_free_through_fault)
{
	struct hold_reader hr;
	unsigned long nfree;
	vm_page_t m;
	pthread_t td;

	hr.object = anon_object(4);
	hr.sum = 0;
	ck_assert_int_eq(vm_fault(hr.object, 0, VM_PROT_WRITE, 0, 0, &m),
	    KERN_SUCCESS);
	memset(page_host(m), 2, PAGE_SIZE);
	vm_fault_unhold(m);
	pthread_barrier_init(&hr.held, NULL, 2);
	pthread_barrier_init(&hr.go, NULL, 2);
	ck_assert_int_eq(pthread_create(&td, NULL, hold_reader_thread, &hr),
	    0);
	pthread_barrier_wait(&hr.held);
	nfree = vm_phys_free_count();
	vm_object_deallocate(hr.object);
	/* Terminated, but the page is still held. */
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	ck_assert_uint_ne(m->flags & PG_UNHOLDFREE, 0);
	pthread_barrier_wait(&hr.go);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(hr.sum, 2 * (int)PAGE_SIZE);
	ck_assert_uint_eq(vm_phys_free_count(), nfree + 1);
	pthread_barrier_destroy(&hr.held);
	pthread_barrier_destroy(&hr.go);
}
END_TEST

struct churn {
	vm_object_t	object;
	int		stop;
	unsigned long	faults;
	unsigned long	bad;
};

static void *
churn_fault_thread(void *arg)
{
	struct churn *ch = arg;
	vm_page_t m;
	int rv;

	while (!__atomic_load_n(&ch->stop, __ATOMIC_ACQUIRE)) {
		rv = vm_fault(ch->object, __atomic_load_n(&ch->faults,
		    __ATOMIC_RELAXED) % 8, VM_PROT_READ, 0, 0, &m);
		if (rv != KERN_SUCCESS || m->valid != VM_PAGE_BITS_ALL ||
		    page_host(m)[0] != 0)
			ch->bad++;
		if (rv == KERN_SUCCESS)
			vm_fault_unhold(m);
		__atomic_add_fetch(&ch->faults, 1, __ATOMIC_RELEASE);
	}
	return (NULL);
}

/* Faults (mostly fast path) racing page removal: always a valid page. */
START_TEST(test_fault_vs_page_remove_churn)
{
	struct churn ch;
	pthread_t td;
	unsigned long nfree;
	int i;

	memset(&ch, 0, sizeof(ch));
	ch.object = anon_object(8);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(pthread_create(&td, NULL, churn_fault_thread, &ch),
	    0);
	/* At least 3000 removals, and go on until 3000 faults ran. */
	for (i = 0; i < 3000 || (__atomic_load_n(&ch.faults,
	    __ATOMIC_ACQUIRE) < 3000 && i < 100000000); i++) {
		VM_OBJECT_WLOCK(ch.object);
		vm_object_page_remove(ch.object, i % 8, i % 8 + 1, 0);
		VM_OBJECT_WUNLOCK(ch.object);
	}
	__atomic_store_n(&ch.stop, 1, __ATOMIC_RELEASE);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_uint_eq(ch.bad, 0);
	ck_assert_uint_ge(ch.faults, 3000);
	vm_object_deallocate(ch.object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
}
END_TEST

Suite *
vm_fault_suite(void)
{
	Suite *s;
	TCase *tc, *tt;

	s = suite_create("vm_fault");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_first_fault_zero_fills);
	tcase_add_test(tc, test_second_fault_fast_path);
	tcase_add_test(tc, test_pindex_past_size);
	tcase_add_test(tc, test_dead_object);
	tcase_add_test(tc, test_pager_errors);
	tcase_add_test(tc, test_pager_fail_zero_fills);
	tcase_add_test(tc, test_pager_fail_fictitious);
	tcase_add_test(tc, test_fictitious_placeholder);
	tcase_add_test(tc, test_invalid_resident_page_paged_in_again);
	tcase_add_test(tc, test_uses_page_pager_returned);
	tcase_add_test(tc, test_fault_prot_reaches_pager);
	tcase_add_test(tc, test_alloc_fail_point_shortage);
	tcase_add_test(tc, test_radix_failure_retry);
	tcase_add_test(tc, test_radix_failure_fictitious);
	tcase_add_test(tc, test_pmap_enter_managed_only);
	suite_add_tcase(s, tc);

	tt = tcase_create("threads");
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tt, test_fast_path_without_object_lock);
	tcase_add_test(tt, test_fault_waits_for_busy_page);
	tcase_add_test(tt, test_concurrent_faults_same_pages);
	tcase_add_test(tt, test_hold_vs_free_through_fault);
	tcase_add_test(tt, test_fault_vs_page_remove_churn);
	suite_add_tcase(s, tt);
	return (s);
}
