/*
 * devpagerctl: a growable, always NUL-terminated text buffer.
 *
 * The client is single-threaded; a buffer belongs to its caller and has no
 * locking.  Allocation failure is fatal (the program prints a message and
 * exits 1): a command-line tool has nothing sensible to unwind to.
 */
#ifndef _CTL_CTL_BUF_H_
#define _CTL_CTL_BUF_H_

#include <stdarg.h>
#include <stddef.h>

struct ctl_buf {
	char	*cb_data;	/* text, NUL-terminated once touched */
	size_t	 cb_len;	/* bytes used, without the NUL */
	size_t	 cb_size;	/* bytes allocated */
};

#define	CTL_BUF_INITIALIZER	{ NULL, 0, 0 }

void	 ctl_buf_init(struct ctl_buf *cb);
void	 ctl_buf_free(struct ctl_buf *cb);
void	 ctl_buf_reset(struct ctl_buf *cb);
void	 ctl_buf_reserve(struct ctl_buf *cb, size_t more);
void	 ctl_buf_put(struct ctl_buf *cb, const void *data, size_t len);
void	 ctl_buf_puts(struct ctl_buf *cb, const char *s);
void	 ctl_buf_putc(struct ctl_buf *cb, char c);
void	 ctl_buf_printf(struct ctl_buf *cb, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
/* Strip trailing newlines and blanks. */
void	 ctl_buf_rstrip(struct ctl_buf *cb);
/* The text so far; "" for an untouched buffer, never NULL. */
const char *ctl_buf_str(const struct ctl_buf *cb);
/* Hand the text over to the caller (free(3) it); the buffer is reset. */
char	*ctl_buf_take(struct ctl_buf *cb);

/* malloc/calloc/realloc/strdup that exit(1) with a message on failure. */
void	*ctl_xmalloc(size_t size);
void	*ctl_xcalloc(size_t n, size_t size);
void	*ctl_xreallocarray(void *p, size_t n, size_t size);
char	*ctl_xstrdup(const char *s);
char	*ctl_xstrndup(const char *s, size_t n);

#endif /* !_CTL_CTL_BUF_H_ */
