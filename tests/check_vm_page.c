/*
 * vm_page: hashed page locks, fake pages, RAM page allocation, object
 * membership (insert/remove/replace/rename and their radix failures),
 * holds, busy state and validity bits.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "check_devpager.h"
#include "check_vm_util.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/vm_radix.h"
#include "vm/pmap.h"

#define	TEST_PHYSMEM	(4UL << 20)
#define	FAKE_PA		(VM_PHYS_WINDOW_BASE + 0x5000)

/*
 * A minimal stand-in for the device pager, so that OBJT_DEVICE objects
 * can die in these tests whatever the state of device_pager.c: its
 * dealloc only makes the object dead (these tests free their own fake
 * pages).
 */
static void
tdev_dealloc(vm_object_t object)
{

	object->type = OBJT_DEAD;
}

static const struct pagerops tdev_ops = {
	.pgo_name = "dv",
	.pgo_dealloc = tdev_dealloc,
};

static void
setup(void)
{

	ck_assert_int_eq(vm_init(TEST_PHYSMEM), 0);
	vm_pager_set_test_ops(OBJT_DEVICE, &tdev_ops);
}

static void
teardown(void)
{

	vm_pager_set_test_ops(OBJT_DEVICE, NULL);
	fail_point_reset_all();
	test_hook_reset();
	vm_fini();
}

static vm_object_t
new_object(objtype_t type, vm_pindex_t size)
{
	vm_object_t object;

	object = vm_object_allocate(type, size);
	ck_assert_ptr_nonnull(object);
	return (object);
}

/* Walk memq and check it against the trie and the resident count. */
static void
check_object_consistent(vm_object_t object)
{
	vm_page_t m, prev;
	unsigned n;

	n = 0;
	prev = NULL;
	TAILQ_FOREACH(m, &object->memq, listq) {
		ck_assert_ptr_eq(m->object, object);
		ck_assert_ptr_eq(vm_page_lookup(object, m->pindex), m);
		if (prev != NULL)
			ck_assert_uint_lt(prev->pindex, m->pindex);
		prev = m;
		n++;
	}
	ck_assert_uint_eq(n, object->resident_page_count);
	ck_assert_int_eq(n == 0, vm_radix_is_empty(&object->rtree));
}

START_TEST(test_page_lock_hash)
{
	ck_assert_ptr_eq(PA_LOCKPTR(0), PA_LOCKPTR(NBPDR - PAGE_SIZE));
	ck_assert_ptr_ne(PA_LOCKPTR(0), PA_LOCKPTR(NBPDR));
	ck_assert_ptr_eq(PA_LOCKPTR(0), PA_LOCKPTR(NBPDR * PA_LOCK_COUNT));
	/* Idempotent: a second init leaves working locks. */
	vm_page_init();
	mtx_lock(PA_LOCKPTR(0));
	ck_assert(mtx_owned(PA_LOCKPTR(0)));
	mtx_unlock(PA_LOCKPTR(0));
}
END_TEST

START_TEST(test_getfake_fields)
{
	unsigned long before;
	vm_page_t m;

	before = vm_page_fake_count();
	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(vm_page_fake_count(), before + 1);
	ck_assert_uint_eq(m->phys_addr, FAKE_PA);
	ck_assert_int_eq(m->flags & PG_FICTITIOUS, PG_FICTITIOUS);
	ck_assert_int_eq(m->oflags, VPO_UNMANAGED);
	ck_assert_int_eq(m->queue, PQ_NONE);
	ck_assert_uint_eq(m->wire_count, 1);
	ck_assert(vm_page_xbusied(m));
	ck_assert_ptr_null(m->object);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	vm_page_xunbusy(m);
	vm_page_putfake(m);
	ck_assert_uint_eq(vm_page_fake_count(), before);
}
END_TEST

