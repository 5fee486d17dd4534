/*
 * The daemon's command line: devpagerfs's own options are validated and
 * taken out; what libfuse needs is added.
 */
#include "config.h"

#include <string.h>

#include "fuse/fs_options.h"
#include "check_devpager.h"

static int
parse(struct fs_options *o, struct fuse_args *args, char *err, size_t len,
    int argc, const char **argv)
{
	int i;

	memset(args, 0, sizeof(*args));
	for (i = 0; i < argc; i++)
		ck_assert_int_eq(fuse_opt_add_arg(args, argv[i]), 0);
	return (fs_options_parse(args, o, err, len));
}

static bool
has_arg(const struct fuse_args *args, const char *a)
{
	int i;

	for (i = 0; i < args->argc; i++)
		if (strcmp(args->argv[i], a) == 0)
			return (true);
	return (false);
}

START_TEST(test_defaults)
{
	const char *argv[] = { "devpagerfs", "/mnt" };
	struct fuse_args args;
	struct fs_options o;
	char err[256];

	ck_assert_int_eq(parse(&o, &args, err, sizeof(err), 2, argv), 0);
	ck_assert_uint_eq(o.physmem, FS_PHYSMEM_DEFAULT);
	ck_assert_uint_eq(o.fault_pages, 1);
	ck_assert(!o.swap_limit_set);
	ck_assert_ptr_null(o.config);
	ck_assert_ptr_null(o.source);
	ck_assert_str_eq(o.mountpoint, "/mnt");
	ck_assert(has_arg(&args, "-odefault_permissions"));
	ck_assert(has_arg(&args, "-ofsname=devpagerfs"));
	ck_assert_str_eq(args.argv[args.argc - 1], "/mnt");
	fs_options_free(&o);
	fuse_opt_free_args(&args);
}
END_TEST

START_TEST(test_values)
{
	const char *argv[] = { "devpagerfs", "-o",
	    "physmem=0x2000001,swap_limit=1M,fault_pages=32,config=/x.conf,"
	    "allow_other,entry_timeout=0,attr_timeout=0.5", "src", "/mnt" };
	struct fuse_args args;
	struct fs_options o;
	char err[256];

	ck_assert_int_eq(parse(&o, &args, err, sizeof(err), 5, argv), 0);
	ck_assert_uint_eq(o.physmem, 0x2001000);	/* page-rounded */
	ck_assert_uint_eq(o.swap_limit, 1 << 20);
	ck_assert(o.swap_limit_set);
	ck_assert_uint_eq(o.fault_pages, 32);
	ck_assert_str_eq(o.config, "/x.conf");
	ck_assert_str_eq(o.source, "src");
	ck_assert_str_eq(o.mountpoint, "/mnt");
	ck_assert(o.entry_timeout == 0.0);
	ck_assert(o.attr_timeout == 0.5);
	ck_assert(has_arg(&args, "-ofsname=src"));
	/* Our options are gone; FUSE's stay. */
	ck_assert(!has_arg(&args, "physmem=0x2000001"));
	fs_options_free(&o);
	fuse_opt_free_args(&args);
}
END_TEST

START_TEST(test_bad_values)
{
	static const char *bad[][2] = {
		{ "physmem=abc", "physmem" },
		{ "physmem=512K", "physmem" },
		{ "physmem=9G", "physmem" },
		{ "physmem=", "physmem" },
		{ "swap_limit=2P", "swap_limit" },
		{ "fault_pages=0", "fault_pages" },
		{ "fault_pages=300", "fault_pages" },
		{ "fault_pages=1x", "fault_pages" },
		{ "entry_timeout=nan", "entry_timeout" },
		{ "attr_timeout=4000", "attr_timeout" },
		{ "config=", "config" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { "devpagerfs", "-o", bad[i][0], "/mnt" };
		struct fuse_args args;
		struct fs_options o;
		char err[256];

		err[0] = '\0';
		ck_assert_msg(parse(&o, &args, err, sizeof(err), 4, argv) == -1,
		    "%s accepted", bad[i][0]);
		ck_assert_msg(strstr(err, bad[i][1]) != NULL, "%s: '%s'",
		    bad[i][0], err);
		ck_assert_ptr_null(strchr(err, '\n'));
		fs_options_free(&o);
		fuse_opt_free_args(&args);
	}
}
END_TEST

START_TEST(test_too_many)
{
	const char *argv[] = { "devpagerfs", "a", "b", "c" };
	struct fuse_args args;
	struct fs_options o;
	char err[256];

	ck_assert_int_eq(parse(&o, &args, err, sizeof(err), 4, argv), -1);
	ck_assert_ptr_nonnull(strstr(err, "too many"));
	fs_options_free(&o);
	fuse_opt_free_args(&args);
}
END_TEST

Suite *
fs_options_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_options");
	tc = tcase_create("parse");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_bad_values);
	tcase_add_test(tc, test_too_many);
	suite_add_tcase(s, tc);
	return (s);
}
