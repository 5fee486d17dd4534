/*
 * Signals, the shutdown drain and the teardown watchdog (see fs_shutdown.h).
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant after fs_shutdown_start()
 *	(a)	atomic (written by the signal handler)
 *	[s]	sd.lock
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kern/conf.h"
#include "kern/kern_log.h"
#include "dev/dev_driver.h"
#include "fuse/fs_device.h"
#include "fuse/fs_inval.h"
#include "fuse/fs_prefault.h"
#include "fuse/fs_shutdown.h"

extern char **environ;

/* How often the main thread is interrupted until its loop has returned. */
#define	SD_WAKE_MS	20

/* The signals that stop the daemon. */
static const int sd_signals[] = { SIGTERM, SIGINT, SIGHUP };
#define	SD_NSIGNALS	(sizeof(sd_signals) / sizeof(sd_signals[0]))

enum sd_phase {
	SD_WAITING,		/* no signal yet */
	SD_DRAINING,		/* the drain thread runs */
	SD_ENDING,		/* drained or given up: the loop must end */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;		/* phase changes */
	/* Posted by the signal handler and by every change of [s] state. */
	sem_t			 wake;
	bool			 sem_ok;	/* (c) */
	struct fuse_session	*se;		/* (c) */
	char			*mountpoint;	/* (c) */
	unsigned		 conn;		/* (c) fusectl number */
	bool			 conn_known;	/* (c) */
	pthread_t		 main_thread;	/* (c) */
	pthread_t		 thread;	/* (c) the shutdown thread */
	bool			 started;	/* (c) */
	bool			 handled[SD_NSIGNALS];	/* (c) */
	struct sigaction	 old_act[SD_NSIGNALS];	/* (c) */
	struct sigaction	 old_pipe;	/* (c) */
	bool			 pipe_handled;	/* (c) */

	enum sd_phase		 phase;		/* [s] */
	bool			 in_loop;	/* [s] main thread in loop */
	bool			 loop_done;	/* [s] it has returned */
	bool			 fini;		/* [s] the daemon is done */
	pthread_t		 drain_thread;	/* [s] */
	bool			 drain_started;	/* [s] */
	bool			 drain_joined;	/* [s] */
	bool			 drain_done;	/* [s] */
	int			 drain_error;	/* [s] */
	bool			 gave_up;	/* [s] */

	int			 nsignals;	/* (a) received */
	int			 first_sig;	/* (a) */
	uint64_t		 first_ns;	/* (a) monotonic */
	int			 cut;		/* (a) a later signal */
} sd = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

static uint64_t
sd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

static const char *
sd_signame(int sig)
{
	switch (sig) {
	case SIGTERM:
		return ("SIGTERM");
	case SIGINT:
		return ("SIGINT");
	case SIGHUP:
		return ("SIGHUP");
	default:
		return ("a signal");
	}
}

/*
 * Async-signal-safe: atomics, clock_gettime, getpid and sem_post only.  A
 * signal this process sent to its own main thread (pthread_kill: SI_TKILL
 * from our pid) only interrupts what the main thread waits in.
 */
static void
sd_on_signal(int sig, siginfo_t *si, void *uctx)
{
	uint64_t now, first;
	int saved_errno;

	(void)uctx;
	saved_errno = errno;
	if (si != NULL && si->si_code == SI_TKILL && si->si_pid == getpid())
		goto out;
	now = sd_now_ns();
	if (__atomic_fetch_add(&sd.nsignals, 1, __ATOMIC_SEQ_CST) == 0) {
		__atomic_store_n(&sd.first_sig, sig, __ATOMIC_SEQ_CST);
		__atomic_store_n(&sd.first_ns, now, __ATOMIC_SEQ_CST);
	} else {
		first = __atomic_load_n(&sd.first_ns, __ATOMIC_SEQ_CST);
		if (first != 0 && now - first >=
		    (uint64_t)FS_SHUTDOWN_REPEAT_MS * 1000000ULL)
			__atomic_store_n(&sd.cut, 1, __ATOMIC_SEQ_CST);
	}
	sem_post(&sd.wake);
out:
	errno = saved_errno;
}

/* SIGPIPE: a handler that does nothing (reset to default across exec). */
static void
sd_on_sigpipe(int sig)
{
	(void)sig;
}

