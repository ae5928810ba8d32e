// SPDX-License-Identifier: GPL-2.0
/* rtt_metrics.c: tcplat_rtt_seconds from synthetic histograms. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "rtt_metrics.h"
#include "rtt.h"

static struct lat_hist h;

static char *scrape(struct rtt_metrics *m)
{
	struct prom_writer w;
	char *out;

	prom_init(&w, 0);
	prom_begin(&w, PROM_TEXT);
	rtt_metrics_write(m, &w);
	assert_int_equal(prom_end(&w), 0);
	out = strdup(w.buf);
	prom_free(&w);
	return out;
}

static void test_family_only_sums_keys(void **state)
{
	struct rtt_metrics m;
	struct rtt_series_key k = { .family = AF_INET };
	char *out;

	(void)state;
	assert_int_equal(rtt_metrics_init(&m, 0, 100), 0);
	memset(&h, 0, sizeof(h));
	h.fine[hist_fine_index(20000)] = 3;
	h.count = 3;
	h.sum_us = 60000;
	rtt_metrics_begin(&m);
	/* Two kernel keys of one label set: one series, summed. */
	assert_int_equal(rtt_metrics_add(&m, &k, &h), 0);
	k.rport = 80;
	assert_int_equal(rtt_metrics_add(&m, &k, &h), 0);
	out = scrape(&m);
	assert_non_null(strstr(out, "# TYPE tcplat_rtt_seconds histogram\n"));
	assert_non_null(strstr(out, "tcplat_rtt_seconds_bucket{family=\"ipv4\",le=\"0.016384\"} 0\n"
				    "tcplat_rtt_seconds_bucket{family=\"ipv4\",le=\"0.032768\"} 6\n"));
	assert_non_null(strstr(out, "tcplat_rtt_seconds_count{family=\"ipv4\"} 6\n"
				    "tcplat_rtt_seconds_sum{family=\"ipv4\"} 0.12\n"));
	free(out);
	rtt_metrics_free(&m);
}

/* The kernel's overflow key (RTT_MODE_KEYED, a full table) shows as 'other'. */
static void test_overflow_key(void **state)
{
	struct rtt_metrics m;
	struct rtt_series_key k = { .family = AF_INET, .rport = 80 };
	char *out;

	(void)state;
	assert_int_equal(rtt_metrics_init(&m, RTT_LABEL_RPORT, 100), 0);
	memset(&h, 0, sizeof(h));
	h.fine[hist_fine_index(20000)] = 2;
	h.count = 2;
	h.sum_us = 40000;
	rtt_metrics_begin(&m);
	assert_int_equal(rtt_metrics_add(&m, &k, &h), 0);
	k.rport = 0;
	k.cgroup_id = RTT_KEY_OVERFLOW_CGROUP;
	assert_int_equal(rtt_metrics_add(&m, &k, &h), 0);
	out = scrape(&m);
	assert_non_null(strstr(out, "tcplat_rtt_seconds_count{family=\"ipv4\",rport=\"80\"} 2\n"));
	assert_non_null(strstr(out, "tcplat_rtt_seconds_count{family=\"ipv4\",rport=\"other\"} 2\n"));
	assert_null(strstr(out, "rport=\"0\""));
	free(out);
	rtt_metrics_free(&m);
}

static void test_labels(void **state)
{
	struct rtt_metrics m;
	struct rtt_series_key k = { .family = AF_INET6, .rport = 443, .cgroup_id = 7 };
	unsigned int labels;
	char *out;

	(void)state;
	assert_int_equal(rtt_labels_parse("rport,raddr,cgroup", &labels), 0);
	assert_int_equal(labels, RTT_LABEL_RADDR | RTT_LABEL_RPORT | RTT_LABEL_CGROUP);
	assert_int_equal(rtt_labels_parse("daddr", &labels), -EINVAL);
	assert_int_equal(rtt_metrics_init(&m, RTT_LABEL_RADDR | RTT_LABEL_RPORT, 100), 0);
	inet_pton(AF_INET6, "fd00:7c::2", k.raddr);
	memset(&h, 0, sizeof(h));
	h.fine[hist_fine_index(5)] = 1;
	h.count = 1;
	h.sum_us = 5;
	rtt_metrics_begin(&m);
	assert_int_equal(rtt_metrics_add(&m, &k, &h), 0);
	out = scrape(&m);
	assert_non_null(strstr(out, "tcplat_rtt_seconds_count{family=\"ipv6\",raddr=\"fd00:7c::2\","
				    "rport=\"443\"} 1\n"));
	assert_null(strstr(out, "cgroup="));
	free(out);
	rtt_metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_only_sums_keys),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_overflow_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
