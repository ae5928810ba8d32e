// SPDX-License-Identifier: GPL-2.0
/*
 * connect_format.c: the text columns must be exactly bcc tcpconnlat's, so the
 * expected lines are built here from tcpconnlat's formats, not from the code.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "connect_format.h"

/* A v4 event: pid 1234 "curl", 10.0.0.1:54321 -> 10.0.0.2:80 in 1.234567 ms. */
static void event_v4(struct connect_event *e)
{
	static const uint8_t sa[4] = { 10, 0, 0, 1 }, da[4] = { 10, 0, 0, 2 };

	memset(e, 0, sizeof(*e));
	e->ts_ns = 5000000000ULL;
	e->latency_ns = 1234567;
	memcpy(e->saddr, sa, sizeof(sa));
	memcpy(e->daddr, da, sizeof(da));
	e->pid = 1234;
	e->outcome = 0;
	e->family = AF_INET;
	e->lport = 54321;
	e->dport = 80;
	strcpy(e->comm, "curl");
}

/* A v6 event: pid 99 "ssh", fd00::1:40000 -> 2001:db8::1234:5678:22 in 25.5 ms. */
static void event_v6(struct connect_event *e)
{
	static const uint8_t sa[16] = { 0xfd, 0x00, [15] = 0x01 };
	static const uint8_t da[16] = { 0x20, 0x01, 0x0d, 0xb8, [12] = 0x12, 0x34, 0x56, 0x78 };

	memset(e, 0, sizeof(*e));
	e->ts_ns = 7000000000ULL;
	e->latency_ns = 25500000;
	memcpy(e->saddr, sa, sizeof(sa));
	memcpy(e->daddr, da, sizeof(da));
	e->pid = 99;
	e->outcome = 0;
	e->family = AF_INET6;
	e->lport = 40000;
	e->dport = 22;
	strcpy(e->comm, "ssh");
}

/* --- outcome names --- */

static void test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(connect_outcome_name(0), "established");
	assert_string_equal(connect_outcome_name(CONNECT_ESTABLISHED), "established");
	assert_string_equal(connect_outcome_name(-1), "aborted");
	assert_string_equal(connect_outcome_name(CONNECT_ABORTED), "aborted");
	assert_string_equal(connect_outcome_name(ECONNREFUSED), "refused");
	assert_string_equal(connect_outcome_name(ETIMEDOUT), "timeout");
	assert_string_equal(connect_outcome_name(EHOSTUNREACH), "unreachable");
	assert_string_equal(connect_outcome_name(ENETUNREACH), "unreachable");
	assert_string_equal(connect_outcome_name(EADDRNOTAVAIL), "EADDRNOTAVAIL");
	assert_string_equal(connect_outcome_name(ECONNRESET), "ECONNRESET");
}

static void test_outcome_unknown(void **state)
{
	(void)state;
	assert_string_equal(connect_outcome_name(-2), "unknown");
	assert_string_equal(connect_outcome_name(INT32_MIN), "unknown");
	assert_string_equal(connect_outcome_name(100000), "unknown");
}

/* --- header --- */

/* tcpconnlat's header, built from its formats. */
static void header_want(char *buf, size_t len, const struct connect_view *v)
{
	size_t n = 0;

	if (v->timestamp)
		n += snprintf(buf + n, len - n, "%-9s ", "TIME(s)");
	n += snprintf(buf + n, len - n, "%-6s %-12s %-2s %-16s ", "PID", "COMM", "IP", "SADDR");
	if (v->lport)
		n += snprintf(buf + n, len - n, "%-6s ", "LPORT");
	n += snprintf(buf + n, len - n, "%-16s %-5s ", "DADDR", "DPORT");
	if (v->failed)
		snprintf(buf + n, len - n, "%-8s %s\n", "LAT(ms)", "OUTCOME");
	else
		snprintf(buf + n, len - n, "%s\n", "LAT(ms)");
}

static void test_header_default_literal(void **state)
{
	struct connect_view v = {};
	struct capture c;

	(void)state;
	connect_print_header(cap_open(&c), &v);
	cap_check(&c, "PID    COMM         IP SADDR            DADDR            DPORT LAT(ms)\n");
}

