/*
 * fs_notify_ready(): "READY=1" reaches the socket $NOTIFY_SOCKET names,
 * by path or in the abstract namespace; nothing is sent without it; a bad
 * or unreachable address is an error, not a crash.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse/fs_notify.h"
#include "check_devpager.h"

static char	nt_dir[64];
static char	nt_path[128];

static void	nt_setup(void);
static void	nt_teardown(void);
static int	nt_bind(const char *addr);
static void	nt_expect(int fd, const char *want);

static void
nt_setup(void)
{

	snprintf(nt_dir, sizeof(nt_dir), "/tmp/check_notify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(nt_dir));
	snprintf(nt_path, sizeof(nt_path), "%s/notify", nt_dir);
	unsetenv(FS_NOTIFY_ENV);
}

static void
nt_teardown(void)
{

	unsetenv(FS_NOTIFY_ENV);
	(void)unlink(nt_path);
	(void)rmdir(nt_dir);
}

/* A datagram socket bound to addr ('@' for the abstract namespace),
 * non-blocking so that "nothing was sent" can be seen. */
static int
nt_bind(const char *addr)
{
	struct sockaddr_un sun;
	size_t len;
	int fd;

	len = strlen(addr);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, addr, len);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
	return (fd);
}

/* The next datagram is want; want NULL: there is none. */
static void
nt_expect(int fd, const char *want)
{
	char buf[256];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (want == NULL) {
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(errno, EAGAIN);
		return;
	}
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(test_notify_path)
{
	int fd;

	fd = nt_bind(nt_path);
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, nt_path, 1), 0);
	ck_assert_int_eq(fs_notify_ready(), 0);
	nt_expect(fd, "READY=1");
	nt_expect(fd, NULL);
	close(fd);
}
END_TEST

START_TEST(test_notify_abstract)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@devpagerfs-check-%ld", (long)getpid());
	fd = nt_bind(name);
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, name, 1), 0);
	ck_assert_int_eq(fs_notify_ready(), 0);
	nt_expect(fd, "READY=1");
	close(fd);
}
END_TEST

/* Not under a service manager: nothing to do, and nothing is sent. */
START_TEST(test_notify_unset)
{
	int fd;

	fd = nt_bind(nt_path);
	ck_assert_int_eq(fs_notify_ready(), 0);
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, "", 1), 0);
	ck_assert_int_eq(fs_notify_ready(), 0);
	nt_expect(fd, NULL);
	close(fd);
}
END_TEST

START_TEST(test_notify_bad)
{
	char longpath[200];

	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, "relative/notify", 1), 0);
	ck_assert_int_eq(fs_notify_ready(), EINVAL);
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, "@", 1), 0);
	ck_assert_int_eq(fs_notify_ready(), EINVAL);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, longpath, 1), 0);
	ck_assert_int_eq(fs_notify_ready(), ENAMETOOLONG);
	/* Nobody listening there. */
	ck_assert_int_eq(setenv(FS_NOTIFY_ENV, nt_path, 1), 0);
	ck_assert_int_eq(fs_notify_ready(), ENOENT);
}
END_TEST

Suite *
fs_notify_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("fs_notify");
	tc = tcase_create("ready");
	tcase_add_checked_fixture(tc, nt_setup, nt_teardown);
	tcase_add_test(tc, test_notify_path);
	tcase_add_test(tc, test_notify_abstract);
	tcase_add_test(tc, test_notify_unset);
	tcase_add_test(tc, test_notify_bad);
	suite_add_tcase(s, tc);
	return (s);
}