START_TEST(test_initfake_fresh_and_refake)
{
	struct vm_page pg;

	/* A zeroed page, as vm_phys's fictitious ranges hand in. */
	memset(&pg, 0, sizeof(pg));
	vm_page_initfake(&pg, FAKE_PA, VM_MEMATTR_UNCACHEABLE);
	ck_assert_uint_eq(pg.phys_addr, FAKE_PA);
	ck_assert_int_eq(pg.flags, PG_FICTITIOUS);
	ck_assert_int_eq(pg.oflags, VPO_UNMANAGED);
	ck_assert_int_eq(pg.queue, PQ_NONE);
	ck_assert_uint_eq(pg.wire_count, 1);
	ck_assert_uint_eq(pg.busy_lock, VPB_SINGLE_EXCLUSIVER);
	ck_assert_int_eq(vm_page_memattr(&pg), VM_MEMATTR_UNCACHEABLE);

	/* Already fictitious: only the memattr changes. */
	pg.busy_lock = VPB_UNBUSIED;
	pg.oflags = 0;
	vm_page_initfake(&pg, FAKE_PA + PAGE_SIZE, VM_MEMATTR_WRITE_BACK);
	ck_assert_uint_eq(pg.phys_addr, FAKE_PA);
	ck_assert_uint_eq(pg.busy_lock, VPB_UNBUSIED);
	ck_assert_int_eq(pg.oflags, 0);
	ck_assert_int_eq(vm_page_memattr(&pg), VM_MEMATTR_WRITE_BACK);
}
END_TEST

START_TEST(test_updatefake_moves_lock)
{
	vm_page_t m;
	vm_paddr_t pa2;

	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_UNCACHEABLE);
	pa2 = FAKE_PA + 3 * NBPDR;
	ck_assert_ptr_ne(PA_LOCKPTR(FAKE_PA), PA_LOCKPTR(pa2));
	vm_page_updatefake(m, pa2, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_uint_eq(m->phys_addr, pa2);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	vm_page_lock(m);
	ck_assert(mtx_owned(PA_LOCKPTR(pa2)));
	ck_assert(!mtx_owned(PA_LOCKPTR(FAKE_PA)));
	vm_page_unlock(m);
	vm_page_xunbusy(m);
	vm_page_putfake(m);
}
END_TEST

struct lock_mover {
	vm_page_t	m;
	vm_paddr_t	pa2;
	int		done;
};

static void *
lock_mover_thread(void *arg)
{
	struct lock_mover *lm = arg;

	/* Blocks on the old bucket until the main thread drops it. */
	vm_page_updatefake(lm->m, lm->pa2, VM_MEMATTR_DEFAULT);
	__atomic_store_n(&lm->done, 1, __ATOMIC_RELEASE);
	return (NULL);
}

/*
 * The address of a fake page only changes under its old bucket lock, so
 * a thread holding the page lock keeps the page in its bucket.
 */
START_TEST(test_updatefake_waits_for_page_lock)
{
	struct lock_mover lm;
	pthread_t td;

	lm.m = vm_page_getfake(FAKE_PA, VM_MEMATTR_DEFAULT);
	lm.pa2 = FAKE_PA + 5 * NBPDR;
	lm.done = 0;
	vm_page_lock(lm.m);
	ck_assert_int_eq(pthread_create(&td, NULL, lock_mover_thread, &lm),
	    0);
	/* While we hold the lock the page cannot have moved. */
	ck_assert_uint_eq(lm.m->phys_addr, FAKE_PA);
	ck_assert_ptr_eq(vm_page_lockptr(lm.m), PA_LOCKPTR(FAKE_PA));
	vm_page_unlock(lm.m);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(lm.done, 1);
	ck_assert_uint_eq(lm.m->phys_addr, lm.pa2);
	vm_page_xunbusy(lm.m);
	vm_page_putfake(lm.m);
}
END_TEST

START_TEST(test_fake_zone_reuse)
{
	vm_page_t m, m2;

	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_UNCACHEABLE);
	m->valid = VM_PAGE_BITS_ALL;
	m->dirty = 1;
	vm_page_xunbusy(m);
	vm_page_putfake(m);
	/* The zone hands items out again, completely reset. */
	m2 = vm_page_getfake(FAKE_PA + PAGE_SIZE, VM_MEMATTR_WRITE_BACK);
	ck_assert_ptr_eq(m2, m);
	ck_assert_int_eq(m2->valid, 0);
	ck_assert_int_eq(m2->dirty, 0);
	ck_assert_uint_eq(m2->phys_addr, FAKE_PA + PAGE_SIZE);
	ck_assert_int_eq(vm_page_memattr(m2), VM_MEMATTR_WRITE_BACK);
	ck_assert(vm_page_xbusied(m2));
	vm_page_xunbusy(m2);
	vm_page_putfake(m2);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_putfake_managed_asserts)
{
	vm_page_t m;

	panic_expect("vm_page_putfake: managed");
	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_DEFAULT);
	m->oflags &= ~VPO_UNMANAGED;
	vm_page_putfake(m);
}
END_TEST

