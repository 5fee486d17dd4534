/*
 * Virtual memory objects, after FreeBSD's vm_object.c.
 *
 * The object zone: struct vm_object items are calloc()ed one at a time
 * and never given back to libc.  The first time an item is created it is
 * initialised once and for all (its rwlock, an empty memq and trie) as a
 * dead object (OBJT_DEAD, OBJ_DEAD, ref_count 0) and appended to the
 * global RCU list vm_object_list, which it never leaves.  Freeing an
 * object (vm_object_destroy) hands it to call_rcu(): it reaches the
 * zone's free list only after a grace period, so an RCU reader walking
 * the global list -- or a pager's list, from which pgo_dealloc unlinked
 * it -- never sees it reused inside its read-side section.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/refcount.h"
#include "kern/rwlock.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_radix.h"
#include "vm/pmap.h"
#include "vm/swap_reserve.h"

/*
 * The global list, the zone and the id index (see vm_object.h).
 *	(l)	vm_object_list_mtx
 *	(z)	obj_zone_mtx
 *	(r)	RCU-published
 */
#define	VM_OBJECT_ID_BUCKETS	16384
struct cds_list_head vm_object_list = CDS_LIST_HEAD_INIT(vm_object_list);
static struct mtx vm_object_list_mtx;
static struct mtx obj_zone_mtx;
static TAILQ_HEAD(, vm_object) obj_zone_free =		/* (z) */
    TAILQ_HEAD_INITIALIZER(obj_zone_free);
static unsigned long obj_zone_items;			/* (a) ever created */
static unsigned long obj_live;				/* (a) allocated */
static unsigned long obj_revivals;			/* (a) 0 -> 1 refs */
static uint64_t obj_next_id = 1;			/* (a) */
static bool vm_object_inited;
static struct cds_lfht *vm_object_id_ht;		/* (r) */
static pthread_once_t vm_object_id_once = PTHREAD_ONCE_INIT;
static unsigned long vm_object_id_count;		/* (a) in the index */

static vm_object_t obj_zone_alloc(void);
static vm_object_t obj_zone_create(void);
static void	obj_zone_free_rcu(struct rcu_head *head);
static void	vm_object_ref_acquire(vm_object_t object);
static void	vm_object_id_ht_create(void);
static uint64_t	vm_object_id_hash(uint64_t id);
static int	vm_object_id_match(struct cds_lfht_node *node, const void *key);
static void	vm_object_id_insert(vm_object_t object);
static void	vm_object_id_remove(vm_object_t object);

void
vm_object_init(void)
{

	if (vm_object_inited)
		return;
	mtx_init(&vm_object_list_mtx, "vm object list", LOCK_RANK_LEAF,
	    MTX_DEF);
	mtx_init(&obj_zone_mtx, "vm object zone", LOCK_RANK_LEAF, MTX_DEF);
	vm_object_inited = true;
}

/*
 * The id index is made on first use, not in vm_object_init(): Check's
 * parent process and the daemon before fuse_daemonize() must not touch
 * liburcu state that a fork would break.  No resize flag, hence no
 * worker thread.
 */
static void
vm_object_id_ht_create(void)
{
	struct cds_lfht *ht;

	ht = cds_lfht_new_flavor(VM_OBJECT_ID_BUCKETS, VM_OBJECT_ID_BUCKETS,
	    VM_OBJECT_ID_BUCKETS, 0, &urcu_memb_flavor, NULL);
	if (ht == NULL)
		panic("vm_object_allocate: cannot allocate the id index");
	rcu_assign_pointer(vm_object_id_ht, ht);
}

/* Ids are consecutive: mix them so every bit of the hash varies. */
static uint64_t
vm_object_id_hash(uint64_t id)
{
	uint64_t h;

	h = id * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (h);
}

/* The item's id is stable while it is in the index (it changes only at
 * reuse, after a grace period that follows its removal). */
static int
vm_object_id_match(struct cds_lfht_node *node, const void *key)
{
	vm_object_t object;

	object = caa_container_of(node, struct vm_object, id_node);
	return (__atomic_load_n(&object->id, __ATOMIC_RELAXED) ==
	    *(const uint64_t *)key);
}

