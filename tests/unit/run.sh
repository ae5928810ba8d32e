#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every built unit test binary (.output/tests/test_*), shows cmocka's own
# report for each, then one line "N passed, N failed" summed over all of them.
# A binary that crashes or fails without a cmocka report counts as one failed
# test. Exit status: 0 if every test passed and every binary exited 0, else 1.

set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${UNIT_TEST_DIR:-$root/.output/tests}

# Our parsing below needs cmocka's plain text report.
export CMOCKA_MESSAGE_OUTPUT=stdout

passed=0
failed=0
bad=0
ran=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$dir"/test_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
		continue
	fi
	ran=$((ran + 1))
	name=${bin#"$root"/}
	echo "== $name"
	"$bin" 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]\+\) test(s)\..*/\1/p' "$log" |
	    awk '{ n += $1 } END { print n + 0 }')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]\+\) test(s).*/\1/p' "$log" |
	    awk '{ n += $1 } END { print n + 0 }')
	passed=$((passed + p))
	failed=$((failed + f))
	# A binary that died, or failed without saying so, counts as one
	# failed test: the total must not look clean.
	if [ "$status" -gt 128 ]; then
		echo "$name: killed by signal $((status - 128)) (counted as 1 failed)"
		bad=$((bad + 1))
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exited with status $status (counted as 1 failed)"
		bad=$((bad + 1))
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: no cmocka report (counted as 1 failed)"
		bad=$((bad + 1))
	fi
done

if [ "$ran" -eq 0 ]; then
	echo "no unit test binaries in ${dir#"$root"/}: run make test-unit" >&2
	exit 1
fi
echo "$passed passed, $((failed + bad)) failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
