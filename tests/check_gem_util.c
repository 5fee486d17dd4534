/*
 * Helpers of the gem suites (check_gem_util.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

#define	GT_REC_MAX	4096

struct cdev *gt_dev;
struct gem_softc *gt_sc;
struct file *gt_fp;
uint64_t gt_last_name;

static pthread_mutex_t gt_rec_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct gt_unmap gt_rec[GT_REC_MAX];
static unsigned gt_nrec;

/* The double: called with a page lock held, so it only records. */
static void
gt_unmap_cb(uint64_t key, vm_ooffset_t off, vm_size_t len, void *arg)
{

	(void)arg;
	pthread_mutex_lock(&gt_rec_mtx);
	if (gt_nrec < GT_REC_MAX) {
		gt_rec[gt_nrec].key = key;
		gt_rec[gt_nrec].off = off;
		gt_rec[gt_nrec].len = len;
	}
	gt_nrec++;
	pthread_mutex_unlock(&gt_rec_mtx);
}

void
gt_rec_reset(void)
{

	pthread_mutex_lock(&gt_rec_mtx);
	gt_nrec = 0;
	pthread_mutex_unlock(&gt_rec_mtx);
}

unsigned
gt_rec_count(void)
{
	unsigned n;

	pthread_mutex_lock(&gt_rec_mtx);
	n = gt_nrec;
	pthread_mutex_unlock(&gt_rec_mtx);
	return (n);
}

bool
gt_rec_has(uint64_t key, vm_ooffset_t off)
{
	unsigned i;
	bool found;

	found = false;
	pthread_mutex_lock(&gt_rec_mtx);
	for (i = 0; i < gt_nrec && i < GT_REC_MAX && !found; i++)
		found = gt_rec[i].key == key && gt_rec[i].off == off &&
		    gt_rec[i].len == PAGE_SIZE;
	pthread_mutex_unlock(&gt_rec_mtx);
	return (found);
}

void
gt_setup(void)
{
	char line[128];

	drv_setup();
	snprintf(line, sizeof(line), "create g driver=gem size=%lu",
	    GT_VRAM);
	ck_assert_int_eq(drv_ctl(line), 0);
	gt_dev = dev_lookup_ref("g");
	ck_assert_ptr_nonnull(gt_dev);
	gt_sc = gt_dev->si_drv1;
	gt_fp = gt_open(O_RDWR, NULL);
	gt_rec_reset();
	pmap_set_unmap_callback(gt_unmap_cb, NULL);
}

void
gt_teardown(void)
{

	fail_point_reset_all();
	test_hook_reset();
	if (gt_fp != NULL)
		(void)devfs_close(gt_fp);	/* ENXIO if g was destroyed */
	gt_fp = NULL;
	dev_set_retire_hook(NULL);
	gem_set_random(NULL);
	dev_rel(gt_dev);
	gt_dev = NULL;
	gt_sc = NULL;
	drv_teardown();
	pmap_set_unmap_callback(NULL, NULL);
	curthread->td_ucred = NULL;
}

uint32_t
gt_create(const char *placement, uint64_t size, uint64_t *offp,
    uint64_t *sizep)
{
	char line[128], tail[8];
	unsigned h;
	uintmax_t off, sz, name;

	snprintf(line, sizeof(line), "gem g create size=%ju placement=%s",
	    (uintmax_t)size, placement);
	ck_assert_msg(drv_ctl(line) == 0, "'%s': %s", line, drv_reply());
	ck_assert_msg(sscanf(drv_reply(), "handle=%u offset=%ju size=%ju "
	    "name=%ju%7s", &h, &off, &sz, &name, tail) == 4, "reply '%s'",
	    drv_reply());
	ck_assert_uint_eq(off % GEM_OFFSET_ALIGN, 0);
	ck_assert_uint_ge(off, GEM_OFFSET_MIN);
	ck_assert_uint_le(off + sz, GEM_NODE_SIZE);
	ck_assert_uint_eq(sz, round_page(size));
	ck_assert_uint_ne(name, 0);
	ck_assert_uint_le(name, GEM_NAME_MAX);
	gt_last_name = name;
	if (offp != NULL)
		*offp = off;
	if (sizep != NULL)
		*sizep = sz;
	return (h);
}

int
gt_ioctl_fp(struct file *fp, unsigned long cmd, void *arg)
{

	return (devfs_ioctl(fp, cmd, arg));
}

int
gt_ioctl(unsigned long cmd, void *arg)
{

	return (gt_ioctl_fp(gt_fp, cmd, arg));
}

struct file *
gt_open(int flags, const struct ucred *cred)
{
	struct file *fp;

	ck_assert_int_eq(devfs_open(gt_dev, flags, cred != NULL ? cred :
	    &drv_cred, &fp), 0);
	return (fp);
}

uint32_t
gt_ioctl_create(struct file *fp, const char *placement, uint64_t size,
    uint64_t *offp)
{
	struct devpager_gem_create gc;

	memset(&gc, 0, sizeof(gc));
	gc.size = size;
	gc.placement = strcmp(placement, "vram") == 0 ? DEVPAGER_GEM_VRAM :
	    DEVPAGER_GEM_SYSTEM;
	ck_assert_int_eq(gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_CREATE, &gc), 0);
	ck_assert_uint_ne(gc.handle, 0);
	ck_assert_uint_eq(gc.offset % GEM_OFFSET_ALIGN, 0);
	ck_assert_uint_ge(gc.offset, GEM_OFFSET_MIN);
	ck_assert_uint_le(gc.offset + gc.size, GEM_NODE_SIZE);
	if (offp != NULL)
		*offp = gc.offset;
	return (gc.handle);
}

