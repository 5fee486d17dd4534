/*
 * dev_races: every interleaving of reference section 4, driven step by
 * step with the named hooks H1 ("cdev_pager_allocate_H1"), H2
 * ("cdev_pager_allocate_H2"), H3 ("dev_pager_dealloc_H3"), H4
 * ("vm_pager_object_lookup_match") and H5 ("vm_object_deallocate"), and
 * the lock-wait hooks of kern/test_hook.h ("lock_wait:dev_pager list",
 * "lock_wait:vm object") where a thread must be shown blocked behind
 * another one:
 *	4.1 the allocation race and the cdev the loser's dtor gets;
 *	4.2 the loser's bookkeeping, and the three broken variants caught;
 *	4.3 dealloc against lookup (A), the list lock covering the walk (B),
 *	    the lock-order reversal of a broken dealloc reported by the
 *	    witness before it can deadlock (C, INVARIANTS builds);
 *	4.4 a lookup racing the last deallocate, both orders;
 *	4.5 listing the global object list against a free;
 *	4.6 the updatefake path: a fake page listed and freed exactly once;
 * plus a soak with real threads checking the ctor/dtor identity of
 * section 6.1.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_dev_util.h"
#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/lock.h"
#include "kern/test_hook.h"
#include "vm/device_pager.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"

#define	H1	"cdev_pager_allocate_H1"
#define	H2	"cdev_pager_allocate_H2"
#define	H3	"dev_pager_dealloc_H3"
#define	H4	"vm_pager_object_lookup_match"
#define	H5	"vm_object_deallocate"
#define	PARK_MS	5000

static int handle_c;		/* the "cdev" of the new-style races */

/*
 * Threads.
 */
struct alloc_arg {
	void			*handle;
	objtype_t		 via;	/* OBJT_DEVICE: vm_pager_allocate */
	const struct cdev_pager_ops *ops;
	vm_object_t		 result;
};

