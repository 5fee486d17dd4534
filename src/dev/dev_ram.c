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
 *
 * Path rule (ram_backing_walk).  PATH is opened from "/" one component at
 * a time, each relative to the directory before it, and never through a
 * symbolic link (O_NOFOLLOW everywhere: a link anywhere in PATH is
 * refused); ".." is refused.  Every directory on the way must belong to
 * root or to the daemon's user and be writable by nobody else, unless it
 * is sticky (/tmp: nobody else can rename or remove what root or the
 * daemon's user put there).  The file, or device, must belong to root or
 * the daemon's user; a regular file must be writable by nobody else
 * (whoever can write it can truncate it under the device) and have one
 * name (a hard link elsewhere could be any file of the same owner).  A
 * device is first opened read-only and mapped to see that it can be, and
 * only then opened read-write.  Everything after the walk goes through
 * descriptors: the file is opened once, relative to its directory's
 * descriptor.
 *
 * Reservation.  A regular file gets all its blocks at create
 * (fallocate(2)): a filesystem without room for them refuses the device
 * (ENOSPC) and a file made for it is removed again.  A filesystem that
 * cannot reserve (fallocate unsupported) is accepted.  Reserving does not
 * make faults impossible (the file can be truncated, a disk can fail), so
 * every copy into or out of the window goes through vm_phys_read/write,
 * which turn a fault into an error of this device (EIO, ENOSPC).
 *
 * A new file and its directory entry are fsynced before the device
 * exists.  Rolled back (a failed create, a failed configuration file:
 * dd_undo_create) the file is unlinked relative to the directory's
 * descriptor, and only if it is still the file made here.  dd_sync
 * msyncs the window (fsync on the node).
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

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/fail.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "kern/test_hook.h"
#include "kern/trustpath.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"

/* An opened (or, dry, just checked) backing=PATH. */
struct ram_backing {
	int		 rb_fd;		/* -1: dry, or once mapped */
	int		 rb_dirfd;	/* its directory; kept while the
					   device lives if rb_created */
	char		 rb_base[NAME_MAX + 1];	/* last component */
	const char	*rb_desc;	/* the path, for messages */
	bool		 rb_created;	/* we made the file */
	dev_t		 rb_dev;	/* the file we made (rb_created) */
	ino_t		 rb_ino;
	uint64_t	 rb_size;	/* the window size to use */
};

struct ram_softc {
	struct vm_phys_window *sc_window;	/* (c) */
	vm_paddr_t	 sc_base;	/* (c) window base */
	vm_size_t	 sc_size;	/* (c) bytes */
	struct ram_backing sc_backing;	/* (c) for dd_undo_create */
	char		 sc_path[4096];	/* (c) backing=, or "" */
};

FAIL_POINT_DEFINE(ram_backing_reserve);

/* What a create statement asked of ram (ram_params). */
struct ram_params {
	uint64_t	 size;		/* bytes, page-rounded */
	bool		 size_set;	/* size= given */
	vm_memattr_t	 memattr;
	const char	*backing;	/* backing=PATH; "" for a memfd */
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
static int	ram_undo_create(struct cdev *dev, struct sbuf *err);
static int	ram_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
static int	ram_params(const struct dev_create_args *args,
		    struct ram_params *rp, struct sbuf *err);
static bool	ram_owner_ok(const struct stat *st);
static int	ram_backing_walk(const char *path, struct ram_backing *rb,
		    struct sbuf *err);
static int	ram_backing_file_ok(const struct ram_params *rp,
		    const struct stat *st, uint64_t *sizep,
		    struct ram_backing *rb, struct sbuf *err);
static int	ram_backing_probe_map(struct ram_backing *rb,
		    const struct stat *st, struct sbuf *err);
static int	ram_backing_create(struct ram_backing *rb, struct sbuf *err);
static int	ram_backing_reserve(struct ram_backing *rb, struct sbuf *err);
static int	ram_backing_open(const struct ram_params *rp,
		    bool dry, struct ram_backing *rb, struct sbuf *err);
static int	ram_backing_open_existing(const struct ram_params *rp,
		    bool dry, const struct stat *st, struct ram_backing *rb,
		    struct sbuf *err);
static void	ram_backing_close(struct ram_backing *rb, bool undo);
static void	ram_teardown(struct cdev *dev, bool undo);

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
	.dd_undo_create = ram_undo_create,
	.dd_set_memattr = dev_memattr_store,
	.dd_sync = ram_sync,
	/*
	 * Plain memory, read by whoever opens it: push it (up to
	 * prefault_max) into the page cache at open, so that a first touch
	 * costs a page-cache hit (devpagerfs.8, PREFAULT).
	 */
	.dd_prefault = SI_PREFAULT_OPEN,
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
	*memattr = __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED);
	return (0);
}

