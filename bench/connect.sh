#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/connect.sh - the overhead of `tcplat connect`, as a cost per event, side
# by side with a bpftrace peer (bench/tcpconnlat.bt) measured in the same run.
#
# Usage (root, from anywhere; the project built with `make`):
#   bench/connect.sh [-n CONNECTS] [-r ROUNDS] [-p PORT] [-b BUDGET_S]
#   make bench [BENCH_ARGS="-n 20000 -r 5"]
# Environment: BENCH_N, BENCH_R, BENCH_PORT, BENCH_BUDGET (the same as the flags).
#
# Why per event and not a throughput ratio: the same loopback connect loop
# varies by +-30% from run to run on a shared VM, far more than a tracer costs,
# so "connects/s with tracer / without" measures the noise. What a tracer
# costs is instead counted where it is spent, and divided by the events:
#   - in the kernel, the BPF programs' run_time_ns and run_cnt (with
#     kernel.bpf_stats_enabled=1), summed over the programs the tracer's
#     process holds: the programs run in the context of the workload, so
#     this is the time added to the traced connects;
#   - in the tracer process, its CPU time (user+sys: the ring buffer or perf
#     buffer reads, formatting, writes), from /proc/PID/task/*/schedstat (ns)
#     and /proc/PID/stat utime/stime (ticks, for the user/sys split).
# Neither depends much on how fast the loop ran, so the tracers compare even
# though the wall time does not. Counted in run_time_ns: the wakeup that a
# ring buffer or perf buffer record raises (irq_work, a self-IPI, so a VM
# exit on a virtual machine) starts inside the program, and its interrupt is
# mostly taken there too. Not counted (the same for both tracers): the
# tracepoint's own dispatch around the programs.
#
# Phases, each against the same workload (lat_client: CONNECTS sequential
# blocking connects to lat_server on 127.0.0.1, root namespace):
#   baseline   no tracer (wall time only, for reference)
#   text       ./tcplat connect          > /dev/null
#   json       ./tcplat connect --json   > /dev/null
#   bpftrace   bpftrace bench/tcpconnlat.bt > file (its lines are counted)
# ROUNDS rounds of all phases (the order rotated each round, so that a slow
# drift of the machine does not always hit the same phase); the table shows
# the median of each figure over the rounds. Also written, with every run,
# as NDJSON to .output/bench/connect.ndjson.
#
# State touched and restored at exit: kernel.bpf_stats_enabled (set to 1, put
# back as it was); tracefs mounted on /sys/kernel/tracing if it was not
# (bpftrace reads tracepoint formats there), unmounted again. Every process
# started is stopped by its PID. Bounded: phases stop being started once
# BUDGET_S (default 170 s) is near, and each wait has a limit.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TCPLAT=$ROOT/tcplat
TOOLS_DIR=$ROOT/.output/tests
BT_SCRIPT=$ROOT/bench/tcpconnlat.bt
OUT_DIR=$ROOT/.output/bench
NDJSON=$OUT_DIR/connect.ndjson

N=${BENCH_N:-20000}
R=${BENCH_R:-3}
PORT=${BENCH_PORT:-47300}
BUDGET=${BENCH_BUDGET:-170}
PHASES=(baseline text json bpftrace)

usage()
{
	sed -n '7,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while getopts "n:r:p:b:h" opt; do
	case $opt in
	n) N=$OPTARG ;;
	r) R=$OPTARG ;;
	p) PORT=$OPTARG ;;
	b) BUDGET=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for v in "$N" "$R" "$PORT" "$BUDGET"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "connect.sh: bad number: $v" >&2; exit 2; }
done

die()
{
	echo "connect.sh: $*" >&2
	exit 1
}

warn()
{
	echo "connect.sh: warning: $*" >&2
}

[[ $EUID -eq 0 ]] || die "needs root (BPF, sysctl, tracefs)"
for f in "$TCPLAT" "$TOOLS_DIR/lat_client" "$TOOLS_DIR/lat_server"; do
	[[ -x $f ]] || die "$f missing: run make first"