static void test_header_all_views(void **state)
{
	char want[256], tmp[256];
	struct capture c;
	int mask;

	(void)state;
	for (mask = 0; mask < 8; mask++) {
		struct connect_view v = {
			.timestamp = mask & 1,
			.lport = mask & 2,
			.failed = mask & 4,
		};

		header_want(want, sizeof(want), &v);
		connect_print_header(cap_open(&c), &v);
		assert_int_equal(fclose(c.f), 0);
		if (strcmp(c.buf, want))
			fail_msg("header for -t=%d -L=%d --failed=%d:\n got '%s'\nwant '%s'",
				 v.timestamp, v.lport, v.failed, c.buf, want);
		free(c.buf);
	}
	/* The plain one, checked against the one-format spelling too. */
	snprintf(tmp, sizeof(tmp), "%-6s %-12s %-2s %-16s %-16s %-5s %s\n", "PID", "COMM", "IP",
		 "SADDR", "DADDR", "DPORT", "LAT(ms)");
	header_want(want, sizeof(want), &(struct connect_view){});
	assert_string_equal(want, tmp);
	snprintf(tmp, sizeof(tmp), "%-9s %-6s %-12s %-2s %-16s %-6s %-16s %-5s %-8s %s\n",
		 "TIME(s)", "PID", "COMM", "IP", "SADDR", "LPORT", "DADDR", "DPORT", "LAT(ms)",
		 "OUTCOME");
	header_want(want, sizeof(want),
		    &(struct connect_view){ .timestamp = true, .lport = true, .failed = true });
	assert_string_equal(want, tmp);
}

/* --- text rows --- */

/* tcpconnlat's row, built from its formats. */
static void row_want(char *buf, size_t len, const struct connect_view *v, double time_s,
		     int pid, const char *comm, int ip, const char *saddr, int lport,
		     const char *daddr, int dport, double lat_ms, const char *outcome)
{
	size_t n = 0;

	if (v->timestamp)
		n += snprintf(buf + n, len - n, "%-9.3f ", time_s);
	n += snprintf(buf + n, len - n, "%-6d %-12.12s %-2d %-16s ", pid, comm, ip, saddr);
	if (v->lport)
		n += snprintf(buf + n, len - n, "%-6d ", lport);
	n += snprintf(buf + n, len - n, "%-16s %-5d ", daddr, dport);
	if (v->failed)
		snprintf(buf + n, len - n, "%-8.2f %s\n", lat_ms, outcome);
	else
		snprintf(buf + n, len - n, "%.2f\n", lat_ms);
}

static void check_text(const struct connect_view *v, const struct connect_event *e,
		       double time_s, const char *want)
{
	struct capture c;

	connect_print_text(cap_open(&c), v, e, time_s);
	cap_check(&c, want);
}

static void test_text_v4(void **state)
{
	struct connect_view v = {};
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-16s %-5d %.2f\n", 1234, "curl",
		 4, "10.0.0.1", "10.0.0.2", 80, 1.234567);
	check_text(&v, &e, 0, want);
	check_text(&v, &e, 0,
		   "1234   curl         4  10.0.0.1         10.0.0.2         80    1.23\n");
}

static void test_text_v6(void **state)
{
	struct connect_view v = {};
	struct connect_event e;
	char want[256];

	(void)state;
	event_v6(&e);
	/* The long address widens its column, as in tcpconnlat. */
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-16s %-5d %.2f\n", 99, "ssh", 6,
		 "fd00::1", "2001:db8::1234:5678", 22, 25.5);
	check_text(&v, &e, 0, want);
}

static void test_text_lport(void **state)
{
	struct connect_view v = { .lport = true };
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-6d %-16s %-5d %.2f\n", 1234,
		 "curl", 4, "10.0.0.1", 54321, "10.0.0.2", 80, 1.234567);
	check_text(&v, &e, 0, want);
	event_v6(&e);
	row_want(want, sizeof(want), &v, 0, 99, "ssh", 6, "fd00::1", 40000,
		 "2001:db8::1234:5678", 22, 25.5, NULL);
	check_text(&v, &e, 0, want);
}

