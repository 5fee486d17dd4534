/*
 * devpagerctl: ctl command lines (ctl_cmd.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_cmd.h"

struct ctl_cmd_rule {
	const char	*cr_name;
	int		 cr_min;	/* words after the command, at least */
	int		 cr_max;	/* at most; -1: no bound */
	int		 cr_kv_from;	/* words from here on are KEY=VALUE */
	const char	*cr_usage;
};

/*
 * Word counts follow the grammar in devpagerfs(8); indices count the
 * command itself as 0.  `swap' and `fb' are checked further below.
 */
static const struct ctl_cmd_rule ctl_cmd_rules[] = {
	{ "create", 2, -1, 2, "create NAME driver=DRIVER [KEY=VALUE ...]" },
	{ "destroy", 1, 1, 2, "destroy NAME" },
	{ "revoke", 1, 3, 2, "revoke NAME [offset=SIZE] [length=SIZE]" },
	{ "memattr", 2, 2, 3, "memattr NAME wb|wt|wc|uc|uc-|wp" },
	{ "prefault", 2, 4, 3, "prefault NAME none|open|around "
	    "[prefault_max=SIZE] [prefault_window=SIZE]" },
	{ "gem", 2, -1, 3, "gem NAME create|destroy|move [KEY=VALUE ...]" },
	{ "swap", 2, -1, 2, "swap limit uid=N size=SIZE" },
	{ "fb", 2, -1, 3, "fb NAME snapshot path=FILE" },
};

char *
ctl_cmd_join(int argc, char *const argv[])
{
	struct ctl_buf cb;
	int i;

	ctl_buf_init(&cb);
	for (i = 0; i < argc; i++) {
		if (i != 0)
			ctl_buf_putc(&cb, ' ');
		ctl_buf_puts(&cb, argv[i]);
	}
	return (ctl_buf_take(&cb));
}

bool
ctl_word_ok(const char *s)
{
	const unsigned char *p;

	if (*s == '\0')
		return (false);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return (false);
	return (true);
}

bool
ctl_kv_word_ok(const char *s)
{
	const char *eq;

	eq = strchr(s, '=');
	return (eq != NULL && eq != s && eq[1] != '\0');
}

bool
ctl_name_ok(const char *s)
{

	return (*s != '\0' && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	    strchr(s, '/') == NULL);
}

int
ctl_cmd_check(int argc, char *const argv[], char *err, size_t errlen)
{
	const struct ctl_cmd_rule *r;
	size_t i;
	int w;
	bool driver;

	r = NULL;
	for (i = 0; i < sizeof(ctl_cmd_rules) / sizeof(ctl_cmd_rules[0]); i++)
		if (argc > 0 && strcmp(argv[0], ctl_cmd_rules[i].cr_name) == 0)
			r = &ctl_cmd_rules[i];
	if (r == NULL) {
		snprintf(err, errlen, "unknown command '%s'",
		    argc > 0 ? argv[0] : "");
		return (-1);
	}
	for (w = 1; w < argc; w++) {
		if (!ctl_word_ok(argv[w])) {
			snprintf(err, errlen, "%s: argument %d is empty or "
			    "holds a blank or control character; the ctl "
			    "protocol cannot carry it", r->cr_name, w);
			return (-1);
		}
	}
	if (argc - 1 < r->cr_min || (r->cr_max >= 0 && argc - 1 > r->cr_max))
		goto usage;
	if (strcmp(r->cr_name, "swap") == 0 && strcmp(argv[1], "limit") != 0)
		goto usage;
	if (strcmp(r->cr_name, "fb") == 0 && strcmp(argv[2], "snapshot") != 0)
		goto usage;
	for (w = r->cr_kv_from; w < argc; w++) {
		if (!ctl_kv_word_ok(argv[w])) {
			snprintf(err, errlen, "%s: '%s' is not KEY=VALUE",
			    r->cr_name, argv[w]);
			return (-1);
		}
	}
	if (strcmp(r->cr_name, "create") == 0) {
		driver = false;
		for (w = 2; w < argc; w++)
			if (strncmp(argv[w], "driver=", 7) == 0)
				driver = true;
		if (!driver) {
			snprintf(err, errlen, "create: driver=DRIVER is "
			    "required");
			return (-1);
		}
	}
	return (0);
usage:
	snprintf(err, errlen, "usage: %s", r->cr_usage);
	return (-1);
}

int
ctl_abs_path(const char *file, char **out, char *err, size_t errlen)
{
	struct ctl_buf cb;
	const char *slash, *base;
	char *dir, *real;
	int error;

	*out = NULL;
	slash = strrchr(file, '/');
	base = slash != NULL ? slash + 1 : file;
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		snprintf(err, errlen, "%s: not a file name", file);
		return (EINVAL);
	}
	if (slash == NULL)
		dir = ctl_xstrdup(".");
	else if (slash == file)
		dir = ctl_xstrdup("/");
	else
		dir = ctl_xstrndup(file, (size_t)(slash - file));
	real = realpath(dir, NULL);
	if (real == NULL) {
		error = errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(error));
		free(dir);
		return (error);
	}
	free(dir);
	ctl_buf_init(&cb);
	ctl_buf_puts(&cb, real);
	if (strcmp(real, "/") != 0)
		ctl_buf_putc(&cb, '/');
	ctl_buf_puts(&cb, base);
	free(real);
	if (!ctl_word_ok(ctl_buf_str(&cb))) {
		snprintf(err, errlen, "%s: a path with blanks or control "
		    "characters cannot be sent over the ctl protocol",
		    ctl_buf_str(&cb));
		ctl_buf_free(&cb);
		return (EINVAL);
	}
	*out = ctl_buf_take(&cb);
	return (0);
}
