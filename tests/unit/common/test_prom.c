// SPDX-License-Identifier: GPL-2.0
/* prom.c: the exposition writer, both formats, escaping, negotiation. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "prom.h"

static struct prom_writer w;

static int setup(void **state)
{
	(void)state;
	prom_init(&w, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	prom_free(&w);
	return 0;
}

/* The buffer so far must be exactly want. */
static void check(const char *want)
{
	assert_int_equal(w.err, 0);
	assert_string_equal(w.buf, want);
	assert_int_equal(w.len, strlen(want));
}

static void test_counter_text(void **state)
{
	const struct prom_label l[] = { { "family", "ipv4" } };

	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "tcplat_x", PROM_COUNTER, NULL, "Things.");
	prom_sample_u64(&w, l, 1, 42);
	prom_sample_u64(&w, NULL, 0, UINT64_MAX);
	assert_int_equal(prom_end(&w), 0);
	check("# HELP tcplat_x_total Things.\n"
	      "# TYPE tcplat_x_total counter\n"
	      "tcplat_x_total{family=\"ipv4\"} 42\n"
	      "tcplat_x_total 18446744073709551615\n");
}

static void test_counter_openmetrics(void **state)
{
	(void)state;
	prom_begin(&w, PROM_OPENMETRICS);
	prom_family(&w, "process_cpu_seconds", PROM_COUNTER, "seconds", "CPU.");
	prom_sample_us(&w, NULL, 0, 1500000);
	prom_family(&w, "tcplat_build", PROM_INFO, NULL, "Build.");
	prom_sample_u64(&w, (const struct prom_label[]){ { "version", "1" } }, 1, 1);
	assert_int_equal(prom_end(&w), 0);
	check("# HELP process_cpu_seconds CPU.\n"
	      "# TYPE process_cpu_seconds counter\n"
	      "# UNIT process_cpu_seconds seconds\n"
	      "process_cpu_seconds_total 1.5\n"
	      "# HELP tcplat_build Build.\n"
	      "# TYPE tcplat_build info\n"
	      "tcplat_build_info{version=\"1\"} 1\n"
	      "# EOF\n");
}

static void test_info_text_is_gauge(void **state)
{
	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "tcplat_build", PROM_INFO, NULL, "Build.");
	prom_sample_u64(&w, NULL, 0, 1);
	prom_family(&w, "g_bytes", PROM_GAUGE, "bytes", "G.");
	prom_sample_u64(&w, NULL, 0, 7);
	prom_end(&w);
	/* No UNIT line and no # EOF in 0.0.4. */
	check("# HELP tcplat_build_info Build.\n"
	      "# TYPE tcplat_build_info gauge\n"
	      "tcplat_build_info 1\n"
	      "# HELP g_bytes G.\n"
	      "# TYPE g_bytes gauge\n"
	      "g_bytes 7\n");
}

static void test_histogram(void **state)
{
	const uint64_t bounds[] = { 16, 32, 1048576 };
	const uint64_t cum[] = { 1, 3, 3 };
	const struct prom_label l[] = { { "family", "ipv6" }, { "outcome", "refused" } };

	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "d_seconds", PROM_HISTOGRAM, "seconds", "D.");
	prom_histogram(&w, l, 2, bounds, cum, 3, 4, 2000001);
	prom_histogram(&w, NULL, 0, bounds, cum, 1, 1, 0);
	prom_end(&w);
	check("# HELP d_seconds D.\n"
	      "# TYPE d_seconds histogram\n"
	      "d_seconds_bucket{family=\"ipv6\",outcome=\"refused\",le=\"0.000016\"} 1\n"
	      "d_seconds_bucket{family=\"ipv6\",outcome=\"refused\",le=\"0.000032\"} 3\n"
	      "d_seconds_bucket{family=\"ipv6\",outcome=\"refused\",le=\"1.048576\"} 3\n"
	      "d_seconds_bucket{family=\"ipv6\",outcome=\"refused\",le=\"+Inf\"} 4\n"
	      "d_seconds_count{family=\"ipv6\",outcome=\"refused\"} 4\n"
	      "d_seconds_sum{family=\"ipv6\",outcome=\"refused\"} 2.000001\n"
	      "d_seconds_bucket{le=\"0.000016\"} 1\n"
	      "d_seconds_bucket{le=\"+Inf\"} 1\n"
	      "d_seconds_count 1\n"
	      "d_seconds_sum 0\n");
}

static void test_label_escaping(void **state)
{
	const struct prom_label l[] = { { "comm", "a\\b\"c\nd" } };

	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "g", PROM_GAUGE, NULL, "Help with \\ and \"quotes\"\nand a newline.");
	prom_sample_u64(&w, l, 1, 1);
	prom_end(&w);
	/* 0.0.4 escapes backslash and newline in HELP, not the quote. */
	check("# HELP g Help with \\\\ and \"quotes\"\\nand a newline.\n"
	      "# TYPE g gauge\n"
	      "g{comm=\"a\\\\b\\\"c\\nd\"} 1\n");

	prom_begin(&w, PROM_OPENMETRICS);
	prom_family(&w, "g", PROM_GAUGE, NULL, "q\"");
	prom_end(&w);
	check("# HELP g q\\\"\n# TYPE g gauge\n# EOF\n");
}

