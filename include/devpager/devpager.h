/*
 * <devpager/devpager.h>: the driver KPI of devpagerfs for out-of-tree
 * drivers (plugins), version DEVPAGER_KPI_VERSION.  See devpager_plugin(9).
 *
 * A plugin is a shared object loaded by the daemon with
 *	create NAME driver=/abs/path/x.so [key=value ...]
 * (vm/ctl or the configuration file).  It exports one symbol,
 *
 *	const struct devpager_plugin devpager_plugin = {
 *		.dp_kpi_version = DEVPAGER_KPI_VERSION,
 *		.dp_name = "mydrv",
 *		.dp_create = mydrv_create,
 *		.dp_destroy = mydrv_destroy,
 *	};
 *
 * and uses only what this header declares: FreeBSD's device and device
 * pager interfaces (struct cdevsw, make_dev_s(9), destroy_dev, dev_ref,
 * dev_refthread, cdev_pager_allocate(9) with struct cdev_pager_ops, fake
 * pages, device windows) with FreeBSD's names and semantics, plus a few
 * devpager_* accessors where the daemon's structures are opaque.  The
 * daemon exports these functions from its executable (it is linked with
 * -rdynamic); build a plugin with
 *	cc -shared -fPIC -I$(includedir) -o x.so x.c
 * and leave the KPI's symbols undefined.  The header needs nothing but
 * the C library's headers: no FUSE, no liburcu, no daemon source.
 *
 * Versioning.  DEVPAGER_KPI_VERSION changes whenever a structure, a
 * constant or a signature below changes, or a function is added; the
 * daemon refuses a plugin built against another version (EINVAL, nothing
 * created).  Version 2 added cdev_pager_page_replace and
 * cdev_pager_fake_page, the tail of a fault handler.
 *
 * How this header stays true.  The structures and constants below mirror
 * the daemon's own headers (src/kern/conf.h, src/vm/vm.h, vm_pager.h,
 * vm_page.h, vm_phys.h), which are not installed: the daemon compiles
 * this header together with them -- src/dev/dev_kpi.c checks every
 * prototype against the real declaration (DEVPAGER_KPI_INTERNAL), and
 * tests/check_dev_kpi.c checks every structure's size and field offsets
 * and every constant's value with _Static_assert (DEVPAGER_KPI_TYPES_ONLY).
 * Plugins define neither macro.
 *
 * Object locks.  Where a FreeBSD driver writes VM_OBJECT_WLOCK(obj) it
 * writes the same here; the macros call devpager_object_wlock() and
 * friends.  Pages and objects are opaque: read them with the
 * devpager_page_* and devpager_object_* accessors.
 */
#ifndef _DEVPAGER_DEVPAGER_H_
#define _DEVPAGER_DEVPAGER_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#define	DEVPAGER_KPI_VERSION	2
#define	DEVPAGER_PLUGIN_SYMBOL	"devpager_plugin"

struct cdev;
struct thread;
struct ucred;
struct vm_object;
struct vm_page;
struct vm_phys_window;

#ifndef DEVPAGER_KPI_INTERNAL
/*
 * The mirror of the daemon's types and constants.
 */

/* Basic VM types (src/vm/vm.h). */
#ifndef PAGE_SHIFT
#define	PAGE_SHIFT	12
#endif
#ifndef PAGE_SIZE
#define	PAGE_SIZE	(1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define	PAGE_MASK	(PAGE_SIZE - 1)
#endif

typedef uint64_t	vm_pindex_t;	/* page index in an object */
typedef uint64_t	vm_ooffset_t;	/* byte offset in an object */
typedef uint64_t	vm_paddr_t;	/* simulated physical address */
typedef uint64_t	vm_size_t;
typedef uint8_t		vm_prot_t;
typedef int8_t		vm_memattr_t;	/* a char in FreeBSD */
typedef uint8_t		objtype_t;
typedef struct vm_object *vm_object_t;
typedef struct vm_page *vm_page_t;

