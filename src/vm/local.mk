# The VM core: objects, pages, radix trie, physical memory, pagers.
# No FUSE header anywhere in src/vm.
src_libdevpager_a_SOURCES += \
	src/vm/vm.h \
	src/vm/vm_memattr.c \
	src/vm/vm_page.h \
	src/vm/vm_phys.h \
	src/vm/vm_radix.h \
	src/vm/pmap.h
src_libdevpager_a_SOURCES += src/vm/vm_object.h src/vm/vm_pager.h
src_libdevpager_a_SOURCES += src/vm/vm_page.c
src_libdevpager_a_SOURCES += src/vm/vm_radix.c
