/*
 * A bound AF_UNIX socket for the backing-path tests, kept apart because
 * <sys/socket.h> defines its own struct ucred.
 */
#ifndef _TESTS_CHECK_DRV_SOCK_H_
#define _TESTS_CHECK_DRV_SOCK_H_

/* Bind a stream socket at path; the descriptor, or -1. */
int	drv_bind_socket(const char *path);

#endif /* !_TESTS_CHECK_DRV_SOCK_H_ */
