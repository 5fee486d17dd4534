/*
 * The lowlevel operations: name space (lookup, getattr, readdir) and the
 * virtual files of vm/.  Device nodes have their own file, fs_device.c.
 *
 * Every handler sends exactly one reply.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kern/kern_log.h"
#include "kern/kern_rcu.h"
#include "fuse/fs.h"
#include "fuse/fs_device.h"
#include "fuse/fs_node.h"
#include "fuse/fs_stats.h"
#include "fuse/fs_vfile.h"
#include "fuse/fs_vm.h"

struct devpagerfs fs;

/* A directory listing, built at opendir and served by offset. */
struct fs_dirbuf {
	char	*p;
	size_t	 size;
	size_t	 alloc;
	size_t	*ends;		/* end offset of each entry */
	size_t	 nents;
	size_t	 ends_alloc;
};

void
fs_request_enter(fuse_req_t req)
{
	(void)req;
	rcu_thread_online();
}

static void
fs_fill_common(struct stat *st, fuse_ino_t ino)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = fs.owner_uid;
	st->st_gid = fs.owner_gid;
	st->st_atim = fs.start_time;
	st->st_mtim = fs.start_time;
	st->st_ctim = fs.start_time;
	st->st_blksize = 4096;
}

/* Fill st for ino; 0 or ENOENT. */
static int
fs_stat(fuse_ino_t ino, struct stat *st)
{
	const struct fs_vfile *vf;
	char name[64];

	fs_fill_common(st, ino);
	switch (fs_node_kind(ino)) {
	case FS_NODE_DIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return (0);
	case FS_NODE_OBJDIR:
		if (!fs_vm_object_exists(fs_ino_object_id(ino)))
			return (ENOENT);
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return (0);
	case FS_NODE_OBJFILE:
		if (!fs_vm_object_exists(fs_ino_object_id(ino)))
			return (ENOENT);
		break;
	case FS_NODE_FAIL:
		if (fs_vm_fail_name(ino, name, sizeof(name)) != 0)
			return (ENOENT);
		break;
	case FS_NODE_VFILE:
		break;
	case FS_NODE_DEVICE:
		return (fs_device_stat(ino, st));
	default:
		return (ENOENT);
	}
	vf = fs_vfile_by_ino(ino);
	if (vf == NULL)
		return (ENOENT);
	st->st_mode = S_IFREG | vf->vf_mode;
	st->st_nlink = 1;
	st->st_size = 0;	/* direct_io: the size is what read returns */
	return (0);
}

static void
fs_reply_entry(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse_entry_param e;
	int error;

	memset(&e, 0, sizeof(e));
	error = fs_stat(ino, &e.attr);
	if (error != 0) {
		fuse_reply_err(req, error);
		return;
	}
	e.ino = ino;
	e.generation = 1;
	e.attr_timeout = fs.attr_timeout;
	e.entry_timeout = fs.entry_timeout;
	fuse_reply_entry(req, &e);
}

/* Parse a decimal object id with no sign, no leading zero. */
static bool
fs_parse_id(const char *name, uint64_t *idp)
{
	uint64_t id;
	const char *p;

	if (name[0] < '1' || name[0] > '9' || strlen(name) > 15)
		return (false);
	id = 0;
	for (p = name; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (false);
		id = id * 10 + (uint64_t)(*p - '0');
	}
	*idp = id;
	return (true);
}

static void
fs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	const struct fs_vfile *vf;
	fuse_ino_t ino;
	uint64_t id;

	fs_request_enter(req);
	switch (fs_node_kind(parent)) {
	case FS_NODE_DIR:
		break;
	case FS_NODE_OBJDIR:
		id = fs_ino_object_id(parent);
		if (strcmp(name, "info") == 0) {
			fs_reply_entry(req, fs_ino_object(id, FS_OBJ_INFO));
			return;
		}
		if (strcmp(name, "pages") == 0) {
			fs_reply_entry(req, fs_ino_object(id, FS_OBJ_PAGES));
			return;
		}
		fuse_reply_err(req, ENOENT);
		return;
	default:
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	switch (parent) {
	case FS_INO_ROOT:
		if (strcmp(name, "dev") == 0) {
			fs_reply_entry(req, FS_INO_DEV);
			return;
		}
		if (strcmp(name, "vm") == 0) {
			fs_reply_entry(req, FS_INO_VM);
			return;
		}
		break;
	case FS_INO_DEV:
		memset(&e, 0, sizeof(e));
		if (fs_device_lookup(name, &ino, &e.attr) == 0) {
			e.ino = ino;
			e.generation = 1;
			e.attr_timeout = fs.attr_timeout;
			e.entry_timeout = fs.entry_timeout;
			fuse_reply_entry(req, &e);
			return;
		}
		break;
	case FS_INO_VM:
		if (strcmp(name, "object") == 0) {
			fs_reply_entry(req, FS_INO_VM_OBJECT);
			return;
		}
		if (strcmp(name, "fail") == 0) {
			fs_reply_entry(req, FS_INO_VM_FAIL);
			return;
		}
		vf = fs_vfile_by_name(name);
		if (vf != NULL) {
			fs_reply_entry(req, vf->vf_ino);
			return;
		}
		break;
	case FS_INO_VM_OBJECT:
		if (fs_parse_id(name, &id)) {
			fs_reply_entry(req, fs_ino_object(id, FS_OBJ_DIR));
			return;
		}
		break;
	case FS_INO_VM_FAIL:
		if (fs_vm_fail_lookup(name, &ino) == 0) {
			fs_reply_entry(req, ino);
			return;
		}
		break;
	default:
		break;
	}
	fuse_reply_err(req, ENOENT);
}

