/*
 * Per-thread state (curthread) and the daemon's own credentials.
 *
 * Every thread gets its own zeroed struct thread in thread-local storage;
 * request code sets td_ucred and td_fpop for the duration of a call.
 */
#include "config.h"

#include <stddef.h>

#include "kern/proc.h"
#include "kern/ucred.h"

__thread struct thread thread0_tls;

const struct ucred kernel_cred = {
	.cr_uid = 0,
	.cr_gid = 0,
	.cr_pid = 0,
};
