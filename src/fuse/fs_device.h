/*
 * dev/<name>: device nodes served through the VM.
 *
 * A READ or WRITE on (node, offset) finds the node's mapping entry for that
 * offset -- created on the first fault there with vm_mmap_cdev(): the
 * driver's d_mmap_single object or the device pager's object -- and faults
 * each page through vm_fault().  Entries and their object references live
 * until the node's last open file is released, or until the driver
 * retires their range (dev_retire_range: a gem buffer destroyed).
 * Mapping state is per node, never per open file: the kernel shares one
 * page cache between all opens and may send writeback on any of them.
 * What an open may use is the driver's business (dd_map_access, asked
 * for every READ and write(2) with the request's open file; a mapping's
 * faults arrive on the mapping's file).
 *
 * Locks used to protect struct members in this file:
 *	[t]	the node table mutex
 *	[n]	fs_devnode.dn_lock
 *	(c)	constant while the node exists
 */
#ifndef _FUSE_FS_DEVICE_H_
#define _FUSE_FS_DEVICE_H_

#include <stdint.h>
#include <sys/stat.h>
#include <fuse_lowlevel.h>

#include "vm/vm.h"

struct cdev;

void	fs_device_init(void);
/* Drop every node's mapping entries (shutdown). */
void	fs_device_fini(void);

fuse_ino_t fs_device_ino(const struct cdev *dev);
/* Fill st for dev/<name> or its inode; 0 or ENOENT. */
int	fs_device_lookup(const char *name, fuse_ino_t *inop, struct stat *st);
int	fs_device_stat(fuse_ino_t ino, struct stat *st);
/* Call cb for every device node (inside an RCU read-side section). */
int	fs_device_foreach(int (*cb)(const char *name, fuse_ino_t ino,
	    void *arg), void *arg);

void	fs_device_open(fuse_req_t req, fuse_ino_t ino,
	    struct fuse_file_info *fi);
void	fs_device_read(fuse_req_t req, fuse_ino_t ino, size_t size,
	    off_t off, struct fuse_file_info *fi);
void	fs_device_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
	    size_t size, off_t off, struct fuse_file_info *fi);
void	fs_device_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
	    struct fuse_file_info *fi);
void	fs_device_release(fuse_req_t req, fuse_ino_t ino,
	    struct fuse_file_info *fi);
void	fs_device_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
	    void *arg, struct fuse_file_info *fi, unsigned flags,
	    const void *in_buf, size_t in_bufsz, size_t out_bufsz);

/*
 * The revoke hook of dev_driver.h: invalidate the kernel's cache of the
 * node for [off, off + len) (len 0: everything).
 */
void	fs_device_revoke(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
/*
 * The retire hook of dev_driver.h: drop the node's mapping entries in
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
 * the mapping entry if needed; node_nmaps counts the node's entries.
 * Test hook "fs_map_made": after the driver made an entry, before it is
 * inserted.
 */
struct fs_devnode;
struct file;
struct fs_devnode *fs_device_node_open(struct cdev *dev);
void	fs_device_node_close(struct fs_devnode *dn);
int	fs_device_node_resolve(struct fs_devnode *dn, struct file *fp,
	    vm_ooffset_t off, vm_prot_t prot, vm_object_t *objp,
	    vm_ooffset_t *objoffp);
unsigned long fs_device_node_nmaps(struct fs_devnode *dn);

/* How long served pages of non-write-back devices stay cached (ms). */
#define	FS_UNCACHED_LINGER_MS	100

/* Fault latency histogram for vm/stats (log2 buckets of nanoseconds). */
#define	FS_LAT_BUCKETS	40
void	fs_device_latency(uint64_t buckets[FS_LAT_BUCKETS]);

#endif /* !_FUSE_FS_DEVICE_H_ */
