#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/soak/run.sh: tcplat's tracers side by side under mixed load for
# SOAK_SECONDS (default 180), in the test namespaces (tests/lib/netns.sh).
#
# Load, every loop bounded in count and time: connects at full rate in
# parallel batches (IPv4 and IPv6), refused ones (RST), abandoned ones
# (closed while their SYN-ACK is held 200 ms), bulk transfers, echo loops
# that open and close a flow every half second. Every SOAK_SAMPLE_SECONDS
# (5) each tracer's RSS, open fds and the entries of every BPF map it holds
# are sampled; after a warm-up (the first fifth, at most 30 s) the
# least-squares slope of each, per minute, must stay under its bound:
#   RSS                  SOAK_RSS_KIB_PER_MIN (256 KiB/min: a leak of 8 bytes
#                        per connect at this rate is 3 times that)
#   open fds             0.25/min (one fd gained in the run is more)
#   entries of each map  60/min (one a second; a leak of 1% of connects is
#                        6 a second)
# (SOAK_RSS_KIB_PER_MIN, SOAK_FD_PER_MIN, SOAK_MAP_ENTRIES_PER_MIN override.)
# No event lost: every tracer's dropped counters are 0, and connect reports
# exactly the connects the clients made, by outcome. At the end, every
# process, namespace, iptables rule, BPF program, link, map and cgroup
# attachment of the run is gone.
#
# Cases: soak/load, soak/flat, soak/cleanup; last line "N passed, N failed".
# Run as root; it takes /tmp/tcplat-tests.lock as the integration tests do.
set -uo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-180}
SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-5}
RSS_BOUND=${SOAK_RSS_KIB_PER_MIN:-256}
FD_BOUND=${SOAK_FD_PER_MIN:-0.25}
MAP_BOUND=${SOAK_MAP_ENTRIES_PER_MIN:-60}
# The tools' own lifetime must outlast the run.
NETNS_TOOL_MAX_SECONDS=$((SOAK_SECONDS + 120))
source "$REPO_ROOT/tests/lib/netns.sh"
source "$REPO_ROOT/tests/lib/harness.sh"
source "$REPO_ROOT/tests/lib/bpfobj.sh"

CLIENT=$TOOLS_DIR/lat_client
PORT=5000		# accepts and closes
PORT_SLOW=5002		# SYN-ACKs held 200 ms: connects abandoned at 50 ms
PORT_CLOSED=5999	# nothing listens: RST
PORT_BULK=6001		# 4 MB per connection
PORT_ECHO=6002		# request/response
QUEUE=31
WORK=$(mktemp -d /tmp/tcplat_soak.XXXXXX)
HARNESS_SCAN_DIR=$WORK

# The tracers, one a line: name | tcplat arguments. A new subcommand is a
# line here; its dropped counters join check_no_loss.
TRACERS=(
	"connect|connect --json --failed --comm lat_client"
	"rtt|rtt --json 1"
	"rtt_by_flow|rtt --by flow --json --rport $PORT_ECHO 1"
	"rtt_detail|rtt --detail --json --rport $PORT_ECHO"
)
declare -A TRACER_PID=()
GEN_PIDS=()
OWNED_PROGS=()
OWNED_LINKS=()
OWNED_MAPS=()
NS_NAMES=()
IPT_BEFORE=
RUN_PIDS=()		# every process the run started, for the last check
declare -A MAP_NAME=()

cleanup()
{
	trap '' PIPE
	local name

	for name in "${!TRACER_PID[@]}"; do
		TCPLAT_PID=${TRACER_PID[$name]}
		tcplat_stop
	done
	for pid in ${GEN_PIDS[@]+"${GEN_PIDS[@]}"}; do
		kill -TERM "$pid" 2>/dev/null
	done
	netns_cleanup
	rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }

# gen NAME ITERATIONS SLEEP CMD...: runs CMD (in the client namespace, its
# NDJSON appended to $WORK/gen/NAME) until the deadline or ITERATIONS.
gen()
{
	local name=$1 max=$2 pause=$3 i
	shift 3

	(
		for ((i = 0; i < max; i++)); do
			(($(date +%s) < SOAK_END)) || break
			ip netns exec "$NS_C" "$CLIENT" "$@" >>"$WORK/gen/$name" 2>>"$WORK/gen/$name.err"
			sleep "$pause"
		done
	) &
	GEN_PIDS+=($!)
}

