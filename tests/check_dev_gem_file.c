/*
 * The gem driver's handle tables (dev_gem_file.c) and what hangs on
 * them: handles that mean something in their own open only (another
 * open, of another user or not, can neither inspect, move, destroy,
 * name nor map them; its requests on a mapping entry are refused),
 * sharing by global name, the administrator's buffers reached by the
 * name of the ctl reply, a closed open destroying what only it held,
 * random offsets and names (collisions redrawn, retiring ranges avoided
 * until the filesystem reports their invalidation), a fault racing the
 * last close, and real threads creating, sharing and destroying on two
 * opens at once.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_gem_util.h"
#include "devpager/gem_ioctl.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"

static const struct ucred other_cred = {
	.cr_uid = 555, .cr_gid = 555, .cr_pid = 77
};

/* The INFO, MOVE, FLINK and DESTROY of handle h on fp: all errno. */
static void
gt_all_refused(struct file *fp, uint32_t h, int want)
{
	struct devpager_gem_info gi = { .handle = h };
	struct devpager_gem_move gm = { .handle = h,
	    .placement = DEVPAGER_GEM_SYSTEM };
	struct devpager_gem_flink gl = { .handle = h };
	struct devpager_gem_destroy gd = { .handle = h };

	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_INFO, &gi), want);
	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_MOVE, &gm), want);
	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_FLINK, &gl), want);
	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_DESTROY, &gd),
	    want);
}

/* vm_mmap_cdev of one page at off as FreeBSD's mmap(2) on fp would. */
static int
gt_mmap_as(struct file *fp, uint64_t off, vm_object_t *objp)
{
	struct file *saved;
	vm_ooffset_t foff;
	int error;

	foff = off;
	*objp = NULL;
	saved = devfs_fpop_enter(fp);
	error = vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, objp);
	devfs_fpop_exit(saved);
	return (error);
}

static uint64_t
gt_flink(struct file *fp, uint32_t h)
{
	struct devpager_gem_flink gl = { .handle = h };

	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_FLINK, &gl), 0);
	ck_assert_uint_ne(gl.name, 0);
	ck_assert_uint_le(gl.name, GEM_NAME_MAX);
	return (gl.name);
}

static uint32_t
gt_open_name(struct file *fp, uint64_t name, uint64_t *offp)
{
	struct devpager_gem_open go = { .name = name };

	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_OPEN, &go), 0);
	ck_assert_uint_ne(go.handle, 0);
	if (offp != NULL)
		*offp = go.offset;
	return (go.handle);
}

/*
 * Another open -- another user's, and the same user's -- cannot touch a
 * handle it did not get, whatever the number; its own numbering starts
 * at 1 too; it cannot map the buffer, and its requests through the
 * filesystem's shared mapping entry are refused while the owner's pass.
 */
