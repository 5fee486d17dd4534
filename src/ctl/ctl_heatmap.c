/*
 * devpagerctl heatmap: a picture of one VM object's pages (ctl_heatmap.h).
 */
#include "config.h"

#include <sys/stat.h>

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
#include "ctl/ctl_io.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_text.h"

/* Space between the parts of the picture, in pixels. */
#define	CTL_HM_GAP_TITLE	6	/* title to subtitle */
#define	CTL_HM_GAP_GRID		8	/* subtitle to grid, grid to legend */
#define	CTL_HM_GAP_SWATCH	4	/* swatch to its label */
#define	CTL_HM_GAP_LEGEND	12	/* label to the next swatch */

static const struct {
	const char	*name;
	const char	*label;
	ctl_rgb_t	 rgb;
} ctl_hm_states[CTL_HM_NSTATES] = {
	[CTL_HM_ABSENT] = { "not_resident", "not resident", CTL_HM_RGB_ABSENT },
	[CTL_HM_RESIDENT] = { "resident", "resident", CTL_HM_RGB_RESIDENT },
	[CTL_HM_DIRTY] = { "dirty", "dirty", CTL_HM_RGB_DIRTY },
	[CTL_HM_HELD] = { "held", "held", CTL_HM_RGB_HELD },
};

static bool	ctl_hm_parse_u64(const char *s, int base, uint64_t *v);
static const struct ctl_section *ctl_hm_section(const struct ctl_doc *doc,
		    enum ctl_section_kind kind);
static int	ctl_hm_info(struct ctl_heatmap *hm, const char *info,
		    bool *sized, char *err, size_t errlen);
static int	ctl_hm_pages(struct ctl_heatmap *hm, const char *pages,
		    char *err, size_t errlen);
static void	ctl_hm_cells(struct ctl_heatmap *hm, uint64_t size);
static void	ctl_hm_texts(struct ctl_heatmap *hm);
static void	ctl_hm_layout(struct ctl_heatmap *hm);
static unsigned	ctl_hm_legend_width(const struct ctl_heatmap *hm);

const char *
ctl_hm_state_name(enum ctl_hm_state s)
{

	return (ctl_hm_states[s].name);
}

const char *
ctl_hm_state_label(enum ctl_hm_state s)
{

	return (ctl_hm_states[s].label);
}

ctl_rgb_t
ctl_hm_state_rgb(enum ctl_hm_state s)
{

	return (ctl_hm_states[s].rgb);
}

/* A whole string of digits in `base' (0: C prefixes) that fits. */
static bool
ctl_hm_parse_u64(const char *s, int base, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return (false);
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0')
		return (false);
	*v = n;
	return (true);
}

/* The first section of the given kind, or NULL. */
static const struct ctl_section *
ctl_hm_section(const struct ctl_doc *doc, enum ctl_section_kind kind)
{
	size_t i;

	for (i = 0; i < doc->cd_nsections; i++)
		if (doc->cd_sections[i].cs_kind == kind)
			return (&doc->cd_sections[i]);
	return (NULL);
}

static int
ctl_hm_info(struct ctl_heatmap *hm, const char *info, bool *sized, char *err,
    size_t errlen)
{
	const struct ctl_section *cs;
	struct ctl_doc doc;
	const char *v;
	int error;

	error = 0;
	ctl_text_parse(info, &doc);
	cs = ctl_hm_section(&doc, CTL_SECTION_KV);
	v = cs != NULL ? ctl_section_get(cs, "path") : NULL;
	hm->hm_path = ctl_xstrdup(v != NULL ? v : "");
	v = cs != NULL ? ctl_section_get(cs, "type") : NULL;
	hm->hm_type = v != NULL && *v != '\0' ? ctl_xstrdup(v) : NULL;
	v = cs != NULL ? ctl_section_get(cs, "faults") : NULL;
	hm->hm_faults_known = ctl_hm_parse_u64(v, 10, &hm->hm_faults);
	v = cs != NULL ? ctl_section_get(cs, "size") : NULL;
	*sized = v != NULL;
	if (v != NULL && !ctl_hm_parse_u64(v, 10, &hm->hm_size)) {
		snprintf(err, errlen, "object %s: info size '%s' is not a "
		    "number of pages", hm->hm_id, v);
		error = EINVAL;
	}
	ctl_doc_free(&doc);
	return (error);
}