start_load()
{
	mkdir -p "$WORK/gen"
	# At most 100 connects per batch, 10 batches a second: about 1000/s.
	gen conn4 100000 0.1 -4 -a "$S4" -p $PORT -n 50 -P -T 5000
	gen conn6 100000 0.1 -6 -a "$S6" -p $PORT -n 50 -P -T 5000
	gen refused 100000 0.05 -4 -a "$S4" -p $PORT_CLOSED -n 10
	gen abandoned 100000 0.1 -6 -a "$S6" -p $PORT_SLOW -n 5 -P -A 50
	gen bulk 100000 0.2 -4 -a "$S4" -p $PORT_BULK -R 5 -T 10000
	gen echo4 100000 0 -4 -a "$S4" -p $PORT_ECHO -E 50 -i 10 -T 10000
	gen echo6 100000 0 -6 -a "$S6" -p $PORT_ECHO -E 50 -i 10 -T 10000
}

# sample T: one row per tracer and metric: T NAME METRIC VALUE
sample()
{
	local t=$1 name pid id n

	for name in "${!TRACER_PID[@]}"; do
		pid=${TRACER_PID[$name]}
		kill -0 "$pid" 2>/dev/null || { echo "$t $name dead 1"; continue; }
		echo "$t $name rss_kib $(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")"
		echo "$t $name fds $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l)"
		for id in $(bpf_owned_ids "$pid" map); do
			[[ -n ${MAP_NAME[$id]-} ]] ||
				MAP_NAME[$id]=$(bpftool map show id "$id" -j | jq -r .name)
			# A ring buffer cannot be dumped: its drops are counted instead.
			n=$(bpf_map_entries "$id")
			[[ -n $n ]] && echo "$t $name map_${MAP_NAME[$id]}_$id $n"
		done
	done
	# SERVE: the scrape loop of `tcplat serve` goes here: GET /metrics once
	# per sample, check it parses (promtool check metrics) and that its
	# series count stays flat, as a metric of its own row ("serve scrape_ms
	# ..." and "serve series ...").
}

