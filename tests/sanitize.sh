#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/sanitize.sh unit|integration [ARGS...]: one suite against the
# AddressSanitizer + UndefinedBehaviorSanitizer build (make asan, in
# .output-asan/). Leaks are checked at every exit, the first report of
# either sanitizer ends the process, and the integration harness fails a
# case whose tcplat printed any report (tests/lib/harness.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/.output-asan

# halt_on_error: a report is a failure, never a warning the run goes past.
# abort_on_error=0 keeps ASan's exit status (1) rather than a core dump.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=report_objects=1

suite=${1:?usage: tests/sanitize.sh unit|integration [ARGS...]}
shift
case $suite in
unit)
	[[ -d $out/tests ]] || { echo "no $out/tests: run make asan" >&2; exit 1; }
	UNIT_TEST_DIR=$out/tests exec "$root/tests/unit/run.sh" "$@"
	;;
integration)
	[[ -x $out/tcplat ]] || { echo "no $out/tcplat: run make asan" >&2; exit 1; }
	# Cases whose bounds depend on the build (resident memory) read it.
	TCPLAT_SANITIZED=1 TCPLAT=$out/tcplat exec "$root/tests/integration/run.sh" "$@"
	;;
*)
	echo "tests/sanitize.sh: unknown suite '$suite' (unit or integration)" >&2
	exit 2
	;;
esac
