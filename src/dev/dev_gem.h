/*
 * gem: a buffer-object manager after the GEM/TTM drivers of FreeBSD's
 * drm2 (i915_gem.c, ttm_bo_vm.c) and Linux's drm_file handle tables.
 * Private to src/dev/dev_gem*.c; the application interface is
 * include/devpager/gem_ioctl.h and the manual page devpagerfs_gem(4).
 *
 * One device (dev/gemN) has:
 *	- a vram window: a device window (vm_phys_window_create) whose whole
 *	  range is registered with vm_phys_fictitious_reg_range(), so each
 *	  of its pages has a managed fictitious struct vm_page, WC;
 *	- a node of GEM_NODE_SIZE (2^62) bytes: the fake-offset space.
 *	  Buffer objects (BOs) sit at page-aligned offsets drawn at random
 *	  in it (sc_ranges, a red-black tree by offset), and are mapped with
 *	  mmap(..., offset);
 *	- the BOs.  Each is an OBJT_MGTDEVICE object made by
 *	  cdev_pager_allocate(bo, OBJT_MGTDEVICE, &gem_pager_ops, ...) whose
 *	  pages are either vram pages (placement vram) or wired RAM pages
 *	  (placement system) charged to the creator's uid with
 *	  swap_reserve_by_cred().  d_mmap_single hands out the object of the
 *	  BO that holds the offset;
 *	- handle tables (struct gem_file): one per open file of the node
 *	  (its cdevpriv, made by d_open, torn down when the file is freed)
 *	  and one for vm/ctl, the administrator's (sc_admin).  A handle
 *	  names a BO in one table only.  Each table is indexed twice, by
 *	  handle and by BO (the per-request access check: does this open
 *	  hold the BO behind the mapping entry?).  A BO can be given a
 *	  global name (flink, sc_names), random and 63 bits wide; opening
 *	  the name adds a handle to the opener's table.
 *
 * Life of a BO.  Created by ioctl or ctl: memory, then the object, then a
 * random offset range and a handle.  bo_handles counts its handles in
 * every table; while it is above 0 the handles hold one object reference.
 * When the last handle goes (destroy ioctl or ctl, or its table's file
 * closed) the BO is retired: no offset lookup finds it, its name is gone,
 * every resident page is revoked (pmap_remove_all: the filesystem
 * invalidates every place a page was served), faults fail, its memory
 * and charge are released at once, and the filesystem is told to drop
 * its mapping entries for the range and to invalidate the kernel's cache
 * of it (dev_retire_range).  The range stays taken until that
 * invalidation has been sent (gem_range_done), so a new BO never shows
 * pages the kernel cached for an old one.  The object, and the BO struct
 * with it, lives on while a request in flight still references it; the
 * pager's dtor (gem_bo_dtor) frees them.
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
 * placement with the data intact.  bo_busy keeps a move, an eviction
 * and a retire of one BO apart.
 *
 * Lock order (kern/lock.h ranks):
 *	sc_mtx ("gem", LOCK_RANK_DRIVER) -> object lock -> page locks
 *	gf_mtx ("gemfile", LOCK_RANK_LEAF): only malloc-free work and
 *	    atomic object references under it; never held with sc_mtx
 * The fault handler runs with the object lock held and never takes
 * sc_mtx: everything it reads of a BO is protected by the object lock
 * (bo_pages, bo_placement, bo_moving, bo_retired), constant (bo_npages,
 * bo_sc) or atomic (bo_lru).  Fields the allocator also reads
 * (bo_placement, bo_pages, bo_retired) are written with both sc_mtx and
 * the object lock held, so either one is enough to read them.  sc_mtx is
 * never held across a move, a page allocation loop, a sleep on an
 * object or a call into the filesystem; it is held across
 * vm_object_reference() (an atomic increment) only.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant after creation
 *	[s]	sc_mtx
 *	[f]	the table's gf_mtx
 *	(o)	the BO's object lock
 *	[s,o]	written with both held; read with either
 */
#ifndef _DEV_DEV_GEM_H_
#define _DEV_DEV_GEM_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "vm/vm.h"

struct cdev;
struct vm_phys_window;

/*
 * The node: fake-offset space, where BOs may start in it, and their
 * alignment.  Offsets are drawn at random among the page-aligned ones
 * that leave room for the BO (about 2^50 of them), so one open cannot
 * guess another's; the node's size never changes (a smaller size would
 * truncate the kernel's page cache under every mapper).  Below
 * GEM_OFFSET_MIN there is never a BO.
 */
#define	GEM_NODE_SIZE		(1ULL << 62)
#define	GEM_OFFSET_ALIGN	PAGE_SIZE
#define	GEM_OFFSET_MIN		(2ULL << 20)
/* Random draws before a create gives up with "no free range". */
#define	GEM_OFFSET_TRIES	64
/* vram window sizes (size= of create). */
#define	GEM_VRAM_DEFAULT	(64ULL << 20)
#define	GEM_VRAM_MIN		(64ULL << 10)
#define	GEM_VRAM_MAX		(1ULL << 30)
/* Largest BO. */
#define	GEM_BO_SIZE_MAX		(4ULL << 30)
/* Handles: 1 .. GEM_HANDLE_MAX in each table (what gem's ctl commands
 * accept). */
