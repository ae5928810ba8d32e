// SPDX-License-Identifier: GPL-2.0
/* parse.c: option value parsers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "parse.h"

#define SENTINEL 0xdeadbeefcafef00dULL

/* parse_uint must leave *out alone when it fails. */
static void uint_rejects(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v = SENTINEL;

	if (parse_uint(s, min, max, &v) != -EINVAL)
		fail_msg("parse_uint(\"%s\", %ju, %ju) accepted it", s ? s : "(null)",
			 (uintmax_t)min, (uintmax_t)max);
	assert_true(v == SENTINEL);
}

static void uint_accepts(const char *s, uint64_t min, uint64_t max, uint64_t want)
{
	uint64_t v = SENTINEL;

	if (parse_uint(s, min, max, &v))
		fail_msg("parse_uint(\"%s\", %ju, %ju) rejected it", s, (uintmax_t)min,
			 (uintmax_t)max);
	assert_true(v == want);
}

static void test_uint_plain(void **state)
{
	(void)state;
	uint_accepts("0", 0, 10, 0);
	uint_accepts("7", 0, 10, 7);
	uint_accepts("007", 0, 10, 7);
	uint_accepts("123", 1, 1000, 123);
}

static void test_uint_bounds(void **state)
{
	(void)state;
	uint_accepts("1", 1, 65535, 1);
	uint_accepts("65535", 1, 65535, 65535);
	uint_rejects("0", 1, 65535);
	uint_rejects("65536", 1, 65535);
	uint_accepts("5", 5, 5, 5);
	uint_rejects("4", 5, 5);
	uint_rejects("6", 5, 5);
	uint_accepts("2147483647", 1, INT32_MAX, INT32_MAX);
	uint_rejects("2147483648", 1, INT32_MAX);
}

static void test_uint_junk(void **state)
{
	(void)state;
	uint_rejects(NULL, 0, 10);
	uint_rejects("", 0, 10);
	uint_rejects("abc", 0, 10);
	uint_rejects("1a", 0, 10);
	uint_rejects("1.0", 0, 10);
	uint_rejects("1e3", 0, 10000);
	uint_rejects("0x10", 0, 100);
	uint_rejects("1,2", 0, 100);
}

static void test_uint_signs_and_blanks(void **state)
{
	(void)state;
	uint_rejects("-1", 0, UINT64_MAX);
	uint_rejects("-0", 0, 10);
	uint_rejects("+1", 0, 10);
	uint_rejects(" 1", 0, 10);
	uint_rejects("\t1", 0, 10);
	uint_rejects("1 ", 0, 10);
	uint_rejects("1\n", 0, 10);
	uint_rejects(" ", 0, 10);
}

