/*
 * pager: a device whose page contents come from an external pager, a
 * process listening on a UNIX stream socket (socket=PATH) and speaking
 * devpager_protocol(5) -- Mach's external memory manager.  See
 * devpagerfs_pager(4).
 *
 * The device is an ordinary device-pager device: a device window (memfd)
 * of size bytes is the page store, and d_mmap_single hands out one
 * OBJT_DEVICE object whose fault handler, like fb's, gives the device
 * pager a fake page at the window address of the offset.  Only what the
 * window holds differs: before a page is handed out for the first time,
 * the handler asks the pager for it (pager_conn_request, data_request)
 * straight into the window.  Each page of the window has a state:
 *
 *	EMPTY	the window's bytes mean nothing; a fault asks the pager
 *	FILLING	a request for it is under way; other faults wait for it
 *	FILLED	the pager's bytes (and the stores made since) are there;
 *		faults hand the page out without asking
 *
 * plus UNRETURNED, set on a FILLED page whose dirty bytes the pager has
 * not taken yet (its data_return failed).  A fault asks for the run of
 * EMPTY pages starting at its page, as long as the request it serves
 * goes on (vm_fault_ahead(), the READ's remaining pages) and max_data
 * allows: one data_request per READ of fault_pages pages.  Faults that
 * run sequentially (each starting where the last request ended) ask for
 * twice as much each time, up to max_data: read-ahead, so that a
 * sequential pass costs one round trip to the pager per 1M, not per
 * READ.
 *
 * Taking pages away.  A revoke of a range -- a lock_request from the
 * pager, a new pager connection (its contents may differ: the whole
 * device), a `revoke NAME` (dd_revoke), a write refused by a read-only
 * pager -- first makes the range's pages EMPTY (pager_forget), then
 * invalidates the resident fake pages of the object (so the next fault
 * reaches the handler again), then has the filesystem drop the kernel's
 * cached pages (dev_retire_range; for a lock_request its done callback
 * sends lock_completed).  In that order, a fault racing with the revoke
 * either sees the old page before the invalidation or asks the pager
 * again; a request already under way when the revoke came is not kept
 * (sc_epoch) but asked again, at most PAGER_FILL_RETRIES times.
 *
 * Dirty pages.  Linux tells the daemon about stores into mapped pages
 * only when it writes them back (WRITE); dd_written hands the pages a
 * WRITE stored to the pager (data_return) before the WRITE is answered,
 * so msync(2) and fsync(2) return once the pager has them.  A return
 * that fails fails the WRITE (EIO) and leaves the pages UNRETURNED;
 * fsync (dd_sync), shutdown and destroy try them again.  A pager that
 * said DPP_PF_NORETURN keeps nothing: the stores stay in the window.  A
 * read-only pager (DPP_PF_READONLY) refuses writes: the WRITE fails with
 * EACCES and its pages are taken away again, so no mapping keeps bytes
 * the pager never accepted.
 *
 * Failure.  A fault whose request fails (data_error, the timeout, no
 * pager, a dropped connection) fails (VM_PAGER_ERROR: EIO, SIGBUS for
 * the application); pager_conn connects again on the next request, and
 * `pager NAME connect` does it at once.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant while the device exists
 *	(a)	atomic
 *	[m]	sc_mtx (a leaf: never held across another lock, a pager
 *		call or a VM call)
 *	[o]	sc_obj_mtx (a driver lock, held around cdev_pager_allocate)
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/refcount.h"
#include "kern/sbuf.h"
#include "kern/sleepqueue.h"
#include "dev/dev_driver.h"
#include "dev/pager_conn.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_pager.h"
#include "vm/vm_phys.h"

#define	PG_EMPTY		0x0
#define	PG_FILLING		0x1
#define	PG_FILLED		0x2
#define	PG_STATE		0x3
#define	PG_UNRETURNED		0x4

/* A request that a revoke overtook is asked again this often. */
#define	PAGER_FILL_RETRIES	4
/* timeout=: the pager's request timeout, in ms. */
#define	PAGER_TIMEOUT_MAX_MS	600000
/* socket=: what fits a Linux sockaddr_un's sun_path with its NUL (no
 * <sys/socket.h> here: its struct ucred is not the kernel's). */
#define	PAGER_SOCKET_MAX	((size_t)107)

