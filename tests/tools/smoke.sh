#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/tools/smoke.sh - self-test of the test tools and tests/lib/netns.sh.
#
# Needs root, jq, and the tools already built in $TOOLS_DIR (default
# .output/tests), e.g.:
#   mkdir -p .output/tests
#   for t in lat_client lat_server; do
#       gcc -O2 -g -Wall -Wextra -Werror -o .output/tests/$t tests/tools/$t.c
#   done
#   gcc -O2 -g -Wall -Wextra -Werror -o .output/tests/nfq_delay tests/tools/nfq_delay.c \
#       -lnetfilter_queue -lnfnetlink
#   sudo tests/tools/smoke.sh
#
# Checks: connect timing against SYN-ACKs held in the server namespace, refused,
# abandoned and timed-out connects; then traffic with a known RTT, every packet
# from the server held on arrival in the client namespace (DELAY_NS=client,
# DELAY_CHAIN=INPUT): lat_client -E round trips against a 10 ms hold, a -R bulk
# receive of 20 MB (throughput printed), 4 bulk receives at once, the -T cap,
# and two servers (S4/S4B, S6/S6B) held 10 and 30 ms by two daemons. About 10 s.
#
# The last line is "N passed, N failed"; the exit status is 1 on any failure.

# shellcheck disable=SC2317 # functions run through check() and traps
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose

set -u

SMOKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
source "$SMOKE_DIR/../lib/netns.sh"

PORT=5000
NOPORT=5999
ECHO_PORT=5001		# lat_server -e on S4, S4B, S6, S6B
BULK_PORT=5002		# lat_server -s BULK_BYTES on S4
BULK_BYTES=20000000
MAX_DIFF_US=3000	# connect_us - held_us must lie in [0, MAX_DIFF_US]
RTT_TOL_US=1500		# -E median round trip against the injected delay
passed=0
failed=0
work=

cleanup()
{
	netns_cleanup
	[[ -n $work ]] && rm -rf -- "$work"
}

# check NAME COMMAND...: counts COMMAND's success as a pass.
check()
{
	local name=$1
	shift

	if "$@"; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		failed=$((failed + 1))
		return 1
	fi
}

finish()
{
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}

# jq -e without the output: succeeds when the filter yields true.
jq_ok()
{
	jq -e "$@" >/dev/null
}

client()
{
	ns_c "$TOOLS_DIR/lat_client" "$@"
}

# Pairs each client line of $1 with the SYN-ACK in the nfq_delay log $2 whose
# dport is the client's lport: {lport, result, connect_us, held_us, diff}.
pair_synacks()
{
	jq -c -n --slurpfile c "$1" --slurpfile d "$2" '
		$c[] as $x
		| ([$d[] | select(.flags == "SA" and .dport == $x.lport and
				  .family == $x.family and .dst == $x.saddr)] | last) as $m
		| {lport: $x.lport, result: $x.result, connect_us: $x.connect_us,
		   held_us: $m.held_us,
		   diff: (if $m then $x.connect_us - $m.held_us else null end)}'
}

# All of $1's lines have result $2, and there are $3 of them.
all_results()
{
	local file=$1 want=$2 count=$3

	jq -e -n --slurpfile c "$file" --arg want "$want" --argjson n "$count" \
		'($c | length) == $n and all($c[]; .result == $want)' >/dev/null
}

# Connect timing against the SYN-ACK hold time, for family $1 (4 or 6).
test_synack_delay()
{
	local fam=$1 addr out pairs diffs

	[[ $fam == 4 ]] && addr=$S4 || addr=$S6
	out=$work/client$fam.ndjson
	client "-$fam" -a "$addr" -p "$PORT" -n 5 -o "$out"
	check "v$fam: 5 sequential connects ok" all_results "$out" ok 5
	pairs=$(pair_synacks "$out" "$work/delay20.ndjson")
	diffs=$(jq -r '.diff' <<<"$pairs")
	echo "     v$fam connect_us - held_us: ${diffs//$'\n'/ }"
	check "v$fam: each connect has its SYN-ACK held about 20 ms" jq_ok -n \
		--argjson pairs "[${pairs//$'\n'/,}]" \
		'$pairs | length == 5 and
		 all(.[]; .held_us != null and .held_us >= 19900 and .held_us < 25000)'
	check "v$fam: 0 <= connect_us - held_us <= $MAX_DIFF_US" jq_ok -n \
		--argjson pairs "[${pairs//$'\n'/,}]" --argjson max "$MAX_DIFF_US" \
		'$pairs | length == 5 and all(.[]; .diff != null and .diff >= 0 and .diff <= $max)'
}

