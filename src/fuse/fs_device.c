/*
 * dev/<name>: the requests on device nodes (see fs_device.h).  The node
 * and its map are fs_devnode.c's; what a request faults and stores goes
 * through the node's vm_map (vm_map_hold_range, vm_map_write): this file
 * only turns requests into those calls and their results into replies.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "fuse/fs.h"
#include "fuse/fs_device.h"
#include "fuse/fs_devnode.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_node.h"
#include "fuse/fs_pagebuf.h"
#include "fuse/fs_prefault.h"
#include "fuse/fs_stats.h"

/* Pages of a READ handled without allocating (128 KiB + a partial page). */
#define	FS_READ_STACK_PAGES	33

void
fs_device_init(void)
{
}

void
fs_device_fini(void)
{

	fs_devnode_fini();
}

static fs_prefault_reply_t fs_device_open_reply;

static void
fs_device_fill_stat(const struct cdev *dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = fs_device_ino(dev);
	st->st_mode = S_IFREG | (dev->si_mode & 07777);
	st->st_nlink = 1;
	st->st_uid = dev->si_owner;
	st->st_gid = dev->si_group;
	/* Never changes for the life of the device: a smaller size would
	 * truncate the page cache under every mapper. */
	st->st_size = (off_t)__atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_atim = dev->si_ctime;
	st->st_mtim = dev->si_ctime;
	st->st_ctim = dev->si_ctime;
}

int
fs_device_lookup(const char *name, fuse_ino_t *inop, struct stat *st)
{
	struct cdev *dev;
	int error;

	error = ENOENT;
	rcu_read_lock();
	dev = dev_lookup_rcu(name);
	if (dev != NULL) {
		fs_device_fill_stat(dev, st);
		*inop = fs_device_ino(dev);
		error = 0;
	}
	rcu_read_unlock();
	return (error);
}

/* The si_id of the device of node number ino (FS_INO_DEVICE + si_id). */
static uint64_t
fs_device_id(fuse_ino_t ino)
{

	return (ino >= FS_INO_DEVICE ? ino - FS_INO_DEVICE : UINT64_MAX);
}

int
fs_device_stat(fuse_ino_t ino, struct stat *st)
{
	struct cdev *dev;

	rcu_read_lock();
	dev = dev_lookup_id_rcu(fs_device_id(ino));
	if (dev != NULL && st != NULL)
		fs_device_fill_stat(dev, st);
	rcu_read_unlock();
	return (dev != NULL ? 0 : ENOENT);
}

/* The live device of ino, referenced; NULL if gone. */
static struct cdev *
fs_device_find_ref(fuse_ino_t ino)
{

	return (dev_lookup_id_ref(fs_device_id(ino)));
}

struct foreach_arg {
	int	(*cb)(const char *, fuse_ino_t, void *);
	void	*arg;
	int	 error;
};

static void
foreach_cb(struct cdev *dev, void *arg)
{
	struct foreach_arg *fa = arg;

	if (fa->error == 0)
		fa->error = fa->cb(devtoname(dev), fs_device_ino(dev), fa->arg);
}

int
fs_device_foreach(int (*cb)(const char *name, fuse_ino_t ino, void *arg),
    void *arg)
{
	struct foreach_arg fa = { .cb = cb, .arg = arg };

	dev_foreach(foreach_cb, &fa);
	return (fa.error);
}

static void
fs_req_cred(fuse_req_t req, struct ucred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	cred->cr_uid = ctx->uid;
	cred->cr_gid = ctx->gid;
	cred->cr_pid = ctx->pid;
}

void
fs_device_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_devnode *dn;
	struct cdev *dev;
	struct file *fp;
	struct ucred cred;
	int error;

	dev = fs_device_find_ref(ino);
	if (dev == NULL) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fs_req_cred(req, &cred);
	error = devfs_open(dev, fi->flags, &cred, &fp);
	if (error != 0) {
		dev_rel(dev);
		fuse_reply_err(req, error);
		return;
	}
	dn = fs_devnode_get(ino, dev);
	dev_rel(dev);
	if (dn == NULL) {
		devfs_close(fp);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fp->f_fsdata = dn;
	fi->fh = (uintptr_t)fp;
	/*
	 * Write-back devices keep their pages cached across opens (without
	 * it any open, even a shell cat, would zap every process's
	 * mappings, and the kernel would drop what a prefault pushed
	 * before the open returns).  Uncached, write-through and
	 * write-combining devices see fresh memory at every open, and
	 * their served pages are dropped FS_UNCACHED_LINGER_MS after being
	 * faulted.
	 */
	fi->keep_cache = __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED) ==
	    VM_MEMATTR_WRITE_BACK;
	fi->direct_io = 0;
	curthread->td_ucred = &cred;
	fs_prefault_open(req, fi, dn, fp, &cred, fs_device_open_reply);
	curthread->td_ucred = NULL;
}

