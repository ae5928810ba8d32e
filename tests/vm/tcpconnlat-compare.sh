#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcplat beside bcc's own libbpf-tools tcpconnlat (Debian package
# libbpf-tools), on the same connections, in the guest namespaces of
# tests/lib/netns.sh (SYN-ACKs held 20 ms by nfq_delay):
#   - both report every successful connect once, with the same pid, comm,
#     addresses and ports, and latencies within 0.5 ms of each other: the
#     median difference at most MEDIAN_LIMIT_US (500), each connection's at
#     most LIMIT_US (TCPLAT_CMP_LIMIT_US, default 500; the TCG guests pass
#     their emulation tolerance: there an interrupt or the host's scheduler
#     between the two tools' programs at one hook costs 1-2 ms now and then);
#   - refused connects (RST): tcplat reports none of them as a latency (it
#     counts them in failed_hidden), while tcpconnlat does (its known bug: it
#     ends the measurement at any answer in SYN_SENT, the RST included).
# Run by tests/vm/guest.sh in the 6.1 guest; the last line is a key=value
# summary for the verdict. Exit 0 when every check passed.
set -uo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/netns.sh
source "$REPO_ROOT/tests/lib/netns.sh"
# shellcheck source=SCRIPTDIR/../lib/harness.sh
source "$REPO_ROOT/tests/lib/harness.sh"

TCPCONNLAT=${TCPCONNLAT:-/usr/sbin/tcpconnlat}
MEDIAN_LIMIT_US=500
LIMIT_US=${TCPLAT_CMP_LIMIT_US:-500}
PORT=5000
PORT_CLOSED=5999
QUEUE=7
DELAY_MS=20
WORK=$(mktemp -d /tmp/tcplat_cmp.XXXXXX)
CLIENT=$TOOLS_DIR/lat_client
TCL_PID=

