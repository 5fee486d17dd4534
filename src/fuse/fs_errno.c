/*
 * The one translation from VM results to errno values: every reply the
 * filesystem sends for a VM failure goes through here.
 */
#include "config.h"

#include <errno.h>

#include "vm/vm.h"
#include "fuse/fs.h"

int
fs_kern_to_errno(int kern_result)
{
	switch (kern_result) {
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
