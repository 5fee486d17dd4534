/*
 * vm_object: allocation and flags per type, references, terminate and
 * destroy, the type-stable zone and the RCU global list (with listing
 * against free, reference 4.5), paging in progress, page_remove,
 * set_memattr, lookup by id and the id index.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/refcount.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"

#define	TEST_PHYSMEM	(4UL << 20)
#define	FAKE_PA		(VM_PHYS_WINDOW_BASE + 0x10000)

/*
 * A stand-in device pager: fake pages it hands out are linked on
 * devp_pglist (VPO_ONPGLIST), and its dealloc frees them all, as the
 * device pager does.  Counts its deallocations.
 */
static int tdev_deallocs;
static int tdev_freed;
static bool tdev_forget_dead;

static void
tdev_dealloc(vm_object_t object)
{
	vm_page_t m;

	tdev_deallocs++;
	while ((m = TAILQ_FIRST(&object->un_pager.devp.devp_pglist)) != NULL) {
		TAILQ_REMOVE(&object->un_pager.devp.devp_pglist, m, plinks.q);
		m->oflags &= ~VPO_ONPGLIST;
		ck_assert_ptr_null(m->object);
		vm_page_putfake(m);
		tdev_freed++;
	}
	if (!tdev_forget_dead)
		object->type = OBJT_DEAD;
}

static const struct pagerops tdev_ops = {
	.pgo_name = "dv",
	.pgo_dealloc = tdev_dealloc,
};

/* SG and MGTDEVICE objects: a pager that only kills the object. */
static void
tdead_dealloc(vm_object_t object)
{

	object->type = OBJT_DEAD;
}

static const struct pagerops tdead_ops = {
	.pgo_name = "tt",
	.pgo_dealloc = tdead_dealloc,
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
	vm_pager_set_test_ops(OBJT_DEVICE, &tdev_ops);
	vm_pager_set_test_ops(OBJT_SG, &tdead_ops);
	vm_pager_set_test_ops(OBJT_MGTDEVICE, &tdead_ops);
	tdev_deallocs = tdev_freed = 0;
	tdev_forget_dead = false;
	unmap_calls = 0;
	pmap_set_unmap_callback(count_unmap, NULL);
}

static void
teardown(void)
{

	pmap_set_unmap_callback(NULL, NULL);
	vm_pager_set_test_ops(OBJT_DEVICE, NULL);
	vm_pager_set_test_ops(OBJT_SG, NULL);
	vm_pager_set_test_ops(OBJT_MGTDEVICE, NULL);
	fail_point_reset_all();
	test_hook_reset();
	vm_fini();
}

/* Insert a fake page into a device object, as the device pager would. */
static vm_page_t
insert_fake(vm_object_t object, vm_pindex_t pindex)
{
	vm_page_t m;

	m = vm_page_getfake(FAKE_PA + ptoa(pindex), VM_MEMATTR_DEFAULT);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_page_insert(m, object, pindex), 0);
	m->valid = VM_PAGE_BITS_ALL;
	TAILQ_INSERT_TAIL(&object->un_pager.devp.devp_pglist, m, plinks.q);
	m->oflags |= VPO_ONPGLIST;
	vm_page_xunbusy(m);
	VM_OBJECT_WUNLOCK(object);
	return (m);
}

static bool
on_global_list(vm_object_t object)
{
	vm_object_t o;
	bool found;

	found = false;
	rcu_read_lock();
	cds_list_for_each_entry_rcu(o, &vm_object_list, object_list)
		if (o == object)
			found = true;
	rcu_read_unlock();
	return (found);
}

static unsigned long
global_list_length(void)
{
	unsigned long n;
	vm_object_t o;

	n = 0;
	rcu_read_lock();
	cds_list_for_each_entry_rcu(o, &vm_object_list, object_list)
		n++;
	rcu_read_unlock();
	return (n);
}

