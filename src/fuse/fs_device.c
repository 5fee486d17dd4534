/*
 * dev/<name>: the fault and write path (see fs_device.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/uio.h>
#include <time.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "kern/test_hook.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "fuse/fs.h"
#include "fuse/fs_device.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_node.h"
#include "fuse/fs_stats.h"

/* Pages of a READ handled without allocating (128 KiB + a partial page). */
#define	FS_READ_STACK_PAGES	33

/* Largest device mapped with one vm_mmap_cdev() call; beyond it, chunks. */
#define	FS_MAP_WHOLE_MAX	(1ULL << 30)
#define	FS_MAP_CHUNK		NBPDR

/*
 * One mapping entry: file offsets [me_start, me_end) of the node are
 * object offsets [me_objoff, ...) of me_obj.  A node's entries are
 * disjoint, in a red-black tree by me_start: finding, adding and
 * dropping one is logarithmic in their number.
 */
struct fs_map {
	RB_ENTRY(fs_map) me_link;	/* [n] dn_maps */
	vm_ooffset_t	 me_start;	/* [n] */
	vm_ooffset_t	 me_end;	/* [n] */
	vm_ooffset_t	 me_objoff;	/* [n] */
	vm_object_t	 me_obj;	/* [n] referenced */
	struct fs_map	*me_next;	/* private list of a caller */
};

RB_HEAD(fs_map_tree, fs_map);

/*
 * An entry being made by fs_map_get() without the node lock: a retire
 * that covers mp_off meanwhile marks it, and the result is not kept.
 */
struct fs_map_pending {
	LIST_ENTRY(fs_map_pending) mp_link;	/* [n] dn_pending */
	vm_ooffset_t	 mp_off;	/* (c) the offset it is for */
	bool		 mp_retired;	/* [n] a retire covered mp_off */
};

struct fs_devnode {
	LIST_ENTRY(fs_devnode) dn_link;	/* [t] */
	fuse_ino_t	 dn_ino;	/* (c) */
	struct cdev	*dn_dev;	/* (c) referenced */
	unsigned	 dn_opens;	/* [t] open files (and retires
					   running on the node) */
	/* (c) the driver's per-open check (dd_map_access), or NULL */
	int		(*dn_access)(struct cdev *, vm_object_t, vm_prot_t);
	pthread_mutex_t	 dn_lock;
	struct fs_map_tree dn_maps;	/* [n] */
	unsigned long	 dn_nmaps;	/* [n] */
	LIST_HEAD(, fs_map_pending) dn_pending;	/* [n] */
};

static pthread_mutex_t fs_devnodes_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(, fs_devnode) fs_devnodes =
    LIST_HEAD_INITIALIZER(fs_devnodes);		/* [t] */

static uint64_t fs_lat[FS_LAT_BUCKETS];		/* (a) */

/* A fs_map_get that keeps losing to retires of its offset gives up. */
#define	FS_MAP_RETRIES	8

static int	fs_map_cmp(const struct fs_map *a, const struct fs_map *b);
static void	fs_devnode_drop_maps(struct fs_devnode *dn);

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define. */
RB_GENERATE_INTERNAL(fs_map_tree, fs_map, me_link, fs_map_cmp,
    static __attribute__((__unused__)))

static int
fs_map_cmp(const struct fs_map *a, const struct fs_map *b)
{

	return (a->me_start < b->me_start ? -1 : a->me_start > b->me_start);
}

fuse_ino_t
fs_device_ino(const struct cdev *dev)
{
	return (FS_INO_DEVICE + dev->si_id);
}

void
fs_device_init(void)
{
}

void
fs_device_fini(void)
{
	struct fs_devnode *dn;

	pthread_mutex_lock(&fs_devnodes_lock);
	while ((dn = LIST_FIRST(&fs_devnodes)) != NULL) {
		LIST_REMOVE(dn, dn_link);
		pthread_mutex_unlock(&fs_devnodes_lock);
		fs_devnode_drop_maps(dn);
		dev_rel(dn->dn_dev);
		pthread_mutex_destroy(&dn->dn_lock);
		free(dn);
		pthread_mutex_lock(&fs_devnodes_lock);
	}
	pthread_mutex_unlock(&fs_devnodes_lock);
}

static void
fs_device_fill_stat(const struct cdev *dev, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = fs_device_ino(dev);
	st->st_mode = S_IFREG | (dev->si_mode & 07777);
	st->st_nlink = 1;
	st->st_uid = dev->si_owner;
	st->st_gid = dev->si_group;
	/* Never changes for the life of the device: a smaller size would
	 * truncate the page cache under every mapper. */
	st->st_size = (off_t)__atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = (st->st_size + 511) / 512;
	st->st_atim = dev->si_ctime;
	st->st_mtim = dev->si_ctime;
	st->st_ctim = dev->si_ctime;
}