/*
 * Count each resident page in its state, in its cell.  Without cells yet,
 * only size the object from its highest page index (for an info without
 * `size').
 */
static int
ctl_hm_pages(struct ctl_heatmap *hm, const char *pages, char *err,
    size_t errlen)
{
	const struct ctl_section *cs;
	struct ctl_hm_cell *c;
	struct ctl_doc doc;
	enum ctl_hm_state s;
	uint64_t pindex, dirty, hold, maxpage;
	int cpindex, cdirty, chold, error;
	size_t r;

	error = 0;
	maxpage = 0;
	ctl_text_parse(pages, &doc);
	cs = ctl_hm_section(&doc, CTL_SECTION_TABLE);
	if (cs == NULL)
		goto done;	/* no header: no resident page */
	cpindex = ctl_section_col(cs, "PINDEX");
	cdirty = ctl_section_col(cs, "DIRTY");
	chold = ctl_section_col(cs, "HOLD");
	if (cpindex < 0) {
		snprintf(err, errlen, "object %s: its pages file has no "
		    "PINDEX column", hm->hm_id);
		error = EINVAL;
		goto done;
	}
	for (r = 0; r < cs->cs_nrows; r++) {
		char **row = cs->cs_rows[r];

		if (!ctl_hm_parse_u64(row[cpindex], 10, &pindex)) {
			snprintf(err, errlen, "object %s: page index '%s' "
			    "is not a number", hm->hm_id,
			    row[cpindex] != NULL ? row[cpindex] : "");
			error = EINVAL;
			goto done;
		}
		/* A missing or odd DIRTY or HOLD cell counts as zero. */
		if (cdirty < 0 || !ctl_hm_parse_u64(row[cdirty], 0, &dirty))
			dirty = 0;
		if (chold < 0 || !ctl_hm_parse_u64(row[chold], 10, &hold))
			hold = 0;
		if (hm->hm_cells == NULL) {
			if (pindex >= maxpage)
				maxpage = pindex == UINT64_MAX ? pindex :
				    pindex + 1;
			continue;
		}
		if (pindex >= hm->hm_size) {
			hm->hm_beyond++;
			continue;
		}
		if (hold != 0)
			s = CTL_HM_HELD;
		else if (dirty != 0)
			s = CTL_HM_DIRTY;
		else
			s = CTL_HM_RESIDENT;
		c = &hm->hm_cells[pindex / hm->hm_per_cell];
		c->hc_count[s]++;
	}
done:
	ctl_doc_free(&doc);
	if (error == 0 && hm->hm_cells == NULL)
		hm->hm_size = maxpage;
	return (error);
}

/* Allocate the cells: the smallest group size that needs no more cells
 * than CTL_HM_MAX_CELLS. */
static void
ctl_hm_cells(struct ctl_heatmap *hm, uint64_t size)
{
	size_t i;

	hm->hm_per_cell = size <= CTL_HM_MAX_CELLS ? 1 :
	    (size - 1) / CTL_HM_MAX_CELLS + 1;
	hm->hm_ncells = (size_t)(size == 0 ? 0 :
	    (size - 1) / hm->hm_per_cell + 1);
	hm->hm_cells = ctl_xcalloc(hm->hm_ncells == 0 ? 1 : hm->hm_ncells,
	    sizeof(*hm->hm_cells));
	for (i = 0; i < hm->hm_ncells; i++) {
		hm->hm_cells[i].hc_first = i * hm->hm_per_cell;
		hm->hm_cells[i].hc_npages = size - hm->hm_cells[i].hc_first;
		if (hm->hm_cells[i].hc_npages > hm->hm_per_cell)
			hm->hm_cells[i].hc_npages = hm->hm_per_cell;
	}
}