struct pager_softc {
	struct mtx		 sc_mtx;
	volatile unsigned	 sc_refs;	/* (a) the device + lock dones */
	struct cdev		*sc_dev;	/* (a) set once the device
						   exists */
	char			 sc_name[SPECNAMELEN + 1]; /* (c) */
	struct vm_phys_window	*sc_window;	/* (c) */
	vm_paddr_t		 sc_base;	/* (c) window base */
	vm_size_t		 sc_size;	/* (c) bytes */
	vm_pindex_t		 sc_npages;	/* (c) */
	uint8_t			*sc_host;	/* (c) the window, host VA */
	uint32_t		 sc_max_data;	/* (c) largest request */
	struct pager_conn	*sc_conn;	/* (c) */
	uint8_t			*sc_pstate;	/* [m] PG_* per page */
	uint64_t		 sc_epoch;	/* [m] revokes so far */
	vm_pindex_t		 sc_seq_next;	/* [m] where the last request
						   ended */
	vm_pindex_t		 sc_seq_run;	/* [m] pages it asked for */
	bool			 sc_dying;	/* [m] no more lock completions */
	unsigned		 sc_completing;	/* [m] lock completions running */
	uint32_t		 sc_features;	/* (a) DPP_PF_* of the pager */
	struct mtx		 sc_obj_mtx;
	vm_object_t		 sc_obj;	/* [o] the pager object, held;
						   (a) read */
	unsigned long		 sc_fills;	/* (a) data_requests made */
	unsigned long		 sc_fill_errors; /* (a) of them failed */
	unsigned long		 sc_return_errors; /* (a) returns failed */
	unsigned long		 sc_revokes;	/* (a) ranges taken away */
	char			 sc_socket[PAGER_SOCKET_MAX + 1]; /* (c) */
};

/* A lock_request waiting for its invalidation to be sent. */
struct pager_lock_done {
	struct pager_softc	*ld_sc;		/* referenced */
	struct pager_conn_lock	 ld_lk;
};

struct pager_params {
	const char	*pp_socket;
	uint64_t	 pp_size;
	vm_memattr_t	 pp_memattr;
	unsigned	 pp_timeout_ms;
};

static d_mmap_single_t pager_mmap_single;
static int	pager_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
		    vm_ooffset_t foff, const struct ucred *cred,
		    uint16_t *color);
static void	pager_pg_dtor(void *handle);
static int	pager_pg_fault(vm_object_t object, vm_ooffset_t offset,
		    int prot, vm_page_t *mres);
static void	pager_pco_up(void *arg, uint64_t gen,
		    const struct dpp_hello_reply *reply);
static int	pager_pco_lock(void *arg, const struct pager_conn_lock *lk);
static void	pager_pco_down(void *arg, uint64_t gen, const char *why);
static int	pager_params(const struct dev_create_args *args,
		    struct pager_params *pp, struct sbuf *err);
static int	pager_check(const struct dev_create_args *args,
		    struct sbuf *err);
static int	pager_create(const struct dev_create_args *args,
		    const struct ucred *cred, struct cdev **devp,
		    struct sbuf *err);
static int	pager_destroy(struct cdev *dev, struct sbuf *err);
static int	pager_ctl(struct cdev *dev, int argc, char **argv,
		    const struct ucred *cred, struct sbuf *out);
static int	pager_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len);
static int	pager_written(struct cdev *dev, vm_ooffset_t off,
		    vm_size_t len);
static void	pager_revoke(struct cdev *dev, vm_ooffset_t off,
		    vm_size_t len);
static void	pager_state(struct cdev *dev, struct dev_state *ds);

static struct cdevsw pager_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "pager",
	.d_mmap_single = pager_mmap_single,
};

static const struct cdev_pager_ops pager_pager_ops = {
	.cdev_pg_ctor = pager_pg_ctor,
	.cdev_pg_dtor = pager_pg_dtor,
	.cdev_pg_fault = pager_pg_fault,
};

static const struct pager_conn_ops pager_conn_ops = {
	.pco_up = pager_pco_up,
	.pco_lock = pager_pco_lock,
	.pco_down = pager_pco_down,
};

static const char *const pager_keys[] = {
	"socket", "size", "memattr", "timeout", NULL
};

