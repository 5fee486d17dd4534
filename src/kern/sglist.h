/*
 * Scatter/gather lists of physical segments, after FreeBSD's sglist(9),
 * reduced to what the sg pager needs: a fixed-capacity array of
 * (physical address, length) segments with a reference count.
 *
 * A list is built by one thread (sglist_append_phys) and then treated as
 * constant while it is shared: the sg pager holds a reference for every
 * object built on it (sglist_hold) and drops it at the object's death
 * (sglist_free).  The last sglist_free releases the memory.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(b)	the building thread, before the list is shared; constant after
 *	(c)	constant
 */
#ifndef _KERN_SGLIST_H_
#define _KERN_SGLIST_H_

#include <stddef.h>

#include "kern/vm_types.h"

struct sglist_seg {
	vm_paddr_t	 ss_paddr;	/* (b) */
	size_t		 ss_len;	/* (b) */
};

struct sglist {
	struct sglist_seg *sg_segs;	/* (b) */
	volatile unsigned sg_refs;	/* (a) */
	unsigned short	 sg_nseg;	/* (b) segments in use */
	unsigned short	 sg_maxseg;	/* (c) capacity */
};

/* A list with room for nsegs (1..65535) segments and one reference; NULL
 * on a bad count or without memory. */
struct sglist *sglist_alloc(int nsegs);
/*
 * Append [paddr, paddr + len): merged into the last segment when
 * contiguous with it.  0, EINVAL (len 0 or address wrap), EFBIG (no
 * segment left; the list is unchanged).  Any alignment is accepted here:
 * the sg pager refuses lists whose segments are not page-aligned.
 */
int	sglist_append_phys(struct sglist *sg, vm_paddr_t paddr, size_t len);
/* Forget every segment (the list must not be shared). */
void	sglist_reset(struct sglist *sg);
/* Total length in bytes. */
size_t	sglist_length(const struct sglist *sg);
/* Take a reference; returns sg. */
struct sglist *sglist_hold(struct sglist *sg);
/* Drop a reference; the last one frees the list. */
void	sglist_free(struct sglist *sg);

#endif /* !_KERN_SGLIST_H_ */
