/*
 * Plugin drivers: the loader behind `create NAME driver=/path/x.so` (the
 * driver table's "plugin" entry, dev_plugin_driver in dev_driver.h) and
 * the list of functions the daemon exports to plugins
 * (<devpager/devpager.h>, devpager_plugin(9)).
 *
 * Module lifetime.  Each device made by a plugin holds its own dlopen()
 * handle.  When the device is destroyed the handle is retired, not
 * closed: VM objects made by the plugin's pager (still mapped by
 * processes) and open files of the device (whose cdevpriv destructors may
 * be the plugin's) can still call into its code.  A retired handle is
 * closed once no live VM object uses pager operations inside the module
 * and the device has no open file; retired handles are looked at on every
 * plugin create, check and destroy, and by dev_plugin_reap().
 *
 * Loading checks who could have written the file and loads it through
 * the descriptor that was checked (dev_plugin.c, devpager_plugin(9)).
 *
 * Locks used to protect data in dev_plugin.c:
 *	[l]	plugin_load_mtx (LOCK_RANK_PLUGIN_LOAD, below every other lock:
 *		held across dlopen and dlclose, never across a plugin call)
 *	[p]	plugin_mtx (a leaf: never held across a plugin call, dlopen,
 *		dlclose or a VM call)
 */
#ifndef _DEV_DEV_PLUGIN_H_
#define _DEV_DEV_PLUGIN_H_

/* Every function of the KPI, for the export table. */
#define	DEVPAGER_KPI_FUNCTIONS(X)					\
	X(make_dev_args_init)						\
	X(make_dev_s)							\
	X(make_dev)							\
	X(destroy_dev)							\
	X(dev_ref)							\
	X(dev_rel)							\
	X(dev_refthread)						\
	X(dev_relthread)						\
	X(devfs_set_cdevpriv)						\
	X(devfs_get_cdevpriv)						\
	X(devfs_clear_cdevpriv)						\
	X(cdev_pager_allocate)						\
	X(cdev_pager_lookup)						\
	X(cdev_pager_free_page)						\
	X(cdev_pager_page_replace)					\
	X(cdev_pager_fake_page)						\
	X(vm_object_reference)						\
	X(vm_object_deallocate)						\
	X(vm_object_set_memattr)					\
	X(vm_page_getfake)						\
	X(vm_page_putfake)						\
	X(vm_page_updatefake)						\
	X(vm_page_replace)						\
	X(vm_page_lookup)						\
	X(vm_page_sleep_if_busy)					\
	X(vm_phys_window_create)					\
	X(vm_phys_window_destroy)					\
	X(vm_phys_window_base)						\
	X(vm_phys_window_size)						\
	X(vm_phys_fictitious_reg_range)					\
	X(vm_phys_fictitious_unreg_range)				\
	X(PHYS_TO_VM_PAGE)						\
	X(kern_log)							\
	X(devpager_dev_name)						\
	X(devpager_dev_drv1)						\
	X(devpager_dev_drv2)						\
	X(devpager_dev_size)						\
	X(devpager_object_wlock)					\
	X(devpager_object_wunlock)					\
	X(devpager_object_assert_wlocked)				\
	X(devpager_object_handle)					\
	X(devpager_object_memattr)					\
	X(devpager_page_pindex)						\
	X(devpager_page_phys)						\
	X(devpager_page_fictitious)					\
	X(devpager_page_set_valid)					\
	X(devpager_page_free)						\
	X(devpager_window_host)						\
	/* end of the list */

struct devpager_kpi_sym {
	const char	*ks_name;
	void		(*ks_fn)(void);
};
/* The KPI's functions by name, NULL-terminated (dev_kpi.c). */
extern const struct devpager_kpi_sym devpager_kpi_table[];

/*
 * Close the retired plugin handles nothing can call into any more.
 * Returns the number still retired.  No lock may be held; the caller
 * must be a registered RCU thread.
 */
unsigned dev_plugin_reap(void);
/* Devices made by plugins that exist now (tests). */
unsigned dev_plugin_count(void);

#endif /* !_DEV_DEV_PLUGIN_H_ */
