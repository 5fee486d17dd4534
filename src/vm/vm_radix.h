/*
 * The per-object resident-page trie, after FreeBSD's vm_radix(9): a
 * path-compressed radix trie keyed by pindex, whose leaves are vm_page
 * pointers.
 *
 * Writers (insert, remove, replace, reclaim) hold the owning object's write
 * lock.  vm_radix_lookup() is also safe without any lock inside an RCU
 * read-side section: interior nodes and the root are published with
 * rcu_assign_pointer and freed with call_rcu, so a reader sees either the
 * old or the new trie and never freed memory.  Pages themselves must stay
 * type-stable (see vm_page.h).
 *
 * Node allocation can fail (the vm_radix_node_alloc fail point injects
 * this): vm_radix_insert() then returns ENOMEM with the trie unchanged.
 * If a remove() on the same trie happens while insert() is allocating (the
 * allocator may recurse into the VM), insert() notices RT_TRIE_MODIFIED,
 * frees the node it got and restarts from the root.
 *
 * Locks used to protect struct members in this file:
 *	(o)	the owning object's write lock
 *	(r)	RCU-published
 */
#ifndef _VM_VM_RADIX_H_
#define _VM_VM_RADIX_H_

#include "vm/vm.h"

#define	RT_INSERT_INPROG	0x01
#define	RT_TRIE_MODIFIED	0x02

struct vm_radix {
	uintptr_t	rt_root;	/* (o,r) node or tagged leaf */
	uint8_t		rt_flags;	/* (o) RT_* */
};

void	vm_radix_init(void);
static inline void
vm_radix_init_tree(struct vm_radix *rtree)
{
	rtree->rt_root = 0;
	rtree->rt_flags = 0;
}
static inline bool
vm_radix_is_empty(struct vm_radix *rtree)
{
	return (__atomic_load_n(&rtree->rt_root, __ATOMIC_RELAXED) == 0);
}

/* 0, or ENOMEM with the trie unchanged.  Panics on a duplicate key. */
int	vm_radix_insert(struct vm_radix *rtree, vm_page_t page);
bool	vm_radix_is_singleton(struct vm_radix *rtree);
/* Object lock held, or inside rcu_read_lock(). */
vm_page_t vm_radix_lookup(struct vm_radix *rtree, vm_pindex_t index);
/* Smallest key >= index / largest key <= index; object lock held. */
vm_page_t vm_radix_lookup_ge(struct vm_radix *rtree, vm_pindex_t index);
vm_page_t vm_radix_lookup_le(struct vm_radix *rtree, vm_pindex_t index);
/* Removes and returns the page at index; panics if absent.  Frees nodes
 * with call_rcu: the caller must be a registered RCU thread. */
vm_page_t vm_radix_remove(struct vm_radix *rtree, vm_pindex_t index);
/* Replace the leaf at newpage->pindex; returns the old page; panics if
 * there is none. */
vm_page_t vm_radix_replace(struct vm_radix *rtree, vm_page_t newpage);
/* Free every interior node (pages are left alone), after a grace period;
 * registered RCU thread.  KASSERTs no insert is in progress. */
void	vm_radix_reclaim_allnodes(struct vm_radix *rtree);

/* Interior nodes allocated and not yet freed, for tests and the
 * inspection tree.  Nodes waiting for their grace period are included:
 * call rcu_barrier() first for the count of nodes in tries. */
unsigned long vm_radix_node_count(void);

#endif /* !_VM_VM_RADIX_H_ */
