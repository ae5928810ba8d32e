#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh SERIES: fetches Debian's cloud kernel of one series of the VM
# matrix (5.10 = bullseye, 6.1 = bookworm, 6.12 = bookworm-backports) and
# prints the directory it is unpacked in (its boot/ and lib/modules/).
#
# Through a private apt configuration only: its own sources.list, lists and
# package cache under the machine-level cache (VMTEST_CACHE, default
# /var/cache/tcplat-vmtest); the host's apt sources and dpkg database are never
# changed. The package is fetched with `apt-get download` and unpacked with
# `dpkg-deb -x`, never installed (its hooks would touch the host's /boot).
# The lists are refreshed when older than VMTEST_APT_MAX_AGE seconds (default
# one day); a package already downloaded and unpacked is reused. Any failure
# is fatal: no kernel is ever skipped.
set -euo pipefail

CACHE=${VMTEST_CACHE:-/var/cache/tcplat-vmtest}
MAX_AGE=${VMTEST_APT_MAX_AGE:-86400}
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
META=linux-image-cloud-amd64

die()
{
	echo "fetch-kernel: $*" >&2
	exit 1
}

series=${1:?usage: fetch-kernel.sh SERIES (5.10, 6.1 or 6.12)}
case $series in
5.10) suite=bullseye ;;
6.1) suite=bookworm ;;
6.12) suite=bookworm-backports ;;
*) die "unknown kernel series '$series' (known: 5.10 6.1 6.12)" ;;
esac

apt_dir=$CACHE/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/state" \
	"$CACHE/debs" "$CACHE/kernels" || die "cannot create the cache in $CACHE"
# One fetcher at a time per machine (CI and a developer may share the cache).
exec 9>"$CACHE/lock"
flock -w 600 9 || die "$CACHE/lock is held by another run for more than 10 minutes"

cat >"$apt_dir/sources.list.new" <<EOT
deb $MIRROR bullseye main
deb $MIRROR bookworm main
deb $MIRROR bookworm-backports main
EOT
mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
: >>"$apt_dir/status"
apt_opts=(
	-o "Dir::Etc::sourcelist=$apt_dir/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::State=$apt_dir/state"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/status"
	-o "Dir::Cache=$apt_dir/cache"
	-o "APT::Sandbox::User=root"
	-o "Acquire::Retries=3"
)

stamp=$apt_dir/lists/.updated
if [[ ! -e $stamp ]] || (($(date +%s) - $(stat -c %Y "$stamp") > MAX_AGE)); then
	echo "fetch-kernel: updating the private apt lists ($MIRROR: bullseye, bookworm," \
		"bookworm-backports)" >&2
	# apt-get update ignores an index it could not fetch with a warning
	if ! apt-get "${apt_opts[@]}" -q update >"$apt_dir/update.log" 2>&1 ||
	   grep -qE '^E:|^W: (Failed to fetch|Some index files failed)' "$apt_dir/update.log"; then
		cat "$apt_dir/update.log" >&2
		die "apt-get update of the private lists failed (log above)"
	fi
	grep '^W:' "$apt_dir/update.log" >&2 || true
	touch "$stamp"
fi

# The metapackage's version in this suite, then the image package it depends on.
meta_ver=$(apt-cache "${apt_opts[@]}" madison "$META" |
	awk -F' *[|] *' -v s=" $suite/main " 'index($3, s) { print $2; exit }')
[[ -n $meta_ver ]] || die "no $META in $suite (apt-cache madison $META found none)"
image=$(apt-cache "${apt_opts[@]}" show "$META=$meta_ver" |
	sed -n 's/^Depends:.*\(linux-image-[^ ,]*-cloud-amd64\) (= \([^)]*\)).*/\1 \2/p' | head -n 1)
read -r image_pkg image_ver <<<"$image"
[[ -n ${image_pkg-} && -n ${image_ver-} ]] || die "cannot resolve $META=$meta_ver to its image package"
kver=${image_pkg#linux-image-}
[[ $kver == "$series".* || $kver == "$series"-* ]] ||
	die "$suite's $META is $kver, not a $series kernel"

root=$CACHE/kernels/$kver
if [[ ! -e $root/.complete ]]; then
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${image_pkg}_*.deb" | sort | tail -n 1)
	if [[ -z $deb ]] || [[ $(dpkg-deb -f "$deb" Version) != "$image_ver" ]]; then
		echo "fetch-kernel: downloading $image_pkg $image_ver ($suite)" >&2
		(cd "$CACHE/debs" && apt-get "${apt_opts[@]}" -q download "$image_pkg=$image_ver") \
			>"$apt_dir/download.log" 2>&1 || {
			cat "$apt_dir/download.log" >&2
			die "apt-get download $image_pkg=$image_ver failed (log above)"
		}
		deb=$(find "$CACHE/debs" -maxdepth 1 -name "${image_pkg}_*.deb" | sort | tail -n 1)
		[[ -n $deb ]] || die "apt-get download left no ${image_pkg}_*.deb in $CACHE/debs"
	fi
	echo "fetch-kernel: unpacking $(basename "$deb")" >&2
	rm -rf "$root" "$root.tmp"
	mkdir -p "$root.tmp"
	dpkg-deb -x "$deb" "$root.tmp" || die "dpkg-deb -x $deb failed"
	[[ -f $root.tmp/boot/vmlinuz-$kver && -d $root.tmp/lib/modules/$kver ]] ||
		die "$deb has no boot/vmlinuz-$kver or lib/modules/$kver"
	# modules.dep & co, for `modprobe -d ROOT --show-depends` (the package leaves
	# them to its postinst, which we never run)
	depmod -b "$root.tmp" "$kver" || die "depmod -b $root.tmp $kver failed"
	echo "$image_pkg $image_ver $suite" >"$root.tmp/.complete"
	mv "$root.tmp" "$root"
fi
echo "$root"
