#!/bin/sh
# vm/ctl: create/destroy lifecycle with EEXIST and ENOENT, replies and
# error messages read back on the same open file, and malformed commands
# each refused with nothing changed.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

dpf_mount -o entry_timeout=0,attr_timeout=0

state() {
	{ cat "$MNT/vm/devices"; cat "$MNT/vm/swap"; ls "$MNT/dev"; } \
	    >"$DPF_TMP/state.$1"
}

expect() {
	want=$1
	cmd=$2
	state before
	got=$(dpf_ctl -e "$cmd")
	code=${got%%	*}
	msg=${got#*	}
	[ "$code" = "$want" ] || fail "'$cmd': got $code ($msg), expected $want"
	if [ "$want" != 0 ]; then
		[ -n "$msg" ] || fail "'$cmd': no error message"
		state after
		cmp -s "$DPF_TMP/state.before" "$DPF_TMP/state.after" || \
		    fail "'$cmd' was refused but changed the state"
	fi
}

# Lifecycle.
expect 0 "create t0 driver=ram size=1M memattr=wb mode=0640"
[ -f "$MNT/dev/t0" ] || fail "dev/t0 did not appear"
[ "$(stat -c %s "$MNT/dev/t0")" -eq 1048576 ] || fail "t0 has the wrong size"
[ "$(stat -c %a "$MNT/dev/t0")" = 640 ] || fail "t0 has the wrong mode"
grep -q '^t0 ' "$MNT/vm/devices" || fail "t0 is not in vm/devices"
expect EEXIST "create t0 driver=ram size=1M"
expect 0 "memattr t0 uc"
expect 0 "revoke t0"
expect 0 "destroy t0"
[ ! -e "$MNT/dev/t0" ] || fail "dev/t0 is still there"
expect ENOENT "destroy t0"
expect 0 "swap limit uid=1234 size=4M"
grep -Eq '^ *1234 ' "$MNT/vm/swap" || fail "uid 1234 not in vm/swap"

# Malformed commands: refused, message readable, nothing changed.
long=$(python3 -c 'print("create x driver=ram " + "a" * 5000)')
for c in \
    "EINVAL|\\n" \
    "EINVAL|   " \
    "EINVAL|\\x00\\x01\\x02binary" \
    "EINVAL|create" \
    "EINVAL|create x" \
    "EINVAL|$long" \
    "EINVAL|create ../x driver=ram" \
    "EINVAL|create a/b driver=ram" \
    "EINVAL|create .. driver=ram" \
    "EINVAL|create $(printf 'n%.0s' $(seq 1 70)) driver=ram" \
    "ENOENT|create x driver=nosuch" \
    "EINVAL|create x driver=ram size=0" \
    "EINVAL|create x driver=ram size=1Q" \
    "EINVAL|create x driver=ram size=" \
    "EINVAL|create x driver=ram size=-1" \
    "EINVAL|create x driver=ram size=99999999999999999999" \
    "EINVAL|create x driver=ram colour=red" \
    "EINVAL|create x driver=ram size=1M size=2M" \
    "EINVAL|create x driver=ram mode=999" \
    "EINVAL|create x driver=ram uid=-5" \
    "EINVAL|create x\\x00y driver=ram" \
    "EINVAL|create x\\xff driver=ram" \
    "ENOENT|create x driver=ram\\xff" \
    "EINVAL|memattr ram0 purple" \
    "ENOENT|memattr nosuch wb" \
    "ENOENT|destroy nosuch" \
    "EBUSY|destroy mem" \
    "EINVAL|revoke ram0 offset=123" \
    "EINVAL|revoke ram0 offset=64M" \
    "EINVAL|swap limit uid=abc size=1M" \
    "EINVAL|swap limit size=1M" \
    "EINVAL|frobnicate ram0" \
    "EINVAL|gem" \
    ; do
	expect "${c%%|*}" "${c#*|}"
done
dpf_alive
dpf_unmount
exit 0