START_TEST(test_gem_file_isolation)
{
	struct file *fb, *fc;
	vm_object_t obj, tmp;
	uint64_t offa, offb;
	uint32_t ha, hb;

	fb = gt_open(O_RDWR, &other_cred);
	fc = gt_open(O_RDWR, NULL);
	ha = gt_ioctl_create(gt_fp, "vram", 2 * PAGE_SIZE, &offa);
	ck_assert_uint_eq(ha, 1);
	gt_all_refused(fb, ha, ENOENT);
	gt_all_refused(fc, ha, ENOENT);
	ck_assert_int_eq(gt_placement_fp(gt_fp, ha), GEM_VRAM);
	ck_assert_uint_eq(vm_object_live_count(), 1);
	/* Nor through ctl: the administrator's table is another. */
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), ENOENT);
	ck_assert_int_eq(drv_ctl("gem g move handle=1 placement=system"),
	    ENOENT);
	ck_assert_int_eq(gt_placement_fp(gt_fp, ha), GEM_VRAM);

	/* B's own buffer is its handle 1, somewhere else. */
	hb = gt_ioctl_create(fb, "system", PAGE_SIZE, &offb);
	ck_assert_uint_eq(hb, 1);
	ck_assert(offb + PAGE_SIZE <= offa || offa + 2 * PAGE_SIZE <= offb);
	ck_assert_int_eq(gt_placement_fp(gt_fp, 1), GEM_VRAM);
	ck_assert_int_eq(gt_placement_fp(fb, 1), GEM_SYSTEM);
	ck_assert_uint_eq(gt_reserved(other_cred.cr_uid), PAGE_SIZE);

	/* mmap(2) as each open: only the holder maps it. */
	ck_assert_int_eq(gt_mmap_as(fb, offa, &tmp), EACCES);
	ck_assert_ptr_null(tmp);
	ck_assert_int_eq(gt_mmap_as(fc, offa + PAGE_SIZE, &tmp), EACCES);
	ck_assert_int_eq(gt_mmap_as(gt_fp, offa + PAGE_SIZE, &tmp), 0);
	vm_object_deallocate(tmp);
	ck_assert_int_eq(gt_mmap_as(gt_fp, offb, &tmp), EACCES);
	/* The filesystem's entry (made without a file), checked per
	 * request. */
	obj = gt_map(offa, NULL);
	ck_assert_int_eq(gt_access(gt_fp, obj), 0);
	ck_assert_int_eq(gt_access(fb, obj), EACCES);
	ck_assert_int_eq(gt_access(fc, obj), EACCES);
	vm_object_deallocate(obj);

	/* B's close destroys B's buffer only. */
	ck_assert_int_eq(devfs_close(fb), 0);
	ck_assert_uint_eq(gt_reserved(other_cred.cr_uid), 0);
	ck_assert_uint_eq(vm_object_live_count(), 1);
	ck_assert_int_eq(gt_placement_fp(gt_fp, 1), GEM_VRAM);
	ck_assert_int_eq(devfs_close(fc), 0);
	ck_assert_uint_eq(vm_object_live_count(), 1);
}
END_TEST

/*
 * Sharing by name: flink gives one name per buffer; opening it adds a
 * handle to the opener's table (twice: two handles); the buffer lives
 * while any handle does, with its data; a handle closed takes that
 * open's access with it; the last one destroys the buffer and its name.
 */
START_TEST(test_gem_file_flink_open)
{
	struct devpager_gem_info ga = { 0 }, gb = { 0 };
	struct devpager_gem_destroy gd = { 0 };
	struct devpager_gem_open go = { 0 };
	struct file *fb, *fc;
	vm_object_t obj;
	uint64_t off, offb, name;
	uint32_t ha, hb, hb2;

	fb = gt_open(O_RDONLY, &other_cred);
	ha = gt_ioctl_create(gt_fp, "vram", 3 * PAGE_SIZE, &off);
	obj = gt_map(off, NULL);
	gt_fill(obj, 3, 41);
	name = gt_flink(gt_fp, ha);
	ck_assert_uint_eq(gt_flink(gt_fp, ha), name);
	ck_assert_int_eq(gt_access(fb, obj), EACCES);

	hb = gt_open_name(fb, name, &offb);
	ck_assert_uint_eq(offb, off);
	ga.handle = ha;
	gb.handle = hb;
	ck_assert_int_eq(gt_ioctl_fp(gt_fp, DEVPAGER_GEM_IOC_INFO, &ga), 0);
	ck_assert_int_eq(gt_ioctl_fp(fb, DEVPAGER_GEM_IOC_INFO, &gb), 0);
	ck_assert_uint_eq(gb.object_id, ga.object_id);
	ck_assert_uint_eq(gb.size, 3 * PAGE_SIZE);
	ck_assert_int_eq(gt_access(fb, obj), 0);
	/* The flinked name of a shared buffer is the same from B. */
	ck_assert_uint_eq(gt_flink(fb, hb), name);
	hb2 = gt_open_name(fb, name, NULL);
	ck_assert_uint_ne(hb2, hb);

	/* A lets go: B keeps it, with its data; A's access is gone. */
	gd.handle = ha;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), 0);
	ck_assert_int_eq(gt_access(gt_fp, obj), EACCES);
	ck_assert_int_eq(gt_access(fb, obj), 0);
	ck_assert_uint_eq(gt_sc->sc_retired, 0);
	ck_assert(gt_check(obj, 3, 41));
	gd.handle = hb;
	ck_assert_int_eq(gt_ioctl_fp(fb, DEVPAGER_GEM_IOC_DESTROY, &gd), 0);
	ck_assert_int_eq(gt_access(fb, obj), 0);	/* hb2 */
	/* The name is still there; a new open of it works. */
	fc = gt_open(O_RDWR, NULL);
	ck_assert_uint_eq(gt_open_name(fc, name, NULL), 1);

	/* Every handle closed: destroyed, the name gone. */
	ck_assert_int_eq(devfs_close(fb), 0);
	ck_assert_uint_eq(gt_sc->sc_retired, 0);
	ck_assert_int_eq(devfs_close(fc), 0);
	ck_assert_uint_eq(gt_sc->sc_retired, 1);
	go.name = name;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_OPEN, &go), ENOENT);
	ck_assert_uint_eq(obj->resident_page_count, 0);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/*
 * Closing an open destroys the buffers only it held: memory, charges
 * and offsets back, every served place revoked, faults on what the
 * filesystem still references fail.
 */
