/*
 * device_pager: cdev_pager_allocate/lookup/free_page, the old-style
 * d_mmap pager (ctor, colour, fault, memattr, td_fpop, Giant, errors),
 * OBJT_MGTDEVICE pages and their pmap revocation, dealloc, the
 * dev_pager_fault fail point, and vm_mmap_cdev.  The races of reference
 * section 4 are in check_dev_races.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "check_devpager.h"
#include "check_dev_util.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "vm/device_pager.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

static const struct ucred cred_u = { .cr_uid = 1000, .cr_gid = 1000 };
static int handle_a, handle_b;

START_TEST(test_pagertab)
{

	ck_assert_ptr_eq(pagertab[OBJT_DEVICE], &devicepagerops);
	ck_assert_ptr_eq(pagertab[OBJT_MGTDEVICE], &mgtdevicepagerops);
	ck_assert_ptr_eq(pagertab[OBJT_SG], &sgpagerops);
	ck_assert_str_eq(devicepagerops.pgo_name, "dv");
	ck_assert_str_eq(mgtdevicepagerops.pgo_name, "md");
	/* d_mmap cannot supply managed pages. */
	ck_assert_ptr_null(vm_pager_allocate(OBJT_MGTDEVICE, &handle_a,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL));
}
END_TEST

START_TEST(test_allocate_refusals)
{
	struct dev_pager_counters c;

	ck_assert_ptr_null(cdev_pager_allocate(&handle_a, OBJT_SWAP,
	    &cnt_ops, PAGE_SIZE, VM_PROT_READ, 0, NULL));
	ck_assert_ptr_null(cdev_pager_allocate(&handle_a, OBJT_SG,
	    &cnt_ops, PAGE_SIZE, VM_PROT_READ, 0, NULL));
	ck_assert_ptr_null(cdev_pager_allocate(&handle_a, OBJT_DEVICE,
	    &cnt_ops, PAGE_SIZE, VM_PROT_READ, 100, NULL));
	ck_assert_ptr_null(cdev_pager_allocate(&handle_a, OBJT_DEVICE,
	    &cnt_ops, PAGE_SIZE, VM_PROT_READ, UINT64_MAX & ~PAGE_MASK,
	    NULL));
	/* None of these reached the ctor. */
	ck_assert_int_eq(cnt.ctor_calls, 0);
	cnt.ctor_error = EPERM;
	ck_assert_ptr_null(cdev_pager_allocate(&handle_a, OBJT_DEVICE,
	    &cnt_ops, PAGE_SIZE, VM_PROT_READ, 0, NULL));
	ck_assert_int_eq(cnt.ctor_calls, 1);
	dev_pager_counters(&c);
	ck_assert_uint_eq(c.built, 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

START_TEST(test_allocate_builds_and_finds)
{
	vm_object_t o, o2;
	unsigned n;

	cnt.color = 0x1234;
	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    3 * PAGE_SIZE + 1, VM_PROT_READ, 2 * PAGE_SIZE, &cred_u);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert_uint_eq(o->flags & (OBJ_FICTITIOUS | OBJ_UNMANAGED |
	    OBJ_COLORED), OBJ_FICTITIOUS | OBJ_UNMANAGED | OBJ_COLORED);
	ck_assert_uint_eq(o->pg_color, 0x1234);
	ck_assert_ptr_eq(o->handle, &handle_a);
	ck_assert_ptr_eq(o->un_pager.devp.dev, (void *)&handle_a);
	ck_assert_ptr_eq(o->un_pager.devp.ops, &cnt_ops);
	ck_assert(TAILQ_EMPTY(&o->un_pager.devp.devp_pglist));
	/* size = OFF_TO_IDX(foff + round_page(size)) */
	ck_assert_uint_eq(o->size, 2 + 4);
	ck_assert_uint_eq(o->ref_count, 1);
	ck_assert(!o->has_cred);
	ck_assert_ptr_eq(cnt.ctor_handle, &handle_a);

	/* Same handle: the same object, grown; the ctor ran again. */
	o2 = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    10 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_eq(o2, o);
	ck_assert_uint_eq(o->ref_count, 2);
	ck_assert_uint_eq(o->size, 10);
	ck_assert_int_eq(cnt.ctor_calls, 2);
	/* Smaller: no shrink. */
	o2 = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_uint_eq(o->size, 10);

	/* Another handle: another object. */
	o2 = cdev_pager_allocate(&handle_b, OBJT_DEVICE, &cnt_ops,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_ne(o2, o);
	ck_assert_int_eq(dev_pager_list_check(NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 2);

	vm_object_deallocate(o);
	vm_object_deallocate(o);
	ck_assert_int_eq(cnt.dtor_calls, 0);
	vm_object_deallocate(o);
	/* One dtor per object built, with the handle it was built for. */
	ck_assert_int_eq(cnt.dtor_calls, 1);
	ck_assert_ptr_eq(cnt.dtor_args[0], &handle_a);
	ck_assert(cnt.dtor_unlocked);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	vm_object_deallocate(o2);
	ck_assert_int_eq(cnt.dtor_calls, 2);
	ck_assert_ptr_eq(cnt.dtor_args[1], &handle_b);
	ck_assert_int_eq(dev_pager_list_check(NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_allocate_mgtdevice)
{
	vm_object_t o;

	o = cdev_pager_allocate(&handle_a, OBJT_MGTDEVICE, &mgt_ops,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, OBJT_MGTDEVICE);
	ck_assert_uint_eq(o->flags & (OBJ_FICTITIOUS | OBJ_UNMANAGED),
	    OBJ_FICTITIOUS);
	/* Same list and lookup as OBJT_DEVICE. */
	ck_assert_ptr_eq(cdev_pager_lookup(&handle_a), o);
	vm_object_deallocate(o);
	vm_object_deallocate(o);
	ck_assert_int_eq(cnt.dtor_calls, 1);
}
END_TEST

START_TEST(test_lookup_referenced)
{
	vm_object_t o;

	ck_assert_ptr_null(cdev_pager_lookup(&handle_a));
	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops, PAGE_SIZE,
	    VM_PROT_READ, 0, NULL);
	ck_assert_ptr_eq(cdev_pager_lookup(&handle_a), o);
	ck_assert_uint_eq(o->ref_count, 2);
	vm_object_deallocate(o);
	ck_assert_uint_eq(o->ref_count, 1);
	ck_assert_ptr_null(cdev_pager_lookup(&handle_b));
	vm_object_deallocate(o);
	ck_assert_ptr_null(cdev_pager_lookup(&handle_a));
}
END_TEST

/*
 * The old-style pager.
 */
START_TEST(test_old_alloc_ctor)
{
	struct cdev *dev;
	vm_object_t o, o2;
	unsigned r0;

	dev = dt_make_dev(&odrv_sw, "ram0");
	r0 = dev->si_refcount;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE,
	    VM_PROT_READ | VM_PROT_WRITE, 0, &cred_u);
	ck_assert_ptr_nonnull(o);
	/* The ctor checked every page and took a cdev reference. */
	ck_assert_int_eq(odrv.calls, 4);
	ck_assert_uint_eq(dev->si_refcount, r0 + 1);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	ck_assert_ptr_eq(o->handle, dev);
	ck_assert_ptr_eq(o->un_pager.devp.dev, dev);
	ck_assert_str_eq(o->path, "dev/ram0");
	ck_assert_uint_eq(o->size, 4);
	/* td_fpop is kept on the mmap (ctor) path. */
	ck_assert_ptr_null(odrv.fpop);

	/* A second mapping finds it; the extra ctor reference is dropped. */
	o2 = vm_pager_allocate(OBJT_DEVICE, dev, 2 * PAGE_SIZE, VM_PROT_READ,
	    0, &cred_u);
	ck_assert_ptr_eq(o2, o);
	ck_assert_uint_eq(o->ref_count, 2);
	ck_assert_uint_eq(dev->si_refcount, r0 + 1);
	vm_object_deallocate(o2);
	vm_object_deallocate(o);
	/* The dtor gave it back. */
	ck_assert_uint_eq(dev->si_refcount, r0);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_alloc_ctor_fpop)
{
	struct cdev *dev;
	struct file *fp, *saved;
	vm_object_t o;

	dev = dt_make_dev(&odrv_sw, "fpopctor");
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), 0);
	saved = devfs_fpop_enter(fp);
	o = vm_pager_allocate(OBJT_DEVICE, dev, PAGE_SIZE, VM_PROT_READ, 0,
	    &cred_u);
	devfs_fpop_exit(saved);
	ck_assert_ptr_nonnull(o);
	/* The mmap path is an operation on the file: td_fpop stays. */
	ck_assert_ptr_eq(odrv.fpop, fp);
	vm_object_deallocate(o);
	ck_assert_int_eq(devfs_close(fp), 0);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_alloc_ctor_error)
{
	struct cdev *dev;
	vm_object_t o;
	unsigned r0;

	dev = dt_make_dev(&odrv_sw, "short");
	r0 = dev->si_refcount;
	odrv.error_from = 2 * PAGE_SIZE;
	odrv.error = EIO;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(odrv.calls, 3);
	ck_assert_uint_eq(dev->si_refcount, r0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	/* Beyond the window too. */
	odrv.error_from = UINT64_MAX;
	ck_assert_ptr_null(vm_pager_allocate(OBJT_DEVICE, dev,
	    DT_WINSIZE + PAGE_SIZE, VM_PROT_READ, 0, NULL));
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_color)
{
	struct cdev *dev;
	vm_object_t o;
	vm_ooffset_t foff;

	/*
	 * d_mmap maps offset o to dt_base + o, so the last page checked is
	 * at foff + size - PAGE_SIZE, physical dt_base + that:
	 * color = atop(paddr) - OFF_TO_IDX(off - PAGE_SIZE) = atop(dt_base).
	 */
	dev = dt_make_dev(&odrv_sw, "color");
	foff = 5 * PAGE_SIZE;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 3 * PAGE_SIZE, VM_PROT_READ,
	    foff, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert((o->flags & OBJ_COLORED) != 0);
	ck_assert_uint_eq(o->pg_color, (uint16_t)atop(dt_base));
	vm_object_deallocate(o);

	/* A driver whose pages sit 3 pages further than their offset. */
	odrv.use_alias = true;
	odrv.alias_pa = dt_base + 0x3000 + 2 * PAGE_SIZE;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 3 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	/* last page: off 2 pages, paddr dt_base + 5 pages */
	ck_assert_uint_eq(o->pg_color, (uint16_t)(atop(dt_base) + 3));
	vm_object_deallocate(o);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_fault_replace)
{
	struct cdev *dev;
	vm_object_t o;
	vm_page_t ma[1], ph, m;
	unsigned long free0, fake0;

	dev = dt_make_dev(&odrv_sw, "fault");
	odrv.memattr = VM_MEMATTR_WRITE_COMBINING;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_ptr_nonnull(o);
	fake0 = vm_page_fake_count();
	free0 = vm_phys_free_count();

	/* A RAM placeholder: getfake, replace, free the placeholder. */
	VM_OBJECT_WLOCK(o);
	ph = dt_placeholder(o, 2, false);
	ck_assert_uint_eq(vm_phys_free_count(), free0 - 1);
	ma[0] = ph;
	odrv.fpop = (struct file *)&ma;
	ck_assert_int_eq(vm_pager_get_pages(o, ma, 1, 0), VM_PAGER_OK);
	m = ma[0];
	ck_assert_ptr_ne(m, ph);
	ck_assert_ptr_eq(vm_page_lookup(o, 2), m);
	ck_assert((m->flags & PG_FICTITIOUS) != 0);
	ck_assert((m->oflags & VPO_UNMANAGED) != 0);
	ck_assert_uint_eq(m->phys_addr, dt_base + 2 * PAGE_SIZE);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(dt_on_pglist(o, m), 1);
	ck_assert((m->oflags & VPO_ONPGLIST) != 0);
	ck_assert_uint_eq(o->resident_page_count, 1);
	vm_page_xunbusy(m);
	VM_OBJECT_WUNLOCK(o);
	/* The placeholder went back; the object memattr went in. */
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 1);
	ck_assert_int_eq(odrv.memattr_in, o->memattr);
	ck_assert_ptr_null(odrv.fpop);

	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_fault_vm_fault)
{
	struct cdev *dev;
	struct file *saved, dummy;
	vm_object_t o;
	vm_page_t m;
	unsigned long fake0;

	dev = dt_make_dev(&odrv_sw, "vmf");
	odrv.memattr = VM_MEMATTR_UNCACHEABLE;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	fake0 = vm_page_fake_count();

	/* A fault inside some file operation: d_mmap sees no file. */
	saved = devfs_fpop_enter(&dummy);
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(curthread->td_fpop, &dummy);
	devfs_fpop_exit(saved);
	ck_assert_ptr_null(odrv.fpop);
	ck_assert_int_eq(odrv.calls, 4 + 1);
	ck_assert_uint_eq(m->phys_addr, dt_base + PAGE_SIZE);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(dt_on_pglist(o, m), 1);
	VM_OBJECT_WUNLOCK(o);
	vm_fault_unhold(m);
	/* vm_fault's fake placeholder became the page: one fake page. */
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 1);

	/* Resident: no second d_mmap. */
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(odrv.calls, 5);
	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_old_fault_giant)
{
	struct cdev *dev, *dev2;
	vm_object_t o;
	vm_page_t m;

	dev = dt_make_dev(&odrv_giant_sw, "gfault");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 2 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(odrv.giant_calls, 2);	/* the ctor's */
	ck_assert_int_eq(dt_getpage(o, 0, false, &m), VM_PAGER_OK);
	ck_assert_int_eq(odrv.calls, 3);
	ck_assert_int_eq(odrv.giant_calls, 3);
	ck_assert(!mtx_owned(&Giant));
	vm_object_deallocate(o);
	destroy_dev(dev);

	/* And never for a driver without D_NEEDGIANT. */
	memset(&odrv, 0, sizeof(odrv));
	odrv.memattr = -1;
	odrv.error_from = UINT64_MAX;
	dev2 = dt_make_dev(&odrv_sw, "nogiant");
	o = vm_pager_allocate(OBJT_DEVICE, dev2, 2 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_int_eq(dt_getpage(o, 1, true, &m), VM_PAGER_OK);
	ck_assert_int_eq(odrv.calls, 3);
	ck_assert_int_eq(odrv.giant_calls, 0);
	vm_object_deallocate(o);
	destroy_dev(dev2);
}
END_TEST

START_TEST(test_old_fault_error)
{
	struct cdev *dev;
	vm_object_t o;
	vm_page_t m;
	const char *log;
	unsigned long fake0, free0;

	dev = dt_make_dev(&odrv_sw, "ferr");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_ptr_nonnull(o);
	fake0 = vm_page_fake_count();
	free0 = vm_phys_free_count();
	odrv.error_from = 0;
	odrv.error = EFAULT;
	dt_capture_start();
	ck_assert_int_eq(dt_getpage(o, 3, false, &m), VM_PAGER_FAIL);
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	log = dt_capture_stop();
	ck_assert_ptr_null(m);
	ck_assert_int_eq(dt_count_substr(log, "WARNING: dev_pager_getpage: "
	    "map function returns error 14"), 2);
	/* Nothing left behind. */
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert_uint_eq(o->resident_page_count, 0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	/* The device works again once the driver does. */
	odrv.error_from = UINT64_MAX;
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	vm_object_deallocate(o);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_destroy_dev_live_object)
{
	struct cdev *dev;
	vm_object_t o;
	vm_page_t m;
	unsigned r0;

	dev = dt_make_dev(&odrv_sw, "doomed");
	r0 = dev->si_refcount;
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	destroy_dev(dev);
	/* The object keeps the struct alive, not the driver. */
	ck_assert_uint_eq(dev->si_refcount, r0);
	ck_assert_ptr_null(dev->si_devsw);
	/* A page that was never mapped cannot be faulted any more. */
	ck_assert_int_eq(dt_getpage(o, 1, false, &m), VM_PAGER_FAIL);
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	ck_assert_int_eq(odrv.calls, 4 + 1);
	/* A resident page stays, as FreeBSD keeps device mappings. */
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	/* The last reference goes with the object (dtor: dev_rel). */
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_fail_point)
{
	vm_object_t o;
	vm_page_t m;
	struct dev_pager_counters c;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_int_eq(fail_point_set("dev_pager_fault", "1*return(5)"),
	    0);
	ck_assert_int_eq(dt_getpage(o, 0, false, &m), VM_PAGER_ERROR);
	ck_assert_int_eq(cnt.fault_calls, 0);	/* fired before the driver */
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(cnt.fault_calls, 1);
	dev_pager_counters(&c);
	ck_assert_uint_ge(c.fault_errors, 1);
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_driver_errors)
{
	vm_object_t o;
	vm_page_t m;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	cnt.fault_result = VM_PAGER_ERROR;
	ck_assert_int_eq(dt_getpage(o, 0, false, &m), VM_PAGER_ERROR);
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	cnt.fault_result = VM_PAGER_BAD;
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	cnt.fault_result = VM_PAGER_OK;
	ck_assert_uint_eq(o->resident_page_count, 0);
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_haspage_putpages)
{
	vm_object_t o;
	vm_page_t m;
	int before, after, rt;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_int_eq(dt_getpage(o, 1, false, &m), VM_PAGER_OK);
	VM_OBJECT_WLOCK(o);
	before = after = 7;
	ck_assert(vm_pager_has_page(o, 1, &before, &after));
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(after, 0);
	ck_assert(vm_pager_has_page(o, 0, NULL, NULL));
	/* Linux writeback of a dirty page: accepted, page clean. */
	m->dirty = VM_PAGE_BITS_ALL;
	rt = -1;
	vm_pager_put_pages(o, &m, 1, VM_PAGER_PUT_SYNC, &rt);
	ck_assert_int_eq(rt, VM_PAGER_OK);
	ck_assert_uint_eq(m->dirty, 0);
	VM_OBJECT_WUNLOCK(o);
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_getpages_frees_others)
{
	vm_object_t o;
	vm_page_t ma[3], p0, p2;
	unsigned long free0;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	free0 = vm_phys_free_count();
	VM_OBJECT_WLOCK(o);
	ma[0] = p0 = dt_placeholder(o, 0, false);
	ma[1] = dt_placeholder(o, 1, false);
	ma[2] = p2 = dt_placeholder(o, 2, false);
	ck_assert_int_eq(vm_pager_get_pages(o, ma, 3, 1), VM_PAGER_OK);
	/* Only the requested page is left. */
	ck_assert_ptr_null(vm_page_lookup(o, 0));
	ck_assert_ptr_null(vm_page_lookup(o, 2));
	ck_assert_ptr_eq(vm_page_lookup(o, 1), ma[1]);
	ck_assert_uint_eq(o->resident_page_count, 1);
	vm_page_xunbusy(ma[1]);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	(void)p0;
	(void)p2;
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_memattr_alias_warning)
{
	struct cdev *dev, *memdev;
	vm_object_t o, o2;
	vm_page_t ram, m;
	const char *log;
	struct dev_pager_counters c0, c1;

	/* A RAM page (WB) that the driver aliases and calls UC. */
	ram = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(vm_page_memattr(ram), VM_MEMATTR_WRITE_BACK);
	odrv.use_alias = true;
	odrv.alias_pa = VM_PAGE_TO_PHYS(ram);
	odrv.memattr = VM_MEMATTR_UNCACHEABLE;
	dev = dt_make_dev(&odrv_sw, "alias");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 2 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	dev_pager_counters(&c0);
	dt_capture_start();
	ck_assert_int_eq(dt_getpage(o, 0, false, &m), VM_PAGER_OK);
	/* The real page's memattr wins. */
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
	ck_assert_uint_eq(m->phys_addr, VM_PAGE_TO_PHYS(ram));
	/* Once per page: the second alias of the same RAM page is quiet. */
	ck_assert_int_eq(dt_getpage(o, 1, true, &m), VM_PAGER_OK);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
	log = dt_capture_stop();
	ck_assert_int_eq(dt_count_substr(log, "Device driver odrv has set "
	    "\"memattr\" inconsistently (drv 0 pmap 6)."), 1);
	ck_assert((ram->flags & PG_MEMATTR_WARNED) != 0);
	dev_pager_counters(&c1);
	ck_assert_uint_eq(c1.memattr_warnings, c0.memattr_warnings + 1);
	vm_object_deallocate(o);
	destroy_dev(dev);

	/* D_MEM drivers (/dev/mem) are not warned, but still corrected. */
	vm_page_lock(ram);
	ram->flags &= ~PG_MEMATTR_WARNED;
	vm_page_unlock(ram);
	memdev = dt_make_dev(&odrv_mem_sw, "mem");
	o2 = vm_pager_allocate(OBJT_DEVICE, memdev, PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	dt_capture_start();
	ck_assert_int_eq(dt_getpage(o2, 0, false, &m), VM_PAGER_OK);
	log = dt_capture_stop();
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
	ck_assert_int_eq(dt_count_substr(log, "inconsistently"), 0);
	vm_object_deallocate(o2);
	destroy_dev(memdev);
	vm_page_lock(ram);
	vm_page_free(ram);
	vm_page_unlock(ram);
}
END_TEST

/*
 * OBJT_MGTDEVICE: managed fictitious pages, revoked through pmap.
 */
struct unmap_rec {
	uint64_t	key[8];
	vm_ooffset_t	off[8];
	vm_size_t	len[8];
	int		n;
};

static void
unmap_cb(uint64_t key, vm_ooffset_t offset, vm_size_t len, void *arg)
{
	struct unmap_rec *r;

	r = arg;
	if (r->n < 8) {
		r->key[r->n] = key;
		r->off[r->n] = offset;
		r->len[r->n] = len;
	}
	r->n++;
}

static bool
unmap_has(const struct unmap_rec *r, uint64_t key, vm_ooffset_t off)
{
	int i;

	for (i = 0; i < r->n && i < 8; i++)
		if (r->key[i] == key && r->off[i] == off &&
		    r->len[i] == PAGE_SIZE)
			return (true);
	return (false);
}

START_TEST(test_mgtdevice_fault_and_free_page)
{
	struct unmap_rec rec;
	vm_object_t o;
	vm_page_t m, m2;

	memset(&rec, 0, sizeof(rec));
	pmap_set_unmap_callback(unmap_cb, &rec);
	o = cdev_pager_allocate(&handle_a, OBJT_MGTDEVICE, &mgt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_READ, 77, 2 * PAGE_SIZE, &m),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m, PHYS_TO_VM_PAGE(dt_fict + 2 * PAGE_SIZE));
	ck_assert((m->oflags & VPO_UNMANAGED) == 0);
	ck_assert((m->flags & PG_FICTITIOUS) != 0);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	/* Managed pages are not on the fake-page list. */
	ck_assert(TAILQ_EMPTY(&o->un_pager.devp.devp_pglist));
	vm_fault_unhold(m);
	/* Served at a second place, and a third. */
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_READ, 78, 0x6000, &m2),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m2, m);
	vm_fault_unhold(m2);
	vm_page_lock(m);
	pmap_enter(m, 79, 0x2000);
	ck_assert_int_eq(pmap_page_mapping_count(m), 3);
	vm_page_unlock(m);

	/* Revoke: exactly the recorded places are unmapped. */
	VM_OBJECT_WLOCK(o);
	cdev_pager_free_page(o, m);
	ck_assert_ptr_null(vm_page_lookup(o, 2));
	ck_assert_ptr_null(m->object);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_int_eq(rec.n, 3);
	ck_assert(unmap_has(&rec, 77, 2 * PAGE_SIZE));
	ck_assert(unmap_has(&rec, 78, 0x6000));
	ck_assert(unmap_has(&rec, 79, 0x2000));
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	vm_page_unlock(m);

	/* The next touch faults again, onto the same page. */
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_READ, 77, 2 * PAGE_SIZE, &m2),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m2, m);
	ck_assert_int_eq(cnt.fault_calls, 2);
	vm_fault_unhold(m2);
	VM_OBJECT_WLOCK(o);
	cdev_pager_free_page(o, m2);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_int_eq(rec.n, 4);
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_device_free_page)
{
	vm_object_t o;
	vm_page_t m;
	unsigned long fake0;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	fake0 = vm_page_fake_count();
	ck_assert_int_eq(dt_getpage(o, 1, false, &m), VM_PAGER_OK);
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 1);
	VM_OBJECT_WLOCK(o);
	cdev_pager_free_page(o, m);
	ck_assert_ptr_null(vm_page_lookup(o, 1));
	ck_assert(TAILQ_EMPTY(&o->un_pager.devp.devp_pglist));
	ck_assert_uint_eq(o->resident_page_count, 0);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	vm_object_deallocate(o);
}
END_TEST

