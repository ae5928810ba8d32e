#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/serve_cost.sh - what `tcplat serve` costs, on the host's loopback in a
# namespace of its own (run as root, under the test lock):
#   flock /tmp/tcplat-tests.lock bench/serve_cost.sh [CONNECTS]
# 1. per traced connect at full loopback rate: the BPF programs' run time
#    (kernel.bpf_stats_enabled=1, restored after) plus serve's user+sys,
#    divided by the connects, and the same connects untraced for the floor;
# 2. CPU per scrape of 1,000 connect series (--connect-labels daddr, 1,000
#    refused connects to distinct 127/8 addresses), over 200 scrapes.
# One JSON line per figure on stdout.
set -u
REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
TCPLAT=$REPO_ROOT/tcplat
TOOLS=$REPO_ROOT/.output/tests
N=${1:-50000}
NS=tcplat_sc_$$
PORT=5100
WORK=$(mktemp -d /tmp/tcplat_sc.XXXXXX)
SERVE_PID= SERVER_PID=
old_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)

cleanup()
{
	[[ -n $SERVE_PID ]] && kill -INT "$SERVE_PID" 2>/dev/null && wait "$SERVE_PID" 2>/dev/null
	[[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	sysctl -qw kernel.bpf_stats_enabled="$old_stats"
	ip netns del "$NS" 2>/dev/null
	rm -rf -- "$WORK"
}
trap cleanup EXIT

ip netns add "$NS" && ip -n "$NS" link set lo up || exit 1
ip netns exec "$NS" "$TOOLS/lat_server" -4 -a 127.0.0.1 -p $PORT -t 300 -r "$WORK/ready" \
	</dev/null >/dev/null 2>&1 &
SERVER_PID=$!
for ((i = 0; i < 100; i++)); do [[ -e $WORK/ready ]] && break; sleep 0.05; done

# cpu_ticks PID: utime + stime in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
serve_up()
{
	"$TCPLAT" serve --listen 127.0.0.1:0 --keep-privileges "$@" >"$WORK/out" 2>"$WORK/err" &
	SERVE_PID=$!
	for ((i = 0; i < 200; i++)); do
		URL=$(grep -m1 -o 'http://[^ ]*' "$WORK/err") && return 0
		sleep 0.05
	done
	echo "serve did not start: $(cat "$WORK/err")" >&2
	exit 1
}
bpf_ns() { curl -s "$URL" | awk '/^tcplat_bpf_run_seconds_total/ { s += $NF } END { printf "%.0f\n", s * 1e9 }'; }
serve_down() { kill -INT "$SERVE_PID"; wait "$SERVE_PID"; SERVE_PID=; }
hz=$(getconf CLK_TCK)

# The floor: the same connects, nothing traced.
t0=$(date +%s%N)
ip netns exec "$NS" "$TOOLS/lat_client" -4 -a 127.0.0.1 -p $PORT -n "$N" -o /dev/null || exit 1
floor_ns=$((($(date +%s%N) - t0) / N))

sysctl -qw kernel.bpf_stats_enabled=1
serve_up --comm lat_client
b0=$(bpf_ns) c0=$(cpu_ticks "$SERVE_PID") t0=$(date +%s%N)
ip netns exec "$NS" "$TOOLS/lat_client" -4 -a 127.0.0.1 -p $PORT -n "$N" -o /dev/null || exit 1
wall_ns=$((($(date +%s%N) - t0) / N))
b1=$(bpf_ns) c1=$(cpu_ticks "$SERVE_PID")
count=$(curl -s "$URL" | awk '/^tcplat_connect_duration_seconds_count\{.*established/ { s += $NF } END { print s + 0 }')
serve_down
printf '{"figure":"per_connect","connects":%d,"counted":%d,"bpf_ns":%d,"serve_cpu_ns":%d,"wall_ns":%d,"floor_wall_ns":%d}\n' \
	"$N" "$count" $(((b1 - b0) / N)) $(((c1 - c0) * 1000000000 / hz / N)) "$wall_ns" "$floor_ns"

# CPU per scrape of 1,000 series.
serve_up --comm tcplat_many --connect-labels daddr --max-series 1000
ip netns exec "$NS" python3 - <<'PY'
import ctypes, socket
ctypes.CDLL(None).prctl(15, b"tcplat_many", 0, 0, 0)
for i in range(1000):
    s = socket.socket()
    try:
        s.connect(("127.1.%d.%d" % (i // 250, 1 + i % 250), 5999))
    except OSError:
        pass
    s.close()
PY
series=$(curl -s "$URL" | grep -c '^tcplat_connect_duration_seconds_count{')
c0=$(cpu_ticks "$SERVE_PID")
for ((i = 0; i < 200; i++)); do curl -s -o /dev/null "$URL"; done
c1=$(cpu_ticks "$SERVE_PID")
g0=$(cpu_ticks "$SERVE_PID")
for ((i = 0; i < 200; i++)); do curl -s -o /dev/null --compressed "$URL"; done
g1=$(cpu_ticks "$SERVE_PID")
bytes=$(curl -s "$URL" | wc -c)
serve_down
printf '{"figure":"per_scrape","series":%d,"bytes":%d,"cpu_us_plain":%d,"cpu_us_gzip":%d}\n' \
	"$series" "$bytes" $(((c1 - c0) * 1000000 / hz / 200)) $(((g1 - g0) * 1000000 / hz / 200))
