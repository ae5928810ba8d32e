// SPDX-License-Identifier: GPL-2.0
/* connect_metrics.c: the connect families from synthetic kernel entries. */
#include <errno.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "connect_metrics.h"

static struct connect_hist_value value;

static void fill(struct connect_hist_value *v, __u32 us, uint64_t n, uint64_t retrans)
{
	memset(v, 0, sizeof(*v));
	v->hist.fine[hist_fine_index(us)] = n;
	v->hist.count = n;
	v->hist.sum_us = (uint64_t)us * n;
	v->syn_retrans = retrans;
}

static struct connect_key key4(const char *daddr, __u16 dport, __s32 outcome)
{
	struct connect_key k = { .family = AF_INET, .dport = dport, .outcome = outcome };

	inet_pton(AF_INET, daddr, k.daddr);
	memcpy(k.comm, "curl", 4);
	k.cgroup_id = 4242;
	return k;
}

static char *scrape(struct connect_metrics *m, enum prom_format format)
{
	struct prom_writer w;
	char *out;

	prom_init(&w, 0);
	prom_begin(&w, format);
	connect_metrics_write(m, &w);
	assert_int_equal(prom_end(&w), 0);
	out = strdup(w.buf);
	prom_free(&w);
	return out;
}

static void test_default_labels(void **state)
{
	struct connect_metrics m;
	struct connect_key k;
	char *out;

	(void)state;
	assert_int_equal(connect_metrics_init(&m, 0, 1000), 0);
	connect_metrics_begin(&m);
	k = key4("0.0.0.0", 0, CONNECT_ESTABLISHED);
	fill(&value, 1500, 4, 1);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	k.outcome = ECONNREFUSED;
	fill(&value, 90, 2, 0);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	k.outcome = ETIMEDOUT;
	k.family = AF_INET6;
	fill(&value, 3000000, 1, 1);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	out = scrape(&m, PROM_TEXT);
	assert_non_null(strstr(out, "# TYPE tcplat_connect_duration_seconds histogram\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_bucket{family=\"ipv4\","
				    "outcome=\"established\",le=\"0.002048\"} 4\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_bucket{family=\"ipv4\","
				    "outcome=\"established\",le=\"0.001024\"} 0\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_sum{family=\"ipv4\","
				    "outcome=\"established\"} 0.006\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_count{family=\"ipv4\","
				    "outcome=\"refused\"} 2\n"));
	/* A failure's duration is its time to failure: 3 s, in the 4.194304 s bucket. */
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_bucket{family=\"ipv6\","
				    "outcome=\"timeout\",le=\"2.097152\"} 0\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_bucket{family=\"ipv6\","
				    "outcome=\"timeout\",le=\"4.194304\"} 1\n"));
	assert_non_null(strstr(out, "# TYPE tcplat_connect_syn_retransmits_total counter\n"
				    "tcplat_connect_syn_retransmits_total{family=\"ipv4\"} 1\n"
				    "tcplat_connect_syn_retransmits_total{family=\"ipv6\"} 1\n"));
	assert_null(strstr(out, "daddr="));
	free(out);
	connect_metrics_free(&m);
}

static void test_opt_in_labels(void **state)
{
	struct connect_metrics m;
	struct connect_key k;
	unsigned int fields;
	char *out;

	(void)state;
	assert_int_equal(connect_labels_parse("cgroup,comm,dport,daddr", &fields), 0);
	assert_int_equal(fields, CONNECT_KEY_DADDR | CONNECT_KEY_DPORT | CONNECT_KEY_COMM |
					 CONNECT_KEY_CGROUP);
	assert_int_equal(connect_metrics_init(&m, fields, 10), 0);
	connect_metrics_begin(&m);
	k = key4("198.18.0.2", 5000, CONNECT_ABORTED);
	/* A comm of 16 bytes without a NUL, with a quote in it. */
	memcpy(k.comm, "0123456789abcd\"f", 16);
	fill(&value, 50, 1, 0);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	out = scrape(&m, PROM_TEXT);
	/* Labels in a fixed order, whatever the order asked. */
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_count{family=\"ipv4\","
				    "outcome=\"aborted\",daddr=\"198.18.0.2\",dport=\"5000\","
				    "comm=\"0123456789abcd\\\"f\",cgroup=\"4242\"} 1\n"));
	free(out);
	connect_metrics_free(&m);

	assert_int_equal(connect_labels_parse("daddr,pid", &fields), -EINVAL);
	assert_int_equal(connect_labels_parse("dport,dport", &fields), -EINVAL);
}

