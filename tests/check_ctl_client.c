/*
 * devpagerctl's parsing and formatting: mountinfo, inspection tables and
 * key/value files, JSON output, ctl command lines, the ctl read-back
 * protocol on ordinary files, and top's rate computation.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_cmd.h"
#include "ctl/ctl_io.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_mount.h"
#include "ctl/ctl_text.h"
#include "ctl/ctl_top.h"
#include "check_devpager.h"

/* The argument vectors of main() are not const; literals are. */
#define	W(s)	((char *)(s))

static char	*write_temp(const char *text);
static char	*json_of(const char *text);

/* A temporary file holding `text'; the caller unlinks and frees the path. */
static char *
write_temp(const char *text)
{
	char *path;
	int fd;

	path = strdup("/tmp/check_ctl.XXXXXX");
	ck_assert_ptr_nonnull(path);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	return (path);
}

static char *
json_of(const char *text)
{
	struct ctl_buf cb;

	ctl_buf_init(&cb);
	ctl_json_text(&cb, text);
	return (ctl_buf_take(&cb));
}

/* Lines of a real-looking mountinfo, none of them devpagerfs. */
#define	MI_OTHERS							\
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"	\
	"23 22 0:21 / /proc rw,nosuid - proc proc rw\n"			\
	"40 22 0:35 / /home/u/remote rw,nosuid,nodev shared:7 master:2 " \
	    "- fuse.sshfs u@h:/ rw,user_id=0,group_id=0\n"		\
	"41 22 0:36 / /tmp/devpagerfs rw - fuse devpagerfs rw\n"	\
	"42 22 0:37 / /tmp/x rw - tmpfs fuse.devpagerfs rw\n"

START_TEST(test_mountinfo_none)
{
	struct ctl_mounts cm;

	/* A plain "fuse" type or the name as a source does not count. */
	ctl_mounts_parse(MI_OTHERS, &cm);
	ck_assert_uint_eq(cm.cm_n, 0);
	ctl_mounts_free(&cm);
	ctl_mounts_parse("", &cm);
	ck_assert_uint_eq(cm.cm_n, 0);
	ctl_mounts_free(&cm);
	/* Malformed lines are skipped, not fatal. */
	ctl_mounts_parse("garbage\n- fuse.devpagerfs\n1 2 3\n\n", &cm);
	ck_assert_uint_eq(cm.cm_n, 0);
	ctl_mounts_free(&cm);
}
END_TEST

START_TEST(test_mountinfo_one_escaped)
{
	struct ctl_mounts cm;

	ctl_mounts_parse(MI_OTHERS
	    "50 22 0:47 / /tmp/my\\040mnt rw,nosuid,nodev,relatime shared:9 "
	    "- fuse.devpagerfs devpagerfs rw,user_id=0,group_id=0\n", &cm);
	ck_assert_uint_eq(cm.cm_n, 1);
	ck_assert_str_eq(cm.cm_paths[0], "/tmp/my mnt");
	ctl_mounts_free(&cm);
	/* Last line without a newline, no optional fields. */
	ctl_mounts_parse("7 1 0:5 / /a\\011b\\134c rw - fuse.devpagerfs ram "
	    "rw", &cm);
	ck_assert_uint_eq(cm.cm_n, 1);
	ck_assert_str_eq(cm.cm_paths[0], "/a\tb\\c");
	ctl_mounts_free(&cm);
}
END_TEST

START_TEST(test_mountinfo_two_from_file)
{
	struct ctl_mounts cm;
	char *path;

	path = write_temp("50 22 0:47 / /mnt/a rw - fuse.devpagerfs x rw\n"
	    MI_OTHERS
	    "51 22 0:48 / /mnt/b\\040c rw shared:3 - fuse.devpagerfs y rw\n");
	ck_assert_int_eq(ctl_mounts_read(path, &cm), 0);
	ck_assert_uint_eq(cm.cm_n, 2);
	ck_assert_str_eq(cm.cm_paths[0], "/mnt/a");
	ck_assert_str_eq(cm.cm_paths[1], "/mnt/b c");
	ctl_mounts_free(&cm);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(ctl_mounts_read(path, &cm), ENOENT);
	ck_assert_uint_eq(cm.cm_n, 0);
	free(path);
}
END_TEST