static void test_uint_overflow(void **state)
{
	(void)state;
	uint_accepts("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
	uint_rejects("18446744073709551616", 0, UINT64_MAX);
	uint_rejects("99999999999999999999999", 0, UINT64_MAX);
	uint_rejects("4294967296", 0, UINT32_MAX);
}

static void ms_rejects(const char *s, double max_ms)
{
	uint64_t ns = SENTINEL;

	if (parse_ms(s, max_ms, &ns) != -EINVAL)
		fail_msg("parse_ms(\"%s\", %g) accepted it", s ? s : "(null)", max_ms);
	assert_true(ns == SENTINEL);
}

static void ms_accepts(const char *s, double max_ms, uint64_t want_ns)
{
	uint64_t ns = SENTINEL;

	if (parse_ms(s, max_ms, &ns))
		fail_msg("parse_ms(\"%s\", %g) rejected it", s, max_ms);
	if (ns != want_ns)
		fail_msg("parse_ms(\"%s\"): %ju ns, want %ju", s, (uintmax_t)ns,
			 (uintmax_t)want_ns);
}

static void test_ms_values(void **state)
{
	(void)state;
	ms_accepts("0", 1000, 0);
	ms_accepts("1", 1000, 1000000);
	ms_accepts("10", 1000, 10000000);
	ms_accepts("0.5", 1000, 500000);
	ms_accepts(".5", 1000, 500000);
	ms_accepts("1.", 1000, 1000000);
	ms_accepts("0.001", 1000, 1000);
	ms_accepts("0.000001", 1000, 1);
	ms_accepts("1.25", 1000, 1250000);
	/* Rounded to the nearest ns, not truncated. */
	ms_accepts("0.0000016", 1000, 2);
}

static void test_ms_exponent(void **state)
{
	(void)state;
	/* strtod's decimal exponent form is a decimal number: accepted. */
	ms_accepts("1e3", 86400e3, 1000000000);
	ms_accepts("5e-1", 1000, 500000);
	ms_rejects("1e", 1000);
	ms_rejects("1e400", 1e300);
	ms_rejects("e3", 1000);
}

static void test_ms_hex_rejected(void **state)
{
	(void)state;
	/* parse.h promises a decimal number; strtod would also take C99 hex. */
	ms_rejects("0x10", 1000);
	ms_rejects("0x1p3", 1000);
}

static void test_ms_rejects(void **state)
{
	(void)state;
	ms_rejects(NULL, 1000);
	ms_rejects("", 1000);
	ms_rejects("-1", 1000);
	ms_rejects("-0", 1000);
	ms_rejects("-0.5", 1000);
	ms_rejects("+1", 1000);
	ms_rejects(" 1", 1000);
	ms_rejects("1 ", 1000);
	ms_rejects("abc", 1000);
	ms_rejects("1abc", 1000);
	ms_rejects("1ms", 1000);
	ms_rejects("1,5", 1000);
	ms_rejects(".", 1000);
	ms_rejects("..5", 1000);
}

static void test_ms_inf_nan(void **state)
{
	(void)state;
	ms_rejects("inf", 1e300);
	ms_rejects("INF", 1e300);
	ms_rejects("infinity", 1e300);
	ms_rejects("nan", 1e300);
	ms_rejects("NAN", 1e300);
	ms_rejects("nan(1)", 1e300);
}

static void test_ms_max(void **state)
{
	(void)state;
	ms_accepts("86400000", 86400e3, 86400000000000ULL);
	ms_rejects("86400000.001", 86400e3);
	ms_rejects("86400001", 86400e3);
	ms_accepts("0", 0, 0);
	ms_rejects("0.1", 0);
}

static void sec_rejects(const char *s)
{
	double v = -42;

	if (parse_seconds(s, &v) != -EINVAL)
		fail_msg("parse_seconds(\"%s\") accepted it", s ? s : "(null)");
	assert_true(v == -42);
}

static void sec_accepts(const char *s, double want)
{
	double v = -42;

	if (parse_seconds(s, &v))
		fail_msg("parse_seconds(\"%s\") rejected it", s);
	assert_true(v == want);
}

static void test_seconds(void **state)
{
	(void)state;
	sec_accepts("1", 1);
	sec_accepts("1.5", 1.5);
	sec_accepts("0.25", 0.25);
	sec_accepts("31536000", 31536000);
	sec_rejects("31536000.5");
	sec_rejects("0");
	sec_rejects("0.0");
	sec_rejects(".0");
	sec_rejects("-1");
	sec_rejects("-0");
	sec_rejects("");
	sec_rejects(NULL);
	sec_rejects("abc");
	sec_rejects("1s");
	sec_rejects("inf");
	sec_rejects("nan");
	sec_rejects(" 1");
}

/* ports[] is one wider than max: the extra slot must stay untouched. */
static int ports_parse(const char *s, int max, uint16_t *ports)
{
	int i;

	for (i = 0; i <= max; i++)
		ports[i] = 0xbeef;
	return parse_port_list(s, ports, max);
}

static void test_port(void **state)
{
	uint16_t port = 7;

	(void)state;
	assert_int_equal(parse_port("1", &port), 0);
	assert_int_equal(port, 1);
	assert_int_equal(parse_port("65535", &port), 0);
	assert_int_equal(port, 65535);
	assert_int_equal(parse_port("0", &port), -EINVAL);
	assert_int_equal(parse_port("65536", &port), -EINVAL);
	assert_int_equal(parse_port("80x", &port), -EINVAL);
	assert_int_equal(parse_port("", &port), -EINVAL);
	assert_int_equal(port, 65535);
}

static void test_ports_ok(void **state)
{
	uint16_t p[9];

	(void)state;
	assert_int_equal(ports_parse("80", 8, p), 1);
	assert_int_equal(p[0], 80);
	assert_int_equal(ports_parse("80,443", 8, p), 2);
	assert_int_equal(p[0], 80);
	assert_int_equal(p[1], 443);
	assert_int_equal(p[2], 0xbeef);
	assert_int_equal(ports_parse("1,65535", 8, p), 2);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 65535);
}

static void test_ports_max(void **state)
{
	uint16_t p[9];
	int i;

	(void)state;
	assert_int_equal(ports_parse("1,2,3,4,5,6,7,8", 8, p), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(p[i], i + 1);
	assert_int_equal(p[8], 0xbeef);
	assert_int_equal(ports_parse("1,2,3,4,5,6,7,8,9", 8, p), -EINVAL);
	assert_int_equal(p[8], 0xbeef);
	assert_int_equal(ports_parse("1,2", 1, p), -EINVAL);
	assert_int_equal(p[1], 0xbeef);
}

static void test_ports_range(void **state)
{
	uint16_t p[9];

	(void)state;
	assert_int_equal(ports_parse("0", 8, p), -EINVAL);
	assert_int_equal(ports_parse("65536", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80,0", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80,65536", 8, p), -EINVAL);
	assert_int_equal(ports_parse("-1", 8, p), -EINVAL);
	assert_int_equal(ports_parse("99999999999999999999", 8, p), -EINVAL);
}

static void test_ports_syntax(void **state)
{
	char big[300];
	uint16_t p[9];

	(void)state;
	assert_int_equal(ports_parse(NULL, 8, p), -EINVAL);
	assert_int_equal(ports_parse("", 8, p), -EINVAL);
	assert_int_equal(ports_parse(",", 8, p), -EINVAL);
	assert_int_equal(ports_parse(",,", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80,,443", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80,", 8, p), -EINVAL);
	assert_int_equal(ports_parse(",80", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80, 443", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80 ,443", 8, p), -EINVAL);
	assert_int_equal(ports_parse("80;443", 8, p), -EINVAL);
	assert_int_equal(ports_parse("http", 8, p), -EINVAL);
	assert_int_equal(ports_parse("+80", 8, p), -EINVAL);
	/* Too long for the copy: refused, not truncated. */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ports_parse(big, 8, p), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_uint_plain),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_uint_junk),
		cmocka_unit_test(test_uint_signs_and_blanks),
		cmocka_unit_test(test_uint_overflow),
		cmocka_unit_test(test_ms_values),
		cmocka_unit_test(test_ms_exponent),
		cmocka_unit_test(test_ms_hex_rejected),
		cmocka_unit_test(test_ms_rejects),
		cmocka_unit_test(test_ms_inf_nan),
		cmocka_unit_test(test_ms_max),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_ports_ok),
		cmocka_unit_test(test_ports_max),
		cmocka_unit_test(test_ports_range),
		cmocka_unit_test(test_ports_syntax),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