static void
ctl_hm_texts(struct ctl_heatmap *hm)
{
	struct ctl_buf cb;
	int s;

	ctl_buf_init(&cb);
	if (hm->hm_path[0] != '\0')
		ctl_buf_puts(&cb, hm->hm_path);
	else
		ctl_buf_printf(&cb, "object %s", hm->hm_id);
	hm->hm_title = ctl_buf_take(&cb);
	ctl_buf_printf(&cb, "object %s", hm->hm_id);
	if (hm->hm_type != NULL)
		ctl_buf_printf(&cb, ", type %s", hm->hm_type);
	ctl_buf_printf(&cb, ", %" PRIu64 " page%s", hm->hm_size,
	    hm->hm_size == 1 ? "" : "s");
	ctl_buf_printf(&cb, ", %" PRIu64 " page%s per cell", hm->hm_per_cell,
	    hm->hm_per_cell == 1 ? "" : "s");
	if (hm->hm_faults_known)
		ctl_buf_printf(&cb, ", %" PRIu64 " fault%s", hm->hm_faults,
		    hm->hm_faults == 1 ? "" : "s");
	hm->hm_subtitle = ctl_buf_take(&cb);
	for (s = 0; s < CTL_HM_NSTATES; s++) {
		ctl_buf_printf(&cb, "%s %" PRIu64, ctl_hm_state_label(s),
		    hm->hm_count[s]);
		hm->hm_legend[s] = ctl_buf_take(&cb);
	}
}

static unsigned
ctl_hm_legend_width(const struct ctl_heatmap *hm)
{
	unsigned w;
	int s;

	w = 0;
	for (s = 0; s < CTL_HM_NSTATES; s++) {
		if (s != 0)
			w += CTL_HM_GAP_LEGEND;
		w += CTL_HM_CELL + CTL_HM_GAP_SWATCH +
		    ctl_font_text_width(hm->hm_legend[s], 1);
	}
	return (w);
}

static void
ctl_hm_layout(struct ctl_heatmap *hm)
{
	struct ctl_hm_layout *hl = &hm->hm_layout;
	unsigned w, gridw, gridh;

	hl->hl_columns = hm->hm_ncells < CTL_HM_COLUMNS ?
	    (unsigned)hm->hm_ncells : CTL_HM_COLUMNS;
	hl->hl_rows = hl->hl_columns == 0 ? 0 :
	    (unsigned)((hm->hm_ncells + hl->hl_columns - 1) / hl->hl_columns);
	gridw = hl->hl_columns == 0 ? 0 : hl->hl_columns * CTL_HM_PITCH - 1;
	gridh = hl->hl_rows == 0 ? 0 : hl->hl_rows * CTL_HM_PITCH - 1;

	hl->hl_title_y = CTL_HM_MARGIN;
	hl->hl_subtitle_y = hl->hl_title_y +
	    CTL_FONT_HEIGHT * CTL_HM_TITLE_SCALE + CTL_HM_GAP_TITLE;
	hl->hl_grid_x = CTL_HM_MARGIN;
	hl->hl_grid_y = hl->hl_subtitle_y + CTL_FONT_HEIGHT + CTL_HM_GAP_GRID;
	hl->hl_legend_y = hl->hl_grid_y + gridh +
	    (gridh != 0 ? CTL_HM_GAP_GRID : 0);
	hl->hl_height = hl->hl_legend_y + CTL_HM_CELL + CTL_HM_MARGIN;

	w = gridw;
	if (w < ctl_font_text_width(hm->hm_title, CTL_HM_TITLE_SCALE))
		w = ctl_font_text_width(hm->hm_title, CTL_HM_TITLE_SCALE);
	if (w < ctl_font_text_width(hm->hm_subtitle, 1))
		w = ctl_font_text_width(hm->hm_subtitle, 1);
	if (w < ctl_hm_legend_width(hm))
		w = ctl_hm_legend_width(hm);
	hl->hl_width = CTL_HM_MARGIN + w + CTL_HM_MARGIN;
}

