/*
 * devpagerctl top: per-object fault rates (ctl_top.h).
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl_io.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_text.h"
#include "ctl/ctl_top.h"

#define	CTL_TOP_CLEAR	"\033[H\033[2J"

static volatile sig_atomic_t ctl_top_stop;

static char	*ctl_top_cell(const struct ctl_section *cs, size_t row,
		    int col);
static int	ctl_top_idcmp(const char *a, const char *b);
static int	ctl_top_cmp(const void *a, const void *b);
static int	ctl_top_byid(const void *a, const void *b);
static double	ctl_top_now(void);
static void	ctl_top_sigint(int sig);
static size_t	ctl_top_maxrows(int fd);

double
ctl_top_rate(uint64_t prev, uint64_t cur, double dt)
{

	if (dt <= 0)
		return (0);
	if (cur < prev)
		prev = 0;
	return ((double)(cur - prev) / dt);
}

uint64_t
ctl_top_counter(const char *kvtext, const char *key)
{
	struct ctl_doc doc;
	const char *v;
	uint64_t n;
	size_t s;

	n = 0;
	ctl_text_parse(kvtext, &doc);
	for (s = 0; s < doc.cd_nsections; s++) {
		v = ctl_section_get(&doc.cd_sections[s], key);
		if (v != NULL && *v >= '0' && *v <= '9') {
			errno = 0;
			n = strtoull(v, NULL, 10);
			if (errno != 0)
				n = 0;
			break;
		}
	}
	ctl_doc_free(&doc);
	return (n);
}

static char *
ctl_top_cell(const struct ctl_section *cs, size_t row, int col)
{

	if (col < 0 || cs->cs_rows[row][col] == NULL)
		return (NULL);
	return (ctl_xstrdup(cs->cs_rows[row][col]));
}

void
ctl_top_parse_objects(const char *text, struct ctl_top_sample *ts)
{
	struct ctl_doc doc;
	struct ctl_section *cs;
	struct ctl_top_obj *o;
	int cid, cres, ctp, cpath;
	size_t i;

	ctl_text_parse(text, &doc);
	if (doc.cd_nsections == 0 ||
	    doc.cd_sections[0].cs_kind != CTL_SECTION_TABLE) {
		ctl_doc_free(&doc);
		return;
	}
	cs = &doc.cd_sections[0];
	cid = ctl_section_col(cs, "ID");
	cres = ctl_section_col(cs, "RES");
	ctp = ctl_section_col(cs, "TP");
	cpath = ctl_section_col(cs, "PATH");
	if (cid < 0) {
		ctl_doc_free(&doc);
		return;
	}
	ts->ts_objs = ctl_xreallocarray(ts->ts_objs, ts->ts_n + cs->cs_nrows,
	    sizeof(*ts->ts_objs));
	for (i = 0; i < cs->cs_nrows; i++) {
		if (cs->cs_rows[i][cid] == NULL)
			continue;
		o = &ts->ts_objs[ts->ts_n++];
		memset(o, 0, sizeof(*o));
		o->to_id = ctl_top_cell(cs, i, cid);
		o->to_res = ctl_top_cell(cs, i, cres);
		o->to_tp = ctl_top_cell(cs, i, ctp);
		o->to_path = ctl_top_cell(cs, i, cpath);
	}
	ctl_doc_free(&doc);
}

/* Numeric IDs in numeric order, anything else after them by strcmp. */
static int
ctl_top_idcmp(const char *a, const char *b)
{
	size_t la, lb;
	bool na, nb;

	na = a[strspn(a, "0123456789")] == '\0' && *a != '\0';
	nb = b[strspn(b, "0123456789")] == '\0' && *b != '\0';
	if (na && nb) {
		while (*a == '0' && a[1] != '\0')
			a++;
		while (*b == '0' && b[1] != '\0')
			b++;
		la = strlen(a);
		lb = strlen(b);
		if (la != lb)
			return (la < lb ? -1 : 1);
	} else if (na != nb)
		return (na ? -1 : 1);
	return (strcmp(a, b));
}

/* Display order: rate, then faults, both descending, then ID. */
static int
ctl_top_cmp(const void *a, const void *b)
{
	const struct ctl_top_obj *x = a, *y = b;

	if (x->to_rate != y->to_rate)
		return (x->to_rate > y->to_rate ? -1 : 1);
	if (x->to_faults != y->to_faults)
		return (x->to_faults > y->to_faults ? -1 : 1);
	return (ctl_top_idcmp(x->to_id, y->to_id));
}

static int
ctl_top_byid(const void *a, const void *b)
{
	const struct ctl_top_obj *const *x = a, *const *y = b;

	return (strcmp((*x)->to_id, (*y)->to_id));
}

