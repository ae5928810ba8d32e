#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The VM matrix (`make vmtest`): boots Debian's cloud kernels in qemu with an
# initramfs made from this build and runs tests/vm/guest.sh in each; reads the
# verdict lines back from the serial console and prints a table.
#
# Usage: scripts/vmtest/run.sh [SERIES...]     (as root; default: $KERNELS or
#        all of 5.10 6.1 6.12)
#
# Environment:
#   VMTEST_CACHE     machine-level cache of the kernel packages
#                    (default /var/cache/tcplat-vmtest; see fetch-kernel.sh)
#   VMTEST_ACCEL     auto (default), kvm or tcg. auto boots the first kernel
#                    under KVM for VMTEST_KVM_PROBE_TIMEOUT seconds (default
#                    20) and takes KVM only if the guest printed its marker.
#   VMTEST_TIMEOUT   seconds per guest (default 720: the suite grew with the
#                    retransmit and pre-existing-connection cases, and a backend
#                    that fails once runs again within the same guest)
#   VMTEST_TOL_US    latency tolerance in the guests (default 3000 under TCG,
#                    1000, the host tests' bound, under KVM)
#   VMTEST_CASES     integration cases run per backend
#                    (default latency_20ms,refused,abandoned)
#   VMTEST_TCPCONNLAT_SERIES  series whose guest also runs tcpconnlat (6.1)
#
# Exit status 0 only when every kernel gave a verdict and every check in it
# passed. Console logs: .output/vmtest/console-SERIES.log.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO_ROOT/scripts/vmtest
OUT=$REPO_ROOT/.output/vmtest
ACCEL=${VMTEST_ACCEL:-auto}
TIMEOUT=${VMTEST_TIMEOUT:-720}
KVM_PROBE_TIMEOUT=${VMTEST_KVM_PROBE_TIMEOUT:-20}
CASES=${VMTEST_CASES:-latency_20ms,refused,abandoned,syn_retrans}
TCPCONNLAT_SERIES=${VMTEST_TCPCONNLAT_SERIES:-6.1}
QEMU=${QEMU:-qemu-system-x86_64}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH

die()
{
	echo "vmtest: $*" >&2
	exit 1
}

log()
{
	echo "vmtest: $*" >&2
}

