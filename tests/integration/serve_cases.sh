# SPDX-License-Identifier: GPL-2.0
#
# Integration cases of `tcplat serve`, sourced by run.sh: the real binary over
# real HTTP on loopback. What it serves (exposition formats, promtool, a real
# Prometheus), how it answers (paths, methods, gzip, malformed requests,
# hundreds of idle connections, timeouts), how it starts and stops (a failed
# bind, signals, usage errors) and what it runs as (user, capabilities,
# no_new_privs).

source "$REPO_ROOT/tests/lib/serve.sh"
source "$REPO_ROOT/tests/integration/serve_trace_cases.sh"

SERVE_CASES="serve_http serve_openmetrics serve_gzip serve_promtool serve_malformed serve_idle
	     serve_timeout serve_concurrent serve_bind_fail serve_privileges serve_signals
	     serve_errors serve_prometheus $SERVE_TRACE_CASES"

# A Prometheus a case started must not outlive the run, also on Ctrl-C.
trap 'prom_stop; cleanup' EXIT

# raw_http DATA [SECONDS]: DATA (printf %b) on a new connection; what came
# back within SECONDS (default 3) on stdout.
raw_http()
{
	local fd

	exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || return 1
	printf '%b' "$1" >&"$fd" 2>/dev/null
	timeout "${2:-3}" cat <&"$fd"
	exec {fd}>&-
}

# The status code of a request; curl's own -w.
http_status()
{
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"
}

# serve_alive: the process runs and /metrics answers 200.
serve_alive()
{
	check kill -0 "$TCPLAT_PID" -- "tcplat serve died" &&
	check_eq "$(http_status "$SERVE_URL/metrics")" 200 "/metrics after ${1:-that}"
}

# The names of the # TYPE lines that occur more than once.
repeated_families()
{
	grep '^# TYPE ' "$1" | awk '{ print $3 }' | sort | uniq -d
}

case_serve_http()
{
	local dir=$WORK/serve_http hdr

	serve_start "$dir" || return
	serve_get / -D "$dir/root.hdr" >"$dir/root.html"
	check grep -qi '^content-type: text/html' "$dir/root.hdr" -- "/ is not HTML: $(cat "$dir/root.hdr")"
	check grep -q '<a href="/metrics">' "$dir/root.html" -- "/ does not link to /metrics"
	serve_get /metrics -D "$dir/m.hdr" >"$dir/m.txt"
	check grep -q '^HTTP/1.1 200' "$dir/m.hdr" -- "/metrics status: $(head -n1 "$dir/m.hdr")"
	check grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$dir/m.hdr" -- \
		"/metrics content type: $(grep -i content-type "$dir/m.hdr")"
	check grep -q '^tcplat_build_info{version="[^"]*",backend="[^"]*",kernel="'"$(uname -r)"'"} 1$' \
		"$dir/m.txt" -- "no tcplat_build_info with this kernel"
	for m in process_cpu_seconds_total process_resident_memory_bytes process_open_fds \
		 process_max_fds process_start_time_seconds process_virtual_memory_bytes; do
		check grep -q "^$m [0-9]" "$dir/m.txt" -- "no $m"
	done
	check_eq "$(repeated_families "$dir/m.txt")" "" "families with more than one TYPE line"
	check grep -q '^# TYPE tcplat_events_dropped_total counter' "$dir/m.txt" -- "no drop counter family"
	check grep -q '^# TYPE tcplat_series_folded_total counter' "$dir/m.txt" -- "no folded family"
	# The start time is this process's, within a few seconds of now.
	check awk -v now="$(date +%s)" '$1 == "process_start_time_seconds" {
		ok = $2 > now - 30 && $2 <= now + 1 } END { exit !ok }' "$dir/m.txt" -- \
		"process_start_time_seconds far from now"

	# HEAD: the headers of GET, no body.
	hdr=$(curl -sS -I --max-time 5 "$SERVE_URL/metrics")
	check grep -q '^HTTP/1.1 200' <<<"$hdr" -- "HEAD status: $hdr"
	check grep -qi '^content-type: text/plain; version=0.0.4' <<<"$hdr" -- "HEAD content type"
	check_eq "$(curl -s -X HEAD --max-time 5 "$SERVE_URL/metrics" 2>/dev/null | wc -c)" 0 \
		"HEAD body bytes"
	check_eq "$(http_status "$SERVE_URL/nope")" 404 "unknown path"
	check_eq "$(http_status "$SERVE_URL/metrics/x")" 404 "a path below /metrics"
	check_eq "$(http_status -X POST -d x "$SERVE_URL/metrics")" 405 "POST"
	check_eq "$(http_status -X DELETE "$SERVE_URL/")" 405 "DELETE"
	hdr=$(curl -sS -i -X PUT -d x --max-time 5 "$SERVE_URL/metrics")
	check grep -qi '^allow: GET, HEAD' <<<"$hdr" -- "405 without Allow: $hdr"
	# A scrape resets nothing: the counters of two scrapes never go down.
	serve_get /metrics >"$dir/m2.txt"
	check awk 'NR == FNR { if ($1 == "process_cpu_seconds_total") a = $2; next }
		$1 == "process_cpu_seconds_total" { exit !($2 >= a) }' "$dir/m.txt" "$dir/m2.txt" -- \
		"process_cpu_seconds_total went down between scrapes"
	tcplat_stop
	check_eq "$TCPLAT_RC" 0 "exit status after SIGINT"

	# --web.telemetry-path moves the metrics; / links there.
	serve_start "$dir/path" --web.telemetry-path /custom/m || return
	check_eq "$(http_status "$SERVE_URL/custom/m")" 200 "the telemetry path"
	check_eq "$(http_status "$SERVE_URL/metrics")" 404 "/metrics when the path is elsewhere"
	check grep -q '<a href="/custom/m">' <(serve_get /) -- "/ does not link to the telemetry path"
}

