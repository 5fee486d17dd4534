/*
 * Reference counts, after FreeBSD's refcount(9), on liburcu's uatomic.
 * All functions are lock-free and may be called from any thread.
 */
#ifndef _KERN_REFCOUNT_H_
#define _KERN_REFCOUNT_H_

#include <stdbool.h>
#include <stdint.h>
#include <urcu/uatomic.h>

#include "kern/kassert.h"

/*
 * The counters are declared volatile (as in FreeBSD); uatomic's helpers
 * take plain pointers and are atomic by themselves, so the qualifier is
 * cast away for them.
 */
#define	_REFCOUNT_P(count)	((unsigned *)(uintptr_t)(count))

static inline void
refcount_init(volatile unsigned *count, unsigned value)
{
	uatomic_set(_REFCOUNT_P(count), value);
}

static inline unsigned
refcount_load(volatile unsigned *count)
{
	return (uatomic_read(_REFCOUNT_P(count)));
}

static inline void
refcount_acquire(volatile unsigned *count)
{
	unsigned old;

	old = uatomic_add_return(_REFCOUNT_P(count), 1) - 1;
	KASSERT(old < 0x80000000u, ("refcount %p overflowed", (void *)count));
	(void)old;
}

/* Take a reference unless the count is zero; false if it was zero. */
static inline bool
refcount_acquire_if_not_zero(volatile unsigned *count)
{
	unsigned old;

	old = uatomic_read(_REFCOUNT_P(count));
	for (;;) {
		unsigned seen;

		if (old == 0)
			return (false);
		seen = uatomic_cmpxchg(_REFCOUNT_P(count), old, old + 1);
		if (seen == old)
			return (true);
		old = seen;
	}
}

/* Drop a reference; true if it was the last one. */
static inline bool
refcount_release(volatile unsigned *count)
{
	unsigned old;

	old = uatomic_add_return(_REFCOUNT_P(count), -1) + 1;
	KASSERT(old > 0, ("refcount %p is zero", (void *)count));
	return (old == 1);
}

/* Drop a reference unless it is the last; false if it was the last. */
static inline bool
refcount_release_if_not_last(volatile unsigned *count)
{
	unsigned old;

	old = uatomic_read(_REFCOUNT_P(count));
	for (;;) {
		unsigned seen;

		KASSERT(old > 0, ("refcount %p is zero", (void *)count));
		if (old == 1)
			return (false);
		seen = uatomic_cmpxchg(_REFCOUNT_P(count), old, old - 1);
		if (seen == old)
			return (true);
		old = seen;
	}
}

#endif /* !_KERN_REFCOUNT_H_ */
