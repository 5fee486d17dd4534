# Tests: one Check binary (TAP) plus shell tests that mount the daemon.

check_PROGRAMS += tests/check_devpager
tests_check_devpager_SOURCES = tests/check_main.c tests/check_devpager.h \
	tests/suites.h tests/check_harness.c \
	tests/check_vm_util.h tests/check_vm_util.c
tests_check_devpager_CPPFLAGS = $(FUSE_DAEMON_CPPFLAGS) -I$(top_srcdir)/tests
tests_check_devpager_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_devpager_LDADD = $(DAEMON_LIBS) $(CHECK_LIBS)

# Mount tests (shell); each sources tests/lib/mount.sh.
MOUNT_TESTS = \
	tests/mount_basic.sh \
	tests/mount_options.sh \
	tests/mount_dev_ram.sh \
	tests/mount_fio.sh \
	tests/mount_concurrent.sh \
	tests/mount_access.sh \
	tests/mount_ctl.sh \
	tests/mount_caching.sh \
	tests/mount_backing.sh \
	tests/mount_backing_errors.sh \
	tests/mount_placeholder.sh \
	tests/mount_fault_errors.sh \
	tests/mount_listings.sh \
	tests/mount_dev_ids.sh
MOUNT_TESTS += tests/mount_prefault.sh tests/mount_prefault_rss.sh

TESTS += tests/check_devpager $(MOUNT_TESTS)
dist_check_SCRIPTS += $(MOUNT_TESTS)
if HAVE_MANDOC
TESTS += tests/manlint.sh
endif
dist_check_SCRIPTS += tests/manlint.sh
# Every AX_* autoconf macro in use is defined by a file in m4/.
TESTS += tests/m4_macros.sh
dist_check_SCRIPTS += tests/m4_macros.sh

TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(SHELL) $(top_srcdir)/build-aux/test-driver
AM_TESTS_ENVIRONMENT = \
	abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir; \
	abs_top_srcdir='$(abs_top_srcdir)'; export abs_top_srcdir; \
	FUSERMOUNT3='$(FUSERMOUNT3)'; export FUSERMOUNT3; \
	MANDOC='$(MANDOC)'; export MANDOC; \
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-@CHECK_TIMEOUT_MULTIPLIER@}; \
	export CK_TIMEOUT_MULTIPLIER;

# Slow soaks and stress, run by `make regtest` (and by .ci/run), not by
# `make check`.
dist_check_SCRIPTS += $(REGTESTS)
regtest: all $(check_PROGRAMS)
	@fail=0; pass=0; \
	for t in $(REGTESTS); do \
		if abs_top_builddir='$(abs_top_builddir)' \
		    abs_top_srcdir='$(abs_top_srcdir)' \
		    FUSERMOUNT3='$(FUSERMOUNT3)' \
		    $(SHELL) $(top_srcdir)/$$t; then \
			echo "PASS: $$t"; pass=$$((pass + 1)); \
		else \
			echo "FAIL: $$t"; fail=$$((fail + 1)); \
		fi; \
	done; \
	echo "regtest: $$pass passed, $$fail failed"; \
	test $$fail -eq 0
.PHONY: regtest
tests_check_devpager_SOURCES += tests/check_subr.c tests/check_fs_options.c
tests_check_devpager_SOURCES += tests/check_fs_inval.c
tests_check_devpager_SOURCES += tests/check_fs_prefault.c
tests_check_devpager_SOURCES += tests/check_vm_radix.c
tests_check_devpager_SOURCES += tests/check_kern_lock.c tests/check_kern_witness.c tests/check_kern_sleep.c tests/check_kern_refcount.c tests/check_kern_fail.c tests/check_kern_test_hook.c tests/check_kern_rcu.c tests/check_kern_onfault.c
tests_check_devpager_SOURCES += tests/check_vm_page.c
tests_check_devpager_SOURCES += tests/check_vm_object.c
tests_check_devpager_SOURCES += tests/check_vm_phys.c tests/check_pmap.c
tests_check_devpager_SOURCES += tests/check_vm_pager.c
tests_check_devpager_SOURCES += tests/check_kern_conf.c
tests_check_devpager_SOURCES += tests/check_swap.c tests/check_vm_fault.c tests/check_vm_map.c
tests_check_devpager_SOURCES += tests/check_ctl_client.c
tests_check_devpager_LDADD += src/libdevpagerctl.a
TESTS += tests/mount_ctl_client.sh
dist_check_SCRIPTS += tests/mount_ctl_client.sh
tests_check_devpager_SOURCES += tests/check_dev_util.h tests/check_dev_util.c tests/check_device_pager.c tests/check_dev_races.c
tests_check_devpager_SOURCES += tests/check_sg_pager.c

