// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "hist.h"
#include "hist_view.h"

/* Every value hist_fine_index() takes is below this: the end of the last bucket. */
#define FINE_END	(1ULL << 32)

/* The log2 table: bcc's column widths for up to 32 slots, and its bar. */
#define LOG2_PAD	5	/* spaces before the unit name */
#define LOG2_UNIT_W	19	/* width of the unit name */
#define LOG2_VAL_W	10	/* width of a slot's low and high */
#define LOG2_COUNT_W	8	/* "%-8llu" */
#define LOG2_BAR_W	40	/* stars between the two '|' */
/*
 * The column where a row's share starts: "LOW -> HIGH : COUNT |", the bar, "|"
 * and one space. The header's "share" starts there too.
 */
#define LOG2_SHARE_COL	(LOG2_VAL_W + 4 + LOG2_VAL_W + 3 + LOG2_COUNT_W + 2 + \
			 LOG2_BAR_W + 1 + 1)

void lat_hist_fine_bounds(__u32 idx, __u64 *lo, __u64 *hi)
{
	__u32 e, sub;

	if (idx < HIST_SUB_COUNT) {
		*lo = idx;
		*hi = idx + 1ULL;
		return;
	}
	if (idx >= HIST_FINE_SLOTS) {
		/* Shifting by the exponent of such an idx would be undefined. */
		*lo = FINE_END;
		*hi = FINE_END;
		return;
	}
	/* hist_fine_index() backwards: row e - SUB_BITS + 1 holds [2^e, 2^(e+1)),
	 * cut into SUB_COUNT parts of 2^(e - SUB_BITS). */
	e = idx / HIST_SUB_COUNT + HIST_SUB_BITS - 1;
	sub = idx % HIST_SUB_COUNT;
	*lo = (__u64)(HIST_SUB_COUNT + sub) << (e - HIST_SUB_BITS);
	*hi = *lo + (1ULL << (e - HIST_SUB_BITS));
}

void lat_hist_add(struct lat_hist *dst, const struct lat_hist *src)
{
	__u32 i;

	dst->count += src->count;
	dst->sum_us += src->sum_us;
	for (i = 0; i < HIST_LOG2_SLOTS; i++)
		dst->log2[i] += src->log2[i];
	for (i = 0; i < HIST_FINE_SLOTS; i++)
		dst->fine[i] += src->fine[i];
	dst->closed |= src->closed;
}

/* Whether any counter of cur is below prev's. */
static int hist_went_back(const struct lat_hist *cur, const struct lat_hist *prev)
{
	__u32 i;

	if (cur->count < prev->count || cur->sum_us < prev->sum_us)
		return 1;
	for (i = 0; i < HIST_LOG2_SLOTS; i++)
		if (cur->log2[i] < prev->log2[i])
			return 1;
	for (i = 0; i < HIST_FINE_SLOTS; i++)
		if (cur->fine[i] < prev->fine[i])
			return 1;
	return 0;
}

void lat_hist_diff(const struct lat_hist *cur, const struct lat_hist *prev,
		   struct lat_hist *out)
{
	__u32 i;

	/*
	 * The maps are cumulative, so a counter cannot go backwards unless the
	 * entry was deleted and re-created (a --by key evicted and seen again)
	 * between the two snapshots: everything in cur is then new, and it is
	 * the interval. Deciding for the whole histogram rather than counter
	 * by counter keeps count equal to the sum of the buckets: a re-created
	 * entry can be ahead of the old one in some counters and behind in
	 * others, and subtracting the ones that are ahead would lose samples.
	 */
	if (!prev || hist_went_back(cur, prev)) {
		if (out != cur)
			*out = *cur;
		out->pad = 0;
		return;
	}
	/* Element by element, reading before writing, so out may alias either. */
	out->count = cur->count - prev->count;
	out->sum_us = cur->sum_us - prev->sum_us;
	for (i = 0; i < HIST_LOG2_SLOTS; i++)
		out->log2[i] = cur->log2[i] - prev->log2[i];
	for (i = 0; i < HIST_FINE_SLOTS; i++)
		out->fine[i] = cur->fine[i] - prev->fine[i];
	/* A state, not a counter: the connection is closed if it is now. */
	out->closed = cur->closed;
	out->pad = 0;
}

/*
 * The samples in the fine buckets, and the first and last non-empty bucket
 * (-1 if none). Percentiles rank against this total rather than h->count:
 * they are equal in a consistent snapshot, and if a per-CPU copy was read
 * while its CPU was adding a sample, the walk still finds every rank.
 */
static __u64 fine_range(const struct lat_hist *h, int *first, int *last)
{
	__u64 total = 0;
	__u32 i;

	*first = -1;
	*last = -1;
	for (i = 0; i < HIST_FINE_SLOTS; i++) {
		if (!h->fine[i])
			continue;
		if (*first < 0)
			*first = (int)i;
		*last = (int)i;
		total += h->fine[i];
	}
	return total;
}