/* Wait for a post, or until the monotonic deadline (NULL: none). */
static bool
sd_wait(const struct timespec *deadline)
{
	for (;;) {
		if (deadline == NULL) {
			if (sem_wait(&sd.wake) == 0)
				return (true);
		} else if (sem_clockwait(&sd.wake, CLOCK_MONOTONIC,
		    deadline) == 0)
			return (true);
		if (errno != EINTR)
			return (false);
	}
}

static void
sd_post(void)
{
	sem_post(&sd.wake);
}

static struct timespec
sd_deadline_ms(uint64_t ms)
{
	uint64_t t = sd_now_ns() + ms * 1000000ULL;
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000000ULL);
	ts.tv_nsec = (long)(t % 1000000000ULL);
	return (ts);
}

static bool
sd_past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec > deadline->tv_sec || (now.tv_sec ==
	    deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec));
}

int
fs_shutdown_init(struct fuse_session *se)
{
	struct sigaction sa, old;
	size_t i;

	sd.se = se;
	sd.main_thread = pthread_self();
	if (sem_init(&sd.wake, 0, 0) != 0) {
		kern_log(LOG_ERR, "devpagerfs: sem_init: %s", strerror(errno));
		return (-1);
	}
	sd.sem_ok = true;
	for (i = 0; i < SD_NSIGNALS; i++) {
		/* A signal ignored at start (nohup) stays ignored. */
		if (sigaction(sd_signals[i], NULL, &old) != 0 ||
		    old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sd_on_signal;
		/* No SA_RESTART: the wake-up must interrupt sem_wait/read. */
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(sd_signals[i], &sa, &sd.old_act[i]) != 0) {
			kern_log(LOG_ERR, "devpagerfs: cannot handle %s: %s",
			    sd_signame(sd_signals[i]), strerror(errno));
			fs_shutdown_fini();
			return (-1);
		}
		sd.handled[i] = true;
	}
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = sd_on_sigpipe;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGPIPE, &sa, &sd.old_pipe) == 0)
			sd.pipe_handled = true;
	}
	return (0);
}

/* Undo the escapes of a /proc/self/mountinfo field (\040 and the like). */
static void
sd_unescape(char *s)
{
	char *d = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 4;
		} else
			*d++ = *s++;
	}
	*d = '\0';
}

/*
 * The fusectl name of the connection mounted on mountpoint: the device
 * number of the topmost FUSE mount there.  Read from mountinfo, which
 * does not touch the mount (a stat would wait for the loop).
 */
static bool
sd_find_conn(const char *mountpoint, unsigned *connp)
{
	unsigned maj, min;
	char *line, *mp, *sep;
	size_t cap;
	bool found;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return (false);
	line = NULL;
	cap = 0;
	found = false;
	while (getline(&line, &cap, f) > 0) {
		mp = malloc(strlen(line) + 1);
		if (mp == NULL)
			break;
		sep = strstr(line, " - ");
		if (sep != NULL && strncmp(sep + 3, "fuse", 4) == 0 &&
		    sscanf(line, "%*u %*u %u:%u %*s %s", &maj, &min, mp) == 3) {
			sd_unescape(mp);
			if (strcmp(mp, mountpoint) == 0) {
				*connp = (maj << 20) | min;
				found = true;
			}
		}
		free(mp);
	}
	free(line);
	fclose(f);
	return (found);
}

static void *sd_thread(void *arg);

int
fs_shutdown_start(const char *mountpoint)
{
	sigset_t set;
	size_t i;
	int error;

	sd.mountpoint = strdup(mountpoint);
	if (sd.mountpoint == NULL) {
		kern_log(LOG_ERR, "devpagerfs: out of memory");
		return (-1);
	}
	sd.conn_known = sd_find_conn(mountpoint, &sd.conn);
	/* Fork (fuse_daemonize) is behind us: this is the main thread. */
	sd.main_thread = pthread_self();
	/*
	 * Until the loop runs the signals wait, blocked, and every thread
	 * made from here on inherits the mask: only the main thread ever
	 * takes them, so no other thread's system call is interrupted.
	 */
	sigemptyset(&set);
	for (i = 0; i < SD_NSIGNALS; i++)
		sigaddset(&set, sd_signals[i]);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	error = pthread_create(&sd.thread, NULL, sd_thread, NULL);
	if (error != 0) {
		kern_log(LOG_ERR, "devpagerfs: cannot start the shutdown "
		    "thread: %s", strerror(error));
		return (-1);
	}
	sd.started = true;
	return (0);
}

