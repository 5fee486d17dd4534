/*
 * gem: a buffer-object manager after the TTM/GEM drivers of FreeBSD's
 * drm2 (i915_gem.c, ttm_bo_vm.c).  Private to src/dev/dev_gem*.c; the
 * application interface is include/devpager/gem_ioctl.h and the manual
 * page devpagerfs_gem(4).
 *
 * One device (dev/gemN) has:
 *	- a vram window: a device window (vm_phys_window_create) whose whole
 *	  range is registered with vm_phys_fictitious_reg_range(), so each
 *	  of its pages has a managed fictitious struct vm_page, WC;
 *	- a node of GEM_NODE_SIZE bytes: the fake-offset space.  Buffer
 *	  objects (BOs) sit at page-aligned fake offsets in it, from
 *	  GEM_OFFSET_MIN up, and are mapped with mmap(..., offset);
 *	- the BOs.  Each is an OBJT_MGTDEVICE object made by
 *	  cdev_pager_allocate(bo, OBJT_MGTDEVICE, &gem_pager_ops, ...) whose
 *	  pages are either vram pages (placement vram) or wired RAM pages
 *	  (placement system) charged to the creator's uid with
 *	  swap_reserve_by_cred().  d_mmap_single hands out the object of the
 *	  BO that holds the offset.
 *
 * Life of a BO.  Created by ioctl or ctl: memory, then the object, then
 * a handle and a fake offset; the table (sc_bos) holds one object
 * reference.  Destroy drops the handle and that reference; mappings
 * (the filesystem's entries) keep the object, and with it the BO, its
 * memory and its fake offset, until the last one goes: then the object
 * dies and the pager's dtor (gem_bo_dtor) frees the memory and takes
 * the BO off sc_bos, which is when its offset may be used again.
 * Offsets (2 MiB-aligned) are handed out next-fit from a cursor that
 * only moves on, so a freed range is reused only after the whole space
 * has been gone round.
 *
 * Move (and eviction, which is a move to system): new memory first;
 * then, with the object locked, bo_moving is set and every resident page
 * is revoked with cdev_pager_free_page() (pmap_remove_all: the
 * filesystem invalidates exactly the places the page was served at);
 * then, unlocked, the holds of the old pages drain (a READ or WRITE in
 * flight finishes with the old memory) and the contents are copied;
 * then, locked again, the new pages are switched in, bo_moving cleared
 * and the faults that waited are woken.  A fault that finds bo_moving
 * takes its placeholder out of the object and sleeps on the BO (the
 * i915 pattern), so the next touch of every page faults onto the new
 * placement with the data intact.
 *
 * Lock order (kern/lock.h ranks):
 *	sc_mtx ("gem", LOCK_RANK_DRIVER) -> object lock -> page locks
 * The fault handler runs with the object lock held and never takes
 * sc_mtx: everything it reads of a BO is protected by the object lock
 * (bo_pages, bo_placement, bo_moving), constant (bo_npages, bo_sc) or
 * atomic (bo_lru).  Fields the allocator also reads (bo_placement,
 * bo_pages) are written with both sc_mtx and the object lock held, so
 * either one is enough to read them.  sc_mtx is never held across a
 * move, a page allocation loop, a sleep on an object or a call into the
 * filesystem; it is held across vm_object_reference() (an atomic
 * increment) only.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant after creation
 *	[s]	sc_mtx
 *	(o)	the BO's object lock
 *	[s,o]	written with both held; read with either
 */
#ifndef _DEV_DEV_GEM_H_
#define _DEV_DEV_GEM_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "vm/vm.h"

struct cdev;
struct vm_phys_window;

/*
 * The node: fake-offset space, where BOs start in it, and their
 * alignment.  BOs start on 2 MiB boundaries (the superpage size, the
 * filesystem's mapping chunk), so a chunk of the node never starts in
 * one BO and ends in another: the filesystem's first vm_mmap_cdev of a
 * chunk finds the right BO, and no BO is "used" by a lookup meant for
 * its neighbour.  Offset 0 is never a BO's.
 */
#define	GEM_NODE_SIZE		(64ULL << 30)
#define	GEM_OFFSET_ALIGN	NBPDR
#define	GEM_OFFSET_MIN		GEM_OFFSET_ALIGN
#define	GEM_OFFSET_ROUNDUP(x)						\
	(((vm_ooffset_t)(x) + GEM_OFFSET_ALIGN - 1) &			\
	    ~(vm_ooffset_t)(GEM_OFFSET_ALIGN - 1))
/* vram window sizes (size= of create). */
#define	GEM_VRAM_DEFAULT	(64ULL << 20)
#define	GEM_VRAM_MIN		(64ULL << 10)
#define	GEM_VRAM_MAX		(1ULL << 30)
/* Largest BO. */
#define	GEM_BO_SIZE_MAX		(4ULL << 30)
/* Handles: 1 .. GEM_HANDLE_MAX (what the ctl parser accepts). */
#define	GEM_HANDLE_MAX		0x7fffffffU
/* vm_page_insert attempts in the fault handler before giving up. */
#define	GEM_INSERT_RETRIES	8

