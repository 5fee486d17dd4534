/*
 * Prefault pushes (fs_prefault.c) without a mount: what a push would
 * store, through a recording sender in place of notify_store.  The bytes
 * pushed are the device's, faulted through the pager; a fail point
 * refusing page K ends the push at K without an error; a device whose
 * memattr is not write-back is never pushed; a revocation queued while a
 * push ran makes the pushed range invalidated again; a push stays in the
 * object it was given.  With the push partner running, a long push's
 * stores run on it, still one at a time and in order, and end where a
 * push on one thread ends.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/fail.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "fuse/fs_devnode.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_prefault.h"
#include "fuse/fs_stats.h"

#define	PF_MAX_STORES	16
#define	PF_BYTES	(256 * 1024)

static struct {
	int		 n;
	off_t		 off[PF_MAX_STORES];
	size_t		 len[PF_MAX_STORES];
	unsigned char	 data[PF_BYTES];	/* the first store's bytes */
	unsigned char	 first[PF_MAX_STORES];	/* each store's first byte */
	pthread_t	 thread[PF_MAX_STORES];	/* who sent it */
	int		 busy;			/* stores running now */
	int		 overlap;		/* most at once */
	off_t		 fail_off;		/* a store there fails (-1: none) */
	fuse_ino_t	 revoke_ino;		/* queue a revocation in a store */
} st;

static struct {
	int		 n;
	off_t		 off[PF_MAX_STORES];
	off_t		 len[PF_MAX_STORES];
} inv;

static int
pf_record_store(fuse_ino_t ino, off_t off, struct fuse_bufvec *bv,
    enum fuse_buf_copy_flags flags)
{
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(PF_BYTES);
	size_t len;

	(void)flags;
	int n, busy;

	/* Two threads may store at once (the push partner). */
	busy = __atomic_add_fetch(&st.busy, 1, __ATOMIC_SEQ_CST);
	if (busy > __atomic_load_n(&st.overlap, __ATOMIC_SEQ_CST))
		__atomic_store_n(&st.overlap, busy, __ATOMIC_SEQ_CST);
	n = __atomic_fetch_add(&st.n, 1, __ATOMIC_SEQ_CST);
	len = fuse_buf_size(bv);
	if (n < PF_MAX_STORES) {
		st.off[n] = off;
		st.len[n] = len;
		st.thread[n] = pthread_self();
	}
	if (st.fail_off >= 0 && off == st.fail_off) {
		__atomic_sub_fetch(&st.busy, 1, __ATOMIC_SEQ_CST);
		return (-EIO);
	}
	if (n < PF_MAX_STORES) {
		struct fuse_bufvec one = FUSE_BUFVEC_INIT(1);

		one.buf[0].mem = &st.first[n];
		ck_assert_int_eq(fuse_buf_copy(&one, bv, 0), 1);
		bv->idx = 0;	/* fuse_buf_copy moved it on */
		bv->off = 0;
	}
	if (n == 0) {
		dst.buf[0].mem = st.data;
		ck_assert_int_eq(fuse_buf_copy(&dst, bv, 0),
		    (ssize_t)(len < PF_BYTES ? len : PF_BYTES));
	}
	if (st.revoke_ino != 0) {
		/* A revocation sent before this store reaches the kernel. */
		fs_inval_enqueue(st.revoke_ino, 0, 0);
		fs_inval_wait_idle();
		st.revoke_ino = 0;
	}
	(void)ino;
	__atomic_sub_fetch(&st.busy, 1, __ATOMIC_SEQ_CST);
	return (0);
}

static int
pf_record_inval(struct fuse_session *se, fuse_ino_t ino, off_t off,
    off_t len)
{

	(void)se;
	(void)ino;
	if (inv.n < PF_MAX_STORES) {
		inv.off[inv.n] = off;
		inv.len[inv.n] = len;
	}
	inv.n++;
	return (0);
}

static struct fs_devnode *
pf_node(const char *name)
{
	struct fs_devnode *dn;
	struct cdev *dev;

	dev = dev_lookup_ref(name);
	ck_assert_ptr_nonnull(dev);
	dn = fs_device_node_open(dev);
	ck_assert_ptr_nonnull(dn);
	dev_rel(dev);
	return (dn);
}

