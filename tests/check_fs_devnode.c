/*
 * The map entries of a device node (fs_devnode.c, vm_map.c) with a
 * gem device behind them, without a mount: what a READ or write(2) on
 * an open file resolves to, the per-open check (refused for an open
 * that holds no handle, not asked for the kernel's write-back), entries
 * dropped when their buffer is destroyed although the node stays open
 * (so one open can run create/map/destroy rounds without end), and an
 * entry being made while its buffer is destroyed not kept.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_gem_util.h"
#include "devpager/gem_ioctl.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "fuse/fs_device.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

#define	ROUNDS	40000		/* more than the old 32767-range limit */

static const struct ucred other_cred = {
	.cr_uid = 555, .cr_gid = 555, .cr_pid = 78
};

static struct fs_devnode *dn;

static void
dn_setup(void)
{

	gt_setup();
	dev_set_retire_hook(fs_device_retire);
	dn = fs_device_node_open(gt_dev);
	ck_assert_ptr_nonnull(dn);
}

static void
dn_teardown(void)
{

	if (dn != NULL)
		fs_device_node_close(dn);
	dn = NULL;
	gt_teardown();
}

static int
gt_destroy(struct file *fp, uint32_t h)
{
	struct devpager_gem_destroy gd = { .handle = h };

	return (gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_DESTROY, &gd));
}

/*
 * One entry per buffer, used by its holder; another open is refused and
 * changes nothing; the kernel's write-back is not asked; destroying the
 * buffer drops the entry at once, and the object with it, while the
 * node stays open.
 */
START_TEST(test_fs_devnode_entry_life)
{
	vm_object_t obj, obj2;
	vm_ooffset_t objoff;
	struct file *fb;
	uint64_t off;
	uint32_t h;

	fb = gt_open(O_RDWR, &other_cred);
	h = gt_ioctl_create(gt_fp, "vram", 2 * PAGE_SIZE, &off);
	ck_assert_int_eq(fs_device_node_resolve(dn, gt_fp, off + PAGE_SIZE,
	    VM_PROT_READ, &obj, &objoff), 0);
	ck_assert_uint_eq(objoff, PAGE_SIZE);
	ck_assert_uint_eq(fs_device_node_nmaps(dn), 1);
	/* The handles' reference, the entry's and ours. */
	ck_assert_uint_eq(obj->ref_count, 3);
	ck_assert_int_eq(fs_device_node_resolve(dn, fb, off, VM_PROT_READ,
	    &obj2, &objoff), EACCES);
	ck_assert_int_eq(fs_device_node_resolve(dn, fb, off, VM_PROT_WRITE,
	    &obj2, &objoff), EACCES);
	ck_assert_uint_eq(obj->ref_count, 3);
	ck_assert_int_eq(fs_device_node_resolve(dn, NULL, off, VM_PROT_WRITE,
	    &obj2, &objoff), 0);
	ck_assert_ptr_eq(obj2, obj);
	ck_assert_uint_eq(objoff, 0);
	vm_object_deallocate(obj2);
	ck_assert_uint_eq(fs_device_node_nmaps(dn), 1);

	ck_assert_int_eq(gt_destroy(gt_fp, h), 0);
	ck_assert_uint_eq(fs_device_node_nmaps(dn), 0);
	ck_assert_uint_eq(obj->ref_count, 1);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_sc->sc_nranges, 0);
	ck_assert_int_eq(fs_device_node_resolve(dn, gt_fp, off, VM_PROT_READ,
	    &obj, &objoff), EINVAL);
	ck_assert_uint_eq(fs_device_node_nmaps(dn), 0);
	ck_assert_int_eq(devfs_close(fb), 0);
}
END_TEST

/*
 * ROUNDS create / fault a page / destroy rounds on one open of the
 * node: nothing of a round outlives it (entries, objects, offset
 * ranges), so every create succeeds.
 */