test_refused()
{
	client -4 -a "$S4" -p "$NOPORT" -o "$work/refused4.ndjson"
	check "v4: connect to a closed port gives ECONNREFUSED" \
		all_results "$work/refused4.ndjson" ECONNREFUSED 1
	client -6 -a "$S6" -p "$NOPORT" -P -n 2 -o "$work/refused6.ndjson"
	check "v6: parallel connects to a closed port give ECONNREFUSED" \
		all_results "$work/refused6.ndjson" ECONNREFUSED 2
	check "refused connects report their local port" jq_ok -s \
		'all(.[]; .lport > 0 and (.saddr == "198.18.0.1" or .saddr == "fd00:7c::1"))' \
		"$work/refused4.ndjson" "$work/refused6.ndjson"
}

test_parallel()
{
	local out=$work/parallel.ndjson

	client -4 -a "$S4" -p "$PORT" -P -n 50 -o "$out"
	check "v4: 50 parallel connects all ok" all_results "$out" ok 50
	check "parallel connects use 50 distinct ports and took >= 20 ms" jq_ok -s \
		'(map(.lport) | unique | length) == 50 and all(.[]; .connect_us >= 20000)' "$out"
}

test_abandon()
{
	local out4=$work/abandon4.ndjson out6=$work/abandon6.ndjson

	client -4 -a "$S4" -p "$PORT" -A 30 -n 2 -o "$out4"
	check "v4: -A 30 against a 200 ms SYN-ACK delay gives abandoned" \
		all_results "$out4" abandoned 2
	client -6 -a "$S6" -p "$PORT" -A 30 -P -n 5 -o "$out6"
	check "v6: -A 30 -P -n 5 gives 5 abandoned" all_results "$out6" abandoned 5
	check "abandoned connects took 30 to 40 ms" jq_ok -s \
		'all(.[]; .connect_us >= 30000 and .connect_us < 40000 and .lport > 0)' \
		"$out4" "$out6"
}

test_timeout()
{
	local out=$work/timeout.ndjson

	client -4 -a "$S4" -p "$PORT" -T 50 -o "$out"
	client -6 -a "$S6" -p "$PORT" -T 50 -P -n 2 -o "$out.2"
	cat "$out.2" >>"$out"
	check "-T 50 against a 200 ms SYN-ACK delay gives timeout" all_results "$out" timeout 3
}

# A second nfq_delay on a bound queue must fail with a one-line error.
test_queue_busy()
{
	local err=$work/busy.err rc=0

	ns_s timeout 5 "$TOOLS_DIR/nfq_delay" -q 3 -d 1 -t 2 >/dev/null 2>"$err" || rc=$?
	check "nfq_delay on a bound queue exits 1" test "$rc" -eq 1
	check "  ... with an error message" grep -q 'cannot bind queue 3' "$err"
}

# rules_left [NS]: true when NS (default NS_S) still has an NFQUEUE rule in any chain.
rules_left()
{
	local ns=${1:-$NS_S} ipt

	for ipt in iptables ip6tables; do
		ip netns exec "$ns" "$ipt" -w -S | grep -q NFQUEUE && return 0
	done
	return 1
}

# delay_client QUEUE DELAY_MS SRC: holds every TCP packet from SRC on its
# arrival in the client namespace (what the RTT tests use).
delay_client()
{
	DELAY_NS=client DELAY_CHAIN=INPUT delay_start "$1" "$2" "$work/held.$1.ndjson" \
		-p tcp -s "$3"
}

# The echo servers and the bulk server of the RTT tests.
start_traffic_servers()
{
	local a

	for a in "$S4" "$S4B" "$S6" "$S6B"; do
		check "lat_server -e on $a starts" server_start "$ECHO_PORT" -a "$a" -e || return 1
	done
	check "lat_server -s $BULK_BYTES on $S4 starts" \
		server_start "$BULK_PORT" -4 -a "$S4" -s "$BULK_BYTES"
}