done
for c in bpftool jq sysctl timeout; do
	command -v "$c" >/dev/null || die "$c not found"
done
if ! command -v bpftrace >/dev/null; then
	warn "bpftrace not found: no peer phase"
	PHASES=(baseline text json)
fi

CLK_TCK=$(getconf CLK_TCK)
START_S=$SECONDS

# ---------------------------------------------------------------- clean-up
work=
server_pid=
client_pid=
tracer_pid=
stats_prev=
tracefs_mounted=

# Stops one process we started: SIGINT first (tracers print their summary and
# detach), SIGKILL if it has not gone within 10 s.
stop_pid()
{
	local pid=$1 sig=${2:-INT} i

	[[ -n $pid ]] || return 0
	kill -"$sig" "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup()
{
	local rc=$?

	trap - EXIT INT TERM
	stop_pid "$client_pid" TERM
	stop_pid "$tracer_pid" INT
	stop_pid "$server_pid" TERM
	if [[ -n $stats_prev ]]; then
		sysctl -q -w kernel.bpf_stats_enabled="$stats_prev" ||
			warn "could not restore kernel.bpf_stats_enabled=$stats_prev"
	fi
	if [[ -n $tracefs_mounted ]]; then
		umount /sys/kernel/tracing || warn "could not unmount /sys/kernel/tracing"
	fi
	[[ -n $work ]] && rm -rf -- "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /tmp/tcplat-bench.XXXXXX)
mkdir -p "$OUT_DIR"

# ---------------------------------------------------------------- set-up
# bpftrace needs the tracepoint formats; leave an existing mount alone.
if ! grep -qs '^[^ ]* /sys/kernel/tracing tracefs ' /proc/mounts; then
	mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs"
	tracefs_mounted=1
fi

# run_time_ns/run_cnt are only counted while this is on.
stats_prev=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1

# One server for the whole bench. The port may be taken (other users of the
# machine): try the next ones, and trust the ready file rather than a guess.
for ((try = 0; try < 20; try++)); do
	rm -f "$work/ready"
	"$TOOLS_DIR/lat_server" -4 -a 127.0.0.1 -p "$PORT" -t $((BUDGET + 30)) \
		-r "$work/ready" 2>"$work/server.err" &
	server_pid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -e $work/ready ]] && break
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	[[ -e $work/ready ]] && break
	stop_pid "$server_pid" TERM
	server_pid=
	PORT=$((PORT + 1))
done
[[ -n $server_pid ]] || die "lat_server did not start: $(cat "$work/server.err")"

# ---------------------------------------------------------------- probes
# The BPF programs of a process: bpftool's "pids" when it has them (bpftool
# built with skeletons), else the prog_id of the process's BPF fds (Debian's
# bpftool 7.1 lists no pids).
prog_ids()
{
	local pid=$1 ids

	ids=$(bpftool prog show -j |
		jq -r --argjson p "$pid" '.[] | select(any(.pids[]?; .pid == $p)) | .id')
	if [[ -z $ids ]]; then
		ids=$(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '/^prog_id:/ { print $2 }' |
			sort -un)
	fi
	# shellcheck disable=SC2086 # one line
	echo $ids
}

# "run_time_ns run_cnt names" summed over the programs given (ids).
bpf_snapshot()
{
	bpftool prog show -j | jq -r --arg ids "$*" '
		($ids | split(" ") | map(select(length > 0) | tonumber)) as $want
		| [.[] | select(.id as $i | $want | index($i))]
		| "\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0) \(map(.name) | join(","))"'
}

