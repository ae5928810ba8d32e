// SPDX-License-Identifier: GPL-2.0
/* connect_agg.c: the kernel's connect table summed by the keys a view shows. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "unit.h"
#include "connect_agg.h"

/* A kernel key: port, one IPv4 address byte, comm, cgroup, outcome. */
static struct connect_key kkey(uint16_t dport, uint8_t a, const char *comm, uint64_t cg,
			       int32_t outcome, uint16_t family)
{
	struct connect_key k;

	memset(&k, 0, sizeof(k));
	k.dport = dport;
	k.daddr[0] = 10;
	k.daddr[3] = a;
	strncpy(k.comm, comm, sizeof(k.comm));
	k.cgroup_id = cg;
	k.outcome = outcome;
	k.family = family;
	return k;
}

/* A value of n connects of us microseconds each, with retrans SYN retransmits. */
static struct connect_hist_value *kvalue(uint64_t n, uint32_t us, uint64_t retrans)
{
	static struct connect_hist_value v;

	memset(&v, 0, sizeof(v));
	v.hist.count = n;
	v.hist.sum_us = n * us;
	v.hist.fine[hist_fine_index(us)] = n;
	v.hist.log2[hist_log2(us / 1000)] = n;
	v.syn_retrans = retrans;
	return &v;
}

static void test_outcome_classes(void **state)
{
	(void)state;
	assert_int_equal(connect_outcome_class(CONNECT_ESTABLISHED), -1);
	assert_int_equal(connect_outcome_class(ECONNREFUSED), CONNECT_OC_REFUSED);
	assert_int_equal(connect_outcome_class(ETIMEDOUT), CONNECT_OC_TIMEOUT);
	assert_int_equal(connect_outcome_class(EHOSTUNREACH), CONNECT_OC_UNREACHABLE);
	assert_int_equal(connect_outcome_class(ENETUNREACH), CONNECT_OC_UNREACHABLE);
	assert_int_equal(connect_outcome_class(CONNECT_ABORTED), CONNECT_OC_ABORTED);
	assert_int_equal(connect_outcome_class(EADDRNOTAVAIL), CONNECT_OC_OTHER);
	assert_int_equal(connect_outcome_class(-7), CONNECT_OC_OTHER);
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_REFUSED), "refused");
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_TIMEOUT), "timeout");
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_UNREACHABLE), "unreachable");
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_ABORTED), "aborted");
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_OTHER), "other");
	assert_string_equal(connect_outcome_class_name(CONNECT_OC_MAX), "?");
	assert_string_equal(connect_outcome_class_name(-1), "?");
}

static void test_project(void **state)
{
	struct connect_key k = kkey(443, 2, "curl", 77, ECONNREFUSED, AF_INET), p, want;

	(void)state;
	connect_key_project(&k, 0, &p);
	memset(&want, 0, sizeof(want));
	assert_memory_equal(&p, &want, sizeof(p));
	connect_key_project(&k, CONNECT_KEY_DPORT, &p);
	want.dport = 443;
	assert_memory_equal(&p, &want, sizeof(p));
	/* The address keeps its family; the outcome never stays. */
	connect_key_project(&k, CONNECT_KEY_DPORT | CONNECT_KEY_DADDR | CONNECT_KEY_COMM |
				       CONNECT_KEY_CGROUP, &p);
	want = k;
	want.outcome = 0;
	assert_memory_equal(&p, &want, sizeof(p));
	connect_key_project(&k, CONNECT_KEY_CGROUP, &p);
	memset(&want, 0, sizeof(want));
	want.cgroup_id = 77;
	assert_memory_equal(&p, &want, sizeof(p));
}