static void *
alloc_thread(void *arg)
{
	struct alloc_arg *a;

	a = arg;
	rcu_thread_online();
	if (a->ops == NULL)
		a->result = vm_pager_allocate(OBJT_DEVICE, a->handle,
		    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	else
		a->result = cdev_pager_allocate(a->handle, OBJT_DEVICE,
		    a->ops, 4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	return (NULL);
}

static void *
dealloc_thread(void *arg)
{
	vm_object_t object;

	object = arg;
	rcu_thread_online();
	vm_object_deallocate(object);
	return (NULL);
}

struct lookup_arg {
	void		*handle;
	vm_object_t	 result;
};

static void *
lookup_thread(void *arg)
{
	struct lookup_arg *l;

	l = arg;
	rcu_thread_online();
	l->result = cdev_pager_lookup(l->handle);
	return (NULL);
}

static vm_object_t
new_object(void *handle)
{
	vm_object_t o;

	o = cdev_pager_allocate(handle, OBJT_DEVICE, &cnt_ops,
	    4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_nonnull(o);
	return (o);
}

static unsigned
list_len(void)
{
	unsigned n;

	ck_assert_int_eq(dev_pager_list_check(NULL, 0, &n), 0);
	return (n);
}

/* The race loser: the device object whose handle is its own address. */
static vm_object_t
find_loser(void)
{
	struct cds_list_head *l;
	vm_object_t o, found;

	found = NULL;
	rcu_read_lock();
	for (l = rcu_dereference(vm_object_list.next); l != &vm_object_list;
	    l = rcu_dereference(l->next)) {
		o = cds_list_entry(l, struct vm_object, object_list);
		if (__atomic_load_n(&o->type, __ATOMIC_ACQUIRE) ==
		    OBJT_DEVICE &&
		    __atomic_load_n(&o->handle, __ATOMIC_ACQUIRE) ==
		    (void *)o)
			found = o;
	}
	rcu_read_unlock();
	return (found);
}

static void
assert_no_reversal(void)
{

#ifdef WITNESS
	ck_assert_uint_eq(witness_reversals(), 0);
#endif
}

/*
 * 4.1: T1 parks at `hook` (H1: nothing built yet; H2: its object built),
 * T2 allocates completely, T1 goes on, loses, and is parked again at H5
 * between putting its loser on the list and deallocating it.
 */
static void
race_41(const char *hook, struct alloc_arg *t1a, vm_object_t *o2p,
    void (*at_h5)(vm_object_t o2))
{
	struct alloc_arg t2a;
	pthread_t t1;
	vm_object_t o2;

	test_hook_arm(hook);
	ck_assert_int_eq(pthread_create(&t1, NULL, alloc_thread, t1a), 0);
	ck_assert(test_hook_wait_parked(hook, PARK_MS));

	t2a = *t1a;
	t2a.result = NULL;
	alloc_thread(&t2a);
	o2 = t2a.result;
	ck_assert_ptr_nonnull(o2);
	ck_assert_uint_eq(o2->ref_count, 1);

	test_hook_arm(H5);
	test_hook_release(hook);
	ck_assert(test_hook_wait_parked(H5, PARK_MS));
	if (at_h5 != NULL)
		at_h5(o2);
	test_hook_release(H5);
	pthread_join(t1, NULL);
	*o2p = o2;
}

/* The extra check of 4.1: a third thread's lookup at step 4. */
static void
third_lookup(vm_object_t o2)
{
	vm_object_t o1, l;

	o1 = find_loser();
	ck_assert_ptr_nonnull(o1);
	ck_assert_ptr_ne(o1, o2);
	ck_assert_ptr_eq(o1->un_pager.devp.dev, (void *)&handle_c);
	/* O2 is referenced by both callers already. */
	ck_assert_uint_eq(o2->ref_count, 2);
	ck_assert_uint_eq(list_len(), 2);
	l = cdev_pager_lookup(&handle_c);
	ck_assert_ptr_eq(l, o2);
	vm_object_deallocate(l);
}

START_TEST(test_41_allocation_race)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	struct dev_pager_counters c;
	vm_object_t o2;

	race_41(H1, &t1a, &o2, third_lookup);
	/* Both callers hold O2. */
	ck_assert_ptr_eq(t1a.result, o2);
	ck_assert_uint_eq(o2->ref_count, 2);
	ck_assert_uint_eq(list_len(), 1);
	ck_assert_ptr_eq(cdev_pager_lookup(&handle_c), o2);
	vm_object_deallocate(o2);
	/* ctor x2, dtor x1 with the handle the loser was built for. */
	ck_assert_int_eq(cnt.ctor_calls, 2);
	ck_assert_int_eq(cnt.dtor_calls, 1);
	ck_assert_ptr_eq(cnt.dtor_args[0], &handle_c);
	dev_pager_counters(&c);
	ck_assert_uint_eq(c.built, 2);
	ck_assert_uint_eq(c.race_losers, 1);
	ck_assert_ptr_null(find_loser());
	assert_no_reversal();

	vm_object_deallocate(o2);
	vm_object_deallocate(o2);
	ck_assert_int_eq(cnt.dtor_calls, 2);
	ck_assert_uint_eq(list_len(), 0);
}
END_TEST

START_TEST(test_41_race_at_h2)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	vm_object_t o2;

	/* T1 has its object fully built when T2 runs. */
	race_41(H2, &t1a, &o2, third_lookup);
	ck_assert_ptr_eq(t1a.result, o2);
	ck_assert_uint_eq(o2->ref_count, 2);
	ck_assert_int_eq(cnt.ctor_calls, 2);
	ck_assert_int_eq(cnt.dtor_calls, 1);
	ck_assert_ptr_eq(cnt.dtor_args[0], &handle_c);
	ck_assert_uint_eq(list_len(), 1);
	vm_object_deallocate(o2);
	vm_object_deallocate(o2);
}
END_TEST

/* The same race through the old-style pager: the cdev's references. */
static struct cdev *race_dev;
static unsigned race_r0;

static void
old_at_h5(vm_object_t o2)
{

	/* Two ctors ran (r0 + 2); the loser's dtor has not yet. */
	ck_assert_uint_eq(race_dev->si_refcount, race_r0 + 2);
}

START_TEST(test_41_old_style_cdev_refs)
{
	struct alloc_arg t1a;
	vm_object_t o2;

	race_dev = dt_make_dev(&odrv_sw, "race0");
	race_r0 = race_dev->si_refcount;
	memset(&t1a, 0, sizeof(t1a));
	t1a.handle = race_dev;
	race_41(H1, &t1a, &o2, old_at_h5);
	ck_assert_ptr_eq(t1a.result, o2);
	ck_assert_uint_eq(o2->ref_count, 2);
	/* The loser's dtor released the cdev, not dev_rel(&O1). */
	ck_assert_uint_eq(race_dev->si_refcount, race_r0 + 1);
	ck_assert_ptr_eq(o2->handle, race_dev);
	vm_object_deallocate(o2);
	ck_assert_uint_eq(race_dev->si_refcount, race_r0 + 1);
	vm_object_deallocate(o2);
	ck_assert_uint_eq(race_dev->si_refcount, race_r0);
	destroy_dev(race_dev);
}
END_TEST

/*
 * 4.2: the loser's bookkeeping.
 */
static void
check_loser_built(vm_object_t o2)
{
	vm_object_t o1;
	char msg[160];
	unsigned n;

	o1 = find_loser();
	ck_assert_ptr_nonnull(o1);
	/* Built exactly like a winner, on the list, with a private key. */
	ck_assert_ptr_eq(o1->un_pager.devp.ops, &cnt_ops);
	ck_assert_ptr_eq(o1->un_pager.devp.dev, (void *)&handle_c);
	ck_assert(TAILQ_EMPTY(&o1->un_pager.devp.devp_pglist));
	ck_assert_ptr_eq(o1->un_pager.devp.devp_pglist.tqh_last,
	    &TAILQ_FIRST(&o1->un_pager.devp.devp_pglist));
	ck_assert((o1->flags & OBJ_COLORED) != 0);
	ck_assert_int_eq(dev_pager_list_check(msg, sizeof(msg), &n), 0);
	ck_assert_uint_eq(n, 2);
	(void)o2;
}

START_TEST(test_42_loser_bookkeeping)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	struct dev_pager_counters c0, c1;
	unsigned long fake0;
	vm_object_t o2;

	fake0 = vm_page_fake_count();
	dev_pager_counters(&c0);
	race_41(H1, &t1a, &o2, check_loser_built);
	dev_pager_counters(&c1);
	/* O1's dealloc ran once and found no fake page. */
	ck_assert_uint_eq(c1.deallocs, c0.deallocs + 1);
	ck_assert_uint_eq(c1.dealloc_pages, c0.dealloc_pages);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	/* Forward and backward walks agree; one entry per handle. */
	ck_assert_uint_eq(list_len(), 1);
	vm_object_deallocate(o2);
	vm_object_deallocate(o2);
}
END_TEST

