# SPDX-License-Identifier: GPL-2.0
#
# Integration cases of `tcplat serve` with traffic, sourced by serve_cases.sh:
# a real Prometheus scrapes it while the test namespaces make connects with
# known SYN-ACK delays and RTTs, and its query API must give them back;
# loads and faults (concurrent scrapers, idle connections, malformed
# requests, 5,000 destinations) must lose no connect.

SERVE_TRACE_CASES="serve_prom_connect serve_prom_rtt serve_load serve_faults serve_many_dests"
SERVE_Q=13
# What the cases measured (medians beside the injected delays, counts,
# scrape latency, series and RSS), for the report.
SERVE_REPORT=${TCPLAT_SERVE_REPORT_FILE:-$REPO_ROOT/.output/tests/serve-report.txt}
SERVE_REPORT_STARTED=
# Where the many destinations live: routed to the server namespace, which
# takes the whole /16 as local (AnyIP) and answers each with a RST.
SERVE_DEST_NET=10.77

# prom_value EXPR: the value of an instant query's first result ("" if none).
prom_value()
{
	prom_query "$1" | jq -r '.data.result[0].value[1] // empty'
}

# in_range VALUE LO HI: LO <= VALUE <= HI (floats)
in_range()
{
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v >= lo && v <= hi) }'
}

# The bucket bounds around MS milliseconds (prom_hist_bounds_us: powers of
# two of microseconds): "LO HI" in seconds, one bucket either side of the
# one that holds MS.
bucket_window()
{
	awk -v ms="$1" 'BEGIN { us = ms * 1000; b = 16; while (b < us) b *= 2;
		printf "%.6f %.6f\n", b / 4 / 1e6, b * 2 / 1e6 }'
}

# serve_scrape_sum DIR FILTER: the sum of the _count samples of the connect
# histogram that match FILTER (an awk regex on the line) in one scrape.
serve_scrape_sum()
{
	serve_get /metrics >"$1/scrape.txt"
	awk -v re="$2" '/^tcplat_connect_duration_seconds_count/ && $0 ~ re { s += $NF }
		END { printf "%d\n", s }' "$1/scrape.txt"
}

# serve_record TEXT: a line of the report, which the first line of a run starts
# afresh (a run without these cases leaves the last one's).
serve_record()
{
	[[ -n $SERVE_REPORT_STARTED ]] || : >"$SERVE_REPORT"
	SERVE_REPORT_STARTED=1
	printf '%s\n' "$*" >>"$SERVE_REPORT"
}

# Connects with SYN-ACKs held 20 ms (IPv4) and 60 ms (IPv6), and refused ones:
# Prometheus's median within one bucket of the delay, counts exact.
case_serve_prom_connect()
{
	local dir=$WORK/serve_prom_connect v lo hi q

	serve_start "$dir" --comm lat_client || return
	prom_start "$dir/prom" "127.0.0.1:$SERVE_PORT" 1s || return
	delay_start $SERVE_Q 20 "$dir/held20" || { fail "delay daemon"; return; }
	client "$dir" c4 -4 -a "$S4" -p $PORT -n 20 -i 5
	delay_stop $SERVE_Q
	delay_start $SERVE_Q 60 "$dir/held60" || { fail "delay daemon"; return; }
	client "$dir" c6 -6 -a "$S6" -p $PORT -n 10 -i 5
	delay_stop $SERVE_Q
	ns_c "$CLIENT" -o "$dir/refused" -4 -a "$S4" -p $PORT_CLOSED -n 3
	sleep 1.5
	prom_wait_scrapes 4 || { prom_stop; return; }
	sleep 1.2
	for q in "ipv4 20 20" "ipv6 60 10"; do
		set -- $q
		read -r lo hi < <(bucket_window "$2")
		v=$(prom_value "histogram_quantile(0.5, sum by (le) (tcplat_connect_duration_seconds_bucket{family=\"$1\",outcome=\"established\"}))")
		check in_range "$v" "$lo" "$hi" -- "$1: median $v s, injected $2 ms (bounds $lo..$hi)"
		serve_record "connect $1 injected_ms=$2 prom_p50_s=$v"
		v=$(prom_value "sum(tcplat_connect_duration_seconds_count{family=\"$1\",outcome=\"established\"})")
		check_eq "$v" "$3" "$1: established connects in Prometheus"
		serve_record "connect $1 count=$v made=$3"
	done
	v=$(prom_value 'sum(tcplat_connect_duration_seconds_count{family="ipv4",outcome="refused"})')
	check_eq "$v" 3 "refused connects in Prometheus"
	serve_record "connect ipv4 refused count=$v made=3"
	v=$(prom_value 'sum(tcplat_events_dropped_total)')
	check_eq "$v" 0 "tcplat_events_dropped_total"
	prom_stop
}

