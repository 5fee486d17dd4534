# Kernel-like services: locks, sleep, refcounts, fail points, test hooks.
src_libdevpager_a_SOURCES += \
	src/kern/kassert.h \
	src/kern/kern_log.h \
	src/kern/kern_rcu.h \
	src/kern/lock.h \
	src/kern/mutex.h \
	src/kern/rwlock.h \
	src/kern/sleepqueue.h \
	src/kern/refcount.h \
	src/kern/fail.h \
	src/kern/test_hook.h \
	src/kern/ucred.h \
	src/kern/proc.h
src_libdevpager_a_SOURCES += src/kern/size.h src/kern/subr_size.c
src_libdevpager_a_SOURCES += src/kern/sbuf.h src/kern/subr_sbuf.c
src_libdevpager_a_SOURCES += src/kern/kern_log.c src/kern/kern_panic.c src/kern/kern_lock.c src/kern/kern_witness.c src/kern/kern_mutex.c src/kern/kern_rwlock.c src/kern/kern_sleepqueue.c src/kern/kern_fail.c src/kern/kern_test_hook.c src/kern/kern_thread.c src/kern/kern_rcu.c
src_libdevpager_a_SOURCES += src/kern/onfault.h src/kern/kern_onfault.c
src_libdevpager_a_SOURCES += src/kern/vm_types.h src/kern/conf.h src/kern/kern_conf.c src/kern/devfs.h src/kern/devfs_cdevpriv.c src/kern/sglist.h src/kern/subr_sglist.c
src_libdevpager_a_SOURCES += src/kern/trustpath.h src/kern/kern_trustpath.c
