/*
 * Scatter/gather lists (see sglist.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "kern/kassert.h"
#include "kern/refcount.h"
#include "kern/sglist.h"

struct sglist *
sglist_alloc(int nsegs)
{
	struct sglist *sg;

	if (nsegs <= 0 || nsegs > 65535)
		return (NULL);
	sg = calloc(1, sizeof(*sg));
	if (sg == NULL)
		return (NULL);
	sg->sg_segs = calloc((size_t)nsegs, sizeof(*sg->sg_segs));
	if (sg->sg_segs == NULL) {
		free(sg);
		return (NULL);
	}
	sg->sg_maxseg = (unsigned short)nsegs;
	refcount_init(&sg->sg_refs, 1);
	return (sg);
}

int
sglist_append_phys(struct sglist *sg, vm_paddr_t paddr, size_t len)
{
	struct sglist_seg *last;

	if (len == 0 || paddr + len < paddr)
		return (EINVAL);
	if (sg->sg_nseg > 0) {
		last = &sg->sg_segs[sg->sg_nseg - 1];
		if (last->ss_paddr + last->ss_len == paddr) {
			last->ss_len += len;
			return (0);
		}
	}
	if (sg->sg_nseg >= sg->sg_maxseg)
		return (EFBIG);
	sg->sg_segs[sg->sg_nseg].ss_paddr = paddr;
	sg->sg_segs[sg->sg_nseg].ss_len = len;
	sg->sg_nseg++;
	return (0);
}

void
sglist_reset(struct sglist *sg)
{

	sg->sg_nseg = 0;
}

size_t
sglist_length(const struct sglist *sg)
{
	size_t len;
	int i;

	len = 0;
	for (i = 0; i < sg->sg_nseg; i++)
		len += sg->sg_segs[i].ss_len;
	return (len);
}

struct sglist *
sglist_hold(struct sglist *sg)
{

	refcount_acquire(&sg->sg_refs);
	return (sg);
}

void
sglist_free(struct sglist *sg)
{

	if (sg == NULL)
		return;
	if (!refcount_release(&sg->sg_refs))
		return;
	free(sg->sg_segs);
	free(sg);
}
