/*
 * Open device files, per-open driver data and the thread's current file
 * (td_fpop), after FreeBSD's devfs: struct file, devfs_set_cdevpriv(9)
 * and the devfs vnode operations that call a driver's methods.
 *
 * The filesystem creates one struct file per open of a device node
 * (devfs_open) and frees it at release (devfs_close).  While a driver
 * method runs on behalf of that open -- d_open, d_close, d_read, d_write,
 * d_ioctl through the devfs_* calls below -- curthread->td_fpop points at
 * the file, so the driver can attach private data to the open with
 * devfs_set_cdevpriv() and find it again with devfs_get_cdevpriv().  The
 * data's destructor runs when the file is freed, or at once with
 * devfs_clear_cdevpriv().
 *
 * A page fault is not an operation on a file (FUSE READ/WRITE may arrive
 * on any open handle of the node, and a fault can happen inside an
 * unrelated file operation): the device pager calls d_mmap with td_fpop
 * set to NULL, so devfs_get_cdevpriv() returns EBADF there.  Code that
 * calls a driver method by hand brackets it with devfs_fpop_enter() /
 * devfs_fpop_exit().
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after devfs_open
 *	(f)	f_mtx (per file, a leaf lock; destructors run unlocked)
 *	(l)	the list of open files' mutex (a leaf)
 *	(v)	the filesystem's (not used here)
 */
#ifndef _KERN_DEVFS_H_
#define _KERN_DEVFS_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "kern/conf.h"
#include "kern/mutex.h"
#include "kern/ucred.h"

typedef void	d_priv_dtor_t(void *data);

struct file {
	struct cdev	*f_dev;		/* (c) referenced (dev_ref) */
	int		 f_flag;	/* (c) open(2) flags */
	struct ucred	 f_cred;	/* (c) opener */
	uint64_t	 f_id;		/* (c) unique */
	struct mtx	 f_mtx;		/* protects the cdevpriv */
	void		*f_cdevpriv;	/* (f) driver data */
	d_priv_dtor_t	*f_cdevpriv_dtor; /* (f) its destructor */
	void		*f_fsdata;	/* (v) the filesystem's */
	LIST_ENTRY(file) f_link;	/* (l) open files */
};

/*
 * Per-open driver data, for the file in curthread->td_fpop.
 *	set: 0; EBADF (no current file); EBUSY (already set).
 *	get: 0 with *datap; EBADF (no current file); ENOENT (none set).
 *	clear: run the destructor now (no-op without a current file).
 */
int	devfs_set_cdevpriv(void *priv, d_priv_dtor_t *dtr);
int	devfs_get_cdevpriv(void **datap);
void	devfs_clear_cdevpriv(void);

/* Make fp the current file; returns the previous one for _exit. */
struct file *devfs_fpop_enter(struct file *fp);
void	devfs_fpop_exit(struct file *saved);

/*
 * The operations the filesystem performs on a device file.  Each takes a
 * thread reference on the device (ENXIO once it is being destroyed),
 * sets td_fpop to the file around the driver method and restores it.
 *
 * devfs_open: allocate a file, call d_open; on success *fpp is the file
 * (holding a device reference).  devfs_close: call d_close -- on every
 * close for D_TRACKCLOSE drivers, otherwise on the last close of the
 * device only, as FreeBSD's devfs does -- then run the cdevpriv
 * destructor, drop the device reference and free the file; it frees the
 * file even when the device is gone (and then returns ENXIO).
 */
int	devfs_open(struct cdev *dev, int oflags, const struct ucred *cred,
	    struct file **fpp);
int	devfs_close(struct file *fp);
/*
 * Close every file still open, each as devfs_close does, and return how
 * many there were: at shutdown, for the opens whose release will never
 * come (a process still had the file open or mapped).  No devfs_open may
 * run meanwhile.
 */
unsigned devfs_close_all(void);
int	devfs_read(struct file *fp, void *buf, size_t len, vm_ooffset_t off,
	    size_t *donep);
int	devfs_write(struct file *fp, const void *buf, size_t len,
	    vm_ooffset_t off, size_t *donep);
int	devfs_ioctl(struct file *fp, unsigned long cmd, void *data);

/*
 * An ioctl(2) request on fp from a process, prepared for d_ioctl the way
 * FreeBSD's sys_ioctl() prepares it, from the command's Linux encoding
 * (_IOC_DIR, _IOC_SIZE of <sys/ioctl.h>):
 *	- no direction, size 0 (_IO): data points at a caddr_t holding the
 *	  caller's argument value arg (FreeBSD passes &uap->data; a driver
 *	  reads it with *(caddr_t *)data, or IOCPARM_IVAL);
 *	- no direction, size sizeof(int) (FreeBSD's _IOWINT): data points at
 *	  an int holding (int)arg;
 *	- no direction and any other size, or a direction with size 0:
 *	  ENOTTY, the driver is not called;
 *	- otherwise data points at a buffer of _IOC_SIZE(cmd) bytes (at most
 *	  16383): the inlen bytes of in for _IOC_WRITE, zeroes otherwise;
 *	  after a successful call, for _IOC_READ, its bytes go to out.
 * inlen must be the size for _IOC_WRITE commands and 0 otherwise, outlen
 * the size for _IOC_READ commands and 0 otherwise (EINVAL).  Returns the
 * driver's result, or ENOMEM.
 */
int	devfs_ioctl_user(struct file *fp, unsigned long cmd, uintptr_t arg,
	    const void *in, size_t inlen, void *out, size_t outlen);

#endif /* !_KERN_DEVFS_H_ */