case_serve_openmetrics()
{
	local dir=$WORK/serve_om hdr

	serve_start "$dir" || return
	# What Prometheus sends.
	serve_get /metrics -D "$dir/h" -H 'Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' \
		>"$dir/om.txt"
	check grep -qi '^content-type: application/openmetrics-text; version=1.0.0; charset=utf-8' \
		"$dir/h" -- "OpenMetrics content type: $(grep -i content-type "$dir/h")"
	check_eq "$(tail -n 1 "$dir/om.txt")" "# EOF" "OpenMetrics ends with # EOF"
	check_eq "$(grep -c '^# EOF' "$dir/om.txt")" 1 "one # EOF"
	check grep -q '^# TYPE process_cpu_seconds counter$' "$dir/om.txt" -- \
		"a counter's family is named without _total"
	check grep -q '^process_cpu_seconds_total [0-9]' "$dir/om.txt" -- "a counter's sample has _total"
	check grep -q '^# UNIT process_cpu_seconds seconds$' "$dir/om.txt" -- "no UNIT line"
	check grep -q '^# TYPE tcplat_build info$' "$dir/om.txt" -- "tcplat_build is an info"
	check grep -q '^tcplat_build_info{' "$dir/om.txt" -- "no tcplat_build_info sample"
	check_eq "$(repeated_families "$dir/om.txt")" "" "repeated families"
	# A scraper that prefers text gets text.
	hdr=$(curl -sS -o /dev/null -D - --max-time 5 -H 'Accept: text/plain;version=0.0.4,application/openmetrics-text;q=0.3' "$SERVE_URL/metrics")
	check grep -qi '^content-type: text/plain; version=0.0.4' <<<"$hdr" -- "text preferred: $hdr"
}

case_serve_gzip()
{
	local dir=$WORK/serve_gzip

	serve_start "$dir" || return
	serve_get /metrics -D "$dir/h" -H 'Accept-Encoding: gzip' >"$dir/m.gz"
	check grep -qi '^content-encoding: gzip' "$dir/h" -- "no gzip: $(cat "$dir/h")"
	check grep -qi '^vary: accept-encoding' "$dir/h" -- "no Vary"
	gzip -dc "$dir/m.gz" >"$dir/m.txt" || fail "the body is not gzip"
	check grep -q '^tcplat_build_info{' "$dir/m.txt" -- "gunzipped body lacks tcplat_build_info"
	check promtool check metrics <"$dir/m.txt" -- "promtool on the gunzipped body"
	serve_get /metrics -D "$dir/h2" -H 'Accept-Encoding: gzip;q=0, identity' >"$dir/plain"
	check_eq "$(grep -ci '^content-encoding' "$dir/h2")" 0 "gzip;q=0 refused gzip"
	check grep -q '^tcplat_build_info{' "$dir/plain" -- "identity body"
}

