/*
 * libdevpager-pager (<devpager/pager.h>), the C library for external
 * pagers, against the daemon's own end (pager_conn): page_in contents
 * from several threads, unavailable and error answers, page_out,
 * revoke both ways, read-only pagers, a refused device, a pager that
 * stops and another that takes its socket over; and the library against
 * a hostile daemon (every class of bad message, and a seeded mutation
 * run) over a socket pair: it must end that connection with EPROTO,
 * never crash.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devpager/pager.h>

#include "check_devpager.h"
#include "check_fuzz.h"
#include "check_pager_peer.h"
#include "kern/kassert.h"
#include "dev/pager_conn.h"

#define	PAGE		4096u
#define	DEV_SIZE	(256 * PAGE)
#define	MAX_DATA	(8 * PAGE)
#define	SEED		0x77ULL

/* The client pager under test, and what its callbacks saw. */
struct cl {
	struct devpager_pager	*p;
	pthread_t		 td;
	int			 run_error;
	bool			 running;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cv;
	unsigned long		 page_ins, page_outs, revoked, connects,
				 disconnects;
	int			 out_result;
	int			 refuse;
	uint64_t		 out_off;
	size_t			 out_len;
	uint8_t			 out_buf[MAX_DATA];
	uint64_t		 rv_id, rv_off, rv_len;
	int			 rv_error;
	char			 name[DPP_NAME_MAX + 1];
	struct devpager_pager_info info;
};

static char dir[64], path[96];
static struct cl cl;
static struct pager_conn *conn;

/* The daemon side's lock callback. */
static struct {
	pthread_mutex_t		mtx;
	pthread_cond_t		cv;
	int			n;
	int			result;
	struct pager_conn_lock	last;
} dlk;

static void
cl_signal(void)
{

	pthread_cond_broadcast(&cl.cv);
	pthread_mutex_unlock(&cl.mtx);
}

static int
cl_page_in(void *arg, uint64_t off, void *buf, size_t len, unsigned access)
{

	pthread_mutex_lock(&cl.mtx);
	cl.page_ins++;
	cl_signal();
	if (off == 13 * PAGE)
		return (DEVPAGER_PAGER_UNAVAILABLE);
	if (off == 14 * PAGE)
		return (ENOSPC);
	if (off == 15 * PAGE)
		return (-7);		/* nonsense: EIO */
	pattern_fill(buf, off, len, SEED);
	return (0);
}

static int
cl_page_out(void *arg, uint64_t off, const void *buf, size_t len)
{

	pthread_mutex_lock(&cl.mtx);
	cl.page_outs++;
	cl.out_off = off;
	cl.out_len = len;
	memcpy(cl.out_buf, buf, len < sizeof(cl.out_buf) ? len :
	    sizeof(cl.out_buf));
	cl_signal();
	return (cl.out_result);
}

static int
cl_connected(void *arg, const struct devpager_pager_info *info)
{

	pthread_mutex_lock(&cl.mtx);
	cl.connects++;
	cl.info = *info;
	snprintf(cl.name, sizeof(cl.name), "%s", info->name);
	cl.info.name = cl.name;
	cl_signal();
	return (cl.refuse);
}

static void
cl_disconnected(void *arg, const char *why)
{

	pthread_mutex_lock(&cl.mtx);
	cl.disconnects++;
	cl_signal();
}

static void
cl_revoked(void *arg, uint64_t id, uint64_t off, uint64_t len, int error)
{

	pthread_mutex_lock(&cl.mtx);
	cl.revoked++;
	cl.rv_id = id;
	cl.rv_off = off;
	cl.rv_len = len;
	cl.rv_error = error;
	cl_signal();
}

static const struct devpager_pager_ops cl_ops = {
	.page_in = cl_page_in,
	.page_out = cl_page_out,
	.connected = cl_connected,
	.disconnected = cl_disconnected,
	.revoked = cl_revoked,
};

