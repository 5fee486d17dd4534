/*
 * The gem driver: devices (vram window, fictitious range, node size),
 * buffer objects created and destroyed through ctl and ioctl (reply
 * format, handles, offsets), bad commands and ioctls refused with nothing
 * changed, d_mmap_single's offset translation, faults on vram and system
 * BOs, the per-uid charge of system BOs (ENOMEM beyond the limit, the
 * figures of vm/swap), destroy while mapped, and device destroy.
 * Moves, eviction and races are in check_dev_gem_move.c; handle tables,
 * names, offsets and retirement in check_dev_gem_file.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_gem_util.h"
#include "devpager/gem_ioctl.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "fuse/fs_ctl.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

struct phys_seen {
	int		windows;
	int		fict;
	vm_size_t	win_size;
	vm_memattr_t	win_ma, fict_ma;
};

static void
phys_cb(const struct vm_phys_info *vi, void *arg)
{
	struct phys_seen *ps = arg;

	if (vi->kind == VM_PHYS_WINDOW && strcmp(vi->name, "g") == 0) {
		ps->windows++;
		ps->win_size = vi->end - vi->start;
		ps->win_ma = vi->memattr;
	}
	if (vi->kind == VM_PHYS_FICTITIOUS &&
	    vi->start == gt_sc->sc_vram_base) {
		ps->fict++;
		ps->fict_ma = vi->memattr;
		ck_assert_uint_eq(vi->end, gt_sc->sc_vram_base + GT_VRAM);
	}
}

static void
phys_seen(struct phys_seen *ps)
{

	memset(ps, 0, sizeof(*ps));
	rcu_read_lock();
	vm_phys_foreach(phys_cb, ps);
	rcu_read_unlock();
}

/* A gem device: node size, memattr, driver, vram window + range. */
START_TEST(test_gem_device)
{
	struct phys_seen ps;

	ck_assert_uint_eq(gt_dev->si_size, GEM_NODE_SIZE);
	ck_assert_uint_eq(gt_dev->si_size, 1ULL << 62);
	ck_assert_int_eq(gt_dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_ptr_eq(dev_driver_of(gt_dev), &dev_gem_driver);
	ck_assert_uint_eq(gt_dev->si_owner, drv_cred.cr_uid);
	ck_assert_uint_eq(gt_dev->si_mode, 0660);
	phys_seen(&ps);
	ck_assert_int_eq(ps.windows, 1);
	ck_assert_int_eq(ps.fict, 1);
	ck_assert_uint_eq(ps.win_size, GT_VRAM);
	ck_assert_int_eq(ps.win_ma, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(ps.fict_ma, VM_MEMATTR_WRITE_COMBINING);
	/* Every vram page is a managed fictitious page. */
	ck_assert_ptr_nonnull(PHYS_TO_VM_PAGE(gt_sc->sc_vram_base));
	ck_assert_uint_ne(PHYS_TO_VM_PAGE(gt_sc->sc_vram_base)->flags &
	    PG_FICTITIOUS, 0);
	ck_assert_uint_eq(PHYS_TO_VM_PAGE(gt_sc->sc_vram_base + GT_VRAM -
	    PAGE_SIZE)->oflags & VPO_UNMANAGED, 0);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	/* Destroyed: window and range go. */
	dev_rel(gt_dev);
	ck_assert_int_eq(drv_ctl("destroy g"), 0);
	gt_dev = dev_lookup_ref("g");
	ck_assert_ptr_null(gt_dev);
	phys_seen(&ps);
	ck_assert_int_eq(ps.windows, 0);
	/* Recreate for the teardown. */
	ck_assert_int_eq(drv_ctl("create g driver=gem"), 0);
	gt_dev = dev_lookup_ref("g");
	ck_assert_ptr_nonnull(gt_dev);
	gt_sc = gt_dev->si_drv1;
	ck_assert_uint_eq(gt_sc->sc_vram_size, 64UL << 20);
}
END_TEST

/* size= is checked; other keys refused; nothing changes. */
START_TEST(test_gem_device_bad_args)
{
	char *before, *after;

	before = drv_state();
	ck_assert_int_eq(drv_ctl("create h driver=gem size=4K"), EINVAL);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "vram size"));
	ck_assert_int_eq(drv_ctl("create h driver=gem size=2G"), EINVAL);
	ck_assert_int_eq(drv_ctl("create h driver=gem width=3"), EINVAL);
	ck_assert_int_eq(drv_ctl("create h driver=gem backing=/tmp/x"),
	    EINVAL);
	ck_assert_int_eq(drv_ctl("create g driver=gem"), EEXIST);
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* memattr cannot be changed. */
	ck_assert_int_eq(drv_ctl("memattr g uc"), EINVAL);
}
END_TEST

