// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of `tcplat connect`.
 *
 * A connect starts when the socket goes CLOSE -> SYN_SENT (process context:
 * pid, comm and cgroup are the caller's) and ends when it leaves SYN_SENT for
 * ESTABLISHED (success) or CLOSE (refused, timed out, unreachable, aborted).
 * Every backend feeds the same two handlers, on_syn_sent() and
 * on_state_change(); the twins below differ only in where they hook:
 *
 *   fentry/kprobe: tcp_v{4,6}_connect (start time, as tcpconnlat takes it),
 *                  tcp_set_state (transitions), tcp_rcv_state_process (the
 *                  moment the answer arrives)
 *   tracepoint:    tp_btf/inet_sock_set_state (transitions, start and answer)
 *
 * Taking start and end from state transitions rather than from function
 * entry/exit is what keeps the in-flight table from leaking: a connect that
 * fails before SYN_SENT never enters it, and every way out of SYN_SENT goes
 * through a transition that removes the entry.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcplat.bpf.h"
#include "connect.h"

/* Filters, set by user space before load; zero means "off". */
const volatile __u32 targ_tgid = 0;
const volatile bool filter_comm = false;
const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile bool filter_cgroup = false;
const volatile __u16 targ_family = 0;
const volatile __u32 targ_ndports = 0;
const volatile __u16 targ_dports[MAX_DPORTS] = {};
const volatile __u16 targ_daddr_family = 0;
const volatile __u8 targ_daddr[16] = {};
const volatile __u64 targ_min_ns = 0;
const volatile bool report_failed = false;

struct inflight {
	__u64 start_ns;
	__u64 answer_ns;	/* set by tcp_rcv_state_process where hooked */
	__u32 pid;
	char comm[TASK_COMM_LEN];
};

/* Connects awaiting their answer, keyed by socket. Not LRU: an eviction
 * would lose a connect silently; a full table is counted instead. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DEFAULT_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* fentry/kprobe only: tcp_v{4,6}_connect entry time by thread, picked up
 * by the SYN_SENT transition inside the same call. LRU because a connect
 * that fails before SYN_SENT leaves its entry behind; the next connect of
 * the thread overwrites it, and eviction only ever drops such leftovers. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} connect_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

static __always_inline bool comm_matches(const char *comm)
{
	for (int i = 0; i < TASK_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool dport_matches(__u16 dport)
{
	for (__u32 i = 0; i < MAX_DPORTS; i++) {
		if (i >= targ_ndports)
			break;
		if (targ_dports[i] == dport)
			return true;
	}
	return false;
}

/* Destination filters; the destination is set before SYN_SENT, so they can
 * run at the start and keep unwanted connects out of the table. */
static __always_inline bool dest_matches(const struct sock *sk, __u16 family)
{
	if (targ_family && family != targ_family)
		return false;
	if (targ_ndports && !dport_matches(bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport))))
		return false;
	if (targ_daddr_family) {
		__u8 saddr[16] = {}, daddr[16] = {};
		int len = family == AF_INET ? 4 : 16;

		if (family != targ_daddr_family)
			return false;
		sock_addrs(sk, family, saddr, daddr);
		for (int i = 0; i < 16; i++)
			if (i < len && daddr[i] != targ_daddr[i])
				return false;
	}
	return true;
}

static __always_inline void on_syn_sent(const struct sock *sk, __u64 start_ns)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct inflight entry = { .start_ns = start_ns, .pid = pid_tgid >> 32 };
	__u64 key = (__u64)sk;

	if (targ_tgid && entry.pid != targ_tgid)
		return;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return;
	bpf_get_current_comm(entry.comm, sizeof(entry.comm));
	if (filter_comm && !comm_matches(entry.comm))
		return;
	if (!dest_matches(sk, BPF_CORE_READ(sk, __sk_common.skc_family)))
		return;
	if (bpf_map_update_elem(&inflight, &key, &entry, BPF_ANY))
		stat_inc(&stats, STAT_INFLIGHT_FULL);
}

static __always_inline void emit(const struct sock *sk, const struct inflight *entry,
				 __s32 outcome, __u64 now, __u64 latency_ns)
{
	struct connect_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(&stats, STAT_RINGBUF_DROPS);
		return;
	}
	e->ts_ns = now;
	e->latency_ns = latency_ns;
	e->pid = entry->pid;
	e->outcome = outcome;
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->lport = sock_lport(sk);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->syn_retrans = 0;
	e->v4mapped = 0;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	sock_addrs(sk, e->family, e->saddr, e->daddr);
	__builtin_memcpy(e->comm, entry->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e, 64 * sizeof(*e));
}

