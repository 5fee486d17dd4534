/*
 * The external-pager wire format (<devpager/pager_proto.h>): the byte
 * layout, round trips of every message, and every violation class the
 * codec detects, each tied to the exact code it must report.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <devpager/pager_proto.h>

#include "check_devpager.h"
#include "kern/kassert.h"

#define	PAGE	4096u

static const struct dpp_limits lim = {
	.size = 64 * PAGE,
	.page_size = PAGE,
	.max_data = 8 * PAGE,
};

static struct dpp_hdr
hdr(uint16_t type, uint16_t flags, uint64_t id, uint64_t off, uint32_t len,
    uint32_t payload)
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

static struct dpp_hello
valid_hello(void)
{
	struct dpp_hello hello;

	memset(&hello, 0, sizeof(hello));
	hello.version_min = 1;
	hello.version_max = 1;
	hello.page_size = PAGE;
	hello.size = 64 * PAGE;
	hello.max_data = 8 * PAGE;
	hello.max_inflight = 32;
	hello.max_locks = 16;
	hello.features = DPP_DF_READONLY;
	hello.timeout_ms = 5000;
	strcpy(hello.name, "pg0");
	return (hello);
}

/* The layout is fixed: little-endian fields at documented offsets. */
START_TEST(test_hdr_layout)
{
	static const uint8_t want[DPP_HDR_SIZE] = {
		'D', 'P', 'G', 'R',			/* magic */
		0x82, 0x00,				/* type */
		0x34, 0x12,				/* flags */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* id */
		0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* offset */
		0x00, 0x20, 0x01, 0x00,			/* length */
		0x04, 0x03, 0x02, 0xf1,			/* payload */
	};
	struct dpp_hdr h, back;
	uint8_t buf[DPP_HDR_SIZE];

	h = hdr(DPP_DATA_SUPPLY, 0x1234, 0x0102030405060708ULL,
	    0x8000000000003000ULL, 0x12000, 0xf1020304);
	dpp_hdr_encode(buf, &h);
	ck_assert_mem_eq(buf, want, sizeof(want));
	dpp_hdr_decode(want, &back);
	ck_assert_mem_eq(&back, &h, sizeof(h));
}
END_TEST

/* Every valid message passes in its direction and state. */
START_TEST(test_hdr_valid_messages)
{
	struct dpp_hdr h;

	h = hdr(DPP_HELLO, 0, 0, 0, 0, DPP_HELLO_SIZE + 3);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, NULL), DPP_OK);
	h = hdr(DPP_HELLO_REPLY, 0, 0, 0, 0, DPP_HELLO_REPLY_SIZE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, NULL), DPP_OK);
	h = hdr(DPP_TERMINATE, 0, 0, 0, 0, DPP_REASON_MAX);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, NULL), DPP_OK);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim), DPP_OK);
	h = hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, 0);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, NULL), DPP_OK);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);

	h = hdr(DPP_DATA_REQUEST, DPP_ACCESS_READ, 9, 0, 8 * PAGE, 0);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim), DPP_OK);
	h.flags = DPP_ACCESS_READ | DPP_ACCESS_WRITE;
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim), DPP_OK);
	h = hdr(DPP_DATA_RETURN, 0, 9, 56 * PAGE, 8 * PAGE, 8 * PAGE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim), DPP_OK);
	h = hdr(DPP_LOCK_COMPLETED, 0, 3, 0, 64 * PAGE, DPP_STATUS_SIZE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_DAEMON, &lim), DPP_OK);
	h = hdr(DPP_DATA_SUPPLY, 0, 9, PAGE, PAGE, PAGE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);
	h = hdr(DPP_DATA_UNAVAILABLE, 0, 9, PAGE, 2 * PAGE, 0);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);
	h = hdr(DPP_DATA_ERROR, 0, 9, PAGE, PAGE, DPP_STATUS_SIZE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);
	h = hdr(DPP_RETURN_COMPLETED, 0, 9, PAGE, PAGE, DPP_STATUS_SIZE);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);
	/* A lock covers the whole device, beyond max_data. */
	h = hdr(DPP_LOCK_REQUEST, DPP_LOCK_RETURN, 1, 0, 64 * PAGE, 0);
	ck_assert_int_eq(dpp_hdr_check(&h, DPP_FROM_PAGER, &lim), DPP_OK);
}
END_TEST