START_TEST(test_putfake_real_page_asserts)
{
	vm_page_t m;

	panic_expect("vm_page_putfake: bad page");
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	m->oflags |= VPO_UNMANAGED;
	vm_page_putfake(m);
}
END_TEST

START_TEST(test_updatefake_real_page_asserts)
{
	vm_page_t m;

	panic_expect("vm_page_updatefake: bad page");
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	vm_page_updatefake(m, FAKE_PA, VM_MEMATTR_DEFAULT);
}
END_TEST

START_TEST(test_putfake_in_object_asserts)
{
	vm_object_t object;
	vm_page_t m;

	panic_expect("vm_page_putfake: page * still in object");
	object = new_object(OBJT_DEVICE, 4);
	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_DEFAULT);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_page_insert(m, object, 0), 0);
	VM_OBJECT_WUNLOCK(object);
	vm_page_putfake(m);
}
END_TEST
#endif

START_TEST(test_alloc_noobj)
{
	unsigned long nfree;
	vm_page_t m;

	nfree = vm_phys_free_count();
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 1);
	ck_assert_ptr_null(m->object);
	ck_assert(!vm_page_busied(m));
	ck_assert_int_eq(m->flags & PG_FICTITIOUS, 0);
	ck_assert_int_eq(m->oflags & VPO_UNMANAGED, 0);
	vm_page_lock(m);
	vm_page_free(m);
	vm_page_unlock(m);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
}
END_TEST

START_TEST(test_alloc_inserts_busy)
{
	vm_object_t object;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 7, VM_ALLOC_NORMAL);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_eq(m->object, object);
	ck_assert_uint_eq(m->pindex, 7);
	ck_assert(vm_page_xbusied(m));
	ck_assert_int_eq(m->valid, 0);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert_ptr_eq(vm_page_lookup(object, 7), m);
	ck_assert_ptr_eq(TAILQ_FIRST(&object->memq), m);
	vm_page_xunbusy(m);
	m = vm_page_alloc(object, 8, VM_ALLOC_NOBUSY);
	ck_assert_ptr_nonnull(m);
	ck_assert(!vm_page_busied(m));
	check_object_consistent(object);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_alloc_zero)
{
	unsigned char *p;
	vm_page_t m;
	int i;

	/* Dirty every free page, then ask for a zeroed one. */
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	p = page_host(m);
	memset(p, 0xa5, PAGE_SIZE);
	vm_page_lock(m);
	vm_page_free(m);
	vm_page_unlock(m);
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ | VM_ALLOC_ZERO);
	ck_assert_ptr_nonnull(m);
	p = page_host(m);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		if (p[i] != 0)
			ck_abort_msg("byte %d of a VM_ALLOC_ZERO page is %#x",
			    i, p[i]);
	vm_page_lock(m);
	vm_page_free(m);
	vm_page_unlock(m);
}
END_TEST

START_TEST(test_alloc_memattr)
{
	vm_object_t object, dev;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 4);
	dev = new_object(OBJT_DEVICE, 4);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_object_set_memattr(object,
	    VM_MEMATTR_UNCACHEABLE), KERN_SUCCESS);
	m = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	VM_OBJECT_WUNLOCK(object);
	/* Fictitious objects: the pager sets the memattr, not alloc. */
	VM_OBJECT_WLOCK(dev);
	ck_assert_int_eq(vm_object_set_memattr(dev, VM_MEMATTR_UNCACHEABLE),
	    KERN_SUCCESS);
	m = vm_page_alloc(dev, 0, VM_ALLOC_NORMAL);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_DEFAULT);
	ck_assert_int_eq(m->oflags & VPO_UNMANAGED, VPO_UNMANAGED);
	vm_page_free(m);
	VM_OBJECT_WUNLOCK(dev);
	vm_object_deallocate(dev);
	vm_object_deallocate(object);
	/* Freed pages go back with the default memattr. */
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_DEFAULT);
	vm_page_lock(m);
	vm_page_free(m);
	vm_page_unlock(m);
}
END_TEST

START_TEST(test_alloc_fail_point)
{
	vm_object_t object;
	unsigned long nfree;

	object = new_object(OBJT_DEFAULT, 4);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(fail_point_set("vm_page_alloc", "1*return(12)"), 0);
	VM_OBJECT_WLOCK(object);
	ck_assert_ptr_null(vm_page_alloc(object, 0, VM_ALLOC_NORMAL));
	ck_assert_uint_eq(object->resident_page_count, 0);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	/* Used up: the next one works. */
	ck_assert_ptr_nonnull(vm_page_alloc(object, 0, VM_ALLOC_NOBUSY));
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
}
END_TEST

