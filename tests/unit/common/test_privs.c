// SPDX-License-Identifier: GPL-2.0
/* privs.c: privs_missing over capability masks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/capability.h>
#include "privs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

#define BIT(cap) (1ULL << (cap))
#define UNTOUCHED "untouched"

/* Returns privs_missing's value; buf keeps its message (or UNTOUCHED). */
static int missing(uint64_t eff, char *buf, size_t len)
{
	strcpy(buf, UNTOUCHED);
	return privs_missing(eff, buf, len);
}

static void check_ok(uint64_t eff)
{
	char buf[128];

	if (missing(eff, buf, sizeof(buf)))
		fail_msg("mask %#jx: refused: %s", (uintmax_t)eff, buf);
	assert_string_equal(buf, UNTOUCHED);
}

static void check_missing(uint64_t eff, const char *want)
{
	char buf[128];

	assert_int_equal(missing(eff, buf, sizeof(buf)), 1);
	assert_string_equal(buf, want);
}

static void test_none(void **state)
{
	(void)state;
	check_missing(0, "missing CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run as root");
	/* Other capabilities do not help. */
	check_missing(BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE) | BIT(CAP_SYS_RESOURCE),
		      "missing CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN): run as root");
}

static void test_sys_admin(void **state)
{
	(void)state;
	check_ok(BIT(CAP_SYS_ADMIN));
	check_ok(BIT(CAP_SYS_ADMIN) | BIT(CAP_BPF));
	check_ok(~0ULL);
}

static void test_bpf_perfmon(void **state)
{
	(void)state;
	check_ok(BIT(CAP_BPF) | BIT(CAP_PERFMON));
	check_ok(BIT(CAP_BPF) | BIT(CAP_PERFMON) | BIT(CAP_NET_ADMIN));
}

static void test_bpf_only(void **state)
{
	(void)state;
	check_missing(BIT(CAP_BPF), "missing CAP_PERFMON (or CAP_SYS_ADMIN): run as root");
}

static void test_perfmon_only(void **state)
{
	(void)state;
	check_missing(BIT(CAP_PERFMON), "missing CAP_BPF (or CAP_SYS_ADMIN): run as root");
}

static void test_small_buffer(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(missing(0, buf, 8), 1);
	assert_string_equal(buf, "missing");
	assert_int_equal(missing(0, buf, 1), 1);
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_sys_admin),
		cmocka_unit_test(test_bpf_perfmon),
		cmocka_unit_test(test_bpf_only),
		cmocka_unit_test(test_perfmon_only),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests_name("privs", tests, NULL, NULL);
}
