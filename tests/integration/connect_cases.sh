# SPDX-License-Identifier: GPL-2.0
#
# Integration cases of `tcplat connect` beyond the per-connection latency,
# sourced by run.sh: SYN retransmits (SYNs dropped by a fixed pattern in the
# server namespace, counted there by the rules), --hist (SYN-ACKs of two
# servers held 10 and 40 ms), and dual-stack connects (an IPv6 socket to an
# IPv4-mapped address).

CONNECT_RETR_PORT1=5010		# first SYN of each connect lost
CONNECT_RETR_PORT2=5011		# first two SYNs lost
CONNECT_RETR_PORT3=5012		# every SYN lost: a timeout
CONNECT_SLOW_PORT=5003		# on S4B, SYN-ACKs held 40 ms in the --hist cases
CONNECT_Q1=8
CONNECT_Q2=9
# A retransmit's latency must be within this of the client's own connect()
# time: 5 ms on the host; emulated guests state their own (TCPLAT_TOL_US).
CONNECT_RETR_TOL_US=$((TOL_US > 5000 ? TOL_US : 5000))
CONNECT_PIDS=()
# Retransmit latencies and --hist p50s, for the report.
CONNECT_RETR_REPORT=${TCPLAT_CONNECT_REPORT:-$REPO_ROOT/.output/tests/connect-retrans.tsv}
: >"$CONNECT_RETR_REPORT"
: >"$CONNECT_RETR_REPORT.hist"
CONNECT_CGROUPS=()
CONNECT_SERVERS_UP=

connect_servers()
{
	[[ -n $CONNECT_SERVERS_UP ]] && return 0
	server_start $CONNECT_RETR_PORT1 -4 -a "$S4" &&
	server_start $CONNECT_RETR_PORT2 -4 -a "$S4" &&
	server_start $CONNECT_RETR_PORT3 -4 -a "$S4" &&
	server_start $CONNECT_SLOW_PORT -4 -a "$S4B" || { fail "connect servers"; return 1; }
	CONNECT_SERVERS_UP=1
}

# cstart DIR ARGS...: one more tcplat beside the others of the case.
cstart()
{
	tcplat_start "$@" || return 1
	CONNECT_PIDS+=("$TCPLAT_PID")
	TCPLAT_PID=
}

# Stops every tcplat that cstart started (SIGINT, as tcplat_stop does);
# CSTOP_RC is the worst exit status.
cstop_all()
{
	local pid

	CSTOP_RC=0
	for pid in ${CONNECT_PIDS[@]+"${CONNECT_PIDS[@]}"}; do
		TCPLAT_PID=$pid
		tcplat_stop
		((TCPLAT_RC > CSTOP_RC)) && CSTOP_RC=$TCPLAT_RC
	done
	CONNECT_PIDS=()
}

# Removes the cgroups a case made (also run by run.sh's clean-up).
connect_cgroups_remove()
{
	local cg

	for cg in ${CONNECT_CGROUPS[@]+"${CONNECT_CGROUPS[@]}"}; do
		[[ -d $cg ]] && ! rmdir "$cg" && fail "rmdir $cg"
	done
	CONNECT_CGROUPS=()
	return 0
}

# The connect event of a client line (joined on the local port).
event_of()
{
	events "$1" | jq -c --argjson p "$2" 'select(.lport == $p)'
}

# --- SYN retransmits ---------------------------------------------------------

# The kernel's SYN retransmit schedule, for a SYN_SENT socket whose RTO is
# $1 us, with $2 linear timeouts (net.ipv4.tcp_syn_linear_timeouts, 6.5 and
# later: the first retransmits wait one RTO each; 0 before): prints the time
# of the K-th retransmit ($3).
syn_retrans_at()
{
	awk -v r="$1" -v l="$2" -v k="$3" 'BEGIN { t = 0; w = r
		for (i = 1; i <= k; i++) { t += w; if (i > l) w *= 2 }
		printf "%d\n", t }'
}

