/*
 * vm/fail/<point>: read a fail point's specification, write a new one
 * (fail(9) syntax subset, see kern/fail.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kern/fail.h"
#include "fuse/fs_node.h"
#include "fuse/fs_vm.h"

struct fail_walk {
	const char	*want_name;	/* find this name ... */
	uint64_t	 want_index;	/* ... or this index */
	uint64_t	 index;
	uint64_t	 found_index;
	char		 found_name[64];
	bool		 found;
	int		(*cb)(const char *, fuse_ino_t, void *);
	void		*arg;
	int		 error;
};

static void
fail_walk_cb(const char *name, void *arg)
{
	struct fail_walk *w = arg;

	if (!w->found && ((w->want_name != NULL &&
	    strcmp(name, w->want_name) == 0) ||
	    (w->want_name == NULL && w->cb == NULL &&
	    w->index == w->want_index))) {
		w->found = true;
		w->found_index = w->index;
		snprintf(w->found_name, sizeof(w->found_name), "%s", name);
	}
	if (w->cb != NULL && w->error == 0)
		w->error = w->cb(name, FS_INO_FAIL + w->index, w->arg);
	w->index++;
}

int
fs_vm_fail_lookup(const char *name, fuse_ino_t *inop)
{
	struct fail_walk w = { .want_name = name };

	fail_point_foreach(fail_walk_cb, &w);
	if (!w.found)
		return (ENOENT);
	*inop = FS_INO_FAIL + w.found_index;
	return (0);
}

int
fs_vm_fail_name(fuse_ino_t ino, char *buf, size_t len)
{
	struct fail_walk w = { .want_index = ino - FS_INO_FAIL };

	fail_point_foreach(fail_walk_cb, &w);
	if (!w.found)
		return (ENOENT);
	snprintf(buf, len, "%s", w.found_name);
	return (0);
}

int
fs_vm_fail_foreach(int (*cb)(const char *name, fuse_ino_t ino, void *arg),
    void *arg)
{
	struct fail_walk w = { .cb = cb, .arg = arg };

	fail_point_foreach(fail_walk_cb, &w);
	return (w.error);
}

int
fs_vm_fail_generate(struct sbuf *sb, fuse_ino_t ino)
{
	char name[64], spec[1024];
	int error;

	error = fs_vm_fail_name(ino, name, sizeof(name));
	if (error == 0)
		error = fail_point_get(name, spec, sizeof(spec));
	if (error != 0)
		return (error);
	sbuf_printf(sb, "%s\n", spec);
	return (sbuf_error(sb));
}

int
fs_vm_fail_write(fuse_ino_t ino, const char *buf, size_t len,
    const struct ucred *cred, struct sbuf *reply)
{
	char name[64], spec[1024];
	int error;

	(void)cred;
	error = fs_vm_fail_name(ino, name, sizeof(name));
	if (error != 0) {
		sbuf_cat(reply, "no such fail point");
		return (error);
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(spec) || memchr(buf, '\0', len) != NULL) {
		sbuf_printf(reply, "bad specification for %s", name);
		return (EINVAL);
	}
	memcpy(spec, buf, len);
	spec[len] = '\0';
	error = fail_point_set(name, spec);
	if (error == EINVAL)
		sbuf_printf(reply, "bad specification for %s: '%s' (expected "
		    "off, return(E), N%%return(E), N*return(E), sleep(MS), "
		    "chained with ->)", name, spec);
	else if (error != 0)
		sbuf_printf(reply, "cannot set %s: %s", name, strerror(error));
	return (error);
}
