/*
 * A driver added in the test program only: "echo", with keys of its own
 * -- socket=PATH (required, absolute) and the ram-like size= and memattr=,
 * the shape of an external pager's -- defined in this file and
 * registered by the one table line dev_test_drivers[] below.  Nothing in
 * src/fuse, src/ctl or src/dev knows it: create checks its keys through
 * its dd_check, `echo NAME VERB` reaches its dd_ctl, the config-file
 * check refuses its bad values before anything exists, and its dd_state
 * words end its line of vm/devices.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_devpager.h"
#include "check_drv_util.h"
#include "kern/conf.h"
#include "kern/sbuf.h"
#include "dev/dev_args.h"
#include "dev/dev_driver.h"
#include "fuse/fs_vm.h"
#include "vm/vm.h"

struct echo_softc {
	unsigned	 sc_pings;	/* (a) */
	char		 sc_socket[256];
	uint64_t	 sc_size;
	vm_memattr_t	 sc_memattr;
};

static struct cdevsw echo_cdevsw = {
	.d_version = D_VERSION,
	.d_name = "echo",
};

/* socket=, size= (64K by default), memattr= (uc by default). */
static int
echo_params(const struct dev_create_args *args, struct echo_softc *sc,
    struct sbuf *err)
{
	const char *sock;
	bool set;
	int error;

	sc->sc_size = 64 * 1024;
	sc->sc_memattr = VM_MEMATTR_UNCACHEABLE;
	sock = dev_create_args_get(args, "socket");
	if (sock == NULL) {
		sbuf_cat(err, "socket=PATH is required");
		return (EINVAL);
	}
	error = dev_arg_path("socket", sock, err);
	if (error == 0 && strlen(sock) >= sizeof(sc->sc_socket)) {
		sbuf_cat(err, "socket: path too long");
		error = EINVAL;
	}
	if (error == 0)
		error = dev_args_size(args, &sc->sc_size, &set, err);
	if (error == 0)
		error = dev_args_memattr(args, &sc->sc_memattr, &set, err);
	if (error == 0)
		strlcpy(sc->sc_socket, sock, sizeof(sc->sc_socket));
	sc->sc_size = round_page(sc->sc_size);
	return (error);
}

static int
echo_check(const struct dev_create_args *args, struct sbuf *err)
{
	struct echo_softc sc;

	return (echo_params(args, &sc, err));
}

static int
echo_create(const struct dev_create_args *args, const struct ucred *cred,
    struct cdev **devp, struct sbuf *err)
{
	struct make_dev_args mda;
	struct echo_softc *sc;
	int error;

	sc = calloc(1, sizeof(*sc));
	if (sc == NULL)
		return (ENOMEM);
	error = echo_params(args, sc, err);
	if (error == 0) {
		make_dev_args_init(&mda);
		mda.mda_devsw = &echo_cdevsw;
		dev_make_args_node(&mda, args, cred, 0600);
		mda.mda_si_drv1 = sc;
		mda.mda_dsize = sc->sc_size;
		mda.mda_memattr = sc->sc_memattr;
		error = make_dev_s(&mda, devp, "%s", args->name);
	}
	if (error != 0)
		free(sc);
	return (error);
}

static int
echo_destroy(struct cdev *dev, struct sbuf *err)
{
	struct echo_softc *sc = dev->si_drv1;

	(void)err;
	destroy_dev(dev);
	free(sc);
	return (0);
}

/* `echo NAME ping`: "pong socket=PATH". */
static int
echo_ctl(struct cdev *dev, int argc, char **argv, const struct ucred *cred,
    struct sbuf *out)
{
	struct echo_softc *sc = dev->si_drv1;

	(void)cred;
	if (argc != 1 || strcmp(argv[0], "ping") != 0) {
		sbuf_cat(out, "usage: echo NAME ping");
		return (EINVAL);
	}
	__atomic_add_fetch(&sc->sc_pings, 1, __ATOMIC_RELAXED);
	sbuf_printf(out, "pong socket=%s", sc->sc_socket);
	return (0);
}

/* vm/devices STATE: "socket=PATH,pings=N". */
static void
echo_state(struct cdev *dev, struct dev_state *ds)
{
	struct echo_softc *sc = dev->si_drv1;

	dev_state_word(ds, "socket=%s", sc->sc_socket);
	dev_state_word(ds, "pings=%u",
	    __atomic_load_n(&sc->sc_pings, __ATOMIC_RELAXED));
}

static const char *const echo_keys[] = { "socket", "size", "memattr", NULL };

