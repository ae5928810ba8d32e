// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of `tcplat rtt`: RTT samples from the kernel's own estimator,
 * aggregated in the kernel (one histogram, or one per --by key) or streamed
 * one by one (--detail).
 *
 * What a sample is, per backend (README has the long form):
 *   fentry/kprobe: tcp_ack_update_rtt, once per ACK that yields an RTT
 *     measurement: the ACK-timing sample (seq_rtt_us, else sack_rtt_us), the
 *     value tcp_rtt_estimator is fed. A sample the kernel takes from the TCP
 *     timestamp echo instead (only when neither exists: ACKs of retransmitted
 *     data) is not visible at entry and is not counted as a sample.
 *   tracepoint: cgroup sockops BPF_SOCK_OPS_RTT_CB, which tcp_rtt_estimator
 *     calls once per round trip (when snd_una passes rtt_seq), not per ACK.
 *     Since 6.10 it passes the sample and the new srtt; before, it passes
 *     nothing and tcplat falls back to the smoothed RTT (counted as
 *     RTT_STAT_NO_SAMPLE, said by -v).
 * The smoothed RTT is the one after this sample's update in every backend.
 *
 * Sockets that existed before the start: fentry/kprobe see them like any
 * other. The tracepoint backend enrols them in the RTT callback from a tcp
 * iterator (rtt_iter.bpf.c) where the kernel allows it (6.12+), and follows
 * them through tcp_probe's srtt where it does not (standin_tcp_probe,
 * counted as RTT_STAT_PREEXISTING_SRTT).
 *
 * Every twin reduces its context to (flow, socket, rtt, srtt, min rtt) and
 * calls on_sample(); socket life cycle goes through on_state_change().
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcplat.bpf.h"
#include "hist.bpf.h"
#include "rtt.h"
#include "rtt_sock.bpf.h"	/* conn: the connection filters */

const volatile __u32 targ_mode = RTT_MODE_HIST;
const volatile bool targ_unit_ms = true;
const volatile __u32 targ_min_rtt_us = 0;
const volatile __u32 targ_min_srtt_us = 0;
const volatile __u32 targ_min_minrtt_us = 0;
const volatile bool track_owners = false;	/* --detail or -p */
const volatile __u32 targ_key_fields = 0;	/* RTT_MODE_KEYED: RTT_KEY_* */

/* Set by user space while sockets from before the start are followed
 * through tcp_probe (kernels that cannot enrol them in the RTT callback). */
bool standin_active = false;

/* Default mode: one histogram, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_hist);
} hist SEC(".maps");

/* --by: one histogram per key. Shared, with atomic adds: a per-CPU hash of
 * 4 KiB values would cost max_entries x CPUs x 4 KiB of memory. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_KEYS);
	__type(key, struct rtt_key);
	__type(value, struct lat_hist);
} hists SEC(".maps");

/* RTT_MODE_KEYED: where a sample goes when `hists` is full, by family
 * only; a table of its own, so that no number of keys can take its room. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct rtt_key);
	__type(value, struct lat_hist);
} hists_overflow SEC(".maps");

/* A zeroed histogram to insert from: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_hist);
} zero_hist SEC(".maps");

/* Who owns a socket, recorded at connect (process context); removed at
 * CLOSE, so it is bounded by the live sockets. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_OWNERS);
	__type(key, __u64);
	__type(value, struct rtt_owner);
} owners SEC(".maps");

/* Sockets from before the start that the kernel could not enrol in the RTT
 * callback (rtt_iter.bpf.c fills it); removed at CLOSE. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_OWNERS);
	__type(key, __u64);
	__type(value, struct rtt_standin);
} standin SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 512 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RTT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

static __always_inline void key_for_mode(const struct rtt_key *flow, struct rtt_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	key->family = flow->family;
	if (targ_mode == RTT_MODE_BY_RADDR) {
		__builtin_memcpy(key->raddr, flow->raddr, sizeof(key->raddr));
	} else if (targ_mode == RTT_MODE_BY_RPORT) {
		key->family = 0;	/* one histogram per port, both families */
		key->rport = flow->rport;
	} else if (targ_mode == RTT_MODE_KEYED) {
		if (targ_key_fields & RTT_KEY_RADDR)
			__builtin_memcpy(key->raddr, flow->raddr, sizeof(key->raddr));
		if (targ_key_fields & RTT_KEY_RPORT)
			key->rport = flow->rport;
		if (targ_key_fields & RTT_KEY_CGROUP)
			key->cgroup_id = flow->cgroup_id;
	} else {
		*key = *flow;
	}
}

