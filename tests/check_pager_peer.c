/*
 * A scripted external pager (check_pager_peer.h).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_pager_peer.h"

#define	PATTERN_XOR	0x5a5a5a5a5a5a5a5aULL

static int	peer_poll(int fd, short ev, int timeout_ms);
static int	peer_read_full(struct peer *p, void *buf, size_t len,
		    int timeout_ms);

void
peer_open(struct peer *p)
{
	struct sockaddr_un sun;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	strcpy(p->dir, "/tmp/dpf-pager.XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		abort();
	snprintf(p->path, sizeof(p->path), "%s/sock", p->dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, p->path);
	p->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->lfd < 0 ||
	    bind(p->lfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(p->lfd, 16) != 0)
		abort();
}

void
peer_unlisten(struct peer *p)
{

	if (p->lfd >= 0)
		close(p->lfd);
	p->lfd = -1;
	unlink(p->path);
}

void
peer_close(struct peer *p)
{

	peer_hangup(p);
	peer_unlisten(p);
	rmdir(p->dir);
}

static int
peer_poll(int fd, short ev, int timeout_ms)
{
	struct pollfd pfd;
	int n;

	pfd.fd = fd;
	pfd.events = ev;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	return (n > 0 ? 0 : -1);
}

int
peer_accept(struct peer *p, int timeout_ms)
{

	peer_hangup(p);
	if (peer_poll(p->lfd, POLLIN, timeout_ms) != 0)
		return (-1);
	p->fd = accept4(p->lfd, NULL, NULL, SOCK_CLOEXEC);
	return (p->fd >= 0 ? 0 : -1);
}

void
peer_hangup(struct peer *p)
{

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

static int
peer_read_full(struct peer *p, void *buf, size_t len, int timeout_ms)
{
	size_t got;
	ssize_t n;

	for (got = 0; got < len; got += (size_t)n) {
		if (peer_poll(p->fd, POLLIN, timeout_ms) != 0)
			return (-1);
		n = recv(p->fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return (-1);
	}
	return (0);
}

int
peer_read_into(struct peer *p, struct peer_msg *m, void *buf, size_t buflen,
    int timeout_ms)
{
	uint8_t hbuf[DPP_HDR_SIZE];
	uint8_t skip[4096];
	size_t left, n;

	if (p->fd < 0 || peer_read_full(p, hbuf, sizeof(hbuf), timeout_ms) != 0)
		return (-1);
	dpp_hdr_decode(hbuf, &m->h);
	m->len = m->h.payload < buflen ? m->h.payload : buflen;
	if (peer_read_full(p, buf, m->len, timeout_ms) != 0)
		return (-1);
	for (left = m->h.payload - m->len; left > 0; left -= n) {
		n = left < sizeof(skip) ? left : sizeof(skip);
		if (peer_read_full(p, skip, n, timeout_ms) != 0)
			return (-1);
	}
	return (0);
}

int
peer_read(struct peer *p, struct peer_msg *m, int timeout_ms)
{

	return (peer_read_into(p, m, m->payload, sizeof(m->payload),
	    timeout_ms));
}

int
peer_readable(struct peer *p, int timeout_ms)
{

	return (p->fd >= 0 && peer_poll(p->fd, POLLIN, timeout_ms) == 0);
}

int
peer_wait_eof(struct peer *p, int timeout_ms)
{
	uint8_t buf[4096];
	ssize_t n;

	for (;;) {
		if (peer_poll(p->fd, POLLIN, timeout_ms) != 0)
			return (0);
		n = recv(p->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return (1);
	}
}

int
peer_handshake(struct peer *p, uint32_t features, uint32_t inflight,
    struct dpp_hello *hello)
{
	struct dpp_hello_reply r;
	struct dpp_hello h0;
	struct peer_msg m;
	uint8_t rbuf[DPP_HELLO_REPLY_SIZE];
	struct dpp_hdr h;

	if (peer_read(p, &m, PEER_WAIT_MS) != 0 || m.h.type != DPP_HELLO ||
	    dpp_hello_decode(m.payload, m.len, &h0) != DPP_OK)
		return (-1);
	if (hello != NULL)
		*hello = h0;
	r.version = 1;
	r.features = features;
	r.max_inflight = inflight;
	dpp_hello_reply_encode(rbuf, &r);
	h = peer_hdr(DPP_HELLO_REPLY, 0, 0, 0, 0, DPP_HELLO_REPLY_SIZE);
	return (peer_send(p, &h, rbuf));
}

int
peer_accept_up(struct peer *p)
{

	if (peer_accept(p, PEER_WAIT_MS) != 0)
		return (-1);
	return (peer_handshake(p, 0, 64, NULL));
}

int
peer_send_raw(struct peer *p, const void *buf, size_t len)
{
	size_t done;
	ssize_t n;

	for (done = 0; done < len; done += (size_t)n) {
		if (peer_poll(p->fd, POLLOUT, PEER_WAIT_MS) != 0)
			return (-1);
		n = send(p->fd, (const char *)buf + done, len - done,
		    MSG_NOSIGNAL);
		if (n <= 0)
			return (-1);
	}
	return (0);
}

int
peer_send(struct peer *p, const struct dpp_hdr *h, const void *payload)
{
	uint8_t hbuf[DPP_HDR_SIZE];

	dpp_hdr_encode(hbuf, h);
	if (peer_send_raw(p, hbuf, sizeof(hbuf)) != 0)
		return (-1);
	return (h->payload > 0 ? peer_send_raw(p, payload, h->payload) : 0);
}

struct dpp_hdr
peer_hdr(uint16_t type, uint16_t flags, uint64_t id, uint64_t off,
    uint32_t len, uint32_t payload)
{
	struct dpp_hdr h;

	memset(&h, 0, sizeof(h));
	h.magic = DPP_MAGIC;
	h.type = type;
	h.flags = flags;
	h.id = id;
	h.offset = off;
	h.length = len;
	h.payload = payload;
	return (h);
}

int
peer_supply(struct peer *p, const struct peer_msg *m, uint64_t seed)
{
	struct dpp_hdr h;
	uint8_t *buf;
	int error;

	buf = malloc(m->h.length);
	if (buf == NULL)
		return (-1);
	pattern_fill(buf, m->h.offset, m->h.length, seed);
	h = peer_hdr(DPP_DATA_SUPPLY, 0, m->h.id, m->h.offset, m->h.length,
	    m->h.length);
	error = peer_send(p, &h, buf);
	free(buf);
	return (error);
}

int
peer_status(struct peer *p, uint16_t type, const struct peer_msg *m,
    uint32_t error)
{
	struct dpp_hdr h;
	uint8_t s[DPP_STATUS_SIZE];

	dpp_status_encode(s, error);
	h = peer_hdr(type, 0, m->h.id, m->h.offset, m->h.length,
	    DPP_STATUS_SIZE);
	return (peer_send(p, &h, s));
}

void
pattern_fill(void *buf, uint64_t off, size_t len, uint64_t seed)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = (off + i) ^ PATTERN_XOR ^ seed;
		memcpy((char *)buf + i, &w, 8);
	}
}

int
pattern_check(const void *buf, uint64_t off, size_t len, uint64_t seed)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, (const char *)buf + i, 8);
		if (w != ((off + i) ^ PATTERN_XOR ^ seed))
			return (0);
	}
	return (1);
}
