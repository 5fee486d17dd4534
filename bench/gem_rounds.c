/*
 * gem_rounds: create / map / destroy rounds on one open of a gem node
 * (issue 11).
 *
 *	gem_rounds [-n ROUNDS] [-w WINDOW] [-s SIZE] [-p vram|system]
 *	    [-t SECONDS] [-q] FILE
 *
 * One open(2) of FILE (MNT/dev/gem0), then ROUNDS times (default
 * 100000): DEVPAGER_GEM_IOC_CREATE of SIZE bytes (default 4096) in the
 * placement (default vram), mmap(2) of the buffer at the offset the
 * create gave, a load from its first page (a fault: one READ through the
 * VM), munmap(2), DEVPAGER_GEM_IOC_DESTROY.  Each round is timed with
 * CLOCK_MONOTONIC.  For the first and the last WINDOW rounds (default
 * 10000) the mean and the median time per round are printed, and the
 * ratios last / first of both, with the target of issue 11 (<= 1.2);
 * the median is the figure that a busy machine disturbs least.  Then the
 * mean time of each step (create, mmap + fault + munmap, destroy) over
 * all rounds.  Output lines are "NAME VALUE UNIT ..."; lines starting
 * with '#' are progress, one per WINDOW rounds, which -q leaves out.
 *
 * Exit status: 0 when every round ran (a missed target is a finding,
 * not a failure); 1 when a round failed (the round and the error are
 * printed; on the old code the creates failed with ENOMEM after 32767
 * rounds) or -t SECONDS passed first; 2 on a usage error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devpager/gem_ioctl.h"

#define	TARGET_RATIO	1.2

static void
usage(void)
{

	fprintf(stderr, "usage: gem_rounds [-n ROUNDS] [-w WINDOW] [-s SIZE] "
	    "[-p vram|system] [-t SECONDS] [-q] FILE\n");
	exit(2);
}

static uint64_t
num(const char *s, uint64_t min)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || s[0] == '-' || v < min)
		usage();
	return (v);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

/* Median of n values in microseconds (sorts v). */
static double
median_us(uint32_t *v, uint64_t n)
{

	qsort(v, (size_t)n, sizeof(*v), cmp_u32);
	if (n % 2 == 1)
		return (v[n / 2] / 1000.0);
	return (((double)v[n / 2 - 1] + v[n / 2]) / 2000.0);
}

/*
 * One round; 0 or the errno of the step that failed (*stepp).  steps[]
 * gets the nanoseconds of create, map and destroy added.
 */
static int
round_once(int fd, uint64_t size, uint32_t placement, const char **stepp,
    uint64_t steps[3])
{
	uint64_t t0, t1, t2, t3;
	struct devpager_gem_create gc;
	struct devpager_gem_destroy gd;
	volatile unsigned char *p;
	unsigned char c;
	int error;

	memset(&gc, 0, sizeof(gc));
	gc.size = size;
	gc.placement = placement;
	*stepp = "create";
	t0 = now_ns();
	if (ioctl(fd, DEVPAGER_GEM_IOC_CREATE, &gc) != 0)
		return (errno);
	t1 = now_ns();
	*stepp = "mmap";
	p = mmap(NULL, (size_t)gc.size, PROT_READ, MAP_SHARED, fd,
	    (off_t)gc.offset);
	error = 0;
	if (p == MAP_FAILED)
		error = errno;
	else {
		c = p[0];
		(void)c;
		munmap((void *)(uintptr_t)p, (size_t)gc.size);
	}
	t2 = now_ns();
	memset(&gd, 0, sizeof(gd));
	gd.handle = gc.handle;
	if (ioctl(fd, DEVPAGER_GEM_IOC_DESTROY, &gd) != 0 && error == 0) {
		*stepp = "destroy";
		error = errno;
	}
	t3 = now_ns();
	steps[0] += t1 - t0;
	steps[1] += t2 - t1;
	steps[2] += t3 - t2;
	return (error);
}

