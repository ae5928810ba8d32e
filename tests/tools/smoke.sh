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
# The last line is "N passed, N failed"; the exit status is 1 on any failure.

# shellcheck disable=SC2317 # functions run through check() and traps
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose

set -u

SMOKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib/netns.sh
source "$SMOKE_DIR/../lib/netns.sh"

PORT=5000
NOPORT=5999
MAX_DIFF_US=3000	# connect_us - held_us must lie in [0, MAX_DIFF_US]
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

rules_left()
{
	local ipt

	for ipt in iptables ip6tables; do
		ns_s "$ipt" -w -S OUTPUT | grep -q NFQUEUE && return 0
	done
	return 1
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

	server_stop_all
	echo "     took $((SECONDS - t0)) s"
	finish
}

main "$@"
