/*
 * devpagerctl top: a live view of per-object fault rates.
 *
 * Every interval the client reads MNT/vm/objects, the `faults' key of each
 * MNT/vm/object/ID/info (a missing key counts as 0; an object that vanished
 * between the two reads is skipped) and MNT/vm/stats, and computes
 * faults per second from the difference with the previous sample over the
 * measured (not the nominal) interval.  An object absent from the previous
 * sample, or whose counter went backwards (its ID reused), is counted from
 * zero: all its faults happened within the interval.
 *
 * Samples are plain heap data owned by the caller; no locking.
 */
#ifndef _CTL_CTL_TOP_H_
#define _CTL_CTL_TOP_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl/ctl_buf.h"

struct ctl_top_obj {
	char		*to_id;		/* vm/objects ID */
	char		*to_res;	/* RES column, or NULL */
	char		*to_tp;		/* TP column, or NULL */
	char		*to_path;	/* PATH column, or NULL */
	uint64_t	 to_faults;	/* info `faults', 0 if absent */
	double		 to_rate;	/* faults/s over the last interval */
	bool		 to_new;	/* absent from the previous sample */
};

struct ctl_top_sample {
	double		 ts_time;	/* CLOCK_MONOTONIC, seconds */
	uint64_t	 ts_faults;	/* vm/stats faults */
	uint64_t	 ts_errors;	/* vm/stats fault_errors */
	double		 ts_rate;	/* overall faults/s */
	double		 ts_err_rate;	/* overall fault errors/s */
	double		 ts_dt;		/* seconds since the previous sample */
	size_t		 ts_n;
	struct ctl_top_obj *ts_objs;
};

/* (cur - prev) / dt; a counter gone backwards counts from 0; 0 if dt <= 0. */
double	ctl_top_rate(uint64_t prev, uint64_t cur, double dt);
/* The value of `key: N' in key/value text; 0 when absent or not a number. */
uint64_t ctl_top_counter(const char *kvtext, const char *key);
/* Fill ts_objs (IDs, RES, TP, PATH) from vm/objects text. */
void	ctl_top_parse_objects(const char *text, struct ctl_top_sample *ts);
/*
 * Rates of `cur' against `prev' (NULL: everything is new), then sort cur
 * by rate, faults, ID.
 */
void	ctl_top_compute(const struct ctl_top_sample *prev,
	    struct ctl_top_sample *cur);
/* A text block; at most maxrows object lines (0: all). */
void	ctl_top_render(struct ctl_buf *cb, const char *mnt,
	    const struct ctl_top_sample *ts, size_t maxrows);
/* One JSON object on one line. */
void	ctl_top_render_json(struct ctl_buf *cb,
	    const struct ctl_top_sample *ts);
void	ctl_top_sample_free(struct ctl_top_sample *ts);

/*
 * Read one sample from the mount.  0, or an errno value with the failing
 * path in err.
 */
int	ctl_top_collect(const char *mnt, struct ctl_top_sample *ts,
	    char *err, size_t errlen);

/*
 * The loop: `iters' displays (0: until SIGINT), `interval' seconds apart,
 * to `out'.  Returns the exit status (0, or 1 after an I/O error, reported
 * on stderr).
 */
int	ctl_top_run(const char *mnt, unsigned long iters, double interval,
	    bool json, FILE *out);

#endif /* !_CTL_CTL_TOP_H_ */