const struct dev_driver dev_pager_driver = {
	.dd_name = "pager",
	.dd_keys = pager_keys,
	.dd_check = pager_check,
	.dd_create = pager_create,
	.dd_destroy = pager_destroy,
	.dd_ctl = pager_ctl,
	.dd_set_memattr = dev_memattr_store,
	.dd_sync = pager_sync,
	.dd_written = pager_written,
	.dd_revoke = pager_revoke,
	.dd_state = pager_state,
};

static void
pager_softc_rele(struct pager_softc *sc)
{

	if (!refcount_release(&sc->sc_refs))
		return;
	mtx_destroy(&sc->sc_mtx);
	mtx_destroy(&sc->sc_obj_mtx);
	free(sc->sc_pstate);
	free(sc);
}

/*
 * The pages of [off, off + len) hold nothing any more: FILLED pages
 * become EMPTY (unreturned stores are dropped with them), and a request
 * under way for any page will not be kept (the epoch moves).
 */
static void
pager_forget(struct pager_softc *sc, vm_ooffset_t off, vm_size_t len)
{
	vm_pindex_t i, end;

	end = OFF_TO_IDX(off + len);
	mtx_lock(&sc->sc_mtx);
	sc->sc_epoch++;
	for (i = OFF_TO_IDX(off); i < end && i < sc->sc_npages; i++)
		if ((sc->sc_pstate[i] & PG_STATE) == PG_FILLED)
			sc->sc_pstate[i] = PG_EMPTY;
	mtx_unlock(&sc->sc_mtx);
}

/*
 * Invalidate the resident fake pages of the object in [off, off + len):
 * the next fault of each calls pager_pg_fault again.  No lock held.
 */
static void
pager_vm_invalidate(struct pager_softc *sc, vm_ooffset_t off, vm_size_t len)
{
	vm_object_t obj;

	obj = __atomic_load_n(&sc->sc_obj, __ATOMIC_ACQUIRE);
	if (obj == NULL)
		return;
	VM_OBJECT_WLOCK(obj);
	vm_object_page_remove(obj, OFF_TO_IDX(off), OFF_TO_IDX(off + len),
	    OBJPR_NOTMAPPED);
	VM_OBJECT_WUNLOCK(obj);
}

/*
 * Take [off, off + len) away from every mapping (see the top): forget,
 * invalidate, and have the kernel's cached pages dropped; done(arg), if
 * not NULL, runs once they are.  No lock held.
 */
static void
pager_take_away(struct pager_softc *sc, vm_ooffset_t off, vm_size_t len,
    dev_retire_done_t *done, void *arg)
{

	struct cdev *dev;

	__atomic_add_fetch(&sc->sc_revokes, 1, __ATOMIC_RELAXED);
	pager_forget(sc, off, len);
	pager_vm_invalidate(sc, off, len);
	dev = __atomic_load_n(&sc->sc_dev, __ATOMIC_ACQUIRE);
	if (dev == NULL) {
		/* Still being created: no mapping can hold a page yet. */
		if (done != NULL)
			done(arg);
		return;
	}
	dev_ref(dev);
	dev_retire_range(dev, off, len, done, arg);
	dev_rel(dev);
}

/*
 * Make page pidx of the window hold the pager's bytes, asking for it and
 * for up to ahead EMPTY pages after it in one data_request.  write: the
 * fault serves a store (DPP_ACCESS_WRITE, unless the pager is read-only:
 * the store is refused later, by pager_written).  0 or the request's
 * error.  No lock held; may sleep, bounded by the pager's timeout.
 */
