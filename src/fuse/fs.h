/*
 * The daemon's global state and the pieces of the filesystem layer that
 * every file of src/fuse shares.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after fs_start()
 *	(a)	atomic
 */
#ifndef _FUSE_FS_H_
#define _FUSE_FS_H_

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include <fuse_lowlevel.h>

#include "fuse/fs_options.h"

struct devpagerfs {
	struct fuse_session	*se;		/* (c) */
	struct fs_options	 opts;		/* (c) */
	uid_t			 owner_uid;	/* (c) mounting user */
	gid_t			 owner_gid;	/* (c) */
	struct timespec		 start_time;	/* (c) times of every node */
	double			 entry_timeout;	/* (c) seconds */
	double			 attr_timeout;	/* (c) seconds */
	bool			 debug;		/* (c) -d */
};

extern struct devpagerfs fs;

extern const struct fuse_lowlevel_ops fs_ll_ops;

/*
 * Every request handler starts with this: registers the worker thread with
 * RCU on its first request (unregistered at thread exit).
 */
void	fs_request_enter(fuse_req_t req);

#endif /* !_FUSE_FS_H_ */
