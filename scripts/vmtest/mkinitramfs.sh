#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the initramfs of the VM matrix in two parts, concatenated by run.sh
# (the kernel unpacks concatenated gzip'd cpio archives one after the other):
#
#   mkinitramfs.sh base OUT.cpio.gz
#       the userland, the same for every kernel: tests/vm/init as /init,
#       busybox-static (its applets as symlinks in /usr/libexec/busybox, last
#       in PATH), the real tools the test scripts use with every shared
#       library they need (ldd closure and the dynamic loader), the
#       host-built ./tcplat and test tools, the repo's test scripts in
#       /tcplat, and tcpconnlat from Debian's libbpf-tools.
#   mkinitramfs.sh modules KROOT KVER OUT.cpio.gz
#       the modules of the kernel unpacked in KROOT that netns, veth, iptables
#       (nft), NFQUEUE and REJECT need, decompressed, and /etc/vmtest/modules:
#       the insmod order, from `modprobe -d KROOT -S KVER --show-depends`.
#       Also every netfilter module with its dependencies and a modules.dep
#       for them, so that the kernel can load on demand (kmod's modprobe)
#       what an iptables version needs on a kernel version (5.10's
#       nft_counter, for one).
#
# There is no cpio binary here: `busybox cpio -o -H newc` writes the archives.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUSYBOX=${BUSYBOX:-/usr/bin/busybox}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Real tools copied into the guest (first in its PATH, before busybox).
TOOLS=(
	bash dash ip xtables-nft-multi jq bpftool setpriv sysctl mawk grep sed stdbuf
	cat cp mv rm mkdir rmdir ln ls env id dirname basename readlink realpath uname tr
	seq printf echo true false test chmod touch stat nproc uniq paste od sort timeout
	mktemp date head tail wc cut tee sleep kill ps kmod flock
)
# Modules the guest tests need; their dependencies come with them.
MODULES=(
	veth nfnetlink_queue nf_tables nft_compat nft_queue xt_NFQUEUE xt_tcpudp x_tables
	ipt_REJECT ip6t_REJECT nft_reject_inet nft_reject_ipv4 nft_reject_ipv6 nft_counter
)
# Must be there (the others are loaded when the kernel has them as modules).
REQUIRED_MODULES=(veth nfnetlink_queue nf_tables nft_compat xt_NFQUEUE xt_tcpudp)

die()
{
	echo "mkinitramfs: $*" >&2
	exit 1
}

STAGE=
cleanup()
{
	if [[ -n $STAGE && -d $STAGE ]]; then
		rm -rf -- "$STAGE"
	fi
}
trap cleanup EXIT

# Writes the tree $1 as a gzip'd newc cpio archive $2 (owner root).
pack()
{
	local dir=$1 out=$2

	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) |
		gzip -6 >"$out.tmp" || die "packing $dir failed"
	mv "$out.tmp" "$out"
}

# The directory $1 with its symlinks resolved (merged /usr: /lib -> usr/lib).
canon_dir()
{
	readlink -f "$(dirname "$1")"
}

# copy_file PATH: PATH's target into the stage at its canonical place, and,
# when PATH itself is a symlink (a soname link), that link too.
copy_file()
{
	local path=$1 real dir

	real=$(readlink -f "$path") || die "cannot resolve $path"
	[[ -f $real ]] || die "$path: no such file"
	if [[ ! -e $STAGE$real ]]; then
		mkdir -p "$STAGE$(dirname "$real")"
		cp -a "$real" "$STAGE$real"
	fi
	dir=$(canon_dir "$path")
	if [[ $dir/$(basename "$path") != "$real" && ! -e $STAGE$dir/$(basename "$path") ]]; then
		mkdir -p "$STAGE$dir"
		ln -s "$real" "$STAGE$dir/$(basename "$path")"
	fi
}