static int
pager_fill(struct pager_softc *sc, vm_pindex_t pidx, unsigned ahead,
    bool write)
{
	vm_pindex_t i, n, max, want;
	uint64_t epoch;
	unsigned access;
	int error, tries;
	bool keep;

	max = sc->sc_max_data / PAGE_SIZE;
	tries = 0;
	mtx_lock(&sc->sc_mtx);
	for (;;) {
		switch (sc->sc_pstate[pidx] & PG_STATE) {
		case PG_FILLED:
			mtx_unlock(&sc->sc_mtx);
			return (0);
		case PG_FILLING:
			/* Another fault's request brings it. */
			(void)msleep(sc, &sc->sc_mtx, 0, "pgfill", 0);
			continue;
		}
		/*
		 * The request's own pages, or more when faults run
		 * sequentially: each fault that starts where the last
		 * request ended doubles the run asked for, up to max_data
		 * (read-ahead, as for a file).
		 */
		want = (vm_pindex_t)ahead + 1;
		if (pidx == sc->sc_seq_next) {
			sc->sc_seq_run = sc->sc_seq_run * 2 > want ?
			    sc->sc_seq_run * 2 : want;
			if (sc->sc_seq_run > max)
				sc->sc_seq_run = max;
			want = sc->sc_seq_run;
		} else
			sc->sc_seq_run = want;
		n = 1;
		while (n < want && n < max && pidx + n < sc->sc_npages &&
		    (sc->sc_pstate[pidx + n] & PG_STATE) == PG_EMPTY)
			n++;
		for (i = pidx; i < pidx + n; i++)
			sc->sc_pstate[i] = PG_FILLING;
		sc->sc_seq_next = pidx + n;
		epoch = sc->sc_epoch;
		mtx_unlock(&sc->sc_mtx);

		access = DPP_ACCESS_READ;
		if (write && (__atomic_load_n(&sc->sc_features,
		    __ATOMIC_RELAXED) & DPP_PF_READONLY) == 0)
			access |= DPP_ACCESS_WRITE;
		__atomic_add_fetch(&sc->sc_fills, 1, __ATOMIC_RELAXED);
		error = pager_conn_request(sc->sc_conn, IDX_TO_OFF(pidx),
		    (uint32_t)(n * PAGE_SIZE), access,
		    sc->sc_host + IDX_TO_OFF(pidx));
		if (error == EROFS && (access & DPP_ACCESS_WRITE) != 0) {
			/* A read-only pager: read now, refuse the store. */
			__atomic_or_fetch(&sc->sc_features, DPP_PF_READONLY,
			    __ATOMIC_RELAXED);
			error = pager_conn_request(sc->sc_conn,
			    IDX_TO_OFF(pidx), (uint32_t)(n * PAGE_SIZE),
			    DPP_ACCESS_READ, sc->sc_host + IDX_TO_OFF(pidx));
		}
		if (error != 0)
			__atomic_add_fetch(&sc->sc_fill_errors, 1,
			    __ATOMIC_RELAXED);

		mtx_lock(&sc->sc_mtx);
		keep = error == 0 && (epoch == sc->sc_epoch ||
		    ++tries > PAGER_FILL_RETRIES);
		for (i = pidx; i < pidx + n; i++)
			sc->sc_pstate[i] = keep ? PG_FILLED : PG_EMPTY;
		wakeup(sc);
		if (error != 0 || keep)
			break;
		/* A revoke came while the bytes were on their way. */
	}
	mtx_unlock(&sc->sc_mtx);
	return (error);
}

/*
 * The object for the whole device.  Called with a thread reference held.
 */
static int
pager_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{
	struct pager_softc *sc = dev->si_drv1;

	return (dev_single_object(dev, &pager_pager_ops, sc->sc_size,
	    &sc->sc_obj_mtx, &sc->sc_obj, *offset, size, nprot, object));
}

/* As fb's: the object holds a cdev reference; superpage colour. */
static int
pager_pg_ctor(void *handle, vm_ooffset_t size, vm_prot_t prot,
    vm_ooffset_t foff, const struct ucred *cred, uint16_t *color)
{
	struct cdev *dev = handle;
	struct pager_softc *sc = dev->si_drv1;

	(void)size;
	(void)prot;
	(void)cred;
	return (dev_window_pg_ctor(dev, sc->sc_base, foff, color));
}

static void
pager_pg_dtor(void *handle)
{

	dev_rel(handle);
}

/*
 * The fault handler.  The object must be locked (write); the lock is
 * dropped while the pager is asked (the placeholder stays busy in the
 * object) and held again on return.  A failed request fails the fault.
 */
