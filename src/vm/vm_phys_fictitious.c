/*
 * Fictitious ranges, after FreeBSD 10.4's vm_phys_fictitious_reg_range():
 * a driver registers a range of device addresses and gets a managed
 * fictitious struct vm_page for each of its pages, which PHYS_TO_VM_PAGE()
 * then finds (OBJT_MGTDEVICE fault handlers return them).
 *
 * At most VM_PHYS_FICTITIOUS_NSEGS (8) ranges at once: EBUSY beyond.  A
 * range must be page aligned, non-empty, clear of RAM and of every other
 * registered range (EINVAL).  Ranges may lie over device windows: that is
 * their purpose.  Unregistering needs the exact (start, end) pair.
 *
 * The slots are written under vm_phys_fictitious_reg_mtx and published
 * with rcu_assign_pointer; lookups read them lock-free inside
 * rcu_read_lock().  An unregistered range's pages are freed after a grace
 * period; the driver must not unregister a range whose pages are still in
 * an object (as in FreeBSD).
 *
 * Locks used to protect data in this file:
 *	(c)	constant while the range is registered
 *	(g)	vm_phys_fictitious_reg_mtx
 *	(r)	RCU-published, written under (g)
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/vm_phys_var.h"

struct vm_phys_fictitious_seg {
	vm_paddr_t	 fs_start;	/* (c) */
	vm_paddr_t	 fs_end;	/* (c) */
	vm_page_t	 fs_pages;	/* (c) atop(end - start) pages */
	vm_memattr_t	 fs_memattr;	/* (c) as registered */
	struct rcu_head	 fs_rcu;
};

static struct mtx vm_phys_fictitious_reg_mtx;
static struct vm_phys_fictitious_seg *
    vm_phys_fictitious_segs[VM_PHYS_FICTITIOUS_NSEGS];	/* (r) */

static void	vm_phys_fictitious_free(struct vm_phys_fictitious_seg *seg);
static void	vm_phys_fictitious_free_cb(struct rcu_head *head);

void
vm_phys_fictitious_init(void)
{
	int i;

	mtx_init(&vm_phys_fictitious_reg_mtx, "vm phys fictitious",
	    LOCK_RANK_FICTITIOUS, MTX_DEF);
	for (i = 0; i < VM_PHYS_FICTITIOUS_NSEGS; i++)
		vm_phys_fictitious_segs[i] = NULL;
}

/* Drop every range still registered; nothing may use their pages. */
void
vm_phys_fictitious_fini(void)
{
	struct vm_phys_fictitious_seg *seg;
	int i;

	for (i = 0; i < VM_PHYS_FICTITIOUS_NSEGS; i++) {
		mtx_lock(&vm_phys_fictitious_reg_mtx);
		seg = vm_phys_fictitious_segs[i];
		rcu_assign_pointer(vm_phys_fictitious_segs[i], NULL);
		mtx_unlock(&vm_phys_fictitious_reg_mtx);
		if (seg != NULL)
			call_rcu(&seg->fs_rcu, vm_phys_fictitious_free_cb);
	}
	rcu_barrier();
	mtx_destroy(&vm_phys_fictitious_reg_mtx);
}

static void
vm_phys_fictitious_free(struct vm_phys_fictitious_seg *seg)
{

	free(seg->fs_pages);
	free(seg);
}

static void
vm_phys_fictitious_free_cb(struct rcu_head *head)
{

	vm_phys_fictitious_free(caa_container_of(head,
	    struct vm_phys_fictitious_seg, fs_rcu));
}

/*
 * Register [start, end) with memattr.  0; EINVAL for a misaligned or empty
 * range or one overlapping RAM or a registered range; EBUSY when all
 * slots are taken; ENOMEM.  The page structures are made the way FreeBSD
 * makes them: vm_page_initfake(), then managed and unbusied.
 */
