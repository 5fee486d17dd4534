/*
 * minfs: the smallest lowlevel FUSE filesystem that serves an mmap fault,
 * the baseline bench/run-fault-bench.sh holds devpagerfs against.
 *
 *	minfs [-dfs] [-o size=SIZE] [-o fault_pages=N] [FUSE options]
 *	    mountpoint
 *
 * The root directory holds two files:
 *	file	SIZE bytes (default 16M) of a malloc'd buffer, read/write,
 *		opened with FOPEN_KEEP_CACHE; READ is one fuse_reply_buf()
 *		straight from the buffer (the kernel's copy is the only
 *		one), WRITE is one memcpy() into it.
 *	stats	request counters (reads, read_bytes, writes, write_bytes),
 *		a per-open snapshot served with direct_io; the same lines
 *		go to stderr when the daemon exits.
 * and, never listed, a directory dN for every number N, holding a stats
 * file of its own: looking up dN/stats makes two new inodes, as looking
 * up vm/object/ID/info of devpagerfs does (bench/listings_bench).
 *
 * It negotiates what devpagerfs negotiates for a device node: readahead
 * off for fault_pages=1 (one READ per first-touched page), up to
 * fault_pages pages per READ otherwise; explicit (never automatic) data
 * invalidation; no writeback cache; default_permissions.  The loop is
 * libfuse's multi-threaded one.  There is no lock: the buffer's size
 * never changes and the counters are atomic.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fuse_lowlevel.h>

#include "kern/size.h"

#define	MINFS_PAGE		4096
#define	MINFS_SIZE_DEFAULT	(16ULL << 20)
#define	MINFS_SIZE_MAX		(4ULL << 30)
#define	MINFS_FAULT_PAGES_MAX	256
#define	MINFS_TIMEOUT		1.0	/* entry/attr cache, as devpagerfs */

#define	MINFS_INO_ROOT		FUSE_ROOT_ID
#define	MINFS_INO_FILE		2
#define	MINFS_INO_STATS		3
#define	MINFS_INO_DIRS		16	/* dN: 16 + 2N, dN/stats: 17 + 2N */
#define	MINFS_DIRS_MAX		(1UL << 30)

struct minfs_opts {
	char		*size_arg;
	char		*fault_pages_arg;
};

/*
 * All fields are set before the session starts and are constant after,
 * except the counters, which are atomic.
 */
static struct minfs {
	char		*buf;
	uint64_t	 size;
	unsigned	 fault_pages;
	uid_t		 uid;
	gid_t		 gid;
	struct timespec	 mtime;
	atomic_ullong	 reads;
	atomic_ullong	 read_bytes;
	atomic_ullong	 writes;
	atomic_ullong	 write_bytes;
} mfs;

static int	minfs_parse_size(const char *arg, uint64_t *sizep);
static int	minfs_parse_count(const char *arg, unsigned *countp);
static void	minfs_stat(fuse_ino_t ino, struct stat *st);
static int	minfs_format_stats(char *buf, size_t len);
static void	minfs_init(void *userdata, struct fuse_conn_info *conn);
static void	minfs_lookup(fuse_req_t req, fuse_ino_t parent,
		    const char *name);
static void	minfs_getattr(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi);
static void	minfs_open(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi);
static void	minfs_read(fuse_req_t req, fuse_ino_t ino, size_t size,
		    off_t off, struct fuse_file_info *fi);
static void	minfs_write(fuse_req_t req, fuse_ino_t ino, const char *data,
		    size_t size, off_t off, struct fuse_file_info *fi);
static void	minfs_release(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi);

static const struct fuse_opt minfs_opt_spec[] = {
	{ "size=%s", offsetof(struct minfs_opts, size_arg), 0 },
	{ "fault_pages=%s", offsetof(struct minfs_opts, fault_pages_arg), 0 },
	FUSE_OPT_END
};

static const struct fuse_lowlevel_ops minfs_ops = {
	.init		= minfs_init,
	.lookup		= minfs_lookup,
	.getattr	= minfs_getattr,
	.open		= minfs_open,
	.read		= minfs_read,
	.write		= minfs_write,
	.release	= minfs_release,
};

/* SIZE, the project's syntax (kern/size.h), page-rounded as devpagerfs's
 * device sizes are. */
static int
minfs_parse_size(const char *arg, uint64_t *sizep)
{
	uint64_t v;

	if (size_parse(arg, &v) != 0 || v > MINFS_SIZE_MAX)
		return (-1);
	v = (v + MINFS_PAGE - 1) & ~(uint64_t)(MINFS_PAGE - 1);
	if (v == 0)
		return (-1);
	*sizep = v;
	return (0);
}

static int
minfs_parse_count(const char *arg, unsigned *countp)
{
	unsigned long v;
	char *end;

	if (arg[0] < '0' || arg[0] > '9')
		return (-1);
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > MINFS_FAULT_PAGES_MAX)
		return (-1);
	*countp = (unsigned)v;
	return (0);
}