# A helper the mount tests run to touch device files through mmap(2).
check_PROGRAMS += tests/mmap_tool
tests_mmap_tool_SOURCES = tests/mmap_tool.c
tests_check_devpager_SOURCES += tests/check_drv_util.c tests/check_drv_util.h tests/check_drv_sock.c tests/check_drv_sock.h tests/check_fs_ctl.c tests/check_fs_ctl_fuzz.c tests/check_fuzz.c tests/check_fuzz.h tests/check_fs_config.c tests/check_dev_mem.c tests/check_dev_ram.c

# Slow soaks (make regtest, run by .ci/run).
REGTESTS += tests/regtest/soak_faults.sh tests/regtest/gem_rounds.sh

# Shutdown: signals with dirty mapped pages, unmount paths, the bound;
# SIGKILL crash consistency.
TESTS += tests/mount_shutdown.sh
dist_check_SCRIPTS += tests/mount_shutdown.sh
REGTESTS += tests/regtest/crash_consistency.sh tests/regtest/shutdown_limit.sh
tests_check_devpager_SOURCES += tests/check_dev_fb.c tests/png_read.c tests/png_read.h
tests_check_devpager_SOURCES += tests/check_gem_util.h tests/check_gem_util.c tests/check_dev_gem.c tests/check_dev_gem_move.c tests/check_dev_gem_file.c tests/check_fs_devnode.c
TESTS += tests/mount_gem.sh tests/mount_gem_private.sh
dist_check_SCRIPTS += tests/mount_gem.sh tests/mount_gem_private.sh

# Plugins: the example driver and the loader test plugins, built against
# include/devpager only (no src/), like any out-of-tree driver; the test
# binary exports the driver KPI to them as the daemon does (-rdynamic).
tests_check_devpager_SOURCES += tests/check_dev_kpi.c tests/check_dev_plugin.c tests/check_dev_added.c
tests_check_devpager_LDFLAGS = $(AM_LDFLAGS) -rdynamic
PLUGINFLAGS_CPP = -I$(top_srcdir)/include
PLUGINFLAGS_C = -fPIC $(WARN_CFLAGS) $(PTHREAD_CFLAGS)
PLUGINFLAGS_LD = -shared $(PTHREAD_CFLAGS)
check_PROGRAMS += examples/patterndrv/patterndrv.so \
	tests/plugins/testplug.so tests/plugins/testplug_badver.so \
	tests/plugins/testplug_noentry.so tests/plugins/testplug_undef.so \
	tests/plugins/testplug_fail.so tests/plugins/testplug_wrongname.so \
	tests/plugins/testplug_incomplete.so tests/plugins/testplug_nodelete.so
EXTRA_DIST += examples/patterndrv/Makefile
examples_patterndrv_patterndrv_so_SOURCES = examples/patterndrv/patterndrv.c
examples_patterndrv_patterndrv_so_CPPFLAGS = $(PLUGINFLAGS_CPP)
examples_patterndrv_patterndrv_so_CFLAGS = $(PLUGINFLAGS_C)
examples_patterndrv_patterndrv_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_so_CPPFLAGS = $(PLUGINFLAGS_CPP)
tests_plugins_testplug_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_badver_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_badver_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_BADVER
tests_plugins_testplug_badver_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_badver_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_noentry_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_noentry_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_NOENTRY
tests_plugins_testplug_noentry_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_noentry_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_undef_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_undef_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_UNDEF
tests_plugins_testplug_undef_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_undef_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_fail_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_fail_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_FAIL
tests_plugins_testplug_fail_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_fail_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_wrongname_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_wrongname_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_WRONGNAME
tests_plugins_testplug_wrongname_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_wrongname_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_incomplete_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_incomplete_so_CPPFLAGS = $(PLUGINFLAGS_CPP) -DTESTPLUG_INCOMPLETE
tests_plugins_testplug_incomplete_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_incomplete_so_LDFLAGS = $(PLUGINFLAGS_LD)
tests_plugins_testplug_nodelete_so_SOURCES = tests/plugins/testplug.c
tests_plugins_testplug_nodelete_so_CPPFLAGS = $(PLUGINFLAGS_CPP)
tests_plugins_testplug_nodelete_so_CFLAGS = $(PLUGINFLAGS_C)
tests_plugins_testplug_nodelete_so_LDFLAGS = $(PLUGINFLAGS_LD) -Wl,-z,nodelete
TESTS += tests/mount_fb.sh tests/mount_plugin.sh tests/plugin_build.sh
dist_check_SCRIPTS += tests/mount_fb.sh tests/mount_plugin.sh tests/plugin_build.sh
TESTS += tests/mount_fb_formats.sh
dist_check_SCRIPTS += tests/mount_fb_formats.sh
# ioctl(2) requests as FreeBSD's d_ioctl receives them: the kern layer
# (devfs_ioctl_user) and through the mount.
tests_check_devpager_SOURCES += tests/check_kern_ioctl.c
TESTS += tests/mount_ioctl.sh
dist_check_SCRIPTS += tests/mount_ioctl.sh
# No vm/ file shows an address of the daemon's memory.
TESTS += tests/mount_vm_noaddr.sh
dist_check_SCRIPTS += tests/mount_vm_noaddr.sh
# The fb limits in the manual pages are the daemon's.
TESTS += tests/mount_fb_limits.sh
dist_check_SCRIPTS += tests/mount_fb_limits.sh
# The text of vm/object/<ID>/{info,pages} from real objects.
tests_check_devpager_SOURCES += tests/check_fs_vm_objects.c

