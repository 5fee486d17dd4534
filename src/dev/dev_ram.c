/*
 * ram: a device window (what a PCI BAR would be) of a given size and
 * memattr, mapped the old way: d_mmap turns an offset into the window's
 * physical address, so vm_mmap_cdev falls back to the device pager
 * (OBJT_DEVICE, unmanaged fake pages).  read(2)/write(2) are served from
 * the window too (d_read/d_write).
 *
 * Backing.  Without backing= the window is an anonymous memfd.  With
 * backing=PATH (an absolute path) it is:
 *	- a regular file: created (mode 0600) and sized if missing; an
 *	  existing file must be exactly size bytes (or, without size=, gives
 *	  the size: a non-zero multiple of the page size);
 *	- an existing character or block device that can be mapped shared
 *	  (a PCI resourceN file, for instance);
 * anything else (directory, FIFO, socket, symbolic link) is refused.
 * Path rule: the directory part is resolved with realpath(3) (symbolic
 * links in it are followed), then the last component is opened relative
 * to that directory with O_NOFOLLOW: a symbolic link as the last
 * component is never followed.  dd_sync msyncs the window (fsync on the
 * node).  Nothing else may truncate the file while the device exists.
 *
 * memattr.  The window keeps the memattr it was created with (vm/phys
 * shows it); dd_set_memattr changes what d_mmap reports, which the device
 * pager puts on the fake pages of faults from then on.  The device
 * object's own default stays as it was.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant while the device exists
 *	(a)	atomic
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"

struct ram_softc {
	struct vm_phys_window	*sc_window;	/* (c) */
	vm_paddr_t		 sc_base;	/* (c) window base */
	vm_size_t		 sc_size;	/* (c) bytes */
	char			*sc_host;	/* (c) the window, host VA */
	vm_memattr_t		 sc_memattr;	/* (a) what d_mmap reports */
};

/* An opened (or, dry, just checked) backing=PATH. */
struct ram_backing {
	int		 rb_fd;		/* -1 when dry */
	int		 rb_dirfd;	/* the resolved directory */
	char		 rb_base[NAME_MAX + 1];	/* last component */
	char		 rb_desc[PATH_MAX];	/* resolved path */
	bool		 rb_created;	/* we made the file */
	uint64_t	 rb_size;	/* the window size to use */
};

static d_mmap_t ram_mmap;
static d_read_t ram_read;
static d_write_t ram_write;
static int	ram_check(const struct dev_create_args *args,
		    struct sbuf *err);
static int	ram_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static int	ram_destroy(struct cdev *dev, struct sbuf *err);
static int	ram_set_memattr(struct cdev *dev, vm_memattr_t ma,
		    struct sbuf *err);
static int	ram_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
static int	ram_size(const struct dev_create_args *args, uint64_t *sizep,
		    struct sbuf *err);
static int	ram_backing_open(const struct dev_create_args *args,
		    bool dry, struct ram_backing *rb, struct sbuf *err);
static void	ram_backing_close(struct ram_backing *rb, bool undo);

static struct cdevsw ram_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "ram",
	.d_read = ram_read,
	.d_write = ram_write,
	.d_mmap = ram_mmap,
};

static const char *const ram_keys[] = { "size", "memattr", "backing", NULL };

const struct dev_driver dev_ram_driver = {
	.dd_name = "ram",
	.dd_keys = ram_keys,
	.dd_check = ram_check,
	.dd_create = ram_create,
	.dd_destroy = ram_destroy,
	.dd_set_memattr = ram_set_memattr,
	.dd_sync = ram_sync,
};

/* Called by the device pager with a thread reference held. */
static int
ram_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{
	struct ram_softc *sc = dev->si_drv1;

	(void)nprot;
	if (offset >= sc->sc_size)
		return (EINVAL);
	*paddr = sc->sc_base + trunc_page(offset);
	*memattr = __atomic_load_n(&sc->sc_memattr, __ATOMIC_RELAXED);
	return (0);
}