static void
fs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int error;

	(void)fi;
	fs_request_enter(req);
	error = fs_stat(ino, &st);
	if (error != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_attr(req, &st, fs.attr_timeout);
}

static int
fs_dirbuf_add(fuse_req_t req, struct fs_dirbuf *db, const char *name,
    fuse_ino_t ino, mode_t type)
{
	struct stat st;
	size_t need;
	char *np;

	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	st.st_mode = type;
	need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
	if (db->size + need > db->alloc) {
		size_t nalloc = db->alloc == 0 ? 1024 : db->alloc;

		while (nalloc < db->size + need)
			nalloc *= 2;
		np = realloc(db->p, nalloc);
		if (np == NULL)
			return (ENOMEM);
		db->p = np;
		db->alloc = nalloc;
	}
	if (db->nents == db->ends_alloc) {
		size_t nalloc = db->ends_alloc == 0 ? 16 : 2 * db->ends_alloc;
		size_t *ne = realloc(db->ends, nalloc * sizeof(*ne));

		if (ne == NULL)
			return (ENOMEM);
		db->ends = ne;
		db->ends_alloc = nalloc;
	}
	fuse_add_direntry(req, db->p + db->size, need, name, &st,
	    (off_t)(db->size + need));
	db->size += need;
	db->ends[db->nents++] = db->size;
	return (0);
}

struct dir_fill {
	fuse_req_t	 req;
	struct fs_dirbuf *db;
};

static int
dir_fill_file(const char *name, fuse_ino_t ino, void *arg)
{
	struct dir_fill *df = arg;

	return (fs_dirbuf_add(df->req, df->db, name, ino, S_IFREG));
}

static int
dir_fill_object(uint64_t id, void *arg)
{
	struct dir_fill *df = arg;
	char name[24];

	snprintf(name, sizeof(name), "%llu", (unsigned long long)id);
	return (fs_dirbuf_add(df->req, df->db, name,
	    fs_ino_object(id, FS_OBJ_DIR), S_IFDIR));
}

static fuse_ino_t
fs_parent_of(fuse_ino_t ino)
{
	if (fs_node_kind(ino) == FS_NODE_OBJDIR)
		return (FS_INO_VM_OBJECT);
	switch (ino) {
	case FS_INO_DEV:
	case FS_INO_VM:
		return (FS_INO_ROOT);
	case FS_INO_VM_OBJECT:
	case FS_INO_VM_FAIL:
		return (FS_INO_VM);
	default:
		return (FS_INO_ROOT);
	}
}

