/*
 * Held pages as data for the kernel: the body of a READ reply or of a
 * notify_store, as a fuse_bufvec.
 *
 * Pages of plain anonymous device memory (vm_phys_to_anon_fd: a window
 * over the daemon's own memfd) of which some were never written (holes
 * of the memfd: mincore(2) on the daemon's mapping) go as (descriptor,
 * offset) entries, which libfuse splices into /dev/fuse (or preads, for
 * one page): the daemon never touches the memory through its own
 * mapping, so a page the device never wrote costs the daemon no memory
 * (the host kernel's zero page stands in for it), however much of the
 * device is read.  Other pages (written ones, RAM, file-backed windows)
 * go as runs of the daemon's mapping; the kernel's copy out of them is
 * the only one, and the cheapest.
 *
 * No state: the caller owns the bufvec, which stays valid until it leaves
 * its RCU read-side section.
 */
#ifndef _FUSE_FS_PAGEBUF_H_
#define _FUSE_FS_PAGEBUF_H_

#include <stdbool.h>
#include <fuse_lowlevel.h>

#include "vm/vm.h"
#include "vm/vm_map.h"

/* A bufvec of n entries on the stack. */
#define	FS_PAGEBUF_DECLARE(name, n)					\
	union {								\
		struct fuse_bufvec bv;					\
		char space[sizeof(struct fuse_bufvec) +			\
		    ((n) - 1) * sizeof(struct fuse_buf)];		\
	} name

/*
 * Fill bv (room for max entries, max >= h->count) with bytes [off, end)
 * of the node, whose pages h holds from trunc_page(off) on.  Entries are
 * descriptors when every page is plain anonymous memory (*fdp true),
 * else runs of the daemon's mapping.  0, or EIO when a page's window went
 * away.  Call inside rcu_read_lock(); the entries are valid until
 * rcu_read_unlock().
 */
int	fs_pagebuf_fill(struct fuse_bufvec *bv, unsigned max,
	    const struct vm_map_hold *h, vm_ooffset_t off, vm_ooffset_t end,
	    bool *fdp);

/*
 * Reply to a READ of [off, end) with the pages h holds (fs_pagebuf_fill
 * into bv, then fuse_reply_data for descriptors or fuse_reply_iov through
 * iov, which has room for bvmax entries), inside an RCU read-side
 * section of its own.  0; EIO when a window went away or the kernel's
 * copy failed (counted and logged by vm_phys_copy_failed).  *sentp says
 * whether the request got its reply; without it the caller must reply.
 */
int	fs_pagebuf_reply(fuse_req_t req, const struct vm_map_hold *h,
	    vm_ooffset_t off, vm_ooffset_t end, struct fuse_bufvec *bv,
	    unsigned bvmax, struct iovec *iov, bool *sentp);

#endif /* !_FUSE_FS_PAGEBUF_H_ */
