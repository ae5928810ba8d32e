// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel side of `tcplat accept`: the server's half of every TCP handshake
 * and the connection's wait in the accept queue, per local listener.
 *
 *   SYN reaches the listener      cgroup_skb ingress (tcp_filter() runs it on
 *                                 the listener for every packet it gets)
 *   request sock queued           cgroup sockops TIMEOUT_INIT on the request
 *                                 sock, same CPU, same softirq
 *   SYN cookie sent               the ingress program, by the kernel's test
 *                                 (a cookie's request sock has no listener,
 *                                 so no cgroup program runs for it)
 *   SYN-ACK retransmit            tp_btf tcp_retransmit_synack | tcp_rtx_synack
 *   final ACK: the child joins    SYN_RECV -> ESTABLISHED of the child:
 *   the accept queue              tp_btf inet_sock_set_state | tcp_set_state
 *   accept() returns it           tracepoint: tp_btf sys_exit of accept and
 *                                 accept4 (fd -> socket); fentry: fexit
 *                                 inet_accept; kprobe: kretprobe
 *                                 inet_csk_accept
 *   never accepted                the queued child goes to CLOSE
 *
 * The two cgroup programs (prefix cg_) load with every backend. Overflows
 * and drops are the kernel's own tests, made on the listener as the packet
 * reaches it (see on_listener_packet). The handshake and queue tables are
 * bounded and emptied as sockets move on: a child leaves the queue table
 * when it is accepted or closed, and so does its handshake entry (kept so
 * far for the overflow test, see struct accept_handshake); requests the
 * kernel gives up on are swept by user space after
 * ACCEPT_HANDSHAKE_MAX_AGE_NS.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "tcplat.bpf.h"
#include "hist.bpf.h"
#include "accept.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define TCP_FLAG_FIN	0x01
#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_RST	0x04
#define TCP_FLAG_ACK	0x10
#define EPIPE		32
#define ECONNRESET	104

/* Filters, set before load; zero means "off". */
const volatile __u16 targ_family = 0;
const volatile __u32 targ_nlports = 0;
const volatile __u16 targ_lports[ACCEPT_MAX_LPORTS] = {};
const volatile __u16 targ_laddr_family = 0;
const volatile __u8 targ_laddr[16] = {};
const volatile __u32 targ_tgid = 0;
const volatile __u64 targ_min_ns = 0;
const volatile bool report_failed = false;
const volatile bool emit_events = true;	/* off with --hist */

/* Moved on by user space once per interval: qlen_peak restarts. */
__u32 qlen_epoch = 0;

struct accept_queued {
	__u64 syn_ns;		/* 0: the SYN was not seen */
	__u64 est_ns;		/* joined the accept queue */
	__u64 listener;
	__u32 synack_retrans;
	__u32 peer_fin;		/* the client closed its side while queued */
};

/* What the listener's ingress saw of the SYN this CPU is processing, for
 * the request sock's sockops callbacks that follow in the same softirq. */
struct syn_stash {
	struct accept_flow flow;
	__u64 listener;
	__u64 ts_ns;
	__u32 undo;		/* counter to take back if a request sock comes;
				 * ACC_COUNTER_MAX for none */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ACCEPT_DEFAULT_MAX_LISTENERS);
	__type(key, __u64);
	__type(value, struct accept_listener);
} listeners SEC(".maps");

/* A zeroed listener value to insert from: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct accept_listener);
} zero_listener SEC(".maps");

/* Not LRU: an eviction would lose a connection silently; full is counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ACCEPT_DEFAULT_MAX_PENDING);
	__type(key, struct accept_flow);
	__type(value, struct accept_handshake);
} handshakes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ACCEPT_DEFAULT_MAX_PENDING);
	__type(key, __u64);
	__type(value, struct accept_queued);
} queued SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syn_stash);
} syn_stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACCEPT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void counter_add(struct accept_listener *l, int counter)
{
	if (counter >= 0 && counter < ACC_COUNTER_MAX)
		__sync_fetch_and_add(&l->counters[counter], 1);
}

static __always_inline bool lport_matches(__u16 lport)
{
	if (!targ_nlports)
		return true;
	for (__u32 i = 0; i < ACCEPT_MAX_LPORTS; i++) {
		if (i >= targ_nlports)
			break;
		if (targ_lports[i] == lport)
			return true;
	}
	return false;
}

/* Filters on the connection's local side, fixed from its SYN on. */
static __always_inline bool flow_matches(const struct accept_flow *flow)
{
	int len = flow->family == AF_INET ? 4 : 16;

	if (targ_family && flow->family != targ_family)
		return false;
	if (!lport_matches(flow->lport))
		return false;
	if (targ_laddr_family) {
		if (flow->family != targ_laddr_family)
			return false;
		for (int i = 0; i < 16; i++)
			if (i < len && flow->laddr[i] != targ_laddr[i])
				return false;
	}
	return true;
}