static void
setup(void)
{

	drv_setup_defaults();
	memset(&st, 0, sizeof(st));
	st.fail_off = -1;
	memset(&inv, 0, sizeof(inv));
	fs_prefault_set_sender(pf_record_store);
	fs_inval_set_sender(pf_record_inval);
	ck_assert_int_eq(fs_inval_start(NULL), 0);
}

static void
teardown(void)
{

	fs_inval_stop();
	fs_inval_set_sender(NULL);
	fs_prefault_set_sender(NULL);
	(void)fail_point_set("dev_pager_fault", "off");
	drv_teardown();
}

/* The device's own bytes, in chunks of FS_PREFAULT_CHUNK_PAGES. */
START_TEST(test_prefault_push_bytes)
{
	struct fs_devnode *dn;
	unsigned long pushed;
	uint64_t before;
	char buf[64];

	ck_assert_int_eq(drv_ctl("create pf driver=ram size=1M"), 0);
	dn = pf_node("pf");
	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(vm_map_write(&dn->dn_map, NULL, 3 * PAGE_SIZE + 7,
	    3 * PAGE_SIZE + 7 + sizeof(buf), &kernel_cred, buf), 0);
	before = FS_STAT_READ(prefaulted);
	pushed = fs_prefault_push(dn, NULL, NULL, 0, 1 << 20, &kernel_cred);
	ck_assert_uint_eq(pushed, 256);
	ck_assert_uint_eq(FS_STAT_READ(prefaulted), before + 256);
	ck_assert_int_eq(st.n, 256 / FS_PREFAULT_CHUNK_PAGES);
	ck_assert_int_eq(st.off[0], 0);
	ck_assert_uint_eq(st.len[0], FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE);
	ck_assert_int_eq(st.off[1], FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE);
	ck_assert_int_eq(st.data[3 * PAGE_SIZE + 6], 0);
	ck_assert_int_eq(st.data[3 * PAGE_SIZE + 7], 0x5a);
	ck_assert_int_eq(st.data[3 * PAGE_SIZE + 7 + 63], 0x5a);
	ck_assert_int_eq(st.data[3 * PAGE_SIZE + 7 + 64], 0);
	fs_inval_wait_idle();
	ck_assert_int_eq(inv.n, 0);
	fs_device_node_close(dn);
}
END_TEST

/* A refused page ends the push there, quietly. */
START_TEST(test_prefault_push_stops)
{
	struct fs_devnode *dn;
	uint64_t stops;

	ck_assert_int_eq(drv_ctl("create pf driver=ram size=64K"), 0);
	dn = pf_node("pf");
	ck_assert_int_eq(fail_point_set("dev_pager_fault",
	    "5*off->return(5)"), 0);
	stops = FS_STAT_READ(prefault_stops);
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0, 64 * 1024,
	    &kernel_cred), 5);
	ck_assert_int_eq(st.n, 1);
	ck_assert_uint_eq(st.len[0], 5 * PAGE_SIZE);
	ck_assert_uint_eq(FS_STAT_READ(prefault_stops), stops + 1);
	/* Refused from the first page on: nothing sent at all. */
	st.n = 0;
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 5 * PAGE_SIZE,
	    64 * 1024, &kernel_cred), 0);
	ck_assert_int_eq(st.n, 0);
	fs_device_node_close(dn);
}
END_TEST

/* Memory that must be fetched again is never pushed. */
START_TEST(test_prefault_push_uncached)
{
	struct fs_devnode *dn;

	ck_assert_int_eq(drv_ctl("create pf driver=ram size=64K memattr=wc"),
	    0);
	dn = pf_node("pf");
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0, 64 * 1024,
	    &kernel_cred), 0);
	ck_assert_int_eq(st.n, 0);
	fs_device_node_close(dn);
}
END_TEST

/*
 * A revocation queued while the push ran may have been sent before the
 * store reached the kernel: the pushed range is invalidated again.
 */
