#!/bin/sh
# Plugin drivers on a real mount: the example out-of-tree driver
# (examples/patterndrv, built by make check against include/devpager
# only) is loaded with `create pat0 driver=/abs/patterndrv.so` through
# vm/ctl; its pages, computed by its own fault handler, read back right
# through mmap(2) and read(2); bad plugins (wrong KPI version, no entry
# point, unresolvable symbols, not ELF, a missing path, another user's
# file, a symbolic link) are refused with
# nothing created and nothing left loaded; a destroyed plugin is unloaded
# once its mappings are gone; a configuration file loads one at mount.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

PAT="$abs_top_builddir/examples/patterndrv/patterndrv.so"
PLUG="$abs_top_builddir/tests/plugins"
for f in "$PAT" "$PLUG/testplug_badver.so" "$PLUG/testplug_noentry.so" \
    "$PLUG/testplug_undef.so"; do
	[ -f "$f" ] || fail "$f was not built"
done

dpf_mount -o entry_timeout=0,attr_timeout=0

state() {
	{ cat "$MNT/vm/devices"; ls "$MNT/dev"; } >"$DPF_TMP/state.$1"
}

# expect ERRNO CMD [TEXT]: the command's result, its message containing
# TEXT; a refused one changes nothing.
expect() {
	state before
	got=$(dpf_ctl "$2")
	code=${got%%	*}
	msg=${got#*	}
	[ "$code" = "$1" ] || fail "'$2': got $code ($msg), expected $1"
	if [ $# -gt 2 ]; then
		case "$msg" in
		*"$3"*) ;;
		*) fail "'$2': message '$msg' lacks '$3'" ;;
		esac
	fi
	if [ "$1" != 0 ]; then
		state after
		cmp -s "$DPF_TMP/state.before" "$DPF_TMP/state.after" || \
		    fail "'$2' was refused but changed the state"
	fi
	REPLY=$msg
}

# Is FILE mapped by the daemon?
mapped() {
	grep -qF "$1" "/proc/$DPF_PID/maps"
}

# check_pattern FILE SIZE SEED: every 8-byte little-endian word at offset
# o is o ^ 0x5a5a5a5a5a5a5a5a ^ SEED, through mmap(2) and through read(2).
check_pattern() {
	python3 - "$1" "$2" "$3" <<'PY' || fail "pattern mismatch in $1"
import mmap, os, struct, sys
path, size, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
want = b"".join(struct.pack("<Q", o ^ 0x5a5a5a5a5a5a5a5a ^ seed)
                for o in range(0, size, 8))
fd = os.open(path, os.O_RDONLY)
m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ)
# Walk the pages backwards, so faults do not come in readahead order.
for pg in range(size // 4096 - 1, -1, -1):
    got = m[pg * 4096:(pg + 1) * 4096]
    if got != want[pg * 4096:(pg + 1) * 4096]:
        print("mmap: page %d differs" % pg)
        sys.exit(1)
m.close()
fd2 = os.open(path, os.O_RDONLY)
got = b""
while len(got) < size:
    chunk = os.pread(fd2, 12288, len(got))
    if not chunk:
        break
    got += chunk
if got != want:
    print("read: %d bytes, differs" % len(got))
    sys.exit(1)
os.close(fd)
os.close(fd2)
PY
}

# Load the example driver and read its computed pages back.
expect 0 "create pat0 driver=$PAT size=256K seed=0x1234 mode=0640"
[ -f "$MNT/dev/pat0" ] || fail "dev/pat0 did not appear"
[ "$(stat -c %s "$MNT/dev/pat0")" -eq 262144 ] || fail "pat0: wrong size"
[ "$(stat -c %a "$MNT/dev/pat0")" = 640 ] || fail "pat0: wrong mode"
awk '$1 == "pat0" && $2 == "plugin" { f = 1 } END { exit !f }' \
    "$MNT/vm/devices" || fail "pat0 is not a plugin device in vm/devices"