/*
 * The window stays published until ram_destroy, which runs only after
 * destroy_dev has waited for every thread inside the driver.  The copies
 * are guarded (vm_phys_read/write): a backing file that cannot supply or
 * hold the data makes them fail with EIO (or ENOSPC), nothing is done.
 */
static int
ram_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	struct ram_softc *sc = dev->si_drv1;
	int error;

	(void)ioflag;
	rcu_thread_online();
	*donep = 0;
	if (off >= sc->sc_size)
		return (0);
	if (len > sc->sc_size - off)
		len = sc->sc_size - off;
	error = vm_phys_read(sc->sc_base + off, buf, len);
	if (error == 0)
		*donep = len;
	return (error);
}

static int
ram_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	struct ram_softc *sc = dev->si_drv1;
	int error;

	(void)ioflag;
	rcu_thread_online();
	*donep = 0;
	if (off >= sc->sc_size)
		return (len == 0 ? 0 : ENOSPC);
	if (len > sc->sc_size - off)
		len = sc->sc_size - off;
	error = vm_phys_write(sc->sc_base + off, buf, len);
	if (error == 0)
		*donep = len;
	return (error);
}

/*
 * The values of ram's keys: size= (page-rounded; DEV_SIZE_DEFAULT if not
 * given), memattr= (write-back if not given), backing= (an absolute path;
 * "" for a memfd).  0 or EINVAL with a message.
 */
static int
ram_params(const struct dev_create_args *args, struct ram_params *rp,
    struct sbuf *err)
{
	bool set;
	int error;

	rp->size = DEV_SIZE_DEFAULT;
	rp->memattr = VM_MEMATTR_DEFAULT;
	rp->backing = dev_create_args_get(args, "backing");
	error = dev_args_size(args, &rp->size, &rp->size_set, err);
	rp->size = round_page(rp->size);
	if (error == 0)
		error = dev_args_memattr(args, &rp->memattr, &set, err);
	if (error == 0 && rp->backing != NULL)
		error = dev_arg_path("backing", rp->backing, err);
	if (rp->backing == NULL)
		rp->backing = "";
	return (error);
}

/* Owned by root or by the daemon's user? */
static bool
ram_owner_ok(const struct stat *st)
{

	return (st->st_uid == 0 || st->st_uid == geteuid());
}

/*
 * Open the directory part of path with trustpath_walk() (from "/", one
 * component at a time, never following a symbolic link, each directory
 * belonging to root or the daemon's user and writable by nobody else
 * unless it is sticky).  On success rb_dirfd is the last directory and
 * rb_base the last component.  0 or errno with a message; nothing is
 * left open on error.
 */
