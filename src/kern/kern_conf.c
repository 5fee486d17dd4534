/*
 * The cdev registry (see conf.h): node creation and destruction,
 * references, thread references, the lock-free name table, and the
 * preparation of a driver's cdevsw (version check and dead methods, Giant
 * shims, default methods).
 *
 * Data structures:
 *	dev_ht		cds_lfht keyed by name (hash of the name, strcmp
 *			match), RCU readers, updates under devmtx.
 *	dev_addr_ht	cds_lfht keyed by the cdev's address, the same way:
 *			"is this handle a live device?" without a walk.
 *	dev_id_ht	cds_lfht keyed by si_id, the same way: the device
 *			of a node number (dev/<name>'s inode) without a
 *			walk.
 *			All have a fixed size, no automatic resize
 *			(resizing would start liburcu worker threads):
 *			DEV_HT_BUCKETS buckets keep lookups within a few
 *			nodes up to tens of thousands of devices.
 *	dev_list	cds_list of live nodes in creation order, RCU
 *			readers (dev_foreach), updates under devmtx.
 * A node leaves both at destroy_dev and is freed through call_rcu when
 * its last reference goes, so a reader that found it inside its
 * read-side section never touches freed memory.
 *
 * Locks used to protect data in this file:
 *	(d)	devmtx
 *	(a)	atomic
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/refcount.h"
#include "kern/sleepqueue.h"

#define	DEV_HT_BUCKETS		4096
#define	DEV_DRAIN_POLL_MS	100	/* destroy_dev re-checks this often */

static struct mtx devmtx = MTX_INITIALIZER("devmtx", LOCK_RANK_DEVMTX, 0);
static struct cds_lfht *dev_ht;				/* (d; r) */
static struct cds_lfht *dev_addr_ht;			/* (d; r) */
static struct cds_lfht *dev_id_ht;			/* (d; r) */
static struct cds_list_head dev_list =			/* (d; r) */
    CDS_LIST_HEAD_INIT(dev_list);
static unsigned dev_nlive;				/* (d) */
static uint64_t dev_next_id = 1;			/* (a) */
static unsigned long dev_lock_acquisitions;		/* (a) */
static pthread_once_t dev_ht_once = PTHREAD_ONCE_INIT;

static void	dev_ht_create(void);
static uint64_t	dev_name_hash(const char *name);
static uint64_t	dev_mix64(uint64_t h);
static int	dev_ht_match(struct cds_lfht_node *node, const void *key);
static int	dev_addr_ht_match(struct cds_lfht_node *node, const void *key);
static struct cdev *dev_ht_find(const char *name);
static int	prep_cdevsw(struct cdevsw *devsw);
static void	dev_free_rcu(struct rcu_head *head);
static void	dev_purge(struct cdev *dev, struct cdevsw *csw);
static void	giant_enter(void);
static void	giant_exit(void);

static d_open_t dead_open;
static d_close_t dead_close;
static d_read_t dead_read;
static d_write_t dead_write;
static d_ioctl_t dead_ioctl;
static d_mmap_t dead_mmap;
static d_mmap_single_t dead_mmap_single;

static d_open_t null_open;
static d_close_t null_close;
static d_read_t no_read;
static d_write_t no_write;
static d_ioctl_t no_ioctl;
static d_mmap_t no_mmap;
static d_mmap_single_t no_mmap_single;

static d_open_t giant_open;
static d_close_t giant_close;
static d_read_t giant_read;
static d_write_t giant_write;
static d_ioctl_t giant_ioctl;
static d_mmap_t giant_mmap;
static d_mmap_single_t giant_mmap_single;

void
dev_lock(void)
{

	mtx_lock(&devmtx);
	__atomic_add_fetch(&dev_lock_acquisitions, 1, __ATOMIC_RELAXED);
}

void
dev_unlock(void)
{

	mtx_unlock(&devmtx);
}

unsigned long
dev_lock_count(void)
{

	return (__atomic_load_n(&dev_lock_acquisitions, __ATOMIC_RELAXED));
}

/*
 * The name table is created on first use, not by a constructor: Check's
 * parent process and the daemon before fuse_daemonize() must not touch
 * liburcu state that a fork would break.  No resize flag, hence no
 * worker thread.
 */