/* (a) and (b): dealloc refuses the loser -- in every build. */
START_TEST(test_42a_no_pglist_init_caught)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	vm_object_t o2;

	panic_expect("dev_pager_dealloc: object *: devp_pglist is not "
	    "initialised");
	dev_pager_set_variant(DEV_PAGER_LOSER_NO_PGLIST_INIT);
	race_41(H1, &t1a, &o2, NULL);
	ck_abort_msg("the uninitialised fake-page list went unnoticed");
}
END_TEST

START_TEST(test_42b_not_listed_caught)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	vm_object_t o2;

	panic_expect("dev_pager_dealloc: object * is not on the device pager "
	    "list");
	dev_pager_set_variant(DEV_PAGER_LOSER_NOT_LISTED);
	race_41(H1, &t1a, &o2, NULL);
	ck_abort_msg("unlinking a non-member went unnoticed");
}
END_TEST

/* (c): the list checker sees two live objects with one handle. */
static char dup_msg[160];
static int dup_problems;

static void
check_duplicate(vm_object_t o2)
{

	dup_problems = dev_pager_list_check(dup_msg, sizeof(dup_msg), NULL);
}

START_TEST(test_42c_keeps_handle_caught)
{
	struct alloc_arg t1a = { &handle_c, OBJT_DEVICE, &cnt_ops, NULL };
	vm_object_t o2;

	dev_pager_set_variant(DEV_PAGER_LOSER_KEEPS_HANDLE);
	race_41(H1, &t1a, &o2, check_duplicate);
	ck_assert_int_gt(dup_problems, 0);
	ck_assert_ptr_nonnull(strstr(dup_msg, "share handle"));
	/* The correct build at the same point is clean (4.2 test). */
	vm_object_deallocate(o2);
	vm_object_deallocate(o2);
}
END_TEST

/*
 * 4.3 A: dealloc parked at H3 (object unlocked, not yet unlinked) while
 * another allocation for the same handle runs.
 */