/* Is ino a stats file (the root's, or a dN's)? */
static bool
minfs_is_stats(fuse_ino_t ino)
{

	return (ino == MINFS_INO_STATS ||
	    (ino > MINFS_INO_DIRS && (ino - MINFS_INO_DIRS) % 2 == 1 &&
	    (ino - MINFS_INO_DIRS) / 2 < MINFS_DIRS_MAX));
}

/* Is ino a directory (the root, or a dN)? */
static bool
minfs_is_dir(fuse_ino_t ino)
{

	return (ino == MINFS_INO_ROOT ||
	    (ino >= MINFS_INO_DIRS && (ino - MINFS_INO_DIRS) % 2 == 0 &&
	    (ino - MINFS_INO_DIRS) / 2 < MINFS_DIRS_MAX));
}

static void
minfs_stat(fuse_ino_t ino, struct stat *st)
{

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = mfs.uid;
	st->st_gid = mfs.gid;
	/* A fixed mtime: nothing ever looks changed to the kernel. */
	st->st_atim = mfs.mtime;
	st->st_mtim = mfs.mtime;
	st->st_ctim = mfs.mtime;
	st->st_blksize = MINFS_PAGE;
	if (minfs_is_dir(ino)) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	} else if (ino == MINFS_INO_FILE) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
		st->st_size = (off_t)mfs.size;
		st->st_blocks = (blkcnt_t)(mfs.size / 512);
	} else if (minfs_is_stats(ino)) {
		/* Size 0 and direct_io: readers read until EOF. */
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
	}
}

static int
minfs_format_stats(char *buf, size_t len)
{

	return (snprintf(buf, len,
	    "reads: %llu\nread_bytes: %llu\nwrites: %llu\nwrite_bytes: %llu\n",
	    atomic_load(&mfs.reads), atomic_load(&mfs.read_bytes),
	    atomic_load(&mfs.writes), atomic_load(&mfs.write_bytes)));
}

