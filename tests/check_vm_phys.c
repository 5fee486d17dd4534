/*
 * vm_phys: RAM (memfd, page array, free list), device windows (memfd and
 * file backed, RCU publication), fictitious ranges and PHYS_TO_VM_PAGE,
 * the inspection walk.
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "vm/vm.h"
#include "vm/vm_page.h"
#include "vm/vm_phys.h"
#include "vm/pmap.h"

#define	NPAGES		16
#define	PHYSMEM		((vm_size_t)NPAGES * PAGE_SIZE)
#define	FICT_BASE	0x10000000000ULL	/* 1 TiB: above RAM */
#define	FP(n)		(FICT_BASE + (vm_paddr_t)(n) * PAGE_SIZE)

static char tmpdir[64];

static void
setup(void)
{

	rcu_thread_online();
	vm_page_init();
	tmpdir[0] = '\0';
}

static void
teardown(void)
{

	vm_phys_fini();
}

static const char *
mktmpdir(void)
{

	strcpy(tmpdir, "/tmp/check_vm_phys.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	return (tmpdir);
}

/* A file of len bytes in the test's directory, opened with flags. */
static int
mkfile(const char *name, off_t len, int flags, char *path, size_t pathlen)
{
	int fd;

	snprintf(path, pathlen, "%s/%s", tmpdir, name);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, len), 0);
	if (flags != O_RDWR) {
		close(fd);
		fd = open(path, flags | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
	}
	return (fd);
}

START_TEST(test_init_fini)
{
	vm_size_t sz;
	int i;

	for (i = 1; i <= 20; i++) {
		sz = (vm_size_t)i * 3 * PAGE_SIZE;
		ck_assert_int_eq(vm_phys_init(sz), 0);
		ck_assert_uint_eq(vm_phys_ram_pages(), (unsigned long)i * 3);
		ck_assert_uint_eq(vm_phys_free_count(), (unsigned long)i * 3);
		ck_assert_int_eq(vm_phys_init(sz), EBUSY);
		vm_phys_fini();
		ck_assert_uint_eq(vm_phys_ram_pages(), 0);
		ck_assert_ptr_null(vm_phys_paddr_to_vm_page(0));
	}
	ck_assert_int_eq(vm_phys_init(0), EINVAL);
	ck_assert_int_eq(vm_phys_init(PAGE_SIZE + 1), EINVAL);
	ck_assert_int_eq(vm_phys_init(VM_PHYS_WINDOW_BASE), EINVAL);
	/* fini without init is harmless. */
	vm_phys_fini();
}
END_TEST

START_TEST(test_page_array)
{
	vm_page_t m;
	unsigned long i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	for (i = 0; i < NPAGES; i++) {
		m = vm_phys_paddr_to_vm_page(ptoa(i));
		ck_assert_ptr_nonnull(m);
		ck_assert_uint_eq(m->phys_addr, ptoa(i));
		ck_assert_ptr_eq(vm_phys_paddr_to_vm_page(ptoa(i) + 123), m);
		ck_assert_ptr_eq(PHYS_TO_VM_PAGE(ptoa(i) + PAGE_MASK), m);
		ck_assert_int_eq(m->segind, 0);
		ck_assert_uint_eq(m->queue, PQ_NONE);
		ck_assert_uint_eq(m->flags, PG_FREE);
		ck_assert_uint_eq(m->oflags, 0);
		ck_assert_uint_eq(m->busy_lock, VPB_UNBUSIED);
		ck_assert_ptr_null(m->object);
		ck_assert_int_eq(pmap_page_get_memattr(m),
		    VM_MEMATTR_WRITE_BACK);
		ck_assert_int_eq(pmap_page_mapping_count(m), 0);
		if (i > 0)
			ck_assert_ptr_eq(m, vm_phys_paddr_to_vm_page(
			    ptoa(i - 1)) + 1);
	}
	ck_assert_ptr_null(vm_phys_paddr_to_vm_page(PHYSMEM));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(PHYSMEM));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(UINT64_MAX));
	vm_phys_fini();
}
END_TEST

START_TEST(test_alloc_all)
{
	vm_page_t pages[NPAGES], m;
	int i, j;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	for (i = 0; i < NPAGES; i++) {
		pages[i] = vm_phys_alloc_page();
		ck_assert_ptr_nonnull(pages[i]);
		ck_assert_uint_eq(pages[i]->flags & PG_FREE, 0);
		ck_assert_uint_eq(vm_phys_free_count(), NPAGES - i - 1);
		for (j = 0; j < i; j++)
			ck_assert_ptr_ne(pages[i], pages[j]);
		ck_assert_ptr_eq(vm_phys_paddr_to_vm_page(pages[i]->phys_addr),
		    pages[i]);
	}
	ck_assert_ptr_null(vm_phys_alloc_page());
	ck_assert_uint_eq(vm_phys_free_count(), 0);
	/* A freed page is what the next allocation gets. */
	vm_phys_free_page(pages[5]);
	ck_assert_uint_eq(vm_phys_free_count(), 1);
	ck_assert_uint_ne(pages[5]->flags & PG_FREE, 0);
	m = vm_phys_alloc_page();
	ck_assert_ptr_eq(m, pages[5]);
	ck_assert_ptr_null(vm_phys_alloc_page());
	for (i = 0; i < NPAGES; i++)
		vm_phys_free_page(pages[i]);
	ck_assert_uint_eq(vm_phys_free_count(), NPAGES);
	for (i = 0; i < NPAGES; i++)
		ck_assert_uint_ne(vm_phys_paddr_to_vm_page(ptoa(i))->flags &
		    PG_FREE, 0);
	vm_phys_fini();
}
END_TEST

/* Two threads draining and refilling the free list concurrently. */
static void *
alloc_free_thread(void *arg)
{
	vm_page_t got[NPAGES];
	int i, n, round;

	(void)arg;
	for (round = 0; round < 2000; round++) {
		for (n = 0; n < NPAGES / 2; n++)
			if ((got[n] = vm_phys_alloc_page()) == NULL)
				break;
		for (i = 0; i < n; i++)
			vm_phys_free_page(got[i]);
	}
	return (NULL);
}

