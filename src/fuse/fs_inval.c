/*
 * The invalidation thread (see fs_inval.h).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "kern/kern_log.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_stats.h"

TAILQ_HEAD(inval_list, inval_range);

/* Who waits for a range to be sent (fs_inval_enqueue_done). */
struct inval_done {
	struct inval_done *next;	/* [q] */
	fs_inval_done_t	*fn;		/* (c) */
	void		*arg;		/* (c) */
};

struct inval_range {
	TAILQ_ENTRY(inval_range) link;	/* [q] */
	uint64_t	 due_ns;	/* [q] monotonic; 0: now */
	fuse_ino_t	 ino;		/* [q] */
	uint64_t	 start;		/* [q] */
	uint64_t	 end;		/* [q] exclusive; 0: whole file */
	struct inval_done *dones;	/* [q] run after the send */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work_cv;	/* work queued or stopping */
	pthread_cond_t		 idle_cv;	/* queue drained */
	struct inval_list	 queue;		/* [q] due now */
	struct inval_list	 delayed;	/* [q] by due_ns */
	unsigned long		 pending;	/* [q] */
	unsigned long		 dropped;	/* [q] */
	bool			 busy;		/* [q] a batch is being sent */
	bool			 running;	/* [q] */
	bool			 closing;	/* [q] fs_inval_close() */
	bool			 closed;	/* [q] sending no more */
	bool			 stopping;	/* [q] */
	pthread_t		 thread;
	struct fuse_session	*se;
	fs_inval_send_t		*send;
} iq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work_cv = PTHREAD_COND_INITIALIZER,
	.idle_cv = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(iq.queue),
	.delayed = TAILQ_HEAD_INITIALIZER(iq.delayed),
};

/*
 * Invalidations queued per inode, hashed (fs_inval_gen): a prefault that
 * saw the count change while it stored knows a revocation may have
 * passed its pages (fs_prefault.c).
 */
#define	INVAL_GENS	64
static uint64_t inval_gen[INVAL_GENS];		/* (a) */

static struct inval_range *inval_merge_into(struct inval_list *list,
		    fuse_ino_t ino, uint64_t start, uint64_t end);
static struct inval_done *inval_drop_all(void);
static void	inval_run_dones(struct inval_done *d);

