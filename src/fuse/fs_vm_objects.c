/*
 * vm/objects, vm/object/<ID>/info and vm/object/<ID>/pages.  Nothing
 * here prints an address of the daemon's memory: objects are named by id
 * and path, handles by what they are, pages by their (simulated)
 * physical address.
 *
 * vm/objects lists what vm_object_snapshot() gathers, the way FreeBSD's
 * vm.objects sysctl walks the object list (the walk and its RCU rules
 * are vm_object.c's).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_phys.h"
#include "fuse/fs_node.h"
#include "fuse/fs_vfile.h"
#include "fuse/fs_vm.h"

const char *
fs_vm_type_code(objtype_t type)
{
	switch (type) {
	case OBJT_DEFAULT:	return ("df");
	case OBJT_SWAP:		return ("sw");
	case OBJT_VNODE:	return ("vn");
	case OBJT_DEVICE:	return ("dv");
	case OBJT_PHYS:		return ("ph");
	case OBJT_DEAD:		return ("dd");
	case OBJT_SG:		return ("sg");
	case OBJT_MGTDEVICE:	return ("md");
	default:		return ("??");
	}
}

int
fs_vm_objects_generate(struct sbuf *sb, fuse_ino_t ino)
{
	struct vm_object_stat *rows;
	size_t n, i;

	(void)ino;
	/* Out of memory midway: list what was gathered. */
	(void)vm_object_snapshot(&rows, &n);
	sbuf_printf(sb, "%6s %5s %5s %5s %3s %3s %3s %2s %s\n", "ID", "RES",
	    "ACT", "INACT", "REF", "SHD", "CM", "TP", "PATH");
	for (i = 0; i < n; i++)
		sbuf_printf(sb, "%6" PRIu64 " %5lu %5lu %5lu %3u %3u %-3s %-2s "
		    "%s\n", rows[i].id, rows[i].resident, rows[i].active,
		    rows[i].inactive, rows[i].ref, rows[i].shadow,
		    vm_memattr_name(rows[i].memattr),
		    fs_vm_type_code(rows[i].type), rows[i].path);
	free(rows);
	return (sbuf_error(sb));
}

static void
fs_vm_flag_names(struct sbuf *sb, unsigned flags)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ OBJ_FICTITIOUS, "FICTITIOUS" }, { OBJ_UNMANAGED, "UNMANAGED" },
		{ OBJ_DEAD, "DEAD" }, { OBJ_NOSPLIT, "NOSPLIT" },
		{ OBJ_PIPWNT, "PIPWNT" }, { OBJ_COLORED, "COLORED" },
		{ OBJ_ONEMAPPING, "ONEMAPPING" },
	};
	size_t i;
	bool first = true;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((flags & names[i].bit) == 0)
			continue;
		sbuf_printf(sb, "%s%s", first ? "" : ",", names[i].name);
		first = false;
	}
	if (first)
		sbuf_cat(sb, "-");
}

struct cdev_name_arg {
	char		 name[SPECNAMELEN + 1];	/* the device's name */
};

/*
 * The name of the live device at dev, or NULL if dev is not one.  A
 * device object's devp.dev is the handle cdev_pager_allocate() was given,
 * as in FreeBSD: a cdev for old-style and most drivers, anything else for
 * others (a gem buffer), so it is looked up by address among the
 * registry's devices (one hash lookup), never dereferenced.
 */
static const char *
fs_vm_cdev_name(const void *dev, struct cdev_name_arg *cn)
{
	struct cdev *live;

	cn->name[0] = '\0';
	rcu_thread_online();
	rcu_read_lock();
	live = dev_lookup_addr_rcu(dev);
	if (live != NULL)
		strlcpy(cn->name, devtoname(live), sizeof(cn->name));
	rcu_read_unlock();
	return (cn->name[0] != '\0' ? cn->name : NULL);
}

/*
 * The "handle:" line: what the handle is, never its address (no vm/ file
 * shows an address of the daemon's memory).  none; cdev NAME (a live
 * device, the object's own); self (a device object that lost the
 * allocation race points at itself, so that no lookup finds it); private
 * (a key of the pager's or driver's own, such as a gem buffer, an sglist
 * or a destroyed device).
 */
static void
fs_vm_handle_name(struct sbuf *sb, const struct vm_object_info *vi,
    const char *devname)
{

	if (vi->vi_handle == VMO_HANDLE_NONE)
		sbuf_cat(sb, "handle: none\n");
	else if (devname != NULL && vi->vi_handle == VMO_HANDLE_DEVICE)
		sbuf_printf(sb, "handle: cdev %s\n", devname);
	else if (vi->vi_handle == VMO_HANDLE_SELF)
		sbuf_cat(sb, "handle: self\n");
	else
		sbuf_cat(sb, "handle: private\n");
}