START_TEST(test_alloc_free_threads)
{
	pthread_t t[2];
	int i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL,
		    alloc_free_thread, NULL), 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_uint_eq(vm_phys_free_count(), NPAGES);
	for (i = 0; i < NPAGES; i++)
		ck_assert_ptr_nonnull(vm_phys_alloc_page());
	ck_assert_ptr_null(vm_phys_alloc_page());
	vm_phys_fini();
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_double_free_asserts)
{
	vm_page_t m;

	panic_expect("vm_phys_free_page: page * is already free");
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	m = vm_phys_alloc_page();
	ck_assert_ptr_nonnull(m);
	vm_phys_free_page(m);
	vm_phys_free_page(m);
	ck_abort_msg("double free did not assert");
}
END_TEST
#endif

START_TEST(test_ram_host_and_fd)
{
	unsigned char buf[PAGE_SIZE], *p, *p0;
	vm_paddr_t pa;
	off_t off;
	int fd, i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	rcu_read_lock();
	p0 = vm_phys_to_host(0);
	ck_assert_ptr_nonnull(p0);
	for (i = 0; i < NPAGES; i++) {
		pa = ptoa(i);
		p = vm_phys_to_host(pa);
		ck_assert_ptr_eq(p, p0 + pa);
		ck_assert_ptr_eq(vm_phys_to_host(pa + 77), p + 77);
		ck_assert(vm_phys_page_exists(pa));
		ck_assert(vm_phys_page_exists(pa + PAGE_MASK));
		ck_assert_int_eq(vm_phys_memattr(pa), VM_MEMATTR_DEFAULT);
		/* Written through the host mapping, read through the fd. */
		memset(p, 0xa0 + i, PAGE_SIZE);
		p[17] = (unsigned char)i;
		ck_assert_int_eq(vm_phys_to_fd(pa + 17, &fd, &off), 0);
		ck_assert_int_eq(off, (off_t)pa + 17);
		ck_assert_int_eq(pread(fd, buf, PAGE_SIZE, (off_t)pa),
		    PAGE_SIZE);
		ck_assert_int_eq(buf[0], 0xa0 + i);
		ck_assert_int_eq(buf[17], i);
		ck_assert_int_eq(buf[PAGE_SIZE - 1], 0xa0 + i);
		/* And the other way round. */
		buf[9] = 0x5a;
		ck_assert_int_eq(pwrite(fd, buf, PAGE_SIZE, (off_t)pa),
		    PAGE_SIZE);
		ck_assert_int_eq(p[9], 0x5a);
	}
	/* Just past RAM: a hole (windows start much higher). */
	ck_assert_ptr_null(vm_phys_to_host(PHYSMEM));
	ck_assert_int_eq(vm_phys_to_fd(PHYSMEM, &fd, &off), ENXIO);
	ck_assert(!vm_phys_page_exists(PHYSMEM));
	ck_assert(!vm_phys_page_exists(VM_PHYS_WINDOW_BASE));
	ck_assert_int_eq(vm_phys_memattr(PHYSMEM), VM_MEMATTR_DEFAULT);
	rcu_read_unlock();
	vm_phys_fini();
}
END_TEST

START_TEST(test_window_memfd)
{
	struct vm_phys_window *w;
	unsigned char buf[64], *p;
	vm_paddr_t base;
	off_t off;
	int fd;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_window_create("bar0", 4 * PAGE_SIZE, -1, 0,
	    NULL, VM_MEMATTR_WRITE_COMBINING, &w, &base), 0);
	ck_assert_ptr_nonnull(w);
	ck_assert_uint_ge(base, VM_PHYS_WINDOW_BASE);
	ck_assert_uint_eq(base & (VM_PHYS_WINDOW_ALIGN - 1), 0);
	ck_assert_uint_eq(vm_phys_window_base(w), base);
	ck_assert_uint_eq(vm_phys_window_size(w), 4 * PAGE_SIZE);
	ck_assert_str_eq(vm_phys_window_name(w), "bar0");

	rcu_read_lock();
	p = vm_phys_to_host(base);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_eq(vm_phys_to_host(base + 3 * PAGE_SIZE + 5),
	    p + 3 * PAGE_SIZE + 5);
	/* A new memfd reads as zeros. */
	ck_assert_int_eq(p[0], 0);
	ck_assert_int_eq(p[4 * PAGE_SIZE - 1], 0);
	memcpy(p + 2 * PAGE_SIZE + 8, "window!", 8);
	ck_assert_int_eq(vm_phys_to_fd(base + 2 * PAGE_SIZE + 8, &fd, &off),
	    0);
	ck_assert_int_eq(pread(fd, buf, 8, off), 8);
	ck_assert_str_eq((char *)buf, "window!");
	ck_assert(vm_phys_page_exists(base));
	ck_assert(vm_phys_page_exists(base + 3 * PAGE_SIZE));
	ck_assert(!vm_phys_page_exists(base + 4 * PAGE_SIZE));
	ck_assert(!vm_phys_page_exists(base - PAGE_SIZE));
	ck_assert_ptr_null(vm_phys_to_host(base + 4 * PAGE_SIZE));
	ck_assert_ptr_null(vm_phys_to_host(base - 1));
	ck_assert_int_eq(vm_phys_to_fd(base + 4 * PAGE_SIZE, &fd, &off),
	    ENXIO);
	ck_assert_int_eq(vm_phys_memattr(base + PAGE_SIZE),
	    VM_MEMATTR_WRITE_COMBINING);
	ck_assert_int_eq(vm_phys_memattr(base + 4 * PAGE_SIZE),
	    VM_MEMATTR_DEFAULT);
	/* Sync of a memfd window is allowed; outside it is EINVAL. */
	ck_assert_int_eq(vm_phys_window_sync(w, base, 4 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_phys_window_sync(w, base + 5, 10), 0);
	ck_assert_int_eq(vm_phys_window_sync(w, base, 4 * PAGE_SIZE + 1),
	    EINVAL);
	ck_assert_int_eq(vm_phys_window_sync(w, base - PAGE_SIZE, 1), EINVAL);
	ck_assert_int_eq(vm_phys_window_sync(w, base + 5 * PAGE_SIZE, 1),
	    EINVAL);
	rcu_read_unlock();

	vm_phys_window_destroy(w);
	rcu_read_lock();
	ck_assert_ptr_null(vm_phys_to_host(base));
	ck_assert_int_eq(vm_phys_to_fd(base, &fd, &off), ENXIO);
	ck_assert(!vm_phys_page_exists(base));
	rcu_read_unlock();
	vm_phys_fini();
}
END_TEST

