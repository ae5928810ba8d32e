// SPDX-License-Identifier: GPL-2.0
/*
 * rtt_format.c: the exact text and NDJSON of `tcplat rtt`. Expected lines are
 * built here with snprintf from the column formats, and a few are spelled out
 * literally as a cross-check of those formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include <linux/types.h>
#include "rtt.h"
#include "rtt_format.h"

/* v4 flow 10.0.0.1:4123 -> 10.0.0.2:443 */
static void key_v4(struct rtt_key *k)
{
	static const uint8_t la[4] = { 10, 0, 0, 1 }, ra[4] = { 10, 0, 0, 2 };

	memset(k, 0, sizeof(*k));
	memcpy(k->laddr, la, sizeof(la));
	memcpy(k->raddr, ra, sizeof(ra));
	k->family = AF_INET;
	k->lport = 4123;
	k->rport = 443;
}

/* v6 flow [fd00:7c::1]:40000 -> [2001:db8::1234:5678]:22 */
static void key_v6(struct rtt_key *k)
{
	static const uint8_t la[16] = { 0xfd, 0x00, 0x00, 0x7c, [15] = 0x01 };
	static const uint8_t ra[16] = { 0x20, 0x01, 0x0d, 0xb8, [12] = 0x12, 0x34, 0x56, 0x78 };

	memset(k, 0, sizeof(*k));
	memcpy(k->laddr, la, sizeof(la));
	memcpy(k->raddr, ra, sizeof(ra));
	k->family = AF_INET6;
	k->lport = 40000;
	k->rport = 22;
}

/* v6 flow with the longest addresses inet_ntop writes without IPv4 parts. */
static void key_v6_long(struct rtt_key *k)
{
	memset(k, 0, sizeof(*k));
	memset(k->laddr, 0x11, 16);
	memset(k->raddr, 0xff, 16);
	k->family = AF_INET6;
	k->lport = 65535;
	k->rport = 65535;
}

/* pid 1234 "curl" on the v4 flow: rtt 1.234 ms, srtt 1.5 ms, min 1 ms. */
static void event_v4(struct rtt_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = 5000000000ULL;
	key_v4(&e->flow);
	e->rtt_us = 1234;
	e->srtt_us = 1500;
	e->min_rtt_us = 1000;
	e->pid = 1234;
	strcpy(e->comm, "curl");
}

/* pid 99 "ssh" on the v6 flow: rtt 25.5 ms, srtt 24 ms, min 20 ms. */
static void event_v6(struct rtt_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ts_ns = 7000000000ULL;
	key_v6(&e->flow);
	e->rtt_us = 25500;
	e->srtt_us = 24000;
	e->min_rtt_us = 20000;
	e->pid = 99;
	strcpy(e->comm, "ssh");
}

/* --- key labels --- */

