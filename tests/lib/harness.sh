# SPDX-License-Identifier: GPL-2.0
#
# tests/lib/harness.sh - run cases, assert, start and stop the real tcplat.
#
#   run_case NAME FUNCTION   runs one case; its assertions decide pass/fail
#   check COND-CMD... -- MSG fails the current case when COND-CMD is false
#   tcplat_start DIR ARGS... starts `tcplat ARGS -v` in the background, output
#                            in DIR/out, DIR/err; returns once it is attached
#   tcplat_stop              SIGINT, wait; exit status in TCPLAT_RC
#   harness_summary          prints "N passed, N failed"; status 1 on failures
#   sanitizer_check FILE...  fails the case if a file holds a sanitizer report
#
# Under the sanitizer build (tests/sanitize.sh) a report in tcplat's stderr
# fails the case: tcplat_stop checks the err file of tcplat_start, and
# run_case every file the case wrote below HARNESS_SCAN_DIR (if set), which
# covers the cases that run "$TCPLAT" themselves.
# Every case asserts on what the real binary printed: a case that cannot
# start tcplat (no BPF, no backend) fails, it never skips.

: "${REPO_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TCPLAT:=$REPO_ROOT/tcplat}"
# TCPLAT_BACKEND=fentry|kprobe|tracepoint forces a backend in every
# tcplat_start (the VM matrix runs the suite once per backend).
: "${TCPLAT_BACKEND:=}"

HARNESS_PASSED=0
HARNESS_FAILED=0
HARNESS_FAILED_NAMES=()
CASE_FAILS=0
CASE_NAME=
TCPLAT_PID=
TCPLAT_RC=
TCPLAT_DIR=
: "${HARNESS_SCAN_DIR:=}"
_HARNESS_SCANNED=()	# files sanitizer_check has read in this case
# What ASan, LSan and UBSan print first in a report.
SANITIZER_REPORT='ERROR: AddressSanitizer|ERROR: LeakSanitizer|LeakSanitizer:|runtime error:|ERROR: UndefinedBehaviorSanitizer'

_harness_log()
{
	echo "    $*" >&2
}

# check CMD... -- MESSAGE: run CMD; if it fails, the case fails with MESSAGE.
check()
{
	local args=() msg

	while (($#)) && [[ $1 != -- ]]; do
		args+=("$1")
		shift
	done
	shift
	msg=$*
	if ! "${args[@]}"; then
		_harness_log "FAIL: $msg"
		CASE_FAILS=$((CASE_FAILS + 1))
		return 1
	fi
	return 0
}

# check_eq ACTUAL EXPECTED MESSAGE
check_eq()
{
	if [[ $1 != "$2" ]]; then
		_harness_log "FAIL: $3: got '$1', want '$2'"
		CASE_FAILS=$((CASE_FAILS + 1))
		return 1
	fi
	return 0
}

fail()
{
	_harness_log "FAIL: $*"
	CASE_FAILS=$((CASE_FAILS + 1))
	return 1
}

# sanitizer_check FILE...: fails the case, quoting the report's first line,
# for each file that holds a sanitizer report.
sanitizer_check()
{
	local f line rc=0

	for f in "$@"; do
		[[ -f $f ]] || continue
		[[ " ${_HARNESS_SCANNED[*]-} " == *" $f "* ]] && continue
		_HARNESS_SCANNED+=("$f")
		line=$(grep -m 1 -E "$SANITIZER_REPORT" "$f" 2>/dev/null) || continue
		fail "sanitizer report in ${f#"${HARNESS_SCAN_DIR:-/}"/}: $line"
		rc=1
	done
	return $rc
}

# Starts tcplat in the background. Waits (bounded) for its "-v" line that a
# backend is attached, so the caller's traffic is never earlier than the trace.
tcplat_start()
{
	local dir=$1 i

	shift
	mkdir -p "$dir"
	TCPLAT_DIR=$dir
	"$TCPLAT" "$@" -v ${TCPLAT_BACKEND:+--backend "$TCPLAT_BACKEND"} >"$dir/out" 2>"$dir/err" &
	TCPLAT_PID=$!
	TCPLAT_RC=
	for ((i = 0; i < 200; i++)); do
		grep -q 'backend .*: chosen' "$dir/err" 2>/dev/null && return 0
		if ! kill -0 "$TCPLAT_PID" 2>/dev/null; then
			wait "$TCPLAT_PID"
			TCPLAT_RC=$?
			TCPLAT_PID=
			fail "tcplat $* exited ($TCPLAT_RC) before attaching: $(head -c 600 "$dir/err")"
			return 1
		fi
		sleep 0.05
	done
	fail "tcplat $* did not attach within 10 s: $(head -c 600 "$dir/err")"
	tcplat_stop
	return 1
}

# Ctrl-C for tcplat; waits at most 10 s, then kills it (and fails the case).
tcplat_stop()
{
	local i

	[[ -n $TCPLAT_PID ]] || return 0
	kill -INT "$TCPLAT_PID" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$TCPLAT_PID" 2>/dev/null || break
		# a zombie child still answers kill -0: wait reaps it below
		[[ $(awk '{print $3}' "/proc/$TCPLAT_PID/stat" 2>/dev/null) == Z ]] && break
		sleep 0.05
	done
	if kill -0 "$TCPLAT_PID" 2>/dev/null &&
	   [[ $(awk '{print $3}' "/proc/$TCPLAT_PID/stat" 2>/dev/null) != Z ]]; then
		fail "tcplat did not stop within 10 s of SIGINT"
		kill -KILL "$TCPLAT_PID" 2>/dev/null
	fi
	wait "$TCPLAT_PID"
	TCPLAT_RC=$?
	TCPLAT_PID=
	[[ -n $TCPLAT_DIR ]] && sanitizer_check "$TCPLAT_DIR/err"
	TCPLAT_DIR=
	return 0
}

run_case()
{
	local name=$1 fn=$2 mark=

	CASE_NAME=$name
	CASE_FAILS=0
	echo "--- $name" >&2
	if [[ -n $HARNESS_SCAN_DIR ]]; then
		mark=$HARNESS_SCAN_DIR/.case_start
		touch "$mark"
		_HARNESS_SCANNED=()
	fi
	"$fn"
	tcplat_stop
	if [[ -n $mark ]]; then
		local files=()

		mapfile -t files < <(find "$HARNESS_SCAN_DIR" -type f -newer "$mark" ! -name .case_start)
		sanitizer_check ${files[@]+"${files[@]}"}
	fi
	if ((CASE_FAILS)); then
		echo "not ok - $name"
		HARNESS_FAILED=$((HARNESS_FAILED + 1))
		HARNESS_FAILED_NAMES+=("$name")
	else
		echo "ok - $name"
		HARNESS_PASSED=$((HARNESS_PASSED + 1))
	fi
}

harness_summary()
{
	((HARNESS_FAILED)) && echo "failed: ${HARNESS_FAILED_NAMES[*]}"
	echo "$HARNESS_PASSED passed, $HARNESS_FAILED failed"
	((HARNESS_FAILED == 0))
}