START_TEST(test_window_file)
{
	char path[128], buf[32];
	struct vm_phys_window *w;
	vm_paddr_t base;
	unsigned char *p;
	struct stat st;
	int fd, fd2;
	off_t off;

	mktmpdir();
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	fd = mkfile("backing", 8 * PAGE_SIZE, O_RDWR, path, sizeof(path));
	ck_assert_int_eq(pwrite(fd, "old", 3, 2 * PAGE_SIZE), 3);
	/* Pages 1..4 of the file. */
	ck_assert_int_eq(vm_phys_window_create("ram1", 4 * PAGE_SIZE, fd,
	    PAGE_SIZE, path, VM_MEMATTR_WRITE_BACK, &w, &base), 0);
	/* The window has its own descriptor: ours can go. */
	ck_assert_int_eq(close(fd), 0);
	rcu_read_lock();
	p = vm_phys_to_host(base + PAGE_SIZE);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(memcmp(p, "old", 3), 0);
	memcpy(p + 10, "persistent", 11);
	ck_assert_int_eq(vm_phys_to_fd(base + PAGE_SIZE + 10, &fd2, &off), 0);
	ck_assert_int_eq(off, 2 * PAGE_SIZE + 10);
	ck_assert_int_eq(fstat(fd2, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(vm_phys_window_sync(w, base + PAGE_SIZE + 10, 11), 0);
	rcu_read_unlock();
	vm_phys_window_destroy(w);
	rcu_barrier();
	/* In the file, through a descriptor of its own. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, 11, 2 * PAGE_SIZE + 10), 11);
	ck_assert_str_eq(buf, "persistent");
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_int_eq(st.st_size, 8 * PAGE_SIZE);
	close(fd);
	unlink(path);
	rmdir(tmpdir);
	vm_phys_fini();
}
END_TEST

/* Whether path is open or mapped in this process. */
static bool
file_in_use(const char *path)
{
	char link[320], target[256], line[512];
	struct dirent *de;
	bool found;
	ssize_t n;
	FILE *f;
	DIR *d;

	found = false;
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while (!found && (de = readdir(d)) != NULL) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, path) == 0;
		}
	}
	closedir(d);
	f = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n = (ssize_t)strlen(line) - (ssize_t)strlen(path);
		found = n > 0 && strcmp(line + n, path) == 0;
	}
	fclose(f);
	return (found);
}

/*
 * A window over the caller's file lets go of it before destroy returns
 * (the file system holding it can then be unmounted); a memfd window
 * may wait for its grace period in the background.
 */
START_TEST(test_window_file_released_on_destroy)
{
	struct vm_phys_window *w;
	char path[128];
	int fd, i;

	mktmpdir();
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	fd = mkfile("backing", 4 * PAGE_SIZE, O_RDWR, path, sizeof(path));
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(vm_phys_window_create("rel", 4 * PAGE_SIZE,
		    fd, 0, path, VM_MEMATTR_DEFAULT, &w, NULL), 0);
		ck_assert(file_in_use(path));
		vm_phys_window_destroy(w);
		close(fd);
		ck_assert_msg(!file_in_use(path),
		    "round %d: the file is still open or mapped after "
		    "destroy returned", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		ck_assert_int_ge(fd, 0);
	}
	close(fd);
	unlink(path);
	rmdir(tmpdir);
	vm_phys_fini();
}
END_TEST

