/*
 * fb: a framebuffer.  A device window (memfd) of round_page(stride *
 * height) bytes, write-combining by default, mapped through the driver's
 * own cdev_pager_allocate(9) pager: d_mmap_single hands out one
 * OBJT_DEVICE object for the whole framebuffer, whose fault handler turns
 * an offset into the window's physical address and gives the device
 * pager a fake page for it.  Geometry, stride and pixel formats are in
 * dev_fb.h and devpagerfs_fb(4).
 *
 * `fb NAME snapshot path=/abs/file.png` writes the current contents as a
 * PNG (png_write.c): to a temporary file in the target's directory, then
 * renamed over the target, so a reader never sees half a picture.
 *
 * The pager object.  Created on the first mapping and kept (one
 * reference held by the softc) until the device is destroyed, so
 * cdev_pager_allocate builds it exactly once: its ctor takes a cdev
 * reference that its dtor drops when the last mapping of the object is
 * gone, keeping the cdev struct -- the object's handle -- alive for
 * faults that arrive after destroy_dev; those find no driver
 * (dev_refthread fails) and fail.  The handle is the cdev, as for the
 * old-style pager, so `revoke NAME` (cdev_pager_lookup) invalidates the
 * framebuffer's pages like any device's and the next fault comes back
 * here through the updatefake branch.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant while the device exists
 *	(a)	atomic
 *	[m]	sc_mtx (a driver lock: before devmtx, dev_pager_mtx and the
 *		VM; held around cdev_pager_allocate)
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "dev/dev_fb.h"
#include "dev/png_write.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

struct fb_softc {
	struct mtx		 sc_mtx;
	struct vm_phys_window	*sc_window;	/* (c) */
	vm_paddr_t		 sc_base;	/* (c) window base */
	vm_size_t		 sc_size;	/* (c) bytes */
	uint8_t			*sc_host;	/* (c) the window, host VA */
	unsigned		 sc_width;	/* (c) pixels */
	unsigned		 sc_height;	/* (c) pixels */
	unsigned		 sc_bpp;	/* (c) 16, 24, 32 */
	uint32_t		 sc_stride;	/* (c) bytes per row */
	vm_object_t		 sc_obj;	/* [m] the pager object, held */
};

static d_mmap_single_t fb_mmap_single;
static int	fb_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
		    vm_ooffset_t foff, const struct ucred *cred,
		    uint16_t *color);
static void	fb_pg_dtor(void *handle);
static int	fb_pg_fault(vm_object_t object, vm_ooffset_t offset, int prot,
		    vm_page_t *mres);
static int	fb_dim(const struct dev_create_args *args, const char *key,
		    unsigned *vp, struct sbuf *err);
static int	fb_args(const struct dev_create_args *args, unsigned *wp,
		    unsigned *hp, unsigned *bppp, uint32_t *stridep,
		    uint64_t *sizep, vm_memattr_t *map, struct sbuf *err);
static int	fb_check(const struct dev_create_args *args,
		    struct sbuf *err);
static int	fb_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static int	fb_destroy(struct cdev *dev, struct sbuf *err);
static int	fb_ctl(struct cdev *dev, int argc, char **argv,
		    const struct ucred *cred, struct sbuf *out);
static void	fb_snapshot_row(void *arg, unsigned y, uint8_t *rgb);
static int	fb_snapshot(struct fb_softc *sc, const char *path,
		    struct sbuf *out);

static struct cdevsw fb_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "fb",
	.d_mmap_single = fb_mmap_single,
};

static const struct cdev_pager_ops fb_pager_ops = {
	.cdev_pg_ctor = fb_pg_ctor,
	.cdev_pg_dtor = fb_pg_dtor,
	.cdev_pg_fault = fb_pg_fault,
};

static const char *const fb_keys[] = {
	"width", "height", "bpp", "memattr", NULL
};

const struct dev_driver dev_fb_driver = {
	.dd_name = "fb",
	.dd_keys = fb_keys,
	.dd_check = fb_check,
	.dd_create = fb_create,
	.dd_destroy = fb_destroy,
	.dd_ctl = fb_ctl,
	.dd_set_memattr = dev_memattr_store,
};

int
fb_geometry(unsigned width, unsigned height, unsigned bpp,
    uint32_t *stridep, uint64_t *sizep)
{
	uint64_t stride, size;

	if (width == 0 || width > FB_DIM_MAX || height == 0 ||
	    height > FB_DIM_MAX)
		return (EINVAL);
	if (bpp != 16 && bpp != 24 && bpp != 32)
		return (EINVAL);
	/* At most 8192 * 4 and 8192 * 32768: no overflow in 64 bits. */
	stride = (uint64_t)width * (bpp / 8);
	stride = (stride + FB_STRIDE_ALIGN - 1) &
	    ~(uint64_t)(FB_STRIDE_ALIGN - 1);
	size = round_page(stride * height);
	if (size > FB_SIZE_MAX)
		return (EINVAL);
	*stridep = (uint32_t)stride;
	*sizep = size;
	return (0);
}