/* Add a newly allocated object; the caller is a registered RCU thread. */
static void
vm_object_id_insert(vm_object_t object)
{

	(void)pthread_once(&vm_object_id_once, vm_object_id_ht_create);
	cds_lfht_node_init(&object->id_node);
	rcu_read_lock();
	cds_lfht_add(vm_object_id_ht, vm_object_id_hash(object->id),
	    &object->id_node);
	rcu_read_unlock();
	__atomic_add_fetch(&vm_object_id_count, 1, __ATOMIC_RELAXED);
}

/* Take a destroyed object out, before its grace period starts. */
static void
vm_object_id_remove(vm_object_t object)
{
	int error;

	rcu_read_lock();
	error = cds_lfht_del(vm_object_id_ht, &object->id_node);
	rcu_read_unlock();
	KASSERT(error == 0, ("vm_object_destroy: object %p (id %ju) is not "
	    "in the id index", (void *)object, (uintmax_t)object->id));
	__atomic_sub_fetch(&vm_object_id_count, 1, __ATOMIC_RELAXED);
}

unsigned long
vm_object_id_index_count(void)
{

	return (__atomic_load_n(&vm_object_id_count, __ATOMIC_RELAXED));
}

/*
 * FreeBSD's vm_object_zinit(): runs once per item, ever.  The item is
 * born dead and published on the global list before anyone can use it.
 */
static vm_object_t
obj_zone_create(void)
{
	vm_object_t object;

	/* Cache-line aligned, so the layout of vm_object.h holds. */
	object = aligned_alloc(64, (sizeof(*object) + 63) & ~(size_t)63);
	if (object == NULL)
		panic("vm_object_allocate: out of memory");
	memset(object, 0, sizeof(*object));
	rw_init(&object->lock, "vm object", LOCK_RANK_VM_OBJECT, RW_DUPOK);
	object->type = OBJT_DEAD;
	object->flags = OBJ_DEAD;
	refcount_init(&object->ref_count, 0);
	TAILQ_INIT(&object->memq);
	vm_radix_init_tree(&object->rtree);
	CDS_INIT_LIST_HEAD(&object->pager_object_list);
	__atomic_add_fetch(&obj_zone_items, 1, __ATOMIC_RELAXED);
	mtx_lock(&vm_object_list_mtx);
	cds_list_add_tail_rcu(&object->object_list, &vm_object_list);
	mtx_unlock(&vm_object_list_mtx);
	return (object);
}

static vm_object_t
obj_zone_alloc(void)
{
	vm_object_t object;

	mtx_lock(&obj_zone_mtx);
	object = TAILQ_FIRST(&obj_zone_free);
	if (object != NULL)
		TAILQ_REMOVE(&obj_zone_free, object, free_link);
	mtx_unlock(&obj_zone_mtx);
	if (object == NULL)
		object = obj_zone_create();
	return (object);
}

/*
 * The zone's free: runs after a grace period (call_rcu).  Under
 * INVARIANTS, FreeBSD's vm_object_zdtor checks.
 */
static void
obj_zone_free_rcu(struct rcu_head *head)
{
	vm_object_t object;

	object = caa_container_of(head, struct vm_object, rcu);
	KASSERT(refcount_load(&object->ref_count) == 0,
	    ("object %p ref_count = %u", (void *)object,
	    refcount_load(&object->ref_count)));
	KASSERT(TAILQ_EMPTY(&object->memq),
	    ("object %p has resident pages in its memq", (void *)object));
	KASSERT(vm_radix_is_empty(&object->rtree),
	    ("object %p has resident pages in its trie", (void *)object));
	KASSERT(object->paging_in_progress == 0,
	    ("object %p paging_in_progress = %u", (void *)object,
	    object->paging_in_progress));
	KASSERT(object->resident_page_count == 0,
	    ("object %p resident_page_count = %u", (void *)object,
	    object->resident_page_count));
	KASSERT(object->shadow_count == 0,
	    ("object %p shadow_count = %d", (void *)object,
	    object->shadow_count));
	KASSERT(object->type == OBJT_DEAD,
	    ("object %p has non-dead type %d", (void *)object,
	    object->type));
	mtx_lock(&obj_zone_mtx);
	TAILQ_INSERT_TAIL(&obj_zone_free, object, free_link);
	mtx_unlock(&obj_zone_mtx);
}

