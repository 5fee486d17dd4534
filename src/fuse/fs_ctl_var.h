/*
 * The ctl language split in two steps, shared by vm/ctl (fs_ctl.c) and
 * the configuration file (fs_config.c): fs_ctl_parse() checks a line
 * completely -- syntax, names, keys, values -- without touching any
 * state (it may run before the VM exists), and fs_ctl_run() carries a
 * parsed command out.
 *
 * A struct fs_ctl_cmd belongs to one thread at a time.
 */
#ifndef _FUSE_FS_CTL_VAR_H_
#define _FUSE_FS_CTL_VAR_H_

#include <stddef.h>
#include <sys/types.h>

#include "kern/conf.h"
#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "dev/dev_driver.h"
#include "fuse/fs_ctl.h"
#include "vm/vm.h"

/* Words in one command: `create NAME` and DEV_PARAM_MAX key=value. */
#define	FS_CTL_ARGV_MAX		(DEV_PARAM_MAX + 3)

enum fs_ctl_op {
	FS_CTL_CREATE,		/* create NAME driver=... */
	FS_CTL_DESTROY,		/* destroy NAME */
	FS_CTL_REVOKE,		/* revoke NAME [offset=] [length=] */
	FS_CTL_MEMATTR,		/* memattr NAME WORD */
	FS_CTL_PREFAULT,	/* prefault NAME POLICY [key=value ...] */
	FS_CTL_DRIVER,		/* DRIVER NAME VERB [key=value ...] */
	FS_CTL_SWAP_LIMIT,	/* swap limit uid=N size=SIZE */
};

struct fs_ctl_cmd {
	enum fs_ctl_op	 op;
	char		 name[SPECNAMELEN + 1];	/* the device (not swap) */
	struct dev_create_args create;		/* FS_CTL_CREATE */
	vm_ooffset_t	 off;			/* FS_CTL_REVOKE */
	vm_size_t	 len;			/* FS_CTL_REVOKE, 0: to end */
	vm_memattr_t	 memattr;		/* FS_CTL_MEMATTR */
	struct dev_prefault_conf prefault;	/* FS_CTL_PREFAULT */
	char		 driver[32];		/* FS_CTL_DRIVER */
	int		 argc;			/* FS_CTL_DRIVER: verb, args */
	char		*argv[FS_CTL_ARGV_MAX];	/* into buf */
	uid_t		 uid;			/* FS_CTL_SWAP_LIMIT */
	vm_ooffset_t	 limit;			/* FS_CTL_SWAP_LIMIT */
	char		 buf[FS_CTL_LINE_MAX + 1];	/* the words */
};

/*
 * Parse one line (len bytes, not NUL-terminated, one trailing newline
 * allowed) for source (FS_CTL_SRC_*).  0, or EINVAL with a one-line
 * message in err.  Touches nothing but cmd.
 */
int	fs_ctl_parse(const char *line, size_t len, int source,
	    struct fs_ctl_cmd *cmd, struct sbuf *err);
/* Carry out a parsed command.  0 or errno with a one-line message. */
int	fs_ctl_run(struct fs_ctl_cmd *cmd, const struct ucred *cred,
	    struct sbuf *reply);
/* Append s to sb for a message: at most max bytes, non-ASCII escaped. */
void	fs_ctl_quote(struct sbuf *sb, const char *s, size_t max);
/* Turn an error message into one line of printable ASCII (\xNN escapes),
 * without a trailing newline. */
void	fs_ctl_message_finish(struct sbuf *sb);

#endif /* !_FUSE_FS_CTL_VAR_H_ */
