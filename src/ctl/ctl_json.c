/*
 * devpagerctl: JSON writer for parsed inspection files (ctl_json.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/ctl_json.h"

static void	ctl_json_indent(struct ctl_buf *cb, int n);
static void	ctl_json_key(struct ctl_buf *cb,
		    const struct ctl_section *cs, size_t c);
static size_t	ctl_utf8_len(const unsigned char *s);

static void
ctl_json_indent(struct ctl_buf *cb, int n)
{

	while (n-- > 0)
		ctl_buf_putc(cb, ' ');
}

/*
 * Length of the valid UTF-8 sequence at `s' (1 to 4), or 0 when the bytes
 * there are not one (overlong forms, surrogates and values past U+10FFFF
 * included).
 */
static size_t
ctl_utf8_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (n);
}

void
ctl_json_string(struct ctl_buf *cb, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL) {
		ctl_buf_puts(cb, "null");
		return;
	}
	ctl_buf_putc(cb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = 1;
		switch (*p) {
		case '"':
			ctl_buf_puts(cb, "\\\"");
			continue;
		case '\\':
			ctl_buf_puts(cb, "\\\\");
			continue;
		case '\b':
			ctl_buf_puts(cb, "\\b");
			continue;
		case '\f':
			ctl_buf_puts(cb, "\\f");
			continue;
		case '\n':
			ctl_buf_puts(cb, "\\n");
			continue;
		case '\r':
			ctl_buf_puts(cb, "\\r");
			continue;
		case '\t':
			ctl_buf_puts(cb, "\\t");
			continue;
		default:
			break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			ctl_buf_printf(cb, "\\u%04x", *p);
			continue;
		}
		n = ctl_utf8_len(p);
		if (n == 0) {
			ctl_buf_puts(cb, "\\ufffd");
			n = 1;
			continue;
		}
		ctl_buf_put(cb, p, n);
	}
	ctl_buf_putc(cb, '"');
}

void
ctl_json_value(struct ctl_buf *cb, const char *s, bool numeric)
{

	if (s != NULL && numeric && ctl_is_number(s))
		ctl_buf_puts(cb, s);
	else
		ctl_json_string(cb, s);
}

/*
 * The key of column `c': its lower-cased header name, with a _2, _3...
 * suffix if an earlier column has the same name, so that no object has a
 * duplicate key.
 */
static void
ctl_json_key(struct ctl_buf *cb, const struct ctl_section *cs, size_t c)
{
	struct ctl_buf name;
	size_t i, dup;
	char *p;

	ctl_buf_init(&name);
	ctl_buf_puts(&name, cs->cs_cols[c]);
	for (p = name.cb_data; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	dup = 1;
	for (i = 0; i < c; i++)
		if (strcasecmp(cs->cs_cols[i], cs->cs_cols[c]) == 0)
			dup++;
	if (dup > 1)
		ctl_buf_printf(&name, "_%zu", dup);
	ctl_json_string(cb, ctl_buf_str(&name));
	ctl_buf_free(&name);
}

void
ctl_json_section(struct ctl_buf *cb, const struct ctl_section *cs,
    int indent)
{
	size_t i, c;

	if (cs->cs_kind == CTL_SECTION_KV) {
		if (cs->cs_nrows == 0) {
			ctl_buf_puts(cb, "{}");
			return;
		}
		ctl_buf_puts(cb, "{\n");
		for (i = 0; i < cs->cs_nrows; i++) {
			ctl_json_indent(cb, indent + 2);
			ctl_json_string(cb, cs->cs_rows[i][0]);
			ctl_buf_puts(cb, ": ");
			ctl_json_value(cb, cs->cs_rows[i][1], true);
			ctl_buf_puts(cb, i + 1 < cs->cs_nrows ? ",\n" : "\n");
		}
		ctl_json_indent(cb, indent);
		ctl_buf_putc(cb, '}');
		return;
	}
	if (cs->cs_nrows == 0) {
		ctl_buf_puts(cb, "[]");
		return;
	}
	ctl_buf_puts(cb, "[\n");
	for (i = 0; i < cs->cs_nrows; i++) {
		ctl_json_indent(cb, indent + 2);
		ctl_buf_putc(cb, '{');
		for (c = 0; c < cs->cs_ncols; c++) {
			if (c != 0)
				ctl_buf_puts(cb, ", ");
			ctl_json_key(cb, cs, c);
			ctl_buf_puts(cb, ": ");
			ctl_json_value(cb, cs->cs_rows[i][c],
			    cs->cs_numeric[c]);
		}
		ctl_buf_puts(cb, i + 1 < cs->cs_nrows ? "},\n" : "}\n");
	}
	ctl_json_indent(cb, indent);
	ctl_buf_putc(cb, ']');
}

void
ctl_json_doc(struct ctl_buf *cb, const struct ctl_doc *doc, int indent)
{
	size_t s;

	if (doc->cd_nsections == 1) {
		ctl_json_section(cb, &doc->cd_sections[0], indent);
		return;
	}
	if (doc->cd_nsections == 0) {
		ctl_buf_puts(cb, "[]");
		return;
	}
	ctl_buf_puts(cb, "[\n");
	for (s = 0; s < doc->cd_nsections; s++) {
		ctl_json_indent(cb, indent + 2);
		ctl_json_section(cb, &doc->cd_sections[s], indent + 2);
		ctl_buf_puts(cb, s + 1 < doc->cd_nsections ? ",\n" : "\n");
	}
	ctl_json_indent(cb, indent);
	ctl_buf_putc(cb, ']');
}

void
ctl_json_text(struct ctl_buf *cb, const char *text)
{
	struct ctl_doc doc;

	ctl_text_parse(text, &doc);
	ctl_json_doc(cb, &doc, 0);
	ctl_buf_putc(cb, '\n');
	ctl_doc_free(&doc);
}

void
ctl_json_reply(struct ctl_buf *cb, const char *reply)
{
	struct ctl_buf key, val;
	const char *p, *w, *eq;
	bool kv, first;
	int pass;

	/* Pass 0 checks that every word is KEY=VALUE, pass 1 writes. */
	ctl_buf_init(&key);
	ctl_buf_init(&val);
	kv = true;
	first = true;
	for (pass = 0; pass < 2 && kv; pass++) {
		if (pass == 1)
			ctl_buf_putc(cb, '{');
		for (p = reply; *p != '\0';) {
			while (*p != '\0' && isspace((unsigned char)*p))
				p++;
			if (*p == '\0')
				break;
			w = p;
			while (*p != '\0' && !isspace((unsigned char)*p))
				p++;
			eq = memchr(w, '=', (size_t)(p - w));
			if (eq == NULL || eq == w) {
				kv = false;
				break;
			}
			if (pass == 0)
				continue;
			ctl_buf_reset(&key);
			ctl_buf_reset(&val);
			ctl_buf_put(&key, w, (size_t)(eq - w));
			ctl_buf_put(&val, eq + 1, (size_t)(p - eq - 1));
			ctl_buf_puts(cb, first ? "" : ", ");
			first = false;
			ctl_json_string(cb, ctl_buf_str(&key));
			ctl_buf_puts(cb, ": ");
			ctl_json_value(cb, ctl_buf_str(&val), true);
		}
	}
	if (kv)
		ctl_buf_puts(cb, "}\n");
	else {
		ctl_buf_puts(cb, "{\"reply\": ");
		ctl_json_string(cb, reply);
		ctl_buf_puts(cb, "}\n");
	}
	ctl_buf_free(&key);
	ctl_buf_free(&val);
}
