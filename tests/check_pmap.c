/*
 * pmap: pv entries per managed page, pmap_remove_all through a recording
 * test double of the filesystem's unmap callback, memattr, concurrency.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"

/* The test double: every call, in order, and whether the page lock of
 * the page being revoked was held. */
#define	REC_MAX	4096

struct unmap_call {
	uint64_t	key;
	vm_ooffset_t	offset;
	vm_size_t	len;
};

static struct {
	pthread_mutex_t	 mtx;
	int		 n;
	struct unmap_call calls[REC_MAX];
	vm_page_t	 page;		/* page being revoked */
	int		 unlocked;	/* calls without its page lock */
	void		*arg_seen;
} rec = { .mtx = PTHREAD_MUTEX_INITIALIZER };

static int rec_cookie;

static void
record_unmap(uint64_t key, vm_ooffset_t offset, vm_size_t len, void *arg)
{

	pthread_mutex_lock(&rec.mtx);
	ck_assert_int_lt(rec.n, REC_MAX);
	rec.calls[rec.n].key = key;
	rec.calls[rec.n].offset = offset;
	rec.calls[rec.n].len = len;
	rec.n++;
	rec.arg_seen = arg;
	if (rec.page != NULL && !mtx_owned(vm_page_lockptr(rec.page)))
		rec.unlocked++;
	pthread_mutex_unlock(&rec.mtx);
}

static void
rec_reset(vm_page_t m)
{

	pthread_mutex_lock(&rec.mtx);
	rec.n = 0;
	rec.page = m;
	rec.unlocked = 0;
	rec.arg_seen = NULL;
	pthread_mutex_unlock(&rec.mtx);
}

/* How many recorded calls were for (key, offset). */
static int
rec_count(uint64_t key, vm_ooffset_t offset)
{
	int i, c;

	c = 0;
	for (i = 0; i < rec.n; i++)
		if (rec.calls[i].key == key && rec.calls[i].offset == offset)
			c++;
	return (c);
}

static void
setup(void)
{

	rcu_thread_online();
	vm_page_init();
	pmap_set_unmap_callback(record_unmap, &rec_cookie);
	rec_reset(NULL);
}

static void
teardown(void)
{

	pmap_set_unmap_callback(NULL, NULL);
}

/* A managed page structure of our own at pa. */
static vm_page_t
mkpage(vm_paddr_t pa)
{
	vm_page_t m;

	m = calloc(1, sizeof(*m));
	ck_assert_ptr_nonnull(m);
	m->phys_addr = pa;
	m->queue = PQ_NONE;
	pmap_page_init(m);
	return (m);
}

