// SPDX-License-Identifier: GPL-2.0
/* rtt_opts.c: `tcplat rtt` command line, parsed with ARGP_NO_EXIT. */
#include <argp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include "unit.h"
#include "rtt_opts.h"

/* Parses "tcplat rtt" followed by the NULL-terminated arguments. */
static int parse(struct rtt_opts *o, ...)
{
	va_list ap;
	int argc;

	va_start(ap, o);
	argc = args_build("tcplat rtt", ap);
	va_end(ap);
	return rtt_opts_parse(argc, unit_args, o, ARGP_NO_EXIT);
}

#define PARSE(o, ...) parse(o, ##__VA_ARGS__, (const char *)NULL)

/* The parse must fail; argp's message goes to stderr. */
#define REJECT(...)							\
	do {								\
		struct rtt_opts _o;					\
		int _err = PARSE(&_o, __VA_ARGS__);			\
		if (!_err)						\
			fail_msg("accepted: %s", #__VA_ARGS__);		\
	} while (0)

static void test_defaults(void **state)
{
	static const uint8_t zero[16];
	struct rtt_opts o;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	assert_int_equal(PARSE(&o), 0);
	assert_int_equal(o.common.verbose, 0);
	assert_int_equal(o.common.backend, BACKEND_AUTO);
	assert_int_equal(o.common.pid, 0);
	assert_int_equal(o.common.family, 0);
	assert_null(o.common.cgroup);
	assert_true(o.common.duration_s == 0);
	assert_false(o.common.json);
	assert_true(o.interval_s == 1);
	assert_true(o.count == 0);
	assert_false(o.unit_us);
	assert_false(o.detail);
	assert_int_equal(o.mode, RTT_MODE_HIST);
	assert_int_equal(o.top, 0);
	assert_int_equal(o.min_rtt_us, 0);
	assert_int_equal(o.min_srtt_us, 0);
	assert_int_equal(o.min_minrtt_us, 0);
	assert_int_equal(o.laddr_family, 0);
	assert_memory_equal(o.laddr, zero, 16);
	assert_int_equal(o.raddr_family, 0);
	assert_memory_equal(o.raddr, zero, 16);
	assert_int_equal(o.lport, 0);
	assert_int_equal(o.rport, 0);
	assert_int_equal(o.max_keys, 1024);
	assert_int_equal(o.max_keys, RTT_DEFAULT_MAX_KEYS);
}

static void test_positionals(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "0.5", "3"), 0);
	assert_true(o.interval_s == 0.5);
	assert_true(o.count == 3);
	assert_int_equal(PARSE(&o, "5"), 0);
	assert_true(o.interval_s == 5);
	assert_true(o.count == 0);
	assert_int_equal(PARSE(&o, "2", "4294967295"), 0);
	assert_true(o.interval_s == 2);
	assert_true(o.count == 4294967295ULL);
	/* After the options, or between them: argp permutes. */
	assert_int_equal(PARSE(&o, "--us", "10", "-v", "7"), 0);
	assert_true(o.unit_us);
	assert_true(o.interval_s == 10);
	assert_true(o.count == 7);
	assert_int_equal(o.common.verbose, 1);
}

static void test_unit(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--us"), 0);
	assert_true(o.unit_us);
	assert_int_equal(PARSE(&o, "--ms"), 0);
	assert_false(o.unit_us);
	/* The last one wins. */
	assert_int_equal(PARSE(&o, "--us", "-m"), 0);
	assert_false(o.unit_us);
	assert_int_equal(PARSE(&o, "--us", "--ms"), 0);
	assert_false(o.unit_us);
	assert_int_equal(PARSE(&o, "-m", "--us"), 0);
	assert_true(o.unit_us);
}

