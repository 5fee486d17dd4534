/*
 * kern_conf: the cdev registry (make_dev, names, versions, references,
 * thread references and the eternal fast path, destroy_dev draining the
 * threads inside a driver, RCU name lookups), the Giant shims, and devfs
 * (struct file, td_fpop, per-open driver data, close tracking).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_devpager.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kassert.h"
#include "kern/kern_rcu.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/sleepqueue.h"
#include "kern/test_hook.h"
#include "vm/vm.h"

#define	NTHREADS	4

/*
 * A test driver that records, for every method, how often it ran, whether
 * Giant was held, and the thread's current file.
 */
enum { M_OPEN, M_CLOSE, M_READ, M_WRITE, M_IOCTL, M_MMAP, M_MMAP_SINGLE,
	M_PURGE, M_COUNT };

struct tdrv_state {
	int		 calls[M_COUNT];
	int		 giant[M_COUNT];	/* calls with Giant owned */
	int		 depth[M_COUNT];	/* td_giant_depth seen */
	struct file	*fpop[M_COUNT];		/* td_fpop seen (last) */
	int		 open_error;		/* d_open's result */
	bool		 park_in_ioctl;		/* TEST_HOOK("tdrv_ioctl") */
	bool		 set_priv_in_open;
	int		 priv_dtor_calls;
	void		*priv_dtor_arg;
};

static struct tdrv_state st;

static void
tdrv_record(int m)
{

	__atomic_add_fetch(&st.calls[m], 1, __ATOMIC_SEQ_CST);
	if (mtx_owned(&Giant))
		__atomic_add_fetch(&st.giant[m], 1, __ATOMIC_SEQ_CST);
	st.depth[m] = curthread->td_giant_depth;
	st.fpop[m] = curthread->td_fpop;
}

static void
priv_dtor(void *arg)
{

	st.priv_dtor_calls++;
	st.priv_dtor_arg = arg;
}

static int
tdrv_open(struct cdev *dev, int oflags, int devtype, struct thread *td)
{

	tdrv_record(M_OPEN);
	if (st.set_priv_in_open)
		ck_assert_int_eq(devfs_set_cdevpriv(dev->si_drv1, priv_dtor),
		    0);
	return (st.open_error);
}

static int
tdrv_close(struct cdev *dev, int fflag, int devtype, struct thread *td)
{

	tdrv_record(M_CLOSE);
	return (0);
}

static int
tdrv_read(struct cdev *dev, void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	tdrv_record(M_READ);
	memset(buf, 'r', len);
	*donep = len;
	return (0);
}

static int
tdrv_write(struct cdev *dev, const void *buf, size_t len, vm_ooffset_t off,
    int ioflag, size_t *donep)
{

	tdrv_record(M_WRITE);
	*donep = len;
	return (0);
}

static int
tdrv_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{
	void *priv;
	int error;

	tdrv_record(M_IOCTL);
	if (st.park_in_ioctl)
		TEST_HOOK("tdrv_ioctl");
	if (data != NULL) {
		error = devfs_get_cdevpriv(&priv);
		*(void **)data = error == 0 ? priv : NULL;
		return (error);
	}
	return (0);
}

static int
tdrv_mmap(struct cdev *dev, vm_ooffset_t offset, vm_paddr_t *paddr,
    int nprot, vm_memattr_t *memattr)
{

	tdrv_record(M_MMAP);
	*paddr = 0x1000 + offset;
	return (0);
}

static int
tdrv_mmap_single(struct cdev *dev, vm_ooffset_t *offset, vm_size_t size,
    struct vm_object **object, int nprot)
{

	tdrv_record(M_MMAP_SINGLE);
	return (ENODEV);
}

static void
tdrv_purge(struct cdev *dev)
{

	tdrv_record(M_PURGE);
}

static struct cdevsw tdrv_sw = {
	.d_version = D_VERSION,
	.d_name = "tdrv",
	.d_open = tdrv_open,
	.d_close = tdrv_close,
	.d_read = tdrv_read,
	.d_write = tdrv_write,
	.d_ioctl = tdrv_ioctl,
	.d_mmap = tdrv_mmap,
	.d_mmap_single = tdrv_mmap_single,
	.d_purge = tdrv_purge,
};

static struct cdevsw giant_sw = {
	.d_version = D_VERSION,
	.d_flags = D_NEEDGIANT,
	.d_name = "gdrv",
	.d_open = tdrv_open,
	.d_close = tdrv_close,
	.d_read = tdrv_read,
	.d_write = tdrv_write,
	.d_ioctl = tdrv_ioctl,
	.d_mmap = tdrv_mmap,
	.d_mmap_single = tdrv_mmap_single,
	.d_purge = tdrv_purge,
};

static struct cdevsw track_sw = {
	.d_version = D_VERSION,
	.d_flags = D_TRACKCLOSE,
	.d_name = "trk",
	.d_open = tdrv_open,
	.d_close = tdrv_close,
};

static struct cdevsw empty_sw = {
	.d_version = D_VERSION,
	.d_name = "empty",
};

static struct cdevsw old_sw = {
	.d_version = D_VERSION_02,
	.d_name = "olddrv",
	.d_open = tdrv_open,
	.d_close = tdrv_close,
	.d_read = tdrv_read,
	.d_write = tdrv_write,
	.d_ioctl = tdrv_ioctl,
	.d_mmap = tdrv_mmap,
	.d_mmap_single = tdrv_mmap_single,
	.d_purge = tdrv_purge,
};

static struct cdevsw old_giant_sw = {
	.d_version = D_VERSION_01,
	.d_flags = D_NEEDGIANT,
	.d_open = tdrv_open,
	.d_read = tdrv_read,
	.d_mmap = tdrv_mmap,
};

static const struct ucred cred_u = { .cr_uid = 1000, .cr_gid = 1000 };

static void
setup(void)
{

	memset(&st, 0, sizeof(st));
	rcu_thread_online();
}

