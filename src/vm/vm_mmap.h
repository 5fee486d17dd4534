/*
 * Mapping a device, after FreeBSD's vm_mmap_cdev(): what the filesystem
 * calls to get the VM object behind a range of a device node.
 */
#ifndef _VM_VM_MMAP_H_
#define _VM_VM_MMAP_H_

#include "kern/ucred.h"
#include "vm/vm.h"

struct cdev;

/*
 * The object that maps [*foff, *foff + size) of dev, referenced (the
 * caller vm_object_deallocate()s it).  In order:
 *	ENXIO	the device is being destroyed (dev_refthread failed);
 *	EACCES	prot asks for VM_PROT_WRITE that maxprot does not allow;
 *	EINVAL	*foff not page-aligned, size 0, or *foff + size wraps;
 *	D_MMAP_ANON drivers: an anonymous (OBJT_DEFAULT) object charged to
 *		cred's uid (ENOMEM beyond the swap limits);
 *	otherwise d_mmap_single: the driver's object (it may rewrite
 *		*foff), or its error -- except ENODEV, which falls back to
 *		the device pager, vm_pager_allocate(OBJT_DEVICE, dev, ...)
 *		(EINVAL if that fails, e.g. d_mmap refuses a page).
 * No lock may be held; d_mmap_single and the ctor run with the caller's
 * td_fpop (an mmap is an operation on the file).
 */
int	vm_mmap_cdev(struct cdev *dev, vm_ooffset_t *foff, vm_size_t size,
	    vm_prot_t prot, vm_prot_t maxprot, const struct ucred *cred,
	    vm_object_t *objp);

/*
 * The errno for a vm_fault() result (KERN_*), as FreeBSD's
 * vm_mmap_to_errno(): the one translation of VM results to errno values
 * (pager results never leave src/vm; vm_fault turns them into KERN_*).
 */
int	vm_mmap_to_errno(int rv);

#endif /* !_VM_VM_MMAP_H_ */