static __always_inline bool flow_equal(const struct accept_flow *a, const struct accept_flow *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	for (int i = 0; i < sizeof(*a) / 8; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* ---- the listener's side: packets, request socks, cookies ---- */

/*
 * The listener's table entry, created on its first packet, its identity
 * refreshed on every SYN (a second listen() may change the backlog). Direct
 * reads only: cgroup_skb programs have BTF pointers but no probe reads on
 * 5.10.
 */
static __always_inline struct accept_listener *listener_get_cg(struct tcp_sock *tp, __u64 key)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct accept_listener *l;

	l = hist_table_get(&listeners, &key, &zero_listener);
	if (!l) {
		stat_inc(&stats, ACCEPT_STAT_LISTENERS_FULL);
		return NULL;
	}
	l->id.family = sk->__sk_common.skc_family;
	l->id.lport = sk->__sk_common.skc_num;
	l->id.netns = (__u64)sk->__sk_common.skc_net.net;
	l->id.backlog = sk->sk_max_ack_backlog;
	if (l->id.family == AF_INET) {
		__u32 a = sk->__sk_common.skc_rcv_saddr;

		__builtin_memcpy(l->id.laddr, &a, 4);
	} else {
		struct in6_addr a6 = sk->__sk_common.skc_v6_rcv_saddr;

		__builtin_memcpy(l->id.laddr, &a6, 16);
	}
	return l;
}

/* The flow and TCP flags of a packet as it reaches a socket (data at the
 * network header). */
static __always_inline int parse_packet(struct __sk_buff *skb, struct accept_flow *flow,
					__u8 *flags)
{
	__u8 tcp[14];
	__u32 off;

	__builtin_memset(flow, 0, sizeof(*flow));
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP)
			return -1;
		off = (ip.ihl & 0xf) * 4;
		flow->family = AF_INET;
		__builtin_memcpy(flow->laddr, &ip.daddr, 4);
		__builtin_memcpy(flow->raddr, &ip.saddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)) || ip6.nexthdr != IPPROTO_TCP)
			return -1;
		off = sizeof(ip6);
		flow->family = AF_INET6;
		__builtin_memcpy(flow->laddr, &ip6.daddr, 16);
		__builtin_memcpy(flow->raddr, &ip6.saddr, 16);
	} else {
		return -1;
	}
	if (bpf_skb_load_bytes(skb, off, tcp, sizeof(tcp)))
		return -1;
	flow->rport = (tcp[0] << 8) | tcp[1];
	flow->lport = (tcp[2] << 8) | tcp[3];
	*flags = tcp[13];
	return 0;
}

/*
 * A packet reaches a listener: a SYN (new connection), or an ACK that
 * completes a handshake (its request sock, or a SYN cookie). The kernel
 * decides right after, in tcp_conn_request() and tcp_v{4,6}_syn_recv_sock(),
 * with these same tests: a SYN is dropped when the request queue is full and
 * SYN cookies are off; a SYN or a final ACK is an overflow (and a drop) when
 * the accept queue is full (sk_acceptq_is_full: more than the backlog).
 */