# "schedstat_ns runs utime_ticks stime_ticks" of a process, all its threads.
# schedstat: ns on the CPU and times scheduled in, per thread; stat: the
# process's utime/stime in ticks (fields 14 and 15, counted after the comm,
# which may hold spaces).
cpu_snapshot()
{
	local pid=$1 ns=0 runs=0 a c rest

	for f in /proc/"$pid"/task/*/schedstat; do
		read -r a _ c 2>/dev/null <"$f" || continue
		ns=$((ns + a))
		runs=$((runs + c))
	done
	rest=$(<"/proc/$pid/stat")
	rest=${rest##*) }
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $rest
	echo "$ns $runs ${12} ${13}"
}

# A tracer is ready once its programs are attached: tcplat holds a bpf_link
# fd then; bpftrace prints its BEGIN header after attaching every probe.
wait_ready()
{
	local kind=$1 pid=$2 out=$3 limit=$4 i

	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		case $kind in
		tcplat) cat /proc/"$pid"/fdinfo/* 2>/dev/null | grep -q '^link_type:' && return 0 ;;
		bpftrace) grep -q '^PID ' "$out" 2>/dev/null && return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

# After the client ends, the tracer still has events to read: wait until its
# CPU time stops growing (under 0.2 ms per 100 ms: bpftrace polls its perf
# buffers even when idle) and, for bpftrace, until its lines are all there.
settle()
{
	local pid=$1 file=${2:-} want=${3:-0} prev=-1 cur i

	for ((i = 0; i < 50; i++)); do
		read -r cur _ < <(cpu_snapshot "$pid")
		if ((prev >= 0 && cur - prev < 200000)); then
			[[ -z $file ]] && return 0
			(($(wc -l <"$file") >= want)) && return 0
		fi
		prev=$cur
		sleep 0.1
	done
	warn "tracer $pid still busy after 5 s"
}

# Connects tcplat traced to their end: the stats map (STAT_SEEN, key 0,
# summed over CPUs), read before the stop, since the --json summary goes to
# /dev/null with the events.
tcplat_seen_map()
{
	local pid=$1 m id

	# shellcheck disable=SC2013 # one number per line
	for m in $(cat /proc/"$pid"/fdinfo/* 2>/dev/null | awk '/^map_id:/ { print $2 }'); do
		id=$(bpftool map show id "$m" -j | jq -r 'select(.name == "stats") | .id')
		if [[ -n $id ]]; then
			bpftool map dump id "$id" -j |
				jq '.[] | select(.formatted.key == 0) | [.formatted.values[].value] | add'
			return 0
		fi
	done
	echo null
}

# ---------------------------------------------------------------- one phase
# run_phase PHASE ROUND: prints one NDJSON object.
run_phase()
{
	local phase=$1 round=$2
	local out=$work/$phase.out err=$work/$phase.err
	local ids="" b0=(0 0 "") b1=(0 0 "") c0=(0 0 0 0) c1=(0 0 0 0)
	local t0 t1 rc seen=null left kind=tcplat

	tracer_pid=
	case $phase in
	text) "$TCPLAT" connect >/dev/null 2>"$err" & tracer_pid=$! ;;
	json) "$TCPLAT" connect --json >/dev/null 2>"$err" & tracer_pid=$! ;;
	bpftrace) bpftrace "$BT_SCRIPT" >"$out" 2>"$err" & tracer_pid=$! ;;
	esac
	if [[ -n $tracer_pid ]]; then
		[[ $phase == bpftrace ]] && kind=bpftrace
		if ! wait_ready "$kind" "$tracer_pid" "$out" 30; then
			warn "$phase: tracer not ready: $(tail -n 3 "$err")"
			stop_pid "$tracer_pid" INT
			tracer_pid=
			return 1
		fi
		ids=$(prog_ids "$tracer_pid")
		read -r -a b0 < <(bpf_snapshot "$ids")
		read -r -a c0 < <(cpu_snapshot "$tracer_pid")
	fi

	left=$((BUDGET - (SECONDS - START_S)))
	((left > 5)) || left=5
	t0=$EPOCHREALTIME
	timeout -s TERM "$left" "$TOOLS_DIR/lat_client" -4 -a 127.0.0.1 -p "$PORT" \
		-n "$N" -T 2000 -o /dev/null &
	client_pid=$!
	rc=0
	wait "$client_pid" || rc=$?
	client_pid=
	t1=$EPOCHREALTIME
	((rc == 0)) || warn "$phase: lat_client exited with $rc"

	if [[ -n $tracer_pid ]]; then
		if [[ $phase == bpftrace ]]; then
			# "Attaching N probes...", the header, then one line per connect.
			settle "$tracer_pid" "$out" $((N + 2))
		else
			settle "$tracer_pid"
		fi
		read -r -a c1 < <(cpu_snapshot "$tracer_pid")
		read -r -a b1 < <(bpf_snapshot "$ids")
		[[ $phase == bpftrace ]] || seen=$(tcplat_seen_map "$tracer_pid")
		stop_pid "$tracer_pid" INT
		tracer_pid=
		case $phase in
		text)
			# The summary on stderr is what a user sees: prefer it.
			seen=$(sed -n 's/^tcplat: \([0-9]*\) connects seen.*/\1/p' "$err" |
				tail -n 1 | grep . || echo "$seen")
			;;
		bpftrace)
			seen=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$out" | wc -l)
			;;
		esac
	fi

	jq -nc --arg tracer "$phase" --argjson round "$round" --argjson n "$N" \
		--argjson seen "$seen" --arg progs "${b0[2]:-}" \
		--argjson bpf_ns $((b1[0] - b0[0])) --argjson hits $((b1[1] - b0[1])) \
		--argjson cpu_ns $((c1[0] - c0[0])) --argjson runs $((c1[1] - c0[1])) \
		--argjson utime_ns $(((c1[2] - c0[2]) * 1000000000 / CLK_TCK)) \
		--argjson stime_ns $(((c1[3] - c0[3]) * 1000000000 / CLK_TCK)) \
		--argjson wall_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" '
		def r1: . * 10 | round / 10;
		{type: "run", tracer: $tracer, round: $round, events: $n, seen: $seen,
		 progs: (if $progs == "" then null else $progs end),
		 hits: $hits, bpf_ns: $bpf_ns, cpu_ns: $cpu_ns,
		 utime_ns: $utime_ns, stime_ns: $stime_ns, sched_runs: $runs,
		 bpf_ns_per_hit: (if $hits > 0 then $bpf_ns / $hits | r1 else 0 end),
		 hits_per_connect: ($hits / $n | r1),
		 bpf_ns_per_connect: ($bpf_ns / $n | r1),
		 cpu_ns_per_connect: ($cpu_ns / $n | r1),
		 user_ns_per_connect: ($utime_ns / $n | r1),
		 sys_ns_per_connect: ($stime_ns / $n | r1),
		 total_ns_per_connect: (($bpf_ns + $cpu_ns) / $n | r1),
		 wakeups_per_connect: ($runs / $n * 1000 | round / 1000),
		 wall_s: $wall_s, wall_noisy: true}'
}