void
ctl_top_compute(const struct ctl_top_sample *prev, struct ctl_top_sample *cur)
{
	const struct ctl_top_obj **idx, *key, **hit;
	struct ctl_top_obj *o;
	size_t i;
	double dt;

	dt = prev != NULL ? cur->ts_time - prev->ts_time : 0;
	cur->ts_dt = dt;
	cur->ts_rate = ctl_top_rate(prev != NULL ? prev->ts_faults : 0,
	    cur->ts_faults, dt);
	cur->ts_err_rate = ctl_top_rate(prev != NULL ? prev->ts_errors : 0,
	    cur->ts_errors, dt);
	idx = NULL;
	if (prev != NULL && prev->ts_n > 0) {
		idx = ctl_xcalloc(prev->ts_n, sizeof(*idx));
		for (i = 0; i < prev->ts_n; i++)
			idx[i] = &prev->ts_objs[i];
		qsort(idx, prev->ts_n, sizeof(*idx), ctl_top_byid);
	}
	for (i = 0; i < cur->ts_n; i++) {
		o = &cur->ts_objs[i];
		hit = NULL;
		if (idx != NULL) {
			key = o;
			hit = bsearch(&key, idx, prev->ts_n, sizeof(*idx),
			    ctl_top_byid);
		}
		o->to_new = hit == NULL;
		o->to_rate = ctl_top_rate(hit != NULL ? (*hit)->to_faults : 0,
		    o->to_faults, dt);
	}
	free(idx);
	if (cur->ts_n > 1)
		qsort(cur->ts_objs, cur->ts_n, sizeof(*cur->ts_objs),
		    ctl_top_cmp);
}

void
ctl_top_render(struct ctl_buf *cb, const char *mnt,
    const struct ctl_top_sample *ts, size_t maxrows)
{
	const struct ctl_top_obj *o;
	size_t i;

	ctl_buf_printf(cb, "devpagerctl top: %s  interval %.2fs  objects %zu"
	    "  faults %" PRIu64 " (%.1f/s)  errors %" PRIu64 " (%.1f/s)\n",
	    mnt, ts->ts_dt, ts->ts_n, ts->ts_faults, ts->ts_rate,
	    ts->ts_errors, ts->ts_err_rate);
	ctl_buf_printf(cb, "%8s %10s %12s %8s %2s %s\n", "ID", "FAULTS/S",
	    "FAULTS", "RES", "TP", "PATH");
	for (i = 0; i < ts->ts_n && (maxrows == 0 || i < maxrows); i++) {
		o = &ts->ts_objs[i];
		ctl_buf_printf(cb, "%8s %10.1f %12" PRIu64 " %8s %2s %s\n",
		    o->to_id, o->to_rate, o->to_faults,
		    o->to_res != NULL ? o->to_res : "-",
		    o->to_tp != NULL ? o->to_tp : "-",
		    o->to_path != NULL ? o->to_path : "-");
	}
}

void
ctl_top_render_json(struct ctl_buf *cb, const struct ctl_top_sample *ts)
{
	const struct ctl_top_obj *o;
	size_t i;

	ctl_buf_printf(cb, "{\"interval\": %.6f, \"faults\": %" PRIu64
	    ", \"faults_per_s\": %.3f, \"fault_errors\": %" PRIu64
	    ", \"fault_errors_per_s\": %.3f, \"objects\": [",
	    ts->ts_dt, ts->ts_faults, ts->ts_rate, ts->ts_errors,
	    ts->ts_err_rate);
	for (i = 0; i < ts->ts_n; i++) {
		o = &ts->ts_objs[i];
		ctl_buf_puts(cb, i == 0 ? "{\"id\": " : ", {\"id\": ");
		ctl_json_value(cb, o->to_id, true);
		ctl_buf_printf(cb, ", \"faults\": %" PRIu64
		    ", \"faults_per_s\": %.3f, \"res\": ", o->to_faults,
		    o->to_rate);
		ctl_json_value(cb, o->to_res, true);
		ctl_buf_puts(cb, ", \"tp\": ");
		ctl_json_string(cb, o->to_tp);
		ctl_buf_puts(cb, ", \"path\": ");
		ctl_json_string(cb, o->to_path);
		ctl_buf_putc(cb, '}');
	}
	ctl_buf_puts(cb, "]}\n");
}

void
ctl_top_sample_free(struct ctl_top_sample *ts)
{
	size_t i;

	for (i = 0; i < ts->ts_n; i++) {
		free(ts->ts_objs[i].to_id);
		free(ts->ts_objs[i].to_res);
		free(ts->ts_objs[i].to_tp);
		free(ts->ts_objs[i].to_path);
	}
	free(ts->ts_objs);
	memset(ts, 0, sizeof(*ts));
}

static double
ctl_top_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

