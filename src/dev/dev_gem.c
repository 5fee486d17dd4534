/*
 * gem: the driver glue -- create and destroy of gem devices, the cdevsw
 * (d_open, d_ioctl, d_mmap_single), the per-request access check, and
 * the ctl commands.  The buffer objects themselves live in dev_gem_bo.c,
 * the handle tables in dev_gem_file.c, the fault handler in
 * dev_gem_pager.c; dev_gem.h has the design and the lock order.
 *
 *	create NAME driver=gem [size=SIZE]	vram window of SIZE bytes
 *						(64K..1G, default 64M), WC
 *	gem NAME create size=SIZE [placement=vram|system]
 *					-> "handle=H offset=O size=S name=N"
 *	gem NAME destroy handle=H
 *	gem NAME move handle=H placement=vram|system
 *
 * and the ioctls of include/devpager/gem_ioctl.h on dev/NAME.  Every
 * open of the node gets its own handle table (d_open sets it as the
 * file's cdevpriv; it goes, with its handles, when the file is freed);
 * ctl commands use the administrator's table, whose buffers are named at
 * creation so that programs can open them.  The node is GEM_NODE_SIZE
 * bytes whatever the vram size: it is the space of fake offsets, not
 * memory.  memattr is WC and cannot be changed (the vram window is
 * registered WC; system pages are WB).
 *
 * Locks used to protect data in this file: none of its own (see
 * dev_gem.h for the softc's and the tables').
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "dev/dev_gem.h"
#include "devpager/gem_ioctl.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_phys.h"

_Static_assert(sizeof(struct devpager_gem_create) == 32,
    "struct devpager_gem_create layout");
_Static_assert(sizeof(struct devpager_gem_destroy) == 8,
    "struct devpager_gem_destroy layout");
_Static_assert(sizeof(struct devpager_gem_move) == 8,
    "struct devpager_gem_move layout");
_Static_assert(sizeof(struct devpager_gem_info) == 40,
    "struct devpager_gem_info layout");
_Static_assert(sizeof(struct devpager_gem_flink) == 16,
    "struct devpager_gem_flink layout");
_Static_assert(sizeof(struct devpager_gem_open) == 32,
    "struct devpager_gem_open layout");
_Static_assert(DEVPAGER_GEM_NODE_SIZE == GEM_NODE_SIZE &&
    DEVPAGER_GEM_OFFSET_MIN == GEM_OFFSET_MIN &&
    DEVPAGER_GEM_OFFSET_ALIGN == GEM_OFFSET_ALIGN &&
    DEVPAGER_GEM_VRAM == GEM_VRAM && DEVPAGER_GEM_SYSTEM == GEM_SYSTEM,
    "gem_ioctl.h and dev_gem.h disagree");

static d_open_t gem_open;
static d_ioctl_t gem_ioctl;
static d_mmap_single_t gem_mmap_single;
static void	gem_file_dtor(void *data);
static int	gem_map_access(struct cdev *dev, vm_object_t obj,
		    vm_prot_t prot);
static struct gem_file *gem_curfile(void);
static int	gem_check(const struct dev_create_args *args,
		    struct sbuf *err);
static int	gem_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static void	gem_softc_teardown(struct gem_softc *sc);
static int	gem_destroy(struct cdev *dev, struct sbuf *err);
static int	gem_ctl(struct cdev *dev, int argc, char **argv,
		    const struct ucred *cred, struct sbuf *out);
static int	gem_vram_size(const struct dev_create_args *args,
		    uint64_t *sizep, struct sbuf *err);
static const struct ucred *gem_ioctl_cred(void);
static int	gem_ctl_args(int argc, char **argv, const char *const *keys,
		    const char **vals, struct sbuf *out);
static int	gem_ctl_placement(const char *s, enum gem_placement *pp,
		    struct sbuf *out);
static int	gem_ctl_handle(const char *s, uint32_t *hp, struct sbuf *out);

static struct cdevsw gem_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "gem",
	.d_open = gem_open,
	.d_ioctl = gem_ioctl,
	.d_mmap_single = gem_mmap_single,
};

static const char *const gem_keys[] = { "size", NULL };

const struct dev_driver dev_gem_driver = {
	.dd_name = "gem",
	.dd_keys = gem_keys,
	.dd_check = gem_check,
	.dd_create = gem_create,
	.dd_destroy = gem_destroy,
	.dd_ctl = gem_ctl,
	.dd_map_access = gem_map_access,
};

/* size= of the vram window, or the default. */
static int
gem_vram_size(const struct dev_create_args *args, uint64_t *sizep,
    struct sbuf *err)
{
	char lo[32], hi[32];
	uint64_t size;
	bool set;
	int error;

