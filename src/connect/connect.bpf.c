// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of `tcplat connect`.
 *
 * A connect starts when the socket goes CLOSE -> SYN_SENT (process context:
 * pid, comm and cgroup are the caller's) and ends when it leaves SYN_SENT for
 * ESTABLISHED (success) or CLOSE (refused, timed out, unreachable, aborted).
 * Every backend feeds the same two handlers, on_syn_sent() and
 * on_state_change(); the twins below differ only in where they hook and in
 * how they read the socket (plain loads through BTF-typed pointers for
 * fentry and tp_btf, probe reads for kprobes: KREAD_INTO):
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
 *
 * A finished connect is either sent to user space as one ring buffer record
 * (CONNECT_MODE_EVENTS) or added to the per-key histogram table `hists`
 * (CONNECT_MODE_HIST: --hist, and the exporter), which stays cumulative.
 *
 * SYN retransmits: tcp_sock.total_retrans, read where the connect ends.
 * __tcp_retransmit_skb() adds one per SYN it hands to tcp_transmit_skb()
 * (5.10, 6.1, 6.12, 6.18 alike: the count is taken before the transmit, so a
 * retransmit that a local qdisc or netfilter then drops still counts; one
 * not even attempted, because the previous copy is still in a host queue or
 * there is no route, does not). The first SYN is a transmit, not a
 * retransmit: it is never counted. Nothing else can have counted before the
 * end of a connect: a socket starts at zero, and the only way back to CLOSE
 * for another connect, tcp_disconnect(), resets it (since 5.6 and in the
 * stable kernels). The end is read before any data retransmit: on a Fast
 * Open SYN-ACK, tcp_finish_connect() (ESTABLISHED) comes first.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcplat.bpf.h"
#include "hist.bpf.h"
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
/* What to do with a finished connect, and with --hist, which key fields. */
const volatile __u32 targ_mode = CONNECT_MODE_EVENTS;
const volatile __u32 targ_key_fields = 0;
const volatile bool targ_log2_ms = true;
/* serve: a full table folds into the overflow key (connect.h) instead. */
const volatile bool targ_fold_full = false;

struct inflight {
	__u64 start_ns;
	__u64 answer_ns;	/* set by tcp_rcv_state_process where hooked */
	__u64 cgroup_id;	/* --hist --by cgroup only */
	__u32 pid;
	__u8 simopen;		/* went SYN_SENT -> SYN_RECV: counted in simopen_inflight */
	__u8 pad[3];
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

/* CONNECT_MODE_HIST: one cumulative histogram per key (connect.h). Shared
 * with atomic adds, as rtt's --by tables; sized by --max-keys. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CONNECT_DEFAULT_MAX_KEYS);
	__type(key, struct connect_key);
	__type(value, struct connect_hist_value);
} hists SEC(".maps");

/* serve (targ_fold_full): where a connect goes when `hists` is full, by
 * family and outcome only. A table of its own, so that no number of
 * distinct keys can take its room. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct connect_key);
	__type(value, struct connect_hist_value);
} hists_overflow SEC(".maps");

/* A zeroed value to insert from: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct connect_hist_value);
} zero_value SEC(".maps");

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

/*
 * Traced connects now in a simultaneous open (SYN_SENT -> SYN_RECV). While
 * it is zero, a socket leaving SYN_RECV cannot be ours: it is the passive
 * side of a connection (or not traced), and costs no table lookup. Only ever
 * above the true number: it is raised in the transition that marks an entry
 * and lowered when that entry goes, under the socket's lock both times.
 */
__u64 simopen_inflight = 0;

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

static __always_inline __u16 sock_dport(const struct sock *sk, const bool btf)
{
	__u16 dport;

	KREAD_INTO(btf, &dport, sk->__sk_common.skc_dport);
	return bpf_ntohs(dport);
}

/* Destination filters; the destination is set before SYN_SENT, so they can
 * run at the start and keep unwanted connects out of the table. The family
 * is the user's (sock_family): a dual-stack socket's IPv4-mapped peer is
 * IPv4 to -4, -6 and --daddr. */
static __always_inline bool dest_matches(const struct sock *sk, const bool btf)
{
	__u16 family;
	bool mapped;

	if (!targ_family && !targ_ndports && !targ_daddr_family)
		return true;
	family = __sock_family(sk, &mapped, btf);
	if (targ_family && family != targ_family)
		return false;
	if (targ_ndports && !dport_matches(sock_dport(sk, btf)))
		return false;
	if (targ_daddr_family) {
		__u8 daddr[16] = {};
		int len = family == AF_INET ? 4 : 16;

		if (family != targ_daddr_family)
			return false;
		__sock_raddr(sk, family, daddr, btf);
		for (int i = 0; i < 16; i++)
			if (i < len && daddr[i] != targ_daddr[i])
				return false;
	}
	return true;
}

static __always_inline void on_syn_sent(const struct sock *sk, __u64 start_ns, const bool btf)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct inflight entry = { .start_ns = start_ns, .pid = pid_tgid >> 32 };
	__u64 key = (__u64)sk;

	if (targ_tgid && entry.pid != targ_tgid)
		return;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
		return;
	/* --hist needs the comm only as a filter or a key. */
	if (targ_mode == CONNECT_MODE_EVENTS || filter_comm || (targ_key_fields & CONNECT_KEY_COMM))
		bpf_get_current_comm(entry.comm, sizeof(entry.comm));
	if (filter_comm && !comm_matches(entry.comm))
		return;
	if (!dest_matches(sk, btf))
		return;
	if (targ_mode == CONNECT_MODE_HIST && (targ_key_fields & CONNECT_KEY_CGROUP))
		entry.cgroup_id = bpf_get_current_cgroup_id();
	if (bpf_map_update_elem(&inflight, &key, &entry, BPF_ANY))
		stat_inc(&stats, STAT_INFLIGHT_FULL);
}

/* SYN retransmits of the connect (see the top of the file) and, through the
 * same tcp_sock, the local port. From inet_sport, not skc_num: on the way to
 * CLOSE the port is released (skc_num zeroed) before inet_sock_set_state
 * fires. */
static __always_inline __u32 sock_syn_retrans(const struct sock *sk, __u16 *lport, const bool btf)
{
	const struct tcp_sock *tp;
	__u32 retrans = 0;
	__u16 sport = 0;

	if (btf) {
		tp = bpf_skc_to_tcp_sock((void *)sk);
		if (tp) {
			retrans = tp->total_retrans;
			sport = tp->inet_conn.icsk_inet.inet_sport;
		}
	} else {
		tp = (const struct tcp_sock *)sk;
		bpf_core_read(&retrans, sizeof(retrans), &tp->total_retrans);
		bpf_core_read(&sport, sizeof(sport), &tp->inet_conn.icsk_inet.inet_sport);
	}
	*lport = bpf_ntohs(sport);
	return retrans;
}

static __always_inline void emit(const struct sock *sk, const struct inflight *entry,
				 __s32 outcome, __u64 now, __u64 latency_ns, const bool btf)
{
	struct connect_event *e;
	bool mapped;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(&stats, STAT_RINGBUF_DROPS);
		return;
	}
	e->ts_ns = now;
	e->latency_ns = latency_ns;
	e->pid = entry->pid;
	e->outcome = outcome;
	e->family = __sock_family(sk, &mapped, btf);
	e->v4mapped = mapped;
	e->syn_retrans = sock_syn_retrans(sk, &e->lport, btf);
	e->dport = sock_dport(sk, btf);
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	__sock_addrs(sk, e->family, e->saddr, e->daddr, btf);
	__builtin_memcpy(e->comm, entry->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e, 64 * sizeof(*e));
}

