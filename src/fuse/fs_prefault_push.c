/*
 * A push (fs_prefault.h): [start, end) of a node in chunks of
 * FS_PREFAULT_CHUNK_PAGES pages, each in two stages --
 *	fault	vm_map_prefault_range: every page through vm_fault, the
 *		pager and the driver, and held; on the caller's thread,
 *		with the caller's credentials;
 *	store	the held pages put in a buffer vector and sent to the
 *		kernel (notify_store), which copies each into its page
 *		cache -- most of a push's cost -- then let go.
 * A long push shares the stores between two threads: chunk by chunk in
 * turns, the partner thread stores one while the pushing thread faults
 * the next and stores it itself -- the kernel copies into its page cache
 * for both at once, on two CPUs.  The faults still run in ascending
 * order on one thread, so the push ends at the first page the driver
 * refuses exactly as a push on one thread does; what it returns is the
 * run of pages stored from start on, and when a store fails the push
 * ends after the chunk stored beside it (whose pages stay in the cache:
 * they hold the device's bytes like any pushed page, and a revocation
 * queued meanwhile drops them with the rest).
 *
 * There is one partner: a push that finds it taken (another node's push)
 * runs both stages itself, as does every push of a daemon that may run
 * on one CPU only, every push of a few chunks and every window of
 * `around' (a reader runs beside it and needs the other CPU).
 *
 * Locks: pfp.lock, a leaf.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/proc.h"
#include "vm/vm.h"
#include "vm/vm_map.h"
#include "vm/vm_object.h"
#include "vm/vm_phys.h"
#include "fuse/fs.h"
#include "fuse/fs_devnode.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_pagebuf.h"
#include "fuse/fs_prefault.h"
#include "fuse/fs_stats.h"

/* A push of at most this many chunks runs on one thread. */
#define	FS_PREFAULT_PIPE_MIN	3
/* The partner polls for a chunk this long before it sleeps. */
#define	FS_PREFAULT_POLL_US	200

/* One chunk: its held pages and, once stored, the store's result. */
struct fs_pf_chunk {
	vm_page_t		 pages[FS_PREFAULT_CHUNK_PAGES];
	vm_object_t		 objs[FS_PREFAULT_CHUNK_PAGES];
	struct vm_map_hold	 h;
	unsigned		 h_got;	/* pages faulted and held */
	fuse_ino_t		 ino;
	vm_ooffset_t		 off;
	int			 rv;	/* 0 or a negative errno */
};

/*
 * The partner thread.
 *
 * While a push owns it, the partner polls todo instead of sleeping (for
 * FS_PREFAULT_POLL_US at a time: a fault may wait long for an external
 * pager), and the pushing thread polls for the store's end (a bounded
 * copy): a futex wake-up per chunk, on a 2-CPU virtual machine, cost as
 * much as the overlap gained (the woken thread often preempted the waker
 * on its CPU).  Otherwise it sleeps on cv; sleeping and todo are stored
 * and read sequentially consistent, so that a chunk handed over while it
 * goes to sleep is seen by one side or the other.
 *
 * Locks used to protect struct members here:
 *	[l]	pfp.lock
 *	(a)	atomic: todo is set by the pushing thread (release), cleared
 *		by the partner once the chunk is stored (release)
 */
static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;		/* taken, or stopping */
	struct fs_pf_chunk	*todo;		/* (a) handed over, not stored */
	bool			 taken;		/* [l] (a) a push owns it */
	bool			 sleeping;	/* [l] (a) on cv during a push */
	bool			 running;	/* [l] */
	bool			 stopping;	/* [l] */
	pthread_t		 thread;
} pfp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static fs_prefault_send_t *fs_prefault_sender;	/* (a) tests */

bool
fs_prefault_wb(const struct cdev *dev)
{

	return (__atomic_load_n(&dev->si_memattr, __ATOMIC_RELAXED) ==
	    VM_MEMATTR_WRITE_BACK);
}

void
fs_prefault_set_sender(fs_prefault_send_t *send)
{

	__atomic_store_n(&fs_prefault_sender, send, __ATOMIC_RELEASE);
}

/* Send one store; 0 or a negative errno (libfuse's convention). */
static int
fs_prefault_send(fuse_ino_t ino, off_t off, struct fuse_bufvec *bv,
    enum fuse_buf_copy_flags flags)
{
	fs_prefault_send_t *send;

	send = __atomic_load_n(&fs_prefault_sender, __ATOMIC_ACQUIRE);
	if (send != NULL)
		return (send(ino, off, bv, flags));
	if (fs.se == NULL)
		return (-ENOTCONN);
	return (fuse_lowlevel_notify_store(fs.se, ino, off, bv, flags));
}

