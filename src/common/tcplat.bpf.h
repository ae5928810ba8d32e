/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every tcplat BPF object shares: the constants vmlinux.h cannot carry
 * (macros are not in BTF), the per-CPU counter bump, and reading a socket's
 * addresses the same way everywhere.
 */
#ifndef TCPLAT_BPF_H
#define TCPLAT_BPF_H

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define EEXIST		17

/* Bumps one slot of a per-CPU counter array. Atomic even so: a program in
 * process context can be interrupted by a softirq running one on the same
 * CPU. */
static __always_inline void stat_inc(void *map, __u32 slot)
{
	__u64 *val = bpf_map_lookup_elem(map, &slot);

	if (val)
		__sync_fetch_and_add(val, 1);
}

/*
 * Submits a ring buffer record, waking the reader only once a batch of
 * batch_bytes is waiting. A wakeup per record is most of a tracer's BPF
 * cost (an interrupt to self; on a VM, an exit to the hypervisor); the
 * reader also polls every EVLOOP_RINGBUF_POLL_MS, so no record waits longer.
 */
static __always_inline void ringbuf_submit_batched(void *ringbuf, void *record, __u64 batch_bytes)
{
	__u64 flags = bpf_ringbuf_query(ringbuf, BPF_RB_AVAIL_DATA) >= batch_bytes ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	bpf_ringbuf_submit(record, flags);
}

/*
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d), in network order. A dual-stack
 * socket (AF_INET6 talking to an IPv4 peer: Java's default, and many other
 * runtimes') carries its peer this way.
 */
static __always_inline bool addr_is_v4mapped(const __u32 *a6)
{
	return a6[0] == 0 && a6[1] == 0 && a6[2] == bpf_htonl(0xffff);
}

/*
 * Reads a kernel field into *dst: a plain load where the program's pointers
 * are BTF-typed (fentry, tp_btf: the verifier checks it, the JIT makes it a
 * guarded load), bpf_probe_read_kernel() where they are not (kprobe). btf is
 * a constant wherever it is used, so each twin keeps one of the two.
 */
#define KREAD_INTO(btf, dst, src)						\
	do {									\
		if (btf)							\
			*(dst) = (src);						\
		else								\
			bpf_core_read((dst), sizeof(*(dst)), &(src));		\
	} while (0)

/*
 * The family the user means: AF_INET for an AF_INET6 socket whose peer is
 * IPv4-mapped (then *v4mapped is set), so that -4, the address filters and
 * the keys treat it as the IPv4 connection it is on the wire. The kernel
 * keeps the plain IPv4 addresses of such a socket in skc_daddr and
 * skc_rcv_saddr (tcp_v4_connect sets them before SYN_SENT; the passive side
 * when it creates the child), so sock_addrs() reads those for it.
 */
static __always_inline __u16 __sock_family(const struct sock *sk, bool *v4mapped, const bool btf)
{
	__u16 family;
	__u32 daddr6[4];

	KREAD_INTO(btf, &family, sk->__sk_common.skc_family);
	*v4mapped = false;
	if (family != AF_INET6)
		return family;
	KREAD_INTO(btf, (struct in6_addr *)daddr6, sk->__sk_common.skc_v6_daddr);
	if (!addr_is_v4mapped(daddr6))
		return family;
	*v4mapped = true;
	return AF_INET;
}

static __always_inline __u16 sock_family(const struct sock *sk, bool *v4mapped)
{
	return __sock_family(sk, v4mapped, false);
}

/* The remote address of a socket, 16 bytes, IPv4 in the first 4; family as
 * sock_family() gives it. */
static __always_inline void __sock_raddr(const struct sock *sk, __u16 family, __u8 *raddr,
					 const bool btf)
{
	if (family == AF_INET)
		KREAD_INTO(btf, (__u32 *)raddr, sk->__sk_common.skc_daddr);
	else
		KREAD_INTO(btf, (struct in6_addr *)raddr, sk->__sk_common.skc_v6_daddr);
}

/* Local and remote address of a socket, as __sock_raddr(). */
static __always_inline void __sock_addrs(const struct sock *sk, __u16 family, __u8 *laddr,
					 __u8 *raddr, const bool btf)
{
	if (family == AF_INET)
		KREAD_INTO(btf, (__u32 *)laddr, sk->__sk_common.skc_rcv_saddr);
	else
		KREAD_INTO(btf, (struct in6_addr *)laddr, sk->__sk_common.skc_v6_rcv_saddr);
	__sock_raddr(sk, family, raddr, btf);
}

static __always_inline void sock_addrs(const struct sock *sk, __u16 family, __u8 *laddr,
				       __u8 *raddr)
{
	__sock_addrs(sk, family, laddr, raddr, false);
}

/* The local port, host order. From inet_sport, not skc_num: on the way to
 * CLOSE the port is released (skc_num zeroed) before inet_sock_set_state
 * fires. */
static __always_inline __u16 sock_lport(const struct sock *sk)
{
	return bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
}

#endif /* TCPLAT_BPF_H */
