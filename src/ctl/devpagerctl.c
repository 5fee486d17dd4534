/*
 * devpagerctl: inspect and control a devpagerfs mount (devpagerctl(8)).
 *
 * The client only reads and writes files under the mount: the inspection
 * files of MNT/vm/, MNT/vm/ctl for commands and MNT/vm/fail/POINT for fail
 * points.  It links no FUSE.  Exit status: 0 success, 1 the daemon refused
 * or an I/O error, 2 a usage error (including no or several mounts).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_buf.h"
#include "ctl/ctl_cmd.h"
#include "ctl/ctl_heatmap.h"
#include "ctl/ctl_io.h"
#include "ctl/ctl_json.h"
#include "ctl/ctl_mount.h"
#include "ctl/ctl_text.h"
#include "ctl/ctl_top.h"

#define	CTL_EXIT_OK	0
#define	CTL_EXIT_FAIL	1
#define	CTL_EXIT_USAGE	2

static bool	ctl_json;

static void	usage(FILE *fp);
static int	usage_error(const char *fmt, ...)
		    __attribute__((__format__(__printf__, 1, 2)));
static int	resolve_mount(const char *opt, char **mntp);
static int	emit(const struct ctl_buf *cb);
static int	cmd_list(const char *mnt, const char *file);
static int	cmd_object(const char *mnt, const char *id);
static int	cmd_fail(const char *mnt, int argc, char **argv);
static int	cmd_fail_list(const char *mnt);
static int	cmd_ctl(const char *mnt, int argc, char **argv);
static int	cmd_fb(const char *mnt, int argc, char **argv);
static int	cmd_top(const char *mnt, int argc, char **argv);
static int	cmd_heatmap(const char *mnt, const char *object,
		    const char *file);
static int	top_args(int argc, char **argv, unsigned long *iters,
		    double *interval);
static int	send_ctl(const char *mnt, const char *what, const char *line);
static int	namecmp(const void *a, const void *b);

static void
usage(FILE *fp)
{

	fputs(
"usage: devpagerctl [-m MNT] [--json] COMMAND [ARGS]\n"
"       devpagerctl -h | -V\n"
"inspection (--json: parsed into JSON):\n"
"  objects                           VM objects (vm/objects)\n"
"  object ID                         one object: info and resident pages\n"
"  devices                           devices (vm/devices)\n"
"  stats                             counters (vm/stats)\n"
"  swap                              reservations per uid (vm/swap)\n"
"  phys                              physical memory (vm/phys)\n"
"  fail [POINT [SPEC]]               list, show or set fail points\n"
"  top [-n ITER] [-d SECONDS]        live per-object fault rates\n"
"  heatmap OBJECT FILE.png           picture of an object's pages (OBJECT:\n"
"                                    an ID or a PATH of vm/objects; with\n"
"                                    --json the data, FILE optional)\n"
"commands (sent to vm/ctl):\n"
"  create NAME driver=DRIVER [KEY=VALUE ...]\n"
"  destroy NAME\n"
"  revoke NAME [offset=SIZE] [length=SIZE]\n"
"  memattr NAME wb|wt|wc|uc|uc-|wp\n"
"  prefault NAME none|open|around [prefault_max=SIZE] [prefault_window=SIZE]\n"
"  gem NAME create size=SIZE [placement=vram|system]\n"
"  gem NAME destroy handle=H\n"
"  gem NAME move handle=H placement=vram|system\n"
"  swap limit uid=N size=SIZE\n"
"  fb snapshot NAME FILE.png\n"
"options:\n"
"  -m MNT    mount point (default: the only devpagerfs mount)\n"
"  --json    JSON output\n"
"  -h        this help\n"
"  -V        version\n", fp);
}

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("devpagerctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(devpagerctl -h for usage)\n", stderr);
	return (CTL_EXIT_USAGE);
}

/* Write the buffer to stdout; the exit status. */
static int
emit(const struct ctl_buf *cb)
{

	if (cb->cb_len != 0 &&
	    fwrite(cb->cb_data, 1, cb->cb_len, stdout) != cb->cb_len) {
		fprintf(stderr, "devpagerctl: stdout: %s\n", strerror(errno));
		return (CTL_EXIT_FAIL);
	}
	return (CTL_EXIT_OK);
}