# copy_libs PATH: the whole ldd closure of PATH (libraries, loader).
copy_libs()
{
	local path=$1 lib

	# ldd prints "name => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"
	while read -r lib; do
		[[ -n $lib ]] && copy_file "$lib"
	done < <(ldd "$path" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }')
	if ldd "$path" 2>/dev/null | grep -q 'not found'; then
		die "$path: a library is missing on the host: $(ldd "$path" | grep 'not found')"
	fi
}

# copy_elf PATH: the file and its libraries.
copy_elf()
{
	copy_file "$1"
	copy_libs "$1"
}

build_base()
{
	local out=$1 t path a xt

	for t in tcplat .output/tests/nfq_delay .output/tests/lat_client .output/tests/lat_server; do
		[[ -x $REPO_ROOT/$t ]] || die "$REPO_ROOT/$t is missing: run make first"
	done
	[[ -x $BUSYBOX ]] || die "$BUSYBOX is missing (Debian package busybox-static)"
	ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked: install busybox-static"
	[[ -x /usr/sbin/tcpconnlat ]] || die "/usr/sbin/tcpconnlat is missing (package libbpf-tools)"

	STAGE=$(mktemp -d /tmp/tcplat_vmtest_base.XXXXXX)
	# merged /usr, as on the host: the paths ldd prints work unchanged
	mkdir -p "$STAGE"/usr/{bin,sbin,lib,lib64,libexec/busybox} "$STAGE"/{dev,proc,sys,run,tmp,root,etc/vmtest}
	ln -s usr/bin "$STAGE/bin"
	ln -s usr/sbin "$STAGE/sbin"
	ln -s usr/lib "$STAGE/lib"
	ln -s usr/lib64 "$STAGE/lib64"
	chmod 1777 "$STAGE/tmp"
	mknod -m 600 "$STAGE/dev/console" c 5 1
	mknod -m 666 "$STAGE/dev/null" c 1 3

	cp "$BUSYBOX" "$STAGE/usr/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[[ $a == busybox ]] || ln -s /usr/bin/busybox "$STAGE/usr/libexec/busybox/$a"
	done

	for t in "${TOOLS[@]}"; do
		path=$(type -P "$t") || die "$t is not installed on the host"
		copy_elf "$path"
	done
	# the names the scripts use, for the multi-call and alternatives binaries
	ln -sf xtables-nft-multi "$STAGE/usr/sbin/iptables"
	ln -sf xtables-nft-multi "$STAGE/usr/sbin/ip6tables"
	ln -sf xtables-nft-multi "$STAGE/usr/sbin/iptables-nft"
	ln -sf xtables-nft-multi "$STAGE/usr/sbin/ip6tables-nft"
	for a in modprobe insmod rmmod lsmod modinfo depmod; do
		ln -sf ../bin/kmod "$STAGE/usr/sbin/$a"
	done
	ln -sf mawk "$STAGE/usr/bin/awk"
	ln -sf dash "$STAGE/usr/bin/sh"
	# iptables' extensions are dlopen()ed: the whole directory and its libraries
	xt=$(readlink -f /usr/lib/x86_64-linux-gnu/xtables)
	[[ -d $xt ]] || die "no xtables extension directory on the host"
	for path in "$xt"/*.so; do
		copy_elf "$path"
	done
	# stdbuf preloads this (tcpconnlat's output, line-buffered)
	copy_elf /usr/libexec/coreutils/libstdbuf.so
	copy_elf /usr/sbin/tcpconnlat
	for path in /etc/protocols /etc/services /etc/ethertypes; do
		[[ -e $path ]] && cp -L "$path" "$STAGE$path"
	done
	for path in /usr/share/iproute2 /etc/iproute2; do
		[[ -d $path ]] && mkdir -p "$STAGE$(dirname "$path")" && cp -a "$path" "$STAGE$path"
	done
	printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
		>"$STAGE/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"
	echo tcplat-vm >"$STAGE/etc/hostname"

	# the repo as the tests expect it: ./tcplat, .output/tests/, tests/
	mkdir -p "$STAGE/tcplat/.output/tests" "$STAGE/tcplat/tests"
	cp "$REPO_ROOT/tcplat" "$STAGE/tcplat/tcplat"
	copy_libs "$REPO_ROOT/tcplat"
	for t in nfq_delay lat_client lat_server; do
		cp "$REPO_ROOT/.output/tests/$t" "$STAGE/tcplat/.output/tests/$t"
		copy_libs "$REPO_ROOT/.output/tests/$t"
	done
	cp -a "$REPO_ROOT/tests/integration" "$REPO_ROOT/tests/lib" "$REPO_ROOT/tests/vm" \
		"$STAGE/tcplat/tests/"
	install -m 755 "$REPO_ROOT/tests/vm/init" "$STAGE/init"

	pack "$STAGE" "$out"
}

# add_module KROOT /lib/modules/...: the module into the stage, decompressed
# (at usr/lib/...: the guest's /lib is a symlink to usr/lib); prints its path
# in the guest.
add_module()
{
	local kroot=$1 rel=$2 path dst

	[[ $rel == /lib/modules/* ]] || die "unexpected module path $rel"
	path=${rel%.xz}
	path=${path%.zst}
	path=${path%.gz}
	dst=$STAGE/usr$path
	if [[ ! -e $dst ]]; then
		mkdir -p "$(dirname "$dst")"
		case $rel in
		*.ko.xz) xz -dc "$kroot$rel" >"$dst" ;;
		*.ko.zst) zstd -qdc "$kroot$rel" >"$dst" ;;
		*.ko.gz) gzip -dc "$kroot$rel" >"$dst" ;;
		*.ko) cp "$kroot$rel" "$dst" ;;
		*) die "unexpected module file $rel" ;;
		esac
	fi
	echo "$path"
}

build_modules()
{
	local kroot=$1 kver=$2 out=$3 m line path rel kind mdir f seen=" " order=()

	[[ -d $kroot/lib/modules/$kver ]] || die "$kroot/lib/modules/$kver: no such directory"
	STAGE=$(mktemp -d /tmp/tcplat_vmtest_mod.XXXXXX)
	mkdir -p "$STAGE/etc/vmtest"
	for m in "${MODULES[@]}"; do
		if ! line=$(modprobe -d "$kroot" -S "$kver" --show-depends "$m" 2>&1); then
			if [[ " ${REQUIRED_MODULES[*]} " == *" $m "* ]]; then
				die "$kver lacks module $m: $line"
			fi
			continue
		fi
		while read -r kind path _; do
			[[ $kind == insmod ]] || continue	# "builtin NAME": nothing to load
			rel=${path#"$kroot"}
			[[ $seen == *" $rel "* ]] && continue
			seen+="$rel "
			order+=("$rel")
		done <<<"$line"
	done
	for rel in "${order[@]}"; do
		add_module "$kroot" "$rel" >>"$STAGE/etc/vmtest/modules"
	done
	# for loading on demand: the netfilter modules and what they depend on
	mdir=/lib/modules/$kver
	while read -r rel; do
		add_module "$kroot" "$mdir/$rel" >/dev/null
	done < <(awk -F'[: ]+' '$1 ~ /^kernel\/net\/(ipv4\/|ipv6\/)?netfilter\// {
			for (i = 1; i <= NF; i++) if ($i != "") print $i }' "$kroot$mdir/modules.dep" | sort -u)
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[[ -e $kroot$mdir/$f ]] && cp "$kroot$mdir/$f" "$STAGE/usr$mdir/$f"
	done
	depmod -b "$STAGE/usr" "$kver" || die "depmod for the guest's modules failed"
	pack "$STAGE" "$out"
}

case ${1-} in
base)
	(($# == 2)) || die "usage: mkinitramfs.sh base OUT.cpio.gz"
	build_base "$2"
	;;
modules)
	(($# == 4)) || die "usage: mkinitramfs.sh modules KROOT KVER OUT.cpio.gz"
	build_modules "$2" "$3" "$4"
	;;
*)
	die "usage: mkinitramfs.sh base OUT.cpio.gz | modules KROOT KVER OUT.cpio.gz"
	;;
esac
