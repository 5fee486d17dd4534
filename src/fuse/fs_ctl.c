/*
 * The ctl language of vm/ctl (grammar in fs_ctl.h, devpagerfs(8)).
 *
 * A line is checked completely before anything happens: bytes (printable
 * ASCII, blanks; bytes >= 0x80 only where a path may hold them), length,
 * words, the command, names (dev_name_valid), keys (known, given once,
 * with a value) and values (SIZE, memattr words, octal modes, decimal ids,
 * bounded fb geometry).  Only then does the command run, through the
 * device table of src/dev or the swap accounting; those change nothing
 * when they fail.  So a failed command changes nothing.
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
#include "vm/swap_reserve.h"
#include "vm/vm.h"

#define	FS_CTL_ID_MAX	0x7fffffffULL	/* uid, gid, handles */

/* Keys of create with a meaning of their own (bit per key). */
enum {
	K_DRIVER, K_SIZE, K_MEMATTR, K_BACKING, K_WIDTH, K_HEIGHT, K_BPP,
	K_MODE, K_UID, K_GID, K_NKEYS
};
static const char *const create_keys[K_NKEYS] = {
	[K_DRIVER] = "driver", [K_SIZE] = "size", [K_MEMATTR] = "memattr",
	[K_BACKING] = "backing", [K_WIDTH] = "width", [K_HEIGHT] = "height",
	[K_BPP] = "bpp", [K_MODE] = "mode", [K_UID] = "uid", [K_GID] = "gid",
};

static int	ctl_tokenise(const char *line, size_t len,
		    struct fs_ctl_cmd *cmd, char **argv, int *argcp,
		    struct sbuf *err);
static int	ctl_name(const char *tok, char *dst, struct sbuf *err);
static int	ctl_kv(char *tok, char **keyp, char **valp, struct sbuf *err);
static int	ctl_size(const char *key, const char *val, uint64_t *vp,
		    struct sbuf *err);
static int	ctl_uint(const char *key, const char *val, uint64_t max,
		    uint64_t *vp, struct sbuf *err);
static int	ctl_mode(const char *val, mode_t *mp, struct sbuf *err);
static int	ctl_memattr(const char *val, vm_memattr_t *map,
		    struct sbuf *err);
