/*
 * mmap_tool: what the mount tests do to device files through mmap(2).
 *
 *	mmap_tool fill FILE OFF LEN BYTE	store BYTE, msync(MS_SYNC)
 *	mmap_tool check FILE OFF LEN BYTE	every byte must be BYTE
 *	mmap_tool pattern FILE OFF LEN SEED	store a position pattern, msync
 *	mmap_tool verify FILE OFF LEN SEED	check the pattern
 *	mmap_tool touch FILE OFF NPAGES		read one byte of each page
 *	mmap_tool sigbus FILE OFF		a load at OFF must raise SIGBUS
 *	mmap_tool hold FILE OFF NPAGES		touch, print "ready", keep the
 *						mapping until stdin closes
 *	mmap_tool holdbus FILE OFF NPAGES	map, touch the first page,
 *						print "ready", wait for stdin
 *						to close, then a load of the
 *						last page must raise SIGBUS
 *	mmap_tool watch FILE OFF BYTE MS	map, touch, print "ready", then
 *						poll the byte at OFF until it
 *						is BYTE (0) or MS ms pass (1)
 *	mmap_tool dirty FILE SPAN SEED OFF:LEN...
 *						map [0, SPAN), store the
 *						position pattern in each
 *						range, print "ready" and keep
 *						the dirty mapping, never
 *						msync'd, until stdin closes
 *						(0) or 120 s pass (1)
 *
 * With -g NAME first, FILE is a gem node: right after open(2) the tool
 * opens the buffer called NAME (DEVPAGER_GEM_IOC_OPEN), so that its open
 * holds a handle of it, as devpagerfs_gem(4) requires of a mapper.
 *
 * Exit status 0 on success, 1 on a mismatch or an unexpected result, 2 on
 * a usage or system error (with a message).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devpager/gem_ioctl.h"

static sigjmp_buf sigbus_jmp;
static volatile sig_atomic_t sigbus_seen;
static uint64_t gem_name;		/* -g NAME, 0: none */

static void
on_sigbus(int sig)
{
	(void)sig;
	sigbus_seen = 1;
	siglongjmp(sigbus_jmp, 1);
}

static uint64_t
num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0') {
		fprintf(stderr, "mmap_tool: bad number '%s'\n", s);
		exit(2);
	}
	return (v);
}

static unsigned char
pattern_byte(uint64_t pos, uint64_t seed)
{
	uint64_t x = (pos + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	return ((unsigned char)(x >> 29));
}

static unsigned char *
map(const char *path, uint64_t off, uint64_t len, int prot, int *fdp,
    uint64_t *mapoffp, size_t *maplenp)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t mapoff;
	size_t maplen;
	void *p;
	int fd;

	fd = open(path, (prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mmap_tool: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (gem_name != 0) {
		struct devpager_gem_open go;

		memset(&go, 0, sizeof(go));
		go.name = gem_name;
		if (ioctl(fd, DEVPAGER_GEM_IOC_OPEN, &go) != 0) {
			fprintf(stderr, "mmap_tool: open gem name %llu: %s\n",
			    (unsigned long long)gem_name, strerror(errno));
			exit(2);
		}
	}
	mapoff = off & ~(uint64_t)(pg - 1);
	maplen = (size_t)(off - mapoff + len);
	p = mmap(NULL, maplen, prot, MAP_SHARED, fd, (off_t)mapoff);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap_tool: mmap %s: %s\n", path,
		    strerror(errno));
		exit(2);
	}
	*fdp = fd;
	*mapoffp = mapoff;
	*maplenp = maplen;
	return ((unsigned char *)p + (off - mapoff));
}

static void
unmap(unsigned char *p, uint64_t off, uint64_t mapoff, size_t maplen, int fd,
    int sync)
{
	unsigned char *base = p - (off - mapoff);

	if (sync && msync(base, maplen, MS_SYNC) != 0) {
		fprintf(stderr, "mmap_tool: msync: %s\n", strerror(errno));
		exit(2);
	}
	munmap(base, maplen);
	close(fd);
}

/*
 * dirty: store the pattern of seed into each OFF:LEN range of a shared
 * mapping of [0, span) and keep the pages dirty -- no msync, no munmap --
 * until stdin reaches its end, so that whatever the daemon does meanwhile
 * (a signal, an unmount) finds them in the kernel's page cache.  The
 * mapping goes only when the process exits.  Bounded: after 120 s without
 * the end of stdin the tool gives up (1), so a test never hangs on it.
 */
static int
dirty(const char *path, uint64_t span, uint64_t seed, int nranges,
    char **ranges)
{
	struct pollfd pfd;
	uint64_t mapoff, roff, rlen, i;
	unsigned char *p;
	size_t maplen;
	char *colon, c;
	int fd, k, n;

	if (nranges < 1) {
		fprintf(stderr, "mmap_tool: dirty needs OFF:LEN ranges\n");
		return (2);
	}
	p = map(path, 0, span, PROT_READ | PROT_WRITE, &fd, &mapoff, &maplen);
	for (k = 0; k < nranges; k++) {
		colon = strchr(ranges[k], ':');
		if (colon == NULL) {
			fprintf(stderr, "mmap_tool: bad range '%s'\n",
			    ranges[k]);
			return (2);
		}
		*colon = '\0';
		roff = num(ranges[k]);
		rlen = num(colon + 1);
		if (roff > span || rlen > span - roff) {
			fprintf(stderr, "mmap_tool: range %s:%s beyond %llu\n",
			    ranges[k], colon + 1, (unsigned long long)span);
			return (2);
		}
		for (i = 0; i < rlen; i++)
			p[roff + i] = pattern_byte(roff + i, seed);
	}
	printf("ready\n");
	fflush(stdout);
	pfd.fd = 0;
	pfd.events = POLLIN;
	for (;;) {
		n = poll(&pfd, 1, 120000);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (1);
		if (read(0, &c, 1) <= 0)
			return (0);
	}
}

