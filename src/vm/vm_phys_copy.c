/*
 * Guarded copies into and out of physical memory, and what a failing
 * backing costs: an error on its window, never a signal that stops the
 * daemon.
 *
 * A device window may be a shared mapping of a host file (backing=PATH,
 * a plugin's descriptor).  A store into it faults when the file has no
 * block for the page and none can be had (a full filesystem, a quota), a
 * load or a store faults when the file was truncated under the window or
 * the disk fails.  vm_phys_read() and vm_phys_write() make every such
 * copy under a recovery point (kern/onfault.h); a fault is diagnosed from
 * the backing descriptor (vm_phys_copy_diagnose), turned into an errno,
 * counted and logged once per window.  Copies the kernel makes for us
 * (the iovecs of a READ reply point into window memory) fail in the
 * kernel instead, with EFAULT for the writev; the filesystem reports them
 * with vm_phys_copy_failed().
 *
 * RAM and memfd windows are private to the daemon, sized once and never
 * truncated: a fault there cannot come from a backing file (memory
 * exhaustion is the OOM killer's, not SIGBUS), but the same paths cover
 * them, at the cost of arming a recovery point (no system call).
 *
 * Locks used to protect data in this file:
 *	(a)	atomic
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/onfault.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"
#include "vm/vm_phys_var.h"

static uint64_t vm_phys_backing_errs;	/* (a) */
static bool vm_phys_ram_logged;		/* (a) */

static int	vm_phys_copy(vm_paddr_t pa, void *buf, size_t len,
		    bool store);
static int	vm_phys_copy_diagnose(struct vm_phys_window *w,
		    vm_size_t woff, bool *retryp, char *why, size_t whylen);

void
vm_phys_window_failed(struct vm_phys_window *w, const char *what,
    const char *why)
{
	bool *logged;

	__atomic_add_fetch(&vm_phys_backing_errs, 1, __ATOMIC_RELAXED);
	logged = w != NULL ? &w->w_logged : &vm_phys_ram_logged;
	if (__atomic_exchange_n(logged, true, __ATOMIC_RELAXED))
		return;
	if (w == NULL)
		kern_log(LOG_ERR, "RAM: %s failed: %s", what, why);
	else
		kern_log(LOG_ERR, "device window '%s' (backing %s): %s failed: "
		    "%s; the device stays up with I/O errors where its backing "
		    "fails, later failures are counted in vm/stats "
		    "backing_errors only", w->w_name, w->w_backing, what, why);
}

uint64_t
vm_phys_backing_errors(void)
{

	return (__atomic_load_n(&vm_phys_backing_errs, __ATOMIC_RELAXED));
}

/*
 * Why did a copy at window offset woff of w fault?  The backing
 * descriptor tells:
 *	- a regular file (a memfd too) that no longer holds the page was
 *	  truncated under the window: EIO, nothing to try again;
 *	- otherwise the page is given its blocks (fallocate, keeping the
 *	  size): if that fails, its errno is the reason (ENOSPC, EDQUOT,
 *	  EIO); if it works, the room is there now and the copy is worth
 *	  one more try (*retryp);
 *	- a device, or a filesystem that cannot fallocate: EIO.
 * why gets a description for the log.  Call inside rcu_read_lock().
 */
static int
vm_phys_copy_diagnose(struct vm_phys_window *w, vm_size_t woff,
    bool *retryp, char *why, size_t whylen)
{
	struct stat st;
	off_t foff;
	int error;

	*retryp = false;
	foff = w->w_off + (off_t)trunc_page(woff);
	if (fstat(w->w_fd, &st) != 0) {
		error = errno;
		snprintf(why, whylen, "fstat of the backing: %s",
		    strerror(error));
		return (EIO);
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "the device could not supply the page "
		    "(an I/O error)");
		return (EIO);
	}
	if (st.st_size < foff + PAGE_SIZE) {
		snprintf(why, whylen, "the backing file is %jd bytes, shorter "
		    "than the window (it was truncated under the device)",
		    (intmax_t)st.st_size);
		return (EIO);
	}
	if (fallocate(w->w_fd, FALLOC_FL_KEEP_SIZE, foff, PAGE_SIZE) != 0) {
		error = errno;
		if (error == EOPNOTSUPP || error == ENOSYS) {
			snprintf(why, whylen, "the backing file could not "
			    "supply or hold the page (an I/O error, or no "
			    "room on a filesystem that cannot reserve it)");
			return (EIO);
		}
		snprintf(why, whylen, "no block for the page in the backing "
		    "file: %s", strerror(error));
		return (error == ENOSPC || error == EDQUOT ? error : EIO);
	}
	*retryp = true;
	snprintf(why, whylen, "the backing file could not supply or hold "
	    "the page (an I/O error)");
	return (EIO);
}

