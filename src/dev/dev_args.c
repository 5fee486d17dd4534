/*
 * Create arguments and the shared key=value helpers (see dev_args.h).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_args.h"
#include "vm/vm.h"

void
dev_create_args_init(struct dev_create_args *args)
{

	args->name[0] = '\0';
	args->driver[0] = '\0';
	args->nparams = 0;
	args->used = 0;
}

int
dev_create_args_add(struct dev_create_args *args, const char *key,
    const char *value, struct sbuf *err)
{
	size_t klen, vlen;
	char *p;

	if (dev_create_args_get(args, key) != NULL) {
		sbuf_cat(err, "duplicate key '");
		dev_arg_quote(err, key, 32);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	klen = strlen(key);
	vlen = strlen(value);
	if (args->nparams == DEV_PARAM_MAX ||
	    klen + vlen + 2 > sizeof(args->buf) - args->used) {
		sbuf_cat(err, "key '");
		dev_arg_quote(err, key, 32);
		sbuf_cat(err, "': too many keys or too long");
		return (EINVAL);
	}
	p = args->buf + args->used;
	memcpy(p, key, klen + 1);
	memcpy(p + klen + 1, value, vlen + 1);
	args->keys[args->nparams] = p;
	args->values[args->nparams] = p + klen + 1;
	args->nparams++;
	args->used += klen + vlen + 2;
	return (0);
}

const char *
dev_create_args_get(const struct dev_create_args *args, const char *key)
{
	unsigned i;

	for (i = 0; i < args->nparams; i++)
		if (strcmp(args->keys[i], key) == 0)
			return (args->values[i]);
	return (NULL);
}

bool
dev_args_node_key(const char *key)
{

	return (strcmp(key, "mode") == 0 || strcmp(key, "uid") == 0 ||
	    strcmp(key, "gid") == 0 || strcmp(key, "prefault") == 0 ||
	    strcmp(key, "prefault_max") == 0 ||
	    strcmp(key, "prefault_window") == 0);
}

int
dev_args_node(const struct dev_create_args *args, struct sbuf *err)
{
	const char *val;
	uint64_t v;
	mode_t mode;
	int error;

	error = 0;
	if ((val = dev_create_args_get(args, "mode")) != NULL)
		error = dev_arg_mode(val, &mode, err);
	if (error == 0 && (val = dev_create_args_get(args, "uid")) != NULL)
		error = dev_arg_uint("uid", val, DEV_ID_MAX, &v, err);
	if (error == 0 && (val = dev_create_args_get(args, "gid")) != NULL)
		error = dev_arg_uint("gid", val, DEV_ID_MAX, &v, err);
	if (error == 0)
		error = dev_args_prefault(args, NULL, err);
	return (error);
}

static const char *const dev_prefault_names[] = {
	[SI_PREFAULT_NONE] = "none",
	[SI_PREFAULT_OPEN] = "open",
	[SI_PREFAULT_AROUND] = "around",
};

const char *
dev_prefault_name(unsigned policy)
{

	if (policy >= sizeof(dev_prefault_names) /
	    sizeof(dev_prefault_names[0]))
		return ("?");
	return (dev_prefault_names[policy]);
}

int
dev_arg_prefault(const char *val, unsigned *pp, struct sbuf *err)
{
	unsigned i;

	for (i = 0; i < sizeof(dev_prefault_names) /
	    sizeof(dev_prefault_names[0]); i++)
		if (strcmp(val, dev_prefault_names[i]) == 0) {
			*pp = i;
			return (0);
		}
	if (err != NULL) {
		sbuf_cat(err, "prefault: '");
		dev_arg_quote(err, val, 32);
		sbuf_cat(err, "' is not none, open or around");
	}
	return (EINVAL);
}

/* A prefault size: whole pages from one page to max; key names it. */
static int
dev_arg_prefault_size(const char *key, const char *val, uint64_t max,
    uint64_t *vp, struct sbuf *err)
{
	int error;

	error = dev_arg_size(key, val, vp, err);
	if (error != 0)
		return (error);
	if (*vp < PAGE_SIZE || *vp > max || (*vp & PAGE_MASK) != 0) {
		if (err != NULL) {
			sbuf_printf(err, "%s: '", key);
			dev_arg_quote(err, val, 32);
			sbuf_printf(err, "' is not a multiple of 4K from 4K "
			    "to %juM", (uintmax_t)(max >> 20));
		}
		return (EINVAL);
	}
	return (0);
}

