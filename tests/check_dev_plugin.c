/*
 * The plugin loader (src/dev/dev_plugin.c) with real shared objects
 * built by `make check` against include/devpager only: the example
 * driver examples/patterndrv (cdev_pager_allocate, a computed pattern)
 * and tests/plugins/testplug.c (an old-style d_mmap driver, and variants
 * that must be refused).  Loads and faults through vm_mmap_cdev and
 * vm_fault; the ctl route to dp_ctl; every refusal leaves nothing
 * created and nothing loaded; a destroyed device's module stays loaded
 * while its objects live and is closed after; the configuration file;
 * the KPI accessors on real objects; concurrent faults while reaping.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "dev/dev_plugin.h"
#include "fuse/fs_ctl.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

#define	DEVPAGER_KPI_INTERNAL
#include "devpager/devpager.h"

#define	PAT_XOR		0x5a5a5a5a5a5a5a5aULL
#define	PLUG_THREADS	4

static const char *plugin_path(const char *rel);
static bool	loaded(const char *path);
static vm_object_t map_dev(const char *name, vm_size_t len,
		    struct cdev **devp);
static void	check_pattern(vm_page_t m, vm_ooffset_t off, uint64_t seed);

/*
 * A plugin built by make check, relative to the build directory (found
 * from this executable, builddir/tests/check_devpager).
 */
static const char *
plugin_path(const char *rel)
{
	static char paths[4][PATH_MAX];
	static int slot;
	char exe[PATH_MAX], *dir, *p;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(n, 0);
	exe[n] = '\0';
	dir = dirname(exe);		/* builddir/tests */
	dir = dirname(dir);		/* builddir */
	p = paths[slot++ % 4];
	snprintf(p, PATH_MAX, "%s/%s", dir, rel);
	ck_assert_msg(access(p, R_OK) == 0, "%s: not built (make check "
	    "builds it)", p);
	return (p);
}

/* Is the module at path mapped in this process now? */
static bool
loaded(const char *path)
{
	void *h;

	h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h == NULL)
		return (false);
	dlclose(h);
	return (true);
}

static vm_object_t
map_dev(const char *name, vm_size_t len, struct cdev **devp)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;

	dev = dev_lookup_ref(name);
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	obj = NULL;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, len, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_ptr_nonnull(obj);
	*devp = dev;
	return (obj);
}

/* Every word of the page at object offset off is off ^ XOR ^ seed. */
static void
check_pattern(vm_page_t m, vm_ooffset_t off, uint64_t seed)
{
	const unsigned char *p;
	uint64_t w, want;
	unsigned i, b;

	rcu_read_lock();
	p = vm_phys_to_host(m->phys_addr);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < PAGE_SIZE; i += 8) {
		w = 0;
		for (b = 0; b < 8; b++)
			w |= (uint64_t)p[i + b] << (8 * b);
		want = (off + i) ^ PAT_XOR ^ seed;
		if (w != want) {
			rcu_read_unlock();
			ck_abort_msg("offset %#jx: %#jx, want %#jx",
			    (uintmax_t)(off + i), (uintmax_t)w,
			    (uintmax_t)want);
		}
	}
	rcu_read_unlock();
}

