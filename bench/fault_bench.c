/*
 * fault_bench: time page faults on a MAP_SHARED mapping of one file.
 *
 *	fault_bench [-r] [-n REPS] [-s SIZE] [-t TEST[,TEST...]]
 *	    [-e fadvise|none] FILE
 *
 * First, once per run, first_read: a cold sequential read pass right
 * after open(2), when the filesystem may also have to set up its own state
 * for the file (devpagerfs creates the node's VM object and pages it in on
 * the first faults after an open, and drops it at the last close).  Then
 * the tests (all by default), each repeated REPS times (default 5),
 * rep-major so that drift hits every test alike; they measure first touch
 * with the page cache cold and the filesystem warm:
 *	seq_read	first touch, one load per page, ascending
 *	seq_write	first touch, one store per page, ascending; then
 *			seq_write_flush: the msync(MS_SYNC) that writes the
 *			dirty pages back
 *	rand_read	first touch, one load per page, a fixed random
 *			permutation of the pages
 *	rand_write	same with stores; rand_write_flush as above
 *	retouch		after a cold seq_read: a fresh mapping over the now
 *			cached pages (minor faults, no filesystem request),
 *			and retouch_mapped: the same mapping again (PTEs
 *			present, no fault at all)
 *	bandwidth	seq_bw_cold: memcpy of the whole cold mapping into a
 *			buffer; seq_bw_hot: the same copy again, all resident
 *
 * "First touch" means the file's pages are not in the page cache when the
 * pass starts.  With -e fadvise (the default) each cold pass does, on the
 * previous mapping: msync, munmap; on the file: fsync, then
 * posix_fadvise(POSIX_FADV_DONTNEED), which drops the clean unmapped pages
 * of the file from the page cache; FUSE files then fault with a READ.  The
 * new mapping is checked with mincore(2) before the clock starts; if pages
 * are still resident the eviction is retried (bounded), and the largest
 * number left over is printed as evict_leftover.  With -e none nothing is
 * evicted (tmpfs: the page cache is the file), and resident_at_start says
 * how many pages were resident.
 *
 * With -r (reopen), each cold pass, once the pages are evicted, closes
 * the file, lets the daemon see the close (2 ms, not timed), and opens it
 * again -- read-only for a read pass, read-write for a write pass -- and
 * the open(2) is timed on its own: NAME_open, ns per page of the file.
 * That is for filesystems that push pages into the page cache at open
 * (devpagerfs prefault=open): the push is paid in the open, the touch is
 * timed as usual, so the two costs are printed apart.
 *
 * Output: comment lines start with '#'; every other line is
 *	NAME VALUE UNIT
 * with VALUE the median over the repetitions.  *_majflt and *_minflt are
 * the median page-fault counts of one pass (getrusage), a cross-check
 * that a cold pass really went to the filesystem (major faults) and how
 * much fault-around did.  Exit status: 0, 1 on a usage or system error, 3
 * when a fault failed (SIGBUS).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kern/size.h"

#define	FB_REPS_DEFAULT		5
#define	FB_REPS_MAX		101
#define	FB_METRICS_MAX		32
#define	FB_EVICT_TRIES		5

#define	FB_T_SEQ_READ		0x01
#define	FB_T_SEQ_WRITE		0x02
#define	FB_T_RAND_READ		0x04
#define	FB_T_RAND_WRITE		0x08
#define	FB_T_RETOUCH		0x10
#define	FB_T_BANDWIDTH		0x20
#define	FB_T_ALL		0x3f

struct fb_metric {
	char		 name[48];
	const char	*unit;
	int		 n;
	double		 v[FB_REPS_MAX];
};

struct fb_faults {
	long		 majflt;
	long		 minflt;
};

static struct fb {
	const char	*path;
	int		 fd;
	size_t		 size;
	size_t		 pgsz;
	size_t		 npages;
	size_t		*perm;		/* random page order */
	char		*copybuf;	/* bandwidth destination */
	bool		 evict;
	bool		 reopen;	/* -r */
	size_t		 evict_leftover;
	size_t		 resident_at_start;
	int		 nmetrics;
	struct fb_metric metrics[FB_METRICS_MAX];
} fb;