/*
 * ctl create: the reply, handles counting up in the administrator's
 * table, random page-aligned offsets that do not overlap, names.
 */
START_TEST(test_gem_ctl_create_reply)
{
	char want[160];
	uint64_t off[3], sz[3], name[3];
	uint32_t h;
	int i, j;

	h = gt_create("vram", 10000, &off[0], &sz[0]);
	name[0] = gt_last_name;
	ck_assert_uint_eq(h, 1);
	ck_assert_uint_eq(sz[0], 12288);
	snprintf(want, sizeof(want), "handle=1 offset=%ju size=12288 "
	    "name=%ju", (uintmax_t)off[0], (uintmax_t)name[0]);
	ck_assert_str_eq(drv_reply(), want);
	ck_assert_uint_eq(gt_create("system", 3 << 20, &off[1], &sz[1]), 2);
	name[1] = gt_last_name;
	ck_assert_uint_eq(gt_create("vram", 4096, &off[2], &sz[2]), 3);
	name[2] = gt_last_name;
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++) {
			ck_assert(off[i] + sz[i] <= off[j] ||
			    off[j] + sz[j] <= off[i]);
			ck_assert_uint_ne(name[i], name[j]);
		}
	ck_assert_uint_eq(GEM_OFFSET_ALIGN, PAGE_SIZE);
	ck_assert_int_eq(gt_placement(1), GEM_VRAM);
	ck_assert_int_eq(gt_placement(2), GEM_SYSTEM);
	ck_assert_uint_eq(vm_object_live_count(), 3);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM) - 4);
	ck_assert_uint_eq(gt_sc->sc_nranges, 3);
}
END_TEST

/* ctl destroy frees the object, the vram and the handle. */
START_TEST(test_gem_ctl_destroy)
{
	uint32_t h;

	h = gt_create("vram", 64 << 10, NULL, NULL);
	ck_assert_uint_eq(vm_object_live_count(), 1);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM) - 16);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), 0);
	ck_assert_uint_eq(h, 1);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), ENOENT);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "handle 1"));
	ck_assert_int_eq(gt_placement(1), -1);
	/* Handles are not reused at once. */
	ck_assert_uint_eq(gt_create("vram", 4096, NULL, NULL), 2);
}
END_TEST