START_TEST(test_mount_unescape)
{
	char s1[] = "a\\040b\\134\\134c\\012";
	char s2[] = "\\9zz\\04x\\400\\";
	char s3[] = "";

	ctl_mount_unescape(s1);
	ck_assert_str_eq(s1, "a b\\\\c\n");
	/* Not three octal digits (or > \377): left alone. */
	ctl_mount_unescape(s2);
	ck_assert_str_eq(s2, "\\9zz\\04x\\400\\");
	ctl_mount_unescape(s3);
	ck_assert_str_eq(s3, "");
}
END_TEST

static const char objects_text[] =
    "   ID  RES  ACT INACT  REF  SHD CM TP PATH\n"
    "    1    4    0     0    1    0 WB dv dev/ram0\n"
    "   12    0    0     0    2    0 WC md dev/my gem#3\n"
    "    7    1\n";

START_TEST(test_table_parse)
{
	struct ctl_doc doc;
	struct ctl_section *cs;

	ctl_text_parse(objects_text, &doc);
	ck_assert_uint_eq(doc.cd_nsections, 1);
	cs = &doc.cd_sections[0];
	ck_assert_int_eq(cs->cs_kind, CTL_SECTION_TABLE);
	ck_assert_uint_eq(cs->cs_ncols, 9);
	ck_assert_str_eq(cs->cs_cols[0], "ID");
	ck_assert_str_eq(cs->cs_cols[8], "PATH");
	ck_assert_uint_eq(cs->cs_nrows, 3);
	ck_assert_str_eq(cs->cs_rows[0][0], "1");
	ck_assert_str_eq(cs->cs_rows[0][8], "dev/ram0");
	/* The last column keeps its blanks. */
	ck_assert_str_eq(cs->cs_rows[1][8], "dev/my gem#3");
	ck_assert_str_eq(cs->cs_rows[1][6], "WC");
	/* A short row leaves the rest NULL. */
	ck_assert_str_eq(cs->cs_rows[2][1], "1");
	ck_assert_ptr_null(cs->cs_rows[2][2]);
	ck_assert_ptr_null(cs->cs_rows[2][8]);
	/* Numeric columns: NULL cells do not spoil them. */
	ck_assert(cs->cs_numeric[0]);
	ck_assert(cs->cs_numeric[1]);
	ck_assert(cs->cs_numeric[4]);
	ck_assert(!cs->cs_numeric[6]);
	ck_assert(!cs->cs_numeric[7]);
	ck_assert(!cs->cs_numeric[8]);
	ck_assert_int_eq(ctl_section_col(cs, "path"), 8);
	ck_assert_int_eq(ctl_section_col(cs, "Tp"), 7);
	ck_assert_int_eq(ctl_section_col(cs, "NOPE"), -1);
	ck_assert_ptr_null(ctl_section_get(cs, "ID"));
	ctl_doc_free(&doc);
}
END_TEST

START_TEST(test_table_extra_columns)
{
	struct ctl_doc doc;
	struct ctl_section *cs;

	/* A daemon that grew a column; a row with an extra trailing field. */
	ctl_text_parse("ID NEWCOL RES TP PATH\r\n"
	    "3 0x1000 5 dv dev/ram0 (deleted)\n"
	    "4 - 6 sg dev/sg0\n", &doc);
	cs = &doc.cd_sections[0];
	ck_assert_uint_eq(cs->cs_ncols, 5);
	ck_assert_int_eq(ctl_section_col(cs, "RES"), 2);
	ck_assert_str_eq(cs->cs_rows[0][4], "dev/ram0 (deleted)");
	ck_assert_str_eq(cs->cs_rows[1][1], "-");
	/* "0x1000" and "-" are not JSON numbers. */
	ck_assert(!cs->cs_numeric[1]);
	ck_assert(cs->cs_numeric[2]);
	ctl_doc_free(&doc);
}
END_TEST