static bool
cl_wait(unsigned long *counter, unsigned long n)
{
	struct timespec ts;
	int error;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += PEER_WAIT_MS / 1000;
	error = 0;
	pthread_mutex_lock(&cl.mtx);
	while (*counter < n && error == 0)
		error = pthread_cond_timedwait(&cl.cv, &cl.mtx, &ts);
	pthread_mutex_unlock(&cl.mtx);
	return (*counter >= n);
}

static void *
cl_main(void *arg)
{

	cl.run_error = devpager_pager_run(cl.p);
	return (NULL);
}

static void
cl_start(unsigned flags)
{

	cl.p = devpager_pager_new(&cl_ops, NULL, flags);
	ck_assert_ptr_nonnull(cl.p);
	ck_assert_int_eq(devpager_pager_listen(cl.p, path), 0);
	ck_assert_int_eq(pthread_create(&cl.td, NULL, cl_main, NULL), 0);
	cl.running = true;
}

static void
cl_stop(void)
{

	if (!cl.running)
		return;
	devpager_pager_stop(cl.p);
	pthread_join(cl.td, NULL);
	ck_assert_int_eq(cl.run_error, 0);
	devpager_pager_free(cl.p);
	cl.p = NULL;
	cl.running = false;
}

static int
dlk_lock(void *arg, const struct pager_conn_lock *lk)
{
	int r;

	pthread_mutex_lock(&dlk.mtx);
	dlk.n++;
	dlk.last = *lk;
	r = dlk.result;
	pthread_cond_broadcast(&dlk.cv);
	pthread_mutex_unlock(&dlk.mtx);
	return (r);
}

static const struct pager_conn_ops dops = {
	.pco_lock = dlk_lock,
};

static void
make_conn(unsigned timeout_ms)
{
	struct pager_conn_params pp;

	memset(&pp, 0, sizeof(pp));
	pp.pcp_path = path;
	pp.pcp_name = "pg0";
	pp.pcp_size = DEV_SIZE;
	pp.pcp_max_data = MAX_DATA;
	pp.pcp_timeout_ms = timeout_ms;
	pp.pcp_ops = &dops;
	ck_assert_int_eq(pager_conn_create(&pp, &conn), 0);
}

