#!/bin/sh
# The example plugin builds out of tree against the *installed* headers,
# found through the installed pkg-config file: the headers and devpager.pc
# are installed into a temporary DESTDIR, pkg-config is pointed at that
# devpager.pc alone (PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR), and the
# example's own Makefile (examples/patterndrv/Makefile) builds with what it
# says and nothing of the source tree.  The result exports the entry point
# and leaves the KPI undefined (the daemon provides it).
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
    install-pkgconfigDATA DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || \
    fail "installing the headers failed: $(cat "$tmp/install.log")"
hdr=$(find "$tmp/root" -path '*/devpager/devpager.h' | head -n 1)
[ -n "$hdr" ] || fail "devpager/devpager.h was not installed"
inc=${hdr%/devpager/devpager.h}
pc=$(find "$tmp/root" -name devpager.pc | head -n 1)
[ -n "$pc" ] || fail "devpager.pc was not installed"

# pkg-config sees only the installed file; its paths are under DESTDIR.
PKG_CONFIG_LIBDIR=${pc%/devpager.pc}
PKG_CONFIG_SYSROOT_DIR="$tmp/root"
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
unset PKG_CONFIG_PATH
cflags=$(pkg-config --cflags devpager) || fail "pkg-config --cflags devpager"
cflags=$(printf '%s' "$cflags" | sed 's/[[:space:]]*$//')	# pkgconf: a blank
[ "$cflags" = "-I$inc" ] ||
    fail "pkg-config --cflags devpager says '$cflags', not -I$inc"
[ -z "$(pkg-config --libs devpager | tr -d '[:space:]')" ] ||
    fail "devpager.pc has Libs: plugins link no library"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$abs_top_builddir/config.h")
[ "$(pkg-config --modversion devpager)" = "$version" ] ||
    fail "devpager.pc version $(pkg-config --modversion devpager), not $version"
kpi=$(awk '$1 == "#define" && $2 == "DEVPAGER_KPI_VERSION" { print $3 }' \
    "$hdr")
[ "$(pkg-config --variable=kpi_version devpager)" = "$kpi" ] ||
    fail "devpager.pc kpi_version is not the header's $kpi"

# The header stands alone (no daemon header, no FUSE, no liburcu).
grep -Eq '#include +"' "$hdr" && fail "devpager.h includes a private header"
grep -Eiq '^#include.*(fuse|urcu)' "$hdr" && \
    fail "devpager.h needs FUSE or urcu"

mkdir "$tmp/build"
MAKEFLAGS='' ${MAKE:-make} -C "$tmp/build" \
    -f "$abs_top_srcdir/examples/patterndrv/Makefile" \
    SRCDIR="$abs_top_srcdir/examples/patterndrv" \
    CC="${CC:-cc}" CFLAGS="-O2 -Werror" >"$tmp/build.log" 2>&1 || \
    fail "building patterndrv failed: $(cat "$tmp/build.log")"
# The compiler got the headers from pkg-config's answer.
grep -qe "-I$inc " "$tmp/build.log" ||
    fail "patterndrv was not built with -I$inc: $(cat "$tmp/build.log")"
so="$tmp/build/patterndrv.so"
[ -f "$so" ] || fail "no patterndrv.so"
head -c 4 "$so" | od -An -c | grep -q 'E   L   F' || fail "not ELF"
if command -v nm >/dev/null 2>&1; then
	nm -D --defined-only "$so" | grep -q ' devpager_plugin$' || \
	    fail "patterndrv.so does not export devpager_plugin"
	nm -D --undefined-only "$so" | grep -q ' make_dev_s$' || \
	    fail "make_dev_s should be left to the daemon"
fi

# Without a devpager.pc the example says what is missing.
PKG_CONFIG_LIBDIR="$tmp/empty"
mkdir "$tmp/empty" "$tmp/build2"
if MAKEFLAGS='' ${MAKE:-make} -C "$tmp/build2" \
    -f "$abs_top_srcdir/examples/patterndrv/Makefile" \
    SRCDIR="$abs_top_srcdir/examples/patterndrv" \
    CC="${CC:-cc}" >"$tmp/build2.log" 2>&1; then
	fail "patterndrv built without devpager.pc"
fi
grep -q "finds no devpager.pc" "$tmp/build2.log" ||
    fail "no clear message without devpager.pc: $(cat "$tmp/build2.log")"
exit 0
