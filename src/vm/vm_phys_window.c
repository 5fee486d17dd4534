/*
 * Device windows: ranges of the physical address space above
 * VM_PHYS_WINDOW_BASE backed by host memory (what PCI BARs would be).
 *
 * A window's backing is a new memfd, or a descriptor the driver passes in
 * (a regular file for persistence, a PCI resourceN file for hardware),
 * which we dup() and map shared.  Bases are handed out upward from
 * VM_PHYS_WINDOW_BASE, aligned to VM_PHYS_WINDOW_ALIGN, and never reused
 * until vm_phys_fini(): a physical address that a reader may still be
 * translating never starts meaning something else.
 *
 * Readers (vm_phys_to_host and friends) run inside rcu_read_lock() with no
 * lock: the windows are published as one sorted array, replaced whole (a
 * copy with the change, then rcu_assign_pointer) under vm_phys_window_mtx.
 * A destroyed window is unpublished first and unmapped, closed and freed
 * after a grace period, when no reader can be inside it: by call_rcu()
 * for a memfd, before vm_phys_window_destroy() returns for a descriptor
 * the caller passed in (a user's file: once its device is destroyed, the
 * file system holding it can be unmounted at once).
 * Writers (create, destroy) must be registered RCU threads.
 *
 * Locks used to protect data in this file:
 *	(w)	vm_phys_window_mtx
 *	(r)	RCU-published, written under (w)
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"
#include "vm/vm_phys_var.h"

static struct mtx vm_phys_window_mtx;
static struct vm_phys_wtab *vm_phys_wtab;	/* (r) NULL: no window */
static vm_paddr_t vm_phys_window_next;		/* (w) next free base */

static void	vm_phys_window_free(struct vm_phys_window *w);
static void	vm_phys_window_free_cb(struct rcu_head *head);
static void	vm_phys_wtab_free_cb(struct rcu_head *head);
static struct vm_phys_wtab *vm_phys_wtab_alloc(unsigned count);

void
vm_phys_window_init(void)
{

	mtx_init(&vm_phys_window_mtx, "vm phys windows", LOCK_RANK_VM_PHYS,
	    MTX_DEF);
	vm_phys_wtab = NULL;
	vm_phys_window_next = VM_PHYS_WINDOW_BASE;
}

/*
 * Destroy every window still there and wait until all of them are gone.
 * Nothing may use them any more.
 */
void
vm_phys_window_fini(void)
{
	struct vm_phys_wtab *wt;
	unsigned i;

	mtx_lock(&vm_phys_window_mtx);
	wt = vm_phys_wtab;
	rcu_assign_pointer(vm_phys_wtab, NULL);
	mtx_unlock(&vm_phys_window_mtx);
	synchronize_rcu();
	if (wt != NULL) {
		for (i = 0; i < wt->wt_count; i++)
			vm_phys_window_free(wt->wt_win[i]);
		free(wt);
	}
	/* Windows destroyed earlier may still be waiting for their grace
	 * period. */
	rcu_barrier();
	mtx_destroy(&vm_phys_window_mtx);
	vm_phys_window_next = VM_PHYS_WINDOW_BASE;
}

/* The published table; call inside rcu_read_lock(). */
struct vm_phys_wtab *
vm_phys_window_table(void)
{

	return (rcu_dereference(vm_phys_wtab));
}

