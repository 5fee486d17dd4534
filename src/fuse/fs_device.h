/*
 * dev/<name>: device nodes served through the VM.
 *
 * A READ or WRITE on (node, offset) goes through the node's map
 * (fs_devnode.h, vm_map.h): vm_map_hold_range() faults the pages of a
 * READ and hands them back held, the reply is sent straight from them;
 * vm_map_write() stores a WRITE.  What an open may use is the driver's
 * business (dd_map_access, asked for every READ and write(2) with the
 * request's open file; a mapping's faults arrive on the mapping's file).
 */
#ifndef _FUSE_FS_DEVICE_H_
#define _FUSE_FS_DEVICE_H_

#include <stdint.h>
#include <sys/stat.h>
#include <fuse_lowlevel.h>

#include "vm/vm.h"
#include "fuse/fs_devnode.h"

struct cdev;

void	fs_device_init(void);
/* Drop every node's mapping entries (shutdown). */
void	fs_device_fini(void);

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

/* How long served pages of non-write-back devices stay cached (ms). */
#define	FS_UNCACHED_LINGER_MS	100

#endif /* !_FUSE_FS_DEVICE_H_ */
