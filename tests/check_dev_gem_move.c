/*
 * The gem driver: moves (revocation of exactly the recorded places, the
 * contents after moves both ways, holds drained so an in-flight write is
 * not lost), LRU eviction when vram is full (data intact, victims whose
 * uid is over its limit skipped, ENOMEM changing nothing, destroyed
 * BOs never chosen), the fault handler's wait during a move (i915 pattern:
 * placeholder out, sleep, reinsert with a bounded retry on a trie-node
 * shortage, a page installed meanwhile by another fault), and real
 * threads faulting while BOs are moved and evicted.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "check_gem_util.h"
#include "devpager/gem_ioctl.h"
#include "kern/fail.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/sbuf.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "dev/dev_gem.h"
#include "vm/pmap.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

#define	PARK_MS		5000
#define	HOOK_MOVE	"gem_move_revoked"

/* A move in another thread. */
struct mover {
	uint32_t		 handle;
	enum gem_placement	 placement;
	int			 error;
	pthread_t		 thr;
};

/* A fault in another thread. */
struct faulter {
	vm_object_t	 obj;
	vm_pindex_t	 pidx;
	int		 rv;
	vm_paddr_t	 pa;
	unsigned char	 first;
	pthread_t	 thr;
};

static void *
mover_main(void *arg)
{
	struct mover *mv = arg;
	struct sbuf sb;

	rcu_thread_online();
	sbuf_init(&sb);
	__atomic_store_n(&mv->error, gem_handle_move(&gt_sc->sc_admin,
	    mv->handle, mv->placement, &sb), __ATOMIC_SEQ_CST);
	sbuf_delete(&sb);
	return (NULL);
}

static void
mover_start(struct mover *mv, uint32_t handle, enum gem_placement p)
{

	mv->handle = handle;
	mv->placement = p;
	mv->error = -1;
	ck_assert_int_eq(pthread_create(&mv->thr, NULL, mover_main, mv), 0);
}

static void *
faulter_main(void *arg)
{
	struct faulter *fa = arg;
	unsigned char *p;
	vm_page_t m;

	rcu_thread_online();
	fa->rv = vm_fault(fa->obj, fa->pidx, VM_PROT_READ, GT_KEY,
	    ptoa(fa->pidx), &m);
	if (fa->rv == KERN_SUCCESS) {
		fa->pa = m->phys_addr;
		rcu_read_lock();
		p = vm_phys_to_host(m->phys_addr);
		fa->first = p != NULL ? p[0] : 0;
		rcu_read_unlock();
		vm_fault_unhold(m);
	}
	return (NULL);
}

static void
faulter_start(struct faulter *fa, vm_object_t obj, vm_pindex_t pidx)
{

	fa->obj = obj;
	fa->pidx = pidx;
	fa->rv = -1;
	ck_assert_int_eq(pthread_create(&fa->thr, NULL, faulter_main, fa), 0);
}

static void
nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until n threads sleep on chan. */
static void
wait_sleepers(const void *chan, int n)
{
	int i;

	for (i = 0; i < PARK_MS && sleepq_sleepers(chan) < n; i++)
		nap();
	ck_assert_int_eq(sleepq_sleepers(chan), n);
}

static void
move_ok(uint32_t h, const char *placement)
{
	char line[96];

	snprintf(line, sizeof(line), "gem g move handle=%u placement=%s", h,
	    placement);
	ck_assert_msg(drv_ctl(line) == 0, "'%s': %s", line, drv_reply());
}

/*
 * A move revokes exactly the recorded places of the resident pages --
 * every (key, offset) each page was served at, nothing else -- empties
 * the object, and the next faults land in the new placement with the
 * contents intact; and back again.
 */
