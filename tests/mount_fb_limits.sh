#!/bin/sh
# The fb width/height limit the manual pages give is the one the daemon
# enforces.  The limit is read from devpagerfs.conf(5) ("(1 to N)" for
# the fb keys) and devpagerfs_fb(4) ("are 1 to N pixels"); both must say
# the same.  Then, on a mount: width=N and height=N are accepted (the
# largest device, N x N at 32 bpp, too), N+1 and 2N are refused, by the
# ctl parser or the driver, with a message that gives N, and nothing is
# created.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

CONF5="$abs_top_srcdir/man/devpagerfs.conf.5"
FB4="$abs_top_srcdir/man/devpagerfs_fb.4"
conf_max=$(awk '/^\.It Cm fb$/ { f = 1 } f && /^\(1 to [0-9]+\)/ {
    sub(/^\(1 to /, ""); sub(/\).*/, ""); print; exit }' "$CONF5")
fb_max=$(sed -n 's/^are 1 to \([0-9][0-9]*\) pixels.*/\1/p' "$FB4" | \
    head -n 1)
[ -n "$conf_max" ] || fail "no fb width/height limit in devpagerfs.conf.5"
[ -n "$fb_max" ] || fail "no width/height limit in devpagerfs_fb.4"
[ "$conf_max" = "$fb_max" ] || \
    fail "devpagerfs.conf.5 says $conf_max, devpagerfs_fb.4 says $fb_max"
N=$conf_max

dpf_mount -o entry_timeout=0,attr_timeout=0

# expect ERRNO CMD [TEXT]: the result, and a reply containing TEXT.
expect() {
	got=$(dpf_ctl "$2")
	code=${got%%	*}
	REPLY=${got#*	}
	[ "$code" = "$1" ] || fail "'$2': got $code ($REPLY), expected $1"
	if [ $# -gt 2 ]; then
		case "$REPLY" in
		*"$3"*) ;;
		*) fail "'$2': reply '$REPLY' lacks '$3'" ;;
		esac
	fi
}

# The largest accepted, each way and both at once.
for geo in "width=$N height=1" "width=1 height=$N" \
    "width=$N height=$N bpp=32"; do
	expect 0 "create big driver=fb $geo"
	[ -e "$MNT/dev/big" ] || fail "'$geo' made no dev/big"
	expect 0 "destroy big"
done
# One more, and far more: refused, naming the limit, nothing created.
for geo in "width=$((N + 1)) height=1" "width=1 height=$((N + 1))" \
    "width=$((2 * N)) height=1" "width=$((2 * N + 1)) height=1"; do
	expect EINVAL "create big driver=fb $geo" "$N"
	[ ! -e "$MNT/dev/big" ] || fail "'$geo' made dev/big"
done
# The same limits from a configuration file, checked before mounting.
dpf_unmount
printf 'create big driver=fb width=%d height=1\n' "$((N + 1))" \
    >"$DPF_TMP/big.conf"
st=0
"$DPF" -f -o config="$DPF_TMP/big.conf" "$MNT" >"$DPF_TMP/out" 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "width $((N + 1)) in a config: exit $st, expected 1"
grep -q "$N" "$DPF_TMP/out" || \
    fail "the config refusal does not give $N: $(cat "$DPF_TMP/out")"
dpf_is_mounted "$MNT" && fail "mounted with width $((N + 1))"
printf 'create big driver=fb width=%d height=%d\n' "$N" "$N" \
    >"$DPF_TMP/max.conf"
dpf_mount -o config="$DPF_TMP/max.conf"
[ -e "$MNT/dev/big" ] || fail "width=height=$N in a config made no dev/big"
dpf_unmount
exit 0