START_TEST(test_dealloc_frees_fake_pages)
{
	vm_object_t o;
	vm_page_t m;
	unsigned long fake0;
	struct dev_pager_counters c0, c1;
	int i;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    8 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	fake0 = vm_page_fake_count();
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(dt_getpage(o, i, (i & 1) != 0, &m),
		    VM_PAGER_OK);
		ck_assert_uint_eq(m->phys_addr, dt_base + ptoa(i));
	}
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 8);
	ck_assert_uint_eq(o->resident_page_count, 8);
	dev_pager_counters(&c0);
	vm_object_deallocate(o);
	dev_pager_counters(&c1);
	ck_assert_uint_eq(c1.deallocs, c0.deallocs + 1);
	ck_assert_uint_eq(c1.dealloc_pages, c0.dealloc_pages + 8);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_ptr_null(o->handle);
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_wrong_page_type_mgt)
{
	vm_object_t o;
	vm_page_t m;

	panic_expect("Wrong page type");
	o = cdev_pager_allocate(&handle_a, OBJT_MGTDEVICE, &mgt_unmanaged_ops,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL);
	(void)dt_getpage(o, 0, false, &m);
}
END_TEST

START_TEST(test_wrong_page_type_dev)
{
	vm_object_t o;
	vm_page_t m;

	panic_expect("Wrong page type");
	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &dev_managed_ops,
	    PAGE_SIZE, VM_PROT_READ, 0, NULL);
	(void)dt_getpage(o, 0, false, &m);
}
END_TEST
#endif