START_TEST(test_gem_file_close_destroys)
{
	struct file *fa;
	vm_object_t obj;
	uint64_t o1, o2;
	vm_page_t m;

	fa = gt_open(O_RDWR, NULL);
	(void)gt_ioctl_create(fa, "vram", 4 * PAGE_SIZE, &o1);
	(void)gt_ioctl_create(fa, "system", 2 * PAGE_SIZE, &o2);
	(void)gt_ioctl_create(fa, "vram", PAGE_SIZE, NULL);
	obj = gt_map(o1, NULL);
	gt_fill(obj, 4, 3);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 2 * PAGE_SIZE);
	ck_assert_uint_eq(gt_sc->sc_nranges, 3);
	gt_rec_reset();
	ck_assert_int_eq(devfs_close(fa), 0);
	ck_assert_uint_eq(gt_sc->sc_retired, 3);
	ck_assert_uint_eq(gt_sc->sc_nranges, 0);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	ck_assert(gt_rec_has(GT_KEY, ptoa(3)));
	ck_assert_uint_eq(obj->resident_page_count, 0);
	ck_assert_int_eq(vm_fault(obj, 1, VM_PROT_READ, GT_KEY, 0, &m),
	    KERN_FAILURE);
	ck_assert_uint_eq(vm_object_live_count(), 1);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	ck_assert_uint_eq(gt_sc->sc_nbos, 0);
}
END_TEST

/*
 * The administrator's buffers: named in the ctl reply, PATH dev/g#H; a
 * program opens the name and maps it; the administrator's destroy drops
 * its own handle only.  A program's buffer is dev/g@UID.
 */
