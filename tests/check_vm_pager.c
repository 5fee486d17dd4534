/*
 * vm_pager: the pager table and the dead pager, vm_pager_allocate with
 * swap charges, vm_pager_get_pages (m[reqpage] replacement, zero-invalid
 * rule), the default/swap and phys pagers, and the handle lookups --
 * including reference 4.4 (a lookup racing the last deallocate) in both
 * orders and with the broken pre-fix lookup.
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
#include "kern/mutex.h"
#include "kern/refcount.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/swap_reserve.h"

#define	TEST_PHYSMEM	(4UL << 20)

static const struct ucred cred_a = { .cr_uid = 1001, .cr_gid = 1001 };

static void
setup(void)
{

	ck_assert_int_eq(vm_init(TEST_PHYSMEM), 0);
}

static void
teardown(void)
{

	vm_pager_set_test_ops(OBJT_DEFAULT, NULL);
	vm_pager_set_test_ops(OBJT_DEVICE, NULL);
	vm_pager_set_broken_lookup(false);
	fail_point_reset_all();
	test_hook_reset();
	vm_fini();
}

static bool
all_bytes(const unsigned char *p, size_t len, unsigned char v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return (false);
	return (true);
}

START_TEST(test_pagertab)
{
	ck_assert_ptr_eq(pagertab[OBJT_DEFAULT], &defaultpagerops);
	ck_assert_ptr_eq(pagertab[OBJT_SWAP], &swappagerops);
	ck_assert_ptr_eq(pagertab[OBJT_PHYS], &physpagerops);
	ck_assert_ptr_eq(pagertab[OBJT_DEAD], &deadpagerops);
	ck_assert_ptr_null(pagertab[OBJT_VNODE]);
	ck_assert_str_eq(defaultpagerops.pgo_name, "df");
	ck_assert_str_eq(swappagerops.pgo_name, "sw");
	ck_assert_str_eq(physpagerops.pgo_name, "ph");
	ck_assert_ptr_null(vm_pager_allocate(OBJT_VNODE, NULL, PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL));
	ck_assert_ptr_null(vm_pager_allocate(OBJT_NTYPES, NULL, PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL));
}
END_TEST

START_TEST(test_dead_pager)
{
	vm_object_t object;
	vm_page_t m;
	int rtvals[2], before, after;

	ck_assert_ptr_null(vm_pager_allocate(OBJT_DEAD, NULL, PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL));
	/* A dead object keeps working with the dead pager. */
	object = vm_object_allocate(OBJT_DEFAULT, 4);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	object->type = OBJT_DEAD;
	ck_assert_int_eq(vm_pager_get_pages(object, &m, 1, 0),
	    VM_PAGER_FAIL);
	rtvals[0] = rtvals[1] = -1;
	deadpagerops.pgo_putpages(object, &m, 2, 0, rtvals);
	ck_assert_int_eq(rtvals[0], VM_PAGER_AGAIN);
	ck_assert_int_eq(rtvals[1], VM_PAGER_AGAIN);
	before = after = -1;
	ck_assert(!vm_pager_has_page(object, 0, &before, &after));
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(after, 0);
	object->type = OBJT_DEFAULT;
	vm_page_xunbusy(m);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_allocate_charges_cred)
{
	vm_object_t object;
	struct swap_uid_info si;

	object = vm_pager_allocate(OBJT_DEFAULT, NULL, 3 * PAGE_SIZE + 1,
	    VM_PROT_ALL, 0, &cred_a);
	ck_assert_ptr_nonnull(object);
	ck_assert_int_eq(object->type, OBJT_DEFAULT);
	ck_assert_uint_eq(object->size, 4);
	ck_assert(object->has_cred);
	ck_assert_uint_eq(object->cred.cr_uid, cred_a.cr_uid);
	ck_assert_uint_eq(object->charge, 4 * PAGE_SIZE);
	ck_assert(swap_uid_get(cred_a.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 4 * PAGE_SIZE);
	vm_object_deallocate(object);
	ck_assert(swap_uid_get(cred_a.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 0);
	ck_assert_uint_eq(swap_reserved(), 0);

	/* The daemon's own anonymous memory is not charged. */
	object = vm_pager_allocate(OBJT_SWAP, NULL, PAGE_SIZE, VM_PROT_ALL,
	    0, NULL);
	ck_assert_ptr_nonnull(object);
	ck_assert_int_eq(object->type, OBJT_SWAP);
	ck_assert(!object->has_cred);
	ck_assert_uint_eq(swap_reserved(), 0);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_allocate_beyond_limit)
{
	vm_object_t o1, o2;
	struct swap_uid_info si;
	unsigned long live;

	swap_set_limit(cred_a.cr_uid, 8 * PAGE_SIZE);
	o1 = vm_pager_allocate(OBJT_SWAP, NULL, 6 * PAGE_SIZE, VM_PROT_ALL, 0,
	    &cred_a);
	ck_assert_ptr_nonnull(o1);
	live = vm_object_live_count();
	o2 = vm_pager_allocate(OBJT_SWAP, NULL, 3 * PAGE_SIZE, VM_PROT_ALL, 0,
	    &cred_a);
	ck_assert_ptr_null(o2);
	ck_assert_uint_eq(vm_object_live_count(), live);
	ck_assert(swap_uid_get(cred_a.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 6 * PAGE_SIZE);
	ck_assert_uint_eq(si.su_failures, 1);
	o2 = vm_pager_allocate(OBJT_DEFAULT, NULL, 2 * PAGE_SIZE, VM_PROT_ALL,
	    0, &cred_a);
	ck_assert_ptr_nonnull(o2);
	vm_object_deallocate(o1);
	vm_object_deallocate(o2);
	ck_assert(swap_uid_get(cred_a.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 0);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_anonymous_handle_asserts)
{

	panic_expect("anonymous pager: handle specified");
	(void)vm_pager_allocate(OBJT_DEFAULT, (void *)&cred_a, PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL);
}
END_TEST
#else
START_TEST(test_anonymous_handle_refused)
{

	ck_assert_ptr_null(vm_pager_allocate(OBJT_DEFAULT, (void *)&cred_a,
	    PAGE_SIZE, VM_PROT_ALL, 0, NULL));
}
END_TEST
#endif

/* Default pager: zero-fill on first touch, other pages freed. */
START_TEST(test_default_getpages)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t ma[3], keep;
	int before, after, rtvals[1];

	object = vm_pager_allocate(OBJT_DEFAULT, NULL, 8 * PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL);
	VM_OBJECT_WLOCK(object);
	ma[0] = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	ma[1] = vm_page_alloc(object, 1, VM_ALLOC_NORMAL);
	ma[2] = vm_page_alloc(object, 2, VM_ALLOC_NORMAL);
	memset(page_host(ma[1]), 0x77, PAGE_SIZE);
	keep = ma[1];
	nfree = vm_phys_free_count();
	ck_assert_int_eq(vm_pager_get_pages(object, ma, 3, 1), VM_PAGER_OK);
	ck_assert_ptr_eq(ma[1], keep);
	ck_assert_int_eq(keep->valid, VM_PAGE_BITS_ALL);
	ck_assert(all_bytes(page_host(keep), PAGE_SIZE, 0));
	ck_assert_uint_eq(vm_phys_free_count(), nfree + 2);
	ck_assert_uint_eq(object->resident_page_count, 1);
	ck_assert(vm_pager_has_page(object, 1, &before, &after));
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(after, 0);
	ck_assert(!vm_pager_has_page(object, 0, NULL, NULL));
	rtvals[0] = -1;
	vm_pager_put_pages(object, &keep, 1, VM_PAGER_PUT_SYNC, rtvals);
	ck_assert_int_eq(rtvals[0], VM_PAGER_OK);
	vm_page_xunbusy(keep);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

/*
 * A test pager that puts its own page in place of the placeholder, as
 * the device and sg pagers do, and frees the placeholder.
 */
static vm_page_t replaced_placeholder;
static vm_page_t replacement;
static vm_page_bits_t replacement_valid;

static int
replace_getpages(vm_object_t object, vm_page_t *ma, int count, int reqpage)
{
	vm_page_t m, old;

	VM_OBJECT_ASSERT_WLOCKED(object);
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	memset(page_host(m), 0x5a, PAGE_SIZE);
	m->valid = replacement_valid;
	vm_page_xbusy(m);
	old = vm_page_replace(m, object, ma[reqpage]->pindex);
	ck_assert_ptr_eq(old, ma[reqpage]);
	replaced_placeholder = old;
	replacement = m;
	vm_page_lock(old);
	vm_page_free(old);
	vm_page_unlock(old);
	ma[reqpage] = m;
	return (VM_PAGER_OK);
}

static void
replace_dealloc(vm_object_t object)
{

	object->type = OBJT_DEAD;
}

static const struct pagerops replace_ops = {
	.pgo_name = "tr",
	.pgo_dealloc = replace_dealloc,
	.pgo_getpages = replace_getpages,
};

START_TEST(test_get_pages_replaces_reqpage)
{
	vm_object_t object;
	unsigned long nfree;
	vm_page_t ma[1], placeholder;

	vm_pager_set_test_ops(OBJT_DEFAULT, &replace_ops);
	replacement_valid = VM_PAGE_BITS_ALL;
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(object);
	placeholder = vm_page_alloc(object, 5, VM_ALLOC_NORMAL);
	ma[0] = placeholder;
	nfree = vm_phys_free_count();
	ck_assert_int_eq(vm_pager_get_pages(object, ma, 1, 0), VM_PAGER_OK);
	ck_assert_ptr_eq(ma[0], replacement);
	ck_assert_ptr_ne(ma[0], placeholder);
	ck_assert_ptr_eq(replaced_placeholder, placeholder);
	ck_assert_ptr_eq(vm_page_lookup(object, 5), ma[0]);
	ck_assert_uint_eq(object->resident_page_count, 1);
	/* The placeholder was freed once: back on the free list. */
	ck_assert_ptr_null(placeholder->object);
	ck_assert_uint_ne(placeholder->flags & PG_FREE, 0);
	ck_assert_uint_eq(vm_phys_free_count(), nfree);
	ck_assert(all_bytes(page_host(ma[0]), PAGE_SIZE, 0x5a));
	vm_page_xunbusy(ma[0]);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

/* A partially valid result has its invalid chunks zeroed. */
START_TEST(test_get_pages_zero_invalid)
{
	vm_object_t object;
	unsigned char *p;
	vm_page_t ma[1];

	vm_pager_set_test_ops(OBJT_DEFAULT, &replace_ops);
	replacement_valid = 0x0f;
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(object);
	ma[0] = vm_page_alloc(object, 1, VM_ALLOC_NORMAL);
	ck_assert_int_eq(vm_pager_get_pages(object, ma, 1, 0), VM_PAGER_OK);
	ck_assert_int_eq(ma[0]->valid, VM_PAGE_BITS_ALL);
	p = page_host(ma[0]);
	ck_assert(all_bytes(p, PAGE_SIZE / 2, 0x5a));
	ck_assert(all_bytes(p + PAGE_SIZE / 2, PAGE_SIZE / 2, 0));
	vm_page_xunbusy(ma[0]);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

#ifdef INVARIANTS
/* A device pager returning a partially valid fake page is a bug. */
static int
partial_fake_getpages(vm_object_t object, vm_page_t *ma, int count,
    int reqpage)
{

	ma[reqpage]->valid = 0x01;
	return (VM_PAGER_OK);
}

static const struct pagerops partial_fake_ops = {
	.pgo_name = "tf",
	.pgo_getpages = partial_fake_getpages,
};

START_TEST(test_get_pages_fictitious_partial_asserts)
{
	vm_object_t object;
	vm_page_t m;

	panic_expect("vm_pager_get_pages: fictitious page * returned with "
	    "valid 0x1");
	vm_pager_set_test_ops(OBJT_DEVICE, &partial_fake_ops);
	object = vm_object_allocate(OBJT_DEVICE, 8);
	m = vm_page_getfake(VM_PHYS_WINDOW_BASE, VM_MEMATTR_DEFAULT);
	VM_OBJECT_WLOCK(object);
	ck_assert_int_eq(vm_page_insert(m, object, 0), 0);
	(void)vm_pager_get_pages(object, &m, 1, 0);
}
END_TEST

START_TEST(test_get_pages_needs_wlock)
{
	vm_object_t object;
	vm_page_t m;

	panic_expect("lock vm object not exclusively locked at "
	    "*src/vm/vm_pager.c:");
	object = vm_object_allocate(OBJT_DEFAULT, 8);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	VM_OBJECT_WUNLOCK(object);
	(void)vm_pager_get_pages(object, &m, 1, 0);
}
END_TEST
#endif

START_TEST(test_phys_named_lookup)
{
	vm_object_t o1, o2, o3, o4;
	static int handle1, handle2;

	o1 = vm_pager_allocate(OBJT_PHYS, &handle1, 2 * PAGE_SIZE,
	    VM_PROT_ALL, 0, &cred_a);
	ck_assert_ptr_nonnull(o1);
	ck_assert_int_eq(o1->type, OBJT_PHYS);
	ck_assert_uint_eq(o1->flags, OBJ_UNMANAGED);
	ck_assert_ptr_eq(o1->handle, &handle1);
	ck_assert(!o1->has_cred);
	ck_assert_uint_eq(o1->size, 2);
	o2 = vm_pager_allocate(OBJT_PHYS, &handle1, 5 * PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL);
	ck_assert_ptr_eq(o2, o1);
	ck_assert_uint_eq(refcount_load(&o1->ref_count), 2);
	ck_assert_uint_eq(o1->size, 5);
	o3 = vm_pager_allocate(OBJT_PHYS, &handle2, PAGE_SIZE, VM_PROT_ALL,
	    0, NULL);
	ck_assert_ptr_ne(o3, o1);
	o4 = vm_pager_allocate(OBJT_PHYS, NULL, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	ck_assert_ptr_nonnull(o4);
	ck_assert_ptr_null(o4->handle);
	ck_assert_ptr_null(vm_pager_allocate(OBJT_PHYS, &handle2, PAGE_SIZE,
	    VM_PROT_ALL, 100, NULL));
	vm_object_deallocate(o2);
	vm_object_deallocate(o1);
	ck_assert_int_eq(o1->type, OBJT_DEAD);
	/* Gone from the list: a new object for the same handle. */
	o2 = vm_pager_allocate(OBJT_PHYS, &handle1, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	ck_assert_ptr_nonnull(o2);
	ck_assert_uint_eq(refcount_load(&o2->ref_count), 1);
	vm_object_deallocate(o2);
	vm_object_deallocate(o3);
	vm_object_deallocate(o4);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

START_TEST(test_phys_getpages_haspage)
{
	vm_object_t object;
	vm_page_t ma[2];
	int before, after;

	object = vm_pager_allocate(OBJT_PHYS, NULL, 2000 * PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL);
	VM_OBJECT_WLOCK(object);
	ma[0] = vm_page_alloc(object, 3, VM_ALLOC_NORMAL);
	ma[1] = vm_page_alloc(object, 4, VM_ALLOC_NORMAL);
	ck_assert_uint_ne(ma[0]->oflags & VPO_UNMANAGED, 0);
	memset(page_host(ma[0]), 0xee, PAGE_SIZE);
	ck_assert_int_eq(vm_pager_get_pages(object, ma, 2, 0), VM_PAGER_OK);
	ck_assert_int_eq(ma[0]->valid, VM_PAGE_BITS_ALL);
	ck_assert(all_bytes(page_host(ma[0]), PAGE_SIZE, 0));
	ck_assert(vm_page_xbusied(ma[0]));
	ck_assert(!vm_page_busied(ma[1]));
	ck_assert_int_eq(ma[1]->valid, VM_PAGE_BITS_ALL);
	vm_page_xunbusy(ma[0]);
	ck_assert(vm_pager_has_page(object, 1030, &before, &after));
	ck_assert_int_eq(before, 6);
	ck_assert_int_eq(after, 1999 - 1030);
	/* Clipped to the object's end. */
	ck_assert(vm_pager_has_page(object, 1990, &before, &after));
	ck_assert_int_eq(before, 1990 - 1024);
	ck_assert_int_eq(after, 9);
	VM_OBJECT_WUNLOCK(object);
	vm_object_deallocate(object);
}
END_TEST

START_TEST(test_phys_putpages_panics)
{
	vm_object_t object;
	vm_page_t m;
	int rtval;

	panic_expect("phys_pager_putpage called");
	object = vm_pager_allocate(OBJT_PHYS, NULL, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	VM_OBJECT_WLOCK(object);
	m = vm_page_alloc(object, 0, VM_ALLOC_NORMAL);
	vm_pager_put_pages(object, &m, 1, 0, &rtval);
}
END_TEST

/* The locked lookup on a list of our own: skips OBJ_DEAD objects. */
START_TEST(test_object_lookup_skips_dead)
{
	struct cds_list_head list = CDS_LIST_HEAD_INIT(list);
	vm_object_t o1, o2;
	static int handle, other;

	o1 = vm_object_allocate(OBJT_DEFAULT, 1);
	o2 = vm_object_allocate(OBJT_DEFAULT, 1);
	o1->handle = o2->handle = &handle;
	cds_list_add_tail(&o1->pager_object_list, &list);
	cds_list_add_tail(&o2->pager_object_list, &list);
	ck_assert_ptr_null(vm_pager_object_lookup(&list, &other));
	ck_assert_ptr_eq(vm_pager_object_lookup(&list, &handle), o1);
	ck_assert_uint_eq(refcount_load(&o1->ref_count), 2);
	vm_object_deallocate(o1);
	VM_OBJECT_WLOCK(o1);
	vm_object_set_flag(o1, OBJ_DEAD);
	VM_OBJECT_WUNLOCK(o1);
	ck_assert_ptr_eq(vm_pager_object_lookup(&list, &handle), o2);
	ck_assert_uint_eq(refcount_load(&o1->ref_count), 1);
	ck_assert_uint_eq(refcount_load(&o2->ref_count), 2);
	vm_object_deallocate(o2);
	VM_OBJECT_WLOCK(o1);
	vm_object_clear_flag(o1, OBJ_DEAD);
	VM_OBJECT_WUNLOCK(o1);
	cds_list_del(&o1->pager_object_list);
	cds_list_del(&o2->pager_object_list);
	vm_object_deallocate(o1);
	vm_object_deallocate(o2);
}
END_TEST

START_TEST(test_object_lookup_rcu_basic)
{
	struct cds_list_head list = CDS_LIST_HEAD_INIT(list);
	vm_object_t o1;
	static int handle, other;

	o1 = vm_object_allocate(OBJT_DEFAULT, 1);
	o1->handle = &handle;
	cds_list_add_tail_rcu(&o1->pager_object_list, &list);
	ck_assert_ptr_eq(vm_pager_object_lookup_rcu(&list, &handle), o1);
	ck_assert_uint_eq(refcount_load(&o1->ref_count), 2);
	ck_assert_ptr_null(vm_pager_object_lookup_rcu(&list, &other));
	vm_object_deallocate(o1);
	/* Count 0 (dying, still listed): never revived. */
	refcount_init(&o1->ref_count, 0);
	ck_assert_ptr_null(vm_pager_object_lookup_rcu(&list, &handle));
	ck_assert_uint_eq(refcount_load(&o1->ref_count), 0);
	refcount_init(&o1->ref_count, 1);
	cds_list_del_rcu(&o1->pager_object_list);
	vm_object_deallocate(o1);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
}
END_TEST

/*
 * The RCU lookup against writers that add, unlink and free objects of
 * the same handle: every result has the handle, is live and referenced.
 */
struct rcu_lookup_load {
	struct cds_list_head list;
	struct mtx	mtx;
	int		handle;
	int		stop;
	unsigned long	found;
	unsigned long	bad;
};

static void *
rcu_lookup_reader(void *arg)
{
	struct rcu_lookup_load *ld = arg;
	vm_object_t o;

	rcu_thread_online();
	while (!__atomic_load_n(&ld->stop, __ATOMIC_ACQUIRE)) {
		o = vm_pager_object_lookup_rcu(&ld->list, &ld->handle);
		if (o == NULL)
			continue;
		if (o->handle != &ld->handle || o->type != OBJT_DEFAULT ||
		    (o->flags & OBJ_DEAD) != 0 ||
		    refcount_load(&o->ref_count) < 1)
			__atomic_add_fetch(&ld->bad, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&ld->found, 1, __ATOMIC_RELAXED);
		vm_object_deallocate(o);
	}
	return (NULL);
}

START_TEST(test_object_lookup_rcu_under_load)
{
	struct rcu_lookup_load ld;
	vm_object_t o;
	pthread_t td[2];
	int i, j;

	memset(&ld, 0, sizeof(ld));
	CDS_INIT_LIST_HEAD(&ld.list);
	mtx_init(&ld.mtx, "test list", LOCK_RANK_PAGER_LIST, MTX_DEF);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&td[i], NULL,
		    rcu_lookup_reader, &ld), 0);
	for (i = 0; i < 5000; i++) {
		o = vm_object_allocate(OBJT_DEFAULT, 1);
		o->handle = (i % 3 == 0) ? (void *)&ld : &ld.handle;
		mtx_lock(&ld.mtx);
		cds_list_add_tail_rcu(&o->pager_object_list, &ld.list);
		mtx_unlock(&ld.mtx);
		for (j = 0; j < 10; j++)
			__asm__ __volatile__("" ::: "memory");
		mtx_lock(&ld.mtx);
		cds_list_del_rcu(&o->pager_object_list);
		mtx_unlock(&ld.mtx);
		vm_object_deallocate(o);
	}
	__atomic_store_n(&ld.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(td[i], NULL), 0);
	ck_assert_uint_eq(ld.bad, 0);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/*
 * Reference 4.4 through the phys pager (its list and phys_pager_mtx).
 */
struct phys_alloc_arg {
	void		*handle;
	vm_object_t	 result;
};

static void *
phys_alloc_thread(void *arg)
{
	struct phys_alloc_arg *pa = arg;

	rcu_thread_online();
	pa->result = vm_pager_allocate(OBJT_PHYS, pa->handle, PAGE_SIZE,
	    VM_PROT_ALL, 0, NULL);
	return (NULL);
}

static void *
dealloc_thread(void *arg)
{

	rcu_thread_online();
	vm_object_deallocate(arg);
	return (NULL);
}

/* T2 (the lookup) first: the reference goes 1 -> 2, no terminate. */
START_TEST(test_lookup_vs_dealloc_lookup_first)
{
	static int handle;
	vm_object_t o, o2;
	pthread_t t1;

	o = vm_pager_allocate(OBJT_PHYS, &handle, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	test_hook_arm("vm_object_deallocate");			/* H5 */
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked("vm_object_deallocate", 5000));
	o2 = vm_pager_allocate(OBJT_PHYS, &handle, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	ck_assert_ptr_eq(o2, o);
	ck_assert_uint_eq(refcount_load(&o->ref_count), 2);
	test_hook_release("vm_object_deallocate");
	ck_assert_int_eq(pthread_join(t1, NULL), 0);
	ck_assert_uint_eq(refcount_load(&o->ref_count), 1);
	ck_assert_int_eq(o->type, OBJT_PHYS);
	ck_assert_uint_eq(o->flags & OBJ_DEAD, 0);
	vm_object_deallocate(o2);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/*
 * T1 (the last deallocate) first.  T2's lookup matched O and waits at H4
 * holding phys_pager_mtx; T1 drops O to 0, marks it OBJ_DEAD and waits to
 * unlink it (it needs phys_pager_mtx).  T2 then locks O, sees OBJ_DEAD,
 * skips it and allocates O'.
 */
START_TEST(test_lookup_vs_dealloc_dealloc_first)
{
	static int handle;
	struct phys_alloc_arg pa;
	vm_object_t o, o3;
	pthread_t t1, t2;

	o = vm_pager_allocate(OBJT_PHYS, &handle, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	pa.handle = &handle;
	pa.result = NULL;
	test_hook_arm("vm_pager_object_lookup_match");		/* H4 */
	test_hook_arm("phys_pager_dealloc");
	ck_assert_int_eq(pthread_create(&t2, NULL, phys_alloc_thread, &pa),
	    0);
	ck_assert(test_hook_wait_parked("vm_pager_object_lookup_match",
	    5000));
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked("phys_pager_dealloc", 5000));
	/* O is doomed: count 0, OBJ_DEAD, still on the pager's list. */
	ck_assert_uint_eq(refcount_load(&o->ref_count), 0);
	ck_assert_uint_ne(o->flags & OBJ_DEAD, 0);
	ck_assert_int_eq(o->type, OBJT_PHYS);
	test_hook_release("vm_pager_object_lookup_match");
	ck_assert_int_eq(pthread_join(t2, NULL), 0);
	ck_assert_ptr_nonnull(pa.result);
	ck_assert_ptr_ne(pa.result, o);
	ck_assert_uint_eq(refcount_load(&pa.result->ref_count), 1);
	ck_assert_uint_eq(pa.result->flags & OBJ_DEAD, 0);
	ck_assert_uint_eq(refcount_load(&o->ref_count), 0);
	test_hook_release("phys_pager_dealloc");
	ck_assert_int_eq(pthread_join(t1, NULL), 0);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	/* The list now holds only O'. */
	o3 = vm_pager_allocate(OBJT_PHYS, &handle, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	ck_assert_ptr_eq(o3, pa.result);
	ck_assert_uint_eq(refcount_load(&o3->ref_count), 2);
	vm_object_deallocate(o3);
	vm_object_deallocate(pa.result);
	ck_assert_uint_eq(vm_object_revival_count(), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/*
 * The broken pre-fix lookup (test knob): the OBJ_DEAD test passes, T2
 * parks at H4' before referencing, T1 kills O, and T2's reference takes
 * O's count from 0 to 1.  Under INVARIANTS the reference KASSERT fires
 * (SIGABRT: the bug is caught); otherwise the revival counter and the
 * doomed result show the bug happening, uncaught.
 */
static vm_object_t
lookup_broken_variant_run(void)
{
	static int handle;
	struct phys_alloc_arg pa;
	vm_object_t o;
	pthread_t t1, t2;

	o = vm_pager_allocate(OBJT_PHYS, &handle, PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	vm_pager_set_broken_lookup(true);
	pa.handle = &handle;
	pa.result = NULL;
	test_hook_arm("vm_pager_object_lookup_broken");		/* H4' */
	test_hook_arm("phys_pager_dealloc");
	ck_assert_int_eq(pthread_create(&t2, NULL, phys_alloc_thread, &pa),
	    0);
	ck_assert(test_hook_wait_parked("vm_pager_object_lookup_broken",
	    5000));
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked("phys_pager_dealloc", 5000));
	ck_assert_uint_eq(refcount_load(&o->ref_count), 0);
	test_hook_release("vm_pager_object_lookup_broken");
	ck_assert_int_eq(pthread_join(t2, NULL), 0);
	/* Only reached without INVARIANTS. */
	ck_assert_uint_eq(vm_object_revival_count(), 1);
	ck_assert_ptr_eq(pa.result, o);
	ck_assert_uint_ne(o->flags & OBJ_DEAD, 0);
	test_hook_release("phys_pager_dealloc");
	ck_assert_int_eq(pthread_join(t1, NULL), 0);
	return (o);
}

#ifdef INVARIANTS
START_TEST(test_lookup_broken_variant_caught)
{

	panic_expect("vm_object_reference: object * revived from ref_count 0");
	(void)lookup_broken_variant_run();
	ck_abort_msg("the revival of a dead object went unnoticed");
}
END_TEST
#else
START_TEST(test_lookup_broken_variant_revives)
{
	vm_object_t o;

	o = lookup_broken_variant_run();
	/* T2 holds a "reference" to a dead object: the bug. */
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_uint_eq(refcount_load(&o->ref_count), 1);
}
END_TEST
#endif

Suite *
vm_pager_suite(void)
{
	Suite *s;
	TCase *tc, *tt, *ti;

	s = suite_create("vm_pager");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pagertab);
	tcase_add_test(tc, test_dead_pager);
	tcase_add_test(tc, test_allocate_charges_cred);
	tcase_add_test(tc, test_allocate_beyond_limit);
	tcase_add_test(tc, test_default_getpages);
	tcase_add_test(tc, test_get_pages_replaces_reqpage);
	tcase_add_test(tc, test_get_pages_zero_invalid);
	tcase_add_test(tc, test_phys_named_lookup);
	tcase_add_test(tc, test_phys_getpages_haspage);
	tcase_add_test_raise_signal(tc, test_phys_putpages_panics, SIGABRT);
	tcase_add_test(tc, test_object_lookup_skips_dead);
	tcase_add_test(tc, test_object_lookup_rcu_basic);
#ifndef INVARIANTS
	tcase_add_test(tc, test_anonymous_handle_refused);
#endif
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "core", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_anonymous_handle_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti,
	    test_get_pages_fictitious_partial_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_get_pages_needs_wlock);

	tt = tcase_create("threads");
	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tt, test_object_lookup_rcu_under_load);
	tcase_add_test(tt, test_lookup_vs_dealloc_lookup_first);
	tcase_add_test(tt, test_lookup_vs_dealloc_dealloc_first);
#ifndef INVARIANTS
	/* The bug happens; only an INVARIANTS build catches it. */
	tcase_add_test(tt, test_lookup_broken_variant_revives);
#endif
	suite_add_tcase(s, tt);

	ti = tcase_create_invariants(s, "threads", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_lookup_broken_variant_caught);
	return (s);
}