static void
teardown(void)
{

	test_hook_reset();
}

static struct cdev *
new_dev(struct cdevsw *sw, const char *name, int flags)
{
	struct cdev *dev;

	ck_assert_int_eq(make_dev(sw, name, 0, 0, 0600, flags, &dev), 0);
	ck_assert_ptr_nonnull(dev);
	return (dev);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (bounded) until n threads sleep on wchan. */
static bool
wait_sleepers(const void *wchan, int n)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (sleepq_sleepers(wchan) == n)
			return (true);
		sleep_ms(1);
	}
	return (false);
}

/*
 * Capture what kern_log writes to stderr.
 */
static int cap_fd = -1;
static int cap_saved = -1;
static char cap_buf[4096];

static void
capture_start(void)
{

	cap_fd = memfd_create("log", 0);
	ck_assert_int_ge(cap_fd, 0);
	fflush(stderr);
	cap_saved = dup(STDERR_FILENO);
	ck_assert_int_ge(cap_saved, 0);
	ck_assert_int_ge(dup2(cap_fd, STDERR_FILENO), 0);
}

static const char *
capture_stop(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	lseek(cap_fd, 0, SEEK_SET);
	n = read(cap_fd, cap_buf, sizeof(cap_buf) - 1);
	cap_buf[n > 0 ? n : 0] = '\0';
	close(cap_fd);
	return (cap_buf);
}

/*
 * Registry basics.
 */
START_TEST(test_make_dev_basic)
{
	struct cdev *dev;
	unsigned n0;

	n0 = dev_count();
	ck_assert_int_eq(make_dev(&tdrv_sw, "tdev0", 1000, 100, 0640, 0,
	    &dev), 0);
	ck_assert_str_eq(devtoname(dev), "tdev0");
	ck_assert_uint_eq(dev->si_owner, 1000);
	ck_assert_uint_eq(dev->si_group, 100);
	ck_assert_uint_eq(dev->si_mode, 0640);
	ck_assert_ptr_eq(dev->si_devsw, &tdrv_sw);
	ck_assert_uint_eq(dev->si_refcount, 1);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	ck_assert((dev->si_flags & SI_NAMED) != 0);
	ck_assert((dev->si_flags & SI_ETERNAL) == 0);
	ck_assert((tdrv_sw.d_flags & D_INIT) != 0);
	ck_assert_uint_eq(dev_count(), n0 + 1);
	ck_assert_uint_gt(dev->si_id, 0);

	rcu_read_lock();
	ck_assert_ptr_eq(dev_lookup_rcu("tdev0"), dev);
	ck_assert_ptr_null(dev_lookup_rcu("tdev1"));
	rcu_read_unlock();

	destroy_dev(dev);
	ck_assert_uint_eq(dev_count(), n0);
	rcu_read_lock();
	ck_assert_ptr_null(dev_lookup_rcu("tdev0"));
	rcu_read_unlock();
}
END_TEST

START_TEST(test_make_dev_names)
{
	static const char *const bad[] = { "", "a/b", "/x", "..", "a..b",
	    ".", " x", "x y", "tab\there", "del\x7f", "nl\n" };
	char longname[SPECNAMELEN + 2];
	struct cdev *dev;
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		ck_assert_msg(!dev_name_valid(bad[i]), "\"%s\" accepted",
		    bad[i]);
		ck_assert_int_eq(make_dev(&tdrv_sw, bad[i], 0, 0, 0600, 0,
		    &dev), EINVAL);
		ck_assert_ptr_null(dev);
	}
	ck_assert_int_eq(make_dev(&tdrv_sw, NULL, 0, 0, 0600, 0, &dev),
	    EINVAL);

	memset(longname, 'n', sizeof(longname));
	longname[SPECNAMELEN + 1] = '\0';		/* 64 characters */
	ck_assert_int_eq(make_dev(&tdrv_sw, longname, 0, 0, 0600, 0, &dev),
	    EINVAL);
	longname[SPECNAMELEN] = '\0';			/* 63: the limit */
	ck_assert(dev_name_valid(longname));
	dev = new_dev(&tdrv_sw, longname, 0);
	ck_assert_uint_eq(strlen(devtoname(dev)), SPECNAMELEN);
	destroy_dev(dev);

	/* Names that look odd but are fine. */
	ck_assert(dev_name_valid("gem0.1"));
	ck_assert(dev_name_valid("a.b-c_d:0"));
	ck_assert(dev_name_valid(".hidden"));
}
END_TEST

START_TEST(test_make_dev_duplicate)
{
	struct cdev *dev, *dev2;

	dev = new_dev(&tdrv_sw, "dup", 0);
	ck_assert_int_eq(make_dev(&empty_sw, "dup", 0, 0, 0600, 0, &dev2),
	    EEXIST);
	ck_assert_ptr_null(dev2);
	rcu_read_lock();
	ck_assert_ptr_eq(dev_lookup_rcu("dup"), dev);
	rcu_read_unlock();
	destroy_dev(dev);
	/* The name is free again. */
	dev2 = new_dev(&empty_sw, "dup", 0);
	ck_assert_ptr_eq(dev2->si_devsw, &empty_sw);
	destroy_dev(dev2);
}
END_TEST

/*
 * A driver of the wrong version is disabled, not refused (FreeBSD's
 * prep_cdevsw): the node is made, the console is told, and every method
 * is dead -- ENXIO for open, close, read, write and ioctl, ENODEV for
 * d_mmap and d_mmap_single -- without ever reaching the driver.
 */
