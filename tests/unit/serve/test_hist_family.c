// SPDX-License-Identifier: GPL-2.0
/* hist_family.c: lat_hist to exported buckets, the series cap and folding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hist_family.h"
#include "hist_view.h"

/* Records us into h as the kernel's lat_hist_record() does (fine, count, sum). */
static void record(struct lat_hist *h, __u32 us, uint64_t times)
{
	h->fine[hist_fine_index(us)] += times;
	h->count += times;
	h->sum_us += (uint64_t)us * times;
}

static void test_bounds_are_fine_boundaries(void **state)
{
	__u64 lo, hi;
	int b, found;
	__u32 i;

	(void)state;
	assert_int_equal(prom_hist_bounds_us[0], 16);
	assert_int_equal(prom_hist_bounds_us[PROM_HIST_NBOUNDS - 1], 1ULL << 26);
	for (b = 0; b < PROM_HIST_NBOUNDS; b++) {
		if (b)
			assert_true(prom_hist_bounds_us[b] > prom_hist_bounds_us[b - 1]);
		/* Some fine bucket must end exactly at the bound: no
		 * bucket straddles it, so the cumulative count is exact. */
		found = 0;
		for (i = 0; i < HIST_FINE_SLOTS; i++) {
			lat_hist_fine_bounds(i, &lo, &hi);
			assert_false(lo < prom_hist_bounds_us[b] && hi > prom_hist_bounds_us[b]);
			found |= hi == prom_hist_bounds_us[b];
		}
		assert_true(found);
	}
}

static void test_every_value_counted_once(void **state)
{
	static struct lat_hist h;
	struct prom_hist p = {};
	uint64_t cum[PROM_HIST_NBOUNDS], total;
	int b;

	(void)state;
	/* Values on both sides of each bound, and the extremes. */
	for (b = 0; b < PROM_HIST_NBOUNDS; b++) {
		record(&h, prom_hist_bounds_us[b] - 1, 1);
		record(&h, prom_hist_bounds_us[b], 1);
	}
	record(&h, 0, 1);
	record(&h, UINT32_MAX, 1);
	prom_hist_add_lat(&p, &h);
	total = prom_hist_cumulative(&p, cum);
	assert_int_equal(total, h.count);
	assert_int_equal(p.sum_us, h.sum_us);
	/* Below bound b: value 0, and bound[k] - 1 for k <= b, bound[k] for k < b. */
	for (b = 0; b < PROM_HIST_NBOUNDS; b++)
		assert_int_equal(cum[b], 1 + (b + 1) + b);
	/* Above the last bound: the last bound itself and UINT32_MAX. */
	assert_int_equal(p.bucket[PROM_HIST_NBOUNDS], 2);
}

static void test_exact_not_interpolated(void **state)
{
	static struct lat_hist h;
	struct prom_hist p = {};
	uint64_t cum[PROM_HIST_NBOUNDS];

	(void)state;
	/* 1023 us is below the 1024 us bound, 1024 us is not: the counts
	 * step exactly there. */
	record(&h, 1023, 5);
	record(&h, 1024, 7);
	prom_hist_add_lat(&p, &h);
	assert_int_equal(prom_hist_cumulative(&p, cum), 12);
	assert_int_equal(prom_hist_bounds_us[6], 1024);
	assert_int_equal(cum[5], 0);	/* le 512 us */
	assert_int_equal(cum[6], 5);	/* le 1024 us */
	assert_int_equal(cum[7], 12);	/* le 2048 us */
}

static const char *const names[] = { "family", "outcome", "daddr" };

/* Writes f's family in the text format into a string the caller frees. */
static char *write_family(struct hist_family *f)
{
	struct prom_writer w;
	char *out;

	prom_init(&w, 0);
	prom_begin(&w, PROM_TEXT);
	hist_family_write(f, &w);
	assert_int_equal(prom_end(&w), 0);
	out = strdup(w.buf);
	prom_free(&w);
	return out;
}