static void test_text_timestamp(void **state)
{
	struct connect_view v = { .timestamp = true };
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	snprintf(want, sizeof(want), "%-9.3f %-6d %-12.12s %-2d %-16s %-16s %-5d %.2f\n", 1.5,
		 1234, "curl", 4, "10.0.0.1", "10.0.0.2", 80, 1.234567);
	check_text(&v, &e, 1.5, want);
	row_want(want, sizeof(want), &v, 12345.6789, 1234, "curl", 4, "10.0.0.1", 0,
		 "10.0.0.2", 80, 1.234567, NULL);
	check_text(&v, &e, 12345.6789, want);
	v.lport = true;
	event_v6(&e);
	snprintf(want, sizeof(want), "%-9.3f %-6d %-12.12s %-2d %-16s %-6d %-16s %-5d %.2f\n",
		 0.001, 99, "ssh", 6, "fd00::1", 40000, "2001:db8::1234:5678", 22, 25.5);
	check_text(&v, &e, 0.001, want);
}

static void test_text_comm_truncated(void **state)
{
	struct connect_view v = {};
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	/* 15 characters, the most a comm holds. */
	strcpy(e.comm, "abcdefghijklmno");
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-16s %-5d %.2f\n", 1234,
		 "abcdefghijklmno", 4, "10.0.0.1", "10.0.0.2", 80, 1.234567);
	assert_non_null(strstr(want, " abcdefghijkl 4 "));
	check_text(&v, &e, 0, want);
	/* 13: one too many for the column. */
	strcpy(e.comm, "thirteenchars");
	row_want(want, sizeof(want), &v, 0, 1234, "thirteenchar", 4, "10.0.0.1", 0, "10.0.0.2",
		 80, 1.234567, NULL);
	check_text(&v, &e, 0, want);
	/* Exactly 12: no truncation, no padding. */
	strcpy(e.comm, "twelve_chars");
	row_want(want, sizeof(want), &v, 0, 1234, "twelve_chars", 4, "10.0.0.1", 0, "10.0.0.2",
		 80, 1.234567, NULL);
	check_text(&v, &e, 0, want);
	/* 16 bytes, no NUL: the precision keeps the read inside comm. */
	memcpy(e.comm, "0123456789abcdef", sizeof(e.comm));
	row_want(want, sizeof(want), &v, 0, 1234, "0123456789ab", 4, "10.0.0.1", 0, "10.0.0.2",
		 80, 1.234567, NULL);
	check_text(&v, &e, 0, want);
}

static void test_text_failed(void **state)
{
	struct connect_view v = { .failed = true };
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-16s %-5d %-8.2f %s\n", 1234,
		 "curl", 4, "10.0.0.1", "10.0.0.2", 80, 1.234567, "established");
	check_text(&v, &e, 0, want);

	e.outcome = ECONNREFUSED;
	e.latency_ns = 150000;
	row_want(want, sizeof(want), &v, 0, 1234, "curl", 4, "10.0.0.1", 0, "10.0.0.2", 80,
		 0.15, "refused");
	check_text(&v, &e, 0, want);
	check_text(&v, &e, 0,
		   "1234   curl         4  10.0.0.1         10.0.0.2         80    0.15     refused\n");

	e.outcome = ETIMEDOUT;
	e.latency_ns = 3000000000ULL;
	row_want(want, sizeof(want), &v, 0, 1234, "curl", 4, "10.0.0.1", 0, "10.0.0.2", 80,
		 3000.0, "timeout");
	check_text(&v, &e, 0, want);

	e.outcome = CONNECT_ABORTED;
	e.latency_ns = 123456789012ULL;		/* wider than the column */
	row_want(want, sizeof(want), &v, 0, 1234, "curl", 4, "10.0.0.1", 0, "10.0.0.2", 80,
		 123456.789012, "aborted");
	check_text(&v, &e, 0, want);

	v.timestamp = v.lport = true;
	event_v6(&e);
	e.outcome = EHOSTUNREACH;
	snprintf(want, sizeof(want),
		 "%-9.3f %-6d %-12.12s %-2d %-16s %-6d %-16s %-5d %-8.2f %s\n", 2.25, 99, "ssh",
		 6, "fd00::1", 40000, "2001:db8::1234:5678", 22, 25.5, "unreachable");
	check_text(&v, &e, 2.25, want);

	e.outcome = EADDRNOTAVAIL;
	row_want(want, sizeof(want), &v, 2.25, 99, "ssh", 6, "fd00::1", 40000,
		 "2001:db8::1234:5678", 22, 25.5, "EADDRNOTAVAIL");
	check_text(&v, &e, 2.25, want);
}

