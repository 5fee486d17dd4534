/*
 * vm_radix: the resident-page trie.  Synthetic pages (calloc'd, pindex set
 * by hand) against a reference model; ENOMEM injected at every node
 * allocation; the INPROG/MODIFIED restart protocol driven by a test-hook
 * callback that plays FreeBSD's recursing allocator; lock-free readers
 * against a writer under RCU.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_radix.h"

static unsigned long base_nodes;

static void
setup(void)
{

	rcu_thread_online();
	base_nodes = vm_radix_node_count();
}

static void
teardown(void)
{

	test_hook_reset();
	fail_point_reset_all();
}

static uint64_t
xrand(uint64_t *s)
{
	uint64_t x;

	x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (x);
}

static vm_page_t
mkpages(const vm_pindex_t *keys, size_t n)
{
	vm_page_t pages;
	size_t i;

	pages = calloc(n, sizeof(*pages));
	ck_assert_ptr_nonnull(pages);
	for (i = 0; i < n; i++)
		pages[i].pindex = keys[i];
	return (pages);
}

/* Nodes alive now, once every deferred free has run. */
static unsigned long
live_nodes(void)
{

	rcu_barrier();
	return (vm_radix_node_count() - base_nodes);
}

static int
cmp_key(const void *a, const void *b)
{
	vm_pindex_t x, y;

	x = *(const vm_pindex_t *)a;
	y = *(const vm_pindex_t *)b;
	return (x < y ? -1 : x > y);
}

static int
keydiff(vm_pindex_t a, vm_pindex_t b)
{

	return ((63 - __builtin_clzll(a ^ b)) / 4);
}

/*
 * Interior nodes a path-compressed 16-way trie of the sorted distinct
 * keys k[0..n) has: one where the keys first part, plus those of each
 * part.  The trie's shape depends on its key set only, so this is what
 * vm_radix_node_count() must show after any sequence of operations.
 */
static unsigned long
expected_nodes(const vm_pindex_t *k, size_t n)
{
	unsigned long total;
	size_t lo, hi;
	int lev, d;

	if (n <= 1)
		return (0);
	lev = keydiff(k[0], k[n - 1]);
	total = 1;
	for (lo = 0; lo < n; lo = hi) {
		d = (int)((k[lo] >> (lev * 4)) & 0xf);
		for (hi = lo + 1; hi < n && (int)((k[hi] >> (lev * 4)) &
		    0xf) == d; hi++)
			;
		total += expected_nodes(k + lo, hi - lo);
	}
	return (total);
}

/* Every key in the trie, in order, through lookup_ge; returns the count. */
static size_t
snapshot(struct vm_radix *rt, vm_pindex_t *out, size_t max)
{
	vm_page_t m;
	size_t n;

	n = 0;
	m = vm_radix_lookup_ge(rt, 0);
	while (m != NULL) {
		ck_assert_uint_lt(n, max);
		if (n > 0)
			ck_assert_uint_gt(m->pindex, out[n - 1]);
		out[n++] = m->pindex;
		if (m->pindex == UINT64_MAX)
			break;
		m = vm_radix_lookup_ge(rt, m->pindex + 1);
	}
	return (n);
}

static void
assert_same_keys(struct vm_radix *rt, const vm_pindex_t *keys, size_t n)
{
	vm_pindex_t *got;
	size_t i, ng;

	got = calloc(n + 1, sizeof(*got));
	ck_assert_ptr_nonnull(got);
	ng = snapshot(rt, got, n + 1);
	ck_assert_uint_eq(ng, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(got[i], keys[i]);
	free(got);
}

START_TEST(test_empty)
{
	struct vm_radix rt;

	vm_radix_init();
	vm_radix_init_tree(&rt);
	ck_assert(vm_radix_is_empty(&rt));
	ck_assert(!vm_radix_is_singleton(&rt));
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0));
	ck_assert_ptr_null(vm_radix_lookup(&rt, UINT64_MAX));
	ck_assert_ptr_null(vm_radix_lookup_ge(&rt, 0));
	ck_assert_ptr_null(vm_radix_lookup_le(&rt, UINT64_MAX));
	vm_radix_reclaim_allnodes(&rt);
	ck_assert(vm_radix_is_empty(&rt));
}
END_TEST

