/*
 * fs_vm_objects: the text of vm/object/<ID>/info and pages, generated
 * from real objects without a mount.  info never shows an address of the
 * daemon: the handle is named by what it is (a live device, a private
 * key, none), and a device object's devp.dev -- the handle
 * cdev_pager_allocate() got, a gem buffer for gem objects -- is named
 * only when it is a live device, never read as one.  pages names the
 * window of a page however many windows there are.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_gem_util.h"
#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "fuse/fs_node.h"
#include "fuse/fs_vm.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

#define	NRAM		70	/* more windows than the old fixed table */

static struct sbuf text;

/* The info (FS_OBJ_INFO) or pages text of obj, in text. */
static const char *
obj_text(vm_object_t obj, unsigned kind)
{
	int error;

	sbuf_clear(&text);
	if (kind == FS_OBJ_INFO)
		error = fs_vm_object_info_generate(&text,
		    fs_ino_object(obj->id, kind));
	else
		error = fs_vm_object_pages_generate(&text,
		    fs_ino_object(obj->id, kind));
	ck_assert_int_eq(error, 0);
	ck_assert_int_eq(sbuf_finish(&text), 0);
	return (sbuf_data(&text));
}

/* The object of device name, mapped as the filesystem maps it. */
static vm_object_t
map_name(const char *name, vm_size_t len)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;

	dev = dev_lookup_ref(name);
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	obj = NULL;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, len, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_ptr_nonnull(obj);
	dev_rel(dev);
	return (obj);
}

static void
setup(void)
{

	gt_setup();
	sbuf_init(&text);
}

static void
teardown(void)
{

	sbuf_delete(&text);
	gt_teardown();
}

START_TEST(test_info_handles)
{
	vm_object_t bo, fb, anon;
	const char *t;
	uint64_t off;

	/* A gem buffer: its handle is the BO, which is no device. */
	(void)gt_create("vram", 16384, &off, NULL);
	bo = gt_map(off, NULL);
	t = obj_text(bo, FS_OBJ_INFO);
	ck_assert_msg(strstr(t, "\nhandle: private\n") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "cdev:") == NULL, "%s", t);
	ck_assert_msg(strstr(t, "0x") == NULL, "%s", t);

	/* fb's object: the device is the handle. */
	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=16"), 0);
	fb = map_name("f", 4096);
	t = obj_text(fb, FS_OBJ_INFO);
	ck_assert_msg(strstr(t, "\nhandle: cdev f\n") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "\ncdev: f\n") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "0x") == NULL, "%s", t);

	/* Destroyed while mapped: the cdev struct lives on, not as a
	 * device. */
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
	t = obj_text(fb, FS_OBJ_INFO);
	ck_assert_msg(strstr(t, "\nhandle: private\n") != NULL, "%s", t);
	ck_assert_msg(strstr(t, "cdev:") == NULL, "%s", t);

	/* No handle at all. */
	anon = vm_object_allocate(OBJT_DEFAULT, 1);
	t = obj_text(anon, FS_OBJ_INFO);
	ck_assert_msg(strstr(t, "\nhandle: none\n") != NULL, "%s", t);

	vm_object_deallocate(anon);
	vm_object_deallocate(fb);
	vm_object_deallocate(bo);
}
END_TEST

/* More windows than any fixed table: the page's window is still named. */
START_TEST(test_pages_many_windows)
{
	char name[16], want[32];
	vm_object_t obj;
	vm_page_t m;
	const char *t;
	unsigned i;

	for (i = 0; i < NRAM; i++)
		ck_assert_int_eq(drv_ctlf("create r%u driver=ram size=4K", i),
		    0);
	snprintf(name, sizeof(name), "r%u", NRAM - 1);
	obj = map_name(name, 4096);
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	t = obj_text(obj, FS_OBJ_PAGES);
	snprintf(want, sizeof(want), " %s\n", name);
	ck_assert_msg(strstr(t, want) != NULL, "no '%s' in:\n%s", name, t);
	vm_object_deallocate(obj);
}
END_TEST

Suite *
fs_vm_objects_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_vm_objects");
	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_info_handles);
	tcase_add_test(tc, test_pages_many_windows);
	suite_add_tcase(s, tc);
	return (s);
}
