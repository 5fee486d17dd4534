/*
 * devpagerctl heatmap: the font, the cells built from info and pages
 * text (states, groups, sizes, bad input), the picture (every cell's
 * colour, the legend, the path's glyphs), the PNG as decoded by the
 * tests' own reader, the JSON, and object lookup by path.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_canvas.h"
#include "ctl/ctl_font.h"
#include "ctl/ctl_heatmap.h"
#include "check_devpager.h"
#include "png_read.h"

#define	PAGES_HEADER							\
	"    PINDEX               PHYS FLAGS VALID DIRTY HOLD  CM MAPPINGS " \
	"WINDOW\n"
#define	PAGE(pindex, dirty, hold)					\
	"    " #pindex " 0x0000100000000000    FU  0xff  " #dirty "    "	\
	#hold " WB         0 ram1\n"

static char	hm_tmp[64];

static void	hm_tmp_setup(void);
static void	hm_tmp_teardown(void);
static int	count_entries(const char *dir);
static void	build_ok(struct ctl_heatmap *hm, const char *info,
		    const char *pages);

static void
hm_tmp_setup(void)
{

	snprintf(hm_tmp, sizeof(hm_tmp), "/tmp/check_heatmap.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(hm_tmp));
}

static void
hm_tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hm_tmp);
	(void)system(cmd);
}

static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n;

	d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	n = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return (n);
}

static void
build_ok(struct ctl_heatmap *hm, const char *info, const char *pages)
{
	char err[256];

	err[0] = '\0';
	ck_assert_msg(ctl_heatmap_build(hm, "3", info, pages, err,
	    sizeof(err)) == 0, "build: %s", err);
}

/* Every glyph is 7 rows of 5 dots; no two printable characters share
 * one; anything else draws as '?'. */
START_TEST(test_font_glyphs)
{
	const char *row;
	unsigned c, d, r, col;
	bool same, any;

	for (c = CTL_FONT_FIRST; c <= CTL_FONT_LAST; c++) {
		any = false;
		for (r = 0; r < CTL_FONT_HEIGHT; r++) {
			row = ctl_font_row((unsigned char)c, r);
			ck_assert_ptr_nonnull(row);
			ck_assert_uint_eq(strlen(row), CTL_FONT_WIDTH);
			ck_assert_msg(strspn(row, ".#") == CTL_FONT_WIDTH,
			    "glyph %#x row %u: '%s'", c, r, row);
			for (col = 0; col < CTL_FONT_WIDTH; col++) {
				ck_assert(ctl_font_dot((unsigned char)c, col,
				    r) == (row[col] == '#'));
				any |= row[col] == '#';
			}
		}
		/* Only the space is blank. */
		ck_assert_msg(any == (c != ' '), "glyph %#x", c);
		for (d = CTL_FONT_FIRST; d < c; d++) {
			same = true;
			for (r = 0; r < CTL_FONT_HEIGHT; r++)
				same &= strcmp(ctl_font_row((unsigned char)c,
				    r), ctl_font_row((unsigned char)d, r)) == 0;
			ck_assert_msg(!same, "'%c' and '%c' look the same",
			    c, d);
		}
	}
	ck_assert_ptr_null(ctl_font_row('A', CTL_FONT_HEIGHT));
	ck_assert(!ctl_font_dot('A', CTL_FONT_WIDTH, 0));
	for (r = 0; r < CTL_FONT_HEIGHT; r++) {
		ck_assert_str_eq(ctl_font_row(0x07, r), ctl_font_row('?', r));
		ck_assert_str_eq(ctl_font_row(0xe9, r), ctl_font_row('?', r));
	}
	ck_assert_uint_eq(ctl_font_text_width("", 1), 0);
	ck_assert_uint_eq(ctl_font_text_width("a", 1), 5);
	ck_assert_uint_eq(ctl_font_text_width("ab", 1), 11);
	ck_assert_uint_eq(ctl_font_text_width("ab", 2), 22);
}
END_TEST

