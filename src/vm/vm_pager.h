/*
 * Pagers, after FreeBSD's <vm/vm_pager.h>: a method table per object type
 * (pagertab[]), the wrappers the VM calls, and the device pager KPI
 * (cdev_pager_ops, cdev_pager_allocate).
 *
 * Pager results (VM_PAGER_*) stay inside src/vm; src/fuse translates them
 * to errno in one table.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant
 */
#ifndef _VM_VM_PAGER_H_
#define _VM_VM_PAGER_H_

#include "kern/ucred.h"
#include "vm/vm.h"

#define	VM_PAGER_OK	0
#define	VM_PAGER_BAD	1	/* out of the accepted range */
#define	VM_PAGER_FAIL	2	/* in range, but doesn't exist */
#define	VM_PAGER_PEND	3
#define	VM_PAGER_ERROR	4
#define	VM_PAGER_AGAIN	5

#define	VM_PAGER_PUT_SYNC	0x1
#define	VM_PAGER_PUT_INVAL	0x2

struct cds_list_head;

typedef void		pgo_init_t(void);
typedef vm_object_t	pgo_alloc_t(void *handle, vm_ooffset_t size,
			    vm_prot_t prot, vm_ooffset_t foff,
			    const struct ucred *cred);
typedef void		pgo_dealloc_t(vm_object_t object);
/* (object, ma, count, reqpage); WLOCKED on entry and return. */
typedef int		pgo_getpages_t(vm_object_t object, vm_page_t *ma,
			    int count, int reqpage);
typedef void		pgo_putpages_t(vm_object_t object, vm_page_t *ma,
			    int count, int flags, int *rtvals);
typedef bool		pgo_haspage_t(vm_object_t object, vm_pindex_t pindex,
			    int *before, int *after);
/* Fill [first, last] pindexes in one call (cdev_pg_populate). */
typedef int		pgo_populate_t(vm_object_t object, vm_pindex_t pidx,
			    int fault_type, vm_prot_t max_prot,
			    vm_pindex_t *first, vm_pindex_t *last);

struct pagerops {
	const char	*pgo_name;	/* "df", "sw", "dv", ... (vmstat TP) */
	pgo_init_t	*pgo_init;
	pgo_alloc_t	*pgo_alloc;
	pgo_dealloc_t	*pgo_dealloc;
	pgo_getpages_t	*pgo_getpages;
	pgo_putpages_t	*pgo_putpages;
	pgo_haspage_t	*pgo_haspage;
	pgo_populate_t	*pgo_populate;	/* optional */
};

extern const struct pagerops defaultpagerops;
extern const struct pagerops swappagerops;
extern const struct pagerops devicepagerops;
extern const struct pagerops physpagerops;
extern const struct pagerops deadpagerops;
extern const struct pagerops sgpagerops;
extern const struct pagerops mgtdevicepagerops;
extern const struct pagerops *const pagertab[OBJT_NTYPES];

void	vm_pager_init(void);
vm_object_t vm_pager_allocate(objtype_t type, void *handle, vm_ooffset_t size,
	    vm_prot_t prot, vm_ooffset_t off, const struct ucred *cred);
void	vm_pager_deallocate(vm_object_t object);		/* WLOCKED */
/* WLOCKED.  On VM_PAGER_OK m[reqpage] is the (possibly replaced) page,
 * and a partially valid result is zero-filled (vm_page_zero_invalid). */
int	vm_pager_get_pages(vm_object_t object, vm_page_t *m, int count,
	    int reqpage);
void	vm_pager_put_pages(vm_object_t object, vm_page_t *m, int count,
	    int flags, int *rtvals);				/* WLOCKED */
bool	vm_pager_has_page(vm_object_t object, vm_pindex_t offset,
	    int *before, int *after);				/* WLOCKED */
/*
 * Find the live object with this handle on pg_list and return it
 * referenced, or NULL.  The pager's list lock must be held.  For every
 * object whose handle matches: lock it, skip it if OBJ_DEAD, otherwise
 * reference it under that same lock hold.  Never returns a doomed object.
 */