mapped "$PAT" || fail "the daemon did not map $PAT"
check_pattern "$MNT/dev/pat0" 262144 0x1234
# Every page went through the plugin's fault handler.
expect 0 "plugin pat0 stats"
faults=$(echo "$REPLY" | sed -n 's/^faults=\([0-9]*\) .*/\1/p')
[ -n "$faults" ] && [ "$faults" -ge 64 ] || \
    fail "plugin pat0 stats: '$REPLY' (expected at least 64 faults)"
grep -q 'dev/pat0' "$MNT/vm/objects" || fail "no object for dev/pat0"
expect EINVAL "plugin pat0 frobnicate" "usage"
expect EINVAL "plugin ram0 stats" "not a plugin device"

# A second device with another seed from the same module.
expect 0 "create pat1 driver=$PAT size=64K seed=77"
check_pattern "$MNT/dev/pat1" 65536 77
expect 0 "destroy pat1"

# Bad plugins: refused, nothing created, nothing left loaded.
printf 'not a shared object\n' >"$DPF_TMP/text.so"
expect EINVAL "create bad driver=$PLUG/testplug_badver.so" "KPI version"
expect ENOENT "create bad driver=$PLUG/testplug_noentry.so" "no entry point"
expect EINVAL "create bad driver=$PLUG/testplug_undef.so" \
    "devpager_no_such_function"
expect EINVAL "create bad driver=$DPF_TMP/text.so" "not an ELF"
expect ENOENT "create bad driver=$DPF_TMP/missing.so" "No such file"
expect EINVAL "create bad driver=$DPF_TMP" "not a regular file"
expect EINVAL "create bad driver=$PAT colour=red" "unknown key"
expect EINVAL "create bad driver=plugin" "absolute path"
# Only files nobody else could have written, named without symbolic links.
if [ "$(id -u)" = 0 ]; then
	cp "$PAT" "$DPF_TMP/theirs.so"
	chown 12345:12345 "$DPF_TMP/theirs.so"
	expect EPERM "create bad driver=$DPF_TMP/theirs.so" \
	    "is owned by uid 12345"
fi
ln -s "$PAT" "$DPF_TMP/link.so"
expect EPERM "create bad driver=$DPF_TMP/link.so" "is a symbolic link"
[ ! -e "$MNT/dev/bad" ] || fail "dev/bad exists"
for f in testplug_badver testplug_noentry testplug_undef; do
	mapped "$PLUG/$f.so" && fail "$f.so stayed loaded"
done
mapped "$DPF_TMP/text.so" && fail "text.so is mapped"

# Destroy: the node goes; with no mapping left the module is unloaded
# (at the latest by the next plugin command).
expect 0 "destroy pat0"
[ ! -e "$MNT/dev/pat0" ] || fail "dev/pat0 is still there"
expect ENOENT "create bad driver=$DPF_TMP/missing.so"
mapped "$PAT" && fail "$PAT is still mapped after destroy"
dpf_alive
dpf_unmount

# A configuration file loads a plugin at mount time; a bad one is
# refused before mounting, with its line.
printf 'create bad driver=%s\n' "$PLUG/testplug_badver.so" \
    >"$DPF_TMP/bad.conf"
st=0
"$DPF" -f -o config="$DPF_TMP/bad.conf" "$MNT" >"$DPF_TMP/out" 2>&1 || st=$?
[ "$st" -eq 1 ] || fail "a bad plugin in the config: exit $st, expected 1"
grep -q 'bad.conf:1' "$DPF_TMP/out" || \
    fail "no FILE:LINE for the bad plugin: $(cat "$DPF_TMP/out")"
dpf_is_mounted "$MNT" && fail "mounted with a bad plugin"
printf '# a plugin\ncreate pc driver=%s size=32K seed=5\n' "$PAT" \
    >"$DPF_TMP/good.conf"
dpf_mount -o config="$DPF_TMP/good.conf",entry_timeout=0,attr_timeout=0
[ "$(ls "$MNT/dev" | tr '\n' ' ')" = "pc " ] || \
    fail "config mount has devices '$(ls "$MNT/dev" | tr '\n' ' ')'"
check_pattern "$MNT/dev/pc" 32768 5
dpf_unmount
exit 0