static __always_inline void add_by_key(const struct rtt_key *flow, __u32 rtt_us)
{
	struct lat_hist *h;
	struct rtt_key key;

	key_for_mode(flow, &key);
	h = hist_table_get(&hists, &key, &zero_hist);
	if (!h) {
		stat_inc(&stats, RTT_STAT_KEYS_FULL);
		if (targ_mode != RTT_MODE_KEYED)
			return;
		/* serve: the family's overflow key (rtt.h) loses nothing. */
		__builtin_memset(&key, 0, sizeof(key));
		key.family = flow->family;
		key.cgroup_id = RTT_KEY_OVERFLOW_CGROUP;
		h = hist_table_get(&hists_overflow, &key, &zero_hist);
		if (!h)
			return;
		stat_inc(&stats, RTT_STAT_KEYS_FOLDED);
	}
	/* A flow key reused by a new connection is live again. */
	if (h->closed)
		h->closed = 0;
	lat_hist_record(h, rtt_us, targ_unit_ms);
}

static __always_inline void emit(const struct rtt_key *flow, const struct rtt_owner *owner,
				 __u32 rtt_us, __u32 srtt_us, __u32 minrtt_us)
{
	struct rtt_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(&stats, RTT_STAT_RINGBUF_DROPS);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->flow = *flow;
	e->rtt_us = rtt_us;
	e->srtt_us = srtt_us;
	e->min_rtt_us = minrtt_us;
	if (owner) {
		e->pid = owner->pid;
		__builtin_memcpy(e->comm, owner->comm, sizeof(e->comm));
	} else {
		e->pid = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	}
	ringbuf_submit_batched(&events, e, 64 * sizeof(*e));
}

/* stand_in: the stat slot that counts what stood in for the sample (the
 * smoothed RTT), RTT_STAT_MAX for a real sample. */
static __always_inline void on_sample(const struct rtt_key *flow, __u64 sk_key, __u32 rtt_us,
				      __u32 srtt_us, __u32 minrtt_us, __u32 stand_in)
{
	struct rtt_owner *owner = NULL;
	__u32 zero = 0;
	struct lat_hist *h;

	if (!flow_matches(flow))
		return;
	if (track_owners)
		owner = bpf_map_lookup_elem(&owners, &sk_key);
	if (conn.tgid && (!owner || owner->pid != conn.tgid))
		return;
	stat_inc(&stats, RTT_STAT_SAMPLES);
	if (stand_in < RTT_STAT_MAX)
		stat_inc(&stats, stand_in);
	if (rtt_us < targ_min_rtt_us || srtt_us < targ_min_srtt_us ||
	    minrtt_us < targ_min_minrtt_us) {
		stat_inc(&stats, RTT_STAT_FILTERED);
		return;
	}
	switch (targ_mode) {
	case RTT_MODE_HIST:
		h = bpf_map_lookup_elem(&hist, &zero);
		if (h)
			lat_hist_record(h, rtt_us, targ_unit_ms);
		break;
	case RTT_MODE_DETAIL:
		emit(flow, owner, rtt_us, srtt_us, minrtt_us);
		break;
	default:
		add_by_key(flow, rtt_us);
		break;
	}
}

/* RTT_MODE_KEYED with RTT_KEY_CGROUP: the cgroup v2 id of the socket (its
 * creator's, inherited by accepted sockets), 0 where unknown. */
static __always_inline __u64 sock_cgroup_id(const struct sock *sk)
{
	struct cgroup *cg;

	if (targ_mode != RTT_MODE_KEYED || !(targ_key_fields & RTT_KEY_CGROUP) ||
	    !bpf_core_field_exists(sk->sk_cgrp_data.cgroup))
		return 0;
	cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	return cg ? BPF_CORE_READ(cg, kn, id) : 0;
}

/*
 * Socket life cycle, from inet_sock_set_state or tcp_set_state:
 * CLOSE -> SYN_SENT runs in the connecting process: remember the owner;
 * -> CLOSE: forget it, and mark the flow's histogram closed so that user
 * space removes it once its last interval is shown.
 */
