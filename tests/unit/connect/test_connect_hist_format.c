// SPDX-License-Identifier: GPL-2.0
/* connect_hist_format.c: the --hist interval in text and NDJSON, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "connect_hist_format.h"

/* dport 443 of 10.0.0.2 from curl in cgroup 77: n connects of us each (the
 * second of 3 * us), 2 refused, 1 timeout, 3 SYN retransmits. The expected
 * numbers are the bucket bounds of hist.h: 10000 us lies in [9728, 10240),
 * 30000 in [29696, 30720), 40000 in [38912, 40960), 120000 in [118784,
 * 122880); percentiles interpolate inside them. */
static void interval(struct connect_interval *iv, uint64_t n, uint32_t us)
{
	static const uint8_t a[4] = { 10, 0, 0, 2 };
	struct lat_hist *h = &iv->diff.latency;

	memset(iv, 0, sizeof(*iv));
	iv->diff.key.dport = 443;
	iv->diff.key.family = AF_INET;
	memcpy(iv->diff.key.daddr, a, sizeof(a));
	strcpy(iv->diff.key.comm, "curl");
	iv->diff.key.cgroup_id = 77;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t v = i == 1 ? 3 * us : us;

		h->count++;
		h->sum_us += v;
		h->fine[hist_fine_index(v)]++;
		h->log2[hist_log2(v / 1000)]++;
	}
	iv->diff.failed[CONNECT_OC_REFUSED] = 2;
	iv->diff.failed[CONNECT_OC_TIMEOUT] = 1;
	iv->diff.syn_retrans = 3;
	lat_hist_summarize(h, &iv->sum);
}

static void check_label(uint32_t fields, const char *cgroup, const char *want)
{
	struct connect_interval iv;
	char buf[256];

	interval(&iv, 1, 1000);
	assert_string_equal(connect_key_label(fields, &iv.diff.key, cgroup, buf, sizeof(buf)), want);
}

static void test_labels(void **state)
{
	(void)state;
	check_label(0, NULL, "all");
	check_label(CONNECT_KEY_DPORT, NULL, "dport 443");
	check_label(CONNECT_KEY_DADDR, NULL, "daddr 10.0.0.2");
	check_label(CONNECT_KEY_COMM, NULL, "comm curl");
	check_label(CONNECT_KEY_CGROUP, "/system.slice/a.service", "cgroup /system.slice/a.service");
	check_label(CONNECT_KEY_CGROUP, NULL, "cgroup 77");
	check_label(CONNECT_KEY_CGROUP | CONNECT_KEY_COMM | CONNECT_KEY_DADDR | CONNECT_KEY_DPORT,
		    "/", "dport 443 daddr 10.0.0.2 comm curl cgroup /");
}

static void test_label_truncated(void **state)
{
	struct connect_interval iv;
	char buf[12];

	(void)state;
	interval(&iv, 1, 1000);
	memcpy(iv.diff.key.comm, "0123456789abcdef", 16);	/* no NUL */
	connect_key_label(CONNECT_KEY_COMM | CONNECT_KEY_DPORT, &iv.diff.key, NULL, buf,
			  sizeof(buf));
	assert_string_equal(buf, "dport 443 c");
	connect_key_label(CONNECT_KEY_COMM, &iv.diff.key, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "comm 012345");
}

static void test_text(void **state)
{
	struct connect_interval iv;
	struct capture c;

	(void)state;
	interval(&iv, 4, 10000);
	connect_print_interval_text(cap_open(&c), "12:00:01", "dport 443", &iv, false);
	cap_check(&c,
		  "12:00:01 dport 443: count 4  min 9.728  p50 10.069  p90 30.310  p99 30.679  "
		  "max 30.720 (msecs)\n"
		  "         failed 3: refused 2  timeout 1  unreachable 0  aborted 0  other 0; "
		  "syn_retrans 3\n"
		  "     msecs               : count    distribution                               "
		  "share\n"
		  "         0 -> 1          : 0        |                                        |"
		  "   0.0%\n"
		  "         2 -> 3          : 0        |                                        |"
		  "   0.0%\n"
		  "         4 -> 7          : 0        |                                        |"
		  "   0.0%\n"
		  "         8 -> 15         : 3        |****************************************|"
		  "  75.0%\n"
		  "        16 -> 31         : 1        |*************                           |"
		  "  25.0%\n"
		  "\n");
	/* Only failures: no table, the counts still. */
	interval(&iv, 0, 0);
	connect_print_interval_text(cap_open(&c), "1:2:3", "all", &iv, true);
	cap_check(&c,
		  "1:2:3 all: count 0  min 0  p50 0  p90 0  p99 0  max 0 (usecs)\n"
		  "      failed 3: refused 2  timeout 1  unreachable 0  aborted 0  other 0; "
		  "syn_retrans 3\n"
		  "\n");
	connect_print_no_connects(cap_open(&c), "12:00:02");
	cap_check(&c, "12:00:02: no connects\n\n");
}

