/*
 * Per-thread state, after FreeBSD's struct thread: the thread's current
 * open file (td_fpop, read by devfs_get_cdevpriv()) and credentials.
 * Every thread has one, in thread-local storage; curthread points at it.
 */
#ifndef _KERN_PROC_H_
#define _KERN_PROC_H_

struct file;
struct ucred;

struct thread {
	struct file		*td_fpop;	/* file op in progress, or NULL */
	const struct ucred	*td_ucred;	/* credentials of the request */
	int			 td_giant_depth; /* Giant shims entered */
};

extern __thread struct thread thread0_tls;
#define	curthread	(&thread0_tls)

#endif /* !_KERN_PROC_H_ */
