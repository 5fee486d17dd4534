/*
 * The vm/ tree: the table of its fixed files, and the generated files of
 * vm/object/<ID>/ and vm/fail/<point>.
 */
#include "config.h"

#include <string.h>

#include "fuse/fs_node.h"
#include "fuse/fs_vfile.h"
#include "fuse/fs_vm.h"

const struct fs_vfile fs_vm_files[] = {
	{ .vf_name = "objects", .vf_ino = 16, .vf_mode = 0444,
	  .vf_generate = fs_vm_objects_generate },
	{ .vf_name = "devices", .vf_ino = 17, .vf_mode = 0444,
	  .vf_generate = fs_vm_devices_generate },
	{ .vf_name = "phys", .vf_ino = 18, .vf_mode = 0444,
	  .vf_generate = fs_vm_phys_generate },
	{ .vf_name = "stats", .vf_ino = 19, .vf_mode = 0444,
	  .vf_generate = fs_stats_generate },
	{ .vf_name = "swap", .vf_ino = 20, .vf_mode = 0444,
	  .vf_generate = fs_vm_swap_generate },
	{ .vf_name = "ctl", .vf_ino = 21, .vf_mode = 0644,
	  .vf_write = fs_vm_ctl_write },
	{ .vf_name = NULL }
};

static const struct fs_vfile fs_obj_info = {
	.vf_name = "info", .vf_mode = 0444,
	.vf_generate = fs_vm_object_info_generate,
};
static const struct fs_vfile fs_obj_pages = {
	.vf_name = "pages", .vf_mode = 0444,
	.vf_generate = fs_vm_object_pages_generate,
};
static const struct fs_vfile fs_fail_file = {
	.vf_name = "fail", .vf_mode = 0644,
	.vf_generate = fs_vm_fail_generate, .vf_write = fs_vm_fail_write,
};

const struct fs_vfile *
fs_vfile_by_ino(fuse_ino_t ino)
{
	const struct fs_vfile *vf;

	switch (fs_node_kind(ino)) {
	case FS_NODE_VFILE:
		for (vf = fs_vm_files; vf->vf_name != NULL; vf++)
			if (vf->vf_ino == ino)
				return (vf);
		return (NULL);
	case FS_NODE_OBJFILE:
		if ((ino & 3) == FS_OBJ_INFO)
			return (&fs_obj_info);
		if ((ino & 3) == FS_OBJ_PAGES)
			return (&fs_obj_pages);
		return (NULL);
	case FS_NODE_FAIL:
		return (&fs_fail_file);
	default:
		return (NULL);
	}
}

const struct fs_vfile *
fs_vfile_by_name(const char *name)
{
	const struct fs_vfile *vf;

	for (vf = fs_vm_files; vf->vf_name != NULL; vf++)
		if (strcmp(vf->vf_name, name) == 0)
			return (vf);
	return (NULL);
}