# echo_median FILE: the client's median round trip (us), or "null".
echo_median()
{
	jq -r '.rtt_median_us' "$1"
}

# echo_ok FILE COUNT WANT_US: COUNT round trips done, median within RTT_TOL_US of WANT_US.
echo_ok()
{
	jq_ok --argjson n "$2" --argjson want "$3" --argjson tol "$RTT_TOL_US" \
		'.result == "ok" and .end == "done" and .rtt_count == $n and .lport > 0 and
		 .rtt_min_us <= .rtt_median_us and .rtt_median_us <= .rtt_max_us and
		 (.rtt_median_us - $want | fabs) <= $tol' "$1"
}

# held_for_flow LOG CLIENT_FILE MIN_US: the daemon held packets of this flow
# (to the client's lport), each at least MIN_US.
held_for_flow()
{
	jq -e -n --slurpfile d "$1" --slurpfile c "$2" --argjson min "$3" '
		[$d[] | select(.dport == $c[0].lport and .dst == $c[0].saddr)] as $m
		| ($m | length) > 0 and all($m[]; .held_us >= $min)' >/dev/null
}

# bulk_ok FILE: the whole BULK_BYTES arrived and the server closed.
bulk_ok()
{
	jq_ok --argjson n "$BULK_BYTES" \
		'.result == "ok" and .mode == "recv" and .rx_bytes == $n and .end == "eof" and
		 .rx_us > 0 and .lport > 0' "$@"
}

# Throughput of the -R lines of FILE..., one line each.
report_bulk()
{
	jq -r '"     lport \(.lport): \(.rx_bytes) bytes in \(.rx_us / 1000 | floor) ms, " +
		"\(.rx_bytes * 8 / .rx_us | floor) Mbit/s"' "$@"
}

# All server->client packets from S4 delayed 10 ms in the client namespace.
test_rtt_single()
{
	local e=$work/echo10.ndjson b=$work/bulk10.ndjson pids=() i

	check "delay_start 10 ms on queue 4 in the client namespace" delay_client 4 10 "$S4" ||
		return
	check "  ... an INPUT rule in NS_C (iptables only), none in NS_S" eval \
		'ns_c iptables -w -S INPUT | grep -q "NFQUEUE --queue-num 4" &&
		 ! ns_c ip6tables -w -S | grep -q NFQUEUE && ! rules_left "$NS_S"'

	client -4 -a "$S4" -p "$ECHO_PORT" -E 20 -o "$e"
	echo "     -E 20 against 10 ms: median $(echo_median "$e") us," \
		"min $(jq .rtt_min_us "$e"), max $(jq .rtt_max_us "$e")"
	check "-E 20: median round trip 10 ms +- $RTT_TOL_US us" echo_ok "$e" 20 10000
	check "  ... the daemon held this flow's packets >= 10 ms" \
		held_for_flow "$work/held.4.ndjson" "$e" 10000

	client -4 -a "$S4" -p "$BULK_PORT" -R 2 -o "$b"
	report_bulk "$b"
	check "-R 2: $BULK_BYTES bytes received through the 10 ms delay" bulk_ok "$b"

	# lat_server -s streams to several clients at once
	for i in 1 2 3 4; do
		client -4 -a "$S4" -p "$BULK_PORT" -R 5 -o "$b.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	report_bulk "$b".[1-4]
	check "4 clients at once: $BULK_BYTES bytes each" bulk_ok "$b".[1-4]
	check "  ... on 4 distinct connections" jq_ok -s 'map(.lport) | unique | length == 4' \
		"$b".[1-4]

	# bounded: -T caps the whole connection, -R its reading
	client -4 -a "$S4" -p "$ECHO_PORT" -E 1000 -T 200 -o "$e.cap"
	check "-E 1000 -T 200 ends with timeout after some round trips" jq_ok \
		'.end == "timeout" and .rtt_count >= 5 and .rtt_count < 20' "$e.cap"
	client -4 -a "$S4" -p "$ECHO_PORT" -R 0.3 -o "$b.idle"
	check "-R 0.3 from a silent server ends after 0.3 s" jq_ok \
		'.end == "duration" and .rx_bytes == 0 and .rx_us >= 300000 and .rx_us < 400000' \
		"$b.idle"
	client -4 -a "$S4" -p "$NOPORT" -E 3 -o "$e.refused"
	check "-E against a closed port: no_connection, no round trip" jq_ok \
		'.result == "ECONNREFUSED" and .end == "no_connection" and .rtt_count == 0 and
		 .rtt_median_us == null' "$e.refused"

	delay_stop 4
	check "delay_stop removes its rules from the client namespace" eval '! rules_left "$NS_C"'
}

