// SPDX-License-Identifier: GPL-2.0
/*
 * hist_view.c: bucket bounds against hist_fine_index(), sums and differences of
 * histograms, percentiles against known distributions, and the exact text of
 * the log2 table (built here from bcc's formats) and of the JSON fields.
 * Histograms are filled the way rtt.bpf.c fills them: log2 slot =
 * hist_log2(value in the display unit), fine bucket = hist_fine_index(us).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <linux/types.h>
#include "hist.h"
#include "hist_view.h"

/* One sample as the kernel records it; unit_us is 1 (usecs) or 1000 (msecs). */
static void add_sample(struct lat_hist *h, __u32 us, __u32 unit_us)
{
	h->count++;
	h->sum_us += us;
	h->log2[hist_log2(us / unit_us)]++;
	h->fine[hist_fine_index(us)]++;
}

/* A fixed 64-bit LCG (Knuth's MMIX constants): the same values every run. */
static __u64 lcg_next(__u64 *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x;
}

/* |got - want| <= rel * want */
static void assert_near(double got, double want, double rel, const char *what)
{
	if (fabs(got - want) > rel * want)
		fail_msg("%s: got %.3f, want %.3f within %.2f%%", what, got, want, rel * 100);
}

/* v must lie in the bucket hist_fine_index() gives it. */
static void check_in_bucket(__u32 v)
{
	__u32 idx = hist_fine_index(v);
	__u64 lo, hi;

	assert_true(idx < HIST_FINE_SLOTS);
	lat_hist_fine_bounds(idx, &lo, &hi);
	if (!(lo <= v && v < hi))
		fail_msg("%u: bucket %u is [%llu, %llu)", v, idx, (unsigned long long)lo,
			 (unsigned long long)hi);
}

/* --- bucket math --- */

static void test_fine_bounds_small(void **state)
{
	__u64 lo, hi;
	__u32 i;

	(void)state;
	for (i = 0; i < HIST_SUB_COUNT; i++) {
		lat_hist_fine_bounds(i, &lo, &hi);
		assert_int_equal(lo, i);
		assert_int_equal(hi, i + 1);
	}
	/* The first split power of two: 16..31 one bucket each, then 32..63 by 2. */
	lat_hist_fine_bounds(16, &lo, &hi);
	assert_int_equal(lo, 16);
	assert_int_equal(hi, 17);
	lat_hist_fine_bounds(32, &lo, &hi);
	assert_int_equal(lo, 32);
	assert_int_equal(hi, 34);
	lat_hist_fine_bounds(47, &lo, &hi);
	assert_int_equal(lo, 62);
	assert_int_equal(hi, 64);
}

static void test_fine_bounds_every_value_to_2_20(void **state)
{
	__u32 v;

	(void)state;
	for (v = 0; v <= 1U << 20; v++)
		check_in_bucket(v);
}

static void test_fine_bounds_large_values(void **state)
{
	__u64 x = 42;
	int i, k;

	(void)state;
	/* Both sides of every power of two, where the exponent changes. */
	for (k = 1; k < 32; k++) {
		check_in_bucket((1U << k) - 1);
		check_in_bucket(1U << k);
		check_in_bucket((1U << k) + 1);
	}
	check_in_bucket(UINT32_MAX);
	check_in_bucket(UINT32_MAX - 1);
	for (i = 0; i < 200000; i++)
		check_in_bucket(lcg_next(&x) >> 32);
}

