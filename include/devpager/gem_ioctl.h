/*
 * The ioctl interface of devpagerfs gem devices (MNT/dev/gemN), for
 * applications.  See devpagerfs_gem(4).
 *
 * A gem device is one file whose size is DEVPAGER_GEM_NODE_SIZE: a space
 * of fake offsets.  Every buffer object (BO) created on it sits at its
 * own page-aligned offset, chosen at random in that space and returned by
 * DEVPAGER_GEM_IOC_CREATE, and is mapped with
 *
 *	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
 *
 * Handles belong to the open file description that got them (as in
 * DRM): another open(2) of the node can neither name, inspect, move,
 * destroy nor fault the buffer, unless it is given the buffer's global
 * name (DEVPAGER_GEM_IOC_FLINK, then DEVPAGER_GEM_IOC_OPEN) or the
 * descriptor itself (fork, dup, SCM_RIGHTS keep the open).
 *
 * The ioctls use the restricted (fixed-size) encoding FUSE supports:
 * every argument is one of the structures below, copied in and out
 * whole.  Reserved fields must be zero (EINVAL otherwise).  Create and
 * move need the file open for writing (EBADF otherwise).
 */
#ifndef _DEVPAGER_GEM_IOCTL_H_
#define _DEVPAGER_GEM_IOCTL_H_

#include <stdint.h>
#include <sys/ioctl.h>

/*
 * Bumped when a structure or a command changes incompatibly.  2: handles
 * per open file, random offsets, FLINK and OPEN.
 */
#define	DEVPAGER_GEM_IOCTL_VERSION	2

/*
 * Size of the node, the lowest offset a buffer object gets, and the
 * alignment of every buffer object's offset (a page).
 */
#define	DEVPAGER_GEM_NODE_SIZE		(1ULL << 62)
#define	DEVPAGER_GEM_OFFSET_MIN		(2ULL << 20)
#define	DEVPAGER_GEM_OFFSET_ALIGN	4096ULL

/* Placements. */
#define	DEVPAGER_GEM_VRAM		1	/* device memory (WC) */
#define	DEVPAGER_GEM_SYSTEM		2	/* RAM, charged to the creator */

struct devpager_gem_create {
	uint64_t	size;		/* in: bytes; out: rounded to pages */
	uint32_t	placement;	/* in: DEVPAGER_GEM_VRAM or _SYSTEM */
	uint32_t	flags;		/* in: 0 */
	uint32_t	handle;		/* out: in this open's table */
	uint32_t	pad;		/* 0 */
	uint64_t	offset;		/* out: the offset to mmap */
};

/* Close this open's handle; the last handle destroys the buffer. */
struct devpager_gem_destroy {
	uint32_t	handle;		/* in */
	uint32_t	pad;		/* 0 */
};

struct devpager_gem_move {
	uint32_t	handle;		/* in */
	uint32_t	placement;	/* in: the new placement */
};

struct devpager_gem_info {
	uint32_t	handle;		/* in */
	uint32_t	placement;	/* out */
	uint64_t	size;		/* out: bytes */
	uint64_t	offset;		/* out */
	uint64_t	last_use;	/* out: LRU clock of the last use */
	uint64_t	object_id;	/* out: ID in MNT/vm/objects */
};

/* The buffer's global name (made on the first FLINK, then the same). */
struct devpager_gem_flink {
	uint32_t	handle;		/* in */
	uint32_t	pad;		/* 0 */
	uint64_t	name;		/* out: 1 .. 2^63 - 1 */
};

/* A new handle, in this open's table, for the buffer called name. */
struct devpager_gem_open {
	uint64_t	name;		/* in */
	uint32_t	handle;		/* out */
	uint32_t	pad;		/* 0 */
	uint64_t	size;		/* out: bytes */
	uint64_t	offset;		/* out */
};

#define	DEVPAGER_GEM_IOC_CREATE	_IOWR('G', 1, struct devpager_gem_create)
#define	DEVPAGER_GEM_IOC_DESTROY _IOWR('G', 2, struct devpager_gem_destroy)
#define	DEVPAGER_GEM_IOC_MOVE	_IOWR('G', 3, struct devpager_gem_move)
#define	DEVPAGER_GEM_IOC_INFO	_IOWR('G', 4, struct devpager_gem_info)
#define	DEVPAGER_GEM_IOC_FLINK	_IOWR('G', 5, struct devpager_gem_flink)
#define	DEVPAGER_GEM_IOC_OPEN	_IOWR('G', 6, struct devpager_gem_open)

#endif /* !_DEVPAGER_GEM_IOCTL_H_ */
