/*
 * Character devices, after FreeBSD's <sys/conf.h>: struct cdev, the
 * driver method table struct cdevsw, and the cdev registry (make_dev,
 * destroy_dev, dev_ref/dev_rel, dev_refthread/dev_relthread).
 *
 * Life cycle.  make_dev() validates the name, prepares the driver's
 * cdevsw (once per cdevsw: version check, Giant shims, default methods)
 * and publishes the cdev in the name table, where the filesystem finds
 * it on every request with dev_lookup_rcu()/dev_lookup_ref().  The
 * registry holds one reference (si_refcount) from make_dev until
 * destroy_dev, which unpublishes the name, sets si_devsw to NULL (so every
 * later dev_refthread fails), calls d_purge while threads are inside the
 * driver, sleeps until si_threadcount drains to 0 and drops the registry
 * reference.  The struct is freed (after an RCU grace period) when the
 * last reference goes.  Eternal devices (MAKEDEV_ETERNAL, SI_ETERNAL) are
 * never destroyed: dev_refthread on them takes neither devmtx nor a
 * thread count.
 *
 * Thread references.  Every call into a driver method goes through
 * dev_refthread()/dev_relthread() (the devfs_* wrappers of kern/devfs.h,
 * the device pager, vm_mmap_cdev do this), so that destroy_dev can wait
 * for the calls in flight.
 *
 * Giant.  For a cdevsw with D_NEEDGIANT every non-NULL method is replaced
 * by a shim that runs the original with Giant held (kern/mutex.h);
 * methods of other drivers never run with Giant.  NULL methods get
 * defaults: d_open and d_close succeed, d_read, d_write, d_ioctl, d_mmap
 * and d_mmap_single fail with ENODEV (an ENODEV from d_mmap_single is what
 * selects the device-pager fallback in vm_mmap_cdev).
 *
 * Versions.  d_version must be D_VERSION.  As in FreeBSD, a cdevsw with
 * another version is disabled, not refused: make_dev logs "WARNING:
 * Device driver "NAME" has wrong version and is disabled.  Recompile the
 * driver." and creates the node, whose open, close, read, write and ioctl
 * fail with ENXIO and whose d_mmap and d_mmap_single fail with ENODEV.
 *
 * Method signatures follow FreeBSD's, adapted to userspace: d_read and
 * d_write take a buffer, a length and an offset instead of a struct uio
 * and report the bytes moved through *donep.
 *
 * Lock order: Giant -> a driver's locks -> devmtx -> dev_pager_mtx -> the
 * VM.  devmtx must not be held when calling dev_ref, dev_rel,
 * dev_refthread or dev_relthread; a driver method is never called with
 * devmtx held.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant after make_dev
 *	(d)	devmtx
 *	(r)	RCU-published: readable inside rcu_read_lock()
 *	(p)	private to kern_conf.c
 *	(v)	the driver's (not used by the registry)
 */
#ifndef _KERN_CONF_H_
#define _KERN_CONF_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "kern/kern_rcu.h"
#include "kern/ucred.h"
#include "kern/vm_types.h"

struct cdev;
struct dev_driver;
struct thread;
struct vm_object;

#define	SPECNAMELEN	63	/* longest device name */

/* si_flags */
#define	SI_ETERNAL	0x0001	/* (c) never destroyed */
#define	SI_ALIAS	0x0002
#define	SI_NAMED	0x0004	/* (d) in the name table */
#define	SI_CHEAPCLONE	0x0008
#define	SI_CHILD	0x0010
#define	SI_DUMPDEV	0x0080
#define	SI_CLONELIST	0x0200
#define	SI_UNMAPPED	0x0400
#define	SI_NOSPLIT	0x0800

/*
 * si_prefault: what the filesystem pushes into the kernel's page cache
 * ahead of the application's faults (devpagerfs.8, "Prefault"), after
 * FreeBSD's MAP_PREFAULT_READ for device objects.  A policy of the node,
 * like its mode, set by the device table (dev_driver.h) from the create
 * keys and the prefault command; the VM and the drivers never read it.
 * make_dev_s() starts a node at none with the default sizes.
 */
#define	SI_PREFAULT_NONE	0	/* every first touch faults */
#define	SI_PREFAULT_OPEN	1	/* at open, up to si_prefault_max */
#define	SI_PREFAULT_AROUND	2	/* after each fault, a window */
#define	SI_PREFAULT_MAX_DEFAULT	(64ULL << 20)
#define	SI_PREFAULT_WINDOW_DEFAULT (8ULL << 20)