START_TEST(test_window_refusals)
{
	struct vm_phys_window *w;
	char path[128];
	vm_paddr_t base;
	int fd, dfd;

	mktmpdir();
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	fd = mkfile("short", 2 * PAGE_SIZE, O_RDWR, path, sizeof(path));
	/* Shorter than backing_off + size: the driver must size it. */
	ck_assert_int_eq(vm_phys_window_create("s", 4 * PAGE_SIZE, fd, 0,
	    path, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	ck_assert_int_eq(vm_phys_window_create("s", 2 * PAGE_SIZE, fd,
	    PAGE_SIZE, path, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	ck_assert_int_eq(vm_phys_window_create("s", PAGE_SIZE, fd,
	    4 * PAGE_SIZE, path, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	/* Exactly long enough is fine. */
	ck_assert_int_eq(vm_phys_window_create("s", PAGE_SIZE, fd,
	    PAGE_SIZE, path, VM_MEMATTR_DEFAULT, &w, &base), 0);
	vm_phys_window_destroy(w);
	/* Bad sizes and offsets. */
	ck_assert_int_eq(vm_phys_window_create("s", 0, -1, 0, NULL,
	    VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	ck_assert_int_eq(vm_phys_window_create("s", PAGE_SIZE + 1, -1, 0,
	    NULL, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	ck_assert_int_eq(vm_phys_window_create("s", PAGE_SIZE, fd, 100,
	    path, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	ck_assert_int_eq(vm_phys_window_create("s", PAGE_SIZE, fd, -4096,
	    path, VM_MEMATTR_DEFAULT, &w, &base), EINVAL);
	close(fd);
	/* Read-only descriptor: mmap's own error. */
	fd = mkfile("ro", 2 * PAGE_SIZE, O_RDONLY, path, sizeof(path));
	ck_assert_int_eq(vm_phys_window_create("ro", PAGE_SIZE, fd, 0, path,
	    VM_MEMATTR_DEFAULT, &w, &base), EACCES);
	close(fd);
	unlink(path);
	/* A directory cannot be mapped. */
	dfd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(vm_phys_window_create("d", PAGE_SIZE, dfd, 0,
	    tmpdir, VM_MEMATTR_DEFAULT, &w, &base), ENODEV);
	close(dfd);
	/* Nor a pipe, nor a closed descriptor. */
	{
		int pfd[2];

		ck_assert_int_eq(pipe(pfd), 0);
		ck_assert_int_eq(vm_phys_window_create("p", PAGE_SIZE, pfd[0],
		    0, "pipe", VM_MEMATTR_DEFAULT, &w, &base), ENODEV);
		close(pfd[0]);
		close(pfd[1]);
		ck_assert_int_eq(vm_phys_window_create("p", PAGE_SIZE, pfd[0],
		    0, "closed", VM_MEMATTR_DEFAULT, &w, &base), EBADF);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/short", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	/* Nothing was published by the refusals. */
	rcu_read_lock();
	ck_assert_ptr_null(vm_phys_to_host(VM_PHYS_WINDOW_BASE));
	rcu_read_unlock();
	vm_phys_fini();
}
END_TEST

/*
 * Guarded copies (vm_phys_read/write) into a window whose file was
 * truncated under it: EIO, counted, the daemon-side copy survives; the
 * pages still in the file and RAM work; fsync reports the loss.
 */
START_TEST(test_window_copy_truncated)
{
	char path[128], buf[PAGE_SIZE];
	struct vm_phys_window *w;
	vm_paddr_t base;
	uint64_t errs0;
	int fd;

	mktmpdir();
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	fd = mkfile("backing", 4 * PAGE_SIZE, O_RDWR, path, sizeof(path));
	ck_assert_int_eq(vm_phys_window_create("trunc", 4 * PAGE_SIZE, fd, 0,
	    path, VM_MEMATTR_WRITE_BACK, &w, &base), 0);
	close(fd);
	ck_assert_int_eq(vm_phys_write(base + PAGE_SIZE + 5, "abc", 3), 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(vm_phys_read(base + PAGE_SIZE + 5, buf, 3), 0);
	ck_assert_str_eq(buf, "abc");
	ck_assert_int_eq(vm_phys_read(base, buf, 0), 0);

	ck_assert_int_eq(truncate(path, 2 * PAGE_SIZE), 0);
	errs0 = vm_phys_backing_errors();
	ck_assert_int_eq(vm_phys_write(base + 2 * PAGE_SIZE, buf, 100), EIO);
	ck_assert_int_eq(vm_phys_read(base + 3 * PAGE_SIZE, buf, 10), EIO);
	/* Inside an RCU section too; across the new end of the file. */
	rcu_read_lock();
	ck_assert_int_eq(vm_phys_write(base + PAGE_SIZE, buf, 2 * PAGE_SIZE),
	    EIO);
	rcu_read_unlock();
	ck_assert_uint_eq(vm_phys_backing_errors() - errs0, 3);
	/* What the file still holds is fine. */
	ck_assert_int_eq(vm_phys_read(base + PAGE_SIZE + 5, buf, 3), 0);
	ck_assert_int_eq(vm_phys_window_sync(w, base, 2 * PAGE_SIZE), 0);
	/* fsync of the whole window: what was past the new end is lost. */
	ck_assert_int_eq(vm_phys_window_sync(w, base, 4 * PAGE_SIZE), EIO);
	ck_assert_uint_eq(vm_phys_backing_errors() - errs0, 4);
	/* Holes, ranges running out of the window; RAM. */
	ck_assert_int_eq(vm_phys_read(base + 4 * PAGE_SIZE - 1, buf, 2), ENXIO);
	ck_assert_int_eq(vm_phys_read(base + 64 * PAGE_SIZE, buf, 1), ENXIO);
	ck_assert_int_eq(vm_phys_read(PHYSMEM - 1, buf, 2), ENXIO);
	ck_assert_int_eq(vm_phys_write(PAGE_SIZE + 7, "ram", 4), 0);
	ck_assert_int_eq(vm_phys_read(PAGE_SIZE + 7, buf, 4), 0);
	ck_assert_str_eq(buf, "ram");
	ck_assert_uint_eq(vm_phys_backing_errors() - errs0, 4);
	vm_phys_window_destroy(w);
	rcu_barrier();
	unlink(path);
	rmdir(tmpdir);
	vm_phys_fini();
}
END_TEST

/*
 * A store into a page whose blocks were taken away (a hole punched) on a
 * full tmpfs: ENOSPC, a load of it EIO; once there is room again the
 * store goes through (the fault is diagnosed by reserving the page, and
 * tried again when that works).  In a private mount namespace of the
 * test's own process; skipped where tmpfs cannot be mounted.
 */
START_TEST(test_window_copy_nospace)
{
	char path[128], fpath[128], buf[PAGE_SIZE];
	struct vm_phys_window *w;
	vm_paddr_t base;
	uint64_t errs0;
	off_t off;
	int fd, ffd;

	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		fprintf(stderr, "test_window_copy_nospace: skipped, no "
		    "private mount namespace: %s\n", strerror(errno));
		return;
	}
	mktmpdir();
	ck_assert_int_eq(mount("tmpfs", tmpdir, "tmpfs", 0, "size=64k"), 0);
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	fd = mkfile("backing", 8 * PAGE_SIZE, O_RDWR, path, sizeof(path));
	ck_assert_int_eq(posix_fallocate(fd, 0, 8 * PAGE_SIZE), 0);
	ck_assert_int_eq(vm_phys_window_create("full", 8 * PAGE_SIZE, fd, 0,
	    path, VM_MEMATTR_WRITE_BACK, &w, &base), 0);
	memset(buf, 0x3c, sizeof(buf));
	ck_assert_int_eq(vm_phys_write(base, buf, sizeof(buf)), 0);
	ck_assert_int_eq(fallocate(fd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, 3 * PAGE_SIZE, PAGE_SIZE), 0);
	/* Use up every block left. */
	ffd = mkfile("filler", 0, O_RDWR, fpath, sizeof(fpath));
	for (off = 0; posix_fallocate(ffd, off, PAGE_SIZE) == 0;
	    off += PAGE_SIZE)
		;
	errs0 = vm_phys_backing_errors();
	ck_assert_int_eq(vm_phys_write(base + 3 * PAGE_SIZE, buf, 16), ENOSPC);
	ck_assert_int_eq(vm_phys_read(base + 3 * PAGE_SIZE, buf, 16), EIO);
	ck_assert_uint_eq(vm_phys_backing_errors() - errs0, 2);
	/* The pages with blocks work. */
	ck_assert_int_eq(vm_phys_write(base + 2 * PAGE_SIZE, buf, 16), 0);
	ck_assert_int_eq(vm_phys_read(base, buf, 16), 0);
	ck_assert_int_eq((unsigned char)buf[0], 0x3c);
	/* Room again. */
	close(ffd);
	ck_assert_int_eq(unlink(fpath), 0);
	ck_assert_int_eq(vm_phys_write(base + 3 * PAGE_SIZE, "back", 5), 0);
	ck_assert_int_eq(vm_phys_read(base + 3 * PAGE_SIZE, buf, 5), 0);
	ck_assert_str_eq(buf, "back");
	ck_assert_uint_eq(vm_phys_backing_errors() - errs0, 2);
	close(fd);
	vm_phys_window_destroy(w);
	rcu_barrier();
	vm_phys_fini();
	ck_assert_int_eq(umount(tmpdir), 0);
	rmdir(tmpdir);
}
END_TEST

START_TEST(test_windows_disjoint)
{
	struct vm_phys_window *w[4];
	vm_paddr_t base[4];
	vm_size_t size[3] = { PAGE_SIZE, 3 * NBPDR + PAGE_SIZE, PAGE_SIZE };
	unsigned char *p;
	int i, j;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(vm_phys_window_create("w", size[i], -1, 0,
		    NULL, VM_MEMATTR_UNCACHEABLE, &w[i], &base[i]), 0);
		ck_assert_uint_eq(base[i] & (VM_PHYS_WINDOW_ALIGN - 1), 0);
		for (j = 0; j < i; j++)
			ck_assert(base[i] >= base[j] + size[j] ||
			    base[j] >= base[i] + size[i]);
	}
	rcu_read_lock();
	for (i = 0; i < 3; i++) {
		p = vm_phys_to_host(base[i]);
		ck_assert_ptr_nonnull(p);
		p[0] = (unsigned char)(0x10 + i);
		p = vm_phys_to_host(base[i] + size[i] - 1);
		ck_assert_ptr_nonnull(p);
		/* The gap after each window is a hole. */
		if (((base[i] + size[i]) & (VM_PHYS_WINDOW_ALIGN - 1)) != 0)
			ck_assert_ptr_null(vm_phys_to_host(base[i] + size[i]));
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(*(unsigned char *)vm_phys_to_host(base[i]),
		    0x10 + i);
	rcu_read_unlock();
	/* A destroyed window's addresses are not handed out again. */
	vm_phys_window_destroy(w[1]);
	ck_assert_int_eq(vm_phys_window_create("w", size[1], -1, 0, NULL,
	    VM_MEMATTR_DEFAULT, &w[3], &base[3]), 0);
	for (i = 0; i < 3; i++)
		ck_assert(base[3] >= base[i] + size[i]);
	rcu_read_lock();
	ck_assert_ptr_null(vm_phys_to_host(base[1]));
	ck_assert_int_eq(*(unsigned char *)vm_phys_to_host(base[0]), 0x10);
	ck_assert_int_eq(*(unsigned char *)vm_phys_to_host(base[2]), 0x12);
	ck_assert_int_eq(*(unsigned char *)vm_phys_to_host(base[3]), 0);
	rcu_read_unlock();
	vm_phys_window_destroy(w[0]);
	vm_phys_window_destroy(w[2]);
	vm_phys_window_destroy(w[3]);
	vm_phys_fini();
}
END_TEST

/*
 * A reader inside rcu_read_lock() keeps using a window's memory while the
 * window is destroyed: the unmap waits for the reader to leave.
 */
struct grace_arg {
	vm_paddr_t	 base;
	sem_t		 inside;
	sem_t		 destroyed;
	int		 value;
	bool		 found_after;
};

static void *
grace_reader(void *arg)
{
	struct grace_arg *ga;
	volatile unsigned char *p;

	ga = arg;
	rcu_thread_online();
	rcu_read_lock();
	p = vm_phys_to_host(ga->base);
	sem_post(&ga->inside);
	while (sem_wait(&ga->destroyed) != 0)
		;
	/* Still mapped: the grace period cannot end before we unlock. */
	ga->value = p != NULL ? p[100] : -1;
	rcu_read_unlock();
	rcu_read_lock();
	ga->found_after = vm_phys_to_host(ga->base) != NULL;
	rcu_read_unlock();
	return (NULL);
}

START_TEST(test_window_destroy_waits_for_readers)
{
	struct vm_phys_window *w;
	struct grace_arg ga;
	unsigned char *p;
	pthread_t t;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_window_create("g", PAGE_SIZE, -1, 0, NULL,
	    VM_MEMATTR_DEFAULT, &w, &ga.base), 0);
	rcu_read_lock();
	p = vm_phys_to_host(ga.base);
	p[100] = 0x77;
	rcu_read_unlock();
	sem_init(&ga.inside, 0, 0);
	sem_init(&ga.destroyed, 0, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, grace_reader, &ga), 0);
	while (sem_wait(&ga.inside) != 0)
		;
	vm_phys_window_destroy(w);
	sem_post(&ga.destroyed);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(ga.value, 0x77);
	ck_assert(!ga.found_after);
	sem_destroy(&ga.inside);
	sem_destroy(&ga.destroyed);
	vm_phys_fini();
}
END_TEST

/*
 * Readers translate addresses in a loop while the main thread creates and
 * destroys windows: every translation that succeeds must land in memory
 * holding that window's tag.  ASan catches a reader touching a freed
 * window or table.
 */
#define	CHURN_SLOTS	4
#define	CHURN_ROUNDS	1500

struct churn {
	vm_paddr_t	 bases[CHURN_SLOTS];	/* (a) 0: empty */
	int		 done;			/* (a) */
	unsigned long	 hits[2];
	unsigned long	 errors[2];
};

struct churn_reader_arg {
	struct churn	*c;
	int		 id;
};

static void *
churn_reader(void *arg)
{
	struct churn_reader_arg *ra;
	volatile unsigned char *p;
	vm_paddr_t base;
	int i;

	ra = arg;
	rcu_thread_online();
	while (!__atomic_load_n(&ra->c->done, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < CHURN_SLOTS; i++) {
			base = __atomic_load_n(&ra->c->bases[i],
			    __ATOMIC_ACQUIRE);
			if (base == 0)
				continue;
			rcu_read_lock();
			p = vm_phys_to_host(base + PAGE_SIZE);
			if (p != NULL) {
				/* The tag the creator wrote: low byte of
				 * the base's window number. */
				if (p[0] != (unsigned char)(base >> 21))
					ra->c->errors[ra->id]++;
				ra->c->hits[ra->id]++;
			}
			/*
			 * Not WT means the window was already unpublished,
			 * and a base is never published again.
			 */
			if (vm_phys_memattr(base) != VM_MEMATTR_WRITE_THROUGH &&
			    (vm_phys_page_exists(base) ||
			    vm_phys_to_host(base) != NULL))
				ra->c->errors[ra->id]++;
			rcu_read_unlock();
		}
	}
	return (NULL);
}

START_TEST(test_window_churn_with_readers)
{
	struct churn_reader_arg ra[2];
	struct vm_phys_window *w[CHURN_SLOTS];
	struct churn *c;
	unsigned char *p;
	vm_paddr_t base;
	pthread_t t[2];
	int i, r, slot;

	c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	memset(w, 0, sizeof(w));
	for (r = 0; r < 2; r++) {
		ra[r].c = c;
		ra[r].id = r;
		ck_assert_int_eq(pthread_create(&t[r], NULL, churn_reader,
		    &ra[r]), 0);
	}
	for (i = 0; i < CHURN_ROUNDS; i++) {
		slot = i % CHURN_SLOTS;
		if (w[slot] != NULL) {
			__atomic_store_n(&c->bases[slot], 0, __ATOMIC_RELEASE);
			vm_phys_window_destroy(w[slot]);
			w[slot] = NULL;
		}
		ck_assert_int_eq(vm_phys_window_create("churn", 2 * PAGE_SIZE,
		    -1, 0, NULL, VM_MEMATTR_WRITE_THROUGH, &w[slot], &base),
		    0);
		rcu_read_lock();
		p = vm_phys_to_host(base + PAGE_SIZE);
		ck_assert_ptr_nonnull(p);
		p[0] = (unsigned char)(base >> 21);
		rcu_read_unlock();
		__atomic_store_n(&c->bases[slot], base, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	for (r = 0; r < 2; r++)
		ck_assert_int_eq(pthread_join(t[r], NULL), 0);
	ck_assert_uint_eq(c->errors[0], 0);
	ck_assert_uint_eq(c->errors[1], 0);
	ck_assert_uint_gt(c->hits[0] + c->hits[1], 0);
	for (i = 0; i < CHURN_SLOTS; i++)
		if (w[i] != NULL)
			vm_phys_window_destroy(w[i]);
	vm_phys_fini();
	free(c);
}
END_TEST

START_TEST(test_fictitious_register)
{
	vm_page_t m, ram;
	int i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(0)));
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(4),
	    VM_MEMATTR_WRITE_COMBINING), 0);
	for (i = 0; i < 4; i++) {
		m = PHYS_TO_VM_PAGE(FP(i) + 9);
		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_eq(vm_phys_fictitious_to_vm_page(FP(i)), m);
		ck_assert_uint_eq(m->phys_addr, FP(i));
		ck_assert_uint_ne(m->flags & PG_FICTITIOUS, 0);
		/* Managed and unbusied, as FreeBSD makes them. */
		ck_assert_uint_eq(m->oflags & VPO_UNMANAGED, 0);
		ck_assert_uint_eq(m->busy_lock, VPB_UNBUSIED);
		ck_assert_uint_eq(m->queue, PQ_NONE);
		ck_assert_ptr_null(m->object);
		ck_assert_int_eq(pmap_page_get_memattr(m),
		    VM_MEMATTR_WRITE_COMBINING);
		ck_assert_int_eq(vm_page_memattr(m),
		    VM_MEMATTR_WRITE_COMBINING);
		ck_assert_int_eq(pmap_page_mapping_count(m), 0);
		/* Not RAM. */
		ck_assert_ptr_null(vm_phys_paddr_to_vm_page(FP(i)));
	}
	/* Holes on both sides; RAM still found first. */
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(4)));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(0) - 1));
	ck_assert_ptr_null(vm_phys_fictitious_to_vm_page(FP(4)));
	ram = PHYS_TO_VM_PAGE(ptoa(3));
	ck_assert_ptr_eq(ram, vm_phys_paddr_to_vm_page(ptoa(3)));
	ck_assert_uint_eq(ram->flags & PG_FICTITIOUS, 0);
	ck_assert_ptr_null(vm_phys_fictitious_to_vm_page(ptoa(3)));
	vm_phys_fictitious_unreg_range(FP(0), FP(4));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(0)));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(3)));
	/* The range can be registered again, with another memattr. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(4),
	    VM_MEMATTR_UNCACHEABLE), 0);
	ck_assert_int_eq(pmap_page_get_memattr(PHYS_TO_VM_PAGE(FP(1))),
	    VM_MEMATTR_UNCACHEABLE);
	vm_phys_fictitious_unreg_range(FP(0), FP(4));
	vm_phys_fini();
}
END_TEST

START_TEST(test_fictitious_ebusy)
{
	int i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	for (i = 0; i < VM_PHYS_FICTITIOUS_NSEGS; i++)
		ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(10 * i),
		    FP(10 * i + 2), VM_MEMATTR_DEFAULT), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(100), FP(101),
	    VM_MEMATTR_DEFAULT), EBUSY);
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(100)));
	for (i = 0; i < VM_PHYS_FICTITIOUS_NSEGS; i++)
		ck_assert_ptr_nonnull(PHYS_TO_VM_PAGE(FP(10 * i + 1)));
	/* A freed slot takes the ninth. */
	vm_phys_fictitious_unreg_range(FP(30), FP(32));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(30)));
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(100), FP(101),
	    VM_MEMATTR_DEFAULT), 0);
	ck_assert_ptr_nonnull(PHYS_TO_VM_PAGE(FP(100)));
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(200), FP(201),
	    VM_MEMATTR_DEFAULT), EBUSY);
	/* fini drops whatever is left; ASan checks nothing leaks. */
	vm_phys_fini();
}
END_TEST

