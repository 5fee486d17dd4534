/*
 * The map of a device node (see vm_map.h and vm_map.9).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/test_hook.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_map.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

static int	vm_map_entry_cmp(const struct vm_map_entry *a,
		    const struct vm_map_entry *b);

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define. */
RB_GENERATE_INTERNAL(vm_map_tree, vm_map_entry, link, vm_map_entry_cmp,
    static __attribute__((__unused__)))

static int
vm_map_entry_cmp(const struct vm_map_entry *a, const struct vm_map_entry *b)
{

	return (a->start < b->start ? -1 : a->start > b->start);
}

void
vm_map_init(struct vm_map *map, struct cdev *dev, uint64_t pmap_key,
    vm_map_access_t *access)
{

	pthread_mutex_init(&map->lock, NULL);
	RB_INIT(&map->root);
	map->nentries = 0;
	LIST_INIT(&map->pending);
	map->dev = dev;
	map->pmap_key = pmap_key;
	map->access = access;
}

void
vm_map_fini(struct vm_map *map)
{

	KASSERT(LIST_EMPTY(&map->pending),
	    ("vm_map_fini: entries being made on a map going away"));
	(void)vm_map_delete(map, 0, 0);
	pthread_mutex_destroy(&map->lock);
}

/* Give back a list of entries taken off a map.  [m] not held. */
static void
vm_map_entry_free_list(struct vm_map_entry *list)
{
	struct vm_map_entry *entry;

	/* vm_object_deallocate may sleep and take pager or driver locks:
	 * no map lock held here. */
	while ((entry = list) != NULL) {
		list = entry->next;
		if (entry->object != NULL)
			vm_object_deallocate(entry->object);
		free(entry);
	}
}

/* The entry holding off, or NULL.  [m] held. */
static struct vm_map_entry *
vm_map_lookup_entry(struct vm_map *map, vm_ooffset_t off)
{
	struct vm_map_entry key, *entry;

	key.start = off;
	entry = RB_NFIND(vm_map_tree, &map->root, &key);
	if (entry != NULL && entry->start == off)
		return (entry);
	entry = entry != NULL ? RB_PREV(vm_map_tree, &map->root, entry) :
	    RB_MAX(vm_map_tree, &map->root);
	if (entry != NULL && off < entry->end)
		return (entry);
	return (NULL);
}

/*
 * The entries before and after off, which no entry holds (prev: the last
 * one starting below off, next: the first one above).  [m] held.
 */
static void
vm_map_neighbours(struct vm_map *map, vm_ooffset_t off,
    struct vm_map_entry **prevp, struct vm_map_entry **nextp)
{
	struct vm_map_entry key, *next;

	key.start = off;
	next = RB_NFIND(vm_map_tree, &map->root, &key);
	*prevp = next != NULL ? RB_PREV(vm_map_tree, &map->root, next) :
	    RB_MAX(vm_map_tree, &map->root);
	*nextp = next;
}

/* Link entry, which overlaps no other.  [m] held. */
static void
vm_map_entry_link(struct vm_map *map, struct vm_map_entry *entry)
{

	RB_INSERT(vm_map_tree, &map->root, entry);
	map->nentries++;
}

int
vm_map_insert(struct vm_map *map, vm_object_t object, vm_ooffset_t offset,
    vm_ooffset_t start, vm_ooffset_t end)
{
	struct vm_map_entry *entry, *prev, *next;

	if (start >= end || (start & PAGE_MASK) != 0 ||
	    (end & PAGE_MASK) != 0 || (offset & PAGE_MASK) != 0)
		return (EINVAL);
	entry = malloc(sizeof(*entry));
	if (entry == NULL)
		return (ENOMEM);
	entry->start = start;
	entry->end = end;
	entry->offset = offset;
	entry->object = object;
	entry->next = NULL;
	pthread_mutex_lock(&map->lock);
	if (vm_map_lookup_entry(map, start) != NULL) {
		pthread_mutex_unlock(&map->lock);
		free(entry);
		return (EEXIST);
	}
	vm_map_neighbours(map, start, &prev, &next);
	if (next != NULL && next->start < end) {
		pthread_mutex_unlock(&map->lock);
		free(entry);
		return (EEXIST);
	}
	vm_map_entry_link(map, entry);
	pthread_mutex_unlock(&map->lock);
	return (0);
}

