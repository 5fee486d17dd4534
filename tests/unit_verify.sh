#!/bin/sh
# systemd/devpagerfs@.service passes systemd-analyze verify, as a template
# and as an instance (devpagerfs@mnt-dp.service, /mnt/dp), without a
# single message; a broken copy does not, so the check can fail.  With
# man(1) there, the manual pages of Documentation= are looked up too, in
# the tree's man/ (they need not be installed).  Run by make check only
# when configure found systemd-analyze.
set -eu
: "${abs_top_builddir:?run through make check}"
: "${abs_top_srcdir:?run through make check}"
: "${SYSTEMD_ANALYZE:=systemd-analyze}"

unit="$abs_top_builddir/systemd/devpagerfs@.service"
[ -f "$unit" ] || { echo "FAIL: $unit was not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dpf-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The tree's manual pages as a MANPATH directory.
man=no
if command -v man >/dev/null 2>&1; then
	for page in "$abs_top_srcdir"/man/*.[0-9]; do
		sec=${page##*.}
		mkdir -p "$tmp/man/man$sec"
		cp "$page" "$tmp/man/man$sec/"
	done
	MANPATH="$tmp/man"
	export MANPATH
	man=yes
fi

# verify: no message at all, exit 0.
verify() {
	st=0
	"$SYSTEMD_ANALYZE" verify --man="$man" "$1" >"$tmp/out" 2>&1 || st=$?
	if [ "$st" -ne 0 ] || [ -s "$tmp/out" ]; then
		cat "$tmp/out"
		return 1
	fi
}

cp "$unit" "$tmp/devpagerfs@.service"
cp "$unit" "$tmp/devpagerfs@mnt-dp.service"
verify "$tmp/devpagerfs@.service" || {
	echo "FAIL: systemd-analyze verify devpagerfs@.service"; exit 1; }
verify "$tmp/devpagerfs@mnt-dp.service" || {
	echo "FAIL: systemd-analyze verify devpagerfs@mnt-dp.service"; exit 1; }

mkdir "$tmp/broken"
sed 's/^Type=notify$/Type=notifyy/' "$unit" >"$tmp/broken/devpagerfs@.service"
cmp -s "$unit" "$tmp/broken/devpagerfs@.service" && {
	echo "FAIL: the unit has no Type=notify line to break"; exit 1; }
if verify "$tmp/broken/devpagerfs@.service" >/dev/null; then
	echo "FAIL: systemd-analyze accepts a broken unit: the check is blind"
	exit 1
fi
exit 0
