/*
 * Built-in and plugin drivers, and the devices made from them.
 *
 * A driver is a named factory: given the parameters of a `create`
 * statement (ctl or configuration file) it makes one cdev with make_dev_s()
 * and keeps whatever state it needs in si_drv1.  The filesystem never
 * calls a driver directly: it finds dev/<name> with dev_lookup_rcu() and
 * goes through the cdevsw and the VM like any FreeBSD consumer.
 *
 * Every device created here is tracked by name in the device table so it
 * can be destroyed, have its memattr changed or run driver-specific
 * commands (gem, fb).  The table is an RCU list; a live entry's cdev
 * carries the entry's driver (si_driver), which dev_driver_of() reads
 * without a lock or a walk (the filesystem calls it from dev_foreach
 * callbacks, once per line of vm/devices); writers hold the table lock, a leaf that is never held while a driver
 * method, make_dev or destroy_dev runs.  An entry is reserved (state
 * "creating") before dd_create runs and marked "dying" before dd_destroy
 * runs, so concurrent commands on one name see EEXIST or ENOENT instead
 * of waiting.  Commands on a live device (memattr, revoke, driver ctl,
 * sync) enter it with dev_refthread(), so destroy_dev waits for them and
 * a driver's state is never freed under a running command.
 *
 * Adding a driver: define `const struct dev_driver dev_NAME_driver` in
 * src/dev/dev_NAME.c -- with its create keys (dd_keys) and the check of
 * their values (dd_check, with the helpers of dev_args.h) -- add X(NAME)
 * to DEV_DRIVER_LIST below (one line) and the file to src/dev/local.mk.
 * Nothing in src/fuse or src/ctl changes: create passes every key=value
 * through, and `NAME DEV VERB ...` reaches dd_ctl.  The test program may
 * add drivers of its own without touching this file: it defines
 * `const struct dev_driver *const dev_test_drivers[]` (NULL-terminated;
 * a weak symbol the daemon leaves undefined), searched after the list.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant
 *	[t]	the device table lock (a leaf mutex, "dev table")
 */
#ifndef _DEV_DEV_DRIVER_H_
#define _DEV_DEV_DRIVER_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "dev/dev_args.h"
#include "vm/vm.h"

struct cdev;

#define	DEV_SIZE_DEFAULT	(16ULL << 20)	/* ram without size= */

/*
 * The node size of the mem device: the physical address space it maps,
 * [0, DEV_MEM_SIZE) = RAM, holes and the device-window area up to twice
 * VM_PHYS_WINDOW_BASE (32 TiB).  Constant: a node's size never changes.
 * Windows above it (after 16 TiB of windows were created) are not
 * reachable through mem.
 */
#define	DEV_MEM_SIZE		0x200000000000ULL

struct cdev_pager_ops;
struct dev_state;
struct mtx;

