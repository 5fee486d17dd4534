/*
 * Assertions and panics, after FreeBSD's <sys/systm.h>.
 *
 * KASSERT(cond, ("fmt", args...)) and MPASS(cond) are compiled in only when
 * the tree is configured with --enable-invariants (INVARIANTS); panic() is
 * always there.  A failed assertion logs one line through kern_log() and
 * aborts the process (SIGABRT), which is what tests catch with
 * tcase_add_test_raise_signal(), after naming the panic they expect with
 * panic_expect().
 */
#ifndef _KERN_KASSERT_H_
#define _KERN_KASSERT_H_

#include <stdbool.h>

#define __predict_true(exp)	__builtin_expect(!!(exp), 1)
#define __predict_false(exp)	__builtin_expect(!!(exp), 0)

#ifndef nitems
#define nitems(x)	(sizeof(x) / sizeof((x)[0]))
#endif

void	panic(const char *fmt, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void	kassert_panic(const char *fmt, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));

/*
 * Tests only: the next panic's message must contain pattern, where '*'
 * matches any text (NULL: any panic will do, the default).  A panic that
 * does not match logs both and exits with PANIC_EXPECT_MISMATCH
 * (EX_SOFTWARE) instead of aborting, so a test expecting SIGABRT fails
 * when the code panics for another reason.
 */
#define	PANIC_EXPECT_MISMATCH	70
void	panic_expect(const char *pattern);

#ifdef INVARIANTS
#define	KASSERT(exp, msg) do {						\
	if (__predict_false(!(exp)))					\
		kassert_panic msg;					\
} while (0)
#else
#define	KASSERT(exp, msg) do {						\
	if (0)								\
		(void)(exp);						\
} while (0)
#endif

#define	MPASS(ex)							\
	KASSERT((ex), ("Assertion %s failed at %s:%d", #ex, __FILE__, __LINE__))

/* True in builds where KASSERT fires; tests use it to pick expectations. */
static inline bool
kassert_enabled(void)
{
#ifdef INVARIANTS
	return (true);
#else
	return (false);
#endif
}

#endif /* !_KERN_KASSERT_H_ */
