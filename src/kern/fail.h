/*
 * Fail points, a subset of FreeBSD's fail(9).
 *
 * A fail point is a named place in the code where a test or an operator
 * can inject an error.  Its specification is a chain of terms joined by
 * "->", evaluated left to right:
 *
 *	off			do nothing (the default)
 *	return(ERRNO)		fire: the site returns ERRNO
 *	N%return(ERRNO)		fire with probability N percent
 *	N*return(ERRNO)		fire for the next N evaluations, then this
 *				term is used up and the next term applies
 *	sleep(MS)		sleep MS milliseconds, then go on to the next
 *				term
 *
 * e.g. "2*return(12)->off" fails the next two evaluations with ENOMEM.
 * ERRNO is a decimal number 1..4095; N is 1..100 for % and 1..10^9 for *;
 * MS is 0..3600000.  The N% and N* prefixes also apply to off and sleep
 * ("1*off->return(5)" lets one evaluation pass, then fails).  An N% term
 * that does not fire passes evaluation on to the next term; off and a
 * fired return end it.  Numbers are plain decimal without leading zeros;
 * the spec has no inner white space (leading and trailing white space,
 * such as the newline of echo(1), is ignored).  At most 16 terms.
 * The hits counter counts evaluations that returned an error.
 *
 * Sites:
 *	FAIL_POINT_DEFINE(name);		at file scope, once
 *	error = FAIL_POINT_EVAL(name);		0 = did not fire
 *
 * When a point is off, FAIL_POINT_EVAL is one relaxed load and a
 * predicted-not-taken branch.  Points register themselves at start-up.
 *
 * Locks used to protect struct members in this file:
 *	(c)	constant
 *	(a)	atomic
 *	(f)	the fail point registry lock
 */
#ifndef _KERN_FAIL_H_
#define _KERN_FAIL_H_

#include <stddef.h>

#include "kern/kassert.h"

struct fail_term;

struct fail_point {
	const char		*fp_name;	/* (c) */
	int			 fp_enabled;	/* (a) non-zero if not "off" */
	struct fail_term	*fp_terms;	/* (f) parsed chain */
	unsigned long		 fp_hits;	/* (f) times it fired */
	unsigned long long	 fp_prng;	/* (f) state for N% */
	struct fail_point	*fp_next;	/* (c) registry link */
};

void	fail_point_register(struct fail_point *fp);
int	fail_point_eval_slow(struct fail_point *fp);

#define	FAIL_POINT_DEFINE(name)						\
	struct fail_point fail_point_##name = { .fp_name = #name };	\
	static void __attribute__((__constructor__))			\
	fail_point_##name##_register(void)				\
	{								\
		fail_point_register(&fail_point_##name);		\
	}								\
	struct fail_point fail_point_##name

#define	FAIL_POINT_DECLARE(name)	extern struct fail_point fail_point_##name

#define	FAIL_POINT_EVAL(name)						\
	(__predict_false(__atomic_load_n(&fail_point_##name.fp_enabled,	\
	    __ATOMIC_RELAXED)) ? fail_point_eval_slow(&fail_point_##name) : 0)

/*
 * Registry: set a point's specification (0, EINVAL for a bad spec with
 * nothing changed, ENOENT for an unknown name), read it back in canonical
 * form (what was set, with used-up terms removed and N* showing the
 * evaluations left; "off" when nothing is left; ERANGE if len is too
 * small, with a truncated string), and walk all names in sorted order
 * (the callback may call fail_point_get/set/hits).
 */
int	fail_point_set(const char *name, const char *spec);
int	fail_point_get(const char *name, char *buf, size_t len);
int	fail_point_hits(const char *name, unsigned long *hitsp);
void	fail_point_foreach(void (*cb)(const char *name, void *arg),
	    void *arg);
/* Tests: turn every point off and zero its hits counter. */
void	fail_point_reset_all(void);
/*
 * Tests: reseed the per-point pseudo-random generators used by N% terms,
 * so a run is reproducible (each point's sequence depends on the seed and
 * its name).  Points start seeded with 0.
 */
void	fail_point_seed(unsigned seed);

#endif /* !_KERN_FAIL_H_ */