/*
 * The window stays mapped until ram_destroy, which runs only after
 * destroy_dev has waited for every thread inside the driver: sc_host is
 * safe to use here without RCU.
 */
static int
ram_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	struct ram_softc *sc = dev->si_drv1;

	(void)ioflag;
	*donep = 0;
	if (off >= sc->sc_size)
		return (0);
	if (len > sc->sc_size - off)
		len = sc->sc_size - off;
	memcpy(buf, sc->sc_host + off, len);
	*donep = len;
	return (0);
}

static int
ram_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	struct ram_softc *sc = dev->si_drv1;

	(void)ioflag;
	*donep = 0;
	if (off >= sc->sc_size)
		return (len == 0 ? 0 : ENOSPC);
	if (len > sc->sc_size - off)
		len = sc->sc_size - off;
	memcpy(sc->sc_host + off, buf, len);
	*donep = len;
	return (0);
}

/* size= (page-rounded) or the default. */
static int
ram_size(const struct dev_create_args *args, uint64_t *sizep,
    struct sbuf *err)
{
	char max[32];

	if (!args->size_set) {
		*sizep = DEV_SIZE_DEFAULT;
		return (0);
	}
	if (args->size == 0 || args->size > DEV_SIZE_MAX) {
		size_format(DEV_SIZE_MAX, max, sizeof(max));
		sbuf_printf(err, "size must be between 4K and %s", max);
		return (EINVAL);
	}
	*sizep = round_page(args->size);
	return (0);
}

static void
ram_backing_close(struct ram_backing *rb, bool undo)
{

	if (rb->rb_fd >= 0)
		close(rb->rb_fd);
	rb->rb_fd = -1;
	if (undo && rb->rb_created)
		(void)unlinkat(rb->rb_dirfd, rb->rb_base, 0);
	if (rb->rb_dirfd >= 0)
		close(rb->rb_dirfd);
	rb->rb_dirfd = -1;
}

/*
 * Resolve and check backing=PATH (see the rule at the top); unless dry,
 * open it (creating and sizing a missing regular file).  rb_size is the
 * window size.  0 or errno with a message; on error nothing is left
 * behind.
 */
static int
ram_backing_open(const struct dev_create_args *args, bool dry,
    struct ram_backing *rb, struct sbuf *err)
{
	const char *path = args->backing;
	char dir[PATH_MAX], rdir[PATH_MAX], sz1[32], sz2[32];
	const char *slash, *base;
	struct stat st, st2;
	uint64_t size;
	size_t dlen;
	int error, fd, flags;

