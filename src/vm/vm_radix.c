/*
 * The resident-page trie of a VM object, after FreeBSD's vm_radix(9).
 *
 * A path-compressed radix trie over 64-bit keys (the page's pindex),
 * VM_RADIX_COUNT (16) children a node, VM_RADIX_WIDTH (4) key bits a
 * level.  A node at level clev distinguishes its children by key digit
 * clev (bits [4 * clev, 4 * clev + 4)); every key below it shares the
 * digits above clev with rn_owner, whose digits at and below clev are zero.
 * Chains of single-child nodes never exist: a node has at least two
 * children while it is in the trie, so the shape of the trie is a function
 * of its key set alone.  A child slot holds 0, a node pointer, or a page
 * pointer tagged with VM_RADIX_ISLEAF.
 *
 * Locking.  Writers (insert, remove, replace, reclaim) hold the owning
 * object's write lock; the trie cannot assert it since it does not know
 * its object.  vm_radix_lookup() may also run with no lock at all inside
 * rcu_read_lock().  For that:
 *	- a node is filled in completely (owner, level, both children) before
 *	  the single release store that makes it reachable;
 *	- rn_owner and rn_clev never change while a node is reachable;
 *	- every child slot and rt_root changes by one release store, and a
 *	  reader loads each with acquire ordering;
 *	- a node taken out of the trie is left untouched and freed by
 *	  call_rcu(), so a reader still inside it sees a consistent (old)
 *	  node and never freed memory.
 * The pages the leaves point to are not the trie's: they must stay
 * type-stable (vm_page.h), and a lock-free caller re-checks what it found.
 * Functions that free nodes (remove, reclaim, a failed insert never frees a
 * published node) must be called by a registered RCU thread, as call_rcu()
 * requires.
 *
 * Allocation failure and recursion.  Node allocation may fail (the
 * vm_radix_node_alloc fail point injects it); insert allocates before it
 * changes anything, so ENOMEM leaves the trie exactly as it was.  In
 * FreeBSD the allocator can recurse into the VM and remove pages from the
 * very trie being inserted into; insert therefore sets RT_INSERT_INPROG
 * around the allocation, remove sets RT_TRIE_MODIFIED when it sees it, and
 * insert, finding the trie modified, frees its unused node and starts over
 * from the root.  The TEST_HOOK("vm_radix_node_alloc") inside the
 * allocation lets a test play the recursing allocator.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_radix.h"

#define	VM_RADIX_WIDTH	4
#define	VM_RADIX_COUNT	(1 << VM_RADIX_WIDTH)
#define	VM_RADIX_MASK	(VM_RADIX_COUNT - 1)
/* Number of levels: a node's rn_clev is in [0, VM_RADIX_LEVELS). */
#define	VM_RADIX_LEVELS	(64 / VM_RADIX_WIDTH)
#define	VM_RADIX_ISLEAF	((uintptr_t)0x1)

/*
 * Locks used to protect struct members in this file:
 *	(c)	constant while the node is reachable
 *	(o)	the owning object's write lock
 *	(r)	read by lock-free readers: release store, acquire load
 */
struct vm_radix_node {
	vm_pindex_t	 rn_owner;		/* (c) key prefix */
	uint16_t	 rn_count;		/* (o) used slots */
	uint8_t		 rn_clev;		/* (c) level */
	uintptr_t	 rn_child[VM_RADIX_COUNT];	/* (o,r) */
	struct rcu_head	 rn_rcu;		/* deferred free */
};

FAIL_POINT_DEFINE(vm_radix_node_alloc);

/* Nodes allocated and not yet freed, including those awaiting a grace
 * period (a). */
static unsigned long vm_radix_nodes;

static struct vm_radix_node *vm_radix_node_get(vm_pindex_t owner, int clev);
static void	vm_radix_node_put_now(struct vm_radix_node *rnode);
static void	vm_radix_node_put_rcu(struct vm_radix_node *rnode);
static void	vm_radix_node_free_cb(struct rcu_head *head);
static vm_page_t vm_radix_min(uintptr_t v);
static vm_page_t vm_radix_max(uintptr_t v);
static vm_page_t vm_radix_ge(uintptr_t v, vm_pindex_t index);
static vm_page_t vm_radix_le(uintptr_t v, vm_pindex_t index);
static void	vm_radix_reclaim_node(struct vm_radix_node *rnode);

