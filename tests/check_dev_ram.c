/*
 * The ram driver: window faults through the device pager (OBJT_DEVICE,
 * fake pages), d_mmap bounds and memattr, read(2)/write(2), and
 * backing=PATH: created and sized, size mismatch, the file's own size,
 * refused types (directory, FIFO, socket, symbolic links), devices,
 * dev_sync and persistence across destroy/create; the path walk (no
 * symbolic link or ".." anywhere, owners, directories and files others
 * can write), devices probed read-only before any read-write open, the
 * block reservation and its rollback, size messages, and a backing file
 * truncated under the device (EIO, not a crash).
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "check_drv_sock.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/fail.h"
#include "kern/kern_rcu.h"
#include "kern/sbuf.h"
#include "dev/dev_driver.h"
#include "vm/vm.h"
#include "vm/vm_fault.h"
#include "vm/vm_mmap.h"
#include "vm/vm_object.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"

static char line[1024];

START_TEST(test_ram_faults)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;
	vm_paddr_t base;
	vm_page_t m;
	char *host;
	unsigned i;

	ck_assert_int_eq(drv_ctl("create r driver=ram size=64K"), 0);
	base = drv_window_base("r");
	ck_assert_uint_ne(base, 0);
	/* Write through the window's host memory... */
	rcu_read_lock();
	for (i = 0; i < 16; i++) {
		host = vm_phys_to_host(base + ptoa(i));
		ck_assert_ptr_nonnull(host);
		snprintf(host, 32, "page %u of r", i);
	}
	rcu_read_unlock();
	/* ...and read it back through vm_mmap_cdev and vm_fault. */
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 0x10000, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(obj->type, OBJT_DEVICE);
	ck_assert_ptr_eq(obj->un_pager.devp.dev, dev);
	for (i = 0; i < 16; i++) {
		ck_assert_int_eq(vm_fault(obj, i, VM_PROT_READ, 0, 0, &m),
		    KERN_SUCCESS);
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		ck_assert_uint_eq(m->phys_addr, base + ptoa(i));
		ck_assert_uint_eq(m->valid, VM_PAGE_BITS_ALL);
		rcu_read_lock();
		snprintf(line, sizeof(line), "page %u of r", i);
		ck_assert_str_eq(vm_phys_to_host(m->phys_addr), line);
		rcu_read_unlock();
		vm_fault_unhold(m);
	}
	ck_assert_uint_eq(obj->resident_page_count, 16);
	/* Past the end: no mapping. */
	vm_object_deallocate(obj);
	foff = 0x10000;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, PAGE_SIZE, VM_PROT_READ,
	    VM_PROT_ALL, &drv_cred, &obj), EINVAL);
	dev_rel(dev);
}
END_TEST

START_TEST(test_ram_memattr_create)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;
	vm_page_t m;

	ck_assert_int_eq(drv_ctl("create r driver=ram size=16K memattr=wc"),
	    0);
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 0x4000, VM_PROT_READ,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(vm_fault(obj, 2, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	ck_assert_int_eq(vm_page_memattr(m), VM_MEMATTR_WRITE_COMBINING);
	vm_fault_unhold(m);
	rcu_read_lock();
	ck_assert_int_eq(vm_phys_memattr(drv_window_base("r")),
	    VM_MEMATTR_WRITE_COMBINING);
	rcu_read_unlock();
	vm_object_deallocate(obj);
	dev_rel(dev);
}
END_TEST

START_TEST(test_ram_read_write)
{
	struct cdev *dev;
	struct file *fp;
	char buf[32];
	size_t done;

	ck_assert_int_eq(drv_ctl("create r driver=ram size=8K"), 0);
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &drv_cred, &fp), 0);
	ck_assert_int_eq(devfs_write(fp, "0123456789", 10, 8190, &done), 0);
	ck_assert_uint_eq(done, 2);
	ck_assert_int_eq(devfs_write(fp, "abc", 3, 8192, &done), ENOSPC);
	ck_assert_int_eq(devfs_write(fp, "hello", 5, 100, &done), 0);
	ck_assert_uint_eq(done, 5);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(devfs_read(fp, buf, 5, 100, &done), 0);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(devfs_read(fp, buf, 10, 8190, &done), 0);
	ck_assert_uint_eq(done, 2);
	ck_assert_int_eq(memcmp(buf, "01", 2), 0);
	ck_assert_int_eq(devfs_read(fp, buf, 10, 8192, &done), 0);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(devfs_close(fp), 0);
	dev_rel(dev);
}
END_TEST