static void test_detail(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--detail"), 0);
	assert_true(o.detail);
	assert_int_equal(o.mode, RTT_MODE_DETAIL);
	assert_int_equal(o.top, 0);
	/* -d is how a --detail run stops. */
	assert_int_equal(PARSE(&o, "--detail", "--us", "-d", "2.5", "--json"), 0);
	assert_true(o.detail);
	assert_int_equal(o.mode, RTT_MODE_DETAIL);
	assert_true(o.unit_us);
	assert_true(o.common.duration_s == 2.5);
	assert_true(o.common.json);
}

static void test_by(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--by", "raddr"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_RADDR);
	assert_false(o.detail);
	assert_int_equal(o.top, 0);
	assert_int_equal(PARSE(&o, "--by", "rport"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_RPORT);
	assert_int_equal(PARSE(&o, "--by=flow"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_FLOW);
	/* The last one wins. */
	assert_int_equal(PARSE(&o, "--by", "flow", "--by", "raddr"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_RADDR);
}

static void test_top(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--by", "raddr", "--top", "5"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_RADDR);
	assert_int_equal(o.top, 5);
	/* --top before --by: the check is made at the end. */
	assert_int_equal(PARSE(&o, "--top", "1", "--by", "flow"), 0);
	assert_int_equal(o.mode, RTT_MODE_BY_FLOW);
	assert_int_equal(o.top, 1);
	assert_int_equal(PARSE(&o, "--by", "rport", "--top=1048576"), 0);
	assert_int_equal(o.top, 1048576);
}

static void test_filters(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--filter-rtt", "0.5"), 0);
	assert_int_equal(o.min_rtt_us, 500);
	assert_int_equal(o.min_srtt_us, 0);
	assert_int_equal(o.min_minrtt_us, 0);
	assert_int_equal(PARSE(&o, "--filter-srtt", "10"), 0);
	assert_int_equal(o.min_rtt_us, 0);
	assert_int_equal(o.min_srtt_us, 10000);
	assert_int_equal(o.min_minrtt_us, 0);
	assert_int_equal(PARSE(&o, "--filter-minrtt", "2.25"), 0);
	assert_int_equal(o.min_rtt_us, 0);
	assert_int_equal(o.min_srtt_us, 0);
	assert_int_equal(o.min_minrtt_us, 2250);
	assert_int_equal(PARSE(&o, "--filter-rtt=0", "--filter-srtt=0.001",
			       "--filter-minrtt=4000000"), 0);
	assert_int_equal(o.min_rtt_us, 0);
	assert_int_equal(o.min_srtt_us, 1);
	assert_int_equal(o.min_minrtt_us, 4000000000U);
	/* "At least" rounds up to whole microseconds: 1.5 us must exclude 1 us. */
	assert_int_equal(PARSE(&o, "--filter-rtt", "0.0015", "--filter-srtt", "0.0004"), 0);
	assert_int_equal(o.min_rtt_us, 2);
	assert_int_equal(o.min_srtt_us, 1);
	/* Filters go with every mode. */
	assert_int_equal(PARSE(&o, "--detail", "--filter-rtt", "100", "--json"), 0);
	assert_int_equal(o.mode, RTT_MODE_DETAIL);
	assert_int_equal(o.min_rtt_us, 100000);
}

static void test_addrs(void **state)
{
	static const uint8_t v4a[16] = { 10, 0, 0, 1 };
	static const uint8_t v4b[16] = { 192, 168, 1, 254 };
	static const uint8_t v6a[16] = { [15] = 1 };
	static const uint8_t v6b[16] = { 0xfd, 0x00, 0x00, 0x7c, [15] = 0x02 };
	static const uint8_t zero[16];
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--laddr", "10.0.0.1"), 0);
	assert_int_equal(o.laddr_family, AF_INET);
	assert_memory_equal(o.laddr, v4a, 16);
	assert_int_equal(o.raddr_family, 0);
	assert_memory_equal(o.raddr, zero, 16);
	assert_int_equal(PARSE(&o, "--raddr=192.168.1.254"), 0);
	assert_int_equal(o.raddr_family, AF_INET);
	assert_memory_equal(o.raddr, v4b, 16);
	assert_int_equal(o.laddr_family, 0);
	assert_int_equal(PARSE(&o, "--laddr", "::1", "--raddr", "fd00:7c::2"), 0);
	assert_int_equal(o.laddr_family, AF_INET6);
	assert_memory_equal(o.laddr, v6a, 16);
	assert_int_equal(o.raddr_family, AF_INET6);
	assert_memory_equal(o.raddr, v6b, 16);
	assert_int_equal(PARSE(&o, "--laddr", "10.0.0.1", "--raddr", "192.168.1.254", "-4"), 0);
	assert_int_equal(o.common.family, AF_INET);
	assert_memory_equal(o.laddr, v4a, 16);
	assert_memory_equal(o.raddr, v4b, 16);
	assert_int_equal(PARSE(&o, "-6", "--raddr", "::1"), 0);
	assert_int_equal(o.common.family, AF_INET6);
	assert_int_equal(o.raddr_family, AF_INET6);
	/* A later address replaces an earlier one, all 16 bytes of it. */
	assert_int_equal(PARSE(&o, "--raddr", "fd00:7c::2", "--raddr", "10.0.0.1"), 0);
	assert_int_equal(o.raddr_family, AF_INET);
	assert_memory_equal(o.raddr, v4a, 16);
}

/* ::ffff:a.b.c.d is the IPv4 address, as dual-stack sockets are IPv4
 * connections to tcplat; other IPv6 addresses near it stay IPv6. */
static void test_addrs_v4mapped(void **state)
{
	static const uint8_t v4[16] = { 198, 18, 0, 2 };
	static const uint8_t compat[16] = { [12] = 198, 18, 0, 2 };
	static const uint8_t almost[16] = { [10] = 0xff, 0xfe, 198, 18, 0, 2 };
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--raddr", "::ffff:198.18.0.2"), 0);
	assert_int_equal(o.raddr_family, AF_INET);
	assert_memory_equal(o.raddr, v4, 16);
	assert_int_equal(PARSE(&o, "--laddr", "::FFFF:c612:2", "-4"), 0);
	assert_int_equal(o.laddr_family, AF_INET);
	assert_memory_equal(o.laddr, v4, 16);
	assert_int_equal(PARSE(&o, "--laddr", "::ffff:198.18.0.2", "--raddr", "198.18.0.2"), 0);
	assert_int_equal(o.laddr_family, o.raddr_family);
	/* IPv4-compatible (::a.b.c.d, deprecated) and other neighbours: IPv6. */
	assert_int_equal(PARSE(&o, "--raddr", "::198.18.0.2"), 0);
	assert_int_equal(o.raddr_family, AF_INET6);
	assert_memory_equal(o.raddr, compat, 16);
	assert_int_equal(PARSE(&o, "--raddr", "::fffe:198.18.0.2"), 0);
	assert_int_equal(o.raddr_family, AF_INET6);
	assert_memory_equal(o.raddr, almost, 16);
	/* -6 with a mapped address: it is IPv4, so the families disagree. */
	REJECT("-6", "--raddr", "::ffff:198.18.0.2");
	REJECT("--laddr", "::ffff:198.18.0.1", "--raddr", "fd00:7c::2");
}

/* The filters the BPF objects test: the parsed options, nothing else. */
static void test_conn_filter(void **state)
{
	static const uint8_t v4[16] = { 198, 18, 0, 2 };
	static const uint8_t zero[16];
	struct rtt_conn_filter f;
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-4", "--raddr", "::ffff:198.18.0.2", "--lport", "80",
			       "--rport", "6002", "-p", "42"), 0);
	memset(&f, 0xa5, sizeof(f));
	rtt_opts_conn_filter(&o, &f);
	assert_int_equal(f.family, AF_INET);
	assert_int_equal(f.raddr_family, AF_INET);
	assert_memory_equal(f.raddr, v4, 16);
	assert_int_equal(f.laddr_family, 0);
	assert_memory_equal(f.laddr, zero, 16);
	assert_int_equal(f.lport, 80);
	assert_int_equal(f.rport, 6002);
	assert_int_equal(f.tgid, 42);
	/* The cgroup is the caller's to fill: zero here. */
	assert_int_equal(f.filter_cgroup, 0);
	assert_true(f.cg_id == 0);
	assert_int_equal(f.cg_level, 0);
	assert_int_equal(f.pad, 0);
	assert_int_equal(PARSE(&o), 0);
	rtt_opts_conn_filter(&o, &f);
	assert_int_equal(f.family, 0);
	assert_int_equal(f.tgid, 0);
	assert_int_equal(f.raddr_family, 0);
}

static void test_ports(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--lport", "8080"), 0);
	assert_int_equal(o.lport, 8080);
	assert_int_equal(o.rport, 0);
	assert_int_equal(PARSE(&o, "--rport", "443"), 0);
	assert_int_equal(o.lport, 0);
	assert_int_equal(o.rport, 443);
	assert_int_equal(PARSE(&o, "--lport=1", "--rport=65535"), 0);
	assert_int_equal(o.lport, 1);
	assert_int_equal(o.rport, 65535);
}

static void test_max_keys(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--by", "flow", "--max-keys", "16"), 0);
	assert_int_equal(o.max_keys, 16);
	assert_int_equal(PARSE(&o, "--by", "raddr", "--max-keys=1"), 0);
	assert_int_equal(o.max_keys, 1);
	/* A table size without a table is a mistake, like --top without --by. */
	assert_int_not_equal(PARSE(&o, "--max-keys", "16"), 0);
	assert_int_not_equal(PARSE(&o, "--detail", "--max-keys", "16"), 0);
	assert_int_equal(PARSE(&o, "--by", "rport", "--max-keys", "1048576"), 0);
	assert_int_equal(o.max_keys, 1048576);
}

static void test_common(void **state)
{
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-p", "123"), 0);
	assert_int_equal(o.common.pid, 123);
	assert_int_equal(PARSE(&o, "--pid=2147483647"), 0);
	assert_int_equal(o.common.pid, 2147483647);
	assert_int_equal(PARSE(&o, "-4"), 0);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(PARSE(&o, "-6"), 0);
	assert_int_equal(o.common.family, AF_INET6);
	assert_int_equal(PARSE(&o, "--ipv4", "--ipv4"), 0);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(PARSE(&o, "--cgroup", "/sys/fs/cgroup/x"), 0);
	assert_string_equal(o.common.cgroup, "/sys/fs/cgroup/x");
	assert_int_equal(PARSE(&o, "-d", "1.5"), 0);
	assert_true(o.common.duration_s == 1.5);
	assert_int_equal(PARSE(&o, "--json"), 0);
	assert_true(o.common.json);
	assert_int_equal(PARSE(&o, "--backend", "tracepoint"), 0);
	assert_int_equal(o.common.backend, BACKEND_TRACEPOINT);
	assert_int_equal(PARSE(&o, "--backend=kprobe"), 0);
	assert_int_equal(o.common.backend, BACKEND_KPROBE);
	assert_int_equal(PARSE(&o, "--backend", "fentry"), 0);
	assert_int_equal(o.common.backend, BACKEND_FENTRY);
	assert_int_equal(PARSE(&o, "--backend", "auto"), 0);
	assert_int_equal(o.common.backend, BACKEND_AUTO);
	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_int_equal(o.common.verbose, 1);
	assert_int_equal(PARSE(&o, "-vv"), 0);
	assert_int_equal(o.common.verbose, 2);
}

static void test_everything(void **state)
{
	static const uint8_t la[16] = { 10, 0, 0, 1 };
	static const uint8_t ra[16] = { 10, 0, 0, 2 };
	struct rtt_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--us", "--by", "flow", "--top", "5", "--filter-rtt", "0.5",
			       "--filter-srtt", "10", "--filter-minrtt", "2.25", "--laddr",
			       "10.0.0.1", "--raddr", "10.0.0.2", "--lport", "4123", "--rport",
			       "443", "--max-keys", "64", "-p", "181", "-4", "--cgroup",
			       "/sys/fs/cgroup/t", "-d", "30", "--json", "--backend", "kprobe",
			       "-v", "0.5", "3"), 0);
	assert_true(o.unit_us);
	assert_false(o.detail);
	assert_int_equal(o.mode, RTT_MODE_BY_FLOW);
	assert_int_equal(o.top, 5);
	assert_int_equal(o.min_rtt_us, 500);
	assert_int_equal(o.min_srtt_us, 10000);
	assert_int_equal(o.min_minrtt_us, 2250);
	assert_int_equal(o.laddr_family, AF_INET);
	assert_memory_equal(o.laddr, la, 16);
	assert_int_equal(o.raddr_family, AF_INET);
	assert_memory_equal(o.raddr, ra, 16);
	assert_int_equal(o.lport, 4123);
	assert_int_equal(o.rport, 443);
	assert_int_equal(o.max_keys, 64);
	assert_int_equal(o.common.pid, 181);
	assert_int_equal(o.common.family, AF_INET);
	assert_string_equal(o.common.cgroup, "/sys/fs/cgroup/t");
	assert_true(o.common.duration_s == 30);
	assert_true(o.common.json);
	assert_int_equal(o.common.backend, BACKEND_KPROBE);
	assert_int_equal(o.common.verbose, 1);
	assert_true(o.interval_s == 0.5);
	assert_true(o.count == 3);
}