unsigned long
vm_map_delete(struct vm_map *map, vm_ooffset_t start, vm_ooffset_t end)
{
	struct vm_map_pending *mp;
	struct vm_map_entry key, *entry, *next, *list;
	unsigned long n;

	list = NULL;
	n = 0;
	pthread_mutex_lock(&map->lock);
	LIST_FOREACH(mp, &map->pending, link)
		if (mp->off >= start && (end == 0 || mp->off < end))
			mp->deleted = true;
	entry = vm_map_lookup_entry(map, start);
	if (entry == NULL) {
		key.start = start;
		entry = RB_NFIND(vm_map_tree, &map->root, &key);
	}
	for (; entry != NULL && (end == 0 || entry->start < end);
	    entry = next) {
		next = RB_NEXT(vm_map_tree, &map->root, entry);
		RB_REMOVE(vm_map_tree, &map->root, entry);
		map->nentries--;
		entry->next = list;
		list = entry;
		n++;
	}
	pthread_mutex_unlock(&map->lock);
	vm_map_entry_free_list(list);
	return (n);
}

unsigned long
vm_map_count(struct vm_map *map)
{
	unsigned long n;

	pthread_mutex_lock(&map->lock);
	n = map->nentries;
	pthread_mutex_unlock(&map->lock);
	return (n);
}

/*
 * Make the entry for offset off: what mmap(2) of the device would do
 * (vm_mmap_cdev), for the largest range that works (see vm_map.h).  The
 * object gets its inspection path (dev/NAME) if it has none.  [m] not
 * held.
 */
static int
vm_map_entry_create(struct vm_map *map, vm_ooffset_t off,
    const struct ucred *cred, struct vm_map_entry *entry)
{
	struct cdev *dev = map->dev;
	vm_ooffset_t devsize, tries[3][2];
	vm_prot_t prot;
	vm_object_t obj;
	vm_ooffset_t foff;
	int error, i, ntries;

	if (dev == NULL)
		return (ENXIO);
	devsize = __atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	if (off >= devsize)
		return (ENXIO);
	prot = VM_PROT_READ;
	if ((dev->si_mode & 0222) != 0)
		prot |= VM_PROT_WRITE;
	ntries = 0;
	if (devsize <= VM_MAP_WHOLE_MAX) {
		tries[ntries][0] = 0;
		tries[ntries++][1] = devsize;
	}
	tries[ntries][0] = off & ~(vm_ooffset_t)(VM_MAP_CHUNK - 1);
	tries[ntries][1] = devsize - tries[ntries][0] < VM_MAP_CHUNK ?
	    devsize - tries[ntries][0] : VM_MAP_CHUNK;
	ntries++;
	tries[ntries][0] = trunc_page(off);
	tries[ntries++][1] = PAGE_SIZE;

	error = EINVAL;
	for (i = 0; i < ntries; i++) {
		foff = tries[i][0];
		obj = NULL;
		error = vm_mmap_cdev(dev, &foff, tries[i][1], prot, prot,
		    cred, &obj);
		if (error != 0)
			continue;
		if (foff != tries[i][0]) {
			/* The driver moved the offset: its object maps
			 * [start, start + object size) of the node. */
			entry->start = tries[i][0] - (foff & ~(vm_ooffset_t)
			    PAGE_MASK);
			entry->offset = 0;
			entry->end = entry->start + IDX_TO_OFF(obj->size);
			if (off < entry->start || off >= entry->end) {
				vm_object_deallocate(obj);
				error = EINVAL;
				continue;
			}
		} else {
			entry->start = tries[i][0];
			entry->end = tries[i][0] + tries[i][1];
			entry->offset = tries[i][0];
		}
		entry->object = obj;
		entry->next = NULL;
		VM_OBJECT_WLOCK(obj);
		if (obj->path[0] == '\0') {
			char path[SPECNAMELEN + 8];

			snprintf(path, sizeof(path), "dev/%s", devtoname(dev));
			vm_object_set_path(obj, path);
		}
		VM_OBJECT_WUNLOCK(obj);
		return (0);
	}
	return (error);
}

/*
 * Enter entry, made for off where no entry holds off, clipped to its
 * neighbours so that entries stay disjoint (another thread may have
 * mapped part of its range meanwhile).  [m] held.
 */
static void
vm_map_entry_enter(struct vm_map *map, vm_ooffset_t off,
    struct vm_map_entry *entry)
{
	struct vm_map_entry *prev, *next;

	vm_map_neighbours(map, off, &prev, &next);
	if (prev != NULL && prev->end > entry->start) {
		entry->offset += prev->end - entry->start;
		entry->start = prev->end;
	}
	if (next != NULL && next->start < entry->end)
		entry->end = next->start;
	KASSERT(entry->start <= off && off < entry->end,
	    ("vm_map_entry_enter: %#jx clipped out of [%#jx, %#jx)",
	    (uintmax_t)off, (uintmax_t)entry->start, (uintmax_t)entry->end));
	vm_map_entry_link(map, entry);
}

