/*
 * vm_lookup_bench: how the VM's lock-free read paths scale.
 *
 * Two lookups, each measured with 1 and 2 reader threads, without and
 * with a concurrent writer thread, against a baseline that puts the very
 * same data structure behind one pthread mutex:
 *
 *	page	resident-page lookup: rcu_read_lock + vm_page_lookup_unlocked
 *		on one object shared by the readers (no page lock, no
 *		shared-line write); the writer inserts and removes pages of
 *		that object under its write lock.  Baseline: vm_radix_lookup
 *		on the same trie under a mutex that the writer also takes.
 *	handle	object lookup by handle: vm_pager_object_lookup_rcu on a
 *		list of objects, each reader looking up its own handle
 *		(the reference it takes and drops is on its own object),
 *		then vm_object_deallocate; the writer allocates objects,
 *		links them, unlinks and frees them.  Baseline: the same list
 *		walk and reference under one mutex shared with the writer.
 *		The writer links its objects after an anchor near the end
 *		of the list, past the readers' objects; with -T it appends
 *		them at the tail instead, which writes the list head's line
 *		(head.prev) that every lookup reads (head.next): that costs
 *		the readers a cache miss per writer operation.
 *
 * Prints ops/s (wall clock) and ops per second of CPU time the readers
 * got, for every configuration, and the ratios the issue asks for: "2
 * threads / 1 thread" (no writer) and "rcu / mutex baseline with writer"
 * (with 2 readers, and with 1).  Readers and the writer are pinned round
 * robin to the CPUs, and the writer's deferred frees run on a call_rcu
 * worker pinned to the writer's CPU; each configuration runs -r times
 * (1 and 2 readers alternating) and the median run counts.  A calibration
 * loop that shares nothing shows how far 2 threads can scale on the
 * machine at all: on a loaded 2-CPU box that ceiling is well below 2.
 * -v prints every run's rate as well.
 *
 * usage: vm_lookup_bench [-Tv] [-d ms] [-r runs] [-p pages] [-o objects]
 *	   [-t kind,impl,readers,writer]   (one configuration, e.g. for perf)
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kern/kern_rcu.h"
#include "kern/refcount.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_radix.h"

#define	MAX_READERS	2
#define	MAX_RUNS	31

enum bench_kind { BENCH_PAGE, BENCH_HANDLE, BENCH_CALIB };
enum bench_impl { IMPL_RCU, IMPL_MUTEX };

struct reader {
	unsigned long	ops;
	unsigned long	misses;
	double		cpu;		/* seconds of CPU the reader got */
	int		id;
	pthread_t	td;
} __attribute__((__aligned__(64)));

/*
 * One configuration's result: wall-clock rate, and rate per second of
 * CPU the readers actually got (other load on the machine steals CPU).
 * For 2 readers, measure_pair also fills in the scaling from 1 to 2
 * readers, as the median of the per-run ratios.
 */
struct result {
	double		wall;
	double		percpu;
	double		scale;		/* 2 readers' wall / 1 reader's */
	double		cpuscale;	/* the same per reader CPU second */
};

static struct {
	enum bench_kind	kind;
	enum bench_impl	impl;
	int		stop;
	int		go;
	unsigned long	writes;
} run __attribute__((__aligned__(64)));

static pthread_mutex_t baseline_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t list_mtx = PTHREAD_MUTEX_INITIALIZER;

static vm_object_t page_obj;		/* the page benchmark's object */
static vm_pindex_t npages = 1024;	/* resident pages read */
static struct cds_list_head handle_list = CDS_LIST_HEAD_INIT(handle_list);
static int handles[64];			/* handle[i] is &handles[i] */
static int nobjects = 32;		/* objects on the handle list */
static vm_object_t anchor;		/* the writer links after this one */
static bool tail_writer;		/* -T: the writer appends instead */
static bool verbose;			/* -v: print every run */
static int ncpus;
static const char *const kname[] = { "page", "handle", "calib" };
/* Thread-private data of the calibration loop (no sharing at all). */
static uint64_t calib_data[MAX_READERS][1024] __attribute__((__aligned__(64)));

static void	pin(int slot);
static uint64_t	xorshift(uint64_t *s);
static void	*reader_main(void *arg);
static void	*writer_main(void *arg);
static struct result measure(enum bench_kind kind, enum bench_impl impl,
		    int nreaders, bool writer, int ms, int runs);
