/*
 * devpagerctl heatmap: a picture of one VM object's pages.
 *
 * The client reads MNT/vm/object/ID/info (size, path, type, faults) and
 * MNT/vm/object/ID/pages (one line per resident page) and draws one cell
 * per page of the object, or per group of pages when the object has more
 * than CTL_HM_MAX_CELLS pages (the smallest group size that fits).  Each
 * page is in exactly one state, the strongest that applies:
 *
 *	held		its hold count is not zero (HOLD column)
 *	dirty		resident with dirty bits set (DIRTY column)
 *	resident	resident, clean and not held
 *	not resident	no line in pages
 *
 * and a cell takes the strongest state of its pages, so one touched page
 * shows in a group however large.  vm/ keeps fault counts per object, not
 * per page: the picture is coloured by state, and the object's fault count
 * is written in its subtitle.
 *
 * The picture, top to bottom: the object's path (scale 2), a subtitle
 * (object ID, type, size, pages per cell, faults), the grid of cells
 * (CTL_HM_COLUMNS to a row, left to right, page order), and a legend of
 * the four colours with the number of pages in each state.  Geometry and
 * colours are fixed and documented in devpagerctl(8), so that scripts (and
 * the tests) can find a page's cell; --json prints the same data,
 * geometry included.
 *
 * A heat map is plain heap data owned by its caller; no locking.
 */
#ifndef _CTL_CTL_HEATMAP_H_
#define _CTL_CTL_HEATMAP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_canvas.h"

enum ctl_hm_state {
	CTL_HM_ABSENT,		/* not resident */
	CTL_HM_RESIDENT,	/* resident, clean, not held */
	CTL_HM_DIRTY,		/* resident, dirty bits set, not held */
	CTL_HM_HELD,		/* hold count above zero */
};
#define	CTL_HM_NSTATES		4

/* Colours, 0xRRGGBB (devpagerctl(8) lists them). */
#define	CTL_HM_RGB_BACKGROUND	0x202020
#define	CTL_HM_RGB_TEXT		0xe8e8e8
#define	CTL_HM_RGB_ABSENT	0x505050
#define	CTL_HM_RGB_RESIDENT	0x3cb371
#define	CTL_HM_RGB_DIRTY	0xf0a030
#define	CTL_HM_RGB_HELD		0xe03c3c

/* Geometry, in pixels. */
#define	CTL_HM_MAX_CELLS	4096	/* cells at most; more pages group */
#define	CTL_HM_COLUMNS		64	/* cells per row (fewer if fewer cells) */
#define	CTL_HM_CELL		7	/* a cell is CTL_HM_CELL pixels square */
#define	CTL_HM_PITCH		8	/* from one cell to the next */
#define	CTL_HM_MARGIN		8	/* around everything */
#define	CTL_HM_TITLE_SCALE	2	/* the path's font scale */

struct ctl_hm_cell {
	uint64_t	 hc_first;	/* first page index */
	uint64_t	 hc_npages;	/* pages in the cell */
	uint64_t	 hc_count[CTL_HM_NSTATES]; /* pages in each state */
	enum ctl_hm_state hc_state;	/* the strongest state present */
};

struct ctl_hm_layout {
	unsigned	 hl_width;	/* the whole picture */
	unsigned	 hl_height;
	unsigned	 hl_title_y;	/* top of the path (at CTL_HM_MARGIN) */
	unsigned	 hl_subtitle_y;
	unsigned	 hl_grid_x;	/* top-left corner of cell 0 */
	unsigned	 hl_grid_y;
	unsigned	 hl_columns;	/* cells per row */
	unsigned	 hl_rows;
	unsigned	 hl_legend_y;	/* top of the legend's swatches */
};

struct ctl_heatmap {
	char		*hm_id;		/* the object ID */
	char		*hm_path;	/* info `path' ("" when absent) */
	char		*hm_type;	/* info `type' (NULL when absent) */
	uint64_t	 hm_size;	/* pages (info `size') */
	bool		 hm_faults_known; /* info has `faults' */
	uint64_t	 hm_faults;
	uint64_t	 hm_per_cell;	/* pages per cell */
	size_t		 hm_ncells;
	struct ctl_hm_cell *hm_cells;
	uint64_t	 hm_count[CTL_HM_NSTATES]; /* whole object */
	uint64_t	 hm_beyond;	/* resident pages at or past hm_size */
	char		*hm_title;	/* texts drawn, made by the build */
	char		*hm_subtitle;
	char		*hm_legend[CTL_HM_NSTATES];
	struct ctl_hm_layout hm_layout;
};

/* "not_resident", "resident", "dirty", "held" (JSON keys). */
const char *ctl_hm_state_name(enum ctl_hm_state s);
/* "not resident", "resident", "dirty", "held" (the legend's words). */
const char *ctl_hm_state_label(enum ctl_hm_state s);
ctl_rgb_t ctl_hm_state_rgb(enum ctl_hm_state s);

/*
 * Build the heat map of object `id' from the text of its info and pages
 * files: cells, counts, texts and layout.  0, or EINVAL with a message in
 * err (a pages file without a PINDEX column, a page index that is not a
 * number, an info `size' that is not one).  Free it with
 * ctl_heatmap_free() whatever the result.
 */
int	ctl_heatmap_build(struct ctl_heatmap *hm, const char *id,
	    const char *info, const char *pages, char *err, size_t errlen);
void	ctl_heatmap_free(struct ctl_heatmap *hm);

/* The top-left pixel of cell i. */
void	ctl_heatmap_cell_xy(const struct ctl_heatmap *hm, size_t i,
	    unsigned *x, unsigned *y);
/* Draw the picture on a new canvas; 0 or ctl_canvas_init's errno. */
int	ctl_heatmap_draw(const struct ctl_heatmap *hm, struct ctl_canvas *cv);
/* The data as one JSON object plus a newline; file may be NULL. */
void	ctl_heatmap_json(struct ctl_buf *cb, const struct ctl_heatmap *hm,
	    const char *file);

/*
 * The object ID for `arg': arg itself when it is a number, else the ID of
 * the one object whose vm/objects PATH is arg or "dev/" arg.  0 with a
 * malloc'd *idp, or ENOENT (no such path) or EEXIST (several objects) with
 * a message in err.
 */
int	ctl_heatmap_resolve(const char *objects, const char *arg, char **idp,
	    char *err, size_t errlen);
/*
 * Read and build the heat map of `arg' from the mount.  0, or an errno
 * value with a message in err (ENOENT: no such object).  Free it with
 * ctl_heatmap_free() whatever the result.
 */
int	ctl_heatmap_collect(const char *mnt, const char *arg,
	    struct ctl_heatmap *hm, char *err, size_t errlen);
/*
 * Write the picture as a PNG to `file' through a temporary file in the
 * same directory renamed over it, so a failure leaves no partial file; "-"
 * writes to standard output.  0 or an errno value with a message in err.
 */
int	ctl_heatmap_save(const struct ctl_heatmap *hm, const char *file,
	    char *err, size_t errlen);

#endif /* !_CTL_CTL_HEATMAP_H_ */