static void
dev_ht_create(void)
{

	dev_ht = cds_lfht_new_flavor(DEV_HT_BUCKETS, DEV_HT_BUCKETS,
	    DEV_HT_BUCKETS, 0, &urcu_memb_flavor, NULL);
	dev_addr_ht = cds_lfht_new_flavor(DEV_HT_BUCKETS, DEV_HT_BUCKETS,
	    DEV_HT_BUCKETS, 0, &urcu_memb_flavor, NULL);
	dev_id_ht = cds_lfht_new_flavor(DEV_HT_BUCKETS, DEV_HT_BUCKETS,
	    DEV_HT_BUCKETS, 0, &urcu_memb_flavor, NULL);
	if (dev_ht == NULL || dev_addr_ht == NULL || dev_id_ht == NULL)
		panic("make_dev: cannot allocate the device tables");
}

/* FNV-1a, 64 bits. */
static uint64_t
dev_name_hash(const char *name)
{
	uint64_t h;

	h = 0xcbf29ce484222325ULL;
	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* The bits of h (an address, an id), mixed: a murmur-style finaliser. */
static uint64_t
dev_mix64(uint64_t h)
{

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (h);
}

static int
dev_addr_ht_match(struct cds_lfht_node *node, const void *key)
{

	return (caa_container_of(node, struct cdev, si_pnode) == key);
}

static int
dev_id_ht_match(struct cds_lfht_node *node, const void *key)
{

	return (caa_container_of(node, struct cdev, si_inode)->si_id ==
	    *(const uint64_t *)key);
}

static int
dev_ht_match(struct cds_lfht_node *node, const void *key)
{
	struct cdev *dev;

	dev = caa_container_of(node, struct cdev, si_hnode);
	return (strcmp(dev->si_name, key) == 0);
}

/* Call inside rcu_read_lock(). */
static struct cdev *
dev_ht_find(const char *name)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct cds_lfht *ht;

	ht = rcu_dereference(dev_ht);
	if (ht == NULL)
		return (NULL);
	cds_lfht_lookup(ht, dev_name_hash(name), dev_ht_match, name, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node == NULL)
		return (NULL);
	return (caa_container_of(node, struct cdev, si_hnode));
}

bool
dev_name_valid(const char *name)
{
	size_t len;
	const unsigned char *p;

	if (name == NULL)
		return (false);
	len = strnlen(name, SPECNAMELEN + 1);
	if (len == 0 || len > SPECNAMELEN)
		return (false);
	if (strcmp(name, ".") == 0 || strstr(name, "..") != NULL)
		return (false);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		/* Printable ASCII without blanks: the name is a column of
		 * vm/devices and a path component. */
		if (*p <= ' ' || *p >= 0x7f || *p == '/')
			return (false);
	}
	return (true);
}

/*
 * Prepare a cdevsw on its first make_dev: disable a driver of the wrong
 * version, wrap the methods of a D_NEEDGIANT driver in Giant shims
 * (keeping the originals in d_gianttrick), give NULL methods their
 * defaults.  devmtx must be held.
 *
 * A wrong d_version does not fail make_dev, as in FreeBSD: the driver is
 * told so on the console and its methods are replaced by dead ones --
 * open, close, read, write and ioctl fail with ENXIO, d_mmap and
 * d_mmap_single with ENODEV (mapping the node then fails with EINVAL,
 * since the device pager's d_mmap check refuses every page).  d_purge is
 * left as it is.  The dead methods take the place of the driver's before
 * the Giant shims are set up, so a D_NEEDGIANT driver's dead methods run
 * with Giant like any of its methods.
 */
