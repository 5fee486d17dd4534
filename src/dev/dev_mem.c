/*
 * mem: the whole simulated physical address space, like FreeBSD's
 * /dev/mem.  The node's offset is the physical address; d_mmap maps the
 * page there if it exists (RAM or a device window) and fails for holes,
 * so a fault on a hole fails (the application gets SIGBUS) and an
 * old-style mapping over a hole cannot be made (its ctor calls d_mmap
 * for every page).  The memattr is the one the memory has (RAM:
 * write-back; a window: the one it was created with).
 *
 * The device is eternal (MAKEDEV_ETERNAL, like FreeBSD's memdev): it is
 * never destroyed, so thread references on it cost nothing, and there is
 * at most one.  Its node size is the constant DEV_MEM_SIZE.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"

_Static_assert(DEV_MEM_SIZE == 2 * VM_PHYS_WINDOW_BASE,
    "DEV_MEM_SIZE covers RAM and the window area");

static d_mmap_t mem_mmap;
static d_read_t mem_read;
static d_write_t mem_write;
static int	mem_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static int	mem_destroy(struct cdev *dev, struct sbuf *err);
static int	mem_copy(vm_ooffset_t off, void *buf, size_t len, bool wr,
		    size_t *donep);

static struct cdevsw mem_cdevsw = {
	.d_version = D_VERSION,
	.d_flags = D_MEM,
	.d_name = "mem",
	.d_read = mem_read,
	.d_write = mem_write,
	.d_mmap = mem_mmap,
};

static const char *const mem_keys[] = { NULL };

const struct dev_driver dev_mem_driver = {
	.dd_name = "mem",
	.dd_keys = mem_keys,
	.dd_eternal = true,
	.dd_create = mem_create,
	.dd_destroy = mem_destroy,
};

static struct cdev *mem_dev;	/* (a) the one mem device, once made */
static bool mem_claimed;	/* (a) a create has claimed the slot */

/*
 * offset is a physical address.  The caller (the device pager, with a
 * thread reference) must be a registered RCU thread.
 */
static int
mem_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{
	bool exists;
	vm_memattr_t ma;

	(void)dev;
	(void)nprot;
	if (offset >= DEV_MEM_SIZE)
		return (EINVAL);
	rcu_read_lock();
	exists = vm_phys_page_exists(offset);
	ma = vm_phys_memattr(offset);
	rcu_read_unlock();
	if (!exists)
		return (EFAULT);
	*paddr = trunc_page(offset);
	*memattr = ma;
	return (0);
}

/*
 * read(2)/write(2) through the direct map, page by page; a hole ends the
 * transfer (EFAULT if nothing was moved).  The copies are guarded: a
 * window whose backing file cannot supply or hold a page ends it too,
 * with that error (EIO, ENOSPC) if nothing was moved.
 */
static int
mem_copy(vm_ooffset_t off, void *buf, size_t len, bool wr, size_t *donep)
{
	size_t done, n;
	int error;

	done = 0;
	error = 0;
	rcu_read_lock();
	while (done < len && off < DEV_MEM_SIZE) {
		n = PAGE_SIZE - (off & PAGE_MASK);
		if (n > len - done)
			n = len - done;
		if (!vm_phys_page_exists(off)) {
			error = EFAULT;
			break;
		}
		if (wr)
			error = vm_phys_write(off, (char *)buf + done, n);
		else
			error = vm_phys_read(off, (char *)buf + done, n);
		if (error != 0)
			break;
		done += n;
		off += n;
	}
	rcu_read_unlock();
	*donep = done;
	if (done == 0 && len != 0 && off < DEV_MEM_SIZE)
		return (error == ENXIO ? EFAULT : error);
	return (0);
}

static int
mem_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	(void)dev;
	(void)ioflag;
	rcu_thread_online();
	return (mem_copy(off, buf, len, false, donep));
}

static int
mem_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	(void)dev;
	(void)ioflag;
	rcu_thread_online();
	return (mem_copy(off, (void *)(uintptr_t)buf, len, true, donep));
}

static int
mem_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct cdev *dev;
	int error;

	if (__atomic_exchange_n(&mem_claimed, true, __ATOMIC_ACQ_REL)) {
		dev = __atomic_load_n(&mem_dev, __ATOMIC_ACQUIRE);
		sbuf_printf(err, "there can be one mem device and it exists "
		    "('%s')", dev != NULL ? devtoname(dev) : "being created");
		return (EEXIST);
	}
	make_dev_args_init(&mda);
	mda.mda_flags = MAKEDEV_ETERNAL;
	mda.mda_devsw = &mem_cdevsw;
	dev_make_args_node(&mda, args, cred, 0600);
	mda.mda_dsize = DEV_MEM_SIZE;
	mda.mda_memattr = VM_MEMATTR_DEFAULT;
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		__atomic_store_n(&mem_claimed, false, __ATOMIC_RELEASE);
		return (error);
	}
	__atomic_store_n(&mem_dev, dev, __ATOMIC_RELEASE);
	*devp = dev;
	return (0);
}

static int
mem_destroy(struct cdev *dev, struct sbuf *err)
{

	sbuf_printf(err, "device '%s' is eternal and cannot be destroyed",
	    devtoname(dev));
	return (EBUSY);
}