START_TEST(test_allocate_flags_per_type)
{
	static const struct {
		objtype_t	type;
		uint16_t	flags;
	} t[] = {
		{ OBJT_DEFAULT, OBJ_ONEMAPPING },
		{ OBJT_SWAP, OBJ_ONEMAPPING },
		{ OBJT_DEVICE, OBJ_FICTITIOUS | OBJ_UNMANAGED },
		{ OBJT_SG, OBJ_FICTITIOUS | OBJ_UNMANAGED },
		{ OBJT_MGTDEVICE, OBJ_FICTITIOUS },
		{ OBJT_PHYS, OBJ_UNMANAGED },
	};
	vm_object_t o[nitems(t)];
	size_t i, j;

	for (i = 0; i < nitems(t); i++) {
		o[i] = vm_object_allocate(t[i].type, 10 + i);
		ck_assert_ptr_nonnull(o[i]);
		ck_assert_int_eq(o[i]->type, t[i].type);
		ck_assert_uint_eq(o[i]->flags, t[i].flags);
		ck_assert_uint_eq(refcount_load(&o[i]->ref_count), 1);
		ck_assert_uint_eq(o[i]->size, 10 + i);
		ck_assert_int_eq(o[i]->memattr, VM_MEMATTR_DEFAULT);
		ck_assert_uint_eq(o[i]->resident_page_count, 0);
		ck_assert_ptr_null(o[i]->handle);
		ck_assert(!o[i]->has_cred);
		ck_assert(on_global_list(o[i]));
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(o[i]->id, o[j]->id);
	}
	for (i = 0; i < nitems(t); i++)
		vm_object_deallocate(o[i]);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

START_TEST(test_allocate_dead_panics)
{

	panic_expect("vm_object_allocate: can't create OBJT_DEAD");
	(void)vm_object_allocate(OBJT_DEAD, 1);
}
END_TEST

START_TEST(test_reference_deallocate)
{
	vm_object_t object;
	unsigned long live;

	live = vm_object_live_count();
	object = vm_object_allocate(OBJT_DEFAULT, 4);
	ck_assert_uint_eq(vm_object_live_count(), live + 1);
	vm_object_reference(object);
	VM_OBJECT_WLOCK(object);
	vm_object_reference_locked(object);
	VM_OBJECT_WUNLOCK(object);
	ck_assert_uint_eq(refcount_load(&object->ref_count), 3);
	vm_object_deallocate(object);
	vm_object_deallocate(object);
	ck_assert_int_eq(object->type, OBJT_DEFAULT);
	ck_assert_uint_eq(refcount_load(&object->ref_count), 1);
	vm_object_deallocate(object);
	/* Dead, unreferenced, still on the list (type-stable). */
	ck_assert_int_eq(object->type, OBJT_DEAD);
	ck_assert_uint_eq(refcount_load(&object->ref_count), 0);
	ck_assert_uint_ne(object->flags & OBJ_DEAD, 0);
	ck_assert(on_global_list(object));
	ck_assert_uint_eq(vm_object_live_count(), live);
	vm_object_reference(NULL);
	vm_object_deallocate(NULL);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_deallocate_too_many_asserts)
{
	vm_object_t object;

	panic_expect("refcount * is zero");
	object = vm_object_allocate(OBJT_DEFAULT, 4);
	vm_object_deallocate(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_reference_dead_asserts)
{
	vm_object_t object;

	panic_expect("vm_object_reference: object * revived from ref_count 0");
	rcu_thread_online();
	object = vm_object_allocate(OBJT_DEFAULT, 4);
	/*
	 * Inside a read-side section the zone cannot take the object back
	 * (its destructor would panic on the revived count too, racing the
	 * assertion this test is about).
	 */
	rcu_read_lock();
	vm_object_deallocate(object);
	vm_object_reference(object);
	rcu_read_unlock();
}
END_TEST
#endif

/* Reuse only after a grace period, with a fresh id and the new type. */
START_TEST(test_zone_reuse_after_grace_period)
{
	vm_object_t o1, o2;
	unsigned long items, len;
	uint64_t id1;

	o1 = vm_object_allocate(OBJT_DEFAULT, 4);
	id1 = o1->id;
	items = vm_object_zone_count();
	len = global_list_length();
	vm_object_deallocate(o1);
	rcu_barrier();
	o2 = vm_object_allocate(OBJT_PHYS, 8);
	ck_assert_ptr_eq(o2, o1);
	ck_assert_uint_gt(o2->id, id1);
	ck_assert_int_eq(o2->type, OBJT_PHYS);
	ck_assert_uint_eq(o2->flags, OBJ_UNMANAGED);
	ck_assert_uint_eq(vm_object_zone_count(), items);
	ck_assert_uint_eq(global_list_length(), len);
	vm_object_deallocate(o2);
}
END_TEST

/* Before the grace period ends, the freed item is not handed out. */
START_TEST(test_zone_no_reuse_inside_read_section)
{
	vm_object_t o1, o2;

	o1 = vm_object_allocate(OBJT_DEFAULT, 4);
	rcu_read_lock();
	vm_object_deallocate(o1);
	/* We are a reader: o1 cannot have reached the free list. */
	o2 = vm_object_allocate(OBJT_DEFAULT, 4);
	ck_assert_ptr_ne(o2, o1);
	ck_assert_int_eq(o1->type, OBJT_DEAD);
	rcu_read_unlock();
	vm_object_deallocate(o2);
}
END_TEST

/*
 * The inspection reads of vm_object.c: a snapshot row, the ids, every
 * field of one object and its pages, without the walker's reference
 * counted; a dead id is ENOENT.
 */
START_TEST(test_inspection_reads)
{
	struct vm_object_page_info *pages;
	struct vm_object_stat *rows;
	struct vm_object_info vi;
	vm_object_t object;
	uint64_t *ids, id;
	size_t i, n;
	bool found;

	object = vm_object_allocate(OBJT_DEFAULT, 8);
	vm_object_set_path(object, "test/inspect");
	VM_OBJECT_WLOCK(object);
	ck_assert_ptr_nonnull(vm_page_alloc(object, 3, VM_ALLOC_NOBUSY));
	ck_assert_ptr_nonnull(vm_page_alloc(object, 6, VM_ALLOC_NOBUSY));
	VM_OBJECT_WUNLOCK(object);
	id = object->id;

	ck_assert_int_eq(vm_object_snapshot(&rows, &n), 0);
	found = false;
	for (i = 0; i < n; i++)
		if (rows[i].id == id) {
			found = true;
			ck_assert_uint_eq(rows[i].resident, 2);
			ck_assert_uint_eq(rows[i].ref, 1);
			ck_assert_str_eq(rows[i].path, "test/inspect");
		}
	free(rows);
	ck_assert(found);
	ck_assert_int_eq(vm_object_ids(&ids, &n), 0);
	found = false;
	for (i = 0; i < n; i++)
		found |= ids[i] == id;
	free(ids);
	ck_assert(found);

	ck_assert_int_eq(vm_object_describe(id, &vi), 0);
	ck_assert_uint_eq(vi.vi_stat.ref, 1);
	ck_assert_uint_eq(vi.vi_size, 8);
	ck_assert_int_eq(vi.vi_handle, VMO_HANDLE_NONE);
	ck_assert_ptr_null(vi.vi_devp_dev);
	ck_assert_int_eq(vm_object_pages(id, &pages, &n), 0);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert(pages[i].pi_pindex == 3 || pages[i].pi_pindex == 6);
		ck_assert(!pages[i].pi_fictitious);
		ck_assert_uint_eq(pages[i].pi_hold, 0);
	}
	free(pages);

	vm_object_deallocate(object);
	ck_assert_int_eq(vm_object_describe(id, &vi), ENOENT);
	ck_assert_int_eq(vm_object_pages(id, &pages, &n), ENOENT);
}
END_TEST

START_TEST(test_terminate_frees_and_detaches)
{
	vm_object_t object;
	unsigned long nfree, nfake;
	vm_page_t m, f;
	int i;

	nfree = vm_phys_free_count();
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(object);
	for (i = 0; i < 5; i++) {
		m = vm_page_alloc(object, i, VM_ALLOC_NOBUSY);
		ck_assert_ptr_nonnull(m);
	}
	VM_OBJECT_WUNLOCK(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 5);
	vm_object_deallocate(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);

	/* Device object: fake pages are wired, only detached; the
	 * pager's dealloc frees them. */
	nfake = vm_page_fake_count();
	object = vm_object_allocate(OBJT_DEVICE, 8);
	f = insert_fake(object, 2);
	(void)insert_fake(object, 5);
	ck_assert_uint_eq(vm_page_fake_count(), nfake + 2);
	ck_assert_uint_eq(object->resident_page_count, 2);
	vm_object_deallocate(object);
	ck_assert_int_eq(tdev_deallocs, 1);
	ck_assert_int_eq(tdev_freed, 2);
	ck_assert_uint_eq(vm_page_fake_count(), nfake);
	ck_assert_ptr_null(f->object);
	ck_assert(TAILQ_EMPTY(&object->memq));
	ck_assert(vm_radix_is_empty(&object->rtree));
}
END_TEST

START_TEST(test_terminate_removes_mappings)
{
	vm_object_t object;
	vm_page_t m;

	object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	VM_OBJECT_WUNLOCK(object);
	vm_page_lock(m);
	pmap_enter(m, 42, 0);
	pmap_enter(m, 43, 0);
	ck_assert_int_eq(pmap_page_mapping_count(m), 2);
	vm_page_unlock(m);
	vm_object_deallocate(object);
	ck_assert_uint_eq(unmap_calls, 2);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_terminate_charge_only_anonymous)
{
	vm_object_t object;

	panic_expect("vm_object_terminate: object * has a swap charge");
	object = vm_object_allocate(OBJT_PHYS, 4);
	VM_OBJECT_WLOCK(object);
	object->has_cred = true;
	object->charge = PAGE_SIZE;
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_terminate_pager_must_kill)
{
	vm_object_t object;

	panic_expect("vm_object_terminate: pager left object * with type");
	tdev_forget_dead = true;
	object = vm_object_allocate(OBJT_DEVICE, 4);
	vm_object_deallocate(object);
}
END_TEST

/* The zone's INVARIANTS checks (FreeBSD's vm_object_zdtor). */
START_TEST(test_zone_dtor_checks)
{
	vm_object_t object;

	panic_expect("object * has resident pages in its memq");
	object = vm_object_allocate(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	(void)vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	VM_OBJECT_WUNLOCK(object);
	/* Destroy it behind terminate's back, with a page resident. */
	refcount_init(&object->ref_count, 0);
	object->type = OBJT_DEAD;
	vm_object_destroy(object);
	rcu_barrier();
}
END_TEST
#endif

struct pip_waiter {
	vm_object_t	object;
	int		done;
};

static void *
pip_wait_thread(void *arg)
{
	struct pip_waiter *pw = arg;

	VM_OBJECT_WLOCK(pw->object);
	vm_object_pip_wait(pw->object, "tstpip");
	__atomic_store_n(&pw->done, 1, __ATOMIC_RELEASE);
	VM_OBJECT_WUNLOCK(pw->object);
	return (NULL);
}

/* The waiter is asleep (OBJ_PIPWNT set) before the count drains. */
START_TEST(test_pip_wait_wakeup)
{
	struct pip_waiter pw;
	pthread_t td;
	int i;

	pw.object = vm_object_allocate(OBJT_DEFAULT, 4);
	pw.done = 0;
	VM_OBJECT_WLOCK(pw.object);
	vm_object_pip_add(pw.object, 2);
	VM_OBJECT_WUNLOCK(pw.object);
	ck_assert_int_eq(pthread_create(&td, NULL, pip_wait_thread, &pw), 0);
	for (i = 0; i < 5000 && sleepq_sleepers(pw.object) == 0; i++)
		pause_ms("tstwt", 1);
	ck_assert_int_eq(sleepq_sleepers(pw.object), 1);
	VM_OBJECT_WLOCK(pw.object);
	ck_assert_uint_ne(pw.object->flags & OBJ_PIPWNT, 0);
	vm_object_pip_wakeup(pw.object);
	VM_OBJECT_WUNLOCK(pw.object);
	/* One still in progress: the waiter must not have returned. */
	ck_assert_int_eq(__atomic_load_n(&pw.done, __ATOMIC_ACQUIRE), 0);
	VM_OBJECT_WLOCK(pw.object);
	vm_object_pip_wakeupn(pw.object, 1);
	ck_assert_uint_eq(pw.object->flags & OBJ_PIPWNT, 0);
	VM_OBJECT_WUNLOCK(pw.object);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_int_eq(pw.done, 1);
	vm_object_deallocate(pw.object);
}
END_TEST

struct pip_race {
	vm_object_t	object;
	int		rounds;
};

static void *
pip_race_thread(void *arg)
{
	struct pip_race *pr = arg;
	int i;

	for (i = 0; i < pr->rounds; i++) {
		VM_OBJECT_WLOCK(pr->object);
		vm_object_pip_add(pr->object, 1);
		VM_OBJECT_WUNLOCK(pr->object);
		VM_OBJECT_WLOCK(pr->object);
		vm_object_pip_wakeup(pr->object);
		VM_OBJECT_WUNLOCK(pr->object);
	}
	return (NULL);
}

/* Real threads: a lost wake-up would hang a waiter (case timeout). */
START_TEST(test_pip_wait_race)
{
	struct pip_race pr;
	pthread_t td;
	int i;

	pr.object = vm_object_allocate(OBJT_DEFAULT, 4);
	pr.rounds = 20000;
	ck_assert_int_eq(pthread_create(&td, NULL, pip_race_thread, &pr), 0);
	for (i = 0; i < 20000; i++) {
		VM_OBJECT_WLOCK(pr.object);
		vm_object_pip_wait(pr.object, "tstrace");
		ck_assert_uint_eq(pr.object->paging_in_progress, 0);
		VM_OBJECT_WUNLOCK(pr.object);
	}
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	vm_object_deallocate(pr.object);
}
END_TEST

START_TEST(test_page_remove_range)
{
	vm_object_t object;
	unsigned long nfree;
	int i;

	nfree = vm_phys_free_count();
	object = vm_object_allocate(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	for (i = 0; i < 10; i++)
		(void)vm_page_alloc(object, i, VM_ALLOC_NOBUSY);
	vm_object_page_remove(object, 2, 5, 0);
	ck_assert_uint_eq(object->resident_page_count, 7);
	ck_assert_ptr_nonnull(vm_page_lookup(object, 1));
	ck_assert_ptr_null(vm_page_lookup(object, 2));
	ck_assert_ptr_null(vm_page_lookup(object, 4));
	ck_assert_ptr_nonnull(vm_page_lookup(object, 5));
	vm_object_page_remove(object, 7, 0, 0);
	ck_assert_uint_eq(object->resident_page_count, 4);
	ck_assert_ptr_nonnull(vm_page_lookup(object, 6));
	ck_assert_ptr_null(vm_page_lookup(object, 9));
	ck_assert_uint_eq(vm_phys_free_count(), nfree - 4);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
}
END_TEST

START_TEST(test_page_remove_cleanonly)
{
	vm_object_t object;
	vm_page_t m;

	object = vm_object_allocate(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	(void)vm_page_alloc(object, 0, VM_ALLOC_NOBUSY);
	m = vm_page_alloc(object, 1, VM_ALLOC_NOBUSY);
	m->valid = VM_PAGE_BITS_ALL;
	vm_page_dirty_range(m, 0, 10);
	vm_object_page_remove(object, 0, 0, OBJPR_CLEANONLY);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert_ptr_eq(vm_page_lookup(object, 1), m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

/* Managed pages lose their mappings; with NOTMAPPED they do not. */
START_TEST(test_page_remove_unmaps_managed)
{
	vm_object_t object;
	vm_page_t m;

	object = vm_object_allocate(OBJT_DEFAULT, 16);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 3, VM_ALLOC_NOBUSY);
	vm_page_lock(m);
	pmap_enter(m, 7, ptoa(3));
	vm_page_unlock(m);
	vm_object_page_remove(object, 0, 0, 0);
	ck_assert_uint_eq(unmap_calls, 1);
	ck_assert_uint_eq(object->resident_page_count, 0);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

/* msync(MS_INVALIDATE) on a device object: fake pages stay resident. */
START_TEST(test_page_remove_notmapped_fake)
{
	vm_object_t object;
	vm_page_t m0, m1;

	object = vm_object_allocate(OBJT_DEVICE, 8);
	m0 = insert_fake(object, 0);
	m1 = insert_fake(object, 1);
	VM_OBJECT_WLOCK(object);
	m0->dirty = VM_PAGE_BITS_ALL;
	vm_object_page_remove(object, 0, 1, OBJPR_NOTMAPPED);
	ck_assert_uint_eq(object->resident_page_count, 2);
	ck_assert_ptr_eq(vm_page_lookup(object, 0), m0);
	ck_assert_int_eq(m0->valid, 0);
	ck_assert_int_eq(m0->dirty, 0);
	ck_assert_int_eq(m1->valid, VM_PAGE_BITS_ALL);
	ck_assert_uint_ne(m0->oflags & VPO_ONPGLIST, 0);
	VM_OBJECT_WUNLOCK(object);
	ck_assert_uint_eq(unmap_calls, 0);
	vm_object_deallocate(object);
	ck_assert_int_eq(tdev_freed, 2);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_page_remove_unmanaged_needs_notmapped)
{
	vm_object_t object;

	panic_expect("vm_object_page_remove: illegal options for object");
	object = vm_object_allocate(OBJT_DEVICE, 8);
	(void)insert_fake(object, 0);
	VM_OBJECT_WLOCK(object);
	vm_object_page_remove(object, 0, 0, 0);
}
END_TEST

START_TEST(test_page_remove_needs_wlock)
{
	vm_object_t object;

	panic_expect("lock vm object not exclusively locked at "
	    "*src/vm/vm_object.c:");
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	vm_object_page_remove(object, 0, 0, 0);
}
END_TEST
#endif

struct busy_unbusier {
	vm_object_t	object;
	vm_page_t	m;
};

static void *
unbusy_later_thread(void *arg)
{
	struct busy_unbusier *bu = arg;
	int i;

	for (i = 0; i < 5000 && sleepq_sleepers(bu->m) == 0; i++)
		pause_ms("tstwt", 1);
	vm_page_xunbusy(bu->m);
	return (NULL);
}

/* page_remove waits for a busy page, then removes it. */
START_TEST(test_page_remove_waits_busy)
{
	struct busy_unbusier bu;
	pthread_t td;

	bu.object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(bu.object);
	bu.m = vm_page_alloc(bu.object, 0, VM_ALLOC_NORMAL);
	ck_assert_int_eq(pthread_create(&td, NULL, unbusy_later_thread, &bu),
	    0);
	vm_object_page_remove(bu.object, 0, 0, 0);
	ck_assert_uint_eq(bu.object->resident_page_count, 0);
	VM_OBJECT_WUNLOCK(bu.object);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	vm_object_deallocate(bu.object);
}
END_TEST

START_TEST(test_set_memattr_rules)
{
	vm_object_t object, dead;

	object = vm_object_allocate(OBJT_DEVICE, 8);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_object_set_memattr(object,
	    VM_MEMATTR_WRITE_COMBINING), KERN_SUCCESS);
	ck_assert_int_eq(object->memattr, VM_MEMATTR_WRITE_COMBINING);
	VM_OBJECT_WUNLOCK(object);
	(void)insert_fake(object, 0);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_object_set_memattr(object,
	    VM_MEMATTR_UNCACHEABLE), KERN_FAILURE);
	ck_assert_int_eq(object->memattr, VM_MEMATTR_WRITE_COMBINING);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);

	/* A dead object (type-stable memory, locked as any object). */
	dead = vm_object_allocate(OBJT_DEFAULT, 1);
	vm_object_deallocate(dead);
	VM_OBJECT_WLOCK(dead);
	ck_assert_int_eq(vm_object_set_memattr(dead, VM_MEMATTR_UNCACHEABLE),
	    KERN_INVALID_ARGUMENT);
	VM_OBJECT_WUNLOCK(dead);
}
END_TEST

START_TEST(test_set_memattr_bad_type_panics)
{
	vm_object_t object;

	panic_expect("vm_object_set_memattr: object * is of undefined type");
	object = vm_object_allocate(OBJT_DEFAULT, 1);
	VM_OBJECT_WLOCK(object);
	object->type = OBJT_NTYPES + 3;
	(void)vm_object_set_memattr(object, VM_MEMATTR_DEFAULT);
}
END_TEST

START_TEST(test_set_path_and_flags)
{
	vm_object_t object;

	object = vm_object_allocate(OBJT_DEFAULT, 1);
	vm_object_set_path(object, "dev/ram0");
	ck_assert_str_eq(object->path, "dev/ram0");
	VM_OBJECT_WLOCK(object);
	vm_object_set_path(object, NULL);
	ck_assert_str_eq(object->path, "");
	vm_object_set_flag(object, OBJ_COLORED);
	ck_assert_uint_ne(object->flags & OBJ_COLORED, 0);
	vm_object_clear_flag(object, OBJ_COLORED);
	ck_assert_uint_eq(object->flags & OBJ_COLORED, 0);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_lookup_id)
{
	vm_object_t object, found;
	uint64_t id;

	object = vm_object_allocate(OBJT_DEFAULT, 1);
	id = object->id;
	found = vm_object_lookup_id(id);
	ck_assert_ptr_eq(found, object);
	ck_assert_uint_eq(refcount_load(&object->ref_count), 2);
	vm_object_deallocate(found);
	ck_assert_ptr_null(vm_object_lookup_id(id + 1000));
	vm_object_deallocate(object);
	ck_assert_ptr_null(vm_object_lookup_id(id));
	rcu_barrier();
	/* Reused memory has a new id: the old one stays unknown. */
	object = vm_object_allocate(OBJT_DEFAULT, 1);
	ck_assert_ptr_null(vm_object_lookup_id(id));
	vm_object_deallocate(object);
}
END_TEST

/*
 * The global list under load: 2 readers walk it lock-free while 2
 * writers allocate and free objects.  The list never shrinks, and every
 * object a reader finds live is a well-formed one:
 *	- published complete (vm_object_allocate stores the type last): a
 *	  known type, an id, the FICTITIOUS/UNMANAGED flags of that type;
 *	- under its read lock, never dead with references (type DEAD means
 *	  ref_count 0) nor alive without one (ref_count 0 means OBJ_DEAD).
 * An object seen live cannot be reused before the walk's read-side
 * section ends, so these hold for any correct allocator and teardown.
 */
struct list_load {
	int		stop;
	unsigned long	walks;
	unsigned long	checked;
	unsigned long	shrinks;
	unsigned long	bad;
	char		why[160];	/* the first problem */
};

static uint16_t
list_type_flags(objtype_t type)
{

	switch (type) {
	case OBJT_DEVICE:
	case OBJT_SG:
		return (OBJ_FICTITIOUS | OBJ_UNMANAGED);
	case OBJT_MGTDEVICE:
		return (OBJ_FICTITIOUS);
	case OBJT_PHYS:
		return (OBJ_UNMANAGED);
	default:
		return (0);
	}
}

static void
list_load_bad(struct list_load *ll, vm_object_t o, const char *what)
{

	if (__atomic_fetch_add(&ll->bad, 1, __ATOMIC_RELAXED) == 0)
		snprintf(ll->why, sizeof(ll->why), "object %p: %s",
		    (void *)o, what);
}

/* Inside the walk's read-side section. */
static void
list_check_object(struct list_load *ll, vm_object_t o)
{
	objtype_t type;
	uint16_t flags;
	unsigned ref;

	type = __atomic_load_n(&o->type, __ATOMIC_ACQUIRE);
	if (type == OBJT_DEAD)
		return;
	flags = __atomic_load_n(&o->flags, __ATOMIC_RELAXED);
	if (type >= OBJT_NTYPES)
		list_load_bad(ll, o, "unknown type");
	else if (__atomic_load_n(&o->id, __ATOMIC_RELAXED) == 0)
		list_load_bad(ll, o, "live without an id");
	else if ((flags & (OBJ_FICTITIOUS | OBJ_UNMANAGED)) !=
	    list_type_flags(type))
		list_load_bad(ll, o, "flags of another type");

	VM_OBJECT_RLOCK(o);
	type = o->type;
	flags = o->flags;
	ref = refcount_load(&o->ref_count);
	VM_OBJECT_RUNLOCK(o);
	if (type == OBJT_DEAD && ref != 0)
		list_load_bad(ll, o, "dead with references");
	else if (type != OBJT_DEAD && (flags & OBJ_DEAD) == 0 && ref == 0)
		list_load_bad(ll, o, "alive without a reference");
	__atomic_add_fetch(&ll->checked, 1, __ATOMIC_RELAXED);
}

static void *
list_reader_thread(void *arg)
{
	struct list_load *ll = arg;
	unsigned long n, last;
	vm_object_t o;

	rcu_thread_online();
	last = 0;
	while (!__atomic_load_n(&ll->stop, __ATOMIC_ACQUIRE)) {
		n = 0;
		rcu_read_lock();
		cds_list_for_each_entry_rcu(o, &vm_object_list, object_list) {
			n++;
			list_check_object(ll, o);
		}
		rcu_read_unlock();
		if (n < last)
			__atomic_add_fetch(&ll->shrinks, 1, __ATOMIC_RELAXED);
		last = n;
		__atomic_add_fetch(&ll->walks, 1, __ATOMIC_RELAXED);
	}
	return (NULL);
}

static void *
list_writer_thread(void *arg)
{
	vm_object_t o[4];
	int i, j;

	(void)arg;
	rcu_thread_online();
	for (i = 0; i < 2000; i++) {
		for (j = 0; j < 4; j++)
			o[j] = vm_object_allocate(j % 2 == 0 ? OBJT_DEFAULT :
			    OBJT_PHYS, 4);
		VM_OBJECT_WLOCK(o[0]);
		(void)vm_page_alloc(o[0], 1, VM_ALLOC_NOBUSY);
		VM_OBJECT_WUNLOCK(o[0]);
		for (j = 0; j < 4; j++)
			vm_object_deallocate(o[j]);
	}
	return (NULL);
}

START_TEST(test_list_walk_under_load)
{
	struct list_load ll;
	pthread_t r[2], w[2];
	int i;

	memset(&ll, 0, sizeof(ll));
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&r[i], NULL,
		    list_reader_thread, &ll), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&w[i], NULL,
		    list_writer_thread, NULL), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(w[i], NULL), 0);
	__atomic_store_n(&ll.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(r[i], NULL), 0);
	ck_assert_uint_gt(ll.walks, 0);
	ck_assert_uint_gt(ll.checked, 0);
	ck_assert_uint_eq(ll.shrinks, 0);
	ck_assert_msg(ll.bad == 0, "%lu bad objects seen, first: %s", ll.bad,
	    ll.why);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	/* Far fewer zone items than the 16000 objects created. */
	ck_assert_uint_lt(vm_object_zone_count(), 16000);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
}
END_TEST

