/*
 * panic() and the failure path of KASSERT(): log one line and abort.
 *
 * Both are safe to call with any lock held: they only format into a stack
 * buffer and call kern_log(), which takes no lock.  abort() raises SIGABRT,
 * which is what the Check tests of assertions expect.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "kern/kassert.h"
#include "kern/kern_log.h"

#define	PANIC_MSG_MAX	512

static void vpanic(const char *fmt, va_list ap)
    __attribute__((__noreturn__, __format__(__printf__, 1, 0)));

static void
vpanic(const char *fmt, va_list ap)
{
	char msg[PANIC_MSG_MAX];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	kern_log(LOG_CRIT, "panic: %s", msg);
	abort();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	/* NOTREACHED */
}

void
kassert_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	/* NOTREACHED */
}