/* Parses with stdout sent to /dev/null: help texts are not the point. */
static int parse_quiet(struct rtt_opts *o, const char *arg)
{
	int saved, null, err;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	dup2(null, STDOUT_FILENO);
	close(null);
	err = PARSE(o, arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return err;
}

static void test_help(void **state)
{
	struct rtt_opts o;

	(void)state;
	/* Under ARGP_NO_EXIT help is printed and the parse goes on. */
	assert_int_equal(parse_quiet(&o, "-h"), 0);
	assert_int_equal(parse_quiet(&o, "--help"), 0);
	assert_int_equal(parse_quiet(&o, "--usage"), 0);
}

static void test_reject_by(void **state)
{
	(void)state;
	REJECT("--by", "host");
	REJECT("--by", "");
	REJECT("--by", "RADDR");
	REJECT("--by", "laddr");
	REJECT("--by");
}

static void test_reject_top(void **state)
{
	(void)state;
	REJECT("--by", "raddr", "--top", "0");
	REJECT("--by", "raddr", "--top", "-1");
	REJECT("--by", "raddr", "--top", "abc");
	REJECT("--by", "raddr", "--top", "1048577");
	/* --top ranks --by keys: without them there is nothing to rank. */
	REJECT("--top", "3");
	REJECT("--top", "3", "--detail");
}

static void test_reject_detail(void **state)
{
	(void)state;
	REJECT("--detail", "--by", "flow");
	REJECT("--by", "raddr", "--detail");
	REJECT("--detail", "--by", "rport", "--top", "1");
	/* --detail prints samples as they come: no INTERVAL, no COUNT. */
	REJECT("--detail", "1");
	REJECT("1", "--detail");
	REJECT("--detail", "1", "2");
}

static void test_reject_filters(void **state)
{
	(void)state;
	REJECT("--filter-rtt", "-1");
	REJECT("--filter-rtt", "abc");
	REJECT("--filter-rtt", "0x10");
	REJECT("--filter-rtt", "");
	REJECT("--filter-rtt", "inf");
	REJECT("--filter-rtt", "nan");
	REJECT("--filter-rtt", "+1");
	REJECT("--filter-rtt", "1ms");
	REJECT("--filter-rtt", "4000000.001");
	REJECT("--filter-srtt", "-1");
	REJECT("--filter-srtt", "abc");
	REJECT("--filter-srtt", "0x10");
	REJECT("--filter-minrtt", "-1");
	REJECT("--filter-minrtt", "abc");
	REJECT("--filter-minrtt", "0x10");
	REJECT("--filter-rtt");
}

static void test_reject_ports(void **state)
{
	(void)state;
	REJECT("--lport", "0");
	REJECT("--lport", "70000");
	REJECT("--lport", "65536");
	REJECT("--lport", "-1");
	REJECT("--lport", "http");
	REJECT("--rport", "0");
	REJECT("--rport", "70000");
	REJECT("--rport", "");
}

static void test_reject_addrs(void **state)
{
	(void)state;
	REJECT("--raddr", "nope");
	REJECT("--raddr", "");
	REJECT("--raddr", "10.0.0.256");
	REJECT("--laddr", "example.com");
	REJECT("--laddr", "10.0.0.1/24");
	/* An address of the family -4/-6 excludes, in either order. */
	REJECT("-4", "--raddr", "::1");
	REJECT("--raddr", "::1", "-4");
	REJECT("-6", "--laddr", "10.0.0.1");
	REJECT("--laddr", "10.0.0.1", "-6");
	/* A connection has one family. */
	REJECT("--laddr", "10.0.0.1", "--raddr", "::1");
	REJECT("--laddr", "::1", "--raddr", "10.0.0.1");
}

static void test_reject_positionals(void **state)
{
	(void)state;
	REJECT("1", "2", "3");
	REJECT("0");
	REJECT("0.0");
	REJECT("-1");
	REJECT("abc");
	REJECT("1", "0");
	REJECT("1", "-1");
	REJECT("1", "abc");
	REJECT("1", "1.5");
	REJECT("1", "4294967296");
}

static void test_reject_common(void **state)
{
	(void)state;
	REJECT("--max-keys", "0");
	REJECT("--max-keys", "1048577");
	REJECT("--max-keys", "-1");
	REJECT("--max-keys", "abc");
	REJECT("-p", "0");
	REJECT("-p", "abc");
	REJECT("-4", "-6");
	REJECT("-d", "0");
	REJECT("--backend", "foo");
	REJECT("--nope");
	REJECT("-Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_positionals, teardown),
		cmocka_unit_test_teardown(test_unit, teardown),
		cmocka_unit_test_teardown(test_detail, teardown),
		cmocka_unit_test_teardown(test_by, teardown),
		cmocka_unit_test_teardown(test_top, teardown),
		cmocka_unit_test_teardown(test_filters, teardown),
		cmocka_unit_test_teardown(test_addrs, teardown),
		cmocka_unit_test_teardown(test_addrs_v4mapped, teardown),
		cmocka_unit_test_teardown(test_conn_filter, teardown),
		cmocka_unit_test_teardown(test_ports, teardown),
		cmocka_unit_test_teardown(test_max_keys, teardown),
		cmocka_unit_test_teardown(test_common, teardown),
		cmocka_unit_test_teardown(test_everything, teardown),
		cmocka_unit_test_teardown(test_help, teardown),
		cmocka_unit_test_teardown(test_reject_by, teardown),
		cmocka_unit_test_teardown(test_reject_top, teardown),
		cmocka_unit_test_teardown(test_reject_detail, teardown),
		cmocka_unit_test_teardown(test_reject_filters, teardown),
		cmocka_unit_test_teardown(test_reject_ports, teardown),
		cmocka_unit_test_teardown(test_reject_addrs, teardown),
		cmocka_unit_test_teardown(test_reject_positionals, teardown),
		cmocka_unit_test_teardown(test_reject_common, teardown),
	};

	return cmocka_run_group_tests_name("rtt_opts", tests, NULL, NULL);
}