/* CONNECT_MODE_HIST: the connect's key, and its time to the outcome added. */
static __always_inline void count(const struct sock *sk, const struct inflight *entry,
				  __s32 outcome, __u64 latency_ns, const bool btf)
{
	struct connect_hist_value *v;
	struct connect_key key;
	__u64 us = latency_ns / 1000;
	__u32 retrans;
	__u16 lport;
	bool mapped;

	__builtin_memset(&key, 0, sizeof(key));
	key.outcome = outcome;
	key.family = __sock_family(sk, &mapped, btf);
	if (targ_key_fields & CONNECT_KEY_DPORT)
		key.dport = sock_dport(sk, btf);
	if (targ_key_fields & CONNECT_KEY_DADDR)
		__sock_raddr(sk, key.family, key.daddr, btf);
	if (targ_key_fields & CONNECT_KEY_COMM)
		__builtin_memcpy(key.comm, entry->comm, sizeof(key.comm));
	if (targ_key_fields & CONNECT_KEY_CGROUP)
		key.cgroup_id = entry->cgroup_id;
	v = hist_table_get(&hists, &key, &zero_value);
	if (!v) {
		stat_inc(&stats, STAT_KEYS_FULL);
		if (!targ_fold_full)
			return;
		__builtin_memset(&key, 0, sizeof(key));
		key.outcome = outcome;
		key.family = __sock_family(sk, &mapped, btf);
		key.cgroup_id = CONNECT_KEY_OVERFLOW_CGROUP;
		v = hist_table_get(&hists_overflow, &key, &zero_value);
		if (!v)
			return;
		stat_inc(&stats, STAT_KEYS_FOLDED);
	}
	lat_hist_record(&v->hist, us > 0xffffffffULL ? 0xffffffffU : us, targ_log2_ms);
	retrans = sock_syn_retrans(sk, &lport, btf);
	if (retrans)
		__sync_fetch_and_add(&v->syn_retrans, retrans);
}