START_TEST(test_gem_move_revokes_recorded_places)
{
	vm_object_t obj;
	vm_page_t m;
	unsigned long revoked;
	uint64_t off;
	uint32_t h;
	vm_pindex_t i;

	h = gt_create("vram", 4 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	gt_fill(obj, 4, 21);		/* places (GT_KEY, ptoa(i)) */
	ck_assert_int_eq(vm_fault(obj, 2, VM_PROT_READ, 99, 0x5000, &m),
	    KERN_SUCCESS);
	gt_unhold(m);
	gt_rec_reset();
	revoked = gt_sc->sc_revoked;
	move_ok(h, "system");
	ck_assert_uint_eq(gt_rec_count(), 5);
	for (i = 0; i < 4; i++)
		ck_assert(gt_rec_has(GT_KEY, ptoa(i)));
	ck_assert(gt_rec_has(99, 0x5000));
	ck_assert_uint_eq(gt_sc->sc_revoked - revoked, 4);
	ck_assert_uint_eq(obj->resident_page_count, 0);
	ck_assert_int_eq(obj->memattr, VM_MEMATTR_WRITE_BACK);
	ck_assert_int_eq(gt_placement(h), GEM_SYSTEM);
	/* The old vram pages have no place left and are free again. */
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 4 * PAGE_SIZE);
	for (i = 0; i < 4; i++) {
		m = gt_fault(obj, i, VM_PROT_READ, ptoa(i));
		ck_assert(gt_in_ram(m->phys_addr));
		gt_unhold(m);
	}
	ck_assert(gt_check(obj, 4, 21));

	/* Back to vram: only the places served since are revoked. */
	m = gt_fault(obj, 3, VM_PROT_READ, 0x9000);
	gt_unhold(m);
	gt_rec_reset();
	move_ok(h, "vram");
	ck_assert_uint_eq(gt_rec_count(), 5);
	ck_assert(gt_rec_has(GT_KEY, 0x9000));
	ck_assert(!gt_rec_has(99, 0x5000));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	ck_assert_int_eq(obj->memattr, VM_MEMATTR_WRITE_COMBINING);
	for (i = 0; i < 4; i++) {
		m = gt_fault(obj, i, VM_PROT_READ, ptoa(i));
		ck_assert(gt_in_vram(m->phys_addr));
		gt_unhold(m);
	}
	ck_assert(gt_check(obj, 4, 21));
	ck_assert_uint_eq(gt_sc->sc_moves, 2);
	vm_object_deallocate(obj);
}
END_TEST

/* Moves of unfaulted BOs, to the same placement, and round trips. */
START_TEST(test_gem_move_round_trips)
{
	vm_object_t obj;
	uint64_t off;
	uint32_t h;
	int i;

	h = gt_create("system", 8 * PAGE_SIZE, &off, NULL);
	gt_rec_reset();
	move_ok(h, "system");		/* nothing to do */
	ck_assert_uint_eq(gt_sc->sc_moves, 0);
	move_ok(h, "vram");		/* nothing resident */
	ck_assert_uint_eq(gt_rec_count(), 0);
	obj = gt_map(off, NULL);
	ck_assert(gt_is_zero(obj, 8));
	gt_fill(obj, 8, 9);
	for (i = 0; i < 6; i++) {
		move_ok(h, i % 2 == 0 ? "system" : "vram");
		ck_assert(gt_check(obj, 8, 9));
	}
	ck_assert_int_eq(gt_placement(h), GEM_VRAM);
	ck_assert_uint_eq(gt_sc->sc_moves, 7);
	vm_object_deallocate(obj);
}
END_TEST

/*
 * vram full: creating a vram BO evicts the least recently used one to
 * system (its data intact, its uid charged); the recently used one
 * stays.
 */