START_TEST(test_kv_parse)
{
	struct ctl_doc doc;
	struct ctl_section *cs;

	ctl_text_parse("faults: 12\nfault_latency_p50_us:   3.5\n"
	    "type: device\npath: dev/a b\nempty:\n\n", &doc);
	ck_assert_uint_eq(doc.cd_nsections, 1);
	cs = &doc.cd_sections[0];
	ck_assert_int_eq(cs->cs_kind, CTL_SECTION_KV);
	ck_assert_uint_eq(cs->cs_nrows, 5);
	ck_assert_str_eq(ctl_section_get(cs, "faults"), "12");
	ck_assert_str_eq(ctl_section_get(cs, "fault_latency_p50_us"), "3.5");
	ck_assert_str_eq(ctl_section_get(cs, "path"), "dev/a b");
	ck_assert_str_eq(ctl_section_get(cs, "empty"), "");
	ck_assert_ptr_null(ctl_section_get(cs, "missing"));
	ck_assert_int_eq(ctl_section_col(cs, "faults"), -1);
	ctl_doc_free(&doc);
}
END_TEST

START_TEST(test_sections)
{
	struct ctl_doc doc;

	/* vm/phys-like: blank-line separated sections of either shape. */
	ctl_text_parse("\nSTART END TYPE\n0x0 0x1000 ram\n\n\n"
	    "segments: 1\nfictitious: 0\n", &doc);
	ck_assert_uint_eq(doc.cd_nsections, 2);
	ck_assert_int_eq(doc.cd_sections[0].cs_kind, CTL_SECTION_TABLE);
	ck_assert_uint_eq(doc.cd_sections[0].cs_nrows, 1);
	ck_assert_int_eq(doc.cd_sections[1].cs_kind, CTL_SECTION_KV);
	ck_assert_uint_eq(doc.cd_sections[1].cs_nrows, 2);
	ctl_doc_free(&doc);
	/* A table whose rows hold colons is still a table. */
	ctl_text_parse("NAME SPEC\nx return(5)\n", &doc);
	ck_assert_int_eq(doc.cd_sections[0].cs_kind, CTL_SECTION_TABLE);
	ctl_doc_free(&doc);
	ctl_text_parse("", &doc);
	ck_assert_uint_eq(doc.cd_nsections, 0);
	ctl_doc_free(&doc);
}
END_TEST