START_TEST(test_backing_created)
{
	struct stat st;
	struct cdev *dev;
	const char *path;

	path = drv_path(0, "win.img");
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=1M backing=%s",
	    path), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_size, 1UL << 20);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 1UL << 20);
	dev_rel(dev);
	/* The file outlives the device. */
	ck_assert_int_eq(drv_ctl("destroy r"), 0);
	ck_assert_int_eq(lstat(path, &st), 0);
	/* Now it exists: no size needed, and the same size is fine. */
	ck_assert_int_eq(drv_ctlf("create r driver=ram backing=%s", path), 0);
	ck_assert_int_eq(drv_ctl("destroy r"), 0);
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=1M backing=%s",
	    path), 0);
}
END_TEST

START_TEST(test_backing_size_mismatch)
{
	const char *path;
	struct stat st;

	path = drv_path(0, "small.img");
	drv_make_file(path, 8192, 'x');
	drv_refused(EINVAL, "8K bytes",
	    "create r driver=ram size=16K backing=%s", path);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 8192);
	/* Not a page multiple, or empty: no usable size. */
	path = drv_path(1, "odd.img");
	drv_make_file(path, 5000, 'x');
	drv_refused(EINVAL, "window size",
	    "create r driver=ram backing=%s", path);
	path = drv_path(2, "empty.img");
	drv_make_file(path, 0, 'x');
	drv_refused(EINVAL, NULL, "create r driver=ram backing=%s", path);
	/* Without size=, the file's size. */
	path = drv_path(0, "small.img");
	ck_assert_int_eq(drv_ctlf("create r driver=ram backing=%s", path), 0);
	ck_assert_uint_eq(drv_window_base("r") != 0, 1);
	ck_assert_int_eq(drv_ctlf("create r2 driver=ram size=8K backing=%s",
	    path), 0);
}
END_TEST

START_TEST(test_backing_refused_types)
{
	const char *p;
	int s;

	/* A directory, a FIFO, a socket. */
	p = drv_path(0, "dir");
	ck_assert_int_eq(mkdir(p, 0700), 0);
	drv_refused(EINVAL, "a directory",
	    "create r driver=ram size=4K backing=%s", p);
	p = drv_path(0, "fifo");
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	drv_refused(EINVAL, "a FIFO",
	    "create r driver=ram size=4K backing=%s", p);
	p = drv_path(0, "sock");
	s = drv_bind_socket(p);
	ck_assert_int_ge(s, 0);
	drv_refused(EINVAL, "a socket",
	    "create r driver=ram size=4K backing=%s", p);
	close(s);
	/* Symbolic links as the last component: to a directory, to a
	 * file, dangling. */
	ck_assert_int_eq(symlink(drv_path(1, "dir"), drv_path(0, "ldir")), 0);
	drv_refused(EINVAL, "symbolic link",
	    "create r driver=ram size=4K backing=%s", drv_path(0, "ldir"));
	drv_make_file(drv_path(1, "file"), 4096, 0);
	ck_assert_int_eq(symlink(drv_path(1, "file"), drv_path(0, "lfile")),
	    0);
	drv_refused(EINVAL, "symbolic link",
	    "create r driver=ram size=4K backing=%s", drv_path(0, "lfile"));
	ck_assert_int_eq(symlink(drv_path(1, "nothing"),
	    drv_path(0, "ldangling")), 0);
	drv_refused(EINVAL, "symbolic link",
	    "create r driver=ram size=4K backing=%s",
	    drv_path(0, "ldangling"));
	/* Not a file name; a missing directory; a file as a directory. */
	drv_refused(EINVAL, NULL,
	    "create r driver=ram size=4K backing=%s", drv_path(0, ""));
	drv_refused(ENOENT, NULL,
	    "create r driver=ram size=4K backing=%s", drv_path(0, "nodir/f"));
	drv_refused(ENOTDIR, NULL,
	    "create r driver=ram size=4K backing=%s", drv_path(0, "file/f"));
	/* A device that cannot be mapped shared. */
	drv_refused(EINVAL, "cannot be mapped shared",
	    "create r driver=ram size=4K backing=%s", "/dev/null");
}
END_TEST