static __always_inline void on_listener_packet(struct __sk_buff *skb, struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	struct accept_handshake *h;
	struct accept_listener *l;
	struct accept_flow flow;
	struct syn_stash *stash;
	__u64 key = (__u64)tp;
	__u32 zero = 0, qlen, backlog;
	bool acceptq_full, ambiguous;
	__u8 flags, syncookies;
	__u32 undo;

	if (parse_packet(skb, &flow, &flags))
		return;
	flow.netns = (__u64)sk->__sk_common.skc_net.net;
	if (!flow_matches(&flow))
		return;
	backlog = sk->sk_max_ack_backlog;
	acceptq_full = sk->sk_ack_backlog > backlog;
	h = bpf_map_lookup_elem(&handshakes, &flow);

	if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_SYN) {
		/* A SYN for a live request sock is a retransmit: the request
		 * answers it, the listener's queues are not involved. */
		if (h && !h->cookie)
			return;
		l = listener_get_cg(tp, key);
		if (!l)
			return;
		qlen = tp->inet_conn.icsk_accept_queue.qlen.counter;
		syncookies = sk->__sk_common.skc_net.net->ipv4.sysctl_tcp_syncookies;
		/* The request queue is full at qlen >= backlog on kernels before
		 * 2025's fix, at qlen > backlog after it (stable trees too): at
		 * qlen == backlog the drop or cookie counted here is taken back
		 * if a request sock follows. */
		ambiguous = syncookies != 2 && qlen == backlog;
		undo = ACC_COUNTER_MAX;
		if ((syncookies == 2 || qlen >= backlog) && !syncookies) {
			counter_add(l, ACC_DROPS);
			if (!ambiguous)
				return;
			undo = ACC_DROPS;
		} else if (acceptq_full) {
			counter_add(l, ACC_OVERFLOWS);
			counter_add(l, ACC_DROPS);
			return;
		} else if (syncookies == 2 || qlen >= backlog) {
			/* Answered with a cookie: the kernel keeps nothing, the
			 * table keeps the SYN's time for the final ACK. */
			struct accept_handshake fresh = {
				.syn_ns = bpf_ktime_get_ns(), .listener = key, .cookie = 1 };

			counter_add(l, ACC_SYNCOOKIES);
			if (bpf_map_update_elem(&handshakes, &flow, &fresh, BPF_NOEXIST) &&
			    !bpf_map_lookup_elem(&handshakes, &flow))
				stat_inc(&stats, ACCEPT_STAT_PENDING_FULL);
			if (!ambiguous)
				return;
			undo = ACC_SYNCOOKIES;
		}
		stash = bpf_map_lookup_elem(&syn_stash, &zero);
		if (!stash)
			return;
		stash->flow = flow;
		stash->listener = key;
		stash->ts_ns = bpf_ktime_get_ns();
		stash->undo = undo;
		return;
	}
	if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_ACK && h &&
	    acceptq_full) {
		l = bpf_map_lookup_elem(&listeners, &h->listener);
		if (!l)
			return;
		counter_add(l, ACC_OVERFLOWS);
		counter_add(l, ACC_DROPS);
	}
}

SEC("cgroup_skb/ingress")
int cg_listener_ingress(struct __sk_buff *skb)
{
	struct bpf_sock *bsk = skb->sk;
	struct tcp_sock *tp;

	/* Every packet delivered to a socket of the cgroup passes here: the
	 * state test is the fast exit for all but listeners (protocol needs a
	 * full sock; bpf_skc_to_tcp_sock tests it). */
	if (!bsk || bsk->state != BPF_TCP_LISTEN)
		return 1;
	tp = bpf_skc_to_tcp_sock(bsk);
	if (tp)
		on_listener_packet(skb, tp);
	return 1;
}

static __always_inline void flow_from_sockops(const struct bpf_sock_ops *skops,
					      struct accept_flow *flow, __u64 netns)
{
	__builtin_memset(flow, 0, sizeof(*flow));
	flow->family = skops->family;
	if (flow->family == AF_INET) {
		__u32 l = skops->local_ip4, r = skops->remote_ip4;

		__builtin_memcpy(flow->laddr, &l, 4);
		__builtin_memcpy(flow->raddr, &r, 4);
	} else {
		__u32 l6[4] = { skops->local_ip6[0], skops->local_ip6[1], skops->local_ip6[2],
				skops->local_ip6[3] };
		__u32 r6[4] = { skops->remote_ip6[0], skops->remote_ip6[1], skops->remote_ip6[2],
				skops->remote_ip6[3] };

		__builtin_memcpy(flow->laddr, l6, 16);
		__builtin_memcpy(flow->raddr, r6, 16);
	}
	flow->lport = skops->local_port;
	flow->rport = bpf_ntohl(skops->remote_port);
	flow->netns = netns;
}

/*
 * tcp_conn_request() queues a request sock for a SYN that passed and calls
 * TIMEOUT_INIT on it. The listener and the SYN's time come from this CPU's
 * stash, which the ingress program filled moments ago.
 */
