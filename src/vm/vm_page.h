/*
 * Resident memory pages, after FreeBSD's <vm/vm_page.h>.
 *
 * A vm_page describes one page of the simulated physical address space:
 * a real RAM page (from vm_phys), a fake page aliasing device memory
 * (vm_page_getfake, PG_FICTITIOUS, unmanaged), or a managed fictitious
 * page of a range registered with vm_phys_fictitious_reg_range().
 *
 * The plinks union is the page's one set of list links, typed by use: q for
 * a page queue or a pager-private list (the device and sg pagers link their
 * fake pages on devp_pglist / sgp_pglist through plinks.q; such pages have
 * queue == PQ_NONE), s for private singly linked lists, memguard for raw
 * words.  Nothing else (object in particular) is ever used as a link.
 *
 * Page locks are a hashed array of mutexes keyed by physical address
 * (2 MiB granules, PA_LOCK_COUNT buckets); fake pages hash by their fake
 * address.  hold_count is under the page lock: a page freed while held is
 * marked PG_UNHOLDFREE and freed by the last vm_page_unhold().
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant after initialisation
 *	(o)	the owning object's lock (write for changes)
 *	(p)	the page lock, vm_page_lock(m)
 *	(r)	published to RCU readers (vm_radix lookups without the
 *		object lock read these after rcu_dereference of the page)
 *	(q)	the list the page is linked on through plinks
 */
#ifndef _VM_VM_PAGE_H_
#define _VM_VM_PAGE_H_

#include <sys/queue.h>

#include "vm/vm.h"
#include "kern/mutex.h"

/* Validity and dirtiness: one bit per DEV_BSIZE (512 B), 8 bits a page. */
typedef uint8_t vm_page_bits_t;
#define	VM_PAGE_BITS_ALL	((vm_page_bits_t)0xffu)

struct pv_entry;

/* Machine-dependent part: where the page is mapped, and its memattr. */
struct md_page {
	struct pv_entry		*pv_list;	/* (p) recorded mappings */
	uint16_t		 pv_count;	/* (p) entries on pv_list */
	vm_memattr_t		 pat_mode;	/* (p) memory attribute */
};

struct vm_page {
	union {
		TAILQ_ENTRY(vm_page) q;		/* (q) queue or pager list */
		struct {
			SLIST_ENTRY(vm_page) ss; /* private slists */
			void	*pv;
		} s;
		struct {
			unsigned long p;
			unsigned long v;
		} memguard;
	} plinks;
	TAILQ_ENTRY(vm_page) listq;	/* (o) pages of the same object */
	vm_object_t	 object;	/* (o,p,r) owning object or NULL */
	vm_pindex_t	 pindex;	/* (o,p,r) index in the object */
	vm_paddr_t	 phys_addr;	/* (c; fake pages: o) */
	struct md_page	 md;		/* (p) */
	unsigned	 wire_count;	/* (p) */
	volatile unsigned busy_lock;	/* (a) VPB_* */
	uint16_t	 hold_count;	/* (p) */
	uint16_t	 flags;		/* (p) PG_* */
	uint8_t		 aflags;	/* (a) PGA_* */
	uint8_t		 oflags;	/* (o) VPO_* */
	uint8_t		 queue;		/* (p) PQ_* */
	int8_t		 segind;	/* (c) vm_phys segment */
	vm_page_bits_t	 valid;		/* (o) valid DEV_BSIZE chunks */
	vm_page_bits_t	 dirty;		/* (o) dirty DEV_BSIZE chunks */
};

/* flags (PG_*), (p) */
#define	PG_CACHED	0x0001
#define	PG_FREE		0x0002	/* on a vm_phys free list */
#define	PG_FICTITIOUS	0x0004	/* physical page doesn't exist */
#define	PG_ZERO		0x0008
#define	PG_MARKER	0x0010
#define	PG_NODUMP	0x0080
#define	PG_UNHOLDFREE	0x0100	/* delayed free of a held page */
#define	PG_MEMATTR_WARNED 0x0200 /* memattr alias warning printed */
#define	PG_FAKEZONE	0x0400	/* (c) from the fake-page zone (getfake) */

/* oflags (VPO_*), (o) */
#define	VPO_UNMANAGED	0x04	/* no PV management for page */
#define	VPO_NOSYNC	0x10
#define	VPO_ONPGLIST	0x20	/* linked on a pager-private list */

/* aflags (PGA_*), atomic */
#define	PGA_WRITEABLE	0x01
#define	PGA_REFERENCED	0x02

/* busy_lock (VPB_*) */
#define	VPB_BIT_SHARED		0x01
#define	VPB_BIT_EXCLUSIVE	0x02
#define	VPB_BIT_WAITERS		0x04
#define	VPB_SHARERS_SHIFT	3
#define	VPB_SHARERS_WORD(x)	((x) << VPB_SHARERS_SHIFT | VPB_BIT_SHARED)
#define	VPB_SINGLE_EXCLUSIVER	VPB_BIT_EXCLUSIVE
#define	VPB_UNBUSIED		VPB_SHARERS_WORD(0)

/* queue (PQ_*) */
#define	PQ_INACTIVE	0
#define	PQ_ACTIVE	1
#define	PQ_COUNT	2
#define	PQ_NONE		255