int
dev_arg_prefault_key(const char *key, const char *val,
    struct dev_prefault_conf *pc, struct sbuf *err)
{
	uint64_t v;
	int error;

	if (strcmp(key, "prefault") == 0) {
		error = dev_arg_prefault(val, &pc->pc_policy, err);
		if (error == 0)
			pc->pc_set |= DEV_PREFAULT_SET_POLICY;
		return (error);
	}
	if (strcmp(key, "prefault_max") == 0) {
		error = dev_arg_prefault_size(key, val, DEV_SIZE_MAX, &v, err);
		if (error == 0) {
			pc->pc_max = v;
			pc->pc_set |= DEV_PREFAULT_SET_MAX;
		}
		return (error);
	}
	if (strcmp(key, "prefault_window") == 0) {
		error = dev_arg_prefault_size(key, val,
		    DEV_PREFAULT_WINDOW_MAX, &v, err);
		if (error == 0) {
			pc->pc_window = v;
			pc->pc_set |= DEV_PREFAULT_SET_WINDOW;
		}
		return (error);
	}
	if (err != NULL) {
		sbuf_cat(err, "unknown key '");
		dev_arg_quote(err, key, 32);
		sbuf_cat(err, "' (prefault, prefault_max, prefault_window)");
	}
	return (EINVAL);
}

int
dev_args_prefault(const struct dev_create_args *args,
    struct dev_prefault_conf *pcp, struct sbuf *err)
{
	struct dev_prefault_conf pc;
	unsigned i;
	int error;

	memset(&pc, 0, sizeof(pc));
	for (i = 0; i < args->nparams; i++) {
		if (strncmp(args->keys[i], "prefault", 8) != 0)
			continue;
		error = dev_arg_prefault_key(args->keys[i], args->values[i],
		    &pc, err);
		if (error != 0)
			return (error);
	}
	if (pcp != NULL)
		*pcp = pc;
	return (0);
}

void
dev_make_args_node(struct make_dev_args *mda,
    const struct dev_create_args *args, const struct ucred *cred,
    int default_mode)
{
	const char *val;
	uint64_t v;
	mode_t mode;

	mda->mda_cr = cred;
	mda->mda_uid = cred->cr_uid;
	mda->mda_gid = cred->cr_gid;
	mda->mda_mode = default_mode;
	/* Checked by dev_args_node before the driver was called. */
	if ((val = dev_create_args_get(args, "uid")) != NULL &&
	    dev_arg_uint("uid", val, DEV_ID_MAX, &v, NULL) == 0)
		mda->mda_uid = (uid_t)v;
	if ((val = dev_create_args_get(args, "gid")) != NULL &&
	    dev_arg_uint("gid", val, DEV_ID_MAX, &v, NULL) == 0)
		mda->mda_gid = (gid_t)v;
	if ((val = dev_create_args_get(args, "mode")) != NULL &&
	    dev_arg_mode(val, &mode, NULL) == 0)
		mda->mda_mode = (int)mode;
}

void
dev_arg_quote(struct sbuf *sb, const char *s, size_t max)
{
	size_t len;

	len = strnlen(s, max + 1);
	(void)sbuf_cat_escaped(sb, s, len > max ? max : len);
	if (len > max)
		sbuf_cat(sb, "...");
}