/* One page per cell: each page in its strongest state. */
START_TEST(test_build_states)
{
	struct ctl_heatmap hm;
	size_t i;

	build_ok(&hm, "id: 3\ntype: dv\nsize: 100\nfaults: 9\n"
	    "path: dev/ram1\n",
	    PAGES_HEADER
	    PAGE(0, 0x00, 0)
	    PAGE(5, 0xff, 0)
	    PAGE(7, 0x01, 2)
	    PAGE(8, 0x00, 1)
	    PAGE(99, 0x00, 0)
	    PAGE(150, 0x00, 0));
	ck_assert_str_eq(hm.hm_path, "dev/ram1");
	ck_assert_str_eq(hm.hm_type, "dv");
	ck_assert_uint_eq(hm.hm_size, 100);
	ck_assert(hm.hm_faults_known);
	ck_assert_uint_eq(hm.hm_faults, 9);
	ck_assert_uint_eq(hm.hm_per_cell, 1);
	ck_assert_uint_eq(hm.hm_ncells, 100);
	for (i = 0; i < hm.hm_ncells; i++) {
		enum ctl_hm_state want;

		switch (i) {
		case 0: case 99: want = CTL_HM_RESIDENT; break;
		case 5: want = CTL_HM_DIRTY; break;
		case 7: case 8: want = CTL_HM_HELD; break;
		default: want = CTL_HM_ABSENT; break;
		}
		ck_assert_msg(hm.hm_cells[i].hc_state == want,
		    "cell %zu: state %d, want %d", i,
		    (int)hm.hm_cells[i].hc_state, (int)want);
		ck_assert_uint_eq(hm.hm_cells[i].hc_first, i);
		ck_assert_uint_eq(hm.hm_cells[i].hc_npages, 1);
		ck_assert_uint_eq(hm.hm_cells[i].hc_count[want], 1);
	}
	ck_assert_uint_eq(hm.hm_count[CTL_HM_ABSENT], 95);
	ck_assert_uint_eq(hm.hm_count[CTL_HM_RESIDENT], 2);
	ck_assert_uint_eq(hm.hm_count[CTL_HM_DIRTY], 1);
	ck_assert_uint_eq(hm.hm_count[CTL_HM_HELD], 2);
	/* Page 150 is past the object's end: counted, not drawn. */
	ck_assert_uint_eq(hm.hm_beyond, 1);
	ck_assert_str_eq(hm.hm_title, "dev/ram1");
	ck_assert_str_eq(hm.hm_subtitle, "object 3, type dv, 100 pages, "
	    "1 page per cell, 9 faults");
	ck_assert_str_eq(hm.hm_legend[CTL_HM_ABSENT], "not resident 95");
	ck_assert_str_eq(hm.hm_legend[CTL_HM_HELD], "held 2");
	/* 64 columns, 2 rows. */
	ck_assert_uint_eq(hm.hm_layout.hl_columns, 64);
	ck_assert_uint_eq(hm.hm_layout.hl_rows, 2);
	ck_assert_uint_eq(hm.hm_layout.hl_grid_x, 8);
	ck_assert_uint_eq(hm.hm_layout.hl_grid_y, 43);
	ctl_heatmap_free(&hm);
}
END_TEST

/* Large objects: the smallest group that fits in CTL_HM_MAX_CELLS; a
 * group shows its strongest page; the last group may be short. */
