// SPDX-License-Identifier: GPL-2.0
/*
 * The TCP sockets that existed before `tcplat rtt` started, walked by a tcp
 * iterator. An iterator sees the network namespace of the process that
 * created it; rtt_iter.c enters each namespace in turn.
 *
 *   RTT_ITER_ENROL (once, at start-up): -p records the owner of the sockets
 *     the process holds (pid_sockets: their inodes, from /proc/PID/fd). On
 *     the tracepoint backend (enrol), each matching socket gets the RTT
 *     callback turned on with bpf_setsockopt(TCP_BPF_SOCK_OPS_CB_FLAGS):
 *     bpf_setsockopt in tcp iterators needs 5.15, that option 6.12. Where
 *     the kernel refuses, the socket goes into `standin`, for rtt.bpf.c's
 *     tcp_probe stand-in.
 *   RTT_ITER_COUNT (after an interval without samples): count only, so
 *     that tcplat can say why there was none.
 *
 * Both count the sockets that pass the connection filters (the same ones
 * rtt.bpf.c applies, from rtt_sock.bpf.h) and those with data in flight.
 * owners and standin are rtt.bpf.c's maps, reused by fd.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "rtt_sock.bpf.h"

#define SOL_TCP				6
#define RTT_TCP_BPF_SOCK_OPS_CB_FLAGS	1008	/* uapi TCP_BPF_SOCK_OPS_CB_FLAGS, 6.12 */

/* States in which a socket can still have data of its own in flight, so
 * that an ACK may yield an RTT sample. */
#define DATA_STATES                                                                              \
	(TCP_STATE_BIT(TCP_ESTABLISHED) | TCP_STATE_BIT(TCP_FIN_WAIT1) |                         \
	 TCP_STATE_BIT(TCP_CLOSE_WAIT) | TCP_STATE_BIT(TCP_CLOSING) | TCP_STATE_BIT(TCP_LAST_ACK))

/* Set before load. can_setsockopt: whether this kernel lets a tcp iterator
 * call bpf_setsockopt; when false the verifier never sees the call (dead
 * code under a read-only value), so the object loads on older kernels. */
const volatile bool can_setsockopt = false;
const volatile bool enrol = false;		/* tracepoint backend */

/* Set by user space before each walk; read back after it. */
__u32 op = RTT_ITER_COUNT;
struct rtt_owner pid_owner = {};		/* -p: the owner to record */
struct rtt_iter_result result = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_OWNERS);
	__type(key, __u64);
	__type(value, struct rtt_owner);
} owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_OWNERS);
	__type(key, __u64);
	__type(value, struct rtt_standin);
} standin SEC(".maps");

/* -p: inodes of the sockets the process holds, filled by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RTT_DEFAULT_MAX_OWNERS);
	__type(key, __u64);
	__type(value, __u8);
} pid_sockets SEC(".maps");

/* The inode /proc/PID/fd names as socket:[N]. struct socket is the first
 * member of struct socket_alloc, so the cast is its container_of. */
static __always_inline __u64 sock_ino(const struct sock *sk)
{
	struct socket *sock = BPF_CORE_READ(sk, sk_socket);

	if (!sock)
		return 0;
	return BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino);
}

/*
 * -p for a socket whose connect tcplat never saw: at start-up, a socket the
 * process holds open becomes its own (who connected it is not known);
 * later, the owners table decides, as it does for the samples.
 */
static __always_inline bool owned_by_target(const struct sock *sk, __u64 key)
{
	struct rtt_owner *owner;
	__u64 ino;

	if (op == RTT_ITER_ENROL) {
		ino = sock_ino(sk);
		if (ino && bpf_map_lookup_elem(&pid_sockets, &ino)) {
			if (bpf_map_update_elem(&owners, &key, &pid_owner, BPF_ANY)) {
				result.owners_full++;
				return false;
			}
			return true;
		}
	}
	owner = bpf_map_lookup_elem(&owners, &key);
	return owner && owner->pid == conn.tgid;
}

static __always_inline void enrol_sock(struct tcp_sock *tp, __u64 key)
{
	struct rtt_standin s = {};
	int flags = BPF_CORE_READ(tp, bpf_sock_ops_cb_flags);
	long err;

	if (flags & BPF_SOCK_OPS_RTT_CB_FLAG) {
		result.already++;
		return;
	}
	if (can_setsockopt) {
		flags |= BPF_SOCK_OPS_RTT_CB_FLAG;
		err = bpf_setsockopt(tp, SOL_TCP, RTT_TCP_BPF_SOCK_OPS_CB_FLAGS, &flags,
				     sizeof(flags));
		if (!err) {
			result.enrolled++;
			return;
		}
		if (!result.setsockopt_err)
			result.setsockopt_err = err;
	}
	s.rtt_seq = BPF_CORE_READ(tp, rtt_seq);
	if (bpf_map_update_elem(&standin, &key, &s, BPF_ANY))
		result.standin_full++;
	else
		result.standin++;
}

SEC("iter/tcp")
int iter_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	struct rtt_key flow;
	struct tcp_sock *tp;
	struct sock *sk;
	__u64 key;

	if (!skc)
		return 0;
	/* NULL for request and time-wait sockets. */
	tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	sk = (struct sock *)tp;
	if (!(TCP_STATE_BIT(BPF_CORE_READ(sk, __sk_common.skc_state)) & DATA_STATES))
		return 0;
	flow_from_sock(sk, &flow);
	if (!flow_matches(&flow))
		return 0;
	if (conn.filter_cgroup && !sock_in_cgroup(sk))
		return 0;
	key = (__u64)sk;
	if (conn.tgid && !owned_by_target(sk, key))
		return 0;
	result.matched++;
	if (BPF_CORE_READ(tp, packets_out))
		result.busy++;
	if (enrol && op == RTT_ITER_ENROL)
		enrol_sock(tp, key);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
