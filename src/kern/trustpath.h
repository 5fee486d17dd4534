/*
 * Walking to a file the daemon must be able to trust (a plugin, a backing
 * file): from "/", one directory at a time, each opened relative to the
 * one before (openat), never through a symbolic link, and each checked
 * before the walk goes on: it belongs to root or to the daemon's user
 * (geteuid) and neither its group nor others may write it, unless it is
 * sticky (then others cannot rename or remove what is in it).  What is
 * left is the last directory, open, and the last component, which the
 * caller opens through that descriptor itself (with its own rules for a
 * file).  So nobody but root and the daemon's user can swap what the
 * path leads to between the check and the use.
 *
 * trustpath_walk() reports a failure as a reason and where it happened,
 * and writes no message: each caller words its own (a plugin's, a
 * backing file's).
 */
#ifndef _KERN_TRUSTPATH_H_
#define _KERN_TRUSTPATH_H_

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

enum trustpath_fail {
	TP_OK = 0,
	TP_NOT_ABSOLUTE,	/* path does not start with '/' */
	TP_DOTDOT,		/* a ".." component (a "." is skipped) */
	TP_NAME_TOO_LONG,	/* a component longer than NAME_MAX */
	TP_OPEN,		/* the directory path[0..tp_len) could not be
				   opened: tp_errno (ENOTDIR: not one) */
	TP_SYMLINK,		/* path[0..tp_len) is a symbolic link */
	TP_OWNER,		/* directory path[0..tp_len) belongs to
				   tp_st.st_uid, not root or the daemon */
	TP_WRITABLE,		/* directory path[0..tp_len) is writable by
				   tp_writer ("others", "its group") */
};

struct trustpath {
	int		 tp_dirfd;	/* the last directory (success) */
	const char	*tp_base;	/* the last component, in path; ""
					   when path ends with '/' */
	size_t		 tp_baselen;	/* its length (no '/') */
	enum trustpath_fail tp_fail;
	size_t		 tp_len;	/* the failing prefix of path */
	int		 tp_errno;	/* TP_OPEN; else the errno to return */
	const char	*tp_writer;	/* TP_WRITABLE */
	struct stat	 tp_st;		/* TP_OWNER, TP_WRITABLE */
};

/*
 * Walk path's directories as above, opening each with dirflags (O_PATH,
 * or O_RDONLY for a directory the caller will fsync) | O_DIRECTORY |
 * O_NOFOLLOW | O_CLOEXEC.  0 with tp->tp_dirfd open (the caller closes
 * it) and tp_base set, or an errno with tp_fail saying why and nothing
 * left open.
 */
int	trustpath_walk(const char *path, int dirflags, struct trustpath *tp);
/*
 * Is st trusted as a directory (isdir: the sticky bit excuses group and
 * other write) or as a file?  TP_OK, TP_OWNER or TP_WRITABLE (with
 * tp_writer set in tp if not NULL).
 */
enum trustpath_fail trustpath_check(const struct stat *st, bool isdir,
	    const char **writerp);

#endif /* !_KERN_TRUSTPATH_H_ */
