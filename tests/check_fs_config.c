/*
 * The configuration file: check before the VM exists, line-numbered
 * errors, a bad file changes nothing, apply in order with rollback on the
 * first failure, the embedded defaults.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/sbuf.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"

static struct sbuf err;

static void
cfg_setup(void)
{

	drv_setup();
	sbuf_init(&err);
}

static void
cfg_teardown(void)
{

	sbuf_delete(&err);
	drv_teardown();
}

/* No VM: fs_config_check must work before the daemon has one. */
static void
novm_setup(void)
{
	const char *tmp;

	sbuf_init(&err);
	tmp = getenv("TMPDIR");
	snprintf(drv_tmp, 256, "%s/drvcfg.XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(drv_tmp));
}

static void
novm_teardown(void)
{
	char cmd[512];

	sbuf_delete(&err);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", drv_tmp);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *
errmsg(void)
{

	(void)sbuf_finish(&err);
	return (sbuf_len(&err) > 0 ? sbuf_data(&err) : "");
}

/* Write text (len bytes, or strlen) to a config file; return its path. */
static const char *
cfg_file(const char *text, size_t len)
{
	const char *path;

	path = drv_path(3, "devpagerfs.conf");
	drv_write_file(path, text, len != 0 ? len : strlen(text));
	return (path);
}

/* Check fails with want at line, the message is "FILE:LINE: ...". */
static void
check_fails(const char *text, size_t len, int want, unsigned lineno,
    const char *needle)
{
	const char *path;
	char prefix[600];

	path = cfg_file(text, len);
	sbuf_clear(&err);
	ck_assert_int_eq(fs_config_check(path, &err), want);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, lineno);
	ck_assert_msg(strncmp(errmsg(), prefix, strlen(prefix)) == 0,
	    "message '%s', want prefix '%s'", errmsg(), prefix);
	ck_assert_ptr_null(strchr(errmsg(), '\n'));
	if (needle != NULL)
		ck_assert_msg(strstr(errmsg(), needle) != NULL,
		    "message '%s' lacks '%s'", errmsg(), needle);
}

START_TEST(test_check_good_novm)
{
	char text[1024];
	struct stat st;

	snprintf(text, sizeof(text),
	    "# devices\n"
	    "\n"
	    "create mem driver=mem mode=0600\n"
	    "   # indented comment\n"
	    "create ram0 driver=ram size=16M memattr=wb\n"
	    "\tcreate\tram1  driver=ram size=1M backing=%s/r1.img mode=0640\n"
	    "memattr ram1 wc\n"
	    "swap limit uid=1000 size=64M\n"
	    "create ram2 driver=ram size=4K", drv_tmp);
	ck_assert_int_eq(fs_config_check(cfg_file(text, 0), &err), 0);
	ck_assert_str_eq(errmsg(), "");
	/* Checking creates no backing file. */
	ck_assert_int_eq(lstat(drv_path(0, "r1.img"), &st), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_check_errors_novm)
{
	char text[1024];

	check_fails("create ram0 driver=ram\ncreate r driver=nosuch\n", 0,
	    ENOENT, 2, "unknown driver 'nosuch'");
	check_fails("\n\n# c\ncreate r driver=ram size=1Q\n", 0, EINVAL, 4,
	    "bad size");
	check_fails("create r driver=ram\ncreate r driver=ram\n", 0, EEXIST,
	    2, "already created on line 1");
	check_fails("create m driver=mem\ncreate m2 driver=mem\n", 0, EEXIST,
	    2, "second mem");
	check_fails("memattr r wc\ncreate r driver=ram\n", 0, ENOENT, 1,
	    "no device 'r'");
	check_fails("create m driver=mem\nmemattr m wc\n", 0, EINVAL, 2,
	    "cannot change");
	check_fails("create r driver=ram\ndestroy r\n", 0, EINVAL, 2,
	    "configuration file");
	check_fails("revoke ram0\n", 0, EINVAL, 1, "configuration file");
	check_fails("gem gem0 create size=1M\n", 0, EINVAL, 1,
	    "configuration file");
	check_fails("create r driver=ram colour=red\n", 0, EINVAL, 1,
	    "unknown key 'colour'");
	check_fails("create r driver=mem size=1M\n", 0, EINVAL, 1, "'size'");
	check_fails("create ../r driver=ram\n", 0, EINVAL, 1,
	    "invalid device name");
	check_fails("swap limit uid=abc size=1M\n", 0, EINVAL, 1, NULL);
	check_fails("create r driver=ram\ncreate s driver=ram \x01\n", 0,
	    EINVAL, 2, "invalid byte");
	check_fails("create r driver=ram\ncreate s\0 driver=ram\n", 42,
	    EINVAL, 2, "invalid byte 0x00");
	check_fails("create r driver=ram\r\n", 0, EINVAL, 1, "invalid byte");
	check_fails("# c\n  \ncreate r driver=ram backing=relative\n", 0,
	    EINVAL, 3, "not absolute");
	/* Backing paths are checked: missing directory, a directory. */
	snprintf(text, sizeof(text), "create r driver=ram "
	    "backing=%s/nodir/x\n", drv_tmp);
	check_fails(text, 0, ENOENT, 1, "nodir");
	ck_assert_int_eq(mkdir(drv_path(0, "d"), 0700), 0);
	snprintf(text, sizeof(text), "\ncreate r driver=ram backing=%s/d\n",
	    drv_tmp);
	check_fails(text, 0, EINVAL, 2, "a directory");
	drv_make_file(drv_path(0, "f8k"), 8192, 1);
	snprintf(text, sizeof(text), "create r driver=ram size=4K "
	    "backing=%s/f8k\n", drv_tmp);
	check_fails(text, 0, EINVAL, 1, "8K bytes");
}
END_TEST

START_TEST(test_check_long_line_novm)
{
	char *text;
	size_t n;

	n = FS_CTL_LINE_MAX + 100;
	text = malloc(n + 2);
	ck_assert_ptr_nonnull(text);
	memset(text, ' ', n);
	memcpy(text, "create r driver=ram\ncreate s driver=ram", 39);
	strcpy(text + n, "\n");
	check_fails(text, 0, EINVAL, 2, "too long");
	free(text);
}
END_TEST

START_TEST(test_check_bad_files_novm)
{

	ck_assert_int_eq(fs_config_check(drv_path(0, "missing.conf"), &err),
	    ENOENT);
	ck_assert_ptr_nonnull(strstr(errmsg(), "missing.conf"));
	sbuf_clear(&err);
	ck_assert_int_eq(fs_config_check(drv_tmp, &err), EINVAL);
	ck_assert_ptr_nonnull(strstr(errmsg(), "not a regular file"));
	/* An empty file is a valid (empty) configuration. */
	sbuf_clear(&err);
	ck_assert_int_eq(fs_config_check(cfg_file("", 0), &err), 0);
	ck_assert_int_eq(fs_config_check(cfg_file("# nothing\n\n", 0), &err),
	    0);
}
END_TEST

START_TEST(test_apply)
{
	struct swap_uid_info si;
	struct cdev *dev;
	char text[1024];
	struct stat st;

	snprintf(text, sizeof(text),
	    "create mem driver=mem\n"
	    "create big driver=ram size=2M memattr=uc mode=0644 uid=7 gid=8\n"
	    "create file driver=ram size=64K backing=%s/file.img\n"
	    "memattr file wt\n"
	    "swap limit uid=1000 size=64M\n", drv_tmp);
	ck_assert_int_eq(fs_config_apply(cfg_file(text, 0), &drv_cred, &err),
	    0);
	dev = dev_lookup_ref("mem");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_ne(dev->si_flags & SI_ETERNAL, 0);
	dev_rel(dev);
	dev = dev_lookup_ref("big");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 2UL << 20);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_UNCACHEABLE);
	ck_assert_uint_eq(dev->si_mode, 0644);
	ck_assert_uint_eq(dev->si_owner, 7);
	ck_assert_uint_eq(dev->si_group, 8);
	dev_rel(dev);
	dev = dev_lookup_ref("file");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_THROUGH);
	dev_rel(dev);
	ck_assert_int_eq(stat(drv_path(0, "file.img"), &st), 0);
	ck_assert_int_eq(st.st_size, 65536);
	ck_assert(swap_uid_get(1000, &si));
	ck_assert_uint_eq(si.su_limit, 64UL << 20);
	ck_assert_uint_eq(dev_count(), 3);
}
END_TEST