/*
 * Reference 4.5, listing against free.  T_list (the walk of a listing)
 * has read-locked O inside its read-side section and parks there; T1
 * runs the final deallocate of O, which cannot finish terminate before
 * the read lock goes.  T_list then goes on from O: O is dead but its
 * memory is intact and still linked; later walks skip it; once the
 * grace period ends a new allocation reuses it with its new type.
 */
struct lister {
	vm_object_t	target;
	unsigned long	before, after;
	int		saw_target_dead;
};

static void *
lister_thread(void *arg)
{
	struct lister *l = arg;
	vm_object_t o;
	bool past;

	rcu_thread_online();
	past = false;
	rcu_read_lock();
	cds_list_for_each_entry_rcu(o, &vm_object_list, object_list) {
		if (past)
			l->after++;
		else
			l->before++;
		if (o != l->target)
			continue;
		if (__atomic_load_n(&o->type, __ATOMIC_ACQUIRE) == OBJT_DEAD)
			continue;
		VM_OBJECT_RLOCK(o);
		TEST_HOOK("test_list_rlocked");
		VM_OBJECT_RUNLOCK(o);
		TEST_HOOK("test_list_unlocked");
		l->saw_target_dead = o->type == OBJT_DEAD;
		past = true;
	}
	rcu_read_unlock();
	return (NULL);
}