static inline uintptr_t
rt_load(const uintptr_t *p)
{

	return (__atomic_load_n(p, __ATOMIC_ACQUIRE));
}

static inline void
rt_store(uintptr_t *p, uintptr_t v)
{

	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline bool
rt_isleaf(uintptr_t v)
{

	return ((v & VM_RADIX_ISLEAF) != 0);
}

static inline vm_page_t
rt_topage(uintptr_t v)
{

	return ((vm_page_t)(v & ~VM_RADIX_ISLEAF));
}

static inline uintptr_t
rt_toleaf(vm_page_t m)
{

	KASSERT(((uintptr_t)m & VM_RADIX_ISLEAF) == 0,
	    ("vm_radix: misaligned page %p", m));
	return ((uintptr_t)m | VM_RADIX_ISLEAF);
}

static inline struct vm_radix_node *
rt_tonode(uintptr_t v)
{

	return ((struct vm_radix_node *)v);
}

/* The page's key.  Lock-free readers may race a writer re-keying a page
 * that left the trie, hence the atomic load. */
static inline vm_pindex_t
rt_pindex(vm_page_t m)
{

	return (__atomic_load_n(&m->pindex, __ATOMIC_RELAXED));
}

/* Digit of index at level lev. */
static inline int
rt_slot(vm_pindex_t index, int lev)
{

	return ((int)((index >> (lev * VM_RADIX_WIDTH)) & VM_RADIX_MASK));
}

/* index with every digit below level lev cleared; lev in [0, LEVELS]. */
static inline vm_pindex_t
rt_trimkey(vm_pindex_t index, int lev)
{

	if (lev >= VM_RADIX_LEVELS)
		return (0);
	return (index & ~((UINT64_C(1) << (lev * VM_RADIX_WIDTH)) - 1));
}

/* Is index outside the key range the node covers? */
static inline bool
rt_keybarr(const struct vm_radix_node *rnode, vm_pindex_t index)
{

	return (rt_trimkey(index, rnode->rn_clev + 1) != rnode->rn_owner);
}

/* The highest level at which two different keys differ. */
static inline int
rt_keydiff(vm_pindex_t a, vm_pindex_t b)
{

	KASSERT(a != b, ("vm_radix: keydiff of equal keys %" PRIx64, a));
	return ((63 - __builtin_clzll(a ^ b)) / VM_RADIX_WIDTH);
}

/*
 * Allocate a node for the given prefix and level, or NULL.  This is where
 * FreeBSD's uma_zalloc(M_NOWAIT) can fail or recurse into the VM.
 */
static struct vm_radix_node *
vm_radix_node_get(vm_pindex_t owner, int clev)
{
	struct vm_radix_node *rnode;

	TEST_HOOK("vm_radix_node_alloc");
	if (FAIL_POINT_EVAL(vm_radix_node_alloc) != 0)
		return (NULL);
	rnode = calloc(1, sizeof(*rnode));
	if (rnode == NULL)
		return (NULL);
	rnode->rn_owner = owner;
	rnode->rn_clev = (uint8_t)clev;
	uatomic_inc(&vm_radix_nodes);
	return (rnode);
}

/* Free a node no reader can ever have seen. */
static void
vm_radix_node_put_now(struct vm_radix_node *rnode)
{

	free(rnode);
	uatomic_dec(&vm_radix_nodes);
}

static void
vm_radix_node_free_cb(struct rcu_head *head)
{

	vm_radix_node_put_now(caa_container_of(head, struct vm_radix_node,
	    rn_rcu));
}

/* Free a node that was reachable, after a grace period.  Its contents are
 * left as they were for readers still inside it. */
static void
vm_radix_node_put_rcu(struct vm_radix_node *rnode)
{

	call_rcu(&rnode->rn_rcu, vm_radix_node_free_cb);
}

void
vm_radix_init(void)
{

	/*
	 * Nothing to set up: nodes come from malloc (FreeBSD creates its
	 * node zone here).  Kept for the FreeBSD call sequence.
	 */
}

unsigned long
vm_radix_node_count(void)
{

	return (uatomic_read(&vm_radix_nodes));
}

/*
 * Insert page at page->pindex.  0, or ENOMEM with the trie unchanged.
 * Panics if the key is already present.
 * The object must be write-locked.
 */
int
vm_radix_insert(struct vm_radix *rtree, vm_page_t page)
{
	struct vm_radix_node *rnode, *tmp;
	uintptr_t *parentp, v, child;
	vm_pindex_t index, other;
	vm_page_t m;
	int clev, slot;

	index = page->pindex;
restart:
	parentp = &rtree->rt_root;
	v = *parentp;
	if (v == 0) {
		rt_store(parentp, rt_toleaf(page));
		return (0);
	}
	for (;;) {
		if (rt_isleaf(v)) {
			/* Split the leaf: a node holding it and the page. */
			m = rt_topage(v);
			other = m->pindex;
			if (other == index)
				panic("key %jx is already present",
				    (uintmax_t)index);
			break;
		}
		rnode = rt_tonode(v);
		if (rt_keybarr(rnode, index)) {
			/* index is outside rnode: a node above it. */
			other = rnode->rn_owner;
			break;
		}
		slot = rt_slot(index, rnode->rn_clev);
		child = rnode->rn_child[slot];
		if (child == 0) {
			rnode->rn_count++;
			rt_store(&rnode->rn_child[slot], rt_toleaf(page));
			return (0);
		}
		parentp = &rnode->rn_child[slot];
		v = child;
	}

	/*
	 * A new node at the level where index and the subtree v part ways,
	 * with v and the new leaf as its two children, replaces v in
	 * *parentp.  Allocate it first: nothing has been changed yet.
	 */
	clev = rt_keydiff(other, index);
	KASSERT((rtree->rt_flags & RT_INSERT_INPROG) == 0,
	    ("vm_radix_insert: recursive insert into trie %p", rtree));
	rtree->rt_flags |= RT_INSERT_INPROG;
	tmp = vm_radix_node_get(rt_trimkey(index, clev + 1), clev);
	if (tmp == NULL) {
		/* Nothing was changed by insert, whatever a remove did. */
		rtree->rt_flags &= ~(RT_INSERT_INPROG | RT_TRIE_MODIFIED);
		return (ENOMEM);
	}
	if ((rtree->rt_flags & RT_TRIE_MODIFIED) != 0) {
		/*
		 * A remove ran during the allocation: parentp and v may
		 * point into a node that is no longer in the trie (and will
		 * be freed after a grace period).  Start over from the root.
		 */
		rtree->rt_flags &= ~(RT_INSERT_INPROG | RT_TRIE_MODIFIED);
		vm_radix_node_put_now(tmp);
		goto restart;
	}
	rtree->rt_flags &= ~RT_INSERT_INPROG;
	tmp->rn_child[rt_slot(other, clev)] = v;
	tmp->rn_child[rt_slot(index, clev)] = rt_toleaf(page);
	tmp->rn_count = 2;
	rt_store(parentp, (uintptr_t)tmp);
	return (0);
}

/*
 * Does the trie hold exactly one page?
 * The object must be locked.
 */
bool
vm_radix_is_singleton(struct vm_radix *rtree)
{
	uintptr_t v;

	v = rt_load(&rtree->rt_root);
	return (v != 0 && rt_isleaf(v));
}

/*
 * The page at index, or NULL.
 * The object must be locked, or the caller inside rcu_read_lock(); in the
 * latter case the page may be leaving the object as it is returned.
 */
vm_page_t
vm_radix_lookup(struct vm_radix *rtree, vm_pindex_t index)
{
	struct vm_radix_node *rnode;
	vm_page_t m;
	uintptr_t v;

	v = rt_load(&rtree->rt_root);
	while (v != 0) {
		if (rt_isleaf(v)) {
			m = rt_topage(v);
			return (rt_pindex(m) == index ? m : NULL);
		}
		rnode = rt_tonode(v);
		if (rt_keybarr(rnode, index))
			return (NULL);
		v = rt_load(&rnode->rn_child[rt_slot(index, rnode->rn_clev)]);
	}
	return (NULL);
}

/* The page with the smallest key under v (v != 0). */
static vm_page_t
vm_radix_min(uintptr_t v)
{
	struct vm_radix_node *rnode;
	uintptr_t c;
	int i;

	while (!rt_isleaf(v)) {
		rnode = rt_tonode(v);
		c = 0;
		for (i = 0; i < VM_RADIX_COUNT; i++)
			if ((c = rt_load(&rnode->rn_child[i])) != 0)
				break;
		KASSERT(c != 0, ("vm_radix: empty node %p", rnode));
		if (c == 0)
			return (NULL);
		v = c;
	}
	return (rt_topage(v));
}

/* The page with the largest key under v (v != 0). */
static vm_page_t
vm_radix_max(uintptr_t v)
{
	struct vm_radix_node *rnode;
	uintptr_t c;
	int i;

	while (!rt_isleaf(v)) {
		rnode = rt_tonode(v);
		c = 0;
		for (i = VM_RADIX_COUNT - 1; i >= 0; i--)
			if ((c = rt_load(&rnode->rn_child[i])) != 0)
				break;
		KASSERT(c != 0, ("vm_radix: empty node %p", rnode));
		if (c == 0)
			return (NULL);
		v = c;
	}
	return (rt_topage(v));
}

/*
 * Smallest key >= index under v.  Recursion depth is bounded by the
 * number of levels (16).
 */
static vm_page_t
vm_radix_ge(uintptr_t v, vm_pindex_t index)
{
	struct vm_radix_node *rnode;
	vm_page_t m;
	uintptr_t c;
	int slot;

	if (v == 0)
		return (NULL);
	if (rt_isleaf(v)) {
		m = rt_topage(v);
		return (rt_pindex(m) >= index ? m : NULL);
	}
	rnode = rt_tonode(v);
	if (rt_keybarr(rnode, index)) {
		/*
		 * The node's keys all differ from index above its level, so
		 * they are all above it or all below it; the owner tells.
		 */
		return (rnode->rn_owner > index ? vm_radix_min(v) : NULL);
	}
	slot = rt_slot(index, rnode->rn_clev);
	m = vm_radix_ge(rt_load(&rnode->rn_child[slot]), index);
	if (m != NULL)
		return (m);
	for (slot++; slot < VM_RADIX_COUNT; slot++)
		if ((c = rt_load(&rnode->rn_child[slot])) != 0)
			return (vm_radix_min(c));
	return (NULL);
}

/* Largest key <= index under v. */
static vm_page_t
vm_radix_le(uintptr_t v, vm_pindex_t index)
{
	struct vm_radix_node *rnode;
	vm_page_t m;
	uintptr_t c;
	int slot;

	if (v == 0)
		return (NULL);
	if (rt_isleaf(v)) {
		m = rt_topage(v);
		return (rt_pindex(m) <= index ? m : NULL);
	}
	rnode = rt_tonode(v);
	if (rt_keybarr(rnode, index))
		return (rnode->rn_owner < index ? vm_radix_max(v) : NULL);
	slot = rt_slot(index, rnode->rn_clev);
	m = vm_radix_le(rt_load(&rnode->rn_child[slot]), index);
	if (m != NULL)
		return (m);
	for (slot--; slot >= 0; slot--)
		if ((c = rt_load(&rnode->rn_child[slot])) != 0)
			return (vm_radix_max(c));
	return (NULL);
}

/*
 * The page with the smallest key >= index, or NULL.
 * The object must be locked.
 */
vm_page_t
vm_radix_lookup_ge(struct vm_radix *rtree, vm_pindex_t index)
{

	return (vm_radix_ge(rt_load(&rtree->rt_root), index));
}

/*
 * The page with the largest key <= index, or NULL.
 * The object must be locked.
 */
vm_page_t
vm_radix_lookup_le(struct vm_radix *rtree, vm_pindex_t index)
{

	return (vm_radix_le(rt_load(&rtree->rt_root), index));
}

/*
 * Remove and return the page at index; panics if there is none.  A node
 * left with one child is replaced by that child in its parent and freed
 * after a grace period.
 * The object must be write-locked; the caller must be a registered RCU
 * thread.
 */
vm_page_t
vm_radix_remove(struct vm_radix *rtree, vm_pindex_t index)
{
	struct vm_radix_node *rnode;
	uintptr_t *parentp, v, child;
	vm_page_t m;
	int i, slot;

	if ((rtree->rt_flags & RT_INSERT_INPROG) != 0)
		rtree->rt_flags |= RT_TRIE_MODIFIED;
	parentp = &rtree->rt_root;
	v = *parentp;
	if (v != 0 && rt_isleaf(v)) {
		m = rt_topage(v);
		if (m->pindex != index)
			goto absent;
		rt_store(parentp, 0);
		return (m);
	}
	while (v != 0) {
		rnode = rt_tonode(v);
		if (rt_keybarr(rnode, index))
			break;
		slot = rt_slot(index, rnode->rn_clev);
		child = rnode->rn_child[slot];
		if (child == 0)
			break;
		if (!rt_isleaf(child)) {
			parentp = &rnode->rn_child[slot];
			v = child;
			continue;
		}
		m = rt_topage(child);
		if (m->pindex != index)
			break;
		rt_store(&rnode->rn_child[slot], 0);
		rnode->rn_count--;
		if (rnode->rn_count > 1)
			return (m);
		/*
		 * One child left: it takes the node's place (its keys lie
		 * in the node's range, so the parent's view stays right).
		 * Readers inside rnode still find that child there.
		 */
		child = 0;
		for (i = 0; i < VM_RADIX_COUNT; i++)
			if ((child = rnode->rn_child[i]) != 0)
				break;
		KASSERT(child != 0, ("vm_radix_remove: node %p lost its "
		    "last child", rnode));
		rt_store(parentp, child);
		vm_radix_node_put_rcu(rnode);
		return (m);
	}
absent:
	panic("vm_radix_remove: key %jx is not present", (uintmax_t)index);
}

/*
 * Put newpage where the page with the same key is and return that page;
 * panics if there is none.  Lock-free readers see the old or the new page.
 * The object must be write-locked.
 */
vm_page_t
vm_radix_replace(struct vm_radix *rtree, vm_page_t newpage)
{
	struct vm_radix_node *rnode;
	uintptr_t *slotp, v;
	vm_pindex_t index;
	vm_page_t m;

	index = newpage->pindex;
	slotp = &rtree->rt_root;
	while ((v = *slotp) != 0) {
		if (rt_isleaf(v)) {
			m = rt_topage(v);
			if (m->pindex != index)
				break;
			rt_store(slotp, rt_toleaf(newpage));
			return (m);
		}
		rnode = rt_tonode(v);
		if (rt_keybarr(rnode, index))
			break;
		slotp = &rnode->rn_child[rt_slot(index, rnode->rn_clev)];
	}
	panic("vm_radix_replace: key %jx is not present", (uintmax_t)index);
}

/* Free rnode and every node below it after a grace period. */
static void
vm_radix_reclaim_node(struct vm_radix_node *rnode)
{
	uintptr_t c;
	int i;

	for (i = 0; i < VM_RADIX_COUNT; i++) {
		c = rnode->rn_child[i];
		if (c != 0 && !rt_isleaf(c))
			vm_radix_reclaim_node(rt_tonode(c));
	}
	vm_radix_node_put_rcu(rnode);
}

/*
 * Empty the trie, freeing every interior node; the pages are the caller's.
 * The object must be write-locked; the caller must be a registered RCU
 * thread.
 */
void
vm_radix_reclaim_allnodes(struct vm_radix *rtree)
{
	uintptr_t v;

	KASSERT((rtree->rt_flags & RT_INSERT_INPROG) == 0,
	    ("vm_radix_reclaim_allnodes: insert in progress on %p", rtree));
	v = rtree->rt_root;
	if (v == 0)
		return;
	rt_store(&rtree->rt_root, 0);
	if (!rt_isleaf(v))
		vm_radix_reclaim_node(rt_tonode(v));
}