static int
prep_cdevsw(struct cdevsw *devsw)
{
	struct cdevsw *orig;

	mtx_assert(&devmtx, MA_OWNED);
	if ((devsw->d_flags & D_INIT) != 0)
		return (0);
	if (devsw->d_version != D_VERSION) {
		kern_log(LOG_WARNING, "WARNING: Device driver \"%s\" has wrong "
		    "version and is disabled.  Recompile the driver.",
		    devsw->d_name != NULL ? devsw->d_name : "???");
		devsw->d_open = dead_open;
		devsw->d_close = dead_close;
		devsw->d_read = dead_read;
		devsw->d_write = dead_write;
		devsw->d_ioctl = dead_ioctl;
		devsw->d_mmap = dead_mmap;
		devsw->d_mmap_single = dead_mmap_single;
	}
	if ((devsw->d_flags & D_NEEDGIANT) != 0 &&
	    devsw->d_gianttrick == NULL) {
		orig = malloc(sizeof(*orig));
		if (orig == NULL)
			return (ENOMEM);
		*orig = *devsw;
		devsw->d_gianttrick = orig;
		if (devsw->d_open != NULL)
			devsw->d_open = giant_open;
		if (devsw->d_close != NULL)
			devsw->d_close = giant_close;
		if (devsw->d_read != NULL)
			devsw->d_read = giant_read;
		if (devsw->d_write != NULL)
			devsw->d_write = giant_write;
		if (devsw->d_ioctl != NULL)
			devsw->d_ioctl = giant_ioctl;
		if (devsw->d_mmap != NULL)
			devsw->d_mmap = giant_mmap;
		if (devsw->d_mmap_single != NULL)
			devsw->d_mmap_single = giant_mmap_single;
	}
	if (devsw->d_open == NULL)
		devsw->d_open = null_open;
	if (devsw->d_close == NULL)
		devsw->d_close = null_close;
	if (devsw->d_read == NULL)
		devsw->d_read = no_read;
	if (devsw->d_write == NULL)
		devsw->d_write = no_write;
	if (devsw->d_ioctl == NULL)
		devsw->d_ioctl = no_ioctl;
	if (devsw->d_mmap == NULL)
		devsw->d_mmap = no_mmap;
	if (devsw->d_mmap_single == NULL)
		devsw->d_mmap_single = no_mmap_single;
	devsw->d_flags |= D_INIT;
	return (0);
}

void
make_dev_args_init(struct make_dev_args *args)
{

	memset(args, 0, sizeof(*args));
	args->mda_size = sizeof(*args);
	args->mda_memattr = VM_MEMATTR_DEFAULT;
}

int
make_dev_s(struct make_dev_args *args, struct cdev **cdevp,
    const char *fmt, ...)
{
	char name[SPECNAMELEN + 2];
	struct cdev *dev;
	va_list ap;
	int error, n;

	*cdevp = NULL;
	if (args == NULL || args->mda_size != sizeof(*args) ||
	    args->mda_devsw == NULL)
		return (EINVAL);
	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || n > SPECNAMELEN || !dev_name_valid(name))
		return (EINVAL);

	(void)pthread_once(&dev_ht_once, dev_ht_create);
	rcu_thread_online();
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return (ENOMEM);
	memcpy(dev->si_name, name, (size_t)n + 1);
	dev->si_id = __atomic_fetch_add(&dev_next_id, 1, __ATOMIC_RELAXED);
	dev->si_drv0 = args->mda_unit;
	dev->si_drv1 = args->mda_si_drv1;
	dev->si_drv2 = args->mda_si_drv2;
	dev->si_owner = args->mda_uid;
	dev->si_group = args->mda_gid;
	dev->si_mode = (mode_t)args->mda_mode & 07777;
	dev->si_size = args->mda_dsize;
	dev->si_memattr = args->mda_memattr;
	dev->si_prefault = SI_PREFAULT_NONE;
	dev->si_prefault_max = SI_PREFAULT_MAX_DEFAULT;
	dev->si_prefault_window = SI_PREFAULT_WINDOW_DEFAULT;
	dev->si_flags = (args->mda_flags & MAKEDEV_ETERNAL) != 0 ?
	    SI_ETERNAL : 0;
	/* The registry's reference, plus the caller's with MAKEDEV_REF. */
	refcount_init(&dev->si_refcount,
	    (args->mda_flags & MAKEDEV_REF) != 0 ? 2 : 1);
	clock_gettime(CLOCK_REALTIME, &dev->si_ctime);
	cds_lfht_node_init(&dev->si_hnode);
	cds_lfht_node_init(&dev->si_pnode);
	cds_lfht_node_init(&dev->si_inode);

	dev_lock();
	error = prep_cdevsw(args->mda_devsw);
	if (error == 0) {
		rcu_read_lock();
		if (dev_ht_find(name) != NULL)
			error = EEXIST;
		else {
			dev->si_devsw = args->mda_devsw;
			__atomic_or_fetch(&dev->si_flags, SI_NAMED,
			    __ATOMIC_RELAXED);
			/* Publish: readers see a fully built node. */
			cds_list_add_tail_rcu(&dev->si_list, &dev_list);
			cds_lfht_add(dev_ht, dev_name_hash(name),
			    &dev->si_hnode);
			cds_lfht_add(dev_addr_ht, dev_mix64((uint64_t)(uintptr_t)dev),
			    &dev->si_pnode);
			cds_lfht_add(dev_id_ht, dev_mix64(dev->si_id),
			    &dev->si_inode);
			dev_nlive++;
		}
		rcu_read_unlock();
	}
	dev_unlock();
	if (error != 0) {
		free(dev);
		return (error);
	}
	*cdevp = dev;
	return (0);
}

