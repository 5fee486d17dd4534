/*
 * The plugin KPI's own functions (the devpager_* accessors of
 * <devpager/devpager.h>) and the table of every function the KPI
 * exports.
 *
 * This file includes the public header after the daemon's headers with
 * DEVPAGER_KPI_INTERNAL: the public header's mirror types are skipped and
 * every prototype it declares is checked by the compiler against the
 * daemon's real declaration, so a signature that drifts breaks the build
 * here.  (Structure layouts and constants are checked by
 * tests/check_dev_kpi.c.)
 *
 * The table is what keeps the KPI's functions in the daemon's executable
 * (an object of the static library that nothing else referenced would not
 * be linked, and its symbols could not be exported); the tests resolve
 * every entry with dlsym(RTLD_DEFAULT) to prove they are exported.
 */
#include "config.h"

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "dev/dev_plugin.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

#define	DEVPAGER_KPI_INTERNAL
#include "devpager/devpager.h"

const char *
devpager_dev_name(const struct cdev *dev)
{

	return (devtoname(dev));
}

void *
devpager_dev_drv1(const struct cdev *dev)
{

	return (dev->si_drv1);
}

void *
devpager_dev_drv2(const struct cdev *dev)
{

	return (dev->si_drv2);
}

vm_ooffset_t
devpager_dev_size(const struct cdev *dev)
{

	return (__atomic_load_n(&dev->si_size, __ATOMIC_RELAXED));
}

void
devpager_object_wlock(vm_object_t object)
{

	VM_OBJECT_WLOCK(object);
}

void
devpager_object_wunlock(vm_object_t object)
{

	VM_OBJECT_WUNLOCK(object);
}

void
devpager_object_assert_wlocked(vm_object_t object)
{

	VM_OBJECT_ASSERT_WLOCKED(object);
	(void)object;
}

/* The handle a device object was built for (devp.dev), never the lookup
 * key a lost allocation race rewrote. */
void *
devpager_object_handle(vm_object_t object)
{
	objtype_t type;

	type = __atomic_load_n(&object->type, __ATOMIC_ACQUIRE);
	if (type != OBJT_DEVICE && type != OBJT_MGTDEVICE)
		return (NULL);
	return (object->un_pager.devp.dev);
}

vm_memattr_t
devpager_object_memattr(vm_object_t object)
{

	return (object->memattr);
}

vm_pindex_t
devpager_page_pindex(vm_page_t m)
{

	return (m->pindex);
}

vm_paddr_t
devpager_page_phys(vm_page_t m)
{

	return (VM_PAGE_TO_PHYS(m));
}

bool
devpager_page_fictitious(vm_page_t m)
{

	return ((m->flags & PG_FICTITIOUS) != 0);
}

/* The object must be locked (write). */
void
devpager_page_set_valid(vm_page_t m)
{

	KASSERT(m->object != NULL, ("devpager_page_set_valid: page %p has no "
	    "object", (void *)m));
	VM_OBJECT_ASSERT_WLOCKED(m->object);
	m->valid = VM_PAGE_BITS_ALL;
}

/*
 * Free a placeholder that vm_page_replace() took out of its object: the
 * page lock for a managed (RAM) page, none for a fake one.  The object
 * must be locked (write).
 */
void
devpager_page_free(vm_page_t m)
{

	KASSERT(m->object == NULL, ("devpager_page_free: page %p is still in "
	    "object %p", (void *)m, (void *)m->object));
	vm_page_free_unlocked(m);
}

void *
devpager_window_host(struct vm_phys_window *w)
{
	void *host;

	rcu_thread_online();
	rcu_read_lock();
	host = vm_phys_to_host(vm_phys_window_base(w));
	rcu_read_unlock();
	return (host);
}

#define	KPI_SYM(f)	{ #f, (void (*)(void))(f) },
const struct devpager_kpi_sym devpager_kpi_table[] = {
	DEVPAGER_KPI_FUNCTIONS(KPI_SYM)
	{ NULL, NULL }
};
#undef KPI_SYM