int
vm_phys_fictitious_reg_range(vm_paddr_t start, vm_paddr_t end,
    vm_memattr_t memattr)
{
	struct vm_phys_fictitious_seg *seg, *s;
	unsigned long i, npages;
	int free_slot, j;
	vm_page_t m;

	if ((start & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0 ||
	    start >= end || start < vm_phys_ram_end())
		return (EINVAL);
	npages = atop(end - start);
	seg = calloc(1, sizeof(*seg));
	if (seg == NULL)
		return (ENOMEM);
	seg->fs_pages = calloc(npages, sizeof(struct vm_page));
	if (seg->fs_pages == NULL) {
		free(seg);
		return (ENOMEM);
	}
	seg->fs_start = start;
	seg->fs_end = end;
	seg->fs_memattr = memattr;
	for (i = 0; i < npages; i++) {
		m = &seg->fs_pages[i];
		vm_page_initfake(m, start + ptoa(i), memattr);
		m->oflags &= ~VPO_UNMANAGED;
		__atomic_store_n(&m->busy_lock, VPB_UNBUSIED,
		    __ATOMIC_RELAXED);
	}

	mtx_lock(&vm_phys_fictitious_reg_mtx);
	free_slot = -1;
	for (j = 0; j < VM_PHYS_FICTITIOUS_NSEGS; j++) {
		s = vm_phys_fictitious_segs[j];
		if (s == NULL) {
			if (free_slot < 0)
				free_slot = j;
			continue;
		}
		if (start < s->fs_end && s->fs_start < end) {
			mtx_unlock(&vm_phys_fictitious_reg_mtx);
			vm_phys_fictitious_free(seg);
			return (EINVAL);
		}
	}
	if (free_slot < 0) {
		mtx_unlock(&vm_phys_fictitious_reg_mtx);
		vm_phys_fictitious_free(seg);
		return (EBUSY);
	}
	rcu_assign_pointer(vm_phys_fictitious_segs[free_slot], seg);
	mtx_unlock(&vm_phys_fictitious_reg_mtx);
	return (0);
}

/*
 * Unregister the range registered as exactly [start, end); its pages are
 * freed after a grace period.  Anything else is a caller bug: KASSERT
 * (logged and ignored without INVARIANTS).  The caller must be a
 * registered RCU thread.
 */
void
vm_phys_fictitious_unreg_range(vm_paddr_t start, vm_paddr_t end)
{
	struct vm_phys_fictitious_seg *seg;
	int j;

	seg = NULL;
	mtx_lock(&vm_phys_fictitious_reg_mtx);
	for (j = 0; j < VM_PHYS_FICTITIOUS_NSEGS; j++) {
		seg = vm_phys_fictitious_segs[j];
		if (seg != NULL && seg->fs_start == start &&
		    seg->fs_end == end) {
			rcu_assign_pointer(vm_phys_fictitious_segs[j], NULL);
			break;
		}
	}
	mtx_unlock(&vm_phys_fictitious_reg_mtx);
	if (j == VM_PHYS_FICTITIOUS_NSEGS) {
		KASSERT(0, ("Unregistering not registered fictitious range"));
		kern_log(LOG_WARNING, "vm_phys: unregistering not registered "
		    "fictitious range [%#jx, %#jx)", (uintmax_t)start,
		    (uintmax_t)end);
		return;
	}
	call_rcu(&seg->fs_rcu, vm_phys_fictitious_free_cb);
}

/*
 * The managed fictitious page of pa, or NULL.  Takes rcu_read_lock()
 * itself (nesting is fine): the caller must be a registered RCU thread.
 * The page stays valid while its range is registered.
 */
vm_page_t
vm_phys_fictitious_to_vm_page(vm_paddr_t pa)
{
	struct vm_phys_fictitious_seg *seg;
	vm_page_t m;
	int j;

	m = NULL;
	rcu_read_lock();
	for (j = 0; j < VM_PHYS_FICTITIOUS_NSEGS; j++) {
		seg = rcu_dereference(vm_phys_fictitious_segs[j]);
		if (seg != NULL && pa >= seg->fs_start && pa < seg->fs_end) {
			m = &seg->fs_pages[atop(pa - seg->fs_start)];
			break;
		}
	}
	rcu_read_unlock();
	return (m);
}

int
vm_phys_fictitious_collect(struct vm_phys_info *out, int max)
{
	struct vm_phys_fictitious_seg *seg;
	int j, n;

	n = 0;
	for (j = 0; j < VM_PHYS_FICTITIOUS_NSEGS && n < max; j++) {
		seg = rcu_dereference(vm_phys_fictitious_segs[j]);
		if (seg == NULL)
			continue;
		out[n].kind = VM_PHYS_FICTITIOUS;
		out[n].name = "fictitious";
		out[n].start = seg->fs_start;
		out[n].end = seg->fs_end;
		out[n].memattr = seg->fs_memattr;
		out[n].backing = NULL;
		n++;
	}
	return (n);
}
