/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between rtt.bpf.c and the user side of `tcplat rtt`: the
 * histogram every map holds, the keys of the --by tables, the --detail
 * event, the stat slots, and the bucket math both sides must agree on.
 * Fixed-width __u types only.
 */
#ifndef TCPLAT_RTT_H
#define TCPLAT_RTT_H

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

/* bcc-style log2 slots of the display unit (us or ms): slot 0 is 0..1,
 * slot k is 2^k .. 2^(k+1)-1. */
#define RTT_LOG2_SLOTS		32
/*
 * Log-linear buckets of microseconds, for percentiles: values below
 * 2^RTT_SUB_BITS have a bucket each; every power of two above is cut into
 * 2^RTT_SUB_BITS equal parts, so a bucket is at most 1/16 = 6.25% of its
 * lower bound wide and an interpolated percentile is within a few percent.
 */
#define RTT_SUB_BITS		4
#define RTT_SUB_COUNT		(1U << RTT_SUB_BITS)
#define RTT_FINE_SLOTS		((32 - RTT_SUB_BITS + 1) * RTT_SUB_COUNT)

#define RTT_DEFAULT_MAX_KEYS	1024	/* --by tables */
#define RTT_DEFAULT_MAX_OWNERS	16384	/* sockets whose owner we know */

/* One histogram. Cumulative: the kernel only ever adds; user space shows
 * an interval as the difference of two snapshots. */
struct rtt_hist {
	__u64 count;
	__u64 sum_us;
	__u64 log2[RTT_LOG2_SLOTS];
	__u64 fine[RTT_FINE_SLOTS];
	__u32 closed;		/* --by flow: the connection closed; user space
				 * removes the entry after its last interval */
	__u32 pad;
};

enum rtt_mode {
	RTT_MODE_HIST,		/* one histogram */
	RTT_MODE_BY_RADDR,
	RTT_MODE_BY_RPORT,
	RTT_MODE_BY_FLOW,
	RTT_MODE_DETAIL,	/* one event per sample, ring buffer */
};

/* Key of the --by tables; fields the mode does not use stay zero. */
struct rtt_key {
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 lport;		/* host byte order */
	__u16 rport;
	__u16 pad;
};

struct rtt_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() of the sample */
	struct rtt_key flow;
	__u32 rtt_us;		/* the sample fed to the estimator */
	__u32 srtt_us;		/* smoothed RTT after this sample */
	__u32 min_rtt_us;	/* the kernel's windowed minimum RTT */
	__u32 pid;		/* socket owner, 0 if not known */
	char comm[TASK_COMM_LEN];
};

/* Per-CPU counters; user space sums them. */
enum rtt_stat {
	RTT_STAT_SAMPLES,	/* samples seen, before filters */
	RTT_STAT_FILTERED,	/* samples the filters dropped */
	RTT_STAT_KEYS_FULL,	/* --by: table full, sample lost */
	RTT_STAT_RINGBUF_DROPS,	/* --detail: ring buffer full, sample lost */
	RTT_STAT_OWNERS_FULL,	/* owner table full: owner unknown */
	RTT_STAT_NO_SAMPLE,	/* kernel gave no RTT sample: srtt used */
	RTT_STAT_MAX,
};

/* floor(log2(v)) for v > 0; 0 for 0. Branch-light, for BPF too. */
static inline __u32 rtt_log2(__u32 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffff) << 4;
	v >>= shift;
	r |= shift;
	shift = (v > 0xff) << 3;
	v >>= shift;
	r |= shift;
	shift = (v > 0xf) << 2;
	v >>= shift;
	r |= shift;
	shift = (v > 0x3) << 1;
	v >>= shift;
	r |= shift;
	r |= (v >> 1);
	return r;
}

/* The log-linear bucket of a value in microseconds. */
static inline __u32 rtt_fine_index(__u32 us)
{
	__u32 e;

	if (us < RTT_SUB_COUNT)
		return us;
	e = rtt_log2(us);
	return (e - RTT_SUB_BITS + 1) * RTT_SUB_COUNT +
	       ((us >> (e - RTT_SUB_BITS)) & (RTT_SUB_COUNT - 1));
}

#endif /* TCPLAT_RTT_H */
