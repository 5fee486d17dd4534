#!/bin/sh
# Issue 14 (make regtest): the hostile pager against the mounted daemon
# (tests/mount_pager_hostile.sh), longer: PAGER_MOUNT_FUZZ_MSGS (default
# 6000) messages, make check's seed unless PAGER_MOUNT_FUZZ_SEED says
# otherwise.
set -eu
: "${abs_top_srcdir:?}"
PAGER_MOUNT_FUZZ_MSGS=${PAGER_MOUNT_FUZZ_MSGS:-6000}
export PAGER_MOUNT_FUZZ_MSGS
exec "${SHELL:-/bin/sh}" "$abs_top_srcdir/tests/mount_pager_hostile.sh"
