#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/analyze/run.sh: scan-build (clang's static analyzer, Debian's
# clang-tools) over a fresh build of tcplat's user space and the test tools
# in .output-scan/; the BPF objects are compiled by $(CLANG) directly and not
# analyzed. Zero findings or it fails. Last line: "N passed, N failed": one
# passed for a clean run, else one failed per finding.
#
# Beyond the default checkers, the ones in SCAN_CHECKERS. Reports in
# .output-scan/ itself are left out (--exclude): that is bpftool's generated
# skeletons, whose one finding (a "leak" of the skeleton that
# X_bpf__create_skeleton hands to the object, freed by X_bpf__destroy) is
# the analyzer losing track of the pointer across the generated functions,
# and not our code to change.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=.output-scan
SCAN_CHECKERS=(
	optin.portability.UnixAPI		# malloc(0), open() flags
	security.FloatLoopCounter
	alpha.unix.Stream			# FILE * leaks and misuse
	alpha.unix.cstring.OutOfBounds
	alpha.unix.cstring.BufferOverlap
	alpha.unix.cstring.NotNullTerminated
	alpha.core.CastSize
	alpha.core.SizeofPtr
	alpha.security.ReturnPtrRange
)

cd "$root" || exit 1
scan_build=$(command -v scan-build || command -v scan-build-14) || {
	echo "analyze: scan-build missing (apt-get install clang-tools)" >&2
	echo "0 passed, 1 failed"
	exit 1
}
checkers=()
for c in "${SCAN_CHECKERS[@]}"; do
	checkers+=(-enable-checker "$c")
done
rm -rf "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
"$scan_build" --status-bugs --exclude "$out" -o "$out/reports" \
	"${checkers[@]}" \
	make --no-print-directory -j"$(nproc)" OUTPUT="$out" BIN="$out/tcplat" "$out/tcplat" tools \
	>"$log" 2>&1
rc=$?
# The findings, without those of the excluded generated headers.
grep -E 'warning: .*\[[a-zA-Z.]+\]$' "$log" | grep -v "^$out/" | sort -u >"$log.found"
found=$(wc -l <"$log.found")
grep -E '^scan-build: [0-9]+ bugs? found|^scan-build: No bugs found' "$log"
echo "analyze: $found findings in $(($(date +%s) - start)) s (${#SCAN_CHECKERS[@]} checkers beyond the defaults)"
sed 's/^/    /' "$log.found"
rm -f "$log.found"
if ((rc != 0 && found == 0)); then
	echo "analyze: scan-build or the build failed (exit $rc):"
	tail -n 20 "$log"
	echo "0 passed, 1 failed"
	exit 1
fi
if ((found)); then
	echo "    reports: $out/reports (scan-view)"
	echo "0 passed, $found failed"
	exit 1
fi
echo "1 passed, 0 failed"