static void
assert_dead_methods(struct cdev *dev)
{
	struct cdevsw *csw;
	struct vm_object *obj;
	struct file *fp;
	vm_ooffset_t off;
	vm_paddr_t pa;
	vm_memattr_t ma;
	char buf[8];
	size_t done;
	int ref;

	fp = (struct file *)&fp;
	ck_assert_int_eq(devfs_open(dev, O_RDWR, NULL, &fp), ENXIO);
	csw = dev_refthread(dev, &ref);
	ck_assert_ptr_nonnull(csw);
	ck_assert_int_eq(csw->d_open(dev, O_RDWR, 0, curthread), ENXIO);
	ck_assert_int_eq(csw->d_close(dev, O_RDWR, 0, curthread), ENXIO);
	done = 99;
	ck_assert_int_eq(csw->d_read(dev, buf, sizeof(buf), 0, 0, &done),
	    ENXIO);
	ck_assert_uint_eq(done, 0);
	done = 99;
	ck_assert_int_eq(csw->d_write(dev, buf, sizeof(buf), 0, 0, &done),
	    ENXIO);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(csw->d_ioctl(dev, 7, NULL, 0, curthread), ENXIO);
	ck_assert_int_eq(csw->d_mmap(dev, 0, &pa, VM_PROT_READ, &ma), ENODEV);
	off = 0;
	obj = NULL;
	ck_assert_int_eq(csw->d_mmap_single(dev, &off, 4096, &obj,
	    VM_PROT_READ), ENODEV);
	ck_assert_ptr_null(obj);
	dev_relthread(dev, ref);
	/* The driver's own methods never ran. */
	for (ref = 0; ref < M_COUNT; ref++)
		ck_assert_int_eq(st.calls[ref], 0);
	ck_assert(!mtx_owned(&Giant));
}

START_TEST(test_make_dev_wrong_version)
{
	struct cdev *dev, *dev2;
	const char *log;
	unsigned n0;

	n0 = dev_count();
	capture_start();
	ck_assert_int_eq(make_dev(&old_sw, "oldv", 0, 0, 0600, 0, &dev), 0);
	log = capture_stop();
	ck_assert_ptr_nonnull(dev);
	ck_assert_ptr_nonnull(strstr(log, "WARNING: Device driver \"olddrv\" "
	    "has wrong version and is disabled."));
	ck_assert_uint_eq(dev_count(), n0 + 1);
	rcu_read_lock();
	ck_assert_ptr_eq(dev_lookup_rcu("oldv"), dev);
	rcu_read_unlock();
	ck_assert((old_sw.d_flags & D_INIT) != 0);
	ck_assert(old_sw.d_mmap != tdrv_mmap);
	/* d_purge is left as it was. */
	ck_assert(old_sw.d_purge == tdrv_purge);
	assert_dead_methods(dev);

	/* A second node of the same table: no second message. */
	capture_start();
	ck_assert_int_eq(make_dev(&old_sw, "oldv2", 0, 0, 0600, 0, &dev2), 0);
	log = capture_stop();
	ck_assert_ptr_null(strstr(log, "wrong version"));
	assert_dead_methods(dev2);
	destroy_dev(dev2);
	destroy_dev(dev);
}
END_TEST

/* The same through the Giant shims, and a driver without a name. */
START_TEST(test_make_dev_wrong_version_giant)
{
	struct cdev *dev;
	const char *log;

	capture_start();
	ck_assert_int_eq(make_dev(&old_giant_sw, "oldg", 0, 0, 0600, 0,
	    &dev), 0);
	log = capture_stop();
	ck_assert_ptr_nonnull(strstr(log, "WARNING: Device driver \"???\" "
	    "has wrong version and is disabled."));
	ck_assert_ptr_nonnull(old_giant_sw.d_gianttrick);
	assert_dead_methods(dev);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_make_dev_s_args)
{
	struct make_dev_args args;
	struct cdev *dev;
	int drv1;

	make_dev_args_init(&args);
	args.mda_devsw = &tdrv_sw;
	args.mda_uid = 5;
	args.mda_gid = 6;
	args.mda_mode = 0644;
	args.mda_unit = 3;
	args.mda_si_drv1 = &drv1;
	args.mda_dsize = 16 << 20;
	args.mda_memattr = VM_MEMATTR_WRITE_COMBINING;
	args.mda_flags = MAKEDEV_REF;
	ck_assert_int_eq(make_dev_s(&args, &dev, "ram%d", 3), 0);
	ck_assert_str_eq(devtoname(dev), "ram3");
	ck_assert_int_eq(dev2unit(dev), 3);
	ck_assert_ptr_eq(dev->si_drv1, &drv1);
	ck_assert_uint_eq(dev->si_size, 16 << 20);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	/* MAKEDEV_REF: the caller's reference on top of the registry's. */
	ck_assert_uint_eq(dev->si_refcount, 2);
	destroy_dev(dev);
	ck_assert_uint_eq(dev->si_refcount, 1);
	dev_rel(dev);

	/* A size field that does not match is refused. */
	make_dev_args_init(&args);
	args.mda_devsw = &tdrv_sw;
	args.mda_size = 1;
	ck_assert_int_eq(make_dev_s(&args, &dev, "bad"), EINVAL);
	make_dev_args_init(&args);
	ck_assert_int_eq(make_dev_s(&args, &dev, "nodevsw"), EINVAL);
}
END_TEST

START_TEST(test_dev_ref_rel)
{
	struct cdev *dev;

	dev = new_dev(&tdrv_sw, "refs", 0);
	dev_ref(dev);
	dev_ref(dev);
	ck_assert_uint_eq(dev->si_refcount, 3);
	dev_rel(dev);
	ck_assert_uint_eq(dev->si_refcount, 2);
	/* destroy_dev drops only the registry's reference. */
	destroy_dev(dev);
	ck_assert_uint_eq(dev->si_refcount, 1);
	ck_assert_ptr_null(dev->si_devsw);
	dev_rel(dev);		/* freed after a grace period */
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_dev_rel_negative_asserts)
{
	struct cdev *dev;

	panic_expect("dev_rel(not-a-cdev) gave negative count");
	/* What the pre-fix dtor did: dev_rel on something with count 0. */
	dev = calloc(1, sizeof(*dev));
	ck_assert_ptr_nonnull(dev);
	strcpy(dev->si_name, "not-a-cdev");
	dev_rel(dev);
}
END_TEST