START_TEST(test_43a_dealloc_vs_allocate)
{
	vm_object_t o, o1;
	pthread_t t1;
	unsigned long rev0;

	o = new_object(&handle_c);
	rev0 = vm_object_revival_count();
	test_hook_arm(H3);
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked(H3, PARK_MS));
	ck_assert_int_eq(cnt.dtor_calls, 1);
	ck_assert((o->flags & OBJ_DEAD) != 0);

	/* T2: its lookup finds O, locks it, sees OBJ_DEAD, builds O'. */
	o1 = new_object(&handle_c);
	ck_assert_ptr_ne(o1, o);
	ck_assert_uint_eq(o1->ref_count, 1);
	ck_assert_uint_eq(o->ref_count, 0);
	ck_assert_int_eq(cnt.ctor_calls, 2);

	test_hook_release(H3);
	pthread_join(t1, NULL);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_uint_eq(o->ref_count, 0);
	ck_assert_uint_eq(vm_object_revival_count(), rev0);
	ck_assert_uint_eq(list_len(), 1);
	ck_assert_ptr_eq(cdev_pager_lookup(&handle_c), o1);
	vm_object_deallocate(o1);
	assert_no_reversal();
	vm_object_deallocate(o1);
}
END_TEST

/*
 * 4.3 B: T2 parked at H4 holds dev_pager_mtx with the handle matched on O;
 * T1's dealloc, past the dtor, must wait for the mutex and not unlink O.
 * T1 is shown waiting by parking it where it finds the mutex taken.
 */
#define	LW_LIST	TEST_HOOK_LOCK_WAIT_PREFIX "dev_pager list"
#define	LW_OBJ	TEST_HOOK_LOCK_WAIT_PREFIX "vm object"

START_TEST(test_43b_list_lock_covers_walk)
{
	struct lookup_arg la = { &handle_c, NULL };
	vm_object_t o;
	pthread_t t1, t2;

	o = new_object(&handle_c);
	test_hook_arm(H4);
	ck_assert_int_eq(pthread_create(&t2, NULL, lookup_thread, &la), 0);
	ck_assert(test_hook_wait_parked(H4, PARK_MS));

	test_hook_arm(LW_LIST);
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked(LW_LIST, PARK_MS));
	/* T1 ran the dtor and found the list lock taken: O is untouched. */
	ck_assert_int_eq(cnt.dtor_calls, 1);
	ck_assert((o->flags & OBJ_DEAD) != 0);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert_ptr_eq(o->handle, &handle_c);
	test_hook_release(LW_LIST);
	/* T1 now waits for the mutex; T2 walks on, locks O, skips it. */
	test_hook_release(H4);
	pthread_join(t2, NULL);
	pthread_join(t1, NULL);
	/* T2 locked O, saw OBJ_DEAD and moved on. */
	ck_assert_ptr_null(la.result);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_uint_eq(list_len(), 0);
	assert_no_reversal();
}
END_TEST

#ifdef INVARIANTS
/*
 * 4.3 C: a dealloc that takes dev_pager_mtx under the object lock.  The
 * witness reports "vm object" -> "dev_pager list" the moment it tries
 * (here non-fatal, so the report can be read back)...
 */
START_TEST(test_43c_lor_reported)
{
	vm_object_t o;
	unsigned rev0;
	const char *r;

	ck_assert_uint_eq(witness_reversals(), 0);
	o = new_object(&handle_c);
	dev_pager_set_variant(DEV_PAGER_DEALLOC_LOR);
	witness_set_fatal(false);
	rev0 = witness_reversals();
	vm_object_deallocate(o);
	witness_set_fatal(true);
	ck_assert_uint_eq(witness_reversals(), rev0 + 1);
	r = witness_last_report();
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(r, "dev_pager list"));
	ck_assert_ptr_nonnull(strstr(r, "vm object"));
	ck_assert_int_eq(o->type, OBJT_DEAD);
}
END_TEST

/*
 * ...and, with T2 parked at H4 holding the mutex and about to lock O, it
 * aborts before the two threads can deadlock (SIGABRT, not a timeout).
 */
START_TEST(test_43c_lor_aborts_before_deadlock)
{
	struct lookup_arg la = { &handle_c, NULL };
	vm_object_t o;
	pthread_t t2;

	panic_expect("witness: lock order reversal: \"dev_pager list\"*while "
	    "holding \"vm object\"");
	o = new_object(&handle_c);
	dev_pager_set_variant(DEV_PAGER_DEALLOC_LOR);
	test_hook_arm(H4);
	ck_assert_int_eq(pthread_create(&t2, NULL, lookup_thread, &la), 0);
	ck_assert(test_hook_wait_parked(H4, PARK_MS));
	vm_object_deallocate(o);	/* T1: holds O, wants the mutex */
	ck_abort_msg("the lock-order reversal was not reported");
}
END_TEST
#endif