static volatile uint64_t fb_sink;

static void	usage(void) __attribute__((__noreturn__));
static void	fb_err(const char *what) __attribute__((__noreturn__));
static void	fb_sigbus(int sig);
static int	fb_parse_size(const char *arg, size_t *sizep);
static int	fb_parse_tests(const char *arg, unsigned *maskp);
static uint64_t	fb_now_ns(void);
static void	fb_faults_now(struct fb_faults *f);
static void	fb_record(const char *name, const char *unit, double v);
static int	fb_cmp_double(const void *a, const void *b);
static void	fb_report(void);
static void	fb_make_perm(void);
static size_t	fb_resident(char *p);
static void	fb_evict(void);
static char	*fb_map(int prot, bool cold);
static char	*fb_map_cold(const char *name, int prot);
static void	fb_unmap(char *p, bool dirty);
static double	fb_touch(char *p, const size_t *order, bool write,
		    unsigned char val, struct fb_faults *df);
static void	fb_cold_pass(const char *name, const size_t *order, bool write,
		    unsigned char val, bool retouch);
static void	fb_bandwidth(void);

static void
usage(void)
{

	fprintf(stderr,
	    "usage: fault_bench [-r] [-n REPS] [-s SIZE] "
	    "[-t TEST[,TEST...]] [-e fadvise|none] FILE\n"
	    "  TEST: seq_read seq_write rand_read rand_write retouch "
	    "bandwidth all\n");
	exit(1);
}

static void
fb_err(const char *what)
{

	fprintf(stderr, "fault_bench: %s: %s: %s\n", fb.path, what,
	    strerror(errno));
	exit(1);
}

/* A fault the filesystem failed: say so and stop (no stdio here). */
static void
fb_sigbus(int sig)
{
	static const char msg[] =
	    "fault_bench: SIGBUS: the filesystem failed a page fault\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(3);
}

/* SIZE, the project's syntax (kern/size.h), within size_t. */
static int
fb_parse_size(const char *arg, size_t *sizep)
{
	uint64_t v;

	if (size_parse(arg, &v) != 0 || v > SIZE_MAX)
		return (-1);
	*sizep = (size_t)v;
	return (0);
}

static int
fb_parse_tests(const char *arg, unsigned *maskp)
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} names[] = {
		{ "seq_read", FB_T_SEQ_READ },
		{ "seq_write", FB_T_SEQ_WRITE },
		{ "rand_read", FB_T_RAND_READ },
		{ "rand_write", FB_T_RAND_WRITE },
		{ "retouch", FB_T_RETOUCH },
		{ "bandwidth", FB_T_BANDWIDTH },
		{ "all", FB_T_ALL },
	};
	const char *p, *comma;
	size_t i, len;
	unsigned mask;

	mask = 0;
	for (p = arg; *p != '\0'; p = *comma == ',' ? comma + 1 : comma) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		len = (size_t)(comma - p);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len &&
			    strncmp(names[i].name, p, len) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return (-1);
		mask |= names[i].bit;
	}
	if (mask == 0)
		return (-1);
	*maskp = mask;
	return (0);
}

static uint64_t
fb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static void
fb_faults_now(struct fb_faults *f)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	f->majflt = ru.ru_majflt;
	f->minflt = ru.ru_minflt;
}

/* Add one repetition's value to metric name (created on first use). */
static void
fb_record(const char *name, const char *unit, double v)
{
	struct fb_metric *m;
	int i;

	for (i = 0; i < fb.nmetrics; i++)
		if (strcmp(fb.metrics[i].name, name) == 0)
			break;
	if (i == fb.nmetrics) {
		if (fb.nmetrics == FB_METRICS_MAX) {
			fprintf(stderr, "fault_bench: too many metrics\n");
			exit(1);
		}
		fb.nmetrics++;
		snprintf(fb.metrics[i].name, sizeof(fb.metrics[i].name),
		    "%s", name);
		fb.metrics[i].unit = unit;
		fb.metrics[i].n = 0;
	}
	m = &fb.metrics[i];
	if (m->n < FB_REPS_MAX)
		m->v[m->n++] = v;
}