static void test_errno_outcome_and_openmetrics(void **state)
{
	struct connect_metrics m;
	struct connect_key k;
	char *out;

	(void)state;
	assert_int_equal(connect_metrics_init(&m, CONNECT_KEY_DPORT, 10), 0);
	connect_metrics_begin(&m);
	k = key4("1.2.3.4", 443, EADDRNOTAVAIL);
	fill(&value, 10, 1, 0);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	out = scrape(&m, PROM_OPENMETRICS);
	assert_non_null(strstr(out, "# TYPE tcplat_connect_duration_seconds histogram\n"
				    "# UNIT tcplat_connect_duration_seconds seconds\n"));
	assert_non_null(strstr(out, "outcome=\"EADDRNOTAVAIL\",dport=\"443\",le=\"0.000016\"} 1\n"));
	assert_non_null(strstr(out, "# TYPE tcplat_connect_syn_retransmits counter\n"
				    "tcplat_connect_syn_retransmits_total{family=\"ipv4\"} 0\n"));
	assert_non_null(strstr(out, "# EOF\n"));
	free(out);
	connect_metrics_free(&m);
}

static void test_cap(void **state)
{
	struct connect_metrics m;
	struct connect_key k;
	char addr[32], *out;
	int i;

	(void)state;
	assert_int_equal(connect_metrics_init(&m, CONNECT_KEY_DADDR, 100), 0);
	connect_metrics_begin(&m);
	fill(&value, 200, 1, 0);
	for (i = 0; i < 5000; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 250, i % 250 + 1);
		k = key4(addr, 0, CONNECT_ESTABLISHED);
		assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	}
	assert_int_equal(m.duration.folded, 4900);
	out = scrape(&m, PROM_TEXT);
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_count{family=\"ipv4\","
				    "outcome=\"established\",daddr=\"other\"} 4900\n"));
	free(out);
	connect_metrics_free(&m);
}

/* The kernel's overflow key (a full table) goes straight to 'other', beside
 * label sets folded here, without being counted as a label set. */
static void test_overflow_key(void **state)
{
	struct connect_metrics m;
	struct connect_key k;
	char *out;

	(void)state;
	assert_int_equal(connect_metrics_init(&m, CONNECT_KEY_DADDR | CONNECT_KEY_DPORT, 1), 0);
	connect_metrics_begin(&m);
	fill(&value, 200, 3, 0);
	k = key4("10.0.0.1", 80, ECONNREFUSED);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	k = key4("10.0.0.2", 80, ECONNREFUSED);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.outcome = ECONNREFUSED;
	k.cgroup_id = CONNECT_KEY_OVERFLOW_CGROUP;
	fill(&value, 200, 7, 0);
	assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
	assert_int_equal(m.duration.folded, 1);
	out = scrape(&m, PROM_TEXT);
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_count{family=\"ipv4\","
				    "outcome=\"refused\",daddr=\"10.0.0.1\",dport=\"80\"} 3\n"));
	assert_non_null(strstr(out, "tcplat_connect_duration_seconds_count{family=\"ipv4\","
				    "outcome=\"refused\",daddr=\"other\",dport=\"other\"} 10\n"));
	assert_null(strstr(out, "daddr=\"0.0.0.0\""));
	free(out);
	connect_metrics_free(&m);
}

/* Runs cmd (a shell command reading file in) and fails with its output if
 * it exits non-zero or says anything. */