# An echo exchange whose packets from the server are held 30 ms at the
# client: the client's RTT samples (raddr = the server) about 30 ms.
case_serve_prom_rtt()
{
	local dir=$WORK/serve_prom_rtt v lo hi n

	rtt_servers || return
	serve_start "$dir" --rtt-labels raddr,cgroup || return
	prom_start "$dir/prom" "127.0.0.1:$SERVE_PORT" 1s || return
	rtt_delay $SERVE_Q 30 "$S4" "$dir/held" || return
	client "$dir" echo -4 -a "$S4" -p $RTT_ECHO_PORT -E 20 -i 10
	delay_stop $SERVE_Q
	sleep 1.5
	prom_wait_scrapes 3 || { prom_stop; return; }
	sleep 1.2
	read -r lo hi < <(bucket_window 30)
	v=$(prom_value "histogram_quantile(0.5, sum by (le) (tcplat_rtt_seconds_bucket{raddr=\"$S4\"}))")
	n=$(prom_value "sum(tcplat_rtt_seconds_count{raddr=\"$S4\"})")
	check in_range "$v" "$lo" "$hi" -- "rtt median $v s, injected 30 ms (bounds $lo..$hi)"
	check test "${n:-0}" -ge 10 -- "rtt samples to $S4: $n"
	# The cgroup label: the socket's cgroup as a path below the v2 root.
	check grep -q '^/' <(prom_query "tcplat_rtt_seconds_count{raddr=\"$S4\"}" |
		jq -r '.data.result[].metric.cgroup') -- "cgroup label of the RTT series"
	serve_record "rtt ipv4 injected_ms=30 prom_p50_s=$v samples=$n client_median_us=$(jq -r .rtt_median_us "$dir/echo")"
	prom_stop
}

# 50 scrapers for 10 s while connects run at full rate (bounded): every
# connect counted, every scrape answered.
case_serve_load()
{
	local dir=$WORK/serve_load made=0 i pid n

	serve_start "$dir" --comm lat_client || return
	"$TOOLS_DIR/scrape_load" -a 127.0.0.1 -p "$SERVE_PORT" -c 50 -d 10 -o "$dir/load" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		client "$dir" "c$i" -4 -a "$S4" -p $PORT -n 500
		made=$((made + $(wc -l <"$dir/c$i")))
	done
	wait "$pid"
	check_eq "$?" 0 "scrapers: failures in $(cat "$dir/load")"
	sleep 0.3
	n=$(serve_scrape_sum "$dir" 'outcome="established"')
	check_eq "$n" "$made" "connects counted under 50 scrapers"
	check test "$(jq .ok "$dir/load")" -ge 100 -- "scrapes: $(cat "$dir/load")"
	check test "$(jq .p99_us "$dir/load")" -lt 500000 -- "p99: $(cat "$dir/load")"
	serve_record "load connects_made=$made counted=$n scrape=$(cat "$dir/load")"
	serve_alive "50 scrapers and $made connects"
}