static __always_inline void on_state_change(const struct sock *sk, int oldstate, int newstate)
{
	struct inflight *entry;
	__u64 key = (__u64)sk, now, end_ns;
	__s32 outcome;

	/* Fast exit: only sockets leaving a handshake state can be ours. */
	if (oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV)
		return;
	/* SYN_SENT -> SYN_RECV is a simultaneous open: still in progress. */
	if (newstate != TCP_ESTABLISHED && newstate != TCP_CLOSE)
		return;
	entry = bpf_map_lookup_elem(&inflight, &key);
	if (!entry)
		return;

	now = bpf_ktime_get_ns();
	end_ns = entry->answer_ns ? entry->answer_ns : now;
	if (newstate == TCP_ESTABLISHED) {
		outcome = CONNECT_ESTABLISHED;
	} else {
		outcome = BPF_CORE_READ(sk, sk_err);
		if (!outcome)
			outcome = CONNECT_ABORTED;
	}

	stat_inc(&stats, STAT_SEEN);
	if (outcome != CONNECT_ESTABLISHED && !report_failed)
		stat_inc(&stats, STAT_FAILED_HIDDEN);
	else if (end_ns - entry->start_ns < targ_min_ns)
		stat_inc(&stats, STAT_BELOW_MIN);
	else
		emit(sk, entry, outcome, now, end_ns - entry->start_ns);
	bpf_map_delete_elem(&inflight, &key);
}

/* fentry/kprobe: the start time of tcp_v{4,6}_connect, for this thread. */
static __always_inline void on_connect_entry(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&connect_start, &tid, &now, BPF_ANY);
}

static __always_inline void on_tcp_set_state(struct sock *sk, int newstate)
{
	int oldstate = BPF_CORE_READ(sk, __sk_common.skc_state);
	__u32 tid;
	__u64 *start;

	if (oldstate != TCP_CLOSE || newstate != TCP_SYN_SENT) {
		on_state_change(sk, oldstate, newstate);
		return;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	start = bpf_map_lookup_elem(&connect_start, &tid);
	on_syn_sent(sk, start ? *start : bpf_ktime_get_ns());
	if (start)
		bpf_map_delete_elem(&connect_start, &tid);
}

/* fentry/kprobe: the answer (SYN-ACK or RST) reaches a SYN_SENT socket. */
static __always_inline void on_rcv_state_process(struct sock *sk)
{
	struct inflight *entry;
	__u64 key = (__u64)sk;

	if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_SYN_SENT)
		return;
	entry = bpf_map_lookup_elem(&inflight, &key);
	if (entry && !entry->answer_ns)
		entry->answer_ns = bpf_ktime_get_ns();
}

SEC("fentry/tcp_v4_connect")
int BPF_PROG(fentry_tcp_v4_connect)
{
	on_connect_entry();
	return 0;
}

SEC("fentry/tcp_v6_connect")
int BPF_PROG(fentry_tcp_v6_connect)
{
	on_connect_entry();
	return 0;
}

SEC("fentry/tcp_set_state")
int BPF_PROG(fentry_tcp_set_state, struct sock *sk, int state)
{
	on_tcp_set_state(sk, state);
	return 0;
}

SEC("fentry/tcp_rcv_state_process")
int BPF_PROG(fentry_tcp_rcv_state_process, struct sock *sk)
{
	on_rcv_state_process(sk);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(kprobe_tcp_v4_connect)
{
	on_connect_entry();
	return 0;
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(kprobe_tcp_v6_connect)
{
	on_connect_entry();
	return 0;
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(kprobe_tcp_set_state, struct sock *sk, int state)
{
	on_tcp_set_state(sk, state);
	return 0;
}

SEC("kprobe/tcp_rcv_state_process")
int BPF_KPROBE(kprobe_tcp_rcv_state_process, struct sock *sk)
{
	on_rcv_state_process(sk);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tp_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	/* Fires for every state change of every inet socket: the cheap
	 * argument tests go first, the protocol read only when they pass. */
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
			return 0;
		on_syn_sent(sk, bpf_ktime_get_ns());
		return 0;
	}
	if (oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV)
		return 0;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	on_state_change(sk, oldstate, newstate);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
