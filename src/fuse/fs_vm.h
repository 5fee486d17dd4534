/*
 * Generators and handlers of the vm/ inspection tree (one file each
 * concern: fs_vm_objects.c, fs_vm_misc.c, fs_vm_fail.c, fs_stats.c).
 */
#ifndef _FUSE_FS_VM_H_
#define _FUSE_FS_VM_H_

#include <stdbool.h>
#include <stdint.h>
#include <fuse_lowlevel.h>

#include "kern/sbuf.h"
#include "kern/ucred.h"
#include "vm/vm.h"

const char *fs_vm_type_code(objtype_t type);

int	fs_vm_objects_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_object_info_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_object_pages_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_object_foreach(int (*cb)(uint64_t id, void *arg), void *arg);
bool	fs_vm_object_exists(uint64_t id);

int	fs_vm_devices_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_phys_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_swap_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_ctl_write(fuse_ino_t ino, const char *buf, size_t len,
	    const struct ucred *cred, struct sbuf *reply);

/* vm/fail/<point>: the n-th point in sorted order has inode
 * FS_INO_FAIL + n. */
int	fs_vm_fail_lookup(const char *name, fuse_ino_t *inop);
int	fs_vm_fail_name(fuse_ino_t ino, char *buf, size_t len);
int	fs_vm_fail_foreach(int (*cb)(const char *name, fuse_ino_t ino,
	    void *arg), void *arg);
int	fs_vm_fail_generate(struct sbuf *sb, fuse_ino_t ino);
int	fs_vm_fail_write(fuse_ino_t ino, const char *buf, size_t len,
	    const struct ucred *cred, struct sbuf *reply);

#endif /* !_FUSE_FS_VM_H_ */