	error = dev_args_size(args, &size, &set, err);
	if (error != 0)
		return (error);
	if (!set) {
		*sizep = GEM_VRAM_DEFAULT;
		return (0);
	}
	if (size < GEM_VRAM_MIN || size > GEM_VRAM_MAX) {
		size_format(GEM_VRAM_MIN, lo, sizeof(lo));
		size_format(GEM_VRAM_MAX, hi, sizeof(hi));
		sbuf_printf(err, "vram size must be between %s and %s", lo,
		    hi);
		return (EINVAL);
	}
	*sizep = round_page(size);
	return (0);
}

static int
gem_check(const struct dev_create_args *args, struct sbuf *err)
{
	uint64_t size;

	return (gem_vram_size(args, &size, err));
}

static int
gem_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct gem_softc *sc;
	struct cdev *dev;
	uint64_t size;
	int error;

	error = gem_vram_size(args, &size, err);
	if (error != 0)
		return (error);
	sc = malloc(sizeof(*sc));
	if (sc == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	error = gem_softc_init(sc, args->name, size, err);
	if (error != 0) {
		free(sc);
		return (error == ENOMEM ? ENOMEM : EINVAL);
	}
	gem_file_init(&sc->sc_admin, sc, true);
	make_dev_args_init(&mda);
	mda.mda_devsw = &gem_cdevsw;
	dev_make_args_node(&mda, args, cred, 0660);
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = GEM_NODE_SIZE;
	mda.mda_memattr = VM_MEMATTR_WRITE_COMBINING;
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		gem_softc_teardown(sc);
		vm_phys_fictitious_unreg_range(sc->sc_vram_base,
		    sc->sc_vram_base + sc->sc_vram_size);
		vm_phys_window_destroy(sc->sc_window);
		gem_softc_rele(sc);
		return (error);
	}
	/* Retirements name the device; it must outlive the softc. */
	dev_ref(dev);
	sc->sc_dev = dev;
	*devp = dev;
	return (0);
}

/*
 * The softc's BOs go (no device method runs any more): no new BO, the
 * ctl handles closed, the other BOs retired (gem_softc_shutdown).
 */
static void
gem_softc_teardown(struct gem_softc *sc)
{

	gem_softc_dying(sc);
	gem_file_clear(&sc->sc_admin);
	gem_softc_shutdown(sc);
}

/*
 * destroy_dev first (no ioctl, ctl command or mmap runs after it), then
 * every BO loses its memory (objects the filesystem still holds fail
 * their faults from now on), then the vram range and window go.  The
 * softc itself lives until the last BO object dies.
 */
static int
gem_destroy(struct cdev *dev, struct sbuf *err)
{
	struct gem_softc *sc = dev->si_drv1;

	(void)err;
	rcu_thread_online();
	destroy_dev(dev);
	gem_softc_teardown(sc);
	vm_phys_fictitious_unreg_range(sc->sc_vram_base,
	    sc->sc_vram_base + sc->sc_vram_size);
	vm_phys_window_destroy(sc->sc_window);
	gem_softc_rele(sc);
	return (0);
}

/*
 * d_open: the open's own handle table, as its cdevpriv (freed with the
 * file).
 */
