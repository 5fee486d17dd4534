/*
 * Guarded copies: the per-thread recovery point and the SIGBUS handler
 * (see onfault.h).
 *
 * Locks used to protect data in this file:
 *	(t)	thread-local, written by its thread and read by the signal
 *		handler running on that same thread
 *	(a)	atomic
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "kern/kassert.h"
#include "kern/onfault.h"

struct onfault_frame {
	sigjmp_buf		 of_env;
	uintptr_t		 of_lo;		/* guarded range */
	uintptr_t		 of_hi;
	volatile uintptr_t	 of_addr;	/* set by the handler */
};

/*
 * The armed recovery point of this thread, NULL when none.  Initial-exec
 * TLS of the executable: safe to read in a signal handler.
 */
static __thread struct onfault_frame *volatile onfault_cur;	/* (t) */
static pthread_once_t onfault_once = PTHREAD_ONCE_INIT;
static unsigned long onfault_count;				/* (a) */

static void	onfault_handler(int sig, siginfo_t *si, void *uc);
static void	onfault_install(void);

/*
 * Async-signal context: only async-signal-safe calls (sigaction, raise)
 * and no lock.
 */
static void
onfault_handler(int sig, siginfo_t *si, void *uc)
{
	struct onfault_frame *of;
	struct sigaction sa;
	uintptr_t addr;
	int saved_errno;

	(void)uc;
	saved_errno = errno;
	of = onfault_cur;
	addr = (uintptr_t)si->si_addr;
	/* si_code > 0: raised by the kernel for this thread's access. */
	if (of != NULL && si->si_code > 0 && addr >= of->of_lo &&
	    addr < of->of_hi) {
		onfault_cur = NULL;
		of->of_addr = addr;
		__atomic_add_fetch(&onfault_count, 1, __ATOMIC_RELAXED);
		errno = saved_errno;
		siglongjmp(of->of_env, 1);
	}
	/*
	 * Not a fault we guard against: die of it.  A fault happens again
	 * when the handler returns, now with the default action; a signal
	 * someone sent is sent again (SIGBUS is not blocked here:
	 * SA_NODEFER).
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(sig, &sa, NULL);
	if (si->si_code <= 0)
		(void)raise(sig);
	errno = saved_errno;
}

static void
onfault_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = onfault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) != 0)
		panic("onfault: cannot install the SIGBUS handler: %s",
		    strerror(errno));
}

void
onfault_init(void)
{

	(void)pthread_once(&onfault_once, onfault_install);
}

int
onfault_copy(void *dst, const void *src, size_t len, const void *guard,
    size_t guardlen, uintptr_t *faddrp)
{
	struct onfault_frame of;

	onfault_init();
	KASSERT(onfault_cur == NULL, ("onfault_copy: a recovery point is "
	    "already armed on this thread"));
	of.of_lo = (uintptr_t)guard;
	of.of_hi = of.of_lo + guardlen;
	of.of_addr = 0;
	if (sigsetjmp(of.of_env, 0) != 0) {
		/* The handler disarmed the recovery point. */
		if (faddrp != NULL)
			*faddrp = of.of_addr;
		return (EFAULT);
	}
	onfault_cur = &of;
	/* Keep the copy between arming and disarming. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	memcpy(dst, src, len);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	onfault_cur = NULL;
	return (0);
}

unsigned long
onfault_recoveries(void)
{

	return (__atomic_load_n(&onfault_count, __ATOMIC_RELAXED));
}