START_TEST(test_plugin_pattern)
{
	const char *pat;
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;
	unsigned i;

	pat = plugin_path("examples/patterndrv/patterndrv.so");
	ck_assert(!loaded(pat));
	ck_assert_int_eq(drv_ctlf("create pat0 driver=%s size=64K seed=0x1234 "
	    "mode=0640", pat), 0);
	ck_assert(loaded(pat));
	ck_assert_uint_eq(dev_plugin_count(), 1);
	obj = map_dev("pat0", 65536, &dev);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_plugin_driver);
	ck_assert_uint_eq(dev->si_size, 65536);
	ck_assert_uint_eq(dev->si_mode, 0640);
	ck_assert_uint_eq(dev->si_owner, drv_cred.cr_uid);
	/* The plugin's own pager: an OBJT_DEVICE object for the device. */
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_ptr_eq(obj->un_pager.devp.dev, dev);
	ck_assert_ptr_eq(devpager_object_handle(obj), dev);
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(vm_fault(obj, i, VM_PROT_READ, 0, 0, &m),
		    KERN_SUCCESS);
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
		check_pattern(m, ptoa(i), 0x1234);
		vm_fault_unhold(m);
	}
	ck_assert_int_eq(vm_fault(obj, 16, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);
	/* dp_ctl through the ctl language. */
	ck_assert_int_eq(drv_ctl("plugin pat0 stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=16 size=65536 seed=0x1234");
	drv_refused(EINVAL, "usage", "plugin pat0 nosuch");
	drv_refused(EINVAL, "not a plugin device", "plugin ram0 stats");

	/* Destroyed while we hold its object: the module stays. */
	ck_assert_int_eq(drv_ctl("destroy pat0"), 0);
	ck_assert_uint_eq(dev_plugin_count(), 0);
	dev_rel(dev);
	ck_assert_uint_eq(dev_plugin_reap(), 1);
	ck_assert(loaded(pat));
	/* Its faults fail now (the page was invalidated by destroy). */
	ck_assert_int_eq(vm_fault(obj, 3, VM_PROT_READ, 0, 0, &m),
	    KERN_FAILURE);
	/* The last reference runs the plugin's dtor; then it can go. */
	vm_object_deallocate(obj);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(pat));
}
END_TEST

