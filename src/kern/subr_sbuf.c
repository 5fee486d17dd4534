/*
 * Growable string buffers (see sbuf.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/sbuf.h"

#define	SBUF_MINSIZE	256

void
sbuf_init(struct sbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

/* Make room for len more bytes plus the terminating NUL. */
static int
sbuf_reserve(struct sbuf *sb, size_t len)
{
	size_t need, nsize;
	char *nbuf;

	if (sb->s_error != 0)
		return (sb->s_error);
	need = sb->s_len + len + 1;
	if (need < sb->s_len) {
		sb->s_error = ENOMEM;
		return (ENOMEM);
	}
	if (need <= sb->s_size)
		return (0);
	nsize = sb->s_size < SBUF_MINSIZE ? SBUF_MINSIZE : sb->s_size;
	while (nsize < need)
		nsize *= 2;
	nbuf = realloc(sb->s_buf, nsize);
	if (nbuf == NULL) {
		sb->s_error = ENOMEM;
		return (ENOMEM);
	}
	sb->s_buf = nbuf;
	sb->s_size = nsize;
	return (0);
}

int
sbuf_bcat(struct sbuf *sb, const void *buf, size_t len)
{
	if (sbuf_reserve(sb, len) != 0)
		return (-1);
	memcpy(sb->s_buf + sb->s_len, buf, len);
	sb->s_len += len;
	sb->s_buf[sb->s_len] = '\0';
	return (0);
}

int
sbuf_cat(struct sbuf *sb, const char *s)
{
	return (sbuf_bcat(sb, s, strlen(s)));
}

int
sbuf_cat_escaped(struct sbuf *sb, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i, run;

	for (i = 0; i < len; i += run) {
		/* Printable runs in one piece. */
		for (run = 0; i + run < len && p[i + run] >= 0x20 &&
		    p[i + run] <= 0x7e; run++)
			;
		if (run > 0) {
			if (sbuf_bcat(sb, p + i, run) != 0)
				return (-1);
			continue;
		}
		if (sbuf_printf(sb, "\\x%02x", p[i]) < 0)
			return (-1);
		run = 1;
	}
	return (0);
}

/*
 * Format straight into the room left; only when the text does not fit
 * (rarely, the buffer doubles) grow and format a second time.  The
 * listings of vm/ are thousands of sbuf_printf calls.
 */
int
sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	size_t room;
	int n;

	if (sb->s_error != 0)
		return (-1);
	if (sb->s_buf == NULL && sbuf_reserve(sb, 0) != 0)
		return (-1);
	room = sb->s_size - sb->s_len;
	va_copy(aq, ap);
	n = vsnprintf(sb->s_buf + sb->s_len, room, fmt, aq);
	va_end(aq);
	if (n < 0) {
		sb->s_buf[sb->s_len] = '\0';
		sb->s_error = ENOMEM;
		return (-1);
	}
	if ((size_t)n >= room) {
		/* Cut short: undo, grow, format again. */
		sb->s_buf[sb->s_len] = '\0';
		if (sbuf_reserve(sb, (size_t)n) != 0)
			return (-1);
		vsnprintf(sb->s_buf + sb->s_len, (size_t)n + 1, fmt, ap);
	}
	sb->s_len += (size_t)n;
	return (0);
}

int
sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return (ret);
}

void
sbuf_clear(struct sbuf *sb)
{
	sb->s_len = 0;
	sb->s_error = 0;
	if (sb->s_buf != NULL)
		sb->s_buf[0] = '\0';
}

int
sbuf_finish(struct sbuf *sb)
{
	if (sb->s_error == 0 && sb->s_buf == NULL)
		(void)sbuf_reserve(sb, 0);
	if (sb->s_error == 0)
		sb->s_buf[sb->s_len] = '\0';
	return (sb->s_error);
}

int
sbuf_error(const struct sbuf *sb)
{
	return (sb->s_error);
}

char *
sbuf_data(struct sbuf *sb)
{
	return (sb->s_buf != NULL ? sb->s_buf : (char *)"");
}

size_t
sbuf_len(const struct sbuf *sb)
{
	return (sb->s_error == 0 ? sb->s_len : 0);
}

void
sbuf_delete(struct sbuf *sb)
{
	free(sb->s_buf);
	memset(sb, 0, sizeof(*sb));
}