START_TEST(test_basic)
{
	static const vm_pindex_t keys[] = { 5, 6, 0x15, 0x1000, 7 };
	struct vm_radix rt;
	vm_page_t p;
	size_t i;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert(!vm_radix_is_empty(&rt));
	ck_assert(vm_radix_is_singleton(&rt));
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 5), &p[0]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 4));
	ck_assert_uint_eq(live_nodes(), 0);
	for (i = 1; i < nitems(keys); i++)
		ck_assert_int_eq(vm_radix_insert(&rt, &p[i]), 0);
	ck_assert(!vm_radix_is_singleton(&rt));
	for (i = 0; i < nitems(keys); i++)
		ck_assert_ptr_eq(vm_radix_lookup(&rt, keys[i]), &p[i]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 8));
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x16));
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x10000));
	/* {5,6,7} under one level-0 node, 0x15 beside it, 0x1000 above. */
	ck_assert_uint_eq(live_nodes(), 3);
	ck_assert_ptr_eq(vm_radix_remove(&rt, 6), &p[1]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 6));
	ck_assert_ptr_eq(vm_radix_remove(&rt, 0x1000), &p[3]);
	ck_assert_ptr_eq(vm_radix_remove(&rt, 5), &p[0]);
	ck_assert_ptr_eq(vm_radix_remove(&rt, 0x15), &p[2]);
	ck_assert(vm_radix_is_singleton(&rt));
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 7), &p[4]);
	ck_assert_uint_eq(live_nodes(), 0);
	ck_assert_ptr_eq(vm_radix_remove(&rt, 7), &p[4]);
	ck_assert(vm_radix_is_empty(&rt));
	free(p);
}
END_TEST

START_TEST(test_boundaries)
{
	static const vm_pindex_t keys[] = { 0, 1, 0xf, 0x10, 0xff0,
	    0x100000000ULL, 0x8000000000000000ULL, UINT64_MAX - 1,
	    UINT64_MAX };
	struct vm_radix rt;
	vm_page_t p;
	size_t i;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	/* Only the extremes first. */
	ck_assert_int_eq(vm_radix_insert(&rt, &p[8]), 0);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0), &p[8]);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, UINT64_MAX), &p[8]);
	ck_assert_ptr_null(vm_radix_lookup_le(&rt, UINT64_MAX - 1));
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, UINT64_MAX), &p[8]);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 1), &p[8]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, 0), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, UINT64_MAX - 1), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, UINT64_MAX), &p[8]);
	/* Root node at the top level. */
	ck_assert_uint_eq(live_nodes(), 1);
	for (i = 1; i < 8; i++)
		ck_assert_int_eq(vm_radix_insert(&rt, &p[i]), 0);
	/* Every key finds itself; the gaps find their neighbours. */
	for (i = 0; i < nitems(keys); i++) {
		ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, keys[i]), &p[i]);
		ck_assert_ptr_eq(vm_radix_lookup_le(&rt, keys[i]), &p[i]);
		if (i + 1 < nitems(keys) && keys[i] + 1 < keys[i + 1]) {
			ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, keys[i] + 1),
			    &p[i + 1]);
			ck_assert_ptr_eq(vm_radix_lookup_le(&rt,
			    keys[i + 1] - 1), &p[i]);
			ck_assert_ptr_null(vm_radix_lookup(&rt, keys[i] + 1));
		}
	}
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0x11), &p[4]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, 0xfef), &p[3]);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0x1000), &p[5]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, 0xffffffffULL), &p[4]);
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0x100000001ULL), &p[6]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, 0x7fffffffffffffffULL),
	    &p[5]);
	/* Without the extremes, the ends are empty. */
	ck_assert_ptr_eq(vm_radix_remove(&rt, 0), &p[0]);
	ck_assert_ptr_eq(vm_radix_remove(&rt, UINT64_MAX), &p[8]);
	ck_assert_ptr_null(vm_radix_lookup_le(&rt, 0));
	ck_assert_ptr_null(vm_radix_lookup_ge(&rt, UINT64_MAX));
	ck_assert_ptr_eq(vm_radix_lookup_ge(&rt, 0), &p[1]);
	ck_assert_ptr_eq(vm_radix_lookup_le(&rt, UINT64_MAX), &p[7]);
	for (i = 1; i < 8; i++)
		ck_assert_ptr_eq(vm_radix_remove(&rt, keys[i]), &p[i]);
	ck_assert(vm_radix_is_empty(&rt));
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

/*
 * 10^5 random operations against a model, per seed.  Candidate keys mix
 * dense small numbers, clusters at large offsets and random 64-bit values,
 * so nodes appear and collapse at every level.
 */
#define	MODEL_NKEYS	3000
#define	MODEL_OPS	100000

