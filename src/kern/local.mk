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
