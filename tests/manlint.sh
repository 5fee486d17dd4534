#!/bin/sh
# Lint every manual page with mandoc at warning level; any output fails.
set -eu
: "${abs_top_srcdir:?}"
: "${MANDOC:=mandoc}"
out=$("$MANDOC" -Tlint -Wwarning "$abs_top_srcdir"/man/*.[0-9] 2>&1) || true
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	exit 1
fi
exit 0