START_TEST(test_gem_admin_by_name)
{
	struct file *fb;
	vm_object_t obj, bobj;
	uint64_t off, offb, name, boff;
	uint32_t h, hb;

	h = gt_create("vram", 2 * PAGE_SIZE, &off, NULL);
	name = gt_last_name;
	obj = gt_map(off, NULL);
	ck_assert_str_eq(obj->path, "dev/g#1");
	fb = gt_open(O_RDONLY, &other_cred);
	ck_assert_int_eq(gt_access(fb, obj), EACCES);
	hb = gt_open_name(fb, name, &offb);
	ck_assert_uint_eq(offb, off);
	ck_assert_int_eq(gt_access(fb, obj), 0);
	ck_assert_int_eq(drv_ctlf("gem g destroy handle=%u", h), 0);
	ck_assert_int_eq(drv_ctlf("gem g destroy handle=%u", h), ENOENT);
	ck_assert_int_eq(gt_placement(h), -1);
	ck_assert_int_eq(gt_placement_fp(fb, hb), GEM_VRAM);
	ck_assert_uint_eq(gt_sc->sc_retired, 0);
	ck_assert_int_eq(gt_access(fb, obj), 0);
	ck_assert_int_eq(devfs_close(fb), 0);
	ck_assert_uint_eq(gt_sc->sc_retired, 1);
	vm_object_deallocate(obj);

	/* A program's buffer is named by its creator's uid only. */
	fb = gt_open(O_RDWR, &other_cred);
	(void)gt_ioctl_create(fb, "vram", PAGE_SIZE, &boff);
	bobj = gt_map(boff, NULL);
	ck_assert_str_eq(bobj->path, "dev/g@555");
	vm_object_deallocate(bobj);
	ck_assert_int_eq(devfs_close(fb), 0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

/* A deterministic random source: the values given, then distinct ones. */
#define	SEQ_MAX	80
static uint64_t seq[SEQ_MAX];
static unsigned seq_n, seq_i;

static uint64_t
seq_next(void)
{

	if (seq_i < seq_n)
		return (seq[seq_i++]);
	return (1000000 + seq_i++);
}

static void
seq_set(unsigned n, const uint64_t *v)
{
	unsigned i;

	ck_assert_uint_le(n, SEQ_MAX);
	for (i = 0; i < n; i++)
		seq[i] = v[i];
	seq_n = n;
	seq_i = 0;
	gem_set_random(seq_next);
}

/* A retire hook that keeps the done callbacks for the test to run. */
struct retired {
	vm_ooffset_t		 off;
	vm_size_t		 len;
	dev_retire_done_t	*done;
	void			*arg;
};
static struct retired rt[8];
static unsigned nrt;

static void
rt_hook(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
    dev_retire_done_t *done, void *arg)
{

	ck_assert_ptr_eq(dev, gt_dev);
	ck_assert_uint_lt(nrt, 8);
	rt[nrt].off = off;
	rt[nrt].len = len;
	rt[nrt].done = done;
	rt[nrt].arg = arg;
	nrt++;
}

static void
rt_run(unsigned i)
{

	rt[i].done(rt[i].arg);
	rt[i].done = NULL;
}

#define	SLOT(i)	(GEM_OFFSET_MIN + (uint64_t)(i) * PAGE_SIZE)

/*
 * Offsets: a draw that overlaps a taken range, on either side, is
 * redrawn, as is one past the unbiased limit; a retired range stays
 * taken until the filesystem reports its invalidation; when every draw
 * collides the create fails with ENOMEM and changes nothing.
 */
START_TEST(test_gem_offsets_random)
{
	static const uint64_t d1[] = { 0 }, d2[] = { 4 },
	    d3[] = { 3, UINT64_MAX, 2 }, d5[] = { 0, 1, 6 };
	struct devpager_gem_create gc;
	struct devpager_gem_destroy gd = { 0 };
	uint64_t all4[SEQ_MAX], off;
	unsigned long live, nfree;
	vm_ooffset_t foff;
	vm_object_t obj;
	uint32_t h1;
	int i;

	nrt = 0;
	dev_set_retire_hook(rt_hook);
	seq_set(1, d1);
	h1 = gt_ioctl_create(gt_fp, "vram", 2 * PAGE_SIZE, &off);
	ck_assert_uint_eq(off, SLOT(0));
	seq_set(1, d2);
	(void)gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, &off);
	ck_assert_uint_eq(off, SLOT(4));
	/* [3, 5) hits slot 4; UINT64_MAX is past the limit; [2, 4) fits
	 * exactly between. */
	seq_set(3, d3);
	(void)gt_ioctl_create(gt_fp, "vram", 2 * PAGE_SIZE, &off);
	ck_assert_uint_eq(off, SLOT(2));
	ck_assert_uint_eq(seq_i, 3);
	ck_assert_uint_eq(gt_sc->sc_nranges, 3);

	/* Destroyed: the filesystem is told the exact range, once. */
	gd.handle = h1;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_DESTROY, &gd), 0);
	ck_assert_uint_eq(nrt, 1);
	ck_assert_uint_eq(rt[0].off, SLOT(0));
	ck_assert_uint_eq(rt[0].len, 2 * PAGE_SIZE);
	ck_assert_uint_eq(gt_sc->sc_nretiring, 1);
	ck_assert_uint_eq(gt_sc->sc_nranges, 3);
	foff = SLOT(1);
	ck_assert_int_eq(vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	/* Its slots are not given out while it retires. */
	seq_set(3, d5);
	(void)gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, &off);
	ck_assert_uint_eq(off, SLOT(6));
	rt_run(0);
	ck_assert_uint_eq(gt_sc->sc_nretiring, 0);
	ck_assert_uint_eq(gt_sc->sc_nranges, 3);
	seq_set(1, d1);
	(void)gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, &off);
	ck_assert_uint_eq(off, SLOT(0));

	/* Every draw collides: ENOMEM, nothing changed. */
	for (i = 0; i < SEQ_MAX; i++)
		all4[i] = 4;
	seq_set(SEQ_MAX, all4);
	live = vm_object_live_count();
	nfree = gt_sc->sc_vram_nfree;
	memset(&gc, 0, sizeof(gc));
	gc.size = PAGE_SIZE;
	gc.placement = DEVPAGER_GEM_VRAM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), ENOMEM);
	ck_assert_uint_eq(seq_i, GEM_OFFSET_TRIES);
	ck_assert_uint_eq(vm_object_live_count(), live);
	ck_assert_uint_eq(gt_sc->sc_nranges, 4);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, nfree);
	seq_set(SEQ_MAX, all4);
	ck_assert_int_eq(drv_ctl("gem g create size=4K"), ENOMEM);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "no free range"));
	ck_assert_uint_eq(vm_object_live_count(), live);

	/* What teardown closes must not wait for this hook. */
	gem_set_random(NULL);
	dev_set_retire_hook(NULL);
}
END_TEST

