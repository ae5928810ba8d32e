#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.sh - `make bench`: what tracing with tcplat costs, per event,
# beside peers measured in the same run on the same load, against targets.
#
# Usage (root; `make bench` builds what it needs first):
#   bench/bench.sh [-n CONNECTS] [-r ROUNDS] [-m BULK_MB] [-c BULK_CONNS]
#                  [-b BUDGET_S] [-o DIR] [ROW...]
#   make bench [TCPLAT=/path/to/tcplat] [BENCH_ARGS="-r 5"]
# TCPLAT (environment): the binary measured (default ./tcplat). ROW...: only
# the rows whose id matches one of these globs (connect.*); the results then
# go to .output/bench/ unless -o says where, so that the record stays whole.
#
# Writes DIR/results.json and DIR/RESULTS.md (DIR: bench/), after comparing
# with the results.json found there; prints the same table. Every run of every
# row is also in .output/bench/runs.ndjson. The rows and targets are in
# bench/rows.sh, the measuring in bench/lib.sh, the tables in bench/report.sh.
#
# Why cost per event and not throughput: the same loopback connect loop
# varies by +-30% from run to run on this VM, more than a tracer costs, so
# "connects/s with tracer / without" measures noise. Cost = the tracer's BPF
# run_time_ns plus its process's user+sys CPU, between attach and catch-up,
# divided by the connects made (or MB moved, or samples). ROUNDS rounds of all
# rows, the order rotated each round; the table shows medians over rounds.
#
# Holds /tmp/tcplat-tests.lock for the whole run (other tracing would count
# in the figures). Changes and restores: tracefs on /sys/kernel/tracing (only
# when not mounted), kernel.bpf_stats_enabled, a network namespace of its own
# (the load runs there, on its loopback); every process it starts is stopped
# by PID; all of it also on failure and Ctrl-C.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$ROOT/bench
TOOLS_DIR=$ROOT/.output/tests
BIN_DIR=$ROOT/.output/bench
TCPLAT=${TCPLAT:-$ROOT/tcplat}
LOCK=${TCPLAT_TEST_LOCK:-/tmp/tcplat-tests.lock}

CONNECTS=100000		# per connect row and round (lat_client's maximum)
ROUNDS=5
BULK_MB=2000		# per connection of the bulk load
BULK_CONNS=4
BUDGET=480		# seconds: no row starts after this
OUT_DIR=
CONNECT_PORT=24000	# in our own namespace: no clash with the host's ports
BULK_PORT=24001
BACKENDS=(fentry kprobe tracepoint)

usage()
{
	sed -n '7,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while getopts "n:r:m:c:b:o:h" opt; do
	case $opt in
	n) CONNECTS=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	m) BULK_MB=$OPTARG ;;
	c) BULK_CONNS=$OPTARG ;;
	b) BUDGET=$OPTARG ;;
	o) OUT_DIR=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
