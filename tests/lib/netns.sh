# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/netns.sh - test network for the tcplat integration tests.
#
# Source it from bash (works under set -u and set -e), then:
#
#   trap netns_cleanup EXIT
#   trap 'exit 130' INT; trap 'exit 143' TERM   # so that signals run it too
#   netns_setup                          # NS_C, NS_S, C4, S4, C6, S6, S4B, S6B
#   server_start 5000 -4 -a "$S4"        # lat_server in NS_S; pid in SERVER_PID
#   delay_start 1 20 "$dir/delay.ndjson" # hold SYN-ACKs of NS_S for 20 ms
#   ns_c "$TOOLS_DIR/lat_client" -4 -a "$S4" -p 5000 -n 5
#   delay_stop 1
#   server_stop_all
#
# NS_S has two addresses per family: S4/S6 and S4B/S6B (for tests that need two
# servers with different delays: delay each source address on its own queue).
# Every packet from S4 to the client, held 10 ms on arrival in NS_C:
#   DELAY_NS=client DELAY_CHAIN=INPUT delay_start 2 10 "$dir/d.ndjson" -p tcp -s "$S4"
#
# Filter rules with a packet counter (e.g. drop a client's first SYN, and count
# the SYNs that arrived):
#   rule_add r1 server INPUT -p tcp --dport 5010 --syn -m statistic --mode nth \
#       --every 2 --packet 1 -j ACCEPT
#   rule_packets r1                      # packets the rule matched so far
#   rule_del_all                         # also done by netns_cleanup
#
# Only what these functions created is removed again: processes by their
# recorded PID, iptables rules by their exact spec, the two namespaces and the
# scratch directory. netns_cleanup may be called any number of times, also
# after a setup that failed halfway.

_NETNS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${REPO_ROOT:=$(cd "$_NETNS_LIB_DIR/../.." && pwd)}"
: "${TOOLS_DIR:=$REPO_ROOT/.output/tests}"
# Lifetime (seconds) handed to the tools, so a crashed test never leaves one running.
: "${NETNS_TOOL_MAX_SECONDS:=300}"
export REPO_ROOT TOOLS_DIR

# State; sourcing the file again keeps what an earlier source recorded.
if [[ -z ${_NETNS_LIB_LOADED-} ]]; then
	_NETNS_LIB_LOADED=1
	NS_C=
	NS_S=
	_NETNS_TMP=
	SERVER_PID=		# pid of the last server_start, for the callers
	_NETNS_CREATED=()	# namespaces created here
	_NETNS_SERVER_PIDS=()	# lat_server processes
	declare -gA _NETNS_DELAY_PID=()		# queue -> nfq_delay pid
	declare -gA _NETNS_DELAY_RULES=()	# queue -> rule specs, one a line (printf %q)
	declare -gA _NETNS_DELAY_NS=()		# queue -> namespace of its daemon and rules
	declare -gA _NETNS_RULES=()		# rule_add name -> rule specs, as _NETNS_DELAY_RULES
	declare -gA _NETNS_RULE_NS=()		# rule_add name -> its namespace
fi

_netns_log()
{
	echo "netns: $*" >&2
}

# Runs a command in the client / server namespace.
ns_c()
{
	ip netns exec "$NS_C" "$@"
}

ns_s()
{
	ip netns exec "$NS_S" "$@"
}

_netns_tmpdir()
{
	if [[ -z $_NETNS_TMP || ! -d $_NETNS_TMP ]]; then
		_NETNS_TMP=$(mktemp -d /tmp/tcplat_netns.XXXXXX) || return 1
	fi
}