/*
 * May the open file fp use object for prot?  The driver's per-open check,
 * run with fp as the current file; fp NULL is the kernel's write-back of
 * pages it caches, which is not checked.
 */
static int
vm_map_check_access(struct vm_map *map, struct file *fp, vm_object_t object,
    vm_prot_t prot)
{
	struct file *saved;
	int error;

	if (map->access == NULL || fp == NULL)
		return (0);
	saved = devfs_fpop_enter(fp);
	error = map->access(map->dev, object, prot);
	devfs_fpop_exit(saved);
	return (error);
}

int
vm_map_lookup(struct vm_map *map, struct file *fp, vm_ooffset_t off,
    vm_prot_t prot, const struct ucred *cred, vm_object_t *objp,
    vm_ooffset_t *objoffp, vm_ooffset_t *endp)
{
	struct vm_map_pending pending;
	struct vm_map_entry *entry, *found;
	vm_object_t obj;
	int error, tries;

	entry = NULL;
	for (tries = 0;; tries++) {
		pthread_mutex_lock(&map->lock);
		found = vm_map_lookup_entry(map, off);
		if (found != NULL)
			break;
		if (tries == VM_MAP_RETRIES) {
			pthread_mutex_unlock(&map->lock);
			free(entry);
			return (EIO);
		}
		/*
		 * Not mapped yet: vm_mmap_cdev may call into the driver and
		 * sleep, so run it without the map lock and insert
		 * afterwards -- unless a delete covered off meanwhile: what
		 * the driver returned may be what was deleted.
		 */
		pending.off = off;
		pending.deleted = false;
		LIST_INSERT_HEAD(&map->pending, &pending, link);
		pthread_mutex_unlock(&map->lock);
		if (entry == NULL &&
		    (entry = malloc(sizeof(*entry))) == NULL)
			error = ENOMEM;
		else {
			entry->object = NULL;
			error = vm_map_entry_create(map, off, cred, entry);
		}
		TEST_HOOK("vm_map_made");
		pthread_mutex_lock(&map->lock);
		LIST_REMOVE(&pending, link);
		if (error != 0) {
			pthread_mutex_unlock(&map->lock);
			free(entry);
			return (error);
		}
		if (!pending.deleted) {
			found = vm_map_lookup_entry(map, off);
			if (found == NULL) {
				vm_map_entry_enter(map, off, entry);
				found = entry;
				entry = NULL;
			}
			break;		/* ours, or another thread's */
		}
		pthread_mutex_unlock(&map->lock);
		vm_object_deallocate(entry->object);
		entry->object = NULL;
	}
	obj = found->object;
	vm_object_reference(obj);
	*objoffp = found->offset + (off - found->start);
	*endp = found->end;
	pthread_mutex_unlock(&map->lock);
	if (entry != NULL) {
		/* Lost the race to another thread's entry. */
		entry->next = NULL;
		vm_map_entry_free_list(entry);
	}
	error = vm_map_check_access(map, fp, obj, prot);
	if (error != 0) {
		vm_object_deallocate(obj);
		return (error);
	}
	*objp = obj;
	return (0);
}

void
vm_map_unhold(struct vm_map_hold *h)
{
	unsigned i;

	for (i = 0; i < h->count; i++)
		vm_fault_unhold(h->pages[i]);
	for (i = 0; i < h->count; i++)
		if (h->objs[i] != NULL)
			vm_object_deallocate(h->objs[i]);
	h->count = 0;
}

/*
 * The loop of vm_map_hold_range and vm_map_prefault_range.  only: stop
 * (without an error) at the first page whose entry has another object;
 * partial: a page that fails stops the loop and keeps what was held
 * before it, with the failure in *stopp; count: add the pages to their
 * objects' fault counts.
 */