/*
 * The behaviours where the pager departs from FreeBSD 10.4 or pins it
 * (the list at the top of src/vm/device_pager.c).
 */

/*
 * The fault handler's prot, and the nprot of d_mmap called from a fault,
 * are the access of the fault: VM_PROT_WRITE for a write, VM_PROT_READ
 * for a read (10.4: always PROT_READ).  A page brought in by a read is
 * not faulted again for a later write.
 */
START_TEST(test_fault_prot_is_the_access)
{
	struct cdev *dev;
	vm_object_t o;
	vm_page_t m;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_ALL, 0, NULL);
	cnt.fault_prot = -1;
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(cnt.fault_calls, 1);
	ck_assert_int_eq(cnt.fault_prot, VM_PROT_READ);
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_WRITE, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(cnt.fault_calls, 2);
	ck_assert_int_eq(cnt.fault_prot, VM_PROT_WRITE);
	/* Resident: a write to page 0 does not reach the handler. */
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_WRITE, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(cnt.fault_calls, 2);
	/* Outside a fault the pager sees a read. */
	ck_assert_int_eq(vm_fault_prot(), VM_PROT_READ);
	vm_object_deallocate(o);

	/* The old-style pager hands the same to d_mmap. */
	dev = dt_make_dev(&odrv_sw, "prot");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_ALL, 0,
	    NULL);
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_WRITE, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(odrv.nprot, VM_PROT_WRITE);
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(odrv.nprot, VM_PROT_READ);
	vm_object_deallocate(o);
	destroy_dev(dev);
}
END_TEST

