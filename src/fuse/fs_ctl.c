/*
 * The ctl language of vm/ctl (grammar in fs_ctl.h, devpagerfs(8)).
 *
 * A line is checked completely before anything happens: bytes (printable
 * ASCII, blanks; bytes >= 0x80 only where a path may hold them), length,
 * words, the command, names (dev_name_valid), key=value words (each key
 * once) and the values of the commands of this file (revoke, memattr,
 * swap).  What a driver's keys mean -- create's keys past driver=, and
 * the words of `DRIVER NAME VERB ...` -- is the driver's to check
 * (dd_check, dd_ctl; the key=value helpers are src/dev/dev_args.c's), and
 * it checks them before it changes anything.  Then the command runs,
 * through the device table of src/dev or the swap accounting; those
 * change nothing when they fail.  So a failed command changes nothing.
 *
 * Errors are EINVAL for anything wrong with the line; ENOENT, EEXIST,
 * EBUSY, ENOMEM come from carrying it out.  The message is one line
 * without a newline.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "fuse/fs_ctl_var.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_node.h"
#include "vm/swap_reserve.h"
#include "vm/vm.h"

static int	ctl_tokenise(const char *line, size_t len,
		    struct fs_ctl_cmd *cmd, char **argv, int *argcp,
		    struct sbuf *err);
static int	ctl_name(const char *tok, char *dst, struct sbuf *err);
static int	ctl_parse_create(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_revoke(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_swap(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_driver(struct fs_ctl_cmd *cmd, int argc,
		    char **argv, struct sbuf *err);
static int	ctl_parse_prefault(struct fs_ctl_cmd *cmd, int argc,
		    char **argv, struct sbuf *err);

void
fs_ctl_quote(struct sbuf *sb, const char *s, size_t max)
{

	dev_arg_quote(sb, s, max);
}

/*
 * Check the bytes and split the line into words (in cmd->buf).  At most
 * FS_CTL_ARGV_MAX words.
 */
static int
ctl_tokenise(const char *line, size_t len, struct fs_ctl_cmd *cmd,
    char **argv, int *argcp, struct sbuf *err)
{
	unsigned char c;
	size_t i;
	char *p;
	int argc;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > FS_CTL_LINE_MAX) {
		sbuf_printf(err, "command too long (%zu bytes, at most %d)",
		    len, FS_CTL_LINE_MAX);
		return (EINVAL);
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			sbuf_printf(err, "invalid byte 0x%02x at column %zu",
			    c, i + 1);
			return (EINVAL);
		}
	}
	memcpy(cmd->buf, line, len);
	cmd->buf[len] = '\0';

	argc = 0;
	p = cmd->buf;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (argc == FS_CTL_ARGV_MAX) {
			sbuf_printf(err, "too many words (at most %d)",
			    FS_CTL_ARGV_MAX);
			return (EINVAL);
		}
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	if (argc == 0) {
		sbuf_printf(err, "empty command");
		return (EINVAL);
	}
	*argcp = argc;
	return (0);
}

static int
ctl_name(const char *tok, char *dst, struct sbuf *err)
{

	if (!dev_name_valid(tok)) {
		sbuf_cat(err, "invalid device name '");
		fs_ctl_quote(err, tok, SPECNAMELEN + 1);
		sbuf_printf(err, "' (1 to %d printable characters, no '/', "
		    "no '..')", SPECNAMELEN);
		return (EINVAL);
	}
	strlcpy(dst, tok, SPECNAMELEN + 1);
	return (0);
}

/*
 * create NAME driver=DRIVER [key=value ...]: the name, the key=value
 * words, each key once, driver= among them.  The driver's keys and their
 * values are checked by dev_check_args (dev_create, or the
 * configuration file's check) before anything is made.
 */
