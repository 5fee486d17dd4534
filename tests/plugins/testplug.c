/*
 * Test plugins for the loader (tests/check_dev_plugin.c), built from this
 * one source with <devpager/devpager.h> only.  Without a variant macro it
 * is a small good driver of the other KPI style: an old-style d_mmap
 * device over a window (the device pager builds the object), with a
 * `plugin NAME fill BYTE` command, and a d_ioctl that records what it was
 * given (`plugin NAME ioctl` reports it; tests/mount_ioctl.sh):
 *	TP_IOC_ARG	_IO: the argument value, *(caddr_t *)data
 *	TP_IOC_INT	no direction, an int (FreeBSD's _IOWINT): *(int *)data
 *	TP_IOC_XOR	_IOWR of two uint64_t: v[1] = v[0] ^ TP_XOR
 * any other command is counted and fails with ENOTTY.  Variants, one per
 * .so:
 *	TESTPLUG_BADVER		dp_kpi_version is not DEVPAGER_KPI_VERSION
 *	TESTPLUG_NOENTRY	no devpager_plugin symbol
 *	TESTPLUG_UNDEF		needs a function the daemon does not export
 *	TESTPLUG_FAIL		dp_create fails with ENOSPC and a message
 *	TESTPLUG_WRONGNAME	dp_create makes a device of another name
 *	TESTPLUG_INCOMPLETE	no dp_destroy
 * and testplug_nodelete.so, the good driver linked with -z nodelete (the
 * dynamic linker never unmaps it).
 */
#include <sys/ioctl.h>
#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devpager/devpager.h>

#ifdef TESTPLUG_UNDEF
void	devpager_no_such_function(void);
#endif

#define	TP_IOC_ARG	_IO('t', 1)
#define	TP_IOC_INT	_IOC(_IOC_NONE, 't', 2, sizeof(int))
#define	TP_IOC_XOR	_IOWR('t', 3, uint64_t[2])
#define	TP_XOR		0xa5a5a5a5a5a5a5a5ULL

struct tp_softc {
	struct vm_phys_window	*sc_window;
	vm_paddr_t		 sc_base;
	vm_size_t		 sc_size;
	unsigned char		*sc_host;
	/* The last ioctl: updated by one thread at a time in the tests. */
	unsigned		 sc_ioctls;
	unsigned long		 sc_ioctl_cmd;
	char			 sc_ioctl_value[32];
};

static d_mmap_t tp_mmap;
static d_ioctl_t tp_ioctl;
static int	tp_create(const struct devpager_plugin_args *args,
		    struct cdev **devp, char *err, size_t errlen);
static int	tp_destroy(struct cdev *dev, char *err, size_t errlen)
		    __attribute__((__unused__));	/* _INCOMPLETE */
static int	tp_ctl(struct cdev *dev, int argc, char **argv, char *out,
		    size_t outlen);

static struct cdevsw tp_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "testplug",
	.d_mmap = tp_mmap,
	.d_ioctl = tp_ioctl,
};