/* patterndrv checks its own keys; a refusal leaves nothing loaded. */
START_TEST(test_plugin_params)
{
	const char *pat;

	pat = plugin_path("examples/patterndrv/patterndrv.so");
	drv_refused(EINVAL, "unknown key 'colour'",
	    "create pat0 driver=%s colour=red", pat);
	drv_refused(EINVAL, "unknown key 'width'",
	    "create pat0 driver=%s width=12", pat);
	drv_refused(EINVAL, "not a number",
	    "create pat0 driver=%s seed=x", pat);
	drv_refused(EINVAL, "at most 1G", "create pat0 driver=%s size=2G", pat);
	drv_refused(EEXIST, NULL, "create ram0 driver=%s", pat);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(pat));
	/* Two devices from one module. */
	ck_assert_int_eq(drv_ctlf("create p1 driver=%s size=8K", pat), 0);
	ck_assert_int_eq(drv_ctlf("create p2 driver=%s size=8K seed=1",
	    pat), 0);
	ck_assert_uint_eq(dev_plugin_count(), 2);
	ck_assert_int_eq(drv_ctl("destroy p1"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(loaded(pat));
	ck_assert_int_eq(drv_ctl("plugin p2 stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0x1");
	ck_assert_int_eq(drv_ctl("destroy p2"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(pat));
}
END_TEST

/* Copy src to dst with mode. */
static void
copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[8192];
	ssize_t n;
	int in, out;

	in = open(src, O_RDONLY);
	ck_assert_int_ge(in, 0);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(out, 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	ck_assert_int_eq(fchmod(out, mode), 0);
	close(out);
}

START_TEST(test_plugin_refused)
{
	const char *p;
	char text[600];
	int fd;

	/* Wrong KPI version. */
	p = plugin_path("tests/plugins/testplug_badver.so");
	drv_refused(EINVAL, "KPI version 2", "create t driver=%s", p);
	ck_assert(!loaded(p));
	/* No entry point. */
	p = plugin_path("tests/plugins/testplug_noentry.so");
	drv_refused(ENOENT, "no entry point 'devpager_plugin'",
	    "create t driver=%s", p);
	ck_assert(!loaded(p));
	/* Needs a symbol the daemon does not have: RTLD_NOW fails. */
	p = plugin_path("tests/plugins/testplug_undef.so");
	drv_refused(EINVAL, "devpager_no_such_function",
	    "create t driver=%s", p);
	ck_assert(!loaded(p));
	/* No dp_destroy. */
	p = plugin_path("tests/plugins/testplug_incomplete.so");
	drv_refused(EINVAL, "incomplete entry point", "create t driver=%s", p);
	ck_assert(!loaded(p));
	/* dp_create fails: its errno and its message. */
	p = plugin_path("tests/plugins/testplug_fail.so");
	drv_refused(ENOSPC, "plugin testplug: no room for t",
	    "create t driver=%s", p);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(p));
	/* A device of the wrong name is destroyed again. */
	p = plugin_path("tests/plugins/testplug_wrongname.so");
	drv_refused(EINVAL, "made device 't.other' instead of 't'",
	    "create t driver=%s", p);
	ck_assert_ptr_null(dev_lookup_ref("t.other"));
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(p));
	/* Not ELF. */
	snprintf(text, sizeof(text), "%s/text.so", drv_tmp);
	fd = open(text, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "not a plugin\n", 13), 13);
	close(fd);
	drv_refused(EINVAL, "not an ELF shared object", "create t driver=%s",
	    text);
	/* ELF magic, but no shared object. */
	fd = open(text, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\177ELF garbage", 12), 12);
	close(fd);
	drv_refused(EINVAL, "cannot load plugin", "create t driver=%s", text);
	/* Missing, a directory, writable by others. */
	drv_refused(ENOENT, "No such file", "create t driver=%s/none.so",
	    drv_tmp);
	drv_refused(EINVAL, "not a regular file",
	    "create t driver=%s", drv_tmp);
	snprintf(text, sizeof(text), "%s/ww.so", drv_tmp);
	copy_file(plugin_path("tests/plugins/testplug.so"), text, 0666);
	drv_refused(EPERM, "writable by others", "create t driver=%s", text);
	ck_assert(!loaded(text));
	/* A driver word that is neither built in nor a path. */
	drv_refused(EINVAL, "absolute path", "create t driver=plugin");
	drv_refused(ENOENT, "unknown driver", "create t driver=rel/x.so");
	ck_assert_uint_eq(dev_plugin_reap(), 0);
}
END_TEST

/* A path under drv_tmp, in one of four rotating buffers. */
static const char *
tpath(const char *fmt, ...)
{
	static char paths[4][PATH_MAX];
	static int slot;
	va_list ap;
	size_t n;
	char *p;

	p = paths[slot++ % 4];
	n = strlcpy(p, drv_tmp, PATH_MAX);
	ck_assert_uint_lt(n + 1, PATH_MAX);
	p[n++] = '/';
	va_start(ap, fmt);
	vsnprintf(p + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return (p);
}

/* mkdir path with exactly mode (no umask), owned by uid. */
static void
make_dir(const char *path, mode_t mode, uid_t uid)
{

	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	if (uid != geteuid())
		ck_assert_int_eq(chown(path, uid, uid), 0);
}

/* Descriptors this process has open, once deferred frees have run. */
static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n;

	rcu_barrier();
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	n = 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return (n - 1);		/* opendir's own */
}

/* Descriptors this process has open on the file at path. */
static int
fds_on(const char *path)
{
	char link[PATH_MAX + 32], target[PATH_MAX];
	struct dirent *de;
	ssize_t len;
	DIR *d;
	int n;

	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	n = 0;
	while ((de = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, path) == 0)
			n++;
	}
	closedir(d);
	return (n);
}

#define	OTHER_UID	12345	/* another user: the cases need root */
#define	ME		geteuid()

/*
 * Who may have written the plugin: the file and every directory above it
 * must be owned by root or the daemon's user and not writable by group
 * or others (a sticky directory may be), and no component may be a
 * symbolic link, '.' or '..'.  Each refusal names the component and the
 * reason, and leaves nothing loaded.
 */