/* Ranges waiting change by d; vm/stats shows the count.  [q] held. */
static void
inval_pending_add(long d)
{

	iq.pending += (unsigned long)d;
	fs_stats_inval_pending(iq.pending);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

/* Move due delayed ranges to the queue.  [q] held. */
static void
inval_promote(uint64_t now)
{
	struct inval_range *r, *into;
	struct inval_done *d;

	while ((r = TAILQ_FIRST(&iq.delayed)) != NULL && r->due_ns <= now) {
		TAILQ_REMOVE(&iq.delayed, r, link);
		inval_pending_add(-1);
		into = inval_merge_into(&iq.queue, r->ino, r->start, r->end);
		if (into != NULL) {
			while ((d = r->dones) != NULL) {
				r->dones = d->next;
				d->next = into->dones;
				into->dones = d;
			}
			free(r);
			continue;
		}
		r->due_ns = 0;
		TAILQ_INSERT_TAIL(&iq.queue, r, link);
		inval_pending_add(1);
	}
}

/*
 * Free every waiting range, counting it as dropped; the callbacks that
 * waited for them are returned, for the caller to run with inval_run_dones
 * once the lock is dropped (nothing will be sent any more: the kernel's
 * cache is going away with the mount).  [q] held.
 */
static struct inval_done *
inval_drop_all(void)
{
	struct inval_list *lists[2] = { &iq.queue, &iq.delayed };
	struct inval_done *dones, *d;
	struct inval_range *r;
	int i;

	dones = NULL;
	for (i = 0; i < 2; i++) {
		while ((r = TAILQ_FIRST(lists[i])) != NULL) {
			TAILQ_REMOVE(lists[i], r, link);
			inval_pending_add(-1);
			iq.dropped++;
			while ((d = r->dones) != NULL) {
				r->dones = d->next;
				d->next = dones;
				dones = d;
			}
			free(r);
		}
	}
	return (dones);
}

static int
inval_send_kernel(struct fuse_session *se, fuse_ino_t ino, off_t off,
    off_t len)
{
	return (fuse_lowlevel_notify_inval_inode(se, ino, off, len));
}

/*
 * Merge [start, end) into a waiting range of the same inode if they
 * touch; the range merged into, or NULL.  The queue lock must be held.
 */
static struct inval_range *
inval_merge_into(struct inval_list *list, fuse_ino_t ino, uint64_t start,
    uint64_t end)
{
	struct inval_range *r;

	TAILQ_FOREACH(r, list, link) {
		if (r->ino != ino)
			continue;
		if (r->end == 0)
			return (r);		/* whole file already */
		if (end == 0) {
			r->start = 0;
			r->end = 0;
			return (r);
		}
		if (start <= r->end && end >= r->start) {
			if (start < r->start)
				r->start = start;
			if (end > r->end)
				r->end = end;
			return (r);
		}
	}
	return (NULL);
}

/*
 * Queue [off, off + len) of ino; done (may be NULL) goes with the range
 * it ends up in.  0, or ESHUTDOWN when nothing is sent any more, or ENOMEM:
 * then the caller still owns done.  The queue lock must be held.
 */
static int
inval_enqueue_locked(fuse_ino_t ino, uint64_t off, uint64_t len,
    uint64_t due_ns, struct inval_done *done)
{
	struct inval_list *list;
	struct inval_range *r, *after;
	uint64_t end;

	__atomic_add_fetch(&inval_gen[ino % INVAL_GENS], 1, __ATOMIC_SEQ_CST);
	end = len == 0 ? 0 : off + len;
	if (len == 0)
		off = 0;
	list = due_ns == 0 ? &iq.queue : &iq.delayed;
	if (iq.closed || iq.stopping) {
		/* Shutting down: nothing more reaches the kernel. */
		iq.dropped++;
		return (ESHUTDOWN);
	}
	r = inval_merge_into(list, ino, off, end);
	if (r == NULL) {
		r = malloc(sizeof(*r));
		if (r == NULL) {
			/* A lost invalidation only leaves a stale mapping;
			 * it never corrupts daemon state. */
			kern_log(LOG_ERR, "devpagerfs: out of memory queueing "
			    "an invalidation of inode %llu",
			    (unsigned long long)ino);
			return (ENOMEM);
		}
		r->ino = ino;
		r->start = off;
		r->end = end;
		r->due_ns = due_ns;
		r->dones = NULL;
		if (due_ns == 0)
			TAILQ_INSERT_TAIL(list, r, link);
		else {
			/* Keep the delayed list sorted by due time. */
			after = TAILQ_LAST(list, inval_list);
			while (after != NULL && after->due_ns > due_ns)
				after = TAILQ_PREV(after, inval_list, link);
			if (after == NULL)
				TAILQ_INSERT_HEAD(list, r, link);
			else
				TAILQ_INSERT_AFTER(list, after, r, link);
		}
		inval_pending_add(1);
	}
	if (done != NULL) {
		done->next = r->dones;
		r->dones = done;
	}
	pthread_cond_signal(&iq.work_cv);
	return (0);
}

static void
inval_enqueue(fuse_ino_t ino, uint64_t off, uint64_t len, uint64_t due_ns)
{
	pthread_mutex_lock(&iq.lock);
	(void)inval_enqueue_locked(ino, off, len, due_ns, NULL);
	pthread_mutex_unlock(&iq.lock);
}

void
fs_inval_enqueue(fuse_ino_t ino, uint64_t off, uint64_t len)
{
	inval_enqueue(ino, off, len, 0);
}

void
fs_inval_enqueue_after(fuse_ino_t ino, uint64_t off, uint64_t len,
    unsigned delay_ms)
{
	inval_enqueue(ino, off, len, now_ns() + (uint64_t)delay_ms * 1000000);
}

void
fs_inval_enqueue_done(fuse_ino_t ino, uint64_t off, uint64_t len,
    fs_inval_done_t *done, void *arg)
{
	struct inval_done *d;
	int error;

	d = malloc(sizeof(*d));
	if (d == NULL) {
		kern_log(LOG_ERR, "devpagerfs: out of memory queueing an "
		    "invalidation of inode %llu", (unsigned long long)ino);
		return;
	}
	d->fn = done;
	d->arg = arg;
	pthread_mutex_lock(&iq.lock);
	/*
	 * Without a running thread, or once the queue is shut, nothing will
	 * be sent: the file system is not mounted, or its cache goes with
	 * the mount; there is nothing to wait for.
	 */
	error = iq.running ? inval_enqueue_locked(ino, off, len, 0, d) :
	    ESHUTDOWN;
	pthread_mutex_unlock(&iq.lock);
	if (error != 0) {
		free(d);
		/* Without memory the range may still be cached: whoever
		 * waits for it keeps waiting. */
		if (error == ESHUTDOWN)
			done(arg);
	}
}

/* Run and free the dones of a range that was sent.  No lock held. */
static void
inval_run_dones(struct inval_done *d)
{
	struct inval_done *next;

	for (; d != NULL; d = next) {
		next = d->next;
		d->fn(d->arg);
		free(d);
	}
}

void
fs_inval_entry(fuse_ino_t parent, const char *name)
{
	struct fuse_session *se;
	int error;

	pthread_mutex_lock(&iq.lock);
	se = iq.running && !iq.closing && !iq.stopping ? iq.se : NULL;
	pthread_mutex_unlock(&iq.lock);
	if (se == NULL)
		return;
	error = fuse_lowlevel_notify_inval_entry(se, parent, name,
	    strlen(name));
	/* ENOENT: the kernel does not cache that name; ENOSYS: the kernel
	 * has not even begun (a device made at start). */
	if (error != 0 && error != -ENOENT && error != -ENOSYS &&
	    error != -ENODEV && error != -ENOTCONN && error != -EBADF)
		kern_log(LOG_WARNING, "devpagerfs: forgetting the name %s "
		    "failed: %s", name, strerror(-error));
}

/*
 * Send ranges as they become due.  When closing, delayed ranges are due at
 * once and the thread marks the queue closed as soon as it is empty; when
 * stopping (the request loop has ended), nothing more is sent.
 */
static void *
inval_thread(void *arg)
{
	struct inval_done *dropped;
	struct inval_range *r;
	fs_inval_send_t *send;
	int error;

	(void)arg;
	dropped = NULL;
	pthread_mutex_lock(&iq.lock);
	for (;;) {
		if (iq.stopping) {
			dropped = inval_drop_all();
			break;
		}
		inval_promote(iq.closing ? UINT64_MAX : now_ns());
		if (TAILQ_EMPTY(&iq.queue)) {
			struct inval_range *d = TAILQ_FIRST(&iq.delayed);

			iq.busy = false;
			if (iq.closing)
				iq.closed = true;
			pthread_cond_broadcast(&iq.idle_cv);
			if (d == NULL || iq.closing)
				pthread_cond_wait(&iq.work_cv, &iq.lock);
			else {
				struct timespec ts;

				ts.tv_sec = (time_t)(d->due_ns / 1000000000ULL);
				ts.tv_nsec = (long)(d->due_ns % 1000000000ULL);
				pthread_cond_timedwait(&iq.work_cv, &iq.lock,
				    &ts);
			}
			continue;
		}
		r = TAILQ_FIRST(&iq.queue);
		TAILQ_REMOVE(&iq.queue, r, link);
		inval_pending_add(-1);
		iq.busy = true;
		send = iq.send != NULL ? iq.send : inval_send_kernel;
		pthread_mutex_unlock(&iq.lock);

		error = send(iq.se, r->ino, (off_t)r->start,
		    r->end == 0 ? 0 : (off_t)(r->end - r->start));
		/*
		 * ENOENT: the kernel no longer caches the inode; ENODEV /
		 * ENOTCONN: the file system is being unmounted.  Both fine.
		 */
		if (error != 0 && error != -ENOENT && error != -ENODEV &&
		    error != -ENOTCONN && error != -EBADF)
			kern_log(LOG_WARNING, "devpagerfs: invalidating inode "
			    "%llu failed: %s", (unsigned long long)r->ino,
			    strerror(-error));
		FS_STAT_INC(invalidations);
		inval_run_dones(r->dones);
		free(r);
		pthread_mutex_lock(&iq.lock);
	}
	iq.busy = false;
	iq.closed = true;
	pthread_cond_broadcast(&iq.idle_cv);
	pthread_mutex_unlock(&iq.lock);
	inval_run_dones(dropped);
	return (NULL);
}

int
fs_inval_start(struct fuse_session *se)
{
	int error;

	pthread_condattr_t ca;

	pthread_mutex_lock(&iq.lock);
	/* Delayed ranges wait on the monotonic clock. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&iq.work_cv);
	pthread_cond_init(&iq.work_cv, &ca);
	pthread_condattr_destroy(&ca);
	iq.se = se;
	iq.stopping = false;
	iq.closing = false;
	iq.closed = false;
	iq.dropped = 0;
	error = pthread_create(&iq.thread, NULL, inval_thread, NULL);
	if (error == 0)
		iq.running = true;
	pthread_mutex_unlock(&iq.lock);
	return (error);
}

void
fs_inval_close(void)
{
	pthread_mutex_lock(&iq.lock);
	iq.closing = true;
	if (!iq.running)
		iq.closed = true;
	pthread_cond_signal(&iq.work_cv);
	while (!iq.closed)
		pthread_cond_wait(&iq.idle_cv, &iq.lock);
	pthread_mutex_unlock(&iq.lock);
}

void
fs_inval_stop(void)
{
	struct inval_done *dones;
	unsigned long dropped;
	bool running;

	pthread_mutex_lock(&iq.lock);
	running = iq.running;
	iq.stopping = true;
	pthread_cond_signal(&iq.work_cv);
	pthread_mutex_unlock(&iq.lock);
	if (running)
		pthread_join(iq.thread, NULL);
	pthread_mutex_lock(&iq.lock);
	/* Whatever was queued before the thread ever ran. */
	dones = inval_drop_all();
	iq.running = false;
	dropped = iq.dropped;
	pthread_mutex_unlock(&iq.lock);
	inval_run_dones(dones);
	if (dropped > 0 && kern_log_debug_enabled())
		kern_log(LOG_DEBUG, "devpagerfs: %lu invalidations dropped at "
		    "shutdown", dropped);
}

uint64_t
fs_inval_gen(fuse_ino_t ino)
{

	return (__atomic_load_n(&inval_gen[ino % INVAL_GENS],
	    __ATOMIC_SEQ_CST));
}

unsigned long
fs_inval_pending(void)
{
	unsigned long n;

	pthread_mutex_lock(&iq.lock);
	n = iq.pending;
	pthread_mutex_unlock(&iq.lock);
	return (n);
}

unsigned long
fs_inval_dropped(void)
{
	unsigned long n;

	pthread_mutex_lock(&iq.lock);
	n = iq.dropped;
	pthread_mutex_unlock(&iq.lock);
	return (n);
}

void
fs_inval_set_sender(fs_inval_send_t *send)
{
	pthread_mutex_lock(&iq.lock);
	iq.send = send;
	pthread_mutex_unlock(&iq.lock);
}

void
fs_inval_wait_idle(void)
{
	pthread_mutex_lock(&iq.lock);
	while (!TAILQ_EMPTY(&iq.queue) || !TAILQ_EMPTY(&iq.delayed) || iq.busy)
		pthread_cond_wait(&iq.idle_cv, &iq.lock);
	pthread_mutex_unlock(&iq.lock);
}
