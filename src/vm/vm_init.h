/*
 * Bringing the VM core up and down.
 *
 * vm_init(physmem) sets up, in order: vm_phys (RAM of physmem bytes), the
 * radix-node zone, page locks and the fake-page zone, the object zone,
 * the pagers, and swap accounting (global total = physmem).  0 or an
 * errno from vm_phys_init.  Call it once, from a registered RCU thread,
 * before any other VM function (the daemon: after fuse_daemonize; tests:
 * in the test body or a checked fixture, never in Check's parent).
 *
 * vm_fini() is for tests: it waits for pending call_rcu work and tears
 * vm_phys down.  Objects and fake pages are type-stable and stay in their
 * zones; every object must have been deallocated before.
 */
#ifndef _VM_VM_INIT_H_
#define _VM_VM_INIT_H_

#include "vm/vm.h"

int	vm_init(vm_size_t physmem);
void	vm_fini(void);

#endif /* !_VM_VM_INIT_H_ */