START_TEST(test_build_groups)
{
	struct ctl_heatmap hm;

	build_ok(&hm, "size: 4096\n", PAGES_HEADER);
	ck_assert_uint_eq(hm.hm_per_cell, 1);
	ck_assert_uint_eq(hm.hm_ncells, 4096);
	ck_assert_uint_eq(hm.hm_layout.hl_rows, 64);
	ctl_heatmap_free(&hm);

	build_ok(&hm, "size: 4097\n", PAGES_HEADER);
	ck_assert_uint_eq(hm.hm_per_cell, 2);
	ck_assert_uint_eq(hm.hm_ncells, 2049);
	ck_assert_uint_eq(hm.hm_cells[2048].hc_first, 4096);
	ck_assert_uint_eq(hm.hm_cells[2048].hc_npages, 1);
	ctl_heatmap_free(&hm);

	build_ok(&hm, "size: 10000\n", PAGES_HEADER
	    PAGE(4, 0x00, 0)
	    PAGE(5, 0x10, 0)
	    PAGE(9, 0x00, 0)
	    PAGE(9999, 0x00, 0));
	ck_assert_uint_eq(hm.hm_per_cell, 3);
	ck_assert_uint_eq(hm.hm_ncells, 3334);
	ck_assert_uint_eq(hm.hm_cells[1].hc_first, 3);
	ck_assert_int_eq(hm.hm_cells[0].hc_state, CTL_HM_ABSENT);
	ck_assert_int_eq(hm.hm_cells[1].hc_state, CTL_HM_DIRTY);
	ck_assert_uint_eq(hm.hm_cells[1].hc_count[CTL_HM_ABSENT], 1);
	ck_assert_uint_eq(hm.hm_cells[1].hc_count[CTL_HM_RESIDENT], 1);
	ck_assert_uint_eq(hm.hm_cells[1].hc_count[CTL_HM_DIRTY], 1);
	ck_assert_int_eq(hm.hm_cells[3].hc_state, CTL_HM_RESIDENT);
	ck_assert_uint_eq(hm.hm_cells[3333].hc_npages, 1);
	ck_assert_int_eq(hm.hm_cells[3333].hc_state, CTL_HM_RESIDENT);
	ck_assert_uint_eq(hm.hm_count[CTL_HM_ABSENT], 9996);
	ck_assert_str_eq(hm.hm_subtitle, "object 3, 10000 pages, 3 pages "
	    "per cell");
	/* No path: the title names the object. */
	ck_assert_str_eq(hm.hm_title, "object 3");
	ctl_heatmap_free(&hm);

	/* A huge object still has at most CTL_HM_MAX_CELLS cells. */
	build_ok(&hm, "size: 68719476736\n", PAGES_HEADER
	    PAGE(68719476735, 0x00, 0));
	ck_assert_uint_le(hm.hm_ncells, CTL_HM_MAX_CELLS);
	ck_assert_uint_eq(hm.hm_per_cell, 16777216);
	ck_assert_int_eq(hm.hm_cells[hm.hm_ncells - 1].hc_state,
	    CTL_HM_RESIDENT);
	ctl_heatmap_free(&hm);
}
END_TEST

/* Without `size' in info the pages size the object; an empty one draws
 * no cell; a short object fewer columns. */
START_TEST(test_build_sizes)
{
	struct ctl_heatmap hm;

	build_ok(&hm, "path: dev/x\n", PAGES_HEADER PAGE(41, 0x00, 0));
	ck_assert_uint_eq(hm.hm_size, 42);
	ck_assert_uint_eq(hm.hm_ncells, 42);
	ck_assert_uint_eq(hm.hm_layout.hl_columns, 42);
	ck_assert_uint_eq(hm.hm_layout.hl_rows, 1);
	ck_assert(!hm.hm_faults_known);
	ctl_heatmap_free(&hm);

	build_ok(&hm, "size: 0\n", PAGES_HEADER PAGE(0, 0x00, 0));
	ck_assert_uint_eq(hm.hm_size, 0);
	ck_assert_uint_eq(hm.hm_ncells, 0);
	ck_assert_uint_eq(hm.hm_beyond, 1);
	ck_assert_uint_eq(hm.hm_layout.hl_rows, 0);
	ck_assert_uint_gt(hm.hm_layout.hl_width, 0);
	ctl_heatmap_free(&hm);

	/* Missing DIRTY and HOLD columns: plain resident pages. */
	build_ok(&hm, "size: 4\n", "PINDEX\n2\n");
	ck_assert_int_eq(hm.hm_cells[2].hc_state, CTL_HM_RESIDENT);
	ctl_heatmap_free(&hm);
}
END_TEST