#define	VM_PROT_NONE	((vm_prot_t)0x00)
#define	VM_PROT_READ	((vm_prot_t)0x01)
#define	VM_PROT_WRITE	((vm_prot_t)0x02)
#define	VM_PROT_EXECUTE	((vm_prot_t)0x04)
#define	VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

/* Object types, with FreeBSD's numbering. */
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

/* amd64 memory attributes (PAT indices). */
#define	VM_MEMATTR_UNCACHEABLE		((vm_memattr_t)0x00)
#define	VM_MEMATTR_WRITE_COMBINING	((vm_memattr_t)0x01)
#define	VM_MEMATTR_WRITE_THROUGH	((vm_memattr_t)0x04)
#define	VM_MEMATTR_WRITE_PROTECTED	((vm_memattr_t)0x05)
#define	VM_MEMATTR_WRITE_BACK		((vm_memattr_t)0x06)
#define	VM_MEMATTR_WEAK_UNCACHEABLE	((vm_memattr_t)0x07)
#define	VM_MEMATTR_DEFAULT		VM_MEMATTR_WRITE_BACK

#define	IDX_TO_OFF(idx)	(((vm_ooffset_t)(idx)) << PAGE_SHIFT)
#define	OFF_TO_IDX(off)	((vm_pindex_t)(((vm_ooffset_t)(off)) >> PAGE_SHIFT))
#define	atop(x)		((uint64_t)(x) >> PAGE_SHIFT)
#define	ptoa(x)		((uint64_t)(x) << PAGE_SHIFT)
#define	round_page(x)	(((uint64_t)(x) + PAGE_MASK) & ~(uint64_t)PAGE_MASK)
#define	trunc_page(x)	((uint64_t)(x) & ~(uint64_t)PAGE_MASK)

/* Page validity (src/vm/vm_page.h): one bit per 512 bytes. */
typedef uint8_t vm_page_bits_t;
#define	VM_PAGE_BITS_ALL	((vm_page_bits_t)0xffu)

/* Pager results (src/vm/vm_pager.h): what a fault handler returns. */
#define	VM_PAGER_OK	0
#define	VM_PAGER_BAD	1	/* out of the accepted range */
#define	VM_PAGER_FAIL	2	/* in range, but doesn't exist */
#define	VM_PAGER_PEND	3
#define	VM_PAGER_ERROR	4
#define	VM_PAGER_AGAIN	5

/*
 * The device pager KPI (cdev_pager(9)).
 *	cdev_pg_fault: object locked (write) on entry and return; it may
 *	    drop the lock in between (and must, around vm_page_getfake).
 *	    *mres is a busy placeholder on entry; on VM_PAGER_OK it is the
 *	    valid page now at that pindex.  Do not link pages anywhere: the
 *	    device pager lists OBJT_DEVICE fake pages itself.
 *	cdev_pg_populate: optional, may stay NULL.
 *	cdev_pg_ctor: on every cdev_pager_allocate(), before the pager's
 *	    list lock; may set *color; non-zero fails the allocation.
 *	cdev_pg_dtor: once per object built, with its handle.
 */
struct cdev_pager_ops {
	int	(*cdev_pg_fault)(vm_object_t vm_obj, vm_ooffset_t offset,
		    int prot, vm_page_t *mres);
	int	(*cdev_pg_populate)(vm_object_t vm_obj, vm_pindex_t pidx,
		    int fault_type, vm_prot_t max_prot, vm_pindex_t *first,
		    vm_pindex_t *last);
	int	(*cdev_pg_ctor)(void *handle, vm_ooffset_t size,
		    vm_prot_t prot, vm_ooffset_t foff,
		    const struct ucred *cred, uint16_t *color);
	void	(*cdev_pg_dtor)(void *handle);
};

/* Character devices (src/kern/conf.h). */
#define	SPECNAMELEN	63	/* longest device name */

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
/* The physical address of the page at offset; *memattr in/out. */
typedef int	d_mmap_t(struct cdev *dev, vm_ooffset_t offset,
		    vm_paddr_t *paddr, int nprot, vm_memattr_t *memattr);