START_TEST(test_plugin_trust)
{
	const char *good, *p;
	char msg[PATH_MAX + 128];
	bool root;

	good = plugin_path("tests/plugins/testplug.so");
	root = geteuid() == 0;		/* may give files away */

	/* A trusted place: loaded. */
	make_dir(tpath("ok"), 0755, ME);
	copy_file(good, tpath("ok/t.so"), 0644);
	ck_assert_int_eq(drv_ctlf("create t driver=%s", tpath("ok/t.so")), 0);
	ck_assert_int_eq(drv_ctl("destroy t"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);

	/* The file: its owner, its mode, a symbolic link. */
	if (root) {
		p = tpath("ok/other.so");
		copy_file(good, p, 0644);
		ck_assert_int_eq(chown(p, OTHER_UID, OTHER_UID), 0);
		snprintf(msg, sizeof(msg), "plugin '%s' is owned by uid %u, "
		    "not by root or the daemon's user (uid 0): refused", p,
		    OTHER_UID);
		drv_refused(EPERM, msg, "create t driver=%s", p);
		ck_assert(!loaded(p));
	}
	p = tpath("ok/g.so");
	copy_file(good, p, 0664);
	snprintf(msg, sizeof(msg), "plugin '%s' is writable by its group "
	    "(mode 0664): refused", p);
	drv_refused(EPERM, msg, "create t driver=%s", p);
	ck_assert(!loaded(p));
	p = tpath("ok/o.so");
	copy_file(good, p, 0646);
	drv_refused(EPERM, "is writable by others (mode 0646): refused",
	    "create t driver=%s", p);
	ck_assert(!loaded(p));
	p = tpath("ok/link.so");
	ck_assert_int_eq(symlink(tpath("ok/t.so"), p), 0);
	snprintf(msg, sizeof(msg), "plugin '%s' is a symbolic link: refused",
	    p);
	drv_refused(EPERM, msg, "create t driver=%s", p);

	/* A directory another user owns, or can write. */
	if (root) {
		make_dir(tpath("u"), 0755, OTHER_UID);
		copy_file(good, tpath("u/t.so"), 0644);
		snprintf(msg, sizeof(msg), "directory '%s' is owned by uid %u",
		    tpath("u"), OTHER_UID);
		drv_refused(EPERM, msg, "create t driver=%s",
		    tpath("u/t.so"));
		ck_assert(!loaded(tpath("u/t.so")));
	}
	make_dir(tpath("g"), 0775, ME);
	copy_file(good, tpath("g/t.so"), 0644);
	snprintf(msg, sizeof(msg), "directory '%s' is writable by its group "
	    "(mode 0775): refused", tpath("g"));
	drv_refused(EPERM, msg, "create t driver=%s", tpath("g/t.so"));
	make_dir(tpath("o"), 0777, ME);
	make_dir(tpath("o/deep"), 0755, ME);
	copy_file(good, tpath("o/deep/t.so"), 0644);
	snprintf(msg, sizeof(msg), "directory '%s' is writable by others "
	    "(mode 0777): refused", tpath("o"));
	drv_refused(EPERM, msg, "create t driver=%s", tpath("o/deep/t.so"));
	ck_assert(!loaded(tpath("o/deep/t.so")));
	/* A sticky directory (like /tmp) owned by root: accepted. */
	make_dir(tpath("s"), 01777, ME);
	copy_file(good, tpath("s/t.so"), 0644);
	ck_assert_int_eq(drv_ctlf("create t driver=%s", tpath("s/t.so")), 0);
	ck_assert_int_eq(drv_ctl("destroy t"), 0);
	/* ... but not one owned by another user, nor another's file in it. */
	if (root) {
		make_dir(tpath("su"), 01777, OTHER_UID);
		copy_file(good, tpath("su/t.so"), 0644);
		drv_refused(EPERM, "is owned by uid 12345",
		    "create t driver=%s", tpath("su/t.so"));
		p = tpath("s/theirs.so");
		copy_file(good, p, 0644);
		ck_assert_int_eq(chown(p, OTHER_UID, OTHER_UID), 0);
		drv_refused(EPERM, "is owned by uid 12345",
		    "create t driver=%s", p);
	}
	/* A symbolic link as a directory. */
	ck_assert_int_eq(symlink(tpath("ok"), tpath("ldir")), 0);
	snprintf(msg, sizeof(msg), "'%s' is a symbolic link: refused",
	    tpath("ldir"));
	drv_refused(EPERM, msg, "create t driver=%s", tpath("ldir/t.so"));

	/* Path shapes. */
	drv_refused(EINVAL, "'.' and '..' are not allowed",
	    "create t driver=%s", tpath("ok/./t.so"));
	drv_refused(EINVAL, "'.' and '..' are not allowed",
	    "create t driver=%s", tpath("o/../ok/t.so"));
	snprintf(msg, sizeof(msg), "'%s' is not a directory",
	    tpath("ok/t.so"));
	drv_refused(ENOTDIR, msg, "create t driver=%s", tpath("ok/t.so/x.so"));
	drv_refused(EINVAL, "is not a regular file", "create t driver=%s/",
	    tpath("ok/t.so"));
	snprintf(msg, sizeof(msg), "'%s': No such file", tpath("none"));
	drv_refused(ENOENT, msg, "create t driver=%s", tpath("none/t.so"));
	drv_refused(EINVAL, "is not a regular file", "create t driver=/");
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(tpath("ok/t.so")));
}
END_TEST

