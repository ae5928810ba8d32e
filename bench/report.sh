# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs in single quotes
#
# bench/report.sh - the results of bench/bench.sh: every run's record
# (NDJSON) reduced to one line per row, the targets checked, the comparison
# with the previous results.json; printed as one table and written as
# results.json and RESULTS.md.
#
# Per row, over the rounds that ran: the median of each per-run figure (each
# on its own: the total is the median of the per-run totals), the connects
# made and reported summed over the rounds, the largest RSS.

# Figures per run, then per row. Input: the runs, slurped.
_REDUCE='
def median: map(select(. != null)) | sort | length as $l
	| if $l == 0 then null
	  elif $l % 2 == 1 then .[($l - 1) / 2]
	  else (.[$l / 2 - 1] + .[$l / 2]) / 2 end;
def r1: if . == null then null else . * 10 | round / 10 end;
def per($u): if $u > 0 then . / $u else null end;

map(select(.status == "ok" and .kind != "none") |= (.units as $u | .runs as $n | .samples as $s | . + {
	total_ns: ((.bpf_ns + .cpu_ns) | per($u)),
	bpf_ns_u: (.bpf_ns | per($u)), cpu_ns_u: (.cpu_ns | per($u)),
	user_ns_u: (.utime_ns | per($u)), sys_ns_u: (.stime_ns | per($u)),
	runs_u: (.runs | per($u)), ns_per_run: (.bpf_ns | per($n)),
	ns_per_sample: (if $s == null then null else (.bpf_ns + .cpu_ns) | per($s) end)}))
| . as $runs
# The first backend of a row: what a peer, or a target, compares with.
| (map(select(.status == "ok")) | group_by(.row)
   | map({key: .[0].row, value: .[0].id}) | from_entries) as $first
| (map(select(.status == "ok") | {key: "\(.id)/\(.round)", value: .total_ns})
   | from_entries) as $total