START_TEST(test_gem_evict_lru_on_create)
{
	vm_object_t oa, ob, oc;
	uint64_t offa, offb, offc;
	uint32_t a, b, c;
	vm_page_t m;

	a = gt_create("vram", GT_VRAM / 2, &offa, NULL);
	b = gt_create("vram", GT_VRAM / 2, &offb, NULL);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, 0);
	oa = gt_map(offa, NULL);
	ob = gt_map(offb, NULL);
	gt_fill(oa, atop(GT_VRAM / 2) - 1, 1);
	gt_fill(ob, atop(GT_VRAM / 2), 2);
	/*
	 * A fault that reaches the pager makes a the newer (resident pages
	 * are served without the driver, as the kernel's page cache does).
	 */
	ck_assert(gt_check(oa, atop(GT_VRAM / 2) - 1, 1));
	ck_assert_uint_lt(gt_bo(oa)->bo_lru, gt_bo(ob)->bo_lru);
	m = gt_fault(oa, atop(GT_VRAM / 2) - 1, VM_PROT_READ, 0);
	gt_unhold(m);
	ck_assert_uint_gt(gt_bo(oa)->bo_lru, gt_bo(ob)->bo_lru);
	gt_rec_reset();
	c = gt_create("vram", GT_VRAM / 4, &offc, NULL);
	ck_assert_int_eq(gt_placement(a), GEM_VRAM);
	ck_assert_int_eq(gt_placement(b), GEM_SYSTEM);
	ck_assert_int_eq(gt_placement(c), GEM_VRAM);
	ck_assert_uint_eq(gt_sc->sc_evictions, 1);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM / 4));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), GT_VRAM / 2);
	/* b's served places were revoked, a's were not. */
	ck_assert_uint_eq(gt_rec_count(), atop(GT_VRAM / 2));
	ck_assert_uint_eq(oa->resident_page_count, atop(GT_VRAM / 2));
	ck_assert_uint_eq(ob->resident_page_count, 0);
	ck_assert(gt_check(oa, atop(GT_VRAM / 2) - 1, 1));
	ck_assert(gt_check(ob, atop(GT_VRAM / 2), 2));
	m = gt_fault(ob, 0, VM_PROT_READ, 0);
	ck_assert(gt_in_ram(m->phys_addr));
	gt_unhold(m);
	/* The new BO is zeroed, even on reused vram. */
	oc = gt_map(offc, NULL);
	ck_assert(gt_is_zero(oc, atop(GT_VRAM / 4)));
	vm_object_deallocate(oa);
	vm_object_deallocate(ob);
	vm_object_deallocate(oc);
}
END_TEST

/* Moving into a full vram evicts too; a BO larger than vram cannot. */
START_TEST(test_gem_evict_on_move)
{
	vm_object_t oa, ob;
	uint64_t offa, offb;
	uint32_t a, b;

	a = gt_create("vram", GT_VRAM, &offa, NULL);
	b = gt_create("system", GT_VRAM / 4, &offb, NULL);
	oa = gt_map(offa, NULL);
	ob = gt_map(offb, NULL);
	gt_fill(oa, atop(GT_VRAM), 5);
	gt_fill(ob, atop(GT_VRAM / 4), 6);
	move_ok(b, "vram");
	ck_assert_int_eq(gt_placement(a), GEM_SYSTEM);
	ck_assert_int_eq(gt_placement(b), GEM_VRAM);
	ck_assert(gt_check(oa, atop(GT_VRAM), 5));
	ck_assert(gt_check(ob, atop(GT_VRAM / 4), 6));
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), GT_VRAM);
	/* a needs all of vram: b goes out, a comes in. */
	move_ok(a, "vram");
	ck_assert_int_eq(gt_placement(a), GEM_VRAM);
	ck_assert_int_eq(gt_placement(b), GEM_SYSTEM);
	ck_assert(gt_check(oa, atop(GT_VRAM), 5));
	ck_assert(gt_check(ob, atop(GT_VRAM / 4), 6));
	ck_assert_uint_eq(gt_sc->sc_evictions, 2);
	vm_object_deallocate(oa);
	vm_object_deallocate(ob);
}
END_TEST

