/*
 * Helpers of the device-layer test suites (see check_dev_util.h).
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "check_dev_util.h"
#include "kern/conf.h"
#include "kern/fail.h"
#include "kern/kern_rcu.h"
#include "kern/lock.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/test_hook.h"
#include "vm/device_pager.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"

vm_paddr_t dt_base;
vm_paddr_t dt_fict;
static struct vm_phys_window *dt_window;

struct odrv_state odrv;
struct cnt_state cnt;

void
dt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void
dt_setup(void)
{

	memset(&odrv, 0, sizeof(odrv));
	odrv.memattr = -1;
	odrv.error_from = UINT64_MAX;
	odrv.single_error = ENODEV;
	memset(&cnt, 0, sizeof(cnt));
	cnt.fault_result = VM_PAGER_OK;
	cnt.dtor_unlocked = true;
	rcu_thread_online();
	ck_assert_int_eq(vm_init(DT_PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_window_create("dtwin", DT_WINSIZE, -1, 0,
	    "memfd", VM_MEMATTR_WRITE_BACK, &dt_window, &dt_base), 0);
	dt_fict = dt_base + DT_WINSIZE / 2;
	ck_assert_int_eq(vm_phys_fictitious_reg_range(dt_fict,
	    dt_fict + ptoa(DT_FICT_PAGES), VM_MEMATTR_WRITE_COMBINING), 0);
}

void
dt_teardown(void)
{

	dev_pager_set_variant(DEV_PAGER_CORRECT);
	fail_point_reset_all();
	test_hook_reset();
	pmap_set_unmap_callback(NULL, NULL);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	vm_phys_fictitious_unreg_range(dt_fict, dt_fict +
	    ptoa(DT_FICT_PAGES));
	vm_phys_window_destroy(dt_window);
	vm_fini();
}

/*
 * The old-style driver.
 */
static int
odrv_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{

	__atomic_add_fetch(&odrv.calls, 1, __ATOMIC_SEQ_CST);
	if (mtx_owned(&Giant))
		__atomic_add_fetch(&odrv.giant_calls, 1, __ATOMIC_SEQ_CST);
	odrv.fpop = curthread->td_fpop;
	odrv.memattr_in = *memattr;
	odrv.nprot = nprot;
	odrv.free_at_call = vm_phys_free_count();
	if (offset >= odrv.error_from)
		return (odrv.error);
	if (offset >= DT_WINSIZE)
		return (EINVAL);
	*paddr = odrv.use_alias ? odrv.alias_pa : dt_base + offset;
	if (odrv.memattr >= 0)
		*memattr = (vm_memattr_t)odrv.memattr;
	return (0);
}

static int
odrv_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{

	odrv.single_calls++;
	if (odrv.single_error != 0)
		return (odrv.single_error);
	*object = odrv.single_obj;
	*offset = odrv.single_foff;
	return (0);
}

struct cdevsw odrv_sw = {
	.d_version = D_VERSION,
	.d_name = "odrv",
	.d_mmap = odrv_mmap,
	.d_mmap_single = odrv_mmap_single,
};

struct cdevsw odrv_giant_sw = {
	.d_version = D_VERSION,
	.d_flags = D_NEEDGIANT,
	.d_name = "odrv_giant",
	.d_mmap = odrv_mmap,
	.d_mmap_single = odrv_mmap_single,
};

struct cdevsw odrv_mem_sw = {
	.d_version = D_VERSION,
	.d_flags = D_MEM,
	.d_name = "odrv_mem",
	.d_mmap = odrv_mmap,
};

struct cdevsw odrv_nosingle_sw = {
	.d_version = D_VERSION,
	.d_name = "odrv_nosingle",
	.d_mmap = odrv_mmap,
};

struct cdevsw odrv_anon_sw = {
	.d_version = D_VERSION,
	.d_flags = D_MMAP_ANON,
	.d_name = "odrv_anon",
};

struct cdev *
dt_make_dev(struct cdevsw *sw, const char *name)
{
	struct cdev *dev;

	ck_assert_int_eq(make_dev(sw, name, 0, 0, 0600, 0, &dev), 0);
	return (dev);
}

/*
 * Counting new-style ops.
 */
static int
cnt_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot, vm_ooffset_t foff,
    const struct ucred *cred, uint16_t *color)
{

	__atomic_add_fetch(&cnt.ctor_calls, 1, __ATOMIC_SEQ_CST);
	cnt.ctor_handle = handle;
	if (cnt.ctor_error != 0)
		return (cnt.ctor_error);
	*color = cnt.color;
	return (0);
}

static void
cnt_dtor(void *handle)
{
	int n;

	n = __atomic_fetch_add(&cnt.dtor_calls, 1, __ATOMIC_SEQ_CST);
	if (n < (int)nitems(cnt.dtor_args))
		cnt.dtor_args[n] = handle;
#ifdef WITNESS
	if (witness_held_count() != 0)
		cnt.dtor_unlocked = false;
#endif
}

/* Map offset to dt_base + offset, as a netmap-like driver would. */
static int
cnt_fault(vm_object_t object, vm_ooffset_t offset, int prot, vm_page_t *mres)
{
	vm_page_t page, old;
	vm_pindex_t pindex;
	vm_memattr_t memattr;

	VM_OBJECT_ASSERT_WLOCKED(object);
	__atomic_add_fetch(&cnt.fault_calls, 1, __ATOMIC_SEQ_CST);
	cnt.fault_prot = prot;
	cnt.fake_placeholder = ((*mres)->flags & PG_FICTITIOUS) != 0;
	if (cnt.fault_result != VM_PAGER_OK)
		return (cnt.fault_result);
	memattr = object->memattr;
	if (((*mres)->flags & PG_FICTITIOUS) != 0) {
		page = *mres;
		vm_page_updatefake(page, dt_base + offset, memattr);
	} else {
		pindex = (*mres)->pindex;
		VM_OBJECT_WUNLOCK(object);
		page = vm_page_getfake(dt_base + offset, memattr);
		VM_OBJECT_WLOCK(object);
		old = vm_page_replace(page, object, pindex);
		ck_assert_ptr_eq(old, *mres);
		vm_page_free_unlocked(old);
		*mres = page;
	}
	page->valid = VM_PAGE_BITS_ALL;
	return (VM_PAGER_OK);
}