static int
ram_backing_walk(const char *path, struct ram_backing *rb, struct sbuf *err)
{
	struct trustpath tp;
	int error;

	error = trustpath_walk(path, O_RDONLY, &tp);
	switch (error == 0 ? TP_OK : tp.tp_fail) {
	case TP_OK:
		break;
	case TP_NOT_ABSOLUTE:
		sbuf_printf(err, "backing path '%s' is not absolute", path);
		return (error);
	case TP_DOTDOT:
		sbuf_printf(err, "backing path '%s' has a '..' component",
		    path);
		return (error);
	case TP_NAME_TOO_LONG:
		sbuf_printf(err, "backing path '%s': a component is longer "
		    "than %d bytes", path, NAME_MAX);
		return (error);
	case TP_SYMLINK:
		sbuf_printf(err, "backing path '%s': '%.*s' is a symbolic "
		    "link (links are never followed: give the path it points "
		    "to)", path, (int)tp.tp_len, path);
		return (error);
	case TP_OWNER:
		sbuf_printf(err, "backing directory '%.*s' belongs to uid %u, "
		    "not to root or the daemon's user (uid %u)",
		    (int)tp.tp_len, path, (unsigned)tp.tp_st.st_uid,
		    (unsigned)geteuid());
		return (error);
	case TP_WRITABLE:
		sbuf_printf(err, "backing directory '%.*s' is writable by "
		    "others (mode %04o): only its owner may write it, unless "
		    "it is sticky", (int)tp.tp_len, path,
		    (unsigned)(tp.tp_st.st_mode & 07777));
		return (error);
	case TP_OPEN:
		if (tp.tp_len == 1)
			sbuf_printf(err, "cannot open '/': %s",
			    strerror(error));
		else
			sbuf_printf(err, "backing directory '%.*s': %s",
			    (int)tp.tp_len, path, strerror(error));
		return (error);
	}
	if (tp.tp_baselen == 0 || tp.tp_baselen >= sizeof(rb->rb_base) ||
	    (tp.tp_baselen == 1 && tp.tp_base[0] == '.') ||
	    (tp.tp_baselen == 2 && tp.tp_base[0] == '.' &&
	    tp.tp_base[1] == '.')) {
		close(tp.tp_dirfd);
		sbuf_printf(err, "backing path '%s' does not name a file",
		    path);
		return (EINVAL);
	}
	rb->rb_dirfd = tp.tp_dirfd;
	memcpy(rb->rb_base, tp.tp_base, tp.tp_baselen);
	rb->rb_base[tp.tp_baselen] = '\0';
	return (0);
}

/*
 * The existing file or device st (lstat'd in rb_dirfd) may back the
 * window: type, owner, mode, and for a regular file its size, which gives
 * *sizep when size= was not given.  0 or errno with a message.
 */
static int
ram_backing_file_ok(const struct ram_params *rp, const struct stat *st,
    uint64_t *sizep, struct ram_backing *rb, struct sbuf *err)
{
	char sz1[32], sz2[32];
	uint64_t fsize;
	bool usable;

	if (S_ISLNK(st->st_mode)) {
		sbuf_printf(err, "backing '%s' is a symbolic link (the last "
		    "component is never followed)", rb->rb_desc);
		return (EINVAL);
	}
	if (!S_ISREG(st->st_mode) && !S_ISCHR(st->st_mode) &&
	    !S_ISBLK(st->st_mode)) {
		sbuf_printf(err, "backing '%s' is %s, not a regular file or an "
		    "mmap-able device", rb->rb_desc,
		    S_ISDIR(st->st_mode) ? "a directory" :
		    S_ISFIFO(st->st_mode) ? "a FIFO" :
		    S_ISSOCK(st->st_mode) ? "a socket" : "of another type");
		return (EINVAL);
	}
	if (!ram_owner_ok(st)) {
		sbuf_printf(err, "backing '%s' belongs to uid %u, not to root "
		    "or the daemon's user (uid %u)", rb->rb_desc,
		    (unsigned)st->st_uid, (unsigned)geteuid());
		return (EPERM);
	}
	if (!S_ISREG(st->st_mode))
		return (0);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		sbuf_printf(err, "backing file '%s' is writable by others "
		    "(mode %04o): whoever can write it can truncate it under "
		    "the device", rb->rb_desc, (unsigned)(st->st_mode & 07777));
		return (EPERM);
	}
	if (st->st_nlink > 1) {
		sbuf_printf(err, "backing file '%s' has %ju names (hard "
		    "links): it must have one", rb->rb_desc,
		    (uintmax_t)st->st_nlink);
		return (EPERM);
	}
	fsize = (uint64_t)st->st_size;
	usable = fsize != 0 && (fsize & PAGE_MASK) == 0 &&
	    fsize <= DEV_SIZE_MAX;
	size_format(fsize, sz1, sizeof(sz1));
	if (rp->size_set && fsize != *sizep) {
		size_format(*sizep, sz2, sizeof(sz2));
		if (usable)
			sbuf_printf(err, "backing file '%s' is %s bytes but "
			    "size=%s was asked for (give size=%s, or no size)",
			    rb->rb_desc, sz1, sz2, sz1);
		else
			sbuf_printf(err, "backing file '%s' is %s bytes but "
			    "size=%s was asked for (remove the file to have "
			    "it created with size=%s)", rb->rb_desc, sz1, sz2,
			    sz2);
		return (EINVAL);
	}
	if (!rp->size_set) {
		if (!usable) {
			size_format(DEV_SIZE_DEFAULT, sz2, sizeof(sz2));
			sbuf_printf(err, "backing file '%s' is %s bytes: not a "
			    "usable window size (a non-zero multiple of 4K up "
			    "to 64G); remove it to have it created (size=, "
			    "%s by default)", rb->rb_desc, sz1, sz2);
			return (EINVAL);
		}
		*sizep = fsize;
	}
	return (0);
}