static int
pager_pg_fault(vm_object_t object, vm_ooffset_t offset, int prot,
    vm_page_t *mres)
{
	struct pager_softc *sc;
	struct cdev *dev;
	vm_memattr_t memattr;
	vm_paddr_t paddr;
	int error, ref;

	VM_OBJECT_ASSERT_WLOCKED(object);
	dev = object->un_pager.devp.dev;
	VM_OBJECT_WUNLOCK(object);

	/* After destroy_dev the softc is gone: fail, never touch it. */
	if (dev_refthread(dev, &ref) == NULL) {
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_FAIL);
	}
	sc = dev->si_drv1;
	if (offset >= sc->sc_size) {
		dev_relthread(dev, ref);
		VM_OBJECT_WLOCK(object);
		return (VM_PAGER_BAD);
	}
	error = pager_fill(sc, OFF_TO_IDX(offset), vm_fault_ahead(),
	    (prot & VM_PROT_WRITE) != 0);
	paddr = sc->sc_base + trunc_page(offset);
	memattr = __atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED);
	dev_relthread(dev, ref);

	VM_OBJECT_WLOCK(object);
	if (error != 0)
		return (VM_PAGER_ERROR);
	cdev_pager_fake_page(object, mres, paddr, memattr);
	return (VM_PAGER_OK);
}

/*
 * A new connection.  The first finds nothing cached; a later one may be
 * another pager with other contents: take the whole device away.
 */
static void
pager_pco_up(void *arg, uint64_t gen, const struct dpp_hello_reply *reply)
{
	struct pager_softc *sc = arg;

	__atomic_store_n(&sc->sc_features, reply->features, __ATOMIC_RELAXED);
	kern_log(LOG_INFO, "pager %s: connected to %s (connection %ju)",
	    sc->sc_name, sc->sc_socket, (uintmax_t)gen);
	if (gen > 1)
		pager_take_away(sc, 0, sc->sc_size, NULL, NULL);
}

static void
pager_pco_down(void *arg, uint64_t gen, const char *why)
{
	struct pager_softc *sc = arg;

	kern_log(LOG_WARNING, "pager %s: connection %ju to %s ended: %s",
	    sc->sc_name, (uintmax_t)gen, sc->sc_socket,
	    why != NULL ? why : "");
}

/* The kernel dropped a lock_request's range: complete it. */
static void
pager_lock_done(void *arg)
{
	struct pager_lock_done *ld = arg;
	struct pager_softc *sc = ld->ld_sc;
	bool live;

	mtx_lock(&sc->sc_mtx);
	live = !sc->sc_dying;
	if (live)
		sc->sc_completing++;
	mtx_unlock(&sc->sc_mtx);
	if (live) {
		pager_conn_lock_completed(sc->sc_conn, &ld->ld_lk, 0);
		mtx_lock(&sc->sc_mtx);
		if (--sc->sc_completing == 0 && sc->sc_dying)
			wakeup(&sc->sc_completing);
		mtx_unlock(&sc->sc_mtx);
	}
	free(ld);
	pager_softc_rele(sc);
}

/*
 * lock_request: take the range away; complete when the kernel holds
 * none of its pages any more.  Its dirty pages, if any, come back on
 * the way (the invalidation writes them back through WRITE, hence
 * pager_written) whether or not DPP_LOCK_RETURN was asked for.
 */
static int
pager_pco_lock(void *arg, const struct pager_conn_lock *lk)
{
	struct pager_softc *sc = arg;
	struct pager_lock_done *ld;

	ld = malloc(sizeof(*ld));
	if (ld == NULL) {
		pager_take_away(sc, lk->pl_offset, lk->pl_length, NULL, NULL);
		return (ENOMEM);
	}
	refcount_acquire(&sc->sc_refs);
	ld->ld_sc = sc;
	ld->ld_lk = *lk;
	pager_take_away(sc, lk->pl_offset, lk->pl_length, pager_lock_done,
	    ld);
	return (PAGER_CONN_LOCK_LATER);
}

/*
 * Hand [off, off + len) of the window back (page-aligned), in max_data
 * pieces.  Pieces returned lose UNRETURNED; pieces that fail get it.
 * 0, EACCES (a read-only pager or device) or EIO.
 */