const struct cdev_pager_ops cnt_ops = {
	.cdev_pg_ctor = cnt_ctor,
	.cdev_pg_dtor = cnt_dtor,
	.cdev_pg_fault = cnt_fault,
};

/*
 * OBJT_MGTDEVICE, after i915_gem_pager_fault: the managed fictitious page
 * of the registered range replaces the placeholder.
 */
static int
mgt_fault(vm_object_t object, vm_ooffset_t offset, int prot, vm_page_t *mres)
{
	vm_page_t page, old;

	VM_OBJECT_ASSERT_WLOCKED(object);
	__atomic_add_fetch(&cnt.fault_calls, 1, __ATOMIC_SEQ_CST);
	if (offset >= ptoa(DT_FICT_PAGES))
		return (VM_PAGER_ERROR);
	page = PHYS_TO_VM_PAGE(dt_fict + offset);
	ck_assert_ptr_nonnull(page);
	ck_assert((page->flags & PG_FICTITIOUS) != 0);
	if (page->object != NULL)
		return (VM_PAGER_ERROR);	/* in another object */
	old = vm_page_replace(page, object, (*mres)->pindex);
	ck_assert_ptr_eq(old, *mres);
	vm_page_free_unlocked(old);
	vm_page_xbusy(page);
	page->valid = VM_PAGE_BITS_ALL;
	*mres = page;
	return (VM_PAGER_OK);
}

const struct cdev_pager_ops mgt_ops = {
	.cdev_pg_ctor = cnt_ctor,
	.cdev_pg_dtor = cnt_dtor,
	.cdev_pg_fault = mgt_fault,
};

const struct cdev_pager_ops mgt_unmanaged_ops = {
	.cdev_pg_ctor = cnt_ctor,
	.cdev_pg_dtor = cnt_dtor,
	.cdev_pg_fault = cnt_fault,
};

const struct cdev_pager_ops dev_managed_ops = {
	.cdev_pg_ctor = cnt_ctor,
	.cdev_pg_dtor = cnt_dtor,
	.cdev_pg_fault = mgt_fault,
};

vm_page_t
dt_placeholder(vm_object_t object, vm_pindex_t pindex, bool fake)
{
	vm_page_t m;

	VM_OBJECT_ASSERT_WLOCKED(object);
	if (fake) {
		VM_OBJECT_WUNLOCK(object);
		m = vm_page_getfake(0, object->memattr);
		VM_OBJECT_WLOCK(object);
		ck_assert_int_eq(vm_page_insert(m, object, pindex), 0);
	} else {
		m = vm_page_alloc(object, pindex, VM_ALLOC_NORMAL);
		ck_assert_ptr_nonnull(m);
	}
	return (m);
}

int
dt_getpage(vm_object_t object, vm_pindex_t pindex, bool fake, vm_page_t *mp)
{
	vm_page_t ma[1], m;
	int rv;

	*mp = NULL;
	VM_OBJECT_WLOCK(object);
	m = vm_page_lookup(object, pindex);
	if (m != NULL)
		vm_page_xbusy(m);
	else
		m = dt_placeholder(object, pindex, fake);
	ma[0] = m;
	rv = vm_pager_get_pages(object, ma, 1, 0);
	if (rv == VM_PAGER_OK) {
		*mp = ma[0];
		if (vm_page_xbusied(ma[0]))
			vm_page_xunbusy(ma[0]);
	} else if (vm_page_lookup(object, pindex) == ma[0]) {
		/* As vm_fault: drop our placeholder, keep listed pages. */
		if ((ma[0]->oflags & VPO_ONPGLIST) == 0)
			vm_page_free_unlocked(ma[0]);
		else if (vm_page_xbusied(ma[0]))
			vm_page_xunbusy(ma[0]);
	}
	VM_OBJECT_WUNLOCK(object);
	return (rv);
}

int
dt_on_pglist(vm_object_t object, vm_page_t m)
{
	vm_page_t p;
	int n;

	n = 0;
	TAILQ_FOREACH(p, &object->un_pager.devp.devp_pglist, plinks.q)
		if (p == m)
			n++;
	return (n);
}

/*
 * stderr capture.
 */
static int cap_fd = -1;
static int cap_saved = -1;
static char cap_buf[8192];

void
dt_capture_start(void)
{

	cap_fd = memfd_create("log", 0);
	ck_assert_int_ge(cap_fd, 0);
	fflush(stderr);
	cap_saved = dup(STDERR_FILENO);
	ck_assert_int_ge(cap_saved, 0);
	ck_assert_int_ge(dup2(cap_fd, STDERR_FILENO), 0);
}

const char *
dt_capture_stop(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, cap_buf, sizeof(cap_buf) - 1);
	cap_buf[n > 0 ? n : 0] = '\0';
	close(cap_fd);
	return (cap_buf);
}

int
dt_count_substr(const char *hay, const char *needle)
{
	const char *p;
	int n;

	n = 0;
	for (p = strstr(hay, needle); p != NULL;
	    p = strstr(p + strlen(needle), needle))
		n++;
	return (n);
}