/*
 * A device is opened read-only and mapped shared before anything opens
 * it read-write: one that cannot be mapped is refused without having
 * been opened for writing.  0 or errno with a message.
 */
static int
ram_backing_probe_map(struct ram_backing *rb, const struct stat *st,
    struct sbuf *err)
{
	struct stat st2;
	void *p;
	int error, fd;

	fd = openat(rb->rb_dirfd, rb->rb_base, O_RDONLY | O_NONBLOCK |
	    O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		error = errno;
		sbuf_printf(err, "cannot open backing '%s': %s", rb->rb_desc,
		    strerror(error));
		return (error);
	}
	if (fstat(fd, &st2) != 0 || st2.st_ino != st->st_ino ||
	    st2.st_dev != st->st_dev || st2.st_rdev != st->st_rdev) {
		close(fd);
		sbuf_printf(err, "backing '%s' changed while being opened",
		    rb->rb_desc);
		return (EBUSY);
	}
	p = mmap(NULL, rb->rb_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		error = errno;
		close(fd);
		sbuf_printf(err, "backing '%s' cannot be mapped shared: %s",
		    rb->rb_desc, strerror(error));
		return (EINVAL);
	}
	munmap(p, rb->rb_size);
	close(fd);
	return (0);
}

/*
 * Give every page of the file its blocks now, so that a filesystem
 * without room refuses the device instead of failing its stores later.
 * A filesystem that cannot reserve lets the device through (its failures
 * will be I/O errors of the device).  0 or errno with a message.
 */
static int
ram_backing_reserve(struct ram_backing *rb, struct sbuf *err)
{
	char sz[32];
	int error;

	error = FAIL_POINT_EVAL(ram_backing_reserve);
	if (error == 0 && fallocate(rb->rb_fd, 0, 0, (off_t)rb->rb_size) != 0)
		error = errno;
	if (error == 0)
		return (0);
	if (error == EOPNOTSUPP || error == ENOSYS) {
		kern_log(LOG_NOTICE, "backing '%s': its filesystem cannot "
		    "reserve blocks; a store it has no room for will be an "
		    "I/O error of the device", rb->rb_desc);
		return (0);
	}
	size_format(rb->rb_size, sz, sizeof(sz));
	sbuf_printf(err, "cannot reserve %s for backing '%s': %s", sz,
	    rb->rb_desc, strerror(error));
	return (error);
}

/*
 * Make the missing regular file rb_base in rb_dirfd: created (0600),
 * sized, reserved, and made durable with its directory entry.  0 or errno
 * with a message; the caller's ram_backing_close(rb, true) removes it.
 */
static int
ram_backing_create(struct ram_backing *rb, struct sbuf *err)
{
	struct stat st;
	int error, fd;

	fd = openat(rb->rb_dirfd, rb->rb_base, O_RDWR | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		error = errno;
		sbuf_printf(err, "cannot create backing '%s': %s",
		    rb->rb_desc, strerror(error));
		return (error);
	}
	rb->rb_fd = fd;
	if (fstat(fd, &st) != 0) {
		error = errno;
		sbuf_printf(err, "backing '%s': %s", rb->rb_desc,
		    strerror(error));
		return (error);
	}
	rb->rb_created = true;
	rb->rb_dev = st.st_dev;
	rb->rb_ino = st.st_ino;
	TEST_HOOK("ram_backing_created");
	if (ftruncate(fd, (off_t)rb->rb_size) != 0) {
		error = errno;
		sbuf_printf(err, "cannot size backing '%s': %s", rb->rb_desc,
		    strerror(error));
		return (error);
	}
	error = ram_backing_reserve(rb, err);
	if (error != 0)
		return (error);
	if (fsync(fd) != 0 || fsync(rb->rb_dirfd) != 0) {
		error = errno;
		sbuf_printf(err, "cannot make backing '%s' durable: %s",
		    rb->rb_desc, strerror(error));
		return (error);
	}
	return (0);
}