# The same for a connect whose SYNs all go unanswered, with $3 SYN retries:
# tcp_write_timeout() gives up at the first timer at or after the modelled
# time rto * (2^(retries + 1) - 1), so linear timeouts mean more
# retransmits in that time. Prints "RETRANSMITS TIMEOUT_US".
syn_timeout()
{
	awk -v r="$1" -v l="$2" -v n="$3" 'BEGIN { T = r * (2 ^ (n + 1) - 1); t = 0; w = r; k = 0
		while (1) { t += w; if (t >= T) break; k++; if (k > l) w *= 2 }
		printf "%d %d\n", k, t }'
}

# retrans_case NAME PORT PASS_EVERY CONNECTS [SYN_RETRIES]
# Drops the SYNs to PORT in the server namespace but every PASS_EVERY-th
# (none with 0: then SYN_RETRIES end the connect), connects CONNECTS times
# one after the other (non-blocking, so that the client reads the SYN_SENT
# socket's RTO), and checks each connect's syn_retrans (the JSON, the RETR
# column, the client's own tcpi_total_retrans) and latency against the
# kernel's schedule, and the total against the SYNs the server's rules
# counted.
retrans_case()
{
	local name=$1 port=$2 every=$3 n=$4 retries=${5-} dir=$WORK/$1 i c lport ev linear
	local rto lat cl outcome expect syns passed dropped hist_retrans want want_us retr=()

	mkdir -p "$dir"
	connect_servers || return
	if ((every)); then
		rule_add "$name.pass" server INPUT -p tcp --dport "$port" --syn -m statistic \
			--mode nth --every "$every" --packet $((every - 1)) -j ACCEPT ||
			{ fail "pass rule"; return; }
	fi
	rule_add "$name.drop" server INPUT -p tcp --dport "$port" --syn -j DROP ||
		{ fail "drop rule"; return; }
	[[ -n $retries ]] && { ns_c sysctl -qw net.ipv4.tcp_syn_retries="$retries" || fail "sysctl"; }
	linear=$(ns_c sysctl -n net.ipv4.tcp_syn_linear_timeouts 2>/dev/null) || linear=0
	cstart "$dir/json" connect --json --failed --dport "$port" --comm lat_client || return
	cstart "$dir/text" connect -r --failed -L --dport "$port" --comm lat_client || { cstop_all; return; }
	cstart "$dir/hist" connect --by dport --json --interval 600 --dport "$port" \
		--comm lat_client || { cstop_all; return; }
	for ((i = 0; i < n; i++)); do
		client "$dir" "c$i" -4 -a "$S4" -p "$port" -n 1 -P -I -T 20000
	done
	cstop_all
	[[ -n $retries ]] && ns_c sysctl -qw net.ipv4.tcp_syn_retries=6
	check_eq "$CSTOP_RC" 0 "tcplat exit status"
	passed=0
	((every)) && passed=$(rule_packets "$name.pass")
	dropped=$(rule_packets "$name.drop")
	rule_del_all
	expect=$([[ -n $retries ]] && echo timeout || echo established)
	syns=0
	for ((i = 0; i < n; i++)); do
		c=$(cat "$dir/c$i")
		lport=$(jq .lport <<<"$c")
		ev=$(event_of "$dir/json/out" "$lport")
		check_eq "$(grep -c . <<<"$ev")" 1 "$name: connect $i (lport $lport) reported once" ||
			continue
		rto=$(jq .syn_rto_us <<<"$c")
		check test "$rto" -ge 200000 -- "$name: the SYN_SENT socket's RTO ($rto us)" || continue
		if [[ $expect == timeout ]]; then
			read -r want want_us < <(syn_timeout "$rto" "$linear" "$retries")
		else
			want=$((every - 1))
			want_us=$(syn_retrans_at "$rto" "$linear" "$want")
		fi
		retr+=("$want")
		outcome=$(jq -r .outcome <<<"$ev")
		check_eq "$outcome" "$expect" "$name: outcome of connect $i"
		check_eq "$(jq .syn_retrans <<<"$ev")" "$want" "$name: syn_retrans of connect $i"
		check_eq "$(jq .total_retrans <<<"$c")" "$want" \
			"$name: the client's tcpi_total_retrans of connect $i"
		syns=$((syns + $(jq .syn_retrans <<<"$ev") + 1))
		# RETR in the text line of the same connect.
		check_eq "$(awk -v p="$lport" 'NR > 1 && $5 == p { print $9 }' "$dir/text/out")" \
			"$want" "$name: RETR column of connect $i"
		# Latency: the RTOs the kernel waited before the answer (or
		# before it gave up).
		lat=$(jq .latency_us <<<"$ev")
		cl=$(jq .connect_us <<<"$c")
		check test "$lat" -ge $((want_us - 1000)) -- \
			"$name: latency ${lat}us below the ${want_us}us the RTOs add up to"
		check test "$lat" -le $((want_us + want_us / 10)) -- \
			"$name: latency ${lat}us more than 10% above ${want_us}us"
		check test "$lat" -le "$cl" -- "$name: latency ${lat}us above the client's ${cl}us"
		check test $((cl - lat)) -le $CONNECT_RETR_TOL_US -- \
			"$name: latency ${lat}us more than ${CONNECT_RETR_TOL_US}us below the client's ${cl}us"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$linear" "$want" \
			"$(jq .syn_retrans <<<"$ev")" "$rto" "$want_us" "$lat" "$cl" \
			>>"$CONNECT_RETR_REPORT"
	done
	# Exactness: every SYN the server saw is the first or a retransmit.
	check_eq "$((passed + dropped))" "$syns" "$name: SYNs counted by the server's rules"
	check_eq "$passed" "$([[ $expect == timeout ]] && echo 0 || echo "$n")" \
		"$name: SYNs the server let through"
	# --hist counted the same retransmits, under the right outcome.
	hist_retrans=$(jq -s '[.[] | select(.type == "connect_hist") | .syn_retrans] | add // 0' \
		"$dir/hist/out")
	check_eq "$hist_retrans" "$(IFS=+; echo $((${retr[*]:-0})))" "$name: syn_retrans of --hist"
	check_eq "$(jq -s "[.[] | select(.type == \"connect_hist\") | .$([[ $expect == timeout ]] &&
		echo timeout || echo count)] | add // 0" "$dir/hist/out")" "$n" \
		"$name: --hist counted the connects as $expect"
}

