/*
 * patterndrv: an example out-of-tree devpagerfs driver, built against
 * the installed <devpager/devpager.h> only (see devpager_plugin(9)).
 *
 *	create pat0 driver=/path/to/patterndrv.so [size=SIZE] [seed=N]
 *	    [memattr=wb|wc|...]
 *
 * The device is SIZE bytes (default 1M) whose contents are computed, not
 * stored: every 8-byte little-endian word at byte offset o reads as
 *
 *	o ^ 0x5a5a5a5a5a5a5a5a ^ seed
 *
 * The pages live in a device window; the fault handler (cdev_pager_ops,
 * an OBJT_DEVICE object from cdev_pager_allocate) writes the pattern into
 * the window page being faulted and hands the device pager a fake page
 * for it.  A store into the device lasts until that page faults again.
 *
 * `plugin pat0 stats` replies "faults=N size=S seed=X".
 *
 * Life cycle: the softc keeps one reference on the pager object from the
 * first mapping until destroy, so the object (whose ctor takes a cdev
 * reference and whose dtor drops it) is built once.  Faults after
 * destroy find no driver (dev_refthread fails) and fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <devpager/devpager.h>

#define	PAT_XOR		0x5a5a5a5a5a5a5a5aULL
#define	PAT_SIZE_DEFAULT	(1ULL << 20)
#define	PAT_SIZE_MAX		(1ULL << 30)

struct pat_softc {
	pthread_mutex_t		 sc_mtx;	/* protects sc_obj */
	struct vm_phys_window	*sc_window;
	vm_paddr_t		 sc_base;
	vm_size_t		 sc_size;
	unsigned char		*sc_host;	/* the window */
	uint64_t		 sc_seed;
	vm_memattr_t		 sc_memattr;
	vm_object_t		 sc_obj;	/* referenced, or NULL */
	unsigned long		 sc_faults;	/* atomic */
};

static d_mmap_single_t pat_mmap_single;
static int	pat_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
		    vm_ooffset_t foff, const struct ucred *cred,
		    uint16_t *color);
static void	pat_pg_dtor(void *handle);
static int	pat_pg_fault(vm_object_t object, vm_ooffset_t offset,
		    int prot, vm_page_t *mres);
static int	pat_create(const struct devpager_plugin_args *args,
		    struct cdev **devp, char *err, size_t errlen);
static int	pat_destroy(struct cdev *dev, char *err, size_t errlen);
static int	pat_ctl(struct cdev *dev, int argc, char **argv, char *out,
		    size_t outlen);

/* Not const: make_dev_s prepares it in place. */
static struct cdevsw pat_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "patterndrv",
	.d_mmap_single = pat_mmap_single,
};

static const struct cdev_pager_ops pat_pager_ops = {
	.cdev_pg_ctor = pat_pg_ctor,
	.cdev_pg_dtor = pat_pg_dtor,
	.cdev_pg_fault = pat_pg_fault,
};

const struct devpager_plugin devpager_plugin = {
	.dp_kpi_version = DEVPAGER_KPI_VERSION,
	.dp_name = "patterndrv",
	.dp_create = pat_create,
	.dp_destroy = pat_destroy,
	.dp_ctl = pat_ctl,
};

/* One object for the whole device, whatever range is mapped. */
static int
pat_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{
	struct pat_softc *sc = devpager_dev_drv1(dev);
	vm_object_t obj;

	if (*offset >= sc->sc_size || size > sc->sc_size - *offset)
		return (EINVAL);
	pthread_mutex_lock(&sc->sc_mtx);
	if (sc->sc_obj == NULL) {
		obj = cdev_pager_allocate(dev, OBJT_DEVICE, &pat_pager_ops,
		    sc->sc_size, (vm_prot_t)(nprot | VM_PROT_READ), 0, NULL);
		if (obj == NULL) {
			pthread_mutex_unlock(&sc->sc_mtx);
			return (EINVAL);
		}
		VM_OBJECT_WLOCK(obj);
		(void)vm_object_set_memattr(obj, sc->sc_memattr);
		VM_OBJECT_WUNLOCK(obj);
		sc->sc_obj = obj;
	}
	vm_object_reference(sc->sc_obj);
	*object = sc->sc_obj;
	pthread_mutex_unlock(&sc->sc_mtx);
	return (0);
}

static int
pat_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, uint16_t *color)
{

	(void)size;
	(void)prot;
	(void)foff;
	(void)cred;
	dev_ref(handle);
	*color = 0;
	return (0);
}

static void
pat_pg_dtor(void *handle)
{

	dev_rel(handle);
}

/*
 * The object is locked on entry and return; it is dropped while the
 * pattern is written and around vm_page_getfake.
 */