static void
setup(void)
{

	memset(&cl, 0, sizeof(cl));
	pthread_mutex_init(&cl.mtx, NULL);
	pthread_cond_init(&cl.cv, NULL);
	memset(&dlk, 0, sizeof(dlk));
	pthread_mutex_init(&dlk.mtx, NULL);
	pthread_cond_init(&dlk.cv, NULL);
	strcpy(dir, "/tmp/dpf-pgcl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	conn = NULL;
}

static void
teardown(void)
{

	if (conn != NULL)
		pager_conn_destroy(conn);
	conn = NULL;
	cl_stop();
	unlink(path);
	rmdir(dir);
}

struct rq {
	pthread_t	td;
	int		n, bad;
	uint64_t	x;
};

static void *
rq_main(void *arg)
{
	struct rq *q;
	uint8_t *buf;
	uint64_t off;
	uint32_t len;
	int i;

	q = arg;
	buf = malloc(MAX_DATA);
	for (i = 0; i < q->n; i++) {
		q->x ^= q->x << 13;
		q->x ^= q->x >> 7;
		q->x ^= q->x << 17;
		len = (uint32_t)(1 + q->x % 8) * PAGE;
		off = (16 + (q->x >> 8) % (DEV_SIZE / PAGE - 24)) * PAGE;
		if (pager_conn_request(conn, off, len, DPP_ACCESS_READ,
		    buf) != 0 || !pattern_check(buf, off, len, SEED))
			q->bad++;
	}
	free(buf);
	return (NULL);
}

START_TEST(test_client_page_in)
{
	struct rq q[4];
	uint8_t buf[PAGE];
	int i;

	cl_start(0);
	make_conn(5000);
	for (i = 0; i < 4; i++) {
		q[i].n = 40;
		q[i].bad = 0;
		q[i].x = 0x1234567ULL * (i + 1);
		ck_assert_int_eq(pthread_create(&q[i].td, NULL, rq_main, &q[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(q[i].td, NULL);
		ck_assert_int_eq(q[i].bad, 0);
	}
	ck_assert_uint_eq(cl.page_ins, 160);
	ck_assert_uint_eq(cl.connects, 1);
	ck_assert_str_eq(cl.info.name, "pg0");
	ck_assert_uint_eq(cl.info.size, DEV_SIZE);
	ck_assert_uint_eq(cl.info.page_size, PAGE);
	ck_assert_uint_eq(cl.info.max_data, MAX_DATA);
	ck_assert_uint_eq(cl.info.timeout_ms, 5000);
	ck_assert_uint_eq(cl.info.version, 1);
	ck_assert_int_eq(cl.info.readonly, 0);

	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(pager_conn_request(conn, 13 * PAGE, PAGE,
	    DPP_ACCESS_READ, buf), 0);
	for (i = 0; i < (int)PAGE; i++)
		ck_assert_uint_eq(buf[i], 0);
	ck_assert_int_eq(pager_conn_request(conn, 14 * PAGE, PAGE,
	    DPP_ACCESS_READ, buf), ENOSPC);
	ck_assert_int_eq(pager_conn_request(conn, 15 * PAGE, PAGE,
	    DPP_ACCESS_READ | DPP_ACCESS_WRITE, buf), EIO);
	ck_assert_int_eq(pager_conn_request(conn, 16 * PAGE, PAGE,
	    DPP_ACCESS_READ | DPP_ACCESS_WRITE, buf), 0);
	ck_assert(pattern_check(buf, 16 * PAGE, PAGE, SEED));
}
END_TEST

START_TEST(test_client_page_out)
{
	uint8_t *buf;

	cl_start(0);
	make_conn(5000);
	buf = malloc(MAX_DATA);
	pattern_fill(buf, 32 * PAGE, MAX_DATA, 9);
	ck_assert_int_eq(pager_conn_return(conn, 32 * PAGE, MAX_DATA, buf), 0);
	ck_assert_uint_eq(cl.page_outs, 1);
	ck_assert_uint_eq(cl.out_off, 32 * PAGE);
	ck_assert_uint_eq(cl.out_len, MAX_DATA);
	ck_assert_mem_eq(cl.out_buf, buf, MAX_DATA);
	cl.out_result = EIO;
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EIO);
	cl.out_result = -1;	/* nonsense: EIO */
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EIO);
	free(buf);
}
END_TEST

START_TEST(test_client_revoke)
{
	uint64_t id, id2;
	unsigned i;

	cl_start(0);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, PAGE, 0, &id),
	    ENOTCONN);
	make_conn(5000);
	ck_assert_int_eq(pager_conn_connect(conn), 0);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 1, PAGE, 0, &id), EINVAL);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, 0, 0, &id), EINVAL);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, DEV_SIZE + PAGE, 0,
	    &id), EINVAL);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, DEV_SIZE, PAGE, 0, &id),
	    EINVAL);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, PAGE, 2, &id), EINVAL);

	ck_assert_int_eq(devpager_pager_revoke(cl.p, 4 * PAGE, 100 * PAGE,
	    DPP_LOCK_RETURN, &id), 0);
	ck_assert(cl_wait(&cl.revoked, 1));
	ck_assert_uint_eq(cl.rv_id, id);
	ck_assert_uint_eq(cl.rv_off, 4 * PAGE);
	ck_assert_uint_eq(cl.rv_len, 100 * PAGE);
	ck_assert_int_eq(cl.rv_error, 0);
	ck_assert_int_eq(dlk.n, 1);
	ck_assert_uint_eq(dlk.last.pl_offset, 4 * PAGE);
	ck_assert_uint_eq(dlk.last.pl_length, 100 * PAGE);
	ck_assert_uint_eq(dlk.last.pl_flags, DPP_LOCK_RETURN);

	/* The daemon's error comes back; then the daemon's bound. */
	dlk.result = EAGAIN;
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, DEV_SIZE, 0, &id2), 0);
	ck_assert_uint_ne(id2, id);
	ck_assert(cl_wait(&cl.revoked, 2));
	ck_assert_int_eq(cl.rv_error, EAGAIN);
	dlk.result = PAGER_CONN_LOCK_LATER;
	for (i = 0; i < PAGER_CONN_LOCKS; i++)
		ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, PAGE, 0, NULL),
		    0);
	ck_assert_int_eq(devpager_pager_revoke(cl.p, 0, PAGE, 0, NULL), EBUSY);
	ck_assert_uint_eq(cl.revoked, 2);
}
END_TEST