int
dev_arg_kv(char *tok, char **keyp, char **valp, struct sbuf *err)
{
	char *eq;

	eq = strchr(tok, '=');
	if (eq == NULL) {
		sbuf_cat(err, "expected key=value, got '");
		dev_arg_quote(err, tok, 64);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	if (eq == tok) {
		sbuf_cat(err, "missing key in '");
		dev_arg_quote(err, tok, 64);
		sbuf_cat(err, "'");
		return (EINVAL);
	}
	*eq = '\0';
	if (eq[1] == '\0') {
		sbuf_cat(err, "missing value for key '");
		dev_arg_quote(err, tok, 64);
		sbuf_cat(err, "'");
		*eq = '=';
		return (EINVAL);
	}
	*keyp = tok;
	*valp = eq + 1;
	return (0);
}

/*
 * The helpers below take err NULL for a value already checked: no
 * message then.
 */
#define	ERR(err)	if ((err) != NULL)

int
dev_arg_size(const char *key, const char *val, uint64_t *vp,
    struct sbuf *err)
{
	int error;

	error = size_parse(val, vp);
	if (error == 0)
		return (0);
	ERR(err) {
		sbuf_printf(err, "%s: ", key);
		if (error == ERANGE) {
			sbuf_cat(err, "size '");
			dev_arg_quote(err, val, 64);
			sbuf_cat(err, "' out of range");
		} else {
			sbuf_cat(err, "bad size '");
			dev_arg_quote(err, val, 64);
			sbuf_cat(err, "' (a number with an optional K, M or "
			    "G, or 0x hex)");
		}
	}
	return (EINVAL);
}

int
dev_arg_uint(const char *key, const char *val, uint64_t max, uint64_t *vp,
    struct sbuf *err)
{
	const char *p;
	uint64_t v;

	v = 0;
	for (p = val; *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (uint64_t)(*p - '0')) / 10) {
			ERR(err) {
				sbuf_printf(err, "%s: '", key);
				dev_arg_quote(err, val, 32);
				sbuf_printf(err, "' out of range (at most %ju)",
				    (uintmax_t)max);
			}
			return (EINVAL);
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == val || *p != '\0') {
		ERR(err) {
			sbuf_printf(err, "%s: '", key);
			dev_arg_quote(err, val, 32);
			sbuf_cat(err, "' is not a decimal number");
		}
		return (EINVAL);
	}
	*vp = v;
	return (0);
}

int
dev_arg_mode(const char *val, mode_t *mp, struct sbuf *err)
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
	ERR(err) {
		sbuf_cat(err, "mode: '");
		dev_arg_quote(err, val, 32);
		sbuf_cat(err, "' is not an octal mode with a leading 0 (0 to "
		    "07777)");
	}
	return (EINVAL);
}

int
dev_arg_memattr(const char *val, vm_memattr_t *map, struct sbuf *err)
{

	if (vm_memattr_parse(val, map) == 0)
		return (0);
	ERR(err) {
		sbuf_cat(err, "unknown memattr '");
		dev_arg_quote(err, val, 32);
		sbuf_cat(err, "' (wb, wt, wc, uc, uc- or wp)");
	}
	return (EINVAL);
}

int
dev_arg_path(const char *key, const char *val, struct sbuf *err)
{

	if (val[0] != '/') {
		ERR(err) {
			sbuf_printf(err, "%s: path '", key);
			dev_arg_quote(err, val, 128);
			sbuf_cat(err, "' is not absolute");
		}
		return (EINVAL);
	}
	if (strlen(val) >= PATH_MAX) {
		ERR(err)
			sbuf_printf(err, "%s: path too long", key);
		return (EINVAL);
	}
	return (0);
}

int
dev_args_size(const struct dev_create_args *args, uint64_t *sizep,
    bool *setp, struct sbuf *err)
{
	const char *val;
	uint64_t v;
	int error;

	*setp = false;
	if ((val = dev_create_args_get(args, "size")) == NULL)
		return (0);
	error = dev_arg_size("size", val, &v, err);
	if (error != 0)
		return (error);
	if (v == 0 || v > DEV_SIZE_MAX) {
		ERR(err)
			sbuf_printf(err, "size: must be from 1 to 64G "
			    "(rounded up to a multiple of %lu)", PAGE_SIZE);
		return (EINVAL);
	}
	*sizep = v;
	*setp = true;
	return (0);
}

int
dev_args_memattr(const struct dev_create_args *args, vm_memattr_t *map,
    bool *setp, struct sbuf *err)
{
	const char *val;
	int error;

	*setp = false;
	if ((val = dev_create_args_get(args, "memattr")) == NULL)
		return (0);
	error = dev_arg_memattr(val, map, err);
	if (error == 0)
		*setp = true;
	return (error);
}
