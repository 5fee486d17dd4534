/*
 * <devpager/pager_proto.h>: the wire format between devpagerfs and an
 * external pager, version DPP_VERSION (devpager_protocol(5)), and its
 * codec: the same encoder, decoder and checks run in the daemon and in
 * the pager library (devpager_pager(3)).
 *
 * The daemon connects to a UNIX stream socket where the pager listens.
 * Every message is a fixed 32-byte header, little-endian, followed by
 * hdr.payload bytes:
 *
 *	offset	size	field
 *	0	4	magic		DPP_MAGIC ("DPGR" on the wire)
 *	4	2	type		enum dpp_type
 *	6	2	flags		per type
 *	8	8	id		request id (0 in hello, terminate)
 *	16	8	offset		byte offset in the device
 *	24	4	length		bytes of the device concerned
 *	28	4	payload		bytes following the header
 *
 * The type's top bit (DPP_FROM_PAGER) tells who sends it.  The messages
 * are named after Mach's memory-object interface: the daemon sends hello,
 * data_request, data_return, lock_completed, terminate; the pager sends
 * hello_reply, data_supply, data_unavailable, data_error,
 * return_completed, lock_request, terminate.
 *
 * What the codec checks (dpp_hdr_check, the decoders) is everything a
 * single message can be judged on: magic, type and direction, the
 * handshake state, flags, fields that must be zero, the payload length
 * for the type, the range against the device, error numbers.  What needs
 * the connection's state (ids in flight, an answer matching its request,
 * the number of outstanding lock requests) the two ends check
 * themselves.  Anything that fails is a protocol violation: the receiver
 * drops the connection.
 *
 * The codec allocates nothing; every length it accepts is bounded by
 * DPP_DATA_MAX, DPP_NAME_MAX or DPP_REASON_MAX.
 */
#ifndef _DEVPAGER_PAGER_PROTO_H_
#define _DEVPAGER_PAGER_PROTO_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	DPP_MAGIC		0x52475044u	/* "DPGR" little-endian */
#define	DPP_VERSION		1		/* the newest this codec speaks */
#define	DPP_VERSION_MIN		1		/* the oldest */

#define	DPP_HDR_SIZE		32
#define	DPP_HELLO_SIZE		40	/* hello payload before the name */
#define	DPP_HELLO_REPLY_SIZE	16
#define	DPP_STATUS_SIZE		4	/* an errno, u32 */

/* Bounds every end enforces. */
#define	DPP_DATA_MAX		(1u << 20)	/* largest data payload */
#define	DPP_NAME_MAX		255	/* device name in hello */
#define	DPP_REASON_MAX		256	/* text of a terminate */
#define	DPP_INFLIGHT_MAX	256	/* requests outstanding at once */
#define	DPP_LOCKS_MAX		64	/* lock requests outstanding at once */
#define	DPP_PAGE_SIZE_MIN	512
#define	DPP_PAGE_SIZE_MAX	(1u << 20)
#define	DPP_ERRNO_MAX		4095	/* errors are Linux errno values */

/* Who sends a type: the top bit. */
#define	DPP_FROM_DAEMON		0x00
#define	DPP_FROM_PAGER		0x80

enum dpp_type {
	/* daemon -> pager */
	DPP_HELLO		= 0x01,
	DPP_DATA_REQUEST	= 0x02,
	DPP_DATA_RETURN		= 0x03,
	DPP_LOCK_COMPLETED	= 0x04,
	DPP_TERMINATE		= 0x0f,
	/* pager -> daemon */
	DPP_HELLO_REPLY		= 0x81,
	DPP_DATA_SUPPLY		= 0x82,
	DPP_DATA_UNAVAILABLE	= 0x83,
	DPP_DATA_ERROR		= 0x84,
	DPP_RETURN_COMPLETED	= 0x85,
	DPP_LOCK_REQUEST	= 0x86,
	DPP_PAGER_TERMINATE	= 0x8f,
};

/* data_request flags: the access the fault needs (READ always set). */
#define	DPP_ACCESS_READ		0x0001
#define	DPP_ACCESS_WRITE	0x0002

/* lock_request flags. */
#define	DPP_LOCK_RETURN		0x0001	/* return dirty pages first */

/* hello features: the device as the daemon created it. */
#define	DPP_DF_READONLY		0x00000001	/* no write access, no data_return */
#define	DPP_DF_ALL		DPP_DF_READONLY

/* hello_reply features: what the pager supports. */
#define	DPP_PF_READONLY		0x00000001	/* refuse every write */
#define	DPP_PF_NORETURN		0x00000002	/* writable, never data_return */
#define	DPP_PF_ALL		(DPP_PF_READONLY | DPP_PF_NORETURN)

/* The header, in host order. */
struct dpp_hdr {
	uint32_t	magic;
	uint16_t	type;
	uint16_t	flags;
	uint64_t	id;
	uint64_t	offset;
	uint32_t	length;
	uint32_t	payload;
};

