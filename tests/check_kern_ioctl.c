/*
 * kern_ioctl: devfs_ioctl_user(), an ioctl(2) request prepared for
 * d_ioctl the way FreeBSD's sys_ioctl() prepares it.  A test driver
 * records what data pointed at and writes a pattern back; the cases
 * cover _IO (the argument value), the int of a no-direction command,
 * the buffers of _IOW/_IOR/_IOWR (zeroed, copied in, copied out only on
 * success, up to the largest size the encoding allows) and the requests
 * refused before the driver is called.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "check_devpager.h"
#include "kern/conf.h"
#include "kern/devfs.h"
#include "kern/kern_rcu.h"

#define	IOC_ARG		_IO('k', 1)
#define	IOC_INT		_IOC(_IOC_NONE, 'k', 2, sizeof(int))
#define	IOC_ODD		_IOC(_IOC_NONE, 'k', 3, 3)
#define	IOC_W		_IOW('k', 4, uint64_t)
#define	IOC_R		_IOR('k', 5, uint64_t[4])
#define	IOC_WR		_IOWR('k', 6, uint64_t[2])
#define	IOC_R0		_IOC(_IOC_READ, 'k', 7, 0)
#define	IOC_BIG		_IOC(_IOC_READ | _IOC_WRITE, 'k', 8, _IOC_SIZEMASK)
#define	IOC_FAIL	_IOR('k', 9, uint64_t)

static struct {
	unsigned	 calls;
	uintptr_t	 argval;	/* *(caddr_t *)data of IOC_ARG */
	int		 ival;		/* *(int *)data of IOC_INT */
	uint64_t	 in[4];		/* the buffer as the driver found it */
	bool		 zeroed;	/* IOC_BIG: every byte was 0 past 8 */
} kd;

static int
kdrv_ioctl(struct cdev *dev, unsigned long cmd, void *data, int fflag,
    struct thread *td)
{
	unsigned char *p;
	uint64_t *v;
	size_t i;

	(void)dev;
	(void)fflag;
	(void)td;
	kd.calls++;
	v = data;
	switch (cmd) {
	case IOC_ARG:
		kd.argval = (uintptr_t)*(caddr_t *)data;
		return (0);
	case IOC_INT:
		kd.ival = *(int *)data;
		return (0);
	case IOC_W:
		kd.in[0] = v[0];
		return (0);
	case IOC_R:
		memcpy(kd.in, v, sizeof(kd.in));
		for (i = 0; i < 4; i++)
			v[i] = 0x1111111111111111ULL * (i + 1);
		return (0);
	case IOC_WR:
		kd.in[0] = v[0];
		kd.in[1] = v[1];
		v[1] = ~v[0];
		return (0);
	case IOC_BIG:
		p = data;
		kd.in[0] = v[0];
		kd.zeroed = true;
		for (i = sizeof(uint64_t); i < _IOC_SIZEMASK; i++)
			if (p[i] != 0)
				kd.zeroed = false;
		memset(p, 0xa5, _IOC_SIZEMASK);
		return (0);
	case IOC_FAIL:
		v[0] = 42;
		return (EIO);
	default:
		return (ENOTTY);
	}
}

static struct cdevsw kdrv_sw = {
	.d_version = D_VERSION,
	.d_name = "kioctl",
	.d_ioctl = kdrv_ioctl,
};

static struct cdev *kdev;
static struct file *kfp;

static void
setup(void)
{

	memset(&kd, 0, sizeof(kd));
	rcu_thread_online();
	ck_assert_int_eq(make_dev(&kdrv_sw, "kioctl0", 0, 0, 0600, 0, &kdev),
	    0);
	ck_assert_int_eq(devfs_open(kdev, O_RDWR, NULL, &kfp), 0);
}

static void
teardown(void)
{

	ck_assert_int_eq(devfs_close(kfp), 0);
	destroy_dev(kdev);
}

/* _IO: data points at the argument value, all of it. */
START_TEST(test_ioctl_io_arg)
{

	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_ARG,
	    (uintptr_t)0x123456789abcdef0ULL, NULL, 0, NULL, 0), 0);
	ck_assert_uint_eq(kd.calls, 1);
	ck_assert_uint_eq(kd.argval, (uintptr_t)0x123456789abcdef0ULL);
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_ARG, 0, NULL, 0, NULL, 0),
	    0);
	ck_assert_uint_eq(kd.argval, 0);
}
END_TEST