static void check_label(enum rtt_mode mode, const struct rtt_key *k, const char *want)
{
	char buf[160];

	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(rtt_key_label(mode, k, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void test_label_all(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_label(RTT_MODE_HIST, &k, "all");
	check_label(RTT_MODE_DETAIL, &k, "all");
	memset(&k, 0, sizeof(k));
	check_label(RTT_MODE_HIST, &k, "all");
}

static void test_label_raddr(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_label(RTT_MODE_BY_RADDR, &k, "raddr 10.0.0.2");
	/* A bare address: brackets only where a port follows. */
	key_v6(&k);
	check_label(RTT_MODE_BY_RADDR, &k, "raddr 2001:db8::1234:5678");
	key_v6_long(&k);
	check_label(RTT_MODE_BY_RADDR, &k, "raddr ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_label_rport(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_label(RTT_MODE_BY_RPORT, &k, "rport 443");
	key_v6_long(&k);
	check_label(RTT_MODE_BY_RPORT, &k, "rport 65535");
	memset(&k, 0, sizeof(k));
	check_label(RTT_MODE_BY_RPORT, &k, "rport 0");
}

static void test_label_flow(void **state)
{
	char want[160];
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	snprintf(want, sizeof(want), "flow %s:%u -> %s:%u", "10.0.0.1", 4123, "10.0.0.2", 443);
	check_label(RTT_MODE_BY_FLOW, &k, want);
	check_label(RTT_MODE_BY_FLOW, &k, "flow 10.0.0.1:4123 -> 10.0.0.2:443");
	key_v6(&k);
	snprintf(want, sizeof(want), "flow [%s]:%u -> [%s]:%u", "fd00:7c::1", 40000,
		 "2001:db8::1234:5678", 22);
	check_label(RTT_MODE_BY_FLOW, &k, want);
	check_label(RTT_MODE_BY_FLOW, &k, "flow [fd00:7c::1]:40000 -> [2001:db8::1234:5678]:22");
	key_v6_long(&k);
	check_label(RTT_MODE_BY_FLOW, &k,
		    "flow [1111:1111:1111:1111:1111:1111:1111:1111]:65535 -> "
		    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void test_label_truncated(void **state)
{
	struct rtt_key k;
	char buf[12];

	(void)state;
	/* snprintf semantics: cut, NUL-terminated, never past len. */
	key_v4(&k);
	memset(buf, 'x', sizeof(buf));
	assert_ptr_equal(rtt_key_label(RTT_MODE_BY_FLOW, &k, buf, 8), buf);
	assert_string_equal(buf, "flow 10");
	assert_int_equal(buf[8], 'x');
	assert_ptr_equal(rtt_key_label(RTT_MODE_BY_RADDR, &k, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "raddr 10.0.");
}

/* --- interval header --- */

static void header_want(char *buf, size_t len, const char *when, const char *label,
			const struct lat_summary *s, bool unit_us)
{
	double div = unit_us ? 1 : 1000;
	int prec = unit_us ? 0 : 3;

	snprintf(buf, len,
		 "%s %s: count %llu  min %.*f  p50 %.*f  p90 %.*f  p99 %.*f  max %.*f (%s)\n",
		 when, label, (unsigned long long)s->count, prec, s->min_us / div, prec,
		 s->p50_us / div, prec, s->p90_us / div, prec, s->p99_us / div, prec,
		 s->max_us / div, unit_us ? "usecs" : "msecs");
}

static void check_header(const char *when, const char *label, const struct lat_summary *s,
			 bool unit_us, const char *want)
{
	struct capture c;

	rtt_print_interval_header(cap_open(&c), when, label, s, unit_us);
	cap_check(&c, want);
}

static void test_header_ms(void **state)
{
	struct lat_summary s = {
		.count = 42, .sum_us = 100000, .min_us = 1000, .p50_us = 1500, .p90_us = 2250,
		.p99_us = 9876, .max_us = 16384,
	};
	char want[256];

	(void)state;
	header_want(want, sizeof(want), "12:34:56", "all", &s, false);
	check_header("12:34:56", "all", &s, false, want);
	check_header("12:34:56", "all", &s, false,
		     "12:34:56 all: count 42  min 1.000  p50 1.500  p90 2.250  p99 9.876  "
		     "max 16.384 (msecs)\n");
	/* Three decimals: microsecond resolution, rounded. */
	s.min_us = 1;
	s.p50_us = 123.4;
	s.p90_us = 999.6;
	s.p99_us = 4096;
	s.max_us = 4294967296.0;
	header_want(want, sizeof(want), "00:00:01", "rport 443", &s, false);
	check_header("00:00:01", "rport 443", &s, false, want);
	check_header("00:00:01", "rport 443", &s, false,
		     "00:00:01 rport 443: count 42  min 0.001  p50 0.123  p90 1.000  "
		     "p99 4.096  max 4294967.296 (msecs)\n");
}

static void test_header_us(void **state)
{
	struct lat_summary s = {
		.count = 42, .sum_us = 100000, .min_us = 1000, .p50_us = 1500, .p90_us = 2250,
		.p99_us = 9876, .max_us = 16384,
	};
	char want[256];

	(void)state;
	header_want(want, sizeof(want), "12:34:56", "all", &s, true);
	check_header("12:34:56", "all", &s, true, want);
	check_header("12:34:56", "all", &s, true,
		     "12:34:56 all: count 42  min 1000  p50 1500  p90 2250  p99 9876  "
		     "max 16384 (usecs)\n");
	/* No decimals: interpolated percentiles are rounded. */
	s.p50_us = 1234.4;
	s.p90_us = 1234.6;
	header_want(want, sizeof(want), "12:34:56", "all", &s, true);
	check_header("12:34:56", "all", &s, true, want);
	check_header("12:34:56", "all", &s, true,
		     "12:34:56 all: count 42  min 1000  p50 1234  p90 1235  p99 9876  "
		     "max 16384 (usecs)\n");
}

static void test_header_empty_and_flow(void **state)
{
	struct lat_summary s = {};
	char want[256], label[160];
	struct rtt_key k;

	(void)state;
	check_header("23:59:59", "all", &s, false,
		     "23:59:59 all: count 0  min 0.000  p50 0.000  p90 0.000  p99 0.000  "
		     "max 0.000 (msecs)\n");
	check_header("23:59:59", "all", &s, true,
		     "23:59:59 all: count 0  min 0  p50 0  p90 0  p99 0  max 0 (usecs)\n");
	/* A v6 flow label, as rtt.c passes it. */
	key_v6(&k);
	s.count = 18446744073709551615ULL;
	s.min_us = 20000;
	s.p50_us = 25500;
	s.p90_us = 30000;
	s.p99_us = 31000;
	s.max_us = 32768;
	rtt_key_label(RTT_MODE_BY_FLOW, &k, label, sizeof(label));
	header_want(want, sizeof(want), "10:00:00", label, &s, false);
	check_header("10:00:00", label, &s, false, want);
	check_header("10:00:00", label, &s, false,
		     "10:00:00 flow [fd00:7c::1]:40000 -> [2001:db8::1234:5678]:22: "
		     "count 18446744073709551615  min 20.000  p50 25.500  p90 30.000  "
		     "p99 31.000  max 32.768 (msecs)\n");
}

/* --- key JSON fields --- */

static void check_key_json(enum rtt_mode mode, const struct rtt_key *k, const char *want)
{
	struct capture c;

	rtt_print_key_json(cap_open(&c), mode, k);
	cap_check(&c, want);
}

static void test_key_json_none(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_key_json(RTT_MODE_HIST, &k, "");
	check_key_json(RTT_MODE_DETAIL, &k, "");
	key_v6(&k);
	check_key_json(RTT_MODE_HIST, &k, "");
}

static void test_key_json_raddr(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_key_json(RTT_MODE_BY_RADDR, &k,
		       ",\"by\":\"raddr\",\"family\":4,\"raddr\":\"10.0.0.2\"");
	key_v6(&k);
	check_key_json(RTT_MODE_BY_RADDR, &k,
		       ",\"by\":\"raddr\",\"family\":6,\"raddr\":\"2001:db8::1234:5678\"");
}

static void test_key_json_rport(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_key_json(RTT_MODE_BY_RPORT, &k, ",\"by\":\"rport\",\"rport\":443");
	key_v6_long(&k);
	check_key_json(RTT_MODE_BY_RPORT, &k, ",\"by\":\"rport\",\"rport\":65535");
}

static void test_key_json_flow(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	check_key_json(RTT_MODE_BY_FLOW, &k,
		       ",\"by\":\"flow\",\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":4123,"
		       "\"raddr\":\"10.0.0.2\",\"rport\":443,\"v4mapped\":false");
	/* No brackets in JSON: the port has its own field. */
	key_v6(&k);
	check_key_json(RTT_MODE_BY_FLOW, &k,
		       ",\"by\":\"flow\",\"family\":6,\"laddr\":\"fd00:7c::1\",\"lport\":40000,"
		       "\"raddr\":\"2001:db8::1234:5678\",\"rport\":22,\"v4mapped\":false");
	key_v6_long(&k);
	check_key_json(RTT_MODE_BY_FLOW, &k,
		       ",\"by\":\"flow\",\"family\":6,"
		       "\"laddr\":\"1111:1111:1111:1111:1111:1111:1111:1111\",\"lport\":65535,"
		       "\"raddr\":\"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\",\"rport\":65535,"
		       "\"v4mapped\":false");
}

/* A dual-stack socket's flow: IPv4, and v4mapped says what it is; --by raddr
 * keys carry no v4mapped (the kernel leaves it 0 there). */
static void test_key_json_flow_v4mapped(void **state)
{
	struct rtt_key k;

	(void)state;
	key_v4(&k);
	k.v4mapped = 1;
	check_key_json(RTT_MODE_BY_FLOW, &k,
		       ",\"by\":\"flow\",\"family\":4,\"laddr\":\"10.0.0.1\",\"lport\":4123,"
		       "\"raddr\":\"10.0.0.2\",\"rport\":443,\"v4mapped\":true");
	check_key_json(RTT_MODE_BY_RADDR, &k,
		       ",\"by\":\"raddr\",\"family\":4,\"raddr\":\"10.0.0.2\"");
}

/* --- --detail text --- */

#define DETAIL_HEADER_FMT "%-12s %-7s %-12s %-2s %-24s %-24s %10s %10s %10s\n"
#define DETAIL_ROW_FMT "%-12s %-7s %-12.12s %-2d %-24s %-24s %10.*f %10.*f %10.*f\n"

static void test_detail_header(void **state)
{
	char want[256];
	struct capture c;

	(void)state;
	snprintf(want, sizeof(want), DETAIL_HEADER_FMT, "TIME", "PID", "COMM", "IP",
		 "LADDR:LPORT", "RADDR:RPORT", "RTT(ms)", "SRTT(ms)", "MINRTT(ms)");
	rtt_print_detail_header(cap_open(&c), false);
	cap_check(&c, want);
	rtt_print_detail_header(cap_open(&c), false);
	cap_check(&c, "TIME         PID     COMM         IP LADDR:LPORT              "
		      "RADDR:RPORT                 RTT(ms)   SRTT(ms) MINRTT(ms)\n");

	snprintf(want, sizeof(want), DETAIL_HEADER_FMT, "TIME", "PID", "COMM", "IP",
		 "LADDR:LPORT", "RADDR:RPORT", "RTT(us)", "SRTT(us)", "MINRTT(us)");
	rtt_print_detail_header(cap_open(&c), true);
	cap_check(&c, want);
	rtt_print_detail_header(cap_open(&c), true);
	cap_check(&c, "TIME         PID     COMM         IP LADDR:LPORT              "
		      "RADDR:RPORT                 RTT(us)   SRTT(us) MINRTT(us)\n");
}

/* One detail row from the column format. */
static void row_want(char *buf, size_t len, const char *when, const char *pid,
		     const char *comm, int ip, const char *l, const char *r,
		     const struct rtt_event *e, bool unit_us)
{
	double div = unit_us ? 1 : 1000;
	int prec = unit_us ? 0 : 3;

	snprintf(buf, len, DETAIL_ROW_FMT, when, pid, comm, ip, l, r, prec, e->rtt_us / div,
		 prec, e->srtt_us / div, prec, e->min_rtt_us / div);
}

static void check_detail(const char *when, const struct rtt_event *e, bool unit_us,
			 const char *want)
{
	struct capture c;

	rtt_print_detail_text(cap_open(&c), when, e, unit_us);
	cap_check(&c, want);
}

static void test_detail_text_v4(void **state)
{
	struct rtt_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	row_want(want, sizeof(want), "12:34:56.789", "1234", "curl", 4, "10.0.0.1:4123",
		 "10.0.0.2:443", &e, false);
	check_detail("12:34:56.789", &e, false, want);
	check_detail("12:34:56.789", &e, false,
		     "12:34:56.789 1234    curl         4  10.0.0.1:4123            "
		     "10.0.0.2:443                  1.234      1.500      1.000\n");
	row_want(want, sizeof(want), "12:34:56.789", "1234", "curl", 4, "10.0.0.1:4123",
		 "10.0.0.2:443", &e, true);
	check_detail("12:34:56.789", &e, true, want);
	check_detail("12:34:56.789", &e, true,
		     "12:34:56.789 1234    curl         4  10.0.0.1:4123            "
		     "10.0.0.2:443                   1234       1500       1000\n");
}

/* A dual-stack socket's sample reads as IPv4: the text does not tell. */
static void test_detail_text_v4mapped(void **state)
{
	struct rtt_event e;

	(void)state;
	event_v4(&e);
	e.flow.v4mapped = 1;
	check_detail("12:34:56.789", &e, false,
		     "12:34:56.789 1234    curl         4  10.0.0.1:4123            "
		     "10.0.0.2:443                  1.234      1.500      1.000\n");
}

static void test_detail_text_v6(void **state)
{
	struct rtt_event e;
	char want[256];

	(void)state;
	event_v6(&e);
	row_want(want, sizeof(want), "00:00:00.001", "99", "ssh", 6, "[fd00:7c::1]:40000",
		 "[2001:db8::1234:5678]:22", &e, false);
	check_detail("00:00:00.001", &e, false, want);
	row_want(want, sizeof(want), "00:00:00.001", "99", "ssh", 6, "[fd00:7c::1]:40000",
		 "[2001:db8::1234:5678]:22", &e, true);
	check_detail("00:00:00.001", &e, true, want);
	/* Addresses longer than the column widen it. */
	key_v6_long(&e.flow);
	row_want(want, sizeof(want), "00:00:00.001", "99", "ssh", 6,
		 "[1111:1111:1111:1111:1111:1111:1111:1111]:65535",
		 "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", &e, false);
	check_detail("00:00:00.001", &e, false, want);
}

static void test_detail_text_no_owner(void **state)
{
	struct rtt_event e;
	char want[256];

	(void)state;
	/* pid 0: owner unknown; whatever is in comm is not shown. */
	event_v4(&e);
	e.pid = 0;
	row_want(want, sizeof(want), "12:34:56.789", "-", "-", 4, "10.0.0.1:4123",
		 "10.0.0.2:443", &e, false);
	check_detail("12:34:56.789", &e, false, want);
	event_v6(&e);
	e.pid = 0;
	memset(e.comm, 0, sizeof(e.comm));
	row_want(want, sizeof(want), "12:34:56.789", "-", "-", 6, "[fd00:7c::1]:40000",
		 "[2001:db8::1234:5678]:22", &e, true);
	check_detail("12:34:56.789", &e, true, want);
	check_detail("12:34:56.789", &e, true,
		     "12:34:56.789 -       -            6  [fd00:7c::1]:40000       "
		     "[2001:db8::1234:5678]:22      25500      24000      20000\n");
}

static void test_detail_text_edges(void **state)
{
	struct rtt_event e;
	char want[256];

	(void)state;
	event_v4(&e);
	/* 16 bytes, no NUL: the precision keeps the read inside comm. */
	memcpy(e.comm, "0123456789abcdef", sizeof(e.comm));
	e.pid = 4294967295U;
	e.rtt_us = 4294967295U;
	e.srtt_us = 0;
	e.min_rtt_us = 1;
	row_want(want, sizeof(want), "12:34:56.789", "4294967295", "0123456789ab", 4,
		 "10.0.0.1:4123", "10.0.0.2:443", &e, false);
	check_detail("12:34:56.789", &e, false, want);
	check_detail("12:34:56.789", &e, false,
		     "12:34:56.789 4294967295 0123456789ab 4  10.0.0.1:4123            "
		     "10.0.0.2:443             4294967.295      0.000      0.001\n");
}

/* --- --detail JSON --- */

static void check_detail_json(const struct rtt_event *e, uint64_t ts_ns, const char *want)
{
	struct capture c;

	rtt_print_detail_json(cap_open(&c), e, ts_ns);
	cap_check(&c, want);
}

static void test_detail_json_owner(void **state)
{
	struct rtt_event e;

	(void)state;
	event_v4(&e);
	check_detail_json(&e, 1700000000123456789ULL,
			  "{\"type\":\"rtt\",\"ts_ns\":1700000000123456789,\"family\":4,"
			  "\"laddr\":\"10.0.0.1\",\"lport\":4123,\"raddr\":\"10.0.0.2\","
			  "\"rport\":443,\"v4mapped\":false,"
			  "\"rtt_us\":1234,\"srtt_us\":1500,\"min_rtt_us\":1000,"
			  "\"pid\":1234,\"comm\":\"curl\"}\n");
	event_v6(&e);
	check_detail_json(&e, 18446744073709551615ULL,
			  "{\"type\":\"rtt\",\"ts_ns\":18446744073709551615,\"family\":6,"
			  "\"laddr\":\"fd00:7c::1\",\"lport\":40000,"
			  "\"raddr\":\"2001:db8::1234:5678\",\"rport\":22,\"v4mapped\":false,"
			  "\"rtt_us\":25500,"
			  "\"srtt_us\":24000,\"min_rtt_us\":20000,\"pid\":99,\"comm\":\"ssh\"}\n");
}

static void test_detail_json_v4mapped(void **state)
{
	struct rtt_event e;

	(void)state;
	event_v4(&e);
	e.flow.v4mapped = 1;
	check_detail_json(&e, 7,
			  "{\"type\":\"rtt\",\"ts_ns\":7,\"family\":4,"
			  "\"laddr\":\"10.0.0.1\",\"lport\":4123,\"raddr\":\"10.0.0.2\","
			  "\"rport\":443,\"v4mapped\":true,"
			  "\"rtt_us\":1234,\"srtt_us\":1500,\"min_rtt_us\":1000,"
			  "\"pid\":1234,\"comm\":\"curl\"}\n");
}

static void test_detail_json_comm_escaped(void **state)
{
	struct rtt_event e;

	(void)state;
	event_v4(&e);
	/* RFC 8259: quote and backslash escaped, control characters too. */
	strcpy(e.comm, "a\"b\x01" "c\\d\n\x1f");
	check_detail_json(&e, 0,
			  "{\"type\":\"rtt\",\"ts_ns\":0,\"family\":4,"
			  "\"laddr\":\"10.0.0.1\",\"lport\":4123,\"raddr\":\"10.0.0.2\","
			  "\"rport\":443,\"v4mapped\":false,"
			  "\"rtt_us\":1234,\"srtt_us\":1500,\"min_rtt_us\":1000,"
			  "\"pid\":1234,\"comm\":\"a\\\"b\\u0001c\\\\d\\n\\u001f\"}\n");
	/* Invalid UTF-8 becomes U+FFFD; 16 bytes without NUL: all, no more. */
	memcpy(e.comm, "\xff" "123456789abcde\x80", sizeof(e.comm));
	check_detail_json(&e, 1,
			  "{\"type\":\"rtt\",\"ts_ns\":1,\"family\":4,"
			  "\"laddr\":\"10.0.0.1\",\"lport\":4123,\"raddr\":\"10.0.0.2\","
			  "\"rport\":443,\"v4mapped\":false,"
			  "\"rtt_us\":1234,\"srtt_us\":1500,\"min_rtt_us\":1000,"
			  "\"pid\":1234,\"comm\":\"\\ufffd123456789abcde\\ufffd\"}\n");
}

static void test_detail_json_no_owner(void **state)
{
	struct rtt_event e;

	(void)state;
	event_v4(&e);
	e.pid = 0;	/* comm still says "curl": not shown */
	check_detail_json(&e, 42,
			  "{\"type\":\"rtt\",\"ts_ns\":42,\"family\":4,"
			  "\"laddr\":\"10.0.0.1\",\"lport\":4123,\"raddr\":\"10.0.0.2\","
			  "\"rport\":443,\"v4mapped\":false,"
			  "\"rtt_us\":1234,\"srtt_us\":1500,\"min_rtt_us\":1000,"
			  "\"pid\":null,\"comm\":null}\n");
	event_v6(&e);
	e.pid = 0;
	e.rtt_us = 4294967295U;
	check_detail_json(&e, 42,
			  "{\"type\":\"rtt\",\"ts_ns\":42,\"family\":6,"
			  "\"laddr\":\"fd00:7c::1\",\"lport\":40000,"
			  "\"raddr\":\"2001:db8::1234:5678\",\"rport\":22,\"v4mapped\":false,"
			  "\"rtt_us\":4294967295,"
			  "\"srtt_us\":24000,\"min_rtt_us\":20000,\"pid\":null,\"comm\":null}\n");
}

/* --- summaries --- */

#define SUMMARY_BASE "tcplat: %llu rtt samples, %llu filtered out, %llu shown, %llu dropped " \
		     "(%llu key table full, %llu ring buffer full)"

static void check_summary_text(const struct rtt_totals *t, const char *want)
{
	struct capture c;

	rtt_print_summary_text(cap_open(&c), t);
	cap_check(&c, want);
}

static void test_summary_text(void **state)
{
	struct rtt_totals t = {
		.samples = 100, .filtered = 7, .dropped_keys = 3, .dropped_ringbuf = 2,
		.shown = 12,
	};
	char want[512];

	(void)state;
	snprintf(want, sizeof(want), SUMMARY_BASE "\n", 100ULL, 7ULL, 12ULL, 5ULL, 3ULL, 2ULL);
	check_summary_text(&t, want);
	check_summary_text(&t, "tcplat: 100 rtt samples, 7 filtered out, 12 shown, 5 dropped "
			       "(3 key table full, 2 ring buffer full)\n");
	memset(&t, 0, sizeof(t));
	check_summary_text(&t, "tcplat: 0 rtt samples, 0 filtered out, 0 shown, 0 dropped "
			       "(0 key table full, 0 ring buffer full)\n");
	t.samples = 18446744073709551615ULL;
	t.dropped_ringbuf = 4294967296ULL;
	snprintf(want, sizeof(want), SUMMARY_BASE "\n", 18446744073709551615ULL, 0ULL, 0ULL,
		 4294967296ULL, 0ULL, 4294967296ULL);
	check_summary_text(&t, want);
}

static void test_summary_text_optional(void **state)
{
	struct rtt_totals t = {
		.samples = 100, .filtered = 7, .dropped_keys = 3, .dropped_ringbuf = 2,
		.owners_full = 4,
	};
	char want[512];
	int n;

	(void)state;
	n = snprintf(want, sizeof(want), SUMMARY_BASE, 100ULL, 7ULL, 0ULL, 5ULL, 3ULL, 2ULL);
	snprintf(want + n, sizeof(want) - n, "; %llu sockets of unknown owner (owner table full)\n",
		 4ULL);
	check_summary_text(&t, want);
	check_summary_text(&t, "tcplat: 100 rtt samples, 7 filtered out, 0 shown, 5 dropped "
			       "(3 key table full, 2 ring buffer full); 4 sockets of unknown "
			       "owner (owner table full)\n");

	t.owners_full = 0;
	t.no_sample = 9;
	snprintf(want + n, sizeof(want) - n, "; %llu samples were the smoothed RTT (this kernel "
		 "passes none to BPF_SOCK_OPS_RTT_CB)\n", 9ULL);
	check_summary_text(&t, want);
	check_summary_text(&t, "tcplat: 100 rtt samples, 7 filtered out, 0 shown, 5 dropped "
			       "(3 key table full, 2 ring buffer full); 9 samples were the "
			       "smoothed RTT (this kernel passes none to BPF_SOCK_OPS_RTT_CB)\n");

	/* Both: owners first. */
	t.owners_full = 1;
	t.no_sample = 1;
	check_summary_text(&t, "tcplat: 100 rtt samples, 7 filtered out, 0 shown, 5 dropped "
			       "(3 key table full, 2 ring buffer full); 1 sockets of unknown "
			       "owner (owner table full); 1 samples were the smoothed RTT (this "
			       "kernel passes none to BPF_SOCK_OPS_RTT_CB)\n");
}

static void test_summary_text_preexisting(void **state)
{
	struct rtt_totals t = { .samples = 10, .shown = 2, .preexisting = 1 };

	(void)state;
	check_summary_text(&t, "tcplat: 10 rtt samples, 0 filtered out, 2 shown, 0 dropped "
			       "(0 key table full, 0 ring buffer full); 1 connection existed "
			       "before the start\n");
	t.preexisting = 3;
	t.preexisting_srtt = 8;
	check_summary_text(&t, "tcplat: 10 rtt samples, 0 filtered out, 2 shown, 0 dropped "
			       "(0 key table full, 0 ring buffer full); 3 connections existed "
			       "before the start; 8 samples of those were the smoothed RTT at "
			       "tcp_probe (this kernel cannot enrol them in BPF_SOCK_OPS_RTT_CB)\n");
}

static void test_summary_json(void **state)
{
	struct rtt_totals t = {
		.samples = 100, .filtered = 7, .dropped_keys = 3, .dropped_ringbuf = 2,
		.owners_full = 4, .no_sample = 9, .shown = 12,
	};
	struct capture c;

	(void)state;
	rtt_print_summary_json(cap_open(&c), &t, "fentry");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"fentry\",\"samples\":100,"
		      "\"filtered\":7,\"shown\":12,\"dropped\":5,\"dropped_keys\":3,"
		      "\"dropped_ringbuf\":2,\"owners_full\":4,\"srtt_as_sample\":9,"
		      "\"preexisting\":0,\"preexisting_srtt\":0}\n");
	memset(&t, 0, sizeof(t));
	rtt_print_summary_json(cap_open(&c), &t, "tracepoint");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"tracepoint\",\"samples\":0,"
		      "\"filtered\":0,\"shown\":0,\"dropped\":0,\"dropped_keys\":0,"
		      "\"dropped_ringbuf\":0,\"owners_full\":0,\"srtt_as_sample\":0,"
		      "\"preexisting\":0,\"preexisting_srtt\":0}\n");
	t.samples = 18446744073709551615ULL;
	t.dropped_keys = 4294967296ULL;
	t.dropped_ringbuf = 1;
	rtt_print_summary_json(cap_open(&c), &t, "kprobe");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"kprobe\","
		      "\"samples\":18446744073709551615,\"filtered\":0,\"shown\":0,"
		      "\"dropped\":4294967297,\"dropped_keys\":4294967296,"
		      "\"dropped_ringbuf\":1,\"owners_full\":0,\"srtt_as_sample\":0,"
		      "\"preexisting\":0,\"preexisting_srtt\":0}\n");
	memset(&t, 0, sizeof(t));
	t.samples = 5;
	t.preexisting = 2;
	t.preexisting_srtt = 5;
	rtt_print_summary_json(cap_open(&c), &t, "tracepoint");
	cap_check(&c, "{\"type\":\"summary\",\"backend\":\"tracepoint\",\"samples\":5,"
		      "\"filtered\":0,\"shown\":0,\"dropped\":0,\"dropped_keys\":0,"
		      "\"dropped_ringbuf\":0,\"owners_full\":0,\"srtt_as_sample\":0,"
		      "\"preexisting\":2,\"preexisting_srtt\":5}\n");
}

/* --- why an interval had no sample --- */

static void check_notice(uint32_t matched, uint32_t busy, const char *want)
{
	struct capture c;

	rtt_print_no_sample_notice(cap_open(&c), matched, busy);
	cap_check(&c, want);
}

static void test_no_sample_notice(void **state)
{
	(void)state;
	check_notice(1, 0, "tcplat: rtt: no RTT sample in this interval, but 1 connection matches "
			   "the filters: it is idle (no data of its own in flight, so no ACK to "
			   "time)\n");
	check_notice(3, 0, "tcplat: rtt: no RTT sample in this interval, but 3 connections match "
			   "the filters: they are idle (no data of their own in flight, so no ACK "
			   "to time)\n");
	check_notice(3, 1, "tcplat: rtt: no RTT sample in this interval, but 3 connections match "
			   "the filters: 2 idle (no data in flight), 1 with data in flight but no "
			   "ACK yet (a round trip longer than the interval, or a stalled peer)\n");
	check_notice(1, 1, "tcplat: rtt: no RTT sample in this interval, but 1 connection matches "
			   "the filters: 0 idle (no data in flight), 1 with data in flight but no "
			   "ACK yet (a round trip longer than the interval, or a stalled peer)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_all),
		cmocka_unit_test(test_label_raddr),
		cmocka_unit_test(test_label_rport),
		cmocka_unit_test(test_label_flow),
		cmocka_unit_test(test_label_truncated),
		cmocka_unit_test(test_header_ms),
		cmocka_unit_test(test_header_us),
		cmocka_unit_test(test_header_empty_and_flow),
		cmocka_unit_test(test_key_json_none),
		cmocka_unit_test(test_key_json_raddr),
		cmocka_unit_test(test_key_json_rport),
		cmocka_unit_test(test_key_json_flow),
		cmocka_unit_test(test_key_json_flow_v4mapped),
		cmocka_unit_test(test_detail_header),
		cmocka_unit_test(test_detail_text_v4),
		cmocka_unit_test(test_detail_text_v4mapped),
		cmocka_unit_test(test_detail_text_v6),
		cmocka_unit_test(test_detail_text_no_owner),
		cmocka_unit_test(test_detail_text_edges),
		cmocka_unit_test(test_detail_json_owner),
		cmocka_unit_test(test_detail_json_v4mapped),
		cmocka_unit_test(test_detail_json_comm_escaped),
		cmocka_unit_test(test_detail_json_no_owner),
		cmocka_unit_test(test_summary_text),
		cmocka_unit_test(test_summary_text_optional),
		cmocka_unit_test(test_summary_text_preexisting),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_no_sample_notice),
	};

	return cmocka_run_group_tests_name("rtt_format", tests, NULL, NULL);
}
