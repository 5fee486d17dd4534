/*
 * The one logging function of the tree.  Messages go to stderr until the
 * daemon calls kern_log_to_syslog(), after which they go to syslog(3).
 * kern_log_ratelimited() prints at most one message per key per second.
 */
#ifndef _KERN_KERN_LOG_H_
#define _KERN_KERN_LOG_H_

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

void	kern_log(int priority, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
void	kern_vlog(int priority, const char *fmt, va_list ap);
void	kern_log_to_syslog(const char *ident);
void	kern_log_set_debug(int on);
int	kern_log_debug_enabled(void);
/*
 * Log unless a message with the same key (any address: the format string,
 * the object concerned...) was logged during the current second; true if
 * this one was logged.  For warnings a request loop could repeat.
 */
bool	kern_log_ratelimited(const void *key, int priority, const char *fmt,
	    ...) __attribute__((__format__(__printf__, 3, 4)));

#endif /* !_KERN_KERN_LOG_H_ */