case_syn_retrans_first() { retrans_case syn_retrans_first $CONNECT_RETR_PORT1 2 2; }
case_syn_retrans_two() { retrans_case syn_retrans_two $CONNECT_RETR_PORT2 3 1; }
# Every SYN dropped, two retries: 2 retransmits (5 with linear timeouts).
case_syn_retrans_timeout() { retrans_case syn_retrans_timeout $CONNECT_RETR_PORT3 0 1 2; }

# --- --hist --------------------------------------------------------------------

# The SYN-ACKs of S4:PORT held 10 ms, those of S4B:CONNECT_SLOW_PORT 40 ms.
connect_hist_delays()
{
	delay_start $CONNECT_Q1 10 "$1/held10" -p tcp -s "$S4" --sport $PORT \
		--tcp-flags SYN,ACK SYN,ACK || { fail "delay daemon 10 ms"; return 1; }
	delay_start $CONNECT_Q2 40 "$1/held40" -p tcp -s "$S4B" --sport $CONNECT_SLOW_PORT \
		--tcp-flags SYN,ACK SYN,ACK || { fail "delay daemon 40 ms"; return 1; }
}

# The histogram objects of one key in a --hist --json output, summed.
hist_sum()
{
	jq -s "[.[] | select(.type == \"connect_hist\" and $2)] | map(.$3) | add // 0" "$1"
}

