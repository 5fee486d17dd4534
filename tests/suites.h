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
