/*
 * Fail points, a subset of FreeBSD's fail(9): see fail.h for the syntax.
 *
 * Points register themselves from constructors into one list sorted by
 * name.  The list links are written only at registration (start-up), so
 * walking it needs no lock; everything that changes at run time (the term
 * chain, hit counters, the PRNG state) is under fail_mtx.  fp_enabled is
 * the atomic flag FAIL_POINT_EVAL() tests; it is written under fail_mtx.
 *
 * fail_mtx is a leaf: nothing else is locked while it is held, and a
 * sleep(MS) term sleeps after it is dropped.  It is MTX_DUPOK so a site
 * may evaluate a point while holding another leaf lock.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kern/fail.h"
#include "kern/kassert.h"
#include "kern/mutex.h"

#define	FAIL_SPEC_MAX		1024
#define	FAIL_TERMS_MAX		16
#define	FAIL_ERRNO_MAX		4095
#define	FAIL_PCT_MAX		100
#define	FAIL_COUNT_MAX		1000000000UL
#define	FAIL_SLEEP_MAX		3600000UL

enum fail_type {
	FAIL_OFF,
	FAIL_RETURN,
	FAIL_SLEEP,
};

struct fail_term {
	struct fail_term	*ft_next;
	enum fail_type		 ft_type;
	int			 ft_pct;	/* 1..100, or 0: always */
	unsigned long		 ft_count;	/* left, or 0: unlimited */
	unsigned long		 ft_arg;	/* errno or milliseconds */
};

static struct mtx fail_mtx = MTX_INITIALIZER("fail points", LOCK_RANK_LEAF,
    MTX_DUPOK);
static struct fail_point *fail_point_list;	/* sorted, (c) links */

static struct fail_point *fail_point_find(const char *name);
static void	fail_terms_free(struct fail_term *t);
static int	fail_parse(const char *spec, struct fail_term **termsp);
static int	fail_parse_num(const char **pp, unsigned long min,
		    unsigned long max, unsigned long *vp);
static void	fail_update_enabled(struct fail_point *fp);
static unsigned	fail_random(struct fail_point *fp);
static void	fail_seed_point(struct fail_point *fp, unsigned seed);
static void	fail_sleep_ms(unsigned long ms);

void
fail_point_register(struct fail_point *fp)
{
	struct fail_point **pp;

	KASSERT(fp->fp_name != NULL, ("fail point without a name"));
	mtx_lock(&fail_mtx);
	for (pp = &fail_point_list; *pp != NULL; pp = &(*pp)->fp_next) {
		if (strcmp((*pp)->fp_name, fp->fp_name) == 0)
			panic("fail point \"%s\" registered twice",
			    fp->fp_name);
		if (strcmp((*pp)->fp_name, fp->fp_name) > 0)
			break;
	}
	fp->fp_next = *pp;
	fp->fp_terms = NULL;
	fp->fp_hits = 0;
	fail_seed_point(fp, 0);
	__atomic_store_n(&fp->fp_enabled, 0, __ATOMIC_RELAXED);
	__atomic_store_n(pp, fp, __ATOMIC_RELEASE);
	mtx_unlock(&fail_mtx);
}

static struct fail_point *
fail_point_find(const char *name)
{
	struct fail_point *fp;

	for (fp = __atomic_load_n(&fail_point_list, __ATOMIC_ACQUIRE);
	    fp != NULL; fp = __atomic_load_n(&fp->fp_next, __ATOMIC_ACQUIRE))
		if (strcmp(fp->fp_name, name) == 0)
			return (fp);
	return (NULL);
}

static void
fail_terms_free(struct fail_term *t)
{
	struct fail_term *next;

	for (; t != NULL; t = next) {
		next = t->ft_next;
		free(t);
	}
}

/*
 * Parse a decimal number in [min, max]: digits only, no sign, no leading
 * zero (so every value has one spelling, the canonical one).
 */
static int
fail_parse_num(const char **pp, unsigned long min, unsigned long max,
    unsigned long *vp)
{
	const char *p;
	unsigned long v;

	p = *pp;
	if (!isdigit((unsigned char)*p))
		return (EINVAL);
	if (*p == '0' && isdigit((unsigned char)p[1]))
		return (EINVAL);
	v = 0;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return (EINVAL);
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min || v > max)
		return (EINVAL);
	*pp = p;
	*vp = v;
	return (0);
}

/*
 * Parse a whole specification into a new chain.  Nothing is shared with
 * the current chain, so a failure changes nothing.  "off" alone parses to
 * an empty chain.
 */