# --by dport: two ports, 10 and 40 ms: p50 within 5% of each, counts exact;
# the text form of the same intervals, worst p99 first.
case_hist_dport()
{
	local dir=$WORK/hist_dport p10 p40 n10 n40

	mkdir -p "$dir"
	connect_servers || return
	connect_hist_delays "$dir" || return
	cstart "$dir/json" connect --by dport --json --interval 600 --comm lat_client || return
	cstart "$dir/text" connect --hist --by dport --interval 600 --comm lat_client ||
		{ cstop_all; return; }
	client "$dir" c10 -4 -a "$S4" -p $PORT -n 20
	client "$dir" c40 -4 -a "$S4B" -p $CONNECT_SLOW_PORT -n 20
	cstop_all
	delay_stop $CONNECT_Q1
	delay_stop $CONNECT_Q2
	check_eq "$CSTOP_RC" 0 "tcplat exit status after SIGINT"
	n10=$(jq -s 'map(select(.result == "ok")) | length' "$dir/c10")
	n40=$(jq -s 'map(select(.result == "ok")) | length' "$dir/c40")
	check_eq "$(jq -s -c '[.[] | select(.type == "connect_hist") | .dport] | unique' \
		"$dir/json/out")" "[$PORT,$CONNECT_SLOW_PORT]" "keys: the two ports"
	check_eq "$(hist_sum "$dir/json/out" ".dport == $PORT" count)" "$n10" "connects to $PORT"
	check_eq "$(hist_sum "$dir/json/out" ".dport == $CONNECT_SLOW_PORT" count)" "$n40" \
		"connects to $CONNECT_SLOW_PORT"
	# One interval (Ctrl-C ends the only, partial one): its p50 is the run's.
	p10=$(jq -s "[.[] | select(.type == \"connect_hist\" and .dport == $PORT)][0].p50_us" \
		"$dir/json/out")
	p40=$(jq -s "[.[] | select(.type == \"connect_hist\" and .dport == $CONNECT_SLOW_PORT)][0].p50_us" \
		"$dir/json/out")
	check within 5 "$p10" 10000 -- "p50 of dport $PORT: ${p10}us, want 10 ms +-5%"
	check within 5 "$p40" 40000 -- "p50 of dport $CONNECT_SLOW_PORT: ${p40}us, want 40 ms +-5%"
	printf 'hist_dport\t10\t%s\nhist_dport\t40\t%s\n' "$p10" "$p40" >>"$CONNECT_RETR_REPORT.hist"
	check_eq "$(jq -s -c '[.[] | select(.type == "connect_hist") | [.failed, .syn_retrans,
		.by, (.buckets | map(.count) | add)]] | sort' "$dir/json/out")" \
		"[[0,0,\"dport\",$n10],[0,0,\"dport\",$n40]]" "failed, syn_retrans, by, bucket sums"
	check_eq "$(summary_field "$dir/json/out" intervals)" 1 "summary: one (partial) interval"
	check_eq "$(summary_field "$dir/json/out" dropped)" 0 "summary: dropped"
	# Text: worst p99 first, the failures line, bcc's table in msecs.
	check_eq "$(grep -o 'dport [0-9]*: count [0-9]*' "$dir/text/out" | tr '\n' ' ')" \
		"dport $CONNECT_SLOW_PORT: count $n40 dport $PORT: count $n10 " "text: keys by p99"
	check_eq "$(grep -c '^ *failed 0: refused 0  timeout 0  unreachable 0  aborted 0  other 0; syn_retrans 0$' \
		"$dir/text/out")" 2 "text: the failures line of each key"
	check grep -q '^     msecs               : count    distribution' "$dir/text/out" -- \
		"text: bcc's table in msecs"
	check grep -q '^        32 -> 63         : '"$n40"' ' "$dir/text/out" -- \
		"text: the 40 ms connects in the 32-63 ms slot"
}

# --by comm: the same program under two names (a symlink gives another comm).
case_hist_comm()
{
	local dir=$WORK/hist_comm

	mkdir -p "$dir/bin"
	ln -s "$CLIENT" "$dir/bin/lat_other" || { fail "symlink"; return; }
	cstart "$dir" connect --by comm --json --interval 600 || return
	client "$dir" a -4 -a "$S4" -p $PORT -n 3
	ns_c "$dir/bin/lat_other" -o "$dir/b" -6 -a "$S6" -p $PORT -n 2 || fail "lat_other"
	client "$dir" r -4 -a "$S4" -p $PORT_CLOSED -n 1
	cstop_all
	check_eq "$(jq -r .comm "$dir/b" | sort -u)" lat_other "the second client's comm"
	check_eq "$(hist_sum "$dir/out" '.comm == "lat_client"' count)" 3 "lat_client's connects"
	check_eq "$(hist_sum "$dir/out" '.comm == "lat_client"' refused)" 1 "lat_client's refusal"
	check_eq "$(hist_sum "$dir/out" '.comm == "lat_other"' count)" 2 "lat_other's connects"
	check_eq "$(hist_sum "$dir/out" '.comm == "lat_other"' failed)" 0 "lat_other's failures"
}

