/*
 * The driver table and the device table (see dev_driver.h).
 *
 * Every device made through dev_create() has an entry on dev_table, an
 * RCU list in creation order.  Entries move through three states:
 *
 *	CREATING  reserved by dev_create before dd_create runs: the name is
 *		  taken, the entry has no cdev yet;
 *	LIVE	  the cdev exists; commands may use it;
 *	DYING	  dev_destroy_by_name is running dd_destroy; the name is
 *		  still taken (a create of it fails with EEXIST), commands
 *		  see ENOENT.
 *
 * State changes happen under dev_table_mtx, which is a leaf: it is never
 * held across a driver method, make_dev, destroy_dev or any VM call.  A
 * command on a live device takes a cdev reference under the lock, drops
 * the lock and enters the driver with dev_refthread(); destroy_dev waits
 * for it.  Entries are unlinked with the RCU list primitives and freed
 * after a grace period.  A live entry's cdev points back at its driver
 * (si_driver), so dev_driver_of() is one load and needs no lock.
 *
 * Locks used to protect data in this file:
 *	[t]	dev_table_mtx
 *	(a)	atomic
 *	(r)	RCU list, written under [t]
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_pager.h"

enum dev_entry_state {
	DEV_ENTRY_CREATING,
	DEV_ENTRY_LIVE,
	DEV_ENTRY_DYING,
};

struct dev_entry {
	struct cds_list_head	 de_link;	/* (r) dev_table */
	char			 de_name[64];	/* (c) */
	const struct dev_driver	*de_drv;	/* (c) */
	struct cdev		*de_dev;	/* [t] (r) NULL: creating */
	enum dev_entry_state	 de_state;	/* [t] */
	struct rcu_head		 de_rcu;
};

#define	DEV_DRIVER_ENTRY(n)	&dev_##n##_driver,
static const struct dev_driver *const dev_drivers[] = {
	DEV_DRIVER_LIST(DEV_DRIVER_ENTRY)
	NULL
};
#undef DEV_DRIVER_ENTRY

/*
 * The test program's own drivers (dev_driver.h): a weak symbol that only
 * the test program defines; in the daemon it stays NULL.
 */
extern const struct dev_driver *const dev_test_drivers[]
    __attribute__((__weak__));

/* The n-th driver of the table, then of dev_test_drivers; NULL past. */
static const struct dev_driver *
dev_driver_nth(unsigned n)
{
	unsigned i;

	for (i = 0; dev_drivers[i] != NULL; i++)
		if (i == n)
			return (dev_drivers[i]);
	if (dev_test_drivers == NULL)
		return (NULL);
	return (dev_test_drivers[n - i]);
}

static struct mtx dev_table_mtx =
    MTX_INITIALIZER("dev table", LOCK_RANK_LEAF, 0);
static struct cds_list_head dev_table =			/* [t] (r) */
    CDS_LIST_HEAD_INIT(dev_table);
static dev_revoke_hook_t *dev_revoke_hook;		/* (a) */
static dev_retire_hook_t *dev_retire_hook;		/* (a) */

static struct dev_entry *dev_table_find(const char *name);
static void	dev_entry_free_cb(struct rcu_head *head);
static void	dev_entry_unlink(struct dev_entry *de);
static int	dev_destroy_named(const char *name, bool undo,
		    struct sbuf *err);
static struct cdev *dev_enter_by_name(const char *name,
		    const struct dev_driver **drvp, int *refp,
		    struct sbuf *err);
static void	dev_exit(struct cdev *dev, int ref);
static void	dev_invalidate_vm(struct cdev *dev, vm_ooffset_t off,
		    vm_size_t len);
static void	dev_call_revoke_hook(struct cdev *dev, vm_ooffset_t off,
		    vm_size_t len);
static int	dev_check_keys(const struct dev_driver *drv,
		    const struct dev_create_args *args, struct sbuf *err);
static bool	dev_driver_accepts(const struct dev_driver *drv,
		    const char *key);
static int	dev_range_check(struct cdev *dev, vm_ooffset_t off,
		    vm_size_t len, vm_size_t *lenp, struct sbuf *err);

const struct dev_driver *
dev_driver_find(const char *name)
{
	const struct dev_driver *drv;
	unsigned i;

	if (name == NULL)
		return (NULL);
	/* A path names a plugin (dev_plugin.c). */
	if (name[0] == '/')
		return (&dev_plugin_driver);
	for (i = 0; (drv = dev_driver_nth(i)) != NULL; i++)
		if (strcmp(drv->dd_name, name) == 0)
			return (drv);
	return (NULL);
}