/* Outcomes and families fold into one key per port; failures by class. */
static void test_add_by_dport(void **state)
{
	struct connect_agg_table t;
	struct connect_key k, view;
	const struct connect_agg *a;

	(void)state;
	assert_int_equal(connect_agg_init(&t, CONNECT_KEY_DPORT, 8), 0);
	k = kkey(80, 1, "a", 0, CONNECT_ESTABLISHED, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(5, 10000, 1)), 0);
	k = kkey(80, 1, "a", 0, CONNECT_ESTABLISHED, AF_INET6);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(3, 20000, 2)), 0);
	k = kkey(80, 9, "b", 0, ECONNREFUSED, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(2, 100, 0)), 0);
	k = kkey(80, 9, "b", 0, ETIMEDOUT, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(1, 3000000, 2)), 0);
	k = kkey(80, 9, "b", 0, EPERM, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(4, 10, 0)), 0);
	k = kkey(443, 1, "a", 0, CONNECT_ABORTED, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(6, 10, 0)), 0);
	assert_int_equal(t.n, 2);

	memset(&view, 0, sizeof(view));
	view.dport = 80;
	a = connect_agg_find(&t, &view);
	assert_non_null(a);
	assert_int_equal(a->latency.count, 8);
	assert_int_equal(a->latency.sum_us, 5 * 10000 + 3 * 20000);
	assert_int_equal(a->latency.fine[hist_fine_index(10000)], 5);
	assert_int_equal(a->latency.fine[hist_fine_index(20000)], 3);
	assert_int_equal(a->failed[CONNECT_OC_REFUSED], 2);
	assert_int_equal(a->failed[CONNECT_OC_TIMEOUT], 1);
	assert_int_equal(a->failed[CONNECT_OC_OTHER], 4);
	assert_int_equal(a->failed[CONNECT_OC_ABORTED], 0);
	assert_int_equal(a->syn_retrans, 5);
	assert_int_equal(connect_agg_connects(a), 15);
	view.dport = 443;
	a = connect_agg_find(&t, &view);
	assert_non_null(a);
	assert_int_equal(a->latency.count, 0);
	assert_int_equal(a->failed[CONNECT_OC_ABORTED], 6);
	view.dport = 22;
	assert_null(connect_agg_find(&t, &view));
	connect_agg_free(&t);
}

/* A full table refuses new keys, and still sums into the ones it has. */
static void test_full(void **state)
{
	struct connect_agg_table t;
	struct connect_key k;

	(void)state;
	assert_int_equal(connect_agg_init(&t, CONNECT_KEY_DPORT, 2), 0);
	for (uint16_t p = 1; p <= 2; p++) {
		k = kkey(p, 0, "", 0, 0, AF_INET);
		assert_int_equal(connect_agg_add(&t, &k, kvalue(1, 5, 0)), 0);
	}
	k = kkey(3, 0, "", 0, 0, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(1, 5, 0)), -ENOSPC);
	k = kkey(2, 0, "", 0, ETIMEDOUT, AF_INET6);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(1, 5, 0)), 0);
	assert_int_equal(t.n, 2);
	connect_agg_reset(&t);
	assert_int_equal(t.n, 0);
	k = kkey(3, 0, "", 0, 0, AF_INET);
	assert_int_equal(connect_agg_add(&t, &k, kvalue(1, 5, 0)), 0);
	connect_agg_free(&t);
	assert_int_equal(connect_agg_init(&t, 0, 0), -EINVAL);
}

/* Many keys through the open addressing: each found again, none mixed up. */
static void test_many_keys(void **state)
{
	struct connect_agg_table t;
	struct connect_key k, view;
	const struct connect_agg *a;

	(void)state;
	assert_int_equal(connect_agg_init(&t, CONNECT_KEY_DADDR | CONNECT_KEY_COMM, 1000), 0);
	for (int i = 0; i < 1000; i++) {
		k = kkey(0, i % 250, i < 500 ? "x" : "y", 0, 0, AF_INET);
		k.daddr[2] = i / 250;
		assert_int_equal(connect_agg_add(&t, &k, kvalue(i + 1, 5, 0)), 0);
	}
	assert_int_equal(t.n, 1000);
	for (int i = 0; i < 1000; i++) {
		k = kkey(0, i % 250, i < 500 ? "x" : "y", 0, 0, AF_INET);
		k.daddr[2] = i / 250;
		connect_key_project(&k, t.fields, &view);
		a = connect_agg_find(&t, &view);
		assert_non_null(a);
		assert_int_equal(a->latency.count, i + 1);
	}
	connect_agg_free(&t);
}