/* The store stage of c (c->h.count > 0): sets c->rv, lets the pages go. */
static void
fs_pf_store(struct fs_pf_chunk *c)
{
	FS_PAGEBUF_DECLARE(pb, FS_PREFAULT_CHUNK_PAGES);
	unsigned count;
	bool fds;
	int error;

	count = c->h.count;
	rcu_read_lock();
	error = fs_pagebuf_fill(&pb.bv, FS_PREFAULT_CHUNK_PAGES, &c->h,
	    c->off, c->off + IDX_TO_OFF(count), &fds);
	if (error == 0)
		c->rv = fs_prefault_send(c->ino, (off_t)c->off, &pb.bv,
		    fds ? 0 : FUSE_BUF_NO_SPLICE);
	else
		c->rv = -error;
	/* A file-backed window that cannot give a page: the kernel's copy
	 * failed; counted as for a READ. */
	if (c->rv == -EFAULT)
		vm_phys_copy_failed(vm_map_hold_paddr(&c->h, 0),
		    IDX_TO_OFF(count));
	rcu_read_unlock();
	vm_map_unhold(&c->h);
	FS_STAT_INC(prefault_stores);
	if (c->rv == 0)
		FS_STAT_ADD(prefaulted, count);
}

static double
fs_pf_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3);
}

/* The next chunk handed over, or NULL once the push gave the partner back. */
static struct fs_pf_chunk *
fs_pf_partner_next(void)
{
	struct fs_pf_chunk *c;
	double t0;

	t0 = fs_pf_now_us();
	for (;;) {
		c = __atomic_load_n(&pfp.todo, __ATOMIC_SEQ_CST);
		if (c != NULL)
			return (c);
		if (!__atomic_load_n(&pfp.taken, __ATOMIC_SEQ_CST))
			return (NULL);
		if (fs_pf_now_us() - t0 < FS_PREFAULT_POLL_US) {
			sched_yield();
			continue;
		}
		pthread_mutex_lock(&pfp.lock);
		__atomic_store_n(&pfp.sleeping, true, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&pfp.todo, __ATOMIC_SEQ_CST) == NULL &&
		    pfp.taken)
			pthread_cond_wait(&pfp.cv, &pfp.lock);
		__atomic_store_n(&pfp.sleeping, false, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&pfp.lock);
		t0 = fs_pf_now_us();
	}
}

static void *
fs_pf_partner(void *arg)
{
	struct fs_pf_chunk *c;

	(void)arg;
	rcu_thread_online();
	pthread_mutex_lock(&pfp.lock);
	for (;;) {
		while (!pfp.stopping && !pfp.taken)
			pthread_cond_wait(&pfp.cv, &pfp.lock);
		if (!pfp.taken)
			break;		/* stopping */
		pthread_mutex_unlock(&pfp.lock);
		/* A push owns the partner until it gives it back. */
		while ((c = fs_pf_partner_next()) != NULL) {
			fs_pf_store(c);
			__atomic_store_n(&pfp.todo, NULL, __ATOMIC_RELEASE);
		}
		pthread_mutex_lock(&pfp.lock);
	}
	pthread_mutex_unlock(&pfp.lock);
	return (NULL);
}

/* The CPUs this process may run on. */
static int
fs_pf_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return ((int)sysconf(_SC_NPROCESSORS_ONLN));
	return (CPU_COUNT(&set));
}

int
fs_prefault_partner_start(void)
{
	int error;

	/* On one CPU (or pinned to one) the two could only take turns. */
	if (fs_pf_cpus() < 2)
		return (0);
	pthread_mutex_lock(&pfp.lock);
	KASSERT(!pfp.running, ("fs_prefault_partner_start: running"));
	pfp.stopping = false;
	error = pthread_create(&pfp.thread, NULL, fs_pf_partner, NULL);
	if (error == 0)
		pfp.running = true;
	pthread_mutex_unlock(&pfp.lock);
	return (error);
}

void
fs_prefault_partner_stop(void)
{
	bool running;

	pthread_mutex_lock(&pfp.lock);
	running = pfp.running;
	pfp.stopping = true;
	pthread_cond_signal(&pfp.cv);
	pthread_mutex_unlock(&pfp.lock);
	if (running)
		pthread_join(pfp.thread, NULL);
	pthread_mutex_lock(&pfp.lock);
	pfp.running = false;
	pthread_mutex_unlock(&pfp.lock);
}

/* Take the partner for one push; false when it is not there or taken. */
static bool
fs_pf_partner_take(void)
{
	bool ok;

	pthread_mutex_lock(&pfp.lock);
	ok = pfp.running && !pfp.stopping && !pfp.taken;
	if (ok) {
		__atomic_store_n(&pfp.taken, true, __ATOMIC_RELEASE);
		pthread_cond_signal(&pfp.cv);
	}
	pthread_mutex_unlock(&pfp.lock);
	return (ok);
}

static void
fs_pf_partner_give_back(void)
{

	pthread_mutex_lock(&pfp.lock);
	KASSERT(pfp.taken && pfp.todo == NULL,
	    ("fs_pf_partner_give_back: not taken or busy"));
	__atomic_store_n(&pfp.taken, false, __ATOMIC_SEQ_CST);
	pthread_cond_signal(&pfp.cv);
	pthread_mutex_unlock(&pfp.lock);
}