case_serve_promtool()
{
	local dir=$WORK/serve_promtool out

	serve_start "$dir" || return
	serve_get /metrics >"$dir/m.txt"
	out=$(promtool check metrics <"$dir/m.txt" 2>&1)
	check_eq "$?" 0 "promtool check metrics exit status"
	check_eq "$out" "" "promtool's complaints"
}

# Garbage, a 64 KiB header, a truncated request and a huge Content-Length: each
# gets an error or nothing, and the server goes on answering.
case_serve_malformed()
{
	local dir=$WORK/serve_malformed resp big

	serve_start "$dir" || return
	resp=$(raw_http 'GARBAGE\x01\x02 not http at all\r\n\r\n')
	check grep -q '^HTTP/1.[01] 400' <<<"$resp" -- "garbage: $(head -n1 <<<"$resp")"
	serve_alive "garbage"
	big=$(head -c 65536 /dev/zero | tr '\0' a)
	resp=$(raw_http "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: $big\r\n\r\n")
	check grep -qE '^HTTP/1.[01] 4(31|13|00)' <<<"$resp" -- "64 KiB header: $(head -n1 <<<"$resp")"
	serve_alive "a 64 KiB header"
	resp=$(raw_http 'GET /metr' 1)
	check_eq "$resp" "" "a truncated request is not answered"
	serve_alive "a truncated request"
	# The body is never waited for: answered at once, then closed.
	resp=$(raw_http 'GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n' 3)
	check grep -q '^HTTP/1.1 200' <<<"$resp" -- "huge Content-Length on GET: $(head -n1 <<<"$resp")"
	resp=$(raw_http 'POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\nab' 3)
	check grep -q '^HTTP/1.1 405' <<<"$resp" -- "huge Content-Length on POST: $(head -n1 <<<"$resp")"
	resp=$(raw_http 'GET /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n' 3)
	check grep -q '^HTTP/1.1' <<<"$resp" -- "chunked body: no answer"
	serve_alive "huge bodies"
}