void
fs_shutdown_loop_enter(void)
{
	sigset_t set;
	size_t i;

	pthread_mutex_lock(&sd.lock);
	sd.in_loop = true;
	pthread_mutex_unlock(&sd.lock);
	sigemptyset(&set);
	for (i = 0; i < SD_NSIGNALS; i++)
		sigaddset(&set, sd_signals[i]);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/*
 * Wait for a drain that may be under way, then join its thread.  Returns
 * whether a signal started a shutdown.
 */
static bool
sd_loop_over(void)
{
	bool requested, join;

	pthread_mutex_lock(&sd.lock);
	sd.loop_done = true;
	sd.in_loop = false;
	sd_post();
	while (sd.phase == SD_DRAINING)
		pthread_cond_wait(&sd.cv, &sd.lock);
	requested = sd.phase != SD_WAITING;
	join = sd.drain_started && !sd.drain_joined;
	sd.drain_joined = true;
	pthread_mutex_unlock(&sd.lock);
	/* Given up on, it may still be stuck: the watchdog covers that. */
	if (join)
		pthread_join(sd.drain_thread, NULL);
	return (requested);
}

int
fs_shutdown_loop_exit(int loop_ret)
{
	bool requested;
	int status;

	requested = sd_loop_over();
	status = 0;
	/* -EINTR: the single-threaded loop, interrupted to end. */
	if (loop_ret < 0 && !(requested && loop_ret == -EINTR)) {
		kern_log(LOG_ERR, "devpagerfs: session loop failed: %s",
		    strerror(-loop_ret));
		status = 1;
	}
	pthread_mutex_lock(&sd.lock);
	if (sd.gave_up || sd.drain_error != 0)
		status = 1;
	pthread_mutex_unlock(&sd.lock);
	return (status);
}

struct sd_devs {
	struct cdev	**v;
	size_t		  n;
	size_t		  cap;
	bool		  nomem;
};

/* dev_foreach callback (RCU read-side): reference every live device. */
static void
sd_collect_dev(struct cdev *dev, void *arg)
{
	struct sd_devs *d = arg;
	struct cdev **nv;

	if (d->n == d->cap) {
		d->cap = d->cap == 0 ? 16 : 2 * d->cap;
		nv = realloc(d->v, d->cap * sizeof(*nv));
		if (nv == NULL) {
			d->nomem = true;
			d->cap = d->n;
			return;
		}
		d->v = nv;
	}
	dev_ref(dev);
	d->v[d->n++] = dev;
}

int
fs_shutdown_sync_devices(void)
{
	struct sd_devs d = { 0 };
	size_t i;
	int error, first;

	dev_foreach(sd_collect_dev, &d);
	first = 0;
	for (i = 0; i < d.n; i++) {
		/* ENXIO: destroyed meanwhile, nothing left to keep. */
		error = dev_sync(d.v[i], 0, 0);
		if (error != 0 && error != ENXIO) {
			kern_log(LOG_ERR, "devpagerfs: cannot make %s durable: "
			    "%s", devtoname(d.v[i]), strerror(error));
			if (first == 0)
				first = error;
		}
		dev_rel(d.v[i]);
	}
	free(d.v);
	if (d.nomem) {
		kern_log(LOG_ERR, "devpagerfs: out of memory listing the "
		    "devices to sync");
		if (first == 0)
			first = ENOMEM;
	}
	return (first);
}

struct sd_inos {
	fuse_ino_t	*v;
	size_t		 n;
	size_t		 cap;
};

/* fs_device_foreach callback (RCU read-side). */
static int
sd_collect_ino(const char *name, fuse_ino_t ino, void *arg)
{
	struct sd_inos *l = arg;
	fuse_ino_t *nv;

	(void)name;
	if (l->n == l->cap) {
		nv = realloc(l->v, (l->cap == 0 ? 16 : 2 * l->cap) *
		    sizeof(*nv));
		if (nv == NULL)
			return (ENOMEM);
		l->v = nv;
		l->cap = l->cap == 0 ? 16 : 2 * l->cap;
	}
	l->v[l->n++] = ino;
	return (0);
}

/*
 * The drain, on its own thread so that the shutdown thread can stop
 * waiting for it: every device node's page cache is invalidated, which
 * launders its dirty pages through WRITEs the workers serve, then every
 * backing is made durable.
 */
static void *
sd_drain(void *arg)
{
	struct sd_inos l = { 0 };
	size_t i;
	int error;

	(void)arg;
	error = fs_device_foreach(sd_collect_ino, &l);
	if (error != 0)
		kern_log(LOG_ERR, "devpagerfs: out of memory listing the "
		    "device nodes to write back");
	for (i = 0; i < l.n; i++)
		fs_inval_enqueue(l.v[i], 0, 0);
	free(l.v);
	/* While the loop still answers the READs a push may wait for. */
	fs_prefault_stop();
	fs_inval_close();
	if (fs_shutdown_sync_devices() != 0 && error == 0)
		error = EIO;
	pthread_mutex_lock(&sd.lock);
	sd.drain_done = true;
	sd.drain_error = error;
	sd_post();
	pthread_mutex_unlock(&sd.lock);
	return (NULL);
}

/*
 * Detach the mount: after an abort libfuse's own unmount sees the dead
 * connection and leaves the mount in place.
 */
static void
sd_detach(void)
{
	static char prog[] = "fusermount3", u[] = "-u", q[] = "-q",
	    z[] = "-z", dashes[] = "--";
	char *argv[] = { prog, u, q, z, dashes, sd.mountpoint, NULL };
	pid_t pid;
	int st;

	if (geteuid() == 0) {
		(void)umount2(sd.mountpoint, MNT_DETACH);
		return;
	}
	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) == 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
}