START_TEST(test_client_readonly)
{
	uint8_t buf[PAGE];
	struct pager_conn_stats st;

	cl_start(DEVPAGER_PAGER_READONLY);
	make_conn(5000);
	ck_assert_int_eq(pager_conn_request(conn, 20 * PAGE, PAGE,
	    DPP_ACCESS_READ, buf), 0);
	ck_assert(pattern_check(buf, 20 * PAGE, PAGE, SEED));
	ck_assert_int_eq(pager_conn_return(conn, 0, PAGE, buf), EROFS);
	ck_assert_int_eq(pager_conn_request(conn, 20 * PAGE, PAGE,
	    DPP_ACCESS_READ | DPP_ACCESS_WRITE, buf), EROFS);
	pager_conn_stats(conn, &st);
	ck_assert_uint_eq(st.pcs_features, DPP_PF_READONLY);
	ck_assert_uint_eq(cl.page_outs, 0);

	/* A pager with no page_out must say it takes no returns. */
	errno = 0;
	ck_assert_ptr_null(devpager_pager_new(&(struct devpager_pager_ops){
	    .page_in = cl_page_in }, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(devpager_pager_new(&cl_ops, NULL,
	    DEVPAGER_PAGER_READONLY | DEVPAGER_PAGER_NORETURN));
	ck_assert_ptr_null(devpager_pager_new(&cl_ops, NULL, 0x10));
}
END_TEST

START_TEST(test_client_refuses)
{
	struct pager_conn_stats st;
	uint8_t buf[PAGE];

	cl.refuse = EACCES;
	cl_start(0);
	make_conn(5000);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE, DPP_ACCESS_READ,
	    buf), ENOTCONN);
	pager_conn_stats(conn, &st);
	ck_assert_ptr_nonnull(strstr(st.pcs_last_error,
	    "pager refused: Permission denied"));
	ck_assert_uint_eq(cl.page_ins, 0);
	ck_assert_uint_eq(cl.disconnects, 0);
}
END_TEST

/* A pager stops; the next one takes the socket over. */
START_TEST(test_client_restart)
{
	struct devpager_pager *other;
	struct pager_conn_stats st;
	struct sockaddr_un sun;
	uint8_t buf[PAGE];
	char file[128];
	int e, fd;

	cl_start(0);
	make_conn(1000);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE, DPP_ACCESS_READ,
	    buf), 0);
	cl_stop();
	ck_assert_int_eq(access(path, F_OK), -1);	/* removed */
	/* The daemon may or may not have read the terminate yet. */
	e = pager_conn_request(conn, 0, PAGE, DPP_ACCESS_READ, buf);
	ck_assert_msg(e == ENOTCONN || e == ECONNRESET, "error %d", e);
	ck_assert_int_eq(pager_conn_request(conn, 0, PAGE, DPP_ACCESS_READ,
	    buf), ENOTCONN);
	pager_conn_stats(conn, &st);
	ck_assert_uint_eq(st.pcs_drops, 1);
	ck_assert_uint_eq(st.pcs_violations, 0);

	/* A stale socket is replaced; a live one or a file is not. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cl_start(0);
	other = devpager_pager_new(&cl_ops, NULL, 0);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(devpager_pager_listen(other, path), EADDRINUSE);
	devpager_pager_free(other);
	ck_assert_int_eq(access(path, F_OK), 0);	/* still there */
	ck_assert_int_eq(pager_conn_request(conn, PAGE, PAGE, DPP_ACCESS_READ,
	    buf), 0);
	ck_assert(pattern_check(buf, PAGE, PAGE, SEED));
	pager_conn_stats(conn, &st);
	ck_assert_uint_eq(st.pcs_gen, 2);

	snprintf(file, sizeof(file), "%s/file", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	other = devpager_pager_new(&cl_ops, NULL, 0);
	ck_assert_ptr_nonnull(other);
	ck_assert_int_eq(devpager_pager_listen(other, file), EEXIST);
	devpager_pager_free(other);
	unlink(file);
}
END_TEST

