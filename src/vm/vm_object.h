/*
 * Virtual memory objects, after FreeBSD's <vm/vm_object.h>.
 *
 * Objects are type-stable: their memory comes from a zone that is never
 * returned to libc, and every object ever created sits on the global
 * object list (vm_object_list) from its first allocation on, forever.  A
 * free or stillborn object has type OBJT_DEAD, flag OBJ_DEAD and
 * ref_count 0.  Readers walk the list lock-free inside rcu_read_lock()
 * (cds_list_for_each_entry_rcu) while other threads create and destroy
 * objects; a freed object is handed out again only after a grace period,
 * so a reader that still holds its pointer sees a DEAD object, not
 * unrelated memory.
 *
 * Reference counts: ref_count is atomic.  It drops to 0 only in
 * vm_object_deallocate() with the object write-locked, which then sets
 * OBJ_DEAD before unlocking; so under the object lock "!OBJ_DEAD" implies
 * ref_count > 0, and lock-free lookups use refcount_acquire_if_not_zero()
 * (a dead object can never go 0 -> 1).
 *
 * The id index.  Every object from vm_object_allocate() until
 * vm_object_destroy() is also in a hash table keyed by its id (a
 * cds_lfht, RCU readers, lock-free updates), so vm_object_lookup_id() --
 * every request on vm/object/<ID>/ -- is one hash lookup, not a walk of
 * the global list.  The object leaves the index before its grace period
 * starts, so its memory is reused (and its link re-added) only once no
 * reader can still be on the link.  A found object may be dying (OBJ_DEAD,
 * ref_count 0, still in the index until destroyed): the lookup takes a
 * reference only if the count is not zero, as on the list.  The table has
 * a fixed size (VM_OBJECT_ID_BUCKETS, no automatic resize: that would
 * start liburcu worker threads); chains stay a few nodes long up to tens
 * of thousands of live objects.
 *
 * Lock order: pager list locks (dev_pager_mtx) -> object lock -> page
 * locks.  The object lock is an rwlock; VM_OBJECT_SLEEP drops and retakes
 * it without losing a wake-up.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant until the object is freed
 *	(d)	the pager's list lock (dev_pager_mtx for device objects)
 *	(i)	the id index: lock-free updates inside rcu_read_lock()
 *	(l)	vm_object_list_mtx (writers of the global list)
 *	(o)	the object's lock (write for changes)
 *	(r)	RCU-published; readable inside rcu_read_lock()
 */
#ifndef _VM_VM_OBJECT_H_
#define _VM_VM_OBJECT_H_

#include <sys/queue.h>

#include "kern/kern_rcu.h"
#include "kern/rwlock.h"
#include "kern/ucred.h"
#include "vm/vm.h"
#include "vm/vm_radix.h"

struct cdev;
struct cdev_pager_ops;
struct sglist;

TAILQ_HEAD(pglist, vm_page);

struct vm_object {
	struct rwlock		 lock;		/* the object lock, first */
	struct cds_list_head	 object_list;	/* (l,r) global list link */
	struct cds_list_head	 pager_object_list; /* (d,r) pager's list */
	void			*handle;	/* (d,r) lookup key */
	TAILQ_HEAD(respgs, vm_page) memq;	/* (o) resident pages */
	struct vm_radix		 rtree;		/* (o,r) resident pages */
	vm_pindex_t		 size;		/* (o) in pages */
	unsigned		 generation;	/* (o) */
	/*
	 * More than a cache line between the fields a handle lookup reads
	 * while walking past other objects (list link, handle) and
	 * ref_count, which lookups of this object write: references taken
	 * on one object do not slow down walks past it.  (No alignment
	 * attribute: list heads are not embedded in objects, and walks
	 * compute container pointers from them.)
	 */
	char			 ref_pad[64];
	volatile unsigned	 ref_count;	/* (a; 0 only under o) */
	int			 shadow_count;	/* (o) always 0 here */
	vm_memattr_t		 memattr;	/* (o) default page memattr */
	objtype_t		 type;		/* (o,r) */
	uint16_t		 flags;		/* (o,r) OBJ_* */
	uint16_t		 pg_color;	/* (c) valid if OBJ_COLORED */
	unsigned		 paging_in_progress; /* (o) */
	unsigned		 resident_page_count; /* (o,r) */
	uint64_t		 id;		/* (c) stable id, vm/object/<ID> */
	struct cds_lfht_node	 id_node;	/* (i,r) id index link */
	union {
		/* OBJT_DEVICE, OBJT_MGTDEVICE */
		struct {
			struct pglist	 devp_pglist;	/* (o) fake pages */
			const struct cdev_pager_ops *ops; /* (c) */
			struct cdev	*dev;		/* (c) owning cdev */
		} devp;
		/* OBJT_SG */
		struct {
			struct sglist	*sgp_sglist;	/* (c) */
			struct pglist	 sgp_pglist;	/* (o) fake pages */
		} sgp;
		/* OBJT_SWAP, OBJT_DEFAULT: nothing pager-specific */
	} un_pager;
	void			*pager_priv;	/* (c) driver data (cdev_pager) */
	struct ucred		 cred;		/* (c) charged credentials */
	bool			 has_cred;	/* (o) a charge is held */
	vm_ooffset_t		 charge;	/* (o) bytes reserved */
	char			 path[64];	/* (o) inspection PATH column */
	unsigned long		 faults;	/* (a) faults served (vm/) */
	struct rcu_head		 rcu;		/* deferred reuse */
	TAILQ_ENTRY(vm_object)	 free_link;	/* zone free list */
};

