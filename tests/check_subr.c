/*
 * SIZE parsing and sbuf, the small utilities the command line, the
 * configuration file and the ctl language share.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/sbuf.h"
#include "kern/size.h"
#include "kern/trustpath.h"
#include "check_devpager.h"

START_TEST(test_size_parse_valid)
{
	static const struct {
		const char	*s;
		uint64_t	 v;
	} cases[] = {
		{ "0", 0 }, { "4096", 4096 }, { "1K", 1024 }, { "1k", 1024 },
		{ "16M", 16ULL << 20 }, { "2G", 2ULL << 30 },
		{ "0x1000", 4096 }, { "0XfF", 255 },
		{ "18446744073709551615", UINT64_MAX },
		{ "17179869183G", 17179869183ULL << 30 },
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(size_parse(cases[i].s, &v) == 0, "%s", cases[i].s);
		ck_assert_uint_eq(v, cases[i].v);
	}
}
END_TEST

START_TEST(test_size_parse_invalid)
{
	static const char *bad[] = {
		"", "K", "-1", "+1", " 1", "1 ", "1.5M", "1KB", "1T", "0x",
		"0x1K", "1e6", "abc", "12Q", "0x-1", "M1",
	};
	uint64_t v = 77;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(size_parse(bad[i], &v) == EINVAL, "'%s'", bad[i]);
		ck_assert_uint_eq(v, 77);
	}
	ck_assert_int_eq(size_parse(NULL, &v), EINVAL);
}
END_TEST

START_TEST(test_size_parse_overflow)
{
	uint64_t v = 77;

	ck_assert_int_eq(size_parse("18446744073709551616", &v), ERANGE);
	ck_assert_int_eq(size_parse("17179869184G", &v), ERANGE);
	ck_assert_int_eq(size_parse("0x10000000000000000", &v), ERANGE);
	ck_assert_uint_eq(v, 77);
}
END_TEST

START_TEST(test_size_format)
{
	char buf[32];

	size_format(16ULL << 20, buf, sizeof(buf));
	ck_assert_str_eq(buf, "16M");
	size_format(3ULL << 30, buf, sizeof(buf));
	ck_assert_str_eq(buf, "3G");
	size_format(1536, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1536");
	size_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0");
}
END_TEST

START_TEST(test_sbuf_grows)
{
	struct sbuf sb;
	int i;

	sbuf_init(&sb);
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(sbuf_printf(&sb, "%05d\n", i), 0);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	ck_assert_uint_eq(sbuf_len(&sb), 60000);
	ck_assert_int_eq(strncmp(sbuf_data(&sb) + 6 * 9999, "09999\n", 6), 0);
	ck_assert_int_eq(sbuf_data(&sb)[60000], '\0');
	sbuf_clear(&sb);
	ck_assert_uint_eq(sbuf_len(&sb), 0);
	sbuf_cat(&sb, "x");
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	ck_assert_str_eq(sbuf_data(&sb), "x");
	sbuf_delete(&sb);
}
END_TEST

/*
 * sbuf_printf formats into the room left and grows only when the text
 * does not fit: texts that end one byte before, at and after the end of
 * the buffer, from an empty buffer and from a full one.
 */
START_TEST(test_sbuf_printf_at_the_edge)
{
	struct sbuf sb;
	char want[1200], fill[600];
	size_t len, pre, n;

	memset(fill, 'f', sizeof(fill) - 1);
	fill[sizeof(fill) - 1] = '\0';
	for (pre = 0; pre < 520; pre += 37) {
		for (n = 1; n < 560; n += 1) {
			sbuf_init(&sb);
			ck_assert_int_eq(sbuf_printf(&sb, "%.*s", (int)pre,
			    fill), 0);
			ck_assert_int_eq(sbuf_printf(&sb, "<%*d>", (int)n, 7),
			    0);
			ck_assert_int_eq(sbuf_cat(&sb, "!"), 0);
			ck_assert_int_eq(sbuf_finish(&sb), 0);
			len = (size_t)snprintf(want, sizeof(want), "%.*s<%*d>!",
			    (int)pre, fill, (int)n, 7);
			ck_assert_uint_eq(sbuf_len(&sb), len);
			ck_assert_str_eq(sbuf_data(&sb), want);
			sbuf_delete(&sb);
		}
	}
	/* An empty text on an empty buffer. */
	sbuf_init(&sb);
	ck_assert_int_eq(sbuf_printf(&sb, "%s", ""), 0);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	ck_assert_str_eq(sbuf_data(&sb), "");
	sbuf_delete(&sb);
}
END_TEST

