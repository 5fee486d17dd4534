/*
 * The simulated physical address space.
 *
 *	[0, physmem)			RAM: real pages, a memfd mapped shared
 *					into the daemon; vm_page array;
 *					free-page lists for vm_page_alloc
 *	[VM_PHYS_WINDOW_BASE, ...)	device windows (what PCI BARs would
 *					be), each backed by host memory: an
 *					anonymous memfd or any mmap-able host
 *					file (regular file, PCI resourceN)
 *	everything else			holes: no memory, faults fail
 *
 * Every physical address that exists has a host address in the daemon
 * (vm_phys_to_host) and an (fd, offset) pair (vm_phys_to_fd) for zero-copy
 * replies.  Lookups are lock-free (RCU): call them inside rcu_read_lock()
 * and do not use the result after rcu_read_unlock() unless the window is
 * otherwise kept alive (a device holds its window until destroy_dev).
 *
 * Fictitious ranges (vm_phys_fictitious_reg_range) give managed fictitious
 * vm_page structures for a range of device addresses, so that
 * PHYS_TO_VM_PAGE() finds them; at most VM_PHYS_FICTITIOUS_NSEGS ranges,
 * EBUSY beyond; unregistering needs an exact match (KASSERT).
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after creation
 *	(f)	the free-list lock
 *	(r)	RCU-published
 */
#ifndef _VM_VM_PHYS_H_
#define _VM_VM_PHYS_H_

#include "vm/vm.h"

#define	VM_PHYS_WINDOW_BASE	0x100000000000ULL	/* 16 TiB */
#define	VM_PHYS_WINDOW_ALIGN	NBPDR			/* 2 MiB */
#define	VM_PHYS_FICTITIOUS_NSEGS 8

struct vm_phys_window;

/* Set up RAM of physmem bytes (a multiple of PAGE_SIZE, > 0).  0 or errno.
 * vm_phys_fini() tears everything down (tests call init/fini repeatedly). */
int	vm_phys_init(vm_size_t physmem);
void	vm_phys_fini(void);

/* RAM pages. */
vm_page_t vm_phys_alloc_page(void);		/* NULL when none free */
void	vm_phys_free_page(vm_page_t m);
unsigned long vm_phys_free_count(void);
unsigned long vm_phys_ram_pages(void);
vm_page_t vm_phys_paddr_to_vm_page(vm_paddr_t pa);	/* RAM only */
/* RAM, then fictitious; lock-free (takes rcu_read_lock itself, so the
 * caller must be a registered RCU thread). */
vm_page_t PHYS_TO_VM_PAGE(vm_paddr_t pa);

/*
 * Device windows.  backing_fd < 0: a new memfd of size bytes.  Otherwise
 * backing_fd (not taken over: the window dup()s it) is mapped shared from
 * backing_off; it must be mmap-able shared for size bytes: a regular file
 * at least backing_off + size long (EINVAL otherwise) or a device (other
 * types: ENODEV; an mmap failure returns mmap's errno).  size and
 * backing_off are multiples of PAGE_SIZE.  Bases are never reused before
 * vm_phys_fini().  create/destroy: registered RCU thread.  The window's
 * physical base is chosen here (aligned to VM_PHYS_WINDOW_ALIGN) and
 * returned through *basep.  backing_desc ("memfd" or the path) is shown
 * by the inspection tree.  0 or errno (EINVAL, ENOMEM, ENODEV...).
 */
int	vm_phys_window_create(const char *name, vm_size_t size,
	    int backing_fd, off_t backing_off, const char *backing_desc,
	    vm_memattr_t memattr,
	    struct vm_phys_window **wp, vm_paddr_t *basep);
/*
 * Unpublish the window; its memory is unmapped after a grace period:
 * before the call returns when the window is over a descriptor the caller
 * passed in, so the file is no longer open or mapped (the caller must be
 * outside any RCU read-side section).
 */