static int
fs_build_dir(fuse_req_t req, fuse_ino_t ino, struct fs_dirbuf *db)
{
	const struct fs_vfile *vf;
	struct dir_fill df = { .req = req, .db = db };
	uint64_t id;
	int error;

	error = fs_dirbuf_add(req, db, ".", ino, S_IFDIR);
	if (error == 0)
		error = fs_dirbuf_add(req, db, "..", fs_parent_of(ino),
		    S_IFDIR);
	if (error != 0)
		return (error);
	if (fs_node_kind(ino) == FS_NODE_OBJDIR) {
		id = fs_ino_object_id(ino);
		error = fs_dirbuf_add(req, db, "info",
		    fs_ino_object(id, FS_OBJ_INFO), S_IFREG);
		if (error == 0)
			error = fs_dirbuf_add(req, db, "pages",
			    fs_ino_object(id, FS_OBJ_PAGES), S_IFREG);
		return (error);
	}
	switch (ino) {
	case FS_INO_ROOT:
		error = fs_dirbuf_add(req, db, "dev", FS_INO_DEV, S_IFDIR);
		if (error == 0)
			error = fs_dirbuf_add(req, db, "vm", FS_INO_VM,
			    S_IFDIR);
		break;
	case FS_INO_VM:
		error = fs_dirbuf_add(req, db, "object", FS_INO_VM_OBJECT,
		    S_IFDIR);
		if (error == 0)
			error = fs_dirbuf_add(req, db, "fail", FS_INO_VM_FAIL,
			    S_IFDIR);
		for (vf = fs_vm_files; error == 0 && vf->vf_name != NULL; vf++)
			error = fs_dirbuf_add(req, db, vf->vf_name, vf->vf_ino,
			    S_IFREG);
		break;
	case FS_INO_DEV:
		error = fs_device_foreach(dir_fill_file, &df);
		break;
	case FS_INO_VM_OBJECT:
		error = fs_vm_object_foreach(dir_fill_object, &df);
		break;
	case FS_INO_VM_FAIL:
		error = fs_vm_fail_foreach(dir_fill_file, &df);
		break;
	default:
		error = ENOTDIR;
		break;
	}
	return (error);
}

static void
fs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_dirbuf *db;
	int error;

	fs_request_enter(req);
	if (fs_node_kind(ino) != FS_NODE_DIR &&
	    (fs_node_kind(ino) != FS_NODE_OBJDIR ||
	    !fs_vm_object_exists(fs_ino_object_id(ino)))) {
		fuse_reply_err(req, fs_node_kind(ino) == FS_NODE_OBJDIR ?
		    ENOENT : ENOTDIR);
		return;
	}
	db = calloc(1, sizeof(*db));
	if (db == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	error = fs_build_dir(req, ino, db);
	if (error != 0) {
		free(db->p);
		free(db->ends);
		free(db);
		fuse_reply_err(req, error);
		return;
	}
	fi->fh = (uintptr_t)db;
	fi->cache_readdir = 0;
	fuse_reply_open(req, fi);
}

static void
fs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct fs_dirbuf *db = (struct fs_dirbuf *)(uintptr_t)fi->fh;
	size_t start, end, i;
	char *copy;

	(void)ino;
	fs_request_enter(req);
	if (off < 0 || (size_t)off >= db->size) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	/*
	 * Offsets handed out are entry ends, so off starts an entry; send
	 * the whole entries that fit in size.
	 */
	start = (size_t)off;
	end = start;
	for (i = 0; i < db->nents; i++) {
		if (db->ends[i] <= start)
			continue;
		if (db->ends[i] - start > size)
			break;
		end = db->ends[i];
	}
	/*
	 * Reply from a copy: once the kernel has the entries, the caller may
	 * close the directory and RELEASEDIR may free db on another thread
	 * before this one is done with the reply.
	 */
	copy = malloc(end - start > 0 ? end - start : 1);
	if (copy == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	memcpy(copy, db->p + start, end - start);
	fuse_reply_buf(req, copy, end - start);
	free(copy);
}

static void
fs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_dirbuf *db = (struct fs_dirbuf *)(uintptr_t)fi->fh;

	(void)ino;
	fs_request_enter(req);
	free(db->p);
	free(db->ends);
	free(db);
	fuse_reply_err(req, 0);
}

static void
fs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const struct fs_vfile *vf;
	struct fs_vopen *vo;
	int error;

	fs_request_enter(req);
	switch (fs_node_kind(ino)) {
	case FS_NODE_DIR:
	case FS_NODE_OBJDIR:
		fuse_reply_err(req, EISDIR);
		return;
	case FS_NODE_DEVICE:
		fs_device_open(req, ino, fi);
		return;
	case FS_NODE_VFILE:
	case FS_NODE_OBJFILE:
	case FS_NODE_FAIL:
		break;
	default:
		fuse_reply_err(req, ENOENT);
		return;
	}
	vf = fs_vfile_by_ino(ino);
	if (vf == NULL) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY && vf->vf_write == NULL) {
		fuse_reply_err(req, EACCES);
		return;
	}
	vo = calloc(1, sizeof(*vo));
	if (vo == NULL) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_init(&vo->lock, NULL);
	sbuf_init(&vo->snap);
	vo->ino = ino;
	error = 0;
	if (vf->vf_generate != NULL && (fi->flags & O_ACCMODE) != O_WRONLY)
		error = vf->vf_generate(&vo->snap, ino);
	if (error == 0)
		error = sbuf_finish(&vo->snap);
	if (error != 0) {
		sbuf_delete(&vo->snap);
		pthread_mutex_destroy(&vo->lock);
		free(vo);
		fuse_reply_err(req, error);
		return;
	}
	fi->fh = (uintptr_t)vo;
	fi->direct_io = 1;
	fi->nonseekable = 0;
	/* Nothing to do at close(2): spare every reader a FLUSH. */
	fi->noflush = 1;
	fuse_reply_open(req, fi);
}