/*
 * Eviction skips a victim its uid cannot pay for and takes the next;
 * when nothing can go, ENOMEM and nothing changed.
 */
START_TEST(test_gem_evict_skips_over_limit)
{
	struct ucred other = { .cr_uid = 777, .cr_gid = 777, .cr_pid = 3 };
	struct devpager_gem_create gc;
	vm_object_t oa, ob;
	uint64_t offa;
	uint32_t a, b, c;
	unsigned long live;

	a = gt_create("vram", GT_VRAM / 2, &offa, NULL);
	curthread->td_ucred = &other;
	memset(&gc, 0, sizeof(gc));
	gc.size = GT_VRAM / 2;
	gc.placement = DEVPAGER_GEM_VRAM;
	ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_CREATE, &gc), 0);
	curthread->td_ucred = NULL;
	b = gc.handle;
	oa = gt_map(offa, NULL);
	ob = gt_map(gc.offset, NULL);
	gt_fill(oa, atop(GT_VRAM / 2), 3);
	gt_fill(ob, atop(GT_VRAM / 2), 4);	/* a is the LRU */
	ck_assert_int_eq(drv_ctl("swap limit uid=4321 size=0"), 0);
	c = gt_create("vram", GT_VRAM / 4, NULL, NULL);
	ck_assert_int_eq(gt_placement(a), GEM_VRAM);
	ck_assert_int_eq(gt_placement_fp(gt_fp, b), GEM_SYSTEM);
	ck_assert_int_eq(gt_placement(c), GEM_VRAM);
	ck_assert_uint_eq(gt_reserved(777), GT_VRAM / 2);
	ck_assert(gt_check(ob, atop(GT_VRAM / 2), 4));
	/* Now only uid 4321's BOs are in vram and it cannot pay. */
	live = vm_object_live_count();
	ck_assert_int_eq(drv_ctl("gem g create size=128K"), ENOMEM);
	ck_assert_ptr_nonnull(strstr(drv_reply(), "vram is full"));
	ck_assert_uint_eq(vm_object_live_count(), live);
	ck_assert_int_eq(gt_placement(a), GEM_VRAM);
	ck_assert_int_eq(gt_placement(c), GEM_VRAM);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM / 4));
	ck_assert(gt_check(oa, atop(GT_VRAM / 2), 3));
	/* b cannot come back either (it is gt_fp's: moved by ioctl). */
	{
		struct devpager_gem_move gm = { .handle = b,
		    .placement = DEVPAGER_GEM_VRAM };

		ck_assert_int_eq(gt_ioctl(DEVPAGER_GEM_IOC_MOVE, &gm),
		    ENOMEM);
	}
	ck_assert_int_eq(gt_placement_fp(gt_fp, b), GEM_SYSTEM);
	ck_assert(gt_check(ob, atop(GT_VRAM / 2), 4));
	vm_object_deallocate(oa);
	vm_object_deallocate(ob);
}
END_TEST

/*
 * A destroyed BO that the filesystem still references (a request in
 * flight) has no memory left: it is never an eviction victim, its vram
 * went back at once, and its faults fail.
 */
START_TEST(test_gem_destroyed_not_evicted)
{
	vm_object_t oa;
	uint64_t offa;
	vm_page_t m;

	(void)gt_create("vram", GT_VRAM, &offa, NULL);
	oa = gt_map(offa, NULL);
	gt_fill(oa, atop(GT_VRAM), 8);
	ck_assert_int_eq(drv_ctl("gem g destroy handle=1"), 0);
	ck_assert_uint_eq(gt_sc->sc_vram_nfree, atop(GT_VRAM));
	(void)gt_create("vram", GT_VRAM / 2, NULL, NULL);
	(void)gt_create("vram", GT_VRAM / 2, NULL, NULL);
	ck_assert_uint_eq(gt_sc->sc_evictions, 0);
	ck_assert_uint_eq(oa->resident_page_count, 0);
	ck_assert_int_eq(vm_fault(oa, 0, VM_PROT_READ, GT_KEY, 0, &m),
	    KERN_FAILURE);
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid), 0);
	vm_object_deallocate(oa);
}
END_TEST