static void test_fine_bounds_contiguous(void **state)
{
	__u64 lo, hi, prev_hi = 0;
	__u32 i;

	(void)state;
	for (i = 0; i < HIST_FINE_SLOTS; i++) {
		lat_hist_fine_bounds(i, &lo, &hi);
		assert_int_equal(lo, prev_hi);
		assert_true(lo < hi);
		/* Both ends map back to the bucket: the exact inverse. */
		assert_int_equal(hist_fine_index(lo), i);
		assert_int_equal(hist_fine_index(hi - 1), i);
		/* rtt.h's promise: at most 1/16 of the lower bound wide. */
		if (i >= HIST_SUB_COUNT)
			assert_true((hi - lo) * HIST_SUB_COUNT <= lo);
		prev_hi = hi;
	}
	assert_int_equal(prev_hi, 1ULL << 32);
	/* Past the end: empty, and no undefined shift. */
	lat_hist_fine_bounds(HIST_FINE_SLOTS, &lo, &hi);
	assert_int_equal(lo, 1ULL << 32);
	assert_int_equal(hi, 1ULL << 32);
	lat_hist_fine_bounds(UINT32_MAX, &lo, &hi);
	assert_int_equal(lo, hi);
}

/* The ranges the table and the JSON print are the ones hist_log2() fills. */
static void test_log2_slot_ranges(void **state)
{
	__u32 i;

	(void)state;
	assert_int_equal(hist_log2(0), 0);
	assert_int_equal(hist_log2(1), 0);
	for (i = 1; i < HIST_LOG2_SLOTS; i++) {
		__u32 low = 1U << i, high = (__u32)((2ULL << i) - 1);

		assert_int_equal(hist_log2(low), i);
		assert_int_equal(hist_log2(high), i);
		assert_int_equal(hist_log2(low - 1), i - 1);
	}
}

/* --- add and diff --- */

static void test_add(void **state)
{
	struct lat_hist a = {}, b = {}, want = {};
	static const __u32 va[] = { 5, 100, 3000 }, vb[] = { 5, 70000, 1 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		add_sample(&a, va[i], 1);
		add_sample(&want, va[i], 1);
		add_sample(&b, vb[i], 1);
		add_sample(&want, vb[i], 1);
	}
	b.closed = 1;
	want.closed = 1;
	lat_hist_add(&a, &b);
	assert_memory_equal(&a, &want, sizeof(a));
	/* closed stays set once any copy has it. */
	b.closed = 0;
	lat_hist_add(&a, &b);
	assert_int_equal(a.closed, 1);
	assert_int_equal(a.count, 9);
}

static void test_diff(void **state)
{
	struct lat_hist prev = {}, cur = {}, interval = {}, out;
	size_t i;

	(void)state;
	for (i = 1; i <= 50; i++) {
		add_sample(&prev, i * 37, 1000);
		add_sample(&cur, i * 37, 1000);
	}
	for (i = 1; i <= 20; i++) {
		add_sample(&cur, i * 1111, 1000);
		add_sample(&interval, i * 1111, 1000);
	}
	cur.closed = 1;
	interval.closed = 1;
	memset(&out, 0xaa, sizeof(out));
	lat_hist_diff(&cur, &prev, &out);
	assert_memory_equal(&out, &interval, sizeof(out));

	/* No previous snapshot: the interval is everything so far. */
	memset(&out, 0xaa, sizeof(out));
	lat_hist_diff(&cur, NULL, &out);
	assert_memory_equal(&out, &cur, sizeof(out));

	/* Nothing new. */
	lat_hist_diff(&prev, &prev, &out);
	assert_int_equal(out.count, 0);
	assert_int_equal(out.sum_us, 0);
	for (i = 0; i < HIST_FINE_SLOTS; i++)
		assert_int_equal(out.fine[i], 0);

	/* In place. */
	lat_hist_diff(&cur, &prev, &cur);
	assert_memory_equal(&cur, &interval, sizeof(cur));
}

/* A key deleted and re-created: whatever went backwards, cur is the interval. */
static void test_diff_reset(void **state)
{
	struct lat_hist prev = {}, cur = {}, out;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		add_sample(&prev, 1000, 1);
	/* Fewer samples than before, elsewhere. */
	for (i = 0; i < 30; i++)
		add_sample(&cur, 50000, 1);
	lat_hist_diff(&cur, &prev, &out);
	assert_memory_equal(&out, &cur, sizeof(out));

	/* More samples than before in total, but one bucket went backwards:
	 * subtracting counter by counter would give a count of 45 for 145
	 * samples in the buckets. */
	memset(&cur, 0, sizeof(cur));
	for (i = 0; i < 150; i++)
		add_sample(&cur, 2000, 1);
	for (i = 0; i < 10; i++)
		add_sample(&prev, 2000, 1);
	for (i = 0; i < 5; i++)
		add_sample(&cur, 1000, 1);
	lat_hist_diff(&cur, &prev, &out);
	assert_memory_equal(&out, &cur, sizeof(out));
	assert_int_equal(out.count, 155);
}

