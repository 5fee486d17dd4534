/*
 * The plugin loader: the driver table's "plugin" entry, which every
 * `create NAME driver=/abs/path/x.so` reaches (dev_driver_find() returns
 * it for names starting with '/').  See dev_plugin.h for the module life
 * cycle and devpager_plugin(9) for the plugin's side.
 *
 * Trust.  A plugin runs as the daemon, so whoever can change the file, or
 * any directory on its path, runs code in the daemon.  plugin_walk()
 * resolves the path with trustpath_walk() (kern/trustpath.h, shared with
 * ram's backing files), one component at a time from "/", each opened
 * with openat(O_PATH | O_NOFOLLOW) relative to the directory before it and
 * checked with fstat() on what was opened, never by name again:
 *	- every component is owned by root or the daemon's effective user;
 *	- no component is a symbolic link, '.' or '..';
 *	- a directory is not writable by its group or others, unless it is
 *	  sticky (like /tmp): there nobody but root, the directory's owner
 *	  and an entry's owner may rename or remove that entry, and the
 *	  entry below it is checked in turn;
 *	- the file is a regular file not writable by its group or others.
 * The file is then reopened for reading through its descriptor
 * (/proc/self/fd/N), checked for the ELF magic and loaded through that
 * same descriptor: what is loaded is the file that was checked, whatever
 * happens to the path meanwhile.  Every refusal names the path, the
 * component and the reason: EPERM (not trusted), ENOENT, ENOTDIR, EINVAL
 * (not absolute, '.' or '..', not a regular file, not ELF).
 *
 * Images.  The dynamic linker knows a module by the name it was opened
 * with and returns an already loaded module for a name it has seen,
 * without looking at the file.  A "/proc/self/fd/N" name is unique only
 * while descriptor N stays open, so each loaded file (device and inode)
 * has one struct plugin_image that keeps its descriptor, and so its name,
 * for as long as the module may be mapped; every load of the same file
 * goes through that name, every other file gets a name no loaded module
 * has.  An image whose module outlives its last handle (a module marked
 * NODELETE) keeps its descriptor for the life of the process.
 *
 * Loading.  dlopen(RTLD_NOW | RTLD_LOCAL): every symbol the module needs
 * must resolve now, against the daemon's exported KPI, and its own symbols
 * stay private.  It must export DEVPAGER_PLUGIN_SYMBOL with
 * dp_kpi_version == DEVPAGER_KPI_VERSION, dp_name, dp_create and
 * dp_destroy.  Any failure closes it again and creates nothing: EINVAL
 * (dlopen failed, wrong KPI version, incomplete entry), ENOENT (no entry
 * point).  dd_check loads and closes it the same way, so a configuration
 * file with a bad plugin is refused before anything runs.
 *
 * Unloading.  A retired handle (its device destroyed, or its dp_create
 * failed) is dlclose()d once nothing can call into the module:
 *	- no VM object of the device pager types has its pager operations
 *	  inside the module (vm_object_find_rcu; an object's
 *	  type becomes OBJT_DEAD only after its dtor returned);
 *	- the device struct has no reference but the retired entry's: open
 *	  files hold one until after their cdevpriv destructor ran, the
 *	  filesystem one per node until its last file is released.
 *
 * Locks used to protect data in this file:
 *	[l]	plugin_load_mtx (LOCK_RANK_PLUGIN_LOAD: held across dlopen and
 *		dlclose, whose constructors and destructors may take any
 *		other lock; taken with no other lock held)
 *	[p]	plugin_mtx (leaf)
 *	(c)	constant after the entry is built
 */
#include "config.h"

#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "kern/test_hook.h"
#include "kern/trustpath.h"
#include "dev/dev_driver.h"
#include "dev/dev_plugin.h"
#include "vm/vm.h"
#include "vm/vm_object.h"

#define	DEVPAGER_KPI_INTERNAL
#include "devpager/devpager.h"

