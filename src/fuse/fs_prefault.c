/*
 * Prefault: pushing pages into the kernel's page cache ahead of faults
 * (see fs_prefault.h) -- the policies: which open pushes, the windows of
 * `around' and their worker.  The push itself is fs_prefault_push.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "kern/conf.h"
#include "kern/kassert.h"
#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_object.h"
#include "fuse/fs.h"
#include "fuse/fs_devnode.h"
#include "fuse/fs_prefault.h"

/* Windows waiting for the worker, at most (more are dropped). */
#define	FS_PREFAULT_QUEUE_MAX	64

/* An open answered when the push under way ends. */
struct fs_pf_waiter {
	struct fs_pf_waiter	*next;		/* [p] dn_waiters */
	fuse_req_t		 req;
	struct fuse_file_info	 fi;
	fs_prefault_reply_t	*reply;
};

/*
 * A window for the worker: after a READ of [rd_start, rd_end) of dn in
 * obj.  dn is held and obj referenced for the job.
 *
 * Locks used to protect struct members here:
 *	[w]	pfq.lock (a leaf)
 */
struct fs_pf_job {
	TAILQ_ENTRY(fs_pf_job) link;	/* [w] */
	struct fs_devnode *dn;		/* [w] */
	vm_object_t	 obj;		/* [w] */
	vm_ooffset_t	 rd_start;	/* [w] */
	vm_ooffset_t	 rd_end;	/* [w] */
	struct ucred	 cred;		/* [w] the READ's */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	TAILQ_HEAD(, fs_pf_job)	 queue;		/* [w] */
	unsigned		 njobs;		/* [w] */
	bool			 running;	/* [w] */
	bool			 stopping;	/* [w] */
	pthread_t		 thread;
} pfq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
	.queue = TAILQ_HEAD_INITIALIZER(pfq.queue),
};

/* The push under way on dn is over: answer the opens that waited. */
static void
fs_prefault_end(struct fs_devnode *dn)
{
	struct fs_pf_waiter *w, *list, *rev;

	pthread_mutex_lock(&dn->dn_pf_lock);
	KASSERT(dn->dn_storing, ("fs_prefault_end: no push under way"));
	dn->dn_storing = false;
	list = dn->dn_waiters;
	dn->dn_waiters = NULL;
	pthread_mutex_unlock(&dn->dn_pf_lock);
	/* In arrival order. */
	rev = NULL;
	while ((w = list) != NULL) {
		list = w->next;
		w->next = rev;
		rev = w;
	}
	while ((w = rev) != NULL) {
		rev = w->next;
		w->reply(w->req, &w->fi, 0);
		free(w);
	}
}

static bool
fs_prefault_writer(int flags)
{

	return ((flags & O_ACCMODE) != O_RDONLY);
}

void
fs_prefault_open(fuse_req_t req, struct fuse_file_info *fi,
    struct fs_devnode *dn, struct file *fp, const struct ucred *cred,
    fs_prefault_reply_t *reply)
{
	struct cdev *dev = dn->dn_dev;
	struct fs_pf_waiter *w;
	vm_ooffset_t end, max;
	bool writer, want, push;

	writer = fs_prefault_writer(fi->flags);
	want = __atomic_load_n(&dev->si_prefault, __ATOMIC_RELAXED) ==
	    SI_PREFAULT_OPEN && fs_prefault_wb(dev) && fi->keep_cache;
	pthread_mutex_lock(&dn->dn_pf_lock);
	if (writer)
		dn->dn_writers++;
	if (dn->dn_storing && (writer || want)) {
		/*
		 * A writer must not get its descriptor while a push may
		 * still overwrite what it writes; an open that wants the
		 * pages returns once they are in.
		 */
		w = malloc(sizeof(*w));
		if (w == NULL) {
			pthread_mutex_unlock(&dn->dn_pf_lock);
			reply(req, fi, ENOMEM);
			return;
		}
		w->req = req;
		w->fi = *fi;
		w->reply = reply;
		w->next = dn->dn_waiters;
		dn->dn_waiters = w;
		pthread_mutex_unlock(&dn->dn_pf_lock);
		return;
	}
	/*
	 * Only the first open pushes: with no other open file no READ of
	 * the node can be in flight, so the store never waits for a
	 * request (a READ's page lock) on this request's thread.
	 */
	push = want && !dn->dn_storing && dn->dn_writers == (writer ? 1 : 0) &&
	    fs_devnode_opens(dn) == 1;
	if (push)
		dn->dn_storing = true;
	pthread_mutex_unlock(&dn->dn_pf_lock);
	if (push) {
		end = __atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
		max = __atomic_load_n(&dev->si_prefault_max, __ATOMIC_RELAXED);
		if (end > max)
			end = max;
		(void)fs_prefault_push(dn, fp, NULL, 0, end, cred);
		fs_prefault_end(dn);
	}
	reply(req, fi, 0);
}