/*
 * Names: 0 is never one (redrawn), the top bit is dropped, a name in use
 * is redrawn; the administrator's buffers take one at creation.
 */
START_TEST(test_gem_names_random)
{
	static const uint64_t n1[] = { 0, 1ULL << 63, (1ULL << 63) | 5 },
	    n2[] = { 5, 7 }, n3[] = { 9, 5, 7, 11 };
	uint32_t h1, h2;

	h1 = gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, NULL);
	h2 = gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, NULL);
	seq_set(3, n1);
	ck_assert_uint_eq(gt_flink(gt_fp, h1), 5);
	seq_set(2, n2);
	ck_assert_uint_eq(gt_flink(gt_fp, h2), 7);
	ck_assert_uint_eq(gt_flink(gt_fp, h1), 5);
	/* ctl create: an offset draw (9), then names 5 and 7 are taken. */
	seq_set(4, n3);
	(void)gt_create("vram", PAGE_SIZE, NULL, NULL);
	ck_assert_uint_eq(gt_last_name, 11);
	gem_set_random(NULL);
}
END_TEST

/*
 * The retire hook runs for the last handle only, once, with the
 * buffer's exact range.
 */
START_TEST(test_gem_retire_last_handle)
{
	struct file *fb;
	uint64_t off;
	uint32_t h;

	nrt = 0;
	dev_set_retire_hook(rt_hook);
	h = gt_create("system", 3 * PAGE_SIZE, &off, NULL);
	fb = gt_open(O_RDWR, &other_cred);
	(void)gt_open_name(fb, gt_last_name, NULL);
	ck_assert_int_eq(drv_ctlf("gem g destroy handle=%u", h), 0);
	ck_assert_uint_eq(nrt, 0);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 3 * PAGE_SIZE);
	ck_assert_int_eq(devfs_close(fb), 0);
	ck_assert_uint_eq(nrt, 1);
	ck_assert_uint_eq(rt[0].off, off);
	ck_assert_uint_eq(rt[0].len, 3 * PAGE_SIZE);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	rt_run(0);
	ck_assert_uint_eq(gt_sc->sc_nranges, 0);
	dev_set_retire_hook(NULL);
}
END_TEST