#define	PLUGIN_MSG_MAX		512	/* dp_create/dp_destroy messages */
#define	PLUGIN_REPLY_MAX	4096	/* dp_ctl replies */
#define	PLUGIN_NPARAMS		(DEV_PARAM_MAX + 4)
#define	PLUGIN_PATH_MAX		sizeof(((struct dev_create_args *)NULL)->driver)
#define	PLUGIN_FDNAME_MAX	sizeof("/proc/self/fd/-2147483648")

/*
 * A loaded plugin file, and the name the dynamic linker knows it by.
 * pi_fd stays open while the module may be mapped: that keeps
 * pi_name ("/proc/self/fd/<pi_fd>") from naming another file.
 */
struct plugin_image {
	LIST_ENTRY(plugin_image) pi_link;	/* [l] */
	dev_t			 pi_dev;	/* (c) the file's identity */
	ino_t			 pi_ino;	/* (c) */
	int			 pi_fd;		/* (c) open for reading */
	unsigned		 pi_handles;	/* [l] dlopen handles */
	char			 pi_name[PLUGIN_FDNAME_MAX]; /* (c) */
};
LIST_HEAD(plugin_image_list, plugin_image);

/* One dlopen() handle of a module. */
struct plugin_mod {
	void			*pm_handle;	/* (c) */
	struct plugin_image	*pm_image;	/* (c) what it was opened as */
	const struct devpager_plugin *pm_plugin; /* (c) its entry point */
	void			*pm_base;	/* (c) where it is loaded */
	char			 pm_path[PLUGIN_PATH_MAX]; /* (c) as given */
};

/* A device made by a plugin (live), or a handle waiting to be closed
 * (retired; pd_dev then holds a reference, or is NULL). */
struct plugin_dev {
	LIST_ENTRY(plugin_dev)	 pd_link;	/* [p] */
	struct cdev		*pd_dev;	/* (c) */
	struct plugin_mod	 pd_mod;	/* (c) */
};
LIST_HEAD(plugin_list, plugin_dev);

static struct mtx plugin_load_mtx =
    MTX_INITIALIZER("plugin loader", LOCK_RANK_PLUGIN_LOAD, 0);
static struct plugin_image_list plugin_images =		/* [l] */
    LIST_HEAD_INITIALIZER(plugin_images);
static struct mtx plugin_mtx =
    MTX_INITIALIZER("dev plugins", LOCK_RANK_LEAF, 0);
static struct plugin_list plugin_live =			/* [p] */
    LIST_HEAD_INITIALIZER(plugin_live);
static struct plugin_list plugin_retired =		/* [p] */
    LIST_HEAD_INITIALIZER(plugin_retired);

static int	plugin_params(const struct dev_create_args *args,
		    struct devpager_plugin_args *dpa, struct sbuf *err);
static int	plugin_check(const struct dev_create_args *args,
		    struct sbuf *err);
static int	plugin_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static int	plugin_destroy(struct cdev *dev, struct sbuf *err);
static int	plugin_ctl(struct cdev *dev, int argc, char **argv,
		    const struct ucred *cred, struct sbuf *out);
static int	plugin_untrusted(const char *path, size_t complen,
		    bool isdir, enum trustpath_fail why, const struct stat *st,
		    const char *writer, struct sbuf *err);
static int	plugin_walk_failed(const char *path,
		    const struct trustpath *tp, struct sbuf *err);
static int	plugin_walk(const char *path, int *fdp, struct stat *stp,
		    struct sbuf *err);
static struct plugin_image *plugin_image_get(int fd, const struct stat *st);
static void	plugin_image_put(struct plugin_image *pi);
static int	plugin_open(const char *path, struct plugin_mod *pm,
		    struct sbuf *err);
static void	plugin_close(struct plugin_mod *pm);
static void	plugin_retire(struct plugin_dev *pd);
static bool	plugin_busy(const struct plugin_dev *pd);
static struct plugin_dev *plugin_find(struct cdev *dev);
static unsigned	plugin_kpi_count(void);

static const char *const plugin_keys[] = { "*", NULL };

const struct dev_driver dev_plugin_driver = {
	.dd_name = "plugin",
	.dd_keys = plugin_keys,
	.dd_check = plugin_check,
	.dd_create = plugin_create,
	.dd_destroy = plugin_destroy,
	.dd_ctl = plugin_ctl,
};