START_TEST(test_backing_symlinked_directory)
{
	struct stat st;

	/* A link anywhere in the path is refused, not followed. */
	ck_assert_int_eq(mkdir(drv_path(0, "real"), 0700), 0);
	ck_assert_int_eq(symlink(drv_path(0, "real"), drv_path(1, "alias")),
	    0);
	drv_refused(EINVAL, "is a symbolic link",
	    "create r driver=ram size=8K backing=%s",
	    drv_path(0, "alias/w.img"));
	ck_assert_int_eq(lstat(drv_path(0, "real/w.img"), &st), -1);
	/* Nor is "..". */
	drv_refused(EINVAL, "'..'", "create r driver=ram size=8K backing=%s",
	    drv_path(0, "real/../w.img"));
	ck_assert_int_eq(lstat(drv_path(0, "w.img"), &st), -1);
	/* "." and doubled slashes are fine. */
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=8K "
	    "backing=%s/.//real/./w.img", drv_tmp), 0);
	ck_assert_int_eq(lstat(drv_path(0, "real/w.img"), &st), 0);
	ck_assert_int_eq(st.st_size, 8192);
}
END_TEST

/* Owned by someone else: the file, or a directory on the way. */
START_TEST(test_backing_owner)
{
	const char *p;

	if (geteuid() != 0)
		return;		/* needs chown */
	p = drv_path(0, "theirs.img");
	drv_make_file(p, 8192, 'x');
	ck_assert_int_eq(chown(p, 65534, 65534), 0);
	drv_refused(EPERM, "belongs to uid 65534",
	    "create r driver=ram backing=%s", p);
	ck_assert_int_eq(mkdir(drv_path(0, "theirdir"), 0755), 0);
	ck_assert_int_eq(chown(drv_path(0, "theirdir"), 65534, 65534), 0);
	drv_refused(EPERM, "belongs to uid 65534",
	    "create r driver=ram size=8K backing=%s",
	    drv_path(0, "theirdir/new.img"));
}
END_TEST

/*
 * Directories others can write (unless sticky), files others can write
 * or with a second name.
 */
START_TEST(test_backing_writable_by_others)
{
	struct stat st;
	const char *d;

	d = drv_path(1, "open");		/* slot 1: kept */
	ck_assert_int_eq(mkdir(d, 0700), 0);
	ck_assert_int_eq(chmod(d, 0777), 0);
	drv_refused(EPERM, "writable by others",
	    "create r driver=ram size=8K backing=%s",
	    drv_path(0, "open/w.img"));
	ck_assert_int_eq(chmod(d, 0770), 0);
	drv_refused(EPERM, "writable by others",
	    "create r driver=ram size=8K backing=%s",
	    drv_path(0, "open/w.img"));
	/* Sticky: nobody else can rename or remove our file there. */
	ck_assert_int_eq(chmod(d, 01777), 0);
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=8K backing=%s",
	    drv_path(0, "open/w.img")), 0);
	ck_assert_int_eq(lstat(drv_path(0, "open/w.img"), &st), 0);
	ck_assert_int_eq(drv_ctl("destroy r"), 0);
	/* A world- or group-writable file. */
	ck_assert_int_eq(chmod(drv_path(0, "open/w.img"), 0666), 0);
	drv_refused(EPERM, "writable by others",
	    "create r driver=ram backing=%s", drv_path(0, "open/w.img"));
	ck_assert_int_eq(chmod(drv_path(0, "open/w.img"), 0620), 0);
	drv_refused(EPERM, "writable by others",
	    "create r driver=ram backing=%s", drv_path(0, "open/w.img"));
	ck_assert_int_eq(chmod(drv_path(0, "open/w.img"), 0644), 0);
	/* A file with a second name. */
	ck_assert_int_eq(link(drv_path(0, "open/w.img"),
	    drv_path(2, "other-name.img")), 0);
	drv_refused(EPERM, "2 names",
	    "create r driver=ram backing=%s", drv_path(0, "open/w.img"));
	ck_assert_int_eq(unlink(drv_path(2, "other-name.img")), 0);
	ck_assert_int_eq(drv_ctlf("create r driver=ram backing=%s",
	    drv_path(0, "open/w.img")), 0);
}
END_TEST

/*
 * A character device that cannot be mapped is refused without ever being
 * opened for writing: inotify sees it closed "nowrite" only.
 */
