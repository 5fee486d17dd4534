/*
 * The mem driver: eternal, one only, D_MEM, node size DEV_MEM_SIZE;
 * d_mmap maps RAM and windows at their physical address with their
 * memattr and fails on holes; faults through the device pager; read(2)
 * and write(2) through the direct map.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

static struct cdev *
mem_ref(void)
{
	struct cdev *dev;

	dev = dev_lookup_ref("mem");
	ck_assert_ptr_nonnull(dev);
	return (dev);
}

/* Call mem's d_mmap directly. */
static int
mem_d_mmap(struct cdev *dev, vm_ooffset_t off, vm_paddr_t *pa,
    vm_memattr_t *ma)
{
	struct cdevsw *csw;
	int error, ref;

	csw = dev_refthread(dev, &ref);
	ck_assert_ptr_nonnull(csw);
	*ma = VM_MEMATTR_DEFAULT;
	error = csw->d_mmap(dev, off, pa, VM_PROT_READ, ma);
	dev_relthread(dev, ref);
	return (error);
}

START_TEST(test_mem_node)
{
	struct cdev *dev;

	dev = mem_ref();
	ck_assert_uint_eq(dev->si_size, DEV_MEM_SIZE);
	ck_assert_uint_eq(DEV_MEM_SIZE, 2 * VM_PHYS_WINDOW_BASE);
	ck_assert_uint_ne(dev->si_flags & SI_ETERNAL, 0);
	ck_assert_uint_ne(dev->si_devsw->d_flags & D_MEM, 0);
	ck_assert_uint_eq(dev->si_mode, 0600);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_mem_driver);
	dev_rel(dev);
	/* Never destroyed, never a second one. */
	ck_assert_int_eq(drv_ctl("destroy mem"), EBUSY);
	ck_assert_int_eq(drv_ctl("create mem2 driver=mem"), EEXIST);
	ck_assert_ptr_null(dev_lookup_ref("mem2"));
	dev_destroy_all();
	dev = mem_ref();
	dev_rel(dev);
	ck_assert_ptr_null(dev_lookup_ref("ram0"));
}
END_TEST

START_TEST(test_mem_d_mmap)
{
	struct cdev *dev;
	vm_paddr_t pa, wbase;
	vm_memattr_t ma;

	dev = mem_ref();
	/* RAM: the address itself, write-back. */
	ck_assert_int_eq(mem_d_mmap(dev, 0, &pa, &ma), 0);
	ck_assert_uint_eq(pa, 0);
	ck_assert_int_eq(ma, VM_MEMATTR_WRITE_BACK);
	ck_assert_int_eq(mem_d_mmap(dev, DRV_PHYSMEM - PAGE_SIZE, &pa, &ma),
	    0);
	ck_assert_uint_eq(pa, DRV_PHYSMEM - PAGE_SIZE);
	/* Holes: past RAM, below the windows, past the node. */
	ck_assert_int_ne(mem_d_mmap(dev, DRV_PHYSMEM, &pa, &ma), 0);
	ck_assert_int_ne(mem_d_mmap(dev, VM_PHYS_WINDOW_BASE - PAGE_SIZE,
	    &pa, &ma), 0);
	ck_assert_int_ne(mem_d_mmap(dev, DEV_MEM_SIZE - PAGE_SIZE, &pa, &ma),
	    0);
	/* ram0 of the defaults is the first window. */
	ck_assert_uint_eq(drv_window_base("ram0"), VM_PHYS_WINDOW_BASE);
	ck_assert_int_eq(mem_d_mmap(dev, VM_PHYS_WINDOW_BASE, &pa, &ma), 0);
	ck_assert_uint_eq(pa, VM_PHYS_WINDOW_BASE);
	ck_assert_int_ne(mem_d_mmap(dev, DEV_MEM_SIZE, &pa, &ma), 0);
	/* A window: its memattr. */
	ck_assert_int_eq(drv_ctl("create w driver=ram size=64K memattr=wc"),
	    0);
	wbase = drv_window_base("w");
	ck_assert_uint_ge(wbase, VM_PHYS_WINDOW_BASE);
	ck_assert_int_eq(mem_d_mmap(dev, wbase + 0x3000, &pa, &ma), 0);
	ck_assert_uint_eq(pa, wbase + 0x3000);
	ck_assert_int_eq(ma, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_ne(mem_d_mmap(dev, wbase + 0x10000, &pa, &ma), 0);
	/* Gone with the window. */
	ck_assert_int_eq(drv_ctl("destroy w"), 0);
	ck_assert_int_ne(mem_d_mmap(dev, wbase, &pa, &ma), 0);
	dev_rel(dev);
}
END_TEST

START_TEST(test_mem_fault_ram)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;
	vm_page_t m;
	char *host;

	dev = mem_ref();
	rcu_read_lock();
	host = vm_phys_to_host(0x5000);
	ck_assert_ptr_nonnull(host);
	memcpy(host, "physical five", 14);
	rcu_read_unlock();
	foff = 0x4000;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 4 * PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_int_eq(vm_fault(obj, OFF_TO_IDX(0x5000), VM_PROT_READ, 0, 0,
	    &m), KERN_SUCCESS);
	ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
	ck_assert_uint_eq(m->phys_addr, 0x5000);
	rcu_read_lock();
	ck_assert_str_eq(vm_phys_to_host(m->phys_addr), "physical five");
	rcu_read_unlock();
	vm_fault_unhold(m);
	vm_object_deallocate(obj);
	dev_rel(dev);
}
END_TEST

