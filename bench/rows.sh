# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # the tables are read by bench.sh
#
# bench/rows.sh - what `make bench` measures: one `row` line per row, one
# `target` line per target. A new subcommand adds its rows here; a new kind of
# workload adds a load_NAME function to bench/lib.sh (it sets LOAD_UNITS, the
# count its costs are divided by); a new kind of tracer adds a case to
# tracer_ready and to bench.sh's tracer_cmd.
#
# row ID LOAD KIND OUT COUNT REF LABEL [ARGS...]
#   ID     stable name, the key of results.json across runs; rows of kind
#          tcplat get the backend appended (connect.text@tracepoint)
#   LOAD   the workload, a load_* function of lib.sh: connect (CONNECTS
#          sequential loopback connects), bulk (BULK_CONNS loopback transfers
#          of BULK_MB MB); costs are per connect, or per MB moved
#   KIND   none (no tracer: the workload's wall time alone), tcplat (ARGS:
#          after the binary; run once per backend this kernel offers, with
#          --backend B -v), bpftrace (ARGS: the script), tcpstates
#          (libbpf-tools), floor (ARGS: a BPF object for bpf_attach)
#   OUT    file | null: where the tracer's stdout goes
#   COUNT  how to count the workload's connects in the output (lib.sh
#          count_reported): text, ndjson, hist, bt, tcpstates; - for none
#   REF    the row whose cost a peer's is divided by (same round), or -
#   LABEL  what the table shows

ROW_IDS=()
declare -A ROW_LOAD=() ROW_KIND=() ROW_OUT=() ROW_COUNT=() ROW_REF=() ROW_LABEL=() ROW_ARGS=()

row()
{
	local id=$1

	ROW_IDS+=("$id")
	ROW_LOAD[$id]=$2 ROW_KIND[$id]=$3 ROW_OUT[$id]=$4 ROW_COUNT[$id]=$5 ROW_REF[$id]=$6
	ROW_LABEL[$id]=$7
	shift 7
	ROW_ARGS[$id]="$*"
}

# ---------------------------------------------------------------- connect
row connect.none       connect none      null -         -            "connect: no tracer"
row connect.text       connect tcplat    file text      -            "connect > file" \
	connect
row connect.json       connect tcplat    file ndjson    -            "connect --json > file" \
	connect --json
row connect.hist       connect tcplat    file hist      -            "connect --hist" \
	connect --hist
row connect.hist_dport connect tcplat    file hist      -            "connect --hist --by dport" \
	connect --hist --by dport
row connect.serve      connect tcplat    null -         -            "serve (connect + rtt collectors)" \
	serve --listen 127.0.0.1:0 --comm lat_client
row connect.bpftrace   connect bpftrace  file bt        connect.text "bpftrace tcpconnlat.bt" \
	bench/tcpconnlat.bt
row connect.tcpstates  connect tcpstates file tcpstates connect.text "libbpf-tools tcpstates"
row connect.floor      connect floor     null -         connect.text "empty tp_btf program" \
	.output/bench/floor.bpf.o

# ---------------------------------------------------------------- rtt
row rtt.none           bulk    none      null -         -            "rtt: no tracer"
row rtt.hist           bulk    tcplat    file -         -            "rtt (histogram)" \
	rtt
row rtt.by_flow        bulk    tcplat    file -         -            "rtt --by flow" \
	rtt --by flow
row rtt.detail         bulk    tcplat    null -         -            "rtt --detail > /dev/null" \
	rtt --detail
row rtt.bpftrace       bulk    bpftrace  file -         rtt.hist     "bpftrace tcp_probe srtt hist" \
	bench/tcprtt.bt

# ---------------------------------------------------------------- targets
# target NAME ROWS METRIC OP LIMIT
#   ROWS    row ids (every backend of each), or sub:NAME for what a
#           subcommand's rows share: start-up (their median) and RSS (their
#           largest peak)
#   METRIC  a per-row figure of results.json: total_ns, bpf_ns (per unit),
#           lost, startup_ms, rss_mib
#   LIMIT   a number, or @ROW: that row's same metric (its first backend)
# They hold for this 2-core VM; they live here, never in timed tests.

TARGETS=()

target()
{
	TARGETS+=("$(jq -nc --arg name "$1" --arg rows "$2" --arg metric "$3" --arg op "$4" \
		--arg limit "$5" '{name: $name, rows: ($rows | split(" ")), metric: $metric,
		op: $op, limit: $limit}')")
}

target "connect event mode: total per connect" "connect.text connect.json" total_ns "<=" 2000
target "connect --hist: total per connect" "connect.hist connect.hist_dport" total_ns "<=" 1000
target "connect: BPF time per connect" \
	"connect.text connect.json connect.hist connect.hist_dport" bpf_ns "<=" 1000
target "events at full rate: none lost" \
	"connect.text connect.json connect.hist connect.hist_dport" lost "==" 0
target "rtt: cost per MB below bpftrace's" "rtt.hist rtt.by_flow rtt.detail" total_ns "<" \
	@rtt.bpftrace
target "start-up (exec to attached)" "sub:connect sub:rtt" startup_ms "<=" 100
target "peak RSS (VmHWM)" "sub:connect sub:rtt" rss_mib "<=" 16