SEC("sockops")
int cg_sockops_req(struct bpf_sock_ops *skops)
{
	struct accept_handshake fresh = {};
	struct accept_listener *l;
	struct accept_flow flow;
	struct syn_stash *stash;
	__u32 zero = 0, undo;

	if (skops->is_fullsock || skops->op != BPF_SOCK_OPS_TIMEOUT_INIT)
		return 1;
	stash = bpf_map_lookup_elem(&syn_stash, &zero);
	if (!stash || !stash->listener)
		return 1;
	flow_from_sockops(skops, &flow, stash->flow.netns);
	if (!flow_equal(&flow, &stash->flow)) {
		stat_inc(&stats, ACCEPT_STAT_UNMATCHED_REQ);
		return 1;
	}
	fresh.syn_ns = stash->ts_ns;
	fresh.listener = stash->listener;
	undo = stash->undo;
	/* The SYN is consumed: a stale stash must not match a later one. */
	stash->listener = 0;
	if (bpf_map_update_elem(&handshakes, &flow, &fresh, BPF_ANY))
		stat_inc(&stats, ACCEPT_STAT_PENDING_FULL);
	l = bpf_map_lookup_elem(&listeners, &fresh.listener);
	if (!l)
		return 1;
	counter_add(l, ACC_SYN_QUEUED);
	if (undo < ACC_COUNTER_MAX)
		__sync_fetch_and_add(&l->counters[undo], (__u64)-1);
	return 1;
}

/* ---- the child's side: SYN-ACK retransmits, the queue, accept() ---- */

/* The flow of a request sock or a child socket, as the handshake table
 * keys it. */
static __always_inline void flow_from_sock(const struct sock *sk, struct accept_flow *flow,
					   bool *v4mapped)
{
	__builtin_memset(flow, 0, sizeof(*flow));
	flow->family = sock_family(sk, v4mapped);
	sock_addrs(sk, flow->family, flow->laddr, flow->raddr);
	flow->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	flow->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	flow->netns = (__u64)BPF_CORE_READ(sk, __sk_common.skc_net.net);
}

static __always_inline void on_synack_retrans(const struct sock *listener,
					      const struct request_sock *req)
{
	struct accept_handshake *h;
	struct accept_listener *l;
	struct accept_flow flow;
	__u64 key = (__u64)listener;
	bool v4mapped;

	flow_from_sock((const struct sock *)req, &flow, &v4mapped);
	h = bpf_map_lookup_elem(&handshakes, &flow);
	if (!h)
		return;
	__sync_fetch_and_add(&h->synack_retrans, 1);
	l = bpf_map_lookup_elem(&listeners, &key);
	if (l)
		counter_add(l, ACC_SYNACK_RETRANS);
}

/* The final ACK made the child and put it in the accept queue; it goes
 * ESTABLISHED right after (tcp_child_process), before the listener wakes. */
static __always_inline void on_child_established(const struct sock *sk)
{
	struct accept_queued q = {};
	struct accept_handshake *h;
	struct accept_listener *l;
	struct accept_flow flow;
	__u64 key = (__u64)sk, now;
	const struct sock *lsk;
	__u32 qlen;
	bool v4mapped;

	flow_from_sock(sk, &flow, &v4mapped);
	h = bpf_map_lookup_elem(&handshakes, &flow);
	if (!h || h->child)
		return;		/* not a listener we trace */
	now = bpf_ktime_get_ns();
	q.syn_ns = h->syn_ns;
	q.est_ns = now;
	q.listener = h->listener;
	q.synack_retrans = h->synack_retrans;
	h->child = 1;
	if (bpf_map_update_elem(&queued, &key, &q, BPF_ANY)) {
		stat_inc(&stats, ACCEPT_STAT_PENDING_FULL);
		return;
	}
	l = bpf_map_lookup_elem(&listeners, &q.listener);
	if (!l)
		return;
	counter_add(l, ACC_ESTABLISHED);
	lat_hist_record(&l->hs, (now - q.syn_ns) / 1000, false);
	lsk = (const struct sock *)q.listener;
	qlen = BPF_CORE_READ(lsk, sk_ack_backlog);
	if (l->qlen_peak_epoch != qlen_epoch) {
		l->qlen_peak_epoch = qlen_epoch;
		l->qlen_peak = qlen;
	} else if (qlen > l->qlen_peak) {
		l->qlen_peak = qlen;
	}
}

/* The child left the queue: its handshake entry goes too. */
static __always_inline void forget_queued(const struct sock *sk, __u64 key)
{
	struct accept_flow flow;
	bool v4mapped;

	flow_from_sock(sk, &flow, &v4mapped);
	bpf_map_delete_elem(&handshakes, &flow);
	bpf_map_delete_elem(&queued, &key);
}

