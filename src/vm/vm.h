/*
 * Basic VM types and constants, after FreeBSD's <vm/vm.h> and
 * <vm/vm_param.h>.  Everything in src/vm includes this first.
 */
#ifndef _VM_VM_H_
#define _VM_VM_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/vm_types.h"	/* vm_ooffset_t, vm_paddr_t, vm_memattr_t... */

#ifndef PAGE_SHIFT
#define	PAGE_SHIFT	12
#endif
#ifndef PAGE_SIZE
#define	PAGE_SIZE	(1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define	PAGE_MASK	(PAGE_SIZE - 1)
#endif
#define	DEV_BSHIFT	9
#define	DEV_BSIZE	(1 << DEV_BSHIFT)
#define	PDRSHIFT	21		/* 2 MiB superpage granule */
#define	NBPDR		(1UL << PDRSHIFT)
#define	PDRMASK		(NBPDR - 1)

typedef uint8_t		objtype_t;

#define	VM_PROT_NONE	((vm_prot_t)0x00)
#define	VM_PROT_READ	((vm_prot_t)0x01)
#define	VM_PROT_WRITE	((vm_prot_t)0x02)
#define	VM_PROT_EXECUTE	((vm_prot_t)0x04)
#define	VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

/* Object types, with FreeBSD's numbering (OBJT_VNODE kept as a gap). */
enum obj_type {
	OBJT_DEFAULT = 0,
	OBJT_SWAP,
	OBJT_VNODE,
	OBJT_DEVICE,
	OBJT_PHYS,
	OBJT_DEAD,
	OBJT_SG,
	OBJT_MGTDEVICE,
	OBJT_NTYPES
};

/* Kernel return values used by the VM (KERN_*). */
#define	KERN_SUCCESS		0
#define	KERN_INVALID_ADDRESS	1
#define	KERN_PROTECTION_FAILURE	2
#define	KERN_NO_SPACE		3
#define	KERN_INVALID_ARGUMENT	4
#define	KERN_FAILURE		5
#define	KERN_RESOURCE_SHORTAGE	6

#define	IDX_TO_OFF(idx)	(((vm_ooffset_t)(idx)) << PAGE_SHIFT)
#define	OFF_TO_IDX(off)	((vm_pindex_t)(((vm_ooffset_t)(off)) >> PAGE_SHIFT))
#define	atop(x)		((uint64_t)(x) >> PAGE_SHIFT)
#define	ptoa(x)		((uint64_t)(x) << PAGE_SHIFT)
#define	round_page(x)	(((uint64_t)(x) + PAGE_MASK) & ~(uint64_t)PAGE_MASK)
#define	trunc_page(x)	((uint64_t)(x) & ~(uint64_t)PAGE_MASK)

struct vm_object;
struct vm_page;
typedef struct vm_object *vm_object_t;
typedef struct vm_page *vm_page_t;

/* "UC", "WC", "WT", "WP", "WB", "UC-", or "??" (vmstat -o's CM column). */
const char	*vm_memattr_name(vm_memattr_t ma);
/* Parse "wb", "wt", "wc", "uc", "uc-", "wp" (any case); -1 if unknown. */
int		 vm_memattr_parse(const char *s, vm_memattr_t *mar);

#endif /* !_VM_VM_H_ */