# --by cgroup: two cgroups of ours, shown by their paths.
case_hist_cgroup()
{
	local dir=$WORK/hist_cgroup root a b pa pb

	mkdir -p "$dir"
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	check test -n "$root" -- "no cgroup2 mount" || return
	a=$root/tcplat_test_$$_a
	b=$root/tcplat_test_$$_b
	mkdir "$a" && CONNECT_CGROUPS+=("$a") && mkdir "$b" && CONNECT_CGROUPS+=("$b") ||
		{ fail "mkdir cgroups"; connect_cgroups_remove; return; }
	cstart "$dir" connect --by cgroup --json --interval 600 --comm lat_client ||
		{ connect_cgroups_remove; return; }
	# Join the cgroup before `ip netns exec`, which remounts /sys.
	sh -c "echo \$\$ > $a/cgroup.procs && exec ip netns exec $NS_C $CLIENT -o $dir/a -4 -a $S4 -p $PORT -n 3"
	sh -c "echo \$\$ > $b/cgroup.procs && exec ip netns exec $NS_C $CLIENT -o $dir/b -6 -a $S6 -p $PORT -n 2"
	cstop_all
	connect_cgroups_remove
	pa=/${a#"$root"/}
	pb=/${b#"$root"/}
	check_eq "$(hist_sum "$dir/out" ".cgroup == \"$pa\"" count)" 3 "connects in $pa"
	check_eq "$(hist_sum "$dir/out" ".cgroup == \"$pb\"" count)" 2 "connects in $pb"
	check_eq "$(jq -s '[.[] | select(.type == "connect_hist" and .cgroup_id == null)] | length' \
		"$dir/out")" 0 "every key has its cgroup id"
}

# A full key table: the connects of the key that finds no room are counted,
# never lost silently.
case_hist_full()
{
	local dir=$WORK/hist_full

	mkdir -p "$dir"
	connect_servers || return
	cstart "$dir" connect --by dport --max-keys 2 --json --interval 600 --comm lat_client ||
		return
	client "$dir" a -4 -a "$S4" -p $PORT -n 3
	client "$dir" b -4 -a "$S4B" -p $CONNECT_SLOW_PORT -n 2
	client "$dir" c -4 -a "$S4" -p $PORT_CLOSED -n 4
	cstop_all
	check_eq "$(jq -s -c '[.[] | select(.type == "connect_hist") | .dport] | unique' "$dir/out")" \
		"[$PORT,$CONNECT_SLOW_PORT]" "keys: the two that fit"
	check_eq "$(summary_field "$dir/out" dropped_keys)" 4 "summary: dropped_keys"
	check_eq "$(summary_field "$dir/out" dropped)" 4 "summary: dropped"
	check_eq "$(summary_field "$dir/out" seen)" 9 "summary: seen"
	grep -q '4 dropped (4 key table full' "$dir/err" && fail "text summary in --json mode"
}

# --interval and --count end the run by themselves, one block per interval.
case_hist_count()
{
	local dir=$WORK/hist_count start

	mkdir -p "$dir"
	start=$(date +%s%N)
	timeout 10 "$TCPLAT" connect --hist --interval 0.3 --count 3 --comm lat_client \
		>"$dir/out" 2>"$dir/err"
	check_eq "$?" 0 "exit status after --count 3"
	check test $((($(date +%s%N) - start) / 1000000)) -lt 5000 -- "--count 3 took too long"
	check_eq "$(grep -c ': no connects$' "$dir/out")" 3 "three empty intervals"
	check grep -q '0 histograms shown in 3 intervals' "$dir/err" -- "summary: $(cat "$dir/err")"
}

# --- dual-stack --------------------------------------------------------------