/*
 * Allocate an object of the given type and size (pages) with one
 * reference.  Panics on OBJT_DEAD.
 */
vm_object_t
vm_object_allocate(objtype_t type, vm_pindex_t size)
{
	vm_object_t object;
	uint16_t flags;

	switch (type) {
	case OBJT_DEAD:
		panic("vm_object_allocate: can't create OBJT_DEAD");
	case OBJT_DEFAULT:
	case OBJT_SWAP:
		flags = OBJ_ONEMAPPING;
		break;
	case OBJT_DEVICE:
	case OBJT_SG:
		flags = OBJ_FICTITIOUS | OBJ_UNMANAGED;
		break;
	case OBJT_MGTDEVICE:
		flags = OBJ_FICTITIOUS;
		break;
	case OBJT_PHYS:
		flags = OBJ_UNMANAGED;
		break;
	default:
		panic("vm_object_allocate: type %d", type);
	}
	object = obj_zone_alloc();
	KASSERT(object->type == OBJT_DEAD && refcount_load(&object->ref_count)
	    == 0, ("vm_object_allocate: zone item %p is live", (void *)object));

	/*
	 * Stale RCU readers may still look at the item (type-stable): fill
	 * everything in, then publish the real type last.
	 */
	KASSERT(TAILQ_EMPTY(&object->memq), ("vm_object_allocate: memq"));
	vm_radix_init_tree(&object->rtree);
	object->size = size;
	object->generation = 1;
	object->shadow_count = 0;
	object->memattr = VM_MEMATTR_DEFAULT;
	object->pg_color = 0;
	object->paging_in_progress = 0;
	object->resident_page_count = 0;
	__atomic_store_n(&object->handle, NULL, __ATOMIC_RELAXED);
	memset(&object->un_pager, 0, sizeof(object->un_pager));
	if (type == OBJT_DEVICE || type == OBJT_MGTDEVICE)
		TAILQ_INIT(&object->un_pager.devp.devp_pglist);
	else if (type == OBJT_SG)
		TAILQ_INIT(&object->un_pager.sgp.sgp_pglist);
	CDS_INIT_LIST_HEAD(&object->pager_object_list);
	object->pager_priv = NULL;
	memset(&object->cred, 0, sizeof(object->cred));
	object->has_cred = false;
	object->charge = 0;
	object->path[0] = '\0';
	__atomic_store_n(&object->faults, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&object->id,
	    __atomic_fetch_add(&obj_next_id, 1, __ATOMIC_RELAXED),
	    __ATOMIC_RELAXED);
	refcount_init(&object->ref_count, 1);
	__atomic_store_n(&object->flags, flags, __ATOMIC_RELEASE);
	__atomic_store_n(&object->type, type, __ATOMIC_RELEASE);
	__atomic_add_fetch(&obj_live, 1, __ATOMIC_RELAXED);
	rcu_thread_online();
	vm_object_id_insert(object);
	return (object);
}

/*
 * Take a reference.  A count going 0 -> 1 would revive a dead or
 * stillborn object: counted (obj_revivals, for the tests of the broken
 * lookup) and fatal under INVARIANTS.
 */
static void
vm_object_ref_acquire(vm_object_t object)
{
	unsigned old;

	old = __atomic_fetch_add(&object->ref_count, 1, __ATOMIC_ACQ_REL);
	if (__predict_false(old == 0)) {
		__atomic_add_fetch(&obj_revivals, 1, __ATOMIC_RELAXED);
		KASSERT(0, ("vm_object_reference: object %p revived from "
		    "ref_count 0 (type %d, flags %#x)", (void *)object,
		    object->type, object->flags));
	}
}

/*
 * Add a reference to a live object (the caller already holds one, or
 * holds the object lock and has checked it is not OBJ_DEAD).
 */
void
vm_object_reference(vm_object_t object)
{

	if (object == NULL)
		return;
	vm_object_ref_acquire(object);
}

/* The object must be locked (write). */
void
vm_object_reference_locked(vm_object_t object)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	vm_object_ref_acquire(object);
}