/*
 * Answer an open (fs_prefault_open calls this, at once or when a push it
 * waited for is over): the reply, or the undo of the open.
 */
static void
fs_device_open_reply(fuse_req_t req, struct fuse_file_info *fi, int error)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;

	if (error == 0 && fuse_reply_open(req, fi) == 0)
		return;
	/* Refused, or the open was interrupted: undo it. */
	if (error != 0)
		fuse_reply_err(req, error);
	fs_prefault_close(dn, fi->flags);
	fp->f_fsdata = NULL;
	devfs_close(fp);
	fs_devnode_put(dn);
}

void
fs_device_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	vm_page_t held_stack[FS_READ_STACK_PAGES], *held;
	vm_object_t objs_stack[FS_READ_STACK_PAGES], *objs, around_obj;
	struct iovec iov_stack[FS_READ_STACK_PAGES], *iov;
	FS_PAGEBUF_DECLARE(bv_stack, FS_READ_STACK_PAGES);
	struct fuse_bufvec *bv;
	bool sent, uncached;
	struct timespec t0;
	struct ucred cred;
	vm_ooffset_t devsize, end;
	struct vm_map_hold h;
	unsigned npages;
	int error;

	FS_STAT_INC(reads);
	devsize = __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED);
	if (off < 0 || (vm_ooffset_t)off >= devsize || size == 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	end = (vm_ooffset_t)off + size;
	if (end > devsize)
		end = devsize;
	npages = (unsigned)((round_page(end) - trunc_page((vm_ooffset_t)off)) /
	    PAGE_SIZE);
	if (npages <= FS_READ_STACK_PAGES) {
		held = held_stack;
		objs = objs_stack;
		iov = iov_stack;
		bv = &bv_stack.bv;
	} else {
		held = malloc(npages * sizeof(*held));
		objs = malloc(npages * sizeof(*objs));
		iov = malloc(npages * sizeof(*iov));
		bv = malloc(sizeof(*bv) + (npages - 1) * sizeof(bv->buf[0]));
		if (held == NULL || objs == NULL || iov == NULL || bv == NULL) {
			free(held);
			free(objs);
			free(iov);
			free(bv);
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	/*
	 * Everything the request needs from the node is read before the
	 * reply: once the kernel has the data, the application may close
	 * the file and RELEASE may free the node on another thread.
	 */
	uncached = __atomic_load_n(&dn->dn_dev->si_memattr, __ATOMIC_RELAXED) !=
	    VM_MEMATTR_WRITE_BACK;
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	h.pages = held;
	h.objs = objs;
	h.max = npages;
	error = vm_map_hold_range(&dn->dn_map, fp, (vm_ooffset_t)off, end,
	    VM_PROT_READ, &cred, &h);
	curthread->td_ucred = NULL;
	fs_stats_latency_record(&t0);
	sent = false;
	around_obj = NULL;
	if (error == 0) {
		/*
		 * A window to push after the reply: the worker gets the node
		 * (held: RELEASE may come as soon as the reply is out) and
		 * the object of the READ's last page, within which it stays.
		 */
		if (!uncached && fs_prefault_around_wanted(dn)) {
			unsigned i;

			for (i = h.count; i > 0 && around_obj == NULL; i--)
				around_obj = h.objs[i - 1];
			if (around_obj != NULL) {
				vm_object_reference(around_obj);
				fs_devnode_hold(dn);
			}
		}
		error = fs_pagebuf_reply(req, &h, (vm_ooffset_t)off, end,
		    bv, npages, iov, &sent);
		npages = h.count;
		vm_map_unhold(&h);
	}
	if (around_obj != NULL) {
		if (error == 0)
			fs_prefault_around(dn, around_obj,
			    trunc_page((vm_ooffset_t)off), round_page(end),
			    &cred);
		else {
			vm_object_deallocate(around_obj);
			fs_devnode_put(dn);
		}
	}
	if (error != 0) {
		/*
		 * Never a short read inside the file: the kernel would take
		 * it for the end of the file and shrink the page cache under
		 * every mapper.  The application gets SIGBUS (or EIO).  A
		 * reply the kernel could not take was answered with EIO by
		 * the kernel itself.
		 */
		FS_STAT_INC(fault_errors);
		if (!sent)
			fuse_reply_err(req, error);
	} else {
		FS_STAT_ADD(faults, npages);
		if (uncached)
			fs_inval_enqueue_after(ino, trunc_page((vm_ooffset_t)
			    off), round_page(end) - trunc_page((vm_ooffset_t)
			    off), FS_UNCACHED_LINGER_MS);
	}
	if (held != held_stack) {
		free(held);
		free(objs);
		free(iov);
		free(bv);
	}
}

void
fs_device_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
    off_t off, struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	struct ucred cred;
	vm_ooffset_t devsize, end;
	int error;

	FS_STAT_INC(writes);
	devsize = __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED);
	if (off < 0 || (vm_ooffset_t)off >= devsize) {
		fuse_reply_err(req, size == 0 ? 0 : ENOSPC);
		return;
	}
	end = (vm_ooffset_t)off + size;
	if (end > devsize)
		end = devsize;	/* a write never extends a device */
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	/*
	 * A write(2) is checked against its open file; the kernel's
	 * write-back of cached pages (writepage) may come on any open of the
	 * node and is not.
	 */
	error = vm_map_write(&dn->dn_map, fi->writepage ? NULL : fp,
	    (vm_ooffset_t)off, end, &cred, buf);
	curthread->td_ucred = NULL;
	/* Stored: the driver may pass the bytes on (dd_written). */
	if (error == 0)
		error = dev_written(dn->dn_dev, (vm_ooffset_t)off,
		    end - (vm_ooffset_t)off);
	if (error != 0) {
		FS_STAT_INC(fault_errors);
		fuse_reply_err(req, error);
		/*
		 * The kernel copied a refused write(2) into any page it caches
		 * there before asking: drop those pages, so that nobody's
		 * mapping keeps the refused bytes.
		 */
		if (error == EACCES)
			fs_inval_enqueue(ino, trunc_page((vm_ooffset_t)off),
			    round_page(end) - trunc_page((vm_ooffset_t)off));
	} else
		fuse_reply_write(req, end - (vm_ooffset_t)off);
}

