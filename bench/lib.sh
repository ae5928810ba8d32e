# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# bench/lib.sh - the measuring tools of bench/bench.sh: the host state it
# changes and restores, the processes it starts and stops (by PID), the
# workloads, and the snapshots a cost is computed from.
#
# Cost of a tracer over one workload, counted where it is spent:
#   - its BPF programs' run_time_ns and run_cnt (kernel.bpf_stats_enabled=1),
#     summed over the programs its process holds (the prog_id of its fds:
#     Debian's bpftool 7.1 lists no pids). They run in the workload's context,
#     so this is time added to the traced connects.
#   - its process's CPU time, user+sys: /proc/PID/task/*/schedstat (ns), and
#     /proc/PID/stat utime/stime (ticks) for the user/sys split.
# Both are taken after the tracer is attached and again once it has caught up
# with the workload, so start-up and shutdown are not in the cost.
#
# Every process started here closes fd 9, bench.sh's hold on the test lock:
# none may keep the lock should it outlive the bench.
#
# Everything here uses shell builtins in its polling loops (no fork per poll),
# so that the start-up times measured are the tracer's, not the poller's.

# Results are handed back in globals (CPU_NS, BPF_RUNS, LOAD_UNITS...), read
# by bench.sh: no subshell per snapshot.
# shellcheck disable=SC2034

# ---------------------------------------------------------------- state
_WORK=			# scratch directory
_NETNS=			# the namespace the workloads run in
_TRACEFS_MOUNTED=	# 1 when we mounted tracefs
_STATS_PREV=		# kernel.bpf_stats_enabled before we set it
_PIDS=()		# every long-lived process we started
_SLEEP_FD=		# a pipe nobody writes to: read -t on it sleeps without a fork

warn()
{
	echo "bench: warning: $*" >&2
}

die()
{
	echo "bench: $*" >&2
	exit 1
}

# Sleeps $1 seconds (fractions allowed) without forking.
nap()
{
	read -r -t "$1" -u "$_SLEEP_FD" _ || true
}