START_TEST(test_fictitious_einval)
{

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	/* Misaligned, empty, reversed. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0) + 1, FP(2),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(2) - 1,
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(2), FP(2),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(3), FP(2),
	    VM_MEMATTR_DEFAULT), EINVAL);
	/* Over RAM, wholly or in part. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(0, PAGE_SIZE,
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(PHYSMEM - PAGE_SIZE,
	    PHYSMEM + PAGE_SIZE, VM_MEMATTR_DEFAULT), EINVAL);
	/* Right after RAM is fine. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(PHYSMEM,
	    PHYSMEM + PAGE_SIZE, VM_MEMATTR_DEFAULT), 0);
	/* Overlapping a registered range in every way. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(10), FP(20),
	    VM_MEMATTR_DEFAULT), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(10), FP(20),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(5), FP(11),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(19), FP(25),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(12), FP(13),
	    VM_MEMATTR_DEFAULT), EINVAL);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(30),
	    VM_MEMATTR_DEFAULT), EINVAL);
	/* Touching ranges do not overlap. */
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(5), FP(10),
	    VM_MEMATTR_DEFAULT), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(20), FP(25),
	    VM_MEMATTR_DEFAULT), 0);
	ck_assert_ptr_eq(PHYS_TO_VM_PAGE(FP(9)),
	    vm_phys_fictitious_to_vm_page(FP(9)));
	ck_assert_uint_eq(PHYS_TO_VM_PAGE(FP(9))->phys_addr, FP(9));
	ck_assert_uint_eq(PHYS_TO_VM_PAGE(FP(10))->phys_addr, FP(10));
	ck_assert_uint_eq(PHYS_TO_VM_PAGE(FP(20))->phys_addr, FP(20));
	vm_phys_fictitious_unreg_range(FP(5), FP(10));
	vm_phys_fictitious_unreg_range(FP(10), FP(20));
	vm_phys_fictitious_unreg_range(FP(20), FP(25));
	vm_phys_fictitious_unreg_range(PHYSMEM, PHYSMEM + PAGE_SIZE);
	vm_phys_fini();
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_fictitious_unreg_inexact_asserts)
{

	panic_expect("Unregistering not registered fictitious range");
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(4),
	    VM_MEMATTR_DEFAULT), 0);
	vm_phys_fictitious_unreg_range(FP(0), FP(2));
	ck_abort_msg("inexact unregister did not assert");
}
END_TEST