# 200 idle connections and malformed requests while connects are traced.
case_serve_faults()
{
	local dir=$WORK/serve_faults fds=() fd i n pid req

	serve_start "$dir" --comm lat_client || return
	for ((i = 0; i < 200; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || { fail "connection $i"; break; }
		fds+=("$fd")
	done
	client "$dir" c1 -4 -a "$S4" -p $PORT -n 200 &
	pid=$!
	for req in 'GARBAGE\r\n\r\n' 'GET /metrics HTTP/9.9\r\n\r\n' \
		   "GET /$(head -c 9000 /dev/zero | tr '\0' a) HTTP/1.1\r\n\r\n" \
		   'POST /metrics HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nxx' '\x00\xff\r\n'; do
		raw_http "$req" 1 >/dev/null
	done
	wait "$pid"
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	n=$(serve_scrape_sum "$dir" 'outcome="established"')
	check_eq "$n" 200 "connects counted beside 200 idle connections and malformed requests"
	check_eq "$(awk '/^tcplat_events_dropped_total/ { s += $NF } END { print s + 0 }' \
		"$dir/scrape.txt")" 0 "dropped"
	serve_alive "idle connections and malformed requests"
}

# 5,000 destinations with --connect-labels daddr --max-series 1000: at most
# 1000 label sets, the rest in 'other', every connect counted, RSS bounded.
case_serve_many_dests()
{
	local dir=$WORK/serve_many n series other rss rss_limit folded kfolded

	ns_c ip route add "$SERVE_DEST_NET.0.0/16" via "$S4" || { fail "route"; return; }
	ns_s ip route add local "$SERVE_DEST_NET.0.0/16" dev lo || { fail "local route"; return; }
	serve_start "$dir" --comm tcplat_many --connect-labels daddr --max-series 1000 || return
	# One process, 5,000 connects to distinct addresses, each refused.
	ns_c timeout 60 python3 - "$SERVE_DEST_NET" $PORT_CLOSED >"$dir/made" <<'PY' ||
import ctypes, socket, sys
ctypes.CDLL(None).prctl(15, b"tcplat_many", 0, 0, 0)
net, port, made = sys.argv[1], int(sys.argv[2]), 0
for i in range(5000):
    s = socket.socket()
    try:
        s.connect(("%s.%d.%d" % (net, 1 + i // 250, 1 + i % 250), port))
    except ConnectionRefusedError:
        made += 1
    s.close()
print(made)
PY
		fail "the 5,000 connects"
	check_eq "$(cat "$dir/made")" 5000 "connects refused"
	sleep 0.3
	n=$(serve_scrape_sum "$dir" 'outcome="refused"')
	series=$(grep -c '^tcplat_connect_duration_seconds_count{' "$dir/scrape.txt")
	other=$(grep -c '^tcplat_connect_duration_seconds_count{.*daddr="other"' "$dir/scrape.txt")
	folded=$(awk '/^tcplat_series_folded_total\{metric="tcplat_connect_duration_seconds"\}/ { print $NF }' "$dir/scrape.txt")
	kfolded=$(awk '/^tcplat_connect_table_folded_total/ { print $NF }' "$dir/scrape.txt")
	rss=$(awk '/^process_resident_memory_bytes/ { print $NF }' "$dir/scrape.txt")
	check_eq "$n" 5000 "connects counted over 5,000 destinations"
	check test "$((series - other))" -le 1000 -- "series beyond --max-series: $series"
	check test "$other" -ge 1 -- "no 'other' series"
	check test "${folded:-0}" -ge 1 -- "tcplat_series_folded_total: $folded"
	# The bound is the production build's. Under the sanitizer build
	# (tests/sanitize.sh) ASan's shadow memory and its quarantine of freed
	# blocks add to every allocation: about twice as much resident memory
	# measured (130 MB), so that build gets four times the bound.
	rss_limit=$((64 << 20))
	[[ ${TCPLAT_SANITIZED:-0} == 1 ]] && rss_limit=$((256 << 20))
	check test "$(printf '%.0f' "${rss:-0}")" -lt "$rss_limit" -- "RSS $rss (limit $rss_limit)"
	check_eq "$(awk '/^tcplat_events_dropped_total/ { s += $NF } END { print s + 0 }' \
		"$dir/scrape.txt")" 0 "dropped"
	serve_record "many_dests made=5000 counted=$n series=$series other=$other user_folded_label_sets=$folded kernel_folded_connects=$kfolded rss_bytes=$rss"
	tcplat_stop
	ns_s ip route del local "$SERVE_DEST_NET.0.0/16" dev lo
	ns_c ip route del "$SERVE_DEST_NET.0.0/16" via "$S4"
}
