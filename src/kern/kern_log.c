/*
 * The one logging function of the tree.
 *
 * Until kern_log_to_syslog() is called every message is written to stderr
 * as one write(2), so lines from concurrent threads never interleave.
 * Afterwards messages go to syslog(3) (the daemon calls it once it has
 * daemonized and stderr points at /dev/null).  LOG_DEBUG messages are
 * dropped unless debugging was switched on with kern_log_set_debug().
 *
 * kern_log() takes no lock: the destination and the debug switch are
 * atomics, so it may be called with any lock held, including from panic().
 * kern_log_ratelimited() takes a private leaf mutex around its table.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kern/kern_log.h"

#define	KERN_LOG_LINE_MAX	1024
#define	KERN_LOG_RL_SLOTS	64	/* power of two */

/*
 * Rate limiting: a small direct-mapped table of (key, second of the last
 * message).  Two keys sharing a slot only evict each other, which can let
 * an extra message through, never suppress one for longer than a second.
 */
struct kern_log_rl {
	const void	*rl_key;
	time_t		 rl_sec;
};
static struct kern_log_rl kern_log_rl[KERN_LOG_RL_SLOTS];	/* rl_mtx */
static pthread_mutex_t kern_log_rl_mtx = PTHREAD_MUTEX_INITIALIZER;

static int kern_log_syslog;	/* (a) messages go to syslog(3) */
static int kern_log_debug;	/* (a) LOG_DEBUG messages are printed */

void
kern_log_to_syslog(const char *ident)
{

	openlog(ident != NULL ? ident : "devpagerfs", LOG_PID | LOG_NDELAY,
	    LOG_DAEMON);
	__atomic_store_n(&kern_log_syslog, 1, __ATOMIC_RELEASE);
}

void
kern_log_set_debug(int on)
{

	__atomic_store_n(&kern_log_debug, on != 0, __ATOMIC_RELAXED);
}

int
kern_log_debug_enabled(void)
{

	return (__atomic_load_n(&kern_log_debug, __ATOMIC_RELAXED));
}

void
kern_vlog(int priority, const char *fmt, va_list ap)
{
	char buf[KERN_LOG_LINE_MAX];
	size_t len;
	ssize_t n;
	int saved_errno, off;

	if (LOG_PRI(priority) == LOG_DEBUG && !kern_log_debug_enabled())
		return;
	saved_errno = errno;
	if (__atomic_load_n(&kern_log_syslog, __ATOMIC_ACQUIRE)) {
		vsyslog(priority, fmt, ap);
		errno = saved_errno;
		return;
	}

	/* One write per line: concurrent lines must not interleave. */
	off = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	if (off < 0)
		off = 0;
	len = (size_t)off;
	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	if (len == 0 || buf[len - 1] != '\n')
		buf[len++] = '\n';
	for (off = 0; (size_t)off < len; off += n) {
		n = write(STDERR_FILENO, buf + off, len - off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			break;
		}
	}
	errno = saved_errno;
}

void
kern_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kern_vlog(priority, fmt, ap);
	va_end(ap);
}

bool
kern_log_ratelimited(const void *key, int priority, const char *fmt, ...)
{
	struct kern_log_rl *rl;
	struct timespec ts;
	uintptr_t h;
	va_list ap;
	bool print;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	h = (uintptr_t)key;
	h ^= h >> 9;
	rl = &kern_log_rl[h & (KERN_LOG_RL_SLOTS - 1)];
	pthread_mutex_lock(&kern_log_rl_mtx);
	print = rl->rl_key != key || rl->rl_sec != ts.tv_sec;
	if (print) {
		rl->rl_key = key;
		rl->rl_sec = ts.tv_sec;
	}
	pthread_mutex_unlock(&kern_log_rl_mtx);
	if (print) {
		va_start(ap, fmt);
		kern_vlog(priority, fmt, ap);
		va_end(ap);
	}
	return (print);
}