static int
gem_open(struct cdev *dev, int oflags, int devtype, struct thread *td)
{
	struct gem_softc *sc = dev->si_drv1;
	struct gem_file *gf;
	int error;

	(void)oflags;
	(void)devtype;
	(void)td;
	gf = malloc(sizeof(*gf));
	if (gf == NULL)
		return (ENOMEM);
	gem_file_init(gf, sc, false);
	gem_softc_ref(sc);
	error = devfs_set_cdevpriv(gf, gem_file_dtor);
	if (error != 0) {
		gem_file_fini(gf);
		free(gf);
		gem_softc_rele(sc);
	}
	return (error);
}

/*
 * The file is being freed: close its handles (the last handle of a BO
 * destroys it).  No lock held.
 */
static void
gem_file_dtor(void *data)
{
	struct gem_file *gf = data;
	struct gem_softc *sc = gf->gf_sc;

	rcu_thread_online();
	gem_file_fini(gf);
	free(gf);
	gem_softc_rele(sc);
}

/* The handle table of the file in curthread->td_fpop, or NULL. */
static struct gem_file *
gem_curfile(void)
{
	void *priv;

	if (devfs_get_cdevpriv(&priv) != 0)
		return (NULL);
	return (priv);
}

/*
 * d_mmap_single: the object of the BO holding *offset (the size asked
 * for may run past it: the filesystem maps the object's own size).
 * Called for an open file (FreeBSD's mmap(2), td_fpop set), only a BO
 * that file holds a handle of is mapped (EACCES otherwise, as DRM's
 * drm_vma_node_is_allowed); the filesystem's mapping entries, shared by
 * every open of the node, are made without a file and checked per
 * request (gem_map_access).
 */
static int
gem_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{
	struct gem_softc *sc = dev->si_drv1;
	struct gem_file *gf;
	vm_ooffset_t off;
	int error;

	(void)size;
	(void)nprot;
	off = *offset;
	error = gem_bo_lookup_offset(sc, &off, object);
	if (error != 0)
		return (error);
	if (curthread->td_fpop != NULL && ((gf = gem_curfile()) == NULL ||
	    !gem_file_holds(gf, gem_bo_of_object(*object)))) {
		vm_object_deallocate(*object);
		*object = NULL;
		return (EACCES);
	}
	*offset = off;
	return (0);
}

/*
 * dd_map_access: a request on an open file may use a BO's pages only if
 * that open holds a handle of the BO.  Anything else on a gem node's
 * mapping entries is refused too.
 */
static int
gem_map_access(struct cdev *dev, vm_object_t obj, vm_prot_t prot)
{
	struct gem_file *gf;
	struct gem_bo *bo;

	(void)dev;
	(void)prot;
	gf = gem_curfile();
	bo = gem_bo_of_object(obj);
	if (gf == NULL || bo == NULL || !gem_file_holds(gf, bo))
		return (EACCES);
	return (0);
}

/* Whose request this is: the FUSE caller, else the file's opener. */
static const struct ucred *
gem_ioctl_cred(void)
{

	if (curthread->td_ucred != NULL)
		return (curthread->td_ucred);
	if (curthread->td_fpop != NULL)
		return (&curthread->td_fpop->f_cred);
	return (&kernel_cred);
}

