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
extern struct file *gt_fp;		/* an open of g, O_RDWR */
extern uint64_t gt_last_name;		/* the name gt_create's reply gave */

/* Checked fixture: VM, device g, the recording unmap callback. */
void	gt_setup(void);
void	gt_teardown(void);

/* gem g create size=SIZE placement=P through ctl; asserts success and
 * the reply format (offset page-aligned, in the node); *offp and *sizep
 * may be NULL; the name goes to gt_last_name. */
uint32_t gt_create(const char *placement, uint64_t size, uint64_t *offp,
	    uint64_t *sizep);
/* An ioctl on gt_fp, or on fp; 0 or errno. */
int	gt_ioctl(unsigned long cmd, void *arg);
int	gt_ioctl_fp(struct file *fp, unsigned long cmd, void *arg);
/* A new open of g with flags as cred (NULL: drv_cred); asserts success. */
struct file *gt_open(int flags, const struct ucred *cred);
/* Create a BO with the ioctl on fp; asserts success; returns the handle
 * and *offp. */
uint32_t gt_ioctl_create(struct file *fp, const char *placement,
	    uint64_t size, uint64_t *offp);

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
/* Placement by ctl handle (GEM_* value); -1 if none. */
int	gt_placement(uint32_t handle);
/* Placement by a handle of fp, via the INFO ioctl; -1 if none. */
int	gt_placement_fp(struct file *fp, uint32_t handle);
/* The filesystem's per-request check: may fp use obj?  0 or errno. */
int	gt_access(struct file *fp, vm_object_t obj);
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