/*
 * Release a reference; the last one terminates the object.  The count
 * reaches 0 only here, with the object write-locked, and terminate marks
 * it OBJ_DEAD before the lock is dropped.
 */
void
vm_object_deallocate(vm_object_t object)
{

	if (object == NULL)
		return;
	TEST_HOOK("vm_object_deallocate");
	if (refcount_release_if_not_last(&object->ref_count))
		return;
	VM_OBJECT_WLOCK(object);
	KASSERT(refcount_load(&object->ref_count) > 0,
	    ("vm_object_deallocate: object %p deallocated too many times: "
	    "type %d", (void *)object, object->type));
	if (!refcount_release(&object->ref_count)) {
		VM_OBJECT_WUNLOCK(object);
		return;
	}
	vm_object_terminate(object);
	/* terminate unlocked and destroyed the object */
}

/*
 * Tear down an object whose last reference is gone: mark it dead, wait
 * for paging to finish, free or detach its pages, let the pager clean up
 * (which makes it OBJT_DEAD), then destroy it.  Called with the object
 * write-locked; returns with it unlocked and freed.  May sleep.
 */
void
vm_object_terminate(vm_object_t object)
{
	vm_page_t p;
	bool managed;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(refcount_load(&object->ref_count) == 0,
	    ("vm_object_terminate: object %p with references, ref_count=%u",
	    (void *)object, refcount_load(&object->ref_count)));

	/* Lookups that take the object lock now skip this object. */
	vm_object_set_flag(object, OBJ_DEAD);
	vm_object_pip_wait(object, "objtrm");
	KASSERT(object->paging_in_progress == 0,
	    ("vm_object_terminate: pageout in progress"));

	/*
	 * Detach every page.  Pages without wirings are freed (a held one
	 * at its last unhold); wired ones -- the pager's fake pages -- are
	 * only detached: pgo_dealloc frees them.  Managed pages lose their
	 * recorded mappings after leaving the object, so a lock-free fault
	 * cannot record a new one in between.
	 */
	while ((p = TAILQ_FIRST(&object->memq)) != NULL) {
		KASSERT(!vm_page_busied(p),
		    ("vm_object_terminate: freeing busy page %p", (void *)p));
		managed = (p->oflags & VPO_UNMANAGED) == 0;
		if (managed)
			vm_page_lock(p);
		TAILQ_REMOVE(&object->memq, p, listq);
		__atomic_store_n(&p->object, NULL, __ATOMIC_RELEASE);
		if (managed) {
			vm_page_unlock(p);
			if ((p->flags & PG_FICTITIOUS) == 0 ||
			    p->wire_count == 0)
				pmap_remove_all(p);
			vm_page_lock(p);
		}
		if (p->wire_count == 0)
			vm_page_free(p);
		if (managed)
			vm_page_unlock(p);
	}
	vm_radix_reclaim_allnodes(&object->rtree);
	__atomic_store_n(&object->resident_page_count, 0, __ATOMIC_RELAXED);

	KASSERT(!object->has_cred || object->type == OBJT_DEFAULT ||
	    object->type == OBJT_SWAP,
	    ("vm_object_terminate: object %p type %d has a swap charge",
	    (void *)object, object->type));

	vm_pager_deallocate(object);
	KASSERT(object->type == OBJT_DEAD,
	    ("vm_object_terminate: pager left object %p with type %d",
	    (void *)object, object->type));
	VM_OBJECT_WUNLOCK(object);
	vm_object_destroy(object);
}

/*
 * Release the swap charge and give the memory back to the zone after a
 * grace period.  The object is dead, unlocked and unreferenced.
 */
void
vm_object_destroy(vm_object_t object)
{

	KASSERT(object->type == OBJT_DEAD,
	    ("vm_object_destroy: object %p type %d", (void *)object,
	    object->type));
	if (object->has_cred) {
		swap_release_by_cred(object->charge, &object->cred);
		object->has_cred = false;
		object->charge = 0;
	}
	__atomic_store_n(&object->handle, NULL, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&obj_live, 1, __ATOMIC_RELAXED);
	rcu_thread_online();
	vm_object_id_remove(object);
	call_rcu(&object->rcu, obj_zone_free_rcu);
}

