/*
 * The open nodes of dev/<name> and the hooks drivers reach them through
 * (see fs_devnode.h).
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/ucred.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "fuse/fs_devnode.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_node.h"

/*
 * The open nodes, hashed by node number (the device's si_id: consecutive
 * numbers fall in consecutive buckets), so that an open among thousands
 * of mapped devices finds its node without a walk.
 */
#define	FS_DEVNODE_BUCKETS	4096	/* a power of two */

static pthread_mutex_t fs_devnodes_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(fs_devnode_list, fs_devnode)
    fs_devnodes[FS_DEVNODE_BUCKETS];			/* [t] */

static struct fs_devnode_list *
fs_devnode_bucket(fuse_ino_t ino)
{

	return (&fs_devnodes[ino & (FS_DEVNODE_BUCKETS - 1)]);
}

fuse_ino_t
fs_device_ino(const struct cdev *dev)
{

	return (FS_INO_DEVICE + dev->si_id);
}

static void
fs_devnode_free(struct fs_devnode *dn)
{

	KASSERT(dn->dn_waiters == NULL && !dn->dn_storing,
	    ("fs_devnode_free: a prefault still under way"));
	vm_map_fini(&dn->dn_map);
	pthread_mutex_destroy(&dn->dn_pf_lock);
	dev_rel(dn->dn_dev);
	free(dn);
}

void
fs_devnode_fini(void)
{
	struct fs_devnode *dn;
	size_t b;

	pthread_mutex_lock(&fs_devnodes_lock);
	for (b = 0; b < FS_DEVNODE_BUCKETS; b++)
		while ((dn = LIST_FIRST(&fs_devnodes[b])) != NULL) {
			LIST_REMOVE(dn, dn_link);
			pthread_mutex_unlock(&fs_devnodes_lock);
			fs_devnode_free(dn);
			pthread_mutex_lock(&fs_devnodes_lock);
		}
	pthread_mutex_unlock(&fs_devnodes_lock);
}

struct fs_devnode *
fs_devnode_get(fuse_ino_t ino, struct cdev *dev)
{
	const struct dev_driver *drv;
	struct fs_devnode *dn;
	vm_map_access_t *access;

	pthread_mutex_lock(&fs_devnodes_lock);
	LIST_FOREACH(dn, fs_devnode_bucket(ino), dn_link)
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
		access = drv != NULL ? drv->dd_map_access : NULL;
		rcu_read_unlock();
		vm_map_init(&dn->dn_map, dev, ino, access);
		pthread_mutex_init(&dn->dn_pf_lock, NULL);
		LIST_INSERT_HEAD(fs_devnode_bucket(ino), dn, dn_link);
	}
	dn->dn_opens++;
	pthread_mutex_unlock(&fs_devnodes_lock);
	return (dn);
}

unsigned
fs_devnode_opens(struct fs_devnode *dn)
{
	unsigned n;

	pthread_mutex_lock(&fs_devnodes_lock);
	n = dn->dn_opens;
	pthread_mutex_unlock(&fs_devnodes_lock);
	return (n);
}

void
fs_devnode_hold(struct fs_devnode *dn)
{

	pthread_mutex_lock(&fs_devnodes_lock);
	KASSERT(dn->dn_opens > 0, ("fs_devnode_hold: node not held"));
	dn->dn_opens++;
	pthread_mutex_unlock(&fs_devnodes_lock);
}

void
fs_devnode_put(struct fs_devnode *dn)
{
	bool last;

	pthread_mutex_lock(&fs_devnodes_lock);
	last = --dn->dn_opens == 0;
	if (last)
		LIST_REMOVE(dn, dn_link);
	pthread_mutex_unlock(&fs_devnodes_lock);
	if (last)
		fs_devnode_free(dn);
}

void
fs_device_retire(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
    dev_retire_done_t *done, void *arg)
{
	struct fs_devnode *dn;

	/* The node, if open, held like an open file while we work on it. */
	pthread_mutex_lock(&fs_devnodes_lock);
	LIST_FOREACH(dn, fs_devnode_bucket(fs_device_ino(dev)), dn_link)
		if (dn->dn_dev == dev)
			break;
	if (dn != NULL)
		dn->dn_opens++;
	pthread_mutex_unlock(&fs_devnodes_lock);
	if (dn != NULL) {
		(void)vm_map_delete(&dn->dn_map, off, len == 0 ? 0 : off + len);
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

	return (vm_map_lookup(&dn->dn_map, fp, off, prot, &kernel_cred, objp,
	    objoffp, &end));
}

unsigned long
fs_device_node_nmaps(struct fs_devnode *dn)
{

	return (vm_map_count(&dn->dn_map));
}
