# nothing yet

# The fault-path benchmark of issue 5 (helper BENCH): not built by `make`
# or `make check`; `make bench-fault` builds and runs it (bench/README.md).
EXTRA_PROGRAMS += bench/fault_bench bench/minfs
bench_fault_bench_SOURCES = bench/fault_bench.c
bench_minfs_SOURCES = bench/minfs.c
bench_minfs_CPPFLAGS = $(FUSE_DAEMON_CPPFLAGS)
bench_minfs_LDADD = src/libdevpager.a $(FUSE3_LIBS)
CLEANFILES += bench/fault_bench$(EXEEXT) bench/minfs$(EXEEXT)
EXTRA_DIST += bench/run-fault-bench.sh bench/README.md
# What the bench/run-*.sh scripts share: options, the mount, the clean-up.
EXTRA_DIST += bench/lib/mount.sh
bench-fault: bench/fault_bench$(EXEEXT) bench/minfs$(EXEEXT) devpagerfs$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run-fault-bench.sh --no-build -b '$(abs_top_builddir)' $(BENCH_FAULT_FLAGS)
.PHONY: bench-fault
bench_fault_bench_LDADD = src/libdevpager.a $(LIBBSD_LIBS)

# vm_lookup_bench (issue 3, helper VMB): the RCU lookups against a mutex
# baseline; `make bench` builds and runs it.
EXTRA_PROGRAMS += bench/vm_lookup_bench
bench_vm_lookup_bench_SOURCES = bench/vm_lookup_bench.c
bench_vm_lookup_bench_LDADD = $(CORE_LIBS)
CLEANFILES += bench/vm_lookup_bench$(EXEEXT)
bench: bench/vm_lookup_bench$(EXEEXT) bench-fault
	./bench/vm_lookup_bench $(BENCH_LOOKUP_FLAGS)
.PHONY: bench

# gem_rounds (issue 11, helper GEM): create/map/destroy rounds on one open
# of dev/gem0; `make bench-gem` builds and runs it on a fresh mount.  The
# regtest tests/regtest/gem_rounds.sh runs it too, so regtest builds it.
EXTRA_PROGRAMS += bench/gem_rounds
bench_gem_rounds_SOURCES = bench/gem_rounds.c
bench_gem_rounds_LDADD = $(LIBBSD_LIBS)
CLEANFILES += bench/gem_rounds$(EXEEXT)
EXTRA_DIST += bench/run-gem-rounds.sh
bench-gem: bench/gem_rounds$(EXEEXT) devpagerfs$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run-gem-rounds.sh --no-build -b '$(abs_top_builddir)' -- $(BENCH_GEM_FLAGS)
.PHONY: bench-gem
bench: bench-gem
regtest: bench/gem_rounds$(EXEEXT)

# listings_bench (issue 15, helper LISTINGS): the cost of reading vm/devices,
# vm/objects and vm/object/ID/info with 10 000 devices and objects;
# `make bench-listings` builds and runs it on a fresh mount.
EXTRA_PROGRAMS += bench/listings_bench
bench_listings_bench_SOURCES = bench/listings_bench.c
bench_listings_bench_LDADD = $(LIBBSD_LIBS)
CLEANFILES += bench/listings_bench$(EXEEXT)
EXTRA_DIST += bench/run-listings.sh
bench-listings: bench/listings_bench$(EXEEXT) devpagerfs$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run-listings.sh --no-build -b '$(abs_top_builddir)' -- $(BENCH_LISTINGS_FLAGS)
.PHONY: bench-listings
bench: bench-listings

# run-pager-bench.sh (issue 14): an external pager's cost per page against
# the ram driver, with fault_bench; `make bench-pager`.
EXTRA_DIST += bench/run-pager-bench.sh
bench-pager: bench/fault_bench$(EXEEXT) devpagerfs$(EXEEXT) \
    examples/pager-computed/pager_computed$(EXEEXT)
	$(SHELL) $(top_srcdir)/bench/run-pager-bench.sh --no-build -b '$(abs_top_builddir)' $(BENCH_PAGER_FLAGS)
.PHONY: bench-pager