# Waits (at most $2 tenths of a second) until the file $1 exists.
_netns_wait_file()
{
	local file=$1 tries=$2 pid=${3-} i

	for ((i = 0; i < tries; i++)); do
		[[ -e $file ]] && return 0
		if [[ -n $pid ]] && ! _netns_alive "$pid"; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# True while process $1 runs (a zombie does not count).
_netns_alive()
{
	local stat

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# Sends TERM to $1, waits up to 5 s, then KILL. Reaps it if it is our child.
_netns_kill_pid()
{
	local pid=$1 i

	if ! _netns_alive "$pid"; then
		wait "$pid" 2>/dev/null
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		_netns_alive "$pid" || break
		sleep 0.05
	done
	if _netns_alive "$pid"; then
		_netns_log "pid $pid did not stop on TERM, killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# Waits until $NS_C reaches $1 (a refused connect proves the round trip).
_netns_wait_reach()
{
	local addr=$1 i out

	for ((i = 0; i < 50; i++)); do
		out=$(ns_c "$TOOLS_DIR/lat_client" -a "$addr" -p 9 -T 200 2>/dev/null) || true
		[[ $out == *'"result":"ECONNREFUSED"'* || $out == *'"result":"ok"'* ]] && return 0
		sleep 0.1
	done
	_netns_log "$addr not reachable from $NS_C"
	return 1
}

netns_setup()
{
	local tool ns

	for tool in lat_client lat_server nfq_delay; do
		if [[ ! -x $TOOLS_DIR/$tool ]]; then
			_netns_log "$TOOLS_DIR/$tool missing (build the test tools first)"
			return 1
		fi
	done
	_netns_tmpdir || return 1
	NS_C=tcplat_c_$$
	NS_S=tcplat_s_$$
	export NS_C NS_S C4=198.18.0.1 S4=198.18.0.2 C6=fd00:7c::1 S6=fd00:7c::2 \
		S4B=198.18.0.3 S6B=fd00:7c::3
	ip netns add "$NS_C" || return 1
	_NETNS_CREATED+=("$NS_C")
	ip netns add "$NS_S" || return 1
	_NETNS_CREATED+=("$NS_S")
	# no duplicate address detection at all (also for the link-local addresses)
	for ns in "$NS_C" "$NS_S"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	# distinct ifindexes: equal ones (both 2) make the veth carrier event non-urgent
	# for linkwatch, which then holds IPv6 back for about a second
	ip -n "$NS_C" link add veth_c index 11 type veth peer name veth_s index 12 netns "$NS_S" ||
		return 1
	ip -n "$NS_C" addr add "$C4/24" dev veth_c &&
	ip -n "$NS_S" addr add "$S4/24" dev veth_s &&
	ip -n "$NS_C" -6 addr add "$C6/64" dev veth_c nodad &&
	ip -n "$NS_S" -6 addr add "$S6/64" dev veth_s nodad &&
	ip -n "$NS_S" addr add "$S4B/24" dev veth_s &&
	ip -n "$NS_S" -6 addr add "$S6B/64" dev veth_s nodad &&
	ip -n "$NS_C" link set lo up &&
	ip -n "$NS_S" link set lo up &&
	ip -n "$NS_C" link set veth_c up &&
	ip -n "$NS_S" link set veth_s up || return 1
	_netns_wait_reach "$S4" && _netns_wait_reach "$S6" &&
	_netns_wait_reach "$S4B" && _netns_wait_reach "$S6B"
}

# The iptables commands a match needs: both, or only the family of the
# addresses it names (-s/-d and their long forms), as `ip6tables -s 198.18.0.2`
# would be an error.
_netns_ipt_for_match()
{
	local want4=0 want6=0 prev='' a

	for a in "$@"; do
		case $prev in
		-s | -d | --source | --src | --destination | --dst)
			if [[ $a == *:* ]]; then
				want6=1
			elif [[ $a =~ ^[0-9./]+$ ]]; then
				want4=1
			fi
			;;
		esac
		prev=$a
	done
	if ((want4 && want6)); then
		_netns_log "a match with IPv4 and IPv6 addresses: $*"
		return 1
	fi
	((want6)) || echo iptables
	((want4)) || echo ip6tables
}

# delay_start QUEUE DELAY_MS LOGFILE [IPT_MATCH...]
# Holds the packets that NS_S sends and that match (default: SYN-ACKs) for
# DELAY_MS through nfq_delay on NFQUEUE QUEUE, logging them to LOGFILE.
# DELAY_CHAIN=INPUT delays what NS_S receives instead (chain of NS_S's filter
# table, default OUTPUT). For bulk transfers from NS_S prefer delaying the
# incoming ACKs (INPUT): packets held in OUTPUT still count against the
# sender's TCP small queues budget, which then caps it at about two packets
# per delay period.
# DELAY_NS=client puts the daemon and the rules in NS_C instead (default
# server). With DELAY_CHAIN=INPUT and a match like `-p tcp -s "$S4"` this holds
# every packet from the server on its arrival at the client, long after it
# left the sender, so that no queue of the sender notices: a plain added RTT.
# The rules go to iptables and ip6tables, or only to the family of the
# addresses the match names. Queue numbers are one space over both namespaces.
delay_start()
{
	if (($# < 3)); then
		_netns_log "usage: delay_start QUEUE DELAY_MS LOGFILE [IPT_MATCH...]"
		return 1
	fi
	local q=$1 delay=$2 log=$3 chain=${DELAY_CHAIN:-OUTPUT} ready pid ipt spec ns ipts
	shift 3
	local match=("$@")

	# shellcheck disable=SC2054 # the commas belong to --tcp-flags
	((${#match[@]})) || match=(-p tcp --tcp-flags SYN,ACK SYN,ACK)
	if [[ -n ${_NETNS_DELAY_PID[$q]-} || -n ${_NETNS_DELAY_RULES[$q]-} ]]; then
		_netns_log "queue $q is already delayed"
		return 1
	fi
	case ${DELAY_NS:-server} in
	server) ns=$NS_S ;;
	client) ns=$NS_C ;;
	*)
		_netns_log "DELAY_NS must be client or server, not '$DELAY_NS'"
		return 1
		;;
	esac
	if [[ -z $ns ]]; then
		_netns_log "delay_start before netns_setup"
		return 1
	fi
	ipts=$(_netns_ipt_for_match "${match[@]}") || return 1
	_netns_tmpdir || return 1
	ready=$_NETNS_TMP/nfq_delay.$q.ready
	rm -f "$ready"
	_NETNS_DELAY_NS[$q]=$ns
	# ip netns exec execs the tool, so $! is the daemon itself
	ip netns exec "$ns" "$TOOLS_DIR/nfq_delay" -q "$q" -d "$delay" -l "$log" -r "$ready" \
		-t "$NETNS_TOOL_MAX_SECONDS" 2>>"$_NETNS_TMP/nfq_delay.$q.err" &
	pid=$!
	_NETNS_DELAY_PID[$q]=$pid
	if ! _netns_wait_file "$ready" 50 "$pid"; then
		_netns_log "nfq_delay on queue $q did not get ready:" \
			"$(cat "$_NETNS_TMP/nfq_delay.$q.err" 2>/dev/null)"
		delay_stop "$q"
		return 1
	fi
	# rules only once the daemon listens: without it, queued packets are dropped
	for ipt in $ipts; do
		spec=$(printf '%q ' "$ipt" -w "$chain" "${match[@]}" -j NFQUEUE --queue-num "$q")
		if ! ip netns exec "$ns" "$ipt" -w -A "$chain" "${match[@]}" -j NFQUEUE \
			--queue-num "$q"; then
			_netns_log "adding the $ipt rule for queue $q failed"
			delay_stop "$q"
			return 1
		fi
		_NETNS_DELAY_RULES[$q]+="$spec"$'\n'
	done
}

# Deletes the rules of $2 (lines "IPT -w CHAIN RULE...", each word printf
# %q) in namespace $1.
_netns_delete_specs()
{
	local ns=$1 spec
	local -a words

	while IFS= read -r spec; do
		[[ -n $spec ]] || continue
		eval "words=($spec)"
		ip netns exec "$ns" "${words[0]}" -w -D "${words[@]:2}" 2>/dev/null ||
			_netns_log "could not delete rule in $ns: $spec"
	done <<<"$2"
}

# Deletes exactly the rules that delay_start added for queue $1, in the
# namespace it added them to.
_netns_delete_rules()
{
	_netns_delete_specs "${_NETNS_DELAY_NS[$1]:-$NS_S}" "${_NETNS_DELAY_RULES[$1]-}"
	unset '_NETNS_DELAY_RULES[$1]'
}

# delay_stop QUEUE: deletes the rules first, then stops the daemon, which
# accepts every packet it still holds before it exits.
delay_stop()
{
	local q=${1:?usage: delay_stop QUEUE}

	_netns_delete_rules "$q"
	if [[ -n ${_NETNS_DELAY_PID[$q]-} ]]; then
		_netns_kill_pid "${_NETNS_DELAY_PID[$q]}"
		unset '_NETNS_DELAY_PID[$q]'
	fi
	unset '_NETNS_DELAY_NS[$q]'
	return 0
}

# rule_add NAME server|client CHAIN RULE...: appends RULE (a match and a
# target; no -j makes a counting rule) to CHAIN of the namespace's filter
# table, in iptables or ip6tables as the addresses in it say (neither: both),
# tagged with a comment so that rule_packets finds its counter. NAME is the
# caller's handle, unique among the rules alive.
rule_add()
{
	if (($# < 4)); then
		_netns_log "usage: rule_add NAME server|client CHAIN RULE..."
		return 1
	fi
	local name=$1 where=$2 chain=$3 ns ipts ipt tag
	shift 3

	case $where in
	server) ns=$NS_S ;;
	client) ns=$NS_C ;;
	*) _netns_log "rule_add: server or client, not '$where'"; return 1 ;;
	esac
	if [[ -n ${_NETNS_RULES[$name]-} ]]; then
		_netns_log "rule $name exists"
		return 1
	fi
	ipts=$(_netns_ipt_for_match "$@") || return 1
	tag=tcplat-$$-$name
	_NETNS_RULE_NS[$name]=$ns
	for ipt in $ipts; do
		if ! ip netns exec "$ns" "$ipt" -w -A "$chain" "$@" -m comment --comment "$tag"; then
			_netns_log "rule $name: $ipt -A $chain $* failed"
			rule_del "$name"
			return 1
		fi
		_NETNS_RULES[$name]+=$(printf '%q ' "$ipt" -w "$chain" "$@" -m comment \
			--comment "$tag")$'\n'
	done
}

# rule_packets NAME: the packets the rule matched (both families summed).
rule_packets()
{
	local spec n=0 c
	local -a w

	while IFS= read -r spec; do
		[[ -n $spec ]] || continue
		eval "w=($spec)"
		# w: IPT -w CHAIN RULE... -m comment --comment TAG
		c=$(ip netns exec "${_NETNS_RULE_NS[$1]}" "${w[0]}" -w -L "${w[2]}" -v -x -n |
			awk -v t="/* ${w[-1]} */" 'index($0, t) { print $1; exit }')
		[[ $c =~ ^[0-9]+$ ]] || { _netns_log "rule ${1-}: no counter"; return 1; }
		n=$((n + c))
	done <<<"${_NETNS_RULES[${1-}]-}"
	echo "$n"
}

# rule_del NAME: deletes exactly what rule_add NAME added.
rule_del()
{
	_netns_delete_specs "${_NETNS_RULE_NS[${1-}]-}" "${_NETNS_RULES[${1-}]-}"
	unset '_NETNS_RULES[${1-}]' '_NETNS_RULE_NS[${1-}]'
}

rule_del_all()
{
	local name

	for name in ${_NETNS_RULES[@]+"${!_NETNS_RULES[@]}"}; do
		rule_del "$name"
	done
	return 0
}

# server_start PORT [lat_server args...]: e.g. server_start 5000 -6 -a "$S6" -e
# Sets SERVER_PID. SERVER_TOOL=acc_server starts that tool instead (it takes
# the same -p, -t and -r).
server_start()
{
	local port=${1:?usage: server_start PORT [args...]} ready pid n
	shift

	_netns_tmpdir || return 1
	n=${#_NETNS_SERVER_PIDS[@]}
	ready=$_NETNS_TMP/lat_server.$n.ready
	rm -f "$ready"
	ip netns exec "$NS_S" "$TOOLS_DIR/${SERVER_TOOL:-lat_server}" -p "$port" \
		-t "$NETNS_TOOL_MAX_SECONDS" -r "$ready" "$@" 2>>"$_NETNS_TMP/lat_server.$n.err" &
	pid=$!
	_NETNS_SERVER_PIDS+=("$pid")
	if ! _netns_wait_file "$ready" 50 "$pid"; then
		_netns_log "lat_server on port $port did not get ready:" \
			"$(cat "$_NETNS_TMP/lat_server.$n.err" 2>/dev/null)"
		return 1
	fi
	export SERVER_PID=$pid
}

server_stop_all()
{
	local pid

	for pid in ${_NETNS_SERVER_PIDS[@]+"${_NETNS_SERVER_PIDS[@]}"}; do
		_netns_kill_pid "$pid"
	done
	_NETNS_SERVER_PIDS=()
	return 0
}

netns_cleanup()
{
	local q ns

	for q in ${_NETNS_DELAY_RULES[@]+"${!_NETNS_DELAY_RULES[@]}"} \
		 ${_NETNS_DELAY_PID[@]+"${!_NETNS_DELAY_PID[@]}"}; do
		delay_stop "$q"
	done
	rule_del_all
	server_stop_all
	for ns in ${_NETNS_CREATED[@]+"${_NETNS_CREATED[@]}"}; do
		if [[ -e /run/netns/$ns ]]; then
			ip netns del "$ns" 2>/dev/null || _netns_log "could not delete netns $ns"
		fi
	done
	_NETNS_CREATED=()
	if [[ -n $_NETNS_TMP && -d $_NETNS_TMP ]]; then
		rm -rf -- "$_NETNS_TMP"
	fi
	_NETNS_TMP=
	return 0
}