/* Bad ctl commands: EINVAL (syntax) or ENOENT, nothing changed. */
START_TEST(test_gem_ctl_bad)
{
	static const struct {
		const char	*line;
		int		 error;
	} bad[] = {
		{ "gem g create", EINVAL },
		{ "gem g create size=0", EINVAL },
		{ "gem g create size=lots", EINVAL },
		{ "gem g create size=1M placement=moon", EINVAL },
		{ "gem g create size=1M colour=red", EINVAL },
		{ "gem g create size=8G", EINVAL },
		{ "gem g create size=1M placement=vram", ENOMEM },
		{ "gem g destroy", EINVAL },
		{ "gem g destroy handle=x", EINVAL },
		{ "gem g destroy handle=0", EINVAL },
		{ "gem g destroy handle=99", ENOENT },
		{ "gem g move handle=1", EINVAL },
		{ "gem g move handle=99 placement=system", ENOENT },
		{ "gem g frobnicate", EINVAL },
		{ "gem nosuch create size=1M", ENOENT },
		{ "gem r create size=1M", EINVAL },
	};
	/* Straight into the driver: its own checks, not the parser's. */
	static char v_create[] = "create", v_move[] = "move",
	    v_destroy[] = "destroy", k_size[] = "size=4K",
	    k_dup[] = "size=8K", k_noeq[] = "size", k_h[] = "handle=1",
	    k_hbig[] = "handle=4294967296", k_pl[] = "placement=disk";
	char *a1[] = { v_create, k_size, k_dup };
	char *a2[] = { v_create, k_noeq };
	char *a3[] = { v_move, k_h, k_pl };
	char *a4[] = { v_destroy, k_hbig };
	char *a5[] = { v_destroy };
	struct sbuf sb;
	unsigned long live;
	unsigned i;

	(void)gt_create("vram", 4096, NULL, NULL);
	ck_assert_int_eq(drv_ctl("create r driver=ram size=4K"), 0);
	live = vm_object_live_count();
	for (i = 0; i < nitems(bad); i++) {
		ck_assert_msg(drv_ctl(bad[i].line) == bad[i].error,
		    "'%s': want %d, got '%s'", bad[i].line, bad[i].error,
		    drv_reply());
		ck_assert_msg(strlen(drv_reply()) > 0, "'%s': no message",
		    bad[i].line);
		ck_assert_uint_eq(vm_object_live_count(), live);
	}
	sbuf_init(&sb);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 3, a1, &drv_cred, &sb),
	    EINVAL);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 2, a2, &drv_cred, &sb),
	    EINVAL);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 3, a3, &drv_cred, &sb),
	    EINVAL);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 2, a4, &drv_cred, &sb),
	    EINVAL);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 1, a5, &drv_cred, &sb),
	    EINVAL);
	ck_assert_int_eq(dev_driver_ctl("gem", "g", 0, a5, &drv_cred, &sb),
	    EINVAL);
	sbuf_delete(&sb);
	ck_assert_uint_eq(vm_object_live_count(), live);
	ck_assert_int_eq(gt_placement(1), GEM_VRAM);
}
END_TEST

/* ioctl create/info/move/destroy on an open file. */
START_TEST(test_gem_ioctl_entry_points)
{
	struct devpager_gem_create gc;
	struct devpager_gem_destroy gd;
	struct devpager_gem_move gm;
	struct devpager_gem_info gi;

	memset(&gc, 0, sizeof(gc));
	gc.size = 5000;
	gc.placement = DEVPAGER_GEM_VRAM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), 0);
	ck_assert_uint_eq(gc.handle, 1);
	ck_assert_uint_eq(gc.size, 8192);
	ck_assert_uint_eq(gc.offset % DEVPAGER_GEM_OFFSET_ALIGN, 0);
	ck_assert_uint_ge(gc.offset, DEVPAGER_GEM_OFFSET_MIN);
	ck_assert_uint_le(gc.offset + gc.size, DEVPAGER_GEM_NODE_SIZE);
	memset(&gi, 0, sizeof(gi));
	gi.handle = gc.handle;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_INFO, &gi), 0);
	ck_assert_uint_eq(gi.placement, DEVPAGER_GEM_VRAM);
	ck_assert_uint_eq(gi.size, 8192);
	ck_assert_uint_eq(gi.offset, gc.offset);
	ck_assert_uint_ne(gi.object_id, 0);
	ck_assert_uint_eq(vm_object_live_count(), 1);

	gm.handle = gc.handle;
	gm.placement = DEVPAGER_GEM_SYSTEM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_MOVE, &gm), 0);
	ck_assert_int_eq(gt_placement_fp(gt_fp, gc.handle), GEM_SYSTEM);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 8192);

	gd.handle = gc.handle;
	gd.pad = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), ENOENT);
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_INFO, &gi), ENOENT);
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_MOVE, &gm), ENOENT);
}
END_TEST