void	vm_phys_window_destroy(struct vm_phys_window *w);
/*
 * msync the backing of [pa, pa + len) (MS_SYNC).  0 or errno: msync's
 * (EIO, ENOSPC...), EIO if the backing file no longer covers the window
 * (truncated under it: what was there is lost), EINVAL for a range
 * outside w.
 */
int	vm_phys_window_sync(struct vm_phys_window *w, vm_paddr_t pa,
	    vm_size_t len);
vm_paddr_t vm_phys_window_base(const struct vm_phys_window *w);
vm_size_t vm_phys_window_size(const struct vm_phys_window *w);
const char *vm_phys_window_name(const struct vm_phys_window *w);

/*
 * Guarded copies through the direct map (vm_phys_copy.c): vm_phys_read
 * loads len bytes at pa into buf, vm_phys_write stores buf at pa.  Every
 * copy the daemon makes into or out of memory that may be a file mapping
 * (a window with a backing file) must use them: a fault there is an error
 * of that window, never a signal that stops the daemon.  [pa, pa + len)
 * must lie in RAM or in one window.  0; ENXIO for a hole (or a range
 * running out of its window); when the backing failed, EIO (a load, a
 * file truncated under the window, an I/O error) or, for a store, ENOSPC
 * or EDQUOT (no block for the page).  A failure is counted
 * (vm_phys_backing_errors) and logged once per window.  No lock may be
 * held that a fault could need; the caller must be a registered RCU
 * thread (inside rcu_read_lock() or not).
 */
int	vm_phys_read(vm_paddr_t pa, void *buf, size_t len);
int	vm_phys_write(vm_paddr_t pa, const void *buf, size_t len);
/*
 * A copy someone else made out of [pa, pa + len) failed -- the kernel's,
 * of a READ reply whose iovecs point into a window (writev: EFAULT):
 * count it against the window holding pa and log it once.  Registered
 * RCU thread.
 */
void	vm_phys_copy_failed(vm_paddr_t pa, vm_size_t len);
/* Backing failures (copies, msync, short files) since start. */
uint64_t vm_phys_backing_errors(void);

/* Translation; call inside rcu_read_lock().  NULL / ENXIO for a hole. */
void	*vm_phys_to_host(vm_paddr_t pa);
int	vm_phys_to_fd(vm_paddr_t pa, int *fdp, off_t *offp);
int	vm_phys_to_anon_fd(vm_paddr_t pa, int *fdp, off_t *offp);
/* Does a whole page at pa exist (RAM or window)? */
bool	vm_phys_page_exists(vm_paddr_t pa);
/* The memattr RAM pages or the window at pa have (default WB). */
vm_memattr_t vm_phys_memattr(vm_paddr_t pa);

/* Fictitious ranges: 0, EBUSY (no free slot), EINVAL (bad range). */
int	vm_phys_fictitious_reg_range(vm_paddr_t start, vm_paddr_t end,
	    vm_memattr_t memattr);
void	vm_phys_fictitious_unreg_range(vm_paddr_t start, vm_paddr_t end);
vm_page_t vm_phys_fictitious_to_vm_page(vm_paddr_t pa);

/*
 * Inspection: call cb once per RAM segment, window and fictitious range,
 * with a one-line description (no newline), in address order.  Runs under
 * rcu_read_lock().
 */
enum vm_phys_kind { VM_PHYS_RAM, VM_PHYS_WINDOW, VM_PHYS_FICTITIOUS };
struct vm_phys_info {
	enum vm_phys_kind kind;
	const char	*name;
	vm_paddr_t	 start;
	vm_paddr_t	 end;
	vm_memattr_t	 memattr;
	unsigned long	 free_pages;	/* RAM only */
	const char	*backing;	/* windows: "memfd" or a path */
};
void	vm_phys_foreach(void (*cb)(const struct vm_phys_info *, void *),
	    void *arg);

#endif /* !_VM_VM_PHYS_H_ */