/*
 * 4.4: a lookup and the last deallocate, both orders.
 */
START_TEST(test_44_lookup_first)
{
	vm_object_t o, l;
	pthread_t t1;

	o = new_object(&handle_c);
	test_hook_arm(H5);
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked(H5, PARK_MS));
	/* T2 first: 1 -> 2. */
	l = cdev_pager_lookup(&handle_c);
	ck_assert_ptr_eq(l, o);
	ck_assert_uint_eq(o->ref_count, 2);
	test_hook_release(H5);
	pthread_join(t1, NULL);
	/* T1's deallocate went 2 -> 1: no terminate. */
	ck_assert_uint_eq(o->ref_count, 1);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert((o->flags & OBJ_DEAD) == 0);
	ck_assert_int_eq(cnt.dtor_calls, 0);
	vm_object_deallocate(l);
	ck_assert_int_eq(cnt.dtor_calls, 1);
}
END_TEST

START_TEST(test_44_dealloc_first)
{
	struct lookup_arg la = { &handle_c, NULL };
	vm_object_t o, o1;
	pthread_t t1, t2;
	unsigned long rev0;

	o = new_object(&handle_c);
	rev0 = vm_object_revival_count();
	/* T2 matched O and waits before locking it... */
	test_hook_arm(H4);
	ck_assert_int_eq(pthread_create(&t2, NULL, lookup_thread, &la), 0);
	ck_assert(test_hook_wait_parked(H4, PARK_MS));
	/*
	 * ...while T1 takes the count to 0, marks O dead and, past the
	 * dtor, waits for the list lock T2 holds.
	 */
	test_hook_arm(LW_LIST);
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked(LW_LIST, PARK_MS));
	test_hook_release(LW_LIST);
	ck_assert((o->flags & OBJ_DEAD) != 0);
	ck_assert_uint_eq(o->ref_count, 0);
	test_hook_release(H4);
	pthread_join(t2, NULL);
	pthread_join(t1, NULL);
	/* The lookup skipped the doomed object; no 0 -> 1. */
	ck_assert_ptr_null(la.result);
	ck_assert_uint_eq(vm_object_revival_count(), rev0);
	ck_assert_uint_eq(o->ref_count, 0);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	/* The next allocation builds a new object. */
	o1 = new_object(&handle_c);
	ck_assert_uint_eq(o1->ref_count, 1);
	ck_assert_int_eq(cnt.dtor_calls, 1);
	vm_object_deallocate(o1);
	ck_assert_int_eq(cnt.dtor_calls, 2);
}
END_TEST

/*
 * 4.5: a listing thread holds O read-locked (parked, inside its RCU
 * section) while the last deallocate runs; then it walks on from O.
 */
struct list_arg {
	vm_object_t	 target;
	unsigned	 before;	/* entries up to and including O */
	unsigned	 total;		/* entries walked in all */
	int		 saw_type;
};

static void *
list_thread(void *arg)
{
	struct list_arg *la;
	struct cds_list_head *l;
	vm_object_t o;
	unsigned n;

	la = arg;
	rcu_thread_online();
	n = 0;
	rcu_read_lock();
	for (l = rcu_dereference(vm_object_list.next); l != &vm_object_list;
	    l = rcu_dereference(l->next)) {
		o = cds_list_entry(l, struct vm_object, object_list);
		n++;
		if (o != la->target)
			continue;
		VM_OBJECT_RLOCK(o);
		la->saw_type = o->type;
		la->before = n;
		TEST_HOOK("t_list_rlocked");
		VM_OBJECT_RUNLOCK(o);
	}
	rcu_read_unlock();
	la->total = n;
	return (NULL);
}

static unsigned
count_objects(bool live_only)
{
	struct cds_list_head *l;
	vm_object_t o;
	unsigned n;

	n = 0;
	rcu_read_lock();
	for (l = rcu_dereference(vm_object_list.next); l != &vm_object_list;
	    l = rcu_dereference(l->next)) {
		o = cds_list_entry(l, struct vm_object, object_list);
		if (!live_only || __atomic_load_n(&o->type,
		    __ATOMIC_ACQUIRE) != OBJT_DEAD)
			n++;
	}
	rcu_read_unlock();
	return (n);
}