/* Bad ioctls and arguments are refused and change nothing. */
START_TEST(test_gem_ioctl_bad)
{
	struct devpager_gem_create gc;
	struct devpager_gem_destroy gd;
	struct devpager_gem_move gm;
	struct devpager_gem_info gi;
	struct devpager_gem_flink gl;
	struct devpager_gem_open go;
	struct file *fp;
	char junk[32];

	memset(junk, 0, sizeof(junk));
	ck_assert_int_eq(gt_ioctl(_IOWR('G', 99, struct devpager_gem_move),
	    junk), ENOTTY);
	ck_assert_int_eq(gt_ioctl(_IOWR('H', 1, struct devpager_gem_create),
	    junk), ENOTTY);
	memset(&gc, 0, sizeof(gc));
	gc.size = 4096;
	gc.placement = 3;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.placement = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.placement = DEVPAGER_GEM_VRAM;
	gc.flags = 1;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.flags = 0;
	gc.pad = 1;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.pad = 0;
	gc.size = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.size = GEM_BO_SIZE_MAX + 1;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), EINVAL);
	gc.size = GT_VRAM + PAGE_SIZE;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), ENOMEM);
	gd.handle = 0;
	gd.pad = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), EINVAL);
	gd.handle = 1;
	gd.pad = 7;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), EINVAL);
	gm.handle = 0;
	gm.placement = DEVPAGER_GEM_VRAM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_MOVE, &gm), EINVAL);
	memset(&gi, 0, sizeof(gi));
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_INFO, &gi), EINVAL);
	ck_assert_uint_eq(vm_object_live_count(), 0);

	/* Bad names. */
	memset(&go, 0, sizeof(go));
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_OPEN, &go), EINVAL);
	go.name = 1ULL << 63;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_OPEN, &go), EINVAL);
	go.name = 5;
	go.pad = 1;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_OPEN, &go), EINVAL);
	go.pad = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_OPEN, &go), ENOENT);
	memset(&gl, 0, sizeof(gl));
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_FLINK, &gl), EINVAL);
	gl.handle = 1;
	gl.pad = 2;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_FLINK, &gl), EINVAL);
	gl.pad = 0;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_FLINK, &gl), ENOENT);
	ck_assert_uint_eq(vm_object_live_count(), 0);

	/*
	 * A BO of the administrator; then a move to a bad placement;
	 * read-only opens: no create or move, but names may be opened and
	 * the open's own handles closed.
	 */
	(void)gt_create("vram", 4096, NULL, NULL);
	gm.handle = 1;
	gm.placement = 9;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_MOVE, &gm), EINVAL);
	ck_assert_int_eq(devfs_open(gt_dev, O_RDONLY, &drv_cred, &fp), 0);
	gc.size = 4096;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_CREATE, &gc), EBADF);
	gm.placement = DEVPAGER_GEM_SYSTEM;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_MOVE, &gm), EBADF);
	gi.handle = 1;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_INFO, &gi), ENOENT);
	go.name = gt_last_name;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_OPEN, &go), 0);
	ck_assert_uint_eq(go.handle, 1);
	gi.handle = go.handle;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_INFO, &gi), 0);
	ck_assert_uint_eq(gi.placement, DEVPAGER_GEM_VRAM);
	gd.handle = go.handle;
	gd.pad = 0;
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_DESTROY, &gd), 0);
	ck_assert_int_eq(devfs_ioctl(fp, DEVPAGER_GEM_IOC_INFO, &gi), ENOENT);
	ck_assert_int_eq(devfs_close(fp), 0);
	/* The administrator's handle keeps it. */
	ck_assert_uint_eq(vm_object_live_count(), 1);
	ck_assert_int_eq(gt_placement(1), GEM_VRAM);
}
END_TEST

/*
 * A system BO made through the ioctl is charged to the caller of the
 * request (td_ucred), not to the device owner; beyond the caller's limit
 * it is ENOMEM and vm/swap counts a failure.
 */
