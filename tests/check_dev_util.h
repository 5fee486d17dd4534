/*
 * Helpers shared by the device-layer test suites (kern_conf aside):
 * a VM with one device window, an old-style d_mmap test driver, new-style
 * cdev_pager_ops that count their calls, an OBJT_MGTDEVICE handler over a
 * registered fictitious range, placeholders, and stderr capture.
 */
#ifndef _TESTS_CHECK_DEV_UTIL_H_
#define _TESTS_CHECK_DEV_UTIL_H_

#include <stdbool.h>

#include "kern/conf.h"
#include "vm/vm.h"
#include "vm/vm_pager.h"

#define	DT_PHYSMEM	(8UL << 20)
#define	DT_WINSIZE	(4UL << 20)
#define	DT_FICT_PAGES	16

/*
 * The test VM: RAM, a window [dt_base, dt_base + DT_WINSIZE), and a
 * fictitious range [dt_fict, dt_fict + DT_FICT_PAGES pages) over the
 * window's second half.
 */
extern vm_paddr_t dt_base;
extern vm_paddr_t dt_fict;
void	dt_setup(void);		/* checked fixture */
void	dt_teardown(void);

/*
 * The old-style driver "odrv": d_mmap maps offset o to dt_base + o (or to
 * odrv.alias_pa for every offset when set), sets *memattr to
 * odrv.memattr when that is >= 0, fails with odrv.error for offsets
 * >= odrv.error_from.  It records calls, Giant and td_fpop.
 */
struct odrv_state {
	int		 memattr;	/* -1: leave *memattr alone */
	vm_ooffset_t	 error_from;	/* offsets that fail */
	int		 error;
	bool		 use_alias;
	vm_paddr_t	 alias_pa;
	int		 calls;		/* (a) */
	int		 giant_calls;	/* (a) calls with Giant owned */
	struct file	*fpop;		/* td_fpop at the last call */
	vm_memattr_t	 memattr_in;	/* *memattr on entry, last call */
	int		 nprot;		/* nprot of the last call */
	unsigned long	 free_at_call;	/* free RAM pages during it */
	int		 single_error;	/* d_mmap_single result */
	struct vm_object *single_obj;	/* returned (referenced) on 0 */
	vm_ooffset_t	 single_foff;	/* *offset rewritten to this */
	int		 single_calls;
};
extern struct odrv_state odrv;
extern struct cdevsw odrv_sw;		/* plain */
extern struct cdevsw odrv_giant_sw;	/* D_NEEDGIANT */
extern struct cdevsw odrv_mem_sw;	/* D_MEM */
extern struct cdevsw odrv_nosingle_sw;	/* no d_mmap_single */
extern struct cdevsw odrv_anon_sw;	/* D_MMAP_ANON */
struct cdev *dt_make_dev(struct cdevsw *sw, const char *name);

/*
 * New-style ops over the window: ctor/dtor counted (dtor arguments
 * recorded), ctor result and colour settable; fault maps offset o to
 * dt_base + o (getfake + replace, or updatefake for a fake placeholder).
 */
struct cnt_state {
	int		 ctor_calls;	/* (a) */
	int		 dtor_calls;	/* (a) */
	void		*dtor_args[8];
	int		 ctor_error;
	uint16_t	 color;
	int		 fault_calls;	/* (a) */
	int		 fault_result;	/* VM_PAGER_OK unless set */
	int		 fault_prot;	/* prot of the last fault */
	bool		 fake_placeholder; /* last *mres was fictitious */
	bool		 dtor_unlocked;	/* no lock held in every dtor */
	void		*ctor_handle;
};
extern struct cnt_state cnt;
extern const struct cdev_pager_ops cnt_ops;

/* OBJT_MGTDEVICE ops: fault returns PHYS_TO_VM_PAGE(dt_fict + offset). */
extern const struct cdev_pager_ops mgt_ops;
/* Broken ops for the "Wrong page type" assertions. */
extern const struct cdev_pager_ops mgt_unmanaged_ops;	/* fake page */
extern const struct cdev_pager_ops dev_managed_ops;	/* managed page */

/* A busy placeholder at pindex (RAM page, or a fake one if fake).  The
 * object must be locked (write). */
vm_page_t dt_placeholder(vm_object_t object, vm_pindex_t pindex, bool fake);
/* vm_pager_get_pages on one placeholder; on VM_PAGER_OK *mp is the
 * result, unbusied.  Takes and drops the object lock. */
int	dt_getpage(vm_object_t object, vm_pindex_t pindex, bool fake,
	    vm_page_t *mp);
/* Is m on the object's devp_pglist, and how many times. */
int	dt_on_pglist(vm_object_t object, vm_page_t m);

/* Capture stderr (kern_log) between start and stop. */
void	dt_capture_start(void);
const char *dt_capture_stop(void);
int	dt_count_substr(const char *hay, const char *needle);

void	dt_sleep_ms(int ms);

#endif /* !_TESTS_CHECK_DEV_UTIL_H_ */