START_TEST(test_is_number)
{
	static const char *yes[] = { "0", "7", "-3", "12345678901234567890",
	    "1.5", "-0.25", "1e9", "2E-3", "0.0e+1" };
	static const char *no[] = { "", "-", "+1", "01", "0644", "0x10",
	    "1M", "1.", ".5", "1e", "1e+", " 1", "1 ", "NaN", "inf", "--1" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(ctl_is_number(yes[i]), "%s", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!ctl_is_number(no[i]), "%s", no[i]);
}
END_TEST

START_TEST(test_json_escape)
{
	struct ctl_buf cb;

	ctl_buf_init(&cb);
	ctl_json_string(&cb, "a\"b\\c/d");
	ck_assert_str_eq(ctl_buf_str(&cb), "\"a\\\"b\\\\c/d\"");
	ctl_buf_reset(&cb);
	ctl_json_string(&cb, "\n\t\r\b\f\x01\x1f\x7f");
	ck_assert_str_eq(ctl_buf_str(&cb),
	    "\"\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"");
	ctl_buf_reset(&cb);
	/* Valid UTF-8 passes; stray, overlong and surrogate bytes do not. */
	ctl_json_string(&cb, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xff|"
	    "\xc0\xaf|\xed\xa0\x80|\xc3");
	ck_assert_str_eq(ctl_buf_str(&cb), "\"\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
	    "\\ufffd\"");
	ctl_buf_reset(&cb);
	ctl_json_string(&cb, NULL);
	ck_assert_str_eq(ctl_buf_str(&cb), "null");
	ctl_buf_reset(&cb);
	ctl_json_value(&cb, "42", true);
	ctl_json_value(&cb, "42", false);
	ctl_json_value(&cb, "0x2a", true);
	ck_assert_str_eq(ctl_buf_str(&cb), "42\"42\"\"0x2a\"");
	ctl_buf_free(&cb);
}
END_TEST

START_TEST(test_json_table)
{
	char *j;

	j = json_of(objects_text);
	ck_assert_str_eq(j, "[\n"
	    "  {\"id\": 1, \"res\": 4, \"act\": 0, \"inact\": 0, \"ref\": 1, "
	    "\"shd\": 0, \"cm\": \"WB\", \"tp\": \"dv\", "
	    "\"path\": \"dev/ram0\"},\n"
	    "  {\"id\": 12, \"res\": 0, \"act\": 0, \"inact\": 0, \"ref\": 2, "
	    "\"shd\": 0, \"cm\": \"WC\", \"tp\": \"md\", "
	    "\"path\": \"dev/my gem#3\"},\n"
	    "  {\"id\": 7, \"res\": 1, \"act\": null, \"inact\": null, "
	    "\"ref\": null, \"shd\": null, \"cm\": null, \"tp\": null, "
	    "\"path\": null}\n"
	    "]\n");
	free(j);
	/* Header only: an empty array.  Duplicate names get a suffix. */
	j = json_of("UID RESERVED LIMIT FAILURES\n");
	ck_assert_str_eq(j, "[]\n");
	free(j);
	j = json_of("A a\n\"q\" 2\n");
	ck_assert_str_eq(j, "[\n  {\"a\": \"\\\"q\\\"\", \"a_2\": 2}\n]\n");
	free(j);
}
END_TEST

START_TEST(test_json_kv_and_doc)
{
	char *j;

	j = json_of("faults: 18446744073709551615\nname: ram0\n"
	    "mode: 0644\nratio: 0.5\nnote: say \"hi\"\\\n");
	ck_assert_str_eq(j, "{\n"
	    "  \"faults\": 18446744073709551615,\n"
	    "  \"name\": \"ram0\",\n"
	    "  \"mode\": \"0644\",\n"
	    "  \"ratio\": 0.5,\n"
	    "  \"note\": \"say \\\"hi\\\"\\\\\"\n"
	    "}\n");
	free(j);
	j = json_of("");
	ck_assert_str_eq(j, "[]\n");
	free(j);
	j = json_of("X Y\n1 a\n\nk: v\n");
	ck_assert_str_eq(j, "[\n"
	    "  [\n    {\"x\": 1, \"y\": \"a\"}\n  ],\n"
	    "  {\n    \"k\": \"v\"\n  }\n"
	    "]\n");
	free(j);
}
END_TEST

START_TEST(test_json_reply)
{
	struct ctl_buf cb;

	ctl_buf_init(&cb);
	ctl_json_reply(&cb, "handle=3 offset=0x10000 size=4096");
	ck_assert_str_eq(ctl_buf_str(&cb),
	    "{\"handle\": 3, \"offset\": \"0x10000\", \"size\": 4096}\n");
	ctl_buf_reset(&cb);
	ctl_json_reply(&cb, "");
	ck_assert_str_eq(ctl_buf_str(&cb), "{}\n");
	ctl_buf_reset(&cb);
	ctl_json_reply(&cb, "wrote /tmp/a.png 640x480");
	ck_assert_str_eq(ctl_buf_str(&cb),
	    "{\"reply\": \"wrote /tmp/a.png 640x480\"}\n");
	ctl_buf_reset(&cb);
	ctl_json_reply(&cb, "a=1 =2");
	ck_assert_str_eq(ctl_buf_str(&cb), "{\"reply\": \"a=1 =2\"}\n");
	ctl_buf_free(&cb);
}
END_TEST

START_TEST(test_cmd_join)
{
	char *argv[] = { W("gem"), W("gem0"), W("create"), W("size=1M"),
	    W("placement=vram") };
	char *s;

	s = ctl_cmd_join(5, argv);
	ck_assert_str_eq(s, "gem gem0 create size=1M placement=vram");
	free(s);
	s = ctl_cmd_join(1, argv);
	ck_assert_str_eq(s, "gem");
	free(s);
	s = ctl_cmd_join(0, argv);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_cmd_check_accepts)
{
	static char *const ok[][6] = {
		{ W("create"), W("ram1"), W("driver=ram"), NULL },
		{ W("create"), W("ram1"), W("size=1M"), W("driver=ram"),
		    W("memattr=wc"), NULL },
		{ W("destroy"), W("ram1"), NULL },
		{ W("revoke"), W("ram1"), NULL },
		{ W("revoke"), W("ram1"), W("offset=4K"), W("length=8K"),
		    NULL },
		{ W("memattr"), W("ram1"), W("uc-"), NULL },
		{ W("gem"), W("gem0"), W("create"), W("size=64K"),
		    W("placement=system"), NULL },
		{ W("gem"), W("gem0"), W("destroy"), W("handle=1"), NULL },
		/* Not the client's business: the daemon judges these. */
		{ W("gem"), W("gem0"), W("frobnicate"), NULL },
		{ W("create"), W("x"), W("driver=nosuch"), W("size=banana"),
		    NULL },
		{ W("swap"), W("limit"), W("uid=1000"), W("size=16M"), NULL },
		{ W("fb"), W("fb0"), W("snapshot"), W("path=/tmp/a.png"),
		    NULL },
	};
	char err[256];
	size_t i;
	int argc;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		for (argc = 0; ok[i][argc] != NULL; argc++)
			;
		err[0] = '\0';
		ck_assert_msg(ctl_cmd_check(argc, ok[i], err,
		    sizeof(err)) == 0, "case %zu: %s", i, err);
	}
}
END_TEST

START_TEST(test_cmd_check_refuses)
{
	static const struct {
		char	*argv[5];
		const char *msg;
	} bad[] = {
		{ { W("create"), W("ram1") }, "usage: create" },
		{ { W("create"), W("ram1"), W("size=1M") }, "driver=" },
		{ { W("create"), W("ram1"), W("driver=") }, "KEY=VALUE" },
		{ { W("create"), W("ram1"), W("=ram") }, "KEY=VALUE" },
		{ { W("create"), W("ram1"), W("driver") }, "KEY=VALUE" },
		{ { W("create"), W("a b"), W("driver=ram") }, "blank" },
		{ { W("create"), W("ram1"), W("driver=ram\nx") }, "blank" },
		{ { W("destroy"), W("") }, "empty" },
		{ { W("destroy") }, "usage: destroy" },
		{ { W("destroy"), W("a"), W("b") }, "usage: destroy" },
		{ { W("revoke"), W("a"), W("offset=0"), W("length=1"),
		    W("x=2") }, "usage: revoke" },
		{ { W("revoke"), W("a"), W("4096") }, "KEY=VALUE" },
		{ { W("memattr"), W("a") }, "usage: memattr" },
		{ { W("gem"), W("gem0") }, "usage: gem" },
		{ { W("gem"), W("gem0"), W("create"), W("1M") }, "KEY=VALUE" },
		{ { W("swap"), W("unlimit"), W("uid=1") }, "usage: swap" },
		{ { W("swap"), W("limit") }, "usage: swap" },
		{ { W("fb"), W("fb0"), W("snap"), W("path=/a") }, "usage: fb" },
		{ { W("frob") }, "unknown command" },
	};
	char err[256];
	size_t i;
	int argc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (argc = 0; argc < 5 && bad[i].argv[argc] != NULL; argc++)
			;
		err[0] = '\0';
		ck_assert_msg(ctl_cmd_check(argc, bad[i].argv, err,
		    sizeof(err)) == -1, "case %zu accepted", i);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL,
		    "case %zu: '%s' lacks '%s'", i, err, bad[i].msg);
	}
}
END_TEST