if (($#)); then
	SERIES=("$@")
else
	read -r -a SERIES <<<"${KERNELS:-5.10 6.1 6.12}"
fi
((${#SERIES[@]})) || die "no kernel series given"

[[ $(id -u) -eq 0 ]] || die "run as root (the kernel cache, device nodes in the initramfs)"
for t in "$QEMU" timeout flock modprobe depmod xz gzip apt-get dpkg-deb ldd /usr/bin/busybox \
	 /usr/sbin/tcpconnlat; do
	command -v "$t" >/dev/null || die "$t is missing: run scripts/install-deps.sh (or make deps)"
done
for t in tcplat .output/tests/nfq_delay .output/tests/lat_client .output/tests/lat_server; do
	[[ -x $REPO_ROOT/$t ]] || die "$t is missing: run make first"
done
mkdir -p "$OUT"
run_start=$(date +%s)

# 1. The kernels: fetched (or found in the cache) before any boot; a kernel
# that cannot be fetched fails the whole run.
declare -A KROOT KVER BTF
for s in "${SERIES[@]}"; do
	root=$("$HERE/fetch-kernel.sh" "$s") || die "kernel $s: fetching failed"
	KROOT[$s]=$root
	KVER[$s]=$(basename "$root")
	cfg=$root/boot/config-${KVER[$s]}
	BTF[$s]=$(grep -E '^CONFIG_DEBUG_INFO_BTF=|^# CONFIG_DEBUG_INFO_BTF is not set' "$cfg" || echo '?')
	BTF[$s]+=" $(grep -E '^CONFIG_DEBUG_INFO_BTF_MODULES=|^# CONFIG_DEBUG_INFO_BTF_MODULES is not set' \
		"$cfg" || echo 'CONFIG_DEBUG_INFO_BTF_MODULES: absent')"
	log "kernel $s: ${KVER[$s]} (${BTF[$s]})"
done

# 2. The initramfs: the userland once, the modules per kernel.
log "building the initramfs"
"$HERE/mkinitramfs.sh" base "$OUT/base.cpio.gz"
for s in "${SERIES[@]}"; do
	"$HERE/mkinitramfs.sh" modules "${KROOT[$s]}" "${KVER[$s]}" "$OUT/modules-$s.cpio.gz"
	cat "$OUT/base.cpio.gz" "$OUT/modules-$s.cpio.gz" >"$OUT/initrd-$s.gz"
done

# qemu_boot SERIES LOG SECONDS ACCEL_ARGS... -- APPEND_WORDS...
# qemu may pause instead of exiting on an emulation error: always under
# timeout. Returns timeout's status (124: the guest did not finish).
qemu_boot()
{
	local s=$1 logf=$2 secs=$3 accel=() append=()

	shift 3
	while (($#)) && [[ $1 != -- ]]; do
		accel+=("$1")
		shift
	done
	shift
	append=("$@")
	timeout --kill-after=10 "$secs" "$QEMU" "${accel[@]}" -nic none -nographic -no-reboot \
		-m 1024 -smp 2 -kernel "${KROOT[$s]}/boot/vmlinuz-${KVER[$s]}" -initrd "$OUT/initrd-$s.gz" \
		-append "console=ttyS0 panic=-1 loglevel=4 ${append[*]}" </dev/null >"$logf" 2>&1
}

# 3. KVM only where it truly boots a stock kernel: a short boot that must
# print the init's marker.
# -cx16: qemu 7.2's TCG mis-emulates cmpxchg16b: 6.12's SLUB fast path (a
# per-CPU cmpxchg16b) double-faults in kmem_cache_alloc within seconds of a
# fork-heavy boot. Without CX16 the kernel takes its locked path.
TCG_ARGS=(-accel tcg -cpu 'max,-cx16')
KVM_ARGS=(-accel kvm -cpu host)
ACCEL_ARGS=("${TCG_ARGS[@]}")
accel_note=
case $ACCEL in
kvm) ACCEL_ARGS=("${KVM_ARGS[@]}"); accel_note="KVM (forced)" ;;
tcg) accel_note="TCG (forced)" ;;
auto)
	if [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
		start=$(date +%s)
		rc=0
		qemu_boot "${SERIES[0]}" "$OUT/kvm-probe.log" "$KVM_PROBE_TIMEOUT" "${KVM_ARGS[@]}" \
			-- tcplat.mode=probe 2>/dev/null || rc=$?
		if grep -aq 'TCPLAT-VM-PROBE-OK' "$OUT/kvm-probe.log"; then
			ACCEL_ARGS=("${KVM_ARGS[@]}")
			accel_note="KVM (probe booted ${KVER[${SERIES[0]}]} in $(($(date +%s) - start)) s)"
		else
			why=$(grep -a -m 1 -iE 'error|fail|emulation' "$OUT/kvm-probe.log" | tr -d '\r' || true)
			((rc == 124)) && why="no marker within ${KVM_PROBE_TIMEOUT} s${why:+; $why}"
			accel_note="TCG (KVM probe failed: exit $rc${why:+, $why})"
		fi
	else
		accel_note="TCG (no usable /dev/kvm)"
	fi
	;;
*) die "VMTEST_ACCEL must be auto, kvm or tcg, not '$ACCEL'" ;;
esac
# Under TCG the guest's clock runs at host speed while its code runs 20-50
# times slower, and the guest shares the host's cores: the emulated SYN and
# SYN-ACK paths add milliseconds to every connect (see README of tests/vm).
if [[ ${ACCEL_ARGS[1]} == kvm ]]; then
	TOL_US=${VMTEST_TOL_US:-1000}
	CMP_LIMIT_US=500
	APPEND_ACCEL=()
else
	TOL_US=${VMTEST_TOL_US:-30000}
	CMP_LIMIT_US=$TOL_US
	# TCG's TSC follows the host's, which is stable: cheap clock reads in
	# the guest, instead of an emulated HPET
	APPEND_ACCEL=(tsc=reliable mitigations=off)
fi
log "accelerator: $accel_note; latency tolerance ${TOL_US} us"

# 4. One boot per kernel.
declare -A WALL STATUS
total_start=$(date +%s)
overall=0
for s in "${SERIES[@]}"; do
	logf=$OUT/console-$s.log
	words=("${APPEND_ACCEL[@]}" "tcplat.tol_us=$TOL_US" "tcplat.cases=$CASES"
		"tcplat.cmp_limit_us=$CMP_LIMIT_US")
	[[ " $TCPCONNLAT_SERIES " == *" $s "* ]] && words+=(tcplat.tcpconnlat=1)
	log "booting $s (${KVER[$s]}), at most $TIMEOUT s; console: ${logf#"$REPO_ROOT"/}"
	start=$(date +%s)
	rc=0
	qemu_boot "$s" "$logf" "$TIMEOUT" "${ACCEL_ARGS[@]}" -- "${words[@]}" 2>/dev/null || rc=$?
	WALL[$s]=$(($(date +%s) - start))
	tr -d '\r' <"$logf" | grep -a -E '^TCPLAT-VM' >"$OUT/verdict-$s.txt" || true
	status=ok
	if ! grep -q '^TCPLAT-VM-DONE' "$OUT/verdict-$s.txt"; then
		panic=$(tr -d '\r' <"$logf" | grep -a -m 1 -E 'Kernel panic|Oops:|BUG:' |
			sed 's/^\[ *[0-9.]*\] //' || true)
		if [[ -n $panic ]]; then
			status="no verdict (kernel: $panic)"
		elif ((rc == 124 || rc == 137)); then
			status="no verdict (timeout after $TIMEOUT s)"
		else
			status="no verdict (qemu exit $rc)"
		fi
	else
		# every backend and check must have reported, and all must be ok;
		# refused is acceptable only where the kernel is not expected to offer it
		want=(fentry kprobe tracepoint auto)
		for b in "${want[@]}"; do
			grep -q "^TCPLAT-VM kernel=[^ ]* backend=$b " "$OUT/verdict-$s.txt" ||
				status="fail (no verdict for backend $b)"
		done
		# every backend that passed the connect suite owes an rtt verdict
		for b in $(sed -n 's/^TCPLAT-VM kernel=[^ ]* backend=\([a-z]*\) result=ok .*/\1/p' \
				"$OUT/verdict-$s.txt"); do
			[[ $b == auto ]] && continue
			grep -q "^TCPLAT-VM kernel=[^ ]* check=rtt backend=$b " "$OUT/verdict-$s.txt" ||
				status="fail (no rtt verdict for backend $b)"
		done
		if [[ " $TCPCONNLAT_SERIES " == *" $s "* ]] &&
		   ! grep -q '^TCPLAT-VM kernel=[^ ]* check=tcpconnlat ' "$OUT/verdict-$s.txt"; then
			status="fail (no tcpconnlat verdict)"
		fi
		if grep '^TCPLAT-VM ' "$OUT/verdict-$s.txt" | grep -v ' result=ok' |
		   grep -qv ' result=refused expected=no'; then
			status=fail
		fi
	fi
	STATUS[$s]=$status
	[[ $status == ok ]] || overall=1
	log "$s: $status (${WALL[$s]} s)"
done
total=$(($(date +%s) - total_start))

# 5. The table.
field()
{
	sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

{
	echo
	echo "VM matrix: $accel_note; cases ${CASES//,/ } per backend; tolerance ${TOL_US} us"
	echo "ERR_*: latency - applied hold per connection, us: median and max of |error|, and the"
	echo "smallest (signed; never below 0: the hold lies inside the connect)"
	printf '%-5s %-26s %-14s %-8s %-6s %-6s %-8s %-7s %-7s %-7s %s\n' SERIES KERNEL BACKEND RESULT \
		PASSED FAILED CONNECTS ERR_MED ERR_MAX ERR_MIN NOTE
	for s in "${SERIES[@]}"; do
		while IFS= read -r l; do
			[[ $l == 'TCPLAT-VM '* ]] || continue
			name=$(field backend "$l")
			if [[ -n $(field check "$l") ]]; then
				name=$(field check "$l")${name:+:$name}
			fi
			note=
			case $(field result "$l") in
			refused | fail) note=$(field reason "$l") ;;
			esac
			[[ -n $(field retried "$l") ]] &&
				note+="run twice: first run passed/failed $(field first_run "$l") "
			case $name in
			auto) note="chosen $(field chosen "$l"), want $(field want "$l")" ;;
			rtt:*)
				[[ $(field result "$l") == ok ]] &&
					note="p50 - D, us: $(field rtt_p50_err_us "$l") (tolerance $(field tol_pct "$l")% of D)"
				;;
			tcpconnlat)
				note="max |tcplat-tcpconnlat| $(field max_diff_us "$l") us;"
				note+=" refused shown as latency: tcplat $(field tcplat_refused_rows "$l"),"
				note+=" tcpconnlat $(field tcpconnlat_refused_rows "$l")"
				;;
			esac
			printf '%-5s %-26s %-14s %-8s %-6s %-6s %-8s %-7s %-7s %-7s %s\n' "$s" "${KVER[$s]}" \
				"$name" "$(field result "$l")" "$(field passed "$l")" "$(field failed "$l")" \
				"$(field connects "$l")" "$(field err_med_us "$l")" "$(field err_max_us "$l")" \
				"$(field err_min_us "$l")" "${note:0:110}"
		done <"$OUT/verdict-$s.txt"
	done
	echo
	echo "latency error per family and delay (run.sh's lines), us:"
	for s in "${SERIES[@]}"; do
		sed -n 's/^TCPLAT-VM-LATERR kernel=[^ ]* backend=\([^ ]*\) */  '"$s"' \1\t/p' \
			"$OUT/verdict-$s.txt" | expand -t 20
	done
	echo
	printf '%-5s %-26s %-8s %-7s %s\n' SERIES KERNEL 'WALL(s)' VERDICT BTF
	for s in "${SERIES[@]}"; do
		printf '%-5s %-26s %-8s %-7s %s\n' "$s" "${KVER[$s]}" "${WALL[$s]}" "${STATUS[$s]}" "${BTF[$s]}"
	done
	echo "total: ${total} s of guests (boot, suite, power-off), $(($(date +%s) - run_start)) s in all"
} | tee "$OUT/summary.txt"
# One line for tests/run-all.sh: every verdict line a check, plus every
# kernel that gave none (or failed without a failing line) as a failure.
vm_passed=0
vm_failed=0
for s in "${SERIES[@]}"; do
	while IFS= read -r l; do
		case $l in
		*' result=ok'* | *' result=refused expected=no'*) vm_passed=$((vm_passed + 1)) ;;
		*) vm_failed=$((vm_failed + 1)) ;;
		esac
	done < <(grep '^TCPLAT-VM kernel=' "$OUT/verdict-$s.txt" 2>/dev/null)
	if [[ ${STATUS[$s]} != ok ]] && ! grep '^TCPLAT-VM kernel=' "$OUT/verdict-$s.txt" 2>/dev/null |
			grep -qv -e ' result=ok' -e ' result=refused expected=no'; then
		vm_failed=$((vm_failed + 1))
	fi
done
echo "$vm_passed passed, $vm_failed failed"
exit $overall
