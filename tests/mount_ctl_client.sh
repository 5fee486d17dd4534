#!/bin/sh
# devpagerctl against a real mount: usage errors (exit 2) before any mount
# is looked for, `stats' as text and JSON, `objects', `fail', `top' and a
# ctl command, each checked against what the daemon serves today and what
# it will serve once vm/objects and vm/ctl exist (see the branches below).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

CTL="$abs_top_builddir/devpagerctl"
OUT="$DPF_TMP/out"
ERR="$DPF_TMP/err"

# ctl STATUS ARGS...: run devpagerctl, require exit STATUS.
ctl() {
	want=$1
	shift
	st=0
	"$CTL" "$@" >"$OUT" 2>"$ERR" || st=$?
	if [ "$st" -ne "$want" ]; then
		echo "---- stdout"; cat "$OUT"; echo "---- stderr"; cat "$ERR"
		fail "devpagerctl $* exited $st, expected $want"
	fi
}

# An error message, on stderr only, prefixed with the program name.
err_says() {
	grep -q "^devpagerctl: .*$1" "$ERR" || \
	    fail "stderr lacks '$1': $(cat "$ERR")"
}

json_ok() {
	if command -v jq >/dev/null 2>&1; then
		jq -e "$1" "$OUT" >/dev/null || \
		    fail "jq '$1' fails on: $(cat "$OUT")"
	fi
}

# Usage errors exit 2, whatever the mount.
ctl 2
ctl 0 -h
grep -q '^usage: devpagerctl' "$OUT" || fail "-h prints no usage"
ctl 2 frobnicate
err_says "unknown command"
# Not a mount point: exit 2, named.
ctl 2 -m "$DPF_TMP" stats
err_says "not a devpagerfs mount"

# The client against a fake tree (plain files): the shapes the daemon will
# serve once vm/objects, vm/object/ID and vm/ctl exist, and the protocol's
# mechanics, visible on a regular vm/ctl (one write, no newline, the reply
# read back from offset 0).
F="$DPF_TMP/fake"
mkdir -p "$F/vm/object/3" "$F/vm/object/7" "$F/vm/fail" "$F/pics"
cat >"$F/vm/objects" <<'EOT'
   ID  RES  ACT INACT  REF  SHD CM TP PATH
    3    4    0     0    1    0 WB dv dev/ram0
    7    0    0     0    1    0 WC md dev/gem0#1
EOT
printf 'faults: 10\ntype: device\n' >"$F/vm/object/3/info"
printf 'type: mgtdevice\n' >"$F/vm/object/7/info"
printf 'PINDEX PHYS FLAGS VALID DIRTY HOLD MEMATTR MAPPINGS\n' \
    >"$F/vm/object/3/pages"
printf '0 0x100000 F 0xff 0x0 0 WB 1\n' >>"$F/vm/object/3/pages"
printf 'faults: 10\nfault_errors: 0\n' >"$F/vm/stats"
printf 'off\n' >"$F/vm/fail/vm_page_alloc"
: >"$F/vm/ctl"
ctl 0 -m "$F" objects
cmp -s "$OUT" "$F/vm/objects" || fail "objects is not the file verbatim"
ctl 0 -m "$F" --json objects
json_ok '.[0].id == 3 and .[0].res == 4 and .[1].path == "dev/gem0#1"'
json_ok '.[1].cm == "WC" and length == 2'
ctl 0 -m "$F" object 3
grep -q '^faults: 10$' "$OUT" && grep -q '^PINDEX' "$OUT" || \
    fail "object 3: $(cat "$OUT")"
ctl 0 -m "$F" --json object 3
json_ok '.info.faults == 10 and .pages[0].phys == "0x100000"'
ctl 1 -m "$F" object 4
err_says "no object 4"
ctl 0 -m "$F" top -n 2 -d 0.1
[ "$(grep -c '^devpagerctl top:' "$OUT")" -eq 2 ] || \
    fail "top -n 2 did not print two blocks: $(cat "$OUT")"
grep -Eq '^ +3 +0\.0 +10 +4 dv dev/ram0$' "$OUT" || \
    fail "top row of object 3: $(cat "$OUT")"
ctl 0 -m "$F" --json top -n 2 -d 0.1
[ "$(wc -l <"$OUT")" -eq 2 ] || fail "top --json: not two lines"
if command -v jq >/dev/null 2>&1; then
	jq -se 'length == 2 and (.[1].objects | length) == 2 and
	    (.[1].objects | map(select(.id == 7))[0].faults) == 0' \
	    "$OUT" >/dev/null || fail "top --json: $(cat "$OUT")"
fi
ctl 0 -m "$F" create ram1 driver=ram size=1M
[ "$(cat "$F/vm/ctl")" = "create ram1 driver=ram size=1M" ] || \
    fail "ctl got '$(cat "$F/vm/ctl")'"