int
main(int argc, char **argv)
{
	uint64_t off, len, arg, mapoff, i;
	unsigned char *p;
	size_t maplen;
	long pg;
	int fd;

	if (argc >= 3 && strcmp(argv[1], "-g") == 0) {
		gem_name = num(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: mmap_tool [-g NAME] OP FILE OFF ...\n");
		return (2);
	}
	pg = sysconf(_SC_PAGESIZE);
	off = num(argv[3]);
	if (strcmp(argv[1], "sigbus") == 0) {
		struct sigaction sa;
		volatile unsigned char c;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigbus;
		sigaction(SIGBUS, &sa, NULL);
		p = map(argv[2], off, 1, PROT_READ, &fd, &mapoff, &maplen);
		if (sigsetjmp(sigbus_jmp, 1) == 0) {
			c = p[0];
			(void)c;
		}
		return (sigbus_seen ? 0 : 1);
	}
	if (argc < 5) {
		fprintf(stderr, "mmap_tool: %s needs more arguments\n", argv[1]);
		return (2);
	}
	len = num(argv[4]);
	if (strcmp(argv[1], "holdbus") == 0) {
		struct sigaction sa;
		volatile unsigned char c;
		char ch;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sigbus;
		sigaction(SIGBUS, &sa, NULL);
		p = map(argv[2], off, len * (uint64_t)pg, PROT_READ, &fd,
		    &mapoff, &maplen);
		c = p[0];
		printf("ready\n");
		fflush(stdout);
		while (read(0, &ch, 1) > 0)
			;
		if (sigsetjmp(sigbus_jmp, 1) == 0) {
			c = p[(len - 1) * (uint64_t)pg];
			fprintf(stderr, "mmap_tool: no SIGBUS, read %#x\n",
			    (unsigned)c);
		}
		return (sigbus_seen ? 0 : 1);
	}
	if (strcmp(argv[1], "touch") == 0 || strcmp(argv[1], "hold") == 0) {
		volatile unsigned char sum = 0;
		char c;

		p = map(argv[2], off, len * (uint64_t)pg, PROT_READ, &fd,
		    &mapoff, &maplen);
		for (i = 0; i < len; i++)
			sum += p[i * (uint64_t)pg];
		if (strcmp(argv[1], "hold") == 0) {
			printf("ready\n");
			fflush(stdout);
			while (read(0, &c, 1) > 0)
				;
		}
		unmap(p, off, mapoff, maplen, fd, 0);
		return (0);
	}
	if (strcmp(argv[1], "dirty") == 0)
		return (dirty(argv[2], off, len, argc - 5, argv + 5));
	if (argc < 6) {
		fprintf(stderr, "mmap_tool: %s needs more arguments\n", argv[1]);
		return (2);
	}
	arg = num(argv[5]);
	if (strcmp(argv[1], "watch") == 0) {
		struct timespec t0, t1, nap = { 0, 5000000 };
		volatile unsigned char *vp;
		long elapsed;

		p = map(argv[2], off, 1, PROT_READ, &fd, &mapoff, &maplen);
		vp = p;
		(void)vp[0];
		printf("ready\n");
		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			if (vp[0] == (unsigned char)len)
				return (0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			elapsed = (t1.tv_sec - t0.tv_sec) * 1000 +
			    (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (elapsed >= (long)arg)
				return (1);
			nanosleep(&nap, NULL);
		}
	}
	if (strcmp(argv[1], "fill") == 0 || strcmp(argv[1], "pattern") == 0) {
		bool pat = strcmp(argv[1], "pattern") == 0;

		p = map(argv[2], off, len, PROT_READ | PROT_WRITE, &fd, &mapoff,
		    &maplen);
		for (i = 0; i < len; i++)
			p[i] = pat ? pattern_byte(off + i, arg) :
			    (unsigned char)arg;
		unmap(p, off, mapoff, maplen, fd, 1);
		return (0);
	}
	if (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "verify") == 0) {
		bool pat = strcmp(argv[1], "verify") == 0;

		p = map(argv[2], off, len, PROT_READ, &fd, &mapoff, &maplen);
		for (i = 0; i < len; i++) {
			unsigned char want = pat ? pattern_byte(off + i, arg) :
			    (unsigned char)arg;

			if (p[i] != want) {
				fprintf(stderr, "mmap_tool: byte %llu is %#x, "
				    "expected %#x\n",
				    (unsigned long long)(off + i), p[i], want);
				return (1);
			}
		}
		unmap(p, off, mapoff, maplen, fd, 0);
		return (0);
	}
	fprintf(stderr, "mmap_tool: unknown operation '%s'\n", argv[1]);
	return (2);
}