# devpagerctl heatmap: the picture and its data (Check), and against a
# mount, with png_probe reading the PNG through the tests' own decoder.
tests_check_devpager_SOURCES += tests/check_ctl_heatmap.c
check_PROGRAMS += tests/png_probe
tests_png_probe_SOURCES = tests/png_probe.c tests/png_read.c tests/png_read.h
tests_png_probe_LDADD = $(ZLIB_LIBS)
TESTS += tests/mount_heatmap.sh
dist_check_SCRIPTS += tests/mount_heatmap.sh

# Readiness notification for Type=notify services (systemd/local.mk has
# the unit).
tests_check_devpager_SOURCES += tests/check_fs_notify.c
TESTS += tests/mount_notify.sh
dist_check_SCRIPTS += tests/mount_notify.sh

# The tests that do not mount FUSE (every mount test is tests/mount_*.sh):
# what a package build runs (debian/rules), where /dev/fuse is absent or
# not the builder's to use.
check-nomount:
	$(MAKE) $(AM_MAKEFLAGS) check \
	    TESTS='$(filter-out tests/mount_%.sh,$(TESTS))'
.PHONY: check-nomount
TESTS += tests/deb_version.sh
dist_check_SCRIPTS += tests/deb_version.sh
# External pagers (issue #14): the wire codec.
tests_check_devpager_SOURCES += tests/check_pager_proto.c
# The daemon's end of a pager's connection, against a scripted pager:
# requests and answers, timeouts, violations, lock requests, the
# mutation run.
tests_check_devpager_SOURCES += tests/check_pager_conn.c \
	tests/check_pager_conn_timeouts.c tests/check_pager_conn_violations.c \
	tests/check_pager_conn_locks.c tests/check_pager_conn_mutations.c \
	tests/check_pager_conn_util.c tests/check_pager_conn_util.h \
	tests/check_pager_peer.c tests/check_pager_peer.h
# The C library, compiled into the test binary (as into
# libdevpager-pager.so), against the daemon's end.
tests_check_devpager_SOURCES += tests/check_pager_client.c \
	src/libpager/pager.c
# libtool (LT_INIT, for libdevpager-pager) links every program and takes
# -shared as its own option, dropping it: hand it to the compiler
# driver, so that the plugins above stay shared objects.
PLUGINFLAGS_LD += -Xcompiler -shared
# The daemon's end as a program (tests/pager_tool), so that the shell
# tests run the C example, linked with the library, and the Python module
# and example against it with no mount; the library, installed, builds
# and runs the C example through pkg-config.
check_PROGRAMS += tests/pager_tool examples/pager-computed/pager_computed
tests_pager_tool_SOURCES = tests/pager_tool.c
tests_pager_tool_LDADD = $(CORE_LIBS)
examples_pager_computed_pager_computed_SOURCES = \
	examples/pager-computed/pager_computed.c
examples_pager_computed_pager_computed_CPPFLAGS = -I$(top_srcdir)/include
examples_pager_computed_pager_computed_LDADD = \
	src/libpager/libdevpager-pager.la
TESTS += tests/pager_interop.sh tests/pager_build.sh
dist_check_SCRIPTS += tests/pager_interop.sh tests/pager_build.sh
EXTRA_DIST += tests/pager_python_proto.py examples/pager_mirror.py \
	examples/pager-computed/Makefile
AM_TESTS_ENVIRONMENT += PYTHON='$(PYTHON)'; export PYTHON; \
	SAN_CFLAGS='$(SAN_CFLAGS)'; export SAN_CFLAGS; \
	SAN_LDFLAGS='$(SAN_LDFLAGS)'; export SAN_LDFLAGS;
# The pager mutation runs, longer (PAGER_FUZZ_ITERS).
REGTESTS += tests/regtest/pager_fuzz.sh tests/regtest/pager_mount_fuzz.sh
# The pager driver through the mount: a Python and a C pager, and a
# hostile one (issue 14).
TESTS += tests/mount_pager_python.sh tests/mount_pager_c.sh \
	tests/mount_pager_hostile.sh
dist_check_SCRIPTS += tests/mount_pager_python.sh tests/mount_pager_c.sh \
	tests/mount_pager_hostile.sh
EXTRA_DIST += tests/lib/pager.sh tests/pager_store.py tests/pager_check.py \
	tests/pager_hostile.py