/* Radix node failure inside vm_page_alloc: the page goes back. */
START_TEST(test_alloc_radix_failure)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t m0;

	object = new_object(OBJT_DEFAULT, 64);
	VM_OBJECT_WLOCK(object);
	m0 = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	ck_assert_ptr_nonnull(m0);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_ptr_null(vm_page_alloc(object, 33, VM_ALLOC_NORMAL));
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert_ptr_null(vm_page_lookup(object, 33));
	check_object_consistent(object);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "off"), 0);
	ck_assert_ptr_nonnull(vm_page_alloc(object, 33, VM_ALLOC_NOBUSY));
	check_object_consistent(object);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree + 1);
}
END_TEST

START_TEST(test_insert_failure_resets)
{
	vm_object_t object;
	vm_page_t m0, m;

	object = new_object(OBJT_DEFAULT, 64);
	VM_OBJECT_WLOCK(object);
	m0 = vm_page_alloc(object, 2, VM_ALLOC_NOBUSY);
	ck_assert_ptr_nonnull(m0);
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_int_eq(vm_page_insert(m, object, 40), 1);
	ck_assert_ptr_null(m->object);
	ck_assert_uint_eq(m->pindex, 0);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert_ptr_eq(TAILQ_FIRST(&object->memq), m0);
	ck_assert_ptr_null(TAILQ_NEXT(m0, listq));
	ck_assert_ptr_null(vm_page_lookup(object, 40));
	ck_assert_ptr_eq(vm_page_lookup(object, 2), m0);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "off"), 0);
	ck_assert_int_eq(vm_page_insert(m, object, 40), 0);
	check_object_consistent(object);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_insert_keeps_memq_sorted)
{
	static const vm_pindex_t idx[] = { 5, 1, 3, 9, 0, 4 };
	vm_object_t object;
	vm_page_t m;
	size_t i;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	for (i = 0; i < nitems(idx); i++) {
		m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
		ck_assert_int_eq(vm_page_insert(m, object, idx[i]), 0);
	}
	check_object_consistent(object);
	ck_assert_uint_eq(TAILQ_FIRST(&object->memq)->pindex, 0);
	ck_assert_uint_eq(TAILQ_LAST(&object->memq, respgs)->pindex, 9);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_insert_duplicate_panics)
{
	vm_object_t object;
	vm_page_t m1, m2;

	panic_expect("key 3 is already present");
	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m1 = vm_page_alloc(object, 3, VM_ALLOC_NOBUSY);
	ck_assert_ptr_nonnull(m1);
	m2 = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	(void)vm_page_insert(m2, object, 3);
}
END_TEST

START_TEST(test_remove)
{
	vm_object_t object;
	vm_page_t m;
	unsigned gen;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 4, VM_ALLOC_NORMAL);
	ck_assert(vm_page_xbusied(m));
	gen = object->generation;
	vm_page_lock(m);
	vm_page_remove(m);
	vm_page_unlock(m);
	ck_assert_ptr_null(m->object);
	ck_assert(!vm_page_busied(m));
	ck_assert_uint_eq(object->resident_page_count, 0);
	ck_assert_ptr_null(vm_page_lookup(object, 4));
	ck_assert(TAILQ_EMPTY(&object->memq));
	ck_assert_uint_ne(object->generation, gen);
	/* Removing a page without an object is a no-op. */
	vm_page_lock(m);
	vm_page_remove(m);
	vm_page_free(m);
	vm_page_unlock(m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_replace)
{
	vm_object_t object;
	vm_page_t m1, m2, m3, mnew, mold;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m1 = vm_page_alloc(object, 1, VM_ALLOC_NOBUSY);
	m2 = vm_page_alloc(object, 2, VM_ALLOC_NORMAL);
	m3 = vm_page_alloc(object, 3, VM_ALLOC_NOBUSY);
	mnew = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	mold = vm_page_replace(mnew, object, 2);
	ck_assert_ptr_eq(mold, m2);
	ck_assert_ptr_null(m2->object);
	ck_assert(!vm_page_busied(m2));
	ck_assert_ptr_eq(mnew->object, object);
	ck_assert_uint_eq(mnew->pindex, 2);
	ck_assert_ptr_eq(vm_page_lookup(object, 2), mnew);
	ck_assert_ptr_eq(TAILQ_NEXT(m1, listq), mnew);
	ck_assert_ptr_eq(TAILQ_NEXT(mnew, listq), m3);
	ck_assert_uint_eq(object->resident_page_count, 3);
	check_object_consistent(object);
	vm_page_lock(m2);
	vm_page_free(m2);
	vm_page_unlock(m2);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_replace_missing_panics)
{
	vm_object_t object;
	vm_page_t m;

	panic_expect("vm_radix_replace: key 5 is not present");
	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	(void)vm_page_alloc(object, 1, VM_ALLOC_NOBUSY);
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	(void)vm_page_replace(m, object, 5);
}
END_TEST