static void *
dealloc_thread(void *arg)
{

	rcu_thread_online();
	vm_object_deallocate(arg);
	return (NULL);
}

START_TEST(test_list_against_free)
{
	struct lister l;
	vm_object_t o, other[3], reuse;
	unsigned long len;
	pthread_t tl, t1;
	int i;

	for (i = 0; i < 3; i++)
		other[i] = vm_object_allocate(OBJT_DEFAULT, 1);
	o = vm_object_allocate(OBJT_DEVICE, 4);
	(void)insert_fake(o, 0);
	memset(&l, 0, sizeof(l));
	l.target = o;
	len = global_list_length();

	test_hook_arm("test_list_rlocked");
	test_hook_arm("test_list_unlocked");
	test_hook_arm("vm_object_deallocate");
	ck_assert_int_eq(pthread_create(&tl, NULL, lister_thread, &l), 0);
	ck_assert(test_hook_wait_parked("test_list_rlocked", 5000));
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked("vm_object_deallocate", 5000));
	test_hook_arm(TEST_HOOK_LOCK_WAIT_PREFIX "vm object");
	test_hook_release("vm_object_deallocate");
	/* T1 now waits for the write lock behind T_list's read lock. */
	ck_assert(test_hook_wait_parked(TEST_HOOK_LOCK_WAIT_PREFIX "vm object",
	    5000));
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert((o->flags & OBJ_DEAD) == 0);
	test_hook_release(TEST_HOOK_LOCK_WAIT_PREFIX "vm object");
	test_hook_release("test_list_rlocked");
	ck_assert(test_hook_wait_parked("test_list_unlocked", 5000));
	/* T1 can finish now; T_list is still inside its read section. */
	ck_assert_int_eq(pthread_join(t1, NULL), 0);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_int_eq(tdev_freed, 1);
	/* Still linked: the walk goes on from O. */
	ck_assert(on_global_list(o));
	test_hook_release("test_list_unlocked");
	ck_assert_int_eq(pthread_join(tl, NULL), 0);
	ck_assert_int_eq(l.saw_target_dead, 1);
	ck_assert_uint_eq(l.before + l.after, len);
	ck_assert_uint_eq(global_list_length(), len);
	/* After the grace period O's memory comes back with a new type. */
	rcu_barrier();
	reuse = vm_object_allocate(OBJT_SWAP, 2);
	ck_assert_ptr_eq(reuse, o);
	ck_assert_int_eq(reuse->type, OBJT_SWAP);
	ck_assert_uint_eq(global_list_length(), len);
	vm_object_deallocate(reuse);
	for (i = 0; i < 3; i++)
		vm_object_deallocate(other[i]);
}
END_TEST