/* The window containing pa, or NULL; call inside rcu_read_lock(). */
struct vm_phys_window *
vm_phys_window_lookup(vm_paddr_t pa)
{
	struct vm_phys_wtab *wt;
	struct vm_phys_window *w;
	unsigned lo, hi, mid;

	wt = rcu_dereference(vm_phys_wtab);
	if (wt == NULL || pa < VM_PHYS_WINDOW_BASE)
		return (NULL);
	/* The last window whose base is <= pa. */
	lo = 0;
	hi = wt->wt_count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (wt->wt_win[mid]->w_base <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return (NULL);
	w = wt->wt_win[lo - 1];
	return (pa - w->w_base < w->w_size ? w : NULL);
}

static struct vm_phys_wtab *
vm_phys_wtab_alloc(unsigned count)
{
	struct vm_phys_wtab *wt;

	wt = calloc(1, sizeof(*wt) + count * sizeof(wt->wt_win[0]));
	if (wt != NULL)
		wt->wt_count = count;
	return (wt);
}

static void
vm_phys_wtab_free_cb(struct rcu_head *head)
{

	free(caa_container_of(head, struct vm_phys_wtab, wt_rcu));
}

/* Unmap, close and free a window no reader can reach. */
static void
vm_phys_window_free(struct vm_phys_window *w)
{

	if (w->w_host != NULL)
		munmap(w->w_host, w->w_size);
	if (w->w_fd >= 0)
		close(w->w_fd);
	free(w->w_name);
	free(w->w_backing);
	free(w);
}

static void
vm_phys_window_free_cb(struct rcu_head *head)
{

	vm_phys_window_free(caa_container_of(head, struct vm_phys_window,
	    w_rcu));
}

/*
 * Create a window of size bytes (a non-zero multiple of PAGE_SIZE).
 * backing_fd < 0: a new memfd.  Otherwise backing_fd is dup()ed (the
 * caller keeps its own descriptor) and mapped shared from backing_off (a
 * multiple of PAGE_SIZE); it must be a regular file at least
 * backing_off + size bytes long (the driver sizes it; EINVAL otherwise) or
 * a character or block device; anything else is ENODEV.  An mmap failure
 * returns mmap's errno (EACCES for a read-only descriptor, for example).
 * The caller must be a registered RCU thread.
 */
int
vm_phys_window_create(const char *name, vm_size_t size, int backing_fd,
    off_t backing_off, const char *backing_desc, vm_memattr_t memattr,
    struct vm_phys_window **wp, vm_paddr_t *basep)
{
	struct vm_phys_wtab *wt, *owt;
	struct vm_phys_window *w;
	struct stat st;
	vm_paddr_t base;
	unsigned n;
	int error, fd;

	if (name == NULL || size == 0 || (size & PAGE_MASK) != 0 ||
	    size > VM_PHYS_WINDOW_BASE)
		return (EINVAL);
	if (backing_fd < 0) {
		fd = memfd_create("devpager-window", MFD_CLOEXEC);
		if (fd < 0)
			return (errno);
		if (ftruncate(fd, (off_t)size) != 0) {
			error = errno;
			close(fd);
			return (error);
		}
		backing_off = 0;
		if (backing_desc == NULL)
			backing_desc = "memfd";
	} else {
		if (backing_off < 0 || (backing_off & PAGE_MASK) != 0)
			return (EINVAL);
		fd = fcntl(backing_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return (errno);
		if (fstat(fd, &st) != 0) {
			error = errno;
			close(fd);
			return (error);
		}
		if (S_ISREG(st.st_mode)) {
			if (st.st_size < backing_off ||
			    (uint64_t)(st.st_size - backing_off) < size) {
				close(fd);
				return (EINVAL);
			}
		} else if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
			close(fd);
			return (ENODEV);
		}
		if (backing_desc == NULL)
			backing_desc = "fd";
	}

	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		close(fd);
		return (ENOMEM);
	}
	w->w_fd = fd;
	w->w_external = backing_fd >= 0;
	w->w_off = backing_off;
	w->w_size = size;
	w->w_memattr = memattr;
	w->w_name = strdup(name);
	w->w_backing = strdup(backing_desc);
	if (w->w_name == NULL || w->w_backing == NULL) {
		vm_phys_window_free(w);
		return (ENOMEM);
	}
	w->w_host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    backing_off);
	if (w->w_host == MAP_FAILED) {
		error = errno;
		w->w_host = NULL;
		vm_phys_window_free(w);
		return (error);
	}

	mtx_lock(&vm_phys_window_mtx);
	base = (vm_phys_window_next + VM_PHYS_WINDOW_ALIGN - 1) &
	    ~(vm_paddr_t)(VM_PHYS_WINDOW_ALIGN - 1);
	if (base < vm_phys_window_next || base + size < base ||
	    base + size > UINT64_MAX - VM_PHYS_WINDOW_ALIGN) {
		/* The address space above the windows' base is used up. */
		mtx_unlock(&vm_phys_window_mtx);
		vm_phys_window_free(w);
		return (ENOMEM);
	}
	owt = vm_phys_wtab;
	n = owt != NULL ? owt->wt_count : 0;
	wt = vm_phys_wtab_alloc(n + 1);
	if (wt == NULL) {
		mtx_unlock(&vm_phys_window_mtx);
		vm_phys_window_free(w);
		return (ENOMEM);
	}
	w->w_base = base;
	/* Bases only grow, so the new window goes last. */
	if (n > 0)
		memcpy(wt->wt_win, owt->wt_win, n * sizeof(wt->wt_win[0]));
	wt->wt_win[n] = w;
	vm_phys_window_next = base + size;
	rcu_assign_pointer(vm_phys_wtab, wt);
	mtx_unlock(&vm_phys_window_mtx);
	if (owt != NULL)
		call_rcu(&owt->wt_rcu, vm_phys_wtab_free_cb);
	*wp = w;
	if (basep != NULL)
		*basep = base;
	return (0);
}