static bool
dev_driver_accepts(const struct dev_driver *drv, const char *key)
{
	const char *const *k;

	if (drv->dd_keys == NULL)
		return (false);
	for (k = drv->dd_keys; *k != NULL; k++)
		if (strcmp(*k, key) == 0 || strcmp(*k, "*") == 0)
			return (true);
	return (false);
}

/* Does any built-in driver take key? */
static bool
dev_key_known(const char *key)
{
	const struct dev_driver *drv;
	unsigned i;

	for (i = 0; (drv = dev_driver_nth(i)) != NULL; i++)
		if (drv->dd_keys != NULL && drv->dd_keys[0] != NULL &&
		    strcmp(drv->dd_keys[0], "*") != 0 &&
		    dev_driver_accepts(drv, key))
			return (true);
	return (false);
}

/* Refuse every key given that the driver does not take. */
static int
dev_check_keys(const struct dev_driver *drv,
    const struct dev_create_args *args, struct sbuf *err)
{
	const char *key;
	unsigned i;

	for (i = 0; i < args->nparams; i++) {
		key = args->keys[i];
		if (dev_args_node_key(key) || dev_driver_accepts(drv, key))
			continue;
		if (dev_key_known(key))
			sbuf_printf(err, "driver '%s' does not accept key '%s'",
			    drv->dd_name, key);
		else {
			sbuf_cat(err, "unknown key '");
			dev_arg_quote(err, key, 32);
			sbuf_cat(err, "'");
		}
		return (EINVAL);
	}
	return (0);
}

int
dev_check_args(const struct dev_create_args *args, struct sbuf *err)
{
	const struct dev_driver *drv;
	int error;

	if (!dev_name_valid(args->name)) {
		sbuf_printf(err, "invalid device name '%.*s'", SPECNAMELEN,
		    args->name);
		return (EINVAL);
	}
	drv = dev_driver_find(args->driver);
	if (drv == NULL) {
		sbuf_printf(err, "unknown driver '%.64s'", args->driver);
		return (ENOENT);
	}
	error = dev_check_keys(drv, args, err);
	if (error == 0)
		error = dev_args_node(args, err);
	if (error == 0 && drv->dd_check != NULL)
		error = drv->dd_check(args, err);
	return (error);
}

/* The entry named name, in any state.  [t] held. */
static struct dev_entry *
dev_table_find(const char *name)
{
	struct dev_entry *de;

	mtx_assert(&dev_table_mtx, MA_OWNED);
	cds_list_for_each_entry(de, &dev_table, de_link)
		if (strcmp(de->de_name, name) == 0)
			return (de);
	return (NULL);
}

static void
dev_entry_free_cb(struct rcu_head *head)
{

	free(caa_container_of(head, struct dev_entry, de_rcu));
}

/* Take de off the table; freed after a grace period.  [t] held. */
static void
dev_entry_unlink(struct dev_entry *de)
{

	mtx_assert(&dev_table_mtx, MA_OWNED);
	if (de->de_dev != NULL)
		__atomic_store_n(&de->de_dev->si_driver, NULL,
		    __ATOMIC_RELEASE);
	cds_list_del_rcu(&de->de_link);
	call_rcu(&de->de_rcu, dev_entry_free_cb);
}

int
dev_create(const struct dev_create_args *args, const struct ucred *cred,
    struct sbuf *err)
{
	const struct dev_driver *drv;
	struct dev_entry *de;
	struct cdev *dev, *other;
	int error;

	error = dev_check_args(args, err);
	if (error != 0)
		return (error);
	drv = dev_driver_find(args->driver);
	rcu_thread_online();

	de = calloc(1, sizeof(*de));
	if (de == NULL) {
		sbuf_printf(err, "out of memory");
		return (ENOMEM);
	}
	strlcpy(de->de_name, args->name, sizeof(de->de_name));
	de->de_drv = drv;
	de->de_state = DEV_ENTRY_CREATING;

	/* Reserve the name. */
	mtx_lock(&dev_table_mtx);
	if (dev_table_find(args->name) != NULL) {
		mtx_unlock(&dev_table_mtx);
		free(de);
		sbuf_printf(err, "device '%s' already exists", args->name);
		return (EEXIST);
	}
	cds_list_add_tail_rcu(&de->de_link, &dev_table);
	mtx_unlock(&dev_table_mtx);