int
make_dev(struct cdevsw *devsw, const char *name, uid_t uid, gid_t gid,
    int mode, int flags, struct cdev **cdevp)
{
	struct make_dev_args args;

	make_dev_args_init(&args);
	args.mda_flags = flags;
	args.mda_devsw = devsw;
	args.mda_uid = uid;
	args.mda_gid = gid;
	args.mda_mode = mode;
	if (name == NULL) {
		*cdevp = NULL;
		return (EINVAL);
	}
	return (make_dev_s(&args, cdevp, "%s", name));
}

static void
dev_free_rcu(struct rcu_head *head)
{
	struct cdev *dev;

	dev = caa_container_of(head, struct cdev, si_rcu);
	free(dev);
}

void
dev_ref(struct cdev *dev)
{

	mtx_assert(&devmtx, MA_NOTOWNED);
	refcount_acquire(&dev->si_refcount);
}

/*
 * Drop a reference.  The registry holds one until destroy_dev, so the
 * count reaches 0 only on a destroyed device, which is then freed after a
 * grace period.
 */
void
dev_rel(struct cdev *dev)
{
	unsigned old;

	mtx_assert(&devmtx, MA_NOTOWNED);
	old = __atomic_fetch_sub(&dev->si_refcount, 1, __ATOMIC_ACQ_REL);
	KASSERT(old > 0, ("dev_rel(%s) gave negative count", dev->si_name));
	if (__predict_false(old == 0)) {
		/* Not reached under INVARIANTS: undo and complain. */
		__atomic_fetch_add(&dev->si_refcount, 1, __ATOMIC_RELAXED);
		kern_log(LOG_ERR, "dev_rel(%s) gave negative count",
		    dev->si_name);
		return;
	}
	if (old != 1)
		return;
	if (__atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) != NULL) {
		KASSERT(0, ("dev_rel(%s): last reference of a live device",
		    dev->si_name));
		kern_log(LOG_ERR, "dev_rel(%s): last reference of a live "
		    "device; leaking it", dev->si_name);
		return;
	}
	rcu_thread_online();
	call_rcu(&dev->si_rcu, dev_free_rcu);
}

struct cdevsw *
dev_refthread(struct cdev *dev, int *ref)
{
	struct cdevsw *csw;

	if ((__atomic_load_n(&dev->si_flags, __ATOMIC_RELAXED) &
	    SI_ETERNAL) != 0) {
		/* Never destroyed: no devmtx, no thread count. */
		*ref = 0;
		return (__atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE));
	}
	mtx_assert(&devmtx, MA_NOTOWNED);
	dev_lock();
	csw = dev->si_devsw;
	if (csw != NULL) {
		__atomic_fetch_add(&dev->si_threadcount, 1, __ATOMIC_SEQ_CST);
		*ref = 1;
	} else
		*ref = 0;
	dev_unlock();
	return (csw);
}

/*
 * Leave the driver.  The decrement is a full barrier and destroy_dev
 * stores si_devsw = NULL before reading the count, so one of the two
 * always sees the other: either destroy_dev sees 0, or we see NULL and
 * wake it (under devmtx, which it holds from its check until it sleeps).
 */
void
dev_relthread(struct cdev *dev, int ref)
{
	unsigned long left;

	if (ref == 0)
		return;
	left = __atomic_sub_fetch(&dev->si_threadcount, 1, __ATOMIC_SEQ_CST);
	KASSERT(left != (unsigned long)-1,
	    ("dev_relthread(%s): negative thread count", dev->si_name));
	if (left == 0 &&
	    __atomic_load_n(&dev->si_devsw, __ATOMIC_SEQ_CST) == NULL) {
		dev_lock();
		wakeup(dev);
		dev_unlock();
	}
}

struct cdev *
dev_lookup_rcu(const char *name)
{
	struct cdev *dev;

	dev = dev_ht_find(name);
	if (dev != NULL &&
	    __atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) == NULL)
		return (NULL);
	return (dev);
}

/*
 * The device find(key) gives inside a read-side section, with a
 * reference, if it is still live once referenced; else NULL.
 */
static struct cdev *
dev_lookup_ref_by(struct cdev *(*find)(const void *key), const void *key)
{
	struct cdev *dev;

	rcu_thread_online();
	rcu_read_lock();
	dev = find(key);
	if (dev != NULL && !refcount_acquire_if_not_zero(&dev->si_refcount))
		dev = NULL;
	rcu_read_unlock();
	if (dev != NULL &&
	    __atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) == NULL) {
		/* Destroyed between the match and the reference. */
		dev_rel(dev);
		dev = NULL;
	}
	return (dev);
}