static const uint64_t model_seeds[] = { 0x1234567ULL, 0xdeadbeefcafeULL,
    0x9e3779b97f4a7c15ULL, 42 };

static size_t
model_ge(const vm_pindex_t *k, const bool *in, size_t n, vm_pindex_t q)
{
	size_t lo, hi, mid;

	lo = 0;
	hi = n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (k[mid] < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n; lo++)
		if (in[lo])
			return (lo);
	return (n);
}

static size_t
model_le(const vm_pindex_t *k, const bool *in, size_t n, vm_pindex_t q)
{
	size_t lo, hi, mid;

	/* First index with k > q, then walk down. */
	lo = 0;
	hi = n;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (k[mid] <= q)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo > 0) {
		lo--;
		if (in[lo])
			return (lo);
	}
	return (n);
}

static void
model_check_all(struct vm_radix *rt, const vm_pindex_t *k, const bool *in,
    size_t n)
{
	vm_pindex_t *present;
	size_t i, np;

	present = calloc(n, sizeof(*present));
	ck_assert_ptr_nonnull(present);
	for (i = np = 0; i < n; i++)
		if (in[i])
			present[np++] = k[i];
	assert_same_keys(rt, present, np);
	ck_assert_uint_eq(live_nodes(), expected_nodes(present, np));
	free(present);
}

START_TEST(test_random_model)
{
	struct vm_radix rt;
	vm_pindex_t *k, q;
	vm_page_t p, m;
	uint64_t s;
	size_t i, j, n, want;
	bool *in;
	int op;

	s = model_seeds[_i];
	k = calloc(MODEL_NKEYS, sizeof(*k));
	ck_assert_ptr_nonnull(k);
	for (i = 0; i < MODEL_NKEYS; i++) {
		switch (i % 5) {
		case 0:
			k[i] = i / 5;
			break;
		case 1:
			k[i] = 0x10000000ULL + (xrand(&s) & 0xfff);
			break;
		case 2:
			k[i] = UINT64_MAX - (xrand(&s) & 0xffff);
			break;
		case 3:
			k[i] = xrand(&s);
			break;
		default:
			k[i] = (xrand(&s) & 0xff) << 36 | (xrand(&s) & 0x3);
			break;
		}
	}
	k[0] = 0;
	k[1] = UINT64_MAX;
	qsort(k, MODEL_NKEYS, sizeof(*k), cmp_key);
	for (i = j = 0; i < MODEL_NKEYS; i++)
		if (j == 0 || k[i] != k[j - 1])
			k[j++] = k[i];
	n = j;
	p = mkpages(k, n);
	in = calloc(n, sizeof(*in));
	ck_assert_ptr_nonnull(in);
	vm_radix_init_tree(&rt);

	for (j = 0; j < MODEL_OPS; j++) {
		i = xrand(&s) % n;
		op = (int)(xrand(&s) % 100);
		if (op < 35) {
			if (!in[i]) {
				ck_assert_int_eq(vm_radix_insert(&rt, &p[i]),
				    0);
				in[i] = true;
			}
			ck_assert_ptr_eq(vm_radix_lookup(&rt, k[i]), &p[i]);
		} else if (op < 65) {
			if (in[i]) {
				ck_assert_ptr_eq(vm_radix_remove(&rt, k[i]),
				    &p[i]);
				in[i] = false;
			}
			ck_assert_ptr_null(vm_radix_lookup(&rt, k[i]));
		} else if (op < 75) {
			m = vm_radix_lookup(&rt, k[i]);
			ck_assert_ptr_eq(m, in[i] ? &p[i] : NULL);
		} else {
			/* A query near a key or anywhere at all. */
			switch (xrand(&s) % 4) {
			case 0:
				q = xrand(&s);
				break;
			case 1:
				q = k[i] + 1;
				break;
			case 2:
				q = k[i] - 1;
				break;
			default:
				q = k[i];
				break;
			}
			if (op < 88) {
				want = model_ge(k, in, n, q);
				m = vm_radix_lookup_ge(&rt, q);
			} else {
				want = model_le(k, in, n, q);
				m = vm_radix_lookup_le(&rt, q);
			}
			ck_assert_ptr_eq(m, want == n ? NULL : &p[want]);
		}
		ck_assert(vm_radix_is_empty(&rt) == (vm_radix_lookup_ge(&rt,
		    0) == NULL));
		if (j % 20000 == 0)
			model_check_all(&rt, k, in, n);
	}
	model_check_all(&rt, k, in, n);

	/* Remove everything: no node may be left behind. */
	for (i = 0; i < n; i++)
		if (in[i])
			ck_assert_ptr_eq(vm_radix_remove(&rt, k[i]), &p[i]);
	ck_assert(vm_radix_is_empty(&rt));
	ck_assert_uint_eq(live_nodes(), 0);
	free(in);
	free(p);
	free(k);
}
END_TEST