/*
 * The copy behind vm_phys_read() (store false: memory at pa -> buf) and
 * vm_phys_write() (store true).
 */
static int
vm_phys_copy(vm_paddr_t pa, void *buf, size_t len, bool store)
{
	struct vm_phys_window *w;
	char what[64], why[160];
	uintptr_t faddr;
	vm_size_t woff;
	char *host;
	bool retry;
	int error, tries;

	if (len == 0)
		return (0);
	rcu_read_lock();
	w = NULL;
	if (pa < vm_phys_ram_end() && len <= vm_phys_ram_end() - pa) {
		host = vm_phys_to_host(pa);
	} else {
		w = vm_phys_window_lookup(pa);
		if (w == NULL || len > w->w_size - (pa - w->w_base)) {
			rcu_read_unlock();
			return (ENXIO);
		}
		host = (char *)w->w_host + (pa - w->w_base);
	}
	for (tries = 0;; tries++) {
		if (store)
			error = onfault_copy(host, buf, len, host, len, &faddr);
		else
			error = onfault_copy(buf, host, len, host, len, &faddr);
		if (error == 0)
			break;
		if (w == NULL) {
			snprintf(what, sizeof(what), "%s at %#jx",
			    store ? "store" : "load", (uintmax_t)(pa +
			    (faddr - (uintptr_t)host)));
			vm_phys_window_failed(NULL, what, "a fault in the RAM "
			    "memfd");
			error = EIO;
			break;
		}
		woff = (pa - w->w_base) + (faddr - (uintptr_t)host);
		error = vm_phys_copy_diagnose(w, woff, &retry, why,
		    sizeof(why));
		if (retry && tries == 0)
			continue;
		snprintf(what, sizeof(what), "%s at offset %#jx",
		    store ? "store" : "load", (uintmax_t)trunc_page(woff));
		vm_phys_window_failed(w, what, why);
		/* A load has no use for ENOSPC: it could not be read. */
		if (!store)
			error = EIO;
		break;
	}
	rcu_read_unlock();
	return (error);
}

int
vm_phys_read(vm_paddr_t pa, void *buf, size_t len)
{

	return (vm_phys_copy(pa, buf, len, false));
}

int
vm_phys_write(vm_paddr_t pa, const void *buf, size_t len)
{

	return (vm_phys_copy(pa, (void *)(uintptr_t)buf, len, true));
}

void
vm_phys_copy_failed(vm_paddr_t pa, vm_size_t len)
{
	struct vm_phys_window *w;
	char what[64], why[160];
	struct stat st;
	off_t fend;

	rcu_read_lock();
	w = pa >= vm_phys_ram_end() ? vm_phys_window_lookup(pa) : NULL;
	snprintf(what, sizeof(what), "a copy by the kernel from %#jx",
	    (uintmax_t)(w != NULL ? pa - w->w_base : pa));
	if (w == NULL) {
		vm_phys_window_failed(NULL, what, "a fault in the RAM memfd");
		rcu_read_unlock();
		return;
	}
	if (len > w->w_size - (pa - w->w_base))
		len = w->w_size - (pa - w->w_base);
	fend = w->w_off + (off_t)(pa - w->w_base + len);
	if (fstat(w->w_fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size < fend)
		snprintf(why, sizeof(why), "the backing file is %jd bytes, "
		    "shorter than the window (it was truncated under the "
		    "device)", (intmax_t)st.st_size);
	else
		snprintf(why, sizeof(why), "the backing could not supply a "
		    "page (an I/O error, or no room for a hole)");
	vm_phys_window_failed(w, what, why);
	rcu_read_unlock();
}