int
gt_access(struct file *fp, vm_object_t obj)
{
	const struct dev_driver *drv;
	struct file *saved;
	int error;

	drv = &dev_gem_driver;
	ck_assert_ptr_nonnull(drv->dd_map_access);
	saved = devfs_fpop_enter(fp);
	error = drv->dd_map_access(gt_dev, obj, VM_PROT_READ);
	devfs_fpop_exit(saved);
	return (error);
}

vm_object_t
gt_map(uint64_t off, vm_ooffset_t *objoffp)
{
	vm_ooffset_t foff;
	vm_object_t obj;
	int error;

	foff = off;
	obj = NULL;
	error = vm_mmap_cdev(gt_dev, &foff, PAGE_SIZE, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj);
	ck_assert_msg(error == 0, "vm_mmap_cdev(%#jx): %d", (uintmax_t)off,
	    error);
	ck_assert_ptr_nonnull(obj);
	if (objoffp != NULL)
		*objoffp = foff;
	return (obj);
}

vm_page_t
gt_fault(vm_object_t obj, vm_pindex_t pidx, vm_prot_t prot,
    vm_ooffset_t mapoff)
{
	vm_page_t m;
	int rv;

	m = NULL;
	rv = vm_fault(obj, pidx, prot, GT_KEY, mapoff, &m);
	ck_assert_msg(rv == KERN_SUCCESS, "vm_fault(%ju): %d",
	    (uintmax_t)pidx, rv);
	ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
	ck_assert_ptr_eq(m->object, obj);
	ck_assert_uint_eq(m->pindex, pidx);
	return (m);
}

void
gt_unhold(vm_page_t m)
{

	vm_fault_unhold(m);
}

static unsigned char
gt_byte(unsigned seed, vm_pindex_t pidx, unsigned i)
{

	return ((unsigned char)(seed * 31 + pidx * 131 + i * 7 + (i >> 8)));
}

void
gt_fill(vm_object_t obj, vm_pindex_t npages, unsigned seed)
{
	unsigned char *p;
	vm_pindex_t pidx;
	vm_page_t m;
	unsigned i;

	for (pidx = 0; pidx < npages; pidx++) {
		m = gt_fault(obj, pidx, VM_PROT_WRITE, ptoa(pidx));
		rcu_read_lock();
		p = vm_phys_to_host(m->phys_addr);
		ck_assert_ptr_nonnull(p);
		for (i = 0; i < PAGE_SIZE; i++)
			p[i] = gt_byte(seed, pidx, i);
		rcu_read_unlock();
		gt_unhold(m);
	}
}

/* Every byte of the first npages pages is gt_byte(seed), or 0 if zero. */
static bool
gt_compare(vm_object_t obj, vm_pindex_t npages, unsigned seed, bool zero)
{
	unsigned char *p;
	vm_pindex_t pidx;
	vm_page_t m;
	unsigned i;
	bool ok;

	ok = true;
	for (pidx = 0; pidx < npages && ok; pidx++) {
		m = gt_fault(obj, pidx, VM_PROT_READ, ptoa(pidx));
		rcu_read_lock();
		p = vm_phys_to_host(m->phys_addr);
		ck_assert_ptr_nonnull(p);
		for (i = 0; i < PAGE_SIZE && ok; i++)
			ok = p[i] == (zero ? 0 : gt_byte(seed, pidx, i));
		rcu_read_unlock();
		gt_unhold(m);
	}
	return (ok);
}

bool
gt_check(vm_object_t obj, vm_pindex_t npages, unsigned seed)
{

	return (gt_compare(obj, npages, seed, false));
}

bool
gt_is_zero(vm_object_t obj, vm_pindex_t npages)
{

	return (gt_compare(obj, npages, 0, true));
}

bool
gt_in_vram(vm_paddr_t pa)
{

	return (pa >= gt_sc->sc_vram_base &&
	    pa < gt_sc->sc_vram_base + gt_sc->sc_vram_size);
}

bool
gt_in_ram(vm_paddr_t pa)
{

	return (vm_phys_paddr_to_vm_page(pa) != NULL);
}

struct gem_bo *
gt_bo(vm_object_t obj)
{

	return (obj->handle);
}

int
gt_placement(uint32_t handle)
{
	struct gem_bo_info bi;

	if (gem_handle_info(&gt_sc->sc_admin, handle, &bi) != 0)
		return (-1);
	return ((int)bi.bi_placement);
}

int
gt_placement_fp(struct file *fp, uint32_t handle)
{
	struct devpager_gem_info gi;

	memset(&gi, 0, sizeof(gi));
	gi.handle = handle;
	if (gt_ioctl_fp(fp, DEVPAGER_GEM_IOC_INFO, &gi) != 0)
		return (-1);
	return ((int)gi.placement);
}

uint64_t
gt_reserved(uid_t uid)
{
	struct swap_uid_info si;

	if (!swap_uid_get(uid, &si))
		return (0);
	return (si.su_reserved);
}