/*
 * The kernel has written the dirty pages back (WRITE) before it asks;
 * make the device's file-backed memory durable.  A failure -- msync's
 * (EIO, ENOSPC), or EIO for a backing file truncated under the device --
 * reaches the caller of fsync(2); the window layer counts and logs it.
 */
void
fs_device_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	int error;

	(void)ino;
	(void)datasync;
	error = dev_sync(dn->dn_dev, 0,
	    __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED));
	fuse_reply_err(req, error);
}

void
fs_device_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;

	(void)ino;
	fs_prefault_close(dn, fp->f_flag);
	devfs_close(fp);
	fs_devnode_put(dn);
	fuse_reply_err(req, 0);
}

void
fs_device_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
    struct fuse_file_info *fi, unsigned flags, const void *in_buf,
    size_t in_bufsz, size_t out_bufsz)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct ucred cred;
	void *out;
	int error;

	(void)ino;
	if ((flags & FUSE_IOCTL_COMPAT) != 0) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	/*
	 * Restricted ioctls: the kernel copied _IOC_SIZE(cmd) bytes in for
	 * _IOC_WRITE and takes as many back for _IOC_READ; arg is the
	 * caller's argument value, which _IO commands get (FreeBSD's
	 * sys_ioctl, devfs_ioctl_user()).
	 */
	out = NULL;
	if (out_bufsz > 0 && (out = malloc(out_bufsz)) == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	error = devfs_ioctl_user(fp, cmd, (uintptr_t)arg, in_buf, in_bufsz,
	    out, out_bufsz);
	curthread->td_ucred = NULL;
	if (error != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_ioctl(req, 0, out, out_bufsz);
	free(out);
}