# Stops tcpconnlat (SIGINT, at most 10 s, then SIGKILL).
tcl_stop()
{
	local i

	[[ -n $TCL_PID ]] || return 0
	kill -INT "$TCL_PID" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		_netns_alive "$TCL_PID" || break
		sleep 0.05
	done
	_netns_alive "$TCL_PID" && kill -KILL "$TCL_PID" 2>/dev/null
	wait "$TCL_PID" 2>/dev/null
	TCL_PID=
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	tcplat_stop
	tcl_stop
	netns_cleanup
	rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

client()
{
	local name=$1

	shift
	ns_c "$CLIENT" -o "$WORK/$name" "$@" || fail "lat_client $* failed"
}

# tcpconnlat -L: line-buffered (stdbuf), attached once its header is printed.
tcl_start()
{
	local i

	stdbuf -oL "$TCPCONNLAT" -L >"$WORK/tcl.out" 2>"$WORK/tcl.err" &
	TCL_PID=$!
	for ((i = 0; i < 400; i++)); do
		grep -q 'LAT(ms)' "$WORK/tcl.out" 2>/dev/null && return 0
		if ! _netns_alive "$TCL_PID"; then
			fail "tcpconnlat exited before attaching: $(head -c 600 "$WORK/tcl.err")"
			wait "$TCL_PID"
			TCL_PID=
			return 1
		fi
		sleep 0.05
	done
	fail "tcpconnlat did not attach within 20 s: $(head -c 600 "$WORK/tcl.err")"
	return 1
}

main()
{
	local rows n_ok n_ref n_tcl_ref n_tp_ref d max=0 checked=0 med over=0 diffs=()

	netns_setup || { fail "netns setup"; return; }
	if ! server_start $PORT -4 -a "$S4" || ! server_start $PORT -6 -a "$S6"; then
		fail "server start"
		return
	fi
	delay_start $QUEUE $DELAY_MS "$WORK/held" || { fail "delay daemon"; return; }
	tcplat_start "$WORK/tcplat" connect --json --comm lat_client || return
	tcl_start || return
	# One connect per family first, not compared: under TCG the first run of
	# each tool's freshly JITed programs is translated, which costs one side
	# a millisecond or two.
	client w4 -4 -a "$S4" -p $PORT -n 1
	client w6 -6 -a "$S6" -p $PORT -n 1
	client c4 -4 -a "$S4" -p $PORT -n 5 -i 20
	client c6 -6 -a "$S6" -p $PORT -n 5 -i 20
	client r4 -4 -a "$S4" -p $PORT_CLOSED -n 3
	client r6 -6 -a "$S6" -p $PORT_CLOSED -n 2
	# tcpconnlat polls its perf buffer every 100 ms
	sleep 0.5
	tcplat_stop
	tcl_stop
	delay_stop $QUEUE
	check_eq "$TCPLAT_RC" 0 "tcplat exit status"
	echo "--- tcplat (NDJSON)"
	cat "$WORK/tcplat/out"
	echo "--- tcpconnlat -L"
	cat "$WORK/tcl.out"

	# tcpconnlat's rows as JSON: PID COMM IP SADDR LPORT DADDR DPORT LAT(ms)
	awk 'NR > 1 && NF == 8 {
		printf "{\"pid\":%d,\"comm\":\"%s\",\"family\":%d,\"saddr\":\"%s\",\"lport\":%d,", $1, $2, $3, $4, $5
		printf "\"daddr\":\"%s\",\"dport\":%d,\"lat_us\":%d}\n", $6, $7, $8 * 1000 + 0.5
	}' "$WORK/tcl.out" >"$WORK/tcl.json"

	n_ok=$(cat "$WORK/c4" "$WORK/c6" | jq -s 'map(select(.result == "ok")) | length')
	check_eq "$n_ok" 10 "successful connects made by the client"
	rows=$(cat "$WORK/c4" "$WORK/c6" | jq -r --slurpfile t <(jq -c 'select(.type == "connect")' \
		"$WORK/tcplat/out") --slurpfile b "$WORK/tcl.json" '
		select(.result == "ok") | . as $c
		| [$t[] | select(.lport == $c.lport and .daddr == $c.daddr)] as $m
		| [$b[] | select(.lport == $c.lport and .daddr == $c.daddr)] as $n
		| [$c.lport, ($m | length), ($n | length),
		   ([$m[0].pid, $m[0].comm, $m[0].family, $m[0].saddr, $m[0].dport]
		    == [$c.pid, $c.comm, $c.family, $c.saddr, $c.dport]),
		   ([$n[0].pid, $n[0].comm, $n[0].family, $n[0].saddr, $n[0].dport]
		    == [$c.pid, $c.comm, $c.family, $c.saddr, $c.dport]),
		   ($m[0].latency_us // -1), ($n[0].lat_us // -1)] | @tsv')
	while IFS=$'\t' read -r lport nm nb same_t same_b lat_t lat_b; do
		[[ -n $lport ]] || continue
		check_eq "$nm" 1 "lport $lport: tcplat events" || continue
		check_eq "$nb" 1 "lport $lport: tcpconnlat rows" || continue
		check_eq "$same_t$same_b" truetrue "lport $lport: pid, comm, family, saddr, dport"
		d=$((lat_t - lat_b))
		((d < 0)) && d=$((-d))
		((d > max)) && max=$d
		((d > MEDIAN_LIMIT_US)) && over=$((over + 1))
		diffs+=("$d")
		checked=$((checked + 1))
		printf 'lport %s: tcplat %d us, tcpconnlat %d us, diff %d us\n' "$lport" "$lat_t" "$lat_b" "$d"
		check test "$d" -le "$LIMIT_US" -- \
			"lport $lport: tcplat ${lat_t}us vs tcpconnlat ${lat_b}us: more than ${LIMIT_US}us apart"
	done <<<"$rows"
	check_eq "$checked" 10 "connects compared"
	med=$(printf '%s\n' "${diffs[@]}" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : -1 }')
	check test "$med" -le "$MEDIAN_LIMIT_US" -- \
		"median |tcplat - tcpconnlat| ${med}us: more than ${MEDIAN_LIMIT_US}us"

	# The refused ones: never a latency in tcplat; tcpconnlat shows them.
	n_ref=$(cat "$WORK/r4" "$WORK/r6" | jq -s 'map(select(.result == "ECONNREFUSED")) | length')
	check_eq "$n_ref" 5 "refused connects made by the client"
	n_tp_ref=$(cat "$WORK/r4" "$WORK/r6" | jq -s --slurpfile t <(jq -c 'select(.type == "connect")' \
		"$WORK/tcplat/out") '[.[] | .lport as $p | $t[] | select(.lport == $p)] | length')
	n_tcl_ref=$(cat "$WORK/r4" "$WORK/r6" | jq -s --slurpfile b "$WORK/tcl.json" \
		'[.[] | .lport as $p | $b[] | select(.lport == $p)] | length')
	check_eq "$n_tp_ref" 0 "refused connects that tcplat reported as latencies"
	check_eq "$(jq -r 'select(.type == "summary") | .failed_hidden' "$WORK/tcplat/out")" 5 \
		"tcplat summary: failed_hidden"
	check_eq "$n_tcl_ref" "$n_ref" \
		"refused connects that tcpconnlat reported as latencies (its known bug; if this changed, so did tcpconnlat)"
	SUMMARY="connects=$checked median_diff_us=$med max_diff_us=$max over_500us=$over"
	SUMMARY+=" limit_us=$LIMIT_US refused=$n_ref tcplat_refused_rows=$n_tp_ref"
	SUMMARY+=" tcpconnlat_refused_rows=$n_tcl_ref"
}

CASE_FAILS=0
SUMMARY="setup_failed=1"
main
# the key=value summary is the last line
((CASE_FAILS)) && echo "$CASE_FAILS check(s) failed"
echo "$SUMMARY failed_checks=$CASE_FAILS"
((CASE_FAILS == 0))