	/* A node made elsewhere (not through this table) has the name. */
	other = dev_lookup_ref(args->name);
	if (other != NULL) {
		dev_rel(other);
		error = EEXIST;
		sbuf_printf(err, "device '%s' already exists", args->name);
	} else {
		dev = NULL;
		error = drv->dd_create(args, cred, &dev, err);
		KASSERT(error != 0 || dev != NULL,
		    ("dev_create: driver %s made no device", drv->dd_name));
		if (error == EEXIST && sbuf_len(err) == 0)
			sbuf_printf(err, "device '%s' already exists",
			    args->name);
		else if (error != 0 && sbuf_len(err) == 0)
			sbuf_printf(err, "cannot create '%s': %s", args->name,
			    strerror(error));
	}

	if (error == 0) {
		struct dev_prefault_conf pc;

		/* The keys (checked above), else the driver's default. */
		(void)dev_args_prefault(args, &pc, NULL);
		if ((pc.pc_set & DEV_PREFAULT_SET_POLICY) == 0) {
			pc.pc_set |= DEV_PREFAULT_SET_POLICY;
			pc.pc_policy = drv->dd_prefault;
		}
		dev_set_prefault(dev, &pc);
	}
	mtx_lock(&dev_table_mtx);
	if (error != 0)
		dev_entry_unlink(de);
	else {
		rcu_assign_pointer(de->de_dev, dev);
		__atomic_store_n(&dev->si_driver, drv, __ATOMIC_RELEASE);
		de->de_state = DEV_ENTRY_LIVE;
	}
	mtx_unlock(&dev_table_mtx);
	return (error);
}

/*
 * Find the live device name and enter it: a reference and a thread
 * reference (dev_refthread), so that it cannot be destroyed until
 * dev_exit().  NULL with ENOENT's message in err if there is none.
 */
static struct cdev *
dev_enter_by_name(const char *name, const struct dev_driver **drvp,
    int *refp, struct sbuf *err)
{
	struct dev_entry *de;
	struct cdev *dev;

	rcu_thread_online();
	dev = NULL;
	mtx_lock(&dev_table_mtx);
	de = dev_table_find(name);
	if (de != NULL && de->de_state == DEV_ENTRY_LIVE) {
		dev = de->de_dev;
		*drvp = de->de_drv;
		dev_ref(dev);
	}
	mtx_unlock(&dev_table_mtx);
	if (dev == NULL) {
		sbuf_printf(err, "no device '%.64s'", name);
		return (NULL);
	}
	if (dev_refthread(dev, refp) == NULL) {
		/* Destroyed by someone else between the lookup and here. */
		dev_rel(dev);
		sbuf_printf(err, "no device '%.64s'", name);
		return (NULL);
	}
	return (dev);
}

static void
dev_exit(struct cdev *dev, int ref)
{

	dev_relthread(dev, ref);
	dev_rel(dev);
}

/*
 * Invalidate the resident pages of the device's own (old-style,
 * OBJT_DEVICE) object in [off, off + len), len 0 meaning to the end.
 * The fake pages stay resident with valid = 0, so the next fault calls
 * d_mmap again (FreeBSD's msync(MS_INVALIDATE) on a device mapping).
 * Managed objects (OBJT_MGTDEVICE, made by d_mmap_single drivers) are
 * their driver's business: it revokes them with pmap_remove_all.  No
 * lock may be held.
 */
static void
dev_invalidate_vm(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	vm_object_t obj;

	obj = cdev_pager_lookup(dev);
	if (obj == NULL)
		return;
	VM_OBJECT_WLOCK(obj);
	if (obj->type == OBJT_DEVICE && (obj->flags & OBJ_UNMANAGED) != 0)
		vm_object_page_remove(obj, OFF_TO_IDX(off),
		    len == 0 ? 0 : OFF_TO_IDX(off + len), OBJPR_NOTMAPPED);
	VM_OBJECT_WUNLOCK(obj);
	vm_object_deallocate(obj);
}

static void
dev_call_revoke_hook(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	dev_revoke_hook_t *hook;

	hook = __atomic_load_n(&dev_revoke_hook, __ATOMIC_ACQUIRE);
	if (hook != NULL)
		hook(dev, off, len);
}