/*
 * The reply must be the last use of vo: once the kernel has the data, the
 * application may close the file and RELEASE may free vo on another
 * thread.  So copy the slice out under the lock and reply after it.
 */
static void
fs_vfile_read(fuse_req_t req, struct fs_vopen *vo, size_t size, off_t off)
{
	size_t len, n;
	char *copy;

	copy = NULL;
	n = 0;
	pthread_mutex_lock(&vo->lock);
	len = sbuf_len(&vo->snap);
	if (off >= 0 && (size_t)off < len) {
		n = len - (size_t)off < size ? len - (size_t)off : size;
		copy = malloc(n);
		if (copy != NULL)
			memcpy(copy, sbuf_data(&vo->snap) + off, n);
	}
	pthread_mutex_unlock(&vo->lock);
	if (n != 0 && copy == NULL)
		fuse_reply_err(req, ENOMEM);
	else
		fuse_reply_buf(req, copy, n);
	free(copy);
}

static void
fs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	fs_request_enter(req);
	switch (fs_node_kind(ino)) {
	case FS_NODE_DEVICE:
		fs_device_read(req, ino, size, off, fi);
		return;
	case FS_NODE_VFILE:
	case FS_NODE_OBJFILE:
	case FS_NODE_FAIL:
		fs_vfile_read(req, (struct fs_vopen *)(uintptr_t)fi->fh, size,
		    off);
		return;
	default:
		fuse_reply_err(req, EBADF);
		return;
	}
}

static void
fs_vfile_write(fuse_req_t req, fuse_ino_t ino, struct fs_vopen *vo,
    const char *buf, size_t size)
{
	const struct fuse_ctx *ctx;
	const struct fs_vfile *vf;
	struct ucred cred;
	int error;

	vf = fs_vfile_by_ino(ino);
	if (vf == NULL || vf->vf_write == NULL) {
		fuse_reply_err(req, EBADF);
		return;
	}
	ctx = fuse_req_ctx(req);
	cred.cr_uid = ctx->uid;
	cred.cr_gid = ctx->gid;
	cred.cr_pid = ctx->pid;
	pthread_mutex_lock(&vo->lock);
	sbuf_clear(&vo->snap);
	error = vf->vf_write(ino, buf, size, &cred, &vo->snap);
	if (sbuf_finish(&vo->snap) != 0 && error == 0)
		error = ENOMEM;
	pthread_mutex_unlock(&vo->lock);
	if (error != 0)
		fuse_reply_err(req, error);
	else
		fuse_reply_write(req, size);
}

static void
fs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
    off_t off, struct fuse_file_info *fi)
{
	fs_request_enter(req);
	switch (fs_node_kind(ino)) {
	case FS_NODE_DEVICE:
		fs_device_write(req, ino, buf, size, off, fi);
		return;
	case FS_NODE_VFILE:
	case FS_NODE_OBJFILE:
	case FS_NODE_FAIL:
		fs_vfile_write(req, ino, (struct fs_vopen *)(uintptr_t)fi->fh,
		    buf, size);
		return;
	default:
		fuse_reply_err(req, EBADF);
		return;
	}
}

static void
fs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_vopen *vo;

	fs_request_enter(req);
	switch (fs_node_kind(ino)) {
	case FS_NODE_DEVICE:
		fs_device_release(req, ino, fi);
		return;
	case FS_NODE_VFILE:
	case FS_NODE_OBJFILE:
	case FS_NODE_FAIL:
		vo = (struct fs_vopen *)(uintptr_t)fi->fh;
		sbuf_delete(&vo->snap);
		pthread_mutex_destroy(&vo->lock);
		free(vo);
		break;
	default:
		break;
	}
	fuse_reply_err(req, 0);
}

static void
fs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
    struct fuse_file_info *fi)
{
	fs_request_enter(req);
	if (fs_node_kind(ino) == FS_NODE_DEVICE)
		fs_device_fsync(req, ino, datasync, fi);
	else
		fuse_reply_err(req, 0);
}

static void
fs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fs_request_enter(req);
	fuse_reply_err(req, 0);
}

