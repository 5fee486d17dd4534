#!/bin/sh
# Every third-party autoconf macro (AX_*) that configure.ac or a file in m4/
# uses must be defined by a file in m4/.  A build machine with
# autoconf-archive installed hides a missing file; a fresh machine fails at
# autoreconf ("macro AX_... is not defined").  Uses count as calls
# (AX_NAME( or, in configure.ac, AX_NAME alone on its line) and as
# AX_REQUIRE_DEFINED([AX_NAME]); comments and dnl remarks do not count.
set -eu
: "${abs_top_srcdir:?run through make check}"
cd "$abs_top_srcdir"

# The text of a file without comment lines and dnl remarks.
code() {
	sed -e 's/^[[:space:]]*#.*//' -e 's/\<dnl\>.*//' "$1"
}

uses() {
	for f in configure.ac m4/*.m4; do
		code "$f" | grep -oE '\<AX_[A-Z0-9_]+\(' | tr -d '(' |
		    sed "s|\$| $f|"
		code "$f" | grep -oE 'AX_REQUIRE_DEFINED\(\[?AX_[A-Z0-9_]+' |
		    sed -e 's/.*(\[*//' -e "s|\$| $f|"
	done
	code configure.ac | grep -oE '^[[:space:]]*AX_[A-Z0-9_]+[[:space:]]*$' |
	    tr -d ' \t' | sed 's|$| configure.ac|'
}

defined() {
	cat m4/*.m4 | grep -oE 'AC_DEFUN(_ONCE)?\(\[?AX_[A-Z0-9_]+' |
	    sed 's/.*(\[*//' | sort -u
}

defs=$(defined)
fail=0
checked=0
for pair in $(uses | sort -u | tr ' ' ':'); do
	m=${pair%%:*}
	where=${pair#*:}
	checked=$((checked + 1))
	if ! printf '%s\n' "$defs" | grep -qx "$m"; then
		echo "FAIL: autoconf macro $m is used in $where but no file" \
		    "in m4/ defines it (add the unmodified autoconf-archive" \
		    "file m4/$(echo "$m" | tr 'A-Z' 'a-z').m4)"
		fail=1
	fi
done
[ "$checked" -gt 0 ] || { echo "FAIL: found no AX_* use at all"; exit 1; }
[ "$fail" -eq 0 ] || exit 1
echo "PASS: $checked uses of AX_* macros, each defined in m4/"
