#!/bin/sh
# Reading a device that was never written costs the daemon no memory:
# after read(2) of 1 GiB of a fresh ram device (and a prefault=open push
# of its first prefault_max), the daemon's resident set has grown by less
# than 64 MiB.  READ replies and pushes of anonymous device memory go by
# descriptor (splice), so the memfd's holes stay holes; copying through
# the daemon's mapping of the memfd, as before, allocated every page
# read (VmRSS grew by the whole 1 GiB, RssShmem with it).
set -eu
. "$abs_top_srcdir/tests/lib/mount.sh"

rss_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' "/proc/$DPF_PID/status"
}

# 128 KiB READs: 8192 requests for the GiB.
dpf_mount -o entry_timeout=0,attr_timeout=0,fault_pages=32
dpf_ctl_ok "create big driver=ram size=1G" >/dev/null || fail "create big"
rss0=$(rss_kb VmRSS); shm0=$(rss_kb RssShmem)
dd if="$MNT/dev/big" of=/dev/null bs=1M count=1024 2>/dev/null || \
    fail "reading dev/big failed"
rss1=$(rss_kb VmRSS); shm1=$(rss_kb RssShmem)
echo "VmRSS $rss0 -> $rss1 kB, RssShmem $shm0 -> $shm1 kB"
[ $((rss1 - rss0)) -lt 65536 ] || \
    fail "VmRSS grew by $(((rss1 - rss0) / 1024)) MiB reading 1 GiB"
[ $((shm1 - shm0)) -lt 65536 ] || \
    fail "RssShmem grew by $(((shm1 - shm0) / 1024)) MiB reading 1 GiB"
# The bytes were zeros, and reads still served the whole device.
cmp -n 1048576 "$MNT/dev/big" /dev/zero || fail "dev/big is not zeroed"
dpf_alive
dpf_unmount
echo "PASS: prefault rss"
