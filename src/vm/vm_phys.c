/*
 * The simulated physical address space: RAM, translation of physical
 * addresses to host memory, PHYS_TO_VM_PAGE and the inspection walk.
 * Device windows live in vm_phys_window.c, fictitious ranges in
 * vm_phys_fictitious.c.
 *
 * RAM is one segment, [0, physmem), backed by a memfd mapped shared into
 * the daemon, so that a reply can be served from the host mapping or
 * zero-copy from (fd, offset).  Every RAM page has a struct vm_page in
 * vm_phys_ram.pages for the life of the segment: pages are type-stable, as
 * the lock-free vm_page lookups require.  Free pages sit on one free list
 * (linked through plinks.q, flagged PG_FREE) under vm_phys_free_mtx.
 *
 * The RAM description is written by vm_phys_init() and vm_phys_fini()
 * only, with no other thread using vm_phys, and is constant in between:
 * readers use it without locks.
 *
 * Locks used to protect data in this file:
 *	(c)	constant between vm_phys_init() and vm_phys_fini()
 *	(f)	vm_phys_free_mtx
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/vm_phys_var.h"
#include "vm/pmap.h"

static struct {
	int		 fd;		/* (c) the RAM memfd */
	void		*host;		/* (c) its shared mapping */
	vm_size_t	 size;		/* (c) bytes */
	unsigned long	 npages;	/* (c) */
	vm_page_t	 pages;		/* (c) one per page, by pa */
} vm_phys_ram = { .fd = -1 };

static bool vm_phys_inited;				/* (c) */
static struct mtx vm_phys_free_mtx;
static TAILQ_HEAD(, vm_page) vm_phys_free_queue =	/* (f) plinks.q */
    TAILQ_HEAD_INITIALIZER(vm_phys_free_queue);
static unsigned long vm_phys_free_pages;		/* (f), read atomic */

static int	vm_phys_info_cmp(const void *a, const void *b);

/*
 * Create RAM of physmem bytes (a non-zero multiple of PAGE_SIZE), all
 * pages free, and the window and fictitious registries.  0 or an errno:
 * EINVAL for a bad size, EBUSY if already initialised, or what
 * memfd_create/ftruncate/mmap/calloc failed with.
 */