/* A referenced object for [*offset, *offset + size), or ENODEV. */
typedef int	d_mmap_single_t(struct cdev *dev, vm_ooffset_t *offset,
		    vm_size_t size, struct vm_object **object, int nprot);
typedef void	d_purge_t(struct cdev *dev);
typedef void	d_priv_dtor_t(void *data);

/* d_flags */
#define	D_TAPE		0x0001
#define	D_DISK		0x0002
#define	D_TTY		0x0004
#define	D_MEM		0x0008	/* /dev/(k)mem: no memattr alias warning */
#define	D_TYPEMASK	0xffff
#define	D_TRACKCLOSE	0x00080000	/* d_close on every close */
#define	D_MMAP_ANON	0x00100000	/* mmap gives anonymous memory */
#define	D_NEEDGIANT	0x00400000	/* methods run with Giant held */
#define	D_NEEDMINOR	0x00800000	/* accepted, ignored */

/* d_version */
#define	D_VERSION_00	0x20011966
#define	D_VERSION_01	0x17032005
#define	D_VERSION_02	0x28042009	/* d_mmap_single */
#define	D_VERSION_03	0x17122009	/* d_mmap takes memattr, offset */
#define	D_VERSION	D_VERSION_03

/*
 * A driver's methods.  NULL methods get defaults (open and close
 * succeed, the others fail with ENODEV; an ENODEV from d_mmap_single
 * makes the device pager map the device through d_mmap).  Not const:
 * make_dev_s prepares it in place on first use.
 */
struct cdevsw {
	int		 d_version;	/* D_VERSION */
	unsigned	 d_flags;
	const char	*d_name;
	d_open_t	*d_open;
	d_close_t	*d_close;
	d_read_t	*d_read;
	d_write_t	*d_write;
	d_ioctl_t	*d_ioctl;
	d_mmap_t	*d_mmap;
	d_mmap_single_t	*d_mmap_single;
	d_purge_t	*d_purge;
	/* Private to the registry (leave zero). */
	struct cdevsw	*d_gianttrick;
};

/* make_dev flags */
#define	MAKEDEV_REF		0x01	/* return with an extra reference */
#define	MAKEDEV_WHTOUT		0x02	/* accepted, ignored */
#define	MAKEDEV_NOWAIT		0x04	/* accepted, ignored */
#define	MAKEDEV_WAITOK		0x08	/* accepted, ignored */
#define	MAKEDEV_ETERNAL		0x10	/* SI_ETERNAL: never destroyed */
#define	MAKEDEV_CHECKNAME	0x20	/* accepted: names are always checked */
#define	MAKEDEV_ETERNAL_KLD	0	/* plugins: never eternal */

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
	vm_ooffset_t	 mda_dsize;	/* node size */
	vm_memattr_t	 mda_memattr;	/* shown in vm/devices */
};

/* What FreeBSD drivers spell as macros over opaque structures here. */
#define	devtoname(dev)			devpager_dev_name(dev)
#define	VM_OBJECT_WLOCK(o)		devpager_object_wlock(o)
#define	VM_OBJECT_WUNLOCK(o)		devpager_object_wunlock(o)
#define	VM_OBJECT_ASSERT_WLOCKED(o)	devpager_object_assert_wlocked(o)

#endif /* !DEVPAGER_KPI_INTERNAL */

/*
 * The plugin's entry point.
 */

/*
 * What `create NAME driver=/path/x.so [key=value ...]` asked for.  Valid
 * during dp_create only: copy what you keep.
 */
