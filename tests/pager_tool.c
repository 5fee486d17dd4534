/*
 * pager_tool: the daemon's end of an external pager's connection
 * (src/dev/pager_conn) as a command-line program, so that the shell
 * tests can run the Python module and the examples against the real
 * engine without a mount.
 *
 *	pager_tool [-r] [-t timeout_ms] [-m max_data] SOCKET NAME SIZE CMD...
 *
 * Commands, run in order, each printing one line:
 *	read OFF LEN FILE	data_request (read); the bytes go to FILE
 *	readw OFF LEN FILE	the same for a write fault
 *	verify OFF LEN SEED	data_request; the bytes must be the computed
 *				pattern (little-endian words o ^ 0x5a.. ^ SEED)
 *	return OFF FILE		data_return of FILE's bytes
 *	wait-lock MS		wait for a lock_request (answered at once)
 *	connect			connect now
 *	disconnect		drop the connection
 *	sync FILE		print "sync FILE", wait (20 s at most) until
 *				FILE exists: the shell test's turn
 *	stats			state, counters
 * A command that fails prints "CMD ...: error ENAME" and the program
 * goes on; the exit status is 0 unless the arguments are wrong.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kern/size.h"
#include "dev/pager_conn.h"

#define	PAT_XOR		0x5a5a5a5a5a5a5a5aULL

static pthread_mutex_t lk_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lk_cv = PTHREAD_COND_INITIALIZER;
static int lk_seen, lk_taken;
static struct pager_conn_lock lk_last[64];

static int
tool_lock(void *arg, const struct pager_conn_lock *lk)
{

	pthread_mutex_lock(&lk_mtx);
	lk_last[lk_seen % 64] = *lk;
	lk_seen++;
	pthread_cond_broadcast(&lk_cv);
	pthread_mutex_unlock(&lk_mtx);
	return (0);
}

static const struct pager_conn_ops tool_ops = {
	.pco_lock = tool_lock,
};

static const char *
ename(int error)
{
	const char *n;

	n = strerrorname_np(error);
	return (n != NULL ? n : "E?");
}

static int
parse_size(const char *s, uint64_t *vp)
{

	return (size_parse(s, vp));
}

static void
usage(void)
{

	fprintf(stderr, "usage: pager_tool [-r] [-t timeout_ms] "
	    "[-m max_data] socket name size command ...\n");
	exit(2);
}

static int
need(int argc, int i, int n)
{

	if (i + n >= argc)
		usage();
	return (i + n);
}

int
main(int argc, char **argv)
{
	struct pager_conn_params p;
	struct pager_conn_stats st;
	struct pager_conn *conn;
	struct timespec ts;
	struct stat sb;
	uint64_t off, len, seed, w, v;
	uint8_t *buf;
	size_t i;
	int ch, error, fd, ms, b;
	bool ok;

	memset(&p, 0, sizeof(p));
	p.pcp_max_data = 32 * 4096;
	while ((ch = getopt(argc, argv, "rt:m:")) != -1) {
		switch (ch) {
		case 'r':
			p.pcp_readonly = true;
			break;
		case 't':
			p.pcp_timeout_ms = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			if (parse_size(optarg, &v) != 0)
				usage();
			p.pcp_max_data = (uint32_t)v;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 3)
		usage();
	p.pcp_path = argv[optind];
	p.pcp_name = argv[optind + 1];
	if (parse_size(argv[optind + 2], &p.pcp_size) != 0)
		usage();
	p.pcp_ops = &tool_ops;
	error = pager_conn_create(&p, &conn);
	if (error != 0) {
		fprintf(stderr, "pager_tool: create: %s\n", strerror(error));
		return (2);
	}
	buf = malloc(DPP_DATA_MAX);
	if (buf == NULL)
		return (2);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = (size_t)optind + 3; i < (size_t)argc; i++) {
		const char *cmd = argv[i];

		if (strcmp(cmd, "read") == 0 || strcmp(cmd, "readw") == 0) {
			i = (size_t)need(argc, (int)i, 3);
			if (parse_size(argv[i - 2], &off) != 0 ||
			    parse_size(argv[i - 1], &len) != 0 ||
			    len > DPP_DATA_MAX)
				usage();
			error = pager_conn_request(conn, off, (uint32_t)len,
			    DPP_ACCESS_READ | (cmd[4] == 'w' ?
			    DPP_ACCESS_WRITE : 0), buf);
			if (error == 0) {
				fd = open(argv[i], O_WRONLY | O_CREAT |
				    O_TRUNC, 0644);
				if (fd < 0 || write(fd, buf, len) !=
				    (ssize_t)len)
					error = errno;
				if (fd >= 0)
					close(fd);
			}
			printf("%s %s %s: %s%s\n", cmd, argv[i - 2],
			    argv[i - 1], error == 0 ? "ok" : "error ",
			    error == 0 ? "" : ename(error));
		} else if (strcmp(cmd, "verify") == 0) {
			i = (size_t)need(argc, (int)i, 3);
			if (parse_size(argv[i - 2], &off) != 0 ||
			    parse_size(argv[i - 1], &len) != 0 ||
			    len > DPP_DATA_MAX)
				usage();
			seed = strtoull(argv[i], NULL, 0);
			error = pager_conn_request(conn, off, (uint32_t)len,
			    DPP_ACCESS_READ, buf);
			ok = true;
			for (v = 0; error == 0 && v + 8 <= len; v += 8) {
				w = 0;
				for (b = 7; b >= 0; b--)
					w = w << 8 | buf[v + (unsigned)b];
				if (w != ((off + v) ^ PAT_XOR ^ seed))
					ok = false;
			}
			printf("verify %s %s %s: %s%s\n", argv[i - 2],
			    argv[i - 1], argv[i], error != 0 ? "error " :
			    ok ? "ok" : "wrong bytes",
			    error != 0 ? ename(error) : "");
		} else if (strcmp(cmd, "return") == 0) {
			i = (size_t)need(argc, (int)i, 2);
			if (parse_size(argv[i - 1], &off) != 0)
				usage();
			fd = open(argv[i], O_RDONLY);
			if (fd < 0 || fstat(fd, &sb) != 0 ||
			    sb.st_size > DPP_DATA_MAX ||
			    read(fd, buf, (size_t)sb.st_size) != sb.st_size)
				usage();
			close(fd);
			error = pager_conn_return(conn, off,
			    (uint32_t)sb.st_size, buf);
			printf("return %s %s: %s%s\n", argv[i - 1], argv[i],
			    error == 0 ? "ok" : "error ",
			    error == 0 ? "" : ename(error));
		} else if (strcmp(cmd, "wait-lock") == 0) {
			i = (size_t)need(argc, (int)i, 1);
			ms = atoi(argv[i]);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += ms / 1000;
			ts.tv_nsec += (long)(ms % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			error = 0;
			pthread_mutex_lock(&lk_mtx);
			while (lk_taken == lk_seen && error == 0)
				error = pthread_cond_timedwait(&lk_cv, &lk_mtx,
				    &ts);
			if (lk_taken < lk_seen) {
				struct pager_conn_lock *l;

				l = &lk_last[lk_taken++ % 64];
				printf("lock %ju %ju %u\n",
				    (uintmax_t)l->pl_offset,
				    (uintmax_t)l->pl_length, l->pl_flags);
			} else
				printf("wait-lock: error ETIMEDOUT\n");
			pthread_mutex_unlock(&lk_mtx);
		} else if (strcmp(cmd, "connect") == 0) {
			error = pager_conn_connect(conn);
			printf("connect: %s%s\n", error == 0 ? "ok" : "error ",
			    error == 0 ? "" : ename(error));
		} else if (strcmp(cmd, "disconnect") == 0) {
			pager_conn_disconnect(conn, "pager_tool");
			printf("disconnect: ok\n");
		} else if (strcmp(cmd, "sync") == 0) {
			i = (size_t)need(argc, (int)i, 1);
			printf("sync %s\n", argv[i]);
			for (ms = 0; ms < 20000 && access(argv[i], F_OK) != 0;
			    ms += 10)
				usleep(10000);
		} else if (strcmp(cmd, "stats") == 0) {
			pager_conn_stats(conn, &st);
			printf("state=%s gen=%ju inflight=%u requests=%ju "
			    "returns=%ju errors=%ju timeouts=%ju "
			    "violations=%ju drops=%ju features=%u "
			    "last_error=%s\n",
			    pager_conn_state_name(st.pcs_state),
			    (uintmax_t)st.pcs_gen, st.pcs_inflight,
			    (uintmax_t)st.pcs_requests,
			    (uintmax_t)st.pcs_returns,
			    (uintmax_t)st.pcs_errors,
			    (uintmax_t)st.pcs_timeouts,
			    (uintmax_t)st.pcs_violations,
			    (uintmax_t)st.pcs_drops, st.pcs_features,
			    st.pcs_last_error);
		} else
			usage();
	}
	pager_conn_destroy(conn);
	free(buf);
	return (0);
}