struct dev_driver {
	const char	*dd_name;	/* (c) "mem", "ram", "fb", "gem" */
	/*
	 * Which keys create accepts besides driver= and the node keys
	 * mode/uid/gid (NULL-terminated; an entry "*" accepts any key).
	 * dev_check_args refuses the others before dd_check runs.
	 */
	const char	*const *dd_keys;	/* (c) */
	/* Devices of this driver are eternal (never destroyed). */
	bool		 dd_eternal;	/* (c) */
	/*
	 * Optional: check the values of the driver's keys (dev_args.h
	 * helpers) as dd_create will read them, without creating anything
	 * and without the VM (the configuration file is checked before the
	 * VM exists): values, bounds, backing paths.  The one place a
	 * driver's rules are written; dd_create may trust what it passed.
	 * 0 or errno with a one-line message in err.
	 */
	int		(*dd_check)(const struct dev_create_args *args,
			    struct sbuf *err);
	/* Make the device; 0 or errno with a one-line message in err. */
	int		(*dd_create)(const struct dev_create_args *args,
			    const struct ucred *cred, struct cdev **devp,
			    struct sbuf *err);
	/* Tear it down (destroy_dev and the driver's state); 0 or EBUSY. */
	int		(*dd_destroy)(struct cdev *dev, struct sbuf *err);
	/*
	 * Optional: undo a create that succeeded -- dd_destroy, and also
	 * remove what creating the device made outside the daemon (a
	 * backing file it created).  A failed configuration file is rolled
	 * back with it; without it, dd_destroy.
	 */
	int		(*dd_undo_create)(struct cdev *dev, struct sbuf *err);
	/*
	 * Driver-specific ctl commands: `DRIVER NAME VERB args...` (e.g.
	 * `gem gem0 create size=1M`, `fb fb0 snapshot path=/x.png`).
	 * argv[0] is the verb.  Reply text or a one-line error into out.
	 * Runs inside the device (thread reference held).
	 */
	int		(*dd_ctl)(struct cdev *dev, int argc, char **argv,
			    const struct ucred *cred, struct sbuf *out);
	/*
	 * Optional: change the memattr new mappings get; 0 or errno.  Runs
	 * inside the device.
	 */
	int		(*dd_set_memattr)(struct cdev *dev, vm_memattr_t ma,
			    struct sbuf *err);
	/* (dev_memattr_store: for drivers whose faults read si_memattr.) */
	/*
	 * Optional: make file-backed memory durable (fsync) for
	 * [off, off + len), already checked to lie inside the device.
	 * Runs inside the device.
	 */
	int		(*dd_sync)(struct cdev *dev, vm_ooffset_t off,
			    vm_size_t len);
	/*
	 * Optional: bytes [off, off + len) of the device (inside it, not
	 * necessarily page-aligned) have just been stored by a WRITE -- a
	 * write(2) or the kernel's write-back of mapped pages (msync,
	 * munmap, fsync, an invalidation laundering them) -- and are in the
	 * device's memory, marked dirty (vm_map_write succeeded).  A driver
	 * whose memory is a cache of something else passes them on here
	 * (the pager driver: data_return).  0, or the errno the WRITE fails
	 * with: the bytes stay in the device's memory unless the driver
	 * drops them; after EACCES the filesystem also drops the kernel's
	 * cached pages of the range, so that no mapping keeps refused
	 * bytes.  Called through dev_written(): inside the device (thread
	 * reference held), with no lock held, on a FUSE worker -- it may
	 * block, bounded, but must not wait for another FUSE request.
	 */
	int		(*dd_written)(struct cdev *dev, vm_ooffset_t off,
			    vm_size_t len);
	/*
	 * Optional: `revoke NAME` is dropping [off, off + len) (page-aligned,
	 * inside the device) from every mapping; called first, before the
	 * resident pages are invalidated, so that a driver that caches
	 * contents forgets them and the next fault asks for them again.
	 * Runs inside the device, no lock held.
	 */
	void		(*dd_revoke)(struct cdev *dev, vm_ooffset_t off,
			    vm_size_t len);
	/*
	 * Optional: may the open file in curthread->td_fpop use obj, the
	 * object of the node's mapping entry a request resolved to, with
	 * prot?  The filesystem asks before it serves a READ or a write(2)
	 * through the entry (the pages a process faults through a mapping
	 * arrive as READs on the mapping's open file), not for the
	 * kernel's write-back of pages it already caches.  0, or the
	 * errno the request fails with.  For drivers whose objects belong
	 * to one open (gem).  Called without a thread reference on the
	 * device and with no lock held: it may only look at the file's
	 * cdevpriv and at obj, which the caller keeps referenced.
	 */
	int		(*dd_map_access)(struct cdev *dev, vm_object_t obj,
			    vm_prot_t prot);
	/*
	 * Optional: the driver's words for the STATE column of vm/devices,
	 * key=value words without white space added with dev_state_word.
	 * Called inside an RCU read-side section with no lock held: it must
	 * not block, and reads only what it can read atomically or under a
	 * short lock of its own.
	 */
	void		(*dd_state)(struct cdev *dev, struct dev_state *ds);
	/*
	 * The prefault policy (SI_PREFAULT_*) of a device created without
	 * prefault=: what serves this driver's users (0: none, every
	 * first touch a fault).  Sizes default to SI_PREFAULT_*_DEFAULT.
	 */
	unsigned	 dd_prefault;	/* (c) */
};