	memset(rb, 0, sizeof(*rb));
	rb->rb_fd = rb->rb_dirfd = -1;
	if (path[0] != '/') {
		sbuf_printf(err, "backing path '%s' is not absolute", path);
		return (EINVAL);
	}
	slash = strrchr(path, '/');
	base = slash + 1;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0 || strlen(base) > NAME_MAX) {
		sbuf_printf(err, "backing path '%s' does not name a file",
		    path);
		return (EINVAL);
	}
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= sizeof(dir)) {
		sbuf_printf(err, "backing path too long");
		return (EINVAL);
	}
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	if (realpath(dir, rdir) == NULL) {
		error = errno;
		sbuf_printf(err, "backing directory '%s': %s", dir,
		    strerror(error));
		return (error);
	}
	rb->rb_dirfd = open(rdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rb->rb_dirfd < 0) {
		error = errno;
		sbuf_printf(err, "backing directory '%s': %s", rdir,
		    strerror(error));
		return (error);
	}
	strlcpy(rb->rb_base, base, sizeof(rb->rb_base));
	if ((size_t)snprintf(rb->rb_desc, sizeof(rb->rb_desc), "%s%s%s",
	    rdir, strcmp(rdir, "/") == 0 ? "" : "/", base) >=
	    sizeof(rb->rb_desc)) {
		sbuf_printf(err, "backing path too long");
		error = EINVAL;
		goto fail;
	}

	error = ram_size(args, &size, err);
	if (error != 0)
		goto fail;
	if (fstatat(rb->rb_dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		error = errno;
		if (error != ENOENT) {
			sbuf_printf(err, "backing '%s': %s", rb->rb_desc,
			    strerror(error));
			goto fail;
		}
		/* Missing: a new regular file of size bytes. */
		rb->rb_size = size;
		if (dry) {
			if (faccessat(rb->rb_dirfd, ".", W_OK | X_OK,
			    AT_EACCESS) != 0) {
				error = errno;
				sbuf_printf(err, "cannot create backing '%s': "
				    "%s", rb->rb_desc, strerror(error));
				goto fail;
			}
			return (0);
		}
		fd = openat(rb->rb_dirfd, base, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (fd < 0) {
			error = errno;
			sbuf_printf(err, "cannot create backing '%s': %s",
			    rb->rb_desc, strerror(error));
			goto fail;
		}
		rb->rb_fd = fd;
		rb->rb_created = true;
		if (ftruncate(fd, (off_t)size) != 0) {
			error = errno;
			sbuf_printf(err, "cannot size backing '%s': %s",
			    rb->rb_desc, strerror(error));
			goto fail;
		}
		return (0);
	}

	/* It exists: only a regular file or a device will do. */
	if (S_ISLNK(st.st_mode)) {
		sbuf_printf(err, "backing '%s' is a symbolic link (the last "
		    "component is never followed)", rb->rb_desc);
		error = EINVAL;
		goto fail;
	}
	if (S_ISDIR(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode) || (!S_ISREG(st.st_mode) &&
	    !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))) {
		sbuf_printf(err, "backing '%s' is %s, not a regular file or an "
		    "mmap-able device", rb->rb_desc,
		    S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISFIFO(st.st_mode) ? "a FIFO" :
		    S_ISSOCK(st.st_mode) ? "a socket" : "of another type");
		error = EINVAL;
		goto fail;
	}
	if (S_ISREG(st.st_mode)) {
		if (args->size_set && (uint64_t)st.st_size != size) {
			size_format((uint64_t)st.st_size, sz1, sizeof(sz1));
			size_format(size, sz2, sizeof(sz2));
			sbuf_printf(err, "backing file '%s' is %s bytes but "
			    "size=%s was asked for (give size=%s, or no size)",
			    rb->rb_desc, sz1, sz2, sz1);
			error = EINVAL;
			goto fail;
		}
		if (!args->size_set) {
			size = (uint64_t)st.st_size;
			if (size == 0 || (size & PAGE_MASK) != 0 ||
			    size > DEV_SIZE_MAX) {
				size_format(size, sz1, sizeof(sz1));
				sbuf_printf(err, "backing file '%s' is %s "
				    "bytes: not a usable window size (a "
				    "non-zero multiple of 4K up to 64G)",
				    rb->rb_desc, sz1);
				error = EINVAL;
				goto fail;
			}
		}
	}
	rb->rb_size = size;
	if (dry) {
		if (faccessat(rb->rb_dirfd, base, R_OK | W_OK,
		    AT_EACCESS) != 0) {
			error = errno;
			sbuf_printf(err, "backing '%s': %s", rb->rb_desc,
			    strerror(error));
			goto fail;
		}
		return (0);
	}
	flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	if (!S_ISREG(st.st_mode))
		flags |= O_NONBLOCK;
	fd = openat(rb->rb_dirfd, base, flags);
	if (fd < 0) {
		error = errno;
		sbuf_printf(err, "cannot open backing '%s': %s", rb->rb_desc,
		    error == ELOOP ? "a symbolic link (never followed)" :
		    strerror(error));
		goto fail;
	}
	rb->rb_fd = fd;
	/* The file we checked, not one swapped in since. */
	if (fstat(fd, &st2) != 0 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino ||
	    (st2.st_mode & S_IFMT) != (st.st_mode & S_IFMT) ||
	    (S_ISREG(st2.st_mode) && st2.st_size != st.st_size)) {
		sbuf_printf(err, "backing '%s' changed while being opened",
		    rb->rb_desc);
		error = EBUSY;
		goto fail;
	}
	return (0);
fail:
	ram_backing_close(rb, true);
	return (error);
}