/*
 * The mount point: -m MNT (which must hold vm/), else the only devpagerfs
 * mount in /proc/self/mountinfo.
 */
static int
resolve_mount(const char *opt, char **mntp)
{
	struct ctl_mounts cm;
	struct ctl_buf cb;
	struct stat st;
	size_t i;
	int error;

	*mntp = NULL;
	if (opt != NULL) {
		ctl_buf_init(&cb);
		ctl_buf_printf(&cb, "%s/vm", opt);
		if (stat(ctl_buf_str(&cb), &st) == -1) {
			error = errno;
			ctl_buf_free(&cb);
			if (error == ENOENT || error == ENOTDIR)
				return (usage_error("%s: not a devpagerfs "
				    "mount point (no vm/ directory)", opt));
			fprintf(stderr, "devpagerctl: %s: %s\n", opt,
			    strerror(error));
			return (CTL_EXIT_FAIL);
		}
		ctl_buf_free(&cb);
		if (!S_ISDIR(st.st_mode))
			return (usage_error("%s: not a devpagerfs mount point "
			    "(vm is not a directory)", opt));
		*mntp = ctl_xstrdup(opt);
		return (CTL_EXIT_OK);
	}
	error = ctl_mounts_read(CTL_MOUNTINFO, &cm);
	if (error != 0) {
		fprintf(stderr, "devpagerctl: %s: %s\n", CTL_MOUNTINFO,
		    strerror(error));
		return (CTL_EXIT_FAIL);
	}
	if (cm.cm_n == 1) {
		*mntp = ctl_xstrdup(cm.cm_paths[0]);
		ctl_mounts_free(&cm);
		return (CTL_EXIT_OK);
	}
	if (cm.cm_n == 0)
		fprintf(stderr, "devpagerctl: no devpagerfs mount found in %s; "
		    "use -m MNT\n", CTL_MOUNTINFO);
	else {
		fprintf(stderr, "devpagerctl: %zu devpagerfs mounts found; "
		    "choose one with -m MNT:\n", cm.cm_n);
		for (i = 0; i < cm.cm_n; i++)
			fprintf(stderr, "\t%s\n", cm.cm_paths[i]);
	}
	ctl_mounts_free(&cm);
	return (CTL_EXIT_USAGE);
}

/* Print MNT/vm/FILE, or its JSON form. */
static int
cmd_list(const char *mnt, const char *file)
{
	struct ctl_buf path, text, out;
	int error, status;

	ctl_buf_init(&path);
	ctl_buf_init(&text);
	ctl_buf_init(&out);
	ctl_buf_printf(&path, "%s/vm/%s", mnt, file);
	error = ctl_read_file(ctl_buf_str(&path), &text);
	if (error != 0) {
		fprintf(stderr, "devpagerctl: %s: %s\n", ctl_buf_str(&path),
		    strerror(error));
		status = CTL_EXIT_FAIL;
	} else {
		if (ctl_json)
			ctl_json_text(&out, ctl_buf_str(&text));
		status = emit(ctl_json ? &out : &text);
	}
	ctl_buf_free(&path);
	ctl_buf_free(&text);
	ctl_buf_free(&out);
	return (status);
}