/*
 * The id index: every allocated object is in it until destroyed; a
 * lookup finds exactly the object of the id, with a reference.
 */
START_TEST(test_id_index_insert_lookup_remove)
{
	vm_object_t o[3], found;
	unsigned long base;
	uint64_t id[3];
	int i;

	base = vm_object_id_index_count();
	for (i = 0; i < 3; i++) {
		o[i] = vm_object_allocate(i == 1 ? OBJT_PHYS : OBJT_DEFAULT,
		    1);
		id[i] = o[i]->id;
	}
	ck_assert_uint_eq(vm_object_id_index_count(), base + 3);
	for (i = 0; i < 3; i++) {
		found = vm_object_lookup_id(id[i]);
		ck_assert_ptr_eq(found, o[i]);
		ck_assert_uint_eq(refcount_load(&o[i]->ref_count), 2);
		vm_object_deallocate(found);
	}
	ck_assert_ptr_null(vm_object_lookup_id(0));
	ck_assert_ptr_null(vm_object_lookup_id(id[2] + 1));
	ck_assert_ptr_null(vm_object_lookup_id(UINT64_MAX));

	/* Destroyed: out of the index at once, not after a grace period. */
	vm_object_deallocate(o[1]);
	ck_assert_uint_eq(vm_object_id_index_count(), base + 2);
	ck_assert_ptr_null(vm_object_lookup_id(id[1]));
	found = vm_object_lookup_id(id[2]);
	ck_assert_ptr_eq(found, o[2]);
	vm_object_deallocate(found);

	/* The item comes back with a new id; the old one stays unknown. */
	rcu_barrier();
	o[1] = vm_object_allocate(OBJT_PHYS, 1);
	ck_assert_uint_gt(o[1]->id, id[2]);
	ck_assert_ptr_null(vm_object_lookup_id(id[1]));
	ck_assert_ptr_eq(vm_object_lookup_id(o[1]->id), o[1]);
	vm_object_deallocate(o[1]);
	for (i = 0; i < 3; i++)
		vm_object_deallocate(o[i]);
	ck_assert_uint_eq(vm_object_id_index_count(), base);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
}
END_TEST