struct cdev {
	char		 si_name[SPECNAMELEN + 1];	/* (c) */
	uint64_t	 si_id;		/* (c) unique, never reused */
	int		 si_drv0;	/* (c) unit number */
	unsigned	 si_flags;	/* (c: SI_ETERNAL; d: others) */
	volatile unsigned si_refcount;	/* (a) dev_ref/dev_rel */
	volatile unsigned long si_threadcount; /* (a; incremented under d) */
	unsigned	 si_usecount;	/* (d) open files (devfs_open) */
	struct cdevsw	*si_devsw;	/* (d,r) NULL once destroyed */
	void		*si_drv1;	/* (v) driver data */
	void		*si_drv2;	/* (v) driver data */
	uid_t		 si_owner;	/* (c) node owner (FreeBSD's si_uid,
					   a <signal.h> macro here) */
	gid_t		 si_group;	/* (c) node group (si_gid) */
	mode_t		 si_mode;	/* (c) node permissions (07777) */
	vm_ooffset_t	 si_size;	/* (a) node size in bytes */
	vm_memattr_t	 si_memattr;	/* (a) memattr shown in vm/devices */
	unsigned	 si_prefault;	/* (a) SI_PREFAULT_* */
	vm_size_t	 si_prefault_max;	/* (a) open: bytes at most */
	vm_size_t	 si_prefault_window;	/* (a) around: largest window */
	struct timespec	 si_ctime;	/* (c) creation time: node times */
	struct cds_lfht_node si_hnode;	/* (p,r) name table link */
	struct cds_lfht_node si_pnode;	/* (p,r) address table link */
	struct cds_lfht_node si_inode;	/* (p,r) id table link */
	/* The device table's (dev/dev_driver.c): the driver that made the
	 * node while the node is on that table, else NULL.  The registry
	 * never reads it. */
	const struct dev_driver *si_driver; /* (a) */
	struct cds_list_head si_list;	/* (p,r) list of live devices */
	struct rcu_head	 si_rcu;	/* (p) deferred free */
};

#define	devtoname(dev)	((const char *)(dev)->si_name)
#define	dev2unit(dev)	((dev)->si_drv0)

/*
 * Driver methods.  Each is called with a thread reference held
 * (dev_refthread) and no lock of the registry or the VM held; with Giant
 * for D_NEEDGIANT drivers.
 */
typedef int	d_open_t(struct cdev *dev, int oflags, int devtype,
		    struct thread *td);
typedef int	d_close_t(struct cdev *dev, int fflag, int devtype,
		    struct thread *td);
/* Read up to len bytes at off into buf; *donep = bytes read. */
typedef int	d_read_t(struct cdev *dev, void *buf, size_t len,
		    vm_ooffset_t off, int ioflag, size_t *donep);
/* Write up to len bytes of buf at off; *donep = bytes written. */
typedef int	d_write_t(struct cdev *dev, const void *buf, size_t len,
		    vm_ooffset_t off, int ioflag, size_t *donep);
typedef int	d_ioctl_t(struct cdev *dev, unsigned long cmd, void *data,
		    int fflag, struct thread *td);
/*
 * The physical address of the page at offset (0), or an errno.  On entry
 * *memattr is the object's default memattr; the driver may change it.
 */
typedef int	d_mmap_t(struct cdev *dev, vm_ooffset_t offset,
		    vm_paddr_t *paddr, int nprot, vm_memattr_t *memattr);
/*
 * Return in *object a referenced VM object for [*offset, *offset + size)
 * (the driver may rewrite *offset), or ENODEV to let the device pager
 * map the device through d_mmap, or another errno.
 */
typedef int	d_mmap_single_t(struct cdev *dev, vm_ooffset_t *offset,
		    vm_size_t size, struct vm_object **object, int nprot);
/* Wake threads sleeping inside the driver: the device is going away. */
typedef void	d_purge_t(struct cdev *dev);

/* d_flags: device type (D_TYPEMASK) */
#define	D_TAPE		0x0001
#define	D_DISK		0x0002
#define	D_TTY		0x0004
#define	D_MEM		0x0008	/* /dev/(k)mem: no memattr alias warning */
#define	D_TYPEMASK	0xffff
/* d_flags: driver flags */
#define	D_TRACKCLOSE	0x00080000	/* d_close on every close */
#define	D_MMAP_ANON	0x00100000	/* mmap gives anonymous memory */
#define	D_NEEDGIANT	0x00400000	/* methods run with Giant held */
#define	D_NEEDMINOR	0x00800000	/* accepted, ignored */
#define	D_INIT		0x80000000	/* (d) prepared by make_dev */

/* d_version */
#define	D_VERSION_00	0x20011966
#define	D_VERSION_01	0x17032005
#define	D_VERSION_02	0x28042009	/* d_mmap_single */
#define	D_VERSION_03	0x17122009	/* d_mmap takes memattr, offset */
#define	D_VERSION	D_VERSION_03

struct cdevsw {
	int		 d_version;	/* (c) D_VERSION */
	unsigned	 d_flags;	/* (c; D_INIT: d) */
	const char	*d_name;	/* (c) driver name */
	d_open_t	*d_open;	/* (c after make_dev) */
	d_close_t	*d_close;
	d_read_t	*d_read;
	d_write_t	*d_write;
	d_ioctl_t	*d_ioctl;
	d_mmap_t	*d_mmap;
	d_mmap_single_t	*d_mmap_single;
	d_purge_t	*d_purge;	/* may stay NULL */
	/* Private to the registry (leave zero). */
	struct cdevsw	*d_gianttrick;	/* (c) D_NEEDGIANT: the originals */
};