# True while process $1 runs (a zombie does not count).
alive()
{
	local stat

	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# Stops process $1, which we started: signal $2 (default TERM), KILL after
# $3 seconds (default 10). Reaps it when it is our child.
stop_pid()
{
	local pid=$1 sig=${2:-TERM} limit=${3:-10} i

	[[ -n $pid ]] || return 0
	if alive "$pid"; then
		kill -"$sig" "$pid" 2>/dev/null || true
		for ((i = 0; i < limit * 20; i++)); do
			alive "$pid" || break
			nap 0.05
		done
		alive "$pid" && { warn "pid $pid ignored SIG$sig, killing it"; kill -KILL "$pid"; }
	fi
	wait "$pid" 2>/dev/null || true
}

# Removes $1 from the processes bench_cleanup stops (it has ended).
forget_pid()
{
	local pid kept=()

	for pid in "${_PIDS[@]}"; do
		[[ $pid == "$1" ]] || kept+=("$pid")
	done
	_PIDS=("${kept[@]}")
}

# Prints the pid of a child of $1 (the process `timeout` started), waiting
# up to a second for it to appear.
child_of()
{
	local parent=$1 f stat i rest

	for ((i = 0; i < 200; i++)); do
		for f in /proc/[0-9]*/stat; do
			read -r stat 2>/dev/null <"$f" || continue
			rest=${stat##*) }
			# shellcheck disable=SC2086 # split the fields on purpose
			set -- $rest
			if [[ $2 == "$parent" ]]; then
				echo "${stat%% *}"
				return 0
			fi
		done
		alive "$parent" || return 1
		nap 0.005
	done
	return 1
}

# ---------------------------------------------------------------- host state
# Undoes, in reverse order, whatever bench_setup did, also halfway through.
bench_cleanup()
{
	local pid

	for pid in "${_PIDS[@]}"; do
		stop_pid "$pid" TERM 5
	done
	_PIDS=()
	if [[ -n $_NETNS ]]; then
		ip netns del "$_NETNS" 2>/dev/null || warn "could not remove netns $_NETNS"
		_NETNS=
	fi
	if [[ -n $_STATS_PREV ]]; then
		sysctl -q -w kernel.bpf_stats_enabled="$_STATS_PREV" ||
			warn "could not restore kernel.bpf_stats_enabled=$_STATS_PREV"
		_STATS_PREV=
	fi
	if [[ -n $_TRACEFS_MOUNTED ]]; then
		umount /sys/kernel/tracing || warn "could not unmount /sys/kernel/tracing"
		_TRACEFS_MOUNTED=
	fi
	[[ -n $_WORK ]] && rm -rf -- "$_WORK"
	_WORK=
}

# tracefs (bpftrace and tcpstates read tracepoint ids there), the BPF
# statistics, a scratch directory and the namespace of the workloads.
bench_setup()
{
	_WORK=$(mktemp -d /tmp/tcplat-bench.XXXXXX)
	exec {_SLEEP_FD}<> <(:)

	if ! grep -qs '^[^ ]* /sys/kernel/tracing tracefs ' /proc/mounts; then
		mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs"
		_TRACEFS_MOUNTED=1
	fi
	_STATS_PREV=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1

	# Its own loopback: no port of the host's can clash, and no TIME_WAIT
	# socket of the host's slows the port search. No TIME_WAIT at all
	# (tcp_max_tw_buckets=0): 100,000 connects of 28,000 ephemeral ports
	# would otherwise make each row slower than the one before.
	_NETNS=tcplat-bench-$$
	ip netns add "$_NETNS" || { _NETNS=; die "cannot create a network namespace"; }
	ip -n "$_NETNS" link set lo up
	ip netns exec "$_NETNS" sysctl -q -w net.ipv4.tcp_max_tw_buckets=0
}

# server_start PORT ARGS...: a lat_server in the namespace for the whole run.
server_start()
{
	local port=$1 ready=$_WORK/server-$1.ready pid i

	shift
	# Started directly (not from a function, which would fork a shell in
	# between), so that $! is lat_server's own pid: `ip netns exec` execs.
	ip netns exec "$_NETNS" "$TOOLS_DIR/lat_server" -4 -a 127.0.0.1 -p "$port" \
		-t "$LIFETIME" -r "$ready" "$@" </dev/null >/dev/null 2>"$_WORK/server-$port.err" 9>&- &
	pid=$!
	_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		[[ -e $ready ]] && return 0
		alive "$pid" || break
		nap 0.05
	done
	die "lat_server on port $port did not start: $(cat "$_WORK/server-$port.err")"
}

# ---------------------------------------------------------------- snapshots
# Sets CPU_NS (user+sys, ns, all live threads), CPU_UT and CPU_ST (ticks).
cpu_snapshot()
{
	local pid=$1 f a rest

	CPU_NS=0
	for f in /proc/"$pid"/task/*/schedstat; do
		read -r a _ 2>/dev/null <"$f" || continue
		CPU_NS=$((CPU_NS + a))
	done
	read -r rest 2>/dev/null <"/proc/$pid/stat" || { CPU_UT=0 CPU_ST=0; return 0; }
	rest=${rest##*) }
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $rest
	CPU_UT=${12} CPU_ST=${13}
}

# Prints the prog ids of process $1's BPF fds (programs and links).
prog_ids()
{
	local f line ids=()

	for f in /proc/"$1"/fdinfo/*; do
		while read -r line; do
			[[ $line == prog_id:* ]] && ids+=("${line#prog_id:}")
		done 2>/dev/null <"$f"
	done
	printf '%s\n' "${ids[@]}" | sort -un | tr '\n' ' '
}

# Sets BPF_NS, BPF_RUNS and BPF_NAMES, summed over the prog ids given.
bpf_snapshot()
{
	local out

	if [[ -z ${*// /} ]]; then
		BPF_NS=0 BPF_RUNS=0 BPF_NAMES=
		return 0
	fi
	out=$(bpftool prog show -j | jq -r --arg ids "$*" '
		($ids | split(" ") | map(select(length > 0) | tonumber)) as $want
		| [.[] | select(.id as $i | $want | index($i))]
		| "\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0) \(map(.name) | unique | join(","))"')
	read -r BPF_NS BPF_RUNS BPF_NAMES <<<"$out"
}

# Peak resident set (VmHWM, KiB) of process $1.
rss_peak_kib()
{
	local key val

	while read -r key val _; do
		[[ $key == VmHWM: ]] && { echo "$val"; return 0; }
	done 2>/dev/null <"/proc/$1/status"
	echo 0
}

# ---------------------------------------------------------------- tracers
# tracer_start KIND OUT ERR CMD...: starts CMD under `timeout` (a lifetime, so
# that nothing outlives a bench killed by SIGKILL), sets TRACER_TIMEOUT_PID,
# TRACER_PID (the tracer itself) and TRACER_T0 (just before the fork).
tracer_start()
{
	local out=$2 err=$3

	shift 3
	TRACER_T0=$EPOCHREALTIME
	timeout -s INT -k 5 "$LIFETIME" "$@" </dev/null >"$out" 2>"$err" 9>&- &
	TRACER_TIMEOUT_PID=$!
	_PIDS+=("$TRACER_TIMEOUT_PID")
	TRACER_PID=$(child_of "$TRACER_TIMEOUT_PID") || TRACER_PID=
}

