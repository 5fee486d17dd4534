/*
 * The table of vm/ files.
 */
#include "config.h"

#include <string.h>

#include "fuse/fs_node.h"
#include "fuse/fs_vfile.h"

const struct fs_vfile fs_vm_files[] = {
	{ .vf_name = "stats", .vf_ino = 19, .vf_mode = 0444,
	  .vf_generate = fs_stats_generate },
	{ .vf_name = NULL }
};

const struct fs_vfile *
fs_vfile_by_ino(fuse_ino_t ino)
{
	const struct fs_vfile *vf;

	for (vf = fs_vm_files; vf->vf_name != NULL; vf++)
		if (vf->vf_ino == ino)
			return (vf);
	return (NULL);
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