START_TEST(test_replace)
{
	static const vm_pindex_t keys[] = { 3, 0x30, 0x300, 3, 0x300 };
	struct vm_radix rt;
	vm_page_t p;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	/* Root leaf. */
	ck_assert_ptr_eq(vm_radix_replace(&rt, &p[3]), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 3), &p[3]);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), 0);
	/* Leaf under nodes; the shape does not change. */
	ck_assert_ptr_eq(vm_radix_replace(&rt, &p[4]), &p[2]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x300), &p[4]);
	ck_assert_ptr_eq(vm_radix_replace(&rt, &p[0]), &p[3]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 3), &p[0]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x30), &p[1]);
	ck_assert_uint_eq(live_nodes(), 2);
	vm_radix_reclaim_allnodes(&rt);
	ck_assert(vm_radix_is_empty(&rt));
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

START_TEST(test_duplicate_panics)
{
	static const vm_pindex_t keys[] = { 9, 0x99, 9 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("key 9 is already present");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	/* Another page with a key already present: panic, every build. */
	vm_radix_insert(&rt, &p[2]);
	ck_abort_msg("duplicate insert did not panic");
}
END_TEST

START_TEST(test_duplicate_root_leaf_panics)
{
	static const vm_pindex_t keys[] = { 9 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("key 9 is already present");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	vm_radix_insert(&rt, &p[0]);
	ck_abort_msg("duplicate insert did not panic");
}
END_TEST

START_TEST(test_remove_absent_panics)
{
	static const vm_pindex_t keys[] = { 1, 2 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("vm_radix_remove: key 3 is not present");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	vm_radix_remove(&rt, 3);
	ck_abort_msg("remove of an absent key did not panic");
}
END_TEST

START_TEST(test_remove_empty_panics)
{
	struct vm_radix rt;

	panic_expect("vm_radix_remove: key 0 is not present");
	vm_radix_init_tree(&rt);
	vm_radix_remove(&rt, 0);
	ck_abort_msg("remove on an empty trie did not panic");
}
END_TEST

START_TEST(test_replace_empty_panics)
{
	static const vm_pindex_t keys[] = { 4 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("vm_radix_replace: key 4 is not present");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	vm_radix_replace(&rt, &p[0]);
	ck_abort_msg("replace on an empty trie did not panic");
}
END_TEST

START_TEST(test_replace_missing_panics)
{
	static const vm_pindex_t keys[] = { 4, 0x40, 5 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("vm_radix_replace: key 5 is not present");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	vm_radix_replace(&rt, &p[2]);
	ck_abort_msg("replace of a missing key did not panic");
}
END_TEST

/*
 * ENOMEM at the Nth node allocation, N = 1..4, for each kind of insert
 * that needs a node: splitting a leaf at the root, splitting a leaf under a
 * node, and a new node above an existing one.  Every failure leaves the
 * trie exactly as it was (same keys, same nodes, flags clear), and the
 * insert after the injected failures succeeds.
 */
START_TEST(test_enomem_sweep)
{
	static const vm_pindex_t keys[] = { 0x100, 0x200, 0x1000, 0x101,
	    0x10000, 0x1001, 0x201 };
	static const vm_pindex_t base1[] = { 0x100 };
	static const vm_pindex_t base3[] = { 0x100, 0x200, 0x1000 };
	struct vm_radix rt;
	unsigned long nodes, hits, hits0;
	vm_page_t p;
	char spec[32];
	size_t i, k;
	int nfail, f;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	for (nfail = 1; nfail <= 4; nfail++) {
		/* Root is a leaf: the first split. */
		ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
		nodes = live_nodes();
		snprintf(spec, sizeof(spec), "%d*return(12)", nfail);
		ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", spec),
		    0);
		ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc",
		    &hits0), 0);
		for (f = 0; f < nfail; f++) {
			ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), ENOMEM);
			ck_assert_uint_eq(rt.rt_flags, 0);
			ck_assert_uint_eq(live_nodes(), nodes);
			ck_assert_ptr_null(vm_radix_lookup(&rt, 0x200));
			assert_same_keys(&rt, base1, 1);
			ck_assert(vm_radix_is_singleton(&rt));
		}
		ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc",
		    &hits), 0);
		ck_assert_uint_eq(hits, hits0 + nfail);
		ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
		ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), 0);
		assert_same_keys(&rt, base3, 3);

		/*
		 * The trie is now a level-3 root holding a level-2 node
		 * {0x100, 0x200} and leaf 0x1000.  Each remaining key needs
		 * one node: 0x101 splits leaf 0x100 two levels down, 0x10000
		 * goes above the root, 0x1001 splits leaf 0x1000 under the
		 * root, 0x201 splits leaf 0x200.
		 */
		for (k = 3; k < nitems(keys); k++) {
			nodes = live_nodes();
			ck_assert_int_eq(fail_point_set("vm_radix_node_alloc",
			    spec), 0);
			ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc",
			    &hits0), 0);
			for (f = 0; f < nfail; f++) {
				ck_assert_int_eq(vm_radix_insert(&rt, &p[k]),
				    ENOMEM);
				ck_assert_uint_eq(rt.rt_flags, 0);
				ck_assert_uint_eq(live_nodes(), nodes);
				ck_assert_ptr_null(vm_radix_lookup(&rt,
				    keys[k]));
				assert_same_keys(&rt, base3, 3);
			}
			ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc",
			    &hits), 0);
			ck_assert_uint_eq(hits, hits0 + nfail);
			ck_assert_int_eq(vm_radix_insert(&rt, &p[k]), 0);
			ck_assert_ptr_eq(vm_radix_lookup(&rt, keys[k]), &p[k]);
			ck_assert_uint_eq(live_nodes(), nodes + 1);
			ck_assert_ptr_eq(vm_radix_remove(&rt, keys[k]), &p[k]);
			assert_same_keys(&rt, base3, 3);
			ck_assert_uint_eq(live_nodes(), nodes);
		}
		for (i = 0; i < 3; i++)
			ck_assert_ptr_eq(vm_radix_remove(&rt, base3[i]), &p[i]);
		ck_assert(vm_radix_is_empty(&rt));
		ck_assert_uint_eq(live_nodes(), 0);
	}
	free(p);
}
END_TEST

