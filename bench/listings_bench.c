/*
 * listings_bench: what reading the vm/ listings costs as devices and
 * objects pile up (issue 15, "listings that scale").
 *
 *	listings_bench [-n DEVICES] [-r REPS] [-s SAMPLES] [-p PREFIX] MNT
 *
 * On a mount MNT of devpagerfs, in this order:
 *
 * 1. The floor: vm/devices and vm/stats read REPS times (default 21)
 *    with only the devices that were there.
 * 2. DEVICES ram devices (default 10000) of one page each, made by
 *    "create PREFIXn driver=ram size=4K" commands written to vm/ctl;
 *    at five checkpoints (1/20, 1/10, 1/5, 2/5 and all of them)
 *    vm/devices is read REPS times.
 * 3. Every new device is opened, mapped (MAP_SHARED, one page), touched
 *    (a fault: the node's VM object is made) and closed; the mappings
 *    stay, so the objects do.  At the same checkpoints vm/objects is read
 *    REPS times, and vm/object/ID/info once for SAMPLES/5 of the objects
 *    made since the last checkpoint: the slope of that time over the
 *    number of objects is what a lookup by id costs per object.
 * 4. vm/object/ID/info for SAMPLES ids (default 2000) spread evenly over
 *    all the objects' ids, each read once ("cold": most names were never
 *    looked up, so a read is a LOOKUP of ID and of info, OPEN, two READs
 *    -- the second finds the end -- and RELEASE), then the same ids again
 *    ("warm": the names are still in the kernel's dentry cache, only
 *    OPEN, READs and RELEASE reach the daemon).
 *    With -m MINFS (a mount of bench/minfs), each of those reads is
 *    followed (every other time preceded) by the same requests on the
 *    minimal file system, the floor FUSE itself sets: MINFS/dI/stats,
 *    a directory and a per-open, direct_io text file that minfs makes
 *    for any number I, read the same way (cold: LOOKUP of dI, LOOKUP
 *    of stats -- two new inodes --, OPEN, READ, READ, RELEASE; warm:
 *    the names cached).  Printed as floor_info_cold/warm and the ratios
 *    of devpagerfs to them.
 * 5. The devices are destroyed again through vm/ctl (after munmap).
 *
 * A "read" of a file is open(2), read(2) with a 128 KiB buffer until end
 * of file (what cat(1) does), close(2), timed with CLOCK_MONOTONIC in this
 * process: no fork or exec, which alone is a few milliseconds and is not
 * the daemon's cost.  Reported times are medians.  The cost per line is
 * the least-squares slope of time over lines through the floor and the
 * checkpoints; the floor is the median time of the first step, and the
 * intercept of the fit is printed too.
 *
 * Output: "NAME VALUE UNIT [# comment]" lines, and at the end the
 * targets of issue 15 with "ok" or "MISSED".  Lines starting with '#'
 * are progress.  Exit status 0 when everything ran (a missed target is a
 * finding, not a failure), 1 when a step failed, 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define	NCHECK			5
#define	READ_BUF		(128 * 1024)
#define	TARGET_DEV_LINE_US	2.0
#define	TARGET_FLOOR_US		1000.0
#define	TARGET_INFO_US		50.0
#define	TARGET_OBJECTS_US	20000.0

struct point {
	double		 lines;		/* lines of the file */
	double		 us;		/* median read time */
};

static uint64_t	*object_ids(const char *text, size_t *np);

static char	*mnt;
static char	*minfs;		/* -m: a mount of bench/minfs, or NULL */
static char	*readbuf;
static const char *prefix = "lb";

static void
usage(void)
{

	fprintf(stderr, "usage: listings_bench [-n DEVICES] [-r REPS] "
	    "[-s SAMPLES] [-p PREFIX] [-m MINFS] MNT\n");
	exit(2);
}

