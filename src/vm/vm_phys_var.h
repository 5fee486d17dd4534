/*
 * vm_phys internals shared by vm_phys.c (RAM, translation, inspection),
 * vm_phys_window.c (device windows) and vm_phys_fictitious.c (fictitious
 * ranges).  Nothing outside those files includes this.
 *
 * Locks used to protect struct members in this file:
 *	(a)	atomic
 *	(c)	constant while the window is published
 *	(w)	vm_phys_window_mtx
 *	(r)	RCU-published: rcu_assign_pointer under (w),
 *		rcu_dereference inside rcu_read_lock()
 */
#ifndef _VM_VM_PHYS_VAR_H_
#define _VM_VM_PHYS_VAR_H_

#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_phys.h"

struct vm_phys_window {
	char		*w_name;	/* (c) */
	char		*w_backing;	/* (c) "memfd" or a path */
	vm_paddr_t	 w_base;	/* (c) physical base */
	vm_size_t	 w_size;	/* (c) bytes, page multiple */
	off_t		 w_off;		/* (c) offset in w_fd */
	int		 w_fd;		/* (c) our own descriptor */
	void		*w_host;	/* (c) shared mapping */
	vm_memattr_t	 w_memattr;	/* (c) */
	bool		 w_logged;	/* (a) a backing failure logged */
	bool		 w_external;	/* (c) over the caller's descriptor */
	struct rcu_head	 w_rcu;		/* deferred teardown */
};

/* The published windows, sorted by base; replaced whole on every change. */
struct vm_phys_wtab {
	struct rcu_head	 wt_rcu;
	unsigned	 wt_count;	/* (c) */
	struct vm_phys_window *wt_win[];	/* (c) sorted by w_base */
};

/* RAM end: [0, vm_phys_ram_end()) is RAM; 0 before vm_phys_init(). */
vm_paddr_t vm_phys_ram_end(void);

void	vm_phys_window_init(void);
void	vm_phys_window_fini(void);
/* Call inside rcu_read_lock(); the result is valid until unlock. */
struct vm_phys_wtab *vm_phys_window_table(void);
struct vm_phys_window *vm_phys_window_lookup(vm_paddr_t pa);

/*
 * The backing of w failed (a copy faulted, msync failed, the file is
 * shorter than the window): count it in vm_phys_backing_errors() and, the
 * first time for w, log it with the window's name and backing.  what
 * ("store at offset 0x5000"...) and why describe it.  Any context but a
 * signal handler; no lock taken.
 */
void	vm_phys_window_failed(struct vm_phys_window *w, const char *what,
	    const char *why);

void	vm_phys_fictitious_init(void);
void	vm_phys_fictitious_fini(void);
/* Fill out[] with the registered ranges (at most max); call inside
 * rcu_read_lock().  Returns the number filled in. */
int	vm_phys_fictitious_collect(struct vm_phys_info *out, int max);

#endif /* !_VM_VM_PHYS_VAR_H_ */