static int	cmp_double(const void *a, const void *b);
static void	measure_pair(enum bench_kind kind, enum bench_impl impl,
		    bool writer, int ms, int runs, struct result *med);
static int	run_one(const char *spec, int ms, int runs);
static int	run_all(int ms, int runs);
static void	setup_objects(void);
static double	thread_cpu(void);

static void
pin(int slot)
{
	cpu_set_t set;

	if (ncpus <= 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(slot % ncpus, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static double
thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x;

	x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (x);
}

/* One resident-page lookup; true if the page was found. */
static inline bool
page_lookup(vm_pindex_t idx)
{
	vm_page_t m;
	bool ok;

	if (run.impl == IMPL_RCU) {
		rcu_read_lock();
		m = vm_page_lookup_unlocked(page_obj, idx);
		ok = m != NULL && __atomic_load_n(&m->pindex,
		    __ATOMIC_RELAXED) == idx;
		rcu_read_unlock();
	} else {
		pthread_mutex_lock(&baseline_mtx);
		m = vm_radix_lookup(&page_obj->rtree, idx);
		ok = m != NULL && m->pindex == idx;
		pthread_mutex_unlock(&baseline_mtx);
	}
	return (ok);
}

/* One lookup by handle, reference taken and dropped. */
static inline bool
handle_lookup(void *handle)
{
	vm_object_t o, found;

	if (run.impl == IMPL_RCU) {
		o = vm_pager_object_lookup_rcu(&handle_list, handle);
		if (o == NULL)
			return (false);
		vm_object_deallocate(o);
		return (true);
	}
	found = NULL;
	pthread_mutex_lock(&baseline_mtx);
	cds_list_for_each_entry(o, &handle_list, pager_object_list) {
		if (o->handle == handle &&
		    refcount_acquire_if_not_zero(&o->ref_count)) {
			found = o;
			break;
		}
	}
	pthread_mutex_unlock(&baseline_mtx);
	if (found == NULL)
		return (false);
	vm_object_deallocate(found);
	return (true);
}

/*
 * Calibration: dependent loads from a thread-private array, about as long
 * as a lookup.  How this scales from 1 to 2 threads is what the machine
 * gives to work that shares nothing (other load, SMT siblings).
 */
static inline bool
calib_op(int id, uint64_t x)
{
	uint64_t v;
	int i;

	v = x;
	for (i = 0; i < 6; i++)
		v = calib_data[id][(v ^ (v >> 17)) & 1023] + (uint64_t)i;
	return (v != 0);
}

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned long ops, misses;
	uint64_t seed;
	void *handle;
	bool ok;
	int i;

	pin(r->id);
	rcu_thread_online();
	seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(r->id + 1);
	handle = &handles[r->id];
	ops = misses = 0;
	while (!__atomic_load_n(&run.go, __ATOMIC_ACQUIRE))
		;
	r->cpu = thread_cpu();
	while (!__atomic_load_n(&run.stop, __ATOMIC_RELAXED)) {
		/* Batches of 64 keep the stop check out of the way. */
		for (i = 0; i < 64; i++) {
			if (run.kind == BENCH_PAGE)
				ok = page_lookup(xorshift(&seed) % npages);
			else if (run.kind == BENCH_HANDLE)
				ok = handle_lookup(handle);
			else
				ok = calib_op(r->id, xorshift(&seed));
			misses += !ok;
		}
		ops += 64;
	}
	r->cpu = thread_cpu() - r->cpu;
	r->ops = ops;
	r->misses = misses;
	return (NULL);
}

/* The page writer: insert and remove pages past the readers' range. */
static void
page_write(uint64_t *seed)
{
	vm_pindex_t idx;
	vm_page_t m;

	idx = npages + xorshift(seed) % 256;
	if (run.impl == IMPL_MUTEX)
		pthread_mutex_lock(&baseline_mtx);
	VM_OBJECT_WLOCK(page_obj);
	m = vm_page_lookup(page_obj, idx);
	if (m != NULL) {
		vm_page_lock(m);
		vm_page_free(m);
		vm_page_unlock(m);
	} else
		(void)vm_page_alloc(page_obj, idx, VM_ALLOC_NOBUSY);
	VM_OBJECT_WUNLOCK(page_obj);
	if (run.impl == IMPL_MUTEX)
		pthread_mutex_unlock(&baseline_mtx);
}

/* The handle writer: an object is born, listed, unlisted and freed. */
static void
handle_write(void)
{
	vm_object_t o;

	o = vm_object_allocate(OBJT_DEFAULT, 1);
	o->handle = &handles[MAX_READERS + 1];
	if (run.impl == IMPL_MUTEX) {
		pthread_mutex_lock(&baseline_mtx);
		if (tail_writer)
			cds_list_add_tail(&o->pager_object_list, &handle_list);
		else
			cds_list_add(&o->pager_object_list,
			    &anchor->pager_object_list);
		pthread_mutex_unlock(&baseline_mtx);
		pthread_mutex_lock(&baseline_mtx);
		cds_list_del(&o->pager_object_list);
		pthread_mutex_unlock(&baseline_mtx);
	} else {
		pthread_mutex_lock(&list_mtx);
		if (tail_writer)
			cds_list_add_tail_rcu(&o->pager_object_list,
			    &handle_list);
		else
			cds_list_add_rcu(&o->pager_object_list,
			    &anchor->pager_object_list);
		pthread_mutex_unlock(&list_mtx);
		pthread_mutex_lock(&list_mtx);
		cds_list_del_rcu(&o->pager_object_list);
		pthread_mutex_unlock(&list_mtx);
	}
	vm_object_deallocate(o);
}

static void *
writer_main(void *arg)
{
	struct call_rcu_data *crdp;
	unsigned long writes;
	uint64_t seed;
	int slot;

	slot = *(int *)arg;
	pin(slot);
	rcu_thread_online();
	/*
	 * The objects the writer frees are reclaimed by a call_rcu worker
	 * of its own, pinned to the writer's CPU: deferred frees are part
	 * of the writer's load, and left to the shared worker they would
	 * land on whichever CPU the scheduler picks, a reader's included.
	 */
	crdp = NULL;
	if (ncpus > 0) {
		crdp = create_call_rcu_data(0, slot % ncpus);
		if (crdp != NULL)
			set_thread_call_rcu_data(crdp);
	}
	seed = 0x2545f4914f6cdd1dULL;
	writes = 0;
	while (!__atomic_load_n(&run.go, __ATOMIC_ACQUIRE))
		;
	while (!__atomic_load_n(&run.stop, __ATOMIC_RELAXED)) {
		if (run.kind == BENCH_PAGE)
			page_write(&seed);
		else
			handle_write();
		writes++;
	}
	run.writes = writes;
	if (crdp != NULL) {
		set_thread_call_rcu_data(NULL);
		call_rcu_data_free(crdp);
	}
	return (NULL);
}

/* Best ops/s of the readers over runs runs of ms milliseconds. */
static struct result
measure(enum bench_kind kind, enum bench_impl impl, int nreaders,
    bool writer, int ms, int runs)
{
	struct reader readers[MAX_READERS];
	struct timespec t0, t1, d;
	struct result best;
	pthread_t wtd;
	double secs, rate, cpu;
	unsigned long ops;
	int i, k, wslot;

	best.wall = best.percpu = 0;
	for (k = 0; k < runs; k++) {
		memset(readers, 0, sizeof(readers));
		run.kind = kind;
		run.impl = impl;
		run.stop = 0;
		run.go = 0;
		run.writes = 0;
		for (i = 0; i < nreaders; i++) {
			readers[i].id = i;
			if (pthread_create(&readers[i].td, NULL, reader_main,
			    &readers[i]) != 0) {
				perror("pthread_create");
				exit(1);
			}
		}
		wslot = nreaders;
		if (writer && pthread_create(&wtd, NULL, writer_main,
		    &wslot) != 0) {
			perror("pthread_create");
			exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		__atomic_store_n(&run.go, 1, __ATOMIC_RELEASE);
		d.tv_sec = ms / 1000;
		d.tv_nsec = (long)(ms % 1000) * 1000000L;
		while (nanosleep(&d, &d) != 0 && errno == EINTR)
			;
		__atomic_store_n(&run.stop, 1, __ATOMIC_RELEASE);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ops = 0;
		cpu = 0;
		for (i = 0; i < nreaders; i++) {
			pthread_join(readers[i].td, NULL);
			ops += readers[i].ops;
			cpu += readers[i].cpu;
			if (readers[i].misses != 0) {
				fprintf(stderr, "reader %d: %lu misses\n", i,
				    readers[i].misses);
				exit(1);
			}
		}
		if (writer)
			pthread_join(wtd, NULL);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) /
		    1e9;
		rate = ops / secs;
		if (rate > best.wall)
			best.wall = rate;
		if (cpu > 0 && ops / cpu > best.percpu)
			best.percpu = ops / cpu;
	}
	return (best);
}

static void
setup_objects(void)
{
	vm_object_t o;
	vm_pindex_t i;
	uint64_t seed;
	int j;

	seed = 1;
	for (i = 0; i < MAX_READERS; i++)
		for (j = 0; j < 1024; j++)
			calib_data[i][j] = xorshift(&seed);
	page_obj = vm_object_allocate(OBJT_DEFAULT, npages + 256);
	VM_OBJECT_WLOCK(page_obj);
	for (i = 0; i < npages; i++)
		if (vm_page_alloc(page_obj, i, VM_ALLOC_NOBUSY) == NULL) {
			fprintf(stderr, "vm_page_alloc failed\n");
			exit(1);
		}
	VM_OBJECT_WUNLOCK(page_obj);

	/*
	 * Reader i's object sits at position nobjects / 2 + i: both walk
	 * about the same distance, past objects of other handles.
	 */
	for (j = 0; j < nobjects; j++) {
		o = vm_object_allocate(OBJT_DEFAULT, 1);
		if (j >= nobjects / 2 && j < nobjects / 2 + MAX_READERS)
			o->handle = &handles[j - nobjects / 2];
		else
			o->handle = &handles[MAX_READERS + 2];
		cds_list_add_tail_rcu(&o->pager_object_list, &handle_list);
		if (j == nobjects - 4)
			anchor = o;
	}
}

/* -t kind,impl,readers,writer: one configuration (e.g. for perf). */
static int
run_one(const char *spec, int ms, int runs)
{
	char kb[16], ib[16];
	struct result res;
	int k, im, n, w;

	if (sscanf(spec, "%15[a-z],%15[a-z],%d,%d", kb, ib, &n, &w) != 4 ||
	    n < 1 || n > MAX_READERS) {
		fprintf(stderr, "vm_lookup_bench: bad -t\n");
		return (2);
	}
	k = strcmp(kb, "page") == 0 ? BENCH_PAGE :
	    strcmp(kb, "calib") == 0 ? BENCH_CALIB : BENCH_HANDLE;
	im = strcmp(ib, "rcu") == 0 ? IMPL_RCU : IMPL_MUTEX;
	res = measure(k, im, n, w != 0, ms, runs);
	printf("%s %s %d %s: %.0f ops/s, %.0f ops per reader CPU second",
	    kname[k], ib, n, w ? "writer" : "no writer", res.wall,
	    res.percpu);
	if (w != 0)
		printf(", %.0f writes/s in the last run", run.writes * 1000.0 /
		    ms);
	printf("\n");
	return (0);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/*
 * The median of runs for 1 and 2 readers, alternating the two.  Not the
 * best run: background load only ever slows a run down, but a contended
 * mutex can also get lucky (one thread keeping the lock for long
 * stretches), and the best run would reward that.
 *
 * The scaling from 1 to 2 readers is the median of the ratios of runs
 * made back to back, not the ratio of the two medians: the speed of a
 * virtual CPU drifts (on the 2-vCPU guest, one busy vCPU is at times a
 * third faster than two), and a run is compared with its neighbour.
 */
static void
measure_pair(enum bench_kind kind, enum bench_impl impl, bool writer,
    int ms, int runs, struct result *med)
{
	double wall[MAX_READERS + 1][MAX_RUNS];
	double percpu[MAX_READERS + 1][MAX_RUNS];
	double scale[MAX_RUNS], cpuscale[MAX_RUNS];
	struct result res;
	int c, n;

	for (c = 0; c < runs; c++) {
		for (n = 1; n <= MAX_READERS; n++) {
			res = measure(kind, impl, n, writer, ms, 1);
			wall[n][c] = res.wall;
			percpu[n][c] = res.percpu;
		}
		scale[c] = wall[1][c] > 0 ? wall[2][c] / wall[1][c] : 0;
		cpuscale[c] = percpu[1][c] > 0 ?
		    2 * percpu[2][c] / percpu[1][c] : 0;
	}
	qsort(scale, runs, sizeof(double), cmp_double);
	qsort(cpuscale, runs, sizeof(double), cmp_double);
	med[2].scale = scale[runs / 2];
	med[2].cpuscale = cpuscale[runs / 2];
	med[1].scale = med[1].cpuscale = 1;
	for (n = 1; n <= MAX_READERS; n++) {
		if (verbose) {
			printf("  %s %s %s %d readers, every run (M ops/s):",
			    kname[kind], impl == IMPL_RCU ? "rcu" : "mutex",
			    writer ? "writer" : "no writer", n);
			for (c = 0; c < runs; c++)
				printf(" %.1f", wall[n][c] / 1e6);
			printf("\n");
		}
		qsort(wall[n], runs, sizeof(double), cmp_double);
		qsort(percpu[n], runs, sizeof(double), cmp_double);
		med[n].wall = wall[n][runs / 2];
		med[n].percpu = percpu[n][runs / 2];
	}
}

static int
run_all(int ms, int runs)
{
	struct result r[2][2][2][MAX_READERS + 1]; /* kind impl writer n */
	struct result calib[MAX_READERS + 1];
	double scale, cpuscale, vs1, vs2;
	int k, im, n, w;
	bool ok;

	printf("vm_lookup_bench: %d CPUs, %d ms x median of %d, %ju resident "
	    "pages, %d listed objects, writer %s\n", ncpus, ms, runs,
	    (uintmax_t)npages, nobjects, tail_writer ? "at the list tail" :
	    "after an anchor");
	printf("%-7s %-6s %-8s %-7s %14s %14s\n", "lookup", "impl",
	    "readers", "writer", "ops/s", "ops/cpu-s");
	/* Warm up (page faults, clock ramp) first. */
	(void)measure(BENCH_PAGE, IMPL_RCU, 1, false, ms, 1);
	measure_pair(BENCH_CALIB, IMPL_RCU, false, ms, runs, calib);
	for (k = BENCH_PAGE; k <= BENCH_HANDLE; k++)
		for (im = IMPL_RCU; im <= IMPL_MUTEX; im++)
			for (w = 0; w < 2; w++) {
				measure_pair(k, im, w, ms, runs, r[k][im][w]);
				for (n = 1; n <= MAX_READERS; n++)
					printf("%-7s %-6s %-8d %-7s %14.0f "
					    "%14.0f\n", kname[k],
					    im == IMPL_RCU ? "rcu" : "mutex",
					    n, w ? "yes" : "no",
					    r[k][im][w][n].wall,
					    r[k][im][w][n].percpu);
			}

	ok = true;
	for (k = BENCH_PAGE; k <= BENCH_HANDLE; k++) {
		scale = r[k][IMPL_RCU][0][2].scale;
		cpuscale = r[k][IMPL_RCU][0][2].cpuscale;
		vs1 = r[k][IMPL_RCU][1][1].wall / r[k][IMPL_MUTEX][1][1].wall;
		vs2 = r[k][IMPL_RCU][1][2].wall / r[k][IMPL_MUTEX][1][2].wall;
		printf("%s: 2 threads / 1 thread = %.2fx (median of back-to-"
		    "back runs; target >= 1.8x; %.2fx per reader CPU second)\n",
		    kname[k], scale, cpuscale);
		printf("%s: rcu / mutex baseline with writer = %.2fx with 2 "
		    "readers, %.2fx with 1 reader (target >= 3x)\n", kname[k],
		    vs2, vs1);
		if (scale < 1.8 || vs2 < 3.0)
			ok = false;
	}
	printf("platform: thread-private work scales %.2fx from 1 to 2 "
	    "threads here (the ceiling for the 2/1 ratios)\n",
	    calib[2].scale);
	printf("targets %s\n", ok ? "met" : "NOT met");
	return (0);
}

int
main(int argc, char **argv)
{
	const char *only;
	int c, ms, runs;

	ms = 300;
	runs = 9;
	only = NULL;
	while ((c = getopt(argc, argv, "d:r:p:o:t:Tv")) != -1) {
		switch (c) {
		case 'T':
			tail_writer = true;
			break;
		case 't':
			only = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'd':
			ms = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'p':
			npages = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			nobjects = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: vm_lookup_bench [-Tv] [-d ms] "
			    "[-r runs] [-p pages] [-o objects] "
			    "[-t kind,impl,readers,writer]\n");
			return (2);
		}
	}
	if (ms <= 0 || runs <= 0 || runs > MAX_RUNS || npages == 0 ||
	    nobjects < 2 * MAX_READERS + 8 || nobjects > 1024) {
		fprintf(stderr, "vm_lookup_bench: bad arguments\n");
		return (2);
	}
	ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (vm_init(ptoa(npages + 1024)) != 0) {
		fprintf(stderr, "vm_init failed\n");
		return (1);
	}
	setup_objects();
	if (only != NULL)
		return (run_one(only, ms, runs));
	return (run_all(ms, runs));
}
