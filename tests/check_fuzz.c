/*
 * The mutation generator of the fuzz suites (check_fuzz.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_fuzz.h"

static void	fuzz_insert(struct fuzz *fz, size_t at, const char *s,
		    size_t n);

void
fuzz_init(struct fuzz *fz, uint64_t salt, const char *const *dict,
    size_t ndict, const char *const *inputs, size_t ninputs)
{
	const char *env;

	memset(fz, 0, sizeof(*fz));
	fz->seed = 0x5eed0f0dULL;
	env = getenv("DPF_FUZZ_SEED");
	if (env != NULL && *env != '\0')
		fz->seed = strtoull(env, NULL, 0);
	fz->dict = dict;
	fz->ndict = ndict;
	fz->inputs = inputs;
	fz->ninputs = ninputs;
	fz->state = (fz->seed ^ salt) * 0x9e3779b97f4a7c15ULL;
	if (fz->state == 0)
		fz->state = 1;
}

/* xorshift64*: plenty for picking mutations, and replayable. */
uint64_t
fuzz_next(struct fuzz *fz)
{
	uint64_t x;

	x = fz->state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fz->state = x;
	return (x * 0x2545f4914f6cdd1dULL);
}

unsigned
fuzz_below(struct fuzz *fz, unsigned n)
{

	return (n == 0 ? 0 : (unsigned)(fuzz_next(fz) % n));
}

/* Insert n bytes of s at offset at, as far as the buffer allows. */
static void
fuzz_insert(struct fuzz *fz, size_t at, const char *s, size_t n)
{

	if (at > fz->len)
		at = fz->len;
	if (n > sizeof(fz->buf) - fz->len)
		n = sizeof(fz->buf) - fz->len;
	memmove(fz->buf + at + n, fz->buf + at, fz->len - at);
	memcpy(fz->buf + at, s, n);
	fz->len += n;
}

/*
 * Start from one of the valid inputs and apply one to four mutations
 * (mostly one: near-valid inputs get further into the parsers).
 */
const char *
fuzz_mutate(struct fuzz *fz)
{
	const char *seed;
	size_t a, b, n;
	const char *w;
	unsigned k, rounds;

	seed = fz->inputs[fuzz_below(fz, (unsigned)fz->ninputs)];
	fz->len = strlen(seed);
	if (fz->len > sizeof(fz->buf))
		fz->len = sizeof(fz->buf);
	memcpy(fz->buf, seed, fz->len);
	k = fuzz_below(fz, 20);
	rounds = k < 12 ? 1 : k < 17 ? 2 : k < 19 ? 3 : 4;
	for (k = 0; k < rounds; k++) {
		a = fz->len == 0 ? 0 : fuzz_below(fz, (unsigned)fz->len + 1);
		switch (fuzz_below(fz, 7)) {
		case 0:		/* replace a byte */
			if (a < fz->len)
				fz->buf[a] = (char)fuzz_below(fz, 256);
			break;
		case 1:		/* delete a span */
			n = 1 + fuzz_below(fz, 8);
			if (a + n > fz->len)
				n = fz->len - a;
			memmove(fz->buf + a, fz->buf + a + n,
			    fz->len - a - n);
			fz->len -= n;
			break;
		case 2:		/* duplicate a span */
			n = 1 + fuzz_below(fz, 12);
			if (a + n > fz->len)
				n = fz->len - a;
			{
				char span[12];

				memcpy(span, fz->buf + a, n);
				fuzz_insert(fz, a, span, n);
			}
			break;
		case 3:		/* insert a word */
			w = fz->dict[fuzz_below(fz, (unsigned)fz->ndict)];
			fuzz_insert(fz, a, w, strlen(w));
			break;
		case 4:		/* replace the word at a by a word */
			b = a;
			while (a > 0 && fz->buf[a - 1] != ' ' &&
			    fz->buf[a - 1] != '=')
				a--;
			while (b < fz->len && fz->buf[b] != ' ' &&
			    fz->buf[b] != '=')
				b++;
			memmove(fz->buf + a, fz->buf + b, fz->len - b);
			fz->len -= b - a;
			w = fz->dict[fuzz_below(fz, (unsigned)fz->ndict)];
			fuzz_insert(fz, a, w, strlen(w));
			break;
		case 5:		/* truncate */
			fz->len = a;
			break;
		default:	/* splice: another seed's tail */
			w = fz->inputs[fuzz_below(fz, (unsigned)fz->ninputs)];
			n = strlen(w);
			b = fuzz_below(fz, (unsigned)n);
			fz->len = a;
			fuzz_insert(fz, a, w + b, n - b);
			break;
		}
	}
	return (seed);
}

const char *
fuzz_escape(const char *s, size_t len)
{
	static char out[FUZZ_LINE_MAX * 4 + 1];
	size_t i, o;
	unsigned char c;

	o = 0;
	for (i = 0; i < len && o + 5 < sizeof(out); i++) {
		c = (unsigned char)s[i];
		if (c == '\\' || c == '"')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\%c",
			    c);
		else if (isprint(c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o,
			    "\\x%02x", c);
	}
	out[o] = '\0';
	return (out);
}

bool
fuzz_printable(const char *msg)
{
	const unsigned char *p;

	for (p = (const unsigned char *)msg; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return (false);
	return (true);
}

int
fuzz_iters(int dflt)
{
	const char *env;
	int n;

	env = getenv("DPF_FUZZ_ITERS");
	if (env == NULL || *env == '\0')
		return (dflt);
	n = atoi(env);
	return (n > 0 ? n : dflt);
}
