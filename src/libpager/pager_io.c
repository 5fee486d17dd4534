/*
 * pager_io: the send and receive loops both ends of devpager_protocol(5)
 * share (pager_io.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>

#include "pager_io.h"

int
pager_io_send(int fd, const void *hdr, size_t hlen, const void *payload,
    size_t plen, size_t *sentp, pager_io_wait_t *wait, void *arg)
{
	struct iovec iov[2];
	struct msghdr msg;
	size_t done, total;
	ssize_t n;
	int error;

	done = 0;
	total = hlen + plen;
	error = 0;
	while (done < total) {
		memset(&msg, 0, sizeof(msg));
		if (done < hlen) {
			iov[0].iov_base = (char *)(uintptr_t)hdr + done;
			iov[0].iov_len = hlen - done;
			iov[1].iov_base = (void *)(uintptr_t)payload;
			iov[1].iov_len = plen;
			msg.msg_iovlen = plen > 0 ? 2 : 1;
		} else {
			iov[0].iov_base = (char *)(uintptr_t)payload +
			    (done - hlen);
			iov[0].iov_len = total - done;
			msg.msg_iovlen = 1;
		}
		msg.msg_iov = iov;
		n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			error = wait(arg, fd, POLLOUT);
			if (error != 0)
				break;
			continue;
		}
		error = n < 0 ? errno : EPIPE;
		break;
	}
	if (sentp != NULL)
		*sentp = done;
	return (done == total ? 0 : error);
}

int
pager_io_recv(int fd, void *buf, size_t len, size_t *gotp,
    pager_io_wait_t *wait, void *arg)
{
	size_t got;
	ssize_t n;
	int error;

	got = 0;
	error = 0;
	while (got < len) {
		n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0) {
			error = ECONNRESET;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			error = wait(arg, fd, POLLIN);
			if (error != 0)
				break;
			continue;
		}
		error = errno;
		break;
	}
	if (gotp != NULL)
		*gotp = got;
	return (got == len ? 0 : error);
}
