/*
 * vm/stats: `name: value` lines, one per counter: the filesystem's own
 * counters, the VM's, and fault latency percentiles.
 */
#include "config.h"

#include <inttypes.h>

#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"
#include "fuse/fs_stats.h"
#include "fuse/fs_vfile.h"

struct fs_stats fs_stats;

static bool fs_stats_vm_up;

static uint64_t fs_lat[FS_LAT_BUCKETS];		/* (a) */

void
fs_stats_vm_started(bool up)
{
	fs_stats_vm_up = up;
}

void
fs_stats_latency_record(const struct timespec *t0)
{
	struct timespec t1;
	uint64_t ns;
	unsigned b;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000ULL +
	    (uint64_t)(t1.tv_nsec - t0->tv_nsec);
	b = ns == 0 ? 0 : 64 - (unsigned)__builtin_clzll(ns);
	if (b >= FS_LAT_BUCKETS)
		b = FS_LAT_BUCKETS - 1;
	__atomic_add_fetch(&fs_lat[b], 1, __ATOMIC_RELAXED);
}

void
fs_stats_inval_pending(unsigned long n)
{

	__atomic_store_n(&fs_stats.invalidations_pending, n, __ATOMIC_RELAXED);
}

/* The upper bound (ns) of the bucket holding the q-quantile. */
static uint64_t
fs_latency_quantile(const uint64_t *b, uint64_t total, double q)
{
	uint64_t want, seen;
	unsigned i;

	if (total == 0)
		return (0);
	want = (uint64_t)(q * (double)total);
	if (want == 0)
		want = 1;
	seen = 0;
	for (i = 0; i < FS_LAT_BUCKETS; i++) {
		seen += b[i];
		if (seen >= want)
			return (i == 0 ? 1 : (1ULL << i));
	}
	return (1ULL << (FS_LAT_BUCKETS - 1));
}

int
fs_stats_generate(struct sbuf *sb, fuse_ino_t ino)
{
	struct vm_fault_counters vc = { 0 };
	uint64_t lat[FS_LAT_BUCKETS], total;
	unsigned long objects, ram_free, ram_pages;
	unsigned i;

	(void)ino;
	objects = ram_free = ram_pages = 0;
	if (fs_stats_vm_up) {
		vm_fault_counters(&vc);
		objects = vm_object_live_count();
		ram_free = vm_phys_free_count();
		ram_pages = vm_phys_ram_pages();
	}
	total = 0;
	for (i = 0; i < FS_LAT_BUCKETS; i++) {
		lat[i] = __atomic_load_n(&fs_lat[i], __ATOMIC_RELAXED);
		total += lat[i];
	}

	/* Pages faulted in through READ (what an application touched). */
	sbuf_printf(sb, "faults: %" PRIu64 "\n", FS_STAT_READ(faults));
	sbuf_printf(sb, "fault_errors: %" PRIu64 "\n",
	    FS_STAT_READ(fault_errors));
	/* Copies into or out of device memory whose backing failed. */
	sbuf_printf(sb, "backing_errors: %" PRIu64 "\n",
	    fs_stats_vm_up ? vm_phys_backing_errors() : 0);
	sbuf_printf(sb, "invalidations: %" PRIu64 "\n",
	    FS_STAT_READ(invalidations));
	sbuf_printf(sb, "invalidations_pending: %" PRIu64 "\n",
	    FS_STAT_READ(invalidations_pending));
	sbuf_printf(sb, "objects: %lu\n", objects);
	sbuf_printf(sb, "pages: %lu\n", ram_pages - ram_free +
	    (fs_stats_vm_up ? vm_page_fake_count() : 0));
	sbuf_printf(sb, "ram_pages: %lu\n", ram_pages);
	sbuf_printf(sb, "ram_free: %lu\n", ram_free);
	sbuf_printf(sb, "vm_faults: %lu\n", vc.faults);
	sbuf_printf(sb, "vm_fault_errors: %lu\n", vc.fault_errors);
	sbuf_printf(sb, "vm_fault_fastpath: %lu\n", vc.fastpath);
	sbuf_printf(sb, "vm_pages_paged_in: %lu\n", vc.pages);
	sbuf_printf(sb, "pmap_unmaps: %lu\n", pmap_unmap_calls());
	sbuf_printf(sb, "reads: %" PRIu64 "\n", FS_STAT_READ(reads));
	sbuf_printf(sb, "writes: %" PRIu64 "\n", FS_STAT_READ(writes));
	/* Pages pushed into the kernel's cache ahead of faults (prefault),
	 * not counted in faults. */
	sbuf_printf(sb, "prefaulted: %" PRIu64 "\n", FS_STAT_READ(prefaulted));
	sbuf_printf(sb, "prefault_stores: %" PRIu64 "\n",
	    FS_STAT_READ(prefault_stores));
	sbuf_printf(sb, "prefault_stops: %" PRIu64 "\n",
	    FS_STAT_READ(prefault_stops));
	sbuf_printf(sb, "ctl_commands: %" PRIu64 "\n",
	    FS_STAT_READ(ctl_commands));
	sbuf_printf(sb, "ctl_errors: %" PRIu64 "\n", FS_STAT_READ(ctl_errors));
	/* READ service time per request, upper bounds of log2 buckets. */
	sbuf_printf(sb, "fault_latency_samples: %" PRIu64 "\n", total);
	sbuf_printf(sb, "fault_latency_p50_ns: %" PRIu64 "\n",
	    fs_latency_quantile(lat, total, 0.50));
	sbuf_printf(sb, "fault_latency_p90_ns: %" PRIu64 "\n",
	    fs_latency_quantile(lat, total, 0.90));
	sbuf_printf(sb, "fault_latency_p99_ns: %" PRIu64 "\n",
	    fs_latency_quantile(lat, total, 0.99));
	return (sbuf_error(sb));
}