START_TEST(test_apply_bad_file_changes_nothing)
{
	const char *path;
	char *before, *after;

	path = cfg_file("create a driver=ram\n"
	    "swap limit uid=5 size=1M\ncreate b driver=bogus\n", 0);
	before = drv_state();
	ck_assert_int_eq(fs_config_apply(path, &drv_cred, &err), ENOENT);
	ck_assert_ptr_nonnull(strstr(errmsg(), ":3: unknown driver"));
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_apply_rollback)
{
	struct swap_uid_info si;
	char text[1024], *before, *after;
	const char *path;
	struct stat st;

	/* "taken" exists already: only running the file can find out. */
	ck_assert_int_eq(drv_ctl("create taken driver=ram size=4K"), 0);
	snprintf(text, sizeof(text),
	    "create mem driver=mem\n"
	    "create a driver=ram size=8K\n"
	    "create b driver=ram size=8K backing=%s/b.img\n"
	    "memattr b wc\n"
	    "swap limit uid=77 size=1M\n"
	    "create taken driver=ram size=4K\n"
	    "create c driver=ram size=8K\n", drv_tmp);
	path = cfg_file(text, 0);
	before = drv_state();
	ck_assert_int_eq(fs_config_apply(path, &drv_cred, &err), EEXIST);
	ck_assert_ptr_nonnull(strstr(errmsg(), ":6: device 'taken' already "
	    "exists"));
	ck_assert_ptr_null(dev_lookup_ref("a"));
	ck_assert_ptr_null(dev_lookup_ref("b"));
	ck_assert_ptr_null(dev_lookup_ref("c"));
	/* The eternal mem comes last, so it was never made. */
	ck_assert_ptr_null(dev_lookup_ref("mem"));
	ck_assert(!swap_uid_get(77, &si));
	/* The backing file it created is gone too. */
	ck_assert_int_eq(stat(drv_path(0, "b.img"), &st), -1);
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/*
 * Rollback removes a backing file it made through the directory's
 * descriptor, and only the file it made: here the directory is renamed
 * and an impostor put at the old path right after the file was created
 * (test hook).  The rollback must remove the file in the renamed
 * directory and leave the impostor alone.
 */
static void
swap_directory_cb(void *arg)
{

	(void)arg;
	ck_assert_int_eq(rename(drv_path(0, "d"), drv_path(1, "moved")), 0);
	ck_assert_int_eq(mkdir(drv_path(0, "d"), 0700), 0);
	drv_write_file(drv_path(0, "d/a.img"), "impostor", 8);
}

START_TEST(test_apply_rollback_by_descriptor)
{
	char text[1024], buf[16];
	const char *path;
	struct stat st;
	int fd;

	ck_assert_int_eq(drv_ctl("create taken driver=ram size=4K"), 0);
	ck_assert_int_eq(mkdir(drv_path(0, "d"), 0700), 0);
	snprintf(text, sizeof(text),
	    "create a driver=ram size=8K backing=%s/d/a.img\n"
	    "create taken driver=ram size=4K\n", drv_tmp);
	path = cfg_file(text, 0);
	test_hook_set_callback("ram_backing_created", swap_directory_cb, NULL);
	ck_assert_int_eq(fs_config_apply(path, &drv_cred, &err), EEXIST);
	test_hook_reset();
	ck_assert_ptr_null(dev_lookup_ref("a"));
	/* The file the run made is gone, from where it is now... */
	ck_assert_int_eq(stat(drv_path(0, "moved/a.img"), &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* ...and what sits at its old path is untouched. */
	fd = open(drv_path(0, "d/a.img"), O_RDONLY);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 8);
	ck_assert_str_eq(buf, "impostor");
	close(fd);
}
END_TEST

START_TEST(test_apply_eternal_last)
{
	const char *path;
	char *before, *after;

	/* A mem exists: the file's mem fails last, the rest is undone. */
	ck_assert_int_eq(drv_ctl("create mem driver=mem"), 0);
	path = cfg_file("create physmem driver=mem\n"
	    "create a driver=ram size=8K\n", 0);
	before = drv_state();
	ck_assert_int_eq(fs_config_apply(path, &drv_cred, &err), EEXIST);
	ck_assert_ptr_nonnull(strstr(errmsg(), ":1: "));
	after = drv_state();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_defaults)
{
	struct cdev *dev;
	unsigned n;

	ck_assert_int_eq(fs_config_apply_defaults(&drv_cred, &err), 0);
	dev = dev_lookup_ref("mem");
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_mem_driver);
	dev_rel(dev);
	dev = dev_lookup_ref("ram0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 16UL << 20);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_BACK);
	ck_assert_ptr_eq(dev_driver_of(dev), &dev_ram_driver);
	dev_rel(dev);
	n = 2;
	if (dev_driver_find("fb") != NULL) {
		dev = dev_lookup_ref("fb0");
		ck_assert_ptr_nonnull(dev);
		dev_rel(dev);
		n++;
	} else
		ck_assert_ptr_null(dev_lookup_ref("fb0"));
	if (dev_driver_find("gem") != NULL) {
		dev = dev_lookup_ref("gem0");
		ck_assert_ptr_nonnull(dev);
		dev_rel(dev);
		n++;
	} else
		ck_assert_ptr_null(dev_lookup_ref("gem0"));
	ck_assert_uint_eq(dev_count(), n);
	/* A second time: everything exists, nothing changes. */
	ck_assert_int_eq(fs_config_apply_defaults(&drv_cred, &err), EEXIST);
	ck_assert_uint_eq(dev_count(), n);
	/* After a shutdown-style destroy_all only the eternal mem stays. */
	dev_destroy_all();
	ck_assert_uint_eq(dev_count(), 1);
}
END_TEST

Suite *
fs_config_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_config");
	tc = tcase_create("check");
	tcase_add_checked_fixture(tc, novm_setup, novm_teardown);
	tcase_add_test(tc, test_check_good_novm);
	tcase_add_test(tc, test_check_errors_novm);
	tcase_add_test(tc, test_check_long_line_novm);
	tcase_add_test(tc, test_check_bad_files_novm);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_add_checked_fixture(tc, cfg_setup, cfg_teardown);
	tcase_add_test(tc, test_apply);
	tcase_add_test(tc, test_apply_bad_file_changes_nothing);
	tcase_add_test(tc, test_apply_rollback);
	tcase_add_test(tc, test_apply_rollback_by_descriptor);
	tcase_add_test(tc, test_apply_eternal_last);
	tcase_add_test(tc, test_defaults);
	suite_add_tcase(s, tc);
	return (s);
}