START_TEST(test_fictitious_unreg_unknown_asserts)
{

	panic_expect("Unregistering not registered fictitious range");
	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	vm_phys_fictitious_unreg_range(FP(0), FP(4));
	ck_abort_msg("unregister of nothing did not assert");
}
END_TEST
#else
START_TEST(test_fictitious_unreg_inexact_ignored)
{

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(4),
	    VM_MEMATTR_DEFAULT), 0);
	vm_phys_fictitious_unreg_range(FP(0), FP(2));
	vm_phys_fictitious_unreg_range(FP(1), FP(4));
	/* Without INVARIANTS the mismatch is logged and nothing changes. */
	ck_assert_ptr_nonnull(PHYS_TO_VM_PAGE(FP(0)));
	ck_assert_ptr_nonnull(PHYS_TO_VM_PAGE(FP(3)));
	vm_phys_fictitious_unreg_range(FP(0), FP(4));
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(0)));
	vm_phys_fini();
}
END_TEST
#endif

/* A fictitious range over a window: pages from the range, memory from
 * the window. */
START_TEST(test_fictitious_over_window)
{
	struct vm_phys_window *w;
	vm_paddr_t base;
	vm_page_t m;
	char *p;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	ck_assert_int_eq(vm_phys_window_create("vram", 8 * PAGE_SIZE, -1, 0,
	    NULL, VM_MEMATTR_WRITE_COMBINING, &w, &base), 0);
	ck_assert_ptr_null(PHYS_TO_VM_PAGE(base));
	ck_assert_int_eq(vm_phys_fictitious_reg_range(base,
	    base + 8 * PAGE_SIZE, VM_MEMATTR_WRITE_COMBINING), 0);
	m = PHYS_TO_VM_PAGE(base + 5 * PAGE_SIZE);
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->phys_addr, base + 5 * PAGE_SIZE);
	rcu_read_lock();
	p = vm_phys_to_host(VM_PAGE_TO_PHYS(m));
	ck_assert_ptr_nonnull(p);
	strcpy(p, "vram page 5");
	ck_assert_str_eq((char *)vm_phys_to_host(base) + 5 * PAGE_SIZE,
	    "vram page 5");
	rcu_read_unlock();
	vm_phys_fictitious_unreg_range(base, base + 8 * PAGE_SIZE);
	vm_phys_window_destroy(w);
	vm_phys_fini();
}
END_TEST