static int
fb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

static void
fb_report(void)
{
	struct fb_metric *m;
	double med;
	int i;

	for (i = 0; i < fb.nmetrics; i++) {
		m = &fb.metrics[i];
		qsort(m->v, (size_t)m->n, sizeof(m->v[0]), fb_cmp_double);
		if (m->n % 2 == 1)
			med = m->v[m->n / 2];
		else
			med = (m->v[m->n / 2 - 1] + m->v[m->n / 2]) / 2;
		printf("%s %.1f %s\n", m->name, med, m->unit);
	}
	if (fb.evict)
		printf("evict_leftover %zu pages\n", fb.evict_leftover);
	else
		printf("resident_at_start %zu pages\n", fb.resident_at_start);
}

/* A fixed pseudo-random permutation of the pages (xorshift64). */
static void
fb_make_perm(void)
{
	uint64_t x;
	size_t i, j, t;

	fb.perm = malloc(fb.npages * sizeof(*fb.perm));
	if (fb.perm == NULL)
		fb_err("malloc");
	for (i = 0; i < fb.npages; i++)
		fb.perm[i] = i;
	x = 0x9e3779b97f4a7c15ULL;
	for (i = fb.npages - 1; i > 0; i--) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = fb.perm[i];
		fb.perm[i] = fb.perm[j];
		fb.perm[j] = t;
	}
}

/* How many pages of the mapping are in the page cache (no fault taken). */
static size_t
fb_resident(char *p)
{
	unsigned char vec[1024];
	size_t off, chunk, i, n;

	n = 0;
	for (off = 0; off < fb.npages; off += chunk) {
		chunk = fb.npages - off;
		if (chunk > sizeof(vec))
			chunk = sizeof(vec);
		if (mincore(p + off * fb.pgsz, chunk * fb.pgsz, vec) != 0)
			fb_err("mincore");
		for (i = 0; i < chunk; i++)
			n += vec[i] & 1;
	}
	return (n);
}

/*
 * Drop the file's pages from the page cache.  The file must not be
 * mapped.  fsync first: fadvise leaves dirty or writeback pages alone.
 */
static void
fb_evict(void)
{

	if (fsync(fb.fd) != 0 && errno != EINVAL && errno != ENOSYS)
		fb_err("fsync");
	errno = posix_fadvise(fb.fd, 0, (off_t)fb.size, POSIX_FADV_DONTNEED);
	if (errno != 0)
		fb_err("posix_fadvise(DONTNEED)");
}

/*
 * A fresh mapping of the file.  cold: with -e fadvise, make sure none of
 * its pages is cached first (bounded retries).
 */
static char *
fb_map(int prot, bool cold)
{
	char *p;
	size_t left;
	int tries;

	for (tries = 0;; tries++) {
		if (cold && fb.evict)
			fb_evict();
		p = mmap(NULL, fb.size, prot, MAP_SHARED, fb.fd, 0);
		if (p == MAP_FAILED)
			fb_err("mmap");
		if (!cold)
			return (p);
		left = fb_resident(p);
		if (!fb.evict) {
			if (left > fb.resident_at_start)
				fb.resident_at_start = left;
			return (p);
		}
		if (left == 0 || tries + 1 == FB_EVICT_TRIES) {
			if (left > fb.evict_leftover)
				fb.evict_leftover = left;
			return (p);
		}
		if (munmap(p, fb.size) != 0)
			fb_err("munmap");
	}
}

/*
 * The mapping of a cold pass: fb_map's; with -r, the file is closed and
 * opened again once the pages are gone, the open timed as NAME_open.
 */