START_TEST(test_page_init)
{
	vm_page_t m;

	m = mkpage(0x5000);
	m->md.pat_mode = VM_MEMATTR_UNCACHEABLE;
	pmap_page_init(m);
	ck_assert_ptr_null(m->md.pv_list);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	ck_assert_int_eq(pmap_page_get_memattr(m), VM_MEMATTR_WRITE_BACK);
	pmap_page_set_memattr(m, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(pmap_page_get_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(m->md.pat_mode, VM_MEMATTR_WRITE_COMBINING);
	pmap_page_set_memattr(m, VM_MEMATTR_UNCACHEABLE);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_UNCACHEABLE);
	free(m);
}
END_TEST

START_TEST(test_remove_all_calls_each_place_once)
{
	unsigned long before;
	vm_page_t m;
	int i;

	m = mkpage(0x7000);
	before = pmap_unmap_calls();
	vm_page_lock(m);
	pmap_enter(m, 1, 0);
	pmap_enter(m, 1, 4096);
	pmap_enter(m, 2, 0);
	pmap_enter(m, 1, 0);		/* again: nothing new */
	pmap_enter(m, 2, 0);
	ck_assert_int_eq(pmap_page_mapping_count(m), 3);
	vm_page_unlock(m);

	rec_reset(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 3);
	ck_assert_int_eq(rec_count(1, 0), 1);
	ck_assert_int_eq(rec_count(1, 4096), 1);
	ck_assert_int_eq(rec_count(2, 0), 1);
	for (i = 0; i < rec.n; i++)
		ck_assert_uint_eq(rec.calls[i].len, PAGE_SIZE);
	/* Called with the page lock held, with the registered argument. */
	ck_assert_int_eq(rec.unlocked, 0);
	ck_assert_ptr_eq(rec.arg_seen, &rec_cookie);
	ck_assert_uint_eq(pmap_unmap_calls(), before + 3);
	ck_assert_ptr_null(m->md.pv_list);
	vm_page_lock(m);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	vm_page_unlock(m);
	ck_assert(!mtx_owned(vm_page_lockptr(m)));

	/* Forgotten: a second remove_all calls nothing. */
	rec_reset(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 0);
	ck_assert_uint_eq(pmap_unmap_calls(), before + 3);

	/* Entered again after the revoke: only the new place. */
	vm_page_lock(m);
	pmap_enter(m, 9, 8192);
	vm_page_unlock(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 1);
	ck_assert_int_eq(rec_count(9, 8192), 1);
	free(m);
}
END_TEST

START_TEST(test_enter_idempotent)
{
	vm_page_t m;
	int i, j;

	m = mkpage(0x9000);
	vm_page_lock(m);
	for (i = 0; i < 100; i++)
		for (j = 0; j < 5; j++)
			pmap_enter(m, (uint64_t)j, (vm_ooffset_t)j * PAGE_SIZE);
	ck_assert_int_eq(pmap_page_mapping_count(m), 5);
	/* Same key, other offset and same offset, other key are new. */
	pmap_enter(m, 0, PAGE_SIZE);
	pmap_enter(m, 7, 0);
	ck_assert_int_eq(pmap_page_mapping_count(m), 7);
	vm_page_unlock(m);
	rec_reset(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 7);
	for (j = 0; j < 5; j++)
		ck_assert_int_eq(rec_count((uint64_t)j,
		    (vm_ooffset_t)j * PAGE_SIZE), 1);
	free(m);
}
END_TEST

START_TEST(test_remove_key)
{
	unsigned long before;
	vm_page_t m;

	m = mkpage(0xb000);
	before = pmap_unmap_calls();
	vm_page_lock(m);
	pmap_enter(m, 1, 0);
	pmap_enter(m, 2, 0);
	pmap_enter(m, 2, PAGE_SIZE);
	pmap_enter(m, 3, 0);
	pmap_enter(m, 2, 2 * PAGE_SIZE);
	ck_assert_int_eq(pmap_page_mapping_count(m), 5);
	rec_reset(m);
	pmap_remove_key(m, 2);
	ck_assert_int_eq(pmap_page_mapping_count(m), 2);
	pmap_remove_key(m, 42);		/* absent key: nothing */
	ck_assert_int_eq(pmap_page_mapping_count(m), 2);
	vm_page_unlock(m);
	/* No callback for a mapping that went away by itself. */
	ck_assert_int_eq(rec.n, 0);
	ck_assert_uint_eq(pmap_unmap_calls(), before);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 2);
	ck_assert_int_eq(rec_count(1, 0), 1);
	ck_assert_int_eq(rec_count(3, 0), 1);
	ck_assert_int_eq(rec_count(2, 0), 0);
	/* Removing every key empties the list too. */
	vm_page_lock(m);
	pmap_enter(m, 4, 0);
	pmap_remove_key(m, 4);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	ck_assert_ptr_null(m->md.pv_list);
	vm_page_unlock(m);
	free(m);
}
END_TEST

START_TEST(test_no_callback_registered)
{
	unsigned long before;
	vm_page_t m;

	pmap_set_unmap_callback(NULL, NULL);
	m = mkpage(0xd000);
	before = pmap_unmap_calls();
	vm_page_lock(m);
	pmap_enter(m, 1, 0);
	pmap_enter(m, 2, 0);
	vm_page_unlock(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 0);
	ck_assert_uint_eq(pmap_unmap_calls(), before);
	ck_assert_int_eq(pmap_page_mapping_count(m), 0);
	free(m);
}
END_TEST