int
fs_vm_object_info_generate(struct sbuf *sb, fuse_ino_t ino)
{
	const struct vm_object_stat *st;
	struct vm_object_info vi;
	struct cdev_name_arg cn;
	const char *devname;
	int error;

	error = vm_object_describe(fs_ino_object_id(ino), &vi);
	if (error != 0)
		return (error);
	st = &vi.vi_stat;
	sbuf_printf(sb, "id: %" PRIu64 "\n", st->id);
	sbuf_printf(sb, "type: %s\n", fs_vm_type_code(st->type));
	sbuf_cat(sb, "flags: ");
	fs_vm_flag_names(sb, st->flags);
	sbuf_cat(sb, "\n");
	sbuf_printf(sb, "ref_count: %u\n", st->ref);
	sbuf_printf(sb, "shadow_count: %d\n", (int)st->shadow);
	sbuf_printf(sb, "resident_page_count: %u\n", (unsigned)st->resident);
	sbuf_printf(sb, "size: %" PRIu64 "\n", (uint64_t)vi.vi_size);
	sbuf_printf(sb, "size_bytes: %" PRIu64 "\n",
	    (uint64_t)IDX_TO_OFF(vi.vi_size));
	sbuf_printf(sb, "memattr: %s\n", vm_memattr_name(st->memattr));
	sbuf_printf(sb, "pg_color: %u\n", (unsigned)vi.vi_pg_color);
	sbuf_printf(sb, "colored: %s\n",
	    (st->flags & OBJ_COLORED) != 0 ? "yes" : "no");
	sbuf_printf(sb, "paging_in_progress: %u\n",
	    vi.vi_paging_in_progress);
	sbuf_printf(sb, "generation: %u\n", vi.vi_generation);
	sbuf_printf(sb, "charge: %" PRIu64 "\n", vi.vi_charge);
	if (vi.vi_has_cred)
		sbuf_printf(sb, "charged_uid: %u\n",
		    (unsigned)vi.vi_charged_uid);
	devname = fs_vm_cdev_name(vi.vi_devp_dev, &cn);
	fs_vm_handle_name(sb, &vi, devname);
	if (devname != NULL)
		sbuf_printf(sb, "cdev: %s\n", devname);
	sbuf_printf(sb, "faults: %lu\n", vi.vi_faults);
	sbuf_printf(sb, "path: %s\n", st->path);
	return (sbuf_error(sb));
}

struct phys_region {
	vm_paddr_t	 start, end;
	char		 name[64];
};

/* The regions of vm/phys, as many as there are. */
struct phys_regions {
	struct phys_region *r;
	unsigned	 n, alloc;
	bool		 nomem;
};

static void
phys_region_cb(const struct vm_phys_info *info, void *arg)
{
	struct phys_regions *pr = arg;
	struct phys_region *nr;
	unsigned nalloc;

	if (pr->n == pr->alloc) {
		nalloc = pr->alloc == 0 ? 64 : pr->alloc * 2;
		nr = reallocarray(pr->r, nalloc, sizeof(*nr));
		if (nr == NULL) {
			pr->nomem = true;
			return;
		}
		pr->r = nr;
		pr->alloc = nalloc;
	}
	pr->r[pr->n].start = info->start;
	pr->r[pr->n].end = info->end;
	snprintf(pr->r[pr->n].name, sizeof(pr->r[pr->n].name), "%s",
	    info->name != NULL ? info->name : "-");
	pr->n++;
}

static const char *
phys_region_name(const struct phys_regions *pr, vm_paddr_t pa)
{
	unsigned i;
	const char *name = "-";

	/* Windows come before fictitious ranges at the same place; the
	 * first (most specific) match wins. */
	for (i = 0; i < pr->n; i++)
		if (pa >= pr->r[i].start && pa < pr->r[i].end) {
			name = pr->r[i].name;
			break;
		}
	return (name);
}

int
fs_vm_object_pages_generate(struct sbuf *sb, fuse_ino_t ino)
{
	struct vm_object_page_info *rows, *pi;
	struct phys_regions regions, *pr;
	size_t i, n;
	char flags[8];
	int error, f;

	error = vm_object_pages(fs_ino_object_id(ino), &rows, &n);
	if (error != 0)
		return (error);
	pr = &regions;
	memset(pr, 0, sizeof(*pr));
	rcu_read_lock();
	vm_phys_foreach(phys_region_cb, pr);
	rcu_read_unlock();
	if (pr->nomem) {
		free(rows);
		free(pr->r);
		return (ENOMEM);
	}
	sbuf_printf(sb, "%10s %18s %5s %5s %5s %4s %3s %8s %s\n", "PINDEX",
	    "PHYS", "FLAGS", "VALID", "DIRTY", "HOLD", "CM", "MAPPINGS",
	    "WINDOW");
	for (i = 0; i < n; i++) {
		pi = &rows[i];
		f = 0;
		if (pi->pi_fictitious)
			flags[f++] = 'F';
		flags[f++] = pi->pi_unmanaged ? 'U' : 'M';
		if (pi->pi_xbusy)
			flags[f++] = 'X';
		if (pi->pi_unholdfree)
			flags[f++] = 'H';
		flags[f] = '\0';
		sbuf_printf(sb, "%10" PRIu64 " 0x%016" PRIx64 " %5s  0x%02x  "
		    "0x%02x %4u %-3s %8u %s\n", (uint64_t)pi->pi_pindex,
		    (uint64_t)pi->pi_phys, flags, pi->pi_valid, pi->pi_dirty,
		    pi->pi_hold, vm_memattr_name(pi->pi_memattr),
		    pi->pi_mappings, phys_region_name(pr, pi->pi_phys));
	}
	free(rows);
	free(pr->r);
	return (sbuf_error(sb));
}

/* Call cb for every live object id (vm/object/ listing). */
int
fs_vm_object_foreach(int (*cb)(uint64_t id, void *arg), void *arg)
{
	uint64_t *ids;
	size_t n, i;
	int error;

	(void)vm_object_ids(&ids, &n);
	error = 0;
	for (i = 0; i < n && error == 0; i++)
		error = cb(ids[i], arg);
	free(ids);
	return (error);
}

/* Is id a live object? */
bool
fs_vm_object_exists(uint64_t id)
{
	vm_object_t object;

	object = vm_object_lookup_id(id);
	if (object == NULL)
		return (false);
	vm_object_deallocate(object);
	return (true);
}