# True once the tracer of kind $1 is attached: tcplat -v says "backend X:
# chosen" after attaching; bpftrace prints its BEGIN line after attaching
# every probe; bpf_attach says "attached"; tcpstates holds a bpf_link.
tracer_ready()
{
	local kind=$1 pid=$2 out=$3 err=$4 line n=0 f

	case $kind in
	tcplat)
		while read -r line; do
			[[ $line == "tcplat: backend "*": chosen"* ]] && return 0
		done 2>/dev/null <"$err"
		;;
	bpftrace)
		# "Attaching N probes...", then the BEGIN line.
		while read -r line; do
			((++n >= 2)) && return 0
		done 2>/dev/null <"$out"
		;;
	floor)
		while read -r line; do
			[[ $line == "bpf_attach: attached"* ]] && return 0
		done 2>/dev/null <"$err"
		;;
	*)
		for f in /proc/"$pid"/fdinfo/*; do
			while read -r line; do
				[[ $line == link_type:* ]] && return 0
			done 2>/dev/null <"$f"
		done
		;;
	esac
	return 1
}

# tracer_wait_ready KIND OUT ERR: polls every 2 ms for up to 30 s. Sets
# STARTUP_MS; returns 1 if the tracer exited (its status in TRACER_RC) or
# never attached.
tracer_wait_ready()
{
	local kind=$1 out=$2 err=$3 i

	TRACER_RC=
	for ((i = 0; i < 15000; i++)); do
		if [[ -n $TRACER_PID ]] && tracer_ready "$kind" "$TRACER_PID" "$out" "$err"; then
			STARTUP_MS=$(awk -v a="$TRACER_T0" -v b="$EPOCHREALTIME" \
				'BEGIN { printf "%.1f", (b - a) * 1000 }')
			return 0
		fi
		if ! alive "$TRACER_TIMEOUT_PID"; then
			TRACER_RC=0
			wait "$TRACER_TIMEOUT_PID" || TRACER_RC=$?
			return 1
		fi
		nap 0.002
	done
	return 1
}

# Stops the tracer with SIGINT (it prints its summary and detaches), then
# its `timeout`. Sets TRACER_RC.
tracer_stop()
{
	local i

	TRACER_RC=0
	if [[ -n $TRACER_PID ]] && alive "$TRACER_PID"; then
		kill -INT "$TRACER_PID" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			alive "$TRACER_PID" || break
			nap 0.05
		done
		alive "$TRACER_PID" && { warn "tracer $TRACER_PID ignored SIGINT"; kill -KILL "$TRACER_PID"; }
	fi
	# `timeout` ends with its child and passes its status on.
	for ((i = 0; i < 100; i++)); do
		alive "$TRACER_TIMEOUT_PID" || break
		nap 0.05
	done
	alive "$TRACER_TIMEOUT_PID" && kill -KILL "$TRACER_TIMEOUT_PID"
	wait "$TRACER_TIMEOUT_PID" 2>/dev/null || TRACER_RC=$?
	forget_pid "$TRACER_TIMEOUT_PID"
}

# After the workload, the tracer may still be reading: waits (at most 20 s)
# until its CPU time grows by less than 0.2 ms per 100 ms twice in a row and,
# when $2 is a file, that file stops growing.
tracer_settle()
{
	local pid=$1 file=${2:-} prev=-1 size prev_size=-1 calm=0 i

	for ((i = 0; i < 200; i++)); do
		cpu_snapshot "$pid"
		size=0
		[[ -f $file ]] && size=$(stat -c %s "$file")
		if ((prev >= 0 && CPU_NS - prev < 200000 && size == prev_size)); then
			((++calm >= 2)) && return 0
		else
			calm=0
		fi
		prev=$CPU_NS prev_size=$size
		nap 0.1
	done
	warn "tracer $pid still busy after 20 s"
}

# ---------------------------------------------------------------- workloads
# Each sets LOAD_UNITS (what costs are divided by), LOAD_UNIT (its name),
# LOAD_MADE (connections that succeeded), LOAD_BYTES and LOAD_WALL_S.

# CONNECTS sequential blocking loopback connects, each closed at once.
load_connect()
{
	local out=$_WORK/client.out t0 rc=0

	t0=$EPOCHREALTIME
	timeout -k 5 120 ip netns exec "$_NETNS" "$TOOLS_DIR/lat_client" -4 -a 127.0.0.1 \
		-p "$CONNECT_PORT" -n "$CONNECTS" -T 2000 -o "$out" </dev/null 9>&- || rc=$?
	LOAD_WALL_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	((rc == 0)) || warn "lat_client exited with $rc"
	LOAD_MADE=$(grep -c '"result":"ok"' "$out" || true)
	LOAD_UNITS=$LOAD_MADE LOAD_UNIT=connect LOAD_BYTES=0
}

# BULK_CONNS sequential connections, each receiving BULK_MB MB from
# `lat_server -s`.
load_bulk()
{
	local out=$_WORK/client.out t0 rc=0

	t0=$EPOCHREALTIME
	timeout -k 5 120 ip netns exec "$_NETNS" "$TOOLS_DIR/lat_client" -4 -a 127.0.0.1 \
		-p "$BULK_PORT" -n "$BULK_CONNS" -R 60 -T 90000 -o "$out" </dev/null 9>&- || rc=$?
	LOAD_WALL_S=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
	((rc == 0)) || warn "lat_client exited with $rc"
	LOAD_MADE=$(grep -c '"result":"ok"' "$out" || true)
	# %.0f: mawk's %d stops at 2^31.
	LOAD_BYTES=$(awk -F'"rx_bytes":' 'NF > 1 { s += $2 + 0 } END { printf "%.0f", s }' "$out")
	LOAD_UNITS=$(awk -v b="$LOAD_BYTES" 'BEGIN { printf "%.3f", b / 1e6 }')
	LOAD_UNIT=MB
}

# ---------------------------------------------------------------- counts
# count_reported HOW OUT: the workload's connects a tracer printed, by the
# destination port (the workload's) rather than all lines: other connects
# of the host are traced too (but for `--hist` without a key, which counts
# them all). Histograms: the sum of the intervals' counts.
count_reported()
{
	local how=$1 out=$2

	case $how in
	text | bt) # PID COMM IP SADDR DADDR DPORT LAT(ms)
		awk -v p="$CONNECT_PORT" '$2 == "lat_client" && $6 == p { n++ }
			END { print n + 0 }' "$out" ;;
	ndjson)
		awk -v p="\"dport\":$CONNECT_PORT," 'index($0, "\"type\":\"connect\"") &&
			index($0, "\"comm\":\"lat_client\"") && index($0, p) { n++ }
			END { print n + 0 }' "$out" ;;
	hist) # "HH:MM:SS dport PORT: count N ..." (--by dport), "HH:MM:SS all: count N ..."
		awk -v k="dport $CONNECT_PORT:" '$2 == "all:" && $3 == "count" { n += $4; f = 1 }
			$2 " " $3 == k && $4 == "count" { n += $5; f = 1 }
			END { print f ? n : "null" }' "$out" ;;
	tcpstates) # SKADDR PID COMM LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE MS
		awk -v p="$CONNECT_PORT" '$7 == p && $8 == "SYN_SENT" && $10 == "ESTABLISHED" { n++ }
			END { print n + 0 }' "$out" ;;
	*) echo null ;;
	esac
}

# count_dropped KIND OUT ERR: what the tracer says it lost.
count_dropped()
{
	local kind=$1 out=$2 err=$3

	case $kind in
	tcplat) # the text summary on stderr, else the NDJSON summary
		awk 'match($0, /^tcplat: [0-9]+ (connects seen|rtt samples), .* ([0-9]+) dropped/) {
				s = $0; sub(/ dropped.*/, "", s); sub(/.* /, "", s); d = s; f = 1 }
			match($0, /"type":"summary".*"dropped":[0-9]+/) {
				s = $0; sub(/.*"dropped":/, "", s); d = s + 0; f = 1 }
			END { print f ? d : "null" }' "$err" "$out" ;;
	bpftrace | tcpstates) # "Lost N events", "lost N events on CPU #C"
		awk 'tolower($1) == "lost" && $2 ~ /^[0-9]+$/ && $3 == "events" { d += $2 }
			END { print d + 0 }' "$err" "$out" ;;
	*) echo null ;;
	esac
}

# count_samples KIND OUT ERR RUNS: RTT samples, from tcplat's summary; a
# bpftrace peer takes one per program run.
count_samples()
{
	local kind=$1 out=$2 err=$3 runs=$4

	case $kind in
	tcplat)
		awk 'match($0, /^tcplat: [0-9]+ rtt samples/) { split($0, w, " "); n = w[2]; f = 1 }
			match($0, /"type":"summary".*"samples":[0-9]+/) {
				s = $0; sub(/.*"samples":/, "", s); n = s + 0; f = 1 }
			END { print f ? n : "null" }' "$err" "$out" ;;
	bpftrace) echo "$runs" ;;
	*) echo null ;;
	esac
}
