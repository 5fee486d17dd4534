/*
 * Helpers of the driver, ctl and configuration suites (check_drv_util.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "vm/swap_reserve.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_phys.h"

const struct ucred drv_cred = { .cr_uid = 4321, .cr_gid = 8765, .cr_pid = 1 };
char drv_tmp[256];

static struct sbuf drv_reply_sb;
static char drv_paths[4][512];
static char drv_line[2048];		/* drv_ctlf, drv_refused */

static void	state_dev_cb(struct cdev *dev, void *arg);
static void	state_phys_cb(const struct vm_phys_info *vi, void *arg);
static void	state_swap_cb(const struct swap_uid_info *si, void *arg);
static void	base_cb(const struct vm_phys_info *vi, void *arg);
static int	rm_cb(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw);

void
drv_setup(void)
{
	const char *tmp;

	rcu_thread_online();
	ck_assert_int_eq(vm_init(DRV_PHYSMEM), 0);
	sbuf_init(&drv_reply_sb);
	tmp = getenv("TMPDIR");
	snprintf(drv_tmp, sizeof(drv_tmp), "%s/drvtest.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(drv_tmp));
}

void
drv_setup_defaults(void)
{
	struct sbuf err;

	drv_setup();
	sbuf_init(&err);
	ck_assert_int_eq(fs_config_apply_defaults(&drv_cred, &err), 0);
	sbuf_delete(&err);
}

static int
rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return (0);
}

void
drv_teardown(void)
{

	dev_destroy_all();
	ck_assert_uint_eq(vm_object_live_count(), 0);
	vm_fini();
	sbuf_delete(&drv_reply_sb);
	if (drv_tmp[0] != '\0')
		(void)nftw(drv_tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

int
drv_ctl_len(const char *line, size_t len)
{

	return (fs_ctl_execute(line, len, FS_CTL_SRC_CTL, &drv_cred,
	    &drv_reply_sb));
}

int
drv_ctl(const char *line)
{

	return (drv_ctl_len(line, strlen(line)));
}

int
drv_ctlf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(drv_line, sizeof(drv_line), fmt, ap);
	va_end(ap);
	return (drv_ctl(drv_line));
}

void
drv_refused(int want, const char *needle, const char *fmt, ...)
{
	char *before, *after;
	va_list ap;
	int error;

	before = drv_state();
	va_start(ap, fmt);
	vsnprintf(drv_line, sizeof(drv_line), fmt, ap);
	va_end(ap);
	error = drv_ctl(drv_line);
	ck_assert_msg(error == want, "'%s': want %d, got %d '%s'", drv_line,
	    want, error, drv_reply());
	if (needle != NULL)
		ck_assert_msg(strstr(drv_reply(), needle) != NULL,
		    "'%s': message '%s' lacks '%s'", drv_line, drv_reply(),
		    needle);
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

const char *
drv_reply(void)
{

	(void)sbuf_finish(&drv_reply_sb);
	return (sbuf_len(&drv_reply_sb) > 0 ? sbuf_data(&drv_reply_sb) : "");
}

static void
state_dev_cb(struct cdev *dev, void *arg)
{
	const struct dev_driver *drv;

	drv = dev_driver_of(dev);
	sbuf_printf(arg, "dev %s size=%ju ma=%d mode=%o uid=%u gid=%u "
	    "flags=%#x drv=%s\n", devtoname(dev), (uintmax_t)dev->si_size,
	    (int)dev->si_memattr, (unsigned)dev->si_mode,
	    (unsigned)dev->si_owner, (unsigned)dev->si_group, dev->si_flags,
	    drv != NULL ? drv->dd_name : "-");
}

static void
state_phys_cb(const struct vm_phys_info *vi, void *arg)
{

	if (vi->kind == VM_PHYS_RAM)
		return;
	sbuf_printf(arg, "phys %d %s %#jx-%#jx ma=%d %s\n", (int)vi->kind,
	    vi->name != NULL ? vi->name : "-", (uintmax_t)vi->start,
	    (uintmax_t)vi->end, (int)vi->memattr,
	    vi->backing != NULL ? vi->backing : "-");
}

static void
state_swap_cb(const struct swap_uid_info *si, void *arg)
{

	sbuf_printf(arg, "swap %u limit=%ju reserved=%ju\n",
	    (unsigned)si->su_uid, (uintmax_t)si->su_limit,
	    (uintmax_t)si->su_reserved);
}

char *
drv_state(void)
{
	struct sbuf sb;
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *s;

	sbuf_init(&sb);
	dev_foreach(state_dev_cb, &sb);
	sbuf_printf(&sb, "count %u\n", dev_count());
	vm_phys_foreach(state_phys_cb, &sb);
	swap_foreach(state_swap_cb, &sb);
	sbuf_printf(&sb, "swapdefault %ju\n", (uintmax_t)swap_default_limit());
	sbuf_printf(&sb, "objects %lu\n", vm_object_live_count());
	d = opendir(drv_tmp);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		sbuf_printf(&sb, "file %s %o %jd\n", de->d_name,
		    (unsigned)st.st_mode, (intmax_t)st.st_size);
	}
	closedir(d);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	s = strdup(sbuf_data(&sb));
	sbuf_delete(&sb);
	ck_assert_ptr_nonnull(s);
	return (s);
}

const char *
drv_path(int slot, const char *name)
{

	snprintf(drv_paths[slot], sizeof(drv_paths[slot]), "%s/%s", drv_tmp,
	    name);
	return (drv_paths[slot]);
}

struct base_arg {
	const char	*name;
	vm_paddr_t	 base;
};

static void
base_cb(const struct vm_phys_info *vi, void *arg)
{
	struct base_arg *ba = arg;

	if (vi->kind == VM_PHYS_WINDOW && vi->name != NULL &&
	    strcmp(vi->name, ba->name) == 0)
		ba->base = vi->start;
}

vm_paddr_t
drv_window_base(const char *name)
{
	struct base_arg ba = { name, 0 };

	vm_phys_foreach(base_cb, &ba);
	return (ba.base);
}

void
drv_make_file(const char *path, size_t size, int c)
{
	char buf[4096];
	size_t n;
	int fd;

	memset(buf, c, sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	while (size > 0) {
		n = size < sizeof(buf) ? size : sizeof(buf);
		ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
		size -= n;
	}
	close(fd);
}

void
drv_write_file(const char *path, const void *buf, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}
