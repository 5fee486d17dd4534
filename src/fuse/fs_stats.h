/*
 * Counters of the filesystem layer, shown in vm/stats together with the
 * VM's own.  All atomics: bumped on the request path without locks.
 */
#ifndef _FUSE_FS_STATS_H_
#define _FUSE_FS_STATS_H_

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct fs_stats {
	uint64_t	reads;		/* READ requests on device nodes */
	uint64_t	writes;		/* WRITE requests on device nodes */
	uint64_t	faults;		/* pages faulted through vm_fault */
	uint64_t	fault_errors;	/* READ/WRITE answered with an error
					   (by us, or by the kernel when it
					   could not copy our reply) */
	uint64_t	invalidations;	/* kernel invalidations sent */
	uint64_t	invalidations_pending;	/* ranges waiting to be sent
						   (a gauge, set by fs_inval) */
	uint64_t	prefaulted;	/* pages pushed ahead of faults */
	uint64_t	prefault_stores; /* notify_store calls for them */
	uint64_t	prefault_stops;	/* pushes ended by a refused page */
	uint64_t	ctl_commands;	/* vm/ctl commands run */
	uint64_t	ctl_errors;	/* vm/ctl commands refused */
};

extern struct fs_stats fs_stats;

/* The VM's counters are shown once it is up. */
void	fs_stats_vm_started(bool up);
/*
 * Fault latency: a READ that started at t0 (CLOCK_MONOTONIC) is served;
 * counted in log2 buckets of nanoseconds, shown as percentiles.
 */
#define	FS_LAT_BUCKETS	40
void	fs_stats_latency_record(const struct timespec *t0);
/* The invalidation queue holds n ranges now. */
void	fs_stats_inval_pending(unsigned long n);

#define	FS_STAT_INC(field)						\
	__atomic_add_fetch(&fs_stats.field, 1, __ATOMIC_RELAXED)
#define	FS_STAT_ADD(field, n)						\
	__atomic_add_fetch(&fs_stats.field, (n), __ATOMIC_RELAXED)
#define	FS_STAT_READ(field)						\
	__atomic_load_n(&fs_stats.field, __ATOMIC_RELAXED)

#endif /* !_FUSE_FS_STATS_H_ */
