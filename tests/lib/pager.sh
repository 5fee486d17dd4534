# Helpers of the pager mount tests, sourced after tests/lib/mount.sh.
#	pager_start NAME CMD...	start a pager in the background (its pid in
#				$PAGER_PID, its stderr in $DPF_TMP/NAME.err)
#				and wait until its socket $DPF_TMP/NAME.sock
#				is there
#	pager_stop [SIG]	signal it (TERM) and reap it
#	pager_state DEV		the STATE column of DEV in vm/devices
#	pager_word DEV KEY	one key=value of it: the value
#	wait_for CMD...		retry CMD for up to 20 s
#	stat_of KEY		a counter of vm/stats
# and sets the EXIT trap (pager_exit): the pager is killed, then the
# daemon unmounted as tests/lib/mount.sh does.
# shellcheck shell=sh

PAGER_PID=
PAGER_CHECK="$abs_top_srcdir/tests/pager_check.py"
PAGER_STORE="$abs_top_srcdir/tests/pager_store.py"

# The EXIT trap of a pager test: the pager first, then dpf_cleanup with
# the test's status (set -e must not end the trap early).
pager_exit() {
	_st=$?
	set +e
	[ ! -n "${DPF_STOP_FILE:-}" ] || touch "$DPF_STOP_FILE"
	pager_cleanup
	(exit "$_st")
	dpf_cleanup
}

pager_cleanup() {
	if [ -n "$PAGER_PID" ]; then
		kill -KILL "$PAGER_PID" 2>/dev/null || true
		wait "$PAGER_PID" 2>/dev/null || true
		PAGER_PID=
	fi
}

pager_start() {
	pager_name=$1
	shift
	"$@" 2>"$DPF_TMP/$pager_name.err" &
	PAGER_PID=$!
	i=0
	while [ ! -S "$DPF_TMP/$pager_name.sock" ]; do
		kill -0 "$PAGER_PID" 2>/dev/null || {
			cat "$DPF_TMP/$pager_name.err"
			fail "pager $pager_name died at start"
		}
		i=$((i + 1))
		[ "$i" -le 400 ] || fail "pager $pager_name did not listen"
		sleep 0.05
	done
}

pager_stop() {
	kill -"${1:-TERM}" "$PAGER_PID" 2>/dev/null || true
	wait "$PAGER_PID" 2>/dev/null || true
	PAGER_PID=
}

pager_state() {
	awk -v d="$1" '$1 == d { print $NF }' "$MNT/vm/devices"
}

pager_word() {
	pager_state "$1" | tr ',' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'
}

wait_for() {
	i=0
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le 400 ] || return 1
		sleep 0.05
	done
}

stat_of() {
	awk -v k="$1:" '$1 == k { print $2 }' "$MNT/vm/stats"
}

trap pager_exit EXIT