enum gem_placement {
	GEM_NONE = 0,		/* no memory: the device is gone */
	GEM_VRAM = 1,
	GEM_SYSTEM = 2,
};

struct gem_softc;

struct gem_bo {
	TAILQ_ENTRY(gem_bo)	 bo_link;	/* [s] sc_bos, by offset */
	struct gem_softc	*bo_sc;		/* (c) holds a softc ref */
	uint32_t		 bo_handle;	/* (c) */
	vm_ooffset_t		 bo_offset;	/* (c) fake offset */
	vm_size_t		 bo_size;	/* (c) bytes, page multiple */
	vm_pindex_t		 bo_npages;	/* (c) */
	vm_object_t		 bo_obj;	/* (c) OBJT_MGTDEVICE object */
	struct ucred		 bo_cred;	/* (c) creator: charged uid */
	enum gem_placement	 bo_placement;	/* [s,o] */
	vm_page_t		*bo_pages;	/* [s,o] bo_npages pages */
	bool			 bo_charged;	/* [s,o] system pages charged */
	bool			 bo_destroyed;	/* [s] handle gone, table ref
						   dropped */
	bool			 bo_busy;	/* [s] being moved or evicted */
	bool			 bo_moving;	/* (o) pages revoked, faults
						   wait on the BO */
	unsigned		 bo_evict_gen;	/* [s] eviction pass that
						   failed on this BO */
	uint64_t		 bo_lru;	/* (a) tick of last use */
};

struct gem_softc {
	struct mtx		 sc_mtx;	/* "gem" */
	char			 sc_name[64];	/* (c) device name */
	struct vm_phys_window	*sc_window;	/* (c) vram */
	vm_paddr_t		 sc_vram_base;	/* (c) */
	vm_size_t		 sc_vram_size;	/* (c) bytes */
	uint32_t		*sc_vram_free;	/* [s] stack of free page
						   indexes */
	unsigned long		 sc_vram_nfree;	/* [s] */
	TAILQ_HEAD(, gem_bo)	 sc_bos;	/* [s] BOs whose object lives */
	unsigned long		 sc_nbos;	/* [s] */
	uint32_t		 sc_next_handle; /* [s] */
	vm_ooffset_t		 sc_next_off;	/* [s] next-fit cursor */
	unsigned		 sc_evict_gen;	/* [s] eviction passes */
	bool			 sc_dying;	/* [s] device being destroyed */
	volatile unsigned	 sc_refs;	/* (a) device + one per BO */
	uint64_t		 sc_tick;	/* (a) LRU clock */
	/* Counters (tests, devpagerfs_gem(4)). */
	unsigned long		 sc_moves;	/* (a) moves done */
	unsigned long		 sc_evictions;	/* (a) evictions done */
	unsigned long		 sc_revoked;	/* (a) pages revoked */
	unsigned long		 sc_fault_waits; /* (a) faults that slept */
};

/* Snapshot of one BO (ioctl INFO, tests). */
struct gem_bo_info {
	uint32_t		 bi_handle;
	enum gem_placement	 bi_placement;
	vm_size_t		 bi_size;
	vm_ooffset_t		 bi_offset;
	uint64_t		 bi_lru;
	uint64_t		 bi_object_id;
};

extern const struct cdev_pager_ops gem_pager_ops;

/* dev_gem_bo.c: BOs, offsets, memory, move and eviction. */
int	gem_softc_init(struct gem_softc *sc, const char *name,
	    vm_size_t vram_size, struct sbuf *err);
void	gem_softc_ref(struct gem_softc *sc);
void	gem_softc_rele(struct gem_softc *sc);
void	gem_softc_shutdown(struct gem_softc *sc);
int	gem_bo_create(struct gem_softc *sc, vm_size_t size,
	    enum gem_placement placement, const struct ucred *cred,
	    struct gem_bo_info *infop, struct sbuf *err);
int	gem_bo_destroy(struct gem_softc *sc, uint32_t handle,
	    struct sbuf *err);
int	gem_bo_move_handle(struct gem_softc *sc, uint32_t handle,
	    enum gem_placement placement, struct sbuf *err);
int	gem_bo_info(struct gem_softc *sc, uint32_t handle,
	    struct gem_bo_info *infop);
int	gem_bo_lookup_offset(struct gem_softc *sc, vm_ooffset_t *offp,
	    vm_object_t *objp);
void	gem_bo_dtor(struct gem_bo *bo);
void	gem_bo_touch(struct gem_bo *bo);
const char *gem_placement_name(enum gem_placement p);

/* dev_gem_pager.c: the OBJT_MGTDEVICE fault handler. */
/* (gem_pager_ops above) */

#endif /* !_DEV_DEV_GEM_H_ */
