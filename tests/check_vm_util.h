/*
 * Helpers shared by the VM test suites (vm_page, vm_pager, vm_fault).
 */
#ifndef _TESTS_CHECK_VM_UTIL_H_
#define _TESTS_CHECK_VM_UTIL_H_

#include "vm/vm.h"

/* The daemon's address of m's memory (asserted to exist). */
unsigned char *page_host(vm_page_t m);

#endif /* !_TESTS_CHECK_VM_UTIL_H_ */
