#!/bin/sh
# fio's mmap engine writes dev/ram0 at random with crc32c checksums and
# reads every block back through a fresh mapping: nothing is lost or
# misplaced on the fault and writeback paths.
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"
command -v fio >/dev/null 2>&1 || { echo "SKIP: fio is not installed"; exit 77; }

dpf_mount
out="$DPF_TMP/fio.out"
cd "$DPF_TMP"	# fio writes its state files into the current directory
fio --name=ramverify --filename="$MNT/dev/ram0" --ioengine=mmap \
    --rw=randwrite --bs=4k --size=16M --verify=crc32c --do_verify=1 \
    --verify_fatal=1 --verify_state_save=0 --output="$out" >/dev/null 2>&1 || {
	cat "$out"; fail "fio reported an error"; }
grep -q 'err= 0' "$out" || { cat "$out"; fail "fio did not finish cleanly"; }
dpf_alive
faults=$(awk '$1 == "faults:" { print $2 }' "$MNT/vm/stats")
[ "$faults" -ge 4096 ] || fail "only $faults faults for 4096 pages"
dpf_unmount
exit 0