static int
fail_parse(const char *spec, struct fail_term **termsp)
{
	struct fail_term *head, **tailp, *t;
	const char *p, *q, *end;
	unsigned long n;
	size_t len;
	int error, nterms;

	/* Ignore surrounding white space (echo(1) adds a newline). */
	while (isspace((unsigned char)*spec))
		spec++;
	len = strlen(spec);
	while (len > 0 && isspace((unsigned char)spec[len - 1]))
		len--;
	if (len == 0 || len > FAIL_SPEC_MAX)
		return (EINVAL);
	end = spec + len;

	head = NULL;
	tailp = &head;
	nterms = 0;
	error = 0;
	p = spec;
	for (;;) {
		if (++nterms > FAIL_TERMS_MAX) {
			error = EINVAL;
			break;
		}
		t = calloc(1, sizeof(*t));
		if (t == NULL) {
			error = ENOMEM;
			break;
		}
		*tailp = t;
		tailp = &t->ft_next;

		/* Optional N% or N* modifier. */
		if (isdigit((unsigned char)*p)) {
			q = p;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == '%') {
				if ((error = fail_parse_num(&p, 1,
				    FAIL_PCT_MAX, &n)) != 0)
					break;
				t->ft_pct = (int)n;
			} else if (*q == '*') {
				if ((error = fail_parse_num(&p, 1,
				    FAIL_COUNT_MAX, &n)) != 0)
					break;
				t->ft_count = n;
			} else {
				error = EINVAL;
				break;
			}
			p++;	/* the % or * */
		}

		if (strncmp(p, "off", 3) == 0) {
			t->ft_type = FAIL_OFF;
			p += 3;
		} else if (strncmp(p, "return(", 7) == 0) {
			t->ft_type = FAIL_RETURN;
			p += 7;
			if ((error = fail_parse_num(&p, 1, FAIL_ERRNO_MAX,
			    &t->ft_arg)) != 0)
				break;
			if (*p++ != ')') {
				error = EINVAL;
				break;
			}
		} else if (strncmp(p, "sleep(", 6) == 0) {
			t->ft_type = FAIL_SLEEP;
			p += 6;
			if ((error = fail_parse_num(&p, 0, FAIL_SLEEP_MAX,
			    &t->ft_arg)) != 0)
				break;
			if (*p++ != ')') {
				error = EINVAL;
				break;
			}
		} else {
			error = EINVAL;
			break;
		}

		if (p == end)
			break;
		if (p > end || strncmp(p, "->", 2) != 0 || p + 2 >= end) {
			error = EINVAL;
			break;
		}
		p += 2;
	}
	if (error != 0) {
		fail_terms_free(head);
		return (error);
	}
	/* Plain "off": no chain at all. */
	if (head->ft_next == NULL && head->ft_type == FAIL_OFF &&
	    head->ft_pct == 0 && head->ft_count == 0) {
		fail_terms_free(head);
		head = NULL;
	}
	*termsp = head;
	return (0);
}

/*
 * A point is enabled unless it has no chain or the chain starts with an
 * unconditional, unlimited "off".  The registry lock must be held.
 */
static void
fail_update_enabled(struct fail_point *fp)
{
	struct fail_term *t;
	int on;

	mtx_assert(&fail_mtx, MA_OWNED);
	t = fp->fp_terms;
	on = t != NULL && !(t->ft_type == FAIL_OFF && t->ft_pct == 0 &&
	    t->ft_count == 0);
	__atomic_store_n(&fp->fp_enabled, on, __ATOMIC_RELAXED);
}

/* splitmix64 of the seed and the name, so points differ. */
static void
fail_seed_point(struct fail_point *fp, unsigned seed)
{
	unsigned long long z;
	const char *p;

	z = 0x9e3779b97f4a7c15ULL * ((unsigned long long)seed + 1);
	for (p = fp->fp_name; *p != '\0'; p++)
		z = (z ^ (unsigned char)*p) * 0x100000001b3ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	fp->fp_prng = z != 0 ? z : 0x2545f4914f6cdd1dULL;
}

/* xorshift64*; the registry lock must be held. */
static unsigned
fail_random(struct fail_point *fp)
{
	unsigned long long x;

	x = fp->fp_prng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	fp->fp_prng = x;
	return ((unsigned)((x * 0x2545f4914f6cdd1dULL) >> 32));
}