static void test_json(void **state)
{
	struct connect_interval iv;
	struct capture c;

	(void)state;
	interval(&iv, 2, 40000);
	connect_print_interval_json(cap_open(&c), 1700000000000000000ULL, 1000000000ULL,
				    CONNECT_KEY_DPORT, NULL, &iv, false);
	cap_check(&c,
		  "{\"type\":\"connect_hist\",\"ts_ns\":1700000000000000000,\"interval_ns\":1000000000,"
		  "\"by\":\"dport\",\"dport\":443,\"count\":2,\"sum_us\":160000,\"min_us\":38912,"
		  "\"p50_us\":40960,\"p90_us\":122061,\"p99_us\":122798,\"max_us\":122880,"
		  "\"buckets\":[{\"lo_us\":0,\"hi_us\":1999,\"count\":0},"
		  "{\"lo_us\":2000,\"hi_us\":3999,\"count\":0},"
		  "{\"lo_us\":4000,\"hi_us\":7999,\"count\":0},"
		  "{\"lo_us\":8000,\"hi_us\":15999,\"count\":0},"
		  "{\"lo_us\":16000,\"hi_us\":31999,\"count\":0},"
		  "{\"lo_us\":32000,\"hi_us\":63999,\"count\":1},"
		  "{\"lo_us\":64000,\"hi_us\":127999,\"count\":1}],"
		  "\"refused\":2,\"timeout\":1,\"unreachable\":0,\"aborted\":0,\"other\":0,"
		  "\"failed\":3,\"syn_retrans\":3}\n");
	/* No key: no "by"; every key field, an escaped comm, an unknown cgroup. */
	interval(&iv, 0, 0);
	strcpy(iv.diff.key.comm, "a\"b");
	connect_print_interval_json(cap_open(&c), 1, 2, 0, NULL, &iv, true);
	cap_check(&c,
		  "{\"type\":\"connect_hist\",\"ts_ns\":1,\"interval_ns\":2,\"count\":0,\"sum_us\":0,"
		  "\"min_us\":0,\"p50_us\":0,\"p90_us\":0,\"p99_us\":0,\"max_us\":0,\"buckets\":[],"
		  "\"refused\":2,\"timeout\":1,\"unreachable\":0,\"aborted\":0,\"other\":0,"
		  "\"failed\":3,\"syn_retrans\":3}\n");
	connect_print_interval_json(cap_open(&c), 1, 2,
				    CONNECT_KEY_DPORT | CONNECT_KEY_DADDR | CONNECT_KEY_COMM |
					    CONNECT_KEY_CGROUP,
				    NULL, &iv, true);
	cap_check(&c,
		  "{\"type\":\"connect_hist\",\"ts_ns\":1,\"interval_ns\":2,"
		  "\"by\":\"dport,daddr,comm,cgroup\",\"dport\":443,\"family\":4,"
		  "\"daddr\":\"10.0.0.2\",\"comm\":\"a\\\"b\",\"cgroup_id\":77,\"cgroup\":null,"
		  "\"count\":0,\"sum_us\":0,\"min_us\":0,\"p50_us\":0,\"p90_us\":0,\"p99_us\":0,"
		  "\"max_us\":0,\"buckets\":[],\"refused\":2,\"timeout\":1,\"unreachable\":0,"
		  "\"aborted\":0,\"other\":0,\"failed\":3,\"syn_retrans\":3}\n");
	connect_print_interval_json(cap_open(&c), 1, 2, CONNECT_KEY_CGROUP, "/a/\"b\"", &iv, true);
	cap_check(&c,
		  "{\"type\":\"connect_hist\",\"ts_ns\":1,\"interval_ns\":2,\"by\":\"cgroup\","
		  "\"cgroup_id\":77,\"cgroup\":\"/a/\\\"b\\\"\",\"count\":0,\"sum_us\":0,"
		  "\"min_us\":0,\"p50_us\":0,\"p90_us\":0,\"p99_us\":0,\"max_us\":0,\"buckets\":[],"
		  "\"refused\":2,\"timeout\":1,\"unreachable\":0,\"aborted\":0,\"other\":0,"
		  "\"failed\":3,\"syn_retrans\":3}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_label_truncated),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("connect_hist_format", tests, NULL, NULL);
}
