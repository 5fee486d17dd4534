# The systemd unit: devpagerfs@.service, a template whose instance is the
# escaped mount point (devpagerfs(8)).  The daemon's installed path is
# filled in when it is built; make check verifies it with systemd-analyze
# when that is there (tests/unit_verify.sh).
EXTRA_DIST += systemd/devpagerfs@.service.in
CLEANFILES += systemd/devpagerfs@.service
if INSTALL_SYSTEMD_UNIT
systemdsystemunit_DATA = systemd/devpagerfs@.service
else
noinst_DATA = systemd/devpagerfs@.service
endif
check_DATA = systemd/devpagerfs@.service

systemd/devpagerfs@.service: $(srcdir)/systemd/devpagerfs@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@bindir[@]|$(bindir)|g' \
	    '$(srcdir)/systemd/devpagerfs@.service.in' >$@.tmp && mv $@.tmp $@

if HAVE_SYSTEMD_ANALYZE
TESTS += tests/unit_verify.sh
endif
dist_check_SCRIPTS += tests/unit_verify.sh
AM_TESTS_ENVIRONMENT += \
	SYSTEMD_ANALYZE='$(SYSTEMD_ANALYZE)'; export SYSTEMD_ANALYZE;
