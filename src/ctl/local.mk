# devpagerctl: the command-line client.  It only reads and writes files under
# a mount, so it links neither FUSE nor the VM core.  Everything but main()
# lives in a convenience library that the Check binary links too.
noinst_LIBRARIES += src/libdevpagerctl.a
src_libdevpagerctl_a_SOURCES = \
	src/ctl/ctl_buf.c \
	src/ctl/ctl_buf.h \
	src/ctl/ctl_cmd.c \
	src/ctl/ctl_cmd.h \
	src/ctl/ctl_io.c \
	src/ctl/ctl_io.h \
	src/ctl/ctl_json.c \
	src/ctl/ctl_json.h \
	src/ctl/ctl_mount.c \
	src/ctl/ctl_mount.h \
	src/ctl/ctl_text.c \
	src/ctl/ctl_text.h \
	src/ctl/ctl_top.c \
	src/ctl/ctl_top.h
# heatmap: the picture, its font, and the daemon's PNG encoder (which
# needs only zlib; it is compiled here too, not taken from the VM core).
src_libdevpagerctl_a_SOURCES += \
	src/ctl/ctl_canvas.c \
	src/ctl/ctl_canvas.h \
	src/ctl/ctl_font.c \
	src/ctl/ctl_font.h \
	src/ctl/ctl_heatmap.c \
	src/ctl/ctl_heatmap.h \
	src/dev/png_write.c \
	src/dev/png_write.h

bin_PROGRAMS += devpagerctl
devpagerctl_SOURCES = src/ctl/devpagerctl.c
devpagerctl_LDADD = src/libdevpagerctl.a $(ZLIB_LIBS)