static struct cdev *
dev_find_name(const void *key)
{

	return (dev_ht_find(key));
}

struct cdev *
dev_lookup_ref(const char *name)
{

	return (dev_lookup_ref_by(dev_find_name, name));
}

/* Ask for every cache line of the node whose list link is link. */
static inline void
dev_prefetch(struct cds_list_head *link)
{
	const char *p;
	size_t off;

	if (link == &dev_list)
		return;
	p = (const char *)caa_container_of(link, struct cdev, si_list);
	for (off = 0; off < sizeof(struct cdev); off += 64)
		__builtin_prefetch(p + off);
}

struct cdev *
dev_lookup_addr_rcu(const void *p)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct cds_lfht *ht;
	struct cdev *dev;

	ht = rcu_dereference(dev_addr_ht);
	if (ht == NULL || p == NULL)
		return (NULL);
	cds_lfht_lookup(ht, dev_mix64((uint64_t)(uintptr_t)p), dev_addr_ht_match, p, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node == NULL)
		return (NULL);
	dev = caa_container_of(node, struct cdev, si_pnode);
	if (__atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) == NULL)
		return (NULL);
	return (dev);
}

struct cdev *
dev_lookup_id_rcu(uint64_t id)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;
	struct cds_lfht *ht;
	struct cdev *dev;

	ht = rcu_dereference(dev_id_ht);
	if (ht == NULL)
		return (NULL);
	cds_lfht_lookup(ht, dev_mix64(id), dev_id_ht_match, &id, &iter);
	node = cds_lfht_iter_get_node(&iter);
	if (node == NULL)
		return (NULL);
	dev = caa_container_of(node, struct cdev, si_inode);
	if (__atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) == NULL)
		return (NULL);
	return (dev);
}

static struct cdev *
dev_find_id(const void *key)
{

	return (dev_lookup_id_rcu(*(const uint64_t *)key));
}

struct cdev *
dev_lookup_id_ref(uint64_t id)
{

	return (dev_lookup_ref_by(dev_find_id, &id));
}

int
dev_foreach(void (*cb)(struct cdev *dev, void *arg), void *arg)
{
	struct cdev *dev;
	int n;

	n = 0;
	rcu_thread_online();
	rcu_read_lock();
	cds_list_for_each_entry_rcu(dev, &dev_list, si_list) {
		/*
		 * Thousands of nodes do not stay in the cache between two
		 * walks: start loading the next one while cb formats this
		 * one, or every node costs a full memory miss.
		 */
		dev_prefetch(rcu_dereference(dev->si_list.next));
		if (__atomic_load_n(&dev->si_devsw, __ATOMIC_ACQUIRE) == NULL)
			continue;
		cb(dev, arg);
		n++;
	}
	rcu_read_unlock();
	return (n);
}

unsigned
dev_count(void)
{
	unsigned n;

	dev_lock();
	n = dev_nlive;
	dev_unlock();
	return (n);
}

/*
 * Call d_purge without devmtx (it is a driver method: the driver may take
 * its own locks, and Giant, which rank before devmtx).
 */
static void
dev_purge(struct cdev *dev, struct cdevsw *csw)
{

	if ((csw->d_flags & D_NEEDGIANT) != 0) {
		giant_enter();
		csw->d_purge(dev);
		giant_exit();
	} else
		csw->d_purge(dev);
}

