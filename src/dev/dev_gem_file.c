/*
 * gem handle tables (struct gem_file): one per open file of a gem node,
 * kept as its cdevpriv, and the administrator's, used by vm/ctl.  As in
 * DRM (drm_file's object_idr), a handle is a small number that means
 * something in its own table only, so one open can neither name, inspect,
 * move, destroy nor fault another's buffers; sharing is explicit, by the
 * buffer's global name (flink, then open: a new handle in the opener's
 * table) or by handing over the open file itself.
 *
 * Each table is two red-black trees over the same handle records: by
 * handle (every handle operation) and by BO, then handle (the access
 * check the filesystem makes for every READ and write(2): does this open
 * hold the BO behind the mapping entry?).  Both are logarithmic.
 *
 * A record counts in its BO's bo_handles; the last handle of a BO, in
 * whatever table, retires it (dev_gem_bo.c).  A file's table is emptied
 * when the file is freed (the cdevpriv destructor), the administrator's
 * when the device is destroyed.
 *
 * Locks used to protect data in this file: gf_mtx [f] (see dev_gem.h);
 * only tree operations, handle arithmetic and atomic object references
 * run under it, and it is never held with sc_mtx.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/sbuf.h"
#include "dev/dev_gem.h"
#include "vm/vm.h"
#include "vm/vm_object.h"

static int	gem_handle_cmp(const struct gem_handle *a,
		    const struct gem_handle *b);
static int	gem_bybo_cmp(const struct gem_handle *a,
		    const struct gem_handle *b);
static uint32_t	gem_handle_alloc(struct gem_file *gf);
static struct gem_bo *gem_handle_ref(struct gem_file *gf, uint32_t handle);

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define. */
RB_GENERATE_INTERNAL(gem_handle_tree, gem_handle, gh_hlink, gem_handle_cmp,
    static __attribute__((__unused__)))
RB_GENERATE_INTERNAL(gem_bybo_tree, gem_handle, gh_blink, gem_bybo_cmp,
    static __attribute__((__unused__)))

static int
gem_handle_cmp(const struct gem_handle *a, const struct gem_handle *b)
{

	return (a->gh_handle < b->gh_handle ? -1 :
	    a->gh_handle > b->gh_handle);
}

static int
gem_bybo_cmp(const struct gem_handle *a, const struct gem_handle *b)
{
	uintptr_t x = (uintptr_t)a->gh_bo, y = (uintptr_t)b->gh_bo;

	if (x != y)
		return (x < y ? -1 : 1);
	return (gem_handle_cmp(a, b));
}

void
gem_file_init(struct gem_file *gf, struct gem_softc *sc, bool admin)
{

	mtx_init(&gf->gf_mtx, "gemfile", LOCK_RANK_LEAF, MTX_DEF);
	gf->gf_sc = sc;
	RB_INIT(&gf->gf_handles);
	RB_INIT(&gf->gf_bybo);
	gf->gf_nhandles = 0;
	gf->gf_next_handle = 1;
	gf->gf_admin = admin;
}

int
gem_bo_create(struct gem_file *gf, vm_size_t size,
    enum gem_placement placement, const struct ucred *cred,
    struct gem_bo_info *infop, struct sbuf *err)
{
	struct gem_softc *sc = gf->gf_sc;
	struct gem_bo *bo;
	vm_object_t obj;
	char path[sizeof(sc->sc_name) + 24];
	uint32_t handle;
	int error;

	error = gem_bo_make(sc, gf->gf_admin, size, placement, cred, &bo,
	    err);
	if (error != 0)
		return (error);
	/* Ours until the reply is written: the handle may go at once. */
	obj = bo->bo_obj;
	vm_object_reference(obj);
	error = gem_handle_add(gf, bo, &handle);
	if (error != 0) {
		sbuf_printf(err, "%s", error == ENOSPC ?
		    "no free handle" : "out of memory");
		gem_bo_handle_drop(bo);
		vm_object_deallocate(obj);
		return (ENOMEM);
	}
	/*
	 * vm/objects is world-readable: it names the administrator's BOs by
	 * their ctl handle, the others by their creator's uid only.
	 */
	if (gf->gf_admin)
		snprintf(path, sizeof(path), "dev/%s#%u", sc->sc_name,
		    (unsigned)handle);
	else
		snprintf(path, sizeof(path), "dev/%s@%u", sc->sc_name,
		    (unsigned)cred->cr_uid);
	vm_object_set_path(obj, path);
	gem_bo_describe(bo, infop);
	infop->bi_handle = handle;
	vm_object_deallocate(obj);
	return (0);
}