/* flags (OBJ_*), with FreeBSD 10's values */
#define	OBJ_FICTITIOUS	0x0001	/* (c) contains fictitious pages */
#define	OBJ_UNMANAGED	0x0002	/* (c) contains unmanaged pages */
#define	OBJ_DEAD	0x0008	/* dead objects (during rundown) */
#define	OBJ_NOSPLIT	0x0010
#define	OBJ_PIPWNT	0x0040	/* paging in progress wanted */
#define	OBJ_COLORED	0x1000	/* pg_color is defined */
#define	OBJ_ONEMAPPING	0x2000

/* vm_object_page_remove() options */
#define	OBJPR_CLEANONLY	0x1
#define	OBJPR_NOTMAPPED	0x2

#define	VM_OBJECT_WLOCK(o)	rw_wlock(&(o)->lock)
#define	VM_OBJECT_WUNLOCK(o)	rw_wunlock(&(o)->lock)
#define	VM_OBJECT_RLOCK(o)	rw_rlock(&(o)->lock)
#define	VM_OBJECT_RUNLOCK(o)	rw_runlock(&(o)->lock)
#define	VM_OBJECT_TRYWLOCK(o)	rw_try_wlock(&(o)->lock)
#define	VM_OBJECT_TRYRLOCK(o)	rw_try_rlock(&(o)->lock)
#define	VM_OBJECT_TRYUPGRADE(o)	rw_try_upgrade(&(o)->lock)
#define	VM_OBJECT_LOCK_DOWNGRADE(o) rw_downgrade(&(o)->lock)
#define	VM_OBJECT_WOWNED(o)	rw_wowned(&(o)->lock)
#define	VM_OBJECT_ASSERT_LOCKED(o)	rw_assert(&(o)->lock, RA_LOCKED)
#define	VM_OBJECT_ASSERT_RLOCKED(o)	rw_assert(&(o)->lock, RA_RLOCKED)
#define	VM_OBJECT_ASSERT_WLOCKED(o)	rw_assert(&(o)->lock, RA_WLOCKED)
#define	VM_OBJECT_ASSERT_UNLOCKED(o)	rw_assert(&(o)->lock, RA_UNLOCKED)
#define	VM_OBJECT_SLEEP(o, wchan, flags, wmesg, timo)			\
	rw_sleep((wchan), &(o)->lock, (flags), (wmesg), (timo))

/* The global list.  Walk it with cds_list_for_each_entry_rcu inside
 * rcu_read_lock(); skip OBJT_DEAD entries. */
extern struct cds_list_head vm_object_list;

void	vm_object_init(void);
vm_object_t vm_object_allocate(objtype_t type, vm_pindex_t size);
void	vm_object_reference(vm_object_t object);
void	vm_object_reference_locked(vm_object_t object);	/* WLOCKED */
void	vm_object_deallocate(vm_object_t object);
void	vm_object_terminate(vm_object_t object);	/* WLOCKED */
void	vm_object_destroy(vm_object_t object);
void	vm_object_set_flag(vm_object_t object, uint16_t bits);	/* WLOCKED */
void	vm_object_clear_flag(vm_object_t object, uint16_t bits);	/* WLOCKED */
void	vm_object_pip_add(vm_object_t object, unsigned i);	/* WLOCKED */
void	vm_object_pip_wakeup(vm_object_t object);		/* WLOCKED */
void	vm_object_pip_wakeupn(vm_object_t object, unsigned i);	/* WLOCKED */
void	vm_object_pip_wait(vm_object_t object, const char *waitid); /* WLOCKED */
void	vm_object_page_remove(vm_object_t object, vm_pindex_t start,
	    vm_pindex_t end, int options);			/* WLOCKED */
int	vm_object_set_memattr(vm_object_t object, vm_memattr_t memattr);
/* Set the PATH column shown by vm/objects (e.g. "dev/ram0"). */
void	vm_object_set_path(vm_object_t object, const char *path);

