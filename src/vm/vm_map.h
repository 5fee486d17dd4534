/*
 * The map of one device node, after FreeBSD's vm_map: which object (and
 * which offset in it) backs each range of the node's offsets.  A FreeBSD
 * map translates the virtual addresses of a process; here the "addresses"
 * are offsets of a mapped device file, because the kernel shares one page
 * cache per file among every process that maps it (DESIGN.md): there is
 * one map per node, never one per open file or per process.
 *
 * Entries are made lazily: the first vm_map_lookup() of an offset that no
 * entry holds asks the device for its object with vm_mmap_cdev() -- what
 * mmap(2) of the device would do -- for the largest range that works
 * (the whole device when it is at most VM_MAP_WHOLE_MAX, else the
 * VM_MAP_CHUNK-aligned chunk holding the offset, else the single page; a
 * d_mmap_single driver may answer with an object at an offset of its
 * choosing, which becomes the entry).  Entries are disjoint and live,
 * holding a reference on their object, until vm_map_delete() drops them
 * (the owner's last close: everything; a driver retiring a range: the
 * entries overlapping it).
 *
 * The map knows nothing of who owns it: the filesystem embeds one in its
 * node and gives it the device, a pmap key (what vm_fault() records for
 * managed pages it serves through the map, so pmap_remove_all() can
 * revoke them) and the driver's per-open check.  The calls that fault
 * through the map -- vm_map_lookup(), vm_map_hold_range(),
 * vm_map_write() -- serve the READ and WRITE paths and anything else
 * that must see the node as an application's mapping does (a prefault
 * worker pushing pages ahead of the application).  vm_map.9 has the
 * whole contract.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after vm_map_init()
 *	[m]	vm_map.lock, a leaf: never held while a driver, a pager or
 *		the object lock is entered
 */
#ifndef _VM_VM_MAP_H_
#define _VM_VM_MAP_H_

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include "kern/ucred.h"
#include "vm/vm.h"
#include "vm/vm_page.h"

struct cdev;
struct file;

/* Largest device mapped with one vm_mmap_cdev() call; beyond it, chunks. */
#define	VM_MAP_WHOLE_MAX	(1ULL << 30)
#define	VM_MAP_CHUNK		NBPDR
/* A lookup that keeps losing to deletes of its offset gives up (EIO). */
#define	VM_MAP_RETRIES		8

/*
 * One entry: offsets [start, end) of the node are offsets
 * [offset, offset + end - start) of object.
 */
struct vm_map_entry {
	RB_ENTRY(vm_map_entry) link;	/* [m] vm_map.root */
	vm_ooffset_t	 start;		/* [m] */
	vm_ooffset_t	 end;		/* [m] */
	vm_ooffset_t	 offset;	/* [m] object offset of start */
	vm_object_t	 object;	/* [m] referenced */
	struct vm_map_entry *next;	/* a caller's private list */
};

RB_HEAD(vm_map_tree, vm_map_entry);

/*
 * An entry being made by vm_map_lookup() without the map lock: a delete
 * that covers off meanwhile marks it, and the result is not kept.
 */
struct vm_map_pending {
	LIST_ENTRY(vm_map_pending) link;	/* [m] vm_map.pending */
	vm_ooffset_t	 off;		/* (c) the offset it is for */
	bool		 deleted;	/* [m] a delete covered off */
};

/*
 * The per-open check (a driver's dd_map_access): may the open file in
 * curthread->td_fpop use object with prot?  0 or an errno.
 */
typedef int vm_map_access_t(struct cdev *dev, vm_object_t object,
    vm_prot_t prot);

struct vm_map {
	pthread_mutex_t	 lock;
	struct vm_map_tree root;	/* [m] entries by start */
	unsigned long	 nentries;	/* [m] */
	LIST_HEAD(, vm_map_pending) pending;	/* [m] */
	struct cdev	*dev;		/* (c) referenced by the owner */
	uint64_t	 pmap_key;	/* (c) vm_fault()'s map_key */
	vm_map_access_t	*access;	/* (c) or NULL */
};

/*
 * Pages held by vm_map_hold_range(): pages[i] is the page at node offset
 * trunc_page(start) + i * PAGE_SIZE, held; objs[i] is the referenced
 * object of pages[i] for the first page of each entry crossed, NULL for
 * the others -- those references keep device objects, and with them
 * their fake pages, alive until vm_map_unhold().  The caller supplies
 * both arrays, max elements each.
 */
struct vm_map_hold {
	vm_page_t	*pages;
	vm_object_t	*objs;
	unsigned	 max;
	unsigned	 count;
};

/*
 * Set up map for dev (the owner keeps dev referenced while the map
 * lives), pmap_key and the driver's per-open check (NULL: none).
 */
