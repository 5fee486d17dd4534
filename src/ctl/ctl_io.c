/*
 * devpagerctl: reading inspection files and the ctl protocol (ctl_io.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl_io.h"

#define	CTL_READ_CHUNK	65536
/*
 * Bounds on what is read: the daemon's files are finite snapshots, but a
 * wrong -m (a device, a FIFO's writer that never closes...) must not make
 * the client read forever or exhaust memory.
 */
#define	CTL_FILE_MAX	(256UL << 20)
#define	CTL_REPLY_MAX	(1UL << 20)

int
ctl_read_file(const char *path, struct ctl_buf *out)
{
	ssize_t n;
	int fd, error;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return (errno);
	error = 0;
	for (;;) {
		ctl_buf_reserve(out, CTL_READ_CHUNK);
		n = read(fd, out->cb_data + out->cb_len, CTL_READ_CHUNK);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			error = errno;
			break;
		}
		if (n == 0)
			break;
		out->cb_len += (size_t)n;
		out->cb_data[out->cb_len] = '\0';
		if (out->cb_len > CTL_FILE_MAX) {
			error = EFBIG;
			break;
		}
	}
	(void)close(fd);
	return (error);
}

int
ctl_read_fd_at0(int fd, struct ctl_buf *out)
{
	ssize_t n;
	off_t off;

	for (off = 0;;) {
		ctl_buf_reserve(out, CTL_READ_CHUNK);
		n = pread(fd, out->cb_data + out->cb_len, CTL_READ_CHUNK, off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (errno);
		}
		if (n == 0)
			return (0);
		out->cb_len += (size_t)n;
		out->cb_data[out->cb_len] = '\0';
		off += n;
		if ((size_t)off > CTL_REPLY_MAX)
			return (EFBIG);
	}
}

int
ctl_transact(const char *path, const char *line, struct ctl_buf *reply,
    struct ctl_buf *msg, struct ctl_buf *before)
{
	size_t len;
	ssize_t n;
	int fd, error;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd == -1) {
		error = errno;
		ctl_buf_printf(msg, "%s: %s", path, strerror(error));
		return (error);
	}
	if (before != NULL)
		(void)ctl_read_fd_at0(fd, before);
	len = strlen(line);
	do {
		n = write(fd, line, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1 || (size_t)n != len) {
		/* A short write means the command was not taken whole. */
		error = n == -1 ? errno : EIO;
		(void)ctl_read_fd_at0(fd, msg);
		/* A message is text: stop at a NUL, drop the newline. */
		msg->cb_len = strlen(ctl_buf_str(msg));
		ctl_buf_rstrip(msg);
		(void)close(fd);
		return (error);
	}
	error = ctl_read_fd_at0(fd, reply);
	if (close(fd) == -1 && error == 0)
		error = errno;
	return (error);
}