/* Enough objects that every bucket of the index holds several. */
START_TEST(test_id_index_many)
{
	enum { N = 40000 };
	vm_object_t *o, found;
	unsigned long base;
	int i;

	o = calloc(N, sizeof(*o));
	ck_assert_ptr_nonnull(o);
	base = vm_object_id_index_count();
	for (i = 0; i < N; i++)
		o[i] = vm_object_allocate(OBJT_DEFAULT, 1);
	ck_assert_uint_eq(vm_object_id_index_count(), base + N);
	/* Every other one goes; the rest are all found, by their own id. */
	for (i = 0; i < N; i += 2)
		vm_object_deallocate(o[i]);
	for (i = 0; i < N; i++) {
		found = vm_object_lookup_id(o[i]->id);
		if (i % 2 == 0) {
			ck_assert_ptr_null(found);
			continue;
		}
		ck_assert_ptr_eq(found, o[i]);
		vm_object_deallocate(found);
	}
	for (i = 1; i < N; i += 2)
		vm_object_deallocate(o[i]);
	ck_assert_uint_eq(vm_object_id_index_count(), base);
	free(o);
}
END_TEST

struct id_dying {
	uint64_t	id;
	vm_object_t	found;
	vm_object_t	object;
};

static void *
id_lookup_thread(void *arg)
{
	struct id_dying *d = arg;

	d->found = vm_object_lookup_id(d->id);
	return (NULL);
}