static __always_inline void emit(const struct sock *sk, const struct accept_queued *q,
				 __u32 outcome, __u64 now, __u32 pid)
{
	struct accept_event *e;
	bool v4mapped;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(&stats, ACCEPT_STAT_RINGBUF_DROPS);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = now;
	e->hs_known = q->syn_ns != 0;
	e->hs_ns = q->syn_ns ? q->est_ns - q->syn_ns : 0;
	e->wait_ns = now - q->est_ns;
	e->listener = q->listener;
	e->pid = pid;
	e->outcome = outcome;
	e->family = sock_family(sk, &v4mapped);
	e->v4mapped = v4mapped;
	sock_addrs(sk, e->family, e->laddr, e->raddr);
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->synack_retrans = q->synack_retrans;
	if (pid)
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	ringbuf_submit_batched(&events, e, 64 * sizeof(*e));
}

static __always_inline void on_accept(const struct sock *sk)
{
	struct accept_queued *q;
	struct accept_listener *l;
	__u64 key = (__u64)sk, now;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	q = bpf_map_lookup_elem(&queued, &key);
	if (!q)
		return;
	now = bpf_ktime_get_ns();
	l = bpf_map_lookup_elem(&listeners, &q->listener);
	if (l) {
		counter_add(l, ACC_ACCEPTED);
		lat_hist_record(&l->wait, (now - q->est_ns) / 1000, false);
		if (!l->id.owner_pid) {
			l->id.owner_pid = pid;
			bpf_get_current_comm(l->id.owner_comm, sizeof(l->id.owner_comm));
		}
	}
	if (!q->syn_ns)
		stat_inc(&stats, ACCEPT_STAT_NO_SYN);
	if (emit_events && (!targ_tgid || pid == targ_tgid)) {
		stat_inc(&stats, ACCEPT_STAT_SEEN);
		if (now - (q->syn_ns ? q->syn_ns : q->est_ns) < targ_min_ns)
			stat_inc(&stats, ACCEPT_STAT_BELOW_MIN);
		else
			emit(sk, q, ACCEPT_OK, now, pid);
	}
	forget_queued(sk, key);
}

/* A queued child changes state without accept() having been seen. */
static __always_inline void on_queued_change(const struct sock *sk, int newstate)
{
	struct accept_listener *l;
	struct accept_queued *q;
	__u64 key = (__u64)sk, now;
	__u32 outcome;
	int err;

	q = bpf_map_lookup_elem(&queued, &key);
	if (!q)
		return;
	if (newstate == TCP_CLOSE_WAIT) {
		q->peer_fin = 1;
		return;
	}
	l = bpf_map_lookup_elem(&listeners, &q->listener);
	/* Only its owner closes an accepted socket (FIN_WAIT1, LAST_ACK), and
	 * one that still has its struct socket was accepted: by a path not
	 * hooked (io_uring, a compat syscall). */
	if (newstate != TCP_CLOSE || BPF_CORE_READ(sk, sk_socket)) {
		stat_inc(&stats, ACCEPT_STAT_ACCEPT_UNSEEN);
		if (l)
			counter_add(l, ACC_ACCEPTED);
		forget_queued(sk, key);
		return;
	}
	err = BPF_CORE_READ(sk, sk_err);
	if (l && l->closed)
		outcome = ACCEPT_LISTENER_CLOSED;
	else if (err == ECONNRESET || err == EPIPE)
		outcome = ACCEPT_RESET;
	else
		outcome = ACCEPT_CLOSED;
	if (l)
		counter_add(l, ACC_FAILED);
	if (emit_events && !targ_tgid) {
		stat_inc(&stats, ACCEPT_STAT_SEEN);
		now = bpf_ktime_get_ns();
		if (report_failed)
			emit(sk, q, outcome, now, 0);
		else
			stat_inc(&stats, ACCEPT_STAT_FAILED_HIDDEN);
	}
	forget_queued(sk, key);
}

/*
 * listen(): the owner is the caller (process context). A closed entry left
 * at this address (a socket freed and reused) starts afresh. The identity
 * waits for the first SYN, which fills it from the listener as the kernel
 * then has it (an unbound listener gets its port only after this).
 */