[ "$(wc -c <"$F/vm/ctl")" -eq 30 ] || fail "ctl got a newline"
[ "$(cat "$OUT")" = "create ram1 driver=ram size=1M" ] || \
    fail "the reply was not read back from offset 0"
: >"$F/vm/ctl"
(cd "$F/pics" && "$CTL" -m "$F" fb snapshot fb0 shot.png >/dev/null) || \
    fail "fb snapshot failed"
[ "$(cat "$F/vm/ctl")" = \
    "fb fb0 snapshot path=$(cd "$F/pics" && pwd -P)/shot.png" ] || \
    fail "fb snapshot sent '$(cat "$F/vm/ctl")'"
ctl 0 -m "$F" fail vm_page_alloc
[ "$(cat "$OUT")" = off ] || fail "fail point spec: $(cat "$OUT")"
ctl 0 -m "$F" fail vm_page_alloc 'return(12)'
[ "$(cat "$F/vm/fail/vm_page_alloc")" = 'return(12)' ] || \
    fail "fail point not written"
ctl 0 -m "$F" --json fail
json_ok '.[0].point == "vm_page_alloc" and .[0].spec == "return(12)"'
# A refused write with no message falls back to the errno text.
rm "$F/vm/ctl"
ln -s /dev/full "$F/vm/ctl"
ctl 1 -m "$F" destroy ram1
err_says "destroy: No space left on device"

dpf_mount

ctl 2 -m "$MNT" stats extra
err_says "takes no arguments"
ctl 2 -m "$MNT" object ../../etc
err_says "not an object ID"
ctl 2 -m "$MNT" fail ../../../etc/passwd 'return(5)'
err_says "not a fail point name"
ctl 2 -m "$MNT" create ram9
err_says "usage: create"
ctl 2 -m "$MNT" create 'a b' driver=ram
err_says "blank"
ctl 2 -m "$MNT" top -n 0
err_says "positive count"
ctl 2 -m "$MNT" top -d nan
err_says "seconds"
mkdir "$DPF_TMP/a dir"
ctl 2 -m "$MNT" fb snapshot fb0 "$DPF_TMP/a dir/x.png"
err_says "blanks"
ctl 1 -m "$MNT" fb snapshot fb0 "$DPF_TMP/nodir/x.png"
err_says "nodir"

# stats: the same keys as the file, text and JSON.
ctl 0 -m "$MNT" stats
for c in faults fault_errors invalidations objects pages; do
	grep -Eq "^$c: [0-9]+\$" "$OUT" || fail "stats lacks '$c: N'"
done
[ ! -s "$ERR" ] || fail "stats wrote to stderr: $(cat "$ERR")"
keys=$(sed 's/:.*//' "$MNT/vm/stats" | sort | tr '\n' ' ')
[ "$(sed 's/:.*//' "$OUT" | sort | tr '\n' ' ')" = "$keys" ] || \
    fail "stats keys differ from vm/stats"
ctl 0 -m "$MNT" stats --json
json_ok '(.faults | type) == "number" and (.pages | type) == "number"'
for k in $keys; do
	grep -q "^  \"$k\": [0-9]" "$OUT" || fail "JSON stats lacks $k"
done
ctl 0 --json -m "$MNT" stats
json_ok 'type == "object"'

# objects: served once the daemon has vm/objects; until then a clear error.
if [ -e "$MNT/vm/objects" ]; then
	ctl 0 -m "$MNT" objects
	hdr='^ *ID +RES +ACT +INACT +REF +SHD +CM +TP +PATH'
	head -n 1 "$OUT" | grep -Eq "$hdr" || \
	    fail "objects header: $(head -n 1 "$OUT")"
	ctl 0 -m "$MNT" --json objects
	json_ok 'type == "array"'
	ctl 0 -m "$MNT" top -n 2 -d 0.1
	[ "$(grep -c '^devpagerctl top:' "$OUT")" -eq 2 ] || \
	    fail "top -n 2 did not print two blocks"
	ctl 1 -m "$MNT" object 999999999
	err_says "no object 999999999"
else
	ctl 1 -m "$MNT" objects
	err_says "vm/objects"
	ctl 1 -m "$MNT" top -n 1 -d 0.1
	err_says "vm/objects"
fi

# A ctl command the daemon must refuse: exit 1, message on stderr.
ctl 1 -m "$MNT" destroy no-such-device
err_says ""
[ ! -s "$OUT" ] || fail "a refused command printed: $(cat "$OUT")"

# Fail points: the listing has its header; an unknown point is an error.
if [ -d "$MNT/vm/fail" ]; then
	ctl 0 -m "$MNT" fail
	head -n 1 "$OUT" | grep -q '^POINT SPEC$' || fail "fail listing header"
	ctl 0 -m "$MNT" --json fail
	json_ok 'type == "array"'
	ctl 1 -m "$MNT" fail no_such_point
	err_says "no_such_point"
fi

dpf_alive
dpf_unmount
exit 0