static void
fail_sleep_ms(unsigned long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Evaluate an enabled point: walk the chain under the registry lock,
 * consuming N* terms, collect the sleep time and the error, then sleep
 * unlocked.  Returns the errno to inject, or 0.
 */
int
fail_point_eval_slow(struct fail_point *fp)
{
	struct fail_term **tp, *t;
	unsigned long sleep_ms;
	int error, saved_errno;
	bool stop;

	sleep_ms = 0;
	error = 0;
	mtx_lock(&fail_mtx);
	for (tp = &fp->fp_terms, stop = false; !stop && (t = *tp) != NULL;) {
		if (t->ft_pct > 0 && t->ft_pct < FAIL_PCT_MAX &&
		    fail_random(fp) % FAIL_PCT_MAX >= (unsigned)t->ft_pct) {
			tp = &t->ft_next;	/* missed: next term */
			continue;
		}
		switch (t->ft_type) {
		case FAIL_OFF:
			stop = true;
			break;
		case FAIL_RETURN:
			error = (int)t->ft_arg;
			stop = true;
			break;
		case FAIL_SLEEP:
			sleep_ms += t->ft_arg;
			break;
		}
		if (t->ft_count > 0 && --t->ft_count == 0) {
			*tp = t->ft_next;	/* used up */
			free(t);
		} else
			tp = &t->ft_next;
	}
	if (error != 0)
		fp->fp_hits++;
	fail_update_enabled(fp);
	mtx_unlock(&fail_mtx);

	if (sleep_ms > 0) {
		saved_errno = errno;
		fail_sleep_ms(sleep_ms);
		errno = saved_errno;
	}
	return (error);
}

int
fail_point_set(const char *name, const char *spec)
{
	struct fail_point *fp;
	struct fail_term *terms, *old;
	int error;

	if (name == NULL || spec == NULL)
		return (EINVAL);
	fp = fail_point_find(name);
	if (fp == NULL)
		return (ENOENT);
	error = fail_parse(spec, &terms);
	if (error != 0)
		return (error);
	mtx_lock(&fail_mtx);
	old = fp->fp_terms;
	fp->fp_terms = terms;
	fail_update_enabled(fp);
	mtx_unlock(&fail_mtx);
	fail_terms_free(old);
	return (0);
}

int
fail_point_get(const char *name, char *buf, size_t len)
{
	struct fail_point *fp;
	struct fail_term *t;
	size_t off;

	if (name == NULL || buf == NULL || len == 0)
		return (EINVAL);
	fp = fail_point_find(name);
	if (fp == NULL)
		return (ENOENT);
	buf[0] = '\0';
	off = 0;
	mtx_lock(&fail_mtx);
	if (fp->fp_terms == NULL)
		off += snprintf(buf, len, "off");
	for (t = fp->fp_terms; t != NULL && off < len; t = t->ft_next) {
		if (t != fp->fp_terms)
			off += snprintf(buf + off, len - off, "->");
		if (off >= len)
			break;
		if (t->ft_pct > 0)
			off += snprintf(buf + off, len - off, "%d%%",
			    t->ft_pct);
		else if (t->ft_count > 0)
			off += snprintf(buf + off, len - off, "%lu*",
			    t->ft_count);
		if (off >= len)
			break;
		switch (t->ft_type) {
		case FAIL_OFF:
			off += snprintf(buf + off, len - off, "off");
			break;
		case FAIL_RETURN:
			off += snprintf(buf + off, len - off, "return(%lu)",
			    t->ft_arg);
			break;
		case FAIL_SLEEP:
			off += snprintf(buf + off, len - off, "sleep(%lu)",
			    t->ft_arg);
			break;
		}
	}
	mtx_unlock(&fail_mtx);
	return (off < len ? 0 : ERANGE);
}

int
fail_point_hits(const char *name, unsigned long *hitsp)
{
	struct fail_point *fp;

	fp = fail_point_find(name);
	if (fp == NULL)
		return (ENOENT);
	mtx_lock(&fail_mtx);
	*hitsp = fp->fp_hits;
	mtx_unlock(&fail_mtx);
	return (0);
}

void
fail_point_foreach(void (*cb)(const char *name, void *arg), void *arg)
{
	struct fail_point *fp;

	for (fp = __atomic_load_n(&fail_point_list, __ATOMIC_ACQUIRE);
	    fp != NULL; fp = __atomic_load_n(&fp->fp_next, __ATOMIC_ACQUIRE))
		cb(fp->fp_name, arg);
}

void
fail_point_reset_all(void)
{
	struct fail_point *fp;
	struct fail_term *old;

	for (fp = __atomic_load_n(&fail_point_list, __ATOMIC_ACQUIRE);
	    fp != NULL; fp = __atomic_load_n(&fp->fp_next, __ATOMIC_ACQUIRE)) {
		mtx_lock(&fail_mtx);
		old = fp->fp_terms;
		fp->fp_terms = NULL;
		fp->fp_hits = 0;
		fail_update_enabled(fp);
		mtx_unlock(&fail_mtx);
		fail_terms_free(old);
	}
}

void
fail_point_seed(unsigned seed)
{
	struct fail_point *fp;

	mtx_lock(&fail_mtx);
	for (fp = fail_point_list; fp != NULL; fp = fp->fp_next)
		fail_seed_point(fp, seed);
	mtx_unlock(&fail_mtx);
}
