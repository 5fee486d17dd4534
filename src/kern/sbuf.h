/*
 * Growable string buffers, after FreeBSD's sbuf(9): the inspection tree
 * builds every snapshot in one, and ctl replies and errors go through one.
 * An sbuf that failed to grow stays in an error state (sbuf_error() returns
 * ENOMEM) and ignores further output; sbuf_finish() reports it.
 *
 * Not thread-safe: one owner at a time.
 */
#ifndef _KERN_SBUF_H_
#define _KERN_SBUF_H_

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char	*s_buf;		/* NUL-terminated once finished */
	size_t	 s_len;		/* bytes of data */
	size_t	 s_size;	/* bytes allocated */
	int	 s_error;	/* 0 or ENOMEM */
};

void	sbuf_init(struct sbuf *sb);
int	sbuf_printf(struct sbuf *sb, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
int	sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap);
int	sbuf_cat(struct sbuf *sb, const char *s);
int	sbuf_bcat(struct sbuf *sb, const void *buf, size_t len);
/* Append len bytes, each one outside printable ASCII (0x20-0x7e) as
 * \xNN: for quoting what a user wrote in a message. */
int	sbuf_cat_escaped(struct sbuf *sb, const void *buf, size_t len);
void	sbuf_clear(struct sbuf *sb);
int	sbuf_finish(struct sbuf *sb);		/* 0 or ENOMEM */
int	sbuf_error(const struct sbuf *sb);
char	*sbuf_data(struct sbuf *sb);
size_t	sbuf_len(const struct sbuf *sb);
void	sbuf_delete(struct sbuf *sb);		/* frees the data */

#endif /* !_KERN_SBUF_H_ */