START_TEST(test_gem_ioctl_charges_caller)
{
	struct ucred other = { .cr_uid = 555, .cr_gid = 555, .cr_pid = 9 };
	struct devpager_gem_create gc;
	struct swap_uid_info si;

	swap_set_limit(555, 64 << 10);
	curthread->td_ucred = &other;
	memset(&gc, 0, sizeof(gc));
	gc.size = 48 << 10;
	gc.placement = DEVPAGER_GEM_SYSTEM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), 0);
	ck_assert_uint_eq(gt_reserved(555), 48 << 10);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	gc.size = 32 << 10;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), ENOMEM);
	ck_assert(swap_uid_get(555, &si));
	ck_assert_uint_eq(si.su_reserved, 48 << 10);
	ck_assert_uint_eq(si.su_limit, 64 << 10);
	ck_assert_uint_eq(si.su_failures, 1);
	curthread->td_ucred = NULL;
	ck_assert_uint_eq(vm_object_live_count(), 1);
	/* The handle is gt_fp's, not the administrator's. */
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), ENOENT);
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY,
	    &(struct devpager_gem_destroy){ .handle = 1 }), 0);
	ck_assert_uint_eq(gt_reserved(555), 0);
}
END_TEST

/* System BOs through ctl: charged, ENOMEM past the limit, released. */
START_TEST(test_gem_system_limit)
{
	struct swap_uid_info si;

	ck_assert_int_eq(drv_ctl("swap limit uid=4321 size=64K"), 0);
	(void)gt_create("system", 32 << 10, NULL, NULL);
	ck_assert(swap_uid_get(drv_cred.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 32 << 10);
	ck_assert_int_eq(drv_ctl("gem g create size=64K placement=system"),
	    ENOMEM);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "uid 4321"));
	ck_assert(swap_uid_get(drv_cred.cr_uid, &si));
	ck_assert_uint_eq(si.su_reserved, 32 << 10);
	ck_assert_uint_eq(si.su_failures, 1);
	ck_assert_uint_eq(vm_object_live_count(), 1);
	/* vram BOs are not charged. */
	(void)gt_create("vram", 128 << 10, NULL, NULL);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 32 << 10);
	/* Exactly up to the limit is fine. */
	(void)gt_create("system", 32 << 10, NULL, NULL);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 64 << 10);
	/* Moving the vram BO to system would pass the limit. */
	ck_assert_int_eq(drv_ctl("gem g move handle=2 placement=system"),
	    ENOMEM);
	ck_assert_int_eq(gt_placement(2), GEM_VRAM);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), 0);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=3"), 0);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
}
END_TEST

