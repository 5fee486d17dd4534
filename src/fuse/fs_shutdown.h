/*
 * How the daemon stops without losing a dirty page.
 *
 * Stores into a mapped device file reach the daemon only when the kernel
 * writes the dirty pages back, as WRITE requests that the daemon's own
 * workers must read.  So everything that makes the kernel write back has
 * to happen while the request loop still runs, and nothing that waits on
 * the kernel may happen after it.
 *
 * SIGTERM, SIGINT and SIGHUP.  The handler only counts the signal and
 * posts a semaphore.  The shutdown thread then, with the loop still
 * serving requests:
 *	1. drains (on a thread of its own): queues an invalidation of the
 *	   whole page cache of every device node, which makes the kernel
 *	   launder each dirty page through a WRITE; closes the invalidation
 *	   queue once everything queued has been sent (fs_inval_close); then
 *	   makes every device's backing durable (dev_sync: msync MS_SYNC);
 *	2. ends the loop: fuse_session_exit(), then interrupts the main
 *	   thread (libfuse waits there in sem_wait or in read on /dev/fuse)
 *	   with a signal of its own, again every few milliseconds until the
 *	   loop has returned, since one sent just before the main thread
 *	   blocks would be lost;
 *	3. watches the teardown: if the daemon is not done within
 *	   FS_SHUTDOWN_TEARDOWN_SEC of the end of the drain, it exits
 *	   with status 1 at once.
 * The drain may take at most FS_SHUTDOWN_DRAIN_SEC.  A further signal
 * arriving at least FS_SHUTDOWN_REPEAT_MS after the first ends it at
 * once; signals closer together are one request (a terminal's Ctrl-C
 * reaches a script and the daemon it started).  A drain that does not
 * finish gives up: the FUSE connection is aborted (through the fusectl
 * file system's abort file, or a forced unmount when root), which fails
 * every request still waiting so that no thread stays blocked in the
 * kernel, the mount is detached, and the daemon exits with status 1.
 *
 * Unmounting (fusermount3 -u, umount): the kernel writes dirty pages back
 * itself before it ends the connection; the loop returns 0 and the
 * teardown makes the backing durable (fs_shutdown_sync_devices).
 *
 * The main thread calls these in the order below; the drain thread calls
 * fs_shutdown_sync_devices() too.
 */
#ifndef _FUSE_FS_SHUTDOWN_H_
#define _FUSE_FS_SHUTDOWN_H_

#include <fuse_lowlevel.h>

#define	FS_SHUTDOWN_DRAIN_SEC		10
#define	FS_SHUTDOWN_TEARDOWN_SEC	5
#define	FS_SHUTDOWN_REPEAT_MS		1000

/*
 * Before mounting: handle SIGTERM, SIGINT and SIGHUP, and ignore SIGPIPE
 * (a handler that does nothing, so that programs run later get it back).
 * 0, or -1 after logging why.
 */
int	fs_shutdown_init(struct fuse_session *se);
/*
 * After fuse_daemonize(), before any other thread: block the three
 * signals in the main thread (every thread made from now on inherits
 * that) and start the shutdown thread.  mountpoint is where se is
 * mounted.  0, or -1 after logging why.
 */
int	fs_shutdown_start(const char *mountpoint);
/* Right before the request loop: the main thread takes the signals. */
void	fs_shutdown_loop_enter(void);
/*
 * Right after it, with what the loop returned: waits for a drain under
 * way (bounded as above) and gives the exit status the end of the loop
 * deserves: 0 for an unmount or a complete drain, 1 for a loop error or
 * a drain that gave up or could not sync a device.
 */
int	fs_shutdown_loop_exit(int loop_ret);
/*
 * Make the backing of every device durable (dev_sync).  0, or the first
 * error after logging every failure.  The caller must be a registered
 * RCU thread and hold no lock.
 */
int	fs_shutdown_sync_devices(void);
/* Last: stop the shutdown thread and restore the signal dispositions. */
void	fs_shutdown_fini(void);

#endif /* !_FUSE_FS_SHUTDOWN_H_ */
