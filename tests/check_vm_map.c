/*
 * vm_map (src/vm/vm_map.c) without a mount: entries inserted, looked up,
 * refused where they overlap and deleted whole, with the object
 * references they hold; an entry made lazily through a device (the
 * test driver odrv: offset o is physical dt_base + o); a range faulted
 * and held, and a store through the map; the per-open check asked with
 * the open file as the current one, and never for the kernel's
 * write-back (no file); a prefault range (vm_map_prefault_range) that
 * stops without an error at the first page the pager refuses, keeps
 * what it held before, counts no fault, stays in one object when asked,
 * and enters managed pages in the pmap so that pmap_remove_all revokes
 * them at their node offsets.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "check_devpager.h"
#include "check_dev_util.h"
#include "kern/conf.h"
#include "kern/fail.h"
#include "kern/proc.h"
#include "kern/refcount.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/device_pager.h"
#include "vm/pmap.h"

static struct vm_map map;

static vm_object_t
anon(vm_pindex_t npages)
{
	vm_object_t obj;

	obj = vm_pager_allocate(OBJT_DEFAULT, NULL, ptoa(npages), VM_PROT_ALL,
	    0, NULL);
	ck_assert_ptr_nonnull(obj);
	return (obj);
}

static void
setup(void)
{

	dt_setup();
	vm_map_init(&map, NULL, 0, NULL);
}

static void
teardown(void)
{

	vm_map_fini(&map);
	dt_teardown();
}

/* Look off up; 0 or errno, and the result (released here). */
static int
look(vm_ooffset_t off, vm_object_t *objp, vm_ooffset_t *objoffp,
    vm_ooffset_t *endp)
{
	vm_object_t obj;
	int error;

	obj = NULL;
	error = vm_map_lookup(&map, NULL, off, VM_PROT_READ, &kernel_cred,
	    &obj, objoffp, endp);
	if (error == 0) {
		*objp = obj;
		vm_object_deallocate(obj);
	}
	return (error);
}

START_TEST(test_insert_lookup)
{
	vm_object_t a, b, obj;
	vm_ooffset_t objoff, end;

	a = anon(4);
	b = anon(8);
	ck_assert_int_eq(vm_map_insert(&map, a, 0, 0, 4 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_map_insert(&map, b, 2 * PAGE_SIZE,
	    8 * PAGE_SIZE, 12 * PAGE_SIZE), 0);
	ck_assert_uint_eq(vm_map_count(&map), 2);

	ck_assert_int_eq(look(PAGE_SIZE + 12, &obj, &objoff, &end), 0);
	ck_assert_ptr_eq(obj, a);
	ck_assert_uint_eq(objoff, PAGE_SIZE + 12);
	ck_assert_uint_eq(end, 4 * PAGE_SIZE);
	ck_assert_int_eq(look(10 * PAGE_SIZE, &obj, &objoff, &end), 0);
	ck_assert_ptr_eq(obj, b);
	ck_assert_uint_eq(objoff, 4 * PAGE_SIZE);
	ck_assert_uint_eq(end, 12 * PAGE_SIZE);
	/* First and last byte of an entry; the gap and beyond: no device
	 * to make an entry from. */
	ck_assert_int_eq(look(8 * PAGE_SIZE, &obj, &objoff, &end), 0);
	ck_assert_ptr_eq(obj, b);
	ck_assert_int_eq(look(12 * PAGE_SIZE - 1, &obj, &objoff, &end), 0);
	ck_assert_ptr_eq(obj, b);
	ck_assert_int_eq(look(4 * PAGE_SIZE, &obj, &objoff, &end), ENXIO);
	ck_assert_int_eq(look(12 * PAGE_SIZE, &obj, &objoff, &end), ENXIO);
	/* The lookups took no reference for good. */
	ck_assert_uint_eq(refcount_load(&a->ref_count), 1);
	ck_assert_uint_eq(refcount_load(&b->ref_count), 1);
}
END_TEST

START_TEST(test_overlap)
{
	vm_object_t a, b, c;

	a = anon(4);
	b = anon(4);
	c = anon(4);
	ck_assert_int_eq(vm_map_insert(&map, a, 0, 4 * PAGE_SIZE,
	    8 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_map_insert(&map, b, 0, 12 * PAGE_SIZE,
	    16 * PAGE_SIZE), 0);
	/* Into, across the start of, across the end of, around an entry. */
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 5 * PAGE_SIZE,
	    6 * PAGE_SIZE), EEXIST);
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 2 * PAGE_SIZE,
	    5 * PAGE_SIZE), EEXIST);
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 7 * PAGE_SIZE,
	    9 * PAGE_SIZE), EEXIST);
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 3 * PAGE_SIZE,
	    17 * PAGE_SIZE), EEXIST);
	/* Empty or unaligned. */
	ck_assert_int_eq(vm_map_insert(&map, c, 0, PAGE_SIZE, PAGE_SIZE),
	    EINVAL);
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 100, PAGE_SIZE), EINVAL);
	ck_assert_int_eq(vm_map_insert(&map, c, 7, 0, PAGE_SIZE), EINVAL);
	ck_assert_uint_eq(vm_map_count(&map), 2);
	/* The refused object is still the caller's. */
	ck_assert_uint_eq(refcount_load(&c->ref_count), 1);
	/* Exactly the gap between two entries fits. */
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 8 * PAGE_SIZE,
	    12 * PAGE_SIZE), 0);
	ck_assert_uint_eq(vm_map_count(&map), 3);
}
END_TEST