/* d_mmap_single: the BO holding the offset, *off made relative. */
START_TEST(test_gem_mmap_single_translation)
{
	vm_object_t o1, o2, o3, obj;
	vm_ooffset_t foff;
	uint64_t off[3];
	uint32_t h[3];
	char path[64];
	int i;

	h[0] = gt_create("vram", 3 * PAGE_SIZE, &off[0], NULL);
	h[1] = gt_create("system", 5 * PAGE_SIZE, &off[1], NULL);
	h[2] = gt_create("vram", PAGE_SIZE, &off[2], NULL);
	o1 = gt_map(off[0], &foff);
	ck_assert_uint_eq(foff, 0);
	obj = gt_map(off[0] + 2 * PAGE_SIZE, &foff);
	ck_assert_ptr_eq(obj, o1);
	ck_assert_uint_eq(foff, 2 * PAGE_SIZE);
	vm_object_deallocate(obj);
	o2 = gt_map(off[1] + 4 * PAGE_SIZE, &foff);
	ck_assert_ptr_ne(o2, o1);
	ck_assert_uint_eq(foff, 4 * PAGE_SIZE);
	o3 = gt_map(off[2], &foff);
	ck_assert_uint_eq(foff, 0);
	for (i = 0; i < 3; i++) {
		obj = i == 0 ? o1 : i == 1 ? o2 : o3;
		ck_assert_int_eq(obj->type, OBJT_MGTDEVICE);
		ck_assert_uint_eq(obj->flags & OBJ_UNMANAGED, 0);
		ck_assert_uint_ne(obj->flags & OBJ_FICTITIOUS, 0);
		ck_assert_ptr_eq(gt_bo(obj)->bo_obj, obj);
		snprintf(path, sizeof(path), "dev/g#%u", h[i]);
		ck_assert_str_eq(obj->path, path);
		/* The table's reference and ours. */
		ck_assert_uint_eq(obj->ref_count, 2);
	}
	ck_assert_uint_eq(o1->size, 3);
	ck_assert_uint_eq(o2->size, 5);
	ck_assert_int_eq(o1->memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(o2->memattr, VM_MEMATTR_WRITE_BACK);
	/* Offsets no BO holds. */
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	foff = off[2] + PAGE_SIZE;
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	foff = GEM_NODE_SIZE - PAGE_SIZE;
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	/* The filesystem's chunk try: a 2 MiB range starting in BO 1
	 * gets BO 1 even if the size runs past it. */
	foff = off[0] + PAGE_SIZE;
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, NBPDR, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_ptr_eq(obj, o1);
	ck_assert_uint_eq(foff, PAGE_SIZE);
	vm_object_deallocate(obj);
	/* A BO over several chunks: every chunk start is inside it. */
	(void)gt_create("system", 5 << 20, &off[0], NULL);
	foff = off[0] + (4 << 20);
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, NBPDR, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_uint_eq(foff, 4 << 20);
	ck_assert_uint_eq(obj->size, atop(5 << 20));
	vm_object_deallocate(obj);
	vm_object_deallocate(o1);
	vm_object_deallocate(o2);
	vm_object_deallocate(o3);
}
END_TEST

/* Faults on a vram BO: its managed fictitious pages, zeroed, WC. */
START_TEST(test_gem_fault_vram)
{
	vm_object_t obj;
	vm_page_t m, m2;
	unsigned char *p;
	uint64_t off;
	vm_pindex_t i;

	(void)gt_create("vram", 4 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	for (i = 0; i < 4; i++) {
		m = gt_fault(obj, i, VM_PROT_READ, off + ptoa(i));
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		ck_assert_uint_eq(m->oflags & VPO_UNMANAGED, 0);
		ck_assert(gt_in_vram(m->phys_addr));
		ck_assert_ptr_eq(PHYS_TO_VM_PAGE(m->phys_addr), m);
		ck_assert_int_eq(vm_page_memattr(m),
		    VM_MEMATTR_WRITE_COMBINING);
		ck_assert(!vm_page_busied(m));
		vm_page_lock(m);
		ck_assert_int_eq(pmap_page_mapping_count(m), 1);
		vm_page_unlock(m);
		rcu_read_lock();
		p = vm_phys_to_host(m->phys_addr);
		ck_assert_int_eq(p[0], 0);
		ck_assert_int_eq(p[PAGE_SIZE - 1], 0);
		rcu_read_unlock();
		gt_unhold(m);
	}
	ck_assert_uint_eq(obj->resident_page_count, 4);
	/* Resident: the same page again (no pager call). */
	m = gt_fault(obj, 1, VM_PROT_READ, off + PAGE_SIZE);
	m2 = gt_fault(obj, 1, VM_PROT_READ, off + PAGE_SIZE);
	ck_assert_ptr_eq(m, m2);
	gt_unhold(m);
	gt_unhold(m2);
	/* Data round trip and pages distinct. */
	gt_fill(obj, 4, 3);
	ck_assert(gt_check(obj, 4, 3));
	/* Past the BO: no page. */
	ck_assert_int_eq(vm_fault(obj, 4, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	vm_object_deallocate(obj);
}
END_TEST

/* Faults on a system BO: wired RAM pages, managed, WB. */
START_TEST(test_gem_fault_system)
{
	vm_object_t obj;
	vm_page_t m;
	unsigned long freepages;
	uint64_t off;
	vm_pindex_t i;

	freepages = vm_phys_free_count();
	(void)gt_create("system", 3 * PAGE_SIZE, &off, NULL);
	ck_assert_uint_eq(vm_phys_free_count(), freepages - 3);
	obj = gt_map(off + PAGE_SIZE, NULL);
	for (i = 0; i < 3; i++) {
		m = gt_fault(obj, i, VM_PROT_READ, off + ptoa(i));
		ck_assert_uint_eq(m->flags & PG_FICTITIOUS, 0);
		ck_assert_uint_eq(m->oflags & VPO_UNMANAGED, 0);
		ck_assert(gt_in_ram(m->phys_addr));
		ck_assert_uint_ne(m->wire_count, 0);
		ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
		gt_unhold(m);
	}
	gt_fill(obj, 3, 11);
	ck_assert(gt_check(obj, 3, 11));
	ck_assert(!gt_check(obj, 3, 12));
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), 0);
	ck_assert_uint_eq(vm_phys_free_count(), freepages);
}
END_TEST

/*
 * A gem fault handed FreeBSD's RAM placeholder (the fail point
 * vm_fault_fake_placeholder) frees it when the BO's page takes its place
 * (cdev_pager(9)): the free RAM is the same before and after, for a vram
 * and a system BO.
 */
START_TEST(test_gem_fault_ram_placeholder)
{
	static const char *const places[] = { "vram", "system" };
	vm_object_t obj;
	vm_page_t m;
	unsigned long freepages, hits;
	uint64_t off;
	unsigned i;

	for (i = 0; i < 2; i++) {
		(void)gt_create(places[i], 2 * PAGE_SIZE, &off, NULL);
		obj = gt_map(off, NULL);
		freepages = vm_phys_free_count();
		ck_assert_int_eq(fail_point_set("vm_fault_fake_placeholder",
		    "return(1)"), 0);
		m = gt_fault(obj, 1, VM_PROT_READ, off + PAGE_SIZE);
		ck_assert_int_eq(fail_point_set("vm_fault_fake_placeholder",
		    "off"), 0);
		ck_assert_int_eq(fail_point_hits("vm_fault_fake_placeholder",
		    &hits), 0);
		ck_assert_uint_ge(hits, 1);
		ck_assert_ptr_eq(gt_bo(obj)->bo_pages[1], m);
		gt_unhold(m);
		ck_assert_uint_eq(vm_phys_free_count(), freepages);
		vm_object_deallocate(obj);
	}
}
END_TEST

/*
 * Destroy while mapped: the handle, the memory and the charge go at
 * once, every place a page was served at is revoked, and faults on the
 * object the filesystem still references fail; the object lives until
 * that reference goes.  No new mapping of the offsets.
 */
START_TEST(test_gem_destroy_while_mapped)
{
	vm_object_t obj, sobj, tmp;
	vm_ooffset_t foff;
	uint64_t off, soff;
	unsigned long freepages;
	vm_page_t m;

	freepages = vm_phys_free_count();
	(void)gt_create("vram", 2 * PAGE_SIZE, &off, NULL);
	(void)gt_create("system", PAGE_SIZE, &soff, NULL);
	obj = gt_map(off, NULL);
	sobj = gt_map(soff, NULL);
	gt_fill(obj, 2, 5);
	gt_fill(sobj, 1, 6);
	m = gt_fault(obj, 1, VM_PROT_READ, off + PAGE_SIZE);
	gt_unhold(m);
	gt_rec_reset();
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), 0);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=2"), 0);
	/* Revoked where served; memory and charge back. */
	ck_assert(gt_rec_has(GT_KEY, off + PAGE_SIZE));
	ck_assert(gt_rec_has(GT_KEY, ptoa(0)));
	ck_assert_uint_eq(obj->resident_page_count, 0);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	ck_assert_uint_eq(vm_phys_free_count(), freepages);
	ck_assert_uint_eq(gt_sc->sc_retired, 2);
	/* The objects live on while referenced, and fail. */
	ck_assert_uint_eq(vm_object_live_count(), 2);
	ck_assert_uint_eq(obj->ref_count, 1);
	ck_assert_int_eq(gt_placement(1), -1);
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, GT_KEY, off, &m),
	    KERN_FAILURE);
	ck_assert_int_eq(vm_fault(sobj, 0, VM_PROT_WRITE, GT_KEY, soff, &m),
	    KERN_FAILURE);
	/* No new mapping. */
	foff = off;
	tmp = NULL;
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &tmp), EINVAL);
	ck_assert_ptr_null(tmp);
	vm_object_deallocate(obj);
	vm_object_deallocate(sobj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_sc->sc_nbos, 0);
}
END_TEST