# ---------------------------------------------------------------- the runs
runs=$work/runs.ndjson
: >"$runs"
np=${#PHASES[@]}
est=0
for ((r = 1; r <= R; r++)); do
	for ((k = 0; k < np; k++)); do
		phase=${PHASES[(k + r - 1) % np]}
		elapsed=$((SECONDS - START_S))
		# Keep a phase's worth of time (the slowest seen so far, bpftrace's
		# start-up included) before the budget ends.
		if ((elapsed + est + 5 > BUDGET)); then
			warn "time budget ($BUDGET s) reached: round $r incomplete, stopping"
			break 2
		fi
		p0=$SECONDS
		printf 'connect.sh: round %d/%d %-8s ... ' "$r" "$R" "$phase" >&2
		run_phase "$phase" "$r" >>"$runs" || true
		echo "$((SECONDS - p0)) s" >&2
		((SECONDS - p0 > est)) && est=$((SECONDS - p0))
	done
done
[[ -s $runs ]] || die "no phase completed"

# ---------------------------------------------------------------- report
# Medians per figure over the rounds (each figure on its own: the total is
# the median of the per-run totals, not a sum of medians).
medians=$(jq -sc --argjson order "$(printf '%s\n' "${PHASES[@]}" | jq -R . | jq -sc .)" '
	def median: sort | length as $l
		| if $l == 0 then null
		  elif $l % 2 == 1 then .[($l - 1) / 2]
		  else (.[$l / 2 - 1] + .[$l / 2]) / 2 end;
	def r1: if . == null then null else . * 10 | round / 10 end;
	# Against the peer of the same round: both saw the same machine state.
	(map(select(.tracer == "bpftrace") | {key: "\(.round)", value: .total_ns_per_connect})
	 | from_entries) as $peer
	| group_by(.tracer) | map(. as $g | {
		type: "median", tracer: .[0].tracer, rounds: length, events: .[0].events,
		seen: (if .[0].seen == null then null else map(.seen) | median end),
		progs: .[0].progs, hits: (map(.hits) | median),
		hits_per_connect: (map(.hits_per_connect) | median | r1)}
		+ ([ "bpf_ns_per_hit", "bpf_ns_per_connect", "cpu_ns_per_connect",
		     "user_ns_per_connect", "sys_ns_per_connect", "total_ns_per_connect" ]
		   | map({key: ., value: (. as $k | $g | map(.[$k]) | median | r1)})
		   | from_entries)
		+ {vs_bpftrace: ($g | map(select(.total_ns_per_connect > 0
				and ($peer["\(.round)"] // 0) > 0)
			| .total_ns_per_connect / $peer["\(.round)"]) | median
			| if . == null then null else . * 100 | round / 100 end),
		   wakeups_per_connect: ($g | map(.wakeups_per_connect) | median
			| . * 1000 | round / 1000),
		   wall_s: ($g | map(.wall_s) | median | . * 1000 | round / 1000),
		   wall_noisy: true})
	| sort_by(.tracer as $t | $order | index($t)) | .[]' "$runs")

{
	jq -nc --arg kernel "$(uname -r)" --argjson n "$N" --argjson r "$R" \
		--argjson port "$PORT" --argjson clk "$CLK_TCK" \
		--arg bpftrace "$(bpftrace --version 2>/dev/null || echo none)" \
		--arg date "$(date -u +%FT%TZ)" '
		{type: "meta", date: $date, kernel: $kernel, connects: $n, rounds: $r,
		 port: $port, clk_tck: $clk, bpftrace: $bpftrace,
		 note: "per connect = delta / connects; wall_s is noisy, for information only"}'
	cat "$runs"
	echo "$medians"
} >"$NDJSON"

printf '\ntcplat connect overhead per event: %d loopback connects, median of %d rounds\n' "$N" "$R"
printf '(BPF: programs run_time_ns/run_cnt; CPU: tracer user+sys, schedstat; usr/sys: ticks)\n\n'
fmt='%-9s %7s %8s %6s %7s %8s %8s %13s %8s %6s %7s %9s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" tracer events seen hits/c BPFns/h BPFns/c CPUns/c "usr/sys ns/c" totns/c "vs bt" wake/c "wall(s)*"
echo "$medians" | jq -r '[.tracer, .events, (.seen // "-"), .hits_per_connect,
	.bpf_ns_per_hit, .bpf_ns_per_connect, .cpu_ns_per_connect,
	"\(.user_ns_per_connect | round)/\(.sys_ns_per_connect | round)",
	.total_ns_per_connect, (.vs_bpftrace // "-"), .wakeups_per_connect, .wall_s] | @tsv' |
	while IFS=$'\t' read -r -a row; do
		# shellcheck disable=SC2059
		printf "$fmt" "${row[@]}"
	done
printf '\n* wall time of the workload: noisy (+-30%% run to run), for information only.\n'
printf 'hits/c = tracepoint hits (run_cnt) per connect; /h = per hit, /c = per connect;\n'
printf 'total = BPF + tracer CPU; vs bt = total / bpftrace total of the same round (median);\n'
printf 'wake/c = times the tracer was scheduled in per connect.\n'
printf 'NDJSON (every run and the medians): %s\n' "${NDJSON#"$ROOT"/}"

# Connects the tracers missed, over all rounds.
jq -r --argjson n "$N" 'select(.seen != null and .seen < $n)
	| "connect.sh: warning: \(.tracer) round \(.round) saw \(.seen) of \($n) connects"' \
	"$runs" >&2
