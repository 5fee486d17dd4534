# The daemon: FUSE lowlevel operations around the VM core.
bin_PROGRAMS += devpagerfs
devpagerfs_SOURCES = src/fuse/main.c
devpagerfs_CPPFLAGS = $(FUSE_DAEMON_CPPFLAGS)
devpagerfs_LDADD = $(DAEMON_LIBS)

src_libdevpagerfs_a_SOURCES += \
	src/fuse/fs.h \
	src/fuse/fs_ctl.h \
	src/fuse/fs_device.c \
	src/fuse/fs_device.h \
	src/fuse/fs_devnode.c \
	src/fuse/fs_devnode.h \
	src/fuse/fs_inval.c \
	src/fuse/fs_inval.h \
	src/fuse/fs_node.h \
	src/fuse/fs_ops.c \
	src/fuse/fs_options.c \
	src/fuse/fs_options.h \
	src/fuse/fs_shutdown.c \
	src/fuse/fs_shutdown.h \
	src/fuse/fs_stats.c \
	src/fuse/fs_stats.h \
	src/fuse/fs_vfile.h \
	src/fuse/fs_vm.h \
	src/fuse/fs_vm_fail.c \
	src/fuse/fs_vm_misc.c \
	src/fuse/fs_vm_objects.c \
	src/fuse/fs_vm_tree.c
src_libdevpagerfs_a_SOURCES += src/fuse/fs_ctl.c src/fuse/fs_ctl_var.h \
	src/fuse/fs_config.c
src_libdevpagerfs_a_SOURCES += src/fuse/fs_notify.c src/fuse/fs_notify.h
src_libdevpagerfs_a_SOURCES += src/fuse/fs_pagebuf.c src/fuse/fs_pagebuf.h \
	src/fuse/fs_prefault.c src/fuse/fs_prefault.h src/fuse/fs_prefault_push.c

# mount(8) runs mount.fuse.devpagerfs for `-t fuse.devpagerfs` and fstab
# lines: it is the daemon under another name.
install-exec-hook: install-mount-helper
install-mount-helper:
	$(MKDIR_P) '$(DESTDIR)$(sbindir)'
	cd '$(DESTDIR)$(sbindir)' && rm -f mount.fuse.devpagerfs && \
	    $(LN_S) '$(bindir)/devpagerfs' mount.fuse.devpagerfs
uninstall-hook: uninstall-mount-helper
uninstall-mount-helper:
	rm -f '$(DESTDIR)$(sbindir)/mount.fuse.devpagerfs'
.PHONY: install-mount-helper uninstall-mount-helper
# Plugins (driver=/path/x.so) resolve the driver KPI against the daemon.
devpagerfs_LDFLAGS = $(AM_LDFLAGS) -rdynamic