int
ctl_top_collect(const char *mnt, struct ctl_top_sample *ts, char *err,
    size_t errlen)
{
	struct ctl_buf path, text;
	size_t i, keep;
	int error;

	memset(ts, 0, sizeof(*ts));
	ctl_buf_init(&path);
	ctl_buf_init(&text);
	ctl_buf_printf(&path, "%s/vm/objects", mnt);
	error = ctl_read_file(ctl_buf_str(&path), &text);
	if (error != 0)
		goto out;
	ctl_top_parse_objects(ctl_buf_str(&text), ts);
	/* Objects that died since the listing are dropped, not errors. */
	for (i = keep = 0; i < ts->ts_n; i++) {
		ctl_buf_reset(&path);
		ctl_buf_reset(&text);
		ctl_buf_printf(&path, "%s/vm/object/%s/info", mnt,
		    ts->ts_objs[i].to_id);
		if (ctl_read_file(ctl_buf_str(&path), &text) != 0) {
			free(ts->ts_objs[i].to_id);
			free(ts->ts_objs[i].to_res);
			free(ts->ts_objs[i].to_tp);
			free(ts->ts_objs[i].to_path);
			continue;
		}
		ts->ts_objs[i].to_faults = ctl_top_counter(ctl_buf_str(&text),
		    "faults");
		ts->ts_objs[keep++] = ts->ts_objs[i];
	}
	ts->ts_n = keep;
	ctl_buf_reset(&path);
	ctl_buf_reset(&text);
	ctl_buf_printf(&path, "%s/vm/stats", mnt);
	error = ctl_read_file(ctl_buf_str(&path), &text);
	if (error != 0)
		goto out;
	ts->ts_faults = ctl_top_counter(ctl_buf_str(&text), "faults");
	ts->ts_errors = ctl_top_counter(ctl_buf_str(&text), "fault_errors");
	ts->ts_time = ctl_top_now();
out:
	if (error != 0) {
		snprintf(err, errlen, "%s: %s", ctl_buf_str(&path),
		    strerror(error));
		ctl_top_sample_free(ts);
	}
	ctl_buf_free(&path);
	ctl_buf_free(&text);
	return (error);
}

static void
ctl_top_sigint(int sig)
{

	(void)sig;
	ctl_top_stop = 1;
}

/* Object lines that fit on the terminal, 0 (all) when not a terminal. */
static size_t
ctl_top_maxrows(int fd)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == -1 || ws.ws_row < 4)
		return (0);
	return ((size_t)ws.ws_row - 3);
}

int
ctl_top_run(const char *mnt, unsigned long iters, double interval,
    bool json, FILE *out)
{
	struct ctl_top_sample prev, cur;
	struct sigaction sa, osa;
	struct timespec ts;
	struct ctl_buf cb;
	char err[512];
	unsigned long i;
	bool tty;
	int status;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctl_top_sigint;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the sleep must end at ^C. */
	(void)sigaction(SIGINT, &sa, &osa);
	ctl_top_stop = 0;
	tty = !json && isatty(fileno(out));
	ctl_buf_init(&cb);
	status = 0;
	if (ctl_top_collect(mnt, &prev, err, sizeof(err)) != 0) {
		fprintf(stderr, "devpagerctl: %s\n", err);
		status = 1;
		goto done;
	}
	for (i = 0; (iters == 0 || i < iters) && !ctl_top_stop; i++) {
		ts.tv_sec = (time_t)interval;
		ts.tv_nsec = (long)((interval - (double)ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
		    !ctl_top_stop)
			;
		if (ctl_top_stop)
			break;
		if (ctl_top_collect(mnt, &cur, err, sizeof(err)) != 0) {
			fprintf(stderr, "devpagerctl: %s\n", err);
			status = 1;
			break;
		}
		ctl_top_compute(&prev, &cur);
		ctl_buf_reset(&cb);
		if (json)
			ctl_top_render_json(&cb, &cur);
		else {
			if (tty)
				ctl_buf_puts(&cb, CTL_TOP_CLEAR);
			else if (i != 0)
				ctl_buf_putc(&cb, '\n');
			ctl_top_render(&cb, mnt, &cur,
			    tty ? ctl_top_maxrows(fileno(out)) : 0);
		}
		ctl_top_sample_free(&prev);
		prev = cur;
		if (fwrite(cb.cb_data, 1, cb.cb_len, out) != cb.cb_len ||
		    fflush(out) == EOF) {
			fprintf(stderr, "devpagerctl: write: %s\n",
			    strerror(errno));
			status = 1;
			break;
		}
	}
	ctl_top_sample_free(&prev);
done:
	ctl_buf_free(&cb);
	(void)sigaction(SIGINT, &osa, NULL);
	return (status);
}