START_TEST(test_dev_rel_last_on_live_asserts)
{
	struct cdev *dev;

	panic_expect("dev_rel(live): last reference of a live device");
	dev = new_dev(&tdrv_sw, "live", 0);
	dev_rel(dev);		/* the registry's reference: a driver bug */
}
END_TEST
#else
START_TEST(test_dev_rel_negative_logged)
{
	struct cdev *dev;
	const char *log;

	dev = calloc(1, sizeof(*dev));
	ck_assert_ptr_nonnull(dev);
	strcpy(dev->si_name, "not-a-cdev");
	capture_start();
	dev_rel(dev);
	log = capture_stop();
	ck_assert_uint_eq(dev->si_refcount, 0);
	ck_assert_ptr_nonnull(strstr(log,
	    "dev_rel(not-a-cdev) gave negative count"));
	free(dev);
}
END_TEST
#endif

START_TEST(test_refthread)
{
	struct cdev *dev;
	struct cdevsw *csw;
	int ref, ref2;

	dev = new_dev(&tdrv_sw, "thr", 0);
	csw = dev_refthread(dev, &ref);
	ck_assert_ptr_eq(csw, &tdrv_sw);
	ck_assert_int_eq(ref, 1);
	ck_assert_uint_eq(dev->si_threadcount, 1);
	csw = dev_refthread(dev, &ref2);
	ck_assert_uint_eq(dev->si_threadcount, 2);
	dev_relthread(dev, ref2);
	dev_relthread(dev, ref);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	ck_assert_uint_eq(dev->si_refcount, 1);

	dev_ref(dev);
	destroy_dev(dev);
	/* No 10.4 quirk: a failed refthread reports ref 0. */
	ref = 42;
	ck_assert_ptr_null(dev_refthread(dev, &ref));
	ck_assert_int_eq(ref, 0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	dev_rel(dev);
}
END_TEST

static void *
hold_devmtx_thread(void *arg)
{

	dev_lock();
	test_hook_arm("hold_devmtx");
	TEST_HOOK("hold_devmtx");
	dev_unlock();
	return (NULL);
}

START_TEST(test_eternal_fast_path)
{
	struct cdev *dev;
	struct cdevsw *csw;
	pthread_t t;
	unsigned long locks;
	int ref, i;

	dev = new_dev(&tdrv_sw, "eternal", MAKEDEV_ETERNAL);
	ck_assert((dev->si_flags & SI_ETERNAL) != 0);

	/* No thread count, no reference, no devmtx. */
	locks = dev_lock_count();
	for (i = 0; i < 100; i++) {
		csw = dev_refthread(dev, &ref);
		ck_assert_ptr_eq(csw, &tdrv_sw);
		ck_assert_int_eq(ref, 0);
		ck_assert_uint_eq(dev->si_threadcount, 0);
		dev_relthread(dev, ref);
	}
	ck_assert_uint_eq(dev_lock_count(), locks);
	ck_assert_uint_eq(dev->si_refcount, 1);
	ck_assert_uint_eq(dev->si_threadcount, 0);

	/* Even with devmtx held by someone else it does not block. */
	ck_assert_int_eq(pthread_create(&t, NULL, hold_devmtx_thread, NULL),
	    0);
	ck_assert(test_hook_wait_parked("hold_devmtx", 5000));
	csw = dev_refthread(dev, &ref);
	ck_assert_ptr_eq(csw, &tdrv_sw);
	dev_relthread(dev, ref);
	test_hook_release("hold_devmtx");
	pthread_join(t, NULL);

	/* A normal device takes devmtx once per refthread. */
	{
		struct cdev *dev2;

		dev2 = new_dev(&tdrv_sw, "mortal", 0);
		locks = dev_lock_count();
		csw = dev_refthread(dev2, &ref);
		ck_assert_uint_eq(dev_lock_count(), locks + 1);
		ck_assert_uint_eq(dev2->si_threadcount, 1);
		dev_relthread(dev2, ref);
		destroy_dev(dev2);
	}
}
END_TEST

#ifdef INVARIANTS
START_TEST(test_destroy_eternal_asserts)
{
	struct cdev *dev;

	panic_expect("destroy_dev on eternal forever");
	dev = new_dev(&tdrv_sw, "forever", MAKEDEV_ETERNAL);
	destroy_dev(dev);
}
END_TEST
#endif

/*
 * destroy_dev against a thread inside the driver.
 */
struct ioctl_arg {
	struct file	*fp;
	int		 error;
};

static void *
ioctl_thread(void *arg)
{
	struct ioctl_arg *ia;

	ia = arg;
	rcu_thread_online();
	ia->error = devfs_ioctl(ia->fp, 1, NULL);
	return (NULL);
}

static void *
destroy_thread(void *arg)
{

	rcu_thread_online();
	destroy_dev(arg);
	return (NULL);
}

START_TEST(test_destroy_waits_for_threads)
{
	struct cdev *dev;
	struct file *fp;
	struct ioctl_arg ia;
	pthread_t t1, t2;
	void *data;

	dev = new_dev(&tdrv_sw, "busy", 0);
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), 0);
	st.park_in_ioctl = true;
	test_hook_arm("tdrv_ioctl");
	ia.fp = fp;
	ia.error = -1;
	ck_assert_int_eq(pthread_create(&t1, NULL, ioctl_thread, &ia), 0);
	ck_assert(test_hook_wait_parked("tdrv_ioctl", 5000));
	ck_assert_uint_eq(dev->si_threadcount, 1);

	ck_assert_int_eq(pthread_create(&t2, NULL, destroy_thread, dev), 0);
	/* destroy_dev purges and sleeps on the device until drained. */
	ck_assert(wait_sleepers(dev, 1));
	ck_assert_int_ge(st.calls[M_PURGE], 1);
	ck_assert_ptr_null(dev->si_devsw);
	rcu_read_lock();
	ck_assert_ptr_null(dev_lookup_rcu("busy"));
	rcu_read_unlock();
	/* New calls are refused while it waits. */
	ck_assert_int_eq(devfs_ioctl(fp, 1, &data), ENXIO);
	ck_assert_int_eq(st.calls[M_IOCTL], 1);

	test_hook_release("tdrv_ioctl");
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_int_eq(ia.error, 0);
	ck_assert_uint_eq(dev->si_threadcount, 0);
	/* The open file still holds the struct; closing frees it. */
	ck_assert_uint_eq(dev->si_refcount, 1);
	ck_assert_int_eq(devfs_close(fp), ENXIO);
	ck_assert_int_eq(st.calls[M_CLOSE], 0);
}
END_TEST