struct devpager_plugin_args {
	const char	*dpa_name;	/* device name, already validated */
	const char	*dpa_path;	/* the plugin, as given in driver= */
	uint64_t	 dpa_size;	/* size=, page-rounded; 0: not given */
	vm_memattr_t	 dpa_memattr;	/* memattr=, or VM_MEMATTR_DEFAULT */
	bool		 dpa_memattr_set;
	/* Owner, group and mode for make_dev_s (defaults applied: the
	 * creator's ids, 0660). */
	uid_t		 dpa_uid;
	gid_t		 dpa_gid;
	int		 dpa_mode;
	const struct ucred *dpa_cr;	/* for mda_cr */
	/* Every other key=value pair (all but size, memattr, mode, uid
	 * and gid), as text, in command order. */
	unsigned	 dpa_nparams;
	const char *const *dpa_keys;
	const char *const *dpa_values;
};

/*
 * dp_create: make one device named args->dpa_name with make_dev_s() and
 *	return it in *devp; 0, or an errno with a one-line message in err
 *	(NUL-terminated, errlen bytes) and nothing left behind.  Refuse
 *	keys you do not know (EINVAL).
 * dp_destroy: destroy_dev() the device and free what dp_create made; 0,
 *	or EBUSY (with a message) to refuse.  Objects made by your pager may
 *	outlive the device (processes still map them): their faults must
 *	fail (dev_refthread returns NULL after destroy_dev) and their dtor
 *	must not need freed state.  The daemon keeps the plugin loaded
 *	until none of its objects or open files remain.
 * dp_ctl: optional; `plugin NAME VERB [args...]` on vm/ctl, argv[0] the
 *	verb; reply (or error message) into out.  Runs inside the device.
 * All three run on a daemon thread with no lock held.
 */
struct devpager_plugin {
	int		 dp_kpi_version;	/* DEVPAGER_KPI_VERSION */
	const char	*dp_name;		/* for messages */
	int		(*dp_create)(const struct devpager_plugin_args *args,
			    struct cdev **devp, char *err, size_t errlen);
	int		(*dp_destroy)(struct cdev *dev, char *err,
			    size_t errlen);
	int		(*dp_ctl)(struct cdev *dev, int argc, char **argv,
			    char *out, size_t outlen);
};

/* The value of key in args, or NULL. */
static inline const char *
devpager_param(const struct devpager_plugin_args *args, const char *key)
{
	unsigned i;

	for (i = 0; i < args->dpa_nparams; i++)
		if (strcmp(args->dpa_keys[i], key) == 0)
			return (args->dpa_values[i]);
	return (NULL);
}

#ifndef DEVPAGER_KPI_TYPES_ONLY
/*
 * The functions a plugin may call.  FreeBSD's names mean FreeBSD's
 * semantics (see make_dev(9), cdev_pager(9), vm_page(9) of devpagerfs).
 */

/* Devices. */
void	make_dev_args_init(struct make_dev_args *args);
int	make_dev_s(struct make_dev_args *args, struct cdev **cdevp,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));
int	make_dev(struct cdevsw *devsw, const char *name, uid_t uid, gid_t gid,
	    int mode, int flags, struct cdev **cdevp);
void	destroy_dev(struct cdev *dev);
void	dev_ref(struct cdev *dev);
void	dev_rel(struct cdev *dev);
struct cdevsw *dev_refthread(struct cdev *dev, int *ref);
void	dev_relthread(struct cdev *dev, int ref);
int	devfs_set_cdevpriv(void *priv, d_priv_dtor_t *dtr);
int	devfs_get_cdevpriv(void **datap);
void	devfs_clear_cdevpriv(void);

/* The device pager. */
vm_object_t cdev_pager_allocate(void *handle, enum obj_type tp,
	    const struct cdev_pager_ops *ops, vm_ooffset_t size,
	    vm_prot_t prot, vm_ooffset_t foff, const struct ucred *cred);
vm_object_t cdev_pager_lookup(void *handle);
void	cdev_pager_free_page(vm_object_t object, vm_page_t m);
/*
 * The tail of a fault handler (object locked on entry and return).
 * page_replace: page takes the placeholder *mres's place, the
 * placeholder (fake or RAM, whichever the fault put there) is freed,
 * page becomes fully valid and *mres.  fake_page: *mres becomes the fake
 * page of paddr -- a fake placeholder repointed, a RAM one replaced (the
 * lock is dropped around vm_page_getfake) -- fully valid.
 */