static __always_inline void on_state_change(const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;

	if (track_owners && oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		struct rtt_owner owner = { .pid = bpf_get_current_pid_tgid() >> 32 };

		if (conn.filter_cgroup && bpf_current_task_under_cgroup(&cgroup_filter, 0) != 1)
			return;
		bpf_get_current_comm(owner.comm, sizeof(owner.comm));
		if (bpf_map_update_elem(&owners, &key, &owner, BPF_ANY))
			stat_inc(&stats, RTT_STAT_OWNERS_FULL);
		return;
	}
	if (newstate != TCP_CLOSE)
		return;
	if (track_owners)
		bpf_map_delete_elem(&owners, &key);
	if (standin_active)
		bpf_map_delete_elem(&standin, &key);
	if (targ_mode == RTT_MODE_BY_FLOW) {
		struct rtt_key flow;
		struct lat_hist *h;

		flow_from_sock(sk, &flow);
		h = bpf_map_lookup_elem(&hists, &flow);
		if (h)
			h->closed = 1;
	}
}

/* fentry/kprobe: tcp_ack_update_rtt(sk, flag, seq_rtt_us, sack_rtt_us,
 * ca_rtt_us, rs), at entry: srtt and the min are still the old ones, so
 * both are brought forward the way the kernel is about to. */
static __always_inline void on_ack_update_rtt(struct sock *sk, long seq_rtt_us,
					      long sack_rtt_us, long ca_rtt_us)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	long m = seq_rtt_us >= 0 ? seq_rtt_us : sack_rtt_us;
	__u32 srtt8, new8, minrtt;
	struct rtt_key flow;

	if (m < 0)
		return;
	/* In softirq "current" is whoever was interrupted: test the cgroup
	 * the socket belongs to instead. */
	if (conn.filter_cgroup && !sock_in_cgroup(sk))
		return;
	srtt8 = BPF_CORE_READ(tp, srtt_us);
	/* tcp_rtt_estimator: srtt = 7/8 srtt + 1/8 m, in units of 1/8 us. */
	new8 = srtt8 ? srtt8 + m - (srtt8 >> 3) : m << 3;
	if (!new8)
		new8 = 1;
	minrtt = BPF_CORE_READ(tp, rtt_min.s[0].v);
	if (ca_rtt_us >= 0 && ca_rtt_us < minrtt)
		minrtt = ca_rtt_us;
	flow_from_sock(sk, &flow);
	flow.cgroup_id = sock_cgroup_id(sk);
	on_sample(&flow, (__u64)sk, m, new8 >> 3, minrtt, RTT_STAT_MAX);
}

SEC("fentry/tcp_ack_update_rtt")
int BPF_PROG(fentry_tcp_ack_update_rtt, struct sock *sk, const int flag, long seq_rtt_us,
	     long sack_rtt_us, long ca_rtt_us)
{
	on_ack_update_rtt(sk, seq_rtt_us, sack_rtt_us, ca_rtt_us);
	return 0;
}