struct foreach_rec {
	int			n;
	struct vm_phys_info	info[16];
	char			names[16][32];
	char			backing[16][128];
};

static void
foreach_cb(const struct vm_phys_info *vi, void *arg)
{
	struct foreach_rec *r;

	r = arg;
	ck_assert_int_lt(r->n, 16);
	r->info[r->n] = *vi;
	snprintf(r->names[r->n], sizeof(r->names[0]), "%s", vi->name);
	snprintf(r->backing[r->n], sizeof(r->backing[0]), "%s",
	    vi->backing != NULL ? vi->backing : "-");
	r->n++;
}

START_TEST(test_foreach)
{
	struct vm_phys_window *w1, *w2;
	struct foreach_rec rec;
	vm_paddr_t b1, b2;
	vm_page_t m;
	int i;

	ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
	m = vm_phys_alloc_page();
	ck_assert_int_eq(vm_phys_window_create("alpha", PAGE_SIZE, -1, 0,
	    NULL, VM_MEMATTR_UNCACHEABLE, &w1, &b1), 0);
	ck_assert_int_eq(vm_phys_window_create("beta", 2 * PAGE_SIZE, -1, 0,
	    "/some/path", VM_MEMATTR_WRITE_BACK, &w2, &b2), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(b2, b2 + PAGE_SIZE,
	    VM_MEMATTR_WRITE_COMBINING), 0);
	ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(1),
	    VM_MEMATTR_DEFAULT), 0);
	memset(&rec, 0, sizeof(rec));
	vm_phys_foreach(foreach_cb, &rec);
	ck_assert_int_eq(rec.n, 5);
	for (i = 1; i < rec.n; i++)
		ck_assert_uint_ge(rec.info[i].start, rec.info[i - 1].start);
	ck_assert_int_eq(rec.info[0].kind, VM_PHYS_RAM);
	ck_assert_uint_eq(rec.info[0].start, 0);
	ck_assert_uint_eq(rec.info[0].end, PHYSMEM);
	ck_assert_uint_eq(rec.info[0].free_pages, NPAGES - 1);
	ck_assert_int_eq(rec.info[1].kind, VM_PHYS_FICTITIOUS);
	ck_assert_uint_eq(rec.info[1].start, FP(0));
	ck_assert_uint_eq(rec.info[1].end, FP(1));
	ck_assert_int_eq(rec.info[2].kind, VM_PHYS_WINDOW);
	ck_assert_str_eq(rec.names[2], "alpha");
	ck_assert_str_eq(rec.backing[2], "memfd");
	ck_assert_uint_eq(rec.info[2].start, b1);
	ck_assert_uint_eq(rec.info[2].end, b1 + PAGE_SIZE);
	ck_assert_int_eq(rec.info[2].memattr, VM_MEMATTR_UNCACHEABLE);
	/* Window before the fictitious range registered over it. */
	ck_assert_int_eq(rec.info[3].kind, VM_PHYS_WINDOW);
	ck_assert_str_eq(rec.names[3], "beta");
	ck_assert_str_eq(rec.backing[3], "/some/path");
	ck_assert_int_eq(rec.info[4].kind, VM_PHYS_FICTITIOUS);
	ck_assert_uint_eq(rec.info[4].start, b2);
	ck_assert_int_eq(rec.info[4].memattr, VM_MEMATTR_WRITE_COMBINING);
	vm_phys_free_page(m);
	vm_phys_window_destroy(w1);
	memset(&rec, 0, sizeof(rec));
	vm_phys_foreach(foreach_cb, &rec);
	ck_assert_int_eq(rec.n, 4);
	ck_assert_uint_eq(rec.info[0].free_pages, NPAGES);
	ck_assert_str_eq(rec.names[2], "beta");
	vm_phys_fictitious_unreg_range(b2, b2 + PAGE_SIZE);
	vm_phys_fictitious_unreg_range(FP(0), FP(1));
	vm_phys_window_destroy(w2);
	vm_phys_fini();
}
END_TEST