/* --- percentiles --- */

static void test_empty(void **state)
{
	struct lat_hist h = {};
	struct lat_summary s;

	(void)state;
	memset(&s, 0xaa, sizeof(s));
	lat_hist_summarize(&h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.sum_us, 0);
	assert_true(s.min_us == 0 && s.p50_us == 0 && s.p90_us == 0);
	assert_true(s.p99_us == 0 && s.max_us == 0);
	assert_true(lat_hist_percentile(&h, 0.5) == 0);
	assert_true(lat_hist_percentile(&h, 1) == 0);
}

static void test_single_sample(void **state)
{
	struct lat_hist h = {};
	struct lat_summary s;

	(void)state;
	add_sample(&h, 10000, 1);
	lat_hist_summarize(&h, &s);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.sum_us, 10000);
	/* 10000 is in [9728, 10240), 512 wide. */
	assert_true(s.min_us == 9728);
	assert_true(s.max_us == 10240);
	assert_true(s.p50_us == 9728 + 256);
	assert_true(s.min_us <= s.p50_us && s.p50_us <= s.p90_us);
	assert_true(s.p90_us <= s.p99_us && s.p99_us <= s.max_us);
	assert_true(lat_hist_percentile(&h, 1) == 10240);

	/* Below 16 us every value has its own bucket. */
	memset(&h, 0, sizeof(h));
	add_sample(&h, 5, 1);
	lat_hist_summarize(&h, &s);
	assert_true(s.min_us == 5);
	assert_true(s.max_us == 6);
	assert_true(s.p50_us == 5.5);
}

static void test_q_edges(void **state)
{
	struct lat_hist h = {};
	double q, p, prev = 0;
	__u64 min, max, lo, hi;
	int i;

	(void)state;
	for (i = 1; i <= 1000; i++)
		add_sample(&h, i * 13, 1);
	lat_hist_fine_bounds(hist_fine_index(13), &min, &hi);
	lat_hist_fine_bounds(hist_fine_index(13000), &lo, &max);
	assert_true(min == 13 && max > 13000);
	assert_true(lat_hist_percentile(&h, 0) == min);
	assert_true(lat_hist_percentile(&h, -1) == min);
	assert_true(lat_hist_percentile(&h, NAN) == min);
	assert_true(lat_hist_percentile(&h, 1) == max);
	assert_true(lat_hist_percentile(&h, 2) == max);
	/* Never decreasing in q, always within [min, max]. */
	for (q = 0.0005; q <= 1; q += 0.0005) {
		p = lat_hist_percentile(&h, q);
		assert_true(p >= prev);
		assert_true(p >= min && p <= max);
		prev = p;
	}
}

static void test_constant(void **state)
{
	struct lat_hist h = {};
	struct lat_summary s;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		add_sample(&h, 10000, 1000);
	lat_hist_summarize(&h, &s);
	assert_int_equal(s.count, 1000);
	assert_int_equal(s.sum_us, 10000000);
	assert_near(s.p50_us, 10000, 0.0625, "p50");
	assert_near(s.p90_us, 10000, 0.0625, "p90");
	assert_near(s.p99_us, 10000, 0.0625, "p99");
	assert_true(s.min_us <= 10000 && 10000 < s.max_us);
}

static void test_uniform(void **state)
{
	struct lat_hist h = {};
	struct lat_summary s;
	__u32 v;

	(void)state;
	for (v = 1; v <= 100000; v++)
		add_sample(&h, v, 1);
	lat_hist_summarize(&h, &s);
	assert_int_equal(s.count, 100000);
	assert_int_equal(s.sum_us, 100000ULL * 100001 / 2);
	assert_near(s.p50_us, 50000, 0.03, "p50");
	assert_near(s.p90_us, 90000, 0.03, "p90");
	assert_near(s.p99_us, 99000, 0.03, "p99");
	assert_true(s.min_us == 1);
	assert_true(s.max_us >= 100001);
}

