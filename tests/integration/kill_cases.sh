# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# kill -9 cases, sourced by run.sh: each subcommand, and each mode that
# attaches or holds something of its own (rtt's tracepoint backend attaches
# a sockops program to a cgroup, --cgroup to another one; --detail has a
# ring buffer, --by flow a hash table), is killed mid-trace (traffic
# running, connects in flight), and every BPF program, link, map and cgroup
# attachment it held must then be gone: nothing is left for a clean exit
# path to remove, as SIGKILL runs none. A new subcommand or mode is one
# line: its name and arguments in KILL_MODES.
#
# The ids come from the process's own fds (/proc/PID/fdinfo) while it runs;
# afterwards bpftool must list none of them (prog show, link show, map show,
# cgroup tree) within KILL_FREE_SECONDS, for the kernel's deferred free, and
# no more programs of each of their names than before tcplat started.

source "$REPO_ROOT/tests/lib/bpfobj.sh"

KILL_FREE_SECONDS=5
# name | tcplat arguments | traffic (kill_traffic_*) | programs it must hold
# on the tracepoint backend
# (Names unlike those of other cases: the VM guest selects cases by substring.)
KILL_MODES=(
	"connect|connect --json --failed|connects|tp_inet_sock_set_state"
	"rtt_hist|rtt --json 0.2|echo|tp_inet_sock_set_state sockops_rtt"
	"rtt_ringbuf|rtt --detail --json|echo|tp_inet_sock_set_state sockops_rtt"
	"rtt_flows|rtt --by flow --json 0.2|echo|tp_inet_sock_set_state sockops_rtt"
	"rtt_cgroup|rtt --json --cgroup @CGROUP@ 0.2|echo|tp_inet_sock_set_state sockops_rtt"
)
KILL_CASES=$(for m in "${KILL_MODES[@]}"; do printf 'kill9_%s ' "${m%%|*}"; done)
KILL_QUEUE=21
KILL_TRAFFIC_PIDS=()

# Connects whose SYN-ACKs are held 300 ms: the kill comes while they are in
# the in-flight table, beside refused ones.
kill_traffic_connects()
{
	local dir=$1

	delay_start $KILL_QUEUE 300 "$dir/held" || { fail "delay daemon"; return 1; }
	ns_c "$CLIENT" -o "$dir/c_par" -4 -a "$S4" -p $PORT -n 20 -P -T 5000 &
	KILL_TRAFFIC_PIDS+=($!)
	ns_c "$CLIENT" -o "$dir/c_seq" -6 -a "$S6" -p $PORT -n 5 -T 5000 &
	KILL_TRAFFIC_PIDS+=($!)
	ns_c "$CLIENT" -o "$dir/c_ref" -4 -a "$S4" -p $PORT_CLOSED -n 50 -i 10 &
	KILL_TRAFFIC_PIDS+=($!)
}

# Request/response loops, the sockops program seeing their round trips.
kill_traffic_echo()
{
	local dir=$1

	rtt_servers || return 1
	ns_c "$CLIENT" -o "$dir/e4" -4 -a "$S4" -p $RTT_ECHO_PORT -E 100 -i 10 -T 10000 &
	KILL_TRAFFIC_PIDS+=($!)
	ns_c "$CLIENT" -o "$dir/e6" -6 -a "$S6" -p $RTT_ECHO_PORT -E 100 -i 10 -T 10000 &
	KILL_TRAFFIC_PIDS+=($!)
}

# kill9_case NAME: one entry of KILL_MODES.
kill9_case()
{
	local name=$1 dir=$WORK/kill9_$1 m args traffic want cg= root pid

	for m in "${KILL_MODES[@]}"; do
		[[ ${m%%|*} == "$name" ]] && break
	done
	IFS='|' read -r _ args traffic want <<<"$m"
	mkdir -p "$dir"
	if [[ $args == *@CGROUP@* ]]; then
		root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
		check test -n "$root" -- "no cgroup2 mount" || return
		cg=$root/tcplat_kill_$$
		mkdir "$cg" || { fail "mkdir $cg"; return; }
		args=${args//@CGROUP@/$cg}
	fi
	KILL_TRAFFIC_PIDS=()
	bpftool prog show -j | jq -r '.[].name' | sort >"$dir/names_before"
	# shellcheck disable=SC2086 # the arguments are words
	if tcplat_start "$dir" $args; then
		if "kill_traffic_$traffic" "$dir"; then
			sleep 0.5
			kill9_verify "$dir" "$want" \
				"${cg:-$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)}"
		fi
	fi
	# The traffic is bounded (-T, -n): let it end before the next case.
	for pid in ${KILL_TRAFFIC_PIDS[@]+"${KILL_TRAFFIC_PIDS[@]}"}; do
		wait "$pid"
	done
	delay_stop $KILL_QUEUE
	[[ -n $cg ]] && { rmdir "$cg" || fail "rmdir $cg"; }
}

# The programs named like those of the backend tcplat chose (backend.c's
# prefixes), from the list of ids on stdin.
kill9_backend_progs()
{
	local backend=$1 prefixes ids

	ids=$(cat)
	case $backend in
	fentry) prefixes='^(fentry|fexit)_' ;;
	kprobe) prefixes='^(kprobe|kretprobe)_' ;;
	*) prefixes='^(tp|sockops)_' ;;
	esac
	bpftool prog show -j | jq -r --arg re "$prefixes" '.[] | select(.name | test($re)) | .id' |
		grep -Fx -f <(echo "$ids")
}

