#!/bin/sh
# libdevpager-pager as a user gets it: `make install` of the library, its
# headers and devpager-pager.pc into a temporary DESTDIR, then the C
# example's own Makefile (examples/pager-computed/Makefile) with nothing
# but pkg-config pointing there.  The headers stand alone, the program
# needs libdevpager-pager.so.0, the library exports only dpp_* and
# devpager_pager_*, and the installed program serves a device
# (tests/pager_tool checks its pages).
set -eu
: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpf-pgbuild.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; \
	    wait "$pid" 2>/dev/null || true; }
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; \
    exit 77; }

${MAKE:-make} -s -C "$abs_top_builddir" install-libLTLIBRARIES \
    install-devpagerincludeHEADERS install-devpagerpcDATA \
    DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || \
    fail "installing failed: $(cat "$tmp/install.log")"
pc=$(find "$tmp/root" -name devpager-pager.pc | head -n 1)
[ -n "$pc" ] || fail "devpager-pager.pc was not installed"
for h in pager.h pager_proto.h; do
	f=$(find "$tmp/root" -path "*/devpager/$h" | head -n 1)
	[ -n "$f" ] || fail "devpager/$h was not installed"
	grep -Eq '#include +"' "$f" && fail "$h includes a private header"
done
so=$(find "$tmp/root" -name 'libdevpager-pager.so.0' | head -n 1)
[ -n "$so" ] || fail "libdevpager-pager.so.0 was not installed"
libdir=$(dirname "$so")
if command -v nm >/dev/null 2>&1; then
	extra=$(nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' |
	    grep -Ev '^(dpp|devpager_pager)_' || true)
	[ -z "$extra" ] || fail "the library exports $extra"
	nm -D --defined-only "$so" | grep -q ' devpager_pager_run$' || \
	    fail "devpager_pager_run is not exported"
fi

export PKG_CONFIG_PATH="$(dirname "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$tmp/root"
mkdir "$tmp/build"
${MAKE:-make} -s -C "$tmp/build" \
    -f "$abs_top_srcdir/examples/pager-computed/Makefile" \
    SRCDIR="$abs_top_srcdir/examples/pager-computed" CC="${CC:-cc}" \
    CFLAGS="-O2 -Werror ${SAN_CFLAGS:-}" LDFLAGS="${SAN_LDFLAGS:-}" \
    >"$tmp/build.log" 2>&1 || \
    fail "building pager_computed failed: $(cat "$tmp/build.log")"
prog="$tmp/build/pager_computed"
[ -x "$prog" ] || fail "no pager_computed"
if command -v readelf >/dev/null 2>&1; then
	readelf -d "$prog" | grep -q 'NEEDED.*libdevpager-pager\.so\.0' || \
	    fail "pager_computed does not need libdevpager-pager.so.0"
fi

LD_LIBRARY_PATH="$libdir" "$prog" -s 5 "$tmp/sock" 2>"$tmp/err" &
pid=$!
i=0
until [ -S "$tmp/sock" ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "pager_computed did not listen: $(cat "$tmp/err")"
	sleep 0.05
done
"$abs_top_builddir/tests/pager_tool" -m 32K "$tmp/sock" pat9 64K \
    verify 0 32K 5 >"$tmp/out"
grep -qx "verify 0 32K 5: ok" "$tmp/out" || fail "$(cat "$tmp/out")"
kill "$pid"
wait "$pid" || fail "pager_computed did not exit 0 on SIGTERM"
pid=
[ ! -e "$tmp/sock" ] || fail "pager_computed left its socket behind"
exit 0
