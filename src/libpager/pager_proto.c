/*
 * The external-pager wire format (<devpager/pager_proto.h>): encoding,
 * decoding and the checks a single message can be judged on.  Compiled
 * into the daemon and into libdevpager-pager.  No allocation, no I/O.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include <devpager/pager_proto.h>

static void	put16(uint8_t *p, uint16_t v);
static void	put32(uint8_t *p, uint32_t v);
static void	put64(uint8_t *p, uint64_t v);
static uint16_t	get16(const uint8_t *p);
static uint32_t	get32(const uint8_t *p);
static uint64_t	get64(const uint8_t *p);
static int	check_range(const struct dpp_hdr *h,
		    const struct dpp_limits *lim, int data);
static int	check_status_msg(const struct dpp_hdr *h,
		    const struct dpp_limits *lim);

static void
put16(uint8_t *p, uint16_t v)
{

	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{

	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void
put64(uint8_t *p, uint64_t v)
{

	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get16(const uint8_t *p)
{

	return ((uint16_t)(p[0] | (uint16_t)p[1] << 8));
}

static uint32_t
get32(const uint8_t *p)
{

	return ((uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16);
}

static uint64_t
get64(const uint8_t *p)
{

	return ((uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32);
}

void
dpp_hdr_encode(uint8_t *buf, const struct dpp_hdr *h)
{

	put32(buf + 0, h->magic);
	put16(buf + 4, h->type);
	put16(buf + 6, h->flags);
	put64(buf + 8, h->id);
	put64(buf + 16, h->offset);
	put32(buf + 24, h->length);
	put32(buf + 28, h->payload);
}

void
dpp_hdr_decode(const uint8_t *buf, struct dpp_hdr *h)
{

	h->magic = get32(buf + 0);
	h->type = get16(buf + 4);
	h->flags = get16(buf + 6);
	h->id = get64(buf + 8);
	h->offset = get64(buf + 16);
	h->length = get32(buf + 24);
	h->payload = get32(buf + 28);
}

/*
 * The range of a data or lock message: page-aligned, not empty, inside
 * the device; data messages (data != 0) no longer than max_data.
 */
static int
check_range(const struct dpp_hdr *h, const struct dpp_limits *lim, int data)
{
	uint64_t mask;

	mask = (uint64_t)lim->page_size - 1;
	if (h->length == 0 || (h->offset & mask) != 0 ||
	    (h->length & mask) != 0)
		return (DPP_E_RANGE);
	if (h->offset > lim->size || h->length > lim->size - h->offset)
		return (DPP_E_RANGE);
	if (data && h->length > lim->max_data)
		return (DPP_E_RANGE);
	return (DPP_OK);
}

/* data_error, return_completed, lock_completed: a range and an errno. */
static int
check_status_msg(const struct dpp_hdr *h, const struct dpp_limits *lim)
{

	if (h->flags != 0)
		return (DPP_E_FLAGS);
	if (h->payload != DPP_STATUS_SIZE)
		return (DPP_E_PAYLOAD);
	return (check_range(h, lim, h->type != DPP_LOCK_COMPLETED));
}

