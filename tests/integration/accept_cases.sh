# SPDX-License-Identifier: GPL-2.0
#
# Integration cases of `tcplat accept`, sourced by run.sh. Real listeners in
# the server namespace (tests/tools/acc_server: paced accepts, backlog,
# accept/accept4, fork, SO_REUSEPORT) and clients in the client namespace.
# Every client->server packet but the SYN is held D ms on its arrival in the
# server namespace (nfq_delay, which logs each hold and its release time), so:
#   HS   = the hold of the final ACK (the client's first pure ACK);
#   WAIT = the server's accept() return (acc_server's log) - that release.
# Overflows, drops, SYN cookies and SYN-ACK retransmits are compared with the
# deltas of the kernel's own counters (nstat) in the server namespace.

ACCEPT_PORT=5100	# accepts at once
ACCEPT_WAIT_PORT=5101	# one accept every ACCEPT_PACE_MS
ACCEPT_FULL_PORT=5102	# backlog 1, never accepts
ACCEPT_VAR_PORT=5103	# variants: +0 accept(), +1 forked, +2 two SO_REUSEPORT listeners
ACCEPT_GONE_PORT=5107	# never accepts, then closes: the --failed outcomes
ACCEPT_Q=21
ACCEPT_HOLD_MS=30
ACCEPT_PACE_MS=50
ACCEPT_CASES="accept_handshake accept_wait accept_overflow accept_variants accept_failed \
accept_hist accept_filters accept_clean_exit accept_errors"
# HS and WAIT errors (us) per case and family, for the report.
ACC_N=0
ACCEPT_ERRORS=${TCPLAT_ACCEPT_ERRORS_FILE:-$REPO_ROOT/.output/tests/accept-errors.tsv}
: >"$ACCEPT_ERRORS"

accept_events()
{
	jq -c 'select(.type == "accept")' "$1"
}

# accept_server PORT ARGS...: acc_server in NS_S, its log in $WORK/acc.PORT.
accept_server()
{
	local port=$1

	shift
	ACC_N=$((ACC_N + 1))
	ACC_LOG=$WORK/acc.$port.$ACC_N
	SERVER_TOOL=acc_server server_start "$port" -l "$ACC_LOG" "$@" ||
		{ fail "acc_server on $port"; return 1; }
}

# accept_hold LOG PORT: every packet but the SYN to PORT held ACCEPT_HOLD_MS
# on arrival in NS_S.
accept_hold()
{
	DELAY_CHAIN=INPUT delay_start $ACCEPT_Q "${3:-$ACCEPT_HOLD_MS}" "$1" -p tcp --dport "$2" \
		! --syn || { fail "delay daemon"; return 1; }
}

# netstat_counter NAME...: TcpExt counters of the server namespace, "N N ...".
netstat_counters()
{
	ns_s awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		$1 == "TcpExt:" { if (!hdr) { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
				  for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""), $col[w[i]]
				  print "" }' /proc/net/netstat
}