/*
 * Real threads: two opens each create, map, fault, check and destroy
 * their own buffers in a loop, checking that the other open is refused;
 * a third opens a shared buffer by name and closes the handle again.
 * Witness aborts on a lock-order reversal between the tables and sc_mtx.
 */
struct tstate {
	struct file	*fp[2];
	struct file	*fshare;
	uint64_t	 name;
	volatile int	 stop;
	unsigned long	 errors;
	unsigned long	 rounds;
	unsigned long	 opens;
};

struct tworker {
	struct tstate	*st;
	int		 i;
	pthread_t	 thr;
};

static void *
tworker_main(void *arg)
{
	struct tworker *w = arg;
	struct tstate *st = w->st;
	struct devpager_gem_create gc;
	struct devpager_gem_destroy gd;
	struct file *me = st->fp[w->i], *them = st->fp[1 - w->i];
	struct file *saved;
	vm_ooffset_t foff;
	vm_object_t obj;
	vm_page_t m;
	int n, ok;

	rcu_thread_online();
	for (n = 0; n < 200; n++) {
		/*
		 * Half-way, wait for the sharer's first round (or its
		 * failure): on a loaded machine it might otherwise not run
		 * until both workers are done, and nothing would overlap.
		 */
		while (n == 100 &&
		    __atomic_load_n(&st->opens, __ATOMIC_RELAXED) == 0 &&
		    __atomic_load_n(&st->errors, __ATOMIC_RELAXED) == 0)
			sched_yield();
		memset(&gc, 0, sizeof(gc));
		gc.size = PAGE_SIZE * (1 + n % 3);
		gc.placement = n % 2 == 0 ? DEVPAGER_GEM_VRAM :
		    DEVPAGER_GEM_SYSTEM;
		if (devfs_ioctl(me, DEVPAGER_GEM_IOC_CREATE, &gc) != 0) {
			__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
			continue;
		}
		foff = gc.offset;
		ok = vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
		    VM_PROT_ALL, &drv_cred, &obj) == 0;
		if (ok) {
			saved = devfs_fpop_enter(me);
			ok = dev_gem_driver.dd_map_access(gt_dev, obj,
			    VM_PROT_READ) == 0;
			devfs_fpop_enter(them);
			ok = ok && dev_gem_driver.dd_map_access(gt_dev, obj,
			    VM_PROT_READ) == EACCES;
			devfs_fpop_exit(saved);
			ok = ok && vm_fault(obj, 0, VM_PROT_WRITE, GT_KEY + 2,
			    0, &m) == KERN_SUCCESS;
			if (ok)
				vm_fault_unhold(m);
			vm_object_deallocate(obj);
		}
		gd.handle = gc.handle;
		gd.pad = 0;
		if (!ok || devfs_ioctl(me, DEVPAGER_GEM_IOC_DESTROY, &gd) != 0)
			__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&st->rounds, 1, __ATOMIC_RELAXED);
	}
	return (NULL);
}

static void *
tsharer_main(void *arg)
{
	struct tstate *st = arg;
	struct devpager_gem_open go;
	struct devpager_gem_destroy gd;

	rcu_thread_online();
	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		memset(&go, 0, sizeof(go));
		go.name = st->name;
		if (devfs_ioctl(st->fshare, DEVPAGER_GEM_IOC_OPEN, &go) != 0) {
			__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
			break;
		}
		gd.handle = go.handle;
		gd.pad = 0;
		if (devfs_ioctl(st->fshare, DEVPAGER_GEM_IOC_DESTROY, &gd) != 0)
			__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&st->opens, 1, __ATOMIC_RELAXED);
	}
	return (NULL);
}

