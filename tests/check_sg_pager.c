/*
 * sg_pager: scatter/gather lists (sglist) and OBJT_SG objects over them:
 * allocation checks, a new object per allocation holding the list,
 * faults across segments, the updatefake path, memattr aliasing and
 * dealloc.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check_devpager.h"
#include "check_dev_util.h"
#include "kern/sglist.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

static int
sg_on_list(vm_object_t object, vm_page_t m)
{
	vm_page_t p;
	int n;

	n = 0;
	TAILQ_FOREACH(p, &object->un_pager.sgp.sgp_pglist, plinks.q)
		if (p == m)
			n++;
	return (n);
}

/* Two segments: [base, base + 2p) and [base + 8p, base + 11p). */
static struct sglist *
two_segments(void)
{
	struct sglist *sg;

	sg = sglist_alloc(4);
	ck_assert_ptr_nonnull(sg);
	ck_assert_int_eq(sglist_append_phys(sg, dt_base, 2 * PAGE_SIZE), 0);
	ck_assert_int_eq(sglist_append_phys(sg, dt_base + 8 * PAGE_SIZE,
	    3 * PAGE_SIZE), 0);
	return (sg);
}

START_TEST(test_sglist_basics)
{
	struct sglist *sg;

	ck_assert_ptr_null(sglist_alloc(0));
	ck_assert_ptr_null(sglist_alloc(70000));
	sg = sglist_alloc(2);
	ck_assert_uint_eq(sg->sg_refs, 1);
	ck_assert_int_eq(sglist_append_phys(sg, 0x10000, 0), EINVAL);
	ck_assert_int_eq(sglist_append_phys(sg, UINT64_MAX - 10, 100),
	    EINVAL);
	ck_assert_int_eq(sglist_append_phys(sg, 0x10000, 0x1000), 0);
	/* Contiguous: merged into the same segment. */
	ck_assert_int_eq(sglist_append_phys(sg, 0x11000, 0x2000), 0);
	ck_assert_int_eq(sg->sg_nseg, 1);
	ck_assert_uint_eq(sg->sg_segs[0].ss_len, 0x3000);
	ck_assert_int_eq(sglist_append_phys(sg, 0x40000, 0x1000), 0);
	ck_assert_int_eq(sg->sg_nseg, 2);
	/* Full: EFBIG, and nothing changed. */
	ck_assert_int_eq(sglist_append_phys(sg, 0x80000, 0x1000), EFBIG);
	ck_assert_int_eq(sg->sg_nseg, 2);
	ck_assert_uint_eq(sglist_length(sg), 0x4000);
	/* Merging still works when full. */
	ck_assert_int_eq(sglist_append_phys(sg, 0x41000, 0x1000), 0);
	ck_assert_uint_eq(sglist_length(sg), 0x5000);
	ck_assert_ptr_eq(sglist_hold(sg), sg);
	ck_assert_uint_eq(sg->sg_refs, 2);
	sglist_free(sg);
	ck_assert_uint_eq(sg->sg_refs, 1);
	sglist_reset(sg);
	ck_assert_uint_eq(sglist_length(sg), 0);
	sglist_free(sg);		/* the last reference frees it */
	sglist_free(NULL);
}
END_TEST