struct bad_hdr {
	const char	*what;
	struct dpp_hdr	 h;
	unsigned	 from;
	int		 handshake_done;
	int		 want;
};

#define	BAD(what, h, from, done, want)	{ what, h, from, done, want }

/* Every class of header violation gives its own code. */
START_TEST(test_hdr_violations)
{
	struct bad_hdr cases[] = {
		BAD("magic", hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_MAGIC),
		BAD("type 0", hdr(0, 0, 1, 0, PAGE, 0), DPP_FROM_PAGER, 1,
		    DPP_E_TYPE),
		BAD("type 0x87", hdr(0x87, 0, 1, 0, PAGE, 0), DPP_FROM_PAGER,
		    1, DPP_E_TYPE),
		BAD("type 0xffff", hdr(0xffff, 0, 1, 0, PAGE, 0),
		    DPP_FROM_PAGER, 1, DPP_E_TYPE),
		BAD("daemon type from the pager",
		    hdr(DPP_DATA_REQUEST, 1, 1, 0, PAGE, 0), DPP_FROM_PAGER,
		    1, DPP_E_DIRECTION),
		BAD("pager type from the daemon",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, PAGE), DPP_FROM_DAEMON,
		    1, DPP_E_DIRECTION),
		BAD("supply before the handshake",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, PAGE), DPP_FROM_PAGER,
		    0, DPP_E_STATE),
		BAD("request before the handshake",
		    hdr(DPP_DATA_REQUEST, 1, 1, 0, PAGE, 0), DPP_FROM_DAEMON,
		    0, DPP_E_STATE),
		BAD("second hello_reply",
		    hdr(DPP_HELLO_REPLY, 0, 0, 0, 0, DPP_HELLO_REPLY_SIZE),
		    DPP_FROM_PAGER, 1, DPP_E_STATE),
		BAD("second hello",
		    hdr(DPP_HELLO, 0, 0, 0, 0, DPP_HELLO_SIZE + 1),
		    DPP_FROM_DAEMON, 1, DPP_E_STATE),
		BAD("payload over DPP_DATA_MAX",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, DPP_DATA_MAX + 1),
		    DPP_FROM_PAGER, 1, DPP_E_OVERSIZE),
		BAD("payload 4 GiB - 1",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, UINT32_MAX),
		    DPP_FROM_PAGER, 1, DPP_E_OVERSIZE),
		BAD("oversized terminate before the handshake",
		    hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, UINT32_MAX),
		    DPP_FROM_PAGER, 0, DPP_E_OVERSIZE),
		BAD("flags on supply", hdr(DPP_DATA_SUPPLY, 1, 1, 0, PAGE, PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_FLAGS),
		BAD("flags on unavailable",
		    hdr(DPP_DATA_UNAVAILABLE, 0x8000, 1, 0, PAGE, 0),
		    DPP_FROM_PAGER, 1, DPP_E_FLAGS),
		BAD("flags on error",
		    hdr(DPP_DATA_ERROR, 2, 1, 0, PAGE, DPP_STATUS_SIZE),
		    DPP_FROM_PAGER, 1, DPP_E_FLAGS),
		BAD("undefined lock flag",
		    hdr(DPP_LOCK_REQUEST, 2, 1, 0, PAGE, 0), DPP_FROM_PAGER, 1,
		    DPP_E_FLAGS),
		BAD("request without READ",
		    hdr(DPP_DATA_REQUEST, DPP_ACCESS_WRITE, 1, 0, PAGE, 0),
		    DPP_FROM_DAEMON, 1, DPP_E_FLAGS),
		BAD("request access 0", hdr(DPP_DATA_REQUEST, 0, 1, 0, PAGE, 0),
		    DPP_FROM_DAEMON, 1, DPP_E_FLAGS),
		BAD("flags on hello_reply",
		    hdr(DPP_HELLO_REPLY, 1, 0, 0, 0, DPP_HELLO_REPLY_SIZE),
		    DPP_FROM_PAGER, 0, DPP_E_FLAGS),
		BAD("id on hello_reply",
		    hdr(DPP_HELLO_REPLY, 0, 1, 0, 0, DPP_HELLO_REPLY_SIZE),
		    DPP_FROM_PAGER, 0, DPP_E_RESERVED),
		BAD("offset on terminate",
		    hdr(DPP_PAGER_TERMINATE, 0, 0, PAGE, 0, 0), DPP_FROM_PAGER,
		    1, DPP_E_RESERVED),
		BAD("length on hello", hdr(DPP_HELLO, 0, 0, 0, 1,
		    DPP_HELLO_SIZE + 1), DPP_FROM_DAEMON, 0, DPP_E_RESERVED),
		BAD("hello_reply too short",
		    hdr(DPP_HELLO_REPLY, 0, 0, 0, 0, DPP_HELLO_REPLY_SIZE - 1),
		    DPP_FROM_PAGER, 0, DPP_E_PAYLOAD),
		BAD("hello without a name",
		    hdr(DPP_HELLO, 0, 0, 0, 0, DPP_HELLO_SIZE), DPP_FROM_DAEMON,
		    0, DPP_E_PAYLOAD),
		BAD("hello name too long",
		    hdr(DPP_HELLO, 0, 0, 0, 0, DPP_HELLO_SIZE + DPP_NAME_MAX + 1),
		    DPP_FROM_DAEMON, 0, DPP_E_PAYLOAD),
		BAD("terminate reason too long",
		    hdr(DPP_PAGER_TERMINATE, 0, 0, 0, 0, DPP_REASON_MAX + 1),
		    DPP_FROM_PAGER, 1, DPP_E_PAYLOAD),
		BAD("supply shorter than length",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, 2 * PAGE, PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_PAYLOAD),
		BAD("supply longer than length",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, PAGE, 2 * PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_PAYLOAD),
		BAD("unavailable with a payload",
		    hdr(DPP_DATA_UNAVAILABLE, 0, 1, 0, PAGE, 4),
		    DPP_FROM_PAGER, 1, DPP_E_PAYLOAD),
		BAD("error without a status",
		    hdr(DPP_DATA_ERROR, 0, 1, 0, PAGE, 0), DPP_FROM_PAGER, 1,
		    DPP_E_PAYLOAD),
		BAD("return_completed status of 8 bytes",
		    hdr(DPP_RETURN_COMPLETED, 0, 1, 0, PAGE, 8),
		    DPP_FROM_PAGER, 1, DPP_E_PAYLOAD),
		BAD("lock_request with a payload",
		    hdr(DPP_LOCK_REQUEST, 0, 1, 0, PAGE, 1), DPP_FROM_PAGER, 1,
		    DPP_E_PAYLOAD),
		BAD("request with a payload",
		    hdr(DPP_DATA_REQUEST, 1, 1, 0, PAGE, PAGE),
		    DPP_FROM_DAEMON, 1, DPP_E_PAYLOAD),
		BAD("misaligned offset",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 512, PAGE, PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("misaligned length",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, 100, 100), DPP_FROM_PAGER, 1,
		    DPP_E_RANGE),
		BAD("empty range", hdr(DPP_DATA_UNAVAILABLE, 0, 1, 0, 0, 0),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("past the end",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 63 * PAGE, 2 * PAGE, 2 * PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("offset past the end",
		    hdr(DPP_DATA_UNAVAILABLE, 0, 1, 65 * PAGE, PAGE, 0),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("offset + length wraps",
		    hdr(DPP_DATA_UNAVAILABLE, 0, 1, UINT64_MAX - PAGE + 1,
		    2 * PAGE, 0), DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("over max_data",
		    hdr(DPP_DATA_SUPPLY, 0, 1, 0, 9 * PAGE, 9 * PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("error over max_data",
		    hdr(DPP_DATA_ERROR, 0, 1, 0, 9 * PAGE, DPP_STATUS_SIZE),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("lock past the end",
		    hdr(DPP_LOCK_REQUEST, 0, 1, 0, 65 * PAGE, 0),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("lock misaligned", hdr(DPP_LOCK_REQUEST, 0, 1, 1, PAGE, 0),
		    DPP_FROM_PAGER, 1, DPP_E_RANGE),
		BAD("id 0 on supply", hdr(DPP_DATA_SUPPLY, 0, 0, 0, PAGE, PAGE),
		    DPP_FROM_PAGER, 1, DPP_E_ID),
		BAD("id 0 on lock_request",
		    hdr(DPP_LOCK_REQUEST, 0, 0, 0, PAGE, 0), DPP_FROM_PAGER, 1,
		    DPP_E_ID),
		BAD("id 0 on request", hdr(DPP_DATA_REQUEST, 1, 0, 0, PAGE, 0),
		    DPP_FROM_DAEMON, 1, DPP_E_ID),
	};
	struct bad_hdr *c;
	size_t i;
	int got;

	cases[0].h.magic = 0x52475045;	/* one bit off */
	for (i = 0; i < nitems(cases); i++) {
		c = &cases[i];
		got = dpp_hdr_check(&c->h, c->from,
		    c->handshake_done ? &lim : NULL);
		ck_assert_msg(got == c->want, "%s: got %s (%d), want %s (%d)",
		    c->what, dpp_violation_name(got), got,
		    dpp_violation_name(c->want), c->want);
	}
}
END_TEST

/* Every 16-bit type value: exactly the twelve defined ones are known. */
START_TEST(test_hdr_every_type)
{
	struct dpp_hdr h;
	unsigned t, known;
	int v;

	known = 0;
	for (t = 0; t <= 0xffff; t++) {
		h = hdr((uint16_t)t, 0, 0, 0, 0, 0);
		v = dpp_hdr_check(&h, t & DPP_FROM_PAGER, NULL);
		if (dpp_type_name(t) == NULL)
			ck_assert_int_eq(v, DPP_E_TYPE);
		else {
			ck_assert_int_ne(v, DPP_E_TYPE);
			known++;
		}
	}
	ck_assert_uint_eq(known, 12);
}
END_TEST

START_TEST(test_hello_roundtrip)
{
	struct dpp_hello hello, back;
	struct dpp_limits l;
	uint8_t buf[DPP_HELLO_SIZE + DPP_NAME_MAX];
	size_t n;

	hello = valid_hello();
	n = dpp_hello_encode(buf, &hello);
	ck_assert_uint_eq(n, DPP_HELLO_SIZE + 3);
	/* name_len at 36, reserved at 38, the name at 40 */
	ck_assert_uint_eq(buf[36], 3);
	ck_assert_uint_eq(buf[38] | buf[39], 0);
	ck_assert_mem_eq(buf + 40, "pg0", 3);
	ck_assert_int_eq(dpp_hello_decode(buf, n, &back), DPP_OK);
	hello.name_len = 3;
	ck_assert_mem_eq(&back, &hello, sizeof(hello));
	dpp_hello_limits(&back, &l);
	ck_assert_uint_eq(l.size, 64 * PAGE);
	ck_assert_uint_eq(l.page_size, PAGE);
	ck_assert_uint_eq(l.max_data, 8 * PAGE);

	/* The longest name. */
	memset(hello.name, 'x', DPP_NAME_MAX);
	hello.name[DPP_NAME_MAX] = '\0';
	n = dpp_hello_encode(buf, &hello);
	ck_assert_uint_eq(n, DPP_HELLO_SIZE + DPP_NAME_MAX);
	ck_assert_int_eq(dpp_hello_decode(buf, n, &back), DPP_OK);
	ck_assert_uint_eq(strlen(back.name), DPP_NAME_MAX);
}
END_TEST

/* Encode a valid hello, change one thing, expect the code. */
static int
hello_with(void (*change)(struct dpp_hello *, uint8_t *, size_t *))
{
	struct dpp_hello hello, back;
	uint8_t buf[DPP_HELLO_SIZE + DPP_NAME_MAX + 8];
	size_t n;

	hello = valid_hello();
	n = dpp_hello_encode(buf, &hello);
	change(&hello, buf, &n);
	return (dpp_hello_decode(buf, n, &back));
}

static void
h_reserved(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[39] = 1;
}

static void
h_namelen(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[36] = 4;
}

static void
h_short(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	*n = DPP_HELLO_SIZE;
}

static void
h_vmin0(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[0] = 0;
}

static void
h_vrange(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[0] = 3;
	b[2] = 2;
}

static void
h_page3k(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[4] = 0x00;
	b[5] = 0x0c;		/* 3072 */
}

static void
h_page256(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[5] = 0x01;		/* 256 */
}

static void
h_size0(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	memset(b + 8, 0, 8);
}

static void
h_size_odd(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[8] = 1;
}

static void
h_data_small(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	memset(b + 16, 0, 4);
	b[16] = 0x00;
	b[17] = 0x08;		/* 2048 < page */
}

static void
h_data_big(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[16] = 0;
	b[17] = 0x10;
	b[18] = 0x10;		/* 1 MiB + 4 KiB */
	b[19] = 0;
}

static void
h_inflight0(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	memset(b + 20, 0, 4);
}

static void
h_inflight_big(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[20] = 0x01;
	b[21] = 0x01;		/* 257 */
}

static void
h_locks0(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	memset(b + 24, 0, 4);
}

static void
h_locks_big(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[24] = DPP_LOCKS_MAX + 1;
}

static void
h_features(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[28] = 0x02;
}

static void
h_name_space(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[41] = ' ';
}

static void
h_name_del(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[40] = 0x7f;
}

static void
h_name_high(struct dpp_hello *h, uint8_t *b, size_t *n)
{
	b[42] = 0xc3;
}

START_TEST(test_hello_violations)
{
	ck_assert_int_eq(hello_with(h_reserved), DPP_E_RESERVED);
	ck_assert_int_eq(hello_with(h_namelen), DPP_E_PAYLOAD);
	ck_assert_int_eq(hello_with(h_short), DPP_E_PAYLOAD);
	ck_assert_int_eq(hello_with(h_vmin0), DPP_E_VERSION);
	ck_assert_int_eq(hello_with(h_vrange), DPP_E_VERSION);
	ck_assert_int_eq(hello_with(h_page3k), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_page256), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_size0), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_size_odd), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_data_small), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_data_big), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_inflight0), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_inflight_big), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_locks0), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_locks_big), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_features), DPP_E_HELLO);
	ck_assert_int_eq(hello_with(h_name_space), DPP_E_NAME);
	ck_assert_int_eq(hello_with(h_name_del), DPP_E_NAME);
	ck_assert_int_eq(hello_with(h_name_high), DPP_E_NAME);
}
END_TEST