static int
pager_return(struct pager_softc *sc, vm_ooffset_t off, vm_ooffset_t end)
{
	vm_ooffset_t pos, n;
	vm_pindex_t i;
	int error, first;

	first = 0;
	for (pos = off; pos < end; pos += n) {
		n = end - pos < sc->sc_max_data ? end - pos : sc->sc_max_data;
		error = pager_conn_return(sc->sc_conn, pos, (uint32_t)n,
		    sc->sc_host + pos);
		if (error == EOPNOTSUPP)
			error = 0;	/* DPP_PF_NORETURN: kept here */
		if (error == EROFS)
			return (EACCES);
		mtx_lock(&sc->sc_mtx);
		for (i = OFF_TO_IDX(pos); i < OFF_TO_IDX(pos + n); i++) {
			if (error == 0)
				sc->sc_pstate[i] &= ~PG_UNRETURNED;
			else if ((sc->sc_pstate[i] & PG_STATE) == PG_FILLED)
				sc->sc_pstate[i] |= PG_UNRETURNED;
		}
		mtx_unlock(&sc->sc_mtx);
		if (error != 0) {
			__atomic_add_fetch(&sc->sc_return_errors, 1,
			    __ATOMIC_RELAXED);
			if (first == 0)
				first = EIO;
		}
	}
	return (first);
}

/*
 * A WRITE stored [off, off + len): its pages go to the pager before the
 * WRITE is answered.  A read-only pager's refusal takes them away again.
 * Runs inside the device.
 */
static int
pager_written(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	struct pager_softc *sc = dev->si_drv1;
	vm_ooffset_t start, end;
	int error;

	start = trunc_page(off);
	end = round_page(off + len);
	if (end > sc->sc_size)
		end = sc->sc_size;
	error = pager_return(sc, start, end);
	if (error == EACCES) {
		pager_forget(sc, start, end - start);
		pager_vm_invalidate(sc, start, end - start);
	}
	return (error);
}

/*
 * fsync: the kernel has written the dirty pages back (each WRITE
 * returned its own); return what failed before.  Runs inside the device.
 */
static int
pager_sync(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	struct pager_softc *sc = dev->si_drv1;
	vm_pindex_t i, run, end;
	int error, first;

	first = 0;
	end = OFF_TO_IDX(off + len);
	i = OFF_TO_IDX(off);
	while (i < end) {
		mtx_lock(&sc->sc_mtx);
		while (i < end && (sc->sc_pstate[i] & PG_UNRETURNED) == 0)
			i++;
		run = i;
		while (run < end && (sc->sc_pstate[run] & PG_UNRETURNED) != 0)
			run++;
		mtx_unlock(&sc->sc_mtx);
		if (run == i)
			break;
		error = pager_return(sc, IDX_TO_OFF(i), IDX_TO_OFF(run));
		if (error != 0 && first == 0)
			first = EIO;
		i = run;
	}
	return (first);
}

/* `revoke NAME`: the next fault asks the pager again.  Inside the device. */
static void
pager_revoke(struct cdev *dev, vm_ooffset_t off, vm_size_t len)
{
	struct pager_softc *sc = dev->si_drv1;

	__atomic_add_fetch(&sc->sc_revokes, 1, __ATOMIC_RELAXED);
	pager_forget(sc, off, len);
}

/* socket= (required), size= (required), memattr=, timeout=. */
static int
pager_params(const struct dev_create_args *args, struct pager_params *pp,
    struct sbuf *err)
{
	const char *val;
	uint64_t v;
	bool set;
	int error;

	memset(pp, 0, sizeof(*pp));
	pp->pp_memattr = VM_MEMATTR_WRITE_BACK;
	pp->pp_timeout_ms = PAGER_CONN_TIMEOUT_DEFAULT_MS;
	pp->pp_socket = dev_create_args_get(args, "socket");
	if (pp->pp_socket == NULL) {
		sbuf_cat(err, "socket=PATH is required (where the pager "
		    "listens)");
		return (EINVAL);
	}
	error = dev_arg_path("socket", pp->pp_socket, err);
	if (error != 0)
		return (error);
	if (strlen(pp->pp_socket) > PAGER_SOCKET_MAX) {
		sbuf_printf(err, "socket: path longer than %zu bytes",
		    PAGER_SOCKET_MAX);
		return (EINVAL);
	}
	error = dev_args_size(args, &pp->pp_size, &set, err);
	if (error != 0)
		return (error);
	if (!set) {
		sbuf_cat(err, "size=SIZE is required");
		return (EINVAL);
	}
	pp->pp_size = round_page(pp->pp_size);
	error = dev_args_memattr(args, &pp->pp_memattr, &set, err);
	if (error != 0)
		return (error);
	if ((val = dev_create_args_get(args, "timeout")) != NULL) {
		error = dev_arg_uint("timeout", val, PAGER_TIMEOUT_MAX_MS, &v,
		    err);
		if (error == 0 && v == 0) {
			sbuf_cat(err, "timeout: must be at least 1 (ms)");
			error = EINVAL;
		}
		if (error != 0)
			return (error);
		pp->pp_timeout_ms = (unsigned)v;
	}
	return (0);
}

