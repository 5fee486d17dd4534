/*
 * pager_computed: an external pager whose pages are computed, not
 * stored -- the external twin of the patterndrv plugin, built against
 * the installed libdevpager-pager only (devpager_pager(3)).
 *
 *	pager_computed [-s seed] SOCKET
 *
 * and in devpagerfs:
 *
 *	create pat1 driver=pager socket=SOCKET size=16M
 *
 * Every 8-byte little-endian word at byte offset o of the device reads
 *
 *	o ^ 0x5a5a5a5a5a5a5a5a ^ (seed + generation)
 *
 * The generation starts at 0; SIGUSR1 adds one and revokes the whole
 * device, so that every mapping faults again and sees the new words.
 * SIGINT and SIGTERM stop the pager.  The device is read-only.
 *
 * Signals are taken by a thread of their own with sigwait(2): revoking
 * takes locks, which a signal handler may not.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devpager/pager.h>

#define	PAT_XOR		0x5a5a5a5a5a5a5a5aULL
#define	REVOKE_MAX	(1ULL << 30)	/* one lock_request's range */

static uint64_t		seed;
static _Atomic uint64_t	generation;
static _Atomic uint64_t	dev_size;	/* 0: no daemon connected */

static int
computed_page_in(void *arg, uint64_t off, void *buf, size_t len,
    unsigned access)
{
	unsigned char *p;
	uint64_t key, w;
	size_t i;

	key = PAT_XOR ^ (seed + atomic_load(&generation));
	p = buf;
	for (i = 0; i + 8 <= len; i += 8) {
		/* One little-endian word per store (len is a page multiple). */
		w = htole64((off + i) ^ key);
		memcpy(p + i, &w, sizeof(w));
	}
	return (0);
}

static int
computed_connected(void *arg, const struct devpager_pager_info *info)
{

	fprintf(stderr, "pager_computed: serving %s (%" PRIu64 " bytes)\n",
	    info->name, info->size);
	atomic_store(&dev_size, info->size);
	return (0);
}

static void
computed_disconnected(void *arg, const char *why)
{

	atomic_store(&dev_size, 0);
	fprintf(stderr, "pager_computed: connection ended: %s\n", why);
}

static void
computed_revoked(void *arg, uint64_t id, uint64_t off, uint64_t len,
    int error)
{

	if (error != 0)
		fprintf(stderr, "pager_computed: revoke %" PRIu64 " failed: "
		    "%s\n", id, strerror(error));
}

static const struct devpager_pager_ops computed_ops = {
	.page_in = computed_page_in,
	.connected = computed_connected,
	.disconnected = computed_disconnected,
	.revoked = computed_revoked,
};

/* Take SIGUSR1 (new generation), SIGINT and SIGTERM (stop). */
static void *
signal_main(void *arg)
{
	struct devpager_pager *p;
	uint64_t off, size, len;
	sigset_t set;
	int error, sig;

	p = arg;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGUSR1) {
			devpager_pager_stop(p);
			return (NULL);
		}
		atomic_fetch_add(&generation, 1);
		size = atomic_load(&dev_size);
		for (off = 0; off < size; off += len) {
			len = size - off < REVOKE_MAX ? size - off : REVOKE_MAX;
			error = devpager_pager_revoke(p, off, len, 0, NULL);
			if (error != 0) {
				fprintf(stderr, "pager_computed: revoke: %s\n",
				    strerror(error));
				break;
			}
		}
	}
}

int
main(int argc, char **argv)
{
	struct devpager_pager *p;
	pthread_t td;
	sigset_t set;
	int ch, error;

	while ((ch = getopt(argc, argv, "s:")) != -1) {
		switch (ch) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;

	/* Every thread blocks the signals; signal_main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	p = devpager_pager_new(&computed_ops, NULL, DEVPAGER_PAGER_READONLY);
	if (p == NULL) {
		perror("pager_computed: devpager_pager_new");
		return (1);
	}
	error = devpager_pager_listen(p, argv[optind]);
	if (error != 0) {
		fprintf(stderr, "pager_computed: %s: %s\n", argv[optind],
		    strerror(error));
		devpager_pager_free(p);
		return (1);
	}
	error = pthread_create(&td, NULL, signal_main, p);
	if (error != 0) {
		fprintf(stderr, "pager_computed: thread: %s\n",
		    strerror(error));
		devpager_pager_free(p);
		return (1);
	}
	error = devpager_pager_run(p);
	if (error != 0)
		fprintf(stderr, "pager_computed: %s\n", strerror(error));
	/* run() returned: make sure the signal thread is done with p. */
	pthread_kill(td, SIGTERM);
	pthread_join(td, NULL);
	devpager_pager_free(p);
	return (error != 0);

usage:
	fprintf(stderr, "usage: pager_computed [-s seed] socket\n");
	return (2);
}