void
fs_prefault_close(struct fs_devnode *dn, int flags)
{

	if (!fs_prefault_writer(flags))
		return;
	pthread_mutex_lock(&dn->dn_pf_lock);
	KASSERT(dn->dn_writers > 0, ("fs_prefault_close: no writer"));
	dn->dn_writers--;
	pthread_mutex_unlock(&dn->dn_pf_lock);
}

bool
fs_prefault_around_wanted(struct fs_devnode *dn)
{

	return (__atomic_load_n(&dn->dn_dev->si_prefault, __ATOMIC_RELAXED) ==
	    SI_PREFAULT_AROUND && fs_prefault_wb(dn->dn_dev) &&
	    __atomic_load_n(&pfq.running, __ATOMIC_RELAXED));
}

static void
fs_prefault_job_free(struct fs_pf_job *j)
{

	vm_object_deallocate(j->obj);
	fs_devnode_put(j->dn);
	free(j);
}

void
fs_prefault_around(struct fs_devnode *dn, vm_object_t obj,
    vm_ooffset_t start, vm_ooffset_t end, const struct ucred *cred)
{
	struct fs_pf_job *j, *old;

	old = NULL;
	pthread_mutex_lock(&pfq.lock);
	TAILQ_FOREACH(j, &pfq.queue, link)
		if (j->dn == dn)
			break;
	if (j != NULL) {
		/* The node's newest READ replaces the one still waiting. */
		TAILQ_REMOVE(&pfq.queue, j, link);
		pfq.njobs--;
		old = j;
		j = NULL;
	}
	if (pfq.running && !pfq.stopping && pfq.njobs < FS_PREFAULT_QUEUE_MAX)
		j = malloc(sizeof(*j));
	if (j != NULL) {
		j->dn = dn;
		j->obj = obj;
		j->rd_start = start;
		j->rd_end = end;
		j->cred = *cred;
		TAILQ_INSERT_TAIL(&pfq.queue, j, link);
		pfq.njobs++;
		pthread_cond_signal(&pfq.cv);
	}
	pthread_mutex_unlock(&pfq.lock);
	if (old != NULL)
		fs_prefault_job_free(old);
	if (j == NULL) {
		/* Dropped: the application's faults bring the pages. */
		vm_object_deallocate(obj);
		fs_devnode_put(dn);
	}
}

/*
 * Decide the window after j's READ and mark the push under way; false
 * when there is nothing to do.  The window follows the READ: it starts
 * at FS_PREFAULT_AROUND_MIN and doubles, up to prefault_window, while
 * the READs come where the last window ended (the application reads
 * through the windows); a READ inside the last window (it ran ahead of
 * the push) needs none.
 */