/*
 * Close every handle of gf, one at a time (the last handle of a BO
 * retires it, which may sleep).  No lock held.
 */
void
gem_file_clear(struct gem_file *gf)
{
	struct gem_handle *gh;

	rcu_thread_online();
	for (;;) {
		mtx_lock(&gf->gf_mtx);
		gh = RB_MIN(gem_handle_tree, &gf->gf_handles);
		if (gh == NULL) {
			mtx_unlock(&gf->gf_mtx);
			break;
		}
		RB_REMOVE(gem_handle_tree, &gf->gf_handles, gh);
		RB_REMOVE(gem_bybo_tree, &gf->gf_bybo, gh);
		gf->gf_nhandles--;
		mtx_unlock(&gf->gf_mtx);
		gem_bo_handle_drop(gh->gh_bo);
		free(gh);
	}
}

/* An open file's table goes: its handles, then the table.  No lock held. */
void
gem_file_fini(struct gem_file *gf)
{

	gem_file_clear(gf);
	mtx_destroy(&gf->gf_mtx);
}

/*
 * A handle gf does not use: next-fit from the cursor, wrapping after
 * GEM_HANDLE_MAX; 0 if all are taken.  [f] held.
 */
static uint32_t
gem_handle_alloc(struct gem_file *gf)
{
	struct gem_handle key;
	unsigned long tries;
	uint32_t h;

	mtx_assert(&gf->gf_mtx, MA_OWNED);
	for (tries = 0; tries <= gf->gf_nhandles; tries++) {
		h = gf->gf_next_handle;
		gf->gf_next_handle = h >= GEM_HANDLE_MAX ? 1 : h + 1;
		key.gh_handle = h;
		if (RB_FIND(gem_handle_tree, &gf->gf_handles, &key) == NULL)
			return (h);
	}
	return (0);
}

/*
 * Record a handle of bo in gf.  The caller has counted it in bo_handles
 * already (and drops that count if this fails).  0, ENOMEM, ENOSPC (no
 * free handle).  No lock held.
 */
int
gem_handle_add(struct gem_file *gf, struct gem_bo *bo, uint32_t *handlep)
{
	struct gem_handle *gh;
	uint32_t h;

	gh = calloc(1, sizeof(*gh));
	if (gh == NULL)
		return (ENOMEM);
	mtx_lock(&gf->gf_mtx);
	h = gem_handle_alloc(gf);
	if (h == 0) {
		mtx_unlock(&gf->gf_mtx);
		free(gh);
		return (ENOSPC);
	}
	gh->gh_handle = h;
	gh->gh_bo = bo;
	RB_INSERT(gem_handle_tree, &gf->gf_handles, gh);
	RB_INSERT(gem_bybo_tree, &gf->gf_bybo, gh);
	gf->gf_nhandles++;
	mtx_unlock(&gf->gf_mtx);
	*handlep = h;
	return (0);
}

/*
 * The BO gf calls handle, with a reference on its object for the caller
 * (another thread of the same open may close the handle meanwhile), or
 * NULL.  No lock held.
 */
static struct gem_bo *
gem_handle_ref(struct gem_file *gf, uint32_t handle)
{
	struct gem_handle key, *gh;
	struct gem_bo *bo;

	key.gh_handle = handle;
	mtx_lock(&gf->gf_mtx);
	gh = RB_FIND(gem_handle_tree, &gf->gf_handles, &key);
	bo = gh != NULL ? gh->gh_bo : NULL;
	/* The handle counts in bo_handles: the object lives. */
	if (bo != NULL)
		vm_object_reference(bo->bo_obj);
	mtx_unlock(&gf->gf_mtx);
	return (bo);
}

/*
 * Close gf's handle; the last handle of a BO destroys it.  0 or ENOENT
 * with a message.  No lock held.
 */
