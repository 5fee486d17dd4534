/*
 * Mutation fuzzing of the ctl language and of the configuration file.
 *
 * Valid commands and files are mutated, byte by byte and token by token,
 * by a seeded generator.  A mutated ctl line must either succeed or be
 * refused with an errno, a one-line message of printable ASCII and
 * nothing changed (drv_state: devices, windows, swap limits and charges,
 * live VM objects, scratch files).  A mutated configuration file that
 * fs_config_check accepts must apply; one that it refuses gets a
 * "FILE:LINE: message" of printable ASCII and changes nothing.  Nothing
 * may crash or leak: the ASan build runs the same iterations.
 *
 * Lines with a '/' are not run: they could name backing files, PNG
 * snapshots or plugins anywhere on the host (the fixed tests cover
 * paths).  Sizes above FUZZ_SIZE_MAX are not run either, to keep memory
 * bounded.  The generator and its environment variables are in
 * check_fuzz.h.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_fuzz.h"
#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"

#define	FUZZ_SIZE_MAX	(256ULL << 20)	/* largest size= run */
#define	FUZZ_CTL_ITERS	5000
#define	FUZZ_CONF_ITERS	1000

/* Commands the ctl mutations start from (the fixture has the defaults). */
static const char *const ctl_seeds[] = {
	"create fz0 driver=ram size=64K",
	"create fz1 driver=ram size=1M memattr=wc mode=0640 uid=1000 gid=100",
	"create fz2 driver=fb width=64 height=32 bpp=16",
	"create fz3 driver=gem size=4M",
	"create fz4 driver=mem",
	"destroy fz0",
	"destroy ram0",
	"revoke ram0 offset=4K length=8K",
	"revoke fb0",
	"memattr ram0 wc",
	"memattr fb0 uc-",
	"gem gem0 create size=64K placement=system",
	"gem gem0 create size=128K placement=vram",
	"gem gem0 destroy handle=1",
	"gem gem0 move handle=1 placement=vram",
	"swap limit uid=1000 size=1M",
	"swap limit uid=0 size=64K",
};

/* Files the configuration mutations start from. */
static const char *const conf_seeds[] = {
	"# devices\n"
	"create c0 driver=ram size=64K memattr=wc\n"
	"memattr c0 uc\n"
	"swap limit uid=1000 size=1M\n",
	"create mem driver=mem mode=0600\n"
	"\n"
	"create c1 driver=fb width=32 height=16 bpp=24\n"
	"   # indented\n"
	"create c2 driver=gem size=2M\n",
	"create c3 driver=ram size=4K uid=1000 gid=1000 mode=0660\n"
	"create c4 driver=ram size=8K\n"
	"memattr c4 wt",
};

/* Words the token mutations insert. */
static const char *const dict[] = {
	" ", "  ", "\t", "=", "==", "\n", "#", "-", "+", "0", "1", "00",
	"create", "destroy", "revoke", "memattr", "gem", "fb", "swap",
	"limit", "move", "snapshot", "driver=", "ram", "mem", "size=",
	"offset=", "length=", "memattr=", "mode=", "uid=", "gid=",
	"width=", "height=", "bpp=", "handle=", "placement=", "vram",
	"system", "wb", "wt", "wc", "uc", "uc-", "wp", "4K", "64K", "1M",
	"16M", "0x1000", "0x", "-1", "4294967295", "4294967296",
	"18446744073709551615", "99999999999999999999", "1e3", "K", "M",
	"G", "T", "ram0", "fb0", "gem0", "fz0", "c0", "..", ".", "\\",
	"\x7f", "\xff", "\x01", "key=value",
};

static bool	fuzz_runnable(const char *s, size_t len);
static unsigned	fuzz_cleanup_devices(void);

/*
 * Whether a mutated input may run here: no '/' (host paths), every
 * size= value either unparsable (it will be refused) or at most
 * FUZZ_SIZE_MAX.
 */
static bool
fuzz_runnable(const char *s, size_t len)
{
	char val[64];
	uint64_t v;
	size_t i, j;

	if (memchr(s, '/', len) != NULL)
		return (false);
	for (i = 0; i + 5 <= len; i++) {
		if (memcmp(s + i, "size=", 5) != 0)
			continue;
		for (j = 0; i + 5 + j < len && j < sizeof(val) - 1; j++) {
			if (isspace((unsigned char)s[i + 5 + j]) ||
			    s[i + 5 + j] == '\0')
				break;
			val[j] = s[i + 5 + j];
		}
		val[j] = '\0';
		if (size_parse(val, &v) == 0 && v > FUZZ_SIZE_MAX)
			return (false);
	}
	return (true);
}

/*
 * Destroy every device a successful configuration made.  Eternal ones
 * (mem) stay until the VM goes; the number left is returned.
 */
static unsigned
fuzz_cleanup_devices(void)
{

	dev_destroy_all();
	return (dev_count());
}