/*
 * Device destroy with BOs: memory, charges, window and range all go;
 * an object the filesystem still holds fails its faults (SIGBUS), and
 * goes when released.
 */
START_TEST(test_gem_device_destroy_with_bos)
{
	struct phys_seen ps;
	vm_object_t obj, sobj;
	uint64_t off, soff;
	vm_page_t m;

	(void)gt_create("vram", 4 * PAGE_SIZE, &off, NULL);
	(void)gt_create("system", 2 * PAGE_SIZE, &soff, NULL);
	(void)gt_create("vram", PAGE_SIZE, NULL, NULL);
	obj = gt_map(off, NULL);
	sobj = gt_map(soff, NULL);
	gt_fill(obj, 4, 1);
	gt_fill(sobj, 2, 1);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 2 * PAGE_SIZE);
	dev_rel(gt_dev);
	gt_rec_reset();
	ck_assert_int_eq(drv_ctl("destroy g"), 0);
	/* Every served place was revoked. */
	ck_assert(gt_rec_has(GT_KEY, ptoa(3)));
	ck_assert(gt_rec_has(GT_KEY, ptoa(1)));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	phys_seen(&ps);
	ck_assert_int_eq(ps.windows, 0);
	ck_assert_int_eq(ps.fict, 0);
	ck_assert_uint_eq(vm_object_live_count(), 2);
	ck_assert_uint_eq(obj->resident_page_count, 0);
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	ck_assert_int_eq(vm_fault(sobj, 1, VM_PROT_WRITE, 0, 0, &m),
	    KERN_FAILURE);
	vm_object_deallocate(obj);
	vm_object_deallocate(sobj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	/* For the teardown. */
	ck_assert_int_eq(drv_ctl("create g driver=gem size=256K"), 0);
	gt_dev = dev_lookup_ref("g");
	ck_assert_ptr_nonnull(gt_dev);
	gt_sc = gt_dev->si_drv1;
}
END_TEST

