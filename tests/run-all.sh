#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole suite: unit tests, integration tests against the real binary
# and, with TCPLAT_VMTEST=1, the VM matrix; with TCPLAT_HARDEN=1 (make
# check, after make asan fuzzers) the hardening runs too: both suites under
# ASan+UBSan, the fuzzers (FUZZ_SECONDS each, FUZZERS to choose), scan-build
# and the soak (SOAK_SECONDS). Each runner prints its own "N passed, N
# failed" and here its time; the last line here is the total.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
passed=0
failed=0
status=0

run()
{
	local log rc line start

	log=$(mktemp)
	start=$SECONDS
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	echo "run-all: ${*#"$root"/} took $((SECONDS - start)) s"
	if [[ -z $line ]]; then
		echo "run-all: $* printed no result line (exit $rc)" >&2
		failed=$((failed + 1))
		status=1
		return
	fi
	passed=$((passed + $(cut -d' ' -f1 <<<"$line")))
	failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
	((rc == 0)) || status=1
}

echo "== unit tests"
run "$root/tests/unit/run.sh"
echo "== integration tests"
run "$root/tests/integration/run.sh"
# TCPLAT_VMTEST=1 (make check): the VM matrix too, every backend on Debian's
# kernels; each verdict line of a guest counts as one test.
if [[ ${TCPLAT_VMTEST:-0} == 1 ]]; then
	echo "== VM matrix"
	run "$root/scripts/vmtest/run.sh"
fi
if [[ ${TCPLAT_HARDEN:-0} == 1 ]]; then
	echo "== unit tests, ASan+UBSan build"
	run "$root/tests/sanitize.sh" unit
	echo "== integration tests, ASan+UBSan build"
	run "$root/tests/sanitize.sh" integration
	echo "== fuzz: ${FUZZ_SECONDS:-30} s per harness, two at a time"
	# shellcheck disable=SC2086 # a list of names
	run "$root/tests/fuzz/run.sh" ${FUZZERS:-}
	echo "== static analysis: scan-build"
	run "$root/tests/analyze/run.sh"
	echo "== soak: ${SOAK_SECONDS:-180} s"
	run "$root/tests/soak/run.sh"
fi
echo "== total"
echo "$passed passed, $failed failed"
exit $status
