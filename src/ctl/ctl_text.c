/*
 * devpagerctl: generic parsing of tables and `key: value' files
 * (ctl_text.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_text.h"

struct ctl_line {
	const char	*cl_start;	/* first non-blank character */
	size_t		 cl_len;	/* up to the last non-blank one */
};

static bool	ctl_blank(char c);
static bool	ctl_line_is_kv(const struct ctl_line *l);
static void	ctl_section_build(struct ctl_section *cs,
		    const struct ctl_line *lines, size_t n);
static void	ctl_split(const struct ctl_line *l, size_t ncells,
		    char **cells);

static bool
ctl_blank(char c)
{

	return (c == ' ' || c == '\t' || c == '\r' || c == '\v' ||
	    c == '\f');
}

bool
ctl_is_number(const char *s)
{

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9') {
		while (isdigit((unsigned char)*s))
			s++;
	} else
		return (false);
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return (false);
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return (false);
		while (isdigit((unsigned char)*s))
			s++;
	}
	return (*s == '\0');
}

/*
 * `key: value' or `key:' with a key free of blanks-only content.  A table
 * header never has a colon followed by a blank, and the daemon's rows do
 * not either, so the form is unambiguous for the files it serves.
 */
static bool
ctl_line_is_kv(const struct ctl_line *l)
{
	const char *colon;

	colon = memchr(l->cl_start, ':', l->cl_len);
	if (colon == NULL || colon == l->cl_start)
		return (false);
	if (colon + 1 == l->cl_start + l->cl_len)
		return (true);
	return (ctl_blank(colon[1]));
}

/*
 * Split a line into `ncells' cells at runs of blanks; the last cell takes
 * the rest of the line.  Missing cells are NULL.
 */
static void
ctl_split(const struct ctl_line *l, size_t ncells, char **cells)
{
	const char *p, *end, *w;
	size_t i;

	p = l->cl_start;
	end = l->cl_start + l->cl_len;
	for (i = 0; i < ncells; i++) {
		while (p < end && ctl_blank(*p))
			p++;
		if (p == end) {
			cells[i] = NULL;
			continue;
		}
		if (i == ncells - 1) {
			/* The line is already right-trimmed. */
			cells[i] = ctl_xstrndup(p, (size_t)(end - p));
			p = end;
			continue;
		}
		w = p;
		while (p < end && !ctl_blank(*p))
			p++;
		cells[i] = ctl_xstrndup(w, (size_t)(p - w));
	}
}

static void
ctl_section_build(struct ctl_section *cs, const struct ctl_line *lines,
    size_t n)
{
	const struct ctl_line *l;
	const char *colon, *v, *end, *p;
	size_t i, c, ncols;
	bool kv;

	memset(cs, 0, sizeof(*cs));
	kv = true;
	for (i = 0; i < n && kv; i++)
		kv = ctl_line_is_kv(&lines[i]);
	if (kv) {
		cs->cs_kind = CTL_SECTION_KV;
		cs->cs_nrows = n;
		cs->cs_rows = ctl_xcalloc(n, sizeof(*cs->cs_rows));
		for (i = 0; i < n; i++) {
			l = &lines[i];
			end = l->cl_start + l->cl_len;
			colon = memchr(l->cl_start, ':', l->cl_len);
			p = colon;
			while (p > l->cl_start && ctl_blank(p[-1]))
				p--;
			v = colon + 1;
			while (v < end && ctl_blank(*v))
				v++;
			cs->cs_rows[i] = ctl_xcalloc(2, sizeof(char *));
			cs->cs_rows[i][0] = ctl_xstrndup(l->cl_start,
			    (size_t)(p - l->cl_start));
			cs->cs_rows[i][1] = ctl_xstrndup(v, (size_t)(end - v));
		}
		return;
	}

	cs->cs_kind = CTL_SECTION_TABLE;
	/* Count the header's columns. */
	ncols = 0;
	l = &lines[0];
	end = l->cl_start + l->cl_len;
	for (p = l->cl_start; p < end;) {
		while (p < end && ctl_blank(*p))
			p++;
		if (p == end)
			break;
		ncols++;
		while (p < end && !ctl_blank(*p))
			p++;
	}
	cs->cs_ncols = ncols;
	cs->cs_cols = ctl_xcalloc(ncols, sizeof(char *));
	/* Header names never contain blanks: split at every run. */
	p = l->cl_start;
	for (c = 0; c < ncols; c++) {
		while (ctl_blank(*p))
			p++;
		v = p;
		while (p < end && !ctl_blank(*p))
			p++;
		cs->cs_cols[c] = ctl_xstrndup(v, (size_t)(p - v));
	}
	cs->cs_nrows = n - 1;
	cs->cs_rows = ctl_xcalloc(n - 1, sizeof(*cs->cs_rows));
	for (i = 1; i < n; i++) {
		cs->cs_rows[i - 1] = ctl_xcalloc(ncols, sizeof(char *));
		ctl_split(&lines[i], ncols, cs->cs_rows[i - 1]);
	}
	cs->cs_numeric = ctl_xcalloc(ncols, sizeof(bool));
	for (c = 0; c < ncols; c++) {
		cs->cs_numeric[c] = true;
		for (i = 0; i < cs->cs_nrows; i++) {
			if (cs->cs_rows[i][c] != NULL &&
			    !ctl_is_number(cs->cs_rows[i][c])) {
				cs->cs_numeric[c] = false;
				break;
			}
		}
	}
}

