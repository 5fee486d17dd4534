#!/bin/sh
# Issue 14 (make regtest): the external-pager mutation runs of make check,
# longer.  PAGER_FUZZ_ITERS (default 20000) malformed, truncated,
# oversized, out-of-order and duplicated messages against the daemon's
# end (Check pager_conn_mutations), a fifth of that against the C library
# (pager_client) and a tenth against the Python module; the seed
# is make check's unless DPF_FUZZ_SEED says otherwise.  Nothing may crash
# or leak (the ASan build runs the same), and every mutation must be
# caught.
set -eu
: "${abs_top_builddir:?}"
: "${abs_top_srcdir:?}"
ITERS=${PAGER_FUZZ_ITERS:-20000}
CHECK="$abs_top_builddir/tests/check_devpager"
export CK_TIMEOUT_MULTIPLIER="${CK_TIMEOUT_MULTIPLIER:-4}"

run_check() {
	suite=$1
	case_=$2
	iters=$3
	out=$(DPF_FUZZ_ITERS=$iters CK_RUN_SUITE=$suite CK_RUN_CASE=$case_ \
	    "$CHECK" 2>&1) || { echo "$out" | tail -n 40; \
	    echo "FAIL: $suite/$case_ with $iters iterations"; exit 1; }
	echo "$out" | grep -E '^[0-9]+%: Checks' || true
}

run_check pager_conn_mutations mutations "$ITERS"
run_check pager_client client $((ITERS / 5))
if command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
	DPF_FUZZ_ITERS=$((ITERS / 10)) abs_top_srcdir="$abs_top_srcdir" \
	    "${PYTHON:-python3}" "$abs_top_srcdir/tests/pager_python_proto.py"
fi
exit 0