void
destroy_dev(struct cdev *dev)
{
	struct cdevsw *csw;

	KASSERT((__atomic_load_n(&dev->si_flags, __ATOMIC_RELAXED) &
	    SI_ETERNAL) == 0, ("destroy_dev on eternal %s", dev->si_name));
	mtx_assert(&devmtx, MA_NOTOWNED);
	rcu_thread_online();
	dev_lock();
	csw = dev->si_devsw;
	KASSERT(csw != NULL, ("destroy_dev(%s) twice", dev->si_name));
	if (csw == NULL) {
		dev_unlock();
		return;
	}
	/* Unpublish the name, then refuse new thread references. */
	rcu_read_lock();
	(void)cds_lfht_del(dev_ht, &dev->si_hnode);
	(void)cds_lfht_del(dev_addr_ht, &dev->si_pnode);
	(void)cds_lfht_del(dev_id_ht, &dev->si_inode);
	rcu_read_unlock();
	cds_list_del_rcu(&dev->si_list);
	__atomic_and_fetch(&dev->si_flags, ~SI_NAMED, __ATOMIC_RELAXED);
	dev_nlive--;
	__atomic_store_n(&dev->si_devsw, NULL, __ATOMIC_SEQ_CST);

	/*
	 * Wait for the threads inside the driver.  While there are some and
	 * the driver has d_purge, ask it to kick them out ("devprg"); then
	 * drain ("devdrn").  dev_relthread wakes us; the timeout is only a
	 * safety net.
	 */
	while (csw->d_purge != NULL &&
	    __atomic_load_n(&dev->si_threadcount, __ATOMIC_SEQ_CST) != 0) {
		dev_unlock();
		dev_purge(dev, csw);
		dev_lock();
		if (__atomic_load_n(&dev->si_threadcount, __ATOMIC_SEQ_CST) ==
		    0)
			break;
		(void)msleep(dev, &devmtx, 0, "devprg", DEV_DRAIN_POLL_MS);
	}
	while (__atomic_load_n(&dev->si_threadcount, __ATOMIC_SEQ_CST) != 0)
		(void)msleep(dev, &devmtx, 0, "devdrn", DEV_DRAIN_POLL_MS);
	dev_unlock();

	/* The registry's reference. */
	dev_rel(dev);
}

/*
 * The methods of a driver disabled for its wrong d_version (FreeBSD's
 * dead_cdevsw): ENXIO, except the two mmap methods, ENODEV.
 */
static int
dead_open(struct cdev *dev, int oflags, int devtype, struct thread *td)
{

	return (ENXIO);
}

static int
dead_close(struct cdev *dev, int fflag, int devtype, struct thread *td)
{

	return (ENXIO);
}

static int
dead_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	*donep = 0;
	return (ENXIO);
}

static int
dead_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	*donep = 0;
	return (ENXIO);
}

static int
dead_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{

	return (ENXIO);
}

static int
dead_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{

	return (ENODEV);
}

static int
dead_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{

	return (ENODEV);
}

/*
 * Default methods for NULL entries.
 */
static int
null_open(struct cdev *dev, int oflags, int devtype, struct thread *td)
{

	return (0);
}

static int
null_close(struct cdev *dev, int fflag, int devtype, struct thread *td)
{

	return (0);
}

static int
no_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	*donep = 0;
	return (ENODEV);
}

static int
no_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	*donep = 0;
	return (ENODEV);
}

static int
no_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{

	return (ENODEV);
}

static int
no_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr, int nprot,
    vm_memattr_t *memattr)
{

	return (ENODEV);
}

static int
no_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{

	return (ENODEV);
}

/*
 * Giant shims: take a thread reference of their own (the cdevsw and its
 * d_gianttrick stay valid while it is held), run the original with Giant.
 */
static void
giant_enter(void)
{

	mtx_lock(&Giant);
	curthread->td_giant_depth++;
}

static void
giant_exit(void)
{

	curthread->td_giant_depth--;
	mtx_unlock(&Giant);
}

#define	GIANT_SHIM_BEGIN(dev)						\
	struct cdevsw *csw;						\
	int ref, rv;							\
									\
	csw = dev_refthread((dev), &ref);				\
	if (csw == NULL)						\
		return (ENXIO);						\
	giant_enter()

#define	GIANT_SHIM_END(dev)						\
	giant_exit();							\
	dev_relthread((dev), ref);					\
	return (rv)

static int
giant_open(struct cdev *dev, int oflags, int devtype, struct thread *td)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_open(dev, oflags, devtype, td);
	GIANT_SHIM_END(dev);
}

static int
giant_close(struct cdev *dev, int fflag, int devtype, struct thread *td)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_close(dev, fflag, devtype, td);
	GIANT_SHIM_END(dev);
}

static int
giant_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_read(dev, buf, len, off, ioflag, donep);
	GIANT_SHIM_END(dev);
}

static int
giant_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_write(dev, buf, len, off, ioflag, donep);
	GIANT_SHIM_END(dev);
}

static int
giant_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_ioctl(dev, cmd, data, fflag, td);
	GIANT_SHIM_END(dev);
}

static int
giant_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_mmap(dev, offset, paddr, nprot, memattr);
	GIANT_SHIM_END(dev);
}

static int
giant_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{
	GIANT_SHIM_BEGIN(dev);
	rv = csw->d_gianttrick->d_mmap_single(dev, offset, size, object,
	    nprot);
	GIANT_SHIM_END(dev);
}