int
fs_device_lookup(const char *name, fuse_ino_t *inop, struct stat *st)
{
	struct cdev *dev;
	int error;

	error = ENOENT;
	rcu_read_lock();
	dev = dev_lookup_rcu(name);
	if (dev != NULL) {
		fs_device_fill_stat(dev, st);
		*inop = fs_device_ino(dev);
		error = 0;
	}
	rcu_read_unlock();
	return (error);
}

struct stat_arg {
	fuse_ino_t	 ino;
	struct stat	*st;
	struct cdev	*refd;		/* set by find_ref */
	bool		 found;
};

static void
stat_cb(struct cdev *dev, void *arg)
{
	struct stat_arg *sa = arg;

	if (!sa->found && fs_device_ino(dev) == sa->ino) {
		if (sa->st != NULL)
			fs_device_fill_stat(dev, sa->st);
		sa->found = true;
	}
}

int
fs_device_stat(fuse_ino_t ino, struct stat *st)
{
	struct stat_arg sa = { .ino = ino, .st = st };

	dev_foreach(stat_cb, &sa);
	return (sa.found ? 0 : ENOENT);
}

static void
find_ref_cb(struct cdev *dev, void *arg)
{
	struct stat_arg *sa = arg;

	if (sa->refd == NULL && fs_device_ino(dev) == sa->ino) {
		dev_ref(dev);
		sa->refd = dev;
	}
}

/* The live device of ino, referenced; NULL if gone. */
static struct cdev *
fs_device_find_ref(fuse_ino_t ino)
{
	struct stat_arg sa = { .ino = ino };

	dev_foreach(find_ref_cb, &sa);
	return (sa.refd);
}

struct foreach_arg {
	int	(*cb)(const char *, fuse_ino_t, void *);
	void	*arg;
	int	 error;
};

static void
foreach_cb(struct cdev *dev, void *arg)
{
	struct foreach_arg *fa = arg;

	if (fa->error == 0)
		fa->error = fa->cb(devtoname(dev), fs_device_ino(dev), fa->arg);
}

int
fs_device_foreach(int (*cb)(const char *name, fuse_ino_t ino, void *arg),
    void *arg)
{
	struct foreach_arg fa = { .cb = cb, .arg = arg };

	dev_foreach(foreach_cb, &fa);
	return (fa.error);
}

/*
 * Node state.
 */

/* Find or make the node of dev and count one more open file. */
static struct fs_devnode *
fs_devnode_get(fuse_ino_t ino, struct cdev *dev)
{
	const struct dev_driver *drv;
	struct fs_devnode *dn;

	pthread_mutex_lock(&fs_devnodes_lock);
	LIST_FOREACH(dn, &fs_devnodes, dn_link)
		if (dn->dn_ino == ino && dn->dn_dev == dev)
			break;
	if (dn == NULL) {
		dn = calloc(1, sizeof(*dn));
		if (dn == NULL) {
			pthread_mutex_unlock(&fs_devnodes_lock);
			return (NULL);
		}
		dn->dn_ino = ino;
		dn->dn_dev = dev;
		dev_ref(dev);
		rcu_read_lock();
		drv = dev_driver_of(dev);
		dn->dn_access = drv != NULL ? drv->dd_map_access : NULL;
		rcu_read_unlock();
		pthread_mutex_init(&dn->dn_lock, NULL);
		RB_INIT(&dn->dn_maps);
		LIST_INIT(&dn->dn_pending);
		LIST_INSERT_HEAD(&fs_devnodes, dn, dn_link);
	}
	dn->dn_opens++;
	pthread_mutex_unlock(&fs_devnodes_lock);
	return (dn);
}

/* Give back a list of entries taken off a node.  [n] not held. */
static void
fs_map_free_list(struct fs_map *list)
{
	struct fs_map *me;

	/* vm_object_deallocate may sleep and take pager or driver locks:
	 * no node lock held here. */
	while ((me = list) != NULL) {
		list = me->me_next;
		vm_object_deallocate(me->me_obj);
		free(me);
	}
}

static void
fs_devnode_drop_maps(struct fs_devnode *dn)
{
	struct fs_map *me, *list;

	list = NULL;
	pthread_mutex_lock(&dn->dn_lock);
	while ((me = RB_MIN(fs_map_tree, &dn->dn_maps)) != NULL) {
		RB_REMOVE(fs_map_tree, &dn->dn_maps, me);
		me->me_next = list;
		list = me;
	}
	dn->dn_nmaps = 0;
	pthread_mutex_unlock(&dn->dn_lock);
	fs_map_free_list(list);
}