START_TEST(test_backing_unmappable_device_not_opened_rw)
{
	struct inotify_event *ev;
	char evbuf[4096];
	const char *p;
	ssize_t n, off;
	int ifd, closes;

	p = drv_path(0, "null");
	if (mknod(p, S_IFCHR | 0600, makedev(1, 3)) != 0)
		return;		/* needs CAP_MKNOD */
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ck_assert_int_ge(ifd, 0);
	ck_assert_int_ge(inotify_add_watch(ifd, p, IN_OPEN | IN_CLOSE), 0);
	drv_refused(EINVAL, "cannot be mapped shared",
	    "create r driver=ram size=4K backing=%s", p);
	closes = 0;
	while ((n = read(ifd, evbuf, sizeof(evbuf))) > 0) {
		for (off = 0; off < n; off += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)(void *)(evbuf + off);
			ck_assert_msg((ev->mask & IN_CLOSE_WRITE) == 0,
			    "the device was opened for writing");
			if ((ev->mask & IN_CLOSE_NOWRITE) != 0)
				closes++;
		}
	}
	ck_assert_int_gt(closes, 0);
	close(ifd);
}
END_TEST

/*
 * No room for the blocks (the ram_backing_reserve fail point stands in
 * for a full filesystem): refused with ENOSPC; a file the create made is
 * removed again, an existing one is left as it was.
 */
START_TEST(test_backing_reserve_fails)
{
	struct stat st;
	const char *p;
	char buf[8];
	int fd;

	ck_assert_int_eq(fail_point_set("ram_backing_reserve", "return(28)"),
	    0);
	drv_refused(ENOSPC, "cannot reserve 1M for backing",
	    "create r driver=ram size=1M backing=%s", drv_path(0, "new.img"));
	ck_assert_int_eq(lstat(drv_path(0, "new.img"), &st), -1);
	p = drv_path(0, "old.img");
	drv_make_file(p, 8192, 'o');
	drv_refused(ENOSPC, "cannot reserve 8K",
	    "create r driver=ram backing=%s", p);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, 1, 4096), 1);
	ck_assert_int_eq(buf[0], 'o');
	close(fd);
	ck_assert_int_eq(fail_point_set("ram_backing_reserve", "off"), 0);
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=1M backing=%s",
	    drv_path(0, "new.img")), 0);
	/* Reserved: every block is allocated. */
	ck_assert_int_eq(lstat(drv_path(0, "new.img"), &st), 0);
	ck_assert_int_ge((long long)st.st_blocks * 512, 1LL << 20);
}
END_TEST

/*
 * The backing file truncated under the device: read(2), write(2) and
 * fsync on it, and mem reading its window, fail with EIO instead of
 * killing the process; the part still in the file works.
 */
START_TEST(test_backing_truncated)
{
	struct cdev *dev, *mem;
	struct file *fp, *mfp;
	char buf[64];
	size_t done;
	vm_paddr_t base;

	ck_assert_int_eq(drv_ctlf("create r driver=ram size=64K backing=%s",
	    drv_path(0, "t.img")), 0);
	base = drv_window_base("r");
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &drv_cred, &fp), 0);
	ck_assert_int_eq(devfs_write(fp, "early", 6, 0x8000, &done), 0);
	ck_assert_int_eq(truncate(drv_path(0, "t.img"), 16384), 0);
	ck_assert_int_eq(devfs_write(fp, "late", 5, 0x8000, &done), EIO);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(devfs_read(fp, buf, 6, 0x8000, &done), EIO);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(dev_sync(dev, 0, 0), EIO);
	ck_assert_int_eq(dev_sync(dev, 0, 16384), 0);
	ck_assert_int_eq(devfs_write(fp, "kept", 5, 0x1000, &done), 0);
	ck_assert_int_eq(devfs_read(fp, buf, 5, 0x1000, &done), 0);
	ck_assert_str_eq(buf, "kept");
	ck_assert_int_eq(devfs_close(fp), 0);
	/* mem's read(2) of the same memory. */
	mem = dev_lookup_ref("mem");
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(devfs_open(mem, O_RDONLY, &drv_cred, &mfp), 0);
	ck_assert_int_eq(devfs_read(mfp, buf, 6, base + 0x8000, &done), EIO);
	ck_assert_int_eq(devfs_read(mfp, buf, 5, base + 0x1000, &done), 0);
	ck_assert_str_eq(buf, "kept");
	ck_assert_int_eq(devfs_close(mfp), 0);
	dev_rel(mem);
	dev_rel(dev);
}
END_TEST

/* Size messages suggest something that would work, never size=0. */
START_TEST(test_backing_size_suggestion)
{
	const char *p;

	p = drv_path(0, "empty.img");
	drv_make_file(p, 0, 'x');
	drv_refused(EINVAL, "remove the file to have it created with "
	    "size=16K", "create r driver=ram size=16K backing=%s", p);
	ck_assert_ptr_null(strstr(drv_reply(), "size=0"));
	drv_refused(EINVAL, "not a usable window size",
	    "create r driver=ram backing=%s", p);
	ck_assert_ptr_null(strstr(drv_reply(), "size=0"));
	p = drv_path(0, "odd.img");
	drv_make_file(p, 5000, 'x');
	drv_refused(EINVAL, "remove the file", "create r driver=ram "
	    "size=8K backing=%s", p);
	ck_assert_ptr_null(strstr(drv_reply(), "give size=5000"));
}
END_TEST

