/*
 * Every Check suite of the tree, one line each: SUITE(name) declares
 * Suite *name_suite(void), defined in tests/check_<name>.c, and adds it to
 * the one test binary.  Keep the list sorted by layer.
 */
SUITE(harness)
SUITE(subr)
SUITE(fs_options)
SUITE(fs_inval)
SUITE(vm_radix)
SUITE(kern_lock)
SUITE(kern_witness)
SUITE(kern_sleep)
SUITE(kern_refcount)
SUITE(kern_fail)
SUITE(kern_test_hook)
SUITE(kern_rcu)
SUITE(vm_page)
SUITE(vm_object)
SUITE(vm_phys)
SUITE(pmap)
SUITE(vm_pager)
SUITE(kern_conf)
SUITE(swap)
SUITE(vm_fault)
SUITE(ctl_client)
SUITE(device_pager)
SUITE(dev_races)
SUITE(sg_pager)