START_TEST(test_names_and_words)
{

	ck_assert(ctl_name_ok("12"));
	ck_assert(ctl_name_ok("dev_pager_fault"));
	ck_assert(ctl_name_ok("..."));
	ck_assert(!ctl_name_ok(""));
	ck_assert(!ctl_name_ok("."));
	ck_assert(!ctl_name_ok(".."));
	ck_assert(!ctl_name_ok("../../etc/passwd"));
	ck_assert(!ctl_name_ok("a/b"));
	ck_assert(ctl_word_ok("uc-"));
	ck_assert(!ctl_word_ok(""));
	ck_assert(!ctl_word_ok("a b"));
	ck_assert(!ctl_word_ok("a\tb"));
	ck_assert(!ctl_word_ok("a\x7f"));
	ck_assert(ctl_kv_word_ok("k=v=w"));
	ck_assert(!ctl_kv_word_ok("k="));
	ck_assert(!ctl_kv_word_ok("=v"));
}
END_TEST

START_TEST(test_abs_path)
{
	char tmpl[] = "/tmp/check_ctl_dir.XXXXXX";
	char err[PATH_MAX + 256], sub[PATH_MAX], want[PATH_MAX * 2];
	char *dir, *real, *out, *cwd;

	dir = mkdtemp(tmpl);
	ck_assert_ptr_nonnull(dir);
	real = realpath(dir, NULL);
	ck_assert_ptr_nonnull(real);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	cwd = getcwd(NULL, 0);
	ck_assert_ptr_nonnull(cwd);
	ck_assert_int_eq(chdir(sub), 0);

	ck_assert_int_eq(ctl_abs_path("out.png", &out, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/sub/out.png", real);
	ck_assert_str_eq(out, want);
	free(out);
	/* The directory is resolved; the file need not exist. */
	ck_assert_int_eq(ctl_abs_path("../sub/./x.png", &out, err,
	    sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/sub/x.png", real);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(ctl_abs_path("/y.png", &out, err, sizeof(err)), 0);
	ck_assert_str_eq(out, "/y.png");
	free(out);
	ck_assert_int_eq(ctl_abs_path("nodir/x.png", &out, err, sizeof(err)),
	    ENOENT);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(strstr(err, "nodir"));
	ck_assert_int_eq(ctl_abs_path("sub/", &out, err, sizeof(err)),
	    EINVAL);
	ck_assert_int_eq(ctl_abs_path("..", &out, err, sizeof(err)), EINVAL);
	ck_assert_int_eq(ctl_abs_path("a b.png", &out, err, sizeof(err)),
	    EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "blanks"));

	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	free(cwd);
	free(real);
}
END_TEST

START_TEST(test_transact_readback)
{
	struct ctl_buf reply, msg, before;
	char *path;
	int error;

	/*
	 * On a regular file the protocol's mechanics are visible: one write
	 * at offset 0, then the reply read back from offset 0 on the same
	 * descriptor.
	 */
	path = write_temp("old spec");
	ctl_buf_init(&reply);
	ctl_buf_init(&msg);
	ctl_buf_init(&before);
	error = ctl_transact(path, "create a driver=ram", &reply, &msg,
	    &before);
	ck_assert_int_eq(error, 0);
	ck_assert_str_eq(ctl_buf_str(&before), "old spec");
	ck_assert_str_eq(ctl_buf_str(&reply), "create a driver=ram");
	ck_assert_uint_eq(msg.cb_len, 0);
	ck_assert_int_eq(unlink(path), 0);
	free(path);

	/* Open failure: the message names the path. */
	ctl_buf_reset(&reply);
	error = ctl_transact("/nonexistent/vm/ctl", "x", &reply, &msg, NULL);
	ck_assert_int_eq(error, ENOENT);
	ck_assert_ptr_nonnull(strstr(ctl_buf_str(&msg), "/nonexistent/vm/ctl"));

	/*
	 * A refused write whose read-back is not text (here /dev/full: the
	 * write fails, reads give NULs forever): bounded, and no message, so
	 * the caller falls back to strerror.
	 */
	ctl_buf_reset(&msg);
	error = ctl_transact("/dev/full", "destroy a", &reply, &msg, NULL);
	ck_assert_int_eq(error, ENOSPC);
	ck_assert_uint_eq(msg.cb_len, 0);
	ck_assert_str_eq(ctl_buf_str(&msg), "");
	ctl_buf_free(&reply);
	ctl_buf_free(&msg);
	ctl_buf_free(&before);
}
END_TEST

START_TEST(test_top_rate)
{

	ck_assert(ctl_top_rate(100, 150, 0.5) == 100.0);
	ck_assert(ctl_top_rate(0, 0, 1.0) == 0.0);
	/* Backwards (an ID reused): counted from zero. */
	ck_assert(ctl_top_rate(500, 20, 2.0) == 10.0);
	ck_assert(ctl_top_rate(1, 9, 0.0) == 0.0);
	ck_assert(ctl_top_rate(1, 9, -1.0) == 0.0);
	ck_assert_uint_eq(ctl_top_counter("faults: 42\nx: 1\n", "faults"), 42);
	ck_assert_uint_eq(ctl_top_counter("x: 1\n", "faults"), 0);
	ck_assert_uint_eq(ctl_top_counter("faults: many\n", "faults"), 0);
	ck_assert_uint_eq(ctl_top_counter("faults: 99999999999999999999\n",
	    "faults"), 0);
	ck_assert_uint_eq(ctl_top_counter("", "faults"), 0);
}
END_TEST

START_TEST(test_top_compute)
{
	struct ctl_top_sample prev, cur;

	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	ctl_top_parse_objects("ID RES TP PATH\n1 3 dv dev/ram0\n"
	    "2 0 md dev/gem0#1\n3 0 dv dev/gone\n", &prev);
	ck_assert_uint_eq(prev.ts_n, 3);
	prev.ts_objs[0].to_faults = 100;
	prev.ts_objs[1].to_faults = 10;
	prev.ts_objs[2].to_faults = 5;
	prev.ts_time = 10.0;
	prev.ts_faults = 1000;
	/* Columns in another order, plus one the client does not know. */
	ctl_top_parse_objects("PATH TP NEW ID RES\ndev/ram0 dv x 1 4\n"
	    "dev/gem0#1 md x 2 1\ndev/new x x 9 2\n", &cur);
	ck_assert_uint_eq(cur.ts_n, 3);
	ck_assert_str_eq(cur.ts_objs[2].to_id, "9");
	ck_assert_str_eq(cur.ts_objs[2].to_path, "dev/new");
	cur.ts_objs[0].to_faults = 110;		/* 20/s */
	cur.ts_objs[1].to_faults = 60;		/* 100/s */
	cur.ts_objs[2].to_faults = 15;		/* new: 30/s */
	cur.ts_time = 10.5;
	cur.ts_faults = 1100;
	cur.ts_errors = 3;
	ctl_top_compute(&prev, &cur);
	ck_assert(cur.ts_dt == 0.5);
	ck_assert(cur.ts_rate == 200.0);
	ck_assert(cur.ts_err_rate == 6.0);
	/* Sorted by rate; the vanished object 3 is simply absent. */
	ck_assert_str_eq(cur.ts_objs[0].to_id, "2");
	ck_assert(cur.ts_objs[0].to_rate == 100.0);
	ck_assert(!cur.ts_objs[0].to_new);
	ck_assert_str_eq(cur.ts_objs[1].to_id, "9");
	ck_assert(cur.ts_objs[1].to_rate == 30.0);
	ck_assert(cur.ts_objs[1].to_new);
	ck_assert_str_eq(cur.ts_objs[2].to_id, "1");
	ck_assert(cur.ts_objs[2].to_rate == 20.0);
	ck_assert_str_eq(cur.ts_objs[2].to_res, "4");
	ctl_top_sample_free(&prev);
	ctl_top_sample_free(&cur);
}
END_TEST

START_TEST(test_top_order_and_render)
{
	struct ctl_top_sample cur;
	struct ctl_buf cb;
	const char *s, *a, *b, *c;

	memset(&cur, 0, sizeof(cur));
	/* Equal rates: more faults first, then numeric ID order (10 > 9). */
	ctl_top_parse_objects("ID TP PATH\n10 dv dev/a\n9 dv dev/b\n"
	    "11 dv dev/c\n", &cur);
	cur.ts_objs[0].to_faults = 5;
	cur.ts_objs[1].to_faults = 5;
	cur.ts_objs[2].to_faults = 7;
	ctl_top_compute(NULL, &cur);
	ck_assert_str_eq(cur.ts_objs[0].to_id, "11");
	ck_assert_str_eq(cur.ts_objs[1].to_id, "9");
	ck_assert_str_eq(cur.ts_objs[2].to_id, "10");
	ctl_buf_init(&cb);
	ctl_top_render(&cb, "/mnt", &cur, 0);
	s = ctl_buf_str(&cb);
	ck_assert_ptr_nonnull(strstr(s, "FAULTS/S"));
	a = strstr(s, "dev/c");
	b = strstr(s, "dev/b");
	c = strstr(s, "dev/a");
	ck_assert(a != NULL && b != NULL && c != NULL && a < b && b < c);
	ctl_buf_reset(&cb);
	ctl_top_render(&cb, "/mnt", &cur, 1);
	ck_assert_ptr_null(strstr(ctl_buf_str(&cb), "dev/b"));
	ctl_buf_reset(&cb);
	ctl_top_render_json(&cb, &cur);
	s = ctl_buf_str(&cb);
	ck_assert_ptr_nonnull(strstr(s, "{\"id\": 11, \"faults\": 7, "
	    "\"faults_per_s\": 0.000, \"res\": null, \"tp\": \"dv\", "
	    "\"path\": \"dev/c\"}"));
	ck_assert_int_eq(s[strlen(s) - 1], '\n');
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1);
	ctl_buf_free(&cb);
	ctl_top_sample_free(&cur);
}
END_TEST

START_TEST(test_buf)
{
	struct ctl_buf cb;
	char *s;
	int i;

	ctl_buf_init(&cb);
	ck_assert_str_eq(ctl_buf_str(&cb), "");
	for (i = 0; i < 1000; i++)
		ctl_buf_printf(&cb, "%04d", i);
	ck_assert_uint_eq(cb.cb_len, 4000);
	ck_assert(strncmp(ctl_buf_str(&cb) + 3996, "0999", 4) == 0);
	ctl_buf_reset(&cb);
	ctl_buf_puts(&cb, "x \n\t\n");
	ctl_buf_rstrip(&cb);
	ck_assert_str_eq(ctl_buf_str(&cb), "x");
	s = ctl_buf_take(&cb);
	ck_assert_str_eq(s, "x");
	ck_assert_ptr_null(cb.cb_data);
	free(s);
}
END_TEST

Suite *
ctl_client_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("ctl_client");
	tc = tcase_create("mount");
	tcase_add_test(tc, test_mountinfo_none);
	tcase_add_test(tc, test_mountinfo_one_escaped);
	tcase_add_test(tc, test_mountinfo_two_from_file);
	tcase_add_test(tc, test_mount_unescape);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_test(tc, test_table_parse);
	tcase_add_test(tc, test_table_extra_columns);
	tcase_add_test(tc, test_kv_parse);
	tcase_add_test(tc, test_sections);
	tcase_add_test(tc, test_is_number);
	tcase_add_test(tc, test_buf);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json_escape);
	tcase_add_test(tc, test_json_table);
	tcase_add_test(tc, test_json_kv_and_doc);
	tcase_add_test(tc, test_json_reply);
	suite_add_tcase(s, tc);
	tc = tcase_create("cmd");
	tcase_add_test(tc, test_cmd_join);
	tcase_add_test(tc, test_cmd_check_accepts);
	tcase_add_test(tc, test_cmd_check_refuses);
	tcase_add_test(tc, test_names_and_words);
	tcase_add_test(tc, test_abs_path);
	tcase_add_test(tc, test_transact_readback);
	suite_add_tcase(s, tc);
	tc = tcase_create("top");
	tcase_add_test(tc, test_top_rate);
	tcase_add_test(tc, test_top_compute);
	tcase_add_test(tc, test_top_order_and_render);
	suite_add_tcase(s, tc);
	return (s);
}