#define	GEM_HANDLE_MAX		0x7fffffffU
/* Global names: 1 .. GEM_NAME_MAX. */
#define	GEM_NAME_MAX		0x7fffffffffffffffULL
/* vm_page_insert attempts in the fault handler before giving up. */
#define	GEM_INSERT_RETRIES	8

enum gem_placement {
	GEM_NONE = 0,		/* no memory: retired, or the device is gone */
	GEM_VRAM = 1,
	GEM_SYSTEM = 2,
};

struct gem_softc;
struct gem_bo;

/*
 * A range of fake offsets in use: by a live BO, or retired and waiting
 * for the kernel's cache of it to be invalidated.
 */
struct gem_range {
	RB_ENTRY(gem_range)	 r_link;	/* [s] sc_ranges */
	struct gem_softc	*r_sc;		/* (c) */
	vm_ooffset_t		 r_start;	/* (c) */
	vm_size_t		 r_size;	/* (c) bytes */
	struct gem_bo		*r_bo;		/* [s] NULL once retired */
};

/* One handle of one table. */
struct gem_handle {
	RB_ENTRY(gem_handle)	 gh_hlink;	/* [f] gf_handles */
	RB_ENTRY(gem_handle)	 gh_blink;	/* [f] gf_bybo */
	uint32_t		 gh_handle;	/* (c) */
	struct gem_bo		*gh_bo;		/* (c) counted in bo_handles */
};

RB_HEAD(gem_handle_tree, gem_handle);
RB_HEAD(gem_bybo_tree, gem_handle);

/*
 * A handle table: an open file's (its cdevpriv) or the administrator's
 * (sc_admin, used by vm/ctl).
 */
struct gem_file {
	struct mtx		 gf_mtx;	/* "gemfile" */
	struct gem_softc	*gf_sc;		/* (c) an open file's holds a
						   softc reference */
	struct gem_handle_tree	 gf_handles;	/* [f] by handle */
	struct gem_bybo_tree	 gf_bybo;	/* [f] by BO, then handle */
	unsigned long		 gf_nhandles;	/* [f] */
	uint32_t		 gf_next_handle; /* [f] next-fit cursor */
	bool			 gf_admin;	/* (c) sc_admin */
};

struct gem_bo {
	TAILQ_ENTRY(gem_bo)	 bo_link;	/* [s] sc_bos */
	RB_ENTRY(gem_bo)	 bo_nlink;	/* [s] sc_names if bo_name */
	struct gem_softc	*bo_sc;		/* (c) holds a softc ref */
	struct gem_range	*bo_range;	/* [s] its offsets; NULL once
						   handed to the filesystem */
	vm_ooffset_t		 bo_offset;	/* (c) fake offset */
	vm_size_t		 bo_size;	/* (c) bytes, page multiple */
	vm_pindex_t		 bo_npages;	/* (c) */
	vm_object_t		 bo_obj;	/* (c) OBJT_MGTDEVICE object */
	struct ucred		 bo_cred;	/* (c) creator: charged uid */
	uint64_t		 bo_name;	/* [s] global name, 0: none */
	unsigned		 bo_handles;	/* [s] handles in all tables */
	bool			 bo_linked;	/* [s] on sc_bos */
	bool			 bo_retired;	/* [s,o] last handle gone, or
						   the device is: no lookup,
						   no fault, no memory */
	enum gem_placement	 bo_placement;	/* [s,o] */
	vm_page_t		*bo_pages;	/* [s,o] bo_npages pages */
	bool			 bo_charged;	/* [s,o] system pages charged */
	bool			 bo_busy;	/* [s] being moved, evicted or
						   retired */
	bool			 bo_moving;	/* (o) pages revoked, faults
						   wait on the BO */
	unsigned		 bo_evict_gen;	/* [s] eviction pass that
						   failed on this BO */
	uint64_t		 bo_lru;	/* (a) tick of last use */
};

RB_HEAD(gem_range_tree, gem_range);
RB_HEAD(gem_name_tree, gem_bo);