START_TEST(test_sg_alloc_checks)
{
	struct sglist *sg, *bad;
	vm_object_t o, o2;

	sg = two_segments();
	/* Misaligned offset; a range past the list's 5 pages. */
	ck_assert_ptr_null(vm_pager_allocate(OBJT_SG, sg, PAGE_SIZE,
	    VM_PROT_READ, 100, NULL));
	ck_assert_ptr_null(vm_pager_allocate(OBJT_SG, sg, 5 * PAGE_SIZE,
	    VM_PROT_READ, PAGE_SIZE, NULL));
	ck_assert_ptr_null(vm_pager_allocate(OBJT_SG, NULL, PAGE_SIZE,
	    VM_PROT_READ, 0, NULL));
	ck_assert_uint_eq(sg->sg_refs, 1);

	/* Segments must be page-aligned. */
	bad = sglist_alloc(1);
	ck_assert_int_eq(sglist_append_phys(bad, dt_base + 512, PAGE_SIZE),
	    0);
	ck_assert_ptr_null(vm_pager_allocate(OBJT_SG, bad, PAGE_SIZE,
	    VM_PROT_READ, 0, NULL));
	sglist_free(bad);
	bad = sglist_alloc(1);
	ck_assert_int_eq(sglist_append_phys(bad, dt_base, PAGE_SIZE + 8), 0);
	ck_assert_ptr_null(vm_pager_allocate(OBJT_SG, bad, PAGE_SIZE,
	    VM_PROT_READ, 0, NULL));
	sglist_free(bad);

	o = vm_pager_allocate(OBJT_SG, sg, 5 * PAGE_SIZE, VM_PROT_READ, 0,
	    NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->type, OBJT_SG);
	ck_assert_uint_eq(o->size, 5);
	ck_assert_ptr_eq(o->handle, sg);
	ck_assert_ptr_eq(o->un_pager.sgp.sgp_sglist, sg);
	ck_assert_uint_eq(o->flags & (OBJ_FICTITIOUS | OBJ_UNMANAGED),
	    OBJ_FICTITIOUS | OBJ_UNMANAGED);
	ck_assert_uint_eq(sg->sg_refs, 2);
	/* No lookup: every allocation is a new object. */
	o2 = vm_pager_allocate(OBJT_SG, sg, PAGE_SIZE, VM_PROT_READ, 0, NULL);
	ck_assert_ptr_nonnull(o2);
	ck_assert_ptr_ne(o2, o);
	ck_assert_uint_eq(o2->size, 5);
	ck_assert_uint_eq(sg->sg_refs, 3);
	vm_object_deallocate(o2);
	vm_object_deallocate(o);
	ck_assert_uint_eq(sg->sg_refs, 1);
	sglist_free(sg);
}
END_TEST

START_TEST(test_sg_fault_segments)
{
	static const vm_paddr_t want[5] = { 0, 1, 8, 9, 10 };
	struct sglist *sg;
	vm_object_t o;
	vm_page_t m, ma[1], ph;
	unsigned long fake0, free0;
	int i;

	sg = two_segments();
	o = vm_pager_allocate(OBJT_SG, sg, 5 * PAGE_SIZE, VM_PROT_READ, 0,
	    NULL);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(vm_object_set_memattr(o, VM_MEMATTR_WRITE_COMBINING),
	    KERN_SUCCESS);
	VM_OBJECT_WUNLOCK(o);
	fake0 = vm_page_fake_count();
	free0 = vm_phys_free_count();
	for (i = 0; i < 5; i++) {
		if (i == 2) {
			/* A RAM placeholder: getfake + replace. */
			VM_OBJECT_WLOCK(o);
			ph = vm_page_alloc(o, i, VM_ALLOC_NORMAL);
			ck_assert_ptr_nonnull(ph);
			ma[0] = ph;
			ck_assert_int_eq(vm_pager_get_pages(o, ma, 1, 0),
			    VM_PAGER_OK);
			m = ma[0];
			ck_assert_ptr_ne(m, ph);
			vm_page_xunbusy(m);
			VM_OBJECT_WUNLOCK(o);
		} else {
			ck_assert_int_eq(vm_fault(o, i, VM_PROT_READ, 0, 0,
			    &m), KERN_SUCCESS);
			vm_fault_unhold(m);
		}
		ck_assert_uint_eq(m->phys_addr, dt_base + ptoa(want[i]));
		ck_assert((m->flags & PG_FICTITIOUS) != 0);
		ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
		ck_assert_int_eq(vm_page_memattr(m),
		    VM_MEMATTR_WRITE_COMBINING);
		VM_OBJECT_WLOCK(o);
		ck_assert_ptr_eq(vm_page_lookup(o, i), m);
		ck_assert_int_eq(sg_on_list(o, m), 1);
		VM_OBJECT_WUNLOCK(o);
	}
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 5);
	ck_assert_uint_eq(vm_phys_free_count(), free0);
	ck_assert_uint_eq(o->resident_page_count, 5);
	/* Beyond the object. */
	ck_assert_int_eq(vm_fault(o, 5, VM_PROT_READ, 0, 0, &m),
	    KERN_PROTECTION_FAILURE);

	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	ck_assert_int_eq(o->type, OBJT_DEAD);
	ck_assert_uint_eq(sg->sg_refs, 1);
	sglist_free(sg);
}
END_TEST