/* One open file less; the last one takes the mapping entries along. */
static void
fs_devnode_put(struct fs_devnode *dn)
{
	bool last;

	pthread_mutex_lock(&fs_devnodes_lock);
	last = --dn->dn_opens == 0;
	if (last)
		LIST_REMOVE(dn, dn_link);
	pthread_mutex_unlock(&fs_devnodes_lock);
	if (!last)
		return;
	KASSERT(LIST_EMPTY(&dn->dn_pending),
	    ("fs_devnode_put: entries being made on a closed node"));
	fs_devnode_drop_maps(dn);
	dev_rel(dn->dn_dev);
	pthread_mutex_destroy(&dn->dn_lock);
	free(dn);
}

/* The entry holding off, or NULL.  [n] held. */
static struct fs_map *
fs_map_search(struct fs_devnode *dn, vm_ooffset_t off)
{
	struct fs_map key, *me;

	key.me_start = off;
	me = RB_NFIND(fs_map_tree, &dn->dn_maps, &key);
	if (me != NULL && me->me_start == off)
		return (me);
	me = me != NULL ? RB_PREV(fs_map_tree, &dn->dn_maps, me) :
	    RB_MAX(fs_map_tree, &dn->dn_maps);
	if (me != NULL && off < me->me_end)
		return (me);
	return (NULL);
}

/*
 * Insert me, which holds off where no entry does, clipped to its
 * neighbours so that entries stay disjoint (another thread may have
 * mapped part of its range meanwhile).  [n] held.
 */
static void
fs_map_insert(struct fs_devnode *dn, vm_ooffset_t off, struct fs_map *me)
{
	struct fs_map key, *next, *prev;

	key.me_start = off;
	next = RB_NFIND(fs_map_tree, &dn->dn_maps, &key);
	prev = next != NULL ? RB_PREV(fs_map_tree, &dn->dn_maps, next) :
	    RB_MAX(fs_map_tree, &dn->dn_maps);
	if (prev != NULL && prev->me_end > me->me_start) {
		me->me_objoff += prev->me_end - me->me_start;
		me->me_start = prev->me_end;
	}
	if (next != NULL && next->me_start < me->me_end)
		me->me_end = next->me_start;
	KASSERT(me->me_start <= off && off < me->me_end,
	    ("fs_map_insert: %#jx clipped out of [%#jx, %#jx)",
	    (uintmax_t)off, (uintmax_t)me->me_start, (uintmax_t)me->me_end));
	RB_INSERT(fs_map_tree, &dn->dn_maps, me);
	dn->dn_nmaps++;
}

/*
 * Drop the entries that overlap [start, end) (end 0: to the end of the
 * node) and mark the entries being made for an offset in it.  No lock
 * held.
 */
static void
fs_devnode_drop_range(struct fs_devnode *dn, vm_ooffset_t start,
    vm_ooffset_t end)
{
	struct fs_map_pending *mp;
	struct fs_map key, *me, *next, *list;

	list = NULL;
	pthread_mutex_lock(&dn->dn_lock);
	LIST_FOREACH(mp, &dn->dn_pending, mp_link)
		if (mp->mp_off >= start && (end == 0 || mp->mp_off < end))
			mp->mp_retired = true;
	me = fs_map_search(dn, start);
	if (me == NULL) {
		key.me_start = start;
		me = RB_NFIND(fs_map_tree, &dn->dn_maps, &key);
	}
	for (; me != NULL && (end == 0 || me->me_start < end); me = next) {
		next = RB_NEXT(fs_map_tree, &dn->dn_maps, me);
		RB_REMOVE(fs_map_tree, &dn->dn_maps, me);
		dn->dn_nmaps--;
		me->me_next = list;
		list = me;
	}
	pthread_mutex_unlock(&dn->dn_lock);
	fs_map_free_list(list);
}

/*
 * Make the mapping entry for offset off: what mmap(2) of the device would
 * do (vm_mmap_cdev), for the largest range that works.  The device pager
 * maps the whole device at once when it is not huge; a driver with
 * d_mmap_single maps the object holding off, which may sit at a fake
 * offset (gem); /dev/mem-like devices with holes map 2 MiB chunks or, at
 * worst, the single page.  [n] not held.
 */
