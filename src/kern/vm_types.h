/*
 * The basic VM types the kernel services need (device sizes, physical
 * addresses, memory attributes), in a leaf header: src/kern uses them
 * without including the VM (vm/vm.h includes this file and adds the
 * rest).  The values follow FreeBSD's amd64 <machine/vm.h>.
 */
#ifndef _KERN_VM_TYPES_H_
#define _KERN_VM_TYPES_H_

#include <stdint.h>

typedef uint64_t	vm_pindex_t;	/* page index in an object */
typedef uint64_t	vm_ooffset_t;	/* byte offset in an object */
typedef uint64_t	vm_paddr_t;	/* simulated physical address */
typedef uint64_t	vm_size_t;
typedef uint8_t		vm_prot_t;
typedef int8_t		vm_memattr_t;	/* a char in FreeBSD */

/* amd64 memory attributes (PAT indices). */
#define	VM_MEMATTR_UNCACHEABLE		((vm_memattr_t)0x00)
#define	VM_MEMATTR_WRITE_COMBINING	((vm_memattr_t)0x01)
#define	VM_MEMATTR_WRITE_THROUGH	((vm_memattr_t)0x04)
#define	VM_MEMATTR_WRITE_PROTECTED	((vm_memattr_t)0x05)
#define	VM_MEMATTR_WRITE_BACK		((vm_memattr_t)0x06)
#define	VM_MEMATTR_WEAK_UNCACHEABLE	((vm_memattr_t)0x07)
#define	VM_MEMATTR_DEFAULT		VM_MEMATTR_WRITE_BACK

#endif /* !_KERN_VM_TYPES_H_ */