void
fb_row_to_rgb(const uint8_t *src, unsigned width, unsigned bpp,
    uint8_t *rgb)
{
	unsigned x, v, r, g, b;

	switch (bpp) {
	case 32:
		for (x = 0; x < width; x++, src += 4, rgb += 3) {
			rgb[0] = src[2];
			rgb[1] = src[1];
			rgb[2] = src[0];
		}
		break;
	case 24:
		for (x = 0; x < width; x++, src += 3, rgb += 3) {
			rgb[0] = src[2];
			rgb[1] = src[1];
			rgb[2] = src[0];
		}
		break;
	case 16:
		for (x = 0; x < width; x++, src += 2, rgb += 3) {
			v = (unsigned)src[0] | (unsigned)src[1] << 8;
			r = (v >> 11) & 0x1f;
			g = (v >> 5) & 0x3f;
			b = v & 0x1f;
			rgb[0] = (uint8_t)(r << 3 | r >> 2);
			rgb[1] = (uint8_t)(g << 2 | g >> 4);
			rgb[2] = (uint8_t)(b << 3 | b >> 2);
		}
		break;
	default:
		KASSERT(0, ("fb_row_to_rgb: bpp %u", bpp));
		memset(rgb, 0, (size_t)width * 3);
		break;
	}
}

/*
 * The object for the whole framebuffer, whatever range is asked for
 * (inside the device).  Called with a thread reference held.
 */
static int
fb_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{
	struct fb_softc *sc = dev->si_drv1;

	return (dev_single_object(dev, &fb_pager_ops, sc->sc_size,
	    &sc->sc_mtx, &sc->sc_obj, *offset, size, nprot, object));
}

/* Runs once per object (the softc keeps the object until destroy). */
static int
fb_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, uint16_t *color)
{
	struct cdev *dev = handle;
	struct fb_softc *sc = dev->si_drv1;

	(void)size;
	(void)prot;
	(void)cred;
	return (dev_window_pg_ctor(dev, sc->sc_base, foff, color));
}

static void
fb_pg_dtor(void *handle)
{

	dev_rel(handle);
}

/*
 * The fault handler.  The object must be locked (write); the lock is
 * dropped while the driver is entered and around vm_page_getfake (which
 * may sleep), and held again on return.  The device pager links the page
 * on its fake-page list and frees the other pages of the request; here
 * only the placeholder we replace is freed.
 */
static int
fb_pg_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{
	struct fb_softc *sc;
	struct cdev *dev;
	vm_memattr_t memattr;
	vm_paddr_t paddr;
	int ref;

	(void)prot;
	VM_OBJECT_ASSERT_WLOCKED(object);
	dev = object->un_pager.devp.dev;
	VM_OBJECT_WUNLOCK(object);

	/* After destroy_dev the softc is gone: fail, never touch it. */
	if (dev_refthread(dev, &ref) == NULL) {
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_FAIL);
	}
	sc = dev->si_drv1;
	if (offset >= sc->sc_size) {
		dev_relthread(dev, ref);
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_BAD);
	}
	paddr = sc->sc_base + trunc_page(offset);
	memattr = __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED);
	dev_relthread(dev, ref);

	VM_OBJECT_WLOCK(object);
	cdev_pager_fake_page(object, mres, paddr, memattr);
	return (VM_PAGER_OK);
}

/* width= or height=: 1 to FB_DIM_MAX pixels; *vp untouched if unset. */
static int
fb_dim(const struct dev_create_args *args, const char *key, unsigned *vp,
    struct sbuf *err)
{
	const char *val;
	uint64_t v;
	int error;

	if ((val = dev_create_args_get(args, key)) == NULL)
		return (0);
	error = dev_arg_uint(key, val, FB_DIM_MAX, &v, err);
	if (error == 0 && v == 0) {
		sbuf_printf(err, "%s: must be at least 1", key);
		error = EINVAL;
	}
	if (error == 0)
		*vp = (unsigned)v;
	return (error);
}

/*
 * The values of fb's keys, defaults for what is not given: the geometry
 * (width=, height=, bpp=; the device at most FB_SIZE_MAX bytes) and
 * memattr= (write-combining by default).  Allocates nothing.  0 or
 * EINVAL with a message.
 */