static void run_checker(const char *what, const char *cmd, const char *text)
{
	char out[128], sh[1024], msg[600] = "";
	int rc;
	FILE *f;

	snprintf(out, sizeof(out), "/tmp/tcplat_test_promtool.%d", (int)getpid());
	snprintf(sh, sizeof(sh), "%s > %s.out 2>&1", cmd, out);
	rc = system(sh);
	snprintf(sh, sizeof(sh), "%s.out", out);
	f = fopen(sh, "r");
	if (f) {
		msg[fread(msg, 1, sizeof(msg) - 1, f)] = '\0';
		fclose(f);
	}
	remove(sh);
	if (rc || (msg[0] && !strstr(msg, "BLOCK ULID")))
		fail_msg("%s (status %d): %s\n%s", what, rc, msg, text);
}

/* Writes text to path; for OpenMetrics, with a timestamp on each sample,
 * which promtool's block importer wants. */
static void write_file(const char *path, const char *text, bool stamp)
{
	FILE *f = fopen(path, "w");
	const char *p = text, *nl;

	assert_non_null(f);
	while (*p) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		fwrite(p, 1, nl - p, f);
		if (stamp && *p != '#')
			fputs(" 1700000000", f);
		fputc('\n', f);
		p = nl + 1;
	}
	assert_int_equal(fclose(f), 0);
}

/*
 * A scrape of every connect family with every label, a hostile comm and a
 * folded series, read by Prometheus's own parsers: promtool check metrics
 * (the text format, and its lint: naming, units, histogram shape) and, for
 * OpenMetrics, promtool's block importer, which parses it with the
 * OpenMetrics parser Prometheus scrapes with.
 */
static void test_promtool_accepts(void **state)
{
	enum prom_format formats[] = { PROM_TEXT, PROM_OPENMETRICS };
	struct connect_metrics m;
	struct connect_key k;
	struct prom_writer w;
	char addr[32], file[64], cmd[512];
	int i, f;

	(void)state;
	assert_int_equal(connect_metrics_init(&m, CONNECT_KEY_DADDR | CONNECT_KEY_DPORT |
						      CONNECT_KEY_COMM | CONNECT_KEY_CGROUP, 3),
			 0);
	snprintf(file, sizeof(file), "/tmp/tcplat_test_scrape.%d", (int)getpid());
	prom_init(&w, 0);
	for (f = 0; f < 2; f++) {
		connect_metrics_begin(&m);
		for (i = 0; i < 5; i++) {
			snprintf(addr, sizeof(addr), "10.9.0.%d", i + 1);
			k = key4(addr, 80 + i, i % 2 ? ECONNREFUSED : CONNECT_ESTABLISHED);
			memcpy(k.comm, "we\"ird\\\ncomm\xff", 13);
			fill(&value, 100u << i, i + 1, i);
			assert_int_equal(connect_metrics_add(&m, &k, &value), 0);
		}
		prom_begin(&w, formats[f]);
		prom_family(&w, "tcplat_build", PROM_INFO, NULL, "Build.");
		prom_sample_u64(&w, (const struct prom_label[]){ { "version", "1" } }, 1, 1);
		connect_metrics_write(&m, &w);
		prom_family(&w, "tcplat_series_folded", PROM_COUNTER, NULL, "Folded.");
		hist_family_write_folded(&m.duration, &w);
		assert_int_equal(prom_end(&w), 0);
		write_file(file, w.buf, formats[f] == PROM_OPENMETRICS);
		if (formats[f] == PROM_TEXT)
			snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", file);
		else
			snprintf(cmd, sizeof(cmd), "promtool tsdb create-blocks-from openmetrics %s "
						   "%s.blocks && rm -rf %s.blocks", file, file, file);
		run_checker(formats[f] == PROM_TEXT ? "promtool check metrics"
						    : "promtool's OpenMetrics parser", cmd, w.buf);
	}
	remove(file);
	prom_free(&w);
	connect_metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_labels),
		cmocka_unit_test(test_opt_in_labels),
		cmocka_unit_test(test_errno_outcome_and_openmetrics),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_overflow_key),
		cmocka_unit_test(test_promtool_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
