#!/bin/sh
# The version is written twice, in configure.ac (AC_INIT) and in the first
# entry of debian/changelog: they must agree, or make deb would build
# packages whose version is not the program's (-V).
set -eu
: "${abs_top_srcdir:?run through make check}"
: "${abs_top_builddir:?run through make check}"
pkg=$(sed -n '1s/^devpagerfs (\([^)]*\)) .*/\1/p' \
    "$abs_top_srcdir/debian/changelog")
prog=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$abs_top_builddir/config.h")
[ -n "$pkg" ] || { echo "FAIL: no version in debian/changelog"; exit 1; }
[ "$pkg" = "$prog" ] || {
	echo "FAIL: debian/changelog says $pkg, configure.ac $prog"; exit 1; }
exit 0