/*
 * Close what rb holds; with undo, first remove the file if we created it
 * and it is still the one we created (never a file swapped in since).
 */
static void
ram_backing_close(struct ram_backing *rb, bool undo)
{
	struct stat st;

	if (rb->rb_fd >= 0)
		close(rb->rb_fd);
	rb->rb_fd = -1;
	if (rb->rb_dirfd < 0)
		return;
	if (undo && rb->rb_created &&
	    fstatat(rb->rb_dirfd, rb->rb_base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_dev == rb->rb_dev && st.st_ino == rb->rb_ino &&
	    unlinkat(rb->rb_dirfd, rb->rb_base, 0) == 0)
		(void)fsync(rb->rb_dirfd);
	close(rb->rb_dirfd);
	rb->rb_dirfd = -1;
	rb->rb_created = false;
}

/*
 * The backing file exists (st, lstat'd in rb_dirfd): only a regular file
 * or a device will do (ram_backing_file_ok, and a device must map); unless
 * dry, open it through rb_dirfd, make sure it is the file that was
 * checked, and reserve a regular file's blocks.  Sets rb_size.  0 or errno
 * with a message; the caller closes rb on error.
 */
static int
ram_backing_open_existing(const struct ram_params *rp, bool dry,
    const struct stat *st, struct ram_backing *rb, struct sbuf *err)
{
	struct stat st2;
	uint64_t size;
	int error, fd, flags;

	size = rp->size;
	error = ram_backing_file_ok(rp, st, &size, rb, err);
	if (error != 0)
		return (error);
	rb->rb_size = size;
	if (!S_ISREG(st->st_mode)) {
		error = ram_backing_probe_map(rb, st, err);
		if (error != 0)
			return (error);
	}
	if (dry) {
		if (faccessat(rb->rb_dirfd, rb->rb_base, R_OK | W_OK,
		    AT_EACCESS) != 0) {
			error = errno;
			sbuf_printf(err, "backing '%s': %s", rb->rb_desc,
			    strerror(error));
			return (error);
		}
		ram_backing_close(rb, false);
		return (0);
	}
	flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	if (!S_ISREG(st->st_mode))
		flags |= O_NONBLOCK;
	fd = openat(rb->rb_dirfd, rb->rb_base, flags);
	if (fd < 0) {
		error = errno;
		sbuf_printf(err, "cannot open backing '%s': %s", rb->rb_desc,
		    error == ELOOP ? "a symbolic link (never followed)" :
		    strerror(error));
		return (error);
	}
	rb->rb_fd = fd;
	/* The file we checked, not one swapped in since. */
	if (fstat(fd, &st2) != 0 || st2.st_dev != st->st_dev ||
	    st2.st_ino != st->st_ino || st2.st_rdev != st->st_rdev ||
	    (st2.st_mode & S_IFMT) != (st->st_mode & S_IFMT) ||
	    (S_ISREG(st2.st_mode) && st2.st_size != st->st_size)) {
		sbuf_printf(err, "backing '%s' changed while being opened",
		    rb->rb_desc);
		return (EBUSY);
	}
	if (S_ISREG(st->st_mode)) {
		error = ram_backing_reserve(rb, err);
		if (error != 0)
			return (error);
	}
	return (0);
}

/*
 * Walk to backing=PATH and check it (see the rules at the top); unless
 * dry, open it (creating, sizing and reserving a missing regular file,
 * reserving an existing one).  rb_size is the window size.  0 or errno
 * with a message; on error nothing is left behind.
 */
static int
ram_backing_open(const struct ram_params *rp, bool dry,
    struct ram_backing *rb, struct sbuf *err)
{
	struct stat st;
	uint64_t size;
	int error;

	memset(rb, 0, sizeof(*rb));
	rb->rb_fd = rb->rb_dirfd = -1;
	rb->rb_desc = rp->backing;
	size = rp->size;
	error = ram_backing_walk(rp->backing, rb, err);
	if (error != 0)
		return (error);

	if (fstatat(rb->rb_dirfd, rb->rb_base, &st, AT_SYMLINK_NOFOLLOW) !=
	    0) {
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
			ram_backing_close(rb, false);
			return (0);
		}
		error = ram_backing_create(rb, err);
		if (error != 0)
			goto fail;
		return (0);
	}

	error = ram_backing_open_existing(rp, dry, &st, rb, err);
	if (error != 0)
		goto fail;
	return (0);
fail:
	ram_backing_close(rb, true);
	return (error);
}