/* The built-in drivers: X(NAME) for each dev_NAME_driver. */
#define	DEV_DRIVER_LIST(X)						\
	X(mem)								\
	X(ram)								\
	X(fb)								\
	X(gem)								\
	X(plugin)							\
	X(pager)							\
	/* end of the list */

#define	DEV_DRIVER_DECLARE(n)	extern const struct dev_driver dev_##n##_driver;
DEV_DRIVER_LIST(DEV_DRIVER_DECLARE)
#undef DEV_DRIVER_DECLARE

/*
 * A dd_set_memattr for drivers whose d_mmap or fault handler reads the
 * device's si_memattr: store ma there (vm/devices shows it too).  New
 * faults get it; resident pages keep theirs until revoked.
 */
int	dev_memattr_store(struct cdev *dev, vm_memattr_t ma, struct sbuf *err);

/*
 * The STATE column of one vm/devices line as it is built: words go to
 * ds_sb, separated by commas; the column is "-" when no word was added.
 */
struct dev_state {
	struct sbuf	*ds_sb;
	size_t		 ds_start;	/* the column's first byte in ds_sb */
};

/* Add one key=value word (printf format, no white space) to the column. */
void	dev_state_word(struct dev_state *ds, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

/*
 * d_mmap_single of a driver whose whole device is one device-pager
 * object made on first use: EINVAL unless [*offset, *offset + size) lies
 * inside the device's devsize bytes; else the object in *slot (made with
 * ops under mtx the first time -- never charged, at least readable, the
 * device's memattr, path dev/NAME -- and published with a release
 * store), referenced for the caller in *objectp.  *offset is left alone:
 * node offset o is object offset o.  The driver keeps *slot's reference
 * until it is destroyed.
 */
int	dev_single_object(struct cdev *dev, const struct cdev_pager_ops *ops,
	    vm_size_t devsize, struct mtx *mtx, vm_object_t *slot,
	    vm_ooffset_t offset, vm_size_t size, int nprot,
	    vm_object_t *objectp);

/*
 * cdev_pg_ctor of such a driver over a window at physical base: the
 * object holds a reference on dev; the colour makes a 2 MiB-aligned
 * window address land on a 2 MiB-aligned object offset.
 */
int	dev_window_pg_ctor(struct cdev *dev, vm_paddr_t base,
	    vm_ooffset_t foff, uint16_t *color);

/* Look a built-in driver up by name (NULL if none). */
const struct dev_driver *dev_driver_find(const char *name);

/*
 * Check create arguments without creating anything (no VM, no registry):
 * the name, the driver (ENOENT "unknown driver 'x'"), the keys the driver
 * accepts (EINVAL: "unknown key 'k'" for a key no built-in driver takes,
 * "driver 'd' does not accept key 'k'" otherwise), the node keys' values
 * and the driver's dd_check.  0 or errno with a one-line message in err.
 */
int	dev_check_args(const struct dev_create_args *args, struct sbuf *err);

/*
 * Device management, used by vm/ctl and the configuration file.  Each
 * returns 0 or an errno (EINVAL, ENOENT, EEXIST, ENOMEM, EBUSY...) with a
 * one-line message in err, and changes nothing on failure.  The caller
 * must be a registered RCU thread and hold no lock.
 *	dev_create: dev_check_args, then EEXIST if the name is taken.
 *	    Without uid/gid the node belongs to cred.
 *	dev_destroy_by_name: ENOENT (no device of that name made here),
 *	    EBUSY (an eternal device, e.g. mem).  The VM side is
 *	    invalidated and the revoke hook called for the whole device.
 *	dev_set_memattr_by_name: ENOENT, EINVAL (the driver cannot change
 *	    it); applies to faults from then on (revoke NAME to refault
 *	    resident pages).
 *	dev_driver_ctl: ENOENT (unknown driver, or no device NAME), EINVAL
 *	    (NAME is not a device of that driver, or no commands).
 */
int	dev_create(const struct dev_create_args *args,
	    const struct ucred *cred, struct sbuf *err);
int	dev_destroy_by_name(const char *name, struct sbuf *err);
/* dev_destroy_by_name through the driver's dd_undo_create, if any. */
int	dev_undo_create_by_name(const char *name, struct sbuf *err);
int	dev_set_memattr_by_name(const char *name, vm_memattr_t ma,
	    struct sbuf *err);
/*
 * prefault NAME POLICY [prefault_max=] [prefault_window=]: set what pc
 * says was given (pc_set) on a live device; the next open or fault
 * follows it.  ENOENT for an unknown name.  Applying the create keys
 * (dev_create) goes through the same function.
 */
int	dev_set_prefault_by_name(const char *name,
	    const struct dev_prefault_conf *pc, struct sbuf *err);
void	dev_set_prefault(struct cdev *dev, const struct dev_prefault_conf *pc);
int	dev_driver_ctl(const char *driver, const char *name, int argc,
	    char **argv, const struct ucred *cred, struct sbuf *out);
/*
 * The driver that made dev (NULL for devices made elsewhere or already
 * destroyed).  Lock-free and constant-time: callable inside
 * rcu_read_lock() (dev_foreach callbacks) or anywhere else.
 */
const struct dev_driver *dev_driver_of(const struct cdev *dev);
/*
 * fsync on dev/<name>: make [off, off + len) durable (len 0: to the
 * end).  0 for drivers without dd_sync (nothing to flush); ENXIO once the
 * device is being destroyed; EINVAL for a range outside the device.
 */
int	dev_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
/*
 * A WRITE stored [off, off + len) into dev (see dd_written): 0 for
 * drivers without dd_written, ENXIO once the device is being destroyed,
 * else the driver's answer.  len 0 does nothing.
 */
int	dev_written(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
/* Destroy every device made here except eternal ones, newest first
 * (shutdown, tests). */
void	dev_destroy_all(void);

/*
 * The filesystem registers what must happen when a device's mappings
 * are revoked or the device goes away: invalidate the kernel's cache of
 * dev/<name> for [off, off + len) (len 0: all of it).  Called with no
 * lock held and a reference on dev; it must not block on a FUSE request.
 */
typedef void dev_revoke_hook_t(struct cdev *dev, vm_ooffset_t off,
    vm_size_t len);
void	dev_set_revoke_hook(dev_revoke_hook_t *hook);
/*
 * A driver retires [off, off + len) of dev's node (len 0: all of it):
 * what was there is gone for good (gem: the fake offsets of a buffer
 * whose last handle was closed).  The filesystem drops its mapping
 * entries in the range, with the object references they hold (a request
 * resolving an entry there meanwhile does not keep the old one), and
 * queues an invalidation of the kernel's cache of the range; done(arg)
 * runs once that invalidation has been sent, i.e. once no page of the
 * range can be in the kernel's cache any more, so the driver may give
 * the range to something else.  Without a filesystem (no hook
 * registered) done runs at once.  Called with no lock held and a
 * reference on dev; done runs with no lock held, on the caller's thread
 * or another.
 */
typedef void dev_retire_done_t(void *arg);
typedef void dev_retire_hook_t(struct cdev *dev, vm_ooffset_t off,
    vm_size_t len, dev_retire_done_t *done, void *arg);
void	dev_set_retire_hook(dev_retire_hook_t *hook);
void	dev_retire_range(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
	    dev_retire_done_t *done, void *arg);

/*
 * revoke NAME [offset=] [length=]: 0 or errno with a message.  off and
 * len must be page-aligned and inside the device (len 0: to the end);
 * EINVAL otherwise, ENOENT for an unknown name.  First the VM side: the
 * resident fake pages of the device's OBJT_DEVICE object in the range
 * become invalid (vm_object_page_remove(OBJPR_NOTMAPPED), as FreeBSD's
 * msync(MS_INVALIDATE)), so the next fault goes through d_mmap again --
 * after the driver's dd_revoke, if it has one; then the revoke hook, so
 * the kernel drops its cached pages.
 */
int	dev_revoke_by_name(const char *name, vm_ooffset_t off, vm_size_t len,
	    struct sbuf *err);

#endif /* !_DEV_DEV_DRIVER_H_ */