/*
 * VM_PAGER_FAIL and VM_PAGER_ERROR from a device object's handler both
 * fail the fault (SIGBUS for the application) and leave nothing behind:
 * no page at the index, no RAM taken, no fake page.  10.4 maps a
 * zero-filled RAM page for FAIL instead (kept departure, see the top of
 * device_pager.c).  VM_PAGER_BAD is a protection failure.
 */
static void
assert_fault_fails(vm_object_t o, vm_pindex_t pindex, int code, int kr)
{
	unsigned long free0, fake0;
	vm_page_t m;
	int calls;

	free0 = vm_phys_free_count();
	fake0 = vm_page_fake_count();
	calls = cnt.fault_calls;
	cnt.fault_result = code;
	m = (vm_page_t)&m;
	ck_assert_int_eq(vm_fault(o, pindex, VM_PROT_READ, 0, 0, &m), kr);
	ck_assert_ptr_null(m);
	ck_assert_int_eq(cnt.fault_calls, calls + 1);
	VM_OBJECT_WLOCK(o);
	ck_assert_ptr_null(vm_page_lookup(o, pindex));
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	cnt.fault_result = VM_PAGER_OK;
}

START_TEST(test_pager_fail_and_error_fail_the_fault)
{
	struct vm_fault_counters f0, f1;
	vm_object_t o;
	vm_page_t m;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	vm_fault_counters(&f0);
	assert_fault_fails(o, 1, VM_PAGER_FAIL, KERN_FAILURE);
	assert_fault_fails(o, 1, VM_PAGER_ERROR, KERN_FAILURE);
	assert_fault_fails(o, 1, VM_PAGER_BAD, KERN_PROTECTION_FAILURE);
	vm_fault_counters(&f1);
	ck_assert_uint_eq(f1.fault_errors, f0.fault_errors + 3);
	ck_assert_uint_eq(o->resident_page_count, 0);
	/* The same page faults fine once the driver does. */
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(m->phys_addr, dt_base + PAGE_SIZE);
	vm_fault_unhold(m);
	vm_object_deallocate(o);

	/* And for an OBJT_MGTDEVICE object. */
	o = cdev_pager_allocate(&handle_b, OBJT_MGTDEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	assert_fault_fails(o, 2, VM_PAGER_FAIL, KERN_FAILURE);
	assert_fault_fails(o, 2, VM_PAGER_ERROR, KERN_FAILURE);
	vm_object_deallocate(o);
}
END_TEST

/*
 * Seed 23, the replaced page, by a real fault.  A device fault gets a fake
 * placeholder; with the vm_fault_fake_placeholder fail point it gets
 * FreeBSD 10.4's RAM placeholder instead, and the handler's RAM branch
 * runs: old_dev_pager_fault swaps it for a fake page and frees it.
 * vm_fault then holds the replacement -- never the freed placeholder --
 * and the RAM page is back on the free list.  The driver's d_mmap runs
 * while the placeholder holds one RAM page (free_at_call).
 */
START_TEST(test_ram_placeholder_replaced_old_style)
{
	struct cdev *dev;
	vm_object_t o;
	vm_page_t m;
	unsigned long free0, fake0, hits;

	dev = dt_make_dev(&odrv_sw, "ramph");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 4 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	free0 = vm_phys_free_count();
	fake0 = vm_page_fake_count();

	/* Without the fail point: a fake placeholder, no RAM at all. */
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(odrv.free_at_call, free0);
	vm_fault_unhold(m);

	ck_assert_int_eq(fail_point_set("vm_fault_fake_placeholder",
	    "1*return(1)"), 0);
	ck_assert_int_eq(vm_fault(o, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_eq(fail_point_hits("vm_fault_fake_placeholder", &hits),
	    0);
	ck_assert_uint_eq(hits, 1);
	/* d_mmap ran with the RAM placeholder in the object... */
	ck_assert_uint_eq(odrv.free_at_call, free0 - 1);
	/* ...which was replaced by a fake page and freed. */
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert((m->flags & PG_FICTITIOUS) != 0);
	ck_assert((m->oflags & VPO_UNMANAGED) != 0);
	ck_assert_uint_eq(m->phys_addr, dt_base + 2 * PAGE_SIZE);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert(!vm_page_busied(m));
	VM_OBJECT_WLOCK(o);
	ck_assert_ptr_eq(vm_page_lookup(o, 2), m);
	ck_assert_int_eq(dt_on_pglist(o, m), 1);
	ck_assert_uint_eq(o->resident_page_count, 2);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 2);
	vm_fault_unhold(m);

	/* A d_mmap error with a RAM placeholder: the fault fails, no leak. */
	ck_assert_int_eq(fail_point_set("vm_fault_fake_placeholder",
	    "return(1)"), 0);
	odrv.error_from = 3 * PAGE_SIZE;
	odrv.error = EIO;
	dt_capture_start();
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	(void)dt_capture_stop();
	ck_assert_uint_eq(odrv.free_at_call, free0 - 1);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert_uint_eq(o->resident_page_count, 2);
	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	destroy_dev(dev);
}
END_TEST

/* The same for drivers' own handlers, OBJT_DEVICE and OBJT_MGTDEVICE. */
START_TEST(test_ram_placeholder_replaced_by_handlers)
{
	vm_object_t o;
	vm_page_t m;
	unsigned long free0;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	free0 = vm_phys_free_count();
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert(cnt.fake_placeholder);
	vm_fault_unhold(m);
	ck_assert_int_eq(fail_point_set("vm_fault_fake_placeholder",
	    "return(1)"), 0);
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert(!cnt.fake_placeholder);
	ck_assert((m->flags & PG_FICTITIOUS) != 0);
	ck_assert_uint_eq(m->phys_addr, dt_base + PAGE_SIZE);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	vm_fault_unhold(m);
	vm_object_deallocate(o);

	o = cdev_pager_allocate(&handle_b, OBJT_MGTDEVICE, &mgt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_ptr_eq(m, PHYS_TO_VM_PAGE(dt_fict + 3 * PAGE_SIZE));
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	vm_fault_unhold(m);
	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
}
END_TEST

/*
 * Seed 22: the page a handler returns must be fully valid, and filling it
 * in is the handler's job.  A handler that forgets (here: the updatefake
 * path without setting valid) is caught.
 */
static int
forgetful_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	__atomic_add_fetch(&cnt.fault_calls, 1, __ATOMIC_SEQ_CST);
	ck_assert((*mres)->flags & PG_FICTITIOUS);
	vm_page_updatefake(*mres, dt_base + offset, object->memattr);
	(*mres)->valid = 0x0f;		/* half of it, say */
	return (VM_PAGER_OK);
}

static const struct cdev_pager_ops forgetful_ops = {
	.cdev_pg_ctor = NULL,		/* set from cnt_ops in the tests */
	.cdev_pg_fault = forgetful_fault,
};

static vm_object_t
forgetful_object(void)
{
	static struct cdev_pager_ops ops;

	ops = forgetful_ops;
	ops.cdev_pg_ctor = cnt_ops.cdev_pg_ctor;
	ops.cdev_pg_dtor = cnt_ops.cdev_pg_dtor;
	return (cdev_pager_allocate(&handle_a, OBJT_DEVICE, &ops,
	    2 * PAGE_SIZE, VM_PROT_READ, 0, NULL));
}

#ifdef INVARIANTS
START_TEST(test_forgetful_handler_asserts)
{
	vm_object_t o;
	vm_page_t m;

	panic_expect("dev_pager_getpages: fault handler of * returned page * "
	    "at 1 with valid 0xf");
	o = forgetful_object();
	(void)vm_fault(o, 1, VM_PROT_READ, 0, 0, &m);
	ck_abort_msg("a page returned half valid went unnoticed");
}
END_TEST
#else
/* Without INVARIANTS: logged, and device memory is not zeroed. */
START_TEST(test_forgetful_handler_logged)
{
	vm_object_t o;
	vm_page_t m;
	unsigned char *host;
	const char *log;

	rcu_read_lock();
	host = vm_phys_to_host(dt_base + PAGE_SIZE);
	memset(host, 0xa5, PAGE_SIZE);
	rcu_read_unlock();
	o = forgetful_object();
	dt_capture_start();
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	log = dt_capture_stop();
	ck_assert_int_eq(dt_count_substr(log, "the fault handler of object"),
	    1);
	ck_assert_int_eq(dt_count_substr(log, "returned page 1 not fully "
	    "valid (0xf)"), 1);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	rcu_read_lock();
	ck_assert_uint_eq(host[0], 0xa5);
	ck_assert_uint_eq(host[PAGE_SIZE - 1], 0xa5);
	rcu_read_unlock();
	vm_fault_unhold(m);
	vm_object_deallocate(o);
}
END_TEST
#endif

/*
 * Seed 2: plinks.q links a page on devp_pglist only while it is on no
 * paging queue.  Every page the pager lists has queue == PQ_NONE...
 */
START_TEST(test_pglist_pages_on_no_queue)
{
	vm_object_t o;
	vm_page_t m;
	int i, n;

	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(vm_fault(o, i, VM_PROT_READ, 0, 0, &m),
		    KERN_SUCCESS);
		vm_fault_unhold(m);
	}
	/* Invalidated and paged in again: still listed once, no queue. */
	VM_OBJECT_WLOCK(o);
	vm_object_page_remove(o, 1, 2, OBJPR_NOTMAPPED);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_int_eq(vm_fault(o, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	VM_OBJECT_WLOCK(o);
	n = 0;
	TAILQ_FOREACH(m, &o->un_pager.devp.devp_pglist, plinks.q) {
		ck_assert_uint_eq(m->queue, PQ_NONE);
		ck_assert((m->oflags & VPO_ONPGLIST) != 0);
		n++;
	}
	ck_assert_int_eq(n, 4);
	VM_OBJECT_WUNLOCK(o);
	vm_object_deallocate(o);
}
END_TEST

#ifdef INVARIANTS
/* ...and a handler's page that sits on a paging queue is refused. */
static int
queued_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{
	int rv;

	rv = cnt_ops.cdev_pg_fault(object, offset, prot, mres);
	(*mres)->queue = PQ_ACTIVE;
	return (rv);
}

START_TEST(test_pglist_page_on_queue_asserts)
{
	static struct cdev_pager_ops ops;
	vm_object_t o;
	vm_page_t m;

	panic_expect("dev_pager_getpages: page * of * is on paging queue 1");
	ops = cnt_ops;
	ops.cdev_pg_fault = queued_fault;
	o = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &ops, PAGE_SIZE,
	    VM_PROT_READ, 0, NULL);
	(void)vm_fault(o, 0, VM_PROT_READ, 0, 0, &m);
	ck_abort_msg("a queued page went on the pager's list");
}
END_TEST
#endif

/*
 * vm_mmap_cdev.
 */
START_TEST(test_mmap_cdev_fallback)
{
	struct cdev *dev;
	vm_object_t o;
	vm_ooffset_t foff;

	dev = dt_make_dev(&odrv_sw, "mm");
	foff = PAGE_SIZE;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 3 * PAGE_SIZE,
	    VM_PROT_READ, VM_PROT_ALL, &cred_u, &o), 0);
	/* d_mmap_single said ENODEV: the device pager. */
	ck_assert_int_eq(odrv.single_calls, 1);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert_ptr_eq(o->handle, dev);
	ck_assert_uint_eq(o->size, 4);
	ck_assert_uint_eq(foff, PAGE_SIZE);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	vm_object_deallocate(o);

	/* No d_mmap_single at all behaves the same. */
	destroy_dev(dev);
	dev = dt_make_dev(&odrv_nosingle_sw, "mm2");
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), 0);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	vm_object_deallocate(o);
	/* The fallback's own failure (d_mmap refuses): EINVAL. */
	odrv.error_from = 0;
	odrv.error = EIO;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EINVAL);
	ck_assert_ptr_null(o);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_mmap_cdev_single)
{
	struct cdev *dev;
	vm_object_t o, drv;
	vm_ooffset_t foff;

	dev = dt_make_dev(&odrv_sw, "single");
	drv = cdev_pager_allocate(&handle_a, OBJT_DEVICE, &cnt_ops,
	    16 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	vm_object_reference(drv);	/* the one d_mmap_single hands over */
	odrv.single_error = 0;
	odrv.single_obj = drv;
	odrv.single_foff = 8 * PAGE_SIZE;
	foff = 0x100000;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), 0);
	ck_assert_ptr_eq(o, drv);
	ck_assert_uint_eq(foff, 8 * PAGE_SIZE);
	ck_assert_uint_eq(drv->ref_count, 2);
	/* The device pager was not involved for the cdev. */
	ck_assert_ptr_null(cdev_pager_lookup(dev));
	ck_assert_int_eq(odrv.calls, 0);
	vm_object_deallocate(o);

	/* Another error from d_mmap_single is the answer. */
	odrv.single_error = EPERM;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EPERM);
	ck_assert_ptr_null(o);
	vm_object_deallocate(drv);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_mmap_cdev_errors)
{
	struct cdev *dev;
	vm_object_t o;
	vm_ooffset_t foff;

	dev = dt_make_dev(&odrv_sw, "errs");
	foff = 0;
	/* Write access to a read-only mapping. */
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE,
	    VM_PROT_READ | VM_PROT_WRITE, VM_PROT_READ, NULL, &o), EACCES);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(odrv.single_calls, 0);
	/* Misaligned offset, empty and wrapping ranges. */
	foff = 100;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EINVAL);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 0, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EINVAL);
	foff = UINT64_MAX & ~PAGE_MASK;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 2 * PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EINVAL);
	ck_assert_int_eq(odrv.single_calls, 0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	/* A destroyed device. */
	dev_ref(dev);
	destroy_dev(dev);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), ENXIO);
	dev_rel(dev);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/*
 * A driver of the wrong version: its node exists, but its dead d_mmap and
 * d_mmap_single refuse everything, so mapping it fails with EINVAL and
 * the driver's own d_mmap never runs.
 */