ONLY=("$@")
for v in "$CONNECTS" "$ROUNDS" "$BULK_MB" "$BULK_CONNS" "$BUDGET"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "bench: bad number: $v" >&2; exit 2; }
done
((CONNECTS <= 100000)) || { echo "bench: -n: at most 100000 (lat_client)" >&2; exit 2; }
if [[ -z $OUT_DIR ]]; then
	OUT_DIR=$BENCH_DIR
	((${#ONLY[@]} == 0)) || OUT_DIR=$BIN_DIR
fi
# The lifetime of every process started: a bench killed by SIGKILL leaves
# nothing behind for longer than this.
LIFETIME=$((BUDGET + 120))

# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=bench/rows.sh
. "$BENCH_DIR/rows.sh"

[[ $EUID -eq 0 ]] || die "needs root (BPF, sysctl, tracefs, network namespaces)"
[[ -x $TCPLAT ]] || die "$TCPLAT: no such binary (make, or TCPLAT=/path/to/tcplat)"
TCPLAT=$(readlink -f "$TCPLAT")
for f in "$TOOLS_DIR/lat_client" "$TOOLS_DIR/lat_server" "$BIN_DIR/bpf_attach" \
	"$BIN_DIR/floor.bpf.o"; do
	[[ -e $f ]] || die "$f missing: run make bench"
done
for c in bpftool bpftrace tcpstates jq ip sysctl timeout flock awk git; do
	command -v "$c" >/dev/null || die "$c not found: run make deps"
done

# fd 9: every process started closes it (lib.sh), so that none keeps the lock.
exec 9>>"$LOCK"
LOCK_T0=$SECONDS
if ! flock -n 9; then
	echo "bench: waiting for $LOCK (another test or bench run)" >&2
	flock -w 1800 9 || die "$LOCK still held after 30 minutes"
fi

START_S=$SECONDS
LOCK_WAIT_S=$((START_S - LOCK_T0))
trap 'rc=$?; trap - EXIT; bench_cleanup; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
bench_setup
mkdir -p "$BIN_DIR" "$OUT_DIR"
RUNS=$BIN_DIR/runs.ndjson
: >"$RUNS"

server_start "$CONNECT_PORT"
server_start "$BULK_PORT" -s $((BULK_MB * 1000000))

# ---------------------------------------------------------------- backends
# Which backends this kernel offers, per subcommand: tcplat SUB --backend B
# -d 0.5 -v for each; the refusal is tcplat's own line ("refused at load:
# Operation not permitted"), the libbpf detail cut off.
declare -A OFFERED=()
backends_ndjson=$_WORK/backends.ndjson
: >"$backends_ndjson"
probe_backends()
{
	local sub=$1 b rc reason

	for b in "${BACKENDS[@]}"; do
		rc=0
		"$TCPLAT" "$sub" --backend "$b" -d 0.5 -v </dev/null >/dev/null 2>"$_WORK/probe.err" 9>&- ||
			rc=$?
		if ((rc == 0)); then
			OFFERED[$sub]+="$b "
			reason=chosen
		else
			reason=$(sed -n "s/^tcplat: backend $b: //p" "$_WORK/probe.err" | head -n 1)
			reason=${reason%%: libbpf:*}
			[[ -n $reason ]] || reason="exit $rc: $(head -n 1 "$_WORK/probe.err")"
		fi
		jq -nc --arg sub "$sub" --arg b "$b" --argjson ok "$((rc == 0))" --arg r "$reason" \
			'{sub: $sub, backend: $b, offered: ($ok == 1), reason: $r}' >>"$backends_ndjson"
	done
}

selected()
{
	local pat

	((${#ONLY[@]} == 0)) && return 0
	for pat in "${ONLY[@]}"; do
		# shellcheck disable=SC2053 # a glob on purpose
		[[ $1 == $pat ]] && return 0
	done
	return 1
}

# The instances to run: each row, and each backend of a tcplat row.
INSTANCES=()
declare -A INST_ROW=() INST_BACKEND=()
for id in "${ROW_IDS[@]}"; do
	selected "$id" || continue
	if [[ ${ROW_KIND[$id]} != tcplat ]]; then
		INSTANCES+=("$id") INST_ROW[$id]=$id INST_BACKEND[$id]=
		continue
	fi
	sub=${ROW_ARGS[$id]%% *}
	[[ -v OFFERED[$sub] ]] || { probe_backends "$sub"; OFFERED[$sub]+=""; }
	for b in ${OFFERED[$sub]}; do
		INSTANCES+=("$id@$b") INST_ROW[$id@$b]=$id INST_BACKEND[$id@$b]=$b
	done
	[[ -n ${OFFERED[$sub]} ]] || warn "$id: no backend of tcplat $sub loads here"
done
((${#INSTANCES[@]} > 0)) || die "no row to run"
jq -r '"bench: tcplat \(.sub) backend \(.backend): \(if .offered then "offered"
	else "refused (\(.reason))" end)"' "$backends_ndjson" >&2

# ---------------------------------------------------------------- one run
# The command of an instance's tracer.
tracer_cmd()
{
	local id=${INST_ROW[$1]} b=${INST_BACKEND[$1]}
	local -a args

	read -r -a args <<<"${ROW_ARGS[$id]}"
	case ${ROW_KIND[$id]} in
	tcplat) CMD=("$TCPLAT" "${args[@]}" --backend "$b" -v) ;;
	bpftrace) CMD=(bpftrace "$ROOT/${args[0]}") ;;
	tcpstates) CMD=(tcpstates) ;;
	floor) CMD=("$BIN_DIR/bpf_attach" "$ROOT/${args[0]}" "$LIFETIME") ;;
	*) CMD=() ;;
	esac
}

# Rows that cannot run with this binary or on this machine: their first
# run's record, not tried again.
declare -A GIVEN_UP=()

# run_instance INSTANCE ROUND: one record (NDJSON) on stdout.
run_instance()
{
	local inst=$1 round=$2 id=${INST_ROW[$1]} b=${INST_BACKEND[$1]}
	local kind=${ROW_KIND[${INST_ROW[$1]}]} out err status=ok note='' progs=
	local b0=0 r0=0 c0=0 u0=0 s0=0 rss=null reported=null dropped=null samples=null
	local -a CMD

	out=/dev/null
	[[ ${ROW_OUT[$id]} == file ]] && out=$_WORK/run.out
	err=$_WORK/run.err
	rm -f "$_WORK/run.out" "$err"
	STARTUP_MS=null BPF_NS=0 BPF_RUNS=0 BPF_NAMES='' CPU_NS=0 CPU_UT=0 CPU_ST=0
	TRACER_PID=

	tracer_cmd "$inst"
	if ((${#CMD[@]})); then
		tracer_start "$kind" "$out" "$err" "${CMD[@]}"
		if ! tracer_wait_ready "$kind" "$out" "$err"; then
			if [[ $kind == tcplat && ${TRACER_RC:-} == 2 ]]; then
				status=unsupported
				note="unsupported by this binary: $(head -n 1 "$err")"
			else
				status=failed
				note="did not attach (exit ${TRACER_RC:-none}): $(tail -n 1 "$err")"
				tracer_stop
			fi
			forget_pid "$TRACER_TIMEOUT_PID"
		else
			progs=$(prog_ids "$TRACER_PID")
			bpf_snapshot "$progs"
			b0=$BPF_NS r0=$BPF_RUNS
			cpu_snapshot "$TRACER_PID"
			c0=$CPU_NS u0=$CPU_UT s0=$CPU_ST
		fi
	fi

	if [[ $status == ok ]]; then
		"load_${ROW_LOAD[$id]}"
		if ((${#CMD[@]})); then
			local settle_file=
			[[ ${ROW_COUNT[$id]} != - ]] && settle_file=$out
			tracer_settle "$TRACER_PID" "$settle_file"
			cpu_snapshot "$TRACER_PID"
			bpf_snapshot "$progs"
			rss=$(rss_peak_kib "$TRACER_PID")
			tracer_stop
			((TRACER_RC == 0)) || note="tracer exited with $TRACER_RC: $(tail -n 1 "$err")"
			reported=$(count_reported "${ROW_COUNT[$id]}" "$out")
			dropped=$(count_dropped "$kind" "$out" "$err")
			if [[ ${ROW_LOAD[$id]} == bulk ]]; then
				samples=$(count_samples "$kind" "$out" "$err" $((BPF_RUNS - r0)))
			fi
		else
			BPF_NS=0 BPF_RUNS=0
		fi
		if ((LOAD_MADE == 0)); then
			status=failed note="the workload made no connection"
		fi
	else
		GIVEN_UP[$inst]=1
		LOAD_UNITS=0 LOAD_UNIT=- LOAD_MADE=0 LOAD_BYTES=0 LOAD_WALL_S=0
	fi

	jq -nc --arg id "$inst" --arg row "$id" --arg backend "$b" --arg kind "$kind" \
		--arg title "${ROW_LABEL[$id]}" --arg sub "${ROW_ARGS[$id]%% *}" \
		--arg ref "${ROW_REF[$id]}" --arg load "${ROW_LOAD[$id]}" \
		--argjson round "$round" --arg status "$status" \
		--arg note "$note" --arg unit "$LOAD_UNIT" --argjson units "$LOAD_UNITS" \
		--argjson made "$LOAD_MADE" --argjson bytes "$LOAD_BYTES" \
		--argjson reported "$reported" --argjson dropped "$dropped" \
		--argjson samples "$samples" --argjson bpf_ns $((BPF_NS - b0)) \
		--argjson runs $((BPF_RUNS - r0)) --arg progs "$BPF_NAMES" \
		--argjson cpu_ns $((CPU_NS - c0)) \
		--argjson utime_ns $(((CPU_UT - u0) * 1000000000 / CLK_TCK)) \
		--argjson stime_ns $(((CPU_ST - s0) * 1000000000 / CLK_TCK)) \
		--argjson startup_ms "$STARTUP_MS" --argjson rss_kib "$rss" \
		--argjson wall_s "$LOAD_WALL_S" '
		{id: $id, row: $row, load: $load, backend: (if $backend == "" then null else $backend end),
		 kind: $kind, "label": $title, sub: (if $kind == "tcplat" then $sub else null end),
		 ref: (if $ref == "-" then null else $ref end), round: $round, status: $status,
		 note: (if $note == "" then null else $note end), unit: $unit, units: $units,
		 made: $made, bytes: $bytes, reported: $reported, dropped: $dropped,
		 samples: $samples, bpf_ns: $bpf_ns, runs: $runs,
		 progs: (if $progs == "" then null else $progs end), cpu_ns: $cpu_ns,
		 utime_ns: $utime_ns, stime_ns: $stime_ns, startup_ms: $startup_ms,
		 rss_kib: $rss_kib, wall_s: $wall_s}'
}

# ---------------------------------------------------------------- the runs
CLK_TCK=$(getconf CLK_TCK)
n=${#INSTANCES[@]}
slowest=0
for ((r = 1; r <= ROUNDS; r++)); do
	for ((k = 0; k < n; k++)); do
		inst=${INSTANCES[(k + r - 1) % n]}
		[[ -v GIVEN_UP[$inst] ]] && continue
		if ((SECONDS - START_S + slowest > BUDGET)); then
			warn "time budget ($BUDGET s) reached in round $r: the rest not run"
			break 2
		fi
		t=$SECONDS
		printf 'bench: round %d/%d %-28s ' "$r" "$ROUNDS" "$inst" >&2
		run_instance "$inst" "$r" >>"$RUNS"
		jq -r 'select(.status != "ok" or .note != null) | "\(.status): \(.note)"' \
			<(tail -n 1 "$RUNS") | tr '\n' ' ' >&2
		echo "$((SECONDS - t)) s" >&2
		((SECONDS - t > slowest)) && slowest=$((SECONDS - t))
	done
done

# ---------------------------------------------------------------- report
machine_json()
{
	local commit dirty=false dir

	dir=$(dirname "$TCPLAT")
	commit=$(git -C "$dir" rev-parse HEAD 2>/dev/null || echo unknown)
	# Dirty: the tree of the binary differs from its commit, the bench's own
	# files (the results of the last run among them) not counted.
	[[ -n $(git -C "$dir" status --porcelain --untracked-files=no -- . ':!bench' \
		2>/dev/null) ]] && dirty=true
	jq -n --arg date "$(date -u +%FT%TZ)" --arg kernel "$(uname -r)" \
		--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		--argjson cores "$(nproc)" \
		--argjson mem "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)" \
		--arg bin "$TCPLAT" --arg version "$("$TCPLAT" --version 2>&1 | head -n 1)" \
		--arg commit "$commit" --argjson dirty "$dirty" \
		--arg bench "$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)" \
		--arg bpftrace "$(bpftrace --version 2>&1 | head -n 1)" \
		--arg tcpstates "$(tcpstates --version 2>&1 | head -n 1)" \
		--argjson connects "$CONNECTS" --argjson rounds "$ROUNDS" \
		--argjson bulk_mb "$BULK_MB" --argjson bulk_conns "$BULK_CONNS" \
		--argjson seconds $((SECONDS - START_S)) --argjson lock_wait "$LOCK_WAIT_S" \
		--slurpfile backends "$backends_ndjson" \
		--argjson order "$(printf '%s\n' "${INSTANCES[@]}" | jq -R . | jq -sc .)" '
		{date: $date, kernel: $kernel,
		 machine: {cpu: $cpu, cores: $cores, memory_mib: $mem},
		 tcplat: {binary: $bin, version: $version, commit: $commit, dirty: $dirty},
		 bench_commit: $bench, peers: {bpftrace: $bpftrace, tcpstates: $tcpstates},
		 load: {connects: $connects, bulk_mb_per_conn: $bulk_mb, bulk_conns: $bulk_conns,
			rounds: $rounds},
		 seconds: $seconds, lock_wait_s: $lock_wait, backends: $backends, order: $order}'
}

machine_json >"$_WORK/meta.json"
printf '%s\n' "${TARGETS[@]}" >"$_WORK/targets.ndjson"
# shellcheck source=bench/report.sh
. "$BENCH_DIR/report.sh"
report "$_WORK/meta.json" "$RUNS" "$_WORK/targets.ndjson" "$OUT_DIR"
