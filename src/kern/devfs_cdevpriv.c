/*
 * Open device files, per-open driver data and the td_fpop discipline (see
 * devfs.h).
 *
 * The open count that decides when a non-D_TRACKCLOSE driver sees its
 * d_close is si_usecount, under devmtx.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/mutex.h"
#include "kern/proc.h"

static uint64_t devfs_next_file_id = 1;		/* (a) */
/* Every file between a successful devfs_open and its devfs_close. */
static struct mtx devfs_files_mtx = MTX_INITIALIZER("devfs files",
    LOCK_RANK_LEAF, 0);
static LIST_HEAD(, file) devfs_files =
    LIST_HEAD_INITIALIZER(devfs_files);			/* (l) */

static void	devfs_destroy_cdevpriv(struct file *fp);

struct file *
devfs_fpop_enter(struct file *fp)
{
	struct file *saved;

	saved = curthread->td_fpop;
	curthread->td_fpop = fp;
	return (saved);
}

void
devfs_fpop_exit(struct file *saved)
{

	curthread->td_fpop = saved;
}

int
devfs_set_cdevpriv(void *priv, d_priv_dtor_t *dtr)
{
	struct file *fp;
	int error;

	fp = curthread->td_fpop;
	if (fp == NULL)
		return (EBADF);
	mtx_lock(&fp->f_mtx);
	if (fp->f_cdevpriv_dtor != NULL || fp->f_cdevpriv != NULL)
		error = EBUSY;
	else {
		fp->f_cdevpriv = priv;
		fp->f_cdevpriv_dtor = dtr;
		error = 0;
	}
	mtx_unlock(&fp->f_mtx);
	return (error);
}

int
devfs_get_cdevpriv(void **datap)
{
	struct file *fp;
	int error;

	*datap = NULL;
	fp = curthread->td_fpop;
	if (fp == NULL)
		return (EBADF);
	mtx_lock(&fp->f_mtx);
	if (fp->f_cdevpriv == NULL && fp->f_cdevpriv_dtor == NULL)
		error = ENOENT;
	else {
		*datap = fp->f_cdevpriv;
		error = 0;
	}
	mtx_unlock(&fp->f_mtx);
	return (error);
}

/* Detach the data under the lock, run the destructor without it. */
static void
devfs_destroy_cdevpriv(struct file *fp)
{
	d_priv_dtor_t *dtr;
	void *priv;

	mtx_lock(&fp->f_mtx);
	priv = fp->f_cdevpriv;
	dtr = fp->f_cdevpriv_dtor;
	fp->f_cdevpriv = NULL;
	fp->f_cdevpriv_dtor = NULL;
	mtx_unlock(&fp->f_mtx);
	if (dtr != NULL)
		dtr(priv);
}

void
devfs_clear_cdevpriv(void)
{
	struct file *fp;

	fp = curthread->td_fpop;
	if (fp == NULL)
		return;
	devfs_destroy_cdevpriv(fp);
}

static void
devfs_file_free(struct file *fp)
{

	devfs_destroy_cdevpriv(fp);
	mtx_destroy(&fp->f_mtx);
	dev_rel(fp->f_dev);
	free(fp);
}

int
devfs_open(struct cdev *dev, int oflags, const struct ucred *cred,
    struct file **fpp)
{
	struct cdevsw *csw;
	struct file *fp, *saved;
	int error, ref;

	*fpp = NULL;
	fp = calloc(1, sizeof(*fp));
	if (fp == NULL)
		return (ENOMEM);
	mtx_init(&fp->f_mtx, "cdevpriv", LOCK_RANK_LEAF, MTX_DEF);
	dev_ref(dev);
	fp->f_dev = dev;
	fp->f_flag = oflags;
	if (cred != NULL)
		fp->f_cred = *cred;
	fp->f_id = __atomic_fetch_add(&devfs_next_file_id, 1,
	    __ATOMIC_RELAXED);

	csw = dev_refthread(dev, &ref);
	if (csw == NULL) {
		devfs_file_free(fp);
		return (ENXIO);
	}
	saved = devfs_fpop_enter(fp);
	error = csw->d_open(dev, oflags, S_IFCHR, curthread);
	devfs_fpop_exit(saved);
	if (error == 0) {
		dev_lock();
		dev->si_usecount++;
		dev_unlock();
	}
	dev_relthread(dev, ref);
	if (error != 0) {
		/* As FreeBSD: data set by a failed d_open does not stay. */
		devfs_file_free(fp);
		return (error);
	}
	mtx_lock(&devfs_files_mtx);
	LIST_INSERT_HEAD(&devfs_files, fp, f_link);
	mtx_unlock(&devfs_files_mtx);
	*fpp = fp;
	return (0);
}