START_TEST(test_hello_reply)
{
	struct dpp_hello hello;
	struct dpp_hello_reply r, back;
	uint8_t buf[DPP_HELLO_REPLY_SIZE];
	static const uint8_t want[DPP_HELLO_REPLY_SIZE] = {
		0x01, 0x00, 0x00, 0x00,	/* version, reserved */
		0x02, 0x00, 0x00, 0x00,	/* features */
		0x40, 0x00, 0x00, 0x00,	/* max_inflight */
		0x00, 0x00, 0x00, 0x00,	/* reserved */
	};

	hello = valid_hello();
	hello.version_max = 3;
	r.version = 1;
	r.features = DPP_PF_NORETURN;
	r.max_inflight = 64;
	dpp_hello_reply_encode(buf, &r);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back), DPP_OK);
	ck_assert_uint_eq(back.version, 1);
	ck_assert_uint_eq(back.features, DPP_PF_NORETURN);
	ck_assert_uint_eq(back.max_inflight, 64);

	buf[2] = 1;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_RESERVED);
	buf[2] = 0;
	buf[15] = 1;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_RESERVED);
	buf[15] = 0;
	buf[0] = 0;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_VERSION);
	buf[0] = 4;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_VERSION);
	buf[0] = 3;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back), DPP_OK);
	buf[4] = 0x04;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_HELLO);
	buf[4] = DPP_PF_READONLY | DPP_PF_NORETURN;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_HELLO);
	buf[4] = DPP_PF_READONLY;
	buf[8] = 0;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_HELLO);
	buf[8] = 1;
	buf[9] = 1;		/* 257 */
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back),
	    DPP_E_HELLO);
	buf[9] = 0;
	ck_assert_int_eq(dpp_hello_reply_decode(buf, &hello, &back), DPP_OK);
}
END_TEST