int
vm_phys_init(vm_size_t physmem)
{
	vm_page_t m;
	unsigned long i;
	void *host;
	int error, fd;

	if (vm_phys_inited)
		return (EBUSY);
	if (physmem == 0 || (physmem & PAGE_MASK) != 0 ||
	    physmem >= VM_PHYS_WINDOW_BASE)
		return (EINVAL);
	fd = memfd_create("devpager-ram", MFD_CLOEXEC);
	if (fd < 0)
		return (errno);
	if (ftruncate(fd, (off_t)physmem) != 0) {
		error = errno;
		close(fd);
		return (error);
	}
	host = mmap(NULL, physmem, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (host == MAP_FAILED) {
		error = errno;
		close(fd);
		return (error);
	}
	vm_phys_ram.npages = atop(physmem);
	vm_phys_ram.pages = calloc(vm_phys_ram.npages, sizeof(struct vm_page));
	if (vm_phys_ram.pages == NULL) {
		munmap(host, physmem);
		close(fd);
		return (ENOMEM);
	}
	vm_phys_ram.fd = fd;
	vm_phys_ram.host = host;
	vm_phys_ram.size = physmem;

	mtx_init(&vm_phys_free_mtx, "vm phys free", LOCK_RANK_VM_PHYS,
	    MTX_DEF);
	TAILQ_INIT(&vm_phys_free_queue);
	for (i = 0; i < vm_phys_ram.npages; i++) {
		m = &vm_phys_ram.pages[i];
		m->phys_addr = ptoa(i);
		m->segind = 0;
		m->queue = PQ_NONE;
		m->flags = PG_FREE;
		m->oflags = 0;
		m->busy_lock = VPB_UNBUSIED;
		pmap_page_init(m);
		/* Lowest addresses are handed out first. */
		TAILQ_INSERT_TAIL(&vm_phys_free_queue, m, plinks.q);
	}
	vm_phys_free_pages = vm_phys_ram.npages;
	vm_phys_window_init();
	vm_phys_fictitious_init();
	vm_phys_inited = true;
	return (0);
}

/*
 * Tear everything down: remaining windows and fictitious ranges, then RAM.
 * Nothing may use vm_phys any more, nor hold one of its pages.  Waits for
 * every deferred free (rcu_barrier), so no memory or descriptor outlives
 * the call.  The caller must be a registered RCU thread outside any
 * read-side section.
 */
void
vm_phys_fini(void)
{

	if (!vm_phys_inited)
		return;
	vm_phys_fictitious_fini();
	vm_phys_window_fini();
	/* Callbacks queued by earlier destroys/unregisters touch nothing of
	 * RAM, but must be done before the next init reuses the state. */
	rcu_barrier();
	mtx_destroy(&vm_phys_free_mtx);
	TAILQ_INIT(&vm_phys_free_queue);
	vm_phys_free_pages = 0;
	munmap(vm_phys_ram.host, vm_phys_ram.size);
	close(vm_phys_ram.fd);
	free(vm_phys_ram.pages);
	memset(&vm_phys_ram, 0, sizeof(vm_phys_ram));
	vm_phys_ram.fd = -1;
	vm_phys_inited = false;
}

vm_paddr_t
vm_phys_ram_end(void)
{

	return (vm_phys_ram.size);
}

/*
 * A free RAM page, or NULL when there is none.  The page is no longer
 * PG_FREE; everything else (object, busy, queue...) is the caller's to set
 * (vm_page_alloc).
 */
vm_page_t
vm_phys_alloc_page(void)
{
	vm_page_t m;

	mtx_lock(&vm_phys_free_mtx);
	m = TAILQ_FIRST(&vm_phys_free_queue);
	if (m != NULL) {
		KASSERT((m->flags & PG_FREE) != 0,
		    ("vm_phys_alloc_page: page %p on the free list is not "
		    "free", (void *)m));
		TAILQ_REMOVE(&vm_phys_free_queue, m, plinks.q);
		m->flags &= ~PG_FREE;
		__atomic_store_n(&vm_phys_free_pages, vm_phys_free_pages - 1,
		    __ATOMIC_RELAXED);
	}
	mtx_unlock(&vm_phys_free_mtx);
	return (m);
}

/*
 * Put a RAM page back on the free list.  It must be a page of the RAM
 * array and not free already.
 */
void
vm_phys_free_page(vm_page_t m)
{

	KASSERT(vm_phys_ram.pages != NULL && m >= vm_phys_ram.pages &&
	    m < vm_phys_ram.pages + vm_phys_ram.npages,
	    ("vm_phys_free_page: %p is not a RAM page", (void *)m));
	KASSERT((m->flags & (PG_FREE | PG_FICTITIOUS)) == 0,
	    ("vm_phys_free_page: page %p (pa %#jx) is already free",
	    (void *)m, (uintmax_t)m->phys_addr));
	mtx_lock(&vm_phys_free_mtx);
	m->flags |= PG_FREE;
	TAILQ_INSERT_HEAD(&vm_phys_free_queue, m, plinks.q);
	__atomic_store_n(&vm_phys_free_pages, vm_phys_free_pages + 1,
	    __ATOMIC_RELAXED);
	mtx_unlock(&vm_phys_free_mtx);
}

unsigned long
vm_phys_free_count(void)
{

	return (__atomic_load_n(&vm_phys_free_pages, __ATOMIC_RELAXED));
}

unsigned long
vm_phys_ram_pages(void)
{

	return (vm_phys_ram.npages);
}

/* The RAM page at pa, or NULL if pa is not RAM.  Lock-free. */
vm_page_t
vm_phys_paddr_to_vm_page(vm_paddr_t pa)
{

	if (pa >= vm_phys_ram.size)
		return (NULL);
	return (&vm_phys_ram.pages[atop(pa)]);
}

/*
 * The page structure of pa: a RAM page, else a page of a registered
 * fictitious range, else NULL.  The caller must be a registered RCU
 * thread; a fictitious page stays valid until its range is unregistered.
 */
vm_page_t
PHYS_TO_VM_PAGE(vm_paddr_t pa)
{
	vm_page_t m;

	m = vm_phys_paddr_to_vm_page(pa);
	if (m != NULL)
		return (m);
	return (vm_phys_fictitious_to_vm_page(pa));
}

/*
 * Host address of pa (RAM or window), NULL for a hole.
 * Call inside rcu_read_lock().
 */
void *
vm_phys_to_host(vm_paddr_t pa)
{
	struct vm_phys_window *w;

	if (pa < vm_phys_ram.size)
		return ((char *)vm_phys_ram.host + pa);
	w = vm_phys_window_lookup(pa);
	if (w == NULL)
		return (NULL);
	return ((char *)w->w_host + (pa - w->w_base));
}

/*
 * The descriptor and offset backing pa; ENXIO for a hole.  The descriptor
 * belongs to vm_phys: do not close it, and do not use it after
 * rcu_read_unlock() unless the window is kept alive otherwise.
 * Call inside rcu_read_lock().
 */
int
vm_phys_to_fd(vm_paddr_t pa, int *fdp, off_t *offp)
{
	struct vm_phys_window *w;

	if (pa < vm_phys_ram.size) {
		*fdp = vm_phys_ram.fd;
		*offp = (off_t)pa;
		return (0);
	}
	w = vm_phys_window_lookup(pa);
	if (w == NULL)
		return (ENXIO);
	*fdp = w->w_fd;
	*offp = w->w_off + (off_t)(pa - w->w_base);
	return (0);
}

/*
 * The descriptor and offset of pa when pa is plain anonymous memory: a
 * window over the daemon's own memfd.  Reading such memory through the
 * descriptor (pread, splice) never allocates a page the device never
 * wrote (the host kernel hands out its zero page) and cannot fail the
 * way a copy out of a file-backed window can.  ENXIO for anything else
 * (RAM, a window over a file or a device, a hole).  The descriptor
 * belongs to vm_phys, as vm_phys_to_fd's.  Call inside rcu_read_lock().
 */
int
vm_phys_to_anon_fd(vm_paddr_t pa, int *fdp, off_t *offp)
{
	struct vm_phys_window *w;

	if (pa < vm_phys_ram.size)
		return (ENXIO);
	w = vm_phys_window_lookup(pa);
	if (w == NULL || w->w_external)
		return (ENXIO);
	*fdp = w->w_fd;
	*offp = w->w_off + (off_t)(pa - w->w_base);
	return (0);
}

/*
 * Does the whole page containing pa exist, in RAM or a window?
 * Call inside rcu_read_lock().
 */
bool
vm_phys_page_exists(vm_paddr_t pa)
{
	struct vm_phys_window *w;

	pa = trunc_page(pa);
	if (pa < vm_phys_ram.size)
		return (true);
	w = vm_phys_window_lookup(pa);
	return (w != NULL && pa - w->w_base + PAGE_SIZE <= w->w_size);
}

/*
 * The memory attribute of RAM (write-back) or of the window at pa; holes
 * report the default.  Call inside rcu_read_lock().
 */
vm_memattr_t
vm_phys_memattr(vm_paddr_t pa)
{
	struct vm_phys_window *w;

	if (pa < vm_phys_ram.size)
		return (VM_MEMATTR_DEFAULT);
	w = vm_phys_window_lookup(pa);
	return (w != NULL ? w->w_memattr : VM_MEMATTR_DEFAULT);
}

static int
vm_phys_info_cmp(const void *a, const void *b)
{
	const struct vm_phys_info *x, *y;

	x = a;
	y = b;
	if (x->start != y->start)
		return (x->start < y->start ? -1 : 1);
	return ((int)x->kind - (int)y->kind);
}

/*
 * Describe RAM, every window and every fictitious range, in address
 * order (a window and the fictitious range registered over it: window
 * first).  cb runs inside rcu_read_lock(): it must not block or call
 * synchronize_rcu.  The caller must be a registered RCU thread.
 */
void
vm_phys_foreach(void (*cb)(const struct vm_phys_info *, void *), void *arg)
{
	struct vm_phys_info *info;
	struct vm_phys_wtab *wt;
	struct vm_phys_window *w;
	unsigned i, n, max;

	rcu_read_lock();
	wt = vm_phys_window_table();
	max = 1 + (wt != NULL ? wt->wt_count : 0) + VM_PHYS_FICTITIOUS_NSEGS;
	info = calloc(max, sizeof(*info));
	if (info == NULL) {
		rcu_read_unlock();
		return;
	}
	n = 0;
	if (vm_phys_inited) {
		info[n].kind = VM_PHYS_RAM;
		info[n].name = "ram";
		info[n].start = 0;
		info[n].end = vm_phys_ram.size;
		info[n].memattr = VM_MEMATTR_DEFAULT;
		info[n].free_pages = vm_phys_free_count();
		info[n].backing = "memfd";
		n++;
	}
	for (i = 0; wt != NULL && i < wt->wt_count; i++) {
		w = wt->wt_win[i];
		info[n].kind = VM_PHYS_WINDOW;
		info[n].name = w->w_name;
		info[n].start = w->w_base;
		info[n].end = w->w_base + w->w_size;
		info[n].memattr = w->w_memattr;
		info[n].backing = w->w_backing;
		n++;
	}
	n += vm_phys_fictitious_collect(info + n, (int)(max - n));
	qsort(info, n, sizeof(*info), vm_phys_info_cmp);
	for (i = 0; i < n; i++)
		cb(&info[i], arg);
	rcu_read_unlock();
	free(info);
}