# accept_join OUT HELD CLIENT_FILES...: one TSV row per client connection:
# family lport nevents outcome pid comm hs_us held_us wait_us released_ns
accept_join()
{
	local out=$1 held=$2

	shift 2
	cat "$@" | jq -r --slurpfile t <(accept_events "$out") --slurpfile h "$held" '
		select(.result == "ok") | . as $c
		| [$t[] | select(.rport == $c.lport and .raddr == $c.saddr)] as $m
		| [$h[] | select(.sport == $c.lport and .src == $c.saddr and .flags == "A")] as $a
		| [$c.family, $c.lport, ($m | length), ($m[0].outcome // "none"), ($m[0].pid // 0),
		   ($m[0].comm // ""), ($m[0].hs_us // -1), ($a[0].held_us // -1),
		   ($m[0].wait_us // -1), ($a[0].released_ns // -1), ($m[0].lport // 0)] | @tsv'
}

# accept_record CASE FAMILY KIND ERROR_US
accept_record()
{
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$ACCEPT_ERRORS"
}

abs() { echo $(($1 < 0 ? -$1 : $1)); }

# HS: every connection reported once, accepted by acc_server, HS within
# TOL_US of the hold its final ACK got.
case_accept_handshake()
{
	local dir=$WORK/accept_hs rows n spid4 spid6

	mkdir -p "$dir"
	accept_server $ACCEPT_PORT -4 -a "$S4" || return
	spid4=$SERVER_PID
	accept_server $ACCEPT_PORT -6 -a "$S6" || return
	spid6=$SERVER_PID
	accept_hold "$dir/held" $ACCEPT_PORT || return
	tcplat_start "$dir" accept --json --lport $ACCEPT_PORT || return
	client "$dir" c4 -4 -a "$S4" -p $ACCEPT_PORT -n 5 -i 20
	client "$dir" c6 -6 -a "$S6" -p $ACCEPT_PORT -n 5 -i 20
	sleep 0.3
	tcplat_stop
	delay_stop $ACCEPT_Q
	check_eq "$TCPLAT_RC" 0 "exit status"
	rows=$(accept_join "$dir/out" "$dir/held" "$dir/c4" "$dir/c6")
	check_eq "$(grep -c . <<<"$rows")" 10 "connections checked one by one" || return
	while IFS=$'\t' read -r fam lport nm outcome pid comm hs held _ _ llport; do
		check_eq "$nm" 1 "v$fam client port $lport: times reported" || continue
		check_eq "$outcome/$comm/$llport" "accepted/acc_server/$ACCEPT_PORT" \
			"v$fam client port $lport: outcome, comm, lport"
		check_eq "$pid" "$([[ $fam == 4 ]] && echo "$spid4" || echo "$spid6")" \
			"v$fam client port $lport: pid of the accepting server"
		check test "$held" -ge $((ACCEPT_HOLD_MS * 1000)) -- "v$fam $lport: final ACK not held"
		check test "$(abs $((hs - held)))" -le "$TOL_US" -- \
			"v$fam client port $lport: HS ${hs}us vs the final ACK's hold ${held}us"
		accept_record handshake "$fam" hs $((hs - held))
	done <<<"$rows"
	n=$(jq -r 'select(.type == "summary") | .listeners | map(select(.lport == '$ACCEPT_PORT')) |
		map(.accepted) | add' "$dir/out")
	check_eq "$n" 10 "summary: accepted by the two listeners"
	check_eq "$(jq -r 'select(.type == "summary") | .dropped' "$dir/out")" 0 "summary: dropped"
}

# WAIT: a burst of connections to a server that accepts one every PACE ms:
# each WAIT within TOL_US of accept()'s return minus the final ACK's release.
case_accept_wait()
{
	local dir=$WORK/accept_wait rows acc fam waits

	mkdir -p "$dir"
	accept_server $ACCEPT_WAIT_PORT -4 -a "$S4" -i $ACCEPT_PACE_MS || return
	acc=$ACC_LOG
	accept_server $ACCEPT_WAIT_PORT -6 -a "$S6" -i $ACCEPT_PACE_MS || return
	accept_hold "$dir/held" $ACCEPT_WAIT_PORT 5 || return
	tcplat_start "$dir" accept --json --lport $ACCEPT_WAIT_PORT || return
	client "$dir" c4 -4 -a "$S4" -p $ACCEPT_WAIT_PORT -n 6 -P
	client "$dir" c6 -6 -a "$S6" -p $ACCEPT_WAIT_PORT -n 6 -P
	sleep 0.6
	tcplat_stop
	delay_stop $ACCEPT_Q
	cat "$acc" "$ACC_LOG" >"$dir/accepts"
	rows=$(accept_join "$dir/out" "$dir/held" "$dir/c4" "$dir/c6")
	check_eq "$(grep -c . <<<"$rows")" 12 "connections checked one by one" || return
	while IFS=$'\t' read -r fam lport nm outcome _ _ _ _ wait released _; do
		local acc_ns want

		check_eq "$nm/$outcome" 1/accepted "v$fam client port $lport: reported once" || continue
		acc_ns=$(jq -r --argjson p "$lport" 'select(.rport == $p) | .accept_ns' "$dir/accepts")
		check test -n "$acc_ns" -- "v$fam $lport: not in the server's accept log" || continue
		want=$(((acc_ns - released) / 1000))
		check test "$(abs $((wait - want)))" -le "$TOL_US" -- \
			"v$fam client port $lport: WAIT ${wait}us vs accept - final ACK ${want}us"
		accept_record wait "$fam" wait $((wait - want))
	done <<<"$rows"
	# A burst waits 0, PACE, 2 PACE, ...: the largest is about 5 PACE.
	for fam in 4 6; do
		waits=$(accept_events "$dir/out" | jq -s -c --argjson f $fam \
			'map(select(.family == $f) | .wait_us) | sort')
		check jq -e --argjson p $((ACCEPT_PACE_MS * 1000)) \
			'length == 6 and .[5] >= 4.5 * $p and .[5] < 6 * $p' <<<"$waits" >/dev/null -- \
			"v$fam waits grow by the pace: $waits"
	done
}

# Overflow: backlog 1, never accepted, 20 concurrent connects, every packet
# but the SYN held 1.2 s: the first SYN gets the one request sock (and its
# SYN-ACK a retransmit at 1 s), the others SYN cookies (the request queue
# is full); of the final ACKs two make the queue full, the rest overflow, as
# do the clients' FINs. The listener's overflows, drops, SYN cookies and
# SYN-ACK retransmits equal the kernel's counters' deltas in that namespace.
case_accept_overflow()
{
	local dir=$WORK/accept_full before after l got want names

	mkdir -p "$dir"
	accept_server $ACCEPT_FULL_PORT -4 -a "$S4" -b 1 -n || return
	accept_hold "$dir/held" $ACCEPT_FULL_PORT 1200 || return
	tcplat_start "$dir" accept --json --lport $ACCEPT_FULL_PORT || return
	names="ListenOverflows ListenDrops SyncookiesSent TCPSynRetrans"
	before=$(netstat_counters $names)
	client "$dir" c -4 -a "$S4" -p $ACCEPT_FULL_PORT -n 20 -P -T 3500
	sleep 2.5
	after=$(netstat_counters $names)
	tcplat_stop
	delay_stop $ACCEPT_Q
	check_eq "$TCPLAT_RC" 0 "exit status"
	l=$(jq -c 'select(.type == "summary") | .listeners[] | select(.lport == '$ACCEPT_FULL_PORT')' \
		"$dir/out")
	check test -n "$l" -- "no listener row for port $ACCEPT_FULL_PORT" || return
	read -r -a b <<<"$before"
	read -r -a a <<<"$after"
	want="$((a[0] - b[0])) $((a[1] - b[1])) $((a[2] - b[2])) $((a[3] - b[3]))"
	got=$(jq -r '"\(.overflows) \(.drops) \(.syncookies_sent) \(.synack_retrans)"' <<<"$l")
	echo "    overflow: tcplat overflows/drops/syncookies/synack_retrans $got;" \
		"kernel ListenOverflows/ListenDrops/SyncookiesSent/TCPSynRetrans $want" >&2
	check_eq "$got" "$want" "listener counters vs the kernel's deltas"
	check test "${a[0]}" -gt "${b[0]}" -- "the test made no overflow"
	check test "$(jq .synack_retrans <<<"$l")" -gt 0 -- "no SYN-ACK retransmit seen"
	check_eq "$(jq .backlog <<<"$l")" 1 "backlog"
	check_eq "$(jq .qlen_peak <<<"$l")" 2 "peak accept queue (backlog 1 holds 2)"
	check_eq "$(jq .established <<<"$l")" 2 "joined the queue"
	printf 'overflow\t4\tcounters\t%s | %s\n' "$got" "$want" >>"$ACCEPT_ERRORS"
}

# accept() and accept4(), a listener shared with a forked child, two
# SO_REUSEPORT listeners on one port: each connection once, by the process
# whose log has it; each reuseport listener a row of its own.
case_accept_variants()
{
	local dir=$WORK/accept_var p pids rows lc logs=() c1 c2 n

	mkdir -p "$dir"
	accept_server $ACCEPT_VAR_PORT -4 -a "$S4" -k || return
	logs+=("$ACC_LOG")
	accept_server $((ACCEPT_VAR_PORT + 1)) -4 -a "$S4" -f -i 10 || return
	logs+=("$ACC_LOG")
	accept_server $((ACCEPT_VAR_PORT + 2)) -4 -a "$S4" -R || return
	logs+=("$ACC_LOG")
	c1=$SERVER_PID
	accept_server $((ACCEPT_VAR_PORT + 2)) -4 -a "$S4" -R -b 64 || return
	logs+=("$ACC_LOG")
	c2=$SERVER_PID
	tcplat_start "$dir" accept --json --lport \
		$ACCEPT_VAR_PORT,$((ACCEPT_VAR_PORT + 1)),$((ACCEPT_VAR_PORT + 2)) || return
	client "$dir" plain -4 -a "$S4" -p $ACCEPT_VAR_PORT -n 4
	client "$dir" forked -4 -a "$S4" -p $((ACCEPT_VAR_PORT + 1)) -n 12 -P
	client "$dir" reuse -4 -a "$S4" -p $((ACCEPT_VAR_PORT + 2)) -n 16 -P
	sleep 0.5
	tcplat_stop
	cat "${logs[@]}" >"$dir/accepts"
	check_eq "$(jq -s 'map(select(.call == "accept")) | length' "$dir/accepts")" 4 \
		"accept() calls logged"
	# Every accept the servers logged is one event with the same pid.
	rows=$(jq -r --slurpfile t <(accept_events "$dir/out") '. as $a
		| [$t[] | select(.rport == $a.rport)] as $m
		| "\($a.rport) \($m | length) \($m[0].pid == $a.pid) \($m[0].comm)"' "$dir/accepts")
	check_eq "$(grep -c . <<<"$rows")" 32 "accepts logged by the servers" || return
	check_eq "$(awk '$2 != 1 || $3 != "true" || $4 != "acc_server"' <<<"$rows")" "" \
		"each accept reported once with the accepting pid"
	pids=$(jq -s --argjson p $((ACCEPT_VAR_PORT + 1)) \
		'[.[] | select(.type == "accept" and .lport == $p) | .pid] | unique | length' "$dir/out")
	check_eq "$pids" 2 "the forked listener: accepts by parent and child"
	# Two listeners on the reuseport port, each with its own owner and count.
	lc=$(jq -c --argjson p $((ACCEPT_VAR_PORT + 2)) 'select(.type == "summary") |
		[.listeners[] | select(.lport == $p)] | sort_by(.owner_pid) |
		map([.owner_pid, .accepted, .backlog])' "$dir/out")
	n=$(jq -s --argjson a "$c1" 'map(select(.pid == $a and .call == "accept4" and
		.rport > 0)) | length' "${logs[2]}")
	check_eq "$(jq -c --argjson a "$c1" --argjson b "$c2" \
		'map(.[0]) == ([$a, $b] | sort)' <<<"$lc")" true "reuseport listeners' owners: $lc"
	check_eq "$(jq -c 'map(.[1]) | add' <<<"$lc")" 16 "reuseport: accepted in all"
	check_eq "$(jq -c --argjson a "$c1" 'map(select(.[0] == $a))[0][1]' <<<"$lc")" "$n" \
		"reuseport: the first listener's count is its server's"
}

# Never accepted: two clients reset their connection while it is queued,
# two close it (FIN) and stay queued until the listener closes.
case_accept_failed()
{
	local dir=$WORK/accept_failed n r1 r2

	mkdir -p "$dir"
	accept_server $ACCEPT_GONE_PORT -4 -a "$S4" -n || return
	tcplat_start "$dir" accept --json --failed --lport $ACCEPT_GONE_PORT || return
	client "$dir" fin -4 -a "$S4" -p $ACCEPT_GONE_PORT -n 2
	# Connections left open, then killed from the client side: ss -K
	# aborts them, which sends a RST.
	ns_c "$CLIENT" -o "$dir/rst1" -4 -a "$S4" -p $ACCEPT_GONE_PORT -R 5 &
	r1=$!
	ns_c "$CLIENT" -o "$dir/rst2" -4 -a "$S4" -p $ACCEPT_GONE_PORT -R 5 &
	r2=$!
	sleep 0.5
	ns_c ss -K dst "$S4" dport = :$ACCEPT_GONE_PORT >/dev/null 2>&1 || fail "ss -K"
	wait "$r1" "$r2"
	sleep 0.2
	_netns_kill_pid "$SERVER_PID"
	sleep 0.3
	n=$(bpftool map dump name queued -j 2>/dev/null | jq 'length')
	tcplat_stop
	check_eq "$n" 0 "queue table entries left after the listener closed"
	check_eq "$(accept_events "$dir/out" | jq -s -c 'map(.outcome) | sort')" \
		'["listener_closed","listener_closed","reset","reset"]' "outcomes"
	check_eq "$(accept_events "$dir/out" | jq -s 'map(select(.pid != 0)) | length')" 0 \
		"a failed connection has no accepting pid"
	check_eq "$(jq -r 'select(.type == "summary") | .listeners[] |
		select(.lport == '$ACCEPT_GONE_PORT') | .failed' "$dir/out")" 4 "listener: failed"
}

# --hist: per listener and --by lport, HS about the hold, WAIT counts.
case_accept_hist()
{
	local dir=$WORK/accept_hist p50 cnt

	mkdir -p "$dir/listener" "$dir/lport"
	accept_server $((ACCEPT_PORT + 10)) -4 -a "$S4" -R || return
	accept_server $((ACCEPT_PORT + 10)) -4 -a "$S4" -R || return
	accept_hold "$dir/held" $((ACCEPT_PORT + 10)) || return
	tcplat_start "$dir/listener" accept --hist --json -i 0.5 --lport $((ACCEPT_PORT + 10)) ||
		return
	client "$dir" c -4 -a "$S4" -p $((ACCEPT_PORT + 10)) -n 10 -P
	sleep 0.8
	tcplat_stop
	cnt=$(jq -s 'map(select(.type == "accept_hist")) | map(.hs.count) | add' "$dir/listener/out")
	check_eq "$cnt" 10 "hs counts over the intervals"
	check_eq "$(jq -s '[.[] | select(.type == "accept_hist") | .owner_pid] | unique | length' \
		"$dir/listener/out")" 2 "two reuseport listeners, each its own histograms"
	p50=$(jq -s 'map(select(.type == "accept_hist" and .hs.count > 0)) | .[0].hs.p50_us' \
		"$dir/listener/out")
	check awk -v v="$p50" -v d=$((ACCEPT_HOLD_MS * 1000)) 'BEGIN { exit !(v > d * 0.9 && v < d * 1.15) }' \
		-- "hs p50 ${p50}us vs the ${ACCEPT_HOLD_MS} ms hold"

	tcplat_start "$dir/lport" accept --hist --by lport -i 0.5 -c 3 --lport $((ACCEPT_PORT + 10)) ||
		return
	client "$dir" c2 -4 -a "$S4" -p $((ACCEPT_PORT + 10)) -n 6 -P
	wait "$TCPLAT_PID"
	TCPLAT_RC=$?
	TCPLAT_PID=
	delay_stop $ACCEPT_Q
	check_eq "$TCPLAT_RC" 0 "exit status after COUNT intervals"
	check grep -q "^[0-9:]* port $((ACCEPT_PORT + 10)): accepted 6 " "$dir/lport/out" -- \
		"--by lport: one group with the 6 accepts: $(grep port "$dir/lport/out")"
	check grep -q "HS: count 6 " "$dir/lport/out" -- "--by lport: HS count"
	check grep -q "usecs *: count *distribution" "$dir/lport/out" -- "log2 table"
}

# -4/--laddr/--lport and -p filters, MIN_MS, and the text columns.
case_accept_filters()
{
	local dir=$WORK/accept_filters header spid

	mkdir -p "$dir/fam" "$dir/text" "$dir/min"
	accept_server $((ACCEPT_PORT + 20)) -4 -a "$S4" || return
	spid=$SERVER_PID
	accept_server $((ACCEPT_PORT + 20)) -6 -a "$S6" || return
	accept_server $((ACCEPT_PORT + 21)) -4 -a "$S4" || return
	tcplat_start "$dir/fam" accept --json -6 --lport $((ACCEPT_PORT + 20)) || return
	client "$dir" a4 -4 -a "$S4" -p $((ACCEPT_PORT + 20)) -n 2
	client "$dir" a6 -6 -a "$S6" -p $((ACCEPT_PORT + 20)) -n 3
	client "$dir" b4 -4 -a "$S4" -p $((ACCEPT_PORT + 21)) -n 2
	sleep 0.3
	tcplat_stop
	check_eq "$(accept_events "$dir/fam/out" | jq -s -c 'map([.family, .lport]) | unique')" \
		"[[6,$((ACCEPT_PORT + 20))]]" "-6 --lport: only IPv6 to that port"
	check_eq "$(accept_events "$dir/fam/out" | wc -l)" 3 "-6 --lport: count"

	tcplat_start "$dir/text" accept -t --retrans -p "$spid" --laddr "$S4" || return
	client "$dir" t4 -4 -a "$S4" -p $((ACCEPT_PORT + 20)) -n 2
	client "$dir" t6 -6 -a "$S6" -p $((ACCEPT_PORT + 20)) -n 2
	client "$dir" t4b -4 -a "$S4" -p $((ACCEPT_PORT + 21)) -n 2
	sleep 0.3
	tcplat_stop
	header=$(printf '%-9s %-6s %-12s %-2s %-16s %-6s %-16s %-6s %-6s %-7s %s' 'TIME(s)' PID \
		COMM IP LADDR LPORT RADDR RPORT SYNRTX 'HS(ms)' 'WAIT(ms)')
	check_eq "$(head -n 1 "$dir/text/out")" "$header" "header line"
	check_eq "$(awk 'NR > 1 { print $2, $3, $4, $5, $6 }' "$dir/text/out" | sort -u)" \
		"$spid acc_server 4 $S4 $((ACCEPT_PORT + 20))" "-p --laddr: rows of that server only"
	check_eq "$(($(wc -l <"$dir/text/out") - 1))" 2 "rows"
	grep -q 'connections seen, 2 shown' "$dir/text/err" ||
		fail "summary on stderr: $(grep 'connections seen' "$dir/text/err")"

	accept_hold "$dir/held" $((ACCEPT_PORT + 21)) 20 || return
	tcplat_start "$dir/min" accept --json 10 --lport $((ACCEPT_PORT + 20)),$((ACCEPT_PORT + 21)) ||
		return
	client "$dir" fast -4 -a "$S4" -p $((ACCEPT_PORT + 20)) -n 3
	client "$dir" slow -4 -a "$S4" -p $((ACCEPT_PORT + 21)) -n 2
	sleep 0.3
	tcplat_stop
	delay_stop $ACCEPT_Q
	check_eq "$(accept_events "$dir/min/out" | jq -s -c 'map(.lport) | unique')" \
		"[$((ACCEPT_PORT + 21))]" "MIN_MS: only the slow ones"
	check_eq "$(jq -r 'select(.type == "summary") | .below_min' "$dir/min/out")" 3 \
		"MIN_MS: below_min"
}

# The number of tcplat accept's programs attached to cgroup $1 (bpftool
# prints nothing at all for a cgroup without programs).
accept_cgroup_progs()
{
	bpftool cgroup show "$1" -j 2>/dev/null | jq -s '[flatten[] | select(.name |
		test("^cg_(sockops_req|listener_ing)"))] | length'
}

# Ctrl-C, SIGTERM and -d: exit 0, summary, no program or cgroup link left.
case_accept_clean_exit()
{
	local dir=$WORK/accept_exit i n root

	mkdir -p "$dir/int" "$dir/term"
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	tcplat_start "$dir/int" accept || return
	check test "$(accept_cgroup_progs "$root")" -eq 2 -- "cgroup programs attached while tracing"
	tcplat_stop
	check_eq "$TCPLAT_RC" 0 "exit status after SIGINT"
	grep -q 'connections seen' "$dir/int/err" || fail "no summary after SIGINT"
	tcplat_start "$dir/term" accept --hist || return
	kill -TERM "$TCPLAT_PID"
	wait "$TCPLAT_PID"
	check_eq "$?" 0 "exit status after SIGTERM"
	TCPLAT_PID=
	for ((i = 0; i < 40; i++)); do
		n=$(bpftool prog show -j | jq '[.[] | select(.name == "tp_sys_exit" or
			.name == "cg_sockops_req")] | length')
		((n == 0)) && break
		sleep 0.05
	done
	check_eq "$n" 0 "programs left after exit"
	check_eq "$(accept_cgroup_progs "$root")" 0 "cgroup links left after exit"
	timeout 10 "$TCPLAT" accept -d 0.5 >"$dir/dur.out" 2>"$dir/dur.err"
	check_eq "$?" 0 "exit status with -d"
}

case_accept_errors()
{
	local out rc arg

	for arg in "-p abc" "abc" "--nope" "-4 -6" "1 2" "--lport 0" "--lport 1,2,3,4,5,6,7,8,9" \
		   "--laddr x" "-i 1" "-c 2" "--by lport" "--hist 5" "--hist --failed" \
		   "--hist --by nope" "--max-pending 0" "-6 --laddr 10.0.0.1"; do
		# shellcheck disable=SC2086
		out=$("$TCPLAT" accept $arg 2>&1 >/dev/null)
		rc=$?
		check_eq "$rc" 2 "exit status for '$arg'"
		check test -n "$out" -- "no message for '$arg'"
	done
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TCPLAT" accept 2>&1 >/dev/null)
	check_eq "$?" 1 "exit status without privileges"
	check_eq "$(wc -l <<<"$out")" 1 "one line without privileges"
	for arg in --failed --hist --by --lport --laddr --interval --count --retrans sys_exit; do
		"$TCPLAT" accept --help | grep -q -- "$arg" || fail "--help lacks $arg"
	done
}

accept_error_report()
{
	[[ -s $ACCEPT_ERRORS ]] || return 0
	echo "accept errors, tcplat - reference (us): case family kind n median max|err|"
	grep -v counters "$ACCEPT_ERRORS" | sort -k1,1 -k2,2n -k4,4n | awk -F'\t' '
		function flush() {
			if (n) printf "  %-9s v%s %-4s n=%-3d median %5d  max %5d\n", c, f, k, n, v[int((n + 1) / 2)], m
		}
		$1 != c || $2 != f { flush(); c = $1; f = $2; k = $3; n = 0; m = 0 }
		{ v[++n] = $4; a = $4 < 0 ? -$4 : $4; if (a > m) m = a }
		END { flush() }'
	grep counters "$ACCEPT_ERRORS" | awk -F'\t' '{ print "  overflow: tcplat " $4 " (kernel after |)" }'
}
