/*
 * devpagerctl: file I/O against the mount.
 *
 * Inspection files are per-open snapshots served with direct_io (their
 * st_size says nothing), so they are read to end of file.  Commands follow
 * the ctl protocol of devpagerfs(8): open read-write, ONE write(2) of the
 * whole command, then the reply -- or, after a failed write, the error
 * message -- is read back on the same file descriptor from offset 0.
 */
#ifndef _CTL_CTL_IO_H_
#define _CTL_CTL_IO_H_

#include "ctl/ctl_buf.h"

/* Append the whole file to `out'; 0 or an errno value (EFBIG past 256 MiB). */
int	ctl_read_file(const char *path, struct ctl_buf *out);
/*
 * Append what fd holds from offset 0 to end of file; 0 or an errno value
 * (EFBIG past 1 MiB: replies and messages are short).
 */
int	ctl_read_fd_at0(int fd, struct ctl_buf *out);

/*
 * Send `line' to `path' in one write and collect the reply into `reply'.
 * Returns 0 on success.  On failure returns the errno value and leaves in
 * `msg' the daemon's message when it gave one (empty otherwise; the caller
 * falls back to strerror).  When the file cannot be opened, `msg' gets
 * "PATH: strerror".  `before', when not NULL, receives what the file
 * held before the write (used for fail points, whose contents are the spec:
 * an unchanged text after a failed write is not a message).
 */
int	ctl_transact(const char *path, const char *line, struct ctl_buf *reply,
	    struct ctl_buf *msg, struct ctl_buf *before);

#endif /* !_CTL_CTL_IO_H_ */