static __always_inline void on_listen(const struct sock *sk)
{
	struct accept_listener *l;
	__u64 key = (__u64)sk;
	__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);

	l = bpf_map_lookup_elem(&listeners, &key);
	if (l && l->closed) {
		bpf_map_delete_elem(&listeners, &key);
		l = NULL;
	}
	if (!lport || !lport_matches(lport))
		return;
	if (!l) {
		l = hist_table_get(&listeners, &key, &zero_listener);
		if (!l) {
			stat_inc(&stats, ACCEPT_STAT_LISTENERS_FULL);
			return;
		}
		l->id.family = BPF_CORE_READ(sk, __sk_common.skc_family);
		l->id.lport = lport;
	}
	l->id.owner_pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(l->id.owner_comm, sizeof(l->id.owner_comm));
}

static __always_inline void on_state_change(const struct sock *sk, int oldstate, int newstate)
{
	struct accept_listener *l;
	__u64 key = (__u64)sk;

	switch (oldstate) {
	case TCP_LISTEN:
		if (newstate != TCP_CLOSE)
			return;
		l = bpf_map_lookup_elem(&listeners, &key);
		if (l)
			l->closed = 1;
		return;
	case TCP_SYN_RECV:
		if (newstate == TCP_ESTABLISHED)
			on_child_established(sk);
		return;
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		on_queued_change(sk, newstate);
		return;
	default:
		if (newstate == TCP_LISTEN)
			on_listen(sk);
		return;
	}
}

/* The socket of file descriptor fd of the current task, or NULL. */
static __always_inline const struct sock *fd_sock(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct socket *sock;
	struct file *file;

	if (fd < 0 || fd >= max)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

#if defined(__TARGET_ARCH_x86)
#define NR_ACCEPT	43
#define NR_ACCEPT4	288
#define SYSCALL_NR(regs) ((regs)->orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_ACCEPT	202
#define NR_ACCEPT4	242
#define SYSCALL_NR(regs) ((regs)->syscallno)
#else
#error "tcplat accept: syscall numbers of accept/accept4 unknown for this architecture"
#endif

/* Every syscall of the host exits through here while it is attached: the
 * return value and the number are the fast exit (bench/accept_overhead.sh
 * measures what it costs). */
SEC("tp_btf/sys_exit")
int BPF_PROG(tp_sys_exit, struct pt_regs *regs, long ret)
{
	const struct sock *sk;
	long nr;

	if (ret < 0)
		return 0;
	nr = SYSCALL_NR(regs);
	if (nr != NR_ACCEPT && nr != NR_ACCEPT4)
		return 0;
	sk = fd_sock(ret);
	if (sk)
		on_accept(sk);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tp_inet_sock_set_state, const struct sock *sk, const int oldstate,
	     const int newstate)
{
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	on_state_change(sk, oldstate, newstate);
	return 0;
}

SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(tp_tcp_retransmit_synack, const struct sock *sk, const struct request_sock *req)
{
	on_synack_retrans(sk, req);
	return 0;
}

SEC("fexit/inet_accept")
int BPF_PROG(fexit_inet_accept, struct socket *sock, struct socket *newsock)
{
	const struct sock *sk = BPF_CORE_READ(newsock, sk);

	if (sk)
		on_accept(sk);
	return 0;
}

SEC("fentry/tcp_set_state")
int BPF_PROG(fentry_tcp_set_state, struct sock *sk, int state)
{
	on_state_change(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

SEC("fentry/inet_csk_listen_start")
int BPF_PROG(fentry_inet_csk_listen_start, struct sock *sk)
{
	on_listen(sk);
	return 0;
}

SEC("fentry/tcp_rtx_synack")
int BPF_PROG(fentry_tcp_rtx_synack, const struct sock *sk, struct request_sock *req)
{
	on_synack_retrans(sk, req);
	return 0;
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(kretprobe_inet_csk_accept, struct sock *sk)
{
	if (sk)
		on_accept(sk);
	return 0;
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(kprobe_tcp_set_state, struct sock *sk, int state)
{
	on_state_change(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
	return 0;
}

SEC("kprobe/inet_csk_listen_start")
int BPF_KPROBE(kprobe_inet_csk_listen_start, struct sock *sk)
{
	on_listen(sk);
	return 0;
}

SEC("kprobe/tcp_rtx_synack")
int BPF_KPROBE(kprobe_tcp_rtx_synack, const struct sock *sk, struct request_sock *req)
{
	on_synack_retrans(sk, req);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