START_TEST(test_rename)
{
	vm_object_t o1, o2;
	vm_page_t m;

	o1 = new_object(OBJT_DEFAULT, 16);
	o2 = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(o1);
	VM_OBJECT_WLOCK(o2);
	m = vm_page_alloc(o1, 3, VM_ALLOC_NOBUSY);
	(void)vm_page_alloc(o1, 4, VM_ALLOC_NOBUSY);
	(void)vm_page_alloc(o2, 0, VM_ALLOC_NOBUSY);
	vm_page_lock(m);
	ck_assert_int_eq(vm_page_rename(m, o2, 9), 0);
	vm_page_unlock(m);
	ck_assert_ptr_eq(m->object, o2);
	ck_assert_uint_eq(m->pindex, 9);
	ck_assert_int_eq(m->dirty, VM_PAGE_BITS_ALL);
	ck_assert_ptr_null(vm_page_lookup(o1, 3));
	ck_assert_ptr_eq(vm_page_lookup(o2, 9), m);
	ck_assert_uint_eq(o1->resident_page_count, 1);
	ck_assert_uint_eq(o2->resident_page_count, 2);
	check_object_consistent(o1);
	check_object_consistent(o2);
	VM_OBJECT_WUNLOCK(o2);
	VM_OBJECT_WUNLOCK(o1);
	vm_object_deallocate(o1);
	vm_object_deallocate(o2);
}
END_TEST

START_TEST(test_rename_radix_failure)
{
	vm_object_t o1, o2;
	vm_page_t m;

	o1 = new_object(OBJT_DEFAULT, 64);
	o2 = new_object(OBJT_DEFAULT, 64);
	VM_OBJECT_WLOCK(o1);
	VM_OBJECT_WLOCK(o2);
	m = vm_page_alloc(o1, 3, VM_ALLOC_NOBUSY);
	(void)vm_page_alloc(o2, 0, VM_ALLOC_NOBUSY);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	vm_page_lock(m);
	ck_assert_int_eq(vm_page_rename(m, o2, 40), 1);
	vm_page_unlock(m);
	ck_assert_ptr_eq(m->object, o1);
	ck_assert_uint_eq(m->pindex, 3);
	ck_assert_ptr_eq(vm_page_lookup(o1, 3), m);
	ck_assert_ptr_null(vm_page_lookup(o2, 40));
	ck_assert_uint_eq(o1->resident_page_count, 1);
	ck_assert_uint_eq(o2->resident_page_count, 1);
	check_object_consistent(o1);
	check_object_consistent(o2);
	VM_OBJECT_WUNLOCK(o2);
	VM_OBJECT_WUNLOCK(o1);
	vm_object_deallocate(o1);
	vm_object_deallocate(o2);
}
END_TEST

START_TEST(test_lookup_unlocked)
{
	vm_object_t object;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 6, VM_ALLOC_NOBUSY);
	VM_OBJECT_WUNLOCK(object);
	rcu_read_lock();
	ck_assert_ptr_eq(vm_page_lookup_unlocked(object, 6), m);
	ck_assert_ptr_null(vm_page_lookup_unlocked(object, 5));
	rcu_read_unlock();
	vm_object_deallocate(object);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_lookup_unlocked_needs_rcu)
{
	vm_object_t object;

	panic_expect("vm_page_lookup_unlocked: not in an RCU read-side "
	    "section");
	object = new_object(OBJT_DEFAULT, 16);
	(void)vm_page_lookup_unlocked(object, 0);
}
END_TEST

START_TEST(test_hold_needs_page_lock)
{
	vm_page_t m;

	panic_expect("mutex vm page not owned at *src/vm/vm_page.c:");
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	vm_page_hold(m);
}
END_TEST
#endif