| group_by(.id) | map(. as $g | map(select(.status == "ok")) as $ok | $g[0] | {
	id, row, load, backend, kind, "label": .label, sub, ref: (if .ref then $first[.ref] else null end),
	unit: ($ok[0].unit // .unit),
	status: (if ($ok | length) > 0 then "ok" else .status end),
	note: ([$g[].note | select(. != null)] | unique | join("; ")
		| if . == "" then null else . end),
	rounds: ($ok | length),
	total_ns: ($ok | map(.total_ns) | median | r1),
	bpf_ns: ($ok | map(.bpf_ns_u) | median | r1),
	cpu_ns: ($ok | map(.cpu_ns_u) | median | r1),
	user_ns: ($ok | map(.user_ns_u) | median | r1),
	sys_ns: ($ok | map(.sys_ns_u) | median | r1),
	runs_per_unit: ($ok | map(.runs_u) | median | r1),
	ns_per_run: ($ok | map(.ns_per_run) | median | r1),
	ns_per_sample: ($ok | map(.ns_per_sample) | median | r1),
	samples: ($ok | map(.samples) | median),
	made: ($ok | map(.made) | add),
	mb: ($ok | map(.bytes) | add | if . then . / 1e6 | round else null end),
	reported: (if ($ok | length) > 0 and $ok[0].reported != null
		then $ok | map(.reported) | add else null end),
	dropped: (if ($ok | length) > 0 and $ok[0].dropped != null
		then $ok | map(.dropped) | add else null end),
	startup_ms: ($ok | map(.startup_ms) | median | r1),
	rss_mib: ($ok | map(.rss_kib) | max | if . then . / 1024 | r1 else null end),
	wall_s: ($ok | map(.wall_s) | median),
	progs: $ok[0].progs}
	| .lost = (if .reported == null then null else .made - .reported end)
	# Against the reference of the same round: both saw the same machine.
	| .ref as $rid | .vs_ref = (if $rid == null then null else
		[$ok[] | ($total["\(.id)/\(.round)"]) as $a
		 | ($total["\($rid)/\(.round)"]) as $b
		 | select($a != null and $b != null and $b > 0) | $a / $b]
		| median | if . then . * 100 | round / 100 else null end end))
'

# The run's results.json: meta + rows + per-subcommand figures + targets +
# the changes against the previous results ($prev: [] or [old]).
_RESULTS='
def median: map(select(. != null)) | sort | length as $l
	| if $l == 0 then null
	  elif $l % 2 == 1 then .[($l - 1) / 2]
	  else (.[$l / 2 - 1] + .[$l / 2]) / 2 end;
def r1: if . == null then null else . * 10 | round / 10 end;

def firstval($r; $m): [$rows[] | select(.row == $r and .status == "ok") | .[$m]][0];
def check($v; $op; $l):
	if $v == null or $l == null then null
	elif $op == "<=" then $v <= $l elif $op == "<" then $v < $l
	elif $op == ">=" then $v >= $l elif $op == ">" then $v > $l
	else $v == $l end;

($runs | map(select(.status == "ok" and .kind == "tcplat")) | group_by(.sub)
   | map({key: .[0].sub, value: {sub: .[0].sub,
	startup_ms: (map(.startup_ms) | median | r1),
	rss_mib: (map(.rss_kib) | max / 1024 | r1)}}) | from_entries) as $subs
| ($targets | map(. as $t | ($t.limit | if startswith("@") then firstval(.[1:]; $t.metric)
		else tonumber end) as $limit
	| $t.rows[] as $r
	| ([$rows[] | select(.row == $r)] | map(.id)) as $ids
	| if ($r | startswith("sub:")) then
		{target: $t.name, row: $r, metric: $t.metric, op: $t.op, limit: $limit,
		 value: $subs[$r[4:]][$t.metric]}
	  elif ($ids | length) == 0 then
		{target: $t.name, row: $r, metric: $t.metric, op: $t.op, limit: $limit,
		 value: null}
	  else $rows[] | select(.row == $r)
		| {target: $t.name, row: .id, metric: $t.metric, op: $t.op, limit: $limit,
		   value: (if .status == "ok" then .[$t.metric] else null end),
		   why: (if .status == "ok" then null else .status end)}
	  end
	| .met = check(.value; .op; .limit))) as $checked
| ($prev[0].rows // [] | map({key: .id, value: .}) | from_entries) as $old
# What an empty program on the same hook costs under the same load: the
# part of a tcplat row'"'"'s BPF time no program there can avoid.
| ($rows | map(select(.kind == "floor" and .status == "ok") | {key: .load, value: .bpf_ns})
   | from_entries) as $floor
| ($rows | map(if .kind == "tcplat" and .status == "ok" and $floor[.load] != null
	then .bpf_above_floor_ns = (.bpf_ns - $floor[.load] | r1) else . end)) as $rows
| $meta + {schema: 1, rows: $rows, subcommands: ($subs | [.[]]), targets: $checked,
	previous: (if ($prev | length) > 0 then {date: $prev[0].date,
		commit: $prev[0].tcplat.commit} else null end),
	changes: (if ($prev | length) == 0 then [] else
		[$rows[] | . as $n | ($old[.id] // null) as $o | {id,
		 status: (if $o == null then "new" elif $o.status != .status
			then "\($o.status) -> \(.status)" else null end),
		 figures: [("total_ns", "bpf_ns", "cpu_ns", "ns_per_sample", "lost",
			"startup_ms", "rss_mib", "vs_ref") as $m
			| select($o != null and $o[$m] != $n[$m])
			| {metric: $m, old: $o[$m], new: $n[$m],
			   pct: (if ($o[$m] | type) == "number" and ($n[$m] | type) == "number"
				and $o[$m] != 0 then ($n[$m] - $o[$m]) / $o[$m] * 100 | round
				else null end)}]}]
		+ [$old[] | select(.id as $i | $rows | map(.id) | index($i) | not)
		   | {id, status: "not run", figures: []}] end)}
'

# report META RUNS TARGETS OUT_DIR
report()
{
	local meta=$1 runs=$2 targets=$3 dir=$4 rows prev=()

	rows=$(jq -sc --slurpfile meta "$meta" "$_REDUCE"' | sort_by(.id as $i
		| $meta[0].order | index($i) // 1e9)' "$runs")
	[[ -f $dir/results.json ]] && prev=(--slurpfile prev "$dir/results.json")
	((${#prev[@]})) || prev=(--argjson prev '[]')
	jq -n --slurpfile meta0 "$meta" --argjson rows "$rows" --slurpfile runs0 "$runs" \
		--slurpfile targets "$targets" "${prev[@]}" \
		"\$meta0[0] as \$meta | \$runs0 as \$runs | $_RESULTS" >"$dir/results.json.new"
	mv "$dir/results.json.new" "$dir/results.json"
	report_text "$dir/results.json"
	report_markdown "$dir/results.json" >"$dir/RESULTS.md"
	echo "bench: wrote ${dir#"$ROOT"/}/results.json and ${dir#"$ROOT"/}/RESULTS.md;" \
		"the run took $(jq .seconds "$dir/results.json") s after" \
		"$(jq .lock_wait_s "$dir/results.json") s waiting for the lock" >&2
}

# The row table as TSV: one header line, then the rows. Costs in ns per unit
# (a connect, or a MB moved); - where a figure does not apply.
_TABLE='
def n: if . == null then "-" else tostring end;
def i: if . == null then "-" else round | tostring end;
(["row", "backend", "unit", "total", "bpf", "user+sys", "runs/u", "ns/run", "ns/sample",
  "made", "reported", "dropped", "lost", "start_ms", "rss_mib", "x_ref", "load_s*"] | @tsv),
(.rows[] | if .status != "ok" then
	[.label, (.backend | n), (if .status == "unsupported" then "unsupported by this binary"
		else "\(.status): \(.note)" end)]
  else
	[.label, (.backend | n), .unit, (.total_ns | i), (.bpf_ns | i), (.cpu_ns | i),
	 (.runs_per_unit | n), (.ns_per_run | n), (.ns_per_sample | n),
	 (if .unit == "MB" then "\(.mb) MB" else .made | n end), (.reported | n),
	 (.dropped | n), (.lost | n), (.startup_ms | n), (.rss_mib | n), (.vs_ref | n),
	 (.wall_s | n)]
  end | @tsv)
'

# What the header lines of both reports share.
_HEAD='
def commit: "\(.tcplat.commit[0:12])\(if .tcplat.dirty then "+dirty" else "" end)";
def backends: [.backends | group_by(.sub)[] | "\(.[0].sub): \(map(select(.offered)
	| .backend) | if length > 0 then join(", ") else "none" end)\(map(select(.offered | not)
	| "\(.backend) \(.reason)") | if length > 0 then " (\(join("; ")))" else "" end)"]
	| join("; ");
'

# The figures of a target or a change, with their units.
_UNITS='
def unit($m): {total_ns: " ns", bpf_ns: " ns", cpu_ns: " ns", ns_per_sample: " ns",
	startup_ms: " ms", rss_mib: " MiB"}[$m] // "";
def fig($v; $m): if $v == null then "-" else "\($v)\(unit($m))" end;
def changed: .changes[] | select(.status != null or (.figures | length) > 0);
def change($arrow): "\(.id): " + ([(.status // empty), (.figures[] | "\(.metric) \(
	fig(.old; .metric)) \($arrow) \(fig(.new; .metric))\(if .pct == null then "" else
	" (\(if .pct > 0 then "+" else "" end)\(if .pct == 0 then 0 else .pct end)%)" end)")]
	| join(", "));
def floor_line: [.rows[] | select(.bpf_above_floor_ns != null)
	| "\(.label) \(.bpf_above_floor_ns) ns"] | if length == 0 then empty else
	"BPF above the floor (an empty program on the same hook, same load), per unit: "
	+ join(", ") end;
'

# Aligns TSV: the first $1 columns to the left, the others to the right.
align()
{
	# A line of three fields (a row that did not run) says why in its
	# third: it does not count in that column's width.
	awk -F'\t' -v left="$1" '{ line[NR] = $0; for (i = 1; i <= NF; i++)
			if ((NF > 3 || i < 3) && length($i) > w[i]) w[i] = length($i) }
		END { for (r = 1; r <= NR; r++) { n = split(line[r], f, "\t"); s = ""
			for (i = 1; i <= n; i++)
				s = s sprintf(i <= left ? "%-*s  " : "%*s  ", n == 3 && i == 3 ? 0 : w[i],
					f[i])
			sub(/ +$/, "", s); print s } }'
}

report_text()
{
	local file=$1

	jq -r "$_HEAD"'"tcplat bench, \(.date)",
		"  kernel \(.kernel); \(.machine.cpu), \(.machine.cores) cores, \(
			.machine.memory_mib) MiB",
		"  tcplat \(commit) (\(.tcplat.binary); \(.tcplat.version))",
		"  load: \(.load.connects) loopback connects per connect row and round; \(
			.load.bulk_conns) x \(.load.bulk_mb_per_conn) MB transfers per rtt row;",
		"        \(.load.rounds) rounds, rows in rotated order; figures are medians",
		"  backends: \(backends)"' "$file"
	echo
	jq -r "$_TABLE" "$file" | align 3
	cat <<-'EOF'

	total = BPF + user+sys of the tracer, ns per unit (a connect made, or a MB moved);
	runs/u = BPF program runs per unit, ns/run = BPF ns per run; ns/sample = total per RTT
	sample (tcplat: its summary; bpftrace: one per tcp_probe hit); made/reported/lost = the
	load's connects over all rounds, those the tracer printed, the difference; dropped = the
	tracer's own count; x_ref = total / total of the row it is compared with, same round;
	load_s* = the load's wall time, for information only: it varies by +-30% between runs.
	EOF
	jq -r "$_UNITS"'floor_line' "$file" | fold -s -w 92
	echo
	echo "targets (this 2-core VM):"
	jq -r "$_UNITS"'.targets[] | [if .met == true then "met" elif .met == false then "MISSED"
			else "n/a" end, .target, (.row | sub("^sub:"; "tcplat ")),
			fig(.value; .metric), "\(.op) \(fig(.limit; .metric))",
			(if .why then "(\(.why))" else "" end)] | @tsv' "$file" | align 3 | sed 's/^/  /'
	echo
	jq -r "$_UNITS"'if .previous == null then "changed since the last run: no previous results.json"
		else "changed since \(.previous.date) (tcplat \(.previous.commit[0:12]); run-to-run noise on this VM is up to +-30%):",
		([changed] | if length == 0 then "  nothing" else .[] | "  " + change("->") end)
		end' "$file"
}

report_markdown()
{
	local file=$1

	jq -r "$_HEAD"'"# tcplat benchmark results",
		"",
		"`make bench` (bench/bench.sh), \(.date), in \(.seconds) s (\(.lock_wait_s) s more waiting for the test lock). Kernel \(.kernel); \(
		.machine.cpu), \(.machine.cores) cores, \(.machine.memory_mib) MiB. tcplat `\(commit)`\(
		if .tcplat.dirty then " (with uncommitted changes)" else "" end): \(.tcplat.version).",
		"",
		"Load: \(.load.connects) sequential loopback connects per connect row and round; \(
		.load.bulk_conns) loopback transfers of \(.load.bulk_mb_per_conn) MB per rtt row; \(
		.load.rounds) rounds, rows in rotated order; figures are medians over rounds. Peers: \(
		.peers.bpftrace), libbpf-tools \(.peers.tcpstates).",
		"",
		"Backends: \(backends).",
		""' "$file"
	jq -r "$_TABLE" "$file" | awk -F'\t' 'NR == 1 { nf = NF }
		{ printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i
		  for (; i <= nf; i++) printf " |"; print "" }
		NR == 1 { printf "|"; for (i = 1; i <= NF; i++) printf (i > 3 ? "---:|" : "---|")
		  print "" }'
	cat <<-'EOF'

	Costs in ns per unit: a connect made, or a MB moved. total = the tracer's BPF programs'
	run_time_ns + its process's user+sys CPU, from attach to catch-up; runs/u = BPF program
	runs per unit; ns/run = BPF ns per run; ns/sample = total per RTT sample (tcplat: its
	summary; bpftrace: one per tcp_probe hit). made, reported, lost: the load's connects over
	all rounds, those the tracer printed, the difference; dropped: the tracer's own count.
	x_ref: total / total of the tcplat row a peer is compared with (same round, median).
	load_s*: the load's wall time (median), for information only: it is not a cost here, as
	the same connect loop varies by +-30% between runs.

	EOF
	jq -r "$_UNITS"'floor_line + "."' "$file"
	cat <<-'EOF'

	## Targets
	EOF
	jq -r "$_UNITS"'"",
		"| target | row | measured | limit | |", "|---|---|---:|---:|---|",
		(.targets[] | "| \(.target) | \(.row | sub("^sub:"; "tcplat ")) | \(fig(.value; .metric)) | \(.op) \(
			fig(.limit; .metric)) | \(if .met == true then "met" elif .met == false
			then "**missed**" else "n/a\(if .why then " (\(.why))" else "" end)" end) |"),
		"",
		"## Changed since the last run",
		"",
		(if .previous == null then "No previous results.json." else
		 "Against \(.previous.date) (tcplat `\(.previous.commit[0:12])`); run-to-run noise on this VM is up to ±30%:", "",
		 ([changed] | if length == 0 then "Nothing." else .[] | "- " + change("→") end)
		 end),
		"",
		"Rerun: `make bench` (root; `TCPLAT=/path/to/tcplat` to measure another binary)."' \
		"$file"
}
