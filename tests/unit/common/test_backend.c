// SPDX-License-Identifier: GPL-2.0
/* backend.c: names and program ownership; backend_select needs a kernel. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>
#include "backend.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(backend_name(BACKEND_FENTRY), "fentry");
	assert_string_equal(backend_name(BACKEND_KPROBE), "kprobe");
	assert_string_equal(backend_name(BACKEND_TRACEPOINT), "tracepoint");
	assert_string_equal(backend_name(BACKEND_AUTO), "auto");
}

static void test_parse(void **state)
{
	enum backend b;

	(void)state;
	b = BACKEND_AUTO;
	assert_int_equal(backend_parse("fentry", &b), 0);
	assert_int_equal(b, BACKEND_FENTRY);
	assert_int_equal(backend_parse("kprobe", &b), 0);
	assert_int_equal(b, BACKEND_KPROBE);
	assert_int_equal(backend_parse("tracepoint", &b), 0);
	assert_int_equal(b, BACKEND_TRACEPOINT);
	assert_int_equal(backend_parse("auto", &b), 0);
	assert_int_equal(b, BACKEND_AUTO);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", "foo", "FENTRY", "Auto", "fentry ", " kprobe", "tp", "fexit", "kretprobe",
		"sockops", "tracepoints", "fent", "0", "3",
	};
	enum backend b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = BACKEND_KPROBE;
		if (backend_parse(bad[i], &b) != -EINVAL)
			fail_msg("backend_parse(\"%s\") accepted it", bad[i]);
		assert_int_equal(b, BACKEND_KPROBE);
	}
}

static void test_round_trip(void **state)
{
	enum backend b, got;

	(void)state;
	for (b = 0; b <= BACKEND_AUTO; b++) {
		got = b == BACKEND_FENTRY ? BACKEND_KPROBE : BACKEND_FENTRY;
		assert_int_equal(backend_parse(backend_name(b), &got), 0);
		assert_int_equal(got, b);
	}
}

/* Which of the three concrete backends own name: a bit per backend. */
static unsigned int owners(const char *name)
{
	unsigned int mask = 0;
	enum backend b;

	for (b = 0; b < BACKEND_COUNT; b++)
		if (backend_owns_program(b, name))
			mask |= 1u << b;
	return mask;
}

#define F (1u << BACKEND_FENTRY)
#define K (1u << BACKEND_KPROBE)
#define T (1u << BACKEND_TRACEPOINT)

static void check_owners(const char *name, unsigned int want)
{
	unsigned int got = owners(name);

	if (got != want)
		fail_msg("\"%s\": owned by mask %#x, want %#x", name, got, want);
}

static void test_owns(void **state)
{
	(void)state;
	check_owners("fentry_tcp_v4_connect", F);
	check_owners("fexit_tcp_v4_connect", F);
	check_owners("kprobe_tcp_v4_connect", K);
	check_owners("kretprobe_tcp_v4_connect", K);
	check_owners("tp_inet_sock_set_state", T);
	check_owners("sockops_connect", T);
	/* The prefix alone, underscore included, is enough. */
	check_owners("fentry_", F);
	check_owners("sockops_", T);
	check_owners("tp_btf_inet_sock_set_state", T);
	/* Cgroup programs a feature needs with any backend. */
	check_owners("cg_sockops_req", F | K | T);
	check_owners("cg_", F | K | T);
}

static void test_owns_nobody(void **state)
{
	(void)state;
	check_owners("handle_connect", 0);
	check_owners("", 0);
	check_owners("fentry", 0);
	check_owners("fentrytcp", 0);
	check_owners("kprobe", 0);
	check_owners("kretprobe", 0);
	check_owners("tp", 0);
	check_owners("tpx", 0);
	check_owners("sockops", 0);
	check_owners("uprobe_x", 0);
	check_owners("raw_tp_x", 0);
	check_owners("Fentry_x", 0);
	check_owners("x_fentry_", 0);
	check_owners("cg", 0);
	check_owners("cgx_ingress", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_owns),
		cmocka_unit_test(test_owns_nobody),
	};

	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
