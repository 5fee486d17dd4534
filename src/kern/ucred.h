/*
 * Credentials of the process a request came from.  The filesystem builds
 * one from fuse_req_ctx() and passes it down; the VM charges anonymous
 * memory to cr_uid.  Passed by pointer, owned by the caller, never kept
 * past the call (code that needs the uid later copies it).
 */
#ifndef _KERN_UCRED_H_
#define _KERN_UCRED_H_

#include <sys/types.h>

struct ucred {
	uid_t	cr_uid;
	gid_t	cr_gid;
	pid_t	cr_pid;
};

/* The daemon's own credentials (for work not done on a user's behalf). */
extern const struct ucred kernel_cred;

#endif /* !_KERN_UCRED_H_ */
