/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The latency histogram every tcplat feature keeps in the kernel (connect,
 * rtt, and the exporter that reads them), and the bucket math both sides
 * must agree on. Fixed-width __u types only: included by BPF and user code.
 */
#ifndef TCPLAT_HIST_H
#define TCPLAT_HIST_H

/* bcc-style log2 slots of the display unit (us or ms): slot 0 is 0..1,
 * slot k is 2^k .. 2^(k+1)-1. */
#define HIST_LOG2_SLOTS		32
/*
 * Log-linear buckets of microseconds, for percentiles: values below
 * 2^HIST_SUB_BITS have a bucket each; every power of two above is cut into
 * 2^HIST_SUB_BITS equal parts, so a bucket is at most 1/16 = 6.25% of its
 * lower bound wide and an interpolated percentile is within a few percent.
 */
#define HIST_SUB_BITS		4
#define HIST_SUB_COUNT		(1U << HIST_SUB_BITS)
#define HIST_FINE_SLOTS		((32 - HIST_SUB_BITS + 1) * HIST_SUB_COUNT)

/* One histogram. Cumulative: the kernel only ever adds; user space shows
 * an interval as the difference of two snapshots. */
struct lat_hist {
	__u64 count;
	__u64 sum_us;
	__u64 log2[HIST_LOG2_SLOTS];
	__u64 fine[HIST_FINE_SLOTS];
	__u32 closed;		/* --by flow: the connection closed; user space
				 * removes the entry after its last interval */
	__u32 pad;
};

/* floor(log2(v)) for v > 0; 0 for 0. Branch-light, for BPF too. */
static inline __u32 hist_log2(__u32 v)
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
static inline __u32 hist_fine_index(__u32 us)
{
	__u32 e;

	if (us < HIST_SUB_COUNT)
		return us;
	e = hist_log2(us);
	return (e - HIST_SUB_BITS + 1) * HIST_SUB_COUNT +
	       ((us >> (e - HIST_SUB_BITS)) & (HIST_SUB_COUNT - 1));
}

#endif /* TCPLAT_HIST_H */