# 200 idle connections held open: /metrics still answers, promptly.
case_serve_idle()
{
	local dir=$WORK/serve_idle fds=() fd i start ms open

	serve_start "$dir" || return
	for ((i = 0; i < 200; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || { fail "connection $i"; break; }
		fds+=("$fd")
	done
	check_eq "${#fds[@]}" 200 "idle connections opened"
	sleep 0.5
	start=$(date +%s%N)
	serve_get /metrics >"$dir/m.txt"
	ms=$((($(date +%s%N) - start) / 1000000))
	check grep -q '^tcplat_build_info{' "$dir/m.txt" -- "/metrics with 200 idle connections"
	check test "$ms" -lt 2000 -- "/metrics took ${ms} ms with 200 idle connections"
	open=$(awk '$1 == "process_open_fds" { print $2 }' "$dir/m.txt")
	check test "${open:-0}" -ge 200 -- "process_open_fds $open: the idle connections are not held"
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	tcplat_stop

	# --max-connections bounds them: past it a connection is closed at
	# once, and the server recovers when the others go.
	serve_start "$dir/limit" --max-connections 8 || return
	fds=()
	for ((i = 0; i < 8; i++)); do
		exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || break
		fds+=("$fd")
	done
	sleep 0.3
	check_eq "$(http_status "$SERVE_URL/metrics")" 000 "a 9th connection past --max-connections 8"
	for fd in "${fds[@]}"; do
		exec {fd}>&-
	done
	sleep 0.3
	serve_alive "the 8 connections closed"
}

# An idle connection is closed after the server's timeout (10 s).
case_serve_timeout()
{
	local dir=$WORK/serve_timeout fd start s

	serve_start "$dir" || return
	exec {fd}<>"/dev/tcp/127.0.0.1/$SERVE_PORT" || { fail "connect"; return; }
	start=$(date +%s)
	timeout 20 cat <&"$fd" >/dev/null
	s=$(($(date +%s) - start))
	exec {fd}>&-
	check test "$s" -ge 9 -a "$s" -le 15 -- "idle connection closed after ${s} s, not about 10"
	serve_alive "the timeout"
}

# 50 scrapers at once for 3 s (scrape_load, keep-alive, half of them gzip):
# every scrape answered in full. Phase 2 runs this while connects run.
case_serve_concurrent()
{
	local dir=$WORK/serve_concurrent pid

	serve_start "$dir" || return
	"$TOOLS_DIR/scrape_load" -a 127.0.0.1 -p "$SERVE_PORT" -c 25 -d 3 -o "$dir/plain" &
	pid=$!
	"$TOOLS_DIR/scrape_load" -a 127.0.0.1 -p "$SERVE_PORT" -c 25 -d 3 -z -o "$dir/gzip"
	check_eq "$?" 0 "gzip scrapers: failures in $(cat "$dir/gzip")"
	wait "$pid"
	check_eq "$?" 0 "plain scrapers: failures in $(cat "$dir/plain")"
	for f in plain gzip; do
		check test "$(jq .ok "$dir/$f")" -ge 100 -- "$f scrapes: $(cat "$dir/$f")"
		check test "$(jq .p99_us "$dir/$f")" -lt 500000 -- "$f p99: $(cat "$dir/$f")"
	done
	serve_alive "50 concurrent scrapers"
}

case_serve_bind_fail()
{
	local dir=$WORK/serve_bind out rc

	serve_start "$dir" || return
	out=$("$TCPLAT" serve --listen "127.0.0.1:$SERVE_PORT" 2>&1 >/dev/null)
	rc=$?
	check_eq "$rc" 1 "exit status of a bind to a port in use"
	check_eq "$(wc -l <<<"$out")" 1 "lines for a failed bind"
	check_eq "$out" "tcplat: cannot listen on 127.0.0.1:$SERVE_PORT: Address already in use" \
		"the failed bind's message"
	# An address of no interface here (TEST-NET-1): nothing is sent.
	out=$("$TCPLAT" serve --listen 192.0.2.1:9 2>&1 >/dev/null)
	check_eq "$?" 1 "exit status of a bind to a foreign address"
	check_eq "$out" "tcplat: cannot listen on 192.0.2.1:9: Cannot assign requested address" \
		"the foreign address's message"
	serve_alive "another instance's failed bind"
}

# /proc/PID/status field $2 of process $1.
status_field()
{
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

case_serve_privileges()
{
	local dir=$WORK/serve_privs eff prm bpf=$((1 << 39))

	serve_start "$dir" -v || return
	check_eq "$(status_field "$TCPLAT_PID" Uid)" "65534	65534	65534	65534" "Uid after start"
	check_eq "$(status_field "$TCPLAT_PID" Gid)" "65534	65534	65534	65534" "Gid after start"
	check_eq "$(status_field "$TCPLAT_PID" Groups)" "" "supplementary groups"
	check_eq "$(status_field "$TCPLAT_PID" NoNewPrivs)" 1 "NoNewPrivs"
	eff=$((16#$(status_field "$TCPLAT_PID" CapEff)))
	prm=$((16#$(status_field "$TCPLAT_PID" CapPrm)))
	# At most CAP_BPF, and only where the kernel wants it to read held map fds.
	check_eq "$((eff & ~bpf))" 0 "CapEff beyond CAP_BPF: $(status_field "$TCPLAT_PID" CapEff)"
	check_eq "$((prm & ~bpf))" 0 "CapPrm beyond CAP_BPF: $(status_field "$TCPLAT_PID" CapPrm)"
	check_eq "$(status_field "$TCPLAT_PID" CapAmb)" 0000000000000000 "CapAmb"
	check grep -q 'running as user nobody (uid 65534), no_new_privs' "$dir/err" -- \
		"-v does not say what it runs as: $(cat "$dir/err")"
	# Every thread (the HTTP one too) has given everything up.
	for t in /proc/"$TCPLAT_PID"/task/*; do
		check_eq "$((16#$(awk '$1 == "CapEff:" { print $2 }' "$t/status") & ~bpf))" 0 \
			"CapEff of thread ${t##*/}"
	done
	# An unprivileged user scrapes it.
	check grep -q '^tcplat_build_info{' <(setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all curl -sS --max-time 5 "$SERVE_URL/metrics") -- "scrape as nobody"
	# What it needs after the drop still works: process metrics, /proc/self/fd.
	check grep -q '^process_open_fds [1-9]' <(serve_get /metrics) -- "process_open_fds after the drop"
	tcplat_stop
	check_eq "$TCPLAT_RC" 0 "exit status after the drop"

	serve_start "$dir/keep" --keep-privileges || return
	check_eq "$(status_field "$TCPLAT_PID" Uid)" "0	0	0	0" "Uid with --keep-privileges"
	check_eq "$(status_field "$TCPLAT_PID" NoNewPrivs)" 0 "NoNewPrivs with --keep-privileges"
	tcplat_stop
	serve_start "$dir/daemon" --user daemon || return
	check_eq "$(status_field "$TCPLAT_PID" Uid | cut -f1)" "$(id -u daemon)" "--user daemon"
}

case_serve_signals()
{
	local dir=$WORK/serve_signals start

	serve_start "$dir/int" || return
	tcplat_stop
	check_eq "$TCPLAT_RC" 0 "exit status after SIGINT"
	serve_start "$dir/term" || return
	kill -TERM "$TCPLAT_PID"
	wait "$TCPLAT_PID"
	check_eq "$?" 0 "exit status after SIGTERM"
	TCPLAT_PID=
	start=$(date +%s%N)
	timeout 10 "$TCPLAT" serve --listen 127.0.0.1:0 -d 1 >/dev/null 2>"$dir/dur.err"
	check_eq "$?" 0 "exit status with -d 1"
	check test $((($(date +%s%N) - start) / 1000000)) -lt 5000 -- "-d 1 took too long"
}

case_serve_errors()
{
	local out rc arg

	for arg in "--listen x" "--listen 127.0.0.1:99999" "--max-series 0" "--json" \
		   "--connect-labels pid" "--rtt-labels daddr" "--web.telemetry-path x" \
		   "--user no_such_user_tcplat" "--user root" "extra" "-4 --raddr fd00::1"; do
		# shellcheck disable=SC2086
		out=$("$TCPLAT" serve $arg 2>&1 >/dev/null)
		rc=$?
		check_eq "$rc" 2 "exit status for '$arg'"
		check test -n "$out" -- "no message for '$arg'"
	done
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$TCPLAT" serve --listen 127.0.0.1:0 2>&1 >/dev/null)
	check_eq "$?" 1 "exit status without privileges"
	check_eq "$(wc -l <<<"$out")" 1 "one line without privileges"
	# Read whole, then searched (a grep -q pipe can SIGPIPE tcplat: see run.sh).
	grep -q -- '--web.listen-address' <<<"$("$TCPLAT" serve --help)" ||
		fail "--help lacks --web.listen-address"
	grep -q '^  serve ' <<<"$("$TCPLAT" --help)" || fail "tcplat --help lacks serve"
}

# A real Prometheus scrapes it every second (it negotiates OpenMetrics).
case_serve_prometheus()
{
	local dir=$WORK/serve_prom v

	serve_start "$dir" || return
	prom_start "$dir/prom" "127.0.0.1:$SERVE_PORT" 1s || return
	if prom_wait_scrapes 3; then
		check_eq "$(prom_query 'up{job="tcplat"}' | jq -r '.data.result[0].value[1]')" 1 "up"
		v=$(prom_query 'tcplat_build_info' | jq -r '.data.result[0].metric.kernel')
		check_eq "$v" "$(uname -r)" "tcplat_build_info's kernel label in Prometheus"
		v=$(prom_query 'scrape_samples_scraped{job="tcplat"}' | jq -r '.data.result[0].value[1]')
		check test "${v:-0}" -ge 7 -- "samples per scrape: $v"
		v=$(prom_query 'rate(process_cpu_seconds_total[10s]) >= 0' | jq -r '.data.result | length')
		check_eq "$v" 1 "process_cpu_seconds_total as a counter in Prometheus"
	fi
	prom_stop
}