static void test_label_utf8(void **state)
{
	/* Valid UTF-8 passes; a stray byte and a truncated sequence become U+FFFD. */
	const struct prom_label l[] = { { "comm", "\xc3\xa9t\xff\xe2\x82" } };

	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "g", PROM_GAUGE, NULL, "G.");
	prom_sample_u64(&w, l, 1, 0);
	prom_end(&w);
	check("# HELP g G.\n# TYPE g gauge\n"
	      "g{comm=\"\xc3\xa9t\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"} 0\n");
}

static void test_doubles(void **state)
{
	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "g", PROM_GAUGE, NULL, "G.");
	prom_sample_double(&w, NULL, 0, 0.1);
	prom_sample_double(&w, NULL, 0, 1e300);
	prom_sample_double(&w, NULL, 0, -2.5);
	prom_sample_double(&w, NULL, 0, INFINITY);
	prom_sample_double(&w, NULL, 0, -INFINITY);
	prom_sample_double(&w, NULL, 0, NAN);
	prom_end(&w);
	check("# HELP g G.\n# TYPE g gauge\n"
	      "g 0.1\ng 1e+300\ng -2.5\ng +Inf\ng -Inf\ng NaN\n");
}

static void test_fixed(void **state)
{
	char buf[48];

	(void)state;
	prom_format_us(buf, sizeof(buf), 16);
	assert_string_equal(buf, "0.000016");
	prom_format_us(buf, sizeof(buf), 67108864);
	assert_string_equal(buf, "67.108864");
	prom_format_us(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	prom_format_us(buf, sizeof(buf), 3000000);
	assert_string_equal(buf, "3");
	prom_format_us(buf, sizeof(buf), 1200);
	assert_string_equal(buf, "0.0012");
	prom_format_fixed(buf, sizeof(buf), 1000000001, 9);
	assert_string_equal(buf, "1.000000001");
	prom_format_fixed(buf, sizeof(buf), UINT64_MAX, 9);
	assert_string_equal(buf, "18446744073.709551615");
	prom_format_fixed(buf, sizeof(buf), 250, 2);
	assert_string_equal(buf, "2.5");
}

static void test_buffer_reused_and_bounded(void **state)
{
	char *first;
	int i;

	(void)state;
	prom_begin(&w, PROM_TEXT);
	prom_family(&w, "g", PROM_GAUGE, NULL, "G.");
	prom_sample_u64(&w, NULL, 0, 1);
	first = w.buf;
	prom_begin(&w, PROM_TEXT);
	assert_int_equal(w.len, 0);
	prom_family(&w, "g", PROM_GAUGE, NULL, "G.");
	assert_ptr_equal(w.buf, first);	/* the same allocation, emptied */

	/* A writer bounded at 100 bytes fails the scrape rather than grow. */
	prom_free(&w);
	prom_init(&w, 100);
	prom_begin(&w, PROM_TEXT);
	for (i = 0; i < 20; i++)
		prom_sample_u64(&w, NULL, 0, 123456789);
	assert_int_equal(prom_end(&w), -E2BIG);
	assert_true(w.len < 100);
	prom_begin(&w, PROM_TEXT);
	assert_int_equal(w.err, 0);
}

static void test_negotiate(void **state)
{
	(void)state;
	assert_int_equal(prom_negotiate(NULL), PROM_TEXT);
	assert_int_equal(prom_negotiate(""), PROM_TEXT);
	assert_int_equal(prom_negotiate("*/*"), PROM_TEXT);
	assert_int_equal(prom_negotiate("text/plain"), PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text"), PROM_OPENMETRICS);
	/* What Prometheus 2.x sends. */
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=1.0.0,"
					"application/openmetrics-text;version=0.0.1;q=0.75,"
					"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("text/plain;version=0.0.4;q=1, "
					"application/openmetrics-text; q=0.5"),
			 PROM_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0"), PROM_TEXT);
	assert_int_equal(prom_negotiate("APPLICATION/OpenMetrics-Text ; version=1.0.0"),
			 PROM_OPENMETRICS);
	assert_int_equal(prom_negotiate("application/openmetrics-textx"), PROM_TEXT);
	assert_string_equal(prom_content_type(PROM_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(prom_content_type(PROM_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

static void test_header_q(void **state)
{
	static const char *const gzip[] = { "gzip", "*", NULL };

	(void)state;
	assert_true(prom_header_q(NULL, gzip) < 0);
	assert_true(prom_header_q("", gzip) < 0);
	assert_true(prom_header_q("deflate, br", gzip) < 0);
	assert_true(prom_header_q("gzip", gzip) == 1);
	assert_true(prom_header_q("deflate, GZIP;q=0.3", gzip) == 0.3);
	assert_true(prom_header_q("gzip;q=0, identity", gzip) == 0);
	assert_true(prom_header_q("*;q=0.5", gzip) == 0.5);
	assert_true(prom_header_q("gzipx, xgzip", gzip) < 0);
	/* q outside [0, 1] is no acceptance. */
	assert_true(prom_header_q("gzip;q=2", gzip) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counter_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_openmetrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_text_is_gauge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_label_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_doubles, setup, teardown),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test_setup_teardown(test_buffer_reused_and_bounded, setup, teardown),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_header_q),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
