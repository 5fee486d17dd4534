/*
 * Helpers shared by the VM test suites (check_vm_util.h).
 */
#include "config.h"

#include "check_devpager.h"
#include "check_vm_util.h"
#include "kern/kern_rcu.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

unsigned char *
page_host(vm_page_t m)
{
	unsigned char *p;

	rcu_read_lock();
	p = vm_phys_to_host(VM_PAGE_TO_PHYS(m));
	rcu_read_unlock();
	ck_assert_ptr_nonnull(p);
	return (p);
}