void	vm_map_init(struct vm_map *map, struct cdev *dev, uint64_t pmap_key,
	    vm_map_access_t *access);
/* Drop every entry and tear the map down.  No lookup may be running. */
void	vm_map_fini(struct vm_map *map);

/*
 * Enter object at node offsets [start, end) (page-aligned), object offset
 * offset; the map takes over the caller's reference on object.  0, or
 * EINVAL (empty or unaligned range), EEXIST (an entry overlaps it: the
 * map is unchanged and the reference stays the caller's), ENOMEM.
 */
int	vm_map_insert(struct vm_map *map, vm_object_t object,
	    vm_ooffset_t offset, vm_ooffset_t start, vm_ooffset_t end);
/*
 * Drop every entry overlapping [start, end) (end 0: to the end of the
 * node), whole -- an entry is never split: the next lookup in what it
 * covered outside the range makes it again -- with the object
 * references they hold, and mark the entries being made for an offset
 * in the range, so that what they bring is not kept.  Returns how many
 * entries went.  No lock held (the references are dropped here).
 */
unsigned long vm_map_delete(struct vm_map *map, vm_ooffset_t start,
	    vm_ooffset_t end);
/* How many entries the map has. */
unsigned long vm_map_count(struct vm_map *map);

/*
 * The object and object offset behind node offset off, referenced for the
 * caller (vm_object_deallocate when done), made with cred if no entry
 * holds off yet; *endp is the end of the entry.  Then the per-open check
 * for the open file fp (NULL: the kernel's write-back of pages it caches,
 * which is not checked).  0 or an errno: ENXIO (off beyond the device,
 * or the device going away), the driver's or vm_mmap_cdev()'s error, the
 * per-open check's, EIO after VM_MAP_RETRIES lost races with deletes.
 * No lock held; may sleep.  Test hook "vm_map_made": after the device
 * made an entry, before it is inserted.
 */
int	vm_map_lookup(struct vm_map *map, struct file *fp, vm_ooffset_t off,
	    vm_prot_t prot, const struct ucred *cred, vm_object_t *objp,
	    vm_ooffset_t *objoffp, vm_ooffset_t *endp);

/*
 * Fault every page of [start, end) through the map for prot, as the
 * open file fp (see vm_map_lookup), and return them held in h, in order
 * (h->max must cover the range's pages).  Each page goes through
 * vm_fault(), which records (pmap_key, node offset) for managed pages,
 * and counts in its object's faults.  On error nothing stays held.  0
 * or an errno.  No lock held.
 */
int	vm_map_hold_range(struct vm_map *map, struct file *fp,
	    vm_ooffset_t start, vm_ooffset_t end, vm_prot_t prot,
	    const struct ucred *cred, struct vm_map_hold *h);
/*
 * The same for a prefault (FreeBSD's vm_map_pmap_enter at mmap time): the
 * pages of [start, end) from start on, each through vm_fault() (managed
 * pages are entered in the pmap under (pmap_key, node offset), so every
 * revocation covers them), until the first page that cannot be had --
 * the pager or the driver refused it, the per-open check failed, the
 * node ends -- or, with only non-NULL, the first page whose entry maps
 * another object.  That page is not an error: the pages before it stay
 * held in h (h->count, possibly 0) and *stopp says why it stopped (0:
 * the range is done, or the object changed).  The pages do not count in
 * their objects' faults: the application has not touched them.  No lock
 * held.
 */
void	vm_map_prefault_range(struct vm_map *map, struct file *fp,
	    vm_ooffset_t start, vm_ooffset_t end, vm_prot_t prot,
	    const struct ucred *cred, vm_object_t only, struct vm_map_hold *h,
	    int *stopp);
/* Unhold what vm_map_hold_range() returned, then drop the references. */
void	vm_map_unhold(struct vm_map_hold *h);
/* The physical address of the i-th held page. */
static inline vm_paddr_t
vm_map_hold_paddr(const struct vm_map_hold *h, unsigned i)
{

	return (h->pages[i]->phys_addr);
}

/*
 * Store buf at [start, end) of the node, page by page through the map as
 * the open file fp (NULL: the kernel's write-back): each page is faulted
 * for VM_PROT_WRITE, the bytes go in with vm_phys_write() (guarded: a
 * backing file that cannot hold the page fails with ENOSPC, EDQUOT or
 * EIO, and nothing is marked dirty) and are marked dirty.  Stops at the
 * first error.  0 or an errno.  No lock held.
 */
int	vm_map_write(struct vm_map *map, struct file *fp, vm_ooffset_t start,
	    vm_ooffset_t end, const struct ucred *cred, const char *buf);

#endif /* !_VM_VM_MAP_H_ */
