/*
 * Helpers of the driver, ctl and configuration suites: a VM with the
 * default devices, a scratch directory, a ctl shortcut and a snapshot of
 * everything a command may change (to prove a failed one changed
 * nothing).
 */
#ifndef _TESTS_CHECK_DRV_UTIL_H_
#define _TESTS_CHECK_DRV_UTIL_H_

#include <stdbool.h>
#include <stddef.h>

#include "kern/ucred.h"
#include "vm/vm.h"

#define	DRV_PHYSMEM	(8UL << 20)

/* The credentials the tests create devices with. */
extern const struct ucred drv_cred;
/* The scratch directory (drv_setup makes it, drv_teardown removes it). */
extern char drv_tmp[];

/* Checked fixtures: VM + scratch directory; _defaults adds mem, ram0. */
void	drv_setup(void);
void	drv_setup_defaults(void);
void	drv_teardown(void);

/* Run one ctl line (NUL-terminated, or len bytes when len != (size_t)-1);
 * the reply or message stays in drv_reply until the next call. */
int	drv_ctl(const char *line);
int	drv_ctl_len(const char *line, size_t len);
const char *drv_reply(void);
/* drv_ctl of a line built with printf. */
int	drv_ctlf(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2)));
/* The printf-built line is refused with want (and a message containing
 * needle, unless NULL), and drv_state() is unchanged. */
void	drv_refused(int want, const char *needle, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));

/* Text describing devices, windows, swap limits and charges, the number
 * of live VM objects and the scratch directory.  Caller frees. */
char	*drv_state(void);

/* A path under drv_tmp (static buffer, one at a time per slot 0..3). */
const char *drv_path(int slot, const char *name);
/* The physical base of the window named name (0 if none). */
vm_paddr_t drv_window_base(const char *name);
/* Write a file of size bytes filled with c. */
void	drv_make_file(const char *path, size_t size, int c);
/* Write a file holding exactly len bytes of buf. */
void	drv_write_file(const char *path, const void *buf, size_t len);

#endif /* !_TESTS_CHECK_DRV_UTIL_H_ */
