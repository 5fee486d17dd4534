/*
 * pager_io: whole runs of bytes over a non-blocking stream socket, for
 * both ends of devpager_protocol(5): the daemon's (src/dev/pager_conn.c)
 * and libdevpager-pager's (src/libpager/pager.c).  Not installed, not
 * exported from the library.
 *
 * The loops are the same at both ends; how they wait is not (the daemon
 * against a deadline, the library against its stall timeout and
 * stop()), so the caller passes its wait: called with POLLOUT or POLLIN
 * when the socket would block, it returns 0 to try again or an errno,
 * which ends the transfer.
 */
#ifndef _LIBPAGER_PAGER_IO_H_
#define _LIBPAGER_PAGER_IO_H_

#include <stddef.h>

typedef int	pager_io_wait_t(void *arg, int fd, short events);

/*
 * Send hdr (hlen bytes) then payload (plen bytes, NULL if 0) in full,
 * in as few sendmsg(2) calls as the socket takes, without SIGPIPE.
 * 0, the wait's error, the socket's errno, or EPIPE (nothing sent);
 * *sentp (if not NULL) says how much went out.
 */
int	pager_io_send(int fd, const void *hdr, size_t hlen,
	    const void *payload, size_t plen, size_t *sentp,
	    pager_io_wait_t *wait, void *arg);

/*
 * Receive len bytes into buf.  0, ECONNRESET (end of stream), the wait's
 * error, or the socket's errno; *gotp (if not NULL) says how much
 * arrived.
 */
int	pager_io_recv(int fd, void *buf, size_t len, size_t *gotp,
	    pager_io_wait_t *wait, void *arg);

#endif /* !_LIBPAGER_PAGER_IO_H_ */