static struct cdevsw odrv_oldver_sw = {
	.d_version = D_VERSION_02,
	.d_name = "odrv_oldver",
	.d_mmap = NULL,		/* set to odrv_sw's in the test */
};

START_TEST(test_mmap_cdev_wrong_version)
{
	struct cdev *dev;
	vm_object_t o;
	vm_ooffset_t foff;

	odrv_oldver_sw.d_mmap = odrv_sw.d_mmap;
	odrv_oldver_sw.d_mmap_single = odrv_sw.d_mmap_single;
	dt_capture_start();
	dev = dt_make_dev(&odrv_oldver_sw, "oldver");
	ck_assert_int_eq(dt_count_substr(dt_capture_stop(),
	    "\"odrv_oldver\" has wrong version and is disabled"), 1);
	foff = 0;
	o = (vm_object_t)&o;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_READ, NULL, &o), EINVAL);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(odrv.calls, 0);
	ck_assert_int_eq(odrv.single_calls, 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_mmap_cdev_anon)
{
	struct cdev *dev;
	vm_object_t o;
	vm_ooffset_t foff;

	dev = dt_make_dev(&odrv_anon_sw, "zero");
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 2 * PAGE_SIZE,
	    VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, &cred_u, &o), 0);
	ck_assert_int_eq(o->type, OBJT_DEFAULT);
	ck_assert_uint_eq(o->size, 2);
	ck_assert_ptr_null(o->handle);
	vm_object_deallocate(o);
	destroy_dev(dev);
}
END_TEST

