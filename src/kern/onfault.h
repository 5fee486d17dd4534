/*
 * Guarded copies, after the kernel's copyin(9)/pcb_onfault recovery.
 *
 * A load or a store the daemon makes through a shared file mapping can
 * fault with SIGBUS: the file was truncated under the mapping, the
 * filesystem has no block for a hole, the disk failed.  Reserving blocks
 * beforehand does not rule it out (another owner can truncate, a disk can
 * fail), so every such copy runs under a recovery point:
 *
 *	error = onfault_copy(dst, src, len, guard, guardlen, &faddr);
 *
 * arms a per-thread recovery point, copies, and disarms it.  A SIGBUS
 * raised by the hardware (not sent with kill(2)) on a thread that has a
 * recovery point armed, at an address inside [guard, guard + guardlen),
 * jumps back to it and onfault_copy() returns EFAULT with the faulting
 * address in *faddr; part of the range may have been copied.  Any other
 * SIGBUS is a genuine bug: the handler puts the default action back and
 * lets the fault happen again (or sends the signal again), so the process
 * dies of it exactly as it would have without the handler.
 *
 * The handler is installed, process-wide, by onfault_init() or on the
 * first onfault_copy() (pthread_once), and replaces whatever SIGBUS
 * action was there (AddressSanitizer's, under --enable-asan: it lets a
 * program install its own unless handle_sigbus=2 or
 * allow_user_segv_handler=0).  Arming costs no system call: the recovery
 * point does not save the signal mask, and the handler runs with SIGBUS
 * unblocked (SA_NODEFER), so the jump leaves the mask as it was.
 *
 * Context: any thread; no lock is taken.  The copy itself is a memcpy
 * only, so abandoning it half-way leaves no lock held and no state
 * inconsistent.  Recovery points do not nest (KASSERT).
 */
#ifndef _KERN_ONFAULT_H_
#define _KERN_ONFAULT_H_

#include <stddef.h>
#include <stdint.h>

/* Install the SIGBUS handler (idempotent, thread-safe). */
void	onfault_init(void);
/*
 * memcpy(dst, src, len), recovering from a SIGBUS at an address inside
 * [guard, guard + guardlen) (one side of the copy: the file mapping).
 * 0, or EFAULT with *faddrp (may be NULL) set to the faulting address.
 */
int	onfault_copy(void *dst, const void *src, size_t len,
	    const void *guard, size_t guardlen, uintptr_t *faddrp);
/* Faults recovered since start (all threads). */
unsigned long onfault_recoveries(void);

#endif /* !_KERN_ONFAULT_H_ */
