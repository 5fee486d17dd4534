/*
 * vm/devices, vm/phys, vm/swap and vm/ctl.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/refcount.h"
#include "kern/size.h"
#include "dev/dev_driver.h"
#include "vm/vm_phys.h"
#include "vm/swap_reserve.h"
#include "fuse/fs_ctl.h"
#include "fuse/fs_stats.h"
#include "fuse/fs_vm.h"

static void
devices_cb(struct cdev *dev, void *arg)
{
	struct sbuf *sb = arg;
	const struct dev_driver *drv;
	struct dev_state ds;
	const char *dname;
	char flags[64], size[32];

	drv = dev_driver_of(dev);
	dname = drv != NULL ? drv->dd_name :
	    (dev->si_devsw != NULL && dev->si_devsw->d_name != NULL ?
	    dev->si_devsw->d_name : "-");
	flags[0] = '\0';
	if (dev->si_flags & SI_ETERNAL)
		strcat(flags, "ETERNAL,");
	if (dev->si_devsw != NULL && (dev->si_devsw->d_flags & D_NEEDGIANT))
		strcat(flags, "NEEDGIANT,");
	if (dev->si_devsw != NULL && (dev->si_devsw->d_flags & D_MEM))
		strcat(flags, "MEM,");
	if (flags[0] == '\0')
		strcpy(flags, "-");
	else
		flags[strlen(flags) - 1] = '\0';
	size_format(__atomic_load_n(&dev->si_size, __ATOMIC_RELAXED), size,
	    sizeof(size));
	sbuf_printf(sb, "%-16s %-8s %4u %-16s %10s %-7s ", devtoname(dev),
	    dname, refcount_load(&dev->si_refcount), flags, size,
	    vm_memattr_name(__atomic_load_n(&dev->si_memattr,
	    __ATOMIC_RELAXED)));
	ds.ds_sb = sb;
	ds.ds_start = sbuf_len(sb);
	dev_state_word(&ds, "prefault=%s", dev_prefault_name(__atomic_load_n(
	    &dev->si_prefault, __ATOMIC_RELAXED)));
	if (drv != NULL && drv->dd_state != NULL)
		drv->dd_state(dev, &ds);
	if (sbuf_len(sb) == ds.ds_start)
		sbuf_cat(sb, "-");
	sbuf_cat(sb, "\n");
}

int
fs_vm_devices_generate(struct sbuf *sb, fuse_ino_t ino)
{
	(void)ino;
	sbuf_printf(sb, "%-16s %-8s %4s %-16s %10s %-7s %s\n", "NAME",
	    "DRIVER", "REFS", "FLAGS", "SIZE", "MEMATTR", "STATE");
	dev_foreach(devices_cb, sb);
	return (sbuf_error(sb));
}

static void
phys_cb(const struct vm_phys_info *info, void *arg)
{
	struct sbuf *sb = arg;
	static const char *const kinds[] = {
		[VM_PHYS_RAM] = "ram",
		[VM_PHYS_WINDOW] = "window",
		[VM_PHYS_FICTITIOUS] = "fictitious",
	};
	char size[32], freep[32];

	size_format(info->end - info->start, size, sizeof(size));
	if (info->kind == VM_PHYS_RAM)
		snprintf(freep, sizeof(freep), "%lu", info->free_pages);
	else
		strcpy(freep, "-");
	sbuf_printf(sb, "%-10s %-16s 0x%016" PRIx64 " 0x%016" PRIx64 " %8s %-3s "
	    "%8s %s\n", kinds[info->kind], info->name != NULL ? info->name :
	    "-", (uint64_t)info->start, (uint64_t)info->end, size,
	    vm_memattr_name(info->memattr), freep,
	    info->backing != NULL ? info->backing : "-");
}

int
fs_vm_phys_generate(struct sbuf *sb, fuse_ino_t ino)
{
	(void)ino;
	sbuf_printf(sb, "%-10s %-16s %18s %18s %8s %-3s %8s %s\n", "KIND",
	    "NAME", "START", "END", "SIZE", "CM", "FREE", "BACKING");
	rcu_thread_online();
	rcu_read_lock();
	vm_phys_foreach(phys_cb, sb);
	rcu_read_unlock();
	return (sbuf_error(sb));
}

static void
swap_cb(const struct swap_uid_info *si, void *arg)
{
	struct sbuf *sb = arg;
	char limit[32];

	if (si->su_limit == SWAP_LIMIT_INFINITY)
		strcpy(limit, "-");
	else
		snprintf(limit, sizeof(limit), "%" PRIu64,
		    (uint64_t)si->su_limit);
	sbuf_printf(sb, "%10u %14" PRIu64 " %14s %8lu\n",
	    (unsigned)si->su_uid, (uint64_t)si->su_reserved, limit,
	    si->su_failures);
}

int
fs_vm_swap_generate(struct sbuf *sb, fuse_ino_t ino)
{
	(void)ino;
	sbuf_printf(sb, "%10s %14s %14s %8s\n", "UID", "RESERVED", "LIMIT",
	    "FAILURES");
	swap_foreach(swap_cb, sb);
	return (sbuf_error(sb));
}

int
fs_vm_ctl_write(fuse_ino_t ino, const char *buf, size_t len,
    const struct ucred *cred, struct sbuf *reply)
{
	int error;

	(void)ino;
	FS_STAT_INC(ctl_commands);
	error = fs_ctl_execute(buf, len, FS_CTL_SRC_CTL, cred, reply);
	if (error != 0)
		FS_STAT_INC(ctl_errors);
	return (error);
}
