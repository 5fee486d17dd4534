/*
 * Create arguments and the key=value helpers every parser shares.
 *
 * `create NAME driver=DRIVER [key=value ...]` (vm/ctl or the
 * configuration file) becomes a struct dev_create_args: the name, the
 * driver and the other pairs verbatim, in command order, each key once.
 * Which keys a driver takes and what their values mean is the driver's
 * business: it lists its keys (dd_keys) and checks their values in its
 * dd_check with the helpers below, so each rule is written once and a
 * new driver (a plugin included) brings its own keys without a change
 * in src/fuse or src/ctl.  The node keys every driver takes -- mode=,
 * uid=, gid=, and the prefault policy prefault=, prefault_max=,
 * prefault_window= -- are checked here (dev_args_node).
 *
 * The value helpers parse one value and, on error, write a one-line
 * message naming the key and quoting the value (dev_arg_quote), and
 * return EINVAL.  The same helpers serve the filesystem's own commands
 * (revoke, swap) and drivers' ctl commands (dd_ctl).
 *
 * A struct dev_create_args belongs to one thread at a time.
 */
#ifndef _DEV_DEV_ARGS_H_
#define _DEV_DEV_ARGS_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/conf.h"
#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "vm/vm.h"

#define	DEV_PARAM_MAX		16	/* key=value pairs in one statement */
#define	DEV_ARGS_BYTES		4096	/* their keys and values, at most */
#define	DEV_ID_MAX		0x7fffffffULL	/* uid=, gid=, handles */
#define	DEV_SIZE_MAX		(64ULL << 30)	/* largest size= */

struct make_dev_args;

struct dev_create_args {
	char		 name[SPECNAMELEN + 1];	/* dev_name_valid() */
	char		 driver[256];	/* a built-in name or /path/x.so */
	unsigned	 nparams;
	const char	*keys[DEV_PARAM_MAX];	/* into buf */
	const char	*values[DEV_PARAM_MAX];	/* into buf */
	size_t		 used;		/* bytes of buf in use */
	char		 buf[DEV_ARGS_BYTES + 2 * DEV_PARAM_MAX];
};

/* No name, no driver, no pair. */
void	dev_create_args_init(struct dev_create_args *args);
/*
 * Add key=value (both non-empty).  EINVAL with a message for a key given
 * twice ("duplicate key 'k'"), more than DEV_PARAM_MAX pairs or more
 * than DEV_ARGS_BYTES of text; args is unchanged then.
 */
int	dev_create_args_add(struct dev_create_args *args, const char *key,
	    const char *value, struct sbuf *err);
/* The value of key, or NULL. */
const char *dev_create_args_get(const struct dev_create_args *args,
	    const char *key);

/*
 * Fill the node fields of mda (owner, group, mode) from the node keys:
 * uid=, gid=, mode= where given (already checked by dev_args_node),
 * else the creator's credentials and default_mode.  Drivers call this
 * after make_dev_args_init().
 */
void	dev_make_args_node(struct make_dev_args *mda,
	    const struct dev_create_args *args, const struct ucred *cred,
	    int default_mode);
/* Is key one of the node keys (mode, uid, gid, prefault*)? */
bool	dev_args_node_key(const char *key);
/* Check the node keys' values.  0 or EINVAL with a message. */
int	dev_args_node(const struct dev_create_args *args, struct sbuf *err);

/*
 * The prefault keys (si_prefault of conf.h; devpagerfs.8 "Prefault"):
 *	prefault=none|open|around
 *	prefault_max=SIZE	open: prefault at most this much (4K..64G)
 *	prefault_window=SIZE	around: the largest window (4K..1G)
 * pc_set says which were given.
 */
#define	DEV_PREFAULT_WINDOW_MAX	(1ULL << 30)
#define	DEV_PREFAULT_SET_POLICY	0x1
#define	DEV_PREFAULT_SET_MAX	0x2
#define	DEV_PREFAULT_SET_WINDOW	0x4
struct dev_prefault_conf {
	unsigned	 pc_set;	/* DEV_PREFAULT_SET_* */
	unsigned	 pc_policy;	/* SI_PREFAULT_* */
	uint64_t	 pc_max;	/* bytes */
	uint64_t	 pc_window;	/* bytes */
};
/* The word of a policy ("none", "open", "around"; "?" for others). */
const char *dev_prefault_name(unsigned policy);
/* A policy word.  0 or EINVAL with a message (err may be NULL). */
int	dev_arg_prefault(const char *val, unsigned *pp, struct sbuf *err);
/*
 * One prefault key=value into pc (EINVAL with a message for another key
 * or a bad value; pc is unchanged then).
 */
int	dev_arg_prefault_key(const char *key, const char *val,
	    struct dev_prefault_conf *pc, struct sbuf *err);
/* The prefault keys of args into *pcp (NULL: only check them). */
int	dev_args_prefault(const struct dev_create_args *args,
	    struct dev_prefault_conf *pcp, struct sbuf *err);

/* Append s to sb for a message: at most max bytes, then "...". */
void	dev_arg_quote(struct sbuf *sb, const char *s, size_t max);
/*
 * Split the word tok ("key=value") in place: "expected key=value",
 * "missing key", "missing value for key" otherwise.
 */
int	dev_arg_kv(char *tok, char **keyp, char **valp, struct sbuf *err);
/* SIZE: a number with an optional K, M or G, or 0x hex. */
int	dev_arg_size(const char *key, const char *val, uint64_t *vp,
	    struct sbuf *err);
/* A decimal number from 0 to max, digits only. */
int	dev_arg_uint(const char *key, const char *val, uint64_t max,
	    uint64_t *vp, struct sbuf *err);
/* An octal mode with a leading 0, 0 to 07777. */
int	dev_arg_mode(const char *val, mode_t *mp, struct sbuf *err);
/* A memattr word: wb, wt, wc, uc, uc- or wp. */
int	dev_arg_memattr(const char *val, vm_memattr_t *map,
	    struct sbuf *err);
/* An absolute path shorter than PATH_MAX. */
int	dev_arg_path(const char *key, const char *val, struct sbuf *err);

/*
 * The common keys of a device window, from args (unset: *setp false,
 * nothing written):
 *	dev_args_size: size=, from 1 byte to DEV_SIZE_MAX (the driver
 *	    rounds it to pages);
 *	dev_args_memattr: memattr=.
 * 0 or EINVAL with a message.
 */
int	dev_args_size(const struct dev_create_args *args, uint64_t *sizep,
	    bool *setp, struct sbuf *err);
int	dev_args_memattr(const struct dev_create_args *args,
	    vm_memattr_t *map, bool *setp, struct sbuf *err);

#endif /* !_DEV_DEV_ARGS_H_ */