struct gem_softc {
	struct mtx		 sc_mtx;	/* "gem" */
	char			 sc_name[64];	/* (c) device name */
	struct cdev		*sc_dev;	/* (c) referenced once made */
	struct vm_phys_window	*sc_window;	/* (c) vram */
	vm_paddr_t		 sc_vram_base;	/* (c) */
	vm_size_t		 sc_vram_size;	/* (c) bytes */
	uint32_t		*sc_vram_free;	/* [s] stack of free page
						   indexes */
	unsigned long		 sc_vram_nfree;	/* [s] */
	TAILQ_HEAD(, gem_bo)	 sc_bos;	/* [s] BOs whose object lives */
	unsigned long		 sc_nbos;	/* [s] */
	struct gem_range_tree	 sc_ranges;	/* [s] offsets taken */
	unsigned long		 sc_nranges;	/* [s] */
	unsigned long		 sc_nretiring;	/* [s] ranges waiting for
						   their invalidation */
	struct gem_name_tree	 sc_names;	/* [s] flinked BOs by name */
	struct gem_file		 sc_admin;	/* vm/ctl's handles */
	unsigned		 sc_evict_gen;	/* [s] eviction passes */
	bool			 sc_dying;	/* [s] device being destroyed */
	volatile unsigned	 sc_refs;	/* (a) device, BOs, open files,
						   retiring ranges */
	uint64_t		 sc_tick;	/* (a) LRU clock */
	/* Counters (tests, devpagerfs_gem(4)). */
	unsigned long		 sc_moves;	/* (a) moves done */
	unsigned long		 sc_evictions;	/* (a) evictions done */
	unsigned long		 sc_revoked;	/* (a) pages revoked */
	unsigned long		 sc_fault_waits; /* (a) faults that slept */
	unsigned long		 sc_retired;	/* (a) BOs retired */
};

/* Snapshot of one BO (ioctl INFO, ctl replies, tests). */
struct gem_bo_info {
	uint32_t		 bi_handle;	/* in the table asked */
	enum gem_placement	 bi_placement;
	vm_size_t		 bi_size;
	vm_ooffset_t		 bi_offset;
	uint64_t		 bi_lru;
	uint64_t		 bi_object_id;
	uint64_t		 bi_name;	/* 0: none */
};

extern const struct cdev_pager_ops gem_pager_ops;

/* dev_gem_bo.c: BOs, offsets, memory, move, eviction and retirement. */
int	gem_softc_init(struct gem_softc *sc, const char *name,
	    vm_size_t vram_size, struct sbuf *err);
void	gem_softc_ref(struct gem_softc *sc);
void	gem_softc_rele(struct gem_softc *sc);
void	gem_softc_dying(struct gem_softc *sc);
void	gem_softc_shutdown(struct gem_softc *sc);
int	gem_bo_make(struct gem_softc *sc, bool admin, vm_size_t size,
	    enum gem_placement placement, const struct ucred *cred,
	    struct gem_bo **bop, struct sbuf *err);
int	gem_bo_lookup_offset(struct gem_softc *sc, vm_ooffset_t *offp,
	    vm_object_t *objp);
void	gem_bo_dtor(struct gem_bo *bo);
void	gem_bo_touch(struct gem_bo *bo);
const char *gem_placement_name(enum gem_placement p);
/* Tests: replace the random source of offsets and names (NULL: back to
 * arc4random). */
void	gem_set_random(uint64_t (*fn)(void));

/* dev_gem_file.c: handle tables, global names, the access check. */
void	gem_file_init(struct gem_file *gf, struct gem_softc *sc, bool admin);
/*
 * Create a BO of size bytes in placement for cred, with a handle in gf
 * (gem_bo_make; the administrator's gets a global name at once).  On
 * success *infop describes it.  0, EINVAL (size), ENOMEM (memory,
 * charge, offsets or handles exhausted), ENXIO.  No lock held.
 */
int	gem_bo_create(struct gem_file *gf, vm_size_t size,
	    enum gem_placement placement, const struct ucred *cred,
	    struct gem_bo_info *infop, struct sbuf *err);
void	gem_file_clear(struct gem_file *gf);
void	gem_file_fini(struct gem_file *gf);
int	gem_handle_add(struct gem_file *gf, struct gem_bo *bo,
	    uint32_t *handlep);
int	gem_handle_close(struct gem_file *gf, uint32_t handle,
	    struct sbuf *err);
int	gem_handle_move(struct gem_file *gf, uint32_t handle,
	    enum gem_placement placement, struct sbuf *err);
int	gem_handle_info(struct gem_file *gf, uint32_t handle,
	    struct gem_bo_info *infop);
int	gem_handle_flink(struct gem_file *gf, uint32_t handle,
	    uint64_t *namep);
int	gem_handle_open(struct gem_file *gf, uint64_t name,
	    struct gem_bo_info *infop);
bool	gem_file_holds(struct gem_file *gf, const struct gem_bo *bo);
/* In dev_gem_bo.c, for the tables: */
struct gem_bo *gem_bo_of_object(vm_object_t obj);
void	gem_bo_handle_drop(struct gem_bo *bo);
int	gem_bo_move(struct gem_bo *bo, enum gem_placement placement,
	    struct sbuf *err);
void	gem_bo_describe(struct gem_bo *bo, struct gem_bo_info *infop);
int	gem_bo_name(struct gem_bo *bo, uint64_t *namep);
struct gem_bo *gem_bo_open_name(struct gem_softc *sc, uint64_t name);

/* dev_gem_pager.c: the OBJT_MGTDEVICE fault handler. */
/* (gem_pager_ops above) */

#endif /* !_DEV_DEV_GEM_H_ */