void
ctl_text_parse(const char *text, struct ctl_doc *doc)
{
	struct ctl_line *lines;
	const char *p, *nl, *s, *e;
	size_t nlines, cap, first, i;

	memset(doc, 0, sizeof(*doc));
	lines = NULL;
	nlines = cap = 0;
	/* Trimmed lines; a blank line is kept as a zero-length separator. */
	for (p = text; *p != '\0'; p = *nl == '\0' ? nl : nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		s = p;
		e = nl;
		while (s < e && ctl_blank(*s))
			s++;
		while (e > s && ctl_blank(e[-1]))
			e--;
		if (nlines == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			lines = ctl_xreallocarray(lines, cap, sizeof(*lines));
		}
		lines[nlines].cl_start = s;
		lines[nlines].cl_len = (size_t)(e - s);
		nlines++;
	}
	first = 0;
	for (i = 0; i <= nlines; i++) {
		if (i < nlines && lines[i].cl_len != 0)
			continue;
		if (i > first) {
			doc->cd_sections = ctl_xreallocarray(doc->cd_sections,
			    doc->cd_nsections + 1, sizeof(struct ctl_section));
			ctl_section_build(&doc->cd_sections[doc->cd_nsections],
			    &lines[first], i - first);
			doc->cd_nsections++;
		}
		first = i + 1;
	}
	free(lines);
}

void
ctl_doc_free(struct ctl_doc *doc)
{
	struct ctl_section *cs;
	size_t s, i, c, ncells;

	for (s = 0; s < doc->cd_nsections; s++) {
		cs = &doc->cd_sections[s];
		ncells = cs->cs_kind == CTL_SECTION_KV ? 2 : cs->cs_ncols;
		for (i = 0; i < cs->cs_nrows; i++) {
			for (c = 0; c < ncells; c++)
				free(cs->cs_rows[i][c]);
			free(cs->cs_rows[i]);
		}
		free(cs->cs_rows);
		for (c = 0; c < cs->cs_ncols; c++)
			free(cs->cs_cols[c]);
		free(cs->cs_cols);
		free(cs->cs_numeric);
	}
	free(doc->cd_sections);
	memset(doc, 0, sizeof(*doc));
}

int
ctl_section_col(const struct ctl_section *cs, const char *name)
{
	size_t c;

	if (cs->cs_kind != CTL_SECTION_TABLE)
		return (-1);
	for (c = 0; c < cs->cs_ncols; c++)
		if (strcasecmp(cs->cs_cols[c], name) == 0)
			return ((int)c);
	return (-1);
}

const char *
ctl_section_get(const struct ctl_section *cs, const char *key)
{
	size_t i;

	if (cs->cs_kind != CTL_SECTION_KV)
		return (NULL);
	for (i = 0; i < cs->cs_nrows; i++)
		if (strcmp(cs->cs_rows[i][0], key) == 0)
			return (cs->cs_rows[i][1]);
	return (NULL);
}