/* hello's payload: DPP_HELLO_SIZE bytes, then name_len bytes of name. */
struct dpp_hello {
	uint16_t	version_min;	/* versions the daemon speaks */
	uint16_t	version_max;
	uint32_t	page_size;	/* power of two */
	uint64_t	size;		/* device bytes, page multiple */
	uint32_t	max_data;	/* largest request/return length */
	uint32_t	max_inflight;	/* daemon requests outstanding */
	uint32_t	max_locks;	/* pager lock_requests outstanding */
	uint32_t	features;	/* DPP_DF_* */
	uint32_t	timeout_ms;	/* the daemon's request timeout */
	uint16_t	name_len;
	char		name[DPP_NAME_MAX + 1];	/* NUL-terminated here */
};

/* hello_reply's payload, DPP_HELLO_REPLY_SIZE bytes. */
struct dpp_hello_reply {
	uint16_t	version;	/* chosen from the daemon's range */
	uint32_t	features;	/* DPP_PF_* */
	uint32_t	max_inflight;	/* requests the pager takes at once */
};

/* What a header is checked against once the handshake is done. */
struct dpp_limits {
	uint64_t	size;		/* device bytes */
	uint32_t	page_size;
	uint32_t	max_data;	/* largest data payload */
};

/* Protocol violations: the receiver drops the connection. */
enum dpp_violation {
	DPP_OK = 0,
	DPP_E_MAGIC,		/* not DPP_MAGIC */
	DPP_E_TYPE,		/* unknown type */
	DPP_E_DIRECTION,	/* a type the other end sends */
	DPP_E_STATE,		/* not allowed before/after the handshake */
	DPP_E_FLAGS,		/* flag bits the type does not define */
	DPP_E_RESERVED,		/* a field that must be zero is not */
	DPP_E_OVERSIZE,		/* payload larger than any message may be */
	DPP_E_PAYLOAD,		/* payload length wrong for the type */
	DPP_E_RANGE,		/* offset/length misaligned, empty, past
				   the device or over max_data */
	DPP_E_ID,		/* id 0, unknown or already answered */
	DPP_E_MISMATCH,		/* answer differs from its request */
	DPP_E_VERSION,		/* no common version */
	DPP_E_HELLO,		/* a handshake field out of bounds */
	DPP_E_NAME,		/* device name empty or not printable */
	DPP_E_STATUS,		/* errno out of range */
	DPP_E_BUSY,		/* more outstanding than agreed */
	DPP_E_TRUNCATED,	/* connection closed inside a message */
	DPP_E_STALL,		/* a message did not arrive in time */
	DPP_E_MAX
};

/* Encode/decode a header; decoding checks nothing. */
void	dpp_hdr_encode(uint8_t *buf, const struct dpp_hdr *h);
void	dpp_hdr_decode(const uint8_t *buf, struct dpp_hdr *h);
/*
 * Check a received header.  from is DPP_FROM_DAEMON or DPP_FROM_PAGER
 * (who the receiver expects); lim is NULL before the handshake (only
 * hello, hello_reply and terminate are allowed then) and the agreed
 * limits after it.  DPP_OK or a violation.
 */
int	dpp_hdr_check(const struct dpp_hdr *h, unsigned from,
	    const struct dpp_limits *lim);

/*
 * hello: encode into buf (DPP_HELLO_SIZE + name_len bytes; name_len is
 * strlen(name)); return the payload length.  decode checks every field
 * of len bytes (len from a checked header) and NUL-terminates the name.
 */
size_t	dpp_hello_encode(uint8_t *buf, const struct dpp_hello *hello);
int	dpp_hello_decode(const uint8_t *buf, size_t len,
	    struct dpp_hello *hello);
/* The limits a hello sets. */
void	dpp_hello_limits(const struct dpp_hello *hello,
	    struct dpp_limits *lim);

/* hello_reply, checked against the hello it answers. */
void	dpp_hello_reply_encode(uint8_t *buf,
	    const struct dpp_hello_reply *reply);
int	dpp_hello_reply_decode(const uint8_t *buf,
	    const struct dpp_hello *hello, struct dpp_hello_reply *reply);

/*
 * A status payload (data_error, return_completed, lock_completed): an
 * errno, 0..DPP_ERRNO_MAX; data_error's must not be 0 (nonzero true).
 */
void	dpp_status_encode(uint8_t *buf, uint32_t error);
int	dpp_status_decode(const uint8_t *buf, int nonzero, uint32_t *errorp);

/* Names, for logs: "data_request", "bad magic"... */
const char *dpp_type_name(unsigned type);
const char *dpp_violation_name(int v);

#ifdef __cplusplus
}
#endif

#endif /* !_DEVPAGER_PAGER_PROTO_H_ */