static void test_bimodal(void **state)
{
	struct lat_hist h = {};
	struct lat_summary s;
	int i;

	(void)state;
	for (i = 0; i < 9000; i++)
		add_sample(&h, 1000, 1);
	for (i = 0; i < 1000; i++)
		add_sample(&h, 50000, 1);
	lat_hist_summarize(&h, &s);
	assert_near(s.p50_us, 1000, 0.0625, "p50");
	assert_near(s.p99_us, 50000, 0.0625, "p99");
	assert_true(s.min_us <= 1000 && 50000 < s.max_us);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* The exact q quantile of sorted v[0..n): the smallest value with at least
 * q * n samples at or below it. */
static double exact_quantile(const __u32 *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * n);

	return v[rank ? rank - 1 : 0];
}

/* A base RTT of 200 us plus an exponential queueing delay of mean 20 ms. */
static void test_exponential(void **state)
{
	enum { N = 100000 };
	static const double qs[] = { 0.10, 0.25, 0.50, 0.75, 0.90, 0.99, 0.999 };
	struct lat_hist h = {};
	__u64 x = 20240601;
	__u32 *v;
	size_t i;

	(void)state;
	v = malloc(N * sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < N; i++) {
		/* 53 random bits, as a double in (0, 1). */
		double u = ((lcg_next(&x) >> 11) + 0.5) / 9007199254740992.0;

		v[i] = 200 + (__u32)(-20000.0 * log(u));
		add_sample(&h, v[i], 1000);
	}
	qsort(v, N, sizeof(*v), cmp_u32);
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "q %.3f", qs[i]);
		assert_near(lat_hist_percentile(&h, qs[i]), exact_quantile(v, N, qs[i]), 0.03,
			    what);
	}
	free(v);
}

/* --- log2 table --- */

/* One row of the table, from bcc's formats plus the share column. */
static size_t row_want(char *buf, size_t len, int i, __u64 count, __u64 max, __u64 total)
{
	unsigned long long low = (1ULL << (i + 1)) >> 1, high = (1ULL << (i + 1)) - 1;
	size_t n;
	int j, stars = count * 40 / max;

	if (low == high)
		low -= 1;
	n = snprintf(buf, len, "%*llu -> %-*llu : %-8llu |", 10, low, 10, high,
		     (unsigned long long)count);
	for (j = 0; j < 40; j++)
		buf[n++] = j < stars ? '*' : ' ';
	n += snprintf(buf + n, len - n, "|");
	n += snprintf(buf + n, len - n, " %5.1f%%\n", count * 100.0 / total);
	return n;
}

/* The whole table for slots[0..nslots), built independently of hist_view.c. */
static void table_want(char *buf, size_t len, const __u64 *slots, int nslots, const char *unit)
{
	__u64 max = 0, total = 0;
	char row[256];
	int i, last = -1, share_col;
	size_t n;

	for (i = 0; i < nslots; i++) {
		if (slots[i])
			last = i;
		if (slots[i] > max)
			max = slots[i];
		total += slots[i];
	}
	buf[0] = '\0';
	if (last < 0)
		return;
	/* "share" starts one space after the bar's closing '|'. */
	row_want(row, sizeof(row), 0, 0, 1, 1);
	share_col = strrchr(row, '|') - row + 2;
	n = snprintf(buf, len, "%*s%-*s : count    distribution", 5, "", 19, unit);
	n += snprintf(buf + n, len - n, "%*s%s\n", share_col - (int)n, "", "share");
	for (i = 0; i <= last; i++)
		n += row_want(buf + n, len - n, i, slots[i], max, total);
}