/* --- JSON lines --- */

static void check_json(const struct connect_event *e, uint64_t ts_ns, const char *want)
{
	struct capture c;

	connect_print_json(cap_open(&c), e, ts_ns);
	cap_check(&c, want);
}

static void test_json_v4(void **state)
{
	struct connect_event e;

	(void)state;
	event_v4(&e);
	check_json(&e, 1700000000123456789ULL,
		   "{\"type\":\"connect\",\"ts_ns\":1700000000123456789,\"pid\":1234,"
		   "\"comm\":\"curl\",\"family\":4,\"v4mapped\":false,\"saddr\":\"10.0.0.1\",\"lport\":54321,"
		   "\"daddr\":\"10.0.0.2\",\"dport\":80,\"latency_us\":1234,\"syn_retrans\":0,"
		   "\"outcome\":\"established\"}\n");
}

static void test_json_v6(void **state)
{
	struct connect_event e;

	(void)state;
	event_v6(&e);
	e.outcome = ECONNREFUSED;
	check_json(&e, 18446744073709551615ULL,
		   "{\"type\":\"connect\",\"ts_ns\":18446744073709551615,\"pid\":99,"
		   "\"comm\":\"ssh\",\"family\":6,\"v4mapped\":false,\"saddr\":\"fd00::1\",\"lport\":40000,"
		   "\"daddr\":\"2001:db8::1234:5678\",\"dport\":22,\"latency_us\":25500,\"syn_retrans\":0,"
		   "\"outcome\":\"refused\"}\n");
}

static void test_json_comm_escaped(void **state)
{
	struct connect_event e;

	(void)state;
	event_v4(&e);
	strcpy(e.comm, "a\"b\x01" "c\\d\n");
	e.outcome = EADDRNOTAVAIL;
	e.latency_ns = 999;
	check_json(&e, 0,
		   "{\"type\":\"connect\",\"ts_ns\":0,\"pid\":1234,"
		   "\"comm\":\"a\\\"b\\u0001c\\\\d\\n\",\"family\":4,\"v4mapped\":false,\"saddr\":\"10.0.0.1\","
		   "\"lport\":54321,\"daddr\":\"10.0.0.2\",\"dport\":80,\"latency_us\":0,\"syn_retrans\":0,"
		   "\"outcome\":\"EADDRNOTAVAIL\"}\n");
	/* 16 bytes without NUL: all of them, nothing beyond. */
	memcpy(e.comm, "0123456789abcdef", sizeof(e.comm));
	e.outcome = CONNECT_ABORTED;
	check_json(&e, 1,
		   "{\"type\":\"connect\",\"ts_ns\":1,\"pid\":1234,"
		   "\"comm\":\"0123456789abcdef\",\"family\":4,\"v4mapped\":false,\"saddr\":\"10.0.0.1\","
		   "\"lport\":54321,\"daddr\":\"10.0.0.2\",\"dport\":80,\"latency_us\":0,\"syn_retrans\":0,"
		   "\"outcome\":\"aborted\"}\n");
}

/* --- summaries --- */

