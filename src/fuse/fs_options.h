/*
 * Command line of the daemon:
 *
 *	devpagerfs [-dfhsV] [-o option[,...]] [source] mountpoint
 *
 * devpagerfs's own -o options are taken out of the argument vector here and
 * validated; what is left (libfuse's -d -f -s -h -V, clone_fd,
 * max_idle_threads and the mount options) goes on to fuse_parse_cmdline()
 * and fuse_session_new(), with the mountpoint put back and
 * default_permissions and fsname added.
 */
#ifndef _FUSE_FS_OPTIONS_H_
#define _FUSE_FS_OPTIONS_H_

#include <stdbool.h>
#include <stdint.h>
#include <fuse_lowlevel.h>

#define	FS_PHYSMEM_DEFAULT	(256ULL << 20)
#define	FS_PHYSMEM_MIN		(1ULL << 20)
#define	FS_PHYSMEM_MAX		(8ULL << 30)
#define	FS_SWAP_LIMIT_MAX	(1ULL << 50)
#define	FS_FAULT_PAGES_DEFAULT	1
#define	FS_FAULT_PAGES_MAX	256
#define	FS_TIMEOUT_DEFAULT	1.0
#define	FS_TIMEOUT_MAX		3600.0

struct fs_options {
	char		*config;	/* -o config=FILE, or NULL */
	uint64_t	 physmem;	/* bytes, page-rounded */
	uint64_t	 swap_limit;	/* bytes, page-rounded */
	bool		 swap_limit_set;
	unsigned	 fault_pages;	/* pages one READ may fault in */
	double		 entry_timeout;	/* seconds the kernel caches names */
	double		 attr_timeout;	/* seconds it caches attributes */
	char		*source;	/* [source], or NULL */
	char		*mountpoint;	/* as given */
	/* raw strings as fuse_opt_parse stored them */
	char		*physmem_arg;
	char		*swap_limit_arg;
	char		*fault_pages_arg;
	char		*entry_timeout_arg;
	char		*attr_timeout_arg;
	/* positional arguments seen while parsing */
	int		 npositional;
	bool		 too_many;
};

/*
 * Take devpagerfs's options out of args and validate them.  On error,
 * return -1 with a one-line message (no newline) in err; args is then in
 * an unspecified state.  On success args holds what libfuse should see,
 * with the mountpoint (if any) appended as the last argument.
 */
int	fs_options_parse(struct fuse_args *args, struct fs_options *o,
	    char *err, size_t errlen);
void	fs_options_free(struct fs_options *o);
void	fs_options_usage(const char *progname);

#endif /* !_FUSE_FS_OPTIONS_H_ */