static void test_log2_empty(void **state)
{
	__u64 slots[HIST_LOG2_SLOTS] = {};
	struct capture c;

	(void)state;
	lat_hist_print_log2(cap_open(&c), slots, HIST_LOG2_SLOTS, "usecs");
	cap_check(&c, "");
	lat_hist_print_log2(cap_open(&c), slots, 0, "usecs");
	cap_check(&c, "");
}

/* slots { 1, 2, 4, 0, 1 } in usecs, typed out: max 4, total 8. */
static const char log2_literal[] =
	"     usecs               : count    distribution                               share\n"
	"         0 -> 1          : 1        |**********                              |  12.5%\n"
	"         2 -> 3          : 2        |********************                    |  25.0%\n"
	"         4 -> 7          : 4        |****************************************|  50.0%\n"
	"         8 -> 15         : 0        |                                        |   0.0%\n"
	"        16 -> 31         : 1        |**********                              |  12.5%\n";

static void test_log2_literal(void **state)
{
	__u64 slots[HIST_LOG2_SLOTS] = { 1, 2, 4, 0, 1 };
	char want[8192];
	struct capture c;

	(void)state;
	/* The typed-out table and the one built from the formats agree. */
	table_want(want, sizeof(want), slots, HIST_LOG2_SLOTS, "usecs");
	assert_string_equal(want, log2_literal);
	lat_hist_print_log2(cap_open(&c), slots, HIST_LOG2_SLOTS, "usecs");
	cap_check(&c, log2_literal);
}

/* Slots filled as the kernel fills them, in usecs and in msecs. */
static void test_log2_from_samples(void **state)
{
	static const __u32 us[] = { 0, 1, 1, 2, 3, 900, 1500, 2500, 2600, 9000, 9000, 9000,
				    70000, 130000, 4000000 };
	static const struct {
		__u32 unit_us;
		const char *name;
	} units[] = { { 1, "usecs" }, { 1000, "msecs" } };
	char want[8192];
	struct capture c;
	size_t i, u;

	(void)state;
	for (u = 0; u < 2; u++) {
		struct lat_hist h = {};

		for (i = 0; i < sizeof(us) / sizeof(us[0]); i++)
			add_sample(&h, us[i], units[u].unit_us);
		table_want(want, sizeof(want), h.log2, HIST_LOG2_SLOTS, units[u].name);
		lat_hist_print_log2(cap_open(&c), h.log2, HIST_LOG2_SLOTS, units[u].name);
		cap_check(&c, want);
	}
}

/* One slot: a full bar and 100%. The last slot: the widest numbers. */
static void test_log2_edges(void **state)
{
	__u64 slots[HIST_LOG2_SLOTS] = {};
	char want[8192];
	struct capture c;

	(void)state;
	slots[3] = 123456789;
	table_want(want, sizeof(want), slots, HIST_LOG2_SLOTS, "msecs");
	assert_non_null(strstr(want, "|****************************************| 100.0%\n"));
	lat_hist_print_log2(cap_open(&c), slots, HIST_LOG2_SLOTS, "msecs");
	cap_check(&c, want);

	slots[HIST_LOG2_SLOTS - 1] = 1;
	table_want(want, sizeof(want), slots, HIST_LOG2_SLOTS, "usecs");
	assert_non_null(strstr(want, "2147483648 -> 4294967295 : 1        |"));
	lat_hist_print_log2(cap_open(&c), slots, HIST_LOG2_SLOTS, "usecs");
	cap_check(&c, want);

	/* Only the slots asked for. */
	table_want(want, sizeof(want), slots, 4, "usecs");
	lat_hist_print_log2(cap_open(&c), slots, 4, "usecs");
	cap_check(&c, want);
}

/* --- JSON --- */