static unsigned long
num(const char *s, unsigned long min, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '-' || v < min || v > max)
		usage();
	return (v);
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
median(double *v, size_t n)
{

	qsort(v, n, sizeof(*v), cmp_double);
	return (n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

static void
fail(const char *what, const char *path)
{

	fprintf(stderr, "listings_bench: %s %s: %s\n", what, path,
	    strerror(errno));
	exit(1);
}

/*
 * Read the whole of path as cat(1) would; the time it took, in µs.  If
 * linesp is not NULL, the number of lines; if textp is not NULL, a
 * malloc'ed copy of the text.
 */
static double
read_file(const char *path, size_t *linesp, char **textp)
{
	char *text, *nt;
	size_t len, lines;
	ssize_t n;
	double t0, t1;
	int fd;

	text = NULL;
	len = 0;
	lines = 0;
	t0 = now_us();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail("open", path);
	while ((n = read(fd, readbuf, READ_BUF)) > 0) {
		if (linesp != NULL)
			for (ssize_t i = 0; i < n; i++)
				lines += readbuf[i] == '\n';
		if (textp != NULL) {
			nt = realloc(text, len + (size_t)n + 1);
			if (nt == NULL)
				fail("realloc for", path);
			text = nt;
			memcpy(text + len, readbuf, (size_t)n);
			len += (size_t)n;
			text[len] = '\0';
		}
	}
	if (n < 0)
		fail("read", path);
	close(fd);
	t1 = now_us();
	if (linesp != NULL)
		*linesp = lines;
	if (textp != NULL)
		*textp = text;
	return (t1 - t0);
}

/* Median of reps reads of MNT/name; *linesp its lines. */
static double
time_file(const char *name, unsigned reps, size_t *linesp)
{
	char path[4096];
	double *t, m;
	unsigned i;

	snprintf(path, sizeof(path), "%s/%s", mnt, name);
	t = calloc(reps, sizeof(*t));
	if (t == NULL)
		fail("calloc for", path);
	for (i = 0; i < reps; i++)
		t[i] = read_file(path, linesp, NULL);
	m = median(t, reps);
	free(t);
	return (m);
}

/* One command on vm/ctl (open for reading and writing); exit on error
 * with the daemon's message. */
/*
 * The floor of info read i on the minimal file system (-m): its file
 * dI/stats, a directory and a file of their own as vm/object/ID/info
 * are (the first read of it looks both up), read as read_file does.
 * In µs.
 */
static double
floor_read(size_t i)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/d%zu/stats", minfs, i);
	return (read_file(path, NULL, NULL));
}

/*
 * Median time of reading vm/object/ID/info for n objects spread over the
 * ids in vm/objects that have not been read by time_info before (so that
 * every read looks ID and info up in the daemon).
 */
static double
time_info(size_t n)
{
	static uint64_t last_id;
	char path[4096], *text;
	uint64_t *ids, maxid;
	size_t nids, i, j, k;
	double *t, m;

	snprintf(path, sizeof(path), "%s/vm/objects", mnt);
	(void)read_file(path, NULL, &text);
	ids = object_ids(text != NULL ? text : "", &nids);
	free(text);
	/* The ids not read before (the objects made since the last call). */
	maxid = last_id;
	for (i = j = 0; i < nids; i++) {
		if (ids[i] > last_id)
			ids[j++] = ids[i];
		if (ids[i] > maxid)
			maxid = ids[i];
	}
	last_id = maxid;
	if (j == 0) {
		free(ids);
		return (0);
	}
	if (n > j)
		n = j;
	t = calloc(n, sizeof(*t));
	if (t == NULL)
		fail("calloc for", "samples");
	for (k = 0; k < n; k++) {
		snprintf(path, sizeof(path), "%s/vm/object/%" PRIu64 "/info",
		    mnt, ids[n == 1 ? 0 : k * (j - 1) / (n - 1)]);
		t[k] = read_file(path, NULL, NULL);
	}
	m = median(t, n);
	free(t);
	free(ids);
	return (m);
}

static void
ctl(int fd, const char *cmd)
{
	char msg[512];
	ssize_t n;
	int error;

	if (write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
		return;
	error = errno;
	n = pread(fd, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	fprintf(stderr, "listings_bench: vm/ctl '%s': %s: %s\n", cmd,
	    strerror(error), msg);
	exit(1);
}

/* Least-squares slope and intercept of us over lines. */
static void
fit(const struct point *p, size_t n, double *slope, double *icept)
{
	double sx, sy, sxx, sxy, d;
	size_t i;

	sx = sy = sxx = sxy = 0;
	for (i = 0; i < n; i++) {
		sx += p[i].lines;
		sy += p[i].us;
		sxx += p[i].lines * p[i].lines;
		sxy += p[i].lines * p[i].us;
	}
	d = (double)n * sxx - sx * sx;
	*slope = d != 0 ? ((double)n * sxy - sx * sy) / d : 0;
	*icept = (sy - *slope * sx) / (double)n;
}

static const char *
verdict(double v, double target)
{

	return (v <= target ? "ok" : "MISSED");
}

/* The ids in the text of vm/objects whose PATH is dev/PREFIX...; count. */
static uint64_t *
object_ids(const char *text, size_t *np)
{
	char want[64], path[256];
	const char *line;
	uint64_t *ids, id;
	size_t n, alloc;

	snprintf(want, sizeof(want), "dev/%s", prefix);
	ids = NULL;
	n = alloc = 0;
	for (line = text; line != NULL && *line != '\0';
	    line = strchr(line, '\n'), line = line != NULL ? line + 1 : NULL) {
		if (sscanf(line, "%" SCNu64 " %*s %*s %*s %*s %*s %*s %*s %255s",
		    &id, path) != 2 || strncmp(path, want, strlen(want)) != 0)
			continue;
		if (n == alloc) {
			alloc = alloc == 0 ? 1024 : alloc * 2;
			ids = reallocarray(ids, alloc, sizeof(*ids));
			if (ids == NULL)
				fail("reallocarray for", "ids");
		}
		ids[n++] = id;
	}
	*np = n;
	return (ids);
}

int
main(int argc, char **argv)
{
	struct point dpts[NCHECK + 1], opts[NCHECK + 1], ipts[NCHECK];
	char path[4096], cmd[128], *text;
	size_t ndev, reps, samples, lines, base_lines, nids, i, c, k;
	size_t checks[NCHECK];
	uint64_t *ids;
	double floor_dev, floor_stats, dslope, dicept, oslope, oicept;
	double objects_us, info_cold, info_warm, islope, iicept, t0, tset, *t;
	double floor_cold, floor_warm, *ft;
	void **maps;
	int ch, ctlfd, fd;

	ndev = 10000;
	reps = 21;
	samples = 2000;
	while ((ch = getopt(argc, argv, "n:r:s:p:m:")) != -1) {
		switch (ch) {
		case 'n':
			ndev = num(optarg, 20, 100000);
			break;
		case 'r':
			reps = num(optarg, 1, 1001);
			break;
		case 's':
			samples = num(optarg, 1, 100000);
			break;
		case 'm':
			minfs = optarg;
			break;
		case 'p':
			prefix = optarg;
			if (strlen(prefix) == 0 || strlen(prefix) > 16)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	mnt = argv[optind];
	readbuf = malloc(READ_BUF);
	maps = calloc(ndev, sizeof(*maps));
	if (readbuf == NULL || maps == NULL)
		fail("malloc for", "buffers");
	for (c = 0; c < NCHECK; c++)
		checks[c] = c == NCHECK - 1 ? ndev :
		    ndev * (c == 0 ? 1 : 2 << (c - 1)) / 20;

	/* 1. The floor. */
	floor_dev = time_file("vm/devices", reps, &base_lines);
	floor_stats = time_file("vm/stats", reps, &lines);
	printf("floor_devices %.1f us # %zu lines\n", floor_dev, base_lines);
	printf("floor_stats %.1f us # %zu lines\n", floor_stats, lines);
	dpts[0].lines = (double)base_lines;
	dpts[0].us = floor_dev;
	fflush(stdout);

	/* 2. Devices. */
	snprintf(path, sizeof(path), "%s/vm/ctl", mnt);
	ctlfd = open(path, O_RDWR);
	if (ctlfd < 0)
		fail("open", path);
	tset = 0;
	for (i = 0, c = 0; c < NCHECK; c++) {
		t0 = now_us();
		for (; i < checks[c]; i++) {
			snprintf(cmd, sizeof(cmd), "create %s%zu driver=ram "
			    "size=4K", prefix, i);
			ctl(ctlfd, cmd);
		}
		tset += now_us() - t0;
		dpts[c + 1].us = time_file("vm/devices", reps, &lines);
		dpts[c + 1].lines = (double)lines;
		printf("# devices %zu: vm/devices %zu lines %.1f us\n",
		    checks[c], lines, dpts[c + 1].us);
		fflush(stdout);
	}
	printf("create_devices %.1f us/device\n", tset / (double)ndev);
	fit(dpts, NCHECK + 1, &dslope, &dicept);
	printf("devices_%zu %.1f us # %.0f lines\n", ndev, dpts[NCHECK].us,
	    dpts[NCHECK].lines);
	printf("devices_per_line %.3f us # least-squares slope\n", dslope);
	printf("devices_intercept %.1f us # of the fit\n", dicept);
	fflush(stdout);

	/* 3. Objects: map and touch every device. */
	(void)time_file("vm/objects", 1, &lines);
	opts[0].lines = (double)lines;
	opts[0].us = time_file("vm/objects", reps, &lines);
	tset = 0;
	for (i = 0, c = 0; c < NCHECK; c++) {
		t0 = now_us();
		for (; i < checks[c]; i++) {
			snprintf(path, sizeof(path), "%s/dev/%s%zu", mnt,
			    prefix, i);
			fd = open(path, O_RDWR);
			if (fd < 0)
				fail("open", path);
			maps[i] = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED, fd, 0);
			if (maps[i] == MAP_FAILED)
				fail("mmap", path);
			(void)*(volatile char *)maps[i];
			close(fd);
		}
		tset += now_us() - t0;
		opts[c + 1].us = time_file("vm/objects", reps, &lines);
		opts[c + 1].lines = (double)lines;
		ipts[c].lines = (double)checks[c];
		ipts[c].us = time_info(samples / NCHECK + 1);
		printf("# objects %zu: vm/objects %zu lines %.1f us, "
		    "info %.1f us\n", checks[c], lines, opts[c + 1].us,
		    ipts[c].us);
		fflush(stdout);
	}
	printf("map_objects %.1f us/object\n", tset / (double)ndev);
	objects_us = opts[NCHECK].us;
	fit(opts, NCHECK + 1, &oslope, &oicept);
	printf("objects_%zu %.1f us # %.0f lines\n", ndev, objects_us,
	    opts[NCHECK].lines);
	printf("objects_per_line %.3f us # least-squares slope\n", oslope);
	fit(ipts, NCHECK, &islope, &iicept);
	printf("info_per_1000_objects %.2f us # least-squares slope of "
	    "info_cold over objects\n", islope * 1000);

	/* 4. vm/object/ID/info. */
	snprintf(path, sizeof(path), "%s/vm/objects", mnt);
	(void)read_file(path, NULL, &text);
	ids = object_ids(text != NULL ? text : "", &nids);
	free(text);
	if (nids != ndev) {
		fprintf(stderr, "listings_bench: %zu of %zu objects listed\n",
		    nids, ndev);
		exit(1);
	}
	if (samples > nids)
		samples = nids;
	t = calloc(samples, sizeof(*t));
	ft = calloc(samples, sizeof(*ft));
	if (t == NULL || ft == NULL)
		fail("calloc for", "samples");
	floor_cold = floor_warm = 0;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < samples; i++) {
			snprintf(path, sizeof(path), "%s/vm/object/%" PRIu64
			    "/info", mnt, ids[samples == 1 ? 0 :
			    i * (nids - 1) / (samples - 1)]);
			/* Every other sample the floor goes first. */
			if (minfs != NULL && i % 2 == 1)
				ft[i] = floor_read(i);
			t[i] = read_file(path, NULL, NULL);
			if (minfs != NULL && i % 2 == 0)
				ft[i] = floor_read(i);
		}
		if (k == 0)
			info_cold = median(t, samples);
		else
			info_warm = median(t, samples);
		if (minfs != NULL && k == 0)
			floor_cold = median(ft, samples);
		else if (minfs != NULL)
			floor_warm = median(ft, samples);
	}
	free(ft);
	free(t);
	free(ids);
	printf("info_cold %.1f us # %zu ids, first read of each\n",
	    info_cold, samples);
	printf("info_warm %.1f us # the same ids again\n", info_warm);
	if (minfs != NULL) {
		printf("floor_info_cold %.1f us # minfs dI/stats: 2 LOOKUPs, "
		    "OPEN, 2 READs\n", floor_cold);
		printf("floor_info_warm %.1f us # minfs dI/stats again: OPEN, "
		    "2 READs\n", floor_warm);
		printf("info_cold_vs_floor %.2f\n", info_cold / floor_cold);
		printf("info_warm_vs_floor %.2f\n", info_warm / floor_warm);
	}

	/* 5. Clean up. */
	for (i = 0; i < ndev; i++)
		munmap(maps[i], 4096);
	t0 = now_us();
	for (i = 0; i < ndev; i++) {
		snprintf(cmd, sizeof(cmd), "destroy %s%zu", prefix, i);
		ctl(ctlfd, cmd);
	}
	printf("destroy_devices %.1f us/device\n",
	    (now_us() - t0) / (double)ndev);
	close(ctlfd);

	printf("target devices_per_line %.3f <= %.1f us %s\n", dslope,
	    TARGET_DEV_LINE_US, verdict(dslope, TARGET_DEV_LINE_US));
	printf("target floor_devices %.1f <= %.0f us %s\n", floor_dev,
	    TARGET_FLOOR_US, verdict(floor_dev, TARGET_FLOOR_US));
	printf("target info_cold %.1f <= %.0f us %s (%zu objects",
	    info_cold, TARGET_INFO_US, verdict(info_cold, TARGET_INFO_US),
	    ndev);
	if (minfs != NULL)
		printf("; the same requests on minfs: %.1f us", floor_cold);
	printf(")\n");
	printf("target objects_%zu %.1f <= %.0f us %s\n", ndev, objects_us,
	    TARGET_OBJECTS_US, verdict(objects_us, TARGET_OBJECTS_US));
	free(maps);
	free(readbuf);
	return (0);
}