static int
gem_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{
	struct devpager_gem_create *gc;
	struct devpager_gem_destroy *gd;
	struct devpager_gem_move *gm;
	struct devpager_gem_info *gi;
	struct devpager_gem_flink *gl;
	struct devpager_gem_open *go;
	struct gem_bo_info bi;
	struct gem_file *gf;
	struct sbuf err;
	int error;

	(void)dev;
	(void)td;
	if (cmd != DEVPAGER_GEM_IOC_INFO && cmd != DEVPAGER_GEM_IOC_CREATE &&
	    cmd != DEVPAGER_GEM_IOC_DESTROY && cmd != DEVPAGER_GEM_IOC_MOVE &&
	    cmd != DEVPAGER_GEM_IOC_FLINK && cmd != DEVPAGER_GEM_IOC_OPEN)
		return (ENOTTY);
	if ((cmd == DEVPAGER_GEM_IOC_CREATE || cmd == DEVPAGER_GEM_IOC_MOVE) &&
	    (fflag & O_ACCMODE) == O_RDONLY)
		return (EBADF);
	gf = gem_curfile();
	if (gf == NULL)
		return (EBADF);		/* not through an open file */
	sbuf_init(&err);	/* messages are for ctl; ioctls get errno */
	switch (cmd) {
	case DEVPAGER_GEM_IOC_CREATE:
		gc = data;
		if (gc->flags != 0 || gc->pad != 0 ||
		    (gc->placement != DEVPAGER_GEM_VRAM &&
		    gc->placement != DEVPAGER_GEM_SYSTEM)) {
			error = EINVAL;
			break;
		}
		error = gem_bo_create(gf, gc->size,
		    (enum gem_placement)gc->placement, gem_ioctl_cred(), &bi,
		    &err);
		if (error == 0) {
			gc->size = bi.bi_size;
			gc->handle = bi.bi_handle;
			gc->offset = bi.bi_offset;
		}
		break;
	case DEVPAGER_GEM_IOC_DESTROY:
		gd = data;
		error = gd->pad != 0 || gd->handle == 0 ? EINVAL :
		    gem_handle_close(gf, gd->handle, &err);
		break;
	case DEVPAGER_GEM_IOC_MOVE:
		gm = data;
		if (gm->handle == 0 || (gm->placement != DEVPAGER_GEM_VRAM &&
		    gm->placement != DEVPAGER_GEM_SYSTEM)) {
			error = EINVAL;
			break;
		}
		error = gem_handle_move(gf, gm->handle,
		    (enum gem_placement)gm->placement, &err);
		break;
	case DEVPAGER_GEM_IOC_FLINK:
		gl = data;
		error = gl->pad != 0 || gl->handle == 0 ? EINVAL :
		    gem_handle_flink(gf, gl->handle, &gl->name);
		break;
	case DEVPAGER_GEM_IOC_OPEN:
		go = data;
		if (go->pad != 0 || go->name == 0 || go->name > GEM_NAME_MAX) {
			error = EINVAL;
			break;
		}
		error = gem_handle_open(gf, go->name, &bi);
		if (error == 0) {
			go->handle = bi.bi_handle;
			go->size = bi.bi_size;
			go->offset = bi.bi_offset;
		}
		break;
	default:
		gi = data;
		if (gi->handle == 0) {
			error = EINVAL;
			break;
		}
		error = gem_handle_info(gf, gi->handle, &bi);
		if (error == 0) {
			gi->placement = (uint32_t)bi.bi_placement;
			gi->size = bi.bi_size;
			gi->offset = bi.bi_offset;
			gi->last_use = bi.bi_lru;
			gi->object_id = bi.bi_object_id;
		}
		break;
	}
	sbuf_delete(&err);
	return (error);
}

/*
 * Split key=value words into vals[] by keys[] (NULL when absent).  Any
 * other word, a duplicate or a missing '=' is EINVAL with a message.
 */
static int
gem_ctl_args(int argc, char **argv, const char *const *keys,
    const char **vals, struct sbuf *out)
{
	const char *eq;
	size_t n;
	int i, k;

	for (k = 0; keys[k] != NULL; k++)
		vals[k] = NULL;
	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (eq == NULL) {
			sbuf_printf(out, "expected key=value, got '%.32s'",
			    argv[i]);
			return (EINVAL);
		}
		n = (size_t)(eq - argv[i]);
		for (k = 0; keys[k] != NULL; k++)
			if (strlen(keys[k]) == n &&
			    strncmp(keys[k], argv[i], n) == 0)
				break;
		if (keys[k] == NULL) {
			sbuf_printf(out, "unknown key '%.*s'",
			    (int)(n > 32 ? 32 : n), argv[i]);
			return (EINVAL);
		}
		if (vals[k] != NULL) {
			sbuf_printf(out, "duplicate key '%s'", keys[k]);
			return (EINVAL);
		}
		vals[k] = eq + 1;
	}
	return (0);
}