/*
 * The message for a plugin the daemon may not trust: the directory
 * path[0..complen) (isdir) or the plugin file path, with the reason
 * why (TP_OWNER, TP_WRITABLE by writer; the rule is at the top of this
 * file).  EPERM.
 */
static int
plugin_untrusted(const char *path, size_t complen, bool isdir,
    enum trustpath_fail why, const struct stat *st, const char *writer,
    struct sbuf *err)
{

	if (isdir)
		sbuf_printf(err, "plugin '%.256s': directory '%.*s'", path,
		    (int)complen, path);
	else
		sbuf_printf(err, "plugin '%.256s'", path);
	if (why == TP_OWNER)
		sbuf_printf(err, " is owned by uid %u, not by root or the "
		    "daemon's user (uid %u): refused", (unsigned)st->st_uid,
		    (unsigned)geteuid());
	else
		sbuf_printf(err, " is writable by %s (mode %04o): refused",
		    writer, (unsigned)(st->st_mode & 07777));
	return (EPERM);
}

/* The message for a directory walk that failed (trustpath_walk). */
static int
plugin_walk_failed(const char *path, const struct trustpath *tp,
    struct sbuf *err)
{
	size_t i;

	switch (tp->tp_fail) {
	case TP_SYMLINK:
		sbuf_printf(err, "plugin '%.256s': '%.*s' is a symbolic link: "
		    "refused (name the plugin by its real path)", path,
		    (int)tp->tp_len, path);
		return (EPERM);
	case TP_OWNER:
	case TP_WRITABLE:
		return (plugin_untrusted(path, tp->tp_len, true, tp->tp_fail,
		    &tp->tp_st, tp->tp_writer, err));
	case TP_OPEN:
		if (tp->tp_len == 1) {
			sbuf_printf(err, "plugin '%.256s': /: %s", path,
			    strerror(tp->tp_errno));
			return (tp->tp_errno);
		}
		if (tp->tp_errno != ENOTDIR) {
			sbuf_printf(err, "plugin '%.256s': '%.*s': %s", path,
			    (int)tp->tp_len, path, strerror(tp->tp_errno));
			return (tp->tp_errno);
		}
		for (i = tp->tp_len; path[i] == '/'; i++)
			continue;
		if (path[i] == '\0') {
			/* The file itself, named with a '/' after it. */
			sbuf_printf(err, "plugin '%.256s' is not a regular "
			    "file", path);
			return (EINVAL);
		}
		sbuf_printf(err, "plugin '%.256s': '%.*s' is not a directory",
		    path, (int)tp->tp_len, path);
		return (ENOTDIR);
	default:
		sbuf_printf(err, "plugin '%.256s': %s", path,
		    strerror(tp->tp_errno));
		return (tp->tp_errno);
	}
}

/*
 * Resolve path as the rule at the top of this file says and open the
 * plugin for reading.  0 with *fdp (O_CLOEXEC) and its status in *stp,
 * or errno with a one-line message.
 */