/* Inserts that need no node never evaluate the fail point. */
START_TEST(test_enomem_no_node_needed)
{
	static const vm_pindex_t keys[] = { 0x10, 0x20, 0x30, 0x11 };
	struct vm_radix rt;
	unsigned long hits, hits0;
	vm_page_t p;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits0), 0);
	/* Empty root: no node. */
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits), 0);
	ck_assert_uint_eq(hits, hits0);
	/* Splitting the root leaf needs one. */
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), ENOMEM);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits), 0);
	ck_assert_uint_eq(hits, hits0 + 1);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "off"), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	ck_assert_int_eq(fail_point_set("vm_radix_node_alloc", "return(12)"),
	    0);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits0), 0);
	/* A free slot in an existing node: no node. */
	ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), 0);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits), 0);
	ck_assert_uint_eq(hits, hits0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[3]), ENOMEM);
	ck_assert_int_eq(fail_point_hits("vm_radix_node_alloc", &hits), 0);
	ck_assert_uint_eq(hits, hits0 + 1);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x30), &p[2]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x11));
	vm_radix_reclaim_allnodes(&rt);
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

/*
 * The restart protocol.  The hook callback plays an allocator that
 * recurses into the VM and removes a page from the trie being inserted
 * into, while insert holds pointers into it.
 */
struct recurse_arg {
	struct vm_radix	*rt;
	vm_pindex_t	 victim;
	vm_page_t	 removed;
	int		 calls;
	int		 fail_on_call;	/* fail this allocation */
	uint8_t		 flags_seen;
};

static void
recurse_cb(void *arg)
{
	struct recurse_arg *ra;

	ra = arg;
	ra->calls++;
	if (ra->calls == 1) {
		ra->flags_seen = ra->rt->rt_flags;
		ra->removed = vm_radix_remove(ra->rt, ra->victim);
	}
	if (ra->calls == ra->fail_on_call)
		(void)fail_point_set("vm_radix_node_alloc", "1*return(12)");
}

/*
 * {0x10, 0x20}: one node holding two leaves.  Inserting 0x11 splits leaf
 * 0x10 inside that node; meanwhile 0x20 goes, the node collapses and is
 * queued for freeing.  Without the restart, insert would hang its new node
 * in the dead node and 0x11 would be unreachable.
 */
