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
src_libdevpager_a_SOURCES += src/vm/vm_phys.c src/vm/vm_phys_var.h src/vm/vm_phys_window.c src/vm/vm_phys_copy.c src/vm/vm_phys_fictitious.c src/vm/pmap.c
src_libdevpager_a_SOURCES += src/vm/vm_object.c src/vm/vm_pager.c src/vm/swap_pager.c src/vm/phys_pager.c src/vm/swap_reserve.h src/vm/swap_reserve.c src/vm/vm_fault.h src/vm/vm_fault.c src/vm/vm_init.h src/vm/vm_init.c
src_libdevpager_a_SOURCES += src/vm/device_pager.h src/vm/device_pager.c src/vm/sg_pager.c src/vm/vm_mmap.h src/vm/vm_mmap.c src/vm/vm_map.h src/vm/vm_map.c