static char *
fb_map_cold(const char *name, int prot)
{
	struct timespec settle = { 0, 2000000 };
	char mname[64];
	uint64_t t0, t1;
	char *p;

	if (!fb.reopen)
		return (fb_map(prot, true));
	/* The descriptor may be read-only: check the eviction read-only. */
	p = fb_map(PROT_READ, true);
	if (munmap(p, fb.size) != 0)
		fb_err("munmap");
	if (close(fb.fd) != 0)
		fb_err("close");
	/* FUSE sends RELEASE after close(2) returns: let it arrive. */
	nanosleep(&settle, NULL);
	t0 = fb_now_ns();
	fb.fd = open(fb.path, (prot & PROT_WRITE) != 0 ? O_RDWR : O_RDONLY);
	t1 = fb_now_ns();
	if (fb.fd < 0)
		fb_err("open");
	snprintf(mname, sizeof(mname), "%s_open", name);
	fb_record(mname, "ns/page", (double)(t1 - t0) / (double)fb.npages);
	p = mmap(NULL, fb.size, prot, MAP_SHARED, fb.fd, 0);
	if (p == MAP_FAILED)
		fb_err("mmap");
	return (p);
}

static void
fb_unmap(char *p, bool dirty)
{

	if (dirty && msync(p, fb.size, MS_SYNC) != 0)
		fb_err("msync");
	if (munmap(p, fb.size) != 0)
		fb_err("munmap");
}

/*
 * Touch one byte of every page, in the given order (NULL: ascending).
 * Return the time per page in ns; the fault counts of the pass in *df.
 */
static double
fb_touch(char *p, const size_t *order, bool write, unsigned char val,
    struct fb_faults *df)
{
	struct fb_faults f0, f1;
	volatile unsigned char *vp;
	uint64_t t0, t1, sum;
	size_t i, pg;

	vp = (volatile unsigned char *)p;
	sum = 0;
	fb_faults_now(&f0);
	t0 = fb_now_ns();
	for (i = 0; i < fb.npages; i++) {
		pg = order != NULL ? order[i] : i;
		if (write)
			vp[pg * fb.pgsz] = val;
		else
			sum += vp[pg * fb.pgsz];
	}
	t1 = fb_now_ns();
	fb_faults_now(&f1);
	fb_sink += sum;
	if (df != NULL) {
		df->majflt = f1.majflt - f0.majflt;
		df->minflt = f1.minflt - f0.minflt;
	}
	return ((double)(t1 - t0) / (double)fb.npages);
}

/* One cold pass of a first-touch test. */
static void
fb_cold_pass(const char *name, const size_t *order, bool write,
    unsigned char val, bool retouch)
{
	struct fb_faults df;
	char mname[64];
	char *p;
	uint64_t t0, t1;

	p = fb_map_cold(name, write ? PROT_READ | PROT_WRITE : PROT_READ);
	fb_record(name, "ns/page", fb_touch(p, order, write, val, &df));
	snprintf(mname, sizeof(mname), "%s_majflt", name);
	fb_record(mname, "faults", (double)df.majflt);
	snprintf(mname, sizeof(mname), "%s_minflt", name);
	fb_record(mname, "faults", (double)df.minflt);
	if (write) {
		t0 = fb_now_ns();
		if (msync(p, fb.size, MS_SYNC) != 0)
			fb_err("msync");
		t1 = fb_now_ns();
		snprintf(mname, sizeof(mname), "%s_flush", name);
		fb_record(mname, "ns/page",
		    (double)(t1 - t0) / (double)fb.npages);
	}
	if (retouch) {
		/* The same mapping again: every PTE is present. */
		fb_record("retouch_mapped", "ns/page",
		    fb_touch(p, NULL, false, 0, NULL));
		fb_unmap(p, false);
		/* A new mapping over cached pages: minor faults only. */
		p = fb_map(PROT_READ, false);
		fb_record("retouch", "ns/page",
		    fb_touch(p, NULL, false, 0, &df));
		fb_record("retouch_majflt", "faults", (double)df.majflt);
	}
	fb_unmap(p, false);
}

