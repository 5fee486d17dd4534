/*
 * The configuration file, devpagerfs.conf(5): ctl statements (create,
 * memattr, swap limit), one per line, `#` comment lines and blank lines.
 *
 * fs_config_check() reads and checks the whole file without touching any
 * state -- it runs before mounting, before the VM exists: every line is
 * parsed as a ctl command (FS_CTL_SRC_CONFIG), create statements are
 * checked by their driver (dev_check_args: keys, values, backing paths),
 * names must be unique within the file and a memattr statement must name
 * a device created on an earlier line whose driver can change it.
 *
 * fs_config_apply() checks the file the same way, then carries it out in
 * three steps, so that a failure can be undone completely:
 *	1. create (devices that can be destroyed) and memattr statements,
 *	   in file order;
 *	2. create statements of eternal drivers (mem): they cannot be
 *	   destroyed, so they come when nothing else can fail;
 *	3. swap limit statements (they cannot fail).
 * On the first failure the devices made by steps 1 and 2 are destroyed,
 * newest first (with the backing files this run created), and the error
 * is returned as "FILE:LINE: message".
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "fuse/fs_ctl_var.h"

/* Largest configuration file read. */
#define	FS_CONFIG_MAX_BYTES	(1UL << 20)

struct fs_config_stmt {
	unsigned		 cs_line;	/* 1-based */
	const struct dev_driver	*cs_drv;	/* create, memattr */
	struct fs_ctl_cmd	*cs_cmd;
	bool			 cs_done;	/* created (for rollback) */
};

struct fs_config {
	const char		*cf_name;	/* for messages */
	struct fs_config_stmt	*cf_stmts;
	unsigned		 cf_nstmts;
};

static int	config_read(const char *path, char **textp, size_t *lenp,
		    struct sbuf *err);
static int	config_load(struct fs_config *cf, const char *text,
		    size_t len, struct sbuf *err);
static int	config_check_stmt(struct fs_config *cf, unsigned i,
		    struct sbuf *msg);
static void	config_free(struct fs_config *cf);
static int	config_apply(struct fs_config *cf, const struct ucred *cred,
		    struct sbuf *err);
static bool	config_blank(const char *line, size_t len);

static int
config_read(const char *path, char **textp, size_t *lenp, struct sbuf *err)
{
	struct stat st;
	char *text;
	size_t len;
	ssize_t n;
	int error, fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		error = errno;
		sbuf_printf(err, "%s: %s", path, strerror(error));
		return (error);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		sbuf_printf(err, "%s: not a regular file", path);
		return (EINVAL);
	}
	if ((unsigned long)st.st_size > FS_CONFIG_MAX_BYTES) {
		close(fd);
		sbuf_printf(err, "%s: larger than %lu bytes", path,
		    FS_CONFIG_MAX_BYTES);
		return (EINVAL);
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		sbuf_printf(err, "%s: out of memory", path);
		return (ENOMEM);
	}
	len = 0;
	for (;;) {
		n = read(fd, text + len, (size_t)st.st_size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = errno;
			close(fd);
			free(text);
			sbuf_printf(err, "%s: %s", path, strerror(error));
			return (error);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			/* Growing while we read it. */
			close(fd);
			free(text);
			sbuf_printf(err, "%s: changed while being read", path);
			return (EINVAL);
		}
	}
	close(fd);
	*textp = text;
	*lenp = len;
	return (0);
}

static bool
config_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return (line[i] == '#');
	return (true);
}

/*
 * The checks that need the statements before it: unique names, a
 * single mem, memattr on a device of this file that can change it, the
 * driver's own checks.  Touches nothing.
 */