# An IPv6 socket's connect to ::ffff:S4 is IPv4 to -4, --daddr and --by
# daddr, and -6 does not see it; JSON says family 4 and v4mapped true.
case_dualstack()
{
	local dir=$WORK/dualstack mapped plain v6

	mkdir -p "$dir"
	cstart "$dir/all" connect --json --comm lat_client || return
	cstart "$dir/v4" connect --json -4 --comm lat_client || { cstop_all; return; }
	cstart "$dir/daddr" connect --json --daddr "$S4" --comm lat_client || { cstop_all; return; }
	cstart "$dir/v6" connect --json -6 --comm lat_client || { cstop_all; return; }
	cstart "$dir/by" connect --by daddr --json --interval 600 --comm lat_client ||
		{ cstop_all; return; }
	cstart "$dir/text" connect -4 --comm lat_client || { cstop_all; return; }
	client "$dir" c.mapped -6 -a "::ffff:$S4" -p $PORT -n 3
	client "$dir" c.plain -4 -a "$S4" -p $PORT -n 2
	client "$dir" c.v6 -6 -a "$S6" -p $PORT -n 2
	cstop_all
	check_eq "$(jq -s 'map(select(.result == "ok")) | length' "$dir/c.mapped")" 3 \
		"the client's mapped connects"
	mapped=$(jq -s -c 'map(.lport) | sort' "$dir/c.mapped")
	plain=$(jq -s -c 'map(.lport) | sort' "$dir/c.plain")
	v6=$(jq -s -c 'map(.lport) | sort' "$dir/c.v6")
	check_eq "$(events "$dir/all/out" | jq -s -c \
		'map(select(.v4mapped)) | map([.family, .saddr, .daddr]) | unique')" \
		"[[4,\"$C4\",\"$S4\"]]" "mapped connects: family 4, the IPv4 addresses"
	check_eq "$(events "$dir/all/out" | jq -s -c 'map(select(.v4mapped) | .lport) | sort')" \
		"$mapped" "v4mapped true: exactly the mapped connects"
	check_eq "$(events "$dir/all/out" | jq -s -c 'map(select(.v4mapped == false) | .lport) | sort')" \
		"$(jq -s -c 'add | sort' <<<"$plain $v6")" "v4mapped false: the others"
	check_eq "$(events "$dir/v4/out" | jq -s -c 'map(.lport) | sort')" \
		"$(jq -s -c 'add | sort' <<<"$mapped $plain")" "-4: mapped and plain IPv4"
	check_eq "$(events "$dir/daddr/out" | jq -s -c 'map(.lport) | sort')" \
		"$(jq -s -c 'add | sort' <<<"$mapped $plain")" "--daddr $S4: mapped and plain"
	check_eq "$(events "$dir/v6/out" | jq -s -c 'map(.lport) | sort')" "$v6" \
		"-6: only the IPv6 connects"
	check_eq "$(jq -s -c '[.[] | select(.type == "connect_hist") | [.family, .daddr, .count]]
		| sort' "$dir/by/out")" "[[4,\"$S4\",5],[6,\"$S6\",2]]" \
		"--by daddr: the mapped connects with the IPv4 ones"
	check_eq "$(awk 'NR > 1 { print $3, $4, $5 }' "$dir/text/out" | sort -u)" "4 $C4 $S4" \
		"text: IP 4 and dotted quads"
	check_eq "$(($(wc -l <"$dir/text/out") - 1))" 5 "text: five rows"
}

CONNECT_CASES="syn_retrans_first syn_retrans_two syn_retrans_timeout hist_dport hist_comm \
hist_cgroup hist_full hist_count dualstack"

# SYN retransmits and --hist p50 against what was injected, for the record.
connect_retr_report()
{
	if [[ -s $CONNECT_RETR_REPORT ]]; then
		echo "SYN retransmits: case linear_timeouts expected tcplat rto_us expected_us latency_us client_us"
		sed 's/^/  /' "$CONNECT_RETR_REPORT"
	fi
	if [[ -s $CONNECT_RETR_REPORT.hist ]]; then
		echo "--hist p50 (us) against the SYN-ACK hold (ms):"
		sed 's/^/  /' "$CONNECT_RETR_REPORT.hist"
	fi
	return 0
}
