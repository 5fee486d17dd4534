# External pagers (devpager_protocol(5)).
#
# The protocol codec, shared by the daemon and libdevpager-pager; its
# header is installed for pagers that run a loop of their own.
devpagerinclude_HEADERS += include/devpager/pager_proto.h
src_libdevpager_a_SOURCES += src/libpager/pager_proto.c
dist_man_MANS += man/devpager_protocol.5

# The daemon's end of a pager's connection (no FUSE), for the pager
# driver.
src_libdevpager_a_SOURCES += src/dev/pager_conn.c src/dev/pager_conn.h
