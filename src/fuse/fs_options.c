/*
 * devpagerfs's own mount options (see fs_options.h and devpagerfs(8)).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/sbuf.h"
#include "kern/size.h"
#include "vm/vm.h"
#include "fuse/fs_options.h"

static int	fs_options_parse_args(struct fuse_args *args,
		    struct fs_options *o, char *err, size_t errlen);
static void	fs_options_escape_message(char *err, size_t errlen);
static bool	fs_opt_mount_only(const char *opt);

#define	FS_OPT(t, p)	{ t, offsetof(struct fs_options, p), 0 }
static const struct fuse_opt fs_opts[] = {
	FS_OPT("config=%s", config),
	FS_OPT("physmem=%s", physmem_arg),
	FS_OPT("swap_limit=%s", swap_limit_arg),
	FS_OPT("fault_pages=%s", fault_pages_arg),
	FS_OPT("entry_timeout=%s", entry_timeout_arg),
	FS_OPT("attr_timeout=%s", attr_timeout_arg),
	FUSE_OPT_END
};

/*
 * Options that only mean something to mount(8) and fstab(5): mount(8)
 * hands them to the mount.fuse.devpagerfs helper (this program) along
 * with the rest, and libfuse would refuse them.  They are dropped, as
 * libfuse's own mount.fuse helper drops them.
 */
static bool
fs_opt_mount_only(const char *opt)
{
	static const char *const names[] = {
		"auto", "noauto", "user", "nouser", "users", "owner", "group",
		"defaults", "_netdev", "nofail",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(opt, names[i]) == 0)
			return (true);
	return (strncmp(opt, "x-", 2) == 0 || strncmp(opt, "X-", 2) == 0 ||
	    strncmp(opt, "comment=", 8) == 0);
}

static int
fs_opt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct fs_options *o = data;
	char *copy;

	(void)outargs;
	if (key == FUSE_OPT_KEY_OPT && fs_opt_mount_only(arg))
		return (0);		/* drop it */
	if (key != FUSE_OPT_KEY_NONOPT)
		return (1);		/* keep it for libfuse */
	if (o->npositional == 2) {
		o->too_many = true;
		return (0);
	}
	copy = strdup(arg);
	if (copy == NULL)
		return (-1);
	/* The first of two is the source; the last is the mountpoint. */
	if (o->npositional == 1) {
		o->source = o->mountpoint;
		o->mountpoint = copy;
	} else
		o->mountpoint = copy;
	o->npositional++;
	return (0);
}

/* Parse a SIZE option into a page-rounded byte count within [min, max]. */
/* Does any -o list in args carry an option starting with prefix? */
static bool
fs_args_have_option(const struct fuse_args *args, const char *prefix)
{
	size_t plen;
	int i;

	plen = strlen(prefix);
	for (i = 0; i < args->argc; i++) {
		const char *a = args->argv[i];
		const char *p;

		if (strncmp(a, "-o", 2) == 0)
			a += 2;
		else if (i > 0 && strcmp(args->argv[i - 1], "-o") == 0)
			;
		else
			continue;
		for (p = a; p != NULL; p = strchr(p, ',')) {
			if (*p == ',')
				p++;
			if (strncmp(p, prefix, plen) == 0)
				return (true);
		}
	}
	return (false);
}

static int
parse_size_option(const char *name, const char *arg, uint64_t min,
    uint64_t max, uint64_t *valuep, char *err, size_t errlen)
{
	uint64_t v;
	int error;

	error = size_parse(arg, &v);
	if (error == 0 && v > max)
		error = ERANGE;
	if (error == 0 && round_page(v) < min)
		error = ERANGE;
	if (error != 0) {
		char lo[32], hi[32];

		size_format(min, lo, sizeof(lo));
		size_format(max, hi, sizeof(hi));
		snprintf(err, errlen,
		    "bad value for -o %s: '%s' (expected a SIZE from %s to %s: "
		    "a number with an optional K, M or G suffix, or 0x hex)",
		    name, arg, lo, hi);
		return (-1);
	}
	*valuep = round_page(v);
	return (0);
}

static int
parse_count_option(const char *name, const char *arg, unsigned min,
    unsigned max, unsigned *valuep, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = (arg[0] >= '0' && arg[0] <= '9') ? strtoul(arg, &end, 10) : 0;
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    v < min || v > max) {
		snprintf(err, errlen,
		    "bad value for -o %s: '%s' (expected a number from %u to %u)",
		    name, arg, min, max);
		return (-1);
	}
	*valuep = (unsigned)v;
	return (0);
}

static int
parse_seconds_option(const char *name, const char *arg, double *valuep,
    char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' ||
	    !(v >= 0.0 && v <= FS_TIMEOUT_MAX)) {
		snprintf(err, errlen,
		    "bad value for -o %s: '%s' (expected seconds from 0 to %g)",
		    name, arg, FS_TIMEOUT_MAX);
		return (-1);
	}
	*valuep = v;
	return (0);
}

/*
 * The message quotes option values as given: write every byte outside
 * printable ASCII as \xNN, as ctl messages do, so it stays one readable
 * line on a terminal.
 */
