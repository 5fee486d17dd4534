# Shared by scripts/fresh-machine and scripts/deb-check: a pristine Debian
# 12 (minbase) root filesystem, unpacked for one run from a tarball that
# mmdebstrap(1) builds from the host's Debian apt sources and that is
# cached for the day, and its clean-up.  Source it with these set:
#
#	fresh_prog	the calling script's name, for messages
#	top		the source tree
#
# and use, in this order:
#
#	fresh_setup		root, mmdebstrap and unshare installed; makes
#				$fresh_work with $fresh_root and $fresh_out
#	fresh_cleanup		(from an EXIT trap) stop whatever runs in the
#				tree, then remove $fresh_work unless something
#				is still mounted under it; returns 1 then
#	fresh_rootfs		the pristine tarball ($fresh_tarball), built
#				when today has none, unpacked in $fresh_root
#
# The unpacked tree is the run's own: no run writes into the cached
# tarball.  Mounts into the tree belong in a private mount namespace
# (unshare --mount --propagation private), which ends with the run.
# shellcheck shell=sh

: "${fresh_prog:?set fresh_prog before sourcing scripts/lib/fresh.sh}"
fresh_cache=${DPF_FRESH_CACHE:-/var/cache/devpagerfs-fresh}
fresh_suite=bookworm

say() { printf '%s: %s\n' "$fresh_prog" "$*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s; }

# Install missing Debian packages (as root, quietly).
fresh_apt_install() {
	say "installing $*"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "$@" >/dev/null
}

fresh_setup() {
	[ "$(id -u)" -eq 0 ] || die "run as root (chroot, mounts, mmdebstrap)"
	fresh_need=""
	command -v mmdebstrap >/dev/null || fresh_need="$fresh_need mmdebstrap"
	command -v unshare >/dev/null || fresh_need="$fresh_need util-linux"
	# shellcheck disable=SC2086
	[ -z "$fresh_need" ] || fresh_apt_install $fresh_need
	fresh_work=$(mktemp -d /var/tmp/devpagerfs-fresh.XXXXXX)
	fresh_root="$fresh_work/root"
	fresh_out="$fresh_work/out"
	mkdir "$fresh_root" "$fresh_out"
}

# Everything that still runs inside the tree holds the namespace and its
# mounts: kill it, then remove the tree if nothing is mounted under it.
fresh_cleanup() {
	[ -n "${fresh_work:-}" ] && [ -d "$fresh_work" ] || return 0
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		case $r in "$fresh_root"|"$fresh_root"/*)
			kill -KILL "${p#/proc/}" 2>/dev/null || true ;;
		esac
	done
	sleep 0.2
	if awk -v r="$fresh_root" '$5 == r || index($5, r "/") == 1' \
	    /proc/self/mountinfo | grep -q .; then
		say "mounts are left under $fresh_root; not removing $fresh_work"
		return 1
	fi
	rm -rf --one-file-system "$fresh_work"
}

# The host's Debian sources for the suite (deb822 stanzas and one-line
# entries), for mmdebstrap; its defaults when there are none.  Sets
# fresh_mirrors.
fresh_sources() {
	sources="$fresh_work/sources.list"
	: >"$sources"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources)
			awk -v s="$fresh_suite" 'BEGIN { RS = ""; ORS = "\n\n" }
			{
				n = split($0, line, "\n")
				suite = uri = off = 0
				for (i = 1; i <= n; i++) {
					if (line[i] ~ /^Suites:/) {
						m = split(line[i], w, /[ \t]+/)
						for (j = 2; j <= m; j++)
							if (w[j] == s || index(w[j], s "-") == 1)
								suite = 1
					}
					if (line[i] ~ /^URIs:/ && line[i] ~ /debian/)
						uri = 1
					if (line[i] ~ /^Enabled:[ \t]*no/)
						off = 1
				}
				if (suite && uri && !off)
					print
			}' "$f" >>"$sources.822" ;;
		*)
			grep -E "^deb[[:space:]].*debian.*[[:space:]]$fresh_suite(-[a-z]+)?[[:space:]]" \
			    "$f" >>"$sources" || true ;;
		esac
	done
	fresh_mirrors=""
	[ -s "$sources" ] && fresh_mirrors="$sources"
	if [ -s "$sources.822" ]; then
		mv "$sources.822" "$fresh_work/host.sources"
		fresh_mirrors="$fresh_mirrors $fresh_work/host.sources"
	fi
}

fresh_rootfs() {
	fresh_sources
	# The host's acquire settings (a snapshot mirror's Valid-Until, say)
	# go with its sources.
	aptopts=$(apt-config dump 2>/dev/null |
	    sed -n 's/^\(Acquire::Check-[A-Za-z-]*\) \(".*"\);$/\1 \2/p')
	stamp=$(date -u +%Y%m%d)
	fresh_tarball="$fresh_cache/$fresh_suite-minbase-$stamp.tar"
	mkdir -p "$fresh_cache"
	if [ -f "$fresh_tarball" ]; then
		say "pristine root filesystem: $fresh_tarball (cached today)"
	else
		say "building a pristine $fresh_suite minbase root filesystem (mmdebstrap)"
		set --
		while IFS= read -r o; do
			[ -n "$o" ] && set -- "$@" "--aptopt=$o"
		done <<EOT
$aptopts
EOT
		# shellcheck disable=SC2086
		mmdebstrap --quiet --variant=minbase --mode=root --format=tar \
		    "$@" "$fresh_suite" "$fresh_tarball.part" $fresh_mirrors \
		    >"$fresh_out/mmdebstrap.log" 2>&1 || {
			cat "$fresh_out/mmdebstrap.log"
			rm -f "$fresh_tarball.part"
			die "mmdebstrap failed"; }
		mv "$fresh_tarball.part" "$fresh_tarball"
		find "$fresh_cache" -name "$fresh_suite-minbase-*.tar" \
		    ! -name "${fresh_tarball##*/}" -delete
	fi
	tar -C "$fresh_root" -xpf "$fresh_tarball"
	cp /etc/resolv.conf "$fresh_root/etc/resolv.conf"
}
