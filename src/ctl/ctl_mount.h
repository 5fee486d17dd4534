/*
 * devpagerctl: finding the devpagerfs mount point.
 *
 * /proc/self/mountinfo (proc(5)) has one line per mount:
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER
 * fields separated by single spaces, with space, tab, newline and backslash
 * inside a field written as \040, \011, \012 and \134.  A devpagerfs mount
 * has FSTYPE "fuse.devpagerfs" (the daemon sets subtype=devpagerfs).
 */
#ifndef _CTL_CTL_MOUNT_H_
#define _CTL_CTL_MOUNT_H_

#include <stddef.h>

#define	CTL_MOUNT_FSTYPE	"fuse.devpagerfs"
#define	CTL_MOUNTINFO		"/proc/self/mountinfo"

struct ctl_mounts {
	size_t	  cm_n;		/* devpagerfs mounts found */
	char	**cm_paths;	/* their mount points, unescaped */
};

/* Decode \ooo escapes in place. */
void	ctl_mount_unescape(char *s);
/* Collect the devpagerfs mounts in mountinfo text; malformed lines skipped. */
void	ctl_mounts_parse(const char *text, struct ctl_mounts *cm);
/* The same from a file; 0 or an errno value. */
int	ctl_mounts_read(const char *path, struct ctl_mounts *cm);
void	ctl_mounts_free(struct ctl_mounts *cm);

#endif /* !_CTL_CTL_MOUNT_H_ */