static int
ctl_parse_create(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	struct dev_create_args *a = &cmd->create;
	bool have_driver;
	char *key, *val;
	int error, i;

	if (argc < 2) {
		sbuf_cat(err, "usage: create NAME driver=DRIVER "
		    "[key=value ...]");
		return (EINVAL);
	}
	dev_create_args_init(a);
	error = ctl_name(argv[1], a->name, err);
	if (error != 0)
		return (error);
	strlcpy(cmd->name, a->name, sizeof(cmd->name));
	have_driver = false;
	for (i = 2; i < argc; i++) {
		error = dev_arg_kv(argv[i], &key, &val, err);
		if (error != 0)
			return (error);
		if (strcmp(key, "driver") != 0) {
			error = dev_create_args_add(a, key, val, err);
			if (error != 0)
				return (error);
			continue;
		}
		if (have_driver) {
			sbuf_printf(err, "duplicate key '%s'", key);
			return (EINVAL);
		}
		if (strlen(val) >= sizeof(a->driver)) {
			sbuf_cat(err, "driver name too long");
			return (EINVAL);
		}
		strlcpy(a->driver, val, sizeof(a->driver));
		have_driver = true;
	}
	if (!have_driver) {
		sbuf_cat(err, "create: driver=DRIVER is required");
		return (EINVAL);
	}
	return (0);
}

static int
ctl_parse_revoke(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	char *key, *val;
	uint64_t v;
	bool have_off, have_len;
	int error, i;

	if (argc < 2) {
		sbuf_cat(err, "usage: revoke NAME [offset=SIZE] "
		    "[length=SIZE]");
		return (EINVAL);
	}
	error = ctl_name(argv[1], cmd->name, err);
	if (error != 0)
		return (error);
	cmd->off = 0;
	cmd->len = 0;
	have_off = have_len = false;
	for (i = 2; i < argc; i++) {
		error = dev_arg_kv(argv[i], &key, &val, err);
		if (error != 0)
			return (error);
		if (strcmp(key, "offset") != 0 && strcmp(key, "length") != 0) {
			sbuf_cat(err, "unknown key '");
			fs_ctl_quote(err, key, 32);
			sbuf_cat(err, "' (offset, length)");
			return (EINVAL);
		}
		if ((key[0] == 'o' && have_off) || (key[0] == 'l' &&
		    have_len)) {
			sbuf_printf(err, "duplicate key '%s'", key);
			return (EINVAL);
		}
		error = dev_arg_size(key, val, &v, err);
		if (error != 0)
			return (error);
		if ((v & PAGE_MASK) != 0) {
			sbuf_printf(err, "%s: %ju is not a multiple of %lu",
			    key, (uintmax_t)v, PAGE_SIZE);
			return (EINVAL);
		}
		if (key[0] == 'o') {
			cmd->off = v;
			have_off = true;
		} else {
			cmd->len = v;
			have_len = true;
		}
	}
	return (0);
}

static int
ctl_parse_swap(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	char *key, *val;
	uint64_t v;
	bool have_uid, have_size;
	int error, i;

	if (argc < 2 || strcmp(argv[1], "limit") != 0) {
		sbuf_cat(err, "usage: swap limit uid=N size=SIZE");
		return (EINVAL);
	}
	have_uid = have_size = false;
	for (i = 2; i < argc; i++) {
		error = dev_arg_kv(argv[i], &key, &val, err);
		if (error != 0)
			return (error);
		if (strcmp(key, "uid") == 0) {
			if (have_uid) {
				sbuf_cat(err, "duplicate key 'uid'");
				return (EINVAL);
			}
			error = dev_arg_uint(key, val, DEV_ID_MAX, &v, err);
			if (error != 0)
				return (error);
			cmd->uid = (uid_t)v;
			have_uid = true;
		} else if (strcmp(key, "size") == 0) {
			if (have_size) {
				sbuf_cat(err, "duplicate key 'size'");
				return (EINVAL);
			}
			if (strcmp(val, "unlimited") == 0)
				cmd->limit = SWAP_LIMIT_INFINITY;
			else {
				error = dev_arg_size(key, val, &v, err);
				if (error != 0)
					return (error);
				cmd->limit = v;
			}
			have_size = true;
		} else {
			sbuf_cat(err, "unknown key '");
			fs_ctl_quote(err, key, 32);
			sbuf_cat(err, "' (uid, size)");
			return (EINVAL);
		}
	}
	if (!have_uid || !have_size) {
		sbuf_printf(err, "swap limit: %s is required",
		    !have_uid ? "uid=N" : "size=SIZE");
		return (EINVAL);
	}
	return (0);
}

