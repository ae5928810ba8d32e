#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/fuzz/run.sh [NAME...]: the libFuzzer harnesses (make fuzzers builds
# them into .output-fuzz/fuzz_NAME; without NAMEs, every one built).
#
# For each harness: every committed input in tests/fuzz/NAME/regressions/
# is replayed (one test each), then the harness fuzzes for FUZZ_SECONDS
# (default 30; 0 runs the seed corpus once) from tests/fuzz/NAME/corpus/
# plus what earlier local runs found (.output-fuzz/NAME/corpus/), with
# tests/fuzz/NAME/dict as its dictionary if there is one (one test).
# FUZZ_JOBS (default 2) harnesses run at a time. Printed per harness: the
# executions run (libFuzzer's final stats), and for a crash the input saved
# and its report. Last line: "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$root/.output-fuzz
seconds=${FUZZ_SECONDS:-30}
jobs_max=${FUZZ_JOBS:-2}
# Large enough for the biggest input struct (two histograms, about 8 KiB).
max_len=${FUZZ_MAX_LEN:-16384}

# Stack frames of libFuzzer and libc, left out of the reports shown.
noise='fuzzer::|libc_start|libc\.so|in _start |__sanitizer_print_stack_trace|pthread_kill|in raise |in abort | in main '

export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

names=("$@")
if ((${#names[@]} == 0)); then
	for bin in "$out"/fuzz_*; do
		[[ -x $bin ]] && names+=("${bin##*/fuzz_}")
	done
fi
if ((${#names[@]} == 0)); then
	echo "no harness in ${out#"$root"/}: run make fuzzers" >&2
	exit 1
fi

# fuzz_one NAME: writes its report to $out/NAME/report and its counts
# ("passed failed") to $out/NAME/result.
fuzz_one()
{
	local name=$1 bin=$out/fuzz_$1 dir=$out/$1 src=$root/tests/fuzz/$1 f log rc
	local passed=0 failed=0 nreg=0 dict=() runs secs execs crash
	local -a limit

	mkdir -p "$dir/corpus"
	rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*
	exec >"$dir/report" 2>&1
	if [[ ! -x $bin ]]; then
		echo "fuzz $name: no ${bin#"$root"/} (make fuzzers)"
		echo "0 1" >"$dir/result"
		return
	fi
	for f in "$src"/regressions/*; do
		[[ -f $f ]] || continue
		nreg=$((nreg + 1))
		if "$bin" "$f" >"$dir/replay.log" 2>&1; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "fuzz $name: regression ${f#"$root"/} fails again:"
			grep -a -E 'fuzz:|ERROR|runtime error|SUMMARY|#[0-9]+ 0x' "$dir/replay.log" |
				grep -a -v -E "$noise" | head -n 20 | sed 's/^/    /'
		fi
	done
	[[ -f $src/dict ]] && dict=(-dict="$src/dict")
	if ((seconds > 0)); then
		limit=(-max_total_time="$seconds")
	else
		limit=(-runs=0)
	fi
	log=$dir/fuzz.log
	# -close_fd_mask=3: the parsers' own messages (argp's) stay out of the
	# log; libFuzzer and the sanitizers still report on their own stream.
	"$bin" "${limit[@]}" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$dir/" ${dict[@]+"${dict[@]}"} \
		"$dir/corpus" "$src/corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	read -r runs secs < <(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log")
	crash=$(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* 2>/dev/null | head -n 1)
	if ((rc == 0)) && [[ -z $crash ]]; then
		echo "fuzz $name: ${execs:-${runs:-?}} executions in ${secs:-?} s," \
			"corpus $(find "$dir/corpus" "$src/corpus" -type f | wc -l) inputs," \
			"regressions $passed/$nreg replayed clean; no crash"
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "fuzz $name: FAILED (exit $rc) after ${execs:-?} executions"
		grep -a -E 'ERROR|runtime error|SUMMARY|#[0-9]+ 0x|Test unit written' "$log" |
			grep -a -v -E "$noise" | head -n 30 | sed 's/^/    /'
		if [[ -n $crash ]]; then
			# Replayed with its stderr, for the harness's own message.
			"$bin" "$crash" 2>&1 | grep -a -m 5 'fuzz:' | sed 's/^/    /'
			echo "    input: ${crash#"$root"/}: once fixed, add it to" \
				"tests/fuzz/$name/regressions/"
		fi
	fi
	echo "$passed $failed" >"$dir/result"
}

for name in "${names[@]}"; do
	while (($(jobs -rp | wc -l) >= jobs_max)); do
		wait -n
	done
	rm -f "$out/$name/result"
	fuzz_one "$name" &
done
wait

passed=0
failed=0
for name in "${names[@]}"; do
	cat "$out/$name/report" 2>/dev/null
	if read -r p f <"$out/$name/result" 2>/dev/null; then
		passed=$((passed + p))
		failed=$((failed + f))
	else
		echo "fuzz $name: no result"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
((failed == 0))