/* vm/object/ID/info, a blank line, vm/object/ID/pages. */
static int
cmd_object(const char *mnt, const char *id)
{
	struct ctl_buf path, info, pages, out;
	struct ctl_doc doc;
	int error, status;

	ctl_buf_init(&path);
	ctl_buf_init(&info);
	ctl_buf_init(&pages);
	ctl_buf_init(&out);
	status = CTL_EXIT_FAIL;
	ctl_buf_printf(&path, "%s/vm/object/%s/info", mnt, id);
	error = ctl_read_file(ctl_buf_str(&path), &info);
	if (error == 0) {
		ctl_buf_reset(&path);
		ctl_buf_printf(&path, "%s/vm/object/%s/pages", mnt, id);
		error = ctl_read_file(ctl_buf_str(&path), &pages);
	}
	if (error == ENOENT)
		fprintf(stderr, "devpagerctl: no object %s (%s: %s)\n", id,
		    ctl_buf_str(&path), strerror(error));
	else if (error != 0)
		fprintf(stderr, "devpagerctl: %s: %s\n", ctl_buf_str(&path),
		    strerror(error));
	if (error != 0)
		goto out;
	if (ctl_json) {
		ctl_buf_puts(&out, "{\n  \"info\": ");
		ctl_text_parse(ctl_buf_str(&info), &doc);
		ctl_json_doc(&out, &doc, 2);
		ctl_doc_free(&doc);
		ctl_buf_puts(&out, ",\n  \"pages\": ");
		ctl_text_parse(ctl_buf_str(&pages), &doc);
		ctl_json_doc(&out, &doc, 2);
		ctl_doc_free(&doc);
		ctl_buf_puts(&out, "\n}\n");
	} else {
		ctl_buf_put(&out, info.cb_data, info.cb_len);
		ctl_buf_putc(&out, '\n');
		ctl_buf_put(&out, pages.cb_data, pages.cb_len);
	}
	status = emit(&out);
out:
	ctl_buf_free(&path);
	ctl_buf_free(&info);
	ctl_buf_free(&pages);
	ctl_buf_free(&out);
	return (status);
}

static int
namecmp(const void *a, const void *b)
{

	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Every fail point with its spec, as a POINT SPEC table. */
static int
cmd_fail_list(const char *mnt)
{
	struct ctl_buf path, spec, text, out;
	struct dirent *de;
	char **names;
	size_t n, i;
	DIR *d;
	int status;

	ctl_buf_init(&path);
	ctl_buf_init(&spec);
	ctl_buf_init(&text);
	ctl_buf_init(&out);
	ctl_buf_printf(&path, "%s/vm/fail", mnt);
	d = opendir(ctl_buf_str(&path));
	if (d == NULL) {
		fprintf(stderr, "devpagerctl: %s: %s\n", ctl_buf_str(&path),
		    strerror(errno));
		ctl_buf_free(&path);
		return (CTL_EXIT_FAIL);
	}
	names = NULL;
	n = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = ctl_xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = ctl_xstrdup(de->d_name);
	}
	(void)closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), namecmp);
	ctl_buf_puts(&text, "POINT SPEC\n");
	for (i = 0; i < n; i++) {
		ctl_buf_reset(&path);
		ctl_buf_reset(&spec);
		ctl_buf_printf(&path, "%s/vm/fail/%s", mnt, names[i]);
		/* A point that cannot be read is listed as such. */
		if (ctl_read_file(ctl_buf_str(&path), &spec) != 0)
			ctl_buf_puts(&spec, "?");
		ctl_buf_rstrip(&spec);
		ctl_buf_printf(&text, "%-28s %s\n", names[i],
		    spec.cb_len != 0 ? ctl_buf_str(&spec) : "off");
		free(names[i]);
	}
	free(names);
	if (ctl_json)
		ctl_json_text(&out, ctl_buf_str(&text));
	status = emit(ctl_json ? &out : &text);
	ctl_buf_free(&path);
	ctl_buf_free(&spec);
	ctl_buf_free(&text);
	ctl_buf_free(&out);
	return (status);
}