static int
pat_pg_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{
	struct pat_softc *sc;
	struct cdev *dev;
	vm_memattr_t memattr;
	vm_paddr_t paddr;
	unsigned char *p;
	uint64_t o, w;
	unsigned i;
	int ref;

	(void)prot;
	VM_OBJECT_ASSERT_WLOCKED(object);
	dev = devpager_object_handle(object);
	VM_OBJECT_WUNLOCK(object);
	if (dev_refthread(dev, &ref) == NULL) {
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_FAIL);
	}
	sc = devpager_dev_drv1(dev);
	offset = trunc_page(offset);
	if (offset >= sc->sc_size) {
		dev_relthread(dev, ref);
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_BAD);
	}
	/* Compute the page: little-endian words, whatever the host. */
	p = sc->sc_host + offset;
	for (i = 0; i < PAGE_SIZE; i += 8) {
		o = offset + i;
		w = o ^ PAT_XOR ^ sc->sc_seed;
		p[i] = (unsigned char)w;
		p[i + 1] = (unsigned char)(w >> 8);
		p[i + 2] = (unsigned char)(w >> 16);
		p[i + 3] = (unsigned char)(w >> 24);
		p[i + 4] = (unsigned char)(w >> 32);
		p[i + 5] = (unsigned char)(w >> 40);
		p[i + 6] = (unsigned char)(w >> 48);
		p[i + 7] = (unsigned char)(w >> 56);
	}
	paddr = sc->sc_base + offset;
	memattr = sc->sc_memattr;
	__atomic_add_fetch(&sc->sc_faults, 1, __ATOMIC_RELAXED);
	dev_relthread(dev, ref);

	VM_OBJECT_WLOCK(object);
	cdev_pager_fake_page(object, mres, paddr, memattr);
	return (VM_PAGER_OK);
}

static int
pat_create(const struct devpager_plugin_args *args, struct cdev **devp,
    char *err, size_t errlen)
{
	struct make_dev_args mda;
	struct pat_softc *sc;
	const char *seed;
	char *end;
	unsigned i;
	int error;

	for (i = 0; i < args->dpa_nparams; i++) {
		if (strcmp(args->dpa_keys[i], "seed") != 0) {
			snprintf(err, errlen, "unknown key '%s' (size, seed, "
			    "memattr)", args->dpa_keys[i]);
			return (EINVAL);
		}
	}
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL)
		return (ENOMEM);
	seed = devpager_param(args, "seed");
	if (seed != NULL) {
		errno = 0;
		sc->sc_seed = strtoull(seed, &end, 0);
		if (errno != 0 || *end != '\0' || end == seed) {
			snprintf(err, errlen, "seed '%s' is not a number",
			    seed);
			free(sc);
			return (EINVAL);
		}
	}
	sc->sc_size = args->dpa_size != 0 ? args->dpa_size : PAT_SIZE_DEFAULT;
	if (sc->sc_size > PAT_SIZE_MAX) {
		snprintf(err, errlen, "size is at most 1G");
		free(sc);
		return (EINVAL);
	}
	sc->sc_memattr = args->dpa_memattr;
	pthread_mutex_init(&sc->sc_mtx, NULL);
	error = vm_phys_window_create(args->dpa_name, sc->sc_size, -1, 0,
	    "memfd", sc->sc_memattr, &sc->sc_window, &sc->sc_base);
	if (error != 0) {
		snprintf(err, errlen, "no window: %s", strerror(error));
		pthread_mutex_destroy(&sc->sc_mtx);
		free(sc);
		return (error);
	}
	sc->sc_host = devpager_window_host(sc->sc_window);

	make_dev_args_init(&mda);
	mda.mda_devsw = &pat_cdevsw;
	mda.mda_cr = args->dpa_cr;
	mda.mda_uid = args->dpa_uid;
	mda.mda_gid = args->dpa_gid;
	mda.mda_mode = args->dpa_mode;
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = sc->sc_size;
	mda.mda_memattr = sc->sc_memattr;
	error = make_dev_s(&mda, devp, "%s", args->dpa_name);
	if (error != 0) {
		snprintf(err, errlen, "make_dev_s: %s", strerror(error));
		vm_phys_window_destroy(sc->sc_window);
		pthread_mutex_destroy(&sc->sc_mtx);
		free(sc);
		return (error);
	}
	kern_log(LOG_DEBUG, "patterndrv: %s, %" PRIu64 " bytes, seed %#" PRIx64,
	    args->dpa_name, (uint64_t)sc->sc_size, sc->sc_seed);
	return (0);
}

/*
 * destroy_dev waits for every thread inside the driver; then the object
 * reference and the window go.  Mappings keep the object; their faults
 * fail from now on.
 */
static int
pat_destroy(struct cdev *dev, char *err, size_t errlen)
{
	struct pat_softc *sc = devpager_dev_drv1(dev);

	(void)err;
	(void)errlen;
	destroy_dev(dev);
	if (sc->sc_obj != NULL)
		vm_object_deallocate(sc->sc_obj);
	vm_phys_window_destroy(sc->sc_window);
	pthread_mutex_destroy(&sc->sc_mtx);
	free(sc);
	return (0);
}

static int
pat_ctl(struct cdev *dev, int argc, char **argv, char *out, size_t outlen)
{
	struct pat_softc *sc = devpager_dev_drv1(dev);

	if (argc != 1 || strcmp(argv[0], "stats") != 0) {
		snprintf(out, outlen, "usage: plugin %s stats", devtoname(dev));
		return (EINVAL);
	}
	snprintf(out, outlen, "faults=%lu size=%" PRIu64 " seed=%#" PRIx64,
	    __atomic_load_n(&sc->sc_faults, __ATOMIC_RELAXED),
	    (uint64_t)sc->sc_size, sc->sc_seed);
	return (0);
}
