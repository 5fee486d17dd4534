/*
 * Mapping a device (see vm_mmap.h).
 */
#include "config.h"

#include <errno.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "vm/vm.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_pager.h"

int
vm_mmap_cdev(struct cdev *dev, vm_ooffset_t *foff, vm_size_t size,
    vm_prot_t prot, vm_prot_t maxprot, const struct ucred *cred,
    vm_object_t *objp)
{
	struct cdevsw *csw;
	vm_object_t obj;
	vm_size_t objsize;
	int error, ref;

	*objp = NULL;
	csw = dev_refthread(dev, &ref);
	if (csw == NULL)
		return (ENXIO);
	error = 0;
	obj = NULL;
	if ((prot & VM_PROT_WRITE) != 0 && (maxprot & VM_PROT_WRITE) == 0) {
		error = EACCES;
		goto out;
	}
	objsize = round_page(size);
	if ((*foff & PAGE_MASK) != 0 || size == 0 || objsize < size ||
	    *foff + objsize < *foff) {
		error = EINVAL;
		goto out;
	}
	if ((csw->d_flags & D_MMAP_ANON) != 0) {
		/* /dev/zero-like: anonymous memory, charged to the user. */
		obj = vm_pager_allocate(OBJT_DEFAULT, NULL, objsize, prot, 0,
		    cred);
		if (obj == NULL)
			error = ENOMEM;
		goto out;
	}

	/* The driver's own object first; ENODEV selects the device pager. */
	error = csw->d_mmap_single(dev, foff, objsize, &obj, (int)prot);
	if (error != ENODEV) {
		if (error == 0 && obj == NULL)
			error = EINVAL;
		if (error != 0)
			obj = NULL;
		goto out;
	}
	error = 0;
	obj = vm_pager_allocate(OBJT_DEVICE, dev, objsize, prot, *foff, cred);
	if (obj == NULL)
		error = EINVAL;
out:
	dev_relthread(dev, ref);
	*objp = obj;
	return (error);
}

int
vm_mmap_to_errno(int rv)
{

	switch (rv) {
	case KERN_SUCCESS:
		return (0);
	case KERN_INVALID_ADDRESS:
		return (ENXIO);
	case KERN_PROTECTION_FAILURE:
		return (EIO);
	case KERN_NO_SPACE:
		return (ENOSPC);
	case KERN_INVALID_ARGUMENT:
		return (EINVAL);
	case KERN_RESOURCE_SHORTAGE:
		return (ENOMEM);
	case KERN_FAILURE:
	default:
		return (EIO);
	}
}