/* The object must be locked (write). */
void
vm_object_set_flag(vm_object_t object, uint16_t bits)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	__atomic_store_n(&object->flags, object->flags | bits,
	    __ATOMIC_RELEASE);
}

/* The object must be locked (write). */
void
vm_object_clear_flag(vm_object_t object, uint16_t bits)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	__atomic_store_n(&object->flags, object->flags & ~bits,
	    __ATOMIC_RELEASE);
}

/*
 * Paging in progress: a count of operations that may drop the object
 * lock mid-way (pager calls); terminate waits for it to drain.  The
 * object must be locked (write) for all of these.
 */
void
vm_object_pip_add(vm_object_t object, unsigned i)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	object->paging_in_progress += i;
}

void
vm_object_pip_wakeup(vm_object_t object)
{

	vm_object_pip_wakeupn(object, 1);
}

void
vm_object_pip_wakeupn(vm_object_t object, unsigned i)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT(object->paging_in_progress >= i,
	    ("vm_object_pip_wakeupn: pip %u < %u", object->paging_in_progress,
	    i));
	object->paging_in_progress -= i;
	if ((object->flags & OBJ_PIPWNT) != 0 &&
	    object->paging_in_progress == 0) {
		vm_object_clear_flag(object, OBJ_PIPWNT);
		wakeup(object);
	}
}

/*
 * Sleep until paging_in_progress is 0.  VM_OBJECT_SLEEP queues us before
 * it drops the object lock, and pip_wakeup needs that lock, so the
 * wake-up cannot be lost.
 */
void
vm_object_pip_wait(vm_object_t object, const char *waitid)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	while (object->paging_in_progress != 0) {
		vm_object_set_flag(object, OBJ_PIPWNT);
		VM_OBJECT_SLEEP(object, object, 0, waitid, 0);
	}
}

/*
 * Remove the pages in [start, end) (end 0: to the end of the object).
 * Wired pages (fake pages of device objects) are not freed: unless
 * OBJPR_CLEANONLY they are made invalid and clean, and stay resident, so
 * the next fault hands them to the pager again (FreeBSD's msync
 * MS_INVALIDATE path).  Without OBJPR_NOTMAPPED the recorded mappings of
 * managed pages are removed (pmap_remove_all); unmanaged objects must
 * pass OBJPR_NOTMAPPED.  OBJPR_CLEANONLY keeps dirty pages.  The object
 * must be locked (write); busy pages are waited for.
 */
void
vm_object_page_remove(vm_object_t object, vm_pindex_t start, vm_pindex_t end,
    int options)
{
	vm_page_t p, next;
	bool managed;

	VM_OBJECT_ASSERT_WLOCKED(object);
	KASSERT((object->flags & OBJ_UNMANAGED) == 0 ||
	    (options & (OBJPR_CLEANONLY | OBJPR_NOTMAPPED)) == OBJPR_NOTMAPPED,
	    ("vm_object_page_remove: illegal options for object %p",
	    (void *)object));
	if (object->resident_page_count == 0)
		return;
	vm_object_pip_add(object, 1);
again:
	p = vm_radix_lookup_ge(&object->rtree, start);
	for (; p != NULL; p = next) {
		next = TAILQ_NEXT(p, listq);
		if (end != 0 && p->pindex >= end)
			break;
		if (vm_page_sleep_if_busy(p, "vmopar"))
			goto again;
		managed = (p->oflags & VPO_UNMANAGED) == 0;
		if (p->wire_count != 0) {
			if (managed && (options & OBJPR_NOTMAPPED) == 0)
				pmap_remove_all(p);
			if ((options & OBJPR_CLEANONLY) == 0) {
				p->valid = 0;
				p->dirty = 0;
			}
			continue;
		}
		if ((options & OBJPR_CLEANONLY) != 0 && p->dirty != 0)
			continue;
		if (managed) {
			/*
			 * Out of the object first, so that a lock-free fault
			 * cannot record a mapping after pmap_remove_all.
			 */
			vm_page_lock(p);
			vm_page_remove(p);
			vm_page_unlock(p);
			if ((options & OBJPR_NOTMAPPED) == 0)
				pmap_remove_all(p);
			vm_page_lock(p);
			vm_page_free(p);
			vm_page_unlock(p);
		} else
			vm_page_free(p);
	}
	vm_object_pip_wakeup(object);
}