static void test_json_usecs(void **state)
{
	struct lat_hist h = {};
	struct capture c;

	(void)state;
	add_sample(&h, 5, 1);
	add_sample(&h, 5, 1);
	add_sample(&h, 5, 1);
	add_sample(&h, 100, 1);
	/*
	 * Fine buckets [5, 6) x3 and [100, 104) x1. p50: rank 2 in the first,
	 * 5 + 2/3; p90: rank 3.6, 100 + 4 * 0.6; p99: 100 + 4 * 0.96.
	 */
	lat_hist_print_json(cap_open(&c), &h, 1);
	cap_check(&c, ",\"count\":4,\"sum_us\":115,\"min_us\":5,\"p50_us\":6,\"p90_us\":102,"
		      "\"p99_us\":104,\"max_us\":104,\"buckets\":["
		      "{\"lo_us\":0,\"hi_us\":1,\"count\":0},"
		      "{\"lo_us\":2,\"hi_us\":3,\"count\":0},"
		      "{\"lo_us\":4,\"hi_us\":7,\"count\":3},"
		      "{\"lo_us\":8,\"hi_us\":15,\"count\":0},"
		      "{\"lo_us\":16,\"hi_us\":31,\"count\":0},"
		      "{\"lo_us\":32,\"hi_us\":63,\"count\":0},"
		      "{\"lo_us\":64,\"hi_us\":127,\"count\":1}]");
}

static void test_json_msecs(void **state)
{
	struct lat_hist h = {};
	struct capture c;

	(void)state;
	add_sample(&h, 1500, 1000);
	add_sample(&h, 2500, 1000);
	add_sample(&h, 9000, 1000);
	/*
	 * Fine buckets [1472, 1536), [2432, 2560), [8704, 9216). p50: rank 1.5,
	 * 2432 + 128 / 2; p90: rank 2.7, 8704 + 512 * 0.7 = 9062.4; p99: 8704 +
	 * 512 * 0.97 = 9200.64. Slot 0 of msecs is 0 and 1 ms: 0..1999 us.
	 */
	lat_hist_print_json(cap_open(&c), &h, 1000);
	cap_check(&c, ",\"count\":3,\"sum_us\":13000,\"min_us\":1472,\"p50_us\":2496,"
		      "\"p90_us\":9062,\"p99_us\":9201,\"max_us\":9216,\"buckets\":["
		      "{\"lo_us\":0,\"hi_us\":1999,\"count\":1},"
		      "{\"lo_us\":2000,\"hi_us\":3999,\"count\":1},"
		      "{\"lo_us\":4000,\"hi_us\":7999,\"count\":0},"
		      "{\"lo_us\":8000,\"hi_us\":15999,\"count\":1}]");
}

static void test_json_empty(void **state)
{
	struct lat_hist h = {};
	struct capture c;

	(void)state;
	lat_hist_print_json(cap_open(&c), &h, 1000);
	cap_check(&c, ",\"count\":0,\"sum_us\":0,\"min_us\":0,\"p50_us\":0,\"p90_us\":0,"
		      "\"p99_us\":0,\"max_us\":0,\"buckets\":[]");
}

/* The last msecs slot ends past 2^32 us: no 32-bit overflow in the range. */
static void test_json_last_slot(void **state)
{
	struct lat_hist h = {};
	struct capture c;

	(void)state;
	h.log2[HIST_LOG2_SLOTS - 1] = 1;
	lat_hist_print_json(cap_open(&c), &h, 1000);
	assert_int_equal(fclose(c.f), 0);
	assert_non_null(strstr(c.buf, ",{\"lo_us\":2147483648000,\"hi_us\":4294967295999,"
				      "\"count\":1}]"));
	free(c.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fine_bounds_small),
		cmocka_unit_test(test_fine_bounds_every_value_to_2_20),
		cmocka_unit_test(test_fine_bounds_large_values),
		cmocka_unit_test(test_fine_bounds_contiguous),
		cmocka_unit_test(test_log2_slot_ranges),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_reset),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_q_edges),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_log2_empty),
		cmocka_unit_test(test_log2_literal),
		cmocka_unit_test(test_log2_from_samples),
		cmocka_unit_test(test_log2_edges),
		cmocka_unit_test(test_json_usecs),
		cmocka_unit_test(test_json_msecs),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_last_slot),
	};

	return cmocka_run_group_tests_name("hist_view", tests, NULL, NULL);
}