START_TEST(test_destroy_idle_no_purge)
{
	struct cdev *dev;

	dev = new_dev(&tdrv_sw, "idle", 0);
	destroy_dev(dev);
	/* Nobody inside: d_purge is not needed (FreeBSD's loop). */
	ck_assert_int_eq(st.calls[M_PURGE], 0);
}
END_TEST

START_TEST(test_lookup_ref)
{
	struct cdev *dev, *d;

	dev = new_dev(&tdrv_sw, "lref", 0);
	d = dev_lookup_ref("lref");
	ck_assert_ptr_eq(d, dev);
	ck_assert_uint_eq(dev->si_refcount, 2);
	ck_assert_ptr_null(dev_lookup_ref("nope"));
	destroy_dev(dev);
	ck_assert_ptr_null(dev_lookup_ref("lref"));
	ck_assert_uint_eq(dev->si_refcount, 1);
	dev_rel(d);
}
END_TEST

/*
 * Lookup by address: the live device at that address, nothing for any
 * other pointer (which is never dereferenced) or once destroyed; many
 * devices share the fixed buckets.
 */
START_TEST(test_lookup_addr)
{
	enum { N = 9000 };
	struct cdev *dev, **many;
	char name[32], local;
	int i;

	dev = new_dev(&tdrv_sw, "laddr", 0);
	rcu_read_lock();
	ck_assert_ptr_eq(dev_lookup_addr_rcu(dev), dev);
	ck_assert_ptr_null(dev_lookup_addr_rcu(NULL));
	ck_assert_ptr_null(dev_lookup_addr_rcu(&local));
	ck_assert_ptr_null(dev_lookup_addr_rcu((char *)dev + 1));
	rcu_read_unlock();

	many = calloc(N, sizeof(*many));
	ck_assert_ptr_nonnull(many);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "la%d", i);
		many[i] = new_dev(&tdrv_sw, name, 0);
	}
	rcu_read_lock();
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(dev_lookup_addr_rcu(many[i]), many[i]);
	rcu_read_unlock();
	for (i = 0; i < N; i += 2)
		destroy_dev(many[i]);
	rcu_read_lock();
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(dev_lookup_addr_rcu(many[i]),
		    i % 2 == 0 ? NULL : many[i]);
	rcu_read_unlock();
	for (i = 1; i < N; i += 2)
		destroy_dev(many[i]);
	free(many);

	/* Destroyed but still referenced: not a live device any more. */
	dev_ref(dev);
	destroy_dev(dev);
	rcu_read_lock();
	ck_assert_ptr_null(dev_lookup_addr_rcu(dev));
	rcu_read_unlock();
	dev_rel(dev);
}
END_TEST

/*
 * Lookup by id (the node number of dev/<name>): the live device with that
 * si_id, nothing for an id never given or once destroyed; the _ref form
 * holds a reference; many devices share the fixed buckets.
 */
START_TEST(test_lookup_id)
{
	enum { N = 9000 };
	struct cdev *dev, *d, **many;
	uint64_t *ids, id;
	char name[32];
	int i;

	dev = new_dev(&tdrv_sw, "lid", 0);
	rcu_read_lock();
	ck_assert_ptr_eq(dev_lookup_id_rcu(dev->si_id), dev);
	ck_assert_ptr_null(dev_lookup_id_rcu(dev->si_id + 1000000));
	ck_assert_ptr_null(dev_lookup_id_rcu(UINT64_MAX));
	rcu_read_unlock();
	d = dev_lookup_id_ref(dev->si_id);
	ck_assert_ptr_eq(d, dev);
	ck_assert_uint_eq(dev->si_refcount, 2);
	dev_rel(d);

	many = calloc(N, sizeof(*many));
	ids = calloc(N, sizeof(*ids));
	ck_assert_ptr_nonnull(many);
	ck_assert_ptr_nonnull(ids);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "li%d", i);
		many[i] = new_dev(&tdrv_sw, name, 0);
		ids[i] = many[i]->si_id;
	}
	/* (A destroyed node is freed: only its id is used after.) */
	for (i = 0; i < N; i += 2)
		destroy_dev(many[i]);
	rcu_read_lock();
	for (i = 0; i < N; i++)
		ck_assert_ptr_eq(dev_lookup_id_rcu(ids[i]),
		    i % 2 == 0 ? NULL : many[i]);
	rcu_read_unlock();
	for (i = 1; i < N; i += 2) {
		ck_assert_ptr_eq(dev_lookup_id_ref(ids[i]), many[i]);
		dev_rel(many[i]);
		destroy_dev(many[i]);
	}
	free(ids);
	free(many);

	/* Destroyed but still referenced: not a live device any more. */
	id = dev->si_id;
	dev_ref(dev);
	destroy_dev(dev);
	rcu_read_lock();
	ck_assert_ptr_null(dev_lookup_id_rcu(id));
	rcu_read_unlock();
	ck_assert_ptr_null(dev_lookup_id_ref(id));
	dev_rel(dev);
}
END_TEST

struct foreach_acc {
	char	names[8][SPECNAMELEN + 1];
	int	n;
};