case_load()
{
	local entry name args t next

	IPT_BEFORE=$( (iptables -S; ip6tables -S) 2>/dev/null)
	server_start $PORT -4 -a "$S4" && server_start $PORT -6 -a "$S6" &&
	server_start $PORT_SLOW -6 -a "$S6" &&
	server_start $PORT_BULK -4 -a "$S4" -s 4000000 &&
	server_start $PORT_ECHO -4 -a "$S4" -e && server_start $PORT_ECHO -6 -a "$S6" -e ||
		{ fail "servers"; return; }
	delay_start $QUEUE 200 "$WORK/held" -p tcp --sport $PORT_SLOW --tcp-flags SYN,ACK SYN,ACK ||
		{ fail "delay daemon"; return; }
	for entry in "${TRACERS[@]}"; do
		IFS='|' read -r name args <<<"$entry"
		# shellcheck disable=SC2086 # the arguments are words
		tcplat_start "$WORK/$name" $args || return
		TRACER_PID[$name]=$TCPLAT_PID
		TCPLAT_PID=
		TCPLAT_DIR=
		mapfile -t -O ${#OWNED_PROGS[@]} OWNED_PROGS < <(bpf_owned_ids "${TRACER_PID[$name]}" prog)
		mapfile -t -O ${#OWNED_LINKS[@]} OWNED_LINKS < <(bpf_owned_ids "${TRACER_PID[$name]}" link)
		mapfile -t -O ${#OWNED_MAPS[@]} OWNED_MAPS < <(bpf_owned_ids "${TRACER_PID[$name]}" map)
	done
	echo "    tracers: ${!TRACER_PID[*]} (pids ${TRACER_PID[*]}), ${#OWNED_PROGS[@]} programs," \
		"${#OWNED_LINKS[@]} links, ${#OWNED_MAPS[@]} maps" >&2
	SOAK_START=$(date +%s)
	SOAK_END=$((SOAK_START + SOAK_SECONDS))
	start_load
	RUN_PIDS=("${TRACER_PID[@]}" "${GEN_PIDS[@]}" "${_NETNS_SERVER_PIDS[@]}"
		  "${_NETNS_DELAY_PID[@]}")
	next=$SOAK_START
	while (($(date +%s) < SOAK_END)); do
		t=$(awk -v n="$(now)" -v s="$SOAK_START" 'BEGIN { printf "%.2f", n - s }')
		sample "$t" >>"$WORK/samples"
		next=$((next + SAMPLE_SECONDS))
		while (($(date +%s) < next && $(date +%s) < SOAK_END)); do
			sleep 0.2
		done
	done
	# The load ends by the deadline; what is in flight completes, then the
	# tracers stop and print their summaries.
	for pid in "${GEN_PIDS[@]}"; do
		wait "$pid"
	done
	GEN_PIDS=()
	echo "    load ended $(($(date +%s) - SOAK_END)) s after the deadline" >&2
	sleep 1
	for name in "${!TRACER_PID[@]}"; do
		TCPLAT_PID=${TRACER_PID[$name]}
		TCPLAT_DIR=$WORK/$name
		tcplat_stop
		check_eq "$TCPLAT_RC" 0 "$name: exit status"
	done
	delay_stop $QUEUE
	check_no_loss
}

summary_of()
{
	jq -c 'select(.type == "summary")' "$WORK/$1/out"
}

check_no_loss()
{
	local made events s entry name want got kind

	for entry in "${TRACERS[@]}"; do
		name=${entry%%|*}
		s=$(summary_of "$name")
		check test -n "$s" -- "$name: no summary" || continue
		check_eq "$(jq '[.dropped // 0, .dropped_ringbuf // 0, .dropped_keys // 0,
			.dropped_inflight // 0, .owners_full // 0] | add' <<<"$s")" 0 \
			"$name: dropped counters ($s)"
	done
	made=$(cat "$WORK"/gen/conn4 "$WORK"/gen/conn6 "$WORK"/gen/refused "$WORK"/gen/abandoned \
		"$WORK"/gen/bulk "$WORK"/gen/echo4 "$WORK"/gen/echo6 | wc -l)
	events=$(jq -c 'select(.type == "connect")' "$WORK/connect/out" | wc -l)
	echo "    connects made $made, reported $events;" \
		"$(summary_of connect | jq -r '"seen \(.seen), shown \(.shown), dropped \(.dropped)"')" >&2
	check test "$made" -gt 1000 -- "only $made connects made"
	check_eq "$events" "$made" "connects reported vs made"
	# By outcome: what the clients saw is what tcplat says.
	cat "$WORK"/gen/{conn4,conn6,refused,abandoned,bulk,echo4,echo6} | jq -r .result |
		sort | uniq -c >"$WORK/results"
	jq -r 'select(.type == "connect") | .outcome' "$WORK/connect/out" | sort | uniq -c \
		>"$WORK/outcomes"
	for kind in ok:established ECONNREFUSED:refused abandoned:aborted; do
		want=$(awk -v k="${kind%%:*}" '$2 == k { print $1 }' "$WORK/results")
		got=$(awk -v k="${kind#*:}" '$2 == k { print $1 }' "$WORK/outcomes")
		echo "    ${kind%%:*}: made $want, reported ${kind#*:} $got" >&2
		check_eq "${got:-0}" "${want:-0}" "connects ${kind%%:*} vs reported ${kind#*:}"
		check test "${want:-0}" -gt 0 -- "no connect was ${kind%%:*}"
	done
	for entry in rtt rtt_by_flow rtt_detail; do
		echo "    $entry: $(summary_of "$entry" | jq -r '"\(.samples) samples, \(.shown) shown"')" >&2
	done
	check test "$(summary_of rtt_detail | jq .shown)" -eq \
		"$(jq -c 'select(.type == "rtt")' "$WORK/rtt_detail/out" | wc -l)" -- \
		"rtt --detail: lines vs summary"
	check test "$(summary_of rtt | jq .samples)" -gt 1000 -- "rtt: too few samples"
}

# Least squares over the samples after the warm-up: per tracer and metric,
# the slope per minute, the first and last value, and the bound.
case_flat()
{
	local warm report

	check test -s "$WORK/samples" -- "no samples" || return
	check_eq "$(grep -c ' dead ' "$WORK/samples")" 0 "a tracer died during the run"
	warm=$((SOAK_SECONDS / 5 > 30 ? 30 : SOAK_SECONDS / 5))
	report=$(awk -v warm="$warm" -v rss="$RSS_BOUND" -v fds="$FD_BOUND" -v maps="$MAP_BOUND" '
		$1 >= warm {
			k = $2 " " $3; n[k]++; st[k] += $1; sv[k] += $4
			stt[k] += $1 * $1; stv[k] += $1 * $4
			if (!(k in first)) first[k] = $4
			last[k] = $4
		}
		END {
			for (k in n) {
				split(k, p, " ")
				bound = p[2] == "rss_kib" ? rss : p[2] == "fds" ? fds : maps
				d = n[k] * stt[k] - st[k] * st[k]
				slope = d > 0 ? (n[k] * stv[k] - st[k] * sv[k]) / d * 60 : 0
				ok = slope <= bound
				printf "%-12s %-28s n=%-3d first %-8d last %-8d slope %+10.2f/min  bound %s  %s\n",
					p[1], p[2], n[k], first[k], last[k], slope, bound, ok ? "ok" : "RISING"
			}
		}' "$WORK/samples" | sort)
	echo "$report" | sed 's/^/    /' >&2
	check test "$(wc -l <<<"$report")" -ge $((${#TRACERS[@]} * 3)) -- "too few series sampled"
	check test "$(grep -c RISING <<<"$report")" -eq 0 -- "a series rises faster than its bound"
	cp "$WORK/samples" "$REPO_ROOT/.output/tests/soak-samples.txt" 2>/dev/null
}

case_cleanup()
{
	local pid left ns

	NS_NAMES=("$NS_C" "$NS_S")
	# The rules go with delay_stop, before the namespaces do.
	for ns in "${NS_NAMES[@]}"; do
		check test -z "$( (ip netns exec "$ns" iptables -S; ip netns exec "$ns" ip6tables -S) 2>/dev/null |
			grep NFQUEUE)" -- "NFQUEUE rules left in $ns"
	done
	netns_cleanup
	TRACER_PID=()
	check test ${#RUN_PIDS[@]} -ge 10 -- "only ${#RUN_PIDS[@]} processes recorded"
	for pid in ${RUN_PIDS[@]+"${RUN_PIDS[@]}"}; do
		check test ! -e "/proc/$pid" -- "pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) still runs"
	done
	for ns in "${NS_NAMES[@]}"; do
		check test ! -e "/run/netns/$ns" -- "namespace $ns left"
	done
	check_eq "$( (iptables -S; ip6tables -S) 2>/dev/null)" "$IPT_BEFORE" "host iptables rules changed"
	left=$(bpf_wait_gone 5 link ${OWNED_LINKS[@]+"${OWNED_LINKS[@]}"}) || fail "links left: $left"
	left=$(bpf_wait_gone 5 cgroup ${OWNED_PROGS[@]+"${OWNED_PROGS[@]}"}) ||
		fail "cgroup attachments left: $left"
	left=$(bpf_wait_gone 5 prog ${OWNED_PROGS[@]+"${OWNED_PROGS[@]}"}) || fail "programs left: $left"
	left=$(bpf_wait_gone 5 map ${OWNED_MAPS[@]+"${OWNED_MAPS[@]}"}) || fail "maps left: $left"
}

main()
{
	if [[ $(id -u) -ne 0 ]]; then
		echo "the soak needs root (BPF, namespaces, iptables)" >&2
		exit 1
	fi
	exec 9>"${TCPLAT_TEST_LOCK:-/tmp/tcplat-tests.lock}"
	local waited=$SECONDS

	if ! flock -w 1800 9; then
		echo "another tcplat test run held the lock for 30 minutes" >&2
		exit 1
	fi
	echo "soak: ${SOAK_SECONDS} s, a sample every ${SAMPLE_SECONDS} s" \
		"(waited $((SECONDS - waited)) s for the test lock)" >&2
	netns_setup || { echo "netns setup failed" >&2; exit 1; }
	run_case soak/load case_load
	run_case soak/flat case_flat
	run_case soak/cleanup case_cleanup
	harness_summary
}

main