int
gem_handle_close(struct gem_file *gf, uint32_t handle, struct sbuf *err)
{
	struct gem_handle key, *gh;

	rcu_thread_online();
	key.gh_handle = handle;
	mtx_lock(&gf->gf_mtx);
	gh = RB_FIND(gem_handle_tree, &gf->gf_handles, &key);
	if (gh == NULL) {
		mtx_unlock(&gf->gf_mtx);
		sbuf_printf(err, "no buffer with handle %u on '%s'",
		    (unsigned)handle, gf->gf_sc->sc_name);
		return (ENOENT);
	}
	RB_REMOVE(gem_handle_tree, &gf->gf_handles, gh);
	RB_REMOVE(gem_bybo_tree, &gf->gf_bybo, gh);
	gf->gf_nhandles--;
	mtx_unlock(&gf->gf_mtx);
	gem_bo_handle_drop(gh->gh_bo);
	free(gh);
	return (0);
}

/*
 * Move the BO of gf's handle to placement.  0, EINVAL, ENOENT, ENOMEM,
 * ENXIO, with a message.  No lock held.
 */
int
gem_handle_move(struct gem_file *gf, uint32_t handle,
    enum gem_placement placement, struct sbuf *err)
{
	struct gem_bo *bo;
	vm_object_t obj;
	int error;

	if (placement != GEM_VRAM && placement != GEM_SYSTEM) {
		sbuf_printf(err, "placement must be vram or system");
		return (EINVAL);
	}
	rcu_thread_online();
	bo = gem_handle_ref(gf, handle);
	if (bo == NULL) {
		sbuf_printf(err, "no buffer with handle %u on '%s'",
		    (unsigned)handle, gf->gf_sc->sc_name);
		return (ENOENT);
	}
	obj = bo->bo_obj;
	error = gem_bo_move(bo, placement, err);
	vm_object_deallocate(obj);		/* may free bo */
	return (error);
}

/* Describe the BO of gf's handle.  0 or ENOENT.  No lock held. */
int
gem_handle_info(struct gem_file *gf, uint32_t handle,
    struct gem_bo_info *infop)
{
	struct gem_bo *bo;
	vm_object_t obj;

	rcu_thread_online();
	bo = gem_handle_ref(gf, handle);
	if (bo == NULL)
		return (ENOENT);
	obj = bo->bo_obj;
	gem_bo_describe(bo, infop);
	infop->bi_handle = handle;
	vm_object_deallocate(obj);
	return (0);
}

/*
 * The global name of the BO of gf's handle (flink), made on first use.
 * 0, ENOENT, ENXIO, ENOMEM.  No lock held.
 */
int
gem_handle_flink(struct gem_file *gf, uint32_t handle, uint64_t *namep)
{
	struct gem_bo *bo;
	vm_object_t obj;
	int error;

	rcu_thread_online();
	bo = gem_handle_ref(gf, handle);
	if (bo == NULL)
		return (ENOENT);
	obj = bo->bo_obj;
	error = gem_bo_name(bo, namep);
	vm_object_deallocate(obj);
	return (error);
}

/*
 * A new handle in gf for the BO called name; *infop describes it.  0,
 * ENOENT (no BO has that name), ENOMEM.  No lock held.
 */
int
gem_handle_open(struct gem_file *gf, uint64_t name,
    struct gem_bo_info *infop)
{
	struct gem_bo *bo;
	vm_object_t obj;
	uint32_t handle;
	int error;

	rcu_thread_online();
	bo = gem_bo_open_name(gf->gf_sc, name);
	if (bo == NULL)
		return (ENOENT);
	obj = bo->bo_obj;
	/* Ours until the reply is written: the handle may go at once. */
	vm_object_reference(obj);
	error = gem_handle_add(gf, bo, &handle);
	if (error != 0)
		gem_bo_handle_drop(bo);
	else {
		gem_bo_describe(bo, infop);
		infop->bi_handle = handle;
	}
	vm_object_deallocate(obj);
	return (error != 0 ? ENOMEM : 0);
}

/*
 * Does gf hold a handle of bo?  The access check of every request the
 * filesystem serves through a mapping entry.  No lock held; the caller
 * keeps bo alive (a reference on its object).
 */
bool
gem_file_holds(struct gem_file *gf, const struct gem_bo *bo)
{
	struct gem_handle key, *gh;
	bool held;

	key.gh_bo = (struct gem_bo *)(uintptr_t)bo;
	key.gh_handle = 0;
	mtx_lock(&gf->gf_mtx);
	gh = RB_NFIND(gem_bybo_tree, &gf->gf_bybo, &key);
	held = gh != NULL && gh->gh_bo == bo;
	mtx_unlock(&gf->gf_mtx);
	return (held);
}