/* A traced socket left SYN_SENT (or, after a simultaneous open, SYN_RECV). */
static __always_inline void on_connect_end(const struct sock *sk, struct inflight *entry,
					   __u64 key, int newstate, const bool btf)
{
	__u64 now = bpf_ktime_get_ns(), end_ns;
	__s32 outcome;

	end_ns = entry->answer_ns ? entry->answer_ns : now;
	if (newstate == TCP_ESTABLISHED) {
		outcome = CONNECT_ESTABLISHED;
	} else {
		KREAD_INTO(btf, &outcome, sk->sk_err);
		if (!outcome)
			outcome = CONNECT_ABORTED;
	}

	stat_inc(&stats, STAT_SEEN);
	if (targ_mode == CONNECT_MODE_HIST)
		count(sk, entry, outcome, end_ns - entry->start_ns, btf);
	else if (outcome != CONNECT_ESTABLISHED && !report_failed)
		stat_inc(&stats, STAT_FAILED_HIDDEN);
	else if (end_ns - entry->start_ns < targ_min_ns)
		stat_inc(&stats, STAT_BELOW_MIN);
	else
		emit(sk, entry, outcome, now, end_ns - entry->start_ns, btf);
	if (entry->simopen)
		__sync_fetch_and_add(&simopen_inflight, -1);
	bpf_map_delete_elem(&inflight, &key);
}

/*
 * Every transition out of SYN_SENT or SYN_RECV; the callers have tested the
 * protocol. SYN_SENT -> SYN_RECV is a simultaneous open: still in progress,
 * marked so that its way out of SYN_RECV is looked up. Any way out of
 * SYN_RECV ends such a connect (ESTABLISHED, or CLOSE / FIN_WAIT1 when it
 * is reset or closed), so no entry is left behind.
 */
static __always_inline void on_state_change(const struct sock *sk, int oldstate, int newstate,
					    const bool btf)
{
	struct inflight *entry;
	__u64 key = (__u64)sk;

	entry = bpf_map_lookup_elem(&inflight, &key);
	if (!entry)
		return;
	if (oldstate == TCP_SYN_SENT && newstate == TCP_SYN_RECV) {
		if (!entry->simopen) {
			entry->simopen = 1;
			__sync_fetch_and_add(&simopen_inflight, 1);
		}
		return;
	}
	on_connect_end(sk, entry, key, newstate, btf);
}

/* Whether a transition out of oldstate can end (or advance) a traced
 * connect: the cheap tests, before any read of the socket. */
static __always_inline bool may_be_ours(int oldstate)
{
	return oldstate == TCP_SYN_SENT || (oldstate == TCP_SYN_RECV && simopen_inflight);
}

/* fentry/kprobe: the start time of tcp_v{4,6}_connect, for this thread. */
static __always_inline void on_connect_entry(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(&connect_start, &tid, &now, BPF_ANY);
}

/* fentry/kprobe: tcp_set_state() is TCP's own, no protocol test needed. */
static __always_inline void on_tcp_set_state(struct sock *sk, int newstate, const bool btf)
{
	unsigned char oldstate;
	__u32 tid;
	__u64 *start;

	KREAD_INTO(btf, &oldstate, sk->__sk_common.skc_state);
	if (oldstate != TCP_CLOSE || newstate != TCP_SYN_SENT) {
		if (may_be_ours(oldstate))
			on_state_change(sk, oldstate, newstate, btf);
		return;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	start = bpf_map_lookup_elem(&connect_start, &tid);
	on_syn_sent(sk, start ? *start : bpf_ktime_get_ns(), btf);
	if (start)
		bpf_map_delete_elem(&connect_start, &tid);
}

/* fentry/kprobe: the answer (SYN-ACK or RST) reaches a SYN_SENT socket. */
static __always_inline void on_rcv_state_process(struct sock *sk, const bool btf)
{
	struct inflight *entry;
	__u64 key = (__u64)sk;
	unsigned char state;

	KREAD_INTO(btf, &state, sk->__sk_common.skc_state);
	if (state != TCP_SYN_SENT)
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
	on_tcp_set_state(sk, state, true);
	return 0;
}

SEC("fentry/tcp_rcv_state_process")
int BPF_PROG(fentry_tcp_rcv_state_process, struct sock *sk)
{
	on_rcv_state_process(sk, true);
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
	on_tcp_set_state(sk, state, false);
	return 0;
}

SEC("kprobe/tcp_rcv_state_process")
int BPF_KPROBE(kprobe_tcp_rcv_state_process, struct sock *sk)
{
	on_rcv_state_process(sk, false);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tp_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	/* Fires for every state change of every inet socket (about 10 per
	 * loopback connection, both ends): the argument tests go first, the
	 * protocol only when they pass (DCCP and SCTP reuse TCP's numbers). */
	if (oldstate == TCP_CLOSE) {
		if (newstate != TCP_SYN_SENT ||
		    BPF_CORE_READ_BITFIELD(sk, sk_protocol) != IPPROTO_TCP)
			return 0;
		on_syn_sent(sk, bpf_ktime_get_ns(), true);
		return 0;
	}
	if (!may_be_ours(oldstate) || BPF_CORE_READ_BITFIELD(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	on_state_change(sk, oldstate, newstate, true);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