static int
fs_map_create(struct fs_devnode *dn, vm_ooffset_t off,
    const struct ucred *cred, struct fs_map *me)
{
	struct cdev *dev = dn->dn_dev;
	vm_ooffset_t devsize, tries[3][2];
	vm_prot_t prot;
	vm_object_t obj;
	vm_ooffset_t foff;
	int error, i, ntries;

	devsize = __atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	if (off >= devsize)
		return (ENXIO);
	prot = VM_PROT_READ;
	if ((dev->si_mode & 0222) != 0)
		prot |= VM_PROT_WRITE;
	ntries = 0;
	if (devsize <= FS_MAP_WHOLE_MAX) {
		tries[ntries][0] = 0;
		tries[ntries++][1] = devsize;
	}
	tries[ntries][0] = off & ~(vm_ooffset_t)(FS_MAP_CHUNK - 1);
	tries[ntries][1] = devsize - tries[ntries][0] < FS_MAP_CHUNK ?
	    devsize - tries[ntries][0] : FS_MAP_CHUNK;
	ntries++;
	tries[ntries][0] = trunc_page(off);
	tries[ntries++][1] = PAGE_SIZE;

	error = EINVAL;
	for (i = 0; i < ntries; i++) {
		foff = tries[i][0];
		obj = NULL;
		error = vm_mmap_cdev(dev, &foff, tries[i][1], prot, prot,
		    cred, &obj);
		if (error != 0)
			continue;
		if (foff != tries[i][0]) {
			/* The driver moved the offset: its object maps
			 * [start, start + object size) of the node. */
			me->me_start = tries[i][0] - (foff & ~(vm_ooffset_t)
			    PAGE_MASK);
			me->me_objoff = 0;
			me->me_end = me->me_start + IDX_TO_OFF(obj->size);
			if (off < me->me_start || off >= me->me_end) {
				vm_object_deallocate(obj);
				error = EINVAL;
				continue;
			}
		} else {
			me->me_start = tries[i][0];
			me->me_end = tries[i][0] + tries[i][1];
			me->me_objoff = tries[i][0];
		}
		me->me_obj = obj;
		me->me_next = NULL;
		VM_OBJECT_WLOCK(obj);
		if (obj->path[0] == '\0') {
			char path[SPECNAMELEN + 8];

			snprintf(path, sizeof(path), "dev/%s", devtoname(dev));
			vm_object_set_path(obj, path);
		}
		VM_OBJECT_WUNLOCK(obj);
		return (0);
	}
	return (error);
}

/*
 * May the open file fp use obj for prot?  The driver's per-open check
 * (dd_map_access), run with fp as the current file; fp NULL is the
 * kernel's write-back of pages it caches, which is not checked.
 */
static int
fs_map_access(struct fs_devnode *dn, struct file *fp, vm_object_t obj,
    vm_prot_t prot)
{
	struct file *saved;
	int error;

	if (dn->dn_access == NULL || fp == NULL)
		return (0);
	saved = devfs_fpop_enter(fp);
	error = dn->dn_access(dn->dn_dev, obj, prot);
	devfs_fpop_exit(saved);
	return (error);
}

/*
 * The object and object offset behind node offset off, referenced for the
 * caller (vm_object_deallocate when done), if the open file fp may use it
 * for prot (fp NULL: the kernel's write-back).  0 or errno.  [n] not
 * held.
 */
static int
fs_map_get(struct fs_devnode *dn, struct file *fp, vm_ooffset_t off,
    vm_prot_t prot, const struct ucred *cred, vm_object_t *objp,
    vm_ooffset_t *objoffp, vm_ooffset_t *endp)
{
	struct fs_map_pending pending;
	struct fs_map *me, *mp;
	vm_object_t obj;
	int error, tries;

	me = NULL;
	for (tries = 0;; tries++) {
		pthread_mutex_lock(&dn->dn_lock);
		mp = fs_map_search(dn, off);
		if (mp != NULL)
			break;
		if (tries == FS_MAP_RETRIES) {
			pthread_mutex_unlock(&dn->dn_lock);
			free(me);
			return (EIO);
		}
		/*
		 * Not mapped yet: vm_mmap_cdev may call into the driver and
		 * sleep, so run it without the node lock and insert
		 * afterwards -- unless a retire covered off meanwhile: what
		 * the driver returned may be what was retired.
		 */
		pending.mp_off = off;
		pending.mp_retired = false;
		LIST_INSERT_HEAD(&dn->dn_pending, &pending, mp_link);
		pthread_mutex_unlock(&dn->dn_lock);
		if (me == NULL && (me = malloc(sizeof(*me))) == NULL)
			error = ENOMEM;
		else {
			me->me_obj = NULL;
			error = fs_map_create(dn, off, cred, me);
		}
		TEST_HOOK("fs_map_made");
		pthread_mutex_lock(&dn->dn_lock);
		LIST_REMOVE(&pending, mp_link);
		if (error != 0) {
			pthread_mutex_unlock(&dn->dn_lock);
			free(me);
			return (error);
		}
		if (!pending.mp_retired) {
			mp = fs_map_search(dn, off);
			if (mp == NULL) {
				fs_map_insert(dn, off, me);
				mp = me;
				me = NULL;
			}
			break;		/* ours, or another thread's */
		}
		pthread_mutex_unlock(&dn->dn_lock);
		vm_object_deallocate(me->me_obj);
		me->me_obj = NULL;
	}
	obj = mp->me_obj;
	vm_object_reference(obj);
	*objoffp = mp->me_objoff + (off - mp->me_start);
	*endp = mp->me_end;
	pthread_mutex_unlock(&dn->dn_lock);
	if (me != NULL) {
		/* Lost the race to another thread's entry. */
		if (me->me_obj != NULL)
			vm_object_deallocate(me->me_obj);
		free(me);
	}
	error = fs_map_access(dn, fp, obj, prot);
	if (error != 0) {
		vm_object_deallocate(obj);
		return (error);
	}
	*objp = obj;
	return (0);
}

