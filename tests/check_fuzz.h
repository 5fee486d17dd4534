/*
 * A seeded mutation generator for the suites that feed the daemon's
 * input languages garbage (ctl commands, configuration files, mount
 * options).  Mutations start from a valid input and replace a byte,
 * delete or duplicate a span, insert a dictionary word, replace a word
 * by one, truncate, or splice in the tail of another valid input.
 *
 * DPF_FUZZ_SEED (default 0x5eed0f0d) and DPF_FUZZ_ITERS override the
 * seed and the iterations of every test; a failing test prints the
 * seed, the iteration and the input (fuzz_escape) to replay it.
 */
#ifndef _TESTS_CHECK_FUZZ_H_
#define _TESTS_CHECK_FUZZ_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define	FUZZ_LINE_MAX	512	/* longest mutated input */

struct fuzz {
	uint64_t		 seed;		/* of the whole test */
	uint64_t		 state;		/* the generator */
	int			 iter;		/* the caller's count */
	const char *const	*dict;		/* words to insert */
	size_t			 ndict;
	const char *const	*inputs;	/* valid inputs, for splices */
	size_t			 ninputs;
	char			 buf[FUZZ_LINE_MAX]; /* the mutated input */
	size_t			 len;
};

/* salt tells the tests of one seed apart. */
void	fuzz_init(struct fuzz *fz, uint64_t salt, const char *const *dict,
	    size_t ndict, const char *const *inputs, size_t ninputs);
uint64_t fuzz_next(struct fuzz *fz);
unsigned fuzz_below(struct fuzz *fz, unsigned n);
/* fz->buf/len = a mutation of one of fz->inputs (returned). */
const char *fuzz_mutate(struct fuzz *fz);
/* s as the body of a C string literal (static buffer). */
const char *fuzz_escape(const char *s, size_t len);
/* One line of printable ASCII (what error messages must be). */
bool	fuzz_printable(const char *msg);
/* DPF_FUZZ_ITERS, or dflt. */
int	fuzz_iters(int dflt);

#endif /* !_TESTS_CHECK_FUZZ_H_ */