/*
 * The library against a hostile daemon, over a socket pair.  The test
 * is the daemon; serve_fd runs on its own thread.
 */
struct hs {
	pthread_t		 td;
	struct devpager_pager	*p;
	int			 fd;
	int			 error;
};

static void *
hs_main(void *arg)
{
	struct hs *h;

	h = arg;
	h->error = devpager_pager_serve_fd(h->p, h->fd);
	return (NULL);
}

static void
hs_start(struct hs *h, struct peer *d, unsigned flags)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	memset(d, 0, sizeof(*d));
	d->lfd = -1;
	d->fd = sv[0];
	h->fd = sv[1];
	h->p = devpager_pager_new(&cl_ops, NULL, flags);
	ck_assert_ptr_nonnull(h->p);
	ck_assert_int_eq(pthread_create(&h->td, NULL, hs_main, h), 0);
}

static int
hs_end(struct hs *h, struct peer *d, char *err, size_t errlen)
{

	peer_hangup(d);
	pthread_join(h->td, NULL);
	snprintf(err, errlen, "%s", devpager_pager_error(h->p));
	devpager_pager_free(h->p);
	return (h->error);
}

/* Send a daemon hello (version range vmin..vmax, name). */
static void
hs_hello(struct peer *d, uint16_t vmin, uint16_t vmax, const char *name)
{
	struct dpp_hello hello;
	struct dpp_hdr h;
	uint8_t buf[DPP_HELLO_SIZE + DPP_NAME_MAX];
	size_t n;

	memset(&hello, 0, sizeof(hello));
	hello.version_min = vmin;
	hello.version_max = vmax;
	hello.page_size = PAGE;
	hello.size = DEV_SIZE;
	hello.max_data = MAX_DATA;
	hello.max_inflight = 8;
	hello.max_locks = 4;
	hello.timeout_ms = 1000;
	snprintf(hello.name, sizeof(hello.name), "%s", name);
	n = dpp_hello_encode(buf, &hello);
	h = peer_hdr(DPP_HELLO, 0, 0, 0, 0, (uint32_t)n);
	(void)peer_send(d, &h, buf);
}

enum {
	HC_BEFORE_HELLO, HC_BAD_NAME, HC_NO_VERSION, HC_MISALIGNED,
	HC_OVER_MAX, HC_REQ_PAYLOAD, HC_PAGER_TYPE, HC_UNKNOWN_LOCK,
	HC_HELLO_AGAIN, HC_RETURN_RO, HC_MAGIC, HC_OVERSIZE, HC_BAD_STATUS,
	HC_NCASES
};

static const struct {
	const char	*name;
	const char	*says;
} hc[HC_NCASES] = {
	[HC_BEFORE_HELLO] = { "request first", "out of place" },
	[HC_BAD_NAME] = { "name with a space", "bad device name" },
	[HC_NO_VERSION] = { "versions 2..3", "no common protocol version" },
	[HC_MISALIGNED] = { "misaligned request", "out of range" },
	[HC_OVER_MAX] = { "request over max_data", "out of range" },
	[HC_REQ_PAYLOAD] = { "request with payload", "wrong payload" },
	[HC_PAGER_TYPE] = { "a pager's type", "type of the other end" },
	[HC_UNKNOWN_LOCK] = { "lock_completed unasked", "unknown or already" },
	[HC_HELLO_AGAIN] = { "hello twice", "out of place" },
	[HC_RETURN_RO] = { "data_return to read-only", "type of the other" },
	[HC_MAGIC] = { "bad magic", "bad magic" },
	[HC_OVERSIZE] = { "4 GiB data_return", "oversized" },
	[HC_BAD_STATUS] = { "lock_completed errno 9999", "error number" },
};