START_TEST(test_free_while_held_defers)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	nfree = vm_phys_free_count();
	vm_page_lock(m);
	vm_page_hold(m);
	vm_page_hold(m);
	vm_page_free(m);
	ck_assert_int_eq(m->flags & PG_UNHOLDFREE, PG_UNHOLDFREE);
	ck_assert_ptr_null(m->object);
	ck_assert_uint_eq(object->resident_page_count, 0);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	vm_page_unhold(m);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	vm_page_unhold(m);
	ck_assert_uint_eq(vm_phys_free_count(), nfree + 1);
	ck_assert_int_eq(m->flags & PG_UNHOLDFREE, 0);
	vm_page_unlock(m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_putfake_while_held_defers)
{
	unsigned long nfake;
	vm_page_t m;

	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_DEFAULT);
	vm_page_xunbusy(m);
	nfake = vm_page_fake_count();
	vm_page_lock(m);
	vm_page_hold(m);
	vm_page_unlock(m);
	vm_page_putfake(m);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
	vm_page_lock(m);
	vm_page_unhold(m);
	vm_page_unlock(m);
	ck_assert_uint_eq(vm_page_fake_count(), nfake - 1);
}
END_TEST

/* A placeholder fake page freed with vm_page_free goes back to the zone. */
START_TEST(test_free_fake_placeholder)
{
	vm_object_t object;
	unsigned long nfake;
	vm_page_t m;

	object = new_object(OBJT_DEVICE, 4);
	nfake = vm_page_fake_count();
	m = vm_page_getfake(0, VM_MEMATTR_DEFAULT);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_page_insert(m, object, 1), 0);
	vm_page_free(m);
	ck_assert_uint_eq(object->resident_page_count, 0);
	VM_OBJECT_WUNLOCK(object);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
	vm_object_deallocate(object);
}
END_TEST

struct holder {
	vm_page_t	m;
	pthread_barrier_t held;
	pthread_barrier_t go;
	int		sum;
};

static void *
holder_thread(void *arg)
{
	struct holder *h = arg;
	unsigned char *p;
	int i;

	rcu_thread_online();
	vm_page_lock(h->m);
	vm_page_hold(h->m);
	vm_page_unlock(h->m);
	pthread_barrier_wait(&h->held);
	pthread_barrier_wait(&h->go);
	/* The page was freed meanwhile, but its memory is still ours. */
	p = page_host(h->m);
	for (i = 0; i < (int)PAGE_SIZE; i++)
		h->sum += p[i];
	vm_page_lock(h->m);
	vm_page_unhold(h->m);
	vm_page_unlock(h->m);
	return (NULL);
}

/* Hold vs free with a real thread: the free completes at unhold. */
START_TEST(test_hold_vs_free_threads)
{
	struct holder h;
	vm_object_t object;
	unsigned long nfree;
	pthread_t td;

	object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	h.m = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY | VM_ALLOC_ZERO);
	VM_OBJECT_WUNLOCK(object);
	memset(page_host(h.m), 1, PAGE_SIZE);
	h.sum = 0;
	pthread_barrier_init(&h.held, NULL, 2);
	pthread_barrier_init(&h.go, NULL, 2);
	nfree = vm_phys_free_count();
	ck_assert_int_eq(pthread_create(&td, NULL, holder_thread, &h), 0);
	pthread_barrier_wait(&h.held);
	VM_OBJECT_WLOCK(object);
	vm_object_page_remove(object, 0, 0, 0);
	VM_OBJECT_WUNLOCK(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	pthread_barrier_wait(&h.go);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(h.sum, (int)PAGE_SIZE);
	ck_assert_uint_eq(vm_phys_free_count(), nfree + 1);
	pthread_barrier_destroy(&h.held);
	pthread_barrier_destroy(&h.go);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_busy_states)
{
	vm_page_t m;

	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert(!vm_page_busied(m));
	ck_assert(vm_page_tryxbusy(m));
	ck_assert(vm_page_busied(m));
	ck_assert(vm_page_xbusied(m));
	ck_assert(!vm_page_tryxbusy(m));
	vm_page_xunbusy(m);
	ck_assert(!vm_page_busied(m));
	vm_page_xbusy(m);
	ck_assert(vm_page_xbusied(m));
	vm_page_xunbusy(m);
	vm_page_lock(m);
	vm_page_free(m);
	vm_page_unlock(m);
}
END_TEST

START_TEST(test_xbusy_twice_panics)
{
	vm_page_t m;

	panic_expect("vm_page_xbusy: page * failed exclusive busying");
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	vm_page_xbusy(m);
	vm_page_xbusy(m);
}
END_TEST

