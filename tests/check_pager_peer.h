/*
 * A scripted external pager for the pager_conn tests: a listening socket
 * in a private directory, and helpers to accept the daemon's connection,
 * answer its hello, read its messages and send anything at all --
 * valid, malformed, truncated.  Every wait is bounded (PEER_WAIT_MS).
 */
#ifndef _TESTS_CHECK_PAGER_PEER_H_
#define _TESTS_CHECK_PAGER_PEER_H_

#include <stddef.h>
#include <stdint.h>

#include <devpager/pager_proto.h>

#define	PEER_WAIT_MS	10000

struct peer {
	char	dir[64];
	char	path[96];
	int	lfd;		/* listening */
	int	fd;		/* the daemon's connection, or -1 */
};

/* A message the daemon sent. */
struct peer_msg {
	struct dpp_hdr	h;
	uint8_t		payload[DPP_HDR_SIZE + DPP_HELLO_SIZE + DPP_NAME_MAX];
	size_t		len;	/* payload bytes kept (the rest dropped) */
};

void	peer_open(struct peer *p);
void	peer_close(struct peer *p);
/* Stop listening and remove the socket (nothing listens at path). */
void	peer_unlisten(struct peer *p);
/* Accept the next connection into p->fd; 0 or -1 (timeout). */
int	peer_accept(struct peer *p, int timeout_ms);
/* Close the current connection. */
void	peer_hangup(struct peer *p);
/*
 * Read the daemon's hello and answer hello_reply (version 1, features,
 * max_inflight); the hello is stored in *hello if not NULL.  0 or -1.
 */
int	peer_handshake(struct peer *p, uint32_t features, uint32_t inflight,
	    struct dpp_hello *hello);
/* accept + handshake with no features and 64 in flight. */
int	peer_accept_up(struct peer *p);
/* Read one message (payload up to sizeof(payload), rest skipped). */
int	peer_read(struct peer *p, struct peer_msg *m, int timeout_ms);
/* Read one message whose payload goes to buf (len bytes at most). */
int	peer_read_into(struct peer *p, struct peer_msg *m, void *buf,
	    size_t buflen, int timeout_ms);
/* Has the daemon sent something (or closed) within timeout_ms? */
int	peer_readable(struct peer *p, int timeout_ms);
/* Is the connection closed by the daemon (EOF within timeout_ms)? */
int	peer_wait_eof(struct peer *p, int timeout_ms);
/* Send raw bytes; 0 or -1. */
int	peer_send_raw(struct peer *p, const void *buf, size_t len);
/* Send a message with payload (h->payload bytes). */
int	peer_send(struct peer *p, const struct dpp_hdr *h, const void *payload);
/* Answers to a data_request m. */
int	peer_supply(struct peer *p, const struct peer_msg *m, uint64_t seed);
int	peer_status(struct peer *p, uint16_t type, const struct peer_msg *m,
	    uint32_t error);
/* A header with the magic set. */
struct dpp_hdr peer_hdr(uint16_t type, uint16_t flags, uint64_t id,
	    uint64_t off, uint32_t len, uint32_t payload);

/* The test pattern: each 8-byte word at byte o is o ^ 0x5a.. ^ seed. */
void	pattern_fill(void *buf, uint64_t off, size_t len, uint64_t seed);
int	pattern_check(const void *buf, uint64_t off, size_t len,
	    uint64_t seed);

#endif /* !_TESTS_CHECK_PAGER_PEER_H_ */