static int count_lines(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	while (p && *p) {
		if (!strncmp(p, prefix, strlen(prefix)))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static void test_family_text(void **state)
{
	static struct lat_hist h;
	struct hist_family f;
	const char *v[] = { "ipv4", "established", "10.0.0.2" };
	char *out, line[200];

	(void)state;
	assert_int_equal(hist_family_init(&f, "t_seconds", "T.", names, 3, 1U << 2, 10), 0);
	record(&h, 20, 3);
	hist_family_begin(&f);
	assert_int_equal(hist_family_add(&f, v, &h), 0);
	/* The same label set again in one scrape: added up. */
	assert_int_equal(hist_family_add(&f, v, &h), 0);
	out = write_family(&f);
	assert_int_equal(count_lines(out, "# HELP t_seconds "), 1);
	assert_int_equal(count_lines(out, "# TYPE t_seconds histogram"), 1);
	assert_int_equal(count_lines(out, "t_seconds_bucket{"), PROM_HIST_NBOUNDS + 1);
	assert_non_null(strstr(out, "t_seconds_bucket{family=\"ipv4\",outcome=\"established\","
				    "daddr=\"10.0.0.2\",le=\"0.000016\"} 0\n"));
	assert_non_null(strstr(out, "le=\"0.000032\"} 6\n"));
	assert_non_null(strstr(out, "le=\"+Inf\"} 6\n"));
	snprintf(line, sizeof(line), "t_seconds_count{family=\"ipv4\",outcome=\"established\","
				     "daddr=\"10.0.0.2\"} 6\n");
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "t_seconds_sum{family=\"ipv4\",outcome=\"established\","
				    "daddr=\"10.0.0.2\"} 0.00012\n"));
	free(out);

	/* Nothing added in the next scrape: the family alone, no series. */
	hist_family_begin(&f);
	out = write_family(&f);
	assert_string_equal(out, "# HELP t_seconds T.\n# TYPE t_seconds histogram\n");
	free(out);
	hist_family_free(&f);
}

/* A distinct daddr per i. */
static void addr_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "10.0.%d.%d", i / 256, i % 256);
}

static void test_cap_folds_into_other(void **state)
{
	static struct lat_hist h;
	struct hist_family f;
	char addr[32], *out;
	const char *v[3] = { "ipv4", "established", addr };
	int scrape, i;

	(void)state;
	assert_int_equal(hist_family_init(&f, "t_seconds", "T.", names, 3, 1U << 2, 3), 0);
	record(&h, 100, 1);
	for (scrape = 0; scrape < 2; scrape++) {
		hist_family_begin(&f);
		/* Later scrapes see the keys in another order: admission stays. */
		for (i = 0; i < 10; i++) {
			addr_of(scrape ? 9 - i : i, addr, sizeof(addr));
			assert_int_equal(hist_family_add(&f, v, &h), 0);
		}
		v[1] = "refused";
		addr_of(50, addr, sizeof(addr));
		assert_int_equal(hist_family_add(&f, v, &h), 0);
		v[1] = "established";
		assert_int_equal(f.folded, 8);
		{
			struct prom_writer w;

			prom_init(&w, 0);
			prom_begin(&w, PROM_TEXT);
			prom_family(&w, "tcplat_series_folded", PROM_COUNTER, NULL, "F.");
			hist_family_write_folded(&f, &w);
			assert_non_null(strstr(w.buf, "\ntcplat_series_folded_total"
						      "{metric=\"t_seconds\"} 8\n"));
			prom_free(&w);
		}
		out = write_family(&f);
		/* 3 admitted + other{established} + other{refused}. */
		assert_int_equal(count_lines(out, "t_seconds_count{"), 5);
		assert_non_null(strstr(out, "daddr=\"10.0.0.0\"} 1\n"));
		assert_non_null(strstr(out, "daddr=\"10.0.0.2\"} 1\n"));
		assert_null(strstr(out, "daddr=\"10.0.0.3\""));
		assert_non_null(strstr(out, "t_seconds_count{family=\"ipv4\",outcome=\"established\","
					    "daddr=\"other\"} 7\n"));
		assert_non_null(strstr(out, "t_seconds_count{family=\"ipv4\",outcome=\"refused\","
					    "daddr=\"other\"} 1\n"));
		free(out);
	}
	hist_family_free(&f);
}