static void test_summary_text(void **state)
{
	struct connect_summary sum = {
		.seen = 10, .shown = 5, .below_min = 2, .failed_hidden = 1,
		.ringbuf_drops = 3, .inflight_full = 4,
	};
	struct capture c;

	(void)state;
	connect_print_summary_text(cap_open(&c), &sum);
	cap_check(&c, "tcplat: 10 connects seen, 5 shown, 7 dropped (3 ring buffer full, "
		      "4 in-flight table full); not shown: 2 below MIN_MS, 1 failed "
		      "(--failed shows them)\n");
	memset(&sum, 0, sizeof(sum));
	connect_print_summary_text(cap_open(&c), &sum);
	cap_check(&c, "tcplat: 0 connects seen, 0 shown, 0 dropped (0 ring buffer full, "
		      "0 in-flight table full); not shown: 0 below MIN_MS, 0 failed "
		      "(--failed shows them)\n");
	sum.seen = 18446744073709551615ULL;
	sum.ringbuf_drops = 4294967296ULL;
	connect_print_summary_text(cap_open(&c), &sum);
	cap_check(&c, "tcplat: 18446744073709551615 connects seen, 0 shown, 4294967296 dropped "
		      "(4294967296 ring buffer full, 0 in-flight table full); not shown: "
		      "0 below MIN_MS, 0 failed (--failed shows them)\n");
}

static void test_summary_json(void **state)
{
	struct connect_summary sum = {
		.seen = 10, .shown = 5, .below_min = 2, .failed_hidden = 1,
		.ringbuf_drops = 3, .inflight_full = 4,
	};
	struct capture c;

	(void)state;
	connect_print_summary_json(cap_open(&c), &sum, "fentry");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"fentry\",\"seen\":10,\"shown\":5,"
		      "\"dropped\":7,\"dropped_ringbuf\":3,\"dropped_inflight\":4,"
		      "\"dropped_keys\":0,\"below_min\":2,\"failed_hidden\":1}\n");
	memset(&sum, 0, sizeof(sum));
	sum.inflight_full = 4294967296ULL;
	connect_print_summary_json(cap_open(&c), &sum, "tracepoint");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"tracepoint\",\"seen\":0,\"shown\":0,"
		      "\"dropped\":4294967296,\"dropped_ringbuf\":0,"
		      "\"dropped_inflight\":4294967296,\"dropped_keys\":0,\"below_min\":0,"
		      "\"failed_hidden\":0}\n");
	/* --hist: a full key table is a drop too, and the intervals are said. */
	memset(&sum, 0, sizeof(sum));
	sum.hist = true;
	sum.seen = 12;
	sum.shown = 3;
	sum.keys_full = 2;
	sum.inflight_full = 1;
	sum.intervals = 4;
	connect_print_summary_json(cap_open(&c), &sum, "kprobe");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"kprobe\",\"seen\":12,\"shown\":3,"
		      "\"dropped\":3,\"dropped_ringbuf\":0,\"dropped_inflight\":1,"
		      "\"dropped_keys\":2,\"below_min\":0,\"failed_hidden\":0,\"intervals\":4}\n");
}

static void test_summary_text_hist(void **state)
{
	struct connect_summary sum = {
		.hist = true, .seen = 12, .shown = 3, .keys_full = 2, .inflight_full = 1,
		.intervals = 4,
	};
	struct capture c;

	(void)state;
	connect_print_summary_text(cap_open(&c), &sum);
	cap_check(&c, "tcplat: 12 connects seen, 10 counted, 3 dropped (2 key table full, "
		      "1 in-flight table full); 3 histograms shown in 4 intervals\n");
}

/* --- -r: RETR after LAT(ms) --- */

static void test_header_retrans(void **state)
{
	struct capture c;

	(void)state;
	connect_print_header(cap_open(&c), &(struct connect_view){ .retrans = true });
	cap_check(&c, "PID    COMM         IP SADDR            DADDR            DPORT LAT(ms)  RETR\n");
	connect_print_header(cap_open(&c),
			     &(struct connect_view){ .retrans = true, .failed = true });
	cap_check(&c, "PID    COMM         IP SADDR            DADDR            DPORT LAT(ms)  RETR "
		      "OUTCOME\n");
	connect_print_header(cap_open(&c), &(struct connect_view){ .retrans = true,
								   .failed = true,
								   .timestamp = true,
								   .lport = true });
	cap_check(&c, "TIME(s)   PID    COMM         IP SADDR            LPORT  DADDR            "
		      "DPORT LAT(ms)  RETR OUTCOME\n");
}

