# The daemon: FUSE lowlevel operations around the VM core.
bin_PROGRAMS += devpagerfs
devpagerfs_SOURCES = src/fuse/main.c
devpagerfs_CPPFLAGS = $(FUSE_DAEMON_CPPFLAGS)
devpagerfs_LDADD = $(DAEMON_LIBS)

src_libdevpagerfs_a_SOURCES += \
	src/fuse/fs_placeholder.c