static void
fb_bandwidth(void)
{
	char *p;
	uint64_t t0, t1;
	double mib;

	mib = (double)fb.size / (1024.0 * 1024.0);
	p = fb_map_cold("seq_bw_cold", PROT_READ);
	t0 = fb_now_ns();
	memcpy(fb.copybuf, p, fb.size);
	t1 = fb_now_ns();
	fb_record("seq_bw_cold", "MiB/s", mib / ((double)(t1 - t0) / 1e9));
	t0 = fb_now_ns();
	memcpy(fb.copybuf, p, fb.size);
	t1 = fb_now_ns();
	fb_record("seq_bw_hot", "MiB/s", mib / ((double)(t1 - t0) / 1e9));
	fb_sink += (unsigned char)fb.copybuf[fb.size - 1];
	fb_unmap(p, false);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	struct stat st;
	unsigned tests;
	size_t size;
	char *end;
	long reps;
	int ch, rep;
	bool size_set;

	reps = FB_REPS_DEFAULT;
	tests = FB_T_ALL;
	size = 0;
	size_set = false;
	fb.evict = true;
	while ((ch = getopt(argc, argv, "e:n:rs:t:")) != -1) {
		switch (ch) {
		case 'r':
			fb.reopen = true;
			break;
		case 'e':
			if (strcmp(optarg, "fadvise") == 0)
				fb.evict = true;
			else if (strcmp(optarg, "none") == 0)
				fb.evict = false;
			else
				usage();
			break;
		case 'n':
			errno = 0;
			reps = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || reps < 1 ||
			    reps > FB_REPS_MAX)
				usage();
			break;
		case 's':
			if (fb_parse_size(optarg, &size) != 0 || size == 0)
				usage();
			size_set = true;
			break;
		case 't':
			if (fb_parse_tests(optarg, &tests) != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	fb.path = argv[optind];
	fb.pgsz = (size_t)sysconf(_SC_PAGESIZE);

	fb.fd = open(fb.path, O_RDWR);
	if (fb.fd < 0)
		fb_err("open");
	if (fstat(fb.fd, &st) != 0)
		fb_err("fstat");
	if (!size_set)
		size = (size_t)st.st_size;
	size -= size % fb.pgsz;
	if (size == 0 || (off_t)size > st.st_size) {
		fprintf(stderr, "fault_bench: %s: size %zu: the file has "
		    "%lld bytes\n", fb.path, size, (long long)st.st_size);
		exit(1);
	}
	fb.size = size;
	fb.npages = size / fb.pgsz;
	fb_make_perm();
	fb.copybuf = malloc(fb.size);
	if (fb.copybuf == NULL)
		fb_err("malloc");
	memset(fb.copybuf, 0, fb.size);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fb_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		fb_err("sigaction");

	printf("# fault_bench file=%s size=%zu pages=%zu reps=%ld evict=%s%s\n",
	    fb.path, fb.size, fb.npages, reps, fb.evict ? "fadvise" : "none",
	    fb.reopen ? " reopen" : "");
	fb_cold_pass("first_read", NULL, false, 0, false);
	for (rep = 0; rep < reps; rep++) {
		if ((tests & (FB_T_SEQ_READ | FB_T_RETOUCH)) != 0)
			fb_cold_pass("seq_read", NULL, false, 0,
			    (tests & FB_T_RETOUCH) != 0);
		if ((tests & FB_T_SEQ_WRITE) != 0)
			fb_cold_pass("seq_write", NULL, true,
			    (unsigned char)(rep + 1), false);
		if ((tests & FB_T_RAND_READ) != 0)
			fb_cold_pass("rand_read", fb.perm, false, 0, false);
		if ((tests & FB_T_RAND_WRITE) != 0)
			fb_cold_pass("rand_write", fb.perm, true,
			    (unsigned char)(rep + 101), false);
		if ((tests & FB_T_BANDWIDTH) != 0)
			fb_bandwidth();
	}
	fb_report();
	if (fflush(stdout) != 0)
		fb_err("stdout");
	free(fb.perm);
	free(fb.copybuf);
	close(fb.fd);
	return (0);
}