START_TEST(test_client_hostile_daemon)
{
	struct peer d;
	struct peer_msg m;
	struct dpp_hdr h;
	struct hs hs;
	char err[256];
	uint8_t s[DPP_STATUS_SIZE];
	int k;

	for (k = 0; k < HC_NCASES; k++) {
		hs_start(&hs, &d, k == HC_RETURN_RO ?
		    DEVPAGER_PAGER_READONLY : 0);
		if (k == HC_BEFORE_HELLO) {
			h = peer_hdr(DPP_DATA_REQUEST, 1, 1, 0, PAGE, 0);
			(void)peer_send(&d, &h, NULL);
		} else if (k == HC_BAD_NAME)
			hs_hello(&d, 1, 1, "a b");
		else if (k == HC_NO_VERSION) {
			hs_hello(&d, 2, 3, "pg0");
			/* The pager says why before it goes. */
			ck_assert_int_eq(peer_read(&d, &m, PEER_WAIT_MS), 0);
			ck_assert_uint_eq(m.h.type, DPP_PAGER_TERMINATE);
		} else {
			hs_hello(&d, 1, 1, "pg0");
			ck_assert_int_eq(peer_read(&d, &m, PEER_WAIT_MS), 0);
			ck_assert_uint_eq(m.h.type, DPP_HELLO_REPLY);
			h = peer_hdr(DPP_DATA_REQUEST, DPP_ACCESS_READ, 5,
			    PAGE, PAGE, 0);
			switch (k) {
			case HC_MISALIGNED:
				h.offset = 100;
				break;
			case HC_OVER_MAX:
				h.length = MAX_DATA + PAGE;
				break;
			case HC_REQ_PAYLOAD:
				h.payload = 4;
				break;
			case HC_PAGER_TYPE:
				h.type = DPP_DATA_SUPPLY;
				h.flags = 0;
				break;
			case HC_UNKNOWN_LOCK:
			case HC_BAD_STATUS:
				h = peer_hdr(DPP_LOCK_COMPLETED, 0, 3, 0,
				    PAGE, DPP_STATUS_SIZE);
				dpp_status_encode(s, k == HC_BAD_STATUS ?
				    9999 : 0);
				break;
			case HC_HELLO_AGAIN:
				hs_hello(&d, 1, 1, "pg0");
				goto sent;
			case HC_RETURN_RO:
				h = peer_hdr(DPP_DATA_RETURN, 0, 5, 0, PAGE,
				    PAGE);
				break;
			case HC_MAGIC:
				h.magic = 0x44475052;
				break;
			case HC_OVERSIZE:
				h = peer_hdr(DPP_DATA_RETURN, 0, 5, 0,
				    UINT32_MAX, UINT32_MAX);
				break;
			}
			dpp_hdr_encode(m.payload, &h);
			memcpy(m.payload + DPP_HDR_SIZE, s, sizeof(s));
			(void)peer_send_raw(&d, m.payload, DPP_HDR_SIZE +
			    (h.payload == DPP_STATUS_SIZE ? 4 : 0));
		}
sent:
		ck_assert_msg(peer_wait_eof(&d, PEER_WAIT_MS),
		    "%s: not dropped", hc[k].name);
		ck_assert_msg(hs_end(&hs, &d, err, sizeof(err)) == EPROTO,
		    "%s: serve_fd did not say EPROTO (%s)", hc[k].name, err);
		ck_assert_msg(strstr(err, hc[k].says) != NULL,
		    "%s: \"%s\" does not say \"%s\"", hc[k].name, err,
		    hc[k].says);
	}

	/* A good exchange, then terminate: 0, and the reason. */
	hs_start(&hs, &d, 0);
	hs_hello(&d, 1, 5, "pg0");
	ck_assert_int_eq(peer_read(&d, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_HELLO_REPLY);
	ck_assert_uint_eq(m.payload[0], 1);	/* the version it speaks */
	h = peer_hdr(DPP_DATA_REQUEST, DPP_ACCESS_READ, 77, 3 * PAGE, PAGE,
	    0);
	ck_assert_int_eq(peer_send(&d, &h, NULL), 0);
	ck_assert_int_eq(peer_read(&d, &m, PEER_WAIT_MS), 0);
	ck_assert_uint_eq(m.h.type, DPP_DATA_SUPPLY);
	ck_assert_uint_eq(m.h.id, 77);
	h = peer_hdr(DPP_TERMINATE, 0, 0, 0, 0, 3);
	ck_assert_int_eq(peer_send(&d, &h, "bye"), 0);
	ck_assert(peer_wait_eof(&d, PEER_WAIT_MS));
	ck_assert_int_eq(hs_end(&hs, &d, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "the daemon terminated: bye");
}
END_TEST

/*
 * Mutated daemon messages (seeded, DPF_FUZZ_ITERS): serve_fd returns 0
 * or EPROTO, never crashes, never answers garbage with garbage.
 */
START_TEST(test_client_mutations)
{
	struct peer d;
	struct peer_msg m;
	struct dpp_hdr h;
	struct fuzz fz;
	struct hs hs;
	char err[256];
	uint8_t buf[DPP_HDR_SIZE + 64];
	int e, i, iters, n, proto;

	iters = fuzz_iters(2000);
	fuzz_init(&fz, 0x636c69656e74ULL, NULL, 0, NULL, 0);
	proto = 0;
	for (i = 0; i < iters; i++) {
		hs_start(&hs, &d, (unsigned)fuzz_below(&fz, 3));
		hs_hello(&d, 1, 1, "pg0");
		if (peer_read(&d, &m, PEER_WAIT_MS) != 0 ||
		    m.h.type != DPP_HELLO_REPLY)
			ck_abort_msg("no hello_reply");
		switch (fuzz_below(&fz, 4)) {
		case 0:
			h = peer_hdr(DPP_DATA_REQUEST, DPP_ACCESS_READ,
			    1 + fuzz_below(&fz, 100), PAGE, PAGE, 0);
			break;
		case 1:
			h = peer_hdr(DPP_DATA_RETURN, 0, 9, 0, PAGE, PAGE);
			break;
		case 2:
			h = peer_hdr(DPP_LOCK_COMPLETED, 0, 1, 0, PAGE,
			    DPP_STATUS_SIZE);
			break;
		default:
			h = peer_hdr(DPP_TERMINATE, 0, 0, 0, 0, 8);
			break;
		}
		dpp_hdr_encode(buf, &h);
		memset(buf + DPP_HDR_SIZE, 0, sizeof(buf) - DPP_HDR_SIZE);
		n = DPP_HDR_SIZE + (int)fuzz_below(&fz, 64);
		e = (int)fuzz_below(&fz, 1 + (unsigned)fuzz_below(&fz, 4));
		while (e-- >= 0) {
			unsigned bit = fuzz_below(&fz, (unsigned)n * 8);

			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		(void)peer_send_raw(&d, buf, (size_t)n);
		shutdown(d.fd, SHUT_WR);
		/* Read whatever it answers until it closes. */
		while (peer_read(&d, &m, PEER_WAIT_MS) == 0)
			;
		e = hs_end(&hs, &d, err, sizeof(err));
		ck_assert_msg(e == 0 || e == EPROTO,
		    "iteration %d: serve_fd returned %d (%s)", i, e, err);
		if (e == EPROTO)
			proto++;
	}
	ck_assert_int_gt(proto, iters / 4);
}
END_TEST

Suite *
pager_client_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pager_client");
	tc = tcase_create("client");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_client_page_in);
	tcase_add_test(tc, test_client_page_out);
	tcase_add_test(tc, test_client_revoke);
	tcase_add_test(tc, test_client_readonly);
	tcase_add_test(tc, test_client_refuses);
	tcase_add_test(tc, test_client_restart);
	tcase_add_test(tc, test_client_hostile_daemon);
	tcase_add_test(tc, test_client_mutations);
	suite_add_tcase(s, tc);
	return (s);
}