/* No direction, sizeof(int): (int)arg, as FreeBSD's _IOWINT. */
START_TEST(test_ioctl_io_int)
{

	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_INT,
	    (uintptr_t)0xfffffffffffffffbULL, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(kd.ival, -5);
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_INT, 0x7fffffff, NULL, 0,
	    NULL, 0), 0);
	ck_assert_int_eq(kd.ival, 0x7fffffff);
	ck_assert_uint_eq(kd.calls, 2);
}
END_TEST

/* _IOW, _IOR, _IOWR: copied in, zeroed, copied out. */
START_TEST(test_ioctl_buffers)
{
	uint64_t in[2], out[4];

	in[0] = 0x0102030405060708ULL;
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_W, 0, in, sizeof(in[0]),
	    NULL, 0), 0);
	ck_assert_uint_eq(kd.in[0], 0x0102030405060708ULL);

	memset(kd.in, 0xff, sizeof(kd.in));
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_R, 0, NULL, 0, out,
	    sizeof(out)), 0);
	ck_assert_uint_eq(kd.in[0] | kd.in[1] | kd.in[2] | kd.in[3], 0);
	ck_assert_uint_eq(out[0], 0x1111111111111111ULL);
	ck_assert_uint_eq(out[3], 0x4444444444444444ULL);

	in[0] = 7;
	in[1] = 9;
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_WR, 0, in,
	    2 * sizeof(uint64_t), out, 2 * sizeof(uint64_t)), 0);
	ck_assert_uint_eq(kd.in[0], 7);
	ck_assert_uint_eq(kd.in[1], 9);
	ck_assert_uint_eq(out[0], 7);
	ck_assert_uint_eq(out[1], ~(uint64_t)7);

	/* A failed request gives nothing back. */
	out[0] = 1;
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_FAIL, 0, NULL, 0, out,
	    sizeof(uint64_t)), EIO);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(kd.calls, 4);
}
END_TEST

/* The largest size the encoding holds: one buffer of that many bytes. */
START_TEST(test_ioctl_largest)
{
	static unsigned char in[_IOC_SIZEMASK], out[_IOC_SIZEMASK];
	size_t i;

	memset(in, 0, sizeof(in));
	in[0] = 0x42;
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_BIG, 0, in, sizeof(in),
	    out, sizeof(out)), 0);
	ck_assert_uint_eq(kd.in[0] & 0xff, 0x42);
	ck_assert(kd.zeroed);
	for (i = 0; i < sizeof(out); i++)
		if (out[i] != 0xa5)
			ck_abort_msg("byte %zu came back as %#x", i, out[i]);
}
END_TEST

/* Refused without calling the driver. */
START_TEST(test_ioctl_refused)
{
	uint64_t buf[4];

	memset(buf, 0, sizeof(buf));
	/* No direction, a size other than 0 or sizeof(int). */
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_ODD, 1, NULL, 0, NULL, 0),
	    ENOTTY);
	/* A direction without a size. */
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_R0, 0, NULL, 0, NULL, 0),
	    ENOTTY);
	/* Buffers that do not match the command. */
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_W, 0, buf, 4, NULL, 0),
	    EINVAL);
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_W, 0, buf, 8, buf, 8),
	    EINVAL);
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_R, 0, NULL, 0, buf, 8),
	    EINVAL);
	ck_assert_int_eq(devfs_ioctl_user(kfp, IOC_ARG, 0, buf, 8, NULL, 0),
	    EINVAL);
	ck_assert_uint_eq(kd.calls, 0);
	/* Unknown to the driver: its answer. */
	ck_assert_int_eq(devfs_ioctl_user(kfp, _IO('k', 99), 0, NULL, 0,
	    NULL, 0), ENOTTY);
	ck_assert_uint_eq(kd.calls, 1);
}
END_TEST

Suite *
kern_ioctl_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("kern_ioctl");
	tc = tcase_create("user");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ioctl_io_arg);
	tcase_add_test(tc, test_ioctl_io_int);
	tcase_add_test(tc, test_ioctl_buffers);
	tcase_add_test(tc, test_ioctl_largest);
	tcase_add_test(tc, test_ioctl_refused);
	suite_add_tcase(s, tc);
	return (s);
}