static int
gem_ctl_placement(const char *s, enum gem_placement *pp, struct sbuf *out)
{

	if (strcmp(s, "vram") == 0)
		*pp = GEM_VRAM;
	else if (strcmp(s, "system") == 0)
		*pp = GEM_SYSTEM;
	else {
		sbuf_printf(out, "placement: '%.32s' is not vram or system",
		    s);
		return (EINVAL);
	}
	return (0);
}

static int
gem_ctl_handle(const char *s, uint32_t *hp, struct sbuf *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > GEM_HANDLE_MAX) {
		sbuf_printf(out, "handle: '%.32s' is not a handle (1 to %u)",
		    s, GEM_HANDLE_MAX);
		return (EINVAL);
	}
	*hp = (uint32_t)v;
	return (0);
}

/*
 * gem NAME create|destroy|move ... (argv[0] is the verb), on the
 * administrator's handle table.  Runs inside the device (dev_driver_ctl
 * holds a thread reference).
 */
static int
gem_ctl(struct cdev *dev, int argc, char **argv, const struct ucred *cred,
    struct sbuf *out)
{
	static const char *const create_keys[] = { "size", "placement",
	    NULL };
	static const char *const destroy_keys[] = { "handle", NULL };
	static const char *const move_keys[] = { "handle", "placement",
	    NULL };
	struct gem_softc *sc = dev->si_drv1;
	struct gem_bo_info bi;
	enum gem_placement place;
	const char *vals[3];
	uint64_t size;
	uint32_t handle;
	int error;

	if (argc < 1) {
		sbuf_printf(out, "usage: gem NAME create|destroy|move ...");
		return (EINVAL);
	}
	if (strcmp(argv[0], "create") == 0) {
		error = gem_ctl_args(argc - 1, argv + 1, create_keys, vals,
		    out);
		if (error != 0)
			return (error);
		if (vals[0] == NULL) {
			sbuf_printf(out, "size= is required");
			return (EINVAL);
		}
		if (size_parse(vals[0], &size) != 0) {
			sbuf_printf(out, "size: '%.32s' is not a size",
			    vals[0]);
			return (EINVAL);
		}
		place = GEM_VRAM;
		if (vals[1] != NULL &&
		    (error = gem_ctl_placement(vals[1], &place, out)) != 0)
			return (error);
		error = gem_bo_create(&sc->sc_admin, size, place, cred, &bi,
		    out);
		if (error == 0)
			sbuf_printf(out, "handle=%u offset=%ju size=%ju "
			    "name=%ju", (unsigned)bi.bi_handle,
			    (uintmax_t)bi.bi_offset, (uintmax_t)bi.bi_size,
			    (uintmax_t)bi.bi_name);
		return (error);
	}
	if (strcmp(argv[0], "destroy") == 0 || strcmp(argv[0], "move") == 0) {
		error = gem_ctl_args(argc - 1, argv + 1, argv[0][0] == 'd' ?
		    destroy_keys : move_keys, vals, out);
		if (error != 0)
			return (error);
		if (vals[0] == NULL) {
			sbuf_printf(out, "handle= is required");
			return (EINVAL);
		}
		if ((error = gem_ctl_handle(vals[0], &handle, out)) != 0)
			return (error);
		if (argv[0][0] == 'd')
			return (gem_handle_close(&sc->sc_admin, handle, out));
		if (vals[1] == NULL) {
			sbuf_printf(out, "placement= is required");
			return (EINVAL);
		}
		if ((error = gem_ctl_placement(vals[1], &place, out)) != 0)
			return (error);
		return (gem_handle_move(&sc->sc_admin, handle, place, out));
	}
	sbuf_printf(out, "unknown gem command '%.32s' (create, destroy, move)",
	    argv[0]);
	return (EINVAL);
}
