// SPDX-License-Identifier: GPL-2.0
/*
 * floor.bpf.c - the least any program on tcplat connect's hook can cost: an
 * empty tp_btf/inet_sock_set_state program. bench/bench.sh loads it with
 * bench/bpf_attach and reports its run_time_ns per run and per connect, the
 * floor under which no tracer on this hook can go (the cost of entering and
 * leaving a BPF program from the tracepoint, with bpf_stats counting it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp_btf/inet_sock_set_state")
int floor_inet_sock_set_state(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