Suite *
device_pager_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("device_pager");

	tc = tcase_create("cdev_pager");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_pagertab);
	tcase_add_test(tc, test_allocate_refusals);
	tcase_add_test(tc, test_allocate_builds_and_finds);
	tcase_add_test(tc, test_allocate_mgtdevice);
	tcase_add_test(tc, test_lookup_referenced);
	tcase_add_test(tc, test_fail_point);
	tcase_add_test(tc, test_driver_errors);
	tcase_add_test(tc, test_haspage_putpages);
	tcase_add_test(tc, test_getpages_frees_others);
	tcase_add_test(tc, test_mgtdevice_fault_and_free_page);
	tcase_add_test(tc, test_device_free_page);
	tcase_add_test(tc, test_dealloc_frees_fake_pages);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "cdev_pager", dt_setup, dt_teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_wrong_page_type_mgt);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_wrong_page_type_dev);

	tc = tcase_create("old_style");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_old_alloc_ctor);
	tcase_add_test(tc, test_old_alloc_ctor_fpop);
	tcase_add_test(tc, test_old_alloc_ctor_error);
	tcase_add_test(tc, test_old_color);
	tcase_add_test(tc, test_old_fault_replace);
	tcase_add_test(tc, test_old_fault_vm_fault);
	tcase_add_test(tc, test_old_fault_giant);
	tcase_add_test(tc, test_old_fault_error);
	tcase_add_test(tc, test_destroy_dev_live_object);
	tcase_add_test(tc, test_memattr_alias_warning);
	suite_add_tcase(s, tc);

	tc = tcase_create("fidelity");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_add_test(tc, test_fault_prot_is_the_access);
	tcase_add_test(tc, test_pager_fail_and_error_fail_the_fault);
	tcase_add_test(tc, test_pglist_pages_on_no_queue);
	tcase_add_test(tc, test_ram_placeholder_replaced_old_style);
	tcase_add_test(tc, test_ram_placeholder_replaced_by_handlers);
#ifndef INVARIANTS
	tcase_add_test(tc, test_forgetful_handler_logged);
#endif
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "fidelity", dt_setup, dt_teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_forgetful_handler_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_pglist_page_on_queue_asserts);

	tc = tcase_create("vm_mmap_cdev");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_add_test(tc, test_mmap_cdev_fallback);
	tcase_add_test(tc, test_mmap_cdev_single);
	tcase_add_test(tc, test_mmap_cdev_errors);
	tcase_add_test(tc, test_mmap_cdev_anon);
	tcase_add_test(tc, test_mmap_cdev_wrong_version);
	suite_add_tcase(s, tc);
	return (s);
}