SEC("fentry/tcp_set_state")
int BPF_PROG(fentry_tcp_set_state, struct sock *sk, int state)
{
	on_state_change(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

SEC("kprobe/tcp_ack_update_rtt")
int BPF_KPROBE(kprobe_tcp_ack_update_rtt, struct sock *sk, int flag, long seq_rtt_us,
	       long sack_rtt_us, long ca_rtt_us)
{
	on_ack_update_rtt(sk, seq_rtt_us, sack_rtt_us, ca_rtt_us);
	return 0;
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(kprobe_tcp_set_state, struct sock *sk, int state)
{
	on_state_change(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tp_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	/* Nothing to do unless owners, flows or stand-ins are tracked. */
	if (!track_owners && targ_mode != RTT_MODE_BY_FLOW && !standin_active)
		return 0;
	if (newstate != TCP_CLOSE && !(oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT))
		return 0;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	on_state_change(sk, oldstate, newstate);
	return 0;
}

/*
 * Stand-in for the RTT callback on a socket from before the start that
 * this kernel cannot enrol in it (rtt_iter.bpf.c put it in `standin`).
 * tcp_probe fires as each segment arrives in tcp_rcv_established, before
 * it is processed; the estimator moves rtt_seq exactly when it would call
 * BPF_SOCK_OPS_RTT_CB, so a changed rtt_seq is one round trip measured
 * (while the previous segment was processed): one sample, the smoothed RTT
 * it left. Attached only while `standin` has entries: until then the
 * tracepoint costs nothing.
 */
SEC("tp_btf/tcp_probe")
int BPF_PROG(standin_tcp_probe, struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 key = (__u64)sk;
	struct rtt_standin *s;
	struct rtt_key flow;
	__u32 seq, srtt;

	s = bpf_map_lookup_elem(&standin, &key);
	if (!s)
		return 0;
	/* Enrolled after all (a socket reusing a freed one's address, by its
	 * ESTABLISHED callback): its samples come from there, never twice. */
	if (BPF_CORE_READ(tp, bpf_sock_ops_cb_flags) & BPF_SOCK_OPS_RTT_CB_FLAG) {
		bpf_map_delete_elem(&standin, &key);
		return 0;
	}
	seq = BPF_CORE_READ(tp, rtt_seq);
	if (seq == s->rtt_seq)
		return 0;
	s->rtt_seq = seq;
	srtt = BPF_CORE_READ(tp, srtt_us) >> 3;
	if (!srtt)
		return 0;
	if (conn.filter_cgroup && !sock_in_cgroup(sk))
		return 0;
	flow_from_sock(sk, &flow);
	if (!flow_matches(&flow))
		return 0;
	on_sample(&flow, key, srtt, srtt, BPF_CORE_READ(tp, rtt_min.s[0].v),
		  RTT_STAT_PREEXISTING_SRTT);
	return 0;
}

static __always_inline void flow_from_sockops(const struct bpf_sock_ops *skops,
					      struct rtt_key *flow)
{
	/* Every field is loaded, unconditionally, straight from ctx: the
	 * verifier refuses ctx access through a derived pointer, which is what
	 * clang makes of per-family branches that pick fields. */
	__u32 l4 = skops->local_ip4, r4 = skops->remote_ip4;
	__u32 l6[4] = { skops->local_ip6[0], skops->local_ip6[1], skops->local_ip6[2],
			skops->local_ip6[3] };
	__u32 r6[4] = { skops->remote_ip6[0], skops->remote_ip6[1], skops->remote_ip6[2],
			skops->remote_ip6[3] };

	__builtin_memset(flow, 0, sizeof(*flow));
	flow->family = skops->family;
	flow->lport = skops->local_port;
	flow->rport = bpf_ntohl(skops->remote_port);
	/* A dual-stack socket with an IPv4-mapped peer is the IPv4 connection
	 * it is on the wire, as sock_family() says for the other hooks; the
	 * kernel keeps its plain IPv4 addresses in local_ip4/remote_ip4. */
	if (flow->family == AF_INET6 && addr_is_v4mapped(r6)) {
		flow->family = AF_INET;
		flow->v4mapped = 1;
	}
	if (flow->family == AF_INET) {
		__builtin_memcpy(flow->laddr, &l4, 4);
		__builtin_memcpy(flow->raddr, &r4, 4);
	} else {
		__builtin_memcpy(flow->laddr, l6, 16);
		__builtin_memcpy(flow->raddr, r6, 16);
	}
}

/* sock_cgroup_id() for sockops, which may not probe-read: through the
 * socket's BTF pointer instead. */
static __always_inline __u64 sockops_cgroup_id(struct bpf_sock_ops *skops)
{
	struct bpf_sock *bsk;
	struct tcp_sock *tp;
	struct cgroup *cg;

	if (targ_mode != RTT_MODE_KEYED || !(targ_key_fields & RTT_KEY_CGROUP))
		return 0;
	bsk = skops->sk;
	if (!bsk)
		return 0;
	tp = bpf_skc_to_tcp_sock(bsk);
	if (!tp || !bpf_core_field_exists(tp->inet_conn.icsk_inet.sk.sk_cgrp_data.cgroup))
		return 0;
	cg = tp->inet_conn.icsk_inet.sk.sk_cgrp_data.cgroup;
	return cg ? cg->kn->id : 0;
}

SEC("sockops")
int sockops_rtt(struct bpf_sock_ops *skops)
{
	struct rtt_key flow;
	__u32 rtt, srtt, stand_in = RTT_STAT_MAX;
	__u64 sk_key;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		/* Ask for RTT callbacks only on connections that pass the
		 * connection filters: the others then cost nothing. */
		flow_from_sockops(skops, &flow);
		if (flow_matches(&flow))
			bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags |
						  BPF_SOCK_OPS_RTT_CB_FLAG);
		return 1;
	case BPF_SOCK_OPS_RTT_CB:
		break;
	default:
		return 1;
	}

	if (skops->args[1]) {
		/* 6.10+: args are the sample and the new srtt (x8). */
		rtt = skops->args[0];
		srtt = skops->args[1] >> 3;
	} else {
		/* Older kernels pass nothing; srtt_us is the smoothed RTT
		 * before this sample: the best there is. */
		rtt = srtt = skops->srtt_us >> 3;
		stand_in = RTT_STAT_NO_SAMPLE;
	}
	flow_from_sockops(skops, &flow);
	sk_key = (__u64)skops->sk;
	flow.cgroup_id = sockops_cgroup_id(skops);
	on_sample(&flow, sk_key, rtt, srtt, skops->rtt_min, stand_in);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
