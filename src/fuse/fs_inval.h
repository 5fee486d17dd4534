/*
 * Kernel page-cache invalidations, sent from their own thread.
 *
 * fuse_lowlevel_notify_inval_inode() unmaps the range from every process
 * and launders dirty pages synchronously (the kernel sends WRITEs and waits
 * for them), so it must never run in a request handler or under a lock a
 * handler needs.  Producers (the pmap unmap callback, revoke, destroy) only
 * queue a range here; one thread sends them, merging overlapping and
 * adjacent ranges of the same inode that are still waiting.
 *
 * Shutdown.  A send waits for WRITE requests that only the daemon's own
 * workers read, so nothing may be sent once the request loop has ended:
 * fs_inval_close() sends what is queued while the loop still runs and
 * then stops sending; fs_inval_stop(), after the loop, sends nothing
 * more.  Ranges queued after either are dropped.
 *
 * Locks used to protect struct members in this file:
 *	[q]	the queue mutex (a leaf: taken under page locks)
 */
#ifndef _FUSE_FS_INVAL_H_
#define _FUSE_FS_INVAL_H_

#include <stdint.h>
#include <fuse_lowlevel.h>

/* Start the thread for session se; 0 or errno. */
int	fs_inval_start(struct fuse_session *se);
/*
 * Send everything queued, delayed ranges at once, then stop sending;
 * return when the last send has returned.  Must run while the request
 * loop still serves /dev/fuse and never in a request handler: a send
 * launders dirty pages through WRITEs the workers answer.  It may block
 * as long as such a WRITE does.
 */
void	fs_inval_close(void);
/*
 * Stop the thread once the request loop has ended: what is still queued
 * is dropped, not sent (the kernel's cache goes with the connection).
 * Waits for a send already under way.
 */
void	fs_inval_stop(void);
/*
 * Make the kernel forget the name `name' in directory parent (a device
 * made or destroyed there: its next lookup asks the daemon), now, on the
 * caller's thread -- unlike the invalidations of data, this waits for
 * nothing the workers serve but lookups in parent (the kernel takes
 * parent's lock).  For request handlers that hold no lock and are no
 * operation on parent: the vm/ctl commands.  Nothing is sent when the
 * thread is not running or shutting down.
 */
void	fs_inval_entry(fuse_ino_t parent, const char *name);
/*
 * Queue an invalidation of [off, off + len) of inode ino (len 0: the whole
 * file).  Never blocks on the kernel; safe under any VM lock.
 */
void	fs_inval_enqueue(fuse_ino_t ino, uint64_t off, uint64_t len);
/*
 * Queue an invalidation to be sent no earlier than delay_ms from now
 * (pages of uncached devices are dropped a little after being served).
 */
void	fs_inval_enqueue_after(fuse_ino_t ino, uint64_t off, uint64_t len,
	    unsigned delay_ms);
/*
 * Queue an invalidation as fs_inval_enqueue does, and call done(arg) on
 * the invalidation thread once an invalidation covering the range has
 * been sent: from then on the kernel holds no page of the range that it
 * cached before the call.  If nothing will be sent (the thread is not
 * running, or the queue is shut for shutdown) done runs at once, on the
 * caller's thread, and ranges dropped at shutdown run their dones when
 * they are dropped; if the range cannot be queued (no memory) done never
 * runs.  Never blocks on the
 * kernel; no lock may be held (done may run here).
 */
typedef void fs_inval_done_t(void *arg);
void	fs_inval_enqueue_done(fuse_ino_t ino, uint64_t off, uint64_t len,
	    fs_inval_done_t *done, void *arg);
/*
 * A count that changes whenever an invalidation of ino is queued (it
 * may change for other inodes too: counts are shared by a hash).  Read
 * before and after pushing pages into the kernel's cache: a change means
 * a revocation may have been sent before the push, which must then be
 * invalidated again.
 */
uint64_t fs_inval_gen(fuse_ino_t ino);
/* Ranges queued but not yet sent (for tests and vm/stats). */
unsigned long fs_inval_pending(void);
/* Ranges dropped by fs_inval_close() or fs_inval_stop() since start. */
unsigned long fs_inval_dropped(void);

/*
 * Tests: replace the function that talks to the kernel (NULL restores
 * fuse_lowlevel_notify_inval_inode), to record what would be sent.
 */
typedef int fs_inval_send_t(struct fuse_session *se, fuse_ino_t ino,
    off_t off, off_t len);
void	fs_inval_set_sender(fs_inval_send_t *send);
/* Tests: wait until nothing is queued or being sent. */
void	fs_inval_wait_idle(void);

#endif /* !_FUSE_FS_INVAL_H_ */
