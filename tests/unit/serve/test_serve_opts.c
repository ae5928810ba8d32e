// SPDX-License-Identifier: GPL-2.0
/* serve_opts.c: `tcplat serve` command line, parsed with ARGP_NO_EXIT. */
#include <argp.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "unit.h"
#include "connect_metrics.h"
#include "rtt_metrics.h"
#include "serve_opts.h"

static int parse(struct serve_opts *o, ...)
{
	va_list ap;
	int argc;

	va_start(ap, o);
	argc = args_build("tcplat serve", ap);
	va_end(ap);
	return serve_opts_parse(argc, unit_args, o, ARGP_NO_EXIT);
}

#define PARSE(o, ...) parse(o, ##__VA_ARGS__, (const char *)NULL)

#define REJECT(...)							\
	do {								\
		struct serve_opts _o;					\
		if (!PARSE(&_o, __VA_ARGS__))				\
			fail_msg("accepted: %s", #__VA_ARGS__);		\
	} while (0)

static void check_v4(const struct serve_listen *l, const char *addr, uint16_t port)
{
	const struct sockaddr_in *a = (const struct sockaddr_in *)&l->addr;
	char buf[INET_ADDRSTRLEN];

	assert_int_equal(a->sin_family, AF_INET);
	assert_int_equal(l->addrlen, sizeof(*a));
	assert_string_equal(inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf)), addr);
	assert_int_equal(ntohs(a->sin_port), port);
	assert_false(l->dual_stack);
}

static void check_v6(const struct serve_listen *l, const char *addr, uint16_t port, bool dual)
{
	const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&l->addr;
	char buf[INET6_ADDRSTRLEN];

	assert_int_equal(a->sin6_family, AF_INET6);
	assert_int_equal(l->addrlen, sizeof(*a));
	assert_string_equal(inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf)), addr);
	assert_int_equal(ntohs(a->sin6_port), port);
	assert_int_equal(l->dual_stack, dual);
}

static void test_defaults(void **state)
{
	struct serve_opts o;

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	assert_int_equal(PARSE(&o), 0);
	check_v4(&o.listen, "127.0.0.1", SERVE_DEFAULT_PORT);
	assert_string_equal(o.listen.text, "127.0.0.1:10140");
	assert_string_equal(o.path, "/metrics");
	assert_int_equal(o.connect_labels, 0);
	assert_int_equal(o.rtt_labels, 0);
	assert_int_equal(o.max_series, 1000);
	assert_int_equal(o.max_connections, 256);
	assert_string_equal(o.user, "nobody");
	assert_false(o.keep_privileges);
	assert_int_equal(o.common.backend, BACKEND_AUTO);
	assert_int_equal(o.common.family, 0);
	assert_null(o.comm);
	assert_int_equal(o.ndports, 0);
	assert_int_equal(o.daddr_family, 0);
	assert_int_equal(o.raddr_family, 0);
}

static void test_listen(void **state)
{
	struct serve_listen l;
	struct serve_opts o;

	(void)state;
	assert_int_equal(serve_listen_parse(":9100", &l), 0);
	check_v6(&l, "::", 9100, true);
	assert_string_equal(l.text, "[::]:9100");
	assert_int_equal(serve_listen_parse("[::]:80", &l), 0);
	check_v6(&l, "::", 80, true);
	assert_int_equal(serve_listen_parse("[::1]:0", &l), 0);
	check_v6(&l, "::1", 0, false);
	assert_string_equal(l.text, "[::1]:0");
	assert_int_equal(serve_listen_parse("0.0.0.0:1", &l), 0);
	check_v4(&l, "0.0.0.0", 1);
	assert_int_equal(serve_listen_parse("localhost:65535", &l), 0);
	check_v4(&l, "127.0.0.1", 65535);
	assert_int_equal(serve_listen_parse("10.1.2.3:8080", &l), 0);
	check_v4(&l, "10.1.2.3", 8080);
	assert_string_equal(l.text, "10.1.2.3:8080");
	for (const char *bad[] = { "", "9100", ":", ":65536", ":-1", ":x", "1.2.3:80", "[::1:80",
				   "::1:80", "[1.2.3.4]:80", "[]:80", "example.com:80", "[::1]:",
				   NULL }, **p = bad; *p; p++)
		if (!serve_listen_parse(*p, &l))
			fail_msg("accepted listen address '%s'", *p);

	assert_int_equal(PARSE(&o, "--listen", "[::1]:9"), 0);
	check_v6(&o.listen, "::1", 9, false);
	/* node_exporter's names. */
	assert_int_equal(PARSE(&o, "--web.listen-address", ":7", "--web.telemetry-path", "/m"), 0);
	check_v6(&o.listen, "::", 7, true);
	assert_string_equal(o.path, "/m");
	assert_int_equal(PARSE(&o, "--web.listen-address=127.0.0.2:8"), 0);
	check_v4(&o.listen, "127.0.0.2", 8);
	REJECT("--listen", "nowhere");
}