/* The default set has gem0, 64M of vram. */
START_TEST(test_gem_default_set)
{
	struct sbuf err;
	struct cdev *dev;
	struct gem_softc *sc;

	sbuf_init(&err);
	ck_assert_int_eq(fs_config_apply_defaults(&drv_cred, &err), 0);
	sbuf_delete(&err);
	dev = dev_lookup_ref("gem0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_gem_driver);
	sc = dev->si_drv1;
	ck_assert_uint_eq(sc->sc_vram_size, GEM_VRAM_DEFAULT);
	ck_assert_uint_eq(dev->si_size, GEM_NODE_SIZE);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("gem gem0 create size=1M"), 0);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "handle=1 offset="));
	ck_assert_ptr_nonnull(strstr(drv_reply(), " size=1048576 name="));
}
END_TEST

Suite *
dev_gem_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_gem");
	tc = tcase_create("device");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_device);
	tcase_add_test(tc, test_gem_device_bad_args);
	tcase_add_test(tc, test_gem_device_destroy_with_bos);
	tcase_add_test(tc, test_gem_default_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("ctl");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_ctl_create_reply);
	tcase_add_test(tc, test_gem_ctl_destroy);
	tcase_add_test(tc, test_gem_ctl_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("ioctl");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_ioctl_entry_points);
	tcase_add_test(tc, test_gem_ioctl_bad);
	tcase_add_test(tc, test_gem_ioctl_charges_caller);
	tcase_add_test(tc, test_gem_system_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("mapping");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_mmap_single_translation);
	tcase_add_test(tc, test_gem_fault_vram);
	tcase_add_test(tc, test_gem_fault_system);
	tcase_add_test(tc, test_gem_fault_ram_placeholder);
	tcase_add_test(tc, test_gem_destroy_while_mapped);
	suite_add_tcase(s, tc);
	return (s);
}