START_TEST(test_gem_file_threads)
{
	struct tworker w[2];
	struct tstate st;
	pthread_t sharer;
	uint32_t hs;
	int i;

	memset(&st, 0, sizeof(st));
	st.fp[0] = gt_fp;
	st.fp[1] = gt_open(O_RDWR, &other_cred);
	st.fshare = gt_open(O_RDONLY, &other_cred);
	hs = gt_ioctl_create(gt_fp, "vram", PAGE_SIZE, NULL);
	st.name = gt_flink(gt_fp, hs);
	for (i = 0; i < 2; i++) {
		w[i].st = &st;
		w[i].i = i;
		ck_assert_int_eq(pthread_create(&w[i].thr, NULL, tworker_main,
		    &w[i]), 0);
	}
	ck_assert_int_eq(pthread_create(&sharer, NULL, tsharer_main, &st), 0);
	for (i = 0; i < 2; i++)
		pthread_join(w[i].thr, NULL);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	pthread_join(sharer, NULL);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_eq(st.rounds, 400);
	ck_assert_uint_gt(st.opens, 0);
	/* Only the shared buffer is left, with its one handle. */
	ck_assert_uint_eq(vm_object_live_count(), 1);
	ck_assert_uint_eq(gt_sc->sc_nranges, 1);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM) - 1);
	ck_assert_uint_eq(gt_reserved(other_cred.cr_uid), 0);
	ck_assert_int_eq(devfs_close(st.fp[1]), 0);
	ck_assert_int_eq(devfs_close(st.fshare), 0);
	ck_assert_uint_eq(vm_object_live_count(), 1);
}
END_TEST

/* A handle closed in another thread. */
struct closer {
	struct file	*fp;
	uint32_t	 handle;
	int		 error;
	pthread_t	 thr;
};

static void *
closer_main(void *arg)
{
	struct closer *c = arg;
	struct devpager_gem_destroy gd = { .handle = c->handle };

	rcu_thread_online();
	c->error = devfs_ioctl(c->fp, DEVPAGER_GEM_IOC_DESTROY, &gd);
	return (NULL);
}

/*
 * A fault that comes while the last handle's close is between revoking
 * the pages and freeing the memory fails: it is not served from memory
 * about to be freed, and no page of the buffer is resident afterwards.
 */
START_TEST(test_gem_fault_during_retire)
{
	struct closer c;
	vm_object_t obj;
	uint64_t off;
	vm_page_t m;

	c.fp = gt_fp;
	c.handle = gt_ioctl_create(gt_fp, "system", 2 * PAGE_SIZE, &off);
	obj = gt_map(off, NULL);
	gt_fill(obj, 2, 9);
	test_hook_arm("gem_retire_revoked");
	ck_assert_int_eq(pthread_create(&c.thr, NULL, closer_main, &c), 0);
	ck_assert(test_hook_wait_parked("gem_retire_revoked", 5000));
	ck_assert_uint_eq(obj->resident_page_count, 0);
	ck_assert_int_eq(vm_fault(obj, 1, VM_PROT_READ, GT_KEY, 0, &m),
	    KERN_FAILURE);
	ck_assert_uint_eq(obj->resident_page_count, 0);
	test_hook_release("gem_retire_revoked");
	pthread_join(c.thr, NULL);
	ck_assert_int_eq(c.error, 0);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	vm_object_deallocate(obj);
	ck_assert_uint_eq(vm_object_live_count(), 0);
}
END_TEST

Suite *
dev_gem_file_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_gem_file");
	tc = tcase_create("handles");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_file_isolation);
	tcase_add_test(tc, test_gem_file_flink_open);
	tcase_add_test(tc, test_gem_file_close_destroys);
	tcase_add_test(tc, test_gem_admin_by_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("random");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_offsets_random);
	tcase_add_test(tc, test_gem_names_random);
	tcase_add_test(tc, test_gem_retire_last_handle);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_fault_during_retire);
	tcase_add_test(tc, test_gem_file_threads);
	suite_add_tcase(s, tc);
	return (s);
}