/* fail; fail POINT; fail POINT SPEC... */
static int
cmd_fail(const char *mnt, int argc, char **argv)
{
	struct ctl_buf path, text, msg, before, out;
	char *spec;
	int error, status;

	if (argc == 1)
		return (cmd_fail_list(mnt));
	ctl_buf_init(&path);
	ctl_buf_init(&text);
	ctl_buf_init(&msg);
	ctl_buf_init(&before);
	ctl_buf_init(&out);
	ctl_buf_printf(&path, "%s/vm/fail/%s", mnt, argv[1]);
	status = CTL_EXIT_OK;
	if (argc == 2) {
		error = ctl_read_file(ctl_buf_str(&path), &text);
		if (error != 0) {
			fprintf(stderr, "devpagerctl: %s: %s\n",
			    ctl_buf_str(&path), strerror(error));
			status = CTL_EXIT_FAIL;
		} else if (ctl_json) {
			ctl_buf_rstrip(&text);
			ctl_buf_puts(&out, "{\"point\": ");
			ctl_json_string(&out, argv[1]);
			ctl_buf_puts(&out, ", \"spec\": ");
			ctl_json_string(&out, ctl_buf_str(&text));
			ctl_buf_puts(&out, "}\n");
			status = emit(&out);
		} else
			status = emit(&text);
		goto out;
	}
	spec = ctl_cmd_join(argc - 2, argv + 2);
	error = ctl_transact(ctl_buf_str(&path), spec, &text, &msg, &before);
	free(spec);
	if (error != 0) {
		/*
		 * A fail point file holds its spec: the same text after the
		 * failed write is not a message from the daemon.
		 */
		ctl_buf_rstrip(&before);
		if (msg.cb_len != 0 &&
		    strcmp(ctl_buf_str(&msg), ctl_buf_str(&before)) != 0)
			fprintf(stderr, "devpagerctl: %s\n", ctl_buf_str(&msg));
		else
			fprintf(stderr, "devpagerctl: fail %s: %s\n", argv[1],
			    strerror(error));
		status = CTL_EXIT_FAIL;
	}
out:
	ctl_buf_free(&path);
	ctl_buf_free(&text);
	ctl_buf_free(&msg);
	ctl_buf_free(&before);
	ctl_buf_free(&out);
	return (status);
}

/* One command through MNT/vm/ctl; print the reply. */
static int
send_ctl(const char *mnt, const char *what, const char *line)
{
	struct ctl_buf path, reply, msg, out;
	int error, status;

	ctl_buf_init(&path);
	ctl_buf_init(&reply);
	ctl_buf_init(&msg);
	ctl_buf_init(&out);
	ctl_buf_printf(&path, "%s/vm/ctl", mnt);
	error = ctl_transact(ctl_buf_str(&path), line, &reply, &msg, NULL);
	if (error != 0) {
		if (msg.cb_len != 0)
			fprintf(stderr, "devpagerctl: %s\n", ctl_buf_str(&msg));
		else
			fprintf(stderr, "devpagerctl: %s: %s\n", what,
			    strerror(error));
		status = CTL_EXIT_FAIL;
	} else {
		ctl_buf_rstrip(&reply);
		if (ctl_json)
			ctl_json_reply(&out, ctl_buf_str(&reply));
		else if (reply.cb_len != 0)
			ctl_buf_printf(&out, "%s\n", ctl_buf_str(&reply));
		status = emit(&out);
	}
	ctl_buf_free(&path);
	ctl_buf_free(&reply);
	ctl_buf_free(&msg);
	ctl_buf_free(&out);
	return (status);
}

static int
cmd_ctl(const char *mnt, int argc, char **argv)
{
	char *line;
	int status;

	line = ctl_cmd_join(argc, argv);
	status = send_ctl(mnt, argv[0], line);
	free(line);
	return (status);
}

/* fb snapshot NAME FILE -> "fb NAME snapshot path=/abs/FILE". */
static int
cmd_fb(const char *mnt, int argc, char **argv)
{
	struct ctl_buf line;
	char err[PATH_MAX + 256];
	char *abs;
	int error, status;

	error = ctl_abs_path(argv[3], &abs, err, sizeof(err));
	if (error == EINVAL)
		return (usage_error("fb snapshot: %s", err));
	if (error != 0) {
		fprintf(stderr, "devpagerctl: %s\n", err);
		return (CTL_EXIT_FAIL);
	}
	ctl_buf_init(&line);
	ctl_buf_printf(&line, "fb %s snapshot path=%s", argv[2], abs);
	free(abs);
	status = send_ctl(mnt, "fb snapshot", ctl_buf_str(&line));
	ctl_buf_free(&line);
	return (status);
}