int
main(int argc, char **argv)
{
	uint64_t rounds, window, size, limit_s, t0, t1, start, first, last;
	uint64_t acc, i, steps[3];
	uint32_t placement, *first_ns, *last_ns;
	const char *step;
	double first_us, last_us, first_med, last_med;
	bool quiet;
	int ch, error, fd;

	rounds = 100000;
	window = 10000;
	size = 4096;
	limit_s = 0;
	placement = DEVPAGER_GEM_VRAM;
	quiet = false;
	while ((ch = getopt(argc, argv, "n:w:s:p:t:q")) != -1) {
		switch (ch) {
		case 'n':
			rounds = num(optarg, 1);
			break;
		case 'w':
			window = num(optarg, 1);
			break;
		case 's':
			size = num(optarg, 1);
			break;
		case 'p':
			if (strcmp(optarg, "vram") == 0)
				placement = DEVPAGER_GEM_VRAM;
			else if (strcmp(optarg, "system") == 0)
				placement = DEVPAGER_GEM_SYSTEM;
			else
				usage();
			break;
		case 't':
			limit_s = num(optarg, 1);
			break;
		case 'q':
			quiet = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || window > rounds)
		usage();
	fd = open(argv[optind], O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "gem_rounds: %s: %s\n", argv[optind],
		    strerror(errno));
		return (1);
	}
	first_ns = calloc((size_t)window, sizeof(*first_ns));
	last_ns = calloc((size_t)window, sizeof(*last_ns));
	if (first_ns == NULL || last_ns == NULL) {
		fprintf(stderr, "gem_rounds: out of memory\n");
		return (1);
	}
	first = last = acc = 0;
	steps[0] = steps[1] = steps[2] = 0;
	start = now_ns();
	for (i = 0; i < rounds; i++) {
		t0 = now_ns();
		error = round_once(fd, size, placement, &step, steps);
		t1 = now_ns();
		if (error != 0) {
			fprintf(stderr, "gem_rounds: round %llu: %s: %s\n",
			    (unsigned long long)i, step, strerror(error));
			return (1);
		}
		if (i < window) {
			first += t1 - t0;
			first_ns[i] = (uint32_t)(t1 - t0 > UINT32_MAX ?
			    UINT32_MAX : t1 - t0);
		}
		if (i >= rounds - window) {
			last += t1 - t0;
			last_ns[i - (rounds - window)] = (uint32_t)(t1 - t0 >
			    UINT32_MAX ? UINT32_MAX : t1 - t0);
		}
		acc += t1 - t0;
		if ((i + 1) % window == 0) {
			if (!quiet)
				printf("# rounds %llu-%llu: %.1f us/round\n",
				    (unsigned long long)(i + 1 - window),
				    (unsigned long long)i,
				    (double)acc / (double)window / 1000.0);
			fflush(stdout);
			acc = 0;
		}
		if (limit_s != 0 && t1 - start > limit_s * 1000000000ULL) {
			fprintf(stderr, "gem_rounds: only %llu rounds in %llu "
			    "s\n", (unsigned long long)(i + 1),
			    (unsigned long long)limit_s);
			return (1);
		}
	}
	close(fd);
	first_us = (double)first / (double)window / 1000.0;
	last_us = (double)last / (double)window / 1000.0;
	first_med = median_us(first_ns, window);
	last_med = median_us(last_ns, window);
	printf("rounds %llu (windows of %llu)\n", (unsigned long long)rounds,
	    (unsigned long long)window);
	printf("first_window_mean %.1f us/round\n", first_us);
	printf("last_window_mean %.1f us/round\n", last_us);
	printf("ratio_mean %.3f last/first (target <= %.1f: %s)\n",
	    last_us / first_us, TARGET_RATIO, last_us / first_us <=
	    TARGET_RATIO ? "ok" : "MISSED");
	printf("first_window_median %.1f us/round\n", first_med);
	printf("last_window_median %.1f us/round\n", last_med);
	printf("ratio_median %.3f last/first (target <= %.1f: %s)\n",
	    last_med / first_med, TARGET_RATIO, last_med / first_med <=
	    TARGET_RATIO ? "ok" : "MISSED");
	printf("step_create %.1f us\n", steps[0] / (double)rounds / 1000.0);
	printf("step_map %.1f us (mmap, one fault, munmap)\n",
	    steps[1] / (double)rounds / 1000.0);
	printf("step_destroy %.1f us\n", steps[2] / (double)rounds / 1000.0);
	free(first_ns);
	free(last_ns);
	return (0);
}