/* Managed fictitious pages (a registered range) are revocable too. */
START_TEST(test_fictitious_page)
{
	const vm_paddr_t fict = 0x20000000000ULL;
	vm_page_t m;

	ck_assert_int_eq(vm_phys_init(4 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(fict, fict + PAGE_SIZE,
	    VM_MEMATTR_WRITE_COMBINING), 0);
	m = PHYS_TO_VM_PAGE(fict);
	ck_assert_ptr_nonnull(m);
	vm_page_lock(m);
	pmap_enter(m, 77, 3 * PAGE_SIZE);
	vm_page_unlock(m);
	rec_reset(m);
	pmap_remove_all(m);
	ck_assert_int_eq(rec.n, 1);
	ck_assert_int_eq(rec_count(77, 3 * PAGE_SIZE), 1);
	ck_assert_int_eq(rec.unlocked, 0);
	/* The registered memattr is untouched by pv handling. */
	ck_assert_int_eq(pmap_page_get_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	vm_phys_fictitious_unreg_range(fict, fict + PAGE_SIZE);
	vm_phys_fini();
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_remove_all_unmanaged_asserts)
{
	vm_page_t m;

	panic_expect("pmap_remove_all: page * is not managed");
	m = mkpage(0xf000);
	m->oflags = VPO_UNMANAGED;
	pmap_remove_all(m);
	ck_abort_msg("pmap_remove_all on an unmanaged page did not assert");
}
END_TEST

/* OBJT_DEVICE fake pages are unmanaged: never revocable one by one. */
START_TEST(test_remove_all_fake_page_asserts)
{
	vm_page_t m;

	panic_expect("pmap_remove_all: page * is not managed");
	m = vm_page_getfake(0x30000000000ULL, VM_MEMATTR_UNCACHEABLE);
	ck_assert_ptr_nonnull(m);
	pmap_remove_all(m);
	ck_abort_msg("pmap_remove_all on a fake page did not assert");
}
END_TEST

START_TEST(test_enter_unmanaged_asserts)
{
	vm_page_t m;

	panic_expect("pmap_enter: page * is not managed");
	m = mkpage(0x11000);
	m->oflags = VPO_UNMANAGED;
	vm_page_lock(m);
	pmap_enter(m, 1, 0);
	ck_abort_msg("pmap_enter on an unmanaged page did not assert");
}
END_TEST

START_TEST(test_enter_needs_page_lock)
{
	vm_page_t m;

	panic_expect("mutex vm page not owned at *src/vm/pmap.c:");
	m = mkpage(0x13000);
	pmap_enter(m, 1, 0);
	ck_abort_msg("pmap_enter without the page lock did not assert");
}
END_TEST
#endif

/*
 * Threads entering places concurrently: NTHREADS threads, each with its
 * own pages, half of which share a page-lock bucket with another thread's
 * pages (same 2 MiB granule), plus one page everybody enters into.
 */
#define	NTHREADS	4
#define	NPAGES_T	8
#define	NPLACES		300

struct enter_arg {
	int		 id;
	vm_page_t	 pages[NPAGES_T];
	vm_page_t	 shared;
};

static void *
enter_thread(void *arg)
{
	struct enter_arg *ea;
	vm_page_t m;
	int i, p, round;

	ea = arg;
	/* The second round enters nothing new. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NPLACES; i++) {
			for (p = 0; p < NPAGES_T; p++) {
				m = ea->pages[p];
				vm_page_lock(m);
				pmap_enter(m, (uint64_t)ea->id,
				    (vm_ooffset_t)i * PAGE_SIZE);
				vm_page_unlock(m);
			}
			vm_page_lock(ea->shared);
			pmap_enter(ea->shared, (uint64_t)ea->id,
			    (vm_ooffset_t)i * PAGE_SIZE);
			vm_page_unlock(ea->shared);
		}
	}
	/* Drop a key of our own from our pages: the others stay. */
	for (p = 0; p < NPAGES_T; p++) {
		m = ea->pages[p];
		vm_page_lock(m);
		pmap_enter(m, 1000 + (uint64_t)ea->id, 0);
		pmap_remove_key(m, 1000 + (uint64_t)ea->id);
		vm_page_unlock(m);
	}
	return (NULL);
}

START_TEST(test_concurrent_enter)
{
	struct enter_arg ea[NTHREADS];
	pthread_t t[NTHREADS];
	unsigned long before;
	vm_page_t shared;
	int i, p;

	shared = mkpage(0x40000000);
	for (i = 0; i < NTHREADS; i++) {
		ea[i].id = i;
		ea[i].shared = shared;
		for (p = 0; p < NPAGES_T; p++)
			ea[i].pages[p] = mkpage(p % 2 == 0 ?
			    /* same granule for every thread: shared bucket */
			    (vm_paddr_t)p * NBPDR + (vm_paddr_t)i * PAGE_SIZE :
			    /* a granule of its own */
			    (vm_paddr_t)(1000 + i * NPAGES_T + p) * NBPDR);
	}
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, enter_thread,
		    &ea[i]), 0);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);

	before = pmap_unmap_calls();
	for (i = 0; i < NTHREADS; i++) {
		for (p = 0; p < NPAGES_T; p++) {
			ck_assert_int_eq(pmap_page_mapping_count(
			    ea[i].pages[p]), NPLACES);
			rec_reset(ea[i].pages[p]);
			pmap_remove_all(ea[i].pages[p]);
			ck_assert_int_eq(rec.n, NPLACES);
			ck_assert_int_eq(rec_count((uint64_t)i, 0), 1);
			ck_assert_int_eq(rec_count((uint64_t)i,
			    (NPLACES - 1) * PAGE_SIZE), 1);
			ck_assert_int_eq(rec.unlocked, 0);
			free(ea[i].pages[p]);
		}
	}
	ck_assert_int_eq(pmap_page_mapping_count(shared), NTHREADS * NPLACES);
	rec_reset(shared);
	pmap_remove_all(shared);
	ck_assert_int_eq(rec.n, NTHREADS * NPLACES);
	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(rec_count((uint64_t)i, 7 * PAGE_SIZE), 1);
	ck_assert_uint_eq(pmap_unmap_calls(),
	    before + (unsigned long)NTHREADS * NPLACES * (NPAGES_T + 1));
	free(shared);
}
END_TEST

Suite *
pmap_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("pmap");

	tc = tcase_create("pv");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_page_init);
	tcase_add_test(tc, test_remove_all_calls_each_place_once);
	tcase_add_test(tc, test_enter_idempotent);
	tcase_add_test(tc, test_remove_key);
	tcase_add_test(tc, test_no_callback_registered);
	tcase_add_test(tc, test_fictitious_page);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "pv", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_remove_all_unmanaged_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_remove_all_fake_page_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_enter_unmanaged_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_enter_needs_page_lock);

	tc = tcase_create("threads");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_concurrent_enter);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);
	return (s);
}