/* -n ITER (positive), -d SECONDS (positive, finite); CTL_EXIT_*. */
static int
top_args(int argc, char **argv, unsigned long *iters, double *interval)
{
	const char *opt, *val;
	char *end;
	int i;

	*iters = 0;
	*interval = 1.0;
	for (i = 1; i < argc; i++) {
		opt = argv[i];
		if (opt[0] != '-' || (opt[1] != 'n' && opt[1] != 'd'))
			return (usage_error("top: unknown argument '%s' "
			    "(usage: top [-n ITER] [-d SECONDS])", opt));
		if (opt[2] != '\0')
			val = opt + 2;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return (usage_error("top: %s needs a value", opt));
		errno = 0;
		if (opt[1] == 'n') {
			*iters = strtoul(val, &end, 10);
			if (errno != 0 || end == val || *end != '\0' ||
			    *iters == 0 || val[0] == '-')
				return (usage_error("top: -n '%s': not a "
				    "positive count", val));
		} else {
			*interval = strtod(val, &end);
			if (errno != 0 || end == val || *end != '\0' ||
			    !isfinite(*interval) || *interval <= 0 ||
			    *interval > 86400)
				return (usage_error("top: -d '%s': not a "
				    "number of seconds in (0, 86400]", val));
		}
	}
	return (CTL_EXIT_OK);
}

static int
cmd_top(const char *mnt, int argc, char **argv)
{
	unsigned long iters;
	double interval;
	int status;

	status = top_args(argc, argv, &iters, &interval);
	if (status != CTL_EXIT_OK)
		return (status);
	return (ctl_top_run(mnt, iters, interval, ctl_json, stdout));
}

/*
 * heatmap OBJECT FILE: write the picture, then say so (or print the data
 * with --json); FILE "-" sends the PNG to standard output instead.
 */
static int
cmd_heatmap(const char *mnt, const char *object, const char *file)
{
	struct ctl_heatmap hm;
	struct ctl_buf out;
	char err[PATH_MAX + 256];
	int error, status;

	ctl_buf_init(&out);
	status = CTL_EXIT_FAIL;
	error = ctl_heatmap_collect(mnt, object, &hm, err, sizeof(err));
	if (error == 0 && file != NULL)
		error = ctl_heatmap_save(&hm, file, err, sizeof(err));
	if (error != 0) {
		fprintf(stderr, "devpagerctl: heatmap: %s\n", err);
		goto out;
	}
	if (ctl_json)
		ctl_heatmap_json(&out, &hm, file);
	else if (strcmp(file, "-") != 0)
		ctl_buf_printf(&out, "wrote %s %ux%u: %s, %" PRIu64 " pages, "
		    "%" PRIu64 " per cell; %" PRIu64 " resident, %" PRIu64
		    " dirty, %" PRIu64 " held\n", file,
		    hm.hm_layout.hl_width, hm.hm_layout.hl_height, hm.hm_title,
		    hm.hm_size, hm.hm_per_cell,
		    hm.hm_count[CTL_HM_RESIDENT] + hm.hm_count[CTL_HM_DIRTY] +
		    hm.hm_count[CTL_HM_HELD], hm.hm_count[CTL_HM_DIRTY],
		    hm.hm_count[CTL_HM_HELD]);
	status = emit(&out);
out:
	ctl_heatmap_free(&hm);
	ctl_buf_free(&out);
	return (status);
}

enum cmd_kind {
	CMD_LIST,	/* print a vm/ file */
	CMD_OBJECT,
	CMD_FAIL,
	CMD_TOP,
	CMD_HEATMAP,
	CMD_CTL,	/* pass-through to vm/ctl */
	CMD_FB,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "mount", required_argument, NULL, 'm' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	enum cmd_kind kind;
	const char *mntopt, *file;
	char err[512], *mnt, *cmd;
	unsigned long iters;
	double interval;
	int ch, i, n, status;

