/*
 * Helpers of the gem suites (check_dev_gem.c, check_dev_gem_move.c): a VM
 * with a gem device "g" of GT_VRAM bytes of vram, BOs made through ctl,
 * mapping and faulting them as the filesystem does, content patterns,
 * and a recording double for the pmap unmap callback.
 */
#ifndef _TESTS_CHECK_GEM_UTIL_H_
#define _TESTS_CHECK_GEM_UTIL_H_

#include <stdbool.h>
#include <stdint.h>

#include "kern/ucred.h"
#include "vm/vm.h"

struct cdev;
struct file;
struct gem_softc;
struct gem_bo;

#define	GT_VRAM		(256UL << 10)	/* 64 pages */
#define	GT_KEY		77		/* mapping key of gt_fault */

extern struct cdev *gt_dev;		/* "g", referenced */
extern struct gem_softc *gt_sc;

/* Checked fixture: VM, device g, the recording unmap callback. */
void	gt_setup(void);
void	gt_teardown(void);

/* gem g create size=SIZE placement=P through ctl; asserts success and
 * the reply format; *offp and *sizep may be NULL. */
uint32_t gt_create(const char *placement, uint64_t size, uint64_t *offp,
	    uint64_t *sizep);
/* The same via the ioctl on a file opened read-write; 0 or errno. */
int	gt_ioctl(unsigned long cmd, void *arg);

/* What the filesystem does for node offset off: vm_mmap_cdev of one
 * page.  Asserts success; *objoffp = offset inside the object. */
vm_object_t gt_map(uint64_t off, vm_ooffset_t *objoffp);
/* vm_fault pindex of obj, recording (GT_KEY, mapoff); asserts success.
 * The page comes back held: gt_unhold it. */
vm_page_t gt_fault(vm_object_t obj, vm_pindex_t pidx, vm_prot_t prot,
	    vm_ooffset_t mapoff);
void	gt_unhold(vm_page_t m);
/* Write / check a pattern over npages pages through faults. */
void	gt_fill(vm_object_t obj, vm_pindex_t npages, unsigned seed);
bool	gt_check(vm_object_t obj, vm_pindex_t npages, unsigned seed);
bool	gt_is_zero(vm_object_t obj, vm_pindex_t npages);
/* Is pa in g's vram window? in RAM? */
bool	gt_in_vram(vm_paddr_t pa);
bool	gt_in_ram(vm_paddr_t pa);
/* The BO of a live object (its handle). */
struct gem_bo *gt_bo(vm_object_t obj);
/* Placement by handle (GEM_* value), via the INFO ioctl; -1 if none. */
int	gt_placement(uint32_t handle);
/* Bytes reserved for uid (0 if never seen). */
uint64_t gt_reserved(uid_t uid);

/* The recording unmap callback. */
struct gt_unmap {
	uint64_t	key;
	vm_ooffset_t	off;
	vm_size_t	len;
};
void	gt_rec_reset(void);
unsigned gt_rec_count(void);
bool	gt_rec_has(uint64_t key, vm_ooffset_t off);

#endif /* !_TESTS_CHECK_GEM_UTIL_H_ */