START_TEST(test_sg_refault_once)
{
	struct sglist *sg;
	vm_object_t o;
	vm_page_t p, p2;
	unsigned long fake0;

	sg = two_segments();
	o = vm_pager_allocate(OBJT_SG, sg, 5 * PAGE_SIZE, VM_PROT_READ, 0,
	    NULL);
	fake0 = vm_page_fake_count();
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &p),
	    KERN_SUCCESS);
	vm_fault_unhold(p);
	VM_OBJECT_WLOCK(o);
	vm_object_page_remove(o, 0, 0, OBJPR_NOTMAPPED);
	ck_assert_ptr_eq(vm_page_lookup(o, 3), p);
	ck_assert_uint_eq(p->valid, 0);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_int_eq(vm_fault(o, 3, VM_PROT_READ, 0, 0, &p2),
	    KERN_SUCCESS);
	vm_fault_unhold(p2);
	ck_assert_ptr_eq(p2, p);
	ck_assert_uint_eq(p->phys_addr, dt_base + 9 * PAGE_SIZE);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(sg_on_list(o, p), 1);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0 + 1);
	vm_object_deallocate(o);
	ck_assert_uint_eq(vm_page_fake_count(), fake0);
	sglist_free(sg);
}
END_TEST

START_TEST(test_sg_ram_alias_and_put)
{
	struct sglist *sg;
	vm_object_t o;
	vm_page_t ram, m;
	int before, after, rt;

	/* A segment over a RAM page: the RAM page's memattr is used. */
	ram = vm_page_alloc(NULL, 0, VM_ALLOC_NOOBJ);
	ck_assert_ptr_nonnull(ram);
	sg = sglist_alloc(1);
	ck_assert_int_eq(sglist_append_phys(sg, VM_PAGE_TO_PHYS(ram),
	    PAGE_SIZE), 0);
	o = vm_pager_allocate(OBJT_SG, sg, PAGE_SIZE, VM_PROT_READ, 0, NULL);
	VM_OBJECT_WLOCK(o);
	ck_assert_int_eq(vm_object_set_memattr(o, VM_MEMATTR_UNCACHEABLE),
	    KERN_SUCCESS);
	VM_OBJECT_WUNLOCK(o);
	ck_assert_int_eq(vm_fault(o, 0, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_BACK);
	VM_OBJECT_WLOCK(o);
	before = after = 3;
	ck_assert(vm_pager_has_page(o, 0, &before, &after));
	ck_assert_int_eq(before + after, 0);
	m->dirty = VM_PAGE_BITS_ALL;
	vm_pager_put_pages(o, &m, 1, 0, &rt);
	ck_assert_int_eq(rt, VM_PAGER_OK);
	ck_assert_uint_eq(m->dirty, 0);
	VM_OBJECT_WUNLOCK(o);
	vm_object_deallocate(o);
	sglist_free(sg);
	vm_page_lock(ram);
	vm_page_free(ram);
	vm_page_unlock(ram);
}
END_TEST

Suite *
sg_pager_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("sg_pager");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, dt_setup, dt_teardown);
	tcase_add_test(tc, test_sglist_basics);
	tcase_add_test(tc, test_sg_alloc_checks);
	tcase_add_test(tc, test_sg_fault_segments);
	tcase_add_test(tc, test_sg_refault_once);
	tcase_add_test(tc, test_sg_ram_alias_and_put);
	suite_add_tcase(s, tc);
	return (s);
}