static int
fb_args(const struct dev_create_args *args, unsigned *wp, unsigned *hp,
    unsigned *bppp, uint32_t *stridep, uint64_t *sizep, vm_memattr_t *map,
    struct sbuf *err)
{
	const char *val;
	unsigned w, h, bpp;
	uint64_t v;
	bool set;
	int error;

	w = FB_WIDTH_DEFAULT;
	h = FB_HEIGHT_DEFAULT;
	bpp = FB_BPP_DEFAULT;
	*map = VM_MEMATTR_WRITE_COMBINING;
	error = fb_dim(args, "width", &w, err);
	if (error == 0)
		error = fb_dim(args, "height", &h, err);
	if (error == 0 && (val = dev_create_args_get(args, "bpp")) != NULL) {
		error = dev_arg_uint("bpp", val, 32, &v, err);
		if (error == 0 && v != 16 && v != 24 && v != 32) {
			sbuf_printf(err, "bpp: must be 16, 24 or 32");
			error = EINVAL;
		}
		if (error == 0)
			bpp = (unsigned)v;
	}
	if (error == 0)
		error = dev_args_memattr(args, map, &set, err);
	if (error != 0)
		return (error);
	if (fb_geometry(w, h, bpp, stridep, sizep) != 0) {
		sbuf_printf(err, "framebuffer of %ux%ux%u is larger than "
		    "%lluM", w, h, bpp, (unsigned long long)(FB_SIZE_MAX >> 20));
		return (EINVAL);
	}
	*wp = w;
	*hp = h;
	*bppp = bpp;
	return (0);
}

static int
fb_check(const struct dev_create_args *args, struct sbuf *err)
{
	unsigned w, h, bpp;
	vm_memattr_t ma;
	uint32_t stride;
	uint64_t size;

	return (fb_args(args, &w, &h, &bpp, &stride, &size, &ma, err));
}

static int
fb_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct fb_softc *sc;
	struct cdev *dev;
	vm_memattr_t ma;
	unsigned w, h, bpp;
	uint32_t stride;
	uint64_t size;
	int error;

	error = fb_args(args, &w, &h, &bpp, &stride, &size, &ma, err);
	if (error != 0)
		return (error);
	rcu_thread_online();
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	mtx_init(&sc->sc_mtx, "fb softc", LOCK_RANK_DRIVER, 0);
	sc->sc_width = w;
	sc->sc_height = h;
	sc->sc_bpp = bpp;
	sc->sc_stride = stride;
	sc->sc_size = size;
	error = vm_phys_window_create(args->name, size, -1, 0, "memfd", ma,
	    &sc->sc_window, &sc->sc_base);
	if (error != 0) {
		sbuf_printf(err, "cannot make a %ju-byte framebuffer window: "
		    "%s", (uintmax_t)size, strerror(error));
		mtx_destroy(&sc->sc_mtx);
		free(sc);
		return (error == ENOMEM ? ENOMEM : EINVAL);
	}
	rcu_read_lock();
	sc->sc_host = vm_phys_to_host(sc->sc_base);
	rcu_read_unlock();

	make_dev_args_init(&mda);
	mda.mda_devsw = &fb_cdevsw;
	dev_make_args_node(&mda, args, cred, 0660);
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = size;
	mda.mda_memattr = ma;
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		vm_phys_window_destroy(sc->sc_window);
		mtx_destroy(&sc->sc_mtx);
		free(sc);
		return (error);
	}
	*devp = dev;
	return (0);
}

/*
 * destroy_dev first: no thread is inside d_mmap_single, a fault handler's
 * driver section or fb_ctl afterwards, and none can enter.  Then the
 * softc's object reference goes (mappings keep the object, whose later
 * faults fail), and the window (unmapped after an RCU grace period).
 */
static int
fb_destroy(struct cdev *dev, struct sbuf *err)
{
	struct fb_softc *sc = dev->si_drv1;

	(void)err;
	rcu_thread_online();
	destroy_dev(dev);
	if (sc->sc_obj != NULL)
		vm_object_deallocate(sc->sc_obj);
	vm_phys_window_destroy(sc->sc_window);
	mtx_destroy(&sc->sc_mtx);
	free(sc);
	return (0);
}

/* `fb NAME snapshot path=/abs/file.png`; runs inside the device. */
static int
fb_ctl(struct cdev *dev, int argc, char **argv, const struct ucred *cred,
    struct sbuf *out)
{
	struct fb_softc *sc = dev->si_drv1;
	const char *path;
	int i;