struct busy_sleeper {
	vm_object_t	object;
	vm_page_t	m;
	int		slept;
};

static void *
busy_sleeper_thread(void *arg)
{
	struct busy_sleeper *bs = arg;

	rcu_thread_online();
	VM_OBJECT_WLOCK(bs->object);
	bs->slept = vm_page_sleep_if_busy(bs->m, "tstbsy");
	VM_OBJECT_WUNLOCK(bs->object);
	return (NULL);
}

/* Deterministic: the sleeper is queued before the page is unbusied. */
START_TEST(test_sleep_if_busy_wakeup)
{
	struct busy_sleeper bs;
	pthread_t td;
	int i;

	bs.object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(bs.object);
	bs.m = vm_page_alloc(bs.object, 0, VM_ALLOC_NORMAL);
	ck_assert(vm_page_xbusied(bs.m));
	VM_OBJECT_WUNLOCK(bs.object);
	bs.slept = -1;
	ck_assert_int_eq(pthread_create(&td, NULL, busy_sleeper_thread, &bs),
	    0);
	for (i = 0; i < 5000 && sleepq_sleepers(bs.m) == 0; i++)
		pause_ms("tstwt", 1);
	ck_assert_int_eq(sleepq_sleepers(bs.m), 1);
	ck_assert_uint_ne(bs.m->busy_lock & VPB_BIT_WAITERS, 0);
	/* Unbusy without the object lock: the wake-up is not lost. */
	vm_page_xunbusy(bs.m);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(bs.slept, 1);
	vm_object_deallocate(bs.object);
}
END_TEST