/*
 * A fault during a move (pages revoked, copy not done) waits: its
 * placeholder leaves the object, it sleeps on the BO, and after the move
 * it gets the page of the new placement with the data.
 */
START_TEST(test_gem_fault_waits_for_move)
{
	struct mover mv;
	struct faulter fa;
	vm_object_t obj;
	uint64_t off;
	uint32_t h;
	unsigned long fake0;

	h = gt_create("vram", 4 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	gt_fill(obj, 4, 31);
	fake0 = vm_page_fake_count();
	test_hook_arm(HOOK_MOVE);
	mover_start(&mv, h, GEM_SYSTEM);
	ck_assert(test_hook_wait_parked(HOOK_MOVE, PARK_MS));
	ck_assert_uint_eq(obj->resident_page_count, 0);
	faulter_start(&fa, obj, 1);
	wait_sleepers(gt_bo(obj), 1);
	/* The sleeper left nothing of its own in the object. */
	VM_OBJECT_RLOCK(obj);
	ck_assert_uint_eq(obj->resident_page_count, 0);
	VM_OBJECT_RUNLOCK(obj);
	ck_assert_uint_eq(gt_sc->sc_fault_waits, 1);
	test_hook_release(HOOK_MOVE);
	pthread_join(mv.thr, NULL);
	pthread_join(fa.thr, NULL);
	ck_assert_int_eq(mv.error, 0);
	ck_assert_int_eq(fa.rv, KERN_SUCCESS);
	ck_assert(gt_in_ram(fa.pa));
	ck_assert(gt_check(obj, 4, 31));
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	vm_object_deallocate(obj);
}
END_TEST

/*
 * Two faults of one page wait for a move; the first to wake inserts the
 * page, the second finds it there and uses it.
 */
START_TEST(test_gem_fault_wait_same_page)
{
	struct mover mv;
	struct faulter f1, f2;
	vm_object_t obj;
	uint64_t off;
	uint32_t h;

	h = gt_create("system", 2 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	gt_fill(obj, 2, 41);
	test_hook_arm(HOOK_MOVE);
	mover_start(&mv, h, GEM_VRAM);
	ck_assert(test_hook_wait_parked(HOOK_MOVE, PARK_MS));
	faulter_start(&f1, obj, 1);
	faulter_start(&f2, obj, 1);
	wait_sleepers(gt_bo(obj), 2);
	test_hook_release(HOOK_MOVE);
	pthread_join(mv.thr, NULL);
	pthread_join(f1.thr, NULL);
	pthread_join(f2.thr, NULL);
	ck_assert_int_eq(f1.rv, KERN_SUCCESS);
	ck_assert_int_eq(f2.rv, KERN_SUCCESS);
	ck_assert_uint_eq(f1.pa, f2.pa);
	ck_assert(gt_in_vram(f1.pa));
	ck_assert_uint_eq(obj->resident_page_count, 1);
	ck_assert(gt_check(obj, 2, 41));
	vm_object_deallocate(obj);
}
END_TEST

/*
 * After the wait, vm_page_insert needs a trie node (a second page) and
 * the allocation fails twice: the handler backs off and retries.  With
 * the node never available it gives up with an error -- SIGBUS, not an
 * abort -- and no placeholder leaks.
 */
START_TEST(test_gem_fault_insert_retry)
{
	struct mover mv;
	struct faulter f1, f2;
	vm_object_t obj;
	unsigned long hits, fake0;
	uint64_t off;
	uint32_t h;
	int round, ok;

	h = gt_create("vram", 8 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	fake0 = vm_page_fake_count();
	for (round = 0; round < 2; round++) {
		test_hook_arm(HOOK_MOVE);
		mover_start(&mv, h, round == 0 ? GEM_SYSTEM : GEM_VRAM);
		ck_assert(test_hook_wait_parked(HOOK_MOVE, PARK_MS));
		faulter_start(&f1, obj, 0);
		faulter_start(&f2, obj, 5);
		wait_sleepers(gt_bo(obj), 2);
		ck_assert_int_eq(fail_point_set("vm_radix_node_alloc",
		    round == 0 ? "2*return(12)" : "return(12)"), 0);
		test_hook_release(HOOK_MOVE);
		pthread_join(mv.thr, NULL);
		pthread_join(f1.thr, NULL);
		pthread_join(f2.thr, NULL);
		ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits),
		    0);
		ok = (f1.rv == KERN_SUCCESS) + (f2.rv == KERN_SUCCESS);
		if (round == 0) {
			ck_assert_uint_eq(hits, 2);
			ck_assert_int_eq(ok, 2);
			ck_assert_uint_eq(obj->resident_page_count, 2);
		} else {
			/* One page fits at the trie root; the other needs
			 * a node: GEM_INSERT_RETRIES + 1 tries, then error. */
			ck_assert_uint_eq(hits, GEM_INSERT_RETRIES + 1);
			ck_assert_int_eq(ok, 1);
			ck_assert(f1.rv == KERN_FAILURE ||
			    f2.rv == KERN_FAILURE);
			ck_assert_uint_eq(obj->resident_page_count, 1);
		}
		fail_point_reset_all();
		ck_assert_uint_eq(vm_page_fake_count(), fake0);
	}
	/* Recovered: every page faults, still zero. */
	ck_assert(gt_is_zero(obj, 8));
	ck_assert_uint_eq(obj->resident_page_count, 8);
	vm_object_deallocate(obj);
}
END_TEST

/*
 * A page held by a READ or WRITE in flight when the move revokes it:
 * the move waits for the hold to go before it copies, so a store made
 * by the holder is in the new placement.
 */
START_TEST(test_gem_move_drains_holds)
{
	struct mover mv;
	vm_object_t obj;
	vm_page_t m;
	unsigned char *p;
	uint64_t off;
	uint32_t h;
	int i;

	h = gt_create("vram", 2 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	m = gt_fault(obj, 1, VM_PROT_WRITE, PAGE_SIZE);	/* held */
	test_hook_watch(HOOK_MOVE);
	mover_start(&mv, h, GEM_SYSTEM);
	for (i = 0; i < PARK_MS && test_hook_hits(HOOK_MOVE) == 0; i++)
		nap();
	ck_assert_uint_eq(test_hook_hits(HOOK_MOVE), 1);
	/* Revoked but held: the move cannot finish. */
	ck_assert_ptr_null(m->object);
	for (i = 0; i < 20; i++)
		nap();
	ck_assert_int_eq(__atomic_load_n(&mv.error, __ATOMIC_SEQ_CST), -1);
	rcu_read_lock();
	p = vm_phys_to_host(m->phys_addr);
	memcpy(p + 100, "late store", 10);
	rcu_read_unlock();
	gt_unhold(m);
	pthread_join(mv.thr, NULL);
	ck_assert_int_eq(mv.error, 0);
	m = gt_fault(obj, 1, VM_PROT_READ, PAGE_SIZE);
	ck_assert(gt_in_ram(m->phys_addr));
	rcu_read_lock();
	p = vm_phys_to_host(m->phys_addr);
	ck_assert_int_eq(memcmp(p + 100, "late store", 10), 0);
	rcu_read_unlock();
	gt_unhold(m);
	vm_object_deallocate(obj);
}
END_TEST

/*
 * Real threads: readers fault and check two BOs while a mover moves
 * them back and forth and a creator forces evictions.  Data intact,
 * nothing leaks, no lock-order report (witness aborts on one).
 */
struct stress {
	vm_object_t	 obj[2];
	vm_pindex_t	 npages;
	uint32_t	 handle[2];
	volatile int	 stop;
	unsigned long	 bad;
	unsigned long	 faults;
	unsigned long	 create_failures;
};

static unsigned char
stress_byte(int bo, vm_pindex_t pidx, unsigned i)
{

	return ((unsigned char)(bo * 97 + pidx * 13 + i));
}

static void *
stress_reader(void *arg)
{
	struct stress *st = arg;
	unsigned char *p;
	unsigned seed, i;
	vm_pindex_t pidx;
	vm_page_t m;
	int bo;

	rcu_thread_online();
	seed = (unsigned)(uintptr_t)&seed;
	while (!__atomic_load_n(&st->stop, __ATOMIC_RELAXED)) {
		bo = (int)(rand_r(&seed) % 2);
		pidx = (vm_pindex_t)(rand_r(&seed) % st->npages);
		if (vm_fault(st->obj[bo], pidx, VM_PROT_READ, GT_KEY + 1 + bo,
		    ptoa(pidx), &m) != KERN_SUCCESS) {
			__atomic_add_fetch(&st->bad, 1, __ATOMIC_RELAXED);
			continue;
		}
		rcu_read_lock();
		p = vm_phys_to_host(m->phys_addr);
		i = rand_r(&seed) % PAGE_SIZE;
		if (p == NULL || p[i] != stress_byte(bo, pidx, i))
			__atomic_add_fetch(&st->bad, 1, __ATOMIC_RELAXED);
		rcu_read_unlock();
		vm_fault_unhold(m);
		__atomic_add_fetch(&st->faults, 1, __ATOMIC_RELAXED);
	}
	return (NULL);
}

static void *
stress_mover(void *arg)
{
	struct stress *st = arg;
	struct sbuf sb;
	int i, error;

	rcu_thread_online();
	sbuf_init(&sb);
	for (i = 0; i < 60; i++) {
		error = gem_handle_move(&gt_sc->sc_admin, st->handle[i % 2],
		    (i / 2) % 2 == 0 ? GEM_SYSTEM : GEM_VRAM, &sb);
		if (error != 0 && error != ENOMEM)
			__atomic_add_fetch(&st->bad, 1, __ATOMIC_RELAXED);
	}
	sbuf_delete(&sb);
	return (NULL);
}

static void *
stress_creator(void *arg)
{
	struct stress *st = arg;
	struct gem_bo_info bi;
	struct sbuf sb;
	int i;

	rcu_thread_online();
	sbuf_init(&sb);
	for (i = 0; i < 30; i++) {
		/* 3/4 of vram: evicts one of the two, or both. */
		if (gem_bo_create(&gt_sc->sc_admin, GT_VRAM / 2 + GT_VRAM / 4,
		    GEM_VRAM, &drv_cred, &bi, &sb) == 0)
			(void)gem_handle_close(&gt_sc->sc_admin, bi.bi_handle,
			    &sb);
		else
			__atomic_add_fetch(&st->create_failures, 1,
			    __ATOMIC_RELAXED);
	}
	sbuf_delete(&sb);
	return (NULL);
}

START_TEST(test_gem_threads_move_evict_fault)
{
	struct stress st;
	pthread_t readers[3], mover, creator;
	unsigned char *p;
	uint64_t off;
	vm_pindex_t pidx;
	vm_page_t m;
	unsigned i;
	int bo;

	memset(&st, 0, sizeof(st));
	st.npages = atop(GT_VRAM / 4);
	for (bo = 0; bo < 2; bo++) {
		st.handle[bo] = gt_create("vram", GT_VRAM / 4, &off, NULL);
		st.obj[bo] = gt_map(off, NULL);
		for (pidx = 0; pidx < st.npages; pidx++) {
			m = gt_fault(st.obj[bo], pidx, VM_PROT_WRITE, 0);
			rcu_read_lock();
			p = vm_phys_to_host(m->phys_addr);
			for (i = 0; i < PAGE_SIZE; i++)
				p[i] = stress_byte(bo, pidx, i);
			rcu_read_unlock();
			gt_unhold(m);
		}
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&readers[i], NULL,
		    stress_reader, &st), 0);
	ck_assert_int_eq(pthread_create(&mover, NULL, stress_mover, &st), 0);
	ck_assert_int_eq(pthread_create(&creator, NULL, stress_creator, &st),
	    0);
	pthread_join(mover, NULL);
	pthread_join(creator, NULL);
	__atomic_store_n(&st.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(readers[i], NULL);
	ck_assert_uint_eq(st.bad, 0);
	ck_assert_uint_gt(st.faults, 0);
	ck_assert_uint_gt(gt_sc->sc_moves, 10);
	for (bo = 0; bo < 2; bo++) {
		for (pidx = 0; pidx < st.npages; pidx++) {
			m = gt_fault(st.obj[bo], pidx, VM_PROT_READ, 0);
			rcu_read_lock();
			p = vm_phys_to_host(m->phys_addr);
			for (i = 0; i < PAGE_SIZE; i += 511)
				ck_assert_uint_eq(p[i],
				    stress_byte(bo, pidx, i));
			rcu_read_unlock();
			gt_unhold(m);
		}
		vm_object_deallocate(st.obj[bo]);
	}
	ck_assert_uint_eq(vm_object_live_count(), 2);
	ck_assert_uint_eq(gt_sc->sc_nbos, 2);
}
END_TEST

/* Two threads moving the same BO opposite ways: serialised, intact. */
START_TEST(test_gem_threads_same_bo)
{
	struct mover a, b;
	vm_object_t obj;
	uint64_t off;
	uint32_t h;
	int i, p;

	h = gt_create("vram", 8 * PAGE_SIZE, &off, NULL);
	obj = gt_map(off, NULL);
	gt_fill(obj, 8, 61);
	for (i = 0; i < 20; i++) {
		mover_start(&a, h, GEM_SYSTEM);
		mover_start(&b, h, GEM_VRAM);
		pthread_join(a.thr, NULL);
		pthread_join(b.thr, NULL);
		ck_assert_int_eq(a.error, 0);
		ck_assert_int_eq(b.error, 0);
		p = gt_placement(h);
		ck_assert(p == GEM_SYSTEM || p == GEM_VRAM);
		ck_assert(gt_check(obj, 8, 61));
	}
	ck_assert_uint_eq(gt_reserved(drv_cred.cr_uid),
	    gt_placement(h) == GEM_SYSTEM ? 8 * PAGE_SIZE : 0);
	vm_object_deallocate(obj);
}
END_TEST

Suite *
dev_gem_move_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_gem_move");
	tc = tcase_create("move");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_move_revokes_recorded_places);
	tcase_add_test(tc, test_gem_move_round_trips);
	suite_add_tcase(s, tc);

	tc = tcase_create("evict");
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_evict_lru_on_create);
	tcase_add_test(tc, test_gem_evict_on_move);
	tcase_add_test(tc, test_gem_evict_skips_over_limit);
	tcase_add_test(tc, test_gem_destroyed_not_evicted);
	suite_add_tcase(s, tc);

	tc = tcase_create("races");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_fault_waits_for_move);
	tcase_add_test(tc, test_gem_fault_wait_same_page);
	tcase_add_test(tc, test_gem_fault_insert_retry);
	tcase_add_test(tc, test_gem_move_drains_holds);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_checked_fixture(tc, gt_setup, gt_teardown);
	tcase_add_test(tc, test_gem_threads_move_evict_fault);
	tcase_add_test(tc, test_gem_threads_same_bo);
	suite_add_tcase(s, tc);
	return (s);
}
