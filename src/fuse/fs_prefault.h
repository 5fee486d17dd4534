/*
 * Prefault: pages pushed into the kernel's page cache ahead of the
 * application's faults, after FreeBSD's MAP_PREFAULT_READ, which enters a
 * device object's pages in the pmap at mmap time (vm_map_pmap_enter ->
 * pmap_object_init_pt) instead of waiting for the faults.  Here the pmap
 * is the kernel's page cache of dev/<name>, and entering a page is
 * fuse_lowlevel_notify_store(): a later touch of it is a page-cache hit,
 * with no READ.
 *
 * Every page pushed goes through the pager as a fault would
 * (vm_map_prefault_range: vm_fault -> pager -> driver, managed pages
 * entered in the pmap under the node), so revoke, a gem move, destroy
 * reach pushed pages exactly as they reach faulted ones; the first page
 * the driver (or a fail point) refuses ends the push, without an error
 * for anybody -- the application faults that page itself later and gets
 * what a fault gets (SIGBUS).  Devices whose memattr is not write-back
 * are never pushed: their pages must be fetched again (DESIGN.md).
 *
 * The policy is the device's (si_prefault, the prefault= keys):
 *	none	nothing is pushed: every first touch is a READ;
 *	open	an open of the node that finds no other open file of it
 *		pushes [0, prefault_max) before the open returns (no READ
 *		can be in flight then, so the push never waits for another
 *		request on the open's thread; the kernel keeps the cache:
 *		device nodes of
 *		write-back devices are opened with FOPEN_KEEP_CACHE, without
 *		which the kernel would drop the pushed pages at the end of
 *		the open);
 *	around	after the reply to a READ, a worker thread pushes a window
 *		after it -- 256 KiB, doubling while the reads follow the
 *		windows, up to prefault_window -- inside the READ's object.
 *
 * A push overwrites whatever the kernel caches at those offsets, dirty or
 * not, and may race with a READ of the same page (the READ's folio is
 * locked, the push waits for the reply, then overwrites).  Both are
 * harmless while nobody can write to the node: the bytes are the
 * device's either way.  So a push runs only while no open file of the
 * node may write (the opener being served aside: it has no descriptor
 * yet), and an open for writing that arrives during a push is answered
 * when the push has ended, by the thread that ends it (no request
 * handler waits for another request).  A revocation queued while a push
 * ran (fs_inval_gen) is sent again for the pushed range afterwards, so a
 * page pushed after its revocation was sent does not stay cached.
 *
 * A long push overlaps its two halves, the faults (on the pushing
 * thread) and the stores (on a partner thread): fs_prefault_push.c.
 *
 * Locks: the node's dn_pf_lock (fs_devnode.h), the worker's queue lock
 * and the partner's lock, all leaves.
 */
#ifndef _FUSE_FS_PREFAULT_H_
#define _FUSE_FS_PREFAULT_H_

#include <stdbool.h>
#include <fuse_lowlevel.h>

#include "kern/ucred.h"
#include "vm/vm.h"

struct cdev;
struct file;
struct fs_devnode;

/* The first window of `around' (it doubles up to prefault_window). */
#define	FS_PREFAULT_AROUND_MIN	(256 * 1024)
/* Pages pushed per notify_store (fits libfuse's 1 MiB pipe). */
#define	FS_PREFAULT_CHUNK_PAGES	128

/* Start the `around' worker and the push partner; 0 or errno. */
int	fs_prefault_start(void);
/* Stop them once the request loop has ended: queued windows are dropped. */
void	fs_prefault_stop(void);

/*
 * The push partner (fs_prefault_push.c), which stores one chunk of a
 * long push while the pushing thread faults the next; started (on
 * machines with more than one CPU) and stopped with the worker.  0 or
 * errno.
 */
int	fs_prefault_partner_start(void);
void	fs_prefault_partner_stop(void);

/* Is dev's memory write-back, the only kind ever pushed? */
bool	fs_prefault_wb(const struct cdev *dev);

/*
 * Finish an open (reply to req with fi, or with error and undo the
 * open).  Called once per open, by fs_prefault_open or later by the
 * thread that ends a push.
 */
typedef void fs_prefault_reply_t(fuse_req_t req, struct fuse_file_info *fi,
    int error);

/*
 * An open of dn's node (fp, with fi as the reply will carry it): count
 * a writer, push what the policy says, and finish the open with reply --
 * at once, or after a push under way has ended.
 */
void	fs_prefault_open(fuse_req_t req, struct fuse_file_info *fi,
	    struct fs_devnode *dn, struct file *fp, const struct ucred *cred,
	    fs_prefault_reply_t *reply);
/* An open with these open(2) flags is over (released, or undone). */
void	fs_prefault_close(struct fs_devnode *dn, int flags);

/*
 * Should a READ of dn be followed by a window (policy around, write-back
 * memory)?  Cheap: atomics only.
 */
bool	fs_prefault_around_wanted(struct fs_devnode *dn);
/*
 * After the reply to a READ of [start, end) of dn, whose last page is in
 * obj: queue the window after it for the worker.  The caller gives the
 * worker one hold on dn (fs_devnode_hold) and one reference on obj; both
 * are dropped when the window is done or dropped.
 */
void	fs_prefault_around(struct fs_devnode *dn, vm_object_t obj,
	    vm_ooffset_t start, vm_ooffset_t end, const struct ucred *cred);

/*
 * Push [start, end) of dn's node now (the caller has made sure nobody
 * may write: see above), through the per-open check of fp (NULL: none;
 * only, non-NULL, limits the push to that object).  Returns the pages
 * pushed from start on.  For `open' and the worker; tests call it
 * directly.
 */
unsigned long fs_prefault_push(struct fs_devnode *dn, struct file *fp,
	    vm_object_t only, vm_ooffset_t start, vm_ooffset_t end,
	    const struct ucred *cred);

/*
 * Tests: replace what sends a store to the kernel (NULL restores
 * fuse_lowlevel_notify_store), to see what would be pushed.
 */
typedef int fs_prefault_send_t(fuse_ino_t ino, off_t off,
    struct fuse_bufvec *bv, enum fuse_buf_copy_flags flags);
void	fs_prefault_set_sender(fs_prefault_send_t *send);

#endif /* !_FUSE_FS_PREFAULT_H_ */