	mntopt = NULL;
	/* '+': stop at the command, whose own options (top -n) follow it. */
	while ((ch = getopt_long(argc, argv, "+hjm:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return (CTL_EXIT_OK);
		case 'j':
			ctl_json = true;
			break;
		case 'm':
			mntopt = optarg;
			break;
		case 'V':
			printf("devpagerctl (%s) %s\n", PACKAGE_NAME,
			    PACKAGE_VERSION);
			return (CTL_EXIT_OK);
		default:
			fputs("(devpagerctl -h for usage)\n", stderr);
			return (CTL_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	/* --json is also accepted after the command: `stats --json'. */
	for (i = n = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			ctl_json = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;
	if (argc == 0) {
		usage(stderr);
		return (CTL_EXIT_USAGE);
	}

	/* Check the command line before looking for the mount. */
	cmd = argv[0];
	file = NULL;
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return (CTL_EXIT_OK);
	} else if (strcmp(cmd, "objects") == 0 ||
	    strcmp(cmd, "devices") == 0 || strcmp(cmd, "stats") == 0 ||
	    strcmp(cmd, "phys") == 0 ||
	    (strcmp(cmd, "swap") == 0 && argc == 1)) {
		if (argc != 1)
			return (usage_error("%s takes no arguments", cmd));
		kind = CMD_LIST;
		file = cmd;
	} else if (strcmp(cmd, "object") == 0) {
		if (argc != 2)
			return (usage_error("usage: object ID"));
		if (!ctl_name_ok(argv[1]))
			return (usage_error("object: '%s' is not an object "
			    "ID", argv[1]));
		kind = CMD_OBJECT;
	} else if (strcmp(cmd, "fail") == 0) {
		if (argc >= 2 && !ctl_name_ok(argv[1]))
			return (usage_error("fail: '%s' is not a fail point "
			    "name", argv[1]));
		kind = CMD_FAIL;
	} else if (strcmp(cmd, "top") == 0) {
		kind = CMD_TOP;
	} else if (strcmp(cmd, "heatmap") == 0) {
		if (argc != 3 && !(argc == 2 && ctl_json))
			return (usage_error("usage: heatmap OBJECT FILE.png "
			    "(FILE optional with --json)"));
		if (argv[1][0] == '\0' || (argc == 3 && argv[2][0] == '\0'))
			return (usage_error("heatmap: empty argument"));
		if (argc == 3 && ctl_json && strcmp(argv[2], "-") == 0)
			return (usage_error("heatmap: --json prints on "
			    "standard output: FILE cannot be -"));
		kind = CMD_HEATMAP;
	} else if (strcmp(cmd, "fb") == 0) {
		if (argc != 4 || strcmp(argv[1], "snapshot") != 0)
			return (usage_error("usage: fb snapshot NAME "
			    "FILE.png"));
		if (!ctl_word_ok(argv[2]))
			return (usage_error("fb snapshot: '%s' is not a "
			    "device name", argv[2]));
		kind = CMD_FB;
	} else if (strcmp(cmd, "create") == 0 ||
	    strcmp(cmd, "destroy") == 0 || strcmp(cmd, "revoke") == 0 ||
	    strcmp(cmd, "memattr") == 0 || strcmp(cmd, "gem") == 0 ||
	    strcmp(cmd, "prefault") == 0 ||
	    strcmp(cmd, "swap") == 0) {
		if (ctl_cmd_check(argc, argv, err, sizeof(err)) != 0)
			return (usage_error("%s", err));
		kind = CMD_CTL;
	} else
		return (usage_error("unknown command '%s'", cmd));
	if (kind == CMD_TOP) {
		/* Usage errors before the mount is looked for. */
		status = top_args(argc, argv, &iters, &interval);
		if (status != CTL_EXIT_OK)
			return (status);
	}

	status = resolve_mount(mntopt, &mnt);
	if (status != CTL_EXIT_OK)
		return (status);
	switch (kind) {
	case CMD_LIST:
		status = cmd_list(mnt, file);
		break;
	case CMD_OBJECT:
		status = cmd_object(mnt, argv[1]);
		break;
	case CMD_FAIL:
		status = cmd_fail(mnt, argc, argv);
		break;
	case CMD_TOP:
		status = cmd_top(mnt, argc, argv);
		break;
	case CMD_HEATMAP:
		status = cmd_heatmap(mnt, argv[1], argc == 3 ? argv[2] : NULL);
		break;
	case CMD_CTL:
		status = cmd_ctl(mnt, argc, argv);
		break;
	case CMD_FB:
		status = cmd_fb(mnt, argc, argv);
		break;
	}
	free(mnt);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "devpagerctl: stdout: %s\n", strerror(errno));
		status = CTL_EXIT_FAIL;
	}
	return (status);
}