static void
fs_lat_record(const struct timespec *t0)
{
	struct timespec t1;
	uint64_t ns;
	unsigned b;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000000ULL +
	    (uint64_t)(t1.tv_nsec - t0->tv_nsec);
	b = ns == 0 ? 0 : 64 - (unsigned)__builtin_clzll(ns);
	if (b >= FS_LAT_BUCKETS)
		b = FS_LAT_BUCKETS - 1;
	__atomic_add_fetch(&fs_lat[b], 1, __ATOMIC_RELAXED);
}

void
fs_device_latency(uint64_t buckets[FS_LAT_BUCKETS])
{
	unsigned i;

	for (i = 0; i < FS_LAT_BUCKETS; i++)
		buckets[i] = __atomic_load_n(&fs_lat[i], __ATOMIC_RELAXED);
}

static void
fs_req_cred(fuse_req_t req, struct ucred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);

	cred->cr_uid = ctx->uid;
	cred->cr_gid = ctx->gid;
	cred->cr_pid = ctx->pid;
}

/*
 * Fault the page at object offset objoff of obj (node offset off) for
 * writing, store len bytes of buf at page offset pgoff and mark them
 * dirty.  The store is guarded (vm_phys_write): device memory backed by a
 * file that cannot hold the page fails it with ENOSPC, EDQUOT or EIO for
 * the writer, and nothing is marked dirty.  The caller holds a reference
 * on obj.  0 or errno.
 */
static int
fs_device_write_page(struct fs_devnode *dn, vm_object_t obj,
    vm_ooffset_t objoff, vm_ooffset_t off, const char *buf, size_t pgoff,
    size_t len)
{
	vm_page_t m;
	int error, rv;

	rv = vm_fault(obj, OFF_TO_IDX(objoff), VM_PROT_WRITE, dn->dn_ino, off,
	    &m);
	if (rv != KERN_SUCCESS)
		return (fs_kern_to_errno(rv));
	__atomic_add_fetch(&obj->faults, 1, __ATOMIC_RELAXED);
	error = vm_phys_write(m->phys_addr + pgoff, buf, len);
	if (error == ENXIO)
		error = EIO;	/* the window went away under us */
	if (error == 0) {
		VM_OBJECT_WLOCK(obj);
		if (m->object == obj)
			vm_page_dirty_range(m, (int)pgoff, (int)len);
		VM_OBJECT_WUNLOCK(obj);
	}
	vm_fault_unhold(m);
	return (error);
}

/*
 * Store buf at [off, end) of the node, page by page through the VM: one
 * mapping-entry lookup (and one object reference and access check for
 * fp, NULL for the kernel's write-back) per entry crossed, one vm_fault
 * per page.  0 or errno.
 */
static int
fs_device_write_range(struct fs_devnode *dn, struct file *fp,
    vm_ooffset_t off, vm_ooffset_t end, const struct ucred *cred,
    const char *buf)
{
	vm_object_t obj;
	vm_ooffset_t pos, objoff, entry_end;
	int error;

	obj = NULL;
	entry_end = 0;
	objoff = 0;
	error = 0;
	for (pos = off; pos < end && error == 0;) {
		vm_ooffset_t page = trunc_page(pos);
		size_t pgoff = pos - page;
		size_t n = PAGE_SIZE - pgoff;

		if (n > end - pos)
			n = end - pos;
		if (obj == NULL || page >= entry_end) {
			if (obj != NULL)
				vm_object_deallocate(obj);
			obj = NULL;
			error = fs_map_get(dn, fp, page, VM_PROT_WRITE, cred,
			    &obj, &objoff, &entry_end);
			if (error != 0)
				break;
		}
		error = fs_device_write_page(dn, obj, objoff, page,
		    buf + (pos - off), pgoff, n);
		objoff += PAGE_SIZE;
		pos += n;
	}
	if (obj != NULL)
		vm_object_deallocate(obj);
	return (error);
}

