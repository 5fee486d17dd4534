/*
 * Virtual files of the vm/ tree, served lxcfs-style: the whole text is
 * generated from live state when the file is opened (RCU traversals, no
 * global lock) into a per-open snapshot, and every read(2) on that open
 * file is served from the snapshot with direct_io, so `cat`, `grep` and
 * `awk` see one consistent text whatever their buffer sizes.
 *
 * Writable files (vm/ctl, vm/fail/<point>) take one command per write(2);
 * the command's reply, or its error message, replaces the snapshot and is
 * read back on the same open file from offset 0.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant
 *	(v)	fs_vopen.lock
 */
#ifndef _FUSE_FS_VFILE_H_
#define _FUSE_FS_VFILE_H_

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <fuse_lowlevel.h>

#include "kern/sbuf.h"
#include "kern/ucred.h"

struct fs_vopen {
	pthread_mutex_t	 lock;
	struct sbuf	 snap;		/* (v) what read(2) returns */
	fuse_ino_t	 ino;		/* (c) */
};

struct fs_vfile {
	const char	*vf_name;	/* (c) name in vm/ */
	fuse_ino_t	 vf_ino;	/* (c) */
	mode_t		 vf_mode;	/* (c) permission bits */
	/* Build the text read(2) returns; 0 or errno. */
	int		(*vf_generate)(struct sbuf *sb, fuse_ino_t ino);
	/*
	 * Run one command (buf is not NUL-terminated).  Put the reply, or
	 * on error a one-line message, in reply.  0 or errno.
	 */
	int		(*vf_write)(fuse_ino_t ino, const char *buf, size_t len,
			    const struct ucred *cred, struct sbuf *reply);
};

/* The files of vm/, terminated by a NULL name. */
extern const struct fs_vfile fs_vm_files[];
const struct fs_vfile *fs_vfile_by_ino(fuse_ino_t ino);
const struct fs_vfile *fs_vfile_by_name(const char *name);

/* Generators living in their own files. */
int	fs_stats_generate(struct sbuf *sb, fuse_ino_t ino);

#endif /* !_FUSE_FS_VFILE_H_ */
