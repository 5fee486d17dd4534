/*
 * The trusted-path walker (see trustpath.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "kern/trustpath.h"

enum trustpath_fail
trustpath_check(const struct stat *st, bool isdir, const char **writerp)
{
	const char *writer;
	uid_t euid;

	euid = geteuid();
	if (st->st_uid != 0 && st->st_uid != euid)
		return (TP_OWNER);
	writer = NULL;
	if (isdir && (st->st_mode & S_ISVTX) != 0)
		;	/* sticky: others cannot rename or remove our entries */
	else if ((st->st_mode & S_IWOTH) != 0)
		writer = "others";
	else if ((st->st_mode & S_IWGRP) != 0)
		writer = "its group";
	if (writerp != NULL)
		*writerp = writer;
	return (writer == NULL ? TP_OK : TP_WRITABLE);
}

/* Record a failure at path[0..len); returns its errno. */
static int
trustpath_fail(struct trustpath *tp, enum trustpath_fail why, size_t len,
    int error)
{

	tp->tp_fail = why;
	tp->tp_len = len;
	tp->tp_errno = error;
	return (error);
}

/* Check the directory open at fd, path[0..len).  0 or EPERM/errno. */
static int
trustpath_dir(struct trustpath *tp, int fd, size_t len)
{
	enum trustpath_fail why;

	if (fstat(fd, &tp->tp_st) != 0)
		return (trustpath_fail(tp, TP_OPEN, len, errno));
	why = trustpath_check(&tp->tp_st, true, &tp->tp_writer);
	if (why != TP_OK)
		return (trustpath_fail(tp, why, len, EPERM));
	return (0);
}

int
trustpath_walk(const char *path, int dirflags, struct trustpath *tp)
{
	char comp[NAME_MAX + 1];
	const char *p, *q;
	struct stat st;
	int error, fd, nfd;
	size_t n;

	memset(tp, 0, sizeof(*tp));
	tp->tp_dirfd = -1;
	if (path[0] != '/')
		return (trustpath_fail(tp, TP_NOT_ABSOLUTE, 0, EINVAL));
	dirflags |= O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	fd = open("/", dirflags);
	if (fd < 0)
		return (trustpath_fail(tp, TP_OPEN, 1, errno));
	error = trustpath_dir(tp, fd, 1);
	for (p = path; error == 0;) {
		while (*p == '/')
			p++;
		q = strchr(p, '/');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n > NAME_MAX) {
			error = trustpath_fail(tp, TP_NAME_TOO_LONG,
			    (size_t)(p - path) + n, ENAMETOOLONG);
			break;
		}
		if (q == NULL) {
			tp->tp_base = p;
			tp->tp_baselen = n;
			break;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p = q;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			error = trustpath_fail(tp, TP_DOTDOT,
			    (size_t)(q - path), EINVAL);
			break;
		}
		nfd = openat(fd, comp, dirflags);
		if (nfd < 0) {
			error = errno;
			if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				error = trustpath_fail(tp, TP_SYMLINK,
				    (size_t)(q - path), EINVAL);
			else
				error = trustpath_fail(tp, TP_OPEN,
				    (size_t)(q - path), error);
			break;
		}
		close(fd);
		fd = nfd;
		error = trustpath_dir(tp, fd, (size_t)(q - path));
	}
	if (error != 0) {
		close(fd);
		return (error);
	}
	tp->tp_dirfd = fd;
	return (0);
}
