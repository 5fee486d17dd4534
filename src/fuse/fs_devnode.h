/*
 * The nodes of dev/<name> while they are open.  A node lives from the
 * first open of dev/<name> to the last release, and embeds the VM map of
 * the node (vm_map.h): which object backs each range of its offsets.
 * Mapping state is per node, never per open file: the kernel shares one
 * page cache between all opens and may send writeback on any of them.
 * A driver that retires a range (dev_retire_range: a gem buffer
 * destroyed) has the map's entries there deleted and the kernel's cache
 * of the range invalidated.
 *
 * The node also carries what the prefault layer (fs_prefault.h) must
 * know to push pages into the kernel's cache safely: how many open files
 * may write, whether a push is under way, and the opens waiting for it.
 *
 * Locks used to protect struct members in this file:
 *	[t]	the node table mutex
 *	[p]	dn_pf_lock (a leaf)
 *	(c)	constant while the node exists
 */
#ifndef _FUSE_FS_DEVNODE_H_
#define _FUSE_FS_DEVNODE_H_

#include <pthread.h>
#include <stdbool.h>
#include <sys/queue.h>
#include <fuse_lowlevel.h>

#include "vm/vm.h"
#include "vm/vm_map.h"

struct cdev;
struct file;
struct fs_pf_waiter;

struct fs_devnode {
	LIST_ENTRY(fs_devnode) dn_link;	/* [t] */
	fuse_ino_t	 dn_ino;	/* (c) */
	struct cdev	*dn_dev;	/* (c) referenced */
	unsigned	 dn_opens;	/* [t] open files (and retires
					   running on the node) */
	struct vm_map	 dn_map;	/* its own lock */
	pthread_mutex_t	 dn_pf_lock;
	unsigned	 dn_writers;	/* [p] open files that may write */
	bool		 dn_storing;	/* [p] a push is under way */
	struct fs_pf_waiter *dn_waiters; /* [p] opens replied after it */
	vm_ooffset_t	 dn_around_start; /* [p] the last window around */
	vm_ooffset_t	 dn_around_end;	/* [p] */
	vm_size_t	 dn_around_size; /* [p] its size (grows) */
};

/* The inode number of dev/<name>. */
fuse_ino_t fs_device_ino(const struct cdev *dev);

/* Find or make the node of dev and count one more open file (NULL: no
 * memory). */
struct fs_devnode *fs_devnode_get(fuse_ino_t ino, struct cdev *dev);
/* How many open files (and holds) the node has now. */
unsigned fs_devnode_opens(struct fs_devnode *dn);
/* Count one more user of a node the caller has (as an open file does). */
void	fs_devnode_hold(struct fs_devnode *dn);
/* One open file less; the last one takes the map along. */
void	fs_devnode_put(struct fs_devnode *dn);
/* Drop every node (shutdown). */
void	fs_devnode_fini(void);

/*
 * The revoke hook of dev_driver.h: invalidate the kernel's cache of the
 * node for [off, off + len) (len 0: everything).
 */
void	fs_device_revoke(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
/*
 * The retire hook of dev_driver.h: delete the node's map entries in
 * [off, off + len) (len 0: all), invalidate the kernel's cache of the
 * range, then call done(arg).
 */
void	fs_device_retire(struct cdev *dev, vm_ooffset_t off, vm_size_t len,
	    void (*done)(void *), void *arg);
/* The pmap unmap callback: key is the node's inode number. */
void	fs_device_pmap_unmap(uint64_t key, vm_ooffset_t off, vm_size_t len,
	    void *arg);

/*
 * The node layer without a FUSE request, for tests: node_open/close count
 * one open file of dev's node as fs_device_open/release do; node_resolve
 * finds what a READ (prot VM_PROT_READ) or a write(2) (VM_PROT_WRITE) on
 * the open file fp (NULL: the kernel's write-back) at node offset off
 * would fault -- the object, referenced, and the offset in it -- making
 * the map entry if needed (vm_map_lookup); node_nmaps counts the node's
 * entries.
 */
struct fs_devnode *fs_device_node_open(struct cdev *dev);
void	fs_device_node_close(struct fs_devnode *dn);
int	fs_device_node_resolve(struct fs_devnode *dn, struct file *fp,
	    vm_ooffset_t off, vm_prot_t prot, vm_object_t *objp,
	    vm_ooffset_t *objoffp);
unsigned long fs_device_node_nmaps(struct fs_devnode *dn);

#endif /* !_FUSE_FS_DEVNODE_H_ */