static int
plugin_walk(const char *path, int *fdp, struct stat *stp, struct sbuf *err)
{
	char comp[PLUGIN_PATH_MAX], fdname[PLUGIN_FDNAME_MAX];
	enum trustpath_fail why;
	struct trustpath tp;
	const char *writer;
	struct stat st;
	size_t start, end, len;
	int nfd, fd, error;

	if (path[0] != '/') {
		sbuf_printf(err, "plugin '%.256s': the path must be absolute "
		    "(driver=/path/x.so)", path);
		return (EINVAL);
	}
	len = strlen(path);
	if (len >= PLUGIN_PATH_MAX) {
		sbuf_printf(err, "plugin path too long");
		return (EINVAL);
	}
	for (start = 0; start < len; start = end + 1) {
		end = start + strcspn(path + start, "/");
		if ((end - start == 1 && path[start] == '.') ||
		    (end - start == 2 && path[start] == '.' &&
		    path[start + 1] == '.')) {
			sbuf_printf(err, "plugin '%.256s': '.' and '..' are "
			    "not allowed in the path", path);
			return (EINVAL);
		}
	}
	error = trustpath_walk(path, O_PATH, &tp);
	if (error != 0)
		return (plugin_walk_failed(path, &tp, err));
	if (tp.tp_baselen == 0) {
		close(tp.tp_dirfd);
		sbuf_printf(err, "plugin '%.256s' is not a regular file", path);
		return (EINVAL);
	}
	memcpy(comp, tp.tp_base, tp.tp_baselen);
	comp[tp.tp_baselen] = '\0';
	nfd = openat(tp.tp_dirfd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	error = nfd < 0 || fstat(nfd, &st) != 0 ? errno : 0;
	close(tp.tp_dirfd);
	if (error == 0 && S_ISLNK(st.st_mode)) {
		sbuf_printf(err, "plugin '%.256s' is a symbolic link: refused "
		    "(name the file itself)", path);
		error = EPERM;
	} else if (error == 0 && !S_ISREG(st.st_mode)) {
		sbuf_printf(err, "plugin '%.256s' is not a regular file", path);
		error = EINVAL;
	} else if (error == 0 &&
	    (why = trustpath_check(&st, false, &writer)) != TP_OK)
		error = plugin_untrusted(path, 0, false, why, &st, writer,
		    err);
	else if (error != 0)
		sbuf_printf(err, "plugin '%.256s': %s", path, strerror(error));
	if (error != 0) {
		if (nfd >= 0)
			close(nfd);
		return (error);
	}

	/* Open it for reading through the descriptor, not the name. */
	snprintf(fdname, sizeof(fdname), "/proc/self/fd/%d", nfd);
	fd = open(fdname, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	error = fd < 0 ? errno : 0;
	close(nfd);
	if (error != 0) {
		sbuf_printf(err, "plugin '%.256s': cannot open it through "
		    "%s (is /proc mounted?): %s", path, fdname,
		    strerror(error));
		return (error);
	}
	if (fstat(fd, stp) != 0 || stp->st_dev != st.st_dev ||
	    stp->st_ino != st.st_ino) {
		close(fd);
		sbuf_printf(err, "plugin '%.256s': %s is not the file that "
		    "was checked", path, fdname);
		return (EINVAL);
	}
	*fdp = fd;
	return (0);
}

/*
 * The image of the file open at fd (status st), with one more handle
 * counted: an existing one (fd is closed then) or a new one that takes
 * fd.  NULL if out of memory (fd is left alone).  [l] held.
 */
static struct plugin_image *
plugin_image_get(int fd, const struct stat *st)
{
	struct plugin_image *pi;

	mtx_assert(&plugin_load_mtx, MA_OWNED);
	LIST_FOREACH(pi, &plugin_images, pi_link)
		if (pi->pi_dev == st->st_dev && pi->pi_ino == st->st_ino)
			break;
	if (pi != NULL)
		close(fd);
	else {
		pi = calloc(1, sizeof(*pi));
		if (pi == NULL)
			return (NULL);
		pi->pi_dev = st->st_dev;
		pi->pi_ino = st->st_ino;
		pi->pi_fd = fd;
		snprintf(pi->pi_name, sizeof(pi->pi_name), "/proc/self/fd/%d",
		    fd);
		LIST_INSERT_HEAD(&plugin_images, pi, pi_link);
	}
	pi->pi_handles++;
	return (pi);
}

/*
 * One handle of pi is gone (dlclose()d, or dlopen() failed).  The last
 * one frees the image unless its module is still mapped.  [l] held.
 */
static void
plugin_image_put(struct plugin_image *pi)
{
	void *h;

	mtx_assert(&plugin_load_mtx, MA_OWNED);
	KASSERT(pi->pi_handles > 0, ("plugin_image_put: %s has no handle",
	    pi->pi_name));
	if (--pi->pi_handles > 0)
		return;
	h = dlopen(pi->pi_name, RTLD_LAZY | RTLD_NOLOAD);
	if (h != NULL) {
		/* NODELETE: its name must keep naming it. */
		dlclose(h);
		return;
	}
	LIST_REMOVE(pi, pi_link);
	close(pi->pi_fd);
	free(pi);
}

/*
 * Load path and check its entry point; on success pm holds the handle.
 * 0 or errno with a one-line message; nothing stays loaded on error.
 * No lock may be held.
 */
static int
plugin_open(const char *path, struct plugin_mod *pm, struct sbuf *err)
{
	const struct devpager_plugin *dp;
	unsigned char magic[4];
	struct plugin_image *pi;
	struct stat st;
	const char *dlerr;
	Dl_info info;
	void *h;
	int error, fd;

	memset(pm, 0, sizeof(*pm));
	fd = -1;
	error = plugin_walk(path, &fd, &st, err);
	if (error != 0)
		return (error);
	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "\177ELF", 4) != 0) {
		close(fd);
		sbuf_printf(err, "plugin '%.256s' is not an ELF shared object",
		    path);
		return (EINVAL);
	}

	mtx_lock(&plugin_load_mtx);
	pi = plugin_image_get(fd, &st);
	if (pi == NULL) {
		mtx_unlock(&plugin_load_mtx);
		close(fd);
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	/* Whatever is at path now, pi_name is the file checked above. */
	TEST_HOOK("plugin_open_dlopen");
	(void)dlerror();
	h = dlopen(pi->pi_name, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		/* Before another dl call overwrites the message. */
		dlerr = dlerror();
		sbuf_printf(err, "cannot load plugin '%.256s': %.400s", path,
		    dlerr != NULL ? dlerr : "dlopen failed");
		plugin_image_put(pi);
		mtx_unlock(&plugin_load_mtx);
		return (EINVAL);
	}
	pm->pm_handle = h;
	pm->pm_image = pi;
	mtx_unlock(&plugin_load_mtx);

	(void)dlerror();
	dp = dlsym(h, DEVPAGER_PLUGIN_SYMBOL);
	if (dp == NULL) {
		sbuf_printf(err, "plugin '%.256s' has no entry point '%s' (not "
		    "a devpagerfs plugin?)", path, DEVPAGER_PLUGIN_SYMBOL);
		error = ENOENT;
	} else if (dp->dp_kpi_version != DEVPAGER_KPI_VERSION) {
		sbuf_printf(err, "plugin '%.256s' was built for KPI version "
		    "%d; this devpagerfs has KPI version %d", path,
		    dp->dp_kpi_version, DEVPAGER_KPI_VERSION);
		error = EINVAL;
	} else if (dp->dp_name == NULL || dp->dp_create == NULL ||
	    dp->dp_destroy == NULL) {
		sbuf_printf(err, "plugin '%.256s': incomplete entry point "
		    "(dp_name, dp_create and dp_destroy are required)", path);
		error = EINVAL;
	} else if (dladdr(dp, &info) == 0 || info.dli_fbase == NULL) {
		sbuf_printf(err, "plugin '%.256s': cannot locate its image",
		    path);
		error = EINVAL;
	}
	if (error != 0) {
		plugin_close(pm);
		return (error);
	}
	pm->pm_plugin = dp;
	pm->pm_base = info.dli_fbase;
	strlcpy(pm->pm_path, path, sizeof(pm->pm_path));
	return (0);
}

/* dlclose() pm's handle.  No lock may be held. */
static void
plugin_close(struct plugin_mod *pm)
{

	KASSERT(pm->pm_handle != NULL, ("plugin_close: not open"));
	mtx_lock(&plugin_load_mtx);
	dlclose(pm->pm_handle);
	plugin_image_put(pm->pm_image);
	mtx_unlock(&plugin_load_mtx);
	pm->pm_handle = NULL;
	pm->pm_image = NULL;
}

/* The functions the daemon exports to plugins (dev_kpi.c). */
static unsigned
plugin_kpi_count(void)
{
	unsigned n;

	for (n = 0; devpager_kpi_table[n].ks_name != NULL; n++)
		continue;
	return (n);
}

/* The live entry of dev, or NULL.  [p] not held. */
static struct plugin_dev *
plugin_find(struct cdev *dev)
{
	struct plugin_dev *pd;

	mtx_lock(&plugin_mtx);
	LIST_FOREACH(pd, &plugin_live, pd_link)
		if (pd->pd_dev == dev)
			break;
	mtx_unlock(&plugin_mtx);
	return (pd);
}

/* Put pd on the retired list (it is on no list). */
static void
plugin_retire(struct plugin_dev *pd)
{

	mtx_lock(&plugin_mtx);
	LIST_INSERT_HEAD(&plugin_retired, pd, pd_link);
	mtx_unlock(&plugin_mtx);
}

/* Is obj a device object whose pager ops live in the module arg? */
static bool
plugin_ops_match(vm_object_t obj, void *arg)
{
	const struct plugin_dev *pd = arg;
	const struct cdev_pager_ops *ops;
	objtype_t type;
	Dl_info info;

	type = __atomic_load_n(&obj->type, __ATOMIC_ACQUIRE);
	if (type != OBJT_DEVICE && type != OBJT_MGTDEVICE)
		return (false);
	ops = __atomic_load_n(&obj->un_pager.devp.ops, __ATOMIC_ACQUIRE);
	return (ops != NULL && dladdr(ops, &info) != 0 &&
	    info.dli_fbase == pd->pd_mod.pm_base);
}

/*
 * Can code of pd's module still run on behalf of pd?  See the rule at the
 * top.  The caller must be a registered RCU thread.
 */
static bool
plugin_busy(const struct plugin_dev *pd)
{

	if (pd->pd_dev != NULL &&
	    __atomic_load_n(&pd->pd_dev->si_refcount, __ATOMIC_ACQUIRE) > 1)
		return (true);
	return (vm_object_find_rcu(plugin_ops_match, (void *)(uintptr_t)pd));
}

unsigned
dev_plugin_reap(void)
{
	struct plugin_list keep, work;
	struct plugin_dev *pd;
	unsigned n;

	rcu_thread_online();
	LIST_INIT(&keep);
	LIST_INIT(&work);
	mtx_lock(&plugin_mtx);
	while ((pd = LIST_FIRST(&plugin_retired)) != NULL) {
		LIST_REMOVE(pd, pd_link);
		LIST_INSERT_HEAD(&work, pd, pd_link);
	}
	mtx_unlock(&plugin_mtx);

	n = 0;
	while ((pd = LIST_FIRST(&work)) != NULL) {
		LIST_REMOVE(pd, pd_link);
		if (plugin_busy(pd)) {
			LIST_INSERT_HEAD(&keep, pd, pd_link);
			n++;
			continue;
		}
		plugin_close(&pd->pd_mod);
		if (pd->pd_dev != NULL)
			dev_rel(pd->pd_dev);
		free(pd);
	}

	mtx_lock(&plugin_mtx);
	while ((pd = LIST_FIRST(&keep)) != NULL) {
		LIST_REMOVE(pd, pd_link);
		LIST_INSERT_HEAD(&plugin_retired, pd, pd_link);
	}
	mtx_unlock(&plugin_mtx);
	return (n);
}

unsigned
dev_plugin_count(void)
{
	struct plugin_dev *pd;
	unsigned n;

	n = 0;
	mtx_lock(&plugin_mtx);
	LIST_FOREACH(pd, &plugin_live, pd_link)
		n++;
	mtx_unlock(&plugin_mtx);
	return (n);
}

/*
 * The keys the daemon reads for a plugin: size= (page-rounded, 0 if not
 * given) and memattr= (VM_MEMATTR_DEFAULT if not given), into dpa when
 * it is not NULL.  0 or EINVAL with a message.
 */
static int
plugin_params(const struct dev_create_args *args,
    struct devpager_plugin_args *dpa, struct sbuf *err)
{
	vm_memattr_t ma;
	uint64_t size;
	bool size_set, ma_set;
	int error;

	size = 0;
	ma = VM_MEMATTR_DEFAULT;
	error = dev_args_size(args, &size, &size_set, err);
	if (error == 0)
		error = dev_args_memattr(args, &ma, &ma_set, err);
	if (error == 0 && dpa != NULL) {
		dpa->dpa_size = size_set ? round_page(size) : 0;
		dpa->dpa_memattr = ma;
		dpa->dpa_memattr_set = ma_set;
	}
	return (error);
}

/*
 * Load the plugin to check it, and close it again.  Runs before the VM
 * exists when a configuration file is checked: only the retired list's
 * reaping needs the VM, and it is empty then.
 */
static int
plugin_check(const struct dev_create_args *args, struct sbuf *err)
{
	struct plugin_mod pm;
	bool retired;
	int error;

	if (args->driver[0] != '/') {
		sbuf_printf(err, "driver=%s: name a plugin by its absolute "
		    "path (driver=/path/x.so)", args->driver);
		return (EINVAL);
	}
	error = plugin_params(args, NULL, err);
	if (error != 0)
		return (error);
	mtx_lock(&plugin_mtx);
	retired = !LIST_EMPTY(&plugin_retired);
	mtx_unlock(&plugin_mtx);
	if (retired)
		(void)dev_plugin_reap();
	error = plugin_open(args->driver, &pm, err);
	if (error == 0)
		plugin_close(&pm);
	return (error);
}

static int
plugin_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	const char *keys[PLUGIN_NPARAMS], *vals[PLUGIN_NPARAMS];
	char msg[PLUGIN_MSG_MAX];
	struct devpager_plugin_args dpa;
	struct make_dev_args mda;
	const struct devpager_plugin *dp;
	struct plugin_dev *pd;
	struct cdev *dev;
	unsigned i, n;
	int error;

	(void)dev_plugin_reap();
	pd = calloc(1, sizeof(*pd));
	if (pd == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	error = plugin_open(args->driver, &pd->pd_mod, err);
	if (error != 0) {
		free(pd);
		return (error);
	}
	dp = pd->pd_mod.pm_plugin;

	/* Everything but size, memattr and the node keys goes as text. */
	n = 0;
	for (i = 0; i < args->nparams && n < PLUGIN_NPARAMS; i++) {
		if (strcmp(args->keys[i], "size") == 0 ||
		    strcmp(args->keys[i], "memattr") == 0 ||
		    dev_args_node_key(args->keys[i]))
			continue;
		keys[n] = args->keys[i];
		vals[n++] = args->values[i];
	}
	memset(&dpa, 0, sizeof(dpa));
	(void)plugin_params(args, &dpa, NULL);	/* checked by plugin_check */
	dpa.dpa_name = args->name;
	dpa.dpa_path = args->driver;
	make_dev_args_init(&mda);
	dev_make_args_node(&mda, args, cred, 0660);
	dpa.dpa_uid = mda.mda_uid;
	dpa.dpa_gid = mda.mda_gid;
	dpa.dpa_mode = mda.mda_mode;
	dpa.dpa_cr = cred;
	dpa.dpa_nparams = n;
	dpa.dpa_keys = keys;
	dpa.dpa_values = vals;

	rcu_thread_online();
	dev = NULL;
	msg[0] = '\0';
	error = dp->dp_create(&dpa, &dev, msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	if (error != 0) {
		if (error < 0 || error > 4095)
			error = EINVAL;
		sbuf_printf(err, "plugin %.64s: %s", dp->dp_name,
		    msg[0] != '\0' ? msg : strerror(error));
		plugin_retire(pd);
		(void)dev_plugin_reap();
		return (error);
	}
	if (dev == NULL || strcmp(devtoname(dev), args->name) != 0) {
		/* A plugin bug: undo what it made. */
		if (dev != NULL) {
			sbuf_printf(err, "plugin %.64s made device '%s' "
			    "instead of '%s'", dp->dp_name, devtoname(dev),
			    args->name);
			dev_ref(dev);
			if (dp->dp_destroy(dev, msg, sizeof(msg)) == 0)
				pd->pd_dev = dev;
			else
				dev_rel(dev);	/* leaks the device */
		} else
			sbuf_printf(err, "plugin %.64s made no device",
			    dp->dp_name);
		plugin_retire(pd);
		(void)dev_plugin_reap();
		return (EINVAL);
	}
	pd->pd_dev = dev;
	mtx_lock(&plugin_mtx);
	LIST_INSERT_HEAD(&plugin_live, pd, pd_link);
	mtx_unlock(&plugin_mtx);
	kern_log(LOG_DEBUG, "plugin %s (%s, KPI version %d, %u functions) "
	    "made device %s", dp->dp_name, pd->pd_mod.pm_path,
	    DEVPAGER_KPI_VERSION, plugin_kpi_count(), args->name);
	*devp = dev;
	return (0);
}

/*
 * dp_destroy, then the device's handle is retired.  A plugin that forgot
 * destroy_dev gets it done here (its node must not outlive its state).
 * The caller holds a reference on dev.
 */
static int
plugin_destroy(struct cdev *dev, struct sbuf *err)
{
	const struct devpager_plugin *dp;
	struct plugin_dev *pd;
	char msg[PLUGIN_MSG_MAX];
	bool alive;
	int error;

	rcu_thread_online();
	mtx_lock(&plugin_mtx);
	LIST_FOREACH(pd, &plugin_live, pd_link)
		if (pd->pd_dev == dev)
			break;
	if (pd != NULL)
		LIST_REMOVE(pd, pd_link);
	mtx_unlock(&plugin_mtx);
	if (pd == NULL) {
		sbuf_printf(err, "device '%s' was not made by a plugin",
		    devtoname(dev));
		return (EINVAL);
	}
	dp = pd->pd_mod.pm_plugin;
	msg[0] = '\0';
	error = dp->dp_destroy(dev, msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	if (error != 0) {
		if (error < 0 || error > 4095)
			error = EBUSY;
		sbuf_printf(err, "plugin %.64s: %s", dp->dp_name,
		    msg[0] != '\0' ? msg : strerror(error));
		mtx_lock(&plugin_mtx);
		LIST_INSERT_HEAD(&plugin_live, pd, pd_link);
		mtx_unlock(&plugin_mtx);
		return (error);
	}
	dev_lock();
	alive = dev->si_devsw != NULL;
	dev_unlock();
	if (alive) {
		kern_log(LOG_WARNING, "plugin %s did not destroy_dev(%s): "
		    "destroying it", dp->dp_name, devtoname(dev));
		destroy_dev(dev);
	}
	dev_ref(dev);
	plugin_retire(pd);
	(void)dev_plugin_reap();
	return (0);
}

/* `plugin NAME VERB [args...]`: the plugin's dp_ctl.  Runs inside the
 * device, so the entry and its module stay. */
static int
plugin_ctl(struct cdev *dev, int argc, char **argv, const struct ucred *cred,
    struct sbuf *out)
{
	const struct devpager_plugin *dp;
	struct plugin_dev *pd;
	char *reply;
	int error;

	(void)cred;
	pd = plugin_find(dev);
	if (pd == NULL) {
		sbuf_printf(out, "device '%s' was not made by a plugin",
		    devtoname(dev));
		return (EINVAL);
	}
	dp = pd->pd_mod.pm_plugin;
	if (dp->dp_ctl == NULL) {
		sbuf_printf(out, "plugin %.64s has no commands", dp->dp_name);
		return (EINVAL);
	}
	reply = calloc(1, PLUGIN_REPLY_MAX);
	if (reply == NULL) {
		sbuf_printf(out, "out of memory");
		return (ENOMEM);
	}
	error = dp->dp_ctl(dev, argc, argv, reply, PLUGIN_REPLY_MAX);
	reply[PLUGIN_REPLY_MAX - 1] = '\0';
	if (error < 0 || error > 4095)
		error = EINVAL;
	if (reply[0] != '\0')
		sbuf_cat(out, reply);
	else if (error != 0)
		sbuf_printf(out, "plugin %.64s: %s", dp->dp_name,
		    strerror(error));
	free(reply);
	return (error);
}