# S4/S6 delayed 10 ms, S4B/S6B 30 ms: two servers, two queues, two daemons per family.
test_rtt_two_servers()
{
	local fam a b qa qb fa fb d

	for fam in 4 6; do
		if [[ $fam == 4 ]]; then
			a=$S4 b=$S4B qa=4 qb=5
		else
			a=$S6 b=$S6B qa=6 qb=7
		fi
		check "v$fam: $a delayed 10 ms (queue $qa), $b 30 ms (queue $qb)" eval \
			'delay_client $qa 10 "$a" && delay_client $qb 30 "$b"' || return
		fa=$work/echo_a$fam.ndjson
		fb=$work/echo_b$fam.ndjson
		client "-$fam" -a "$a" -p "$ECHO_PORT" -E 20 -o "$fa"
		client "-$fam" -a "$b" -p "$ECHO_PORT" -E 20 -o "$fb"
		d=$(jq -n --slurpfile x "$fa" --slurpfile y "$fb" \
			'$y[0].rtt_median_us - $x[0].rtt_median_us')
		echo "     v$fam -E 20 medians: $a $(echo_median "$fa") us (10 ms)," \
			"$b $(echo_median "$fb") us (30 ms), difference $d us"
		check "v$fam: median to $a is 10 ms +- $RTT_TOL_US us" echo_ok "$fa" 20 10000
		check "v$fam: median to $b is 30 ms +- $RTT_TOL_US us" echo_ok "$fb" 20 30000
		check "v$fam: the medians differ by 20 ms +- $RTT_TOL_US us" \
			test $((d > 20000 ? d - 20000 : 20000 - d)) -le "$RTT_TOL_US"
		check "v$fam: each daemon held only its own server's flow" eval \
			'held_for_flow "$work/held.$qa.ndjson" "$fa" 10000 &&
			 held_for_flow "$work/held.$qb.ndjson" "$fb" 30000 &&
			 jq_ok -s "all(.[]; .src == \"$a\")" "$work/held.$qa.ndjson" &&
			 jq_ok -s "all(.[]; .src == \"$b\")" "$work/held.$qb.ndjson"'
		delay_stop "$qa"
		delay_stop "$qb"
	done
	check "no rule left in either namespace" eval '! rules_left "$NS_C" && ! rules_left "$NS_S"'
}

main()
{
	local t0=$SECONDS

	if ((EUID != 0)); then
		echo "smoke: must run as root" >&2
		exit 1
	fi
	command -v jq >/dev/null || { echo "smoke: jq is missing" >&2; exit 1; }
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	work=$(mktemp -d /tmp/tcplat_smoke.XXXXXX) || exit 1

	check "netns_setup" netns_setup || finish
	check "lat_server v4 starts" server_start "$PORT" -4 -a "$S4" || finish
	check "lat_server v6 starts" server_start "$PORT" -6 -a "$S6" || finish

	check "delay_start 20 ms on queue 1" delay_start 1 20 "$work/delay20.ndjson" || finish
	test_synack_delay 4
	test_synack_delay 6
	test_parallel
	delay_stop 1
	check "delay_stop removes its rules" eval '! rules_left'

	test_refused

	check "delay_start 200 ms on queue 3" delay_start 3 200 "$work/delay200.ndjson" ||
		finish
	test_abandon
	test_timeout
	test_queue_busy
	delay_stop 3
	check "abandoned SYN-ACKs were still released and logged" jq_ok -s \
		'[.[] | select(.flags == "SA")] | length >= 10' "$work/delay200.ndjson"

	if start_traffic_servers; then
		test_rtt_single
		test_rtt_two_servers
	fi

	server_stop_all
	echo "     took $((SECONDS - t0)) s"
	finish
}

main "$@"