/* Unhold pages, then drop the object references that kept them. */
static void
fs_device_release_pages(vm_page_t *held, vm_object_t *objs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		vm_fault_unhold(held[i]);
	for (i = 0; i < n; i++)
		if (objs[i] != NULL)
			vm_object_deallocate(objs[i]);
}

/*
 * Fault the pages of [off, end) for reading on behalf of the open file fp
 * and return them held, in order, in held[] (at most as many as the range
 * has pages).  objs[i] is
 * the referenced object of held[i] for the first page of each mapping
 * entry, NULL for the others: the references keep device objects -- and
 * with them their fake pages -- alive until the pages are unheld, after
 * the reply.  On error everything taken is given back.  0 or errno.
 */
static int
fs_device_fault_range(struct fs_devnode *dn, struct file *fp,
    vm_ooffset_t off, vm_ooffset_t end, const struct ucred *cred,
    vm_page_t *held, vm_object_t *objs, unsigned *nheldp)
{
	vm_object_t obj, newobj;
	vm_ooffset_t page, objoff, entry_end;
	vm_page_t m;
	unsigned n;
	int error, rv;

	obj = newobj = NULL;
	entry_end = 0;
	objoff = 0;
	error = 0;
	n = 0;
	for (page = trunc_page(off); page < end; page += PAGE_SIZE) {
		if (obj == NULL || page >= entry_end) {
			error = fs_map_get(dn, fp, page, VM_PROT_READ, cred,
			    &obj, &objoff, &entry_end);
			if (error != 0)
				break;
			newobj = obj;
		}
		rv = vm_fault(obj, OFF_TO_IDX(objoff), VM_PROT_READ,
		    dn->dn_ino, page, &m);
		if (rv != KERN_SUCCESS) {
			if (newobj != NULL)
				vm_object_deallocate(newobj);
			error = fs_kern_to_errno(rv);
			break;
		}
		__atomic_add_fetch(&obj->faults, 1, __ATOMIC_RELAXED);
		held[n] = m;
		objs[n] = newobj;	/* the reference moves to objs[] */
		newobj = NULL;
		n++;
		objoff += PAGE_SIZE;
	}
	if (error != 0) {
		fs_device_release_pages(held, objs, n);
		n = 0;
	}
	*nheldp = n;
	return (error);
}

/*
 * Reply to a READ straight from the held pages: one iovec per run of
 * pages contiguous in the daemon's address space, so the only copy is the
 * kernel's.  The host mapping of device memory is only guaranteed inside
 * an RCU read-side section, which covers the reply.
 *
 * The kernel's copy can fail where the daemon's could fault: device
 * memory backed by a file that no longer holds a page (truncated under
 * the device, a hole on a full filesystem, a failing disk).  The writev
 * then fails with EFAULT and the kernel ends the request with EIO (the
 * application gets SIGBUS or EIO); that failure is counted and logged
 * once for the window (vm_phys_copy_failed) and returned as EIO with
 * *sentp set: the request has had its reply.  An interrupted request
 * (ENOENT) is not an error.  Without *sentp, the caller must reply.
 */
static int
fs_device_reply_pages(fuse_req_t req, vm_page_t *held, unsigned n,
    vm_ooffset_t off, vm_ooffset_t end, struct iovec *iov, bool *sentp)
{
	vm_ooffset_t page;
	unsigned i, niov;
	char *host;
	size_t pgoff, len;
	int error, rv;

	niov = 0;
	error = 0;
	*sentp = false;
	rcu_read_lock();
	for (i = 0, page = trunc_page(off); i < n; i++, page += PAGE_SIZE) {
		host = vm_phys_to_host(held[i]->phys_addr);
		if (host == NULL) {
			error = EIO;	/* the window went away */
			break;
		}
		pgoff = page < off ? off - page : 0;
		len = (end - page < PAGE_SIZE ? end - page : PAGE_SIZE) - pgoff;
		if (niov > 0 && (char *)iov[niov - 1].iov_base +
		    iov[niov - 1].iov_len == host + pgoff)
			iov[niov - 1].iov_len += len;
		else {
			iov[niov].iov_base = host + pgoff;
			iov[niov].iov_len = len;
			niov++;
		}
	}
	if (error == 0) {
		rv = fuse_reply_iov(req, iov, (int)niov);
		*sentp = true;
		if (rv == -EFAULT) {
			vm_phys_copy_failed(held[0]->phys_addr,
			    (vm_size_t)n * PAGE_SIZE);
			error = EIO;
		}
	}
	rcu_read_unlock();
	return (error);
}

