/*
 * devpagerctl: growable text buffer and allocation wrappers (ctl_buf.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_buf.h"

static void	ctl_nomem(void) __attribute__((__noreturn__));

static void
ctl_nomem(void)
{

	fputs("devpagerctl: out of memory\n", stderr);
	exit(1);
}

void *
ctl_xmalloc(size_t size)
{
	void *p;

	p = malloc(size == 0 ? 1 : size);
	if (p == NULL)
		ctl_nomem();
	return (p);
}

void *
ctl_xcalloc(size_t n, size_t size)
{
	void *p;

	p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
	if (p == NULL)
		ctl_nomem();
	return (p);
}

void *
ctl_xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		ctl_nomem();
	q = realloc(p, n * size == 0 ? 1 : n * size);
	if (q == NULL)
		ctl_nomem();
	return (q);
}

char *
ctl_xstrdup(const char *s)
{

	return (ctl_xstrndup(s, strlen(s)));
}

char *
ctl_xstrndup(const char *s, size_t n)
{
	char *p;

	p = ctl_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

void
ctl_buf_init(struct ctl_buf *cb)
{

	cb->cb_data = NULL;
	cb->cb_len = 0;
	cb->cb_size = 0;
}

void
ctl_buf_free(struct ctl_buf *cb)
{

	free(cb->cb_data);
	ctl_buf_init(cb);
}

void
ctl_buf_reset(struct ctl_buf *cb)
{

	cb->cb_len = 0;
	if (cb->cb_data != NULL)
		cb->cb_data[0] = '\0';
}

/* Make room for `more' bytes plus the terminating NUL. */
void
ctl_buf_reserve(struct ctl_buf *cb, size_t more)
{
	size_t need, size;

	if (more > SIZE_MAX - cb->cb_len - 1)
		ctl_nomem();
	need = cb->cb_len + more + 1;
	if (need <= cb->cb_size)
		return;
	size = cb->cb_size == 0 ? 256 : cb->cb_size;
	while (size < need)
		size = size > SIZE_MAX / 2 ? need : size * 2;
	cb->cb_data = ctl_xreallocarray(cb->cb_data, size, 1);
	cb->cb_size = size;
}

void
ctl_buf_put(struct ctl_buf *cb, const void *data, size_t len)
{

	ctl_buf_reserve(cb, len);
	if (len != 0)
		memcpy(cb->cb_data + cb->cb_len, data, len);
	cb->cb_len += len;
	cb->cb_data[cb->cb_len] = '\0';
}

void
ctl_buf_puts(struct ctl_buf *cb, const char *s)
{

	ctl_buf_put(cb, s, strlen(s));
}

void
ctl_buf_putc(struct ctl_buf *cb, char c)
{

	ctl_buf_put(cb, &c, 1);
}

void
ctl_buf_printf(struct ctl_buf *cb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		ctl_nomem();
	ctl_buf_reserve(cb, (size_t)n);
	va_start(ap, fmt);
	(void)vsnprintf(cb->cb_data + cb->cb_len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	cb->cb_len += (size_t)n;
}

const char *
ctl_buf_str(const struct ctl_buf *cb)
{

	return (cb->cb_data != NULL ? cb->cb_data : "");
}

char *
ctl_buf_take(struct ctl_buf *cb)
{
	char *s;

	s = cb->cb_data != NULL ? cb->cb_data : ctl_xstrdup("");
	ctl_buf_init(cb);
	return (s);
}

void
ctl_buf_rstrip(struct ctl_buf *cb)
{
	char c;

	while (cb->cb_len > 0) {
		c = cb->cb_data[cb->cb_len - 1];
		if (c != '\n' && c != '\r' && c != ' ' && c != '\t')
			break;
		cb->cb_data[--cb->cb_len] = '\0';
	}
}