static bool
fs_prefault_window(struct fs_pf_job *j, vm_ooffset_t *startp,
    vm_ooffset_t *endp)
{
	struct fs_devnode *dn = j->dn;
	struct cdev *dev = dn->dn_dev;
	vm_ooffset_t devsize, start;
	vm_size_t size, max;
	bool ok;

	devsize = __atomic_load_n(&dev->si_size, __ATOMIC_RELAXED);
	max = __atomic_load_n(&dev->si_prefault_window, __ATOMIC_RELAXED);
	start = round_page(j->rd_end);
	ok = false;
	pthread_mutex_lock(&dn->dn_pf_lock);
	if (dn->dn_storing || dn->dn_writers > 0 || start >= devsize)
		goto out;
	if (j->rd_end > dn->dn_around_start && j->rd_end <= dn->dn_around_end)
		goto out;
	if (dn->dn_around_end != 0 && j->rd_start >= dn->dn_around_start &&
	    j->rd_start <= dn->dn_around_end)
		size = dn->dn_around_size * 2;
	else
		size = FS_PREFAULT_AROUND_MIN;
	if (size > max)
		size = max;
	dn->dn_around_size = size;
	dn->dn_around_start = start;
	dn->dn_around_end = devsize - start < size ? devsize : start + size;
	*startp = start;
	*endp = dn->dn_around_end;
	dn->dn_storing = true;
	ok = true;
out:
	pthread_mutex_unlock(&dn->dn_pf_lock);
	return (ok);
}

static void *
fs_prefault_thread(void *arg)
{
	struct fs_pf_job *j;
	vm_ooffset_t start, end;

	(void)arg;
	rcu_thread_online();
	pthread_mutex_lock(&pfq.lock);
	for (;;) {
		while (!pfq.stopping && TAILQ_EMPTY(&pfq.queue))
			pthread_cond_wait(&pfq.cv, &pfq.lock);
		if (pfq.stopping)
			break;
		j = TAILQ_FIRST(&pfq.queue);
		TAILQ_REMOVE(&pfq.queue, j, link);
		pfq.njobs--;
		pthread_mutex_unlock(&pfq.lock);
		if (fs_prefault_around_wanted(j->dn) &&
		    fs_prefault_window(j, &start, &end)) {
			(void)fs_prefault_push(j->dn, NULL, j->obj, start, end,
			    &j->cred);
			fs_prefault_end(j->dn);
		}
		fs_prefault_job_free(j);
		pthread_mutex_lock(&pfq.lock);
	}
	pthread_mutex_unlock(&pfq.lock);
	return (NULL);
}

int
fs_prefault_start(void)
{
	int error, perr;

	pthread_mutex_lock(&pfq.lock);
	KASSERT(!pfq.running, ("fs_prefault_start: running"));
	pfq.stopping = false;
	error = pthread_create(&pfq.thread, NULL, fs_prefault_thread, NULL);
	if (error == 0)
		pfq.running = true;
	pthread_mutex_unlock(&pfq.lock);
	if (error == 0 && (perr = fs_prefault_partner_start()) != 0)
		kern_log(LOG_WARNING, "devpagerfs: no prefault push partner (%s): "
		    "pushes run on one thread", strerror(perr));
	return (error);
}

void
fs_prefault_stop(void)
{
	struct fs_pf_job *j;
	bool running;

	fs_prefault_partner_stop();
	pthread_mutex_lock(&pfq.lock);
	running = pfq.running;
	pfq.stopping = true;
	pthread_cond_signal(&pfq.cv);
	pthread_mutex_unlock(&pfq.lock);
	if (running)
		pthread_join(pfq.thread, NULL);
	pthread_mutex_lock(&pfq.lock);
	pfq.running = false;
	while ((j = TAILQ_FIRST(&pfq.queue)) != NULL) {
		TAILQ_REMOVE(&pfq.queue, j, link);
		pfq.njobs--;
		pthread_mutex_unlock(&pfq.lock);
		fs_prefault_job_free(j);
		pthread_mutex_lock(&pfq.lock);
	}
	pthread_mutex_unlock(&pfq.lock);
}
