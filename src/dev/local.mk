# Drivers: the driver and device tables, mem, ram.  No FUSE header here.
src_libdevpager_a_SOURCES += \
	src/dev/dev_args.h \
	src/dev/dev_args.c \
	src/dev/dev_driver.h \
	src/dev/dev_driver.c \
	src/dev/dev_mem.c \
	src/dev/dev_ram.c
src_libdevpager_a_SOURCES += src/dev/dev_fb.c src/dev/dev_fb.h src/dev/png_write.c src/dev/png_write.h
src_libdevpager_a_SOURCES += src/dev/dev_gem.h src/dev/dev_gem.c src/dev/dev_gem_bo.c src/dev/dev_gem_file.c src/dev/dev_gem_pager.c
src_libdevpager_a_SOURCES += src/dev/dev_plugin.c src/dev/dev_plugin.h src/dev/dev_kpi.c
src_libdevpager_a_SOURCES += src/dev/dev_pager.c