START_TEST(test_45_listing_against_free)
{
	struct list_arg la;
	vm_object_t o, keep[64], again;
	pthread_t tl, t1;
	unsigned total0, live0;
	int i, n;

	o = new_object(&handle_c);
	total0 = count_objects(false);
	live0 = count_objects(true);
	memset(&la, 0, sizeof(la));
	la.target = o;
	test_hook_arm("t_list_rlocked");
	ck_assert_int_eq(pthread_create(&tl, NULL, list_thread, &la), 0);
	ck_assert(test_hook_wait_parked("t_list_rlocked", PARK_MS));

	/* T1 waits for the write lock until the listing drops its read. */
	test_hook_arm(LW_OBJ);
	ck_assert_int_eq(pthread_create(&t1, NULL, dealloc_thread, o), 0);
	ck_assert(test_hook_wait_parked(LW_OBJ, PARK_MS));
	ck_assert_int_eq(cnt.dtor_calls, 0);
	ck_assert((o->flags & OBJ_DEAD) == 0);
	ck_assert_uint_eq(o->ref_count, 1);
	test_hook_release(LW_OBJ);
	test_hook_release("t_list_rlocked");
	pthread_join(t1, NULL);
	pthread_join(tl, NULL);
	ck_assert_int_eq(la.saw_type, OBJT_DEVICE);
	/* The walk went on from O to the end: the list never shrinks. */
	ck_assert_uint_ge(la.total, total0);
	ck_assert_uint_eq(count_objects(false), total0);
	/* Dead objects are skipped by later walks. */
	ck_assert_uint_eq(count_objects(true), live0 - 1);
	ck_assert_int_eq(o->type, OBJT_DEAD);

	/* After a grace period O's memory is handed out again. */
	rcu_barrier();
	again = NULL;
	for (n = 0; n < (int)nitems(keep); n++) {
		keep[n] = new_object(&keep[n]);
		if (keep[n] == o) {
			again = keep[n];
			n++;
			break;
		}
	}
	ck_assert_ptr_eq(again, o);
	ck_assert_int_eq(o->type, OBJT_DEVICE);
	ck_assert_uint_eq(count_objects(true), live0 - 1 + (unsigned)n);
	for (i = 0; i < n; i++)
		vm_object_deallocate(keep[i]);
}
END_TEST

/*
 * 4.6: an OBJT_DEVICE fake page invalidated and paged in again goes
 * through updatefake: it is on the list once and freed once.
 */
START_TEST(test_46_updatefake_once)
{
	struct cdev *dev;
	struct dev_pager_counters c0, c1;
	vm_object_t o;
	vm_page_t p, p2;
	unsigned long fake0;
	int calls;

	dev = dt_make_dev(&odrv_sw, "upd");
	o = vm_pager_allocate(OBJT_DEVICE, dev, 2 * PAGE_SIZE, VM_PROT_READ,
	    0, NULL);
	fake0 = vm_page_fake_count();
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &p),
	    KERN_SUCCESS);
	vm_fault_unhold(p);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(dt_on_pglist(o, p), 1);
	/* msync(MS_INVALIDATE): the fake page stays, invalid and listed. */
	vm_object_page_remove(o, 0, 1, OBJPR_NOTMAPPED);
	ck_assert_ptr_eq(vm_page_lookup(o, 0), p);
	ck_assert_uint_eq(p->valid, 0);
	ck_assert_int_eq(dt_on_pglist(o, p), 1);
	VM_OBJECT_WUNLOCK(o);

	/* A second mapping faults it: updatefake, no second insertion. */
	calls = odrv.calls;
	odrv.memattr = VM_MEMATTR_WRITE_COMBINING;
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &p2),
	    KERN_SUCCESS);
	vm_fault_unhold(p2);
	ck_assert_ptr_eq(p2, p);
	ck_assert_int_eq(odrv.calls, calls + 1);
	ck_assert_int_eq(vm_page_memattr(p), VM_MEMATTR_WRITE_COMBINING);
	ck_assert_uint_eq(p->valid, VM_PAGE_BITS_ALL);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(dt_on_pglist(o, p), 1);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 1);

	dev_pager_counters(&c0);
	vm_object_deallocate(o);
	dev_pager_counters(&c1);
	/* Freed exactly once. */
	ck_assert_uint_eq(c1.dealloc_pages, c0.dealloc_pages + 1);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	destroy_dev(dev);
}
END_TEST