/* vm_page_alloc() requests */
#define	VM_ALLOC_NORMAL		0x0000
#define	VM_ALLOC_ZERO		0x0040	/* zero the page */
#define	VM_ALLOC_NOOBJ		0x0100	/* no object; pindex ignored */
#define	VM_ALLOC_NOBUSY		0x0200	/* do not xbusy the page */
#define	VM_ALLOC_WIRED		0x0020

/* Hashed page locks. */
#define	PA_LOCK_COUNT	256
extern struct mtx pa_lock[PA_LOCK_COUNT];
#define	PA_LOCKPTR(pa)	(&pa_lock[((pa) >> PDRSHIFT) % PA_LOCK_COUNT])
#define	VM_PAGE_TO_PHYS(m)	((m)->phys_addr)
#define	vm_page_lockptr(m)	PA_LOCKPTR(VM_PAGE_TO_PHYS(m))
/*
 * A fake page's phys_addr can change (vm_page_updatefake, reuse from the
 * fake-page zone); it is only changed with the old page lock held, so
 * vm_page_lock() re-checks after acquiring and retries if the page moved
 * to another bucket meanwhile.  Unlock and assert use the current bucket,
 * which cannot change while the lock is held.
 */
void	_vm_page_lock(vm_page_t m, const char *file, int line);
int	_vm_page_trylock(vm_page_t m, const char *file, int line);
#define	vm_page_lock(m)		_vm_page_lock((m), __FILE__, __LINE__)
#define	vm_page_unlock(m)	mtx_unlock(vm_page_lockptr(m))
#define	vm_page_trylock(m)	_vm_page_trylock((m), __FILE__, __LINE__)
#define	vm_page_lock_assert(m, a) mtx_assert(vm_page_lockptr(m), (a))

void	vm_page_init(void);	/* page locks, fake-page zone */

/* Allocation and freeing of real (RAM) pages.  The object must be locked
 * (write) when one is given. */
vm_page_t vm_page_alloc(vm_object_t object, vm_pindex_t pindex, int req);
void	vm_page_free(vm_page_t m);	/* page lock held for managed pages */
void	vm_page_free_unlocked(vm_page_t m);	/* takes the page lock if managed */
void	vm_page_free_toq(vm_page_t m);

/* Object membership.  The object must be write-locked. */
int	vm_page_insert(vm_page_t m, vm_object_t object, vm_pindex_t pindex);
void	vm_page_remove(vm_page_t m);
vm_page_t vm_page_replace(vm_page_t mnew, vm_object_t object,
	    vm_pindex_t pindex);
int	vm_page_rename(vm_page_t m, vm_object_t new_object,
	    vm_pindex_t new_pindex);
/* The object must be locked (read or write). */
vm_page_t vm_page_lookup(vm_object_t object, vm_pindex_t pindex);
/* Call with rcu_read_lock held; no object lock needed.  Pages are
 * type-stable (RAM pages live in vm_phys's page array, fake pages in a
 * zone whose memory is never given back to libc), so the result can
 * always be read; to keep it, take its page lock, re-check m->object,
 * m->pindex (and valid) and hold it (vm_page_hold). */
vm_page_t vm_page_lookup_unlocked(vm_object_t object, vm_pindex_t pindex);

/* Holds.  The page lock must be held. */
void	vm_page_hold(vm_page_t m);
void	vm_page_unhold(vm_page_t m);

/* Fake (fictitious, unmanaged) pages aliasing device memory.
 * vm_page_getfake may sleep: the caller must hold no lock at all (checked
 * under WITNESS).  vm_page_putfake needs the page out of any object; a
 * held page is freed by its last vm_page_unhold.  vm_page_free on a fake
 * page from getfake (PG_FAKEZONE) gives it back too. */
vm_page_t vm_page_getfake(vm_paddr_t paddr, vm_memattr_t memattr);
void	vm_page_initfake(vm_page_t m, vm_paddr_t paddr, vm_memattr_t memattr);
void	vm_page_putfake(vm_page_t m);
void	vm_page_updatefake(vm_page_t m, vm_paddr_t paddr,
	    vm_memattr_t memattr);

/* Busy state. */
void	vm_page_xbusy(vm_page_t m);
bool	vm_page_tryxbusy(vm_page_t m);
void	vm_page_xunbusy(vm_page_t m);
bool	vm_page_busied(vm_page_t m);
bool	vm_page_xbusied(vm_page_t m);
/* If m is busy, drop the object lock, sleep until it is not, relock and
 * return true; otherwise return false.  The object must be locked. */
bool	vm_page_sleep_if_busy(vm_page_t m, const char *msg);

/* Validity.  The object must be locked. */
vm_page_bits_t vm_page_bits(int base, int size);
void	vm_page_zero_invalid(vm_page_t m, bool setvalid);
void	vm_page_set_valid_range(vm_page_t m, int base, int size);
void	vm_page_dirty_range(vm_page_t m, int base, int size);
bool	vm_page_is_valid(vm_page_t m, int base, int size);

/* The page's memory attribute (pmap_page_get/set_memattr). */
vm_memattr_t vm_page_memattr(vm_page_t m);

/* Counters for the inspection tree. */
unsigned long vm_page_fake_count(void);

#endif /* !_VM_VM_PAGE_H_ */