/* DRIVER NAME VERB [key=value ...] */
static int
ctl_parse_driver(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	int error, i;

	if (argc < 3) {
		sbuf_printf(err, "usage: %s NAME VERB [key=value ...]",
		    argv[0]);
		return (EINVAL);
	}
	error = ctl_name(argv[1], cmd->name, err);
	if (error != 0)
		return (error);
	/* The driver checks its own words (dd_ctl). */
	strlcpy(cmd->driver, argv[0], sizeof(cmd->driver));
	cmd->argc = argc - 2;
	for (i = 0; i < cmd->argc; i++)
		cmd->argv[i] = argv[i + 2];
	cmd->argv[cmd->argc] = NULL;
	return (0);
}

/*
 * prefault NAME none|open|around [prefault_max=SIZE]
 * [prefault_window=SIZE]
 */
static int
ctl_parse_prefault(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	char *key, *val;
	int error, i;

	if (argc < 3) {
		sbuf_cat(err, "usage: prefault NAME none|open|around "
		    "[prefault_max=SIZE] [prefault_window=SIZE]");
		return (EINVAL);
	}
	error = ctl_name(argv[1], cmd->name, err);
	if (error != 0)
		return (error);
	memset(&cmd->prefault, 0, sizeof(cmd->prefault));
	error = dev_arg_prefault_key("prefault", argv[2], &cmd->prefault,
	    err);
	for (i = 3; i < argc && error == 0; i++) {
		error = dev_arg_kv(argv[i], &key, &val, err);
		if (error != 0)
			break;
		if (strcmp(key, "prefault") == 0) {
			sbuf_cat(err, "prefault: the policy is the third word");
			error = EINVAL;
			break;
		}
		if ((strcmp(key, "prefault_max") == 0 &&
		    (cmd->prefault.pc_set & DEV_PREFAULT_SET_MAX) != 0) ||
		    (strcmp(key, "prefault_window") == 0 &&
		    (cmd->prefault.pc_set & DEV_PREFAULT_SET_WINDOW) != 0)) {
			sbuf_printf(err, "duplicate key '%s'", key);
			error = EINVAL;
			break;
		}
		error = dev_arg_prefault_key(key, val, &cmd->prefault, err);
	}
	return (error);
}

int
fs_ctl_parse(const char *line, size_t len, int source,
    struct fs_ctl_cmd *cmd, struct sbuf *err)
{
	char *argv[FS_CTL_ARGV_MAX];
	const char *word;
	int argc, error;

	memset(cmd->name, 0, sizeof(cmd->name));
	cmd->argc = 0;
	cmd->argv[0] = NULL;
	error = ctl_tokenise(line, len, cmd, argv, &argc, err);
	if (error != 0)
		return (error);
	word = argv[0];
	if (strcmp(word, "create") == 0)
		cmd->op = FS_CTL_CREATE;
	else if (strcmp(word, "destroy") == 0)
		cmd->op = FS_CTL_DESTROY;
	else if (strcmp(word, "revoke") == 0)
		cmd->op = FS_CTL_REVOKE;
	else if (strcmp(word, "memattr") == 0)
		cmd->op = FS_CTL_MEMATTR;
	else if (strcmp(word, "prefault") == 0)
		cmd->op = FS_CTL_PREFAULT;
	else if (strcmp(word, "swap") == 0)
		cmd->op = FS_CTL_SWAP_LIMIT;
	else if (dev_driver_find(word) != NULL)
		cmd->op = FS_CTL_DRIVER;
	else {
		sbuf_cat(err, "unknown command '");
		fs_ctl_quote(err, word, 32);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	if ((source & FS_CTL_SRC_CTL) == 0 && cmd->op != FS_CTL_CREATE &&
	    cmd->op != FS_CTL_MEMATTR && cmd->op != FS_CTL_PREFAULT &&
	    cmd->op != FS_CTL_SWAP_LIMIT) {
		sbuf_printf(err, "'%s' cannot be used in a configuration file "
		    "(create, memattr, prefault and swap limit can)", word);
		return (EINVAL);
	}

	switch (cmd->op) {
	case FS_CTL_CREATE:
		return (ctl_parse_create(cmd, argc, argv, err));
	case FS_CTL_DESTROY:
		if (argc != 2) {
			sbuf_cat(err, "usage: destroy NAME");
			return (EINVAL);
		}
		return (ctl_name(argv[1], cmd->name, err));
	case FS_CTL_REVOKE:
		return (ctl_parse_revoke(cmd, argc, argv, err));
	case FS_CTL_MEMATTR:
		if (argc != 3) {
			sbuf_cat(err, "usage: memattr NAME "
			    "wb|wt|wc|uc|uc-|wp");
			return (EINVAL);
		}
		error = ctl_name(argv[1], cmd->name, err);
		if (error == 0)
			error = dev_arg_memattr(argv[2], &cmd->memattr, err);
		return (error);
	case FS_CTL_PREFAULT:
		return (ctl_parse_prefault(cmd, argc, argv, err));
	case FS_CTL_SWAP_LIMIT:
		return (ctl_parse_swap(cmd, argc, argv, err));
	case FS_CTL_DRIVER:
		return (ctl_parse_driver(cmd, argc, argv, err));
	}
	return (EINVAL);
}

int
fs_ctl_run(struct fs_ctl_cmd *cmd, const struct ucred *cred,
    struct sbuf *reply)
{