void
dev_set_revoke_hook(dev_revoke_hook_t *hook)
{

	__atomic_store_n(&dev_revoke_hook, hook, __ATOMIC_RELEASE);
}

void
dev_set_retire_hook(dev_retire_hook_t *hook)
{

	__atomic_store_n(&dev_retire_hook, hook, __ATOMIC_RELEASE);
}

void
dev_retire_range(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
    dev_retire_done_t *done, void *arg)
{
	dev_retire_hook_t *hook;

	hook = __atomic_load_n(&dev_retire_hook, __ATOMIC_ACQUIRE);
	if (hook != NULL)
		hook(dev, off, len, done, arg);
	else if (done != NULL)
		done(arg);
}

int
dev_destroy_by_name(const char *name, struct sbuf *err)
{

	return (dev_destroy_named(name, false, err));
}

int
dev_undo_create_by_name(const char *name, struct sbuf *err)
{

	return (dev_destroy_named(name, true, err));
}

static int
dev_destroy_named(const char *name, bool undo, struct sbuf *err)
{
	struct dev_entry *de;
	struct cdev *dev;
	int error;

	rcu_thread_online();
	mtx_lock(&dev_table_mtx);
	de = dev_table_find(name);
	if (de == NULL || de->de_state != DEV_ENTRY_LIVE) {
		mtx_unlock(&dev_table_mtx);
		sbuf_printf(err, "no device '%.64s'", name);
		return (ENOENT);
	}
	dev = de->de_dev;
	if (de->de_drv->dd_eternal ||
	    (__atomic_load_n(&dev->si_flags, __ATOMIC_RELAXED) &
	    SI_ETERNAL) != 0) {
		mtx_unlock(&dev_table_mtx);
		sbuf_printf(err, "device '%s' is eternal and cannot be "
		    "destroyed", name);
		return (EBUSY);
	}
	de->de_state = DEV_ENTRY_DYING;
	/* Keep the struct for the VM invalidation and the hook. */
	dev_ref(dev);
	mtx_unlock(&dev_table_mtx);

	if (undo && de->de_drv->dd_undo_create != NULL)
		error = de->de_drv->dd_undo_create(dev, err);
	else
		error = de->de_drv->dd_destroy(dev, err);

	mtx_lock(&dev_table_mtx);
	if (error != 0)
		de->de_state = DEV_ENTRY_LIVE;
	else
		dev_entry_unlink(de);
	mtx_unlock(&dev_table_mtx);

	if (error == 0) {
		/*
		 * d_mmap can no longer be entered: invalid fake pages make
		 * every later fault fail instead of reaching a window that
		 * is gone; then the kernel drops what it cached.
		 */
		dev_invalidate_vm(dev, 0, 0);
		dev_call_revoke_hook(dev, 0, 0);
	} else if (sbuf_len(err) == 0)
		sbuf_printf(err, "cannot destroy '%s': %s", name,
		    strerror(error));
	dev_rel(dev);
	return (error);
}

int
dev_single_object(struct cdev *dev, const struct cdev_pager_ops *ops,
    vm_size_t devsize, struct mtx *mtx, vm_object_t *slot,
    vm_ooffset_t offset, vm_size_t size, int nprot, vm_object_t *objectp)
{
	char path[SPECNAMELEN + sizeof("dev/")];
	vm_object_t obj;

	if (offset >= devsize || size > devsize - offset)
		return (EINVAL);
	mtx_lock(mtx);
	if (*slot == NULL) {
		/* Device objects are never charged: no cred. */
		obj = cdev_pager_allocate(dev, OBJT_DEVICE, ops, devsize,
		    (vm_prot_t)(nprot | VM_PROT_READ), 0, NULL);
		if (obj == NULL) {
			mtx_unlock(mtx);
			return (EINVAL);
		}
		snprintf(path, sizeof(path), "dev/%s", devtoname(dev));
		VM_OBJECT_WLOCK(obj);
		/* Empty, so this cannot fail: the default CM column. */
		(void)vm_object_set_memattr(obj,
		    __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED));
		vm_object_set_path(obj, path);
		VM_OBJECT_WUNLOCK(obj);
		__atomic_store_n(slot, obj, __ATOMIC_RELEASE);
	}
	vm_object_reference(*slot);
	*objectp = *slot;
	mtx_unlock(mtx);
	return (0);
}