static void
foreach_cb(struct cdev *dev, void *arg)
{
	struct foreach_acc *acc;

	acc = arg;
	if (acc->n < 8)
		strcpy(acc->names[acc->n], devtoname(dev));
	acc->n++;
}

START_TEST(test_foreach)
{
	struct cdev *a, *b, *c;
	struct foreach_acc acc;

	a = new_dev(&tdrv_sw, "fa", 0);
	b = new_dev(&tdrv_sw, "fb", 0);
	c = new_dev(&empty_sw, "fc", MAKEDEV_ETERNAL);
	memset(&acc, 0, sizeof(acc));
	ck_assert_int_eq(dev_foreach(foreach_cb, &acc), 3);
	ck_assert_int_eq(acc.n, 3);
	ck_assert_str_eq(acc.names[0], "fa");
	ck_assert_str_eq(acc.names[1], "fb");
	ck_assert_str_eq(acc.names[2], "fc");
	destroy_dev(b);
	memset(&acc, 0, sizeof(acc));
	ck_assert_int_eq(dev_foreach(foreach_cb, &acc), 2);
	ck_assert_str_eq(acc.names[0], "fa");
	ck_assert_str_eq(acc.names[1], "fc");
	destroy_dev(a);
	(void)c;
}
END_TEST

/*
 * Giant: held inside every method of a D_NEEDGIANT driver, only there.
 */
static void
exercise_methods(struct cdev *dev)
{
	struct cdevsw *csw;
	struct file *fp;
	char buf[16];
	size_t done;
	vm_paddr_t pa;
	vm_memattr_t ma;
	vm_ooffset_t off;
	struct vm_object *obj;
	int ref;

	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), 0);
	ck_assert_int_eq(devfs_read(fp, buf, sizeof(buf), 0, &done), 0);
	ck_assert_uint_eq(done, sizeof(buf));
	ck_assert_int_eq(devfs_write(fp, buf, sizeof(buf), 0, &done), 0);
	ck_assert_int_eq(devfs_ioctl(fp, 1, NULL), 0);
	csw = dev_refthread(dev, &ref);
	ck_assert_ptr_nonnull(csw);
	ma = VM_MEMATTR_DEFAULT;
	ck_assert_int_eq(csw->d_mmap(dev, 0, &pa, VM_PROT_READ, &ma), 0);
	off = 0;
	obj = NULL;
	ck_assert_int_eq(csw->d_mmap_single(dev, &off, 4096, &obj,
	    VM_PROT_READ), ENODEV);
	dev_relthread(dev, ref);
	ck_assert(!mtx_owned(&Giant));
	ck_assert_int_eq(devfs_close(fp), 0);
}

START_TEST(test_giant_needgiant)
{
	struct cdev *dev;
	int m;

	dev = new_dev(&giant_sw, "giant", 0);
	ck_assert_ptr_nonnull(giant_sw.d_gianttrick);
	ck_assert_ptr_eq(giant_sw.d_gianttrick->d_open, tdrv_open);
	exercise_methods(dev);
	for (m = 0; m < M_PURGE; m++) {
		ck_assert_msg(st.calls[m] == 1, "method %d ran %d times", m,
		    st.calls[m]);
		ck_assert_msg(st.giant[m] == 1, "method %d without Giant", m);
		ck_assert_int_eq(st.depth[m], 1);
	}
	/*
	 * d_purge too, when destroy_dev needs it: keep a thread reference
	 * (as a thread sleeping inside the driver would, with Giant
	 * released by its sleep) so that destroy_dev purges and waits.
	 */
	{
		struct cdevsw *csw;
		pthread_t t2;
		int ref;

		dev_ref(dev);
		csw = dev_refthread(dev, &ref);
		ck_assert_ptr_nonnull(csw);
		ck_assert_int_eq(pthread_create(&t2, NULL, destroy_thread,
		    dev), 0);
		ck_assert(wait_sleepers(dev, 1));
		ck_assert_int_ge(st.calls[M_PURGE], 1);
		ck_assert_int_eq(st.giant[M_PURGE], st.calls[M_PURGE]);
		dev_relthread(dev, ref);
		pthread_join(t2, NULL);
	}
	ck_assert_ptr_null(dev->si_devsw);
	dev_rel(dev);
	ck_assert(!mtx_owned(&Giant));
}
END_TEST

START_TEST(test_giant_not_for_others)
{
	struct cdev *dev;
	int m;

	dev = new_dev(&tdrv_sw, "nogiant", 0);
	ck_assert_ptr_null(tdrv_sw.d_gianttrick);
	exercise_methods(dev);
	for (m = 0; m < M_PURGE; m++) {
		ck_assert_int_eq(st.calls[m], 1);
		ck_assert_msg(st.giant[m] == 0, "method %d with Giant", m);
		ck_assert_int_eq(st.depth[m], 0);
	}
	destroy_dev(dev);
}
END_TEST

START_TEST(test_default_methods)
{
	struct cdev *dev;
	struct cdevsw *csw;
	struct file *fp;
	struct vm_object *obj;
	vm_ooffset_t off;
	vm_paddr_t pa;
	vm_memattr_t ma;
	char buf[8];
	size_t done;
	int ref;

	dev = new_dev(&empty_sw, "empty0", 0);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &fp), 0);
	ck_assert_int_eq(devfs_read(fp, buf, sizeof(buf), 0, &done), ENODEV);
	ck_assert_uint_eq(done, 0);
	ck_assert_int_eq(devfs_write(fp, buf, sizeof(buf), 0, &done),
	    ENODEV);
	ck_assert_int_eq(devfs_ioctl(fp, 7, NULL), ENODEV);
	csw = dev_refthread(dev, &ref);
	ck_assert_int_eq(csw->d_mmap(dev, 0, &pa, VM_PROT_READ, &ma),
	    ENODEV);
	off = 0;
	ck_assert_int_eq(csw->d_mmap_single(dev, &off, 4096, &obj,
	    VM_PROT_READ), ENODEV);
	ck_assert_ptr_null(csw->d_purge);
	dev_relthread(dev, ref);
	ck_assert_int_eq(devfs_close(fp), 0);
	destroy_dev(dev);
}
END_TEST