START_TEST(test_restart_collapse)
{
	static const vm_pindex_t keys[] = { 0x10, 0x20, 0x11 };
	static const vm_pindex_t after[] = { 0x10, 0x11 };
	struct recurse_arg ra;
	struct vm_radix rt;
	vm_page_t p;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	memset(&ra, 0, sizeof(ra));
	ra.rt = &rt;
	ra.victim = 0x20;
	test_hook_set_callback("vm_radix_node_alloc", recurse_cb, &ra);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), 0);
	ck_assert_ptr_eq(ra.removed, &p[1]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x11), &p[2]);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x10), &p[0]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x20));
	/* The callback saw the insert in progress; insert allocated twice
	 * (restarted) and left the flags clear. */
	ck_assert_uint_eq(ra.flags_seen, RT_INSERT_INPROG);
	ck_assert_int_eq(ra.calls, 2);
	ck_assert_uint_eq(test_hook_hits("vm_radix_node_alloc"), 2);
	ck_assert_uint_eq(rt.rt_flags, 0);
	assert_same_keys(&rt, after, 2);
	ck_assert_uint_eq(live_nodes(), expected_nodes(after, 2));
	test_hook_reset();
	vm_radix_reclaim_allnodes(&rt);
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

/*
 * The leaf being split is the one removed: after the restart the trie is
 * empty and the insert needs no node at all.
 */
START_TEST(test_restart_split_leaf_removed)
{
	static const vm_pindex_t keys[] = { 0x10, 0x11 };
	struct recurse_arg ra;
	struct vm_radix rt;
	vm_page_t p;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	memset(&ra, 0, sizeof(ra));
	ra.rt = &rt;
	ra.victim = 0x10;
	test_hook_set_callback("vm_radix_node_alloc", recurse_cb, &ra);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	ck_assert_int_eq(ra.calls, 1);
	ck_assert_ptr_eq(ra.removed, &p[0]);
	ck_assert(vm_radix_is_singleton(&rt));
	ck_assert_ptr_eq(vm_radix_lookup(&rt, 0x11), &p[1]);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x10));
	ck_assert_uint_eq(rt.rt_flags, 0);
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

/*
 * Restart, then ENOMEM on the second allocation: the remove done by the
 * "allocator" stands, the insert did nothing, and the trie stays usable.
 */
START_TEST(test_restart_then_enomem)
{
	static const vm_pindex_t keys[] = { 0x10, 0x20, 0x11, 0x500 };
	static const vm_pindex_t after[] = { 0x10 };
	static const vm_pindex_t final[] = { 0x10, 0x11, 0x500 };
	struct recurse_arg ra;
	struct vm_radix rt;
	vm_page_t p;

	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[1]), 0);
	memset(&ra, 0, sizeof(ra));
	ra.rt = &rt;
	ra.victim = 0x20;
	ra.fail_on_call = 2;
	test_hook_set_callback("vm_radix_node_alloc", recurse_cb, &ra);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), ENOMEM);
	ck_assert_int_eq(ra.calls, 2);
	ck_assert_uint_eq(rt.rt_flags, 0);
	ck_assert_ptr_null(vm_radix_lookup(&rt, 0x11));
	assert_same_keys(&rt, after, 1);
	ck_assert_uint_eq(live_nodes(), 0);
	test_hook_reset();
	ck_assert_int_eq(vm_radix_insert(&rt, &p[2]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[3]), 0);
	assert_same_keys(&rt, final, 3);
	ck_assert_uint_eq(live_nodes(), expected_nodes(final, 3));
	vm_radix_reclaim_allnodes(&rt);
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

/*
 * A remove that does not restructure (its node keeps >= 2 children) still
 * marks the trie modified, and the insert restarts and lands correctly.
 */