static int
vm_map_hold_pages(struct vm_map *map, struct file *fp, vm_ooffset_t start,
    vm_ooffset_t end, vm_prot_t prot, const struct ucred *cred,
    vm_object_t only, bool partial, bool count, struct vm_map_hold *h,
    int *stopp)
{
	vm_object_t obj, newobj;
	vm_ooffset_t page, objoff, entry_end;
	vm_page_t m;
	int error, rv;

	KASSERT(OFF_TO_IDX(round_page(end) - trunc_page(start)) <= h->max,
	    ("vm_map_hold_range: %u pages for [%#jx, %#jx)", h->max,
	    (uintmax_t)start, (uintmax_t)end));
	obj = newobj = NULL;
	entry_end = 0;
	objoff = 0;
	error = 0;
	h->count = 0;
	for (page = trunc_page(start); page < end; page += PAGE_SIZE) {
		if (obj == NULL || page >= entry_end) {
			error = vm_map_lookup(map, fp, page, prot, cred, &obj,
			    &objoff, &entry_end);
			if (error != 0)
				break;
			newobj = obj;
			if (only != NULL && obj != only) {
				vm_object_deallocate(newobj);
				newobj = NULL;
				break;
			}
		}
		/* The rest of the range in this entry comes next. */
		vm_fault_set_ahead((unsigned)OFF_TO_IDX(
		    (round_page(end) < entry_end ? round_page(end) :
		    entry_end) - page) - 1);
		rv = vm_fault(obj, OFF_TO_IDX(objoff), prot, map->pmap_key,
		    page, &m);
		if (rv != KERN_SUCCESS) {
			if (newobj != NULL)
				vm_object_deallocate(newobj);
			error = vm_mmap_to_errno(rv);
			break;
		}
		if (count)
			__atomic_add_fetch(&obj->faults, 1, __ATOMIC_RELAXED);
		h->pages[h->count] = m;
		h->objs[h->count] = newobj;	/* the reference moves */
		newobj = NULL;
		h->count++;
		objoff += PAGE_SIZE;
	}
	vm_fault_set_ahead(0);
	if (partial) {
		*stopp = error;
		return (0);
	}
	if (error != 0)
		vm_map_unhold(h);
	return (error);
}

int
vm_map_hold_range(struct vm_map *map, struct file *fp, vm_ooffset_t start,
    vm_ooffset_t end, vm_prot_t prot, const struct ucred *cred,
    struct vm_map_hold *h)
{

	return (vm_map_hold_pages(map, fp, start, end, prot, cred, NULL,
	    false, true, h, NULL));
}

void
vm_map_prefault_range(struct vm_map *map, struct file *fp,
    vm_ooffset_t start, vm_ooffset_t end, vm_prot_t prot,
    const struct ucred *cred, vm_object_t only, struct vm_map_hold *h,
    int *stopp)
{

	(void)vm_map_hold_pages(map, fp, start, end, prot, cred, only,
	    true, false, h, stopp);
}

/*
 * Fault the page at object offset objoff of obj (node offset off) for
 * writing, store len bytes of buf at page offset pgoff and mark them
 * dirty.  The caller holds a reference on obj.  0 or errno.
 */
static int
vm_map_write_page(struct vm_map *map, vm_object_t obj, vm_ooffset_t objoff,
    vm_ooffset_t off, const char *buf, size_t pgoff, size_t len)
{
	vm_page_t m;
	int error, rv;

	rv = vm_fault(obj, OFF_TO_IDX(objoff), VM_PROT_WRITE, map->pmap_key,
	    off, &m);
	if (rv != KERN_SUCCESS)
		return (vm_mmap_to_errno(rv));
	__atomic_add_fetch(&obj->faults, 1, __ATOMIC_RELAXED);
	error = vm_phys_write(m->phys_addr + pgoff, buf, len);
	if (error == ENXIO)
		error = EIO;	/* the window went away under us */
	if (error == 0) {
		VM_OBJECT_WLOCK(obj);
		if (m->object == obj)
			vm_page_dirty_range(m, (int)pgoff, (int)len);
		VM_OBJECT_WUNLOCK(obj);
	}
	vm_fault_unhold(m);
	return (error);
}

int
vm_map_write(struct vm_map *map, struct file *fp, vm_ooffset_t start,
    vm_ooffset_t end, const struct ucred *cred, const char *buf)
{
	vm_object_t obj;
	vm_ooffset_t pos, objoff, entry_end;
	int error;

	obj = NULL;
	entry_end = 0;
	objoff = 0;
	error = 0;
	for (pos = start; pos < end && error == 0;) {
		vm_ooffset_t page = trunc_page(pos);
		size_t pgoff = pos - page;
		size_t n = PAGE_SIZE - pgoff;

		if (n > end - pos)
			n = end - pos;
		if (obj == NULL || page >= entry_end) {
			if (obj != NULL)
				vm_object_deallocate(obj);
			obj = NULL;
			error = vm_map_lookup(map, fp, page, VM_PROT_WRITE,
			    cred, &obj, &objoff, &entry_end);
			if (error != 0)
				break;
		}
		vm_fault_set_ahead((unsigned)OFF_TO_IDX(
		    (round_page(end) < entry_end ? round_page(end) :
		    entry_end) - page) - 1);
		error = vm_map_write_page(map, obj, objoff, page,
		    buf + (pos - start), pgoff, n);
		objoff += PAGE_SIZE;
		pos += n;
	}
	vm_fault_set_ahead(0);
	if (obj != NULL)
		vm_object_deallocate(obj);
	return (error);
}