START_TEST(test_sleep_if_not_busy)
{
	vm_object_t object;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	ck_assert(!vm_page_sleep_if_busy(m, "tst"));
	ck_assert(VM_OBJECT_WOWNED(object));
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

struct busy_race {
	vm_object_t	object;
	vm_page_t	m;
	int		rounds;
	int		stop;
};

static void *
busy_race_unbusier(void *arg)
{
	struct busy_race *br = arg;
	int i;

	rcu_thread_online();
	for (i = 0; i < br->rounds; i++) {
		while (!vm_page_tryxbusy(br->m))
			;
		vm_page_xunbusy(br->m);
	}
	__atomic_store_n(&br->stop, 1, __ATOMIC_RELEASE);
	return (NULL);
}

/*
 * Real threads racing busy/unbusy against sleep_if_busy: a lost wake-up
 * would leave the sleeper hanging and the case would time out.
 */
START_TEST(test_sleep_if_busy_race)
{
	struct busy_race br;
	pthread_t td;

	br.object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(br.object);
	br.m = vm_page_alloc(br.object, 0, VM_ALLOC_NOBUSY);
	VM_OBJECT_WUNLOCK(br.object);
	br.rounds = 20000;
	br.stop = 0;
	ck_assert_int_eq(pthread_create(&td, NULL, busy_race_unbusier, &br),
	    0);
	VM_OBJECT_WLOCK(br.object);
	while (!__atomic_load_n(&br.stop, __ATOMIC_ACQUIRE))
		(void)vm_page_sleep_if_busy(br.m, "tstrace");
	VM_OBJECT_WUNLOCK(br.object);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert(!vm_page_busied(br.m));
	vm_object_deallocate(br.object);
}
END_TEST

START_TEST(test_page_bits)
{
	ck_assert_uint_eq(vm_page_bits(0, PAGE_SIZE), VM_PAGE_BITS_ALL);
	ck_assert_uint_eq(vm_page_bits(0, 1), 0x01);
	ck_assert_uint_eq(vm_page_bits(511, 2), 0x03);
	ck_assert_uint_eq(vm_page_bits(512, 512), 0x02);
	ck_assert_uint_eq(vm_page_bits(PAGE_SIZE - 1, 1), 0x80);
	ck_assert_uint_eq(vm_page_bits(1024, 2048), 0x3c);
	ck_assert_uint_eq(vm_page_bits(100, 0), 0);
}
END_TEST

START_TEST(test_zero_invalid_partial)
{
	vm_object_t object;
	unsigned char *p;
	vm_page_t m;
	int i;

	object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	p = page_host(m);
	memset(p, 0xaa, PAGE_SIZE);
	m->valid = 0x0f | 0x40;		/* chunks 0-3 and 6 valid */
	vm_page_zero_invalid(m, true);
	ck_assert_int_eq(m->valid, VM_PAGE_BITS_ALL);
	for (i = 0; i < (int)PAGE_SIZE; i++) {
		int chunk = i / DEV_BSIZE;
		int want = (chunk < 4 || chunk == 6) ? 0xaa : 0;

		if (p[i] != want)
			ck_abort_msg("byte %d: %#x, want %#x", i, p[i], want);
	}
	/* setvalid false leaves valid alone. */
	m->valid = 0;
	vm_page_zero_invalid(m, false);
	ck_assert_int_eq(m->valid, 0);
	vm_page_xunbusy(m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_zero_invalid_fictitious_asserts)
{
	vm_page_t m;

	panic_expect("vm_page_zero_invalid: fictitious page");
	m = vm_page_getfake(FAKE_PA, VM_MEMATTR_DEFAULT);
	vm_page_zero_invalid(m, true);
}
END_TEST
#endif

START_TEST(test_valid_dirty_ranges)
{
	vm_object_t object;
	unsigned char *p;
	vm_page_t m;

	object = new_object(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	p = page_host(m);
	memset(p, 0xbb, PAGE_SIZE);
	/* [700, 1300): chunks 1 and 2; the outer fragments get zeroed. */
	vm_page_set_valid_range(m, 700, 600);
	ck_assert_int_eq(m->valid, 0x06);
	ck_assert_int_eq(p[511], 0xbb);
	ck_assert_int_eq(p[512], 0);
	ck_assert_int_eq(p[699], 0);
	ck_assert_int_eq(p[700], 0xbb);
	ck_assert_int_eq(p[1299], 0xbb);
	ck_assert_int_eq(p[1300], 0);
	ck_assert_int_eq(p[1535], 0);
	ck_assert_int_eq(p[1536], 0xbb);
	ck_assert(vm_page_is_valid(m, 512, 1024));
	ck_assert(!vm_page_is_valid(m, 0, 1024));
	vm_page_dirty_range(m, 0, 1);
	vm_page_dirty_range(m, 4000, 96);
	ck_assert_int_eq(m->dirty, 0x81);
	vm_page_xunbusy(m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

Suite *
vm_page_suite(void)
{
	Suite *s;
	TCase *tc, *tt, *ti;

	s = suite_create("vm_page");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_page_lock_hash);
	tcase_add_test(tc, test_getfake_fields);
	tcase_add_test(tc, test_initfake_fresh_and_refake);
	tcase_add_test(tc, test_updatefake_moves_lock);
	tcase_add_test(tc, test_fake_zone_reuse);
	tcase_add_test(tc, test_alloc_noobj);
	tcase_add_test(tc, test_alloc_inserts_busy);
	tcase_add_test(tc, test_alloc_zero);
	tcase_add_test(tc, test_alloc_memattr);
	tcase_add_test(tc, test_alloc_fail_point);
	tcase_add_test(tc, test_alloc_radix_failure);
	tcase_add_test(tc, test_insert_failure_resets);
	tcase_add_test(tc, test_insert_keeps_memq_sorted);
	tcase_add_test_raise_signal(tc, test_insert_duplicate_panics, SIGABRT);
	tcase_add_test(tc, test_remove);
	tcase_add_test(tc, test_replace);
	tcase_add_test_raise_signal(tc, test_replace_missing_panics, SIGABRT);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_rename_radix_failure);
	tcase_add_test(tc, test_lookup_unlocked);
	tcase_add_test(tc, test_free_while_held_defers);
	tcase_add_test(tc, test_putfake_while_held_defers);
	tcase_add_test(tc, test_free_fake_placeholder);
	tcase_add_test(tc, test_busy_states);
	tcase_add_test_raise_signal(tc, test_xbusy_twice_panics, SIGABRT);
	tcase_add_test(tc, test_sleep_if_not_busy);
	tcase_add_test(tc, test_page_bits);
	tcase_add_test(tc, test_zero_invalid_partial);
	tcase_add_test(tc, test_valid_dirty_ranges);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "core", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_putfake_managed_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_putfake_real_page_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_updatefake_real_page_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_putfake_in_object_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_lookup_unlocked_needs_rcu);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_hold_needs_page_lock);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_zero_invalid_fictitious_asserts);

	tt = tcase_create("threads");
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tt, test_updatefake_waits_for_page_lock);
	tcase_add_test(tt, test_hold_vs_free_threads);
	tcase_add_test(tt, test_sleep_if_busy_wakeup);
	tcase_add_test(tt, test_sleep_if_busy_race);
	suite_add_tcase(s, tt);
	return (s);
}