/*
 * A soak with real threads: allocations, faults, lookups and the last
 * deallocates of two handles racing, while a checker walks the list.
 * Section 6.1's identity must hold at the end:
 *	#ctor = #dtor + #(allocations that found an object).
 */
#define	SOAK_THREADS	4
#define	SOAK_ROUNDS	300

static int soak_handles[2];
static volatile int soak_stop;

static void *
soak_thread(void *arg)
{
	vm_object_t o, l;
	vm_page_t m;
	unsigned seed;
	int i, h;

	seed = (unsigned)(uintptr_t)arg;
	rcu_thread_online();
	for (i = 0; i < SOAK_ROUNDS; i++) {
		h = rand_r(&seed) & 1;
		o = cdev_pager_allocate(&soak_handles[h], OBJT_DEVICE,
		    &cnt_ops, 4 * PAGE_SIZE, VM_PROT_READ, 0, NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_ptr_eq(o->handle, &soak_handles[h]);
		if (vm_fault(o, rand_r(&seed) % 4, VM_PROT_READ, 0, 0, &m) ==
		    KERN_SUCCESS)
			vm_fault_unhold(m);
		l = cdev_pager_lookup(&soak_handles[h ^ 1]);
		if (l != NULL) {
			ck_assert((l->flags & OBJ_DEAD) == 0);
			vm_object_deallocate(l);
		}
		vm_object_deallocate(o);
	}
	return (NULL);
}

static void *
soak_checker(void *arg)
{
	char msg[160];

	rcu_thread_online();
	while (!__atomic_load_n(&soak_stop, __ATOMIC_ACQUIRE)) {
		ck_assert_msg(dev_pager_list_check(msg, sizeof(msg), NULL) ==
		    0, "%s", msg);
		dt_sleep_ms(1);
	}
	return (NULL);
}

START_TEST(test_soak_allocate_dealloc)
{
	pthread_t t[SOAK_THREADS], chk;
	struct dev_pager_counters c;
	unsigned long fake0;
	int i;

	fake0 = vm_page_fake_count();
	ck_assert_int_eq(pthread_create(&chk, NULL, soak_checker, NULL), 0);
	for (i = 0; i < SOAK_THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, soak_thread,
		    (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < SOAK_THREADS; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&soak_stop, 1, __ATOMIC_RELEASE);
	pthread_join(chk, NULL);

	dev_pager_counters(&c);
	ck_assert_uint_eq(list_len(), 0);
	ck_assert_int_eq(cnt.ctor_calls, SOAK_THREADS * SOAK_ROUNDS);
	ck_assert_uint_eq((unsigned long)cnt.ctor_calls,
	    (unsigned long)cnt.dtor_calls + c.found);
	ck_assert_uint_eq((unsigned long)cnt.dtor_calls, c.built);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	ck_assert_uint_eq(vm_object_live_count(), 0);
	assert_no_reversal();
}
END_TEST

Suite *
dev_races_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("dev_races");

	tc = tcase_create("allocation");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_41_allocation_race);
	tcase_add_test(tc, test_41_race_at_h2);
	tcase_add_test(tc, test_41_old_style_cdev_refs);
	tcase_add_test(tc, test_42_loser_bookkeeping);
	tcase_add_test_raise_signal(tc, test_42a_no_pglist_init_caught,
	    SIGABRT);
	tcase_add_test_raise_signal(tc, test_42b_not_listed_caught,
	    SIGABRT);
	tcase_add_test(tc, test_42c_keeps_handle_caught);
	suite_add_tcase(s, tc);

	tc = tcase_create("dealloc");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_43a_dealloc_vs_allocate);
	tcase_add_test(tc, test_43b_list_lock_covers_walk);
	tcase_add_test(tc, test_44_lookup_first);
	tcase_add_test(tc, test_44_dealloc_first);
	tcase_add_test(tc, test_45_listing_against_free);
	tcase_add_test(tc, test_46_updatefake_once);
	tcase_add_test(tc, test_soak_allocate_dealloc);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "dealloc", dt_setup, dt_teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS(ti, test_43c_lor_reported);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_43c_lor_aborts_before_deadlock);
	return (s);
}