static int
config_check_stmt(struct fs_config *cf, unsigned i, struct sbuf *msg)
{
	struct fs_config_stmt *cs = &cf->cf_stmts[i], *prev;
	struct fs_ctl_cmd *cmd = cs->cs_cmd;
	unsigned j;
	int error;

	switch (cmd->op) {
	case FS_CTL_CREATE:
		error = dev_check_args(&cmd->create, msg);
		if (error != 0)
			return (error);
		cs->cs_drv = dev_driver_find(cmd->create.driver);
		for (j = 0; j < i; j++) {
			prev = &cf->cf_stmts[j];
			if (prev->cs_cmd->op != FS_CTL_CREATE)
				continue;
			if (strcmp(prev->cs_cmd->name, cmd->name) == 0) {
				sbuf_printf(msg, "device '%s' is already "
				    "created on line %u", cmd->name,
				    prev->cs_line);
				return (EEXIST);
			}
			if (cs->cs_drv->dd_eternal &&
			    prev->cs_drv == cs->cs_drv) {
				sbuf_printf(msg, "a second %s device (the "
				    "first is on line %u)",
				    cs->cs_drv->dd_name, prev->cs_line);
				return (EEXIST);
			}
		}
		return (0);
	case FS_CTL_MEMATTR:
		prev = NULL;
		for (j = 0; j < i; j++) {
			if (cf->cf_stmts[j].cs_cmd->op == FS_CTL_CREATE &&
			    strcmp(cf->cf_stmts[j].cs_cmd->name,
			    cmd->name) == 0)
				prev = &cf->cf_stmts[j];
		}
		if (prev == NULL) {
			sbuf_printf(msg, "no device '%s' is created before "
			    "this line", cmd->name);
			return (ENOENT);
		}
		cs->cs_drv = prev->cs_drv;
		if (cs->cs_drv->dd_set_memattr == NULL) {
			sbuf_printf(msg, "device '%s' (driver %s) cannot "
			    "change its memattr", cmd->name,
			    cs->cs_drv->dd_name);
			return (EINVAL);
		}
		return (0);
	case FS_CTL_SWAP_LIMIT:
		return (0);
	default:
		/* fs_ctl_parse refuses the others for FS_CTL_SRC_CONFIG. */
		sbuf_cat(msg, "statement not allowed here");
		return (EINVAL);
	}
}

/* Parse and check every line of text into cf.  Touches nothing else. */
static int
config_load(struct fs_config *cf, const char *text, size_t len,
    struct sbuf *err)
{
	struct fs_config_stmt *cs;
	const char *line, *nl, *end;
	struct sbuf msg;
	size_t llen, max;
	unsigned lineno;
	int error;

	cf->cf_stmts = NULL;
	cf->cf_nstmts = 0;
	/* One statement per line at most. */
	max = 1;
	for (line = text; line < text + len; line++)
		if (*line == '\n')
			max++;
	cf->cf_stmts = calloc(max, sizeof(*cf->cf_stmts));
	if (cf->cf_stmts == NULL) {
		sbuf_printf(err, "%s: out of memory", cf->cf_name);
		return (ENOMEM);
	}
	sbuf_init(&msg);
	error = 0;
	end = text + len;
	for (line = text, lineno = 1; line < end; line = nl + 1, lineno++) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		llen = (size_t)(nl - line);
		if (config_blank(line, llen))
			continue;
		cs = &cf->cf_stmts[cf->cf_nstmts];
		cs->cs_line = lineno;
		cs->cs_cmd = malloc(sizeof(*cs->cs_cmd));
		if (cs->cs_cmd == NULL) {
			sbuf_cat(&msg, "out of memory");
			error = ENOMEM;
			break;
		}
		cf->cf_nstmts++;
		sbuf_clear(&msg);
		error = fs_ctl_parse(line, llen, FS_CTL_SRC_CONFIG, cs->cs_cmd,
		    &msg);
		if (error == 0)
			error = config_check_stmt(cf, cf->cf_nstmts - 1, &msg);
		if (error != 0)
			break;
	}
	if (error != 0) {
		(void)sbuf_finish(&msg);
		sbuf_printf(err, "%s:%u: %s", cf->cf_name, lineno,
		    sbuf_len(&msg) > 0 ? sbuf_data(&msg) : strerror(error));
	}
	sbuf_delete(&msg);
	return (error);
}

static void
config_free(struct fs_config *cf)
{
	unsigned i;

	for (i = 0; i < cf->cf_nstmts; i++)
		free(cf->cf_stmts[i].cs_cmd);
	free(cf->cf_stmts);
	cf->cf_stmts = NULL;
	cf->cf_nstmts = 0;
}