int
ctl_heatmap_build(struct ctl_heatmap *hm, const char *id, const char *info,
    const char *pages, char *err, size_t errlen)
{
	struct ctl_hm_cell *c;
	uint64_t resident;
	size_t i;
	bool sized;
	int error, s;

	memset(hm, 0, sizeof(*hm));
	hm->hm_id = ctl_xstrdup(id);
	error = ctl_hm_info(hm, info, &sized, err, errlen);
	if (error == 0 && !sized)
		error = ctl_hm_pages(hm, pages, err, errlen);
	if (error != 0)
		return (error);
	ctl_hm_cells(hm, hm->hm_size);
	error = ctl_hm_pages(hm, pages, err, errlen);
	if (error != 0)
		return (error);
	resident = 0;
	for (i = 0; i < hm->hm_ncells; i++) {
		c = &hm->hm_cells[i];
		c->hc_count[CTL_HM_ABSENT] = c->hc_npages;
		for (s = CTL_HM_RESIDENT; s < CTL_HM_NSTATES; s++) {
			/* Duplicate lines cannot make more pages than the
			 * cell has. */
			if (c->hc_count[s] > c->hc_count[CTL_HM_ABSENT])
				c->hc_count[s] = c->hc_count[CTL_HM_ABSENT];
			c->hc_count[CTL_HM_ABSENT] -= c->hc_count[s];
			resident += c->hc_count[s];
		}
		c->hc_state = CTL_HM_ABSENT;
		for (s = CTL_HM_NSTATES - 1; s > CTL_HM_ABSENT; s--)
			if (c->hc_count[s] != 0) {
				c->hc_state = s;
				break;
			}
	}
	for (s = CTL_HM_RESIDENT; s < CTL_HM_NSTATES; s++) {
		hm->hm_count[s] = 0;
		for (i = 0; i < hm->hm_ncells; i++)
			hm->hm_count[s] += hm->hm_cells[i].hc_count[s];
	}
	hm->hm_count[CTL_HM_ABSENT] = hm->hm_size - resident;
	ctl_hm_texts(hm);
	ctl_hm_layout(hm);
	return (0);
}

void
ctl_heatmap_free(struct ctl_heatmap *hm)
{
	int s;

	free(hm->hm_id);
	free(hm->hm_path);
	free(hm->hm_type);
	free(hm->hm_cells);
	free(hm->hm_title);
	free(hm->hm_subtitle);
	for (s = 0; s < CTL_HM_NSTATES; s++)
		free(hm->hm_legend[s]);
	memset(hm, 0, sizeof(*hm));
}

void
ctl_heatmap_cell_xy(const struct ctl_heatmap *hm, size_t i, unsigned *x,
    unsigned *y)
{
	const struct ctl_hm_layout *hl = &hm->hm_layout;

	*x = hl->hl_grid_x + (unsigned)(i % hl->hl_columns) * CTL_HM_PITCH;
	*y = hl->hl_grid_y + (unsigned)(i / hl->hl_columns) * CTL_HM_PITCH;
}

int
ctl_heatmap_draw(const struct ctl_heatmap *hm, struct ctl_canvas *cv)
{
	const struct ctl_hm_layout *hl = &hm->hm_layout;
	unsigned x, y;
	size_t i;
	int error, s;

	error = ctl_canvas_init(cv, hl->hl_width, hl->hl_height,
	    CTL_HM_RGB_BACKGROUND);
	if (error != 0)
		return (error);
	ctl_canvas_text(cv, CTL_HM_MARGIN, hl->hl_title_y, CTL_HM_TITLE_SCALE,
	    hm->hm_title, CTL_HM_RGB_TEXT);
	ctl_canvas_text(cv, CTL_HM_MARGIN, hl->hl_subtitle_y, 1,
	    hm->hm_subtitle, CTL_HM_RGB_TEXT);
	for (i = 0; i < hm->hm_ncells; i++) {
		ctl_heatmap_cell_xy(hm, i, &x, &y);
		ctl_canvas_fill(cv, x, y, CTL_HM_CELL, CTL_HM_CELL,
		    ctl_hm_state_rgb(hm->hm_cells[i].hc_state));
	}
	x = CTL_HM_MARGIN;
	for (s = 0; s < CTL_HM_NSTATES; s++) {
		ctl_canvas_fill(cv, x, hl->hl_legend_y, CTL_HM_CELL,
		    CTL_HM_CELL, ctl_hm_state_rgb(s));
		x += CTL_HM_CELL + CTL_HM_GAP_SWATCH;
		x += ctl_canvas_text(cv, x, hl->hl_legend_y, 1,
		    hm->hm_legend[s], CTL_HM_RGB_TEXT);
		x += CTL_HM_GAP_LEGEND;
	}
	return (0);
}

