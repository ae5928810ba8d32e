// SPDX-License-Identifier: GPL-2.0
/* connect_opts.c: `tcplat connect` command line, parsed with ARGP_NO_EXIT. */
#include <argp.h>
#include <errno.h>
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
#include "connect_opts.h"

/* Parses "tcplat connect" followed by the NULL-terminated arguments. */
static int parse(struct connect_opts *o, ...)
{
	va_list ap;
	int argc;

	va_start(ap, o);
	argc = args_build("tcplat connect", ap);
	va_end(ap);
	return connect_opts_parse(argc, unit_args, o, ARGP_NO_EXIT);
}

#define PARSE(o, ...) parse(o, ##__VA_ARGS__, (const char *)NULL)

/* The parse must fail; argp's message goes to stderr. */
#define REJECT(...)							\
	do {								\
		struct connect_opts _o;					\
		int _err = PARSE(&_o, __VA_ARGS__);			\
		if (!_err)						\
			fail_msg("accepted: %s", #__VA_ARGS__);		\
	} while (0)

static void test_defaults(void **state)
{
	static const uint8_t zero[16];
	struct connect_opts o;

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
	assert_false(o.timestamp);
	assert_false(o.lport);
	assert_false(o.failed);
	assert_null(o.comm);
	assert_int_equal(o.ndports, 0);
	assert_int_equal(o.daddr_family, 0);
	assert_memory_equal(o.daddr, zero, 16);
	assert_true(o.min_ns == 0);
	assert_int_equal(o.max_inflight, DEFAULT_MAX_INFLIGHT);
	assert_false(o.retrans);
	assert_false(o.hist);
	assert_int_equal(o.key_fields, 0);
	assert_int_equal(o.top, 0);
	assert_int_equal(o.max_keys, CONNECT_DEFAULT_MAX_KEYS);
	assert_true(o.interval_s == 1);
	assert_true(o.count == 0);
	assert_false(o.unit_us);
}

static void test_retrans(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-r"), 0);
	assert_true(o.retrans);
	assert_int_equal(PARSE(&o, "--retrans", "--failed", "-tL"), 0);
	assert_true(o.retrans && o.failed && o.timestamp && o.lport);
	assert_int_equal(PARSE(&o, "-rtL"), 0);
	assert_true(o.retrans && o.timestamp && o.lport);
}

static void test_hist(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--hist"), 0);
	assert_true(o.hist);
	assert_int_equal(o.key_fields, 0);
	/* --by implies --hist. */
	assert_int_equal(PARSE(&o, "--by", "dport"), 0);
	assert_true(o.hist);
	assert_int_equal(o.key_fields, CONNECT_KEY_DPORT);
	assert_int_equal(PARSE(&o, "--hist", "--by=daddr"), 0);
	assert_int_equal(o.key_fields, CONNECT_KEY_DADDR);
	assert_int_equal(PARSE(&o, "--by", "comm"), 0);
	assert_int_equal(o.key_fields, CONNECT_KEY_COMM);
	assert_int_equal(PARSE(&o, "--by", "cgroup"), 0);
	assert_int_equal(o.key_fields, CONNECT_KEY_CGROUP);
	assert_int_equal(PARSE(&o, "--by", "daddr,dport,cgroup,comm"), 0);
	assert_int_equal(o.key_fields, CONNECT_KEY_DADDR | CONNECT_KEY_DPORT |
					       CONNECT_KEY_CGROUP | CONNECT_KEY_COMM);
	assert_int_equal(PARSE(&o, "--by", "dport", "--top", "5", "--max-keys", "65536",
			       "--interval", "0.5", "--count", "3", "--us", "--json"), 0);
	assert_int_equal(o.top, 5);
	assert_int_equal(o.max_keys, 65536);
	assert_true(o.interval_s == 0.5);
	assert_true(o.count == 3);
	assert_true(o.unit_us);
	assert_true(o.common.json);
	assert_int_equal(PARSE(&o, "--hist", "--us", "-m"), 0);
	assert_false(o.unit_us);
	assert_int_equal(PARSE(&o, "--hist", "--max-keys=1", "-4", "--dport", "80", "-p", "7"), 0);
	assert_int_equal(o.max_keys, 1);
	assert_int_equal(o.common.family, AF_INET);
}

static void test_key_fields(void **state)
{
	uint32_t f;

	(void)state;
	assert_int_equal(connect_parse_key_fields("dport", &f), 0);
	assert_int_equal(f, CONNECT_KEY_DPORT);
	assert_int_equal(connect_parse_key_fields("comm,daddr", &f), 0);
	assert_int_equal(f, CONNECT_KEY_COMM | CONNECT_KEY_DADDR);
	assert_int_equal(connect_parse_key_fields("", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields("dport,", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields(",dport", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields("dport,dport", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields("dports", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields("dpor", &f), -EINVAL);
	assert_int_equal(connect_parse_key_fields("raddr", &f), -EINVAL);
}

static void test_daddr_v4mapped(void **state)
{
	static const uint8_t v4[16] = { 198, 18, 0, 2 };
	struct connect_opts o;

	(void)state;
	/* ::ffff:198.18.0.2 is what a dual-stack connect to 198.18.0.2
	 * carries: the filter is the IPv4 address, for -4 too. */
	assert_int_equal(PARSE(&o, "--daddr", "::ffff:198.18.0.2"), 0);
	assert_int_equal(o.daddr_family, AF_INET);
	assert_memory_equal(o.daddr, v4, 16);
	assert_int_equal(PARSE(&o, "-4", "--daddr", "::ffff:198.18.0.2"), 0);
	assert_int_equal(o.daddr_family, AF_INET);
	/* Not mapped: stays IPv6. */
	assert_int_equal(PARSE(&o, "--daddr", "::198.18.0.2"), 0);
	assert_int_equal(o.daddr_family, AF_INET6);
	assert_int_equal(PARSE(&o, "--daddr", "::ffff:0:198.18.0.2"), 0);
	assert_int_equal(o.daddr_family, AF_INET6);
}

static void test_view_flags(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-t", "-L"), 0);
	assert_true(o.timestamp);
	assert_true(o.lport);
	assert_false(o.failed);
	assert_int_equal(PARSE(&o, "-tL"), 0);
	assert_true(o.timestamp);
	assert_true(o.lport);
	assert_int_equal(PARSE(&o, "--timestamp", "--lport", "--failed", "--json"), 0);
	assert_true(o.timestamp);
	assert_true(o.lport);
	assert_true(o.failed);
	assert_true(o.common.json);
}

static void test_pid(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-p", "123"), 0);
	assert_int_equal(o.common.pid, 123);
	assert_int_equal(PARSE(&o, "-p123"), 0);
	assert_int_equal(o.common.pid, 123);
	assert_int_equal(PARSE(&o, "--pid=2147483647"), 0);
	assert_int_equal(o.common.pid, 2147483647);
}

static void test_comm(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--comm", "x"), 0);
	assert_string_equal(o.comm, "x");
	/* 15 characters: the longest comm there is. */
	assert_int_equal(PARSE(&o, "--comm=abcdefghijklmno"), 0);
	assert_string_equal(o.comm, "abcdefghijklmno");
}

static void test_dport(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--dport", "80,443"), 0);
	assert_int_equal(o.ndports, 2);
	assert_int_equal(o.dports[0], 80);
	assert_int_equal(o.dports[1], 443);
	assert_int_equal(PARSE(&o, "--dport=1,2,3,4,5,6,7,65535"), 0);
	assert_int_equal(o.ndports, 8);
	assert_int_equal(o.dports[7], 65535);
}

static void test_daddr(void **state)
{
	static const uint8_t v4[16] = { 10, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--daddr", "10.0.0.1"), 0);
	assert_int_equal(o.daddr_family, AF_INET);
	assert_memory_equal(o.daddr, v4, 16);
	assert_int_equal(PARSE(&o, "--daddr", "::1"), 0);
	assert_int_equal(o.daddr_family, AF_INET6);
	assert_memory_equal(o.daddr, v6, 16);
	assert_int_equal(PARSE(&o, "--daddr", "10.0.0.1", "-4"), 0);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(PARSE(&o, "-6", "--daddr=::1"), 0);
	assert_int_equal(o.common.family, AF_INET6);
	assert_int_equal(o.daddr_family, AF_INET6);
}

static void test_common(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-d", "1.5"), 0);
	assert_true(o.common.duration_s == 1.5);
	assert_int_equal(PARSE(&o, "-4"), 0);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(PARSE(&o, "-6"), 0);
	assert_int_equal(o.common.family, AF_INET6);
	assert_int_equal(PARSE(&o, "--backend", "tracepoint"), 0);
	assert_int_equal(o.common.backend, BACKEND_TRACEPOINT);
	assert_int_equal(PARSE(&o, "--backend=fentry"), 0);
	assert_int_equal(o.common.backend, BACKEND_FENTRY);
	assert_int_equal(PARSE(&o, "--backend", "auto"), 0);
	assert_int_equal(o.common.backend, BACKEND_AUTO);
	assert_int_equal(PARSE(&o, "--max-inflight", "16"), 0);
	assert_int_equal(o.max_inflight, 16);
	assert_int_equal(PARSE(&o, "--max-inflight=16777216"), 0);
	assert_int_equal(o.max_inflight, 16777216);
	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_int_equal(o.common.verbose, 1);
	assert_int_equal(PARSE(&o, "-v", "-v"), 0);
	assert_int_equal(o.common.verbose, 2);
	assert_int_equal(PARSE(&o, "-vv"), 0);
	assert_int_equal(o.common.verbose, 2);
	assert_int_equal(PARSE(&o, "--cgroup", "/sys/fs/cgroup/x"), 0);
	assert_string_equal(o.common.cgroup, "/sys/fs/cgroup/x");
}

static void test_min_ms(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "0.5"), 0);
	assert_true(o.min_ns == 500000);
	assert_int_equal(PARSE(&o, "10"), 0);
	assert_true(o.min_ns == 10000000);
	assert_int_equal(PARSE(&o, "0"), 0);
	assert_true(o.min_ns == 0);
	assert_int_equal(PARSE(&o, "86400000"), 0);
	assert_true(o.min_ns == 86400000000000ULL);
	/* After the options, or before them: argp permutes. */
	assert_int_equal(PARSE(&o, "5", "-t"), 0);
	assert_true(o.min_ns == 5000000);
	assert_true(o.timestamp);
}

static void test_everything(void **state)
{
	struct connect_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "-t", "-L", "-p", "123", "--comm", "x", "--dport", "80,443",
			       "--daddr", "10.0.0.1", "--failed", "--json", "-d", "1.5", "-4",
			       "--backend", "tracepoint", "--max-inflight", "16", "-v", "-v",
			       "0.5"), 0);
	assert_true(o.timestamp);
	assert_true(o.lport);
	assert_int_equal(o.common.pid, 123);
	assert_string_equal(o.comm, "x");
	assert_int_equal(o.ndports, 2);
	assert_int_equal(o.dports[0], 80);
	assert_int_equal(o.dports[1], 443);
	assert_int_equal(o.daddr_family, AF_INET);
	assert_true(o.failed);
	assert_true(o.common.json);
	assert_true(o.common.duration_s == 1.5);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(o.common.backend, BACKEND_TRACEPOINT);
	assert_int_equal(o.max_inflight, 16);
	assert_int_equal(o.common.verbose, 2);
	assert_true(o.min_ns == 500000);
}

/* Parses with stdout sent to /dev/null: help texts are not the point. */
static int parse_quiet(struct connect_opts *o, const char *arg)
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
	struct connect_opts o;

	(void)state;
	/* Under ARGP_NO_EXIT help is printed and the parse goes on. */
	assert_int_equal(parse_quiet(&o, "-h"), 0);
	assert_int_equal(parse_quiet(&o, "--help"), 0);
}

static void test_usage(void **state)
{
	struct connect_opts o;

	(void)state;
	/* Every usage error says "Try `tcplat connect --help' or `tcplat
	 * connect --usage'", and connect_opts.c means to keep --usage. */
	assert_int_equal(parse_quiet(&o, "--usage"), 0);
}

static void test_reject_pid(void **state)
{
	(void)state;
	REJECT("-p", "abc");
	REJECT("-p", "0");
	REJECT("-p", "-1");
	REJECT("-p", "+1");
	REJECT("-p", "2147483648");
	REJECT("-p");
}

static void test_reject_min_ms(void **state)
{
	(void)state;
	REJECT("-1");
	REJECT("abc");
	REJECT("1", "2");
	REJECT("inf");
	REJECT("86400001");
	REJECT("");
}

static void test_reject_unknown(void **state)
{
	(void)state;
	REJECT("--nope");
	REJECT("-Z");
}

static void test_reject_family(void **state)
{
	(void)state;
	REJECT("-4", "-6");
	REJECT("-6", "-4");
	REJECT("--daddr", "::1", "-4");
	REJECT("-4", "--daddr", "::1");
	REJECT("--daddr", "10.0.0.1", "-6");
	REJECT("--daddr", "10.0.0.256");
	REJECT("--daddr", "example.com");
	REJECT("--daddr", "");
}

static void test_reject_comm(void **state)
{
	(void)state;
	REJECT("--comm", "abcdefghijklmnop");
	REJECT("--comm", "a-very-long-process-name");
	REJECT("--comm=");
}

static void test_reject_dport(void **state)
{
	(void)state;
	REJECT("--dport", "0");
	REJECT("--dport", "65536");
	REJECT("--dport", "80,,443");
	REJECT("--dport", ",");
	REJECT("--dport", "80,");
	REJECT("--dport", "1,2,3,4,5,6,7,8,9");
	REJECT("--dport", "http");
}

static void test_reject_hist(void **state)
{
	(void)state;
	/* Per-connection options make no sense for histograms. */
	REJECT("--hist", "5");
	REJECT("--by", "dport", "0");
	REJECT("--hist", "--failed");
	REJECT("--hist", "-t");
	REJECT("--hist", "-L");
	REJECT("--by", "comm", "-r");
	/* Histogram options need --hist; --top needs --by. */
	REJECT("--top", "3");
	REJECT("--hist", "--top", "3");
	REJECT("--max-keys", "10");
	REJECT("--interval", "2");
	REJECT("--count", "2");
	REJECT("--us");
	REJECT("-m");
	/* Bad values. */
	REJECT("--by", "foo");
	REJECT("--by", "");
	REJECT("--by", "dport,dport");
	REJECT("--hist", "--max-keys", "0");
	REJECT("--hist", "--max-keys", "65537");
	REJECT("--hist", "--interval", "0");
	REJECT("--hist", "--interval", "x");
	REJECT("--hist", "--count", "0");
	REJECT("--by", "dport", "--top", "0");
	REJECT("--by", "dport", "--top", "65537");
	/* A mapped --daddr is IPv4. */
	REJECT("-6", "--daddr", "::ffff:10.0.0.1");
}

static void test_reject_common(void **state)
{
	(void)state;
	REJECT("--backend", "foo");
	REJECT("--backend", "");
	REJECT("--backend", "FENTRY");
	REJECT("-d", "0");
	REJECT("-d", "-1");
	REJECT("-d", "abc");
	REJECT("--max-inflight", "0");
	REJECT("--max-inflight", "16777217");
	REJECT("--max-inflight", "-1");
	REJECT("--max-inflight", "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_view_flags, teardown),
		cmocka_unit_test_teardown(test_pid, teardown),
		cmocka_unit_test_teardown(test_comm, teardown),
		cmocka_unit_test_teardown(test_dport, teardown),
		cmocka_unit_test_teardown(test_daddr, teardown),
		cmocka_unit_test_teardown(test_common, teardown),
		cmocka_unit_test_teardown(test_min_ms, teardown),
		cmocka_unit_test_teardown(test_everything, teardown),
		cmocka_unit_test_teardown(test_help, teardown),
		cmocka_unit_test_teardown(test_usage, teardown),
		cmocka_unit_test_teardown(test_reject_pid, teardown),
		cmocka_unit_test_teardown(test_reject_min_ms, teardown),
		cmocka_unit_test_teardown(test_reject_unknown, teardown),
		cmocka_unit_test_teardown(test_reject_family, teardown),
		cmocka_unit_test_teardown(test_reject_comm, teardown),
		cmocka_unit_test_teardown(test_reject_dport, teardown),
		cmocka_unit_test_teardown(test_reject_common, teardown),
		cmocka_unit_test_teardown(test_retrans, teardown),
		cmocka_unit_test_teardown(test_hist, teardown),
		cmocka_unit_test_teardown(test_key_fields, teardown),
		cmocka_unit_test_teardown(test_daddr_v4mapped, teardown),
		cmocka_unit_test_teardown(test_reject_hist, teardown),
	};

	return cmocka_run_group_tests_name("connect_opts", tests, NULL, NULL);
}