vm_object_t vm_pager_object_lookup(struct cds_list_head *pg_list,
	    void *handle);
/* The same walk without the list lock: inside rcu_read_lock(), with
 * refcount_acquire_if_not_zero() and a handle re-check. */
vm_object_t vm_pager_object_lookup_rcu(struct cds_list_head *pg_list,
	    void *handle);

/*
 * Test-only knobs (never used outside tests):
 *	vm_pager_set_test_ops: use ops instead of pagertab[type] for every
 *	    pager call on objects of that type (NULL restores pagertab).
 *	vm_pager_set_broken_lookup: make vm_pager_object_lookup the pre-fix
 *	    variant of reference 4.4 (OBJ_DEAD tested unlocked, hook
 *	    "vm_pager_object_lookup_broken", then vm_object_reference), to
 *	    show that its 0 -> 1 revival is caught.
 * Test hooks: "vm_pager_object_lookup_match" (H4: after a handle match,
 * before the object lock, list lock held), "phys_pager_dealloc" (after
 * the object lock is dropped, before phys_pager_mtx).
 */
void	vm_pager_set_test_ops(objtype_t type, const struct pagerops *ops);
void	vm_pager_set_broken_lookup(bool broken);

/*
 * The device pager KPI (cdev_pager(9)).
 *	cdev_pg_fault: object WLOCKED on entry and return (may drop it in
 *	    between); *mres is the placeholder on entry, the page now at that
 *	    pindex on VM_PAGER_OK.  prot is VM_PROT_READ for read faults,
 *	    VM_PROT_WRITE when the daemon serves a write.
 *	cdev_pg_populate: optional.
 *	cdev_pg_ctor: called on every cdev_pager_allocate(), before the
 *	    list lock; may set *color.  Non-zero fails the allocation.
 *	cdev_pg_dtor: once per object actually built, with the object's
 *	    own handle/dev, never the (possibly rewritten) lookup key.
 */
struct cdev_pager_ops {
	int	(*cdev_pg_fault)(vm_object_t vm_obj, vm_ooffset_t offset,
		    int prot, vm_page_t *mres);
	int	(*cdev_pg_populate)(vm_object_t vm_obj, vm_pindex_t pidx,
		    int fault_type, vm_prot_t max_prot, vm_pindex_t *first,
		    vm_pindex_t *last);
	int	(*cdev_pg_ctor)(void *handle, vm_ooffset_t size,
		    vm_prot_t prot, vm_ooffset_t foff,
		    const struct ucred *cred, uint16_t *color);
	void	(*cdev_pg_dtor)(void *handle);
};

vm_object_t cdev_pager_allocate(void *handle, enum obj_type tp,
	    const struct cdev_pager_ops *ops, vm_ooffset_t size,
	    vm_prot_t prot, vm_ooffset_t foff, const struct ucred *cred);
vm_object_t cdev_pager_lookup(void *handle);
void	cdev_pager_free_page(vm_object_t object, vm_page_t m);	/* WLOCKED */
/*
 * The tail of a cdev_pg_fault handler (cdev_pager(9)).  The object must
 * be locked (write); it is locked on return.
 *	cdev_pager_page_replace: page takes the place of the placeholder
 *	    *mres (vm_page_replace); the placeholder -- a fake page or a RAM
 *	    page, whichever vm_fault put there -- loses any mapping
 *	    recorded for it and is freed; page becomes fully valid and
 *	    *mres.  page == *mres: only the valid bits.
 *	cdev_pager_fake_page: the fake page of paddr with memattr becomes
 *	    *mres: a fake placeholder is repointed (vm_page_updatefake), a
 *	    RAM one replaced by a new fake page (vm_page_getfake, with the
 *	    object lock dropped around it) and freed.
 */
void	cdev_pager_page_replace(vm_object_t object, vm_page_t *mres,
	    vm_page_t page);
void	cdev_pager_fake_page(vm_object_t object, vm_page_t *mres,
	    vm_paddr_t paddr, vm_memattr_t memattr);

#endif /* !_VM_VM_PAGER_H_ */