#ifdef TESTPLUG_NOENTRY
const struct devpager_plugin devpager_plugin_v0 = {
#else
const struct devpager_plugin devpager_plugin = {
#endif
#ifdef TESTPLUG_BADVER
	.dp_kpi_version = DEVPAGER_KPI_VERSION + 1,
#else
	.dp_kpi_version = DEVPAGER_KPI_VERSION,
#endif
	.dp_name = "testplug",
	.dp_create = tp_create,
#ifndef TESTPLUG_INCOMPLETE
	.dp_destroy = tp_destroy,
#endif
	.dp_ctl = tp_ctl,
};

static int
tp_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{
	struct tp_softc *sc = devpager_dev_drv1(dev);

	(void)nprot;
	(void)memattr;
	if (offset >= sc->sc_size)
		return (EINVAL);
	*paddr = sc->sc_base + trunc_page(offset);
	return (0);
}

static int
tp_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{
	struct tp_softc *sc = devpager_dev_drv1(dev);
	uint64_t *v;

	(void)fflag;
	(void)td;
	sc->sc_ioctls++;
	sc->sc_ioctl_cmd = cmd;
	switch (cmd) {
	case TP_IOC_ARG:
		snprintf(sc->sc_ioctl_value, sizeof(sc->sc_ioctl_value),
		    "%#jx", (uintmax_t)(uintptr_t)*(caddr_t *)data);
		return (0);
	case TP_IOC_INT:
		snprintf(sc->sc_ioctl_value, sizeof(sc->sc_ioctl_value), "%d",
		    *(int *)data);
		return (0);
	case TP_IOC_XOR:
		v = data;
		snprintf(sc->sc_ioctl_value, sizeof(sc->sc_ioctl_value),
		    "%#" PRIx64, v[0]);
		v[1] = v[0] ^ TP_XOR;
		return (0);
	default:
		snprintf(sc->sc_ioctl_value, sizeof(sc->sc_ioctl_value), "-");
		return (ENOTTY);
	}
}

static int
tp_create(const struct devpager_plugin_args *args, struct cdev **devp,
    char *err, size_t errlen)
{
	struct make_dev_args mda;
	struct tp_softc *sc;
	const char *fill;
	int error;

#ifdef TESTPLUG_UNDEF
	devpager_no_such_function();
#endif
#ifdef TESTPLUG_FAIL
	snprintf(err, errlen, "no room for %s", args->dpa_name);
	return (ENOSPC);
#endif
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL)
		return (ENOMEM);
	sc->sc_size = args->dpa_size != 0 ? args->dpa_size : 4 * PAGE_SIZE;
	error = vm_phys_window_create(args->dpa_name, sc->sc_size, -1, 0,
	    "memfd", args->dpa_memattr, &sc->sc_window, &sc->sc_base);
	if (error != 0) {
		snprintf(err, errlen, "window: %s", strerror(error));
		free(sc);
		return (error);
	}
	sc->sc_host = devpager_window_host(sc->sc_window);
	fill = devpager_param(args, "fill");
	if (fill != NULL)
		memset(sc->sc_host, (int)strtol(fill, NULL, 0), sc->sc_size);
	make_dev_args_init(&mda);
	mda.mda_devsw = &tp_cdevsw;
	mda.mda_cr = args->dpa_cr;
	mda.mda_uid = args->dpa_uid;
	mda.mda_gid = args->dpa_gid;
	mda.mda_mode = args->dpa_mode;
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = sc->sc_size;
	mda.mda_memattr = args->dpa_memattr;
#ifdef TESTPLUG_WRONGNAME
	error = make_dev_s(&mda, devp, "%s.other", args->dpa_name);
#else
	error = make_dev_s(&mda, devp, "%s", args->dpa_name);
#endif
	if (error != 0) {
		snprintf(err, errlen, "make_dev_s: %s", strerror(error));
		vm_phys_window_destroy(sc->sc_window);
		free(sc);
		return (error);
	}
	return (0);
}

static int
tp_destroy(struct cdev *dev, char *err, size_t errlen)
{
	struct tp_softc *sc = devpager_dev_drv1(dev);

	(void)err;
	(void)errlen;
	destroy_dev(dev);
	vm_phys_window_destroy(sc->sc_window);
	free(sc);
	return (0);
}

/* `plugin NAME fill BYTE`: set every byte; `plugin NAME ioctl`: the last
 * ioctl; `plugin NAME echo ARGS...`. */
static int
tp_ctl(struct cdev *dev, int argc, char **argv, char *out, size_t outlen)
{
	struct tp_softc *sc = devpager_dev_drv1(dev);
	size_t len;
	int i;

	if (argc == 2 && strcmp(argv[0], "fill") == 0) {
		memset(sc->sc_host, (int)strtol(argv[1], NULL, 0),
		    sc->sc_size);
		snprintf(out, outlen, "filled %s", devtoname(dev));
		return (0);
	}
	if (argc == 1 && strcmp(argv[0], "ioctl") == 0) {
		snprintf(out, outlen, "calls=%u cmd=%#lx value=%s",
		    sc->sc_ioctls, sc->sc_ioctl_cmd,
		    sc->sc_ioctls != 0 ? sc->sc_ioctl_value : "-");
		return (0);
	}
	if (argc >= 1 && strcmp(argv[0], "echo") == 0) {
		out[0] = '\0';
		for (i = 1; i < argc; i++) {
			len = strlen(out);
			snprintf(out + len, outlen - len, "%s%s",
			    i > 1 ? " " : "", argv[i]);
		}
		return (0);
	}
	snprintf(out, outlen, "testplug: unknown command");
	return (EINVAL);
}