static void
fs_pf_partner_hand(struct fs_pf_chunk *c)
{

	KASSERT(__atomic_load_n(&pfp.todo, __ATOMIC_RELAXED) == NULL,
	    ("fs_pf_partner_hand: busy"));
	__atomic_store_n(&pfp.todo, c, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pfp.sleeping, __ATOMIC_SEQ_CST)) {
		pthread_mutex_lock(&pfp.lock);
		pthread_cond_signal(&pfp.cv);
		pthread_mutex_unlock(&pfp.lock);
	}
}

/* Wait until the partner has stored what it was handed. */
static void
fs_pf_partner_wait(void)
{

	while (__atomic_load_n(&pfp.todo, __ATOMIC_ACQUIRE) != NULL)
		sched_yield();
}

/*
 * Account for chunk c of a push, once stored: its pages join *pushedp
 * while every chunk before it was stored too (*okp), *hip is the end of
 * the last chunk stored at all.  False when the push must end: a store
 * failed, or the chunk is short (stop: a page was refused).
 */
static bool
fs_pf_account(const struct fs_pf_chunk *c, unsigned want, int stop,
    bool *okp, unsigned long *pushedp, vm_ooffset_t *hip)
{
	unsigned got = c->h_got;

	if (c->rv == 0 && got > 0)
		*hip = c->off + IDX_TO_OFF(got);
	if (c->rv == 0 && *okp)
		*pushedp += got;
	else
		*okp = false;
	if (c->rv != 0 || got < want) {
		/* A refused page ends the push: not an error. */
		if (stop != 0 || c->rv != 0)
			FS_STAT_INC(prefault_stops);
		return (false);
	}
	return (true);
}

unsigned long
fs_prefault_push(struct fs_devnode *dn, struct file *fp, vm_object_t only,
    vm_ooffset_t start, vm_ooffset_t end, const struct ucred *cred)
{
	static const vm_ooffset_t chunk_bytes =
	    (vm_ooffset_t)FS_PREFAULT_CHUNK_PAGES * PAGE_SIZE;
	struct fs_pf_chunk chunks[2], *c, *inflight;
	const struct ucred *saved;
	vm_ooffset_t off, cend, hi;
	unsigned long pushed;
	uint64_t gen;
	unsigned want, n;
	bool pipe, ok, more;
	int stop;

	start = trunc_page(start);
	end = round_page(end);
	pushed = 0;
	hi = start;
	ok = true;
	gen = fs_inval_gen(dn->dn_ino);
	/*
	 * Only an open waits for its push.  A window of `around' (limited
	 * to one object) is pushed beside a running reader: a partner
	 * polling for chunks would take the CPU that reader needs.
	 */
	pipe = only == NULL &&
	    end - start > FS_PREFAULT_PIPE_MIN * chunk_bytes &&
	    fs_pf_partner_take();
	inflight = NULL;
	saved = curthread->td_ucred;
	curthread->td_ucred = cred;
	for (off = start, n = 0; off < end; off = cend, n++) {
		/* Memory that must be fetched again is never pushed. */
		if (!fs_prefault_wb(dn->dn_dev))
			break;
		cend = end - off > chunk_bytes ? off + chunk_bytes : end;
		want = (unsigned)OFF_TO_IDX(cend - off);
		c = &chunks[n % 2];
		c->h.pages = c->pages;
		c->h.objs = c->objs;
		c->h.max = FS_PREFAULT_CHUNK_PAGES;
		c->h.count = 0;
		c->ino = dn->dn_ino;
		c->off = off;
		c->rv = 0;
		stop = 0;
		vm_map_prefault_range(&dn->dn_map, fp, off, cend,
		    VM_PROT_READ, cred, only, &c->h, &stop);
		c->h_got = c->h.count;
		if (pipe && inflight == NULL && c->h_got == want && cend < end) {
			/* Stored there while the next is faulted and stored
			 * here. */
			fs_pf_partner_hand(c);
			inflight = c;
			continue;
		}
		if (c->h_got > 0)
			fs_pf_store(c);
		more = true;
		if (inflight != NULL) {
			fs_pf_partner_wait();
			more = fs_pf_account(inflight, FS_PREFAULT_CHUNK_PAGES,
			    0, &ok, &pushed, &hi);
			inflight = NULL;
		}
		if (!fs_pf_account(c, want, stop, &ok, &pushed, &hi) || !more)
			break;
	}
	/* Left in flight only when the memory stopped being write-back. */
	if (inflight != NULL) {
		fs_pf_partner_wait();
		(void)fs_pf_account(inflight, FS_PREFAULT_CHUNK_PAGES, 0, &ok,
		    &pushed, &hi);
	}
	if (pipe)
		fs_pf_partner_give_back();
	curthread->td_ucred = saved;
	/*
	 * A revocation queued meanwhile may have been sent before a store
	 * reached the kernel, and a memattr change makes the pages
	 * uncacheable: either way, drop whatever was stored.
	 */
	if (hi > start && (fs_inval_gen(dn->dn_ino) != gen ||
	    !fs_prefault_wb(dn->dn_dev)))
		fs_inval_enqueue(dn->dn_ino, start, hi - start);
	return (pushed);
}