/*
 * Set the default memattr of an object's pages: only while it has no
 * resident page.  KERN_SUCCESS, KERN_FAILURE (pages resident) or
 * KERN_INVALID_ARGUMENT (dead object).  The object must be locked
 * (write).
 */
int
vm_object_set_memattr(vm_object_t object, vm_memattr_t memattr)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	switch (object->type) {
	case OBJT_DEFAULT:
	case OBJT_DEVICE:
	case OBJT_MGTDEVICE:
	case OBJT_PHYS:
	case OBJT_SG:
	case OBJT_SWAP:
	case OBJT_VNODE:
		if (!TAILQ_EMPTY(&object->memq))
			return (KERN_FAILURE);
		break;
	case OBJT_DEAD:
		return (KERN_INVALID_ARGUMENT);
	default:
		panic("vm_object_set_memattr: object %p is of undefined type",
		    (void *)object);
	}
	object->memattr = memattr;
	return (KERN_SUCCESS);
}

/*
 * Set the PATH column of vm/objects.  Takes the object lock unless the
 * caller holds it (write).
 */
void
vm_object_set_path(vm_object_t object, const char *path)
{
	bool locked;

	locked = VM_OBJECT_WOWNED(object);
	if (!locked)
		VM_OBJECT_WLOCK(object);
	snprintf(object->path, sizeof(object->path), "%s",
	    path != NULL ? path : "");
	if (!locked)
		VM_OBJECT_WUNLOCK(object);
}

/*
 * Find a live object by id and return it referenced, or NULL: one lookup
 * in the id index.  Lock-free: the reference is taken only if the count
 * is not zero (a dying object cannot be revived); id, type and flags are
 * checked again once it is held, because the object may have died
 * between the lookup and the acquire (ids are never reused, so a reused
 * item cannot match).
 */
vm_object_t
vm_object_lookup_id(uint64_t id)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct cds_lfht *ht;
	vm_object_t object, found;

	rcu_thread_online();
	found = NULL;
	rcu_read_lock();
	ht = rcu_dereference(vm_object_id_ht);
	if (ht != NULL) {
		cds_lfht_lookup(ht, vm_object_id_hash(id), vm_object_id_match,
		    &id, &iter);
		node = cds_lfht_iter_get_node(&iter);
		if (node != NULL) {
			object = caa_container_of(node, struct vm_object,
			    id_node);
			/* Tests stop here to let the object die. */
			TEST_HOOK("vm_object_lookup_id_found");
			if (__atomic_load_n(&object->type, __ATOMIC_ACQUIRE) !=
			    OBJT_DEAD &&
			    refcount_acquire_if_not_zero(&object->ref_count))
				found = object;
		}
	}
	rcu_read_unlock();
	if (found != NULL &&
	    (__atomic_load_n(&found->id, __ATOMIC_ACQUIRE) != id ||
	    __atomic_load_n(&found->type, __ATOMIC_ACQUIRE) == OBJT_DEAD ||
	    (__atomic_load_n(&found->flags, __ATOMIC_ACQUIRE) & OBJ_DEAD) !=
	    0)) {
		/* Died under us. */
		vm_object_deallocate(found);
		found = NULL;
	}
	return (found);
}

unsigned long
vm_object_live_count(void)
{

	return (__atomic_load_n(&obj_live, __ATOMIC_RELAXED));
}

unsigned long
vm_object_zone_count(void)
{

	return (__atomic_load_n(&obj_zone_items, __ATOMIC_RELAXED));
}

unsigned long
vm_object_revival_count(void)
{

	return (__atomic_load_n(&obj_revivals, __ATOMIC_RELAXED));
}

/*
 * Fill row from object, not counting own_refs of the walker's.  The
 * object must be locked.
 */