/* fini with windows and ranges left over frees them all; the next init
 * starts from a clean slate. */
START_TEST(test_fini_cleans_up)
{
	struct vm_phys_window *w;
	vm_paddr_t base, base2;
	int round;

	for (round = 0; round < 5; round++) {
		ck_assert_int_eq(vm_phys_init(PHYSMEM), 0);
		ck_assert_int_eq(vm_phys_window_create("x", 2 * PAGE_SIZE, -1,
		    0, NULL, VM_MEMATTR_DEFAULT, &w, &base), 0);
		ck_assert_uint_eq(base, VM_PHYS_WINDOW_BASE);
		ck_assert_int_eq(vm_phys_window_create("y", PAGE_SIZE, -1, 0,
		    NULL, VM_MEMATTR_DEFAULT, &w, &base2), 0);
		ck_assert_uint_gt(base2, base);
		ck_assert_int_eq(vm_phys_fictitious_reg_range(FP(0), FP(3),
		    VM_MEMATTR_DEFAULT), 0);
		vm_phys_fini();
		ck_assert_ptr_null(PHYS_TO_VM_PAGE(FP(0)));
		rcu_read_lock();
		ck_assert_ptr_null(vm_phys_to_host(base));
		rcu_read_unlock();
	}
}
END_TEST

Suite *
vm_phys_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("vm_phys");

	tc = tcase_create("ram");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_fini);
	tcase_add_test(tc, test_page_array);
	tcase_add_test(tc, test_alloc_all);
	tcase_add_test(tc, test_alloc_free_threads);
	tcase_add_test(tc, test_ram_host_and_fd);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "ram", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_double_free_asserts);

	tc = tcase_create("window");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_window_memfd);
	tcase_add_test(tc, test_window_file);
	tcase_add_test(tc, test_window_file_released_on_destroy);
	tcase_add_test(tc, test_window_refusals);
	tcase_add_test(tc, test_window_copy_truncated);
	tcase_add_test(tc, test_window_copy_nospace);
	tcase_add_test(tc, test_windows_disjoint);
	tcase_add_test(tc, test_window_destroy_waits_for_readers);
	tcase_add_test(tc, test_window_churn_with_readers);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	suite_add_tcase(s, tc);

	tc = tcase_create("fictitious");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_fictitious_register);
	tcase_add_test(tc, test_fictitious_ebusy);
	tcase_add_test(tc, test_fictitious_einval);
	tcase_add_test(tc, test_fictitious_over_window);
#ifndef INVARIANTS
	tcase_add_test(tc, test_fictitious_unreg_inexact_ignored);
#endif
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "fictitious", setup, teardown, 0);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_fictitious_unreg_inexact_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_fictitious_unreg_unknown_asserts);

	tc = tcase_create("inspect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_foreach);
	tcase_add_test(tc, test_fini_cleans_up);
	suite_add_tcase(s, tc);
	return (s);
}
