// SPDX-License-Identifier: GPL-2.0
/*
 * Histogram math (src/common/hist_view.c) on arbitrary bucket arrays, as a
 * map read mid-update or a corrupted snapshot could hold: two histograms
 * (cur, prev), then a quantile, a value and a slot count from the input.
 * Checked: no undefined behaviour; bucket bounds invert hist_fine_index();
 * diff is cur - prev or cur; percentiles ordered and inside [min, max]
 * whenever the counts do not overflow; the JSON fields are valid JSON.
 */
#include <math.h>
/* Its output is judged by fuzz_json_valid(): check that first. */
#define FUZZ_JSON_ORACLE
#include "fuzz.h"
#include <linux/types.h>
#include "hist.h"
#include "hist_view.h"

struct input {
	struct lat_hist cur, prev;
	double q;
	uint32_t value;
	int32_t nslots;
	uint8_t flags;
};

/* The sum of the fine buckets, false if it overflows 64 bits. */
static bool fine_total(const struct lat_hist *h, __u64 *total)
{
	*total = 0;
	for (unsigned int i = 0; i < HIST_FINE_SLOTS; i++)
		if (__builtin_add_overflow(*total, h->fine[i], total))
			return false;
	return true;
}

static void check_bounds(uint32_t v)
{
	__u64 lo, hi;
	__u32 idx = hist_fine_index(v);

	FUZZ_ASSERT(idx < HIST_FINE_SLOTS, "%u in bucket %u of %u", v, idx, HIST_FINE_SLOTS);
	lat_hist_fine_bounds(idx, &lo, &hi);
	FUZZ_ASSERT(lo <= v && v < hi, "%u in bucket %u = [%llu, %llu)", v, idx,
		    (unsigned long long)lo, (unsigned long long)hi);
	FUZZ_ASSERT(hist_log2(v) == (v ? 31 - (uint32_t)__builtin_clz(v) : 0), "log2(%u)", v);
}

static void check_summary(const struct lat_hist *h, double q)
{
	struct lat_summary s;
	__u64 total;
	double p;

	lat_hist_summarize(h, &s);
	p = lat_hist_percentile(h, q);
	FUZZ_ASSERT(!isnan(p), "percentile(%g) is NaN", q);
	if (!fine_total(h, &total) || !total)
		return;
	FUZZ_ASSERT(s.min_us <= s.p50_us && s.p50_us <= s.p90_us && s.p90_us <= s.p99_us &&
			    s.p99_us <= s.max_us,
		    "min %g p50 %g p90 %g p99 %g max %g", s.min_us, s.p50_us, s.p90_us, s.p99_us,
		    s.max_us);
	FUZZ_ASSERT(p >= s.min_us && p <= s.max_us, "percentile(%g) = %g outside [%g, %g]", q, p,
		    s.min_us, s.max_us);
}

/* Whether some counter of cur is below prev's: the entry was re-created. */
static bool went_back(const struct lat_hist *cur, const struct lat_hist *prev)
{
	if (cur->count < prev->count || cur->sum_us < prev->sum_us)
		return true;
	for (unsigned int i = 0; i < HIST_LOG2_SLOTS; i++)
		if (cur->log2[i] < prev->log2[i])
			return true;
	for (unsigned int i = 0; i < HIST_FINE_SLOTS; i++)
		if (cur->fine[i] < prev->fine[i])
			return true;
	return false;
}

static void check_diff(const struct lat_hist *cur, const struct lat_hist *prev)
{
	struct lat_hist out, want = *cur, alias = *cur;

	if (!went_back(cur, prev)) {
		want.count -= prev->count;
		want.sum_us -= prev->sum_us;
		for (unsigned int i = 0; i < HIST_LOG2_SLOTS; i++)
			want.log2[i] -= prev->log2[i];
		for (unsigned int i = 0; i < HIST_FINE_SLOTS; i++)
			want.fine[i] -= prev->fine[i];
	}
	want.pad = 0;
	lat_hist_diff(cur, prev, &out);
	FUZZ_ASSERT(!memcmp(&out, &want, sizeof(out)), "diff is neither cur - prev nor cur");
	/* In place gives the same. */
	lat_hist_diff(&alias, prev, &alias);
	FUZZ_ASSERT(!memcmp(&alias, &out, sizeof(out)), "in-place diff differs");
	want = *cur;
	want.pad = 0;
	lat_hist_diff(cur, NULL, &out);
	FUZZ_ASSERT(!memcmp(&out, &want, sizeof(out)), "diff against nothing is not cur");
}

static void check_print(const struct lat_hist *h, int nslots, uint8_t flags)
{
	static const char *const units[] = { "usecs", "msecs", "", "a-unit-name-longer-than-the-column" };
	struct fuzz_out o;
	char *wrapped;
	size_t n;

	lat_hist_print_log2(fuzz_out_open(&o), h->log2, nslots, units[flags % 4]);
	fuzz_out_close(&o);
	FUZZ_ASSERT(strlen(o.buf) == o.len, "NUL in the log2 table");
	fuzz_out_free(&o);

	/* The JSON fields, inside an object of their own. */
	fputs("{\"type\":\"x\"", fuzz_out_open(&o));
	lat_hist_print_json(o.f, h, flags & 4 ? 1000 : flags & 8 ? 0 : 1);
	fputc('}', o.f);
	fuzz_out_close(&o);
	n = o.len;
	wrapped = o.buf;
	FUZZ_ASSERT(fuzz_json_valid(wrapped, n), "invalid JSON: %.*s", (int)(n > 300 ? 300 : n),
		    wrapped);
	fuzz_out_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {};
	struct lat_hist sum;

	/* Short inputs fill the start; the rest stays zero (sparse
	 * histograms are the common case). */
	memcpy(&in, data, size < sizeof(in) ? size : sizeof(in));
	if (in.flags & 0x80) {
		/* Keep the counts small, so the invariants that need no
		 * overflow get exercised often. */
		for (unsigned int i = 0; i < HIST_FINE_SLOTS; i++)
			in.cur.fine[i] &= 0xffff;
		for (unsigned int i = 0; i < HIST_LOG2_SLOTS; i++)
			in.cur.log2[i] &= 0xffff;
	}
	check_bounds(in.value);
	check_summary(&in.cur, in.q);
	check_summary(&in.prev, in.q);
	check_diff(&in.cur, &in.prev);
	sum = in.cur;
	lat_hist_add(&sum, &in.prev);
	FUZZ_ASSERT(sum.count == in.cur.count + in.prev.count, "add");
	check_print(&in.cur, in.nslots % (2 * HIST_LOG2_SLOTS + 1), in.flags);
	return 0;
}