int
dpp_hdr_check(const struct dpp_hdr *h, unsigned from,
    const struct dpp_limits *lim)
{
	int handshake;

	if (h->magic != DPP_MAGIC)
		return (DPP_E_MAGIC);
	if (dpp_type_name(h->type) == NULL)
		return (DPP_E_TYPE);
	if ((h->type & DPP_FROM_PAGER) != from)
		return (DPP_E_DIRECTION);
	handshake = h->type == DPP_HELLO || h->type == DPP_HELLO_REPLY;
	if (lim == NULL && !handshake && h->type != DPP_TERMINATE &&
	    h->type != DPP_PAGER_TERMINATE)
		return (DPP_E_STATE);
	if (lim != NULL && handshake)
		return (DPP_E_STATE);
	if (h->payload > DPP_DATA_MAX)
		return (DPP_E_OVERSIZE);

	switch (h->type) {
	case DPP_HELLO:
	case DPP_HELLO_REPLY:
	case DPP_TERMINATE:
	case DPP_PAGER_TERMINATE:
		if (h->flags != 0)
			return (DPP_E_FLAGS);
		if (h->id != 0 || h->offset != 0 || h->length != 0)
			return (DPP_E_RESERVED);
		if (h->type == DPP_HELLO && (h->payload <= DPP_HELLO_SIZE ||
		    h->payload > DPP_HELLO_SIZE + DPP_NAME_MAX))
			return (DPP_E_PAYLOAD);
		if (h->type == DPP_HELLO_REPLY &&
		    h->payload != DPP_HELLO_REPLY_SIZE)
			return (DPP_E_PAYLOAD);
		if ((h->type == DPP_TERMINATE ||
		    h->type == DPP_PAGER_TERMINATE) &&
		    h->payload > DPP_REASON_MAX)
			return (DPP_E_PAYLOAD);
		return (DPP_OK);
	}

	/* A request or an answer: lim is set, ids are never 0. */
	if (h->id == 0)
		return (DPP_E_ID);
	switch (h->type) {
	case DPP_DATA_REQUEST:
		if (h->flags != DPP_ACCESS_READ &&
		    h->flags != (DPP_ACCESS_READ | DPP_ACCESS_WRITE))
			return (DPP_E_FLAGS);
		if (h->payload != 0)
			return (DPP_E_PAYLOAD);
		return (check_range(h, lim, 1));
	case DPP_DATA_RETURN:
	case DPP_DATA_SUPPLY:
		if (h->flags != 0)
			return (DPP_E_FLAGS);
		if (h->payload != h->length)
			return (DPP_E_PAYLOAD);
		return (check_range(h, lim, 1));
	case DPP_DATA_UNAVAILABLE:
		if (h->flags != 0)
			return (DPP_E_FLAGS);
		if (h->payload != 0)
			return (DPP_E_PAYLOAD);
		return (check_range(h, lim, 1));
	case DPP_DATA_ERROR:
	case DPP_RETURN_COMPLETED:
	case DPP_LOCK_COMPLETED:
		return (check_status_msg(h, lim));
	case DPP_LOCK_REQUEST:
		if ((h->flags & ~DPP_LOCK_RETURN) != 0)
			return (DPP_E_FLAGS);
		if (h->payload != 0)
			return (DPP_E_PAYLOAD);
		return (check_range(h, lim, 0));
	}
	return (DPP_E_TYPE);
}

size_t
dpp_hello_encode(uint8_t *buf, const struct dpp_hello *hello)
{
	size_t n;

	n = strnlen(hello->name, DPP_NAME_MAX);
	put16(buf + 0, hello->version_min);
	put16(buf + 2, hello->version_max);
	put32(buf + 4, hello->page_size);
	put64(buf + 8, hello->size);
	put32(buf + 16, hello->max_data);
	put32(buf + 20, hello->max_inflight);
	put32(buf + 24, hello->max_locks);
	put32(buf + 28, hello->features);
	put32(buf + 32, hello->timeout_ms);
	put16(buf + 36, (uint16_t)n);
	put16(buf + 38, 0);
	memcpy(buf + DPP_HELLO_SIZE, hello->name, n);
	return (DPP_HELLO_SIZE + n);
}

int
dpp_hello_decode(const uint8_t *buf, size_t len, struct dpp_hello *hello)
{
	size_t i;

	memset(hello, 0, sizeof(*hello));
	if (len <= DPP_HELLO_SIZE || len > DPP_HELLO_SIZE + DPP_NAME_MAX)
		return (DPP_E_PAYLOAD);
	hello->version_min = get16(buf + 0);
	hello->version_max = get16(buf + 2);
	hello->page_size = get32(buf + 4);
	hello->size = get64(buf + 8);
	hello->max_data = get32(buf + 16);
	hello->max_inflight = get32(buf + 20);
	hello->max_locks = get32(buf + 24);
	hello->features = get32(buf + 28);
	hello->timeout_ms = get32(buf + 32);
	hello->name_len = get16(buf + 36);
	if (get16(buf + 38) != 0)
		return (DPP_E_RESERVED);
	if (hello->name_len != len - DPP_HELLO_SIZE)
		return (DPP_E_PAYLOAD);
	/* A version range this codec shares nothing with is checked later. */
	if (hello->version_min == 0 ||
	    hello->version_min > hello->version_max)
		return (DPP_E_VERSION);
	if (hello->page_size < DPP_PAGE_SIZE_MIN ||
	    hello->page_size > DPP_PAGE_SIZE_MAX ||
	    (hello->page_size & (hello->page_size - 1)) != 0)
		return (DPP_E_HELLO);
	if (hello->size == 0 || hello->size % hello->page_size != 0)
		return (DPP_E_HELLO);
	if (hello->max_data < hello->page_size ||
	    hello->max_data > DPP_DATA_MAX ||
	    hello->max_data % hello->page_size != 0)
		return (DPP_E_HELLO);
	if (hello->max_inflight == 0 ||
	    hello->max_inflight > DPP_INFLIGHT_MAX ||
	    hello->max_locks == 0 || hello->max_locks > DPP_LOCKS_MAX)
		return (DPP_E_HELLO);
	if ((hello->features & ~DPP_DF_ALL) != 0)
		return (DPP_E_HELLO);
	for (i = 0; i < hello->name_len; i++) {
		if (buf[DPP_HELLO_SIZE + i] <= 0x20 ||
		    buf[DPP_HELLO_SIZE + i] >= 0x7f)
			return (DPP_E_NAME);
	}
	memcpy(hello->name, buf + DPP_HELLO_SIZE, hello->name_len);
	hello->name[hello->name_len] = '\0';
	return (DPP_OK);
}