void
fs_device_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_devnode *dn;
	struct cdev *dev;
	struct file *fp;
	struct ucred cred;
	int error;

	dev = fs_device_find_ref(ino);
	if (dev == NULL) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fs_req_cred(req, &cred);
	error = devfs_open(dev, fi->flags, &cred, &fp);
	if (error != 0) {
		dev_rel(dev);
		fuse_reply_err(req, error);
		return;
	}
	dn = fs_devnode_get(ino, dev);
	dev_rel(dev);
	if (dn == NULL) {
		devfs_close(fp);
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fp->f_fsdata = dn;
	fi->fh = (uintptr_t)fp;
	/*
	 * Write-back devices keep their pages cached across opens (without
	 * it any open, even a shell cat, would zap every process's
	 * mappings).  Uncached, write-through and write-combining devices
	 * see fresh memory at every open, and their served pages are
	 * dropped FS_UNCACHED_LINGER_MS after being faulted.
	 */
	fi->keep_cache = __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED) ==
	    VM_MEMATTR_WRITE_BACK;
	fi->direct_io = 0;
	if (fuse_reply_open(req, fi) != 0) {
		/* The open was interrupted: undo it. */
		fp->f_fsdata = NULL;
		devfs_close(fp);
		fs_devnode_put(dn);
	}
}

void
fs_device_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	vm_page_t held_stack[FS_READ_STACK_PAGES], *held;
	vm_object_t objs_stack[FS_READ_STACK_PAGES], *objs;
	struct iovec iov_stack[FS_READ_STACK_PAGES], *iov;
	bool sent, uncached;
	struct timespec t0;
	struct ucred cred;
	vm_ooffset_t devsize, end;
	unsigned npages, nheld;
	int error;

	FS_STAT_INC(reads);
	devsize = __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED);
	if (off < 0 || (vm_ooffset_t)off >= devsize || size == 0) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	end = (vm_ooffset_t)off + size;
	if (end > devsize)
		end = devsize;
	npages = (unsigned)((round_page(end) - trunc_page((vm_ooffset_t)off)) /
	    PAGE_SIZE);
	if (npages <= FS_READ_STACK_PAGES) {
		held = held_stack;
		objs = objs_stack;
		iov = iov_stack;
	} else {
		held = malloc(npages * sizeof(*held));
		objs = malloc(npages * sizeof(*objs));
		iov = malloc(npages * sizeof(*iov));
		if (held == NULL || objs == NULL || iov == NULL) {
			free(held);
			free(objs);
			free(iov);
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	/*
	 * Everything the request needs from the node is read before the
	 * reply: once the kernel has the data, the application may close
	 * the file and RELEASE may free the node on another thread.
	 */
	uncached = __atomic_load_n(&dn->dn_dev->si_memattr, __ATOMIC_RELAXED) !=
	    VM_MEMATTR_WRITE_BACK;
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	error = fs_device_fault_range(dn, fp, (vm_ooffset_t)off, end, &cred,
	    held, objs, &nheld);
	curthread->td_ucred = NULL;
	fs_lat_record(&t0);
	sent = false;
	if (error == 0) {
		error = fs_device_reply_pages(req, held, nheld,
		    (vm_ooffset_t)off, end, iov, &sent);
		fs_device_release_pages(held, objs, nheld);
	}
	if (error != 0) {
		/*
		 * Never a short read inside the file: the kernel would take
		 * it for the end of the file and shrink the page cache under
		 * every mapper.  The application gets SIGBUS (or EIO).  A
		 * reply the kernel could not take was answered with EIO by
		 * the kernel itself.
		 */
		FS_STAT_INC(fault_errors);
		if (!sent)
			fuse_reply_err(req, error);
	} else {
		FS_STAT_ADD(faults, nheld);
		if (uncached)
			fs_inval_enqueue_after(ino, trunc_page((vm_ooffset_t)
			    off), round_page(end) - trunc_page((vm_ooffset_t)
			    off), FS_UNCACHED_LINGER_MS);
	}
	if (held != held_stack) {
		free(held);
		free(objs);
		free(iov);
	}
}

void
fs_device_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
    off_t off, struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	struct ucred cred;
	vm_ooffset_t devsize, end;
	int error;

	FS_STAT_INC(writes);
	devsize = __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED);
	if (off < 0 || (vm_ooffset_t)off >= devsize) {
		fuse_reply_err(req, size == 0 ? 0 : ENOSPC);
		return;
	}
	end = (vm_ooffset_t)off + size;
	if (end > devsize)
		end = devsize;	/* a write never extends a device */
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	/*
	 * A write(2) is checked against its open file; the kernel's
	 * write-back of cached pages (writepage) may come on any open of the
	 * node and is not.
	 */
	error = fs_device_write_range(dn, fi->writepage ? NULL : fp,
	    (vm_ooffset_t)off, end, &cred, buf);
	curthread->td_ucred = NULL;
	if (error != 0) {
		FS_STAT_INC(fault_errors);
		fuse_reply_err(req, error);
		/*
		 * The kernel copied a refused write(2) into any page it caches
		 * there before asking: drop those pages, so that nobody's
		 * mapping keeps the refused bytes.
		 */
		if (error == EACCES)
			fs_inval_enqueue(ino, trunc_page((vm_ooffset_t)off),
			    round_page(end) - trunc_page((vm_ooffset_t)off));
	} else
		fuse_reply_write(req, end - (vm_ooffset_t)off);
}