START_TEST(test_delete)
{
	vm_object_t a, b, c, obj;
	vm_ooffset_t objoff, end;

	a = anon(4);
	b = anon(4);
	c = anon(4);
	vm_object_reference(a);
	vm_object_reference(b);
	vm_object_reference(c);
	ck_assert_int_eq(vm_map_insert(&map, a, 0, 0, 4 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_map_insert(&map, b, 0, 4 * PAGE_SIZE,
	    8 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_map_insert(&map, c, 0, 16 * PAGE_SIZE,
	    20 * PAGE_SIZE), 0);
	ck_assert_uint_eq(refcount_load(&b->ref_count), 2);

	/* A range inside b drops b whole, with its reference. */
	ck_assert_uint_eq(vm_map_delete(&map, 5 * PAGE_SIZE, 6 * PAGE_SIZE),
	    1);
	ck_assert_uint_eq(refcount_load(&b->ref_count), 1);
	ck_assert_int_eq(look(4 * PAGE_SIZE, &obj, &objoff, &end), ENXIO);
	ck_assert_int_eq(look(0, &obj, &objoff, &end), 0);
	ck_assert_ptr_eq(obj, a);
	/* A range over nothing drops nothing. */
	ck_assert_uint_eq(vm_map_delete(&map, 8 * PAGE_SIZE, 16 * PAGE_SIZE),
	    0);
	ck_assert_uint_eq(vm_map_count(&map), 2);
	/* End 0: to the end of the node. */
	ck_assert_uint_eq(vm_map_delete(&map, 3 * PAGE_SIZE, 0), 2);
	ck_assert_uint_eq(vm_map_count(&map), 0);
	ck_assert_uint_eq(refcount_load(&a->ref_count), 1);
	ck_assert_uint_eq(refcount_load(&c->ref_count), 1);
	vm_object_deallocate(a);
	vm_object_deallocate(b);
	vm_object_deallocate(c);
}
END_TEST

static struct cdev *
sized_dev(const char *name, vm_ooffset_t size)
{
	struct make_dev_args mda;
	struct cdev *dev;

	make_dev_args_init(&mda);
	mda.mda_devsw = &odrv_sw;
	mda.mda_uid = 0;
	mda.mda_gid = 0;
	mda.mda_mode = 0600;
	mda.mda_dsize = size;
	ck_assert_int_eq(make_dev_s(&mda, &dev, "%s", name), 0);
	return (dev);
}

static int access_calls;
static struct file *access_fpop;

static int
deny_access(struct cdev *dev, vm_object_t obj, vm_prot_t prot)
{

	(void)dev;
	(void)obj;
	(void)prot;
	access_calls++;
	access_fpop = curthread->td_fpop;
	return (EACCES);
}

START_TEST(test_device_entries)
{
	vm_page_t pages[4];
	vm_object_t objs[4], obj;
	struct vm_map_hold h;
	struct vm_map dmap;
	struct cdev *dev;
	vm_ooffset_t objoff, end;
	unsigned char *host;
	struct file *fp;
	int error;

	dev = sized_dev("mapdev", 8 * PAGE_SIZE);
	vm_map_init(&dmap, dev, 42, deny_access);
	/* The whole device is one entry, made by the first lookup. */
	ck_assert_int_eq(vm_map_lookup(&dmap, NULL, 3 * PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, &obj, &objoff, &end), 0);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_uint_eq(objoff, 3 * PAGE_SIZE);
	ck_assert_uint_eq(end, 8 * PAGE_SIZE);
	ck_assert_str_eq(obj->path, "dev/mapdev");
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_map_count(&dmap), 1);
	ck_assert_int_eq(vm_map_lookup(&dmap, NULL, 8 * PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, &obj, &objoff, &end), ENXIO);
	ck_assert_int_eq(access_calls, 0);

	/* Three pages held, in order, at the device's addresses. */
	h.pages = pages;
	h.objs = objs;
	h.max = 4;
	ck_assert_int_eq(vm_map_hold_range(&dmap, NULL, PAGE_SIZE + 5,
	    4 * PAGE_SIZE, VM_PROT_READ, &kernel_cred, &h), 0);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_uint_eq(vm_map_hold_paddr(&h, 0), dt_base + PAGE_SIZE);
	ck_assert_uint_eq(vm_map_hold_paddr(&h, 2), dt_base + 3 * PAGE_SIZE);
	ck_assert_ptr_nonnull(objs[0]);
	ck_assert_ptr_null(objs[1]);
	ck_assert_uint_eq(objs[0]->faults, 3);
	vm_map_unhold(&h);
	ck_assert_uint_eq(h.count, 0);

	/* A store through the map lands in device memory. */
	ck_assert_int_eq(vm_map_write(&dmap, NULL, 2 * PAGE_SIZE - 2,
	    2 * PAGE_SIZE + 3, &kernel_cred, "hello"), 0);
	rcu_read_lock();
	host = vm_phys_to_host(dt_base + 2 * PAGE_SIZE - 2);
	ck_assert_ptr_nonnull(host);
	ck_assert_int_eq(memcmp(host, "hello", 5), 0);
	rcu_read_unlock();

	/* An open file is checked, as the current file. */
	fp = (struct file *)&dmap;	/* only compared */
	error = vm_map_lookup(&dmap, fp, 0, VM_PROT_READ, &kernel_cred,
	    &obj, &objoff, &end);
	ck_assert_int_eq(error, EACCES);
	ck_assert_int_eq(access_calls, 1);
	ck_assert_ptr_eq(access_fpop, fp);
	ck_assert_ptr_null(curthread->td_fpop);
	h.count = 0;
	ck_assert_int_eq(vm_map_hold_range(&dmap, fp, 0, PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, &h), EACCES);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_int_eq(vm_map_write(&dmap, fp, 0, 1, &kernel_cred, "x"),
	    EACCES);

	vm_map_fini(&dmap);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_prefault_stops)
{
	vm_page_t pages[8];
	vm_object_t objs[8], other;
	struct vm_map_hold h;
	struct vm_map dmap;
	struct cdev *dev;
	int stop;

	dev = sized_dev("pfdev", 8 * PAGE_SIZE);
	vm_map_init(&dmap, dev, 43, NULL);
	h.pages = pages;
	h.objs = objs;
	h.max = 8;
	/* The pager refuses the fourth page it is asked for (page 3). */
	ck_assert_int_eq(fail_point_set("dev_pager_fault",
	    "3*off->return(5)"), 0);
	stop = -1;
	vm_map_prefault_range(&dmap, NULL, 0, 8 * PAGE_SIZE, VM_PROT_READ,
	    &kernel_cred, NULL, &h, &stop);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_int_eq(stop, EIO);
	ck_assert_uint_eq(vm_map_hold_paddr(&h, 2), dt_base + 2 * PAGE_SIZE);
	ck_assert_ptr_nonnull(objs[0]);
	/* A prefault is not the application's fault. */
	ck_assert_uint_eq(objs[0]->faults, 0);
	vm_map_unhold(&h);
	/* The refused page stays refused; resident ones need no pager. */
	stop = -1;
	vm_map_prefault_range(&dmap, NULL, 0, 8 * PAGE_SIZE, VM_PROT_READ,
	    &kernel_cred, NULL, &h, &stop);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_int_eq(stop, EIO);
	vm_map_unhold(&h);
	ck_assert_int_eq(fail_point_set("dev_pager_fault", "off"), 0);
	stop = -1;
	vm_map_prefault_range(&dmap, NULL, 3 * PAGE_SIZE, 8 * PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, NULL, &h, &stop);
	ck_assert_uint_eq(h.count, 5);
	ck_assert_int_eq(stop, 0);
	vm_map_unhold(&h);
	/* Limited to another object: nothing, and no error. */
	other = anon(1);
	stop = -1;
	vm_map_prefault_range(&dmap, NULL, 0, 8 * PAGE_SIZE, VM_PROT_READ,
	    &kernel_cred, other, &h, &stop);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_int_eq(stop, 0);
	vm_object_deallocate(other);
	/* Past the end of the node: what is there, then ENXIO. */
	vm_map_prefault_range(&dmap, NULL, 6 * PAGE_SIZE, 8 * PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, NULL, &h, &stop);
	ck_assert_uint_eq(h.count, 2);
	vm_map_unhold(&h);
	vm_map_fini(&dmap);
	destroy_dev(dev);
}
END_TEST

static struct {
	int		 n;
	uint64_t	 key[8];
	vm_ooffset_t	 off[8];
} pf_unmaps;

static void
pf_unmap_cb(uint64_t key, vm_ooffset_t off, vm_size_t len, void *arg)
{

	(void)len;
	(void)arg;
	if (pf_unmaps.n < 8) {
		pf_unmaps.key[pf_unmaps.n] = key;
		pf_unmaps.off[pf_unmaps.n] = off;
	}
	pf_unmaps.n++;
}

static int pf_handle;

START_TEST(test_prefault_pmap)
{
	vm_page_t pages[2];
	vm_object_t objs[2], obj;
	struct vm_map_hold h;
	struct vm_map mmap_;
	vm_page_t m;
	int stop;

	/* Managed device pages at node offsets 8 and 9 pages. */
	obj = cdev_pager_allocate(&pf_handle, OBJT_MGTDEVICE, &mgt_ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	vm_map_init(&mmap_, NULL, 77, NULL);
	ck_assert_int_eq(vm_map_insert(&mmap_, obj, 0, 8 * PAGE_SIZE,
	    10 * PAGE_SIZE), 0);
	h.pages = pages;
	h.objs = objs;
	h.max = 2;
	vm_map_prefault_range(&mmap_, NULL, 8 * PAGE_SIZE, 10 * PAGE_SIZE,
	    VM_PROT_READ, &kernel_cred, NULL, &h, &stop);
	ck_assert_uint_eq(h.count, 2);
	ck_assert_int_eq(stop, 0);
	m = pages[1];
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 1);
	vm_page_unlock(m);
	vm_map_unhold(&h);
	/* Revoking the page reaches the place it was pushed at. */
	pf_unmaps.n = 0;
	pmap_set_unmap_callback(pf_unmap_cb, NULL);
	pmap_remove_all(m);
	pmap_set_unmap_callback(NULL, NULL);
	ck_assert_int_eq(pf_unmaps.n, 1);
	ck_assert_uint_eq(pf_unmaps.key[0], 77);
	ck_assert_uint_eq(pf_unmaps.off[0], 9 * PAGE_SIZE);
	/* The other page's place goes the same way. */
	pmap_remove_all(pages[0]);
	vm_map_fini(&mmap_);
}
END_TEST

Suite *
vm_map_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("vm_map");
	tc = tcase_create("entries");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_insert_lookup);
	tcase_add_test(tc, test_overlap);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_device_entries);
	tcase_add_test(tc, test_prefault_stops);
	tcase_add_test(tc, test_prefault_pmap);
	suite_add_tcase(s, tc);
	return (s);
}