void
dpp_hello_limits(const struct dpp_hello *hello, struct dpp_limits *lim)
{

	lim->size = hello->size;
	lim->page_size = hello->page_size;
	lim->max_data = hello->max_data;
}

void
dpp_hello_reply_encode(uint8_t *buf, const struct dpp_hello_reply *reply)
{

	put16(buf + 0, reply->version);
	put16(buf + 2, 0);
	put32(buf + 4, reply->features);
	put32(buf + 8, reply->max_inflight);
	put32(buf + 12, 0);
}

int
dpp_hello_reply_decode(const uint8_t *buf, const struct dpp_hello *hello,
    struct dpp_hello_reply *reply)
{

	reply->version = get16(buf + 0);
	reply->features = get32(buf + 4);
	reply->max_inflight = get32(buf + 8);
	if (get16(buf + 2) != 0 || get32(buf + 12) != 0)
		return (DPP_E_RESERVED);
	if (reply->version < hello->version_min ||
	    reply->version > hello->version_max)
		return (DPP_E_VERSION);
	if ((reply->features & ~DPP_PF_ALL) != 0 ||
	    (reply->features & DPP_PF_ALL) == DPP_PF_ALL)
		return (DPP_E_HELLO);
	if (reply->max_inflight == 0 ||
	    reply->max_inflight > DPP_INFLIGHT_MAX)
		return (DPP_E_HELLO);
	return (DPP_OK);
}

void
dpp_status_encode(uint8_t *buf, uint32_t error)
{

	put32(buf, error);
}

int
dpp_status_decode(const uint8_t *buf, int nonzero, uint32_t *errorp)
{

	*errorp = get32(buf);
	if (*errorp > DPP_ERRNO_MAX || (nonzero && *errorp == 0))
		return (DPP_E_STATUS);
	return (DPP_OK);
}

const char *
dpp_type_name(unsigned type)
{

	switch (type) {
	case DPP_HELLO:			return ("hello");
	case DPP_DATA_REQUEST:		return ("data_request");
	case DPP_DATA_RETURN:		return ("data_return");
	case DPP_LOCK_COMPLETED:	return ("lock_completed");
	case DPP_TERMINATE:		return ("terminate");
	case DPP_HELLO_REPLY:		return ("hello_reply");
	case DPP_DATA_SUPPLY:		return ("data_supply");
	case DPP_DATA_UNAVAILABLE:	return ("data_unavailable");
	case DPP_DATA_ERROR:		return ("data_error");
	case DPP_RETURN_COMPLETED:	return ("return_completed");
	case DPP_LOCK_REQUEST:		return ("lock_request");
	case DPP_PAGER_TERMINATE:	return ("terminate");
	}
	return (NULL);
}

const char *
dpp_violation_name(int v)
{
	static const char *const names[DPP_E_MAX] = {
		[DPP_OK] = "no violation",
		[DPP_E_MAGIC] = "bad magic",
		[DPP_E_TYPE] = "unknown message type",
		[DPP_E_DIRECTION] = "message type of the other end",
		[DPP_E_STATE] = "message out of place in the handshake",
		[DPP_E_FLAGS] = "undefined flags",
		[DPP_E_RESERVED] = "reserved field not zero",
		[DPP_E_OVERSIZE] = "oversized payload",
		[DPP_E_PAYLOAD] = "wrong payload length",
		[DPP_E_RANGE] = "offset or length out of range",
		[DPP_E_ID] = "unknown or already answered id",
		[DPP_E_MISMATCH] = "answer does not match its request",
		[DPP_E_VERSION] = "no common protocol version",
		[DPP_E_HELLO] = "handshake field out of bounds",
		[DPP_E_NAME] = "bad device name",
		[DPP_E_STATUS] = "error number out of range",
		[DPP_E_BUSY] = "more outstanding than agreed",
		[DPP_E_TRUNCATED] = "connection closed inside a message",
		[DPP_E_STALL] = "message stalled",
	};

	if (v < 0 || v >= DPP_E_MAX)
		return ("unknown violation");
	return (names[v]);
}