int
dev_window_pg_ctor(struct cdev *dev, vm_paddr_t base, vm_ooffset_t foff,
    uint16_t *color)
{

	dev_ref(dev);
	*color = (uint16_t)(atop(base) - OFF_TO_IDX(foff));
	return (0);
}

void
dev_state_word(struct dev_state *ds, const char *fmt, ...)
{
	va_list ap;

	if (sbuf_len(ds->ds_sb) > ds->ds_start)
		sbuf_cat(ds->ds_sb, ",");
	va_start(ap, fmt);
	sbuf_vprintf(ds->ds_sb, fmt, ap);
	va_end(ap);
}

int
dev_memattr_store(struct cdev *dev, vm_memattr_t ma, struct sbuf *err)
{

	(void)err;
	__atomic_store_n(&dev->si_memattr, ma, __ATOMIC_RELAXED);
	return (0);
}

int
dev_set_memattr_by_name(const char *name, vm_memattr_t ma, struct sbuf *err)
{
	const struct dev_driver *drv;
	struct cdev *dev;
	int error, ref;

	if (vm_memattr_name(ma)[0] == '?') {
		sbuf_printf(err, "invalid memattr %d", (int)ma);
		return (EINVAL);
	}
	dev = dev_enter_by_name(name, &drv, &ref, err);
	if (dev == NULL)
		return (ENOENT);
	if (drv->dd_set_memattr == NULL) {
		sbuf_printf(err, "device '%s' (driver %s) cannot change its "
		    "memattr", name, drv->dd_name);
		error = EINVAL;
	} else
		error = drv->dd_set_memattr(dev, ma, err);
	dev_exit(dev, ref);
	return (error);
}

void
dev_set_prefault(struct cdev *dev, const struct dev_prefault_conf *pc)
{

	if ((pc->pc_set & DEV_PREFAULT_SET_MAX) != 0)
		__atomic_store_n(&dev->si_prefault_max, pc->pc_max,
		    __ATOMIC_RELAXED);
	if ((pc->pc_set & DEV_PREFAULT_SET_WINDOW) != 0)
		__atomic_store_n(&dev->si_prefault_window, pc->pc_window,
		    __ATOMIC_RELAXED);
	if ((pc->pc_set & DEV_PREFAULT_SET_POLICY) != 0)
		__atomic_store_n(&dev->si_prefault, pc->pc_policy,
		    __ATOMIC_RELAXED);
}

int
dev_set_prefault_by_name(const char *name,
    const struct dev_prefault_conf *pc, struct sbuf *err)
{
	const struct dev_driver *drv;
	struct cdev *dev;
	int ref;

	if ((pc->pc_set & DEV_PREFAULT_SET_POLICY) != 0 &&
	    dev_prefault_name(pc->pc_policy)[0] == '?') {
		sbuf_printf(err, "invalid prefault policy %u", pc->pc_policy);
		return (EINVAL);
	}
	dev = dev_enter_by_name(name, &drv, &ref, err);
	if (dev == NULL)
		return (ENOENT);
	dev_set_prefault(dev, pc);
	dev_exit(dev, ref);
	return (0);
}

int
dev_driver_ctl(const char *driver, const char *name, int argc, char **argv,
    const struct ucred *cred, struct sbuf *out)
{
	const struct dev_driver *drv, *ddrv;
	struct cdev *dev;
	int error, ref;

	drv = dev_driver_find(driver);
	if (drv == NULL) {
		sbuf_printf(out, "unknown driver '%.64s'", driver);
		return (ENOENT);
	}
	if (drv->dd_ctl == NULL) {
		sbuf_printf(out, "driver '%s' has no commands", drv->dd_name);
		return (EINVAL);
	}
	if (argc < 1) {
		sbuf_printf(out, "usage: %s NAME VERB [key=value ...]",
		    drv->dd_name);
		return (EINVAL);
	}
	dev = dev_enter_by_name(name, &ddrv, &ref, out);
	if (dev == NULL)
		return (ENOENT);
	if (ddrv != drv) {
		sbuf_printf(out, "device '%s' is not a %s device (driver %s)",
		    name, drv->dd_name, ddrv->dd_name);
		error = EINVAL;
	} else
		error = drv->dd_ctl(dev, argc, argv, cred, out);
	dev_exit(dev, ref);
	return (error);
}