	(void)cred;
	if (argc < 1 || strcmp(argv[0], "snapshot") != 0) {
		sbuf_printf(out, "usage: fb %s snapshot path=/abs/file.png",
		    devtoname(dev));
		return (EINVAL);
	}
	path = NULL;
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "path=", 5) == 0 && path == NULL)
			path = argv[i] + 5;
		else {
			sbuf_printf(out, "fb snapshot: unexpected '%.64s'",
			    argv[i]);
			return (EINVAL);
		}
	}
	if (path == NULL || path[0] == '\0') {
		sbuf_printf(out, "fb snapshot: path=/abs/file.png is "
		    "required");
		return (EINVAL);
	}
	return (fb_snapshot(sc, path, out));
}

static void
fb_snapshot_row(void *arg, unsigned y, uint8_t *rgb)
{
	struct fb_softc *sc = arg;

	fb_row_to_rgb(sc->sc_host + (size_t)y * sc->sc_stride, sc->sc_width,
	    sc->sc_bpp, rgb);
}

/*
 * Write the picture to path: absolute; its directory must exist (symbolic
 * links in it are resolved); the last component is never followed -- an
 * existing symbolic link there is refused, as is anything but a regular
 * file.  The PNG goes to a new temporary file in that directory (O_EXCL,
 * O_NOFOLLOW), is fsync'ed and renamed over path.  Nothing is left behind
 * on error.  The picture is what the window holds now: stores through
 * mmap(2) reach it at writeback (msync, munmap).
 */
static int
fb_snapshot(struct fb_softc *sc, const char *path, struct sbuf *out)
{
	static unsigned long seq;
	char dir[PATH_MAX], rdir[PATH_MAX], tmp[NAME_MAX + 1];
	const char *slash, *base;
	struct stat st;
	size_t dlen;
	int dirfd, error, fd, i;

	if (path[0] != '/') {
		sbuf_printf(out, "snapshot path '%.256s' is not absolute",
		    path);
		return (EINVAL);
	}
	slash = strrchr(path, '/');
	base = slash + 1;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0 || strlen(base) > NAME_MAX - 32) {
		sbuf_printf(out, "snapshot path '%.256s' does not name a file",
		    path);
		return (EINVAL);
	}
	dlen = slash == path ? 1 : (size_t)(slash - path);
	if (dlen >= sizeof(dir)) {
		sbuf_printf(out, "snapshot path too long");
		return (EINVAL);
	}
	memcpy(dir, path, dlen);
	dir[dlen] = '\0';
	if (realpath(dir, rdir) == NULL) {
		error = errno;
		sbuf_printf(out, "snapshot directory '%.256s': %s", dir,
		    strerror(error));
		return (error);
	}
	dirfd = open(rdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		error = errno;
		sbuf_printf(out, "snapshot directory '%.256s': %s", rdir,
		    strerror(error));
		return (error);
	}
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			sbuf_printf(out, "snapshot path '%.256s' is a "
			    "symbolic link (never followed)", path);
			close(dirfd);
			return (ELOOP);
		}
		if (!S_ISREG(st.st_mode)) {
			sbuf_printf(out, "snapshot path '%.256s' exists and is "
			    "not a regular file", path);
			close(dirfd);
			return (S_ISDIR(st.st_mode) ? EISDIR : EINVAL);
		}
	} else if (errno != ENOENT) {
		error = errno;
		sbuf_printf(out, "snapshot path '%.256s': %s", path,
		    strerror(error));
		close(dirfd);
		return (error);
	}

	fd = -1;
	error = EEXIST;
	for (i = 0; i < 100 && fd < 0; i++) {
		snprintf(tmp, sizeof(tmp), ".%s.%ld.%lu", base, (long)getpid(),
		    __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
		if (fd < 0 && errno != EEXIST) {
			error = errno;
			break;
		}
	}
	if (fd < 0) {
		sbuf_printf(out, "cannot create a file in '%.256s': %s", rdir,
		    strerror(error));
		close(dirfd);
		return (error);
	}
	error = png_write_rgb(fd, sc->sc_width, sc->sc_height,
	    fb_snapshot_row, sc);
	if (error == 0 && fsync(fd) != 0)
		error = errno;
	if (close(fd) != 0 && error == 0)
		error = errno;
	if (error == 0 && renameat(dirfd, tmp, dirfd, base) != 0)
		error = errno;
	if (error != 0) {
		(void)unlinkat(dirfd, tmp, 0);
		sbuf_printf(out, "cannot write snapshot '%.256s': %s", path,
		    strerror(error));
		close(dirfd);
		return (error);
	}
	close(dirfd);
	sbuf_printf(out, "wrote %s %ux%u", path, sc->sc_width,
	    sc->sc_height);
	return (0);
}
