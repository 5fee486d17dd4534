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

#include "kern/kern_log.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_stats.h"

struct inval_range {
	TAILQ_ENTRY(inval_range) link;	/* [q] */
	fuse_ino_t	 ino;		/* [q] */
	uint64_t	 start;		/* [q] */
	uint64_t	 end;		/* [q] exclusive; 0: whole file */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work_cv;	/* work queued or stopping */
	pthread_cond_t		 idle_cv;	/* queue drained */
	TAILQ_HEAD(, inval_range) queue;	/* [q] */
	unsigned long		 pending;	/* [q] */
	bool			 busy;		/* [q] a batch is being sent */
	bool			 running;	/* [q] */
	bool			 stopping;	/* [q] */
	pthread_t		 thread;
	struct fuse_session	*se;
	fs_inval_send_t		*send;
} iq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work_cv = PTHREAD_COND_INITIALIZER,
	.idle_cv = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(iq.queue),
};

static int
inval_send_kernel(struct fuse_session *se, fuse_ino_t ino, off_t off,
    off_t len)
{
	return (fuse_lowlevel_notify_inval_inode(se, ino, off, len));
}

/*
 * Merge [start, end) into a waiting range of the same inode if they touch.
 * The queue lock must be held.
 */
static bool
inval_merge(fuse_ino_t ino, uint64_t start, uint64_t end)
{
	struct inval_range *r;

	TAILQ_FOREACH(r, &iq.queue, link) {
		if (r->ino != ino)
			continue;
		if (r->end == 0)
			return (true);		/* whole file already */
		if (end == 0) {
			r->start = 0;
			r->end = 0;
			return (true);
		}
		if (start <= r->end && end >= r->start) {
			if (start < r->start)
				r->start = start;
			if (end > r->end)
				r->end = end;
			return (true);
		}
	}
	return (false);
}

void
fs_inval_enqueue(fuse_ino_t ino, uint64_t off, uint64_t len)
{
	struct inval_range *r;
	uint64_t end;

	end = len == 0 ? 0 : off + len;
	if (len == 0)
		off = 0;
	pthread_mutex_lock(&iq.lock);
	if (!inval_merge(ino, off, end)) {
		r = malloc(sizeof(*r));
		if (r == NULL) {
			/* Fall back to the whole file of an existing entry
			 * or drop: a lost invalidation only leaves a stale
			 * mapping, never corrupts daemon state. */
			pthread_mutex_unlock(&iq.lock);
			kern_log(LOG_ERR, "devpagerfs: out of memory queueing "
			    "an invalidation of inode %llu",
			    (unsigned long long)ino);
			return;
		}
		r->ino = ino;
		r->start = off;
		r->end = end;
		TAILQ_INSERT_TAIL(&iq.queue, r, link);
		iq.pending++;
	}
	pthread_cond_signal(&iq.work_cv);
	pthread_mutex_unlock(&iq.lock);
}

static void *
inval_thread(void *arg)
{
	struct inval_range *r;
	fs_inval_send_t *send;
	int error;

	(void)arg;
	pthread_mutex_lock(&iq.lock);
	for (;;) {
		while (TAILQ_EMPTY(&iq.queue) && !iq.stopping) {
			iq.busy = false;
			pthread_cond_broadcast(&iq.idle_cv);
			pthread_cond_wait(&iq.work_cv, &iq.lock);
		}
		if (TAILQ_EMPTY(&iq.queue))
			break;
		r = TAILQ_FIRST(&iq.queue);
		TAILQ_REMOVE(&iq.queue, r, link);
		iq.pending--;
		iq.busy = true;
		send = iq.send != NULL ? iq.send : inval_send_kernel;
		pthread_mutex_unlock(&iq.lock);

		error = send(iq.se, r->ino, (off_t)r->start,
		    r->end == 0 ? 0 : (off_t)(r->end - r->start));
		/* ENOENT: the kernel no longer caches the inode; fine. */
		if (error != 0 && error != -ENOENT)
			kern_log(LOG_WARNING, "devpagerfs: invalidating inode "
			    "%llu failed: %s", (unsigned long long)r->ino,
			    strerror(-error));
		FS_STAT_INC(invalidations);
		free(r);
		pthread_mutex_lock(&iq.lock);
	}
	iq.busy = false;
	pthread_cond_broadcast(&iq.idle_cv);
	pthread_mutex_unlock(&iq.lock);
	return (NULL);
}

int
fs_inval_start(struct fuse_session *se)
{
	int error;

	pthread_mutex_lock(&iq.lock);
	iq.se = se;
	iq.stopping = false;
	error = pthread_create(&iq.thread, NULL, inval_thread, NULL);
	if (error == 0)
		iq.running = true;
	pthread_mutex_unlock(&iq.lock);
	return (error);
}

void
fs_inval_stop(void)
{
	bool running;

	pthread_mutex_lock(&iq.lock);
	running = iq.running;
	iq.stopping = true;
	pthread_cond_signal(&iq.work_cv);
	pthread_mutex_unlock(&iq.lock);
	if (running)
		pthread_join(iq.thread, NULL);
	pthread_mutex_lock(&iq.lock);
	iq.running = false;
	pthread_mutex_unlock(&iq.lock);
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
	while (!TAILQ_EMPTY(&iq.queue) || iq.busy)
		pthread_cond_wait(&iq.idle_cv, &iq.lock);
	pthread_mutex_unlock(&iq.lock);
}