START_TEST(test_backing_char_device)
{
	struct cdev *dev;
	vm_object_t obj;
	vm_ooffset_t foff;
	vm_page_t m;

	/* An mmap-able character device (shared /dev/zero) is accepted. */
	ck_assert_int_eq(drv_ctl("create z driver=ram size=64K "
	    "backing=/dev/zero"), 0);
	dev = dev_lookup_ref("z");
	ck_assert_ptr_nonnull(dev);
	foff = 0;
	ck_assert_int_eq(vm_mmap_cdev(dev, &foff, 0x10000, VM_PROT_ALL,
	    VM_PROT_ALL, &drv_cred, &obj), 0);
	ck_assert_int_eq(vm_fault(obj, 1, VM_PROT_READ, 0, 0, &m),
	    KERN_SUCCESS);
	vm_fault_unhold(m);
	vm_object_deallocate(obj);
	ck_assert_int_eq(dev_sync(dev, 0, 0), 0);
	dev_rel(dev);
}
END_TEST

START_TEST(test_backing_sync)
{
	struct cdev *dev;
	const char *path;
	vm_paddr_t base;
	char buf[32], *host;
	int fd;

	path = drv_path(0, "sync.img");
	ck_assert_int_eq(drv_ctlf("create r driver=ram size=64K backing=%s",
	    path), 0);
	base = drv_window_base("r");
	rcu_read_lock();
	host = vm_phys_to_host(base + 0x3000);
	ck_assert_ptr_nonnull(host);
	strcpy(host, "durable bytes");
	rcu_read_unlock();
	dev = dev_lookup_ref("r");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(dev_sync(dev, 0, 0), 0);
	ck_assert_int_eq(dev_sync(dev, 0x3000, 0x1000), 0);
	ck_assert_int_eq(dev_sync(dev, 0, 0x10000), 0);
	ck_assert_int_eq(dev_sync(dev, 0x10000, 0x1000), EINVAL);
	ck_assert_int_eq(dev_sync(dev, 0x8000, 0x10000), EINVAL);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(pread(fd, buf, 14, 0x3000), 14);
	ck_assert_str_eq(buf, "durable bytes");
	close(fd);
	dev_rel(dev);
	/* Destroy and create again: the data is still there. */
	ck_assert_int_eq(drv_ctl("destroy r"), 0);
	ck_assert_int_eq(drv_ctlf("create r driver=ram backing=%s", path), 0);
	base = drv_window_base("r");
	rcu_read_lock();
	ck_assert_str_eq(vm_phys_to_host(base + 0x3000), "durable bytes");
	rcu_read_unlock();
	/* A memfd window syncs too (nothing to do, no error); a destroyed
	 * device does not. */
	ck_assert_int_eq(drv_ctl("destroy r"), 0);
	dev = dev_lookup_ref("ram0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(dev_sync(dev, 0, 0), 0);
	ck_assert_int_eq(drv_ctl("destroy ram0"), 0);
	ck_assert_int_eq(dev_sync(dev, 0, 0), ENXIO);
	dev_rel(dev);
}
END_TEST

Suite *
dev_ram_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_ram");
	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_ram_faults);
	tcase_add_test(tc, test_ram_memattr_create);
	tcase_add_test(tc, test_ram_read_write);
	suite_add_tcase(s, tc);

	tc = tcase_create("backing");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_backing_created);
	tcase_add_test(tc, test_backing_size_mismatch);
	tcase_add_test(tc, test_backing_refused_types);
	tcase_add_test(tc, test_backing_symlinked_directory);
	tcase_add_test(tc, test_backing_char_device);
	tcase_add_test(tc, test_backing_sync);
	tcase_add_test(tc, test_backing_owner);
	tcase_add_test(tc, test_backing_writable_by_others);
	tcase_add_test(tc, test_backing_unmappable_device_not_opened_rw);
	tcase_add_test(tc, test_backing_reserve_fails);
	tcase_add_test(tc, test_backing_truncated);
	tcase_add_test(tc, test_backing_size_suggestion);
	suite_add_tcase(s, tc);
	return (s);
}