/*
 * Unpublish w; readers already inside it keep a valid mapping until the
 * grace period ends, then it is unmapped and closed: later for a memfd,
 * before this returns for a caller's descriptor.  Its address range is
 * not reused.  The caller must be a registered RCU thread outside any
 * read-side section.
 */
void
vm_phys_window_destroy(struct vm_phys_window *w)
{
	struct vm_phys_wtab *wt, *owt;
	unsigned i, j;

	mtx_lock(&vm_phys_window_mtx);
	owt = vm_phys_wtab;
	for (i = 0; owt != NULL && i < owt->wt_count; i++)
		if (owt->wt_win[i] == w)
			break;
	if (owt == NULL || i == owt->wt_count)
		panic("vm_phys_window_destroy: window %p is not registered",
		    (void *)w);
	if (owt->wt_count == 1) {
		wt = NULL;
	} else {
		wt = vm_phys_wtab_alloc(owt->wt_count - 1);
		if (wt == NULL)
			panic("vm_phys_window_destroy: out of memory");
		for (i = j = 0; i < owt->wt_count; i++)
			if (owt->wt_win[i] != w)
				wt->wt_win[j++] = owt->wt_win[i];
	}
	rcu_assign_pointer(vm_phys_wtab, wt);
	mtx_unlock(&vm_phys_window_mtx);
	call_rcu(&owt->wt_rcu, vm_phys_wtab_free_cb);
	if (w->w_external) {
		synchronize_rcu();
		vm_phys_window_free(w);
	} else
		call_rcu(&w->w_rcu, vm_phys_window_free_cb);
}

/*
 * msync(MS_SYNC) the backing of [pa, pa + len), widened to whole pages.
 * EINVAL if the range is not inside w; len 0 syncs nothing.  A backing
 * file that no longer covers the range lost what was stored there: EIO,
 * as for msync's own failures, counted and logged as a backing failure.
 */
int
vm_phys_window_sync(struct vm_phys_window *w, vm_paddr_t pa, vm_size_t len)
{
	vm_size_t start, end;
	struct stat st;
	char what[64], why[128];
	int error;

	if (pa < w->w_base || pa - w->w_base > w->w_size ||
	    len > w->w_size - (pa - w->w_base))
		return (EINVAL);
	start = trunc_page(pa - w->w_base);
	end = round_page(pa - w->w_base + len);
	if (end == start)
		return (0);
	snprintf(what, sizeof(what), "fsync of [%#jx, %#jx)",
	    (uintmax_t)start, (uintmax_t)end);
	if (fstat(w->w_fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < w->w_off + (off_t)end) {
		snprintf(why, sizeof(why), "the backing file is %jd bytes, "
		    "shorter than the window (it was truncated under the "
		    "device)", (intmax_t)st.st_size);
		vm_phys_window_failed(w, what, why);
		return (EIO);
	}
	if (msync((char *)w->w_host + start, end - start, MS_SYNC) != 0) {
		error = errno;
		snprintf(why, sizeof(why), "msync: %s", strerror(error));
		vm_phys_window_failed(w, what, why);
		return (error);
	}
	return (0);
}

vm_paddr_t
vm_phys_window_base(const struct vm_phys_window *w)
{

	return (w->w_base);
}

vm_size_t
vm_phys_window_size(const struct vm_phys_window *w)
{

	return (w->w_size);
}

const char *
vm_phys_window_name(const struct vm_phys_window *w)
{

	return (w->w_name);
}