/*
 * The kernel has written the dirty pages back (WRITE) before it asks;
 * make the device's file-backed memory durable.  A failure -- msync's
 * (EIO, ENOSPC), or EIO for a backing file truncated under the device --
 * reaches the caller of fsync(2); the window layer counts and logs it.
 */
void
fs_device_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;
	int error;

	(void)ino;
	(void)datasync;
	error = dev_sync(dn->dn_dev, 0,
	    __atomic_load_n(&dn->dn_dev->si_size, __ATOMIC_RELAXED));
	fuse_reply_err(req, error);
}

void
fs_device_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct fs_devnode *dn = fp->f_fsdata;

	(void)ino;
	devfs_close(fp);
	fs_devnode_put(dn);
	fuse_reply_err(req, 0);
}

void
fs_device_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
    struct fuse_file_info *fi, unsigned flags, const void *in_buf,
    size_t in_bufsz, size_t out_bufsz)
{
	struct file *fp = (struct file *)(uintptr_t)fi->fh;
	struct ucred cred;
	void *out;
	int error;

	(void)ino;
	if ((flags & FUSE_IOCTL_COMPAT) != 0) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	/*
	 * Restricted ioctls: the kernel copied _IOC_SIZE(cmd) bytes in for
	 * _IOC_WRITE and takes as many back for _IOC_READ; arg is the
	 * caller's argument value, which _IO commands get (FreeBSD's
	 * sys_ioctl, devfs_ioctl_user()).
	 */
	out = NULL;
	if (out_bufsz > 0 && (out = malloc(out_bufsz)) == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fs_req_cred(req, &cred);
	curthread->td_ucred = &cred;
	error = devfs_ioctl_user(fp, cmd, (uintptr_t)arg, in_buf, in_bufsz,
	    out, out_bufsz);
	curthread->td_ucred = NULL;
	if (error != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_ioctl(req, 0, out, out_bufsz);
	free(out);
}

struct fs_devnode *
fs_device_node_open(struct cdev *dev)
{

	return (fs_devnode_get(fs_device_ino(dev), dev));
}

void
fs_device_node_close(struct fs_devnode *dn)
{

	fs_devnode_put(dn);
}

int
fs_device_node_resolve(struct fs_devnode *dn, struct file *fp,
    vm_ooffset_t off, vm_prot_t prot, vm_object_t *objp,
    vm_ooffset_t *objoffp)
{
	vm_ooffset_t end;

	return (fs_map_get(dn, fp, off, prot, &kernel_cred, objp, objoffp,
	    &end));
}

unsigned long
fs_device_node_nmaps(struct fs_devnode *dn)
{
	unsigned long n;

	pthread_mutex_lock(&dn->dn_lock);
	n = dn->dn_nmaps;
	pthread_mutex_unlock(&dn->dn_lock);
	return (n);
}

void
fs_device_retire(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
    dev_retire_done_t *done, void *arg)
{
	struct fs_devnode *dn;

	/* The node, if open, held like an open file while we work on it. */
	pthread_mutex_lock(&fs_devnodes_lock);
	LIST_FOREACH(dn, &fs_devnodes, dn_link)
		if (dn->dn_dev == dev)
			break;
	if (dn != NULL)
		dn->dn_opens++;
	pthread_mutex_unlock(&fs_devnodes_lock);
	if (dn != NULL) {
		fs_devnode_drop_range(dn, off, len == 0 ? 0 : off + len);
		fs_devnode_put(dn);
	}
	if (done != NULL)
		fs_inval_enqueue_done(fs_device_ino(dev), off, len, done, arg);
	else
		fs_inval_enqueue(fs_device_ino(dev), off, len);
}

void
fs_device_revoke(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	fs_inval_enqueue(fs_device_ino(dev), off, len);
}

void
fs_device_pmap_unmap(uint64_t key, vm_ooffset_t off, vm_size_t len,
    void *arg)
{
	(void)arg;
	fs_inval_enqueue((fuse_ino_t)key, off, len);
}