static void test_no_opt_in_labels_fold_all(void **state)
{
	static struct lat_hist h;
	struct hist_family f;
	const char *v[2] = { "ipv4", "established" };
	char *out;

	(void)state;
	assert_int_equal(hist_family_init(&f, "t_seconds", "T.", names, 2, 0, 1), 0);
	record(&h, 100, 2);
	hist_family_begin(&f);
	assert_int_equal(hist_family_add(&f, v, &h), 0);
	v[1] = "refused";
	assert_int_equal(hist_family_add(&f, v, &h), 0);
	out = write_family(&f);
	/* Nothing is lost: past the cap, every label is "other". */
	assert_non_null(strstr(out, "t_seconds_count{family=\"ipv4\",outcome=\"established\"} 2\n"));
	assert_non_null(strstr(out, "t_seconds_count{family=\"other\",outcome=\"other\"} 2\n"));
	assert_int_equal(f.folded, 1);
	free(out);
	hist_family_free(&f);
}

static void test_others_bounded(void **state)
{
	static struct lat_hist h;
	struct hist_family f;
	char outcome[32], addr[32], *out;
	const char *v[3] = { "ipv4", outcome, addr };
	int i;

	(void)state;
	assert_int_equal(hist_family_init(&f, "t_seconds", "T.", names, 3, 1U << 2, 1), 0);
	record(&h, 100, 1);
	hist_family_begin(&f);
	for (i = 0; i < 1 + HIST_FAMILY_MAX_OTHERS + 50; i++) {
		snprintf(outcome, sizeof(outcome), "E%d", i);
		addr_of(i, addr, sizeof(addr));
		assert_int_equal(hist_family_add(&f, v, &h), 0);
	}
	out = write_family(&f);
	/* 1 admitted, MAX_OTHERS folded by daddr, then one all-"other". */
	assert_int_equal(count_lines(out, "t_seconds_count{"), 1 + HIST_FAMILY_MAX_OTHERS + 1);
	assert_non_null(strstr(out, "t_seconds_count{family=\"other\",outcome=\"other\","
				    "daddr=\"other\"} 50\n"));
	free(out);
	hist_family_free(&f);
}

static void test_label_choices(void **state)
{
	static const struct label_choice c[] = { { "a", 1 }, { "bb", 2 }, { "c", 4 } };
	unsigned int bits = 99;

	(void)state;
	assert_int_equal(label_choices_parse("", c, 3, &bits), 0);
	assert_int_equal(bits, 0);
	assert_int_equal(label_choices_parse("c,a", c, 3, &bits), 0);
	assert_int_equal(bits, 5);
	assert_int_equal(label_choices_parse("bb", c, 3, &bits), 0);
	assert_int_equal(bits, 2);
	assert_int_equal(label_choices_parse("b", c, 3, &bits), -EINVAL);
	assert_int_equal(label_choices_parse("a,a", c, 3, &bits), -EINVAL);
	assert_int_equal(label_choices_parse("a,", c, 3, &bits), -EINVAL);
	assert_int_equal(label_choices_parse(",a", c, 3, &bits), -EINVAL);
	assert_int_equal(label_choices_parse("a,,c", c, 3, &bits), -EINVAL);
	assert_int_equal(label_choices_parse("d", c, 3, &bits), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_are_fine_boundaries),
		cmocka_unit_test(test_every_value_counted_once),
		cmocka_unit_test(test_exact_not_interpolated),
		cmocka_unit_test(test_family_text),
		cmocka_unit_test(test_cap_folds_into_other),
		cmocka_unit_test(test_no_opt_in_labels_fold_all),
		cmocka_unit_test(test_others_bounded),
		cmocka_unit_test(test_label_choices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