START_TEST(test_prefault_push_revoked)
{
	struct fs_devnode *dn;

	ck_assert_int_eq(drv_ctl("create pf driver=ram size=64K"), 0);
	dn = pf_node("pf");
	st.revoke_ino = dn->dn_ino;
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0, 64 * 1024,
	    &kernel_cred), 16);
	fs_inval_wait_idle();
	/* The revocation itself (whole file), then the pushed range. */
	ck_assert_int_eq(inv.n, 2);
	ck_assert_int_eq(inv.len[0], 0);
	ck_assert_int_eq(inv.off[1], 0);
	ck_assert_int_eq(inv.len[1], 64 * 1024);
	/* Without a revocation meanwhile, nothing is sent again. */
	st.revoke_ino = 0;
	inv.n = 0;
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0, 64 * 1024,
	    &kernel_cred), 16);
	fs_inval_wait_idle();
	ck_assert_int_eq(inv.n, 0);
	fs_device_node_close(dn);
}
END_TEST

/* Limited to one object: another object's node offsets are not pushed. */
START_TEST(test_prefault_push_only)
{
	struct fs_devnode *dn;
	vm_object_t other;

	ck_assert_int_eq(drv_ctl("create pf driver=ram size=64K"), 0);
	dn = pf_node("pf");
	other = vm_object_allocate(OBJT_DEFAULT, 1);
	ck_assert_ptr_nonnull(other);
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, other, 0, 64 * 1024,
	    &kernel_cred), 0);
	ck_assert_int_eq(st.n, 0);
	vm_object_deallocate(other);
	fs_device_node_close(dn);
}
END_TEST

/* Pages of dn's object at node offsets [0, npages) still held. */
static int
pf_held(struct fs_devnode *dn, vm_pindex_t npages)
{
	vm_ooffset_t objoff, end;
	vm_object_t obj;
	vm_pindex_t i;
	vm_page_t m;
	int held;

	ck_assert_int_eq(vm_map_lookup(&dn->dn_map, NULL, 0, VM_PROT_READ,
	    &kernel_cred, &obj, &objoff, &end), 0);
	held = 0;
	VM_OBJECT_WLOCK(obj);
	for (i = 0; i < npages; i++) {
		m = vm_page_lookup(obj, OFF_TO_IDX(objoff) + i);
		if (m == NULL)
			continue;
		vm_page_lock(m);
		held += m->hold_count;
		vm_page_unlock(m);
	}
	VM_OBJECT_WUNLOCK(obj);
	vm_object_deallocate(obj);
	return (held);
}

/* Chunk k's first byte is k + 1: which chunk a store carried. */
static struct fs_devnode *
pf_marked_node(size_t size)
{
	char cmd[64], mark;
	struct fs_devnode *dn;
	size_t k;

	snprintf(cmd, sizeof(cmd), "create pf driver=ram size=%zu", size);
	ck_assert_int_eq(drv_ctl(cmd), 0);
	dn = pf_node("pf");
	for (k = 0; k < size / (FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE); k++) {
		mark = (char)(k + 1);
		ck_assert_int_eq(vm_map_write(&dn->dn_map, NULL,
		    k * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE,
		    k * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE + 1, &kernel_cred,
		    &mark), 0);
	}
	return (dn);
}

/* May this process run on one CPU only?  Then there is no partner. */
static bool
pf_one_cpu(void)
{
	cpu_set_t set;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	return (CPU_COUNT(&set) < 2);
}

/* The store of node offset off, or -1. */
static int
pf_store_at(off_t off)
{
	int i;

	for (i = 0; i < st.n && i < PF_MAX_STORES; i++)
		if (st.off[i] == off)
			return (i);
	return (-1);
}

/*
 * With the partner: a long push's chunks are stored in turns by the
 * partner (even chunks) and the pushing thread (odd ones and the last),
 * each once, with the right bytes.
 */
START_TEST(test_prefault_push_partner_order)
{
	const size_t chunks = 8;
	struct fs_devnode *dn;
	unsigned long pushed;
	uint64_t before;
	size_t k;

	if (pf_one_cpu())
		return;		/* no partner on one CPU */
	ck_assert_int_eq(fs_prefault_partner_start(), 0);
	dn = pf_marked_node(chunks * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE);
	before = FS_STAT_READ(prefaulted);
	pushed = fs_prefault_push(dn, NULL, NULL, 0,
	    chunks * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE, &kernel_cred);
	ck_assert_uint_eq(pushed, chunks * FS_PREFAULT_CHUNK_PAGES);
	ck_assert_uint_eq(FS_STAT_READ(prefaulted), before + pushed);
	ck_assert_int_eq(st.n, (int)chunks);
	ck_assert_int_le(st.overlap, 2);
	for (k = 0; k < chunks; k++) {
		int i = pf_store_at(
		    (off_t)(k * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE));

		ck_assert_int_ge(i, 0);
		ck_assert_uint_eq(st.len[i],
		    FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE);
		ck_assert_int_eq(st.first[i], (int)k + 1);
		ck_assert_int_eq(pthread_equal(st.thread[i], pthread_self()),
		    k % 2 == 1 || k == chunks - 1);
	}
	ck_assert_int_eq(pf_held(dn, chunks * FS_PREFAULT_CHUNK_PAGES), 0);
	fs_device_node_close(dn);
	fs_prefault_partner_stop();
}
END_TEST