static void test_path(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--web.telemetry-path", "/"), 0);
	assert_string_equal(o.path, "/");
	assert_int_equal(PARSE(&o, "--telemetry-path", "/a/b-c_d"), 0);
	assert_string_equal(o.path, "/a/b-c_d");
	REJECT("--web.telemetry-path", "metrics");
	REJECT("--web.telemetry-path", "/m?x");
	REJECT("--web.telemetry-path", "/<script>");
	REJECT("--web.telemetry-path", "/a b");
	REJECT("--web.telemetry-path", "/\"");
}

static void test_labels_and_limits(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--connect-labels", "daddr,dport", "--rtt-labels", "raddr",
			       "--max-series", "5", "--max-connections", "10"),
			 0);
	assert_int_equal(o.connect_labels, CONNECT_KEY_DADDR | CONNECT_KEY_DPORT);
	assert_int_equal(o.rtt_labels, RTT_LABEL_RADDR);
	assert_int_equal(o.max_series, 5);
	assert_int_equal(o.max_connections, 10);
	REJECT("--connect-labels", "raddr");
	REJECT("--rtt-labels", "daddr");
	REJECT("--connect-labels", "daddr,");
	REJECT("--max-series", "0");
	REJECT("--max-series", "-1");
	REJECT("--max-series", "2000000");
	REJECT("--max-connections", "0");
}

static void test_privileges(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--user", "daemon", "--keep-privileges"), 0);
	assert_string_equal(o.user, "daemon");
	assert_true(o.keep_privileges);
	REJECT("--user", "");
}

static void test_filters(void **state)
{
	struct serve_opts o;

	(void)state;
	assert_int_equal(PARSE(&o, "--comm", "curl", "--dport", "80,443", "--daddr", "10.0.0.1",
			       "--raddr", "10.0.0.2", "--rport", "443", "--lport", "5",
			       "--laddr", "10.0.0.3", "-4", "-p", "12", "--backend", "tracepoint",
			       "-v", "-d", "2.5"),
			 0);
	assert_string_equal(o.comm, "curl");
	assert_int_equal(o.ndports, 2);
	assert_int_equal(o.dports[1], 443);
	assert_int_equal(o.daddr_family, AF_INET);
	assert_int_equal(o.raddr_family, AF_INET);
	assert_int_equal(o.laddr_family, AF_INET);
	assert_int_equal(o.rport, 443);
	assert_int_equal(o.lport, 5);
	assert_int_equal(o.common.family, AF_INET);
	assert_int_equal(o.common.pid, 12);
	assert_int_equal(o.common.backend, BACKEND_TRACEPOINT);
	assert_int_equal(o.common.verbose, 1);
	assert_true(o.common.duration_s == 2.5);
	REJECT("-6", "--daddr", "10.0.0.1");
	REJECT("--laddr", "10.0.0.1", "--raddr", "fd00::1");
	REJECT("--comm", "0123456789abcdef");
	REJECT("--json");
	REJECT("extra");
	REJECT("--rport", "0");
	REJECT("--nope");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_listen, teardown),
		cmocka_unit_test_teardown(test_path, teardown),
		cmocka_unit_test_teardown(test_labels_and_limits, teardown),
		cmocka_unit_test_teardown(test_privileges, teardown),
		cmocka_unit_test_teardown(test_filters, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