static void
minfs_init(void *userdata, struct fuse_conn_info *conn)
{

	(void)userdata;
	/* The granularity rule of devpagerfs's fs_init(). */
	conn->max_readahead = mfs.fault_pages <= 1 ? 0 :
	    mfs.fault_pages * MINFS_PAGE;
	if ((conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA) != 0)
		conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

static void
minfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	unsigned long n;
	char *end;

	memset(&e, 0, sizeof(e));
	if (!minfs_is_dir(parent)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (parent != MINFS_INO_ROOT && strcmp(name, "stats") == 0)
		e.ino = parent + 1;
	else if (parent != MINFS_INO_ROOT) {
		fuse_reply_err(req, ENOENT);
		return;
	} else if (strcmp(name, "file") == 0)
		e.ino = MINFS_INO_FILE;
	else if (strcmp(name, "stats") == 0)
		e.ino = MINFS_INO_STATS;
	else if (name[0] == 'd' && name[1] >= '0' && name[1] <= '9' &&
	    (n = strtoul(name + 1, &end, 10), *end == '\0') &&
	    n < MINFS_DIRS_MAX)
		e.ino = MINFS_INO_DIRS + 2 * (fuse_ino_t)n;
	else {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.generation = 1;
	e.attr_timeout = MINFS_TIMEOUT;
	e.entry_timeout = MINFS_TIMEOUT;
	minfs_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void
minfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	(void)fi;
	if (!minfs_is_dir(ino) && ino != MINFS_INO_FILE &&
	    !minfs_is_stats(ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	minfs_stat(ino, &st);
	fuse_reply_attr(req, &st, MINFS_TIMEOUT);
}

static void
minfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char *snap;

	if (ino == MINFS_INO_FILE) {
		/* Keep the page cache across opens, as for a device node. */
		fi->keep_cache = 1;
		fi->fh = 0;
		fuse_reply_open(req, fi);
	} else if (minfs_is_stats(ino)) {
		if ((fi->flags & O_ACCMODE) != O_RDONLY) {
			fuse_reply_err(req, EACCES);
			return;
		}
		snap = malloc(256);
		if (snap == NULL) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		minfs_format_stats(snap, 256);
		fi->fh = (uintptr_t)snap;
		fi->direct_io = 1;
		fuse_reply_open(req, fi);
	} else if (minfs_is_dir(ino))
		fuse_reply_err(req, EISDIR);
	else
		fuse_reply_err(req, ENOENT);
}

static void
minfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	const char *snap;
	size_t len;

	if (minfs_is_stats(ino)) {
		snap = (const char *)(uintptr_t)fi->fh;
		len = strlen(snap);
		if (off < 0 || (uint64_t)off >= len) {
			fuse_reply_buf(req, NULL, 0);
			return;
		}
		len -= (size_t)off;
		fuse_reply_buf(req, snap + off, size < len ? size : len);
		return;
	}
	if (off < 0 || (uint64_t)off >= mfs.size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	if (size > mfs.size - (uint64_t)off)
		size = (size_t)(mfs.size - (uint64_t)off);
	atomic_fetch_add_explicit(&mfs.reads, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&mfs.read_bytes, size, memory_order_relaxed);
	fuse_reply_buf(req, mfs.buf + off, size);
}

static void
minfs_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size,
    off_t off, struct fuse_file_info *fi)
{

	(void)fi;
	if (ino != MINFS_INO_FILE) {
		fuse_reply_err(req, EACCES);
		return;
	}
	if (off < 0 || (uint64_t)off >= mfs.size) {
		fuse_reply_err(req, EFBIG);
		return;
	}
	if (size > mfs.size - (uint64_t)off)
		size = (size_t)(mfs.size - (uint64_t)off);
	memcpy(mfs.buf + off, data, size);
	atomic_fetch_add_explicit(&mfs.writes, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&mfs.write_bytes, size,
	    memory_order_relaxed);
	fuse_reply_write(req, size);
}

static void
minfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{

	if (minfs_is_stats(ino))
		free((void *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

int
main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct fuse_loop_config *loop_cfg;
	struct fuse_session *se;
	struct minfs_opts o;
	char line[256];
	int ret;

	memset(&cmd, 0, sizeof(cmd));
	memset(&o, 0, sizeof(o));
	loop_cfg = NULL;
	se = NULL;
	ret = 1;
	mfs.size = MINFS_SIZE_DEFAULT;
	mfs.fault_pages = 1;

	if (fuse_opt_parse(&args, &o, minfs_opt_spec, NULL) == -1)
		goto out_args;
	if (o.size_arg != NULL && minfs_parse_size(o.size_arg, &mfs.size) != 0) {
		fprintf(stderr, "minfs: bad -o size=%s (expected 4K..4G, "
		    "K/M/G suffixes)\n", o.size_arg);
		goto out_args;
	}
	if (o.fault_pages_arg != NULL &&
	    minfs_parse_count(o.fault_pages_arg, &mfs.fault_pages) != 0) {
		fprintf(stderr, "minfs: bad -o fault_pages=%s (expected 1..%d)\n",
		    o.fault_pages_arg, MINFS_FAULT_PAGES_MAX);
		goto out_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_args;
	if (cmd.show_help || cmd.show_version) {
		printf("usage: %s [-dfs] [-o size=SIZE] [-o fault_pages=N] "
		    "[FUSE options] mountpoint\n", argv[0]);
		if (cmd.show_help) {
			fuse_cmdline_help();
			fuse_lowlevel_help();
		} else
			fuse_lowlevel_version();
		ret = 0;
		goto out_args;
	}
	if (cmd.mountpoint == NULL) {
		fprintf(stderr, "minfs: no mountpoint given\n");
		goto out_args;
	}
	/* Touch every page now, so that no READ pays for a first use. */
	mfs.buf = calloc(1, (size_t)mfs.size);
	if (mfs.buf == NULL) {
		fprintf(stderr, "minfs: cannot allocate %llu bytes\n",
		    (unsigned long long)mfs.size);
		goto out_args;
	}
	memset(mfs.buf, 0xa5, (size_t)mfs.size);
	mfs.uid = getuid();
	mfs.gid = getgid();
	clock_gettime(CLOCK_REALTIME, &mfs.mtime);

	/* The mount options devpagerfs adds for itself. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions") == -1 ||
	    fuse_opt_add_arg(&args, "-osubtype=minfs") == -1)
		goto out_args;
	se = fuse_session_new(&args, &minfs_ops, sizeof(minfs_ops), NULL);
	if (se == NULL)
		goto out_args;
	if (fuse_set_signal_handlers(se) != 0)
		goto out_session;
	if (fuse_session_mount(se, cmd.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(cmd.foreground) != 0)
		goto out_unmount;
	if (cmd.singlethread)
		ret = fuse_session_loop(se);
	else {
		loop_cfg = fuse_loop_cfg_create();
		if (loop_cfg == NULL) {
			ret = -ENOMEM;
			goto out_loop;
		}
		fuse_loop_cfg_set_clone_fd(loop_cfg, cmd.clone_fd);
		fuse_loop_cfg_set_idle_threads(loop_cfg, cmd.max_idle_threads);
		ret = fuse_session_loop_mt(se, loop_cfg);
	}
out_loop:
	/* > 0 is the signal that ended the loop: a clean stop. */
	ret = ret < 0 ? 1 : 0;
	minfs_format_stats(line, sizeof(line));
	fprintf(stderr, "%s", line);
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_session:
	fuse_session_destroy(se);
out_args:
	if (loop_cfg != NULL)
		fuse_loop_cfg_destroy(loop_cfg);
	free(mfs.buf);
	free(cmd.mountpoint);
	free(o.size_arg);
	free(o.fault_pages_arg);
	fuse_opt_free_args(&args);
	return (ret);
}
