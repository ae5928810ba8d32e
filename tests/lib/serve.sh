# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/serve.sh - start and scrape `tcplat serve`, and run a real
# Prometheus against it, for the integration tests and bench/.
#
#   serve_start DIR ARGS...   starts `tcplat serve --listen 127.0.0.1:0 ARGS` in
#                             the background (output in DIR/err); returns once
#                             it serves; sets SERVE_URL (http://127.0.0.1:PORT),
#                             SERVE_PORT and TCPLAT_PID (so harness.sh's
#                             tcplat_stop and run_case stop it)
#   serve_get PATH [CURL-ARGS...]   GET on the server; body on stdout
#   prom_start DIR TARGET [INTERVAL]  a Prometheus on 127.0.0.1 with its own data
#                             dir in DIR, scraping TARGET (host:port) every
#                             INTERVAL (default 1s); sets PROM_URL, PROM_PID
#   prom_query EXPR           an instant query; the JSON result on stdout
#   prom_wait_scrapes N       waits (bounded) until N scrapes of the target went up
#   prom_stop                 stops it; its data dir goes with DIR
#
# Only what these functions started is stopped, by PID.

: "${REPO_ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TCPLAT:=$REPO_ROOT/tcplat}"
: "${PROMETHEUS:=prometheus}"

SERVE_URL=
SERVE_PORT=
PROM_URL=
PROM_PID=

serve_start()
{
	local dir=$1 i line

	shift
	mkdir -p "$dir"
	"$TCPLAT" serve --listen 127.0.0.1:0 "$@" ${TCPLAT_BACKEND:+--backend "$TCPLAT_BACKEND"} \
		>"$dir/out" 2>"$dir/err" &
	TCPLAT_PID=$!
	TCPLAT_RC=
	SERVE_URL=
	for ((i = 0; i < 200; i++)); do
		line=$(grep -m1 -o 'serving http://[^/]*' "$dir/err" 2>/dev/null)
		if [[ -n $line ]]; then
			SERVE_URL=http://${line#serving http://}
			SERVE_PORT=${SERVE_URL##*:}
			return 0
		fi
		if ! kill -0 "$TCPLAT_PID" 2>/dev/null; then
			wait "$TCPLAT_PID"
			TCPLAT_RC=$?
			TCPLAT_PID=
			fail "tcplat serve $* exited ($TCPLAT_RC) before serving: $(head -c 600 "$dir/err")"
			return 1
		fi
		sleep 0.05
	done
	fail "tcplat serve $* did not serve within 10 s: $(head -c 600 "$dir/err")"
	tcplat_stop
	return 1
}

serve_get()
{
	local path=$1

	shift
	curl -sS --max-time 5 "$@" "$SERVE_URL$path"
}

# A free loopback port, below the ephemeral range (ip_local_port_range), so
# that no connection of the run can take it between the check and the bind.
serve_free_port()
{
	local port lo _

	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
	((lo > 12000)) || lo=32768
	for port in $(shuf -i 10200-$((lo - 1)) -n 20); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

prom_start()
{
	local dir=$1 target=$2 interval=${3:-1s} port i

	mkdir -p "$dir/data"
	port=$(serve_free_port) || { fail "no free port for Prometheus"; return 1; }
	cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: $interval
  scrape_timeout: $interval
scrape_configs:
  - job_name: tcplat
    static_configs:
      - targets: ['$target']
EOF
	"$PROMETHEUS" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$port" --log.level=warn \
		>"$dir/prometheus.log" 2>&1 &
	PROM_PID=$!
	PROM_URL=http://127.0.0.1:$port
	for ((i = 0; i < 200; i++)); do
		curl -sf --max-time 1 "$PROM_URL/-/ready" >/dev/null 2>&1 && return 0
		if ! kill -0 "$PROM_PID" 2>/dev/null; then
			fail "prometheus exited: $(tail -c 600 "$dir/prometheus.log")"
			PROM_PID=
			return 1
		fi
		sleep 0.05
	done
	fail "prometheus not ready within 10 s: $(tail -c 600 "$dir/prometheus.log")"
	prom_stop
	return 1
}

prom_query()
{
	curl -sS --max-time 5 "$PROM_URL/api/v1/query" --data-urlencode "query=$1"
}

# Waits until the target was scraped up at least N times (at most 30 s).
prom_wait_scrapes()
{
	local want=$1 i n

	for ((i = 0; i < 300; i++)); do
		n=$(prom_query 'count_over_time(up{job="tcplat"}[5m])' |
			jq -r '.data.result[0].value[1] // 0')
		[[ ${n%.*} -ge $want ]] && return 0
		sleep 0.1
	done
	fail "prometheus scraped the target fewer than $want times in 30 s"
	return 1
}

prom_stop()
{
	local i

	[[ -n $PROM_PID ]] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$PROM_PID" 2>/dev/null
	wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}