static void
fs_options_escape_message(char *err, size_t errlen)
{
	struct sbuf sb;

	sbuf_init(&sb);
	(void)sbuf_cat_escaped(&sb, err, strlen(err));
	if (sbuf_finish(&sb) == 0)
		snprintf(err, errlen, "%s", sbuf_data(&sb));
	sbuf_delete(&sb);
}

int
fs_options_parse(struct fuse_args *args, struct fs_options *o, char *err,
    size_t errlen)
{
	int error;

	if (errlen > 0)
		err[0] = '\0';
	error = fs_options_parse_args(args, o, err, errlen);
	if (error != 0 && errlen > 0)
		fs_options_escape_message(err, errlen);
	return (error);
}

static int
fs_options_parse_args(struct fuse_args *args, struct fs_options *o,
    char *err, size_t errlen)
{
	char buf[4096];

	memset(o, 0, sizeof(*o));
	o->physmem = FS_PHYSMEM_DEFAULT;
	o->fault_pages = FS_FAULT_PAGES_DEFAULT;
	o->entry_timeout = FS_TIMEOUT_DEFAULT;
	o->attr_timeout = FS_TIMEOUT_DEFAULT;

	if (fuse_opt_parse(args, o, fs_opts, fs_opt_proc) == -1) {
		snprintf(err, errlen, "cannot parse the command line");
		return (-1);
	}
	if (o->too_many) {
		snprintf(err, errlen,
		    "too many arguments: expected [source] mountpoint");
		return (-1);
	}
	if (o->config != NULL && o->config[0] == '\0') {
		snprintf(err, errlen, "bad value for -o config: empty path");
		return (-1);
	}
	if (o->physmem_arg != NULL && parse_size_option("physmem",
	    o->physmem_arg, FS_PHYSMEM_MIN, FS_PHYSMEM_MAX, &o->physmem,
	    err, errlen) != 0)
		return (-1);
	if (o->swap_limit_arg != NULL) {
		if (parse_size_option("swap_limit", o->swap_limit_arg, 0,
		    FS_SWAP_LIMIT_MAX, &o->swap_limit, err, errlen) != 0)
			return (-1);
		o->swap_limit_set = true;
	}
	if (o->fault_pages_arg != NULL && parse_count_option("fault_pages",
	    o->fault_pages_arg, 1, FS_FAULT_PAGES_MAX, &o->fault_pages,
	    err, errlen) != 0)
		return (-1);

	if (o->entry_timeout_arg != NULL && parse_seconds_option(
	    "entry_timeout", o->entry_timeout_arg, &o->entry_timeout, err,
	    errlen) != 0)
		return (-1);
	if (o->attr_timeout_arg != NULL && parse_seconds_option(
	    "attr_timeout", o->attr_timeout_arg, &o->attr_timeout, err,
	    errlen) != 0)
		return (-1);

	/* What libfuse must see in any case. */
	if (fuse_opt_add_arg(args, "-odefault_permissions") == -1 ||
	    fuse_opt_add_arg(args, "-osubtype=devpagerfs") == -1)
		goto nomem;
	if (o->source != NULL && !fs_args_have_option(args, "fsname=")) {
		if (strchr(o->source, ',') != NULL) {
			snprintf(err, errlen,
			    "bad source '%s': it may not contain a comma",
			    o->source);
			return (-1);
		}
		snprintf(buf, sizeof(buf), "-ofsname=%s", o->source);
		if (fuse_opt_add_arg(args, buf) == -1)
			goto nomem;
	} else if (!fs_args_have_option(args, "fsname=")) {
		if (fuse_opt_add_arg(args, "-ofsname=devpagerfs") == -1)
			goto nomem;
	}
	if (o->mountpoint != NULL && fuse_opt_add_arg(args, o->mountpoint) == -1)
		goto nomem;
	return (0);
nomem:
	snprintf(err, errlen, "out of memory parsing the command line");
	return (-1);
}

void
fs_options_free(struct fs_options *o)
{
	free(o->config);
	free(o->source);
	free(o->mountpoint);
	free(o->physmem_arg);
	free(o->swap_limit_arg);
	free(o->fault_pages_arg);
	free(o->entry_timeout_arg);
	free(o->attr_timeout_arg);
	memset(o, 0, sizeof(*o));
}

void
fs_options_usage(const char *progname)
{
	printf("usage: %s [-dfhsV] [-o option[,...]] [source] mountpoint\n"
	    "\n"
	    "devpagerfs options:\n"
	    "    -o config=FILE         devices and limits (devpagerfs.conf(5));\n"
	    "                           without it: mem, ram0, fb0, gem0\n"
	    "    -o physmem=SIZE        simulated RAM (default 256M, 1M..8G)\n"
	    "    -o swap_limit=SIZE     per-uid limit on anonymous memory\n"
	    "    -o fault_pages=N       pages one fault may bring in (1..256,\n"
	    "                           default 1: exact per-page faults)\n"
	    "    -o entry_timeout=SECS  how long the kernel caches names (1)\n"
	    "    -o attr_timeout=SECS   how long it caches attributes (1)\n"
	    "SIZE: a number with an optional K, M or G suffix, or 0x hex.\n"
	    "\n", progname);
}