/*
 * The cdev carries its entry's driver from the moment the entry is live
 * until it leaves the table (both under dev_table_mtx), so this is one
 * load, not a walk of the table: vm/devices calls it for every line.
 */
const struct dev_driver *
dev_driver_of(const struct cdev *dev)
{

	return (__atomic_load_n(&dev->si_driver, __ATOMIC_ACQUIRE));
}

/*
 * Is [off, off + len) page-aligned and inside dev (len 0: to the end)?
 * *lenp gets the length the range really has.
 */
static int
dev_range_check(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
    vm_size_t *lenp, struct sbuf *err)
{
	vm_ooffset_t size;
	char sz[32];

	size = __atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	if ((off & PAGE_MASK) != 0 || (len & PAGE_MASK) != 0) {
		if (err != NULL)
			sbuf_printf(err, "offset and length must be multiples "
			    "of %lu", PAGE_SIZE);
		return (EINVAL);
	}
	if (off >= size || len > size - off) {
		if (err != NULL) {
			size_format(size, sz, sizeof(sz));
			sbuf_printf(err, "range beyond the end of '%s' (%s)",
			    devtoname(dev), sz);
		}
		return (EINVAL);
	}
	*lenp = len == 0 ? size - off : len;
	return (0);
}

int
dev_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	const struct dev_driver *drv;
	vm_size_t rlen;
	int error, ref;

	rcu_thread_online();
	if (dev_refthread(dev, &ref) == NULL)
		return (ENXIO);
	drv = dev_driver_of(dev);
	if (drv == NULL || drv->dd_sync == NULL)
		error = 0;
	else {
		/* The filesystem passes the whole node: trim, not refuse,
		 * a range running past the end. */
		off = trunc_page(off);
		len = round_page(len);
		error = dev_range_check(dev, off, len, &rlen, NULL);
		if (error == 0)
			error = drv->dd_sync(dev, off, rlen);
	}
	dev_relthread(dev, ref);
	return (error);
}

int
dev_written(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	const struct dev_driver *drv;
	int error, ref;

	if (len == 0)
		return (0);
	rcu_thread_online();
	if (dev_refthread(dev, &ref) == NULL)
		return (ENXIO);
	drv = dev_driver_of(dev);
	error = drv == NULL || drv->dd_written == NULL ? 0 :
	    drv->dd_written(dev, off, len);
	dev_relthread(dev, ref);
	return (error);
}

int
dev_revoke_by_name(const char *name, vm_ooffset_t off, vm_size_t len,
    struct sbuf *err)
{
	const struct dev_driver *drv;
	struct cdev *dev;
	vm_size_t rlen;
	int error, ref;

	dev = dev_enter_by_name(name, &drv, &ref, err);
	if (dev == NULL)
		return (ENOENT);
	error = dev_range_check(dev, off, len, &rlen, err);
	if (error == 0) {
		if (drv->dd_revoke != NULL)
			drv->dd_revoke(dev, off, rlen);
		dev_invalidate_vm(dev, off, rlen);
		dev_call_revoke_hook(dev, off, rlen);
	}
	dev_exit(dev, ref);
	return (error);
}

void
dev_destroy_all(void)
{
	struct dev_entry *de;
	struct sbuf err;
	char (*names)[64];
	unsigned i, n, max;

	rcu_thread_online();
	/* Snapshot the names, newest first (calloc under a leaf lock is
	 * fine: malloc takes no lock of the tree). */
	mtx_lock(&dev_table_mtx);
	max = 0;
	cds_list_for_each_entry(de, &dev_table, de_link)
		max++;
	names = calloc(max + 1, sizeof(*names));
	n = 0;
	if (names != NULL) {
		cds_list_for_each_entry_reverse(de, &dev_table, de_link) {
			if (de->de_state == DEV_ENTRY_LIVE &&
			    !de->de_drv->dd_eternal &&
			    (de->de_dev->si_flags & SI_ETERNAL) == 0)
				strlcpy(names[n++], de->de_name,
				    sizeof(names[0]));
		}
	}
	mtx_unlock(&dev_table_mtx);
	sbuf_init(&err);
	for (i = 0; i < n; i++) {
		/* A driver may refuse (EBUSY): go on with the rest. */
		sbuf_clear(&err);
		(void)dev_destroy_by_name(names[i], &err);
	}
	sbuf_delete(&err);
	free(names);
}