static const struct dev_driver dev_echo_driver = {
	.dd_name = "echo",
	.dd_keys = echo_keys,
	.dd_check = echo_check,
	.dd_create = echo_create,
	.dd_destroy = echo_destroy,
	.dd_ctl = echo_ctl,
	.dd_set_memattr = dev_memattr_store,
	.dd_state = echo_state,
};

/* The table line. */
const struct dev_driver *const dev_test_drivers[] = { &dev_echo_driver, NULL };

/* The line of vm/devices that starts with name, without its newline. */
static void
devices_line(const char *name, char *line, size_t size)
{
	struct sbuf sb;
	char *p, *nl;
	size_t n;

	sbuf_init(&sb);
	ck_assert_int_eq(fs_vm_devices_generate(&sb, 0), 0);
	ck_assert_int_eq(sbuf_finish(&sb), 0);
	p = sbuf_data(&sb);
	ck_assert_ptr_nonnull(strstr(p, " MEMATTR STATE\n"));
	n = strlen(name);
	while (p != NULL && !(strncmp(p, name, n) == 0 && p[n] == ' '))
		p = (p = strchr(p, '\n')) != NULL ? p + 1 : NULL;
	ck_assert_msg(p != NULL, "%s is not in vm/devices", name);
	nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_lt((size_t)(nl - p), size);
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = '\0';
	sbuf_delete(&sb);
}

START_TEST(test_added_driver)
{
	struct cdev *dev;
	char line[256];

	ck_assert_ptr_eq(dev_driver_find("echo"), &dev_echo_driver);
	ck_assert_int_eq(drv_ctl("create e0 driver=echo socket=/run/pager.sock "
	    "size=128K memattr=wc mode=0640"), 0);
	dev = dev_lookup_ref("e0");
	ck_assert_ptr_nonnull(dev);
	ck_assert_uint_eq(dev->si_size, 128 * 1024);
	ck_assert_int_eq(dev->si_memattr, VM_MEMATTR_WRITE_COMBINING);
	ck_assert_uint_eq(dev->si_mode, 0640);
	dev_rel(dev);
	ck_assert_int_eq(drv_ctl("echo e0 ping"), 0);
	ck_assert_str_eq(drv_reply(), "pong socket=/run/pager.sock");
	ck_assert_int_eq(drv_ctl("memattr e0 uc"), 0);
	/*
	 * Its words end its line of vm/devices, after the prefault policy
	 * every device has; ram0 has no words of its own.
	 */
	devices_line("e0", line, sizeof(line));
	ck_assert_str_eq(line, "e0               echo        1 -         "
	    "             128K UC      prefault=none,socket=/run/pager.sock,"
	    "pings=1");
	devices_line("ram0", line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, " ram "));
	ck_assert_int_eq(strcmp(line + strlen(line) - 14, " prefault=open"),
	    0);
	ck_assert_int_eq(drv_ctl("destroy e0"), 0);
	ck_assert_ptr_null(dev_lookup_ref("e0"));
}
END_TEST

START_TEST(test_added_driver_refuses)
{

	drv_refused(EINVAL, "socket=PATH is required",
	    "create e1 driver=echo size=64K");
	drv_refused(EINVAL, "socket: path 'rel' is not absolute",
	    "create e1 driver=echo socket=rel");
	drv_refused(EINVAL, "size: bad size", "create e1 driver=echo "
	    "socket=/s size=lots");
	drv_refused(EINVAL, "unknown memattr 'purple'", "create e1 "
	    "driver=echo socket=/s memattr=purple");
	/* A key of another driver, and a key of none. */
	drv_refused(EINVAL, "driver 'echo' does not accept key 'width'",
	    "create e1 driver=echo socket=/s width=4");
	drv_refused(EINVAL, "unknown key 'colour'",
	    "create e1 driver=echo socket=/s colour=red");
	/* And ram does not take echo's key. */
	drv_refused(EINVAL, "driver 'ram' does not accept key 'socket'",
	    "create r1 driver=ram socket=/s");
	ck_assert_int_eq(drv_ctl("create e2 driver=echo socket=/s"), 0);
	drv_refused(EINVAL, "usage: echo NAME ping", "echo e2 frob");
	drv_refused(ENOENT, NULL, "echo e1 ping");
}
END_TEST

Suite *
dev_added_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("dev_added");
	tc = tcase_create("echo");
	tcase_add_checked_fixture(tc, drv_setup_defaults, drv_teardown);
	tcase_add_test(tc, test_added_driver);
	tcase_add_test(tc, test_added_driver_refuses);
	suite_add_tcase(s, tc);
	return (s);
}
