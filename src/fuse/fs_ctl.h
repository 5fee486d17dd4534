/*
 * The ctl language of vm/ctl and of the configuration file
 * (devpagerfs(8), devpagerfs.conf(5)):
 *
 *	create NAME driver=DRIVER [size=SIZE] [memattr=wb|wt|wc|uc|uc-|wp]
 *	       [backing=PATH] [width=N] [height=N] [bpp=N] [mode=0NNN]
 *	       [uid=N] [gid=N] [key=value ...]
 *	destroy NAME
 *	revoke NAME [offset=SIZE] [length=SIZE]
 *	memattr NAME wb|wt|wc|uc|uc-|wp
 *	gem NAME create size=SIZE [placement=vram|system]
 *	gem NAME destroy handle=H
 *	gem NAME move handle=H placement=vram|system
 *	fb NAME snapshot path=/abs/file.png
 *	swap limit uid=N size=SIZE
 *
 * One command per call.  A failed command changes nothing and leaves a
 * one-line message (no trailing newline) in reply; a successful one may
 * leave a reply (e.g. `handle=H offset=O size=S`).
 */
#ifndef _FUSE_FS_CTL_H_
#define _FUSE_FS_CTL_H_

#include <stdbool.h>
#include <stddef.h>

#include "kern/sbuf.h"
#include "kern/ucred.h"

#define	FS_CTL_LINE_MAX	4096	/* longest command accepted */

/* Which commands a source may use. */
#define	FS_CTL_SRC_CTL		0x1	/* vm/ctl: everything */
#define	FS_CTL_SRC_CONFIG	0x2	/* config: create, memattr, swap */

/* Run one command line (not NUL-terminated; one trailing newline is
 * allowed).  0 or errno. */
int	fs_ctl_execute(const char *line, size_t len, int source,
	    const struct ucred *cred, struct sbuf *reply);

/*
 * Configuration file: check every line (syntax, values, backing paths)
 * without changing anything, then run them.  Errors are one line:
 * "FILE:LINE: message".  0 or errno.
 */
int	fs_config_check(const char *path, struct sbuf *err);
int	fs_config_apply(const char *path, const struct ucred *cred,
	    struct sbuf *err);
/* The embedded default set: mem, ram0 (16M, WB), fb0 (640x480x32), gem0
 * (the drivers that exist). */
int	fs_config_apply_defaults(const struct ucred *cred, struct sbuf *err);

#endif /* !_FUSE_FS_CTL_H_ */