void
ctl_heatmap_json(struct ctl_buf *cb, const struct ctl_heatmap *hm,
    const char *file)
{
	const struct ctl_hm_layout *hl = &hm->hm_layout;
	const struct ctl_hm_cell *c;
	size_t i;
	int s;

	ctl_buf_puts(cb, "{\n  \"id\": ");
	ctl_json_value(cb, hm->hm_id, true);
	ctl_buf_puts(cb, ",\n  \"path\": ");
	ctl_json_string(cb, hm->hm_path);
	ctl_buf_puts(cb, ",\n  \"type\": ");
	ctl_json_string(cb, hm->hm_type);
	ctl_buf_printf(cb, ",\n  \"size\": %" PRIu64, hm->hm_size);
	if (hm->hm_faults_known)
		ctl_buf_printf(cb, ",\n  \"faults\": %" PRIu64, hm->hm_faults);
	else
		ctl_buf_puts(cb, ",\n  \"faults\": null");
	ctl_buf_printf(cb, ",\n  \"pages_per_cell\": %" PRIu64,
	    hm->hm_per_cell);
	ctl_buf_puts(cb, ",\n  \"pages\": {");
	for (s = 0; s < CTL_HM_NSTATES; s++)
		ctl_buf_printf(cb, "%s\"%s\": %" PRIu64, s == 0 ? "" : ", ",
		    ctl_hm_state_name(s), hm->hm_count[s]);
	ctl_buf_printf(cb, "},\n  \"beyond_size\": %" PRIu64, hm->hm_beyond);
	ctl_buf_puts(cb, ",\n  \"image\": {\"file\": ");
	ctl_json_string(cb, file);
	ctl_buf_printf(cb, ", \"width\": %u, \"height\": %u, \"grid_x\": %u, "
	    "\"grid_y\": %u, \"columns\": %u, \"rows\": %u, \"cell_size\": %u, "
	    "\"cell_pitch\": %u}", hl->hl_width, hl->hl_height, hl->hl_grid_x,
	    hl->hl_grid_y, hl->hl_columns, hl->hl_rows, CTL_HM_CELL,
	    CTL_HM_PITCH);
	ctl_buf_puts(cb, ",\n  \"legend\": [");
	for (s = 0; s < CTL_HM_NSTATES; s++)
		ctl_buf_printf(cb, "%s\n    {\"state\": \"%s\", \"label\": "
		    "\"%s\", \"rgb\": \"#%06x\"}", s == 0 ? "" : ",",
		    ctl_hm_state_name(s), ctl_hm_state_label(s),
		    (unsigned)ctl_hm_state_rgb(s));
	ctl_buf_puts(cb, "\n  ],\n  \"cells\": [");
	for (i = 0; i < hm->hm_ncells; i++) {
		c = &hm->hm_cells[i];
		ctl_buf_printf(cb, "%s\n    {\"first\": %" PRIu64 ", \"pages\": "
		    "%" PRIu64 ", \"state\": \"%s\"", i == 0 ? "" : ",",
		    c->hc_first, c->hc_npages, ctl_hm_state_name(c->hc_state));
		for (s = 0; s < CTL_HM_NSTATES; s++)
			ctl_buf_printf(cb, ", \"%s\": %" PRIu64,
			    ctl_hm_state_name(s), c->hc_count[s]);
		ctl_buf_putc(cb, '}');
	}
	ctl_buf_puts(cb, hm->hm_ncells == 0 ? "]\n}\n" : "\n  ]\n}\n");
}

int
ctl_heatmap_resolve(const char *objects, const char *arg, char **idp,
    char *err, size_t errlen)
{
	const struct ctl_section *cs;
	struct ctl_buf ids;
	struct ctl_doc doc;
	const char *path;
	size_t r, n;
	int cid, cpath, error;
	uint64_t v;

	*idp = NULL;
	if (ctl_hm_parse_u64(arg, 10, &v)) {
		*idp = ctl_xstrdup(arg);
		return (0);
	}
	ctl_buf_init(&ids);
	ctl_text_parse(objects, &doc);
	cs = ctl_hm_section(&doc, CTL_SECTION_TABLE);
	cid = cs != NULL ? ctl_section_col(cs, "ID") : -1;
	cpath = cs != NULL ? ctl_section_col(cs, "PATH") : -1;
	n = 0;
	for (r = 0; cid >= 0 && cpath >= 0 && r < cs->cs_nrows; r++) {
		path = cs->cs_rows[r][cpath];
		if (path == NULL || cs->cs_rows[r][cid] == NULL)
			continue;
		if (strcmp(path, arg) != 0 && (strncmp(path, "dev/", 4) != 0 ||
		    strcmp(path + 4, arg) != 0))
			continue;
		if (n++ == 0)
			*idp = ctl_xstrdup(cs->cs_rows[r][cid]);
		ctl_buf_printf(&ids, " %s", cs->cs_rows[r][cid]);
	}
	if (n == 0) {
		snprintf(err, errlen, "no object has the path '%s' (a "
		    "device's object appears when the device is first mapped "
		    "or read; see devpagerctl objects)", arg);
		error = ENOENT;
	} else if (n > 1) {
		snprintf(err, errlen, "'%s' is the path of %zu objects "
		    "(IDs%s): give an ID", arg, n, ctl_buf_str(&ids));
		free(*idp);
		*idp = NULL;
		error = EEXIST;
	} else
		error = 0;
	ctl_doc_free(&doc);
	ctl_buf_free(&ids);
	return (error);
}