/* make_dev flags */
#define	MAKEDEV_REF		0x01	/* return with an extra reference */
#define	MAKEDEV_WHTOUT		0x02	/* accepted, ignored */
#define	MAKEDEV_NOWAIT		0x04	/* accepted, ignored */
#define	MAKEDEV_WAITOK		0x08	/* accepted, ignored */
#define	MAKEDEV_ETERNAL		0x10	/* SI_ETERNAL: never destroyed */
#define	MAKEDEV_CHECKNAME	0x20	/* accepted: names are always checked */
#define	MAKEDEV_ETERNAL_KLD	0	/* plugins: never eternal */

/* Everything make_dev_s needs to create a node in one step. */
struct make_dev_args {
	size_t		 mda_size;	/* sizeof(struct make_dev_args) */
	int		 mda_flags;	/* MAKEDEV_* */
	struct cdevsw	*mda_devsw;
	const struct ucred *mda_cr;	/* creator; may be NULL */
	uid_t		 mda_uid;
	gid_t		 mda_gid;
	int		 mda_mode;
	int		 mda_unit;	/* si_drv0 */
	void		*mda_si_drv1;	/* set before publication */
	void		*mda_si_drv2;
	vm_ooffset_t	 mda_dsize;	/* si_size */
	vm_memattr_t	 mda_memattr;	/* si_memattr */
};

void	make_dev_args_init(struct make_dev_args *args);
/*
 * Create a node named by fmt.  0, or: EINVAL (bad name, bad cdevsw),
 * EEXIST (name taken), ENOMEM.  A wrong d_version is not an error: the
 * node is made with dead methods (see Versions above).  The caller must be a
 * registered RCU thread (rcu_thread_online is called here).
 */
int	make_dev_s(struct make_dev_args *args, struct cdev **cdevp,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
/* The same with the common arguments. */
int	make_dev(struct cdevsw *devsw, const char *name, uid_t uid, gid_t gid,
	    int mode, int flags, struct cdev **cdevp);
/*
 * Is name acceptable as a node name: 1..SPECNAMELEN characters, printable,
 * no '/', no "..", no white space, not ".".
 */
bool	dev_name_valid(const char *name);

/*
 * Destroy a node (never an eternal one: KASSERT "destroy_dev on eternal").
 * Sleeps until every thread inside the driver has left; must not be
 * called from a driver method of the same device.  Threads sleep on the
 * channel dev while draining ("devprg", "devdrn").
 */
void	destroy_dev(struct cdev *dev);

/* References keep the struct alive (not the driver: see dev_refthread). */
void	dev_ref(struct cdev *dev);
void	dev_rel(struct cdev *dev);

/*
 * Enter the driver: the cdevsw to call through, or NULL if the device is
 * being destroyed.  *ref tells dev_relthread what to undo (0 for eternal
 * devices and on failure).  Call dev_relthread(dev, ref) only after a
 * non-NULL return.
 */
struct cdevsw *dev_refthread(struct cdev *dev, int *ref);
void	dev_relthread(struct cdev *dev, int ref);

/*
 * Name lookups, lock-free.  dev_lookup_rcu: call inside rcu_read_lock();
 * the result is valid until rcu_read_unlock.  dev_lookup_ref: returns the
 * live device with a reference (dev_rel when done) or NULL; the caller
 * must be a registered RCU thread.
 */
struct cdev *dev_lookup_rcu(const char *name);
struct cdev *dev_lookup_ref(const char *name);
/*
 * Is p the address of a live device?  Then that device, else NULL.  p may
 * be any pointer (a pager handle, which is a cdev only for some drivers):
 * it is compared, never dereferenced.  Lock-free, one hash lookup; call
 * inside rcu_read_lock(), the result is valid until rcu_read_unlock.
 */
struct cdev *dev_lookup_addr_rcu(const void *p);
/*
 * The live device whose si_id is id, by one hash lookup: dev_lookup_id_rcu
 * inside rcu_read_lock() (valid until rcu_read_unlock), dev_lookup_id_ref
 * with a reference (dev_rel when done) or NULL, as dev_lookup_ref.
 */
struct cdev *dev_lookup_id_rcu(uint64_t id);
struct cdev *dev_lookup_id_ref(uint64_t id);

/*
 * Call cb for every live device, in creation order, inside
 * rcu_read_lock(): cb must not block for long or wait for a grace period.
 * Returns the number of devices visited.  The caller must be a registered
 * RCU thread.
 */
int	dev_foreach(void (*cb)(struct cdev *dev, void *arg), void *arg);
/* Live devices (named, not destroyed). */
unsigned dev_count(void);

/* devmtx, for the rare caller that must hold it (FreeBSD's dev_lock). */
void	dev_lock(void);
void	dev_unlock(void);
/* Times devmtx was acquired (tests: the eternal fast path takes none). */
unsigned long dev_lock_count(void);

#endif /* !_KERN_CONF_H_ */