/* Carry out a loaded file (steps in the comment at the top). */
static int
config_apply(struct fs_config *cf, const struct ucred *cred,
    struct sbuf *err)
{
	struct fs_config_stmt *cs;
	struct sbuf msg, junk;
	unsigned i, step, failed;
	int error;

	sbuf_init(&msg);
	error = 0;
	failed = 0;
	for (step = 1; step <= 3 && error == 0; step++) {
		for (i = 0; i < cf->cf_nstmts && error == 0; i++) {
			cs = &cf->cf_stmts[i];
			switch (cs->cs_cmd->op) {
			case FS_CTL_CREATE:
				if (step != (cs->cs_drv->dd_eternal ? 2u : 1u))
					continue;
				break;
			case FS_CTL_MEMATTR:
				if (step != 1)
					continue;
				break;
			case FS_CTL_SWAP_LIMIT:
				if (step != 3)
					continue;
				break;
			default:
				continue;
			}
			sbuf_clear(&msg);
			error = fs_ctl_run(cs->cs_cmd, cred, &msg);
			if (error == 0 && cs->cs_cmd->op == FS_CTL_CREATE)
				cs->cs_done = true;
			if (error != 0)
				failed = i;
		}
	}
	if (error != 0) {
		(void)sbuf_finish(&msg);
		sbuf_printf(err, "%s:%u: %s", cf->cf_name,
		    cf->cf_stmts[failed].cs_line, sbuf_len(&msg) > 0 ?
		    sbuf_data(&msg) : strerror(error));
		/* Undo, newest first (eternal devices are never done when
		 * something fails after them). */
		sbuf_init(&junk);
		for (i = cf->cf_nstmts; i-- > 0;) {
			cs = &cf->cf_stmts[i];
			if (!cs->cs_done)
				continue;
			/* The driver removes the backing files it made. */
			sbuf_clear(&junk);
			(void)dev_undo_create_by_name(cs->cs_cmd->name, &junk);
			cs->cs_done = false;
		}
		sbuf_delete(&junk);
	}
	sbuf_delete(&msg);
	return (error);
}

int
fs_config_check(const char *path, struct sbuf *err)
{
	struct fs_config cf;
	size_t len;
	char *text;
	int error;

	error = config_read(path, &text, &len, err);
	if (error == 0) {
		cf.cf_name = path;
		error = config_load(&cf, text, len, err);
		config_free(&cf);
		free(text);
	}
	if (error != 0)
		fs_ctl_message_finish(err);
	return (error);
}

int
fs_config_apply(const char *path, const struct ucred *cred,
    struct sbuf *err)
{
	struct fs_config cf;
	size_t len;
	char *text;
	int error;

	error = config_read(path, &text, &len, err);
	if (error == 0) {
		cf.cf_name = path;
		error = config_load(&cf, text, len, err);
		if (error == 0)
			error = config_apply(&cf, cred, err);
		config_free(&cf);
		free(text);
	}
	if (error != 0)
		fs_ctl_message_finish(err);
	return (error);
}

int
fs_config_apply_defaults(const struct ucred *cred, struct sbuf *err)
{
	static const struct {
		const char	*driver;
		const char	*line;
	} defaults[] = {
		{ "mem", "create mem driver=mem\n" },
		{ "ram", "create ram0 driver=ram size=16M memattr=wb\n" },
		{ "fb", "create fb0 driver=fb width=640 height=480 bpp=32\n" },
		{ "gem", "create gem0 driver=gem\n" },
	};
	struct fs_config cf;
	struct sbuf text;
	unsigned i;
	int error;

	/* The statements whose driver exists in this build. */
	sbuf_init(&text);
	for (i = 0; i < nitems(defaults); i++)
		if (dev_driver_find(defaults[i].driver) != NULL)
			sbuf_cat(&text, defaults[i].line);
	if (sbuf_finish(&text) != 0) {
		sbuf_delete(&text);
		sbuf_cat(err, "defaults: out of memory");
		return (ENOMEM);
	}
	cf.cf_name = "(defaults)";
	error = config_load(&cf, sbuf_data(&text), sbuf_len(&text), err);
	if (error == 0)
		error = config_apply(&cf, cred, err);
	config_free(&cf);
	sbuf_delete(&text);
	return (error);
}
