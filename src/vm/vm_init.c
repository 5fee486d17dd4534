/*
 * VM start-up and tear-down (see vm_init.h).
 */
#include "config.h"

#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_init.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"
#include "vm/vm_radix.h"
#include "vm/swap_reserve.h"

int
vm_init(vm_size_t physmem)
{
	int error;

	rcu_thread_online();
	error = vm_phys_init(physmem);
	if (error != 0)
		return (error);
	vm_radix_init();
	vm_page_init();
	vm_object_init();
	vm_pager_init();
	swap_reserve_init(physmem);
	return (0);
}

void
vm_fini(void)
{

	/* Deferred object and node frees must not outlive vm_phys. */
	rcu_barrier();
	swap_reserve_fini();
	vm_phys_fini();
}
