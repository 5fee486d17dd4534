/*
 * devpagerctl: parsing of the daemon's inspection files.
 *
 * Two shapes exist under MNT/vm/ (devpagerfs(8), DESIGN "External
 * interface"):
 *   - tables: a header line of whitespace-separated column names, then one
 *     row per line (vm/objects, vm/devices, vm/swap, vm/object/ID/pages);
 *   - `key: value' lines (vm/stats, vm/object/ID/info).
 * The parser is generic on purpose: it takes the column names from the
 * header, so a daemon that adds columns does not break the client.  A row is
 * split at whitespace into as many cells as the header has columns; the last
 * cell takes the rest of the line (so a PATH with a space survives, as do
 * extra trailing fields), and a short row leaves its missing cells NULL.
 *
 * A file may hold several sections separated by blank lines (vm/phys); each
 * section is a table or a key/value list on its own.
 *
 * Results are plain heap data owned by the caller; no locking.
 */
#ifndef _CTL_CTL_TEXT_H_
#define _CTL_CTL_TEXT_H_

#include <stdbool.h>
#include <stddef.h>

enum ctl_section_kind {
	CTL_SECTION_TABLE,
	CTL_SECTION_KV,
};

struct ctl_section {
	enum ctl_section_kind cs_kind;
	/* Table: header names as written; key/value: unused (0, NULL). */
	size_t	  cs_ncols;
	char	**cs_cols;
	/* Per column: every non-NULL cell is a JSON number. */
	bool	 *cs_numeric;
	/*
	 * Table: cs_nrows rows of cs_ncols cells, a cell NULL when the row
	 * was short.  Key/value: cs_nrows rows of two cells, key and value
	 * (value "" when the line was `key:').
	 */
	size_t	  cs_nrows;
	char	***cs_rows;
};

struct ctl_doc {
	size_t		    cd_nsections;
	struct ctl_section *cd_sections;
};

/* Parse a whole file.  Never fails (allocation failure exits). */
void	ctl_text_parse(const char *text, struct ctl_doc *doc);
void	ctl_doc_free(struct ctl_doc *doc);

/*
 * True when `s' is a number by JSON's grammar (so it can be emitted
 * unquoted and round-trips): -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.
 * "0x10", "0644", "1M", "" and "-" are not.
 */
bool	ctl_is_number(const char *s);

/* Column index of `name' (case-insensitive), or -1. */
int	ctl_section_col(const struct ctl_section *cs, const char *name);
/* Value of `key' in a key/value section, or NULL. */
const char *ctl_section_get(const struct ctl_section *cs, const char *key);

#endif /* !_CTL_CTL_TEXT_H_ */