static void test_diff(void **state)
{
	struct connect_agg cur, prev, out;

	(void)state;
	memset(&cur, 0, sizeof(cur));
	cur.key.dport = 80;
	cur.latency = kvalue(10, 1000, 0)->hist;
	cur.failed[CONNECT_OC_REFUSED] = 4;
	cur.syn_retrans = 7;
	prev = cur;
	prev.latency = kvalue(6, 1000, 0)->hist;
	prev.failed[CONNECT_OC_REFUSED] = 1;
	prev.syn_retrans = 3;
	connect_agg_diff(&cur, &prev, &out);
	assert_int_equal(out.key.dport, 80);
	assert_int_equal(out.latency.count, 4);
	assert_int_equal(out.latency.fine[hist_fine_index(1000)], 4);
	assert_int_equal(out.failed[CONNECT_OC_REFUSED], 3);
	assert_int_equal(out.syn_retrans, 4);
	assert_int_equal(connect_agg_connects(&out), 7);
	connect_agg_diff(&cur, NULL, &out);
	assert_int_equal(out.latency.count, 10);
	assert_int_equal(out.failed[CONNECT_OC_REFUSED], 4);
	/* A counter that went back: the entry was re-created, cur is the
	 * interval. */
	prev.failed[CONNECT_OC_REFUSED] = 9;
	connect_agg_diff(&cur, &prev, &out);
	assert_int_equal(out.failed[CONNECT_OC_REFUSED], 4);
	assert_int_equal(out.syn_retrans, 7);
}

/* Keys with connects in the interval, worst p99 first, failures-only last. */
static void test_intervals(void **state)
{
	struct connect_agg_table cur, prev;
	struct connect_interval iv[8];
	struct connect_key k;
	size_t n;

	(void)state;
	assert_int_equal(connect_agg_init(&cur, CONNECT_KEY_DPORT, 8), 0);
	assert_int_equal(connect_agg_init(&prev, CONNECT_KEY_DPORT, 8), 0);
	k = kkey(1, 0, "", 0, 0, AF_INET);
	connect_agg_add(&prev, &k, kvalue(5, 40000, 0));
	connect_agg_add(&cur, &k, kvalue(5, 40000, 0));	/* idle this interval */
	k = kkey(2, 0, "", 0, 0, AF_INET);
	connect_agg_add(&cur, &k, kvalue(3, 10000, 0));	/* new: 10 ms */
	k = kkey(3, 0, "", 0, 0, AF_INET);
	connect_agg_add(&prev, &k, kvalue(1, 50000, 0));
	connect_agg_add(&cur, &k, kvalue(4, 50000, 0));	/* 3 more at 50 ms */
	k = kkey(4, 0, "", 0, ECONNREFUSED, AF_INET);
	connect_agg_add(&cur, &k, kvalue(2, 100, 0));		/* only failures */
	n = connect_agg_intervals(&cur, &prev, iv);
	assert_int_equal(n, 3);
	assert_int_equal(iv[0].diff.key.dport, 3);
	assert_int_equal(iv[0].diff.latency.count, 3);
	assert_true(iv[0].sum.p50_us >= 50000 && iv[0].sum.p50_us < 53200);
	assert_int_equal(iv[1].diff.key.dport, 2);
	assert_int_equal(iv[1].sum.count, 3);
	assert_int_equal(iv[2].diff.key.dport, 4);
	assert_int_equal(iv[2].diff.failed[CONNECT_OC_REFUSED], 2);
	assert_true(iv[2].sum.p99_us == 0);
	/* Without a previous snapshot everything is the interval. */
	n = connect_agg_intervals(&cur, NULL, iv);
	assert_int_equal(n, 4);
	assert_int_equal(iv[0].diff.key.dport, 3);
	assert_int_equal(iv[1].diff.key.dport, 1);
	connect_agg_swap(&cur, &prev);
	assert_int_equal(cur.n, 2);
	assert_int_equal(prev.n, 4);
	connect_agg_free(&cur);
	connect_agg_free(&prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome_classes),
		cmocka_unit_test(test_project),
		cmocka_unit_test(test_add_by_dport),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_intervals),
	};

	return cmocka_run_group_tests_name("connect_agg", tests, NULL, NULL);
}