/*
 * devfs: td_fpop and per-open data.
 */
START_TEST(test_cdevpriv_no_file)
{
	void *p;

	ck_assert_ptr_null(curthread->td_fpop);
	ck_assert_int_eq(devfs_set_cdevpriv(&p, priv_dtor), EBADF);
	p = &p;
	ck_assert_int_eq(devfs_get_cdevpriv(&p), EBADF);
	ck_assert_ptr_null(p);
	devfs_clear_cdevpriv();		/* harmless */
	ck_assert_int_eq(st.priv_dtor_calls, 0);
}
END_TEST

START_TEST(test_fpop_in_methods)
{
	struct cdev *dev;
	struct file *fp;
	char buf[4];
	size_t done;

	dev = new_dev(&tdrv_sw, "fpop", 0);
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), 0);
	ck_assert_ptr_eq(st.fpop[M_OPEN], fp);
	ck_assert_ptr_eq(fp->f_dev, dev);
	ck_assert_int_eq(fp->f_flag, O_RDWR);
	ck_assert_uint_eq(fp->f_cred.cr_uid, 1000);
	ck_assert_ptr_null(curthread->td_fpop);
	ck_assert_int_eq(devfs_ioctl(fp, 1, NULL), 0);
	ck_assert_ptr_eq(st.fpop[M_IOCTL], fp);
	ck_assert_int_eq(devfs_read(fp, buf, sizeof(buf), 0, &done), 0);
	ck_assert_ptr_eq(st.fpop[M_READ], fp);
	ck_assert_ptr_null(curthread->td_fpop);
	/* A nested call restores the outer file. */
	{
		struct file *outer, *saved;

		outer = (struct file *)&outer;
		saved = devfs_fpop_enter(outer);
		ck_assert_int_eq(devfs_ioctl(fp, 1, NULL), 0);
		ck_assert_ptr_eq(st.fpop[M_IOCTL], fp);
		ck_assert_ptr_eq(curthread->td_fpop, outer);
		devfs_fpop_exit(saved);
	}
	ck_assert_int_eq(devfs_close(fp), 0);
	ck_assert_ptr_eq(st.fpop[M_CLOSE], fp);
	ck_assert_ptr_null(curthread->td_fpop);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_cdevpriv_lifecycle)
{
	struct cdev *dev;
	struct file *fp, *fp2;
	struct file *saved;
	void *got;
	int drvdata;

	dev = new_dev(&tdrv_sw, "priv", 0);
	dev->si_drv1 = &drvdata;
	st.set_priv_in_open = true;
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), 0);
	st.set_priv_in_open = false;
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp2), 0);

	/* Found again by a later method on the same open... */
	got = NULL;
	ck_assert_int_eq(devfs_ioctl(fp, 1, &got), 0);
	ck_assert_ptr_eq(got, &drvdata);
	/* ...but not on another open of the same device. */
	got = &got;
	ck_assert_int_eq(devfs_ioctl(fp2, 1, &got), ENOENT);
	ck_assert_ptr_null(got);

	/* EBUSY on a second set; clear runs the dtor once. */
	saved = devfs_fpop_enter(fp);
	ck_assert_int_eq(devfs_set_cdevpriv(&got, priv_dtor), EBUSY);
	devfs_clear_cdevpriv();
	ck_assert_int_eq(st.priv_dtor_calls, 1);
	ck_assert_ptr_eq(st.priv_dtor_arg, &drvdata);
	ck_assert_int_eq(devfs_get_cdevpriv(&got), ENOENT);
	ck_assert_int_eq(devfs_set_cdevpriv(&fp2, priv_dtor), 0);
	devfs_fpop_exit(saved);

	/* Closing the file runs the dtor of what is there. */
	ck_assert_int_eq(devfs_close(fp), 0);
	ck_assert_int_eq(st.priv_dtor_calls, 2);
	ck_assert_ptr_eq(st.priv_dtor_arg, &fp2);
	ck_assert_int_eq(devfs_close(fp2), 0);
	ck_assert_int_eq(st.priv_dtor_calls, 2);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_open_failure)
{
	struct cdev *dev;
	struct file *fp;
	int drvdata;

	dev = new_dev(&tdrv_sw, "openfail", 0);
	dev->si_drv1 = &drvdata;
	st.set_priv_in_open = true;
	st.open_error = EPERM;
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &fp), EPERM);
	ck_assert_ptr_null(fp);
	/* The data the failed open attached is gone with its file. */
	ck_assert_int_eq(st.priv_dtor_calls, 1);
	ck_assert_uint_eq(dev->si_refcount, 1);
	ck_assert_uint_eq(dev->si_usecount, 0);
	destroy_dev(dev);
	/* Opening a destroyed device fails. */
	dev = new_dev(&tdrv_sw, "gone", 0);
	dev_ref(dev);
	destroy_dev(dev);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &fp), ENXIO);
	ck_assert_uint_eq(dev->si_refcount, 1);
	dev_rel(dev);
}
END_TEST

START_TEST(test_close_tracking)
{
	struct cdev *dev;
	struct file *a, *b;

	/* Without D_TRACKCLOSE: d_close on the last close only. */
	dev = new_dev(&tdrv_sw, "lastclose", 0);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &a), 0);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &b), 0);
	ck_assert_uint_eq(dev->si_usecount, 2);
	ck_assert_int_eq(devfs_close(a), 0);
	ck_assert_int_eq(st.calls[M_CLOSE], 0);
	ck_assert_int_eq(devfs_close(b), 0);
	ck_assert_int_eq(st.calls[M_CLOSE], 1);
	ck_assert_uint_eq(dev->si_usecount, 0);
	destroy_dev(dev);

	memset(&st, 0, sizeof(st));
	dev = new_dev(&track_sw, "everyclose", 0);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &a), 0);
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &b), 0);
	ck_assert_int_eq(devfs_close(a), 0);
	ck_assert_int_eq(st.calls[M_CLOSE], 1);
	ck_assert_ptr_eq(st.fpop[M_CLOSE], a);
	ck_assert_int_eq(devfs_close(b), 0);
	ck_assert_int_eq(st.calls[M_CLOSE], 2);
	destroy_dev(dev);
}
END_TEST