static int
pager_check(const struct dev_create_args *args, struct sbuf *err)
{
	struct pager_params pp;

	return (pager_params(args, &pp, err));
}

/*
 * Make the device.  Nothing is connected yet: the first fault (or
 * `pager NAME connect`) connects, so a device may be created before its
 * pager starts.
 */
static int
pager_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct pager_conn_params pcp;
	struct make_dev_args mda;
	struct pager_params pp;
	struct pager_softc *sc;
	struct cdev *dev;
	int error;

	error = pager_params(args, &pp, err);
	if (error != 0)
		return (error);
	rcu_thread_online();
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		sbuf_cat(err, "out of memory");
		return (ENOMEM);
	}
	sc->sc_size = pp.pp_size;
	sc->sc_npages = OFF_TO_IDX(pp.pp_size);
	sc->sc_pstate = calloc(sc->sc_npages, 1);
	if (sc->sc_pstate == NULL) {
		free(sc);
		sbuf_cat(err, "out of memory");
		return (ENOMEM);
	}
	mtx_init(&sc->sc_mtx, "pager pages", LOCK_RANK_LEAF, 0);
	mtx_init(&sc->sc_obj_mtx, "pager object", LOCK_RANK_DRIVER, 0);
	refcount_init(&sc->sc_refs, 1);
	strlcpy(sc->sc_socket, pp.pp_socket, sizeof(sc->sc_socket));
	strlcpy(sc->sc_name, args->name, sizeof(sc->sc_name));
	sc->sc_max_data = pp.pp_size < DPP_DATA_MAX ? (uint32_t)pp.pp_size :
	    DPP_DATA_MAX;

	make_dev_args_init(&mda);
	mda.mda_devsw = &pager_cdevsw;
	dev_make_args_node(&mda, args, cred, 0660);
	mda.mda_si_drv1 = sc;
	mda.mda_dsize = pp.pp_size;
	mda.mda_memattr = pp.pp_memattr;

	memset(&pcp, 0, sizeof(pcp));
	pcp.pcp_path = sc->sc_socket;
	pcp.pcp_name = args->name;
	pcp.pcp_size = pp.pp_size;
	pcp.pcp_max_data = sc->sc_max_data;
	pcp.pcp_timeout_ms = pp.pp_timeout_ms;
	pcp.pcp_readonly = (mda.mda_mode & 0222) == 0;
	pcp.pcp_ops = &pager_conn_ops;
	pcp.pcp_arg = sc;
	error = pager_conn_create(&pcp, &sc->sc_conn);
	if (error != 0) {
		sbuf_printf(err, "cannot make the pager connection: %s",
		    strerror(error));
		pager_softc_rele(sc);
		return (error);
	}

	error = vm_phys_window_create(args->name, pp.pp_size, -1, 0, "memfd",
	    pp.pp_memattr, &sc->sc_window, &sc->sc_base);
	if (error != 0) {
		sbuf_printf(err, "cannot make a %ju-byte window: %s",
		    (uintmax_t)pp.pp_size, strerror(error));
		pager_conn_destroy(sc->sc_conn);
		pager_softc_rele(sc);
		return (error == ENOMEM ? ENOMEM : EINVAL);
	}
	rcu_read_lock();
	sc->sc_host = vm_phys_to_host(sc->sc_base);
	rcu_read_unlock();

	/* The event thread may call back once a fault connects. */
	error = make_dev_s(&mda, &dev, "%s", args->name);
	if (error != 0) {
		pager_conn_destroy(sc->sc_conn);
		vm_phys_window_destroy(sc->sc_window);
		pager_softc_rele(sc);
		return (error);
	}
	__atomic_store_n(&sc->sc_dev, dev, __ATOMIC_RELEASE);
	*devp = dev;
	return (0);
}