int
devfs_close(struct file *fp)
{
	struct cdev *dev;
	struct cdevsw *csw;
	struct file *saved;
	int error, ref;
	bool last;

	mtx_lock(&devfs_files_mtx);
	LIST_REMOVE(fp, f_link);
	mtx_unlock(&devfs_files_mtx);
	dev = fp->f_dev;
	dev_lock();
	KASSERT(dev->si_usecount > 0, ("devfs_close(%s): no opens",
	    dev->si_name));
	if (dev->si_usecount > 0)
		dev->si_usecount--;
	last = dev->si_usecount == 0;
	dev_unlock();

	error = 0;
	csw = dev_refthread(dev, &ref);
	if (csw == NULL)
		error = ENXIO;
	else {
		if (last || (csw->d_flags & D_TRACKCLOSE) != 0) {
			saved = devfs_fpop_enter(fp);
			error = csw->d_close(dev, fp->f_flag, S_IFCHR,
			    curthread);
			devfs_fpop_exit(saved);
		}
		dev_relthread(dev, ref);
	}
	devfs_file_free(fp);
	return (error);
}

unsigned
devfs_close_all(void)
{
	struct file *fp;
	unsigned n;

	for (n = 0;; n++) {
		mtx_lock(&devfs_files_mtx);
		fp = LIST_FIRST(&devfs_files);
		mtx_unlock(&devfs_files_mtx);
		if (fp == NULL)
			return (n);
		(void)devfs_close(fp);
	}
}

int
devfs_read(struct file *fp, void *buf, size_t len, vm_ooffset_t off,
    size_t *donep)
{
	struct cdevsw *csw;
	struct file *saved;
	int error, ref;

	*donep = 0;
	csw = dev_refthread(fp->f_dev, &ref);
	if (csw == NULL)
		return (ENXIO);
	saved = devfs_fpop_enter(fp);
	error = csw->d_read(fp->f_dev, buf, len, off, fp->f_flag, donep);
	devfs_fpop_exit(saved);
	dev_relthread(fp->f_dev, ref);
	return (error);
}

int
devfs_write(struct file *fp, const void *buf, size_t len, vm_ooffset_t off,
    size_t *donep)
{
	struct cdevsw *csw;
	struct file *saved;
	int error, ref;

	*donep = 0;
	csw = dev_refthread(fp->f_dev, &ref);
	if (csw == NULL)
		return (ENXIO);
	saved = devfs_fpop_enter(fp);
	error = csw->d_write(fp->f_dev, buf, len, off, fp->f_flag, donep);
	devfs_fpop_exit(saved);
	dev_relthread(fp->f_dev, ref);
	return (error);
}

int
devfs_ioctl(struct file *fp, unsigned long cmd, void *data)
{
	struct cdevsw *csw;
	struct file *saved;
	int error, ref;

	csw = dev_refthread(fp->f_dev, &ref);
	if (csw == NULL)
		return (ENXIO);
	saved = devfs_fpop_enter(fp);
	error = csw->d_ioctl(fp->f_dev, cmd, data, fp->f_flag, curthread);
	devfs_fpop_exit(saved);
	dev_relthread(fp->f_dev, ref);
	return (error);
}

int
devfs_ioctl_user(struct file *fp, unsigned long cmd, uintptr_t arg,
    const void *in, size_t inlen, void *out, size_t outlen)
{
	caddr_t argval;
	unsigned dir;
	size_t size;
	void *data;
	int error, ival;

	dir = _IOC_DIR(cmd);
	size = _IOC_SIZE(cmd);
	if (dir == _IOC_NONE) {
		if (inlen != 0 || outlen != 0)
			return (EINVAL);
		if (size == 0) {
			/* _IO: the argument itself, as &uap->data. */
			argval = (caddr_t)arg;
			return (devfs_ioctl(fp, cmd, &argval));
		}
		if (size == sizeof(int)) {
			/* FreeBSD's _IOWINT: an int argument by value. */
			ival = (int)(intptr_t)arg;
			return (devfs_ioctl(fp, cmd, &ival));
		}
		return (ENOTTY);
	}
	if (size == 0)
		return (ENOTTY);
	if (inlen != ((dir & _IOC_WRITE) != 0 ? size : 0) ||
	    outlen != ((dir & _IOC_READ) != 0 ? size : 0))
		return (EINVAL);
	/* What is not copied in starts zeroed, as FreeBSD's bzero. */
	data = calloc(1, size);
	if (data == NULL)
		return (ENOMEM);
	if (inlen != 0)
		memcpy(data, in, inlen);
	error = devfs_ioctl(fp, cmd, data);
	if (error == 0 && outlen != 0)
		memcpy(out, data, outlen);
	free(data);
	return (error);
}
