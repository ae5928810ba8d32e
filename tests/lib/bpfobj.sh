# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# tests/lib/bpfobj.sh - the BPF programs, links and maps a process holds, and
# whether the kernel still has them (bpftool).
#
#   bpf_owned_ids PID prog|link|map   ids of the objects PID holds an fd of
#   bpf_ids prog|link|map             ids of every such object on the host
#   bpf_cgroup_prog_ids               ids of the programs attached to any cgroup
#   bpf_cgroup_attached CGROUP ID     true if program ID is attached to CGROUP
#   bpf_wait_gone SECONDS KIND IDS... waits until no object of KIND has one of
#                                     IDS; prints those left and fails if any
#   bpf_map_entries ID                the number of entries of map ID (none
#                                     for a ring buffer or cgroup array)
#
# Ownership comes from /proc/PID/fdinfo (prog_id, link_id, map_id of the
# process's BPF fds): Debian's bpftool is built without the "pids" field.

# bpf_owned_ids PID prog|link|map
bpf_owned_ids()
{
	local pid=$1 kind=$2 f target want

	case $kind in
	prog) want=anon_inode:bpf-prog ;;
	link) want=anon_inode:bpf_link ;;
	map) want=anon_inode:bpf-map ;;
	*) return 1 ;;
	esac
	for f in /proc/"$pid"/fd/*; do
		target=$(readlink "$f" 2>/dev/null) || continue
		[[ $target == "$want" ]] || continue
		awk -v k="${kind}_id:" '$1 == k { print $2 }' "/proc/$pid/fdinfo/${f##*/}" 2>/dev/null
	done | sort -un
}

# bpf_ids prog|link|map
bpf_ids()
{
	bpftool "$1" show -j 2>/dev/null | jq -r '.[].id' | sort -un
}

bpf_cgroup_prog_ids()
{
	bpftool cgroup tree -j 2>/dev/null | jq -r '.[].programs[].id' | sort -un
}

# bpf_cgroup_attached CGROUP_DIR PROG_ID
bpf_cgroup_attached()
{
	bpftool cgroup show "$1" -j 2>/dev/null |
		jq -e --argjson id "$2" 'map(select(.id == $id)) | length > 0' >/dev/null
}

# The ids of the list on stdin that are among $@ (no comm(1): the VM guest's
# busybox has none).
_bpf_still_there()
{
	grep -Fx -f <(printf '%s\n' "$@")
}

# bpf_wait_gone SECONDS prog|link|map|cgroup IDS...: the kernel frees an
# object after its last reference goes, in deferred work: wait for it.
bpf_wait_gone()
{
	local secs=$1 kind=$2 left i
	shift 2

	(($#)) || return 0
	for ((i = 0; i <= secs * 20; i++)); do
		if [[ $kind == cgroup ]]; then
			left=$(bpf_cgroup_prog_ids | _bpf_still_there "$@")
		else
			left=$(bpf_ids "$kind" | _bpf_still_there "$@")
		fi
		[[ -z $left ]] && return 0
		sleep 0.05
	done
	echo "$left" | tr '\n' ' '
	return 1
}

# bpf_map_entries ID: what a dump finds (an array always has max_entries);
# nothing for a map that cannot be dumped (ring buffer, cgroup array).
bpf_map_entries()
{
	case $(bpftool map show id "$1" -j 2>/dev/null | jq -r .type) in
	ringbuf | cgroup_array | "") return 0 ;;
	esac
	bpftool map dump id "$1" -j 2>/dev/null | jq 'length'
}