/*
 * What the pager has not taken yet goes back first (best effort: the
 * device goes anyway), then destroy_dev (no fault, write or command is
 * inside afterwards; a fault waiting for the pager is waited for, at
 * most its timeout), then the lock completions still on their way are
 * dropped, the connection ends (terminate), and the object reference,
 * the window and the softc go.
 */
static int
pager_destroy(struct cdev *dev, struct sbuf *err)
{
	struct pager_softc *sc = dev->si_drv1;

	(void)err;
	rcu_thread_online();
	if (pager_sync(dev, 0, sc->sc_size) != 0)
		kern_log(LOG_ERR, "pager %s: dirty pages the pager did not "
		    "take are lost", devtoname(dev));
	destroy_dev(dev);
	mtx_lock(&sc->sc_mtx);
	sc->sc_dying = true;
	while (sc->sc_completing != 0)
		(void)msleep(&sc->sc_completing, &sc->sc_mtx, 0, "pgdone", 0);
	mtx_unlock(&sc->sc_mtx);
	pager_conn_destroy(sc->sc_conn);
	if (sc->sc_obj != NULL)
		vm_object_deallocate(sc->sc_obj);
	vm_phys_window_destroy(sc->sc_window);
	pager_softc_rele(sc);
	return (0);
}

static const char *
pager_state_word(int state)
{

	switch (state) {
	case PAGER_CONN_UP:		return ("connected");
	case PAGER_CONN_CONNECTING:	return ("connecting");
	case PAGER_CONN_CLOSED:		return ("closed");
	default:			return ("disconnected");
	}
}

/*
 * `pager NAME connect`: connect now if down (reply "connected" or the
 * error and why); `pager NAME disconnect`: drop the connection (the next
 * fault connects again).  Runs inside the device.
 */
static int
pager_ctl(struct cdev *dev, int argc, char **argv, const struct ucred *cred,
    struct sbuf *out)
{
	struct pager_softc *sc = dev->si_drv1;
	struct pager_conn_stats st;
	int error;

	(void)cred;
	if (argc == 1 && strcmp(argv[0], "connect") == 0) {
		error = pager_conn_connect(sc->sc_conn);
		if (error == 0) {
			sbuf_printf(out, "connected socket=%s", sc->sc_socket);
			return (0);
		}
		pager_conn_stats(sc->sc_conn, &st);
		sbuf_printf(out, "cannot connect to %s: %s", sc->sc_socket,
		    st.pcs_last_error[0] != '\0' ? st.pcs_last_error :
		    strerror(error));
		return (error == ESHUTDOWN ? ENXIO : error == ETIMEDOUT ?
		    ETIMEDOUT : ENOTCONN);
	}
	if (argc == 1 && strcmp(argv[0], "disconnect") == 0) {
		pager_conn_disconnect(sc->sc_conn, "pager NAME disconnect");
		sbuf_cat(out, "disconnected");
		return (0);
	}
	sbuf_printf(out, "usage: pager %s connect|disconnect", devtoname(dev));
	return (EINVAL);
}

/*
 * vm/devices STATE: pager=connected|connecting|disconnected,inflight=N,
 * requests=N,errors=N,drops=N (errors: faults and write-backs the pager
 * did not serve -- data_error, timeout, no pager -- ; drops: connections
 * lost).  Must not block: the stats take the connection's leaf lock
 * only.
 */
static void
pager_state(struct cdev *dev, struct dev_state *ds)
{
	struct pager_softc *sc;
	struct pager_conn_stats st;
	int ref;

	if (dev_refthread(dev, &ref) == NULL) {
		dev_state_word(ds, "pager=closed");
		return;
	}
	sc = dev->si_drv1;
	pager_conn_stats(sc->sc_conn, &st);
	dev_state_word(ds, "pager=%s", pager_state_word(st.pcs_state));
	dev_state_word(ds, "inflight=%u", st.pcs_inflight);
	dev_state_word(ds, "requests=%ju", (uintmax_t)st.pcs_requests);
	dev_state_word(ds, "errors=%lu",
	    __atomic_load_n(&sc->sc_fill_errors, __ATOMIC_RELAXED) +
	    __atomic_load_n(&sc->sc_return_errors, __ATOMIC_RELAXED));
	dev_state_word(ds, "drops=%ju", (uintmax_t)st.pcs_drops);
	dev_relthread(dev, ref);
}