START_TEST(test_ctl_mutations)
{
	struct fuzz fz;
	char *before, *after;
	const char *msg;
	int error, iters, ran, refused;

	fuzz_init(&fz, 1, dict, nitems(dict), ctl_seeds, nitems(ctl_seeds));
	iters = fuzz_iters(FUZZ_CTL_ITERS);
	ran = refused = 0;
	for (fz.iter = 0; fz.iter < iters; fz.iter++) {
		(void)fuzz_mutate(&fz);
		if (!fuzz_runnable(fz.buf, fz.len))
			continue;
		ran++;
		before = drv_state();
		error = drv_ctl_len(fz.buf, fz.len);
		msg = drv_reply();
		ck_assert_msg(strchr(msg, '\n') == NULL,
		    "seed %#jx iter %d \"%s\": reply has a newline: %s",
		    (uintmax_t)fz.seed, fz.iter, fuzz_escape(fz.buf, fz.len),
		    msg);
		if (error != 0) {
			refused++;
			after = drv_state();
			ck_assert_msg(error > 0 && msg[0] != '\0' &&
			    fuzz_printable(msg),
			    "seed %#jx iter %d \"%s\": error %d, message '%s'",
			    (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len), error, msg);
			ck_assert_msg(strcmp(before, after) == 0,
			    "seed %#jx iter %d \"%s\": refused (%d: %s) but "
			    "the state changed:\n--- before\n%s--- after\n%s",
			    (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len), error, msg, before,
			    after);
			free(after);
		}
		free(before);
	}
	/* The mutations reach both outcomes. */
	ck_assert_int_gt(ran, iters / 2);
	ck_assert_int_gt(refused, ran / 4);
	ck_assert_int_lt(refused, ran);
}
END_TEST

START_TEST(test_config_mutations)
{
	struct fuzz fz;
	struct sbuf err;
	char *before, *after;
	char prefix[600];
	const char *path, *msg;
	unsigned left;
	int error, iters, ran, accepted;

	fuzz_init(&fz, 2, dict, nitems(dict), conf_seeds,
	    nitems(conf_seeds));
	left = 0;
	iters = fuzz_iters(FUZZ_CONF_ITERS);
	ran = accepted = 0;
	sbuf_init(&err);
	for (fz.iter = 0; fz.iter < iters; fz.iter++) {
		(void)fuzz_mutate(&fz);
		if (!fuzz_runnable(fz.buf, fz.len))
			continue;
		ran++;
		path = drv_path(3, "fuzz.conf");
		drv_write_file(path, fz.buf, fz.len);
		before = drv_state();
		sbuf_clear(&err);
		error = fs_config_check(path, &err);
		(void)sbuf_finish(&err);
		msg = sbuf_len(&err) > 0 ? sbuf_data(&err) : "";
		after = drv_state();
		ck_assert_msg(strcmp(before, after) == 0,
		    "seed %#jx iter %d \"%s\": fs_config_check changed the "
		    "state", (uintmax_t)fz.seed, fz.iter,
		    fuzz_escape(fz.buf, fz.len));
		free(after);
		if (error != 0) {
			snprintf(prefix, sizeof(prefix), "%s:", path);
			ck_assert_msg(strncmp(msg, prefix, strlen(prefix)) ==
			    0 && fuzz_printable(msg),
			    "seed %#jx iter %d \"%s\": error %d, message '%s'",
			    (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len), error, msg);
			free(before);
			continue;
		}
		accepted++;
		sbuf_clear(&err);
		error = fs_config_apply(path, &drv_cred, &err);
		(void)sbuf_finish(&err);
		msg = sbuf_len(&err) > 0 ? sbuf_data(&err) : "";
		if (error != 0) {
			/*
			 * Only an eternal device left by an earlier file may
			 * make a checked file fail (the daemon applies to an
			 * empty registry), and the failure is rolled back.
			 */
			after = drv_state();
			ck_assert_msg(error == EEXIST && left > 0 &&
			    strcmp(before, after) == 0,
			    "seed %#jx iter %d \"%s\": checked fine, apply "
			    "failed (%d: %s)%s", (uintmax_t)fz.seed, fz.iter,
			    fuzz_escape(fz.buf, fz.len), error, msg,
			    strcmp(before, after) != 0 ?
			    ", and the state changed" : "");
			free(after);
		}
		left = fuzz_cleanup_devices();
		free(before);
	}
	sbuf_delete(&err);
	ck_assert_int_gt(ran, iters / 2);
	ck_assert_int_gt(accepted, 0);
	ck_assert_int_lt(accepted, ran);
}
END_TEST

Suite *
fs_ctl_fuzz_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_ctl_fuzz");
	tc = tcase_create("ctl");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_ctl_mutations);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, drv_setup, drv_teardown);
	tcase_add_test(tc, test_config_mutations);
	suite_add_tcase(s, tc);
	return (s);
}
