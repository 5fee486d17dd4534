# External pagers (devpager_protocol(5)).
#
# The protocol codec, shared by the daemon and libdevpager-pager; its
# header is installed for pagers that run a loop of their own.  The
# send and receive loops (pager_io) are shared too, not installed.
devpagerinclude_HEADERS += include/devpager/pager_proto.h
src_libdevpager_a_SOURCES += src/libpager/pager_proto.c \
	src/libpager/pager_io.c src/libpager/pager_io.h
dist_man_MANS += man/devpager_protocol.5

# The daemon's end of a pager's connection (no FUSE), for the pager
# driver.
src_libdevpager_a_SOURCES += src/dev/pager_conn.c src/dev/pager_conn.h

# libdevpager-pager: the pager's end of the protocol, a shared library
# for pagers written in C, with its pkg-config file devpager-pager.pc
# (named apart from devpager.pc, the driver KPI's).  The codec and the
# I/O loops are compiled into it too.
lib_LTLIBRARIES = src/libpager/libdevpager-pager.la
src_libpager_libdevpager_pager_la_SOURCES = \
	src/libpager/pager.c \
	src/libpager/pager_io.c src/libpager/pager_io.h \
	src/libpager/pager_proto.c
src_libpager_libdevpager_pager_la_CPPFLAGS = -I$(top_srcdir)/include
src_libpager_libdevpager_pager_la_CFLAGS = $(WARN_CFLAGS) $(SAN_CFLAGS) \
	$(PTHREAD_CFLAGS)
src_libpager_libdevpager_pager_la_LDFLAGS = $(SAN_LDFLAGS) \
	-version-info 0:0:0 -export-symbols-regex '^(dpp|devpager_pager)_' \
	$(PTHREAD_CFLAGS)
src_libpager_libdevpager_pager_la_LIBADD = $(PTHREAD_LIBS)
devpagerinclude_HEADERS += include/devpager/pager.h
devpagerpcdir = $(libdir)/pkgconfig
devpagerpc_DATA = src/libpager/devpager-pager.pc
EXTRA_DIST += src/libpager/devpager-pager.pc.in
dist_man_MANS += man/devpager_pager.3

# The Python module (standard library only): the same protocol, the
# same shape.  Installed when configure found python3.
if HAVE_PYTHON
python_PYTHON = python/devpager_pager.py
endif
EXTRA_DIST += python/devpager_pager.py
dist_man_MANS += man/devpager_pager.py.3