static void *
id_deallocate_thread(void *arg)
{
	struct id_dying *d = arg;

	vm_object_deallocate(d->object);
	return (NULL);
}

/*
 * A lookup that found the object in the index while its last reference
 * goes: it parks between finding the node and taking a reference, the
 * object is terminated and destroyed meanwhile (its node leaves the
 * index; the memory waits for the parked reader's grace period).  The
 * lookup must return NULL and must not revive the object.
 */
START_TEST(test_id_index_lookup_while_destroyed)
{
	struct id_dying d;
	pthread_t td;
	unsigned long base;

	base = vm_object_id_index_count();
	d.object = vm_object_allocate(OBJT_DEFAULT, 1);
	d.id = d.object->id;
	d.found = NULL;
	test_hook_arm("vm_object_lookup_id_found");
	ck_assert_int_eq(pthread_create(&td, NULL, id_lookup_thread, &d), 0);
	ck_assert(test_hook_wait_parked("vm_object_lookup_id_found", 5000));
	vm_object_deallocate(d.object);
	ck_assert_uint_eq(vm_object_id_index_count(), base);
	/* Still the same memory: the reader is inside its section. */
	ck_assert_int_eq(d.object->type, OBJT_DEAD);
	test_hook_release("vm_object_lookup_id_found");
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_ptr_null(d.found);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	ck_assert_uint_eq(refcount_load(&d.object->ref_count), 0);
}
END_TEST

/*
 * A dying object -- last reference gone, OBJ_DEAD, terminate waiting for
 * paging in progress -- is still in the index (it leaves at destroy) but
 * no lookup returns it.
 */