START_TEST(test_mem_hole_fails)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;
	vm_paddr_t wbase;
	vm_page_t m;

	dev = mem_ref();
	/* A mapping over a hole cannot be made. */
	foff = DRV_PHYSMEM;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	ck_assert_ptr_null(obj);
	foff = DRV_PHYSMEM - PAGE_SIZE;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 2 * PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);

	/* A window mapped through mem, then destroyed: the range is a hole
	 * and the fault fails. */
	ck_assert_int_eq(drv_ctl("create w driver=ram size=64K"), 0);
	wbase = drv_window_base("w");
	foff = wbase;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 0x10000, VM_PROT_READ,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(vm_fault(obj, OFF_TO_IDX(wbase), VM_PROT_READ, 0, 0,
	    &m), KERN_SUCCESS);
	ck_assert_uint_eq(m->phys_addr, wbase);
	vm_fault_unhold(m);
	ck_assert_int_eq(drv_ctl("destroy w"), 0);
	ck_assert_int_eq(vm_fault(obj, OFF_TO_IDX(wbase) + 1, VM_PROT_READ, 0,
	    0, &m), KERN_FAILURE);
	vm_object_deallocate(obj);
	dev_rel(dev);
}
END_TEST

START_TEST(test_mem_read_write)
{
	struct cdev *dev;
	struct file *fp;
	char buf[64];
	size_t done;

	dev = mem_ref();
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &drv_cred, &fp), 0);
	/* Across a page boundary in RAM. */
	ck_assert_int_eq(devfs_write(fp, "across the boundary", 19,
	    0x2000 - 6, &done), 0);
	ck_assert_uint_eq(done, 19);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(devfs_read(fp, buf, 19, 0x2000 - 6, &done), 0);
	ck_assert_uint_eq(done, 19);
	ck_assert_str_eq(buf, "across the boundary");
	/* Up to the end of RAM, then a hole. */
	ck_assert_int_eq(devfs_read(fp, buf, 32, DRV_PHYSMEM - 8, &done), 0);
	ck_assert_uint_eq(done, 8);
	ck_assert_int_eq(devfs_read(fp, buf, 32, DRV_PHYSMEM, &done), EFAULT);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(devfs_close(fp), 0);
	dev_rel(dev);
}
END_TEST

Suite *
dev_mem_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_mem");
	tc = tcase_create("mem");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_mem_node);
	tcase_add_test(tc, test_mem_d_mmap);
	tcase_add_test(tc, test_mem_fault_ram);
	tcase_add_test(tc, test_mem_hole_fails);
	tcase_add_test(tc, test_mem_read_write);
	suite_add_tcase(s, tc);
	return (s);
}
