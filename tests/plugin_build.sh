#!/bin/sh
# The example plugin builds out of tree against the *installed* headers:
# `make install-devpagerincludeHEADERS` into a temporary DESTDIR, then the
# example's own Makefile (examples/patterndrv/Makefile) with
# DEVPAGER_INCLUDE pointing there and nothing of the source tree.  The
# result exports the entry point and leaves the KPI undefined (the daemon
# provides it).
set -eu
: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpf-plugin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

${MAKE:-make} -s -C "$abs_top_builddir" install-devpagerincludeHEADERS \
    DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || \
    fail "installing the headers failed: $(cat "$tmp/install.log")"
hdr=$(find "$tmp/root" -path '*/devpager/devpager.h' | head -n 1)
[ -n "$hdr" ] || fail "devpager/devpager.h was not installed"
inc=${hdr%/devpager/devpager.h}

# The header stands alone (no daemon header, no FUSE, no liburcu).
grep -Eq '#include +"' "$hdr" && fail "devpager.h includes a private header"
grep -Eiq '^#include.*(fuse|urcu)' "$hdr" && \
    fail "devpager.h needs FUSE or urcu"

mkdir "$tmp/build"
${MAKE:-make} -s -C "$tmp/build" \
    -f "$abs_top_srcdir/examples/patterndrv/Makefile" \
    SRCDIR="$abs_top_srcdir/examples/patterndrv" DEVPAGER_INCLUDE="$inc" \
    CC="${CC:-cc}" CFLAGS="-O2 -Werror" >"$tmp/build.log" 2>&1 || \
    fail "building patterndrv failed: $(cat "$tmp/build.log")"
so="$tmp/build/patterndrv.so"
[ -f "$so" ] || fail "no patterndrv.so"
head -c 4 "$so" | od -An -c | grep -q 'E   L   F' || fail "not ELF"
if command -v nm >/dev/null 2>&1; then
	nm -D --defined-only "$so" | grep -q ' devpager_plugin$' || \
	    fail "patterndrv.so does not export devpager_plugin"
	nm -D --undefined-only "$so" | grep -q ' make_dev_s$' || \
	    fail "make_dev_s should be left to the daemon"
fi
exit 0