START_TEST(test_id_index_lookup_dying)
{
	struct id_dying d;
	pthread_t td;
	unsigned long base;
	int i;

	base = vm_object_id_index_count();
	d.object = vm_object_allocate(OBJT_DEFAULT, 1);
	d.id = d.object->id;
	VM_OBJECT_WLOCK(d.object);
	vm_object_pip_add(d.object, 1);
	VM_OBJECT_WUNLOCK(d.object);
	ck_assert_int_eq(pthread_create(&td, NULL, id_deallocate_thread, &d),
	    0);
	for (i = 0; i < 5000 && sleepq_sleepers(d.object) == 0; i++)
		pause_ms("tstwt", 1);
	ck_assert_int_eq(sleepq_sleepers(d.object), 1);
	ck_assert_uint_ne(d.object->flags & OBJ_DEAD, 0);
	ck_assert_uint_eq(vm_object_id_index_count(), base + 1);
	ck_assert_ptr_null(vm_object_lookup_id(d.id));
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	VM_OBJECT_WLOCK(d.object);
	vm_object_pip_wakeup(d.object);
	VM_OBJECT_WUNLOCK(d.object);
	ck_assert_int_eq(pthread_join(td, NULL), 0);
	ck_assert_uint_eq(vm_object_id_index_count(), base);
	ck_assert_ptr_null(vm_object_lookup_id(d.id));
}
END_TEST

/*
 * Real threads: two writers allocate and destroy objects and publish the
 * newest id; two readers look up ids near it.  Every object a reader gets
 * is live, referenced and has the id asked for; nothing is revived; the
 * index ends as it began.
 */
#define	ID_LOAD_WRITERS	2
#define	ID_LOAD_ROUNDS	3000

struct id_load {
	uint64_t	 newest;	/* (a) */
	int		 stop;		/* (a) */
	unsigned long	 found, bad;	/* (a) */
};

static void *
id_load_writer(void *arg)
{
	struct id_load *il = arg;
	vm_object_t o[3];
	int i, j;

	rcu_thread_online();
	for (i = 0; i < ID_LOAD_ROUNDS; i++) {
		for (j = 0; j < 3; j++) {
			o[j] = vm_object_allocate(j == 2 ? OBJT_PHYS :
			    OBJT_DEFAULT, 1);
			__atomic_store_n(&il->newest, o[j]->id,
			    __ATOMIC_RELEASE);
		}
		for (j = 0; j < 3; j++)
			vm_object_deallocate(o[j]);
	}
	return (NULL);
}

static void *
id_load_reader(void *arg)
{
	struct id_load *il = arg;
	vm_object_t object;
	uint64_t newest, id;

	rcu_thread_online();
	while (!__atomic_load_n(&il->stop, __ATOMIC_ACQUIRE)) {
		newest = __atomic_load_n(&il->newest, __ATOMIC_ACQUIRE);
		for (id = newest > 8 ? newest - 8 : 1; id <= newest + 1; id++) {
			object = vm_object_lookup_id(id);
			if (object == NULL)
				continue;
			if (object->id != id || object->type == OBJT_DEAD ||
			    (object->flags & OBJ_DEAD) != 0 ||
			    refcount_load(&object->ref_count) == 0)
				__atomic_add_fetch(&il->bad, 1,
				    __ATOMIC_RELAXED);
			__atomic_add_fetch(&il->found, 1, __ATOMIC_RELAXED);
			vm_object_deallocate(object);
		}
	}
	return (NULL);
}

START_TEST(test_id_index_concurrent)
{
	struct id_load il;
	pthread_t r[2], w[ID_LOAD_WRITERS];
	unsigned long base;
	int i;

	memset(&il, 0, sizeof(il));
	base = vm_object_id_index_count();
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&r[i], NULL, id_load_reader,
		    &il), 0);
	for (i = 0; i < ID_LOAD_WRITERS; i++)
		ck_assert_int_eq(pthread_create(&w[i], NULL, id_load_writer,
		    &il), 0);
	for (i = 0; i < ID_LOAD_WRITERS; i++)
		ck_assert_int_eq(pthread_join(w[i], NULL), 0);
	__atomic_store_n(&il.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(r[i], NULL), 0);
	ck_assert_uint_eq(il.bad, 0);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	ck_assert_uint_eq(vm_object_id_index_count(), base);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

Suite *
vm_object_suite(void)
{
	Suite *s;
	TCase *tc, *tt, *ti;

	s = suite_create("vm_object");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_allocate_flags_per_type);
	tcase_add_test_raise_signal(tc, test_allocate_dead_panics, SIGABRT);
	tcase_add_test(tc, test_reference_deallocate);
	tcase_add_test(tc, test_zone_reuse_after_grace_period);
	tcase_add_test(tc, test_zone_no_reuse_inside_read_section);
	tcase_add_test(tc, test_terminate_frees_and_detaches);
	tcase_add_test(tc, test_inspection_reads);
	tcase_add_test(tc, test_terminate_removes_mappings);
	tcase_add_test(tc, test_page_remove_range);
	tcase_add_test(tc, test_page_remove_cleanonly);
	tcase_add_test(tc, test_page_remove_unmaps_managed);
	tcase_add_test(tc, test_page_remove_notmapped_fake);
	tcase_add_test(tc, test_set_memattr_rules);
	tcase_add_test_raise_signal(tc, test_set_memattr_bad_type_panics,
	    SIGABRT);
	tcase_add_test(tc, test_set_path_and_flags);
	tcase_add_test(tc, test_lookup_id);
	tcase_add_test(tc, test_id_index_insert_lookup_remove);
	tcase_add_test(tc, test_id_index_many);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "core", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_deallocate_too_many_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_reference_dead_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_terminate_charge_only_anonymous);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_terminate_pager_must_kill);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_zone_dtor_checks);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_page_remove_unmanaged_needs_notmapped);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_page_remove_needs_wlock);

	tt = tcase_create("threads");
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tt, test_pip_wait_wakeup);
	tcase_add_test(tt, test_pip_wait_race);
	tcase_add_test(tt, test_page_remove_waits_busy);
	tcase_add_test(tt, test_list_walk_under_load);
	tcase_add_test(tt, test_list_against_free);
	tcase_add_test(tt, test_id_index_lookup_while_destroyed);
	tcase_add_test(tt, test_id_index_lookup_dying);
	tcase_add_test(tt, test_id_index_concurrent);
	suite_add_tcase(s, tt);
	return (s);
}