void	cdev_pager_page_replace(vm_object_t object, vm_page_t *mres,
	    vm_page_t page);
void	cdev_pager_fake_page(vm_object_t object, vm_page_t *mres,
	    vm_paddr_t paddr, vm_memattr_t memattr);

/* Objects. */
void	vm_object_reference(vm_object_t object);
void	vm_object_deallocate(vm_object_t object);
int	vm_object_set_memattr(vm_object_t object, vm_memattr_t memattr);

/* Pages.  getfake may sleep: call it with no lock held. */
vm_page_t vm_page_getfake(vm_paddr_t paddr, vm_memattr_t memattr);
void	vm_page_putfake(vm_page_t m);
void	vm_page_updatefake(vm_page_t m, vm_paddr_t paddr,
	    vm_memattr_t memattr);
vm_page_t vm_page_replace(vm_page_t mnew, vm_object_t object,
	    vm_pindex_t pindex);
vm_page_t vm_page_lookup(vm_object_t object, vm_pindex_t pindex);
bool	vm_page_sleep_if_busy(vm_page_t m, const char *msg);

/* Physical memory: device windows and fictitious ranges. */
int	vm_phys_window_create(const char *name, vm_size_t size,
	    int backing_fd, off_t backing_off, const char *backing_desc,
	    vm_memattr_t memattr,
	    struct vm_phys_window **wp, vm_paddr_t *basep);
void	vm_phys_window_destroy(struct vm_phys_window *w);
vm_paddr_t vm_phys_window_base(const struct vm_phys_window *w);
vm_size_t vm_phys_window_size(const struct vm_phys_window *w);
int	vm_phys_fictitious_reg_range(vm_paddr_t start, vm_paddr_t end,
	    vm_memattr_t memattr);
void	vm_phys_fictitious_unreg_range(vm_paddr_t start, vm_paddr_t end);
vm_page_t PHYS_TO_VM_PAGE(vm_paddr_t pa);

/* Logging (syslog priorities). */
void	kern_log(int priority, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

/*
 * Accessors (devpagerfs only).
 *	devpager_dev_*: the device's name, driver data (mda_si_drv1/2) and
 *	    node size.
 *	devpager_object_*: the object lock; the handle the object was
 *	    built for by cdev_pager_allocate (NULL for other objects); its
 *	    default memattr.  assert_wlocked checks only in daemons built
 *	    with INVARIANTS.
 *	devpager_page_*: the page's index in its object, physical address,
 *	    whether it is fictitious (a fake or device page); set_valid
 *	    marks it fully valid (the object must be locked); free frees a
 *	    placeholder your handler replaced (the object must be locked).
 *	devpager_window_host: the daemon's address of the first byte of a
 *	    window; valid until vm_phys_window_destroy(w).
 */
const char *devpager_dev_name(const struct cdev *dev);
void	*devpager_dev_drv1(const struct cdev *dev);
void	*devpager_dev_drv2(const struct cdev *dev);
vm_ooffset_t devpager_dev_size(const struct cdev *dev);
void	devpager_object_wlock(vm_object_t object);
void	devpager_object_wunlock(vm_object_t object);
void	devpager_object_assert_wlocked(vm_object_t object);
void	*devpager_object_handle(vm_object_t object);
vm_memattr_t devpager_object_memattr(vm_object_t object);
vm_pindex_t devpager_page_pindex(vm_page_t m);
vm_paddr_t devpager_page_phys(vm_page_t m);
bool	devpager_page_fictitious(vm_page_t m);
void	devpager_page_set_valid(vm_page_t m);
void	devpager_page_free(vm_page_t m);
void	*devpager_window_host(struct vm_phys_window *w);
#endif /* !DEVPAGER_KPI_TYPES_ONLY */

#endif /* !_DEVPAGER_DEVPAGER_H_ */