START_TEST(test_restart_deep)
{
	vm_pindex_t keys[40];
	vm_pindex_t *want;
	struct recurse_arg ra;
	struct vm_radix rt;
	vm_page_t p, newp;
	size_t i, nw;

	for (i = 0; i < 40; i++)
		keys[i] = (i % 4) << 40 | (i / 4) << 8 | (i & 1);
	qsort(keys, 40, sizeof(keys[0]), cmp_key);
	p = mkpages(keys, 40);
	vm_radix_init_tree(&rt);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(vm_radix_insert(&rt, &p[i]), 0);
	newp = calloc(1, sizeof(*newp));
	ck_assert_ptr_nonnull(newp);
	newp->pindex = keys[7] + 0x10;	/* splits leaf keys[7] */
	ck_assert_ptr_null(vm_radix_lookup(&rt, newp->pindex));
	memset(&ra, 0, sizeof(ra));
	ra.rt = &rt;
	ra.victim = keys[20];
	test_hook_set_callback("vm_radix_node_alloc", recurse_cb, &ra);
	ck_assert_int_eq(vm_radix_insert(&rt, newp), 0);
	ck_assert_int_eq(ra.calls, 2);
	ck_assert_ptr_eq(ra.removed, &p[20]);
	want = calloc(41, sizeof(*want));
	ck_assert_ptr_nonnull(want);
	for (i = nw = 0; i < 40; i++)
		if (i != 20)
			want[nw++] = keys[i];
	want[nw++] = newp->pindex;
	qsort(want, nw, sizeof(*want), cmp_key);
	assert_same_keys(&rt, want, nw);
	ck_assert_uint_eq(live_nodes(), expected_nodes(want, nw));
	test_hook_reset();
	vm_radix_reclaim_allnodes(&rt);
	ck_assert_uint_eq(live_nodes(), 0);
	free(want);
	free(newp);
	free(p);
}
END_TEST

START_TEST(test_reclaim_leaks_nothing)
{
	vm_pindex_t keys[1000];
	struct vm_radix rt;
	vm_page_t p;
	uint64_t s;
	size_t i;

	s = 77;
	for (i = 0; i < 1000; i++)
		keys[i] = i < 500 ? i * 3 : xrand(&s);
	p = mkpages(keys, 1000);
	vm_radix_init_tree(&rt);
	for (i = 0; i < 1000; i++)
		if (vm_radix_lookup(&rt, keys[i]) == NULL)
			ck_assert_int_eq(vm_radix_insert(&rt, &p[i]), 0);
	ck_assert_uint_gt(live_nodes(), 100);
	vm_radix_reclaim_allnodes(&rt);
	ck_assert(vm_radix_is_empty(&rt));
	ck_assert_ptr_null(vm_radix_lookup(&rt, keys[0]));
	ck_assert_uint_eq(live_nodes(), 0);
	/* Pages are untouched and can go into a new trie. */
	ck_assert_int_eq(vm_radix_insert(&rt, &p[3]), 0);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[4]), 0);
	ck_assert_ptr_eq(vm_radix_lookup(&rt, keys[4]), &p[4]);
	vm_radix_reclaim_allnodes(&rt);
	ck_assert_uint_eq(live_nodes(), 0);
	free(p);
}
END_TEST

#ifdef INVARIANTS
static void
reclaim_cb(void *arg)
{

	vm_radix_reclaim_allnodes(arg);
}

START_TEST(test_reclaim_during_insert_asserts)
{
	static const vm_pindex_t keys[] = { 1, 2 };
	struct vm_radix rt;
	vm_page_t p;

	panic_expect("vm_radix_reclaim_allnodes: insert in progress");
	p = mkpages(keys, nitems(keys));
	vm_radix_init_tree(&rt);
	ck_assert_int_eq(vm_radix_insert(&rt, &p[0]), 0);
	test_hook_set_callback("vm_radix_node_alloc", reclaim_cb, &rt);
	vm_radix_insert(&rt, &p[1]);
	ck_abort_msg("reclaim during insert did not assert");
}
END_TEST
#endif

/*
 * Lock-free readers against a writer.  Keys at every 8th position are
 * inserted first and never removed: a reader must always find them,
 * whatever the writer does around them; any page a reader finds must
 * carry the key it asked for.  Removed nodes go through call_rcu, so a
 * reader touching freed memory shows up under ASan.
 */
#define	STRESS_NKEYS	1024
#define	STRESS_OPS	300000

struct stress {
	struct vm_radix	 rt;
	vm_pindex_t	 keys[STRESS_NKEYS];
	vm_page_t	 pages;
	int		 done;		/* (a) */
	unsigned long	 lookups[2];
	unsigned long	 errors[2];
};

struct reader_arg {
	struct stress	*st;
	int		 id;
};