static void
fs_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
    struct fuse_file_info *fi, unsigned flags, const void *in_buf,
    size_t in_bufsz, size_t out_bufsz)
{
	fs_request_enter(req);
	if (fs_node_kind(ino) == FS_NODE_DEVICE)
		fs_device_ioctl(req, ino, cmd, arg, fi, flags, in_buf,
		    in_bufsz, out_bufsz);
	else
		fuse_reply_err(req, ENOTTY);
}

static void
fs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
    struct fuse_file_info *fi)
{
	struct stat st;
	int error;

	(void)fi;
	fs_request_enter(req);
	error = fs_stat(ino, &st);
	if (error != 0) {
		fuse_reply_err(req, error);
		return;
	}
	/*
	 * Nothing about a node can be changed: not its size (a device never
	 * shrinks or grows), owner or mode.  O_TRUNC on a vm/ file is
	 * accepted as a no-op so that `echo cmd > vm/ctl` works; times are
	 * ignored.
	 */
	if ((to_set & FUSE_SET_ATTR_SIZE) != 0 &&
	    !(attr->st_size == 0 && fs_node_kind(ino) != FS_NODE_DEVICE)) {
		fuse_reply_err(req, fs_node_kind(ino) == FS_NODE_DEVICE ?
		    EINVAL : EPERM);
		return;
	}
	if ((to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID |
	    FUSE_SET_ATTR_GID)) != 0) {
		fuse_reply_err(req, EPERM);
		return;
	}
	fuse_reply_attr(req, &st, fs.attr_timeout);
}

/*
 * The tree's names are the daemon's: devices come and go through vm/ctl
 * (or the configuration file), vm/ mirrors the VM.  Creating, removing,
 * renaming or linking a name fails with EPERM, as on Linux's own
 * pseudo-filesystems, rather than libfuse's ENOSYS.
 */
static void
fs_no_names(fuse_req_t req)
{

	fs_request_enter(req);
	fuse_reply_err(req, EPERM);
}

static void
fs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    dev_t rdev)
{

	(void)parent, (void)name, (void)mode, (void)rdev;
	fs_no_names(req);
}

static void
fs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{

	(void)parent, (void)name, (void)mode;
	fs_no_names(req);
}

static void
fs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{

	(void)parent, (void)name;
	fs_no_names(req);
}

static void
fs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
    const char *name)
{

	(void)link, (void)parent, (void)name;
	fs_no_names(req);
}

static void
fs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
    fuse_ino_t newparent, const char *newname, unsigned int flags)
{

	(void)parent, (void)name, (void)newparent, (void)newname, (void)flags;
	fs_no_names(req);
}

static void
fs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
    const char *newname)
{

	(void)ino, (void)newparent, (void)newname;
	fs_no_names(req);
}

static void
fs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
    struct fuse_file_info *fi)
{

	(void)parent, (void)name, (void)mode, (void)fi;
	fs_no_names(req);
}

static void
fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	(void)ino;
	fs_request_enter(req);
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_frsize = 4096;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

static void
fs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/*
	 * fault_pages = 1: no readahead, so every first touch of a page is
	 * one READ of that page.  Larger: up to that many pages per READ
	 * (the kernel also caps it at its own readahead window).
	 */
	conn->max_readahead = fs.opts.fault_pages <= 1 ? 0 :
	    fs.opts.fault_pages * 4096;
	/* Data is invalidated only when the daemon says so. */
	if (conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA)
		conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	/*
	 * READ replies and prefault stores of anonymous device memory go by
	 * descriptor (fs_pagebuf.h): let libfuse splice them.
	 */
	if (conn->capable & FUSE_CAP_SPLICE_WRITE)
		conn->want |= FUSE_CAP_SPLICE_WRITE;
}

const struct fuse_lowlevel_ops fs_ll_ops = {
	.init		= fs_init,
	.lookup		= fs_lookup,
	.getattr	= fs_getattr,
	.opendir	= fs_opendir,
	.readdir	= fs_readdir,
	.releasedir	= fs_releasedir,
	.open		= fs_open,
	.read		= fs_read,
	.write		= fs_write,
	.release	= fs_release,
	.statfs		= fs_statfs,
	.fsync		= fs_fsync,
	.flush		= fs_flush,
	.ioctl		= fs_ioctl,
	.setattr	= fs_setattr,
	.mknod		= fs_mknod,
	.mkdir		= fs_mkdir,
	.unlink		= fs_unlink,
	.rmdir		= fs_unlink,
	.symlink	= fs_symlink,
	.rename		= fs_rename,
	.link		= fs_link,
	.create		= fs_create,
};