/*
 * Fail every request still waiting on the connection, so that no thread
 * of the daemon or of a client stays blocked in the kernel waiting for a
 * reply, then detach the mount.
 */
static void
sd_abort(void)
{
	char path[64];
	bool aborted;
	int fd;

	aborted = false;
	if (sd.conn_known) {
		snprintf(path, sizeof(path),
		    "/sys/fs/fuse/connections/%u/abort", sd.conn);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			aborted = write(fd, "1", 1) == 1;
			close(fd);
		}
	}
	/* A forced unmount aborts the connection even when busy. */
	if (!aborted && geteuid() == 0 && sd.mountpoint != NULL)
		aborted = umount2(sd.mountpoint, MNT_FORCE) == 0 ||
		    errno == EBUSY;
	if (!aborted)
		kern_log(LOG_ERR, "devpagerfs: cannot abort the FUSE "
		    "connection (mount fusectl on /sys/fs/fuse/connections, "
		    "or run as root): requests still waiting stay blocked");
	if (sd.mountpoint != NULL)
		sd_detach();
}

/*
 * The shutdown thread.  Waits for the first signal; then drains (bounded),
 * ends the request loop and watches the teardown.
 */
static void *
sd_thread(void *arg)
{
	struct timespec deadline, next;
	const char *why;
	uint64_t t0;
	bool done;
	int error, sig;

	(void)arg;
	/* 1. A signal, or the daemon ending by itself (unmount). */
	pthread_mutex_lock(&sd.lock);
	while (!sd.fini && __atomic_load_n(&sd.nsignals, __ATOMIC_SEQ_CST) ==
	    0) {
		pthread_mutex_unlock(&sd.lock);
		sd_wait(NULL);
		pthread_mutex_lock(&sd.lock);
	}
	if (sd.fini) {
		pthread_mutex_unlock(&sd.lock);
		return (NULL);
	}
	sig = __atomic_load_n(&sd.first_sig, __ATOMIC_SEQ_CST);
	t0 = sd_now_ns();

	/* 2. The drain, unless the loop has already ended. */
	why = NULL;
	if (!sd.loop_done) {
		sd.phase = SD_DRAINING;
		error = pthread_create(&sd.drain_thread, NULL, sd_drain, NULL);
		if (error == 0)
			sd.drain_started = true;
		else {
			kern_log(LOG_ERR, "devpagerfs: cannot start the "
			    "drain: %s", strerror(error));
			sd.drain_error = error;
		}
		pthread_mutex_unlock(&sd.lock);
		kern_log(LOG_INFO, "devpagerfs: %s: writing dirty pages back "
		    "before exiting", sd_signame(sig));
		deadline = sd_deadline_ms(FS_SHUTDOWN_DRAIN_SEC * 1000ULL);
		while (error == 0) {
			pthread_mutex_lock(&sd.lock);
			done = sd.drain_done;
			pthread_mutex_unlock(&sd.lock);
			if (done)
				break;
			if (__atomic_load_n(&sd.cut, __ATOMIC_SEQ_CST) != 0) {
				why = "a second signal";
				break;
			}
			if (!sd_wait(&deadline) && sd_past(&deadline)) {
				pthread_mutex_lock(&sd.lock);
				done = sd.drain_done;
				pthread_mutex_unlock(&sd.lock);
				if (!done)
					why = "the time limit";
				break;
			}
		}
		if (why != NULL) {
			kern_log(LOG_ERR, "devpagerfs: gave up writing dirty "
			    "pages back after %llu ms (%s); aborting the "
			    "connection: stores not yet written back are lost",
			    (unsigned long long)((sd_now_ns() - t0) / 1000000),
			    why);
			sd_abort();
		} else if (error == 0)
			kern_log(LOG_INFO, "devpagerfs: dirty pages written "
			    "back in %llu ms",
			    (unsigned long long)((sd_now_ns() - t0) / 1000000));
		pthread_mutex_lock(&sd.lock);
		sd.gave_up = why != NULL;
	}
	sd.phase = SD_ENDING;
	pthread_cond_broadcast(&sd.cv);
	pthread_mutex_unlock(&sd.lock);

	/* 3. End the loop: interrupt the main thread until it returns. */
	fuse_session_exit(sd.se);
	deadline = sd_deadline_ms(FS_SHUTDOWN_TEARDOWN_SEC * 1000ULL);
	for (;;) {
		bool in_loop;

		pthread_mutex_lock(&sd.lock);
		done = sd.loop_done || sd.fini;
		in_loop = sd.in_loop;
		pthread_mutex_unlock(&sd.lock);
		if (done || sd_past(&deadline))
			break;
		if (in_loop)
			pthread_kill(sd.main_thread, sig);
		next = sd_deadline_ms(SD_WAKE_MS);
		sd_wait(&next);
	}

	/* 4. The watchdog: the rest of the teardown is bounded too. */
	for (;;) {
		pthread_mutex_lock(&sd.lock);
		done = sd.fini;
		pthread_mutex_unlock(&sd.lock);
		if (done)
			break;
		if (!sd_wait(&deadline) && sd_past(&deadline)) {
			pthread_mutex_lock(&sd.lock);
			done = sd.fini;
			pthread_mutex_unlock(&sd.lock);
			if (done)
				break;
			kern_log(LOG_ERR, "devpagerfs: the teardown did not "
			    "end within %d s of the drain; exiting now",
			    FS_SHUTDOWN_TEARDOWN_SEC);
			_exit(1);
		}
	}
	return (NULL);
}

void
fs_shutdown_fini(void)
{
	bool join;
	size_t i;

	if (sd.started) {
		pthread_mutex_lock(&sd.lock);
		sd.fini = true;
		sd_post();
		pthread_mutex_unlock(&sd.lock);
		pthread_join(sd.thread, NULL);
		sd.started = false;
		/* A drain that ran without a loop (fs_start failed). */
		pthread_mutex_lock(&sd.lock);
		join = sd.drain_started && !sd.drain_joined;
		sd.drain_joined = true;
		pthread_mutex_unlock(&sd.lock);
		if (join)
			pthread_join(sd.drain_thread, NULL);
	}
	for (i = 0; i < SD_NSIGNALS; i++) {
		if (sd.handled[i])
			sigaction(sd_signals[i], &sd.old_act[i], NULL);
		sd.handled[i] = false;
	}
	if (sd.pipe_handled)
		sigaction(SIGPIPE, &sd.old_pipe, NULL);
	sd.pipe_handled = false;
	if (sd.sem_ok)
		sem_destroy(&sd.wake);
	sd.sem_ok = false;
	free(sd.mountpoint);
	sd.mountpoint = NULL;
}
