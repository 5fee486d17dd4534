/*
 * Inode numbers of the mounted tree.  Numbers are computed, not allocated:
 * the fixed directories and vm/ files have small constants, and the
 * dynamic parts encode what they name, so a number always means the same
 * thing for the life of the mount and no table has to be kept in step with
 * the kernel's lookup counts.
 *
 *	1			/
 *	2			dev/
 *	3			vm/
 *	4			vm/object/
 *	5			vm/fail/
 *	16..63			vm/ files (objects, devices, phys, stats, swap,
 *				ctl)
 *	FS_INO_DEVICE + unit	dev/<name> (unit: the cdev's unique unit)
 *	FS_INO_FAIL + n		vm/fail/<n-th fail point in sorted order>
 *	FS_INO_OBJECT | id<<2 | k  vm/object/<id>/ (k 0), info (1), pages (2)
 */
#ifndef _FUSE_FS_NODE_H_
#define _FUSE_FS_NODE_H_

#include <stdint.h>
#include <fuse_lowlevel.h>

#define	FS_INO_ROOT		1
#define	FS_INO_DEV		2
#define	FS_INO_VM		3
#define	FS_INO_VM_OBJECT	4
#define	FS_INO_VM_FAIL		5
#define	FS_INO_VFILE_MIN	16
#define	FS_INO_VFILE_MAX	63
#define	FS_INO_DEVICE		(1ULL << 32)
#define	FS_INO_FAIL		(2ULL << 32)
#define	FS_INO_OBJECT		(1ULL << 48)

#define	FS_OBJ_DIR		0
#define	FS_OBJ_INFO		1
#define	FS_OBJ_PAGES		2

enum fs_node_kind {
	FS_NODE_NONE = 0,
	FS_NODE_DIR,		/* a fixed directory */
	FS_NODE_VFILE,		/* a file of vm/ */
	FS_NODE_DEVICE,		/* dev/<name> */
	FS_NODE_FAIL,		/* vm/fail/<point> */
	FS_NODE_OBJDIR,		/* vm/object/<id>/ */
	FS_NODE_OBJFILE,	/* vm/object/<id>/{info,pages} */
};

static inline enum fs_node_kind
fs_node_kind(fuse_ino_t ino)
{
	if (ino >= FS_INO_ROOT && ino <= FS_INO_VM_FAIL)
		return (FS_NODE_DIR);
	if (ino >= FS_INO_VFILE_MIN && ino <= FS_INO_VFILE_MAX)
		return (FS_NODE_VFILE);
	if (ino >= FS_INO_OBJECT)
		return ((ino & 3) == FS_OBJ_DIR ? FS_NODE_OBJDIR :
		    FS_NODE_OBJFILE);
	if (ino >= FS_INO_FAIL && ino < FS_INO_FAIL + (1ULL << 32))
		return (FS_NODE_FAIL);
	if (ino >= FS_INO_DEVICE && ino < FS_INO_DEVICE + (1ULL << 32))
		return (FS_NODE_DEVICE);
	return (FS_NODE_NONE);
}

static inline fuse_ino_t
fs_ino_object(uint64_t id, unsigned kind)
{
	return (FS_INO_OBJECT | (id << 2) | kind);
}

static inline uint64_t
fs_ino_object_id(fuse_ino_t ino)
{
	return ((ino & ~FS_INO_OBJECT) >> 2);
}

#endif /* !_FUSE_FS_NODE_H_ */