int
ctl_heatmap_collect(const char *mnt, const char *arg, struct ctl_heatmap *hm,
    char *err, size_t errlen)
{
	struct ctl_buf path, objects, info, pages;
	char *id;
	int error;

	memset(hm, 0, sizeof(*hm));
	id = NULL;
	ctl_buf_init(&path);
	ctl_buf_init(&objects);
	ctl_buf_init(&info);
	ctl_buf_init(&pages);
	ctl_buf_printf(&path, "%s/vm/objects", mnt);
	error = ctl_read_file(ctl_buf_str(&path), &objects);
	if (error != 0) {
		snprintf(err, errlen, "%s: %s", ctl_buf_str(&path),
		    strerror(error));
		goto out;
	}
	error = ctl_heatmap_resolve(ctl_buf_str(&objects), arg, &id, err,
	    errlen);
	if (error != 0)
		goto out;
	ctl_buf_reset(&path);
	ctl_buf_printf(&path, "%s/vm/object/%s/info", mnt, id);
	error = ctl_read_file(ctl_buf_str(&path), &info);
	if (error == 0) {
		ctl_buf_reset(&path);
		ctl_buf_printf(&path, "%s/vm/object/%s/pages", mnt, id);
		error = ctl_read_file(ctl_buf_str(&path), &pages);
	}
	if (error == ENOENT)
		snprintf(err, errlen, "no object %s (%s: %s)", id,
		    ctl_buf_str(&path), strerror(error));
	else if (error != 0)
		snprintf(err, errlen, "%s: %s", ctl_buf_str(&path),
		    strerror(error));
	else
		error = ctl_heatmap_build(hm, id, ctl_buf_str(&info),
		    ctl_buf_str(&pages), err, errlen);
out:
	free(id);
	ctl_buf_free(&path);
	ctl_buf_free(&objects);
	ctl_buf_free(&info);
	ctl_buf_free(&pages);
	return (error);
}

int
ctl_heatmap_save(const struct ctl_heatmap *hm, const char *file, char *err,
    size_t errlen)
{
	struct ctl_canvas cv;
	struct ctl_buf tmp;
	mode_t mask;
	int error, fd;

	error = ctl_heatmap_draw(hm, &cv);
	if (error != 0) {
		snprintf(err, errlen, "cannot draw a %ux%u picture: %s",
		    hm->hm_layout.hl_width, hm->hm_layout.hl_height,
		    strerror(error));
		return (error);
	}
	if (strcmp(file, "-") == 0) {
		error = ctl_canvas_write_png(&cv, STDOUT_FILENO);
		if (error != 0)
			snprintf(err, errlen, "stdout: %s", strerror(error));
		ctl_canvas_free(&cv);
		return (error);
	}
	ctl_buf_init(&tmp);
	ctl_buf_printf(&tmp, "%s.XXXXXX", file);
	fd = mkstemp(tmp.cb_data);
	if (fd == -1) {
		error = errno;
		snprintf(err, errlen, "%s: %s", file, strerror(error));
		goto out;
	}
	/* Mode 0666 less the umask, as open(2) would have given. */
	mask = umask(0);
	(void)umask(mask);
	if (fchmod(fd, 0666 & ~mask) == -1)
		error = errno;
	if (error == 0)
		error = ctl_canvas_write_png(&cv, fd);
	if (close(fd) == -1 && error == 0)
		error = errno;
	if (error == 0 && rename(ctl_buf_str(&tmp), file) == -1)
		error = errno;
	if (error != 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(error));
		(void)unlink(ctl_buf_str(&tmp));
	}
out:
	ctl_buf_free(&tmp);
	ctl_canvas_free(&cv);
	return (error);
}