	int error;

	switch (cmd->op) {
	case FS_CTL_CREATE:
		/*
		 * The kernel may still cache the name for a device of that
		 * name destroyed earlier, or for this one once destroyed:
		 * make it ask again, so the next path lookup sees the device
		 * that is there now.
		 */
		error = dev_create(&cmd->create, cred, reply);
		if (error == 0)
			fs_inval_entry(FS_INO_DEV, cmd->create.name);
		return (error);
	case FS_CTL_DESTROY:
		error = dev_destroy_by_name(cmd->name, reply);
		if (error == 0)
			fs_inval_entry(FS_INO_DEV, cmd->name);
		return (error);
	case FS_CTL_REVOKE:
		return (dev_revoke_by_name(cmd->name, cmd->off, cmd->len,
		    reply));
	case FS_CTL_MEMATTR:
		return (dev_set_memattr_by_name(cmd->name, cmd->memattr,
		    reply));
	case FS_CTL_PREFAULT:
		return (dev_set_prefault_by_name(cmd->name, &cmd->prefault,
		    reply));
	case FS_CTL_DRIVER:
		return (dev_driver_ctl(cmd->driver, cmd->name, cmd->argc,
		    cmd->argv, cred, reply));
	case FS_CTL_SWAP_LIMIT:
		swap_set_limit(cmd->uid, cmd->limit);
		return (0);
	}
	sbuf_cat(reply, "bad command");
	return (EINVAL);
}

/*
 * Make an error message one printable ASCII line without a trailing
 * newline or blank: newlines become blanks, every other control byte and
 * every byte above 0x7e becomes \xNN.  Messages quote what the user
 * wrote (names, values, paths), in src/fuse and in drivers alike, and
 * end up on a terminal (vm/ctl, devpagerctl, the mount's stderr).
 */
void
fs_ctl_message_finish(struct sbuf *sb)
{
	struct sbuf out;
	char *p;
	size_t len, i;

	if (sbuf_error(sb) != 0)
		return;
	p = sbuf_data(sb);
	len = sbuf_len(sb);
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == ' '))
		len--;
	for (i = 0; i < len; i++)
		if (p[i] == '\n')
			p[i] = ' ';
	sbuf_init(&out);
	(void)sbuf_cat_escaped(&out, p, len);
	if (sbuf_finish(&out) == 0) {
		sbuf_clear(sb);
		sbuf_bcat(sb, sbuf_data(&out), sbuf_len(&out));
	}
	sbuf_delete(&out);
}

int
fs_ctl_execute(const char *line, size_t len, int source,
    const struct ucred *cred, struct sbuf *reply)
{
	struct fs_ctl_cmd *cmd;
	int error;

	sbuf_clear(reply);
	cmd = malloc(sizeof(*cmd));
	if (cmd == NULL) {
		sbuf_cat(reply, "out of memory");
		return (ENOMEM);
	}
	error = fs_ctl_parse(line, len, source, cmd, reply);
	if (error == 0)
		error = fs_ctl_run(cmd, cred, reply);
	free(cmd);
	if (error != 0) {
		fs_ctl_message_finish(reply);
		if (sbuf_len(reply) == 0)
			sbuf_cat(reply, strerror(error));
	}
	return (error);
}
