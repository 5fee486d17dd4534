/*
 * The daemon's command line: devpagerfs's own options are validated and
 * taken out; what libfuse needs is added.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fuse/fs_options.h"
#include "check_devpager.h"
#include "check_fuzz.h"

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

/* Options of mount(8) and fstab(5) alone are dropped, not passed on. */
START_TEST(test_mount_only_options)
{
	const char *argv[] = { "mount.fuse.devpagerfs", "devpagerfs", "/mnt",
	    "-o", "rw,nofail,_netdev,user,noauto,defaults,x-systemd.automount,"
	    "X-mount.mkdir,comment=dp,physmem=64M,nosuid" };
	static const char *const dropped[] = { "nofail", "_netdev", "user",
	    "noauto", "defaults", "x-systemd", "X-mount", "comment" };
	struct fuse_args args;
	struct fs_options o;
	char err[256];
	size_t i;
	int a;

	ck_assert_int_eq(parse(&o, &args, err, sizeof(err), 5, argv), 0);
	ck_assert_uint_eq(o.physmem, 64ULL << 20);
	ck_assert_str_eq(o.source, "devpagerfs");
	ck_assert_str_eq(o.mountpoint, "/mnt");
	for (a = 0; a < args.argc; a++)
		for (i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
			ck_assert_msg(strstr(args.argv[a], dropped[i]) == NULL,
			    "'%s' passed on in '%s'", dropped[i],
			    args.argv[a]);
	/* Real mount options go on to libfuse. */
	ck_assert(has_arg(&args, "rw,nosuid"));
	fs_options_free(&o);
	fuse_opt_free_args(&args);
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

/* Valid -o strings the mutations start from, and words they insert. */
static const char *const opt_inputs[] = {
	"physmem=64M,swap_limit=1M,fault_pages=32,config=x.conf",
	"entry_timeout=0.5,attr_timeout=2,physmem=0x200000",
	"allow_other,max_idle_threads=4,fault_pages=1",
	"swap_limit=4096,entry_timeout=0,attr_timeout=3600",
};
static const char *const opt_dict[] = {
	",", ",,", "=", "physmem=", "swap_limit=", "fault_pages=",
	"entry_timeout=", "attr_timeout=", "config=", "0", "1", "-1", "+1",
	"0x", "1e308", "1e-308", "nan", "inf", "-0", "0.", ".5", "4K", "1M",
	"8G", "9G", "1P", "18446744073709551615", "99999999999999999999",
	"256", "257", "3600", "3600.0001", "allow_other", "default_permissions",
	"fsname=", "subtype=", "max_idle_threads=", "clone_fd", " ", "\\",
	"\xff", "\x01",
};

/*
 * Mutated -o strings: parsed, or refused with one line of printable
 * ASCII; what is accepted is within the documented bounds; nothing
 * leaks (the ASan build runs it too).
 */
START_TEST(test_mutated_options)
{
	struct fuse_args args;
	struct fs_options o;
	struct fuzz fz;
	char opt[FUZZ_LINE_MAX + 1], err[256];
	const char *argv[4];
	int iters, ok, rc;

	fuzz_init(&fz, 3, opt_dict, sizeof(opt_dict) / sizeof(opt_dict[0]),
	    opt_inputs, sizeof(opt_inputs) / sizeof(opt_inputs[0]));
	iters = fuzz_iters(3000);
	ok = 0;
	for (fz.iter = 0; fz.iter < iters; fz.iter++) {
		(void)fuzz_mutate(&fz);
		memcpy(opt, fz.buf, fz.len);
		opt[fz.len] = '\0';	/* argv strings end at a NUL */
		argv[0] = "devpagerfs";
		argv[1] = "-o";
		argv[2] = opt;
		argv[3] = "/mnt";
		err[0] = '\0';
		rc = parse(&o, &args, err, sizeof(err), 4, argv);
		if (rc != 0) {
			ck_assert_msg(rc == -1 && err[0] != '\0' &&
			    fuzz_printable(err),
			    "seed %#jx iter %d \"%s\": rc %d, message '%s'",
			    (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len), rc, err);
		} else {
			ok++;
			ck_assert_msg(o.physmem >= FS_PHYSMEM_MIN &&
			    o.physmem <= FS_PHYSMEM_MAX &&
			    o.physmem % 4096 == 0 && o.fault_pages >= 1 &&
			    o.fault_pages <= FS_FAULT_PAGES_MAX &&
			    isfinite(o.entry_timeout) &&
			    o.entry_timeout >= 0 &&
			    o.entry_timeout <= FS_TIMEOUT_MAX &&
			    isfinite(o.attr_timeout) && o.attr_timeout >= 0 &&
			    o.attr_timeout <= FS_TIMEOUT_MAX &&
			    (!o.swap_limit_set ||
			    o.swap_limit <= FS_SWAP_LIMIT_MAX) &&
			    o.mountpoint != NULL &&
			    strcmp(o.mountpoint, "/mnt") == 0,
			    "seed %#jx iter %d \"%s\": accepted out of bounds",
			    (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len));
		}
		fs_options_free(&o);
		fuse_opt_free_args(&args);
	}
	ck_assert_int_gt(ok, 0);
	ck_assert_int_lt(ok, iters);
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
	tcase_add_test(tc, test_mount_only_options);
	tcase_add_test(tc, test_mutated_options);
	suite_add_tcase(s, tc);
	return (s);
}