double lat_hist_percentile(const struct lat_hist *h, double q)
{
	__u64 total, before = 0, lo, hi, min, max;
	double rank, est;
	int first, last, i;

	total = fine_range(h, &first, &last);
	if (!total)
		return 0;
	lat_hist_fine_bounds(first, &min, &hi);
	lat_hist_fine_bounds(last, &lo, &max);
	/* !(q > 0) also catches NaN. */
	if (!(q > 0))
		return min;
	if (q > 1)
		q = 1;
	rank = q * total;
	/* If rounding ever left the rank past the last bucket, that is max. */
	est = max;
	for (i = first; i <= last; i++) {
		__u64 n = h->fine[i];

		if (!n)
			continue;
		if ((double)(before + n) >= rank) {
			/* Samples taken as spread evenly over the bucket. */
			lat_hist_fine_bounds(i, &lo, &hi);
			est = lo + (double)(hi - lo) * (rank - before) / n;
			break;
		}
		before += n;
	}
	if (est < min)
		est = min;
	if (est > max)
		est = max;
	return est;
}

void lat_hist_summarize(const struct lat_hist *h, struct lat_summary *s)
{
	__u64 lo, hi;
	int first, last;

	*s = (struct lat_summary){ .count = h->count, .sum_us = h->sum_us };
	if (!fine_range(h, &first, &last))
		return;
	lat_hist_fine_bounds(first, &lo, &hi);
	s->min_us = lo;
	/* The exclusive end: the largest sample is below it, and a single
	 * sample then shows as min < max, a range that holds it. */
	lat_hist_fine_bounds(last, &lo, &hi);
	s->max_us = hi;
	s->p50_us = lat_hist_percentile(h, 0.50);
	s->p90_us = lat_hist_percentile(h, 0.90);
	s->p99_us = lat_hist_percentile(h, 0.99);
}

/* Slot i of the log2 table holds [low, high]: slot 0 is 0..1, slot k >= 1 is
 * 2^k .. 2^(k+1)-1, as hist_log2() puts values. */
static void log2_slot_range(int i, unsigned long long *low, unsigned long long *high)
{
	*low = (1ULL << (i + 1)) >> 1;
	*high = (1ULL << (i + 1)) - 1;
	if (*low == *high)
		*low -= 1;
}

/* The last non-empty slot of slots[0..nslots), -1 if none. */
static int log2_last(const __u64 *slots, int nslots)
{
	int i, last = -1;

	if (nslots > HIST_LOG2_SLOTS)
		nslots = HIST_LOG2_SLOTS;
	for (i = 0; i < nslots; i++)
		if (slots[i])
			last = i;
	return last;
}

/* count * width / max without overflowing for huge counts. */
static int log2_stars(__u64 count, __u64 max, int width)
{
	if (!max)
		return 0;
	if (count > max)
		count = max;
	if (max <= UINT64_MAX / width)
		return count * width / max;
	return (double)count * width / max;
}

void lat_hist_print_log2(FILE *out, const __u64 *slots, int nslots, const char *unit_name)
{
	unsigned long long low, high;
	__u64 max = 0;
	/* A double: a sum of __u64 counters could wrap to zero. */
	double total = 0;
	int i, j, last, len, stars;

	last = log2_last(slots, nslots);
	if (last < 0)
		return;
	for (i = 0; i <= last; i++) {
		if (slots[i] > max)
			max = slots[i];
		total += slots[i];
	}

	len = fprintf(out, "%*s%-*s : count    distribution", LOG2_PAD, "", LOG2_UNIT_W,
		      unit_name);
	/* At least one space, should a long unit name reach the share column. */
	fprintf(out, "%*s%s\n", len < LOG2_SHARE_COL ? LOG2_SHARE_COL - len : 1, "", "share");

	for (i = 0; i <= last; i++) {
		log2_slot_range(i, &low, &high);
		fprintf(out, "%*llu -> %-*llu : %-*llu |", LOG2_VAL_W, low, LOG2_VAL_W, high,
			LOG2_COUNT_W, (unsigned long long)slots[i]);
		stars = log2_stars(slots[i], max, LOG2_BAR_W);
		for (j = 0; j < LOG2_BAR_W; j++)
			fputc(j < stars ? '*' : ' ', out);
		fprintf(out, "| %5.1f%%\n", slots[i] * 100.0 / total);
	}
}

/* Percentiles are estimates: whole microseconds are all they are worth. */
static unsigned long long round_us(double us)
{
	return us > 0 ? (unsigned long long)(us + 0.5) : 0;
}

void lat_hist_print_json(FILE *out, const struct lat_hist *h, __u64 log2_unit_us)
{
	unsigned long long low, high, unit = log2_unit_us;
	struct lat_summary s;
	int i, last;

	if (!unit)
		unit = 1;
	lat_hist_summarize(h, &s);
	fprintf(out, ",\"count\":%llu,\"sum_us\":%llu", (unsigned long long)s.count,
		(unsigned long long)s.sum_us);
	fprintf(out, ",\"min_us\":%llu,\"p50_us\":%llu,\"p90_us\":%llu,\"p99_us\":%llu",
		round_us(s.min_us), round_us(s.p50_us), round_us(s.p90_us), round_us(s.p99_us));
	fprintf(out, ",\"max_us\":%llu,\"buckets\":[", round_us(s.max_us));
	last = log2_last(h->log2, HIST_LOG2_SLOTS);
	for (i = 0; i <= last; i++) {
		log2_slot_range(i, &low, &high);
		/* Slot i holds the values low..high of the unit; in microseconds
		 * that is everything from low units up to the next slot's start. */
		fprintf(out, "%s{\"lo_us\":%llu,\"hi_us\":%llu,\"count\":%llu}", i ? "," : "",
			low * unit, (high + 1) * unit - 1, (unsigned long long)h->log2[i]);
	}
	fputc(']', out);
}