static void test_text_retrans(void **state)
{
	struct connect_view v = { .retrans = true };
	struct connect_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	e.syn_retrans = 2;
	e.latency_ns = 3001234567ULL;
	snprintf(want, sizeof(want), "%-6d %-12.12s %-2d %-16s %-16s %-5d %-8.2f %u\n", 1234,
		 "curl", 4, "10.0.0.1", "10.0.0.2", 80, 3001.234567, 2);
	check_text(&v, &e, 0, want);
	check_text(&v, &e, 0,
		   "1234   curl         4  10.0.0.1         10.0.0.2         80    3001.23  2\n");
	/* A timeout after 6 retransmitted SYNs, with every column. */
	v.failed = v.timestamp = v.lport = true;
	e.outcome = ETIMEDOUT;
	e.syn_retrans = 6;
	e.latency_ns = 127000000000ULL;
	snprintf(want, sizeof(want),
		 "%-9.3f %-6d %-12.12s %-2d %-16s %-6d %-16s %-5d %-8.2f %-4u %s\n", 1.5, 1234,
		 "curl", 4, "10.0.0.1", 54321, "10.0.0.2", 80, 127000.0, 6, "timeout");
	check_text(&v, &e, 1.5, want);
	/* -r without retransmits still prints the 0. */
	v = (struct connect_view){ .retrans = true };
	event_v4(&e);
	check_text(&v, &e, 0,
		   "1234   curl         4  10.0.0.1         10.0.0.2         80    1.23     0\n");
}

static void test_json_retrans_v4mapped(void **state)
{
	struct connect_event e;

	(void)state;
	/* A dual-stack socket's connect to ::ffff:10.0.0.2: family 4, the
	 * IPv4 addresses, v4mapped true. */
	event_v4(&e);
	e.v4mapped = 1;
	e.syn_retrans = 3;
	e.outcome = ETIMEDOUT;
	e.latency_ns = 15000000000ULL;
	check_json(&e, 5,
		   "{\"type\":\"connect\",\"ts_ns\":5,\"pid\":1234,\"comm\":\"curl\","
		   "\"family\":4,\"v4mapped\":true,\"saddr\":\"10.0.0.1\",\"lport\":54321,"
		   "\"daddr\":\"10.0.0.2\",\"dport\":80,\"latency_us\":15000000,"
		   "\"syn_retrans\":3,\"outcome\":\"timeout\"}\n");
	e.syn_retrans = 65535;
	e.outcome = 0;
	e.latency_ns = 1000;
	check_json(&e, 5,
		   "{\"type\":\"connect\",\"ts_ns\":5,\"pid\":1234,\"comm\":\"curl\","
		   "\"family\":4,\"v4mapped\":true,\"saddr\":\"10.0.0.1\",\"lport\":54321,"
		   "\"daddr\":\"10.0.0.2\",\"dport\":80,\"latency_us\":1,"
		   "\"syn_retrans\":65535,\"outcome\":\"established\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_outcome_unknown),
		cmocka_unit_test(test_header_default_literal),
		cmocka_unit_test(test_header_all_views),
		cmocka_unit_test(test_text_v4),
		cmocka_unit_test(test_text_v6),
		cmocka_unit_test(test_text_lport),
		cmocka_unit_test(test_text_timestamp),
		cmocka_unit_test(test_text_comm_truncated),
		cmocka_unit_test(test_text_failed),
		cmocka_unit_test(test_json_v4),
		cmocka_unit_test(test_json_v6),
		cmocka_unit_test(test_json_comm_escaped),
		cmocka_unit_test(test_summary_text),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_summary_text_hist),
		cmocka_unit_test(test_header_retrans),
		cmocka_unit_test(test_text_retrans),
		cmocka_unit_test(test_json_retrans_v4mapped),
	};

	return cmocka_run_group_tests_name("connect_format", tests, NULL, NULL);
}