static int
ram_check(const struct dev_create_args *args, struct sbuf *err)
{
	struct ram_backing rb;
	uint64_t size;
	int error;

	if (args->memattr_set && vm_memattr_name(args->memattr)[0] == '?') {
		sbuf_printf(err, "invalid memattr");
		return (EINVAL);
	}
	if (args->backing[0] == '\0')
		return (ram_size(args, &size, err));
	error = ram_backing_open(args, true, &rb, err);
	if (error == 0)
		ram_backing_close(&rb, false);
	return (error);
}

static int
ram_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct ram_backing rb;
	struct ram_softc *sc;
	struct cdev *dev;
	vm_memattr_t ma;
	uint64_t size;
	int error;

	rcu_thread_online();
	ma = args->memattr_set ? args->memattr : VM_MEMATTR_DEFAULT;
	memset(&rb, 0, sizeof(rb));
	rb.rb_fd = rb.rb_dirfd = -1;
	if (args->backing[0] != '\0') {
		error = ram_backing_open(args, false, &rb, err);
		if (error != 0)
			return (error);
		size = rb.rb_size;
	} else {
		error = ram_size(args, &size, err);
		if (error != 0)
			return (error);
	}
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		ram_backing_close(&rb, true);
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	sc->sc_size = size;
	sc->sc_memattr = ma;
	error = vm_phys_window_create(args->name, size, rb.rb_fd, 0,
	    rb.rb_fd >= 0 ? rb.rb_desc : "memfd", ma, &sc->sc_window,
	    &sc->sc_base);
	if (error != 0) {
		if (rb.rb_fd >= 0)
			sbuf_printf(err, "backing '%s' cannot be mapped "
			    "shared: %s", rb.rb_desc, strerror(error));
		else
			sbuf_printf(err, "cannot make a %ju-byte window: %s",
			    (uintmax_t)size, strerror(error));
		ram_backing_close(&rb, true);
		free(sc);
		return (error == ENOMEM ? ENOMEM : EINVAL);
	}
	rcu_read_lock();
	sc->sc_host = vm_phys_to_host(sc->sc_base);
	rcu_read_unlock();

	make_dev_args_init(&mda);
	mda.mda_devsw = &ram_cdevsw;
	dev_make_args_node(&mda, args, cred, 0660);
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = size;
	mda.mda_memattr = ma;
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		vm_phys_window_destroy(sc->sc_window);
		ram_backing_close(&rb, true);
		free(sc);
		return (error);
	}
	/* The window holds its own descriptor. */
	ram_backing_close(&rb, false);
	*devp = dev;
	return (0);
}

/*
 * destroy_dev first: once it returns no thread is inside d_mmap, d_read
 * or d_write, and none can enter; then the window goes (unmapped after an
 * RCU grace period, so a fault path still translating one of its
 * addresses is safe).
 */
static int
ram_destroy(struct cdev *dev, struct sbuf *err)
{
	struct ram_softc *sc = dev->si_drv1;

	(void)err;
	rcu_thread_online();
	destroy_dev(dev);
	vm_phys_window_destroy(sc->sc_window);
	free(sc);
	return (0);
}

static int
ram_set_memattr(struct cdev *dev, vm_memattr_t ma, struct sbuf *err)
{
	struct ram_softc *sc = dev->si_drv1;

	(void)err;
	__atomic_store_n(&sc->sc_memattr, ma, __ATOMIC_RELAXED);
	__atomic_store_n(&dev->si_memattr, ma, __ATOMIC_RELAXED);
	return (0);
}

static int
ram_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	struct ram_softc *sc = dev->si_drv1;

	return (vm_phys_window_sync(sc->sc_window, sc->sc_base + off, len));
}