START_TEST(test_fs_devnode_rounds)
{
	vm_ooffset_t objoff;
	vm_object_t obj;
	vm_page_t m;
	uint64_t off;
	uint32_t h;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		h = gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, &off);
		ck_assert_int_eq(fs_device_node_resolve(dn, gt_fp, off,
		    VM_PROT_READ, &obj, &objoff), 0);
		ck_assert_int_eq(vm_fault(obj, OFF_TO_IDX(objoff),
		    VM_PROT_READ, GT_KEY, off, &m), KERN_SUCCESS);
		vm_fault_unhold(m);
		vm_object_deallocate(obj);
		ck_assert_int_eq(gt_destroy(gt_fp, h), 0);
		if (fs_device_node_nmaps(dn) != 0 ||
		    vm_object_live_count() != 0)
			ck_abort_msg("round %d left %lu entries, %lu objects",
			    i, fs_device_node_nmaps(dn),
			    vm_object_live_count());
	}
	ck_assert_uint_eq(gt_sc->sc_nranges, 0);
	ck_assert_uint_eq(gt_sc->sc_nbos, 0);
	ck_assert_uint_eq(gt_sc->sc_retired, ROUNDS);
}
END_TEST

/* A resolve in another thread. */
struct resolver {
	struct file	*fp;
	uint64_t	 off;
	int		 error;
	vm_object_t	 obj;
	pthread_t	 thr;
};

static void *
resolver_main(void *arg)
{
	struct resolver *r = arg;
	vm_ooffset_t objoff;

	rcu_thread_online();
	r->error = fs_device_node_resolve(dn, r->fp, r->off, VM_PROT_READ,
	    &r->obj, &objoff);
	return (NULL);
}

/*
 * The buffer is destroyed after the driver handed a READ its object but
 * before the entry is inserted: the entry is not kept (it would pin the
 * destroyed buffer until the last close, and map its offsets), the READ
 * looks again and fails.
 */
START_TEST(test_fs_devnode_retire_races_entry)
{
	struct resolver r;
	uint32_t h;

	memset(&r, 0, sizeof(r));
	h = gt_ioctl_create(gt_fp, "system", PAGE_SIZE, &r.off);
	r.fp = gt_fp;
	test_hook_arm("vm_map_made");
	ck_assert_int_eq(pthread_create(&r.thr, NULL, resolver_main, &r), 0);
	ck_assert(test_hook_wait_parked("vm_map_made", 5000));
	ck_assert_int_eq(gt_destroy(gt_fp, h), 0);
	test_hook_release("vm_map_made");
	pthread_join(r.thr, NULL);
	ck_assert_int_eq(r.error, EINVAL);
	ck_assert_uint_eq(fs_device_node_nmaps(dn), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
}
END_TEST

/* Devices whose driver has no per-open check serve every open. */
START_TEST(test_fs_devnode_no_check)
{
	struct fs_devnode *rdn;
	struct cdev *rdev;
	vm_ooffset_t objoff;
	vm_object_t obj;

	ck_assert_int_eq(drv_ctl("create r driver=ram size=64K"), 0);
	rdev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(rdev);
	rdn = fs_device_node_open(rdev);
	/* gt_fp is not even an open of r: nothing asks. */
	ck_assert_int_eq(fs_device_node_resolve(rdn, gt_fp, PAGE_SIZE,
	    VM_PROT_READ, &obj, &objoff), 0);
	ck_assert_uint_eq(objoff, PAGE_SIZE);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(fs_device_node_nmaps(rdn), 1);
	fs_device_node_close(rdn);
	dev_rel(rdev);
}
END_TEST

Suite *
fs_devnode_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_devnode");
	tc = tcase_create("entries");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, dn_setup, dn_teardown);
	tcase_add_test(tc, test_fs_devnode_entry_life);
	tcase_add_test(tc, test_fs_devnode_rounds);
	tcase_add_test(tc, test_fs_devnode_retire_races_entry);
	tcase_add_test(tc, test_fs_devnode_no_check);
	suite_add_tcase(s, tc);
	return (s);
}
