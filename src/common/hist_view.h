/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space arithmetic on struct lat_hist: bucket bounds, sums of per-CPU
 * copies, interval differences, percentiles, and the two output forms (bcc's
 * log2 table and JSON fields). Pure: no libbpf, no BPF.
 */
#ifndef TCPLAT_HIST_VIEW_H
#define TCPLAT_HIST_VIEW_H

#include <stdio.h>
#include <linux/types.h>
#include "hist.h"

/*
 * The microseconds bucket idx of hist_fine_index() holds: [*lo, *hi). The exact
 * inverse of hist_fine_index(): v is in bucket idx iff lo <= v < hi. The last
 * bucket ends at 2^32; an idx past it gives the empty range [2^32, 2^32).
 */
void lat_hist_fine_bounds(__u32 idx, __u64 *lo, __u64 *hi);

/* dst += src, counter by counter; dst->closed |= src->closed. */
void lat_hist_add(struct lat_hist *dst, const struct lat_hist *src);

/*
 * out = cur - prev, counter by counter; prev NULL means out = cur. If any
 * counter of cur is below prev's, the key was deleted and re-created between
 * the snapshots and out = cur. out may be cur or prev.
 */
void lat_hist_diff(const struct lat_hist *cur, const struct lat_hist *prev,
		   struct lat_hist *out);

struct lat_summary {
	__u64 count;
	__u64 sum_us;
	double min_us;		/* lower bound of the first non-empty bucket */
	double p50_us;
	double p90_us;
	double p99_us;
	double max_us;		/* upper bound (exclusive) of the last one */
};

/*
 * The q quantile (q in (0, 1]) of the fine buckets, interpolated linearly in
 * the bucket that holds rank q * samples, clamped to [min_us, max_us] of
 * lat_hist_summarize(). 0 for an empty histogram; q <= 0 gives min_us, q > 1
 * max_us.
 */
double lat_hist_percentile(const struct lat_hist *h, double q);
/* All zero for an empty histogram. */
void lat_hist_summarize(const struct lat_hist *h, struct lat_summary *s);

/*
 * bcc's log2 histogram table of slots[0..nslots) (at most HIST_LOG2_SLOTS are
 * shown), with the share of each slot in a last column. Prints nothing if all
 * slots are empty.
 */
void lat_hist_print_log2(FILE *out, const __u64 *slots, int nslots, const char *unit_name);

/*
 * The histogram's JSON fields, each preceded by a comma, for an object the
 * caller opens and closes: count, sum_us, min_us, p50_us, p90_us, p99_us,
 * max_us (rounded to integers) and buckets, the log2 slots up to the last
 * non-empty one with their inclusive ranges in microseconds. log2_unit_us:
 * 1 if the slots count microseconds, 1000 if milliseconds (0 is taken as 1).
 */
void lat_hist_print_json(FILE *out, const struct lat_hist *h, __u64 log2_unit_us);

#endif /* TCPLAT_HIST_VIEW_H */