/* Input that is not what the daemon serves is refused, with a message. */
START_TEST(test_build_errors)
{
	struct ctl_heatmap hm;
	char err[256];

	err[0] = '\0';
	ck_assert_int_eq(ctl_heatmap_build(&hm, "3", "size: 4\n",
	    "PAGE PHYS\n1 0x0\n", err, sizeof(err)), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "PINDEX"));
	ctl_heatmap_free(&hm);
	err[0] = '\0';
	ck_assert_int_eq(ctl_heatmap_build(&hm, "3", "size: 4\n",
	    "PINDEX DIRTY\nx 0x0\n", err, sizeof(err)), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'x'"));
	ctl_heatmap_free(&hm);
	err[0] = '\0';
	ck_assert_int_eq(ctl_heatmap_build(&hm, "3", "size: 4M\n",
	    PAGES_HEADER, err, sizeof(err)), EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'4M'"));
	ctl_heatmap_free(&hm);
	err[0] = '\0';
	ck_assert_int_eq(ctl_heatmap_build(&hm, "3", "size: 4\n",
	    "PINDEX\n-1\n", err, sizeof(err)), EINVAL);
	ctl_heatmap_free(&hm);
}
END_TEST

/* The picture: every cell in its state's colour, gaps in the background,
 * the legend's swatches, and the path's first glyph dot for dot. */
START_TEST(test_draw)
{
	struct ctl_heatmap hm;
	struct ctl_canvas cv;
	unsigned x, y, col, row, lx;
	size_t i;
	int s;

	build_ok(&hm, "size: 130\npath: dev/ram1\n", PAGES_HEADER
	    PAGE(1, 0x00, 0)
	    PAGE(64, 0x03, 0)
	    PAGE(129, 0x00, 3));
	ck_assert_int_eq(ctl_heatmap_draw(&hm, &cv), 0);
	ck_assert_uint_eq(cv.cv_width, hm.hm_layout.hl_width);
	ck_assert_uint_eq(cv.cv_height, hm.hm_layout.hl_height);
	for (i = 0; i < hm.hm_ncells; i++) {
		ctl_heatmap_cell_xy(&hm, i, &x, &y);
		ck_assert_uint_eq(x, 8 + 8 * (i % 64));
		ck_assert_uint_eq(y, 43 + 8 * (i / 64));
		ck_assert_uint_eq(ctl_canvas_pixel(&cv, x, y),
		    ctl_hm_state_rgb(hm.hm_cells[i].hc_state));
		ck_assert_uint_eq(ctl_canvas_pixel(&cv, x + CTL_HM_CELL - 1,
		    y + CTL_HM_CELL - 1),
		    ctl_hm_state_rgb(hm.hm_cells[i].hc_state));
		ck_assert_uint_eq(ctl_canvas_pixel(&cv, x + CTL_HM_CELL, y),
		    CTL_HM_RGB_BACKGROUND);
	}
	ck_assert_uint_eq(ctl_canvas_pixel(&cv, 8 + 8, 43),
	    CTL_HM_RGB_RESIDENT);
	ck_assert_uint_eq(ctl_canvas_pixel(&cv, 8, 43 + 8), CTL_HM_RGB_DIRTY);
	ck_assert_uint_eq(ctl_canvas_pixel(&cv, 8 + 8, 43 + 16),
	    CTL_HM_RGB_HELD);
	ck_assert_uint_eq(ctl_canvas_pixel(&cv, 8, 43), CTL_HM_RGB_ABSENT);
	/* The legend: four swatches in state order. */
	lx = CTL_HM_MARGIN;
	for (s = 0; s < CTL_HM_NSTATES; s++) {
		ck_assert_uint_eq(ctl_canvas_pixel(&cv, lx,
		    hm.hm_layout.hl_legend_y), ctl_hm_state_rgb(s));
		lx += CTL_HM_CELL + 4 + ctl_font_text_width(hm.hm_legend[s],
		    1) + 12;
	}
	ck_assert_uint_le(lx - 12 + CTL_HM_MARGIN, cv.cv_width);
	/* 'd' of the path, at scale 2 from (8, 8). */
	for (row = 0; row < CTL_FONT_HEIGHT; row++)
		for (col = 0; col < CTL_FONT_WIDTH; col++)
			ck_assert_uint_eq(ctl_canvas_pixel(&cv, 8 + 2 * col + 1,
			    8 + 2 * row + 1), ctl_font_dot('d', col, row) ?
			    CTL_HM_RGB_TEXT : CTL_HM_RGB_BACKGROUND);
	ctl_canvas_free(&cv);
	ctl_heatmap_free(&hm);
}
END_TEST

/* Saved, the PNG decodes (with the tests' reader) to the canvas, pixel
 * for pixel; a failed save leaves nothing behind. */
START_TEST(test_save_png)
{
	struct ctl_heatmap hm;
	struct ctl_canvas cv;
	struct png_image img;
	char err[512], path[128], dir[128];

	build_ok(&hm, "size: 300\npath: dev/gem0#2\n", PAGES_HEADER
	    PAGE(0, 0x00, 0)
	    PAGE(299, 0xff, 0));
	snprintf(path, sizeof(path), "%s/h.png", hm_tmp);
	ck_assert_msg(ctl_heatmap_save(&hm, path, err, sizeof(err)) == 0,
	    "save: %s", err);
	ck_assert_msg(png_decode_file(path, &img, err, sizeof(err)) == 0,
	    "decode: %s", err);
	ck_assert_int_eq(ctl_heatmap_draw(&hm, &cv), 0);
	ck_assert_uint_eq(img.width, cv.cv_width);
	ck_assert_uint_eq(img.height, cv.cv_height);
	ck_assert(memcmp(img.rgb, cv.cv_rgb,
	    (size_t)img.width * img.height * 3) == 0);
	png_image_free(&img);
	ctl_canvas_free(&cv);
	/* Only the picture: the temporary file was renamed. */
	ck_assert_int_eq(count_entries(hm_tmp), 1);

	/* A missing directory, or a directory as the file: an error, and
	 * nothing is left. */
	snprintf(path, sizeof(path), "%s/no/h.png", hm_tmp);
	ck_assert_int_eq(ctl_heatmap_save(&hm, path, err, sizeof(err)),
	    ENOENT);
	ck_assert_ptr_nonnull(strstr(err, path));
	snprintf(dir, sizeof(dir), "%s/d", hm_tmp);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_ne(ctl_heatmap_save(&hm, dir, err, sizeof(err)), 0);
	ck_assert_int_eq(count_entries(hm_tmp), 2);
	ck_assert_int_eq(count_entries(dir), 0);
	ctl_heatmap_free(&hm);
}
END_TEST

/* --json: the data, geometry and legend included. */
START_TEST(test_json)
{
	struct ctl_heatmap hm;
	struct ctl_buf cb;
	const char *j;

	build_ok(&hm, "size: 3\npath: dev/ram1\ntype: dv\nfaults: 2\n",
	    PAGES_HEADER PAGE(1, 0x01, 0));
	ctl_buf_init(&cb);
	ctl_heatmap_json(&cb, &hm, "out.png");
	j = ctl_buf_str(&cb);
	ck_assert_ptr_nonnull(strstr(j, "\"id\": 3,"));
	ck_assert_ptr_nonnull(strstr(j, "\"path\": \"dev/ram1\","));
	ck_assert_ptr_nonnull(strstr(j, "\"size\": 3,"));
	ck_assert_ptr_nonnull(strstr(j, "\"faults\": 2,"));
	ck_assert_ptr_nonnull(strstr(j, "\"pages\": {\"not_resident\": 2, "
	    "\"resident\": 0, \"dirty\": 1, \"held\": 0}"));
	ck_assert_ptr_nonnull(strstr(j, "\"file\": \"out.png\""));
	ck_assert_ptr_nonnull(strstr(j, "\"grid_x\": 8, \"grid_y\": 43, "
	    "\"columns\": 3, \"rows\": 1, \"cell_size\": 7, "
	    "\"cell_pitch\": 8}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"state\": \"dirty\", \"label\": "
	    "\"dirty\", \"rgb\": \"#f0a030\"}"));
	ck_assert_ptr_nonnull(strstr(j, "{\"first\": 1, \"pages\": 1, "
	    "\"state\": \"dirty\", \"not_resident\": 0, \"resident\": 0, "
	    "\"dirty\": 1, \"held\": 0}"));
	ck_assert_int_eq(j[strlen(j) - 1], '\n');
	ctl_buf_reset(&cb);
	ctl_heatmap_json(&cb, &hm, NULL);
	ck_assert_ptr_nonnull(strstr(ctl_buf_str(&cb), "\"file\": null"));
	ctl_buf_free(&cb);
	ctl_heatmap_free(&hm);
}
END_TEST

/* OBJECT: an ID as given, or the one object with that PATH. */
START_TEST(test_resolve)
{
	static const char objects[] =
	    "    ID   RES   ACT INACT REF SHD  CM TP PATH\n"
	    "     1     6     0     0   1   0 WB  dv dev/ram0\n"
	    "     4     0     0     0   1   0 WC  md dev/gem0#1\n"
	    "     7     0     0     0   1   0 WB  dv dev/twin\n"
	    "     9     0     0     0   1   0 WB  dv dev/twin\n";
	char err[256], *id;

	ck_assert_int_eq(ctl_heatmap_resolve(objects, "12", &id, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(id, "12");
	free(id);
	ck_assert_int_eq(ctl_heatmap_resolve(objects, "dev/ram0", &id, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(id, "1");
	free(id);
	ck_assert_int_eq(ctl_heatmap_resolve(objects, "gem0#1", &id, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(id, "4");
	free(id);
	ck_assert_int_eq(ctl_heatmap_resolve(objects, "dev/fb0", &id, err,
	    sizeof(err)), ENOENT);
	ck_assert_ptr_null(id);
	ck_assert_ptr_nonnull(strstr(err, "'dev/fb0'"));
	ck_assert_int_eq(ctl_heatmap_resolve(objects, "twin", &id, err,
	    sizeof(err)), EEXIST);
	ck_assert_ptr_null(id);
	ck_assert_ptr_nonnull(strstr(err, "IDs 7 9"));
	ck_assert_int_eq(ctl_heatmap_resolve("", "ram0", &id, err,
	    sizeof(err)), ENOENT);
}
END_TEST

Suite *
ctl_heatmap_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("ctl_heatmap");
	tc = tcase_create("font");
	tcase_add_test(tc, test_font_glyphs);
	suite_add_tcase(s, tc);
	tc = tcase_create("build");
	tcase_add_test(tc, test_build_states);
	tcase_add_test(tc, test_build_groups);
	tcase_add_test(tc, test_build_sizes);
	tcase_add_test(tc, test_build_errors);
	tcase_add_test(tc, test_resolve);
	suite_add_tcase(s, tc);
	tc = tcase_create("picture");
	tcase_add_checked_fixture(tc, hm_tmp_setup, hm_tmp_teardown);
	tcase_add_test(tc, test_draw);
	tcase_add_test(tc, test_save_png);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return (s);
}