START_TEST(test_sbuf_empty)
{
	struct sbuf sb;

	sbuf_init(&sb);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	ck_assert_str_eq(sbuf_data(&sb), "");
	ck_assert_uint_eq(sbuf_len(&sb), 0);
	sbuf_delete(&sb);
}
END_TEST

START_TEST(test_sbuf_cat_escaped)
{
	static const char in[] = "a b\t\n\x7f~\x80\xff\\x\0z";
	struct sbuf sb;

	sbuf_init(&sb);
	ck_assert_int_eq(sbuf_cat_escaped(&sb, in, sizeof(in) - 1), 0);
	ck_assert_int_eq(sbuf_cat_escaped(&sb, "", 0), 0);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	/* Printable ASCII (backslash included) as is, the rest \xNN. */
	ck_assert_str_eq(sbuf_data(&sb),
	    "a b\\x09\\x0a\\x7f~\\x80\\xff\\x\\x00z");
	sbuf_delete(&sb);
}
END_TEST

/*
 * trustpath_walk: a good path leaves its last directory open and names
 * the last component; '..', a symbolic link, a group-writable directory
 * (not sticky), a missing directory and a relative path stop the walk
 * with the reason and the failing prefix, nothing left open.
 */
START_TEST(test_trustpath_walk)
{
	char tmpl[] = "/tmp/dpf-tp.XXXXXX", path[256], *dir;
	struct trustpath tp;
	struct stat st;
	size_t dlen;

	dir = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(dir);
	dlen = strlen(dir);
	/* /tmp is sticky: trusted although everyone may write it. */
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/./file", dir);
	ck_assert_int_eq(trustpath_walk(path, O_RDONLY, &tp), 0);
	ck_assert_str_eq(tp.tp_base, "file");
	ck_assert_uint_eq(tp.tp_baselen, 4);
	ck_assert_int_eq(fstat(tp.tp_dirfd, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	close(tp.tp_dirfd);

	snprintf(path, sizeof(path), "%s/a/../a/file", dir);
	ck_assert_int_eq(trustpath_walk(path, O_PATH, &tp), EINVAL);
	ck_assert_int_eq(tp.tp_fail, TP_DOTDOT);
	ck_assert_int_eq(tp.tp_dirfd, -1);

	snprintf(path, sizeof(path), "%s/l", dir);
	ck_assert_int_eq(symlink("a", path), 0);
	snprintf(path, sizeof(path), "%s/l/file", dir);
	ck_assert_int_eq(trustpath_walk(path, O_PATH, &tp), EINVAL);
	ck_assert_int_eq(tp.tp_fail, TP_SYMLINK);
	ck_assert_uint_eq(tp.tp_len, dlen + 2);

	snprintf(path, sizeof(path), "%s/g", dir);
	ck_assert_int_eq(mkdir(path, 0775), 0);
	ck_assert_int_eq(chmod(path, 0775), 0);
	snprintf(path, sizeof(path), "%s/g/file", dir);
	ck_assert_int_eq(trustpath_walk(path, O_PATH, &tp), EPERM);
	ck_assert_int_eq(tp.tp_fail, TP_WRITABLE);
	ck_assert_str_eq(tp.tp_writer, "its group");
	ck_assert_uint_eq(tp.tp_len, dlen + 2);

	snprintf(path, sizeof(path), "%s/none/file", dir);
	ck_assert_int_eq(trustpath_walk(path, O_PATH, &tp), ENOENT);
	ck_assert_int_eq(tp.tp_fail, TP_OPEN);
	ck_assert_int_eq(trustpath_walk("rel/file", O_PATH, &tp), EINVAL);
	ck_assert_int_eq(tp.tp_fail, TP_NOT_ABSOLUTE);

	snprintf(path, sizeof(path), "%s/l", dir);
	ck_assert_int_eq(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/g", dir);
	ck_assert_int_eq(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/a", dir);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

Suite *
subr_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("subr");
	tc = tcase_create("size");
	tcase_add_test(tc, test_size_parse_valid);
	tcase_add_test(tc, test_size_parse_invalid);
	tcase_add_test(tc, test_size_parse_overflow);
	tcase_add_test(tc, test_size_format);
	suite_add_tcase(s, tc);
	tc = tcase_create("sbuf");
	tcase_add_test(tc, test_sbuf_grows);
	tcase_add_test(tc, test_sbuf_printf_at_the_edge);
	tcase_add_test(tc, test_sbuf_empty);
	tcase_add_test(tc, test_sbuf_cat_escaped);
	suite_add_tcase(s, tc);
	tc = tcase_create("trustpath");
	tcase_add_test(tc, test_trustpath_walk);
	suite_add_tcase(s, tc);
	return (s);
}