START_TEST(test_status)
{
	uint8_t buf[DPP_STATUS_SIZE];
	uint32_t e;

	dpp_status_encode(buf, ENOSPC);
	ck_assert_uint_eq(buf[0], ENOSPC);
	ck_assert_uint_eq(buf[1] | buf[2] | buf[3], 0);
	ck_assert_int_eq(dpp_status_decode(buf, 1, &e), DPP_OK);
	ck_assert_uint_eq(e, ENOSPC);
	dpp_status_encode(buf, 0);
	ck_assert_int_eq(dpp_status_decode(buf, 0, &e), DPP_OK);
	ck_assert_int_eq(dpp_status_decode(buf, 1, &e), DPP_E_STATUS);
	dpp_status_encode(buf, DPP_ERRNO_MAX);
	ck_assert_int_eq(dpp_status_decode(buf, 1, &e), DPP_OK);
	dpp_status_encode(buf, DPP_ERRNO_MAX + 1);
	ck_assert_int_eq(dpp_status_decode(buf, 0, &e), DPP_E_STATUS);
	dpp_status_encode(buf, UINT32_MAX);
	ck_assert_int_eq(dpp_status_decode(buf, 1, &e), DPP_E_STATUS);
}
END_TEST

START_TEST(test_names)
{
	int i, j;

	for (i = 0; i < DPP_E_MAX; i++) {
		ck_assert_ptr_nonnull(dpp_violation_name(i));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(dpp_violation_name(i),
			    dpp_violation_name(j));
	}
	ck_assert_str_eq(dpp_violation_name(DPP_E_MAX), "unknown violation");
	ck_assert_str_eq(dpp_violation_name(-1), "unknown violation");
	ck_assert_str_eq(dpp_type_name(DPP_DATA_REQUEST), "data_request");
	ck_assert_str_eq(dpp_type_name(DPP_LOCK_REQUEST), "lock_request");
	ck_assert_ptr_null(dpp_type_name(0x10));
}
END_TEST

Suite *
pager_proto_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_proto");
	tc = tcase_create("codec");
	tcase_add_test(tc, test_hdr_layout);
	tcase_add_test(tc, test_hdr_valid_messages);
	tcase_add_test(tc, test_hdr_violations);
	tcase_add_test(tc, test_hdr_every_type);
	tcase_add_test(tc, test_hello_roundtrip);
	tcase_add_test(tc, test_hello_violations);
	tcase_add_test(tc, test_hello_reply);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return (s);
}
