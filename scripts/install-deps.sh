#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs, with apt-get, whatever tcplat needs to build and test that this
# Debian 12 machine does not have yet. Quiet when nothing is missing.
set -euo pipefail

packages=(
	make gcc clang pkg-config
	bpftool libbpf-dev libelf-dev zlib1g-dev	# build
	libcmocka-dev					# unit tests
	libmicrohttpd-dev libunistring-dev		# serve's HTTP; make static's archives
	prometheus curl python3				# serve tests: promtool, a real Prometheus; 5,000 connects
	mandoc systemd					# make lint: man pages, systemd-analyze
	libnetfilter-queue-dev iptables iproute2 jq	# integration tests
	util-linux procps				# setpriv, sysctl, flock
	bpftrace libbpf-tools				# make bench: the peers (tcpstates)
	qemu-system-x86 busybox-static kmod		# make vmtest (libbpf-tools too)
	clang-tools libclang-rt-14-dev			# scan-build; libFuzzer, clang's ASan
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