struct swap_arg {
	char		from[PATH_MAX];
	char		to[PATH_MAX];
	unsigned	at;		/* swap at this hit of the hook */
	unsigned	hits;
	int		error;
};

static void
swap_cb(void *arg)
{
	struct swap_arg *sa = arg;

	if (++sa->hits == sa->at)
		sa->error = rename(sa->from, sa->to) == 0 ? 0 : errno;
}

/*
 * The file is loaded through the descriptor that was checked: another
 * file renamed onto the path between the check and dlopen() is not what
 * runs.  A ctl create loads the plugin twice, each time from the path:
 * the driver check (loaded and closed again), then the create; the swap
 * lands in the create's load, whose device must be the original's.
 */
START_TEST(test_plugin_swap)
{
	struct swap_arg sa;
	const char *p;

	make_dir(tpath("sw"), 0755, ME);
	p = tpath("sw/p.so");
	copy_file(plugin_path("examples/patterndrv/patterndrv.so"), p, 0644);
	copy_file(plugin_path("tests/plugins/testplug_fail.so"),
	    tpath("sw/other.so"), 0644);
	strlcpy(sa.from, tpath("sw/other.so"), sizeof(sa.from));
	strlcpy(sa.to, p, sizeof(sa.to));
	sa.at = 2;
	sa.hits = 0;
	sa.error = -1;
	test_hook_set_callback("plugin_open_dlopen", swap_cb, &sa);
	ck_assert_int_eq(drv_ctlf("create p driver=%s size=8K seed=5", p), 0);
	ck_assert_uint_eq(test_hook_hits("plugin_open_dlopen"), 2);
	test_hook_reset();
	ck_assert_int_eq(sa.error, 0);
	/* patterndrv runs; the file now at the path was never loaded. */
	ck_assert_int_eq(drv_ctl("plugin p stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0x5");
	ck_assert(!loaded(p));
	ck_assert_int_eq(drv_ctl("destroy p"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
}
END_TEST

/*
 * Each file is its own module, whatever the dynamic linker saw before:
 * two files loaded one after the other, the same file twice, a file
 * replaced by a new one while the old one is loaded, a NODELETE module
 * that stays mapped after its last device.  Every descriptor is closed
 * when its module is gone.
 */
START_TEST(test_plugin_images)
{
	const char *pat, *tp;
	int nfd;

	nfd = count_fds();
	pat = plugin_path("examples/patterndrv/patterndrv.so");
	tp = plugin_path("tests/plugins/testplug.so");
	make_dir(tpath("img"), 0755, ME);
	copy_file(pat, tpath("img/a.so"), 0644);
	copy_file(tp, tpath("img/b.so"), 0644);
	ck_assert_int_eq(drv_ctlf("create a driver=%s size=8K",
	    tpath("img/a.so")), 0);
	ck_assert_int_eq(drv_ctlf("create b driver=%s size=8K",
	    tpath("img/b.so")), 0);
	ck_assert_int_eq(drv_ctl("plugin b echo hi"), 0);
	ck_assert_str_eq(drv_reply(), "hi");
	ck_assert_int_eq(drv_ctl("plugin a stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0");
	/* Each loaded file keeps the descriptor it is known by. */
	ck_assert_int_eq(fds_on(tpath("img/a.so")), 1);
	ck_assert_int_eq(fds_on(tpath("img/b.so")), 1);

	/* The same file again: the same module, which outlives a. */
	ck_assert_int_eq(drv_ctlf("create c driver=%s size=8K seed=3",
	    tpath("img/a.so")), 0);
	ck_assert_int_eq(fds_on(tpath("img/a.so")), 1);
	ck_assert_int_eq(drv_ctl("destroy a"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(loaded(tpath("img/a.so")));
	ck_assert_int_eq(fds_on(tpath("img/a.so")), 1);

	/* A new file renamed over a.so: the new file loads, the old one
	 * keeps serving c. */
	copy_file(tp, tpath("img/new.so"), 0644);
	ck_assert_int_eq(rename(tpath("img/new.so"), tpath("img/a.so")), 0);
	ck_assert_int_eq(drv_ctlf("create d driver=%s size=8K",
	    tpath("img/a.so")), 0);
	ck_assert_int_eq(drv_ctl("plugin d echo new"), 0);
	ck_assert_str_eq(drv_reply(), "new");
	ck_assert_int_eq(drv_ctl("plugin c stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0x3");
	ck_assert_int_eq(drv_ctl("destroy b"), 0);
	ck_assert_int_eq(drv_ctl("destroy c"), 0);
	ck_assert_int_eq(drv_ctl("destroy d"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(tpath("img/a.so")));
	ck_assert(!loaded(tpath("img/b.so")));
	ck_assert_int_eq(count_fds(), nfd);

	/* NODELETE: the module stays mapped after its last device, and so
	 * does its descriptor; the next file still gets its own module. */
	copy_file(plugin_path("tests/plugins/testplug_nodelete.so"),
	    tpath("img/k.so"), 0644);
	ck_assert_int_eq(drv_ctlf("create k driver=%s", tpath("img/k.so")),
	    0);
	ck_assert_int_eq(drv_ctl("destroy k"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(loaded(tpath("img/k.so")));
	ck_assert_int_eq(count_fds(), nfd + 1);
	copy_file(pat, tpath("img/m.so"), 0644);
	ck_assert_int_eq(drv_ctlf("create m driver=%s size=8K seed=9",
	    tpath("img/m.so")), 0);
	ck_assert_int_eq(drv_ctl("plugin m stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0x9");
	/* And k's file loads again through the kept name. */
	ck_assert_int_eq(drv_ctlf("create k driver=%s", tpath("img/k.so")),
	    0);
	ck_assert_int_eq(drv_ctl("plugin k echo again"), 0);
	ck_assert_str_eq(drv_reply(), "again");
	ck_assert_int_eq(drv_ctl("destroy k"), 0);
	ck_assert_int_eq(drv_ctl("destroy m"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(tpath("img/m.so")));
	ck_assert_int_eq(count_fds(), nfd + 1);
}
END_TEST

/* The old-style path through a plugin: d_mmap, the device pager. */
START_TEST(test_plugin_dmmap)
{
	const char *p;
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;
	const unsigned char *host;

	p = plugin_path("tests/plugins/testplug.so");
	ck_assert_int_eq(drv_ctlf("create t driver=%s size=16K fill=0x5a "
	    "memattr=uc", p), 0);
	obj = map_dev("t", 16384, &dev);
	dev_rel(dev);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_int_eq(vm_fault(obj, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(m->phys_addr, drv_window_base("t") + 2 * PAGE_SIZE);
	rcu_read_lock();
	host = vm_phys_to_host(m->phys_addr);
	ck_assert_uint_eq(host[0], 0x5a);
	ck_assert_uint_eq(host[PAGE_SIZE - 1], 0x5a);
	rcu_read_unlock();
	vm_fault_unhold(m);
	ck_assert_int_eq(drv_ctl("plugin t fill 0x33"), 0);
	ck_assert_str_eq(drv_reply(), "filled t");
	rcu_read_lock();
	host = vm_phys_to_host(drv_window_base("t"));
	ck_assert_uint_eq(host[100], 0x33);
	rcu_read_unlock();
	ck_assert_int_eq(drv_ctl("plugin t echo a b=c"), 0);
	ck_assert_str_eq(drv_reply(), "a b=c");
	ck_assert_int_eq(drv_ctl("plugin t bogus"), EINVAL);
	ck_assert_str_eq(drv_reply(), "testplug: unknown command");
	/* Plugins cannot change memattr after creation. */
	drv_refused(EINVAL, "cannot change its memattr", "memattr t wb");
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy t"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(p));
}
END_TEST

/* The configuration file: a bad plugin is refused at check time with
 * FILE:LINE, a good one is created by apply. */
START_TEST(test_plugin_config)
{
	struct sbuf err;
	const char *conf, *good, *bad;
	FILE *f;

	good = plugin_path("examples/patterndrv/patterndrv.so");
	bad = plugin_path("tests/plugins/testplug_badver.so");
	conf = drv_path(0, "plug.conf");
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "create c1 driver=%s size=8K\ncreate c2 driver=%s\n", good,
	    bad);
	fclose(f);
	sbuf_init(&err);
	ck_assert_int_eq(fs_config_check(conf, &err), EINVAL);
	(void)sbuf_finish(&err);
	ck_assert_ptr_nonnull(strstr(sbuf_data(&err), ":2:"));
	ck_assert_ptr_nonnull(strstr(sbuf_data(&err), "KPI version"));
	ck_assert_ptr_null(dev_lookup_ref("c1"));
	ck_assert(!loaded(good));

	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "# a plugin\ncreate c1 driver=%s size=8K seed=3\n", good);
	fclose(f);
	sbuf_clear(&err);
	ck_assert_int_eq(fs_config_check(conf, &err), 0);
	ck_assert_int_eq(fs_config_apply(conf, &drv_cred, &err), 0);
	sbuf_delete(&err);
	ck_assert_uint_eq(dev_plugin_count(), 1);
	ck_assert_int_eq(drv_ctl("plugin c1 stats"), 0);
	ck_assert_str_eq(drv_reply(), "faults=0 size=8192 seed=0x3");
}
END_TEST

/* The accessors of the KPI on real objects and pages. */
START_TEST(test_plugin_accessors)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;

	ck_assert_int_eq(drv_ctl("create f driver=fb width=64 height=16 "
	    "bpp=16"), 0);
	obj = map_dev("f", 4096, &dev);
	ck_assert_str_eq(devpager_dev_name(dev), "f");
	ck_assert_ptr_eq(devpager_dev_drv1(dev), dev->si_drv1);
	ck_assert_ptr_eq(devpager_dev_drv2(dev), dev->si_drv2);
	ck_assert_uint_eq(devpager_dev_size(dev), 4096);
	ck_assert_ptr_eq(devpager_object_handle(obj), dev);
	ck_assert_int_eq(devpager_object_memattr(obj),
	    VM_MEMATTR_WRITE_COMBINING);
	devpager_object_wlock(obj);
	devpager_object_assert_wlocked(obj);
	ck_assert(VM_OBJECT_WOWNED(obj));
	devpager_object_wunlock(obj);
	ck_assert(!VM_OBJECT_WOWNED(obj));
	ck_assert_int_eq(vm_fault(obj, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_uint_eq(devpager_page_pindex(m), 0);
	ck_assert_uint_eq(devpager_page_phys(m), drv_window_base("f"));
	ck_assert(devpager_page_fictitious(m));
	vm_fault_unhold(m);
	/* A RAM page is not fictitious; free works on it. */
	m = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(m);
	ck_assert(!devpager_page_fictitious(m));
	devpager_page_free(m);
	/* Not a device object: no handle. */
	{
		vm_object_t o = vm_object_allocate(OBJT_DEFAULT, 1);

		ck_assert_ptr_null(devpager_object_handle(o));
		vm_object_deallocate(o);
	}
	vm_object_deallocate(obj);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("destroy f"), 0);
}
END_TEST

struct plug_arg {
	vm_object_t	 obj;
	unsigned	 seed;
	int		 bad;
};

static void *
plug_fault_thread(void *p)
{
	struct plug_arg *pa = p;
	vm_page_t m;
	unsigned i, pi, x;

	rcu_thread_online();
	x = pa->seed;
	for (i = 0; i < 1000; i++) {
		x = x * 1103515245u + 12345u;
		pi = (x >> 8) % 32;
		if (vm_fault(pa->obj, pi, VM_PROT_READ, 0, 0, &m) !=
		    KERN_SUCCESS) {
			pa->bad++;
			continue;
		}
		if (m->phys_addr != drv_window_base("pt") + ptoa(pi))
			pa->bad++;
		vm_fault_unhold(m);
	}
	return (NULL);
}

/* Faults from several threads while the retired list is reaped and
 * other plugin devices come and go: the busy module is never closed. */
START_TEST(test_plugin_concurrent)
{
	struct plug_arg pa[PLUG_THREADS];
	pthread_t th[PLUG_THREADS];
	const char *pat;
	struct cdev *dev;
	vm_object_t obj;
	vm_page_t m;
	unsigned i;

	pat = plugin_path("examples/patterndrv/patterndrv.so");
	ck_assert_int_eq(drv_ctlf("create pt driver=%s size=128K seed=9", pat),
	    0);
	obj = map_dev("pt", 131072, &dev);
	dev_rel(dev);
	for (i = 0; i < PLUG_THREADS; i++) {
		pa[i].obj = obj;
		pa[i].seed = i + 1;
		pa[i].bad = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL,
		    plug_fault_thread, &pa[i]), 0);
	}
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(drv_ctlf("create q driver=%s size=4K",
		    pat), 0);
		ck_assert_int_eq(drv_ctl("destroy q"), 0);
		(void)dev_plugin_reap();
		ck_assert(loaded(pat));
	}
	for (i = 0; i < PLUG_THREADS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(pa[i].bad, 0);
	}
	for (i = 0; i < 32; i++) {
		ck_assert_int_eq(vm_fault(obj, i, VM_PROT_READ, 0, 0, &m),
		    KERN_SUCCESS);
		check_pattern(m, ptoa(i), 9);
		vm_fault_unhold(m);
	}
	vm_object_deallocate(obj);
	ck_assert_int_eq(drv_ctl("destroy pt"), 0);
	ck_assert_uint_eq(dev_plugin_reap(), 0);
	ck_assert(!loaded(pat));
}
END_TEST

Suite *
dev_plugin_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_plugin");
	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_plugin_pattern);
	tcase_add_test(tc, test_plugin_params);
	tcase_add_test(tc, test_plugin_refused);
	tcase_add_test(tc, test_plugin_trust);
	tcase_add_test(tc, test_plugin_swap);
	tcase_add_test(tc, test_plugin_images);
	tcase_add_test(tc, test_plugin_dmmap);
	tcase_add_test(tc, test_plugin_config);
	tcase_add_test(tc, test_plugin_accessors);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_plugin_concurrent);
	suite_add_tcase(s, tc);
	return (s);
}