static int
ram_check(const struct dev_create_args *args, struct sbuf *err)
{
	struct ram_backing rb;
	struct ram_params rp;
	int error;

	error = ram_params(args, &rp, err);
	if (error != 0 || rp.backing[0] == '\0')
		return (error);
	return (ram_backing_open(&rp, true, &rb, err));
}

static int
ram_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct ram_params rp;
	struct ram_softc *sc;
	struct cdev *dev;
	uint64_t size;
	int error;

	rcu_thread_online();
	error = ram_params(args, &rp, err);	/* checked by ram_check */
	if (error != 0)
		return (error);
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	strlcpy(sc->sc_path, rp.backing, sizeof(sc->sc_path));
	sc->sc_backing.rb_fd = sc->sc_backing.rb_dirfd = -1;
	if (rp.backing[0] != '\0') {
		error = ram_backing_open(&rp, false, &sc->sc_backing, err);
		if (error != 0) {
			free(sc);
			return (error);
		}
		sc->sc_backing.rb_desc = sc->sc_path;
		size = sc->sc_backing.rb_size;
	} else
		size = rp.size;
	sc->sc_size = size;
	error = vm_phys_window_create(args->name, size, sc->sc_backing.rb_fd,
	    0, sc->sc_backing.rb_fd >= 0 ? sc->sc_path : "memfd", rp.memattr,
	    &sc->sc_window, &sc->sc_base);
	if (error != 0) {
		if (sc->sc_backing.rb_fd >= 0)
			sbuf_printf(err, "backing '%s' cannot be mapped "
			    "shared: %s", sc->sc_path, strerror(error));
		else
			sbuf_printf(err, "cannot make a %ju-byte window: %s",
			    (uintmax_t)size, strerror(error));
		ram_backing_close(&sc->sc_backing, true);
		free(sc);
		return (error == ENOMEM ? ENOMEM : EINVAL);
	}
	/* The window holds its own descriptor. */
	if (sc->sc_backing.rb_fd >= 0)
		close(sc->sc_backing.rb_fd);
	sc->sc_backing.rb_fd = -1;

	make_dev_args_init(&mda);
	mda.mda_devsw = &ram_cdevsw;
	dev_make_args_node(&mda, args, cred, 0660);
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = size;
	mda.mda_memattr = rp.memattr;
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		vm_phys_window_destroy(sc->sc_window);
		ram_backing_close(&sc->sc_backing, true);
		free(sc);
		return (error);
	}
	/* Only a file made here needs its directory (dd_undo_create). */
	if (!sc->sc_backing.rb_created)
		ram_backing_close(&sc->sc_backing, false);
	*devp = dev;
	return (0);
}

/*
 * destroy_dev first: once it returns no thread is inside d_mmap, d_read
 * or d_write, and none can enter; then the window goes (unmapped after an
 * RCU grace period, so a fault path still translating one of its
 * addresses is safe).  undo also removes a backing file the create made.
 */
static void
ram_teardown(struct cdev *dev, bool undo)
{
	struct ram_softc *sc = dev->si_drv1;

	rcu_thread_online();
	destroy_dev(dev);
	vm_phys_window_destroy(sc->sc_window);
	ram_backing_close(&sc->sc_backing, undo);
	free(sc);
}

static int
ram_destroy(struct cdev *dev, struct sbuf *err)
{

	(void)err;
	ram_teardown(dev, false);
	return (0);
}

static int
ram_undo_create(struct cdev *dev, struct sbuf *err)
{

	(void)err;
	ram_teardown(dev, true);
	return (0);
}

static int
ram_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	struct ram_softc *sc = dev->si_drv1;

	return (vm_phys_window_sync(sc->sc_window, sc->sc_base + off, len));
}