static void *
stress_reader(void *arg)
{
	struct reader_arg *ra;
	struct stress *st;
	vm_page_t m;
	uint64_t s;
	size_t i;

	ra = arg;
	st = ra->st;
	s = 0x51ed270b + ra->id;
	rcu_thread_online();
	while (!__atomic_load_n(&st->done, __ATOMIC_ACQUIRE)) {
		rcu_read_lock();
		for (int n = 0; n < 64; n++) {
			i = xrand(&s) % STRESS_NKEYS;
			m = vm_radix_lookup(&st->rt, st->keys[i]);
			if (m != NULL && (m != &st->pages[i] ||
			    m->pindex != st->keys[i]))
				st->errors[ra->id]++;
			if (m == NULL && i % 8 == 0)
				st->errors[ra->id]++;
			st->lookups[ra->id]++;
		}
		rcu_read_unlock();
	}
	return (NULL);
}

START_TEST(test_rcu_readers_vs_writer)
{
	struct reader_arg ra[2];
	pthread_t t[2];
	struct stress *st;
	bool *in;
	uint64_t s;
	size_t i, j;
	int r;

	st = calloc(1, sizeof(*st));
	ck_assert_ptr_nonnull(st);
	for (i = 0; i < STRESS_NKEYS; i++) {
		/* Dense runs, sparse high keys: collapses at all levels. */
		if (i % 3 == 0)
			st->keys[i] = i;
		else if (i % 3 == 1)
			st->keys[i] = (uint64_t)i << 36 | (i & 0xf);
		else
			st->keys[i] = UINT64_MAX - i * 0x1111;
	}
	st->pages = mkpages(st->keys, STRESS_NKEYS);
	in = calloc(STRESS_NKEYS, sizeof(*in));
	ck_assert_ptr_nonnull(in);
	vm_radix_init_tree(&st->rt);
	for (i = 0; i < STRESS_NKEYS; i += 8) {
		ck_assert_int_eq(vm_radix_insert(&st->rt, &st->pages[i]), 0);
		in[i] = true;
	}
	for (r = 0; r < 2; r++) {
		ra[r].st = st;
		ra[r].id = r;
		ck_assert_int_eq(pthread_create(&t[r], NULL, stress_reader,
		    &ra[r]), 0);
	}
	s = 99;
	for (j = 0; j < STRESS_OPS; j++) {
		i = xrand(&s) % STRESS_NKEYS;
		if (i % 8 == 0)
			continue;
		if (in[i])
			ck_assert_ptr_eq(vm_radix_remove(&st->rt,
			    st->keys[i]), &st->pages[i]);
		else
			ck_assert_int_eq(vm_radix_insert(&st->rt,
			    &st->pages[i]), 0);
		in[i] = !in[i];
		/* Now and then empty all but the stable keys at once. */
		if (j % 50000 == 49999) {
			for (i = 0; i < STRESS_NKEYS; i++) {
				if (in[i] && i % 8 != 0) {
					vm_radix_remove(&st->rt, st->keys[i]);
					in[i] = false;
				}
			}
		}
	}
	__atomic_store_n(&st->done, 1, __ATOMIC_RELEASE);
	for (r = 0; r < 2; r++)
		ck_assert_int_eq(pthread_join(t[r], NULL), 0);
	ck_assert_uint_eq(st->errors[0], 0);
	ck_assert_uint_eq(st->errors[1], 0);
	ck_assert_uint_gt(st->lookups[0], 0);
	ck_assert_uint_gt(st->lookups[1], 0);
	for (i = 0; i < STRESS_NKEYS; i++)
		if (in[i])
			vm_radix_remove(&st->rt, st->keys[i]);
	ck_assert(vm_radix_is_empty(&st->rt));
	ck_assert_uint_eq(live_nodes(), 0);
	free(in);
	free(st->pages);
	free(st);
}
END_TEST

Suite *
vm_radix_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("vm_radix");

	tc = tcase_create("ops");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_boundaries);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_reclaim_leaks_nothing);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_random_model, 0, nitems(model_seeds));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("panics");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test_raise_signal(tc, test_duplicate_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_duplicate_root_leaf_panics,
	    SIGABRT);
	tcase_add_test_raise_signal(tc, test_remove_absent_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_remove_empty_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_replace_empty_panics, SIGABRT);
	tcase_add_test_raise_signal(tc, test_replace_missing_panics, SIGABRT);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "panics", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_reclaim_during_insert_asserts);

	tc = tcase_create("enomem");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enomem_sweep);
	tcase_add_test(tc, test_enomem_no_node_needed);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("restart");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_restart_collapse);
	tcase_add_test(tc, test_restart_split_leaf_removed);
	tcase_add_test(tc, test_restart_then_enomem);
	tcase_add_test(tc, test_restart_deep);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("rcu");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rcu_readers_vs_writer);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);
	return (s);
}