/* With the partner, a refused page ends the push exactly there. */
START_TEST(test_prefault_push_partner_stops)
{
	const unsigned k = 2 * FS_PREFAULT_CHUNK_PAGES + 5;
	char fp[32];
	struct fs_devnode *dn;
	uint64_t stops;

	if (pf_one_cpu())
		return;
	ck_assert_int_eq(fs_prefault_partner_start(), 0);
	ck_assert_int_eq(drv_ctl("create pf driver=ram size=4M"), 0);
	dn = pf_node("pf");
	snprintf(fp, sizeof(fp), "%u*off->return(5)", k);
	ck_assert_int_eq(fail_point_set("dev_pager_fault", fp), 0);
	stops = FS_STAT_READ(prefault_stops);
	ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0,
	    8 * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE, &kernel_cred), k);
	ck_assert_uint_eq(FS_STAT_READ(prefault_stops), stops + 1);
	ck_assert_int_eq(st.n, 3);
	ck_assert_int_ge(pf_store_at(0), 0);
	ck_assert_int_ge(pf_store_at(FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE), 0);
	ck_assert_int_ge(pf_store_at(2 * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE),
	    0);
	ck_assert_uint_eq(st.len[pf_store_at(2 * FS_PREFAULT_CHUNK_PAGES *
	    PAGE_SIZE)], 5 * PAGE_SIZE);
	ck_assert_int_eq(pf_held(dn, 8 * FS_PREFAULT_CHUNK_PAGES), 0);
	fs_device_node_close(dn);
	fs_prefault_partner_stop();
}
END_TEST

/*
 * With the partner, a store that fails ends the push: the pages pushed
 * are those before the failed chunk; the chunk stored beside it is the
 * last one stored, and nothing stays held.  Chunk 1 is the pushing
 * thread's, chunk 2 the partner's (stored while chunk 3 is).
 */
START_TEST(test_prefault_push_partner_store_fails)
{
	struct fs_devnode *dn;
	uint64_t stops;
	int k;

	if (pf_one_cpu())
		return;
	ck_assert_int_eq(fs_prefault_partner_start(), 0);
	dn = pf_marked_node(8 * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE);
	for (k = 1; k <= 2; k++) {
		st.n = 0;
		st.fail_off = (off_t)k * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE;
		stops = FS_STAT_READ(prefault_stops);
		ck_assert_uint_eq(fs_prefault_push(dn, NULL, NULL, 0,
		    8 * FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE, &kernel_cred),
		    (unsigned long)k * FS_PREFAULT_CHUNK_PAGES);
		ck_assert_uint_eq(FS_STAT_READ(prefault_stops), stops + 1);
		/* Chunks 0 and 1; 0 to 3 when the partner's failed. */
		ck_assert_int_eq(st.n, k == 1 ? 2 : 4);
		ck_assert_int_eq(pf_held(dn, 8 * FS_PREFAULT_CHUNK_PAGES), 0);
	}
	fs_device_node_close(dn);
	fs_prefault_partner_stop();
}
END_TEST

Suite *
fs_prefault_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_prefault");
	tc = tcase_create("push");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_prefault_push_bytes);
	tcase_add_test(tc, test_prefault_push_stops);
	tcase_add_test(tc, test_prefault_push_uncached);
	tcase_add_test(tc, test_prefault_push_revoked);
	tcase_add_test(tc, test_prefault_push_only);
	tcase_add_test(tc, test_prefault_push_partner_order);
	tcase_add_test(tc, test_prefault_push_partner_stops);
	tcase_add_test(tc, test_prefault_push_partner_store_fails);
	suite_add_tcase(s, tc);
	return (s);
}
