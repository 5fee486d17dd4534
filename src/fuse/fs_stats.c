/*
 * vm/stats: `name: value` lines, one per counter.
 */
#include "config.h"

#include <inttypes.h>

#include "fuse/fs_stats.h"
#include "fuse/fs_vfile.h"

struct fs_stats fs_stats;

int
fs_stats_generate(struct sbuf *sb, fuse_ino_t ino)
{
	(void)ino;
	sbuf_printf(sb, "faults: %" PRIu64 "\n", FS_STAT_READ(faults));
	sbuf_printf(sb, "fault_errors: %" PRIu64 "\n",
	    FS_STAT_READ(fault_errors));
	sbuf_printf(sb, "invalidations: %" PRIu64 "\n",
	    FS_STAT_READ(invalidations));
	sbuf_printf(sb, "objects: %" PRIu64 "\n", (uint64_t)0);
	sbuf_printf(sb, "pages: %" PRIu64 "\n", (uint64_t)0);
	sbuf_printf(sb, "reads: %" PRIu64 "\n", FS_STAT_READ(reads));
	sbuf_printf(sb, "writes: %" PRIu64 "\n", FS_STAT_READ(writes));
	sbuf_printf(sb, "ctl_commands: %" PRIu64 "\n",
	    FS_STAT_READ(ctl_commands));
	sbuf_printf(sb, "ctl_errors: %" PRIu64 "\n", FS_STAT_READ(ctl_errors));
	return (sbuf_error(sb));
}