static int	ctl_path(const char *key, const char *val, struct sbuf *err);
static int	ctl_parse_create(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_revoke(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_swap(struct fs_ctl_cmd *cmd, int argc, char **argv,
		    struct sbuf *err);
static int	ctl_parse_driver(struct fs_ctl_cmd *cmd, int argc,
		    char **argv, struct sbuf *err);
static int	ctl_check_keys(int argc, char **argv,
		    const char *const *required, const char *const *optional,
		    struct sbuf *err);
static const char *ctl_value(int argc, char **argv, const char *key);
static int	ctl_placement(const char *val, struct sbuf *err);
static int	ctl_parse_gem(int argc, char **argv, struct sbuf *err);
static int	ctl_parse_fb(int argc, char **argv, struct sbuf *err);

void
fs_ctl_quote(struct sbuf *sb, const char *s, size_t max)
{
	size_t len;

	len = strnlen(s, max + 1);
	(void)sbuf_cat_escaped(sb, s, len > max ? max : len);
	if (len > max)
		sbuf_cat(sb, "...");
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

/* Split key=value in place. */
static int
ctl_kv(char *tok, char **keyp, char **valp, struct sbuf *err)
{
	char *eq;

	eq = strchr(tok, '=');
	if (eq == NULL) {
		sbuf_cat(err, "expected key=value, got '");
		fs_ctl_quote(err, tok, 64);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	if (eq == tok) {
		sbuf_cat(err, "missing key in '");
		fs_ctl_quote(err, tok, 64);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	*eq = '\0';
	if (eq[1] == '\0') {
		sbuf_cat(err, "missing value for key '");
		fs_ctl_quote(err, tok, 64);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	*keyp = tok;
	*valp = eq + 1;
	return (0);
}

static int
ctl_size(const char *key, const char *val, uint64_t *vp, struct sbuf *err)
{
	int error;

	error = size_parse(val, vp);
	if (error == 0)
		return (0);
	sbuf_printf(err, "%s: ", key);
	if (error == ERANGE) {
		sbuf_cat(err, "size '");
		fs_ctl_quote(err, val, 64);
		sbuf_cat(err, "' out of range");
	} else {
		sbuf_cat(err, "bad size '");
		fs_ctl_quote(err, val, 64);
		sbuf_cat(err, "' (a number with an optional K, M or G, or 0x "
		    "hex)");
	}
	return (EINVAL);
}

/* A decimal number 0..max: digits only. */
static int
ctl_uint(const char *key, const char *val, uint64_t max, uint64_t *vp,
    struct sbuf *err)
{
	const char *p;
	uint64_t v;

	v = 0;
	for (p = val; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (uint64_t)(*p - '0')) / 10) {
			sbuf_printf(err, "%s: '", key);
			fs_ctl_quote(err, val, 32);
			sbuf_printf(err, "' out of range (at most %ju)",
			    (uintmax_t)max);
			return (EINVAL);
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == val || *p != '\0') {
		sbuf_printf(err, "%s: '", key);
		fs_ctl_quote(err, val, 32);
		sbuf_cat(err, "' is not a decimal number");
		return (EINVAL);
	}
	*vp = v;
	return (0);
}

/* Octal with a leading 0, at most 07777. */
static int
ctl_mode(const char *val, mode_t *mp, struct sbuf *err)
{
	const char *p;
	unsigned long v;

	v = 0;
	if (val[0] == '0') {
		for (p = val + 1; *p >= '0' && *p <= '7' && p - val <= 4; p++)
			v = v * 8 + (unsigned long)(*p - '0');
		if (*p == '\0') {
			*mp = (mode_t)v;
			return (0);
		}
	}
	sbuf_cat(err, "mode: '");
	fs_ctl_quote(err, val, 32);
	sbuf_cat(err, "' is not an octal mode with a leading 0 (0 to 07777)");
	return (EINVAL);
}

static int
ctl_memattr(const char *val, vm_memattr_t *map, struct sbuf *err)
{

	if (vm_memattr_parse(val, map) == 0)
		return (0);
	sbuf_cat(err, "unknown memattr '");
	fs_ctl_quote(err, val, 32);
	sbuf_cat(err, "' (wb, wt, wc, uc, uc- or wp)");
	return (EINVAL);
}

static int
ctl_path(const char *key, const char *val, struct sbuf *err)
{

	if (val[0] != '/') {
		sbuf_printf(err, "%s: path '", key);
		fs_ctl_quote(err, val, 128);
		sbuf_cat(err, "' is not absolute");
		return (EINVAL);
	}
	if (strlen(val) >= PATH_MAX) {
		sbuf_printf(err, "%s: path too long", key);
		return (EINVAL);
	}
	return (0);
}

static int
ctl_parse_create(struct fs_ctl_cmd *cmd, int argc, char **argv,
    struct sbuf *err)
{
	struct dev_create_args *a = &cmd->create;
	const char *drvname;
	char *key, *val;
	uint64_t v;
	unsigned seen, k, e;
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

	/* Which driver decides whether unknown keys are a plugin's. */
	drvname = NULL;
	for (i = 2; i < argc; i++)
		if (strncmp(argv[i], "driver=", 7) == 0 && drvname == NULL)
			drvname = argv[i] + 7;

	seen = 0;
	for (i = 2; i < argc; i++) {
		error = ctl_kv(argv[i], &key, &val, err);
		if (error != 0)
			return (error);
		for (k = 0; k < K_NKEYS; k++)
			if (strcmp(key, create_keys[k]) == 0)
				break;
		if (k < K_NKEYS) {
			if ((seen & (1u << k)) != 0) {
				sbuf_printf(err, "duplicate key '%s'", key);
				return (EINVAL);
			}
			seen |= 1u << k;
		}
		switch (k) {
		case K_DRIVER:
			if (strlen(val) >= sizeof(a->driver)) {
				sbuf_cat(err, "driver name too long");
				return (EINVAL);
			}
			strlcpy(a->driver, val, sizeof(a->driver));
			break;
		case K_SIZE:
			error = ctl_size(key, val, &v, err);
			if (error != 0)
				return (error);
			if (v == 0 || v > DEV_SIZE_MAX) {
				sbuf_printf(err, "size: must be from 1 to 64G "
				    "(rounded up to a multiple of %lu)",
				    PAGE_SIZE);
				return (EINVAL);
			}
			a->size = round_page(v);
			a->size_set = true;
			break;
		case K_MEMATTR:
			error = ctl_memattr(val, &a->memattr, err);
			if (error != 0)
				return (error);
			a->memattr_set = true;
			break;
		case K_BACKING:
			error = ctl_path(key, val, err);
			if (error != 0)
				return (error);
			strlcpy(a->backing, val, sizeof(a->backing));
			break;
		case K_WIDTH:
		case K_HEIGHT:
			error = ctl_uint(key, val, DEV_FB_DIM_MAX, &v, err);
			if (error == 0 && v == 0) {
				sbuf_printf(err, "%s: must be at least 1", key);
				error = EINVAL;
			}
			if (error != 0)
				return (error);
			if (k == K_WIDTH)
				a->width = (unsigned)v;
			else
				a->height = (unsigned)v;
			break;
		case K_BPP:
			error = ctl_uint(key, val, 32, &v, err);
			if (error == 0 && v != 16 && v != 24 && v != 32) {
				sbuf_printf(err, "bpp: must be 16, 24 or 32");
				error = EINVAL;
			}
			if (error != 0)
				return (error);
			a->bpp = (unsigned)v;
			break;
		case K_MODE:
			error = ctl_mode(val, &a->mode, err);
			if (error != 0)
				return (error);
			a->mode_set = true;
			break;
		case K_UID:
		case K_GID:
			error = ctl_uint(key, val, FS_CTL_ID_MAX, &v, err);
			if (error != 0)
				return (error);
			if (k == K_UID) {
				a->uid = (uid_t)v;
				a->uid_set = true;
			} else {
				a->gid = (gid_t)v;
				a->gid_set = true;
			}
			break;
		default:
			/* Plugins (driver=/path/x.so) take other keys. */
			if (drvname == NULL || strchr(drvname, '/') == NULL) {
				sbuf_cat(err, "unknown key '");
				fs_ctl_quote(err, key, 32);
				sbuf_cat(err, "'");
				return (EINVAL);
			}
			for (e = 0; e < a->nextra; e++) {
				if (strcmp(a->extra_key[e], key) == 0) {
					sbuf_printf(err, "duplicate key '%s'",
					    key);
					return (EINVAL);
				}
			}
			if (a->nextra == DEV_PARAM_MAX ||
			    strlen(key) >= sizeof(a->extra_key[0]) ||
			    strlen(val) >= sizeof(a->extra_val[0])) {
				sbuf_cat(err, "key '");
				fs_ctl_quote(err, key, 32);
				sbuf_cat(err, "': too many keys or too long");
				return (EINVAL);
			}
			strlcpy(a->extra_key[a->nextra], key,
			    sizeof(a->extra_key[0]));
			strlcpy(a->extra_val[a->nextra], val,
			    sizeof(a->extra_val[0]));
			a->nextra++;
			break;
		}
	}
	if ((seen & (1u << K_DRIVER)) == 0) {
		sbuf_cat(err, "create: driver=DRIVER is required");
		return (EINVAL);
	}
	/* fb geometry: no allocation beyond DEV_FB_BYTES_MAX. */
	if (a->width != 0 && a->height != 0 &&
	    (uint64_t)a->width * a->height * (a->bpp != 0 ? a->bpp : 32) / 8 >
	    DEV_FB_BYTES_MAX) {
		sbuf_printf(err, "framebuffer of %ux%ux%u is larger than "
		    "256M", a->width, a->height, a->bpp != 0 ? a->bpp : 32);
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
		error = ctl_kv(argv[i], &key, &val, err);
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
		error = ctl_size(key, val, &v, err);
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
		error = ctl_kv(argv[i], &key, &val, err);
		if (error != 0)
			return (error);
		if (strcmp(key, "uid") == 0) {
			if (have_uid) {
				sbuf_cat(err, "duplicate key 'uid'");
				return (EINVAL);
			}
			error = ctl_uint(key, val, FS_CTL_ID_MAX, &v, err);
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
				error = ctl_size(key, val, &v, err);
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

/*
 * The arguments after the verb, as key=value words, each key once.
 * required/optional: NULL-terminated key lists.  Values are checked by
 * the caller.
 */
static int
ctl_check_keys(int argc, char **argv, const char *const *required,
    const char *const *optional, struct sbuf *err)
{
	const char *const *k;
	const char *eq;
	bool found;
	int i, j, n;

	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (eq == NULL || eq == argv[i] || eq[1] == '\0') {
			if (eq == NULL) {
				sbuf_cat(err, "expected key=value, got '");
				fs_ctl_quote(err, argv[i], 64);
			} else if (eq == argv[i]) {
				sbuf_cat(err, "missing key in '");
				fs_ctl_quote(err, argv[i], 64);
			} else {
				sbuf_cat(err, "missing value for key '");
				sbuf_bcat(err, argv[i],
				    (size_t)(eq - argv[i]));
			}
			sbuf_cat(err, "'");
			return (EINVAL);
		}
		n = (int)(eq - argv[i]);
		found = false;
		for (k = required; *k != NULL && !found; k++)
			found = strlen(*k) == (size_t)n &&
			    strncmp(*k, argv[i], (size_t)n) == 0;
		for (k = optional; *k != NULL && !found; k++)
			found = strlen(*k) == (size_t)n &&
			    strncmp(*k, argv[i], (size_t)n) == 0;
		if (!found) {
			sbuf_cat(err, "unknown key '");
			sbuf_bcat(err, argv[i], (size_t)(n > 32 ? 32 : n));
			sbuf_cat(err, "'");
			return (EINVAL);
		}
		for (j = 0; j < i; j++) {
			if (strncmp(argv[j], argv[i], (size_t)n + 1) == 0) {
				sbuf_cat(err, "duplicate key '");
				sbuf_bcat(err, argv[i], (size_t)n);
				sbuf_cat(err, "'");
				return (EINVAL);
			}
		}
	}
	for (k = required; *k != NULL; k++) {
		found = false;
		for (i = 0; i < argc && !found; i++)
			found = strncmp(argv[i], *k, strlen(*k)) == 0 &&
			    argv[i][strlen(*k)] == '=';
		if (!found) {
			sbuf_printf(err, "%s= is required", *k);
			return (EINVAL);
		}
	}
	return (0);
}

/* The value of key among key=value words (checked by ctl_check_keys). */
static const char *
ctl_value(int argc, char **argv, const char *key)
{
	size_t n;
	int i;

	n = strlen(key);
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], key, n) == 0 && argv[i][n] == '=')
			return (argv[i] + n + 1);
	return (NULL);
}

static int
ctl_placement(const char *val, struct sbuf *err)
{

	if (val == NULL || strcmp(val, "vram") == 0 ||
	    strcmp(val, "system") == 0)
		return (0);
	sbuf_cat(err, "placement: '");
	fs_ctl_quote(err, val, 32);
	sbuf_cat(err, "' is not vram or system");
	return (EINVAL);
}

/* gem NAME create|destroy|move ...: argv[0] is the verb. */
static int
ctl_parse_gem(int argc, char **argv, struct sbuf *err)
{
	static const char *const none[] = { NULL };
	static const char *const size[] = { "size", NULL };
	static const char *const place[] = { "placement", NULL };
	static const char *const handle[] = { "handle", NULL };
	static const char *const handle_place[] = { "handle", "placement",
	    NULL };
	uint64_t v;
	int error;

	if (strcmp(argv[0], "create") == 0) {
		error = ctl_check_keys(argc - 1, argv + 1, size, place, err);
		if (error == 0)
			error = ctl_size("size", ctl_value(argc - 1, argv + 1,
			    "size"), &v, err);
		if (error == 0 && (v == 0 || v > DEV_SIZE_MAX)) {
			sbuf_cat(err, "size: must be from 1 to 64G");
			error = EINVAL;
		}
		if (error == 0)
			error = ctl_placement(ctl_value(argc - 1, argv + 1,
			    "placement"), err);
		return (error);
	}
	if (strcmp(argv[0], "destroy") == 0 || strcmp(argv[0], "move") == 0) {
		error = ctl_check_keys(argc - 1, argv + 1,
		    argv[0][0] == 'd' ? handle : handle_place, none, err);
		if (error == 0)
			error = ctl_uint("handle", ctl_value(argc - 1,
			    argv + 1, "handle"), FS_CTL_ID_MAX, &v, err);
		if (error == 0)
			error = ctl_placement(ctl_value(argc - 1, argv + 1,
			    "placement"), err);
		return (error);
	}
	sbuf_cat(err, "unknown gem command '");
	fs_ctl_quote(err, argv[0], 32);
	sbuf_cat(err, "' (create, destroy, move)");
	return (EINVAL);
}

/* fb NAME snapshot path=/abs/file.png */
static int
ctl_parse_fb(int argc, char **argv, struct sbuf *err)
{
	static const char *const none[] = { NULL };
	static const char *const path[] = { "path", NULL };
	int error;

	if (strcmp(argv[0], "snapshot") != 0) {
		sbuf_cat(err, "unknown fb command '");
		fs_ctl_quote(err, argv[0], 32);
		sbuf_cat(err, "' (snapshot)");
		return (EINVAL);
	}
	error = ctl_check_keys(argc - 1, argv + 1, path, none, err);
	if (error == 0)
		error = ctl_path("path", ctl_value(argc - 1, argv + 1, "path"),
		    err);
	return (error);
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
	if (strcmp(argv[0], "gem") == 0)
		error = ctl_parse_gem(argc - 2, argv + 2, err);
	else if (strcmp(argv[0], "fb") == 0)
		error = ctl_parse_fb(argc - 2, argv + 2, err);
	/* Other drivers check their own words (dd_ctl). */
	if (error != 0)
		return (error);
	strlcpy(cmd->driver, argv[0], sizeof(cmd->driver));
	cmd->argc = argc - 2;
	for (i = 0; i < cmd->argc; i++)
		cmd->argv[i] = argv[i + 2];
	cmd->argv[cmd->argc] = NULL;
	return (0);
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
	else if (strcmp(word, "swap") == 0)
		cmd->op = FS_CTL_SWAP_LIMIT;
	else if (strcmp(word, "gem") == 0 || strcmp(word, "fb") == 0 ||
	    dev_driver_find(word) != NULL)
		cmd->op = FS_CTL_DRIVER;
	else {
		sbuf_cat(err, "unknown command '");
		fs_ctl_quote(err, word, 32);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	if ((source & FS_CTL_SRC_CTL) == 0 && cmd->op != FS_CTL_CREATE &&
	    cmd->op != FS_CTL_MEMATTR && cmd->op != FS_CTL_SWAP_LIMIT) {
		sbuf_printf(err, "'%s' cannot be used in a configuration file "
		    "(create, memattr and swap limit can)", word);
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
			error = ctl_memattr(argv[2], &cmd->memattr, err);
		return (error);
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

	switch (cmd->op) {
	case FS_CTL_CREATE:
		return (dev_create(&cmd->create, cred, reply));
	case FS_CTL_DESTROY:
		return (dev_destroy_by_name(cmd->name, reply));
	case FS_CTL_REVOKE:
		return (dev_revoke_by_name(cmd->name, cmd->off, cmd->len,
		    reply));
	case FS_CTL_MEMATTR:
		return (dev_set_memattr_by_name(cmd->name, cmd->memattr,
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