# kill9_verify DIR WANTED_PROGRAMS CGROUP: what the running tcplat holds,
# then kill -9 and everything of it gone. WANTED_PROGRAMS are checked by name
# on the tracepoint backend (this host's); on the others, that tcplat holds
# programs of that backend. Every sock_ops program must be attached to CGROUP.
kill9_verify()
{
	local dir=$1 want=$2 cg=$3 p id progs links maps sockops= left rc backend
	local held_names= names_now before now

	backend=$(sed -n 's/^tcplat: backend \([a-z]*\): chosen.*/\1/p' "$dir/err")
	progs=$(bpf_owned_ids "$TCPLAT_PID" prog)
	links=$(bpf_owned_ids "$TCPLAT_PID" link)
	maps=$(bpf_owned_ids "$TCPLAT_PID" map)
	if [[ $backend == tracepoint ]]; then
		for p in $want; do
			id=$(bpftool prog show -j | jq -r --arg n "$p" '.[] | select(.name == $n) | .id' |
				grep -Fx -f <(echo "$progs"))
			check test -n "$id" -- "tcplat holds no program $p"
		done
	fi
	check test -n "$(kill9_backend_progs "$backend" <<<"$progs")" -- \
		"tcplat holds no program of its backend $backend"
	# Legacy kprobes (before 5.15) attach through perf events, not links.
	[[ $backend == kprobe ]] || check test -n "$links" -- "tcplat holds no link"
	check test -n "$maps" -- "tcplat holds no map"
	for id in $progs; do
		[[ $(bpftool prog show id "$id" -j | jq -r .type) == sock_ops ]] || continue
		sockops+=" $id"
		check bpf_cgroup_attached "$cg" "$id" -- "sock_ops program $id is not attached to $cg"
	done
	# By name too: after the kill, no more programs of each of these names
	# than there were before tcplat started.
	for id in $progs; do
		held_names+=" $(bpftool prog show id "$id" -j | jq -r .name)"
	done
	echo "    $backend backend: holds programs $(echo $progs), links $(echo $links)," \
		"$(wc -w <<<"$maps") maps${sockops:+, sock_ops$sockops attached to $cg}" >&2

	kill -KILL "$TCPLAT_PID"
	# (no "Killed" notice from bash: that is the point)
	{ wait "$TCPLAT_PID"; } 2>/dev/null
	rc=$?
	TCPLAT_PID=
	check_eq "$rc" 137 "exit status after kill -9"
	# shellcheck disable=SC2086
	{
		left=$(bpf_wait_gone $KILL_FREE_SECONDS link $links) ||
			fail "links left after kill -9: $left"
		left=$(bpf_wait_gone $KILL_FREE_SECONDS cgroup $progs) ||
			fail "cgroup attachments left after kill -9: programs $left"
		left=$(bpf_wait_gone $KILL_FREE_SECONDS prog $progs) ||
			fail "programs left after kill -9: $left"
		left=$(bpf_wait_gone $KILL_FREE_SECONDS map $maps) ||
			fail "maps left after kill -9: $left"
	}
	names_now=$(bpftool prog show -j | jq -r '.[].name' | sort)
	for p in $held_names; do
		before=$(grep -cx -- "$p" "$dir/names_before")
		now=$(grep -cx -- "$p" <<<"$names_now")
		check test "$now" -le "$before" -- \
			"programs named $p: $now after the kill, $before before the start"
	done
	sanitizer_check "$dir/err"
}

for _m in "${KILL_MODES[@]}"; do
	eval "case_kill9_${_m%%|*}() { kill9_case ${_m%%|*}; }"
done
unset _m