/*
 * Find a live object by id and reference it; NULL if none (never was,
 * destroyed, or dying: OBJ_DEAD or ref_count 0).  One lookup in the id
 * index, lock-free; the caller must not be inside rcu_read_lock() if it
 * may drop the reference it gets (the last one terminates the object).
 * Makes the calling thread a registered RCU thread.
 */
vm_object_t vm_object_lookup_id(uint64_t id);
/* Objects in the id index (allocated, not yet destroyed); for tests. */
unsigned long vm_object_id_index_count(void);

/*
 * The walks of the global list, with its rules in one place (see the top
 * of this file): lock-free inside one read-side section, never blocking
 * there.  The caller must be (or becomes, here) a registered RCU thread
 * and holds no VM lock.
 *
 * vm_object_snapshot: one row per live object, read under the object's
 * read lock -- taken with a try-lock inside the section; an object whose
 * lock is busy is referenced there and read in a second pass, outside
 * the section, with a blocking lock (and its ref column does not count
 * that reference).  *rowsp is malloc'ed (free it); 0 or ENOMEM (what was
 * gathered until then is returned).
 * vm_object_ids: the ids of the live objects (not OBJT_DEAD, ref_count
 * not 0), read without locks.  *idsp is malloc'ed; 0 or ENOMEM as above.
 * vm_object_find_rcu: match(object, arg) for every object not OBJT_DEAD,
 * inside the section, until it returns true; match may read the object's
 * atomic and RCU-published fields, may try its lock (never wait for
 * it), and must not block.  The two walks above are built on it.
 * Whether one matched.
 */
struct vm_object_stat {
	uint64_t	 id;
	objtype_t	 type;
	uint16_t	 flags;
	unsigned long	 resident, active, inactive;
	unsigned	 ref, shadow;
	vm_memattr_t	 memattr;
	char		 path[64];
};
int	vm_object_snapshot(struct vm_object_stat **rowsp, size_t *np);

/*
 * One live object, every field, read under its lock (vm/object/ID/info):
 * vm_object_describe fills *info for object id, or returns ENOENT.  The
 * handle is classified, never exposed: VMO_HANDLE_DEVICE means it is the
 * object's devp.dev, which info->devp_dev holds for comparison with the
 * cdev registry only (it may be any pointer: never dereference it).
 */
enum vm_object_handle_kind {
	VMO_HANDLE_NONE,	/* no handle */
	VMO_HANDLE_DEVICE,	/* the device object's own devp.dev */
	VMO_HANDLE_SELF,	/* points at the object (a lost race) */
	VMO_HANDLE_PRIVATE,	/* a key of the pager's or driver's own */
};
struct vm_object_info {
	struct vm_object_stat vi_stat;	/* ref: not counting our lookup */
	vm_pindex_t	 vi_size;
	uint16_t	 vi_pg_color;
	unsigned	 vi_paging_in_progress;
	unsigned	 vi_generation;
	uint64_t	 vi_charge;
	bool		 vi_has_cred;
	uid_t		 vi_charged_uid;
	enum vm_object_handle_kind vi_handle;
	const void	*vi_devp_dev;	/* device objects; compare only */
	unsigned long	 vi_faults;
};
int	vm_object_describe(uint64_t id, struct vm_object_info *info);
/*
 * The resident pages of object id, in memq order, read under its lock
 * (vm/object/ID/pages; hold and mapping counts are read racily, as
 * vmstat does).  *rowsp is malloc'ed.  0, ENOENT or ENOMEM.
 */
struct vm_object_page_info {
	vm_pindex_t	 pi_pindex;
	vm_paddr_t	 pi_phys;
	bool		 pi_fictitious;
	bool		 pi_unmanaged;
	bool		 pi_xbusy;
	bool		 pi_unholdfree;
	unsigned	 pi_valid;
	unsigned	 pi_dirty;
	unsigned	 pi_hold;
	vm_memattr_t	 pi_memattr;
	unsigned	 pi_mappings;
};
int	vm_object_pages(uint64_t id, struct vm_object_page_info **rowsp,
	    size_t *np);
int	vm_object_ids(uint64_t **idsp, size_t *np);
bool	vm_object_find_rcu(bool (*match)(vm_object_t object, void *arg),
	    void *arg);

/* Counters for the inspection tree (live objects, zone items). */
unsigned long vm_object_live_count(void);
unsigned long vm_object_zone_count(void);
/* Reference counts that went 0 -> 1 (a revived dead object: a bug; also
 * fatal under INVARIANTS).  For tests. */
unsigned long vm_object_revival_count(void);

#endif /* !_VM_VM_OBJECT_H_ */
