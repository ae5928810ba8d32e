/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What rtt.bpf.c (the samples) and rtt_iter.bpf.c (the walk of the sockets
 * that existed before the start) must decide the same way: a socket's flow
 * key, the connection filters, the cgroup test. Each object has its own
 * read-only copy of the filters, set from the same struct by user space.
 */
#ifndef TCPLAT_RTT_SOCK_BPF_H
#define TCPLAT_RTT_SOCK_BPF_H

#include "tcplat.bpf.h"
#include "rtt.h"

#define TCP_STATE_BIT(s) (1U << (s))

const volatile struct rtt_conn_filter conn = {};

static __always_inline bool addr_equal(const __u8 *a, const volatile __u8 *b, __u16 family)
{
	int len = family == AF_INET ? 4 : 16;

	for (int i = 0; i < 16; i++)
		if (i < len && a[i] != b[i])
			return false;
	return true;
}

/* Connection filters: fixed for a socket's lifetime. A dual-stack socket
 * with an IPv4-mapped peer has family AF_INET here (sock_family()). */
static __always_inline bool flow_matches(const struct rtt_key *flow)
{
	if (conn.family && flow->family != conn.family)
		return false;
	if (conn.lport && flow->lport != conn.lport)
		return false;
	if (conn.rport && flow->rport != conn.rport)
		return false;
	if (conn.laddr_family && (flow->family != conn.laddr_family ||
				  !addr_equal(flow->laddr, conn.laddr, flow->family)))
		return false;
	if (conn.raddr_family && (flow->family != conn.raddr_family ||
				  !addr_equal(flow->raddr, conn.raddr, flow->family)))
		return false;
	return true;
}

static __always_inline void flow_from_sock(const struct sock *sk, struct rtt_key *flow)
{
	bool v4mapped;

	__builtin_memset(flow, 0, sizeof(*flow));
	flow->family = sock_family(sk, &v4mapped);
	flow->v4mapped = v4mapped;
	flow->lport = sock_lport(sk);
	flow->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	sock_addrs(sk, flow->family, flow->laddr, flow->raddr);
}

/* Layouts of older kernels, for CO-RE: cgroup ancestors by id (5.15 to
 * 6.1) and the socket's cgroup as a tagged word (before 5.15). */
struct cgroup___ids {
	int level;
	__u64 ancestor_ids[0];
} __attribute__((preserve_access_index));

struct sock_cgroup_data___word {
	__u64 val;
} __attribute__((preserve_access_index));

struct sock___word {
	struct sock_cgroup_data___word sk_cgrp_data;
} __attribute__((preserve_access_index));

/* Is the socket's cgroup conn.cg_id or below it? */
static __always_inline bool sock_in_cgroup(const struct sock *sk)
{
	/* A local copy: inside bpf_core_read()'s expression, conn.cg_level
	 * would get a CO-RE relocation against a struct the kernel lacks. */
	__u32 want = conn.cg_level;
	struct cgroup *cg, *ancestor;
	__u64 id, word;
	int level;

	if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup)) {
		cg = BPF_CORE_READ(sk, sk_cgrp_data.cgroup);
	} else {
		/* Bit 0 set: the word holds net_cls/prio data, no cgroup. */
		word = BPF_CORE_READ((const struct sock___word *)sk, sk_cgrp_data.val);
		cg = word & 1 ? NULL : (struct cgroup *)word;
	}
	if (!cg)
		return false;
	level = BPF_CORE_READ(cg, level);
	if (level < want || want >= 64)
		return false;
	if (bpf_core_field_exists(cg->ancestors)) {
		if (bpf_core_read(&ancestor, sizeof(ancestor), &cg->ancestors[want]))
			return false;
		id = BPF_CORE_READ(ancestor, kn, id);
	} else {
		struct cgroup___ids *old = (void *)cg;

		if (bpf_core_read(&id, sizeof(id), &old->ancestor_ids[want]))
			return false;
	}
	return id == conn.cg_id;
}

#endif /* TCPLAT_RTT_SOCK_BPF_H */