static void
vm_object_stat_fill(struct vm_object_stat *row, vm_object_t object,
    unsigned own_refs)
{
	vm_page_t m;

	VM_OBJECT_ASSERT_LOCKED(object);
	row->id = object->id;
	row->type = object->type;
	row->flags = object->flags;
	row->resident = object->resident_page_count;
	row->active = row->inactive = 0;
	TAILQ_FOREACH(m, &object->memq, listq) {
		if (m->queue == PQ_ACTIVE)
			row->active++;
		else if (m->queue == PQ_INACTIVE)
			row->inactive++;
	}
	row->ref = refcount_load(&object->ref_count) - own_refs;
	row->shadow = (unsigned)object->shadow_count;
	row->memattr = object->memattr;
	memcpy(row->path, object->path, sizeof(row->path));
	row->path[sizeof(row->path) - 1] = '\0';
}

static bool
vm_object_stat_dead(const struct vm_object_stat *row)
{

	return (row->type == OBJT_DEAD || (row->flags & OBJ_DEAD) != 0);
}

bool
vm_object_find_rcu(bool (*match)(vm_object_t object, void *arg), void *arg)
{
	vm_object_t object;
	bool found;

	found = false;
	rcu_thread_online();
	rcu_read_lock();
	cds_list_for_each_entry_rcu(object, &vm_object_list, object_list) {
		if (__atomic_load_n(&object->type, __ATOMIC_ACQUIRE) ==
		    OBJT_DEAD)
			continue;
		if (match(object, arg)) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return (found);
}

/*
 * Room for element n of the array *basep of *allocp elements of size
 * bytes: doubled when full.  false when out of memory (nothing changed).
 */
static bool
vm_object_walk_grow(void **basep, size_t *allocp, size_t n, size_t size)
{
	size_t nalloc;
	void *p;

	if (n < *allocp)
		return (true);
	nalloc = *allocp == 0 ? 64 : *allocp * 2;
	p = reallocarray(*basep, nalloc, size);
	if (p == NULL)
		return (false);
	*basep = p;
	*allocp = nalloc;
	return (true);
}

/* vm_object_snapshot's gathering, inside the read-side section. */
struct vm_object_snap {
	struct vm_object_stat *rows;
	vm_object_t	*held;		/* referenced for the second pass */
	size_t		 n, nrows, nheld;
	int		 error;
};

static bool
vm_object_snap_one(vm_object_t object, void *arg)
{
	struct vm_object_snap *sn = arg;
	struct vm_object_stat *row;

	if (!vm_object_walk_grow((void **)&sn->rows, &sn->nrows, sn->n,
	    sizeof(*sn->rows)) ||
	    !vm_object_walk_grow((void **)&sn->held, &sn->nheld, sn->n,
	    sizeof(*sn->held))) {
		sn->error = ENOMEM;
		return (true);		/* stop */
	}
	row = &sn->rows[sn->n];
	memset(row, 0, sizeof(*row));
	sn->held[sn->n] = NULL;
	if (VM_OBJECT_TRYRLOCK(object)) {
		vm_object_stat_fill(row, object, 0);
		VM_OBJECT_RUNLOCK(object);
		if (!vm_object_stat_dead(row))
			sn->n++;
	} else if (refcount_acquire_if_not_zero(&object->ref_count)) {
		sn->held[sn->n] = object;
		sn->n++;
	}
	return (false);
}

int
vm_object_snapshot(struct vm_object_stat **rowsp, size_t *np)
{
	struct vm_object_snap sn;
	vm_object_t object;
	size_t i, j;

	memset(&sn, 0, sizeof(sn));
	(void)vm_object_find_rcu(vm_object_snap_one, &sn);

	/* Second pass: objects whose lock was busy, now referenced. */
	for (i = j = 0; i < sn.n; i++) {
		object = sn.held[i];
		if (object != NULL) {
			VM_OBJECT_RLOCK(object);
			vm_object_stat_fill(&sn.rows[i], object, 1);
			VM_OBJECT_RUNLOCK(object);
			vm_object_deallocate(object);
		}
		if (!vm_object_stat_dead(&sn.rows[i]))
			sn.rows[j++] = sn.rows[i];
	}
	free(sn.held);
	*rowsp = sn.rows;
	*np = j;
	return (sn.error);
}

/* vm_object_ids's gathering, inside the read-side section. */
struct vm_object_idlist {
	uint64_t	*ids;
	size_t		 n, alloc;
	int		 error;
};

static bool
vm_object_id_one(vm_object_t object, void *arg)
{
	struct vm_object_idlist *il = arg;

	if (refcount_load(&object->ref_count) == 0)
		return (false);
	if (!vm_object_walk_grow((void **)&il->ids, &il->alloc, il->n,
	    sizeof(*il->ids))) {
		il->error = ENOMEM;
		return (true);		/* stop */
	}
	il->ids[il->n++] = __atomic_load_n(&object->id, __ATOMIC_RELAXED);
	return (false);
}

int
vm_object_ids(uint64_t **idsp, size_t *np)
{
	struct vm_object_idlist il;

	memset(&il, 0, sizeof(il));
	(void)vm_object_find_rcu(vm_object_id_one, &il);
	*idsp = il.ids;
	*np = il.n;
	return (il.error);
}

int
vm_object_describe(uint64_t id, struct vm_object_info *info)
{
	vm_object_t object;
	void *handle;

	object = vm_object_lookup_id(id);
	if (object == NULL)
		return (ENOENT);
	memset(info, 0, sizeof(*info));
	VM_OBJECT_RLOCK(object);
	vm_object_stat_fill(&info->vi_stat, object, 1);
	info->vi_size = object->size;
	info->vi_pg_color = object->pg_color;
	info->vi_paging_in_progress = object->paging_in_progress;
	info->vi_generation = object->generation;
	info->vi_charge = object->charge;
	info->vi_has_cred = object->has_cred;
	info->vi_charged_uid = object->cred.cr_uid;
	if (object->type == OBJT_DEVICE || object->type == OBJT_MGTDEVICE)
		info->vi_devp_dev = object->un_pager.devp.dev;
	handle = __atomic_load_n(&object->handle, __ATOMIC_RELAXED);
	if (handle == NULL)
		info->vi_handle = VMO_HANDLE_NONE;
	else if (info->vi_devp_dev != NULL && handle == info->vi_devp_dev)
		info->vi_handle = VMO_HANDLE_DEVICE;
	else if (handle == object)
		info->vi_handle = VMO_HANDLE_SELF;
	else
		info->vi_handle = VMO_HANDLE_PRIVATE;
	info->vi_faults = __atomic_load_n(&object->faults, __ATOMIC_RELAXED);
	VM_OBJECT_RUNLOCK(object);
	vm_object_deallocate(object);
	return (0);
}

int
vm_object_pages(uint64_t id, struct vm_object_page_info **rowsp, size_t *np)
{
	struct vm_object_page_info *rows, *pi;
	vm_object_t object;
	vm_page_t m;
	size_t n;

	object = vm_object_lookup_id(id);
	if (object == NULL)
		return (ENOENT);
	VM_OBJECT_RLOCK(object);
	rows = calloc(object->resident_page_count + 1, sizeof(*rows));
	if (rows == NULL) {
		VM_OBJECT_RUNLOCK(object);
		vm_object_deallocate(object);
		return (ENOMEM);
	}
	n = 0;
	TAILQ_FOREACH(m, &object->memq, listq) {
		KASSERT(n < object->resident_page_count,
		    ("vm_object_pages: memq of %p longer than its count",
		    (void *)object));
		pi = &rows[n++];
		pi->pi_pindex = m->pindex;
		pi->pi_phys = m->phys_addr;
		pi->pi_fictitious = (m->flags & PG_FICTITIOUS) != 0;
		pi->pi_unmanaged = (m->oflags & VPO_UNMANAGED) != 0;
		pi->pi_xbusy = vm_page_xbusied(m);
		pi->pi_unholdfree = (m->flags & PG_UNHOLDFREE) != 0;
		pi->pi_valid = m->valid;
		pi->pi_dirty = m->dirty;
		/* Page-locked fields, read racily. */
		pi->pi_hold = __atomic_load_n(&m->hold_count,
		    __ATOMIC_RELAXED);
		pi->pi_memattr = m->md.pat_mode;
		pi->pi_mappings = __atomic_load_n(&m->md.pv_count,
		    __ATOMIC_RELAXED);
	}
	VM_OBJECT_RUNLOCK(object);
	vm_object_deallocate(object);
	*rowsp = rows;
	*np = n;
	return (0);
}