START_TEST(test_close_all)
{
	struct cdev *dev;
	struct file *a, *b;
	int drvdata;

	/*
	 * Shutdown: files whose release never came are closed as by
	 * devfs_close -- d_close, the cdevpriv destructor, the device
	 * reference and the file itself go.
	 */
	dev = new_dev(&tdrv_sw, "closeall", 0);
	dev->si_drv1 = &drvdata;
	st.set_priv_in_open = true;
	ck_assert_int_eq(devfs_open(dev, O_RDWR, &cred_u, &a), 0);
	st.set_priv_in_open = false;
	ck_assert_int_eq(devfs_open(dev, O_RDONLY, NULL, &b), 0);
	ck_assert_uint_eq(dev->si_usecount, 2);
	ck_assert_uint_eq(dev->si_refcount, 3);
	ck_assert_uint_ge(devfs_close_all(), 2);
	ck_assert_int_eq(st.calls[M_CLOSE], 1);
	ck_assert_int_eq(st.priv_dtor_calls, 1);
	ck_assert_ptr_eq(st.priv_dtor_arg, &drvdata);
	ck_assert_uint_eq(dev->si_usecount, 0);
	ck_assert_uint_eq(dev->si_refcount, 1);
	/* Closed files are off the list: nothing twice. */
	ck_assert_uint_eq(devfs_close_all(), 0);
	ck_assert_int_eq(st.calls[M_CLOSE], 1);
	destroy_dev(dev);
}
END_TEST

/*
 * Real threads: lookups, references and driver calls racing creation and
 * destruction of the same names.
 */
static volatile int stress_stop;

static void *
stress_reader(void *arg)
{
	char name[16];
	struct cdev *dev;
	struct cdevsw *csw;
	unsigned long hits;
	int i, ref;

	rcu_thread_online();
	hits = 0;
	for (i = 0; !__atomic_load_n(&stress_stop, __ATOMIC_ACQUIRE); i++) {
		snprintf(name, sizeof(name), "st%d", i % 4);
		dev = dev_lookup_ref(name);
		if (dev == NULL)
			continue;
		ck_assert_str_eq(devtoname(dev), name);
		csw = dev_refthread(dev, &ref);
		if (csw != NULL) {
			ck_assert_ptr_eq(csw, &empty_sw);
			dev_relthread(dev, ref);
		}
		rcu_read_lock();
		(void)dev_lookup_rcu(name);
		rcu_read_unlock();
		dev_rel(dev);
		hits++;
	}
	return ((void *)(uintptr_t)hits);
}

START_TEST(test_stress_lookup_vs_destroy)
{
	pthread_t t[NTHREADS];
	struct cdev *devs[4];
	char name[16];
	int i, j;

	for (i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, stress_reader,
		    NULL), 0);
	for (j = 0; j < 400; j++) {
		for (i = 0; i < 4; i++) {
			snprintf(name, sizeof(name), "st%d", i);
			devs[i] = new_dev(&empty_sw, name, 0);
		}
		for (i = 0; i < 4; i++)
			destroy_dev(devs[i]);
	}
	__atomic_store_n(&stress_stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	ck_assert_uint_eq(dev_count(), 0);
	rcu_barrier();
}
END_TEST

Suite *
kern_conf_suite(void)
{
	Suite *s;
	TCase *tc, *ti;

	s = suite_create("kern_conf");

	tc = tcase_create("registry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_make_dev_basic);
	tcase_add_test(tc, test_make_dev_names);
	tcase_add_test(tc, test_make_dev_duplicate);
	tcase_add_test(tc, test_make_dev_wrong_version);
	tcase_add_test(tc, test_make_dev_wrong_version_giant);
	tcase_add_test(tc, test_make_dev_s_args);
	tcase_add_test(tc, test_dev_ref_rel);
#ifndef INVARIANTS
	tcase_add_test(tc, test_dev_rel_negative_logged);
#endif
	tcase_add_test(tc, test_refthread);
	tcase_add_test(tc, test_eternal_fast_path);
	tcase_add_test(tc, test_destroy_waits_for_threads);
	tcase_add_test(tc, test_destroy_idle_no_purge);
	tcase_add_test(tc, test_lookup_ref);
	tcase_add_test(tc, test_lookup_addr);
	tcase_add_test(tc, test_lookup_id);
	tcase_add_test(tc, test_foreach);
	tcase_add_test(tc, test_stress_lookup_vs_destroy);
	suite_add_tcase(s, tc);

	ti = tcase_create_invariants(s, "registry", setup, teardown,
	    THREADED_TCASE_TIMEOUT);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_dev_rel_negative_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_dev_rel_last_on_live_asserts);
	TCASE_ADD_INVARIANTS_ABORT(ti, test_destroy_eternal_asserts);

	tc = tcase_create("giant");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, THREADED_TCASE_TIMEOUT);
	tcase_add_test(tc, test_giant_needgiant);
	tcase_add_test(tc, test_giant_not_for_others);
	tcase_add_test(tc, test_default_methods);
	suite_add_tcase(s, tc);

	tc = tcase_create("devfs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cdevpriv_no_file);
	tcase_add_test(tc, test_fpop_in_methods);
	tcase_add_test(tc, test_cdevpriv_lifecycle);
	tcase_add_test(tc, test_open_failure);
	tcase_add_test(tc, test_close_tracking);
	tcase_add_test(tc, test_close_all);
	suite_add_tcase(s, tc);
	return (s);
}
