// SPDX-License-Identifier: GPL-2.0
/* series.c: admission of label sets, bounded and stable. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "series.h"

static void test_admit_in_order(void **state)
{
	struct series_set s;

	(void)state;
	assert_int_equal(series_init(&s, 2), 0);
	assert_int_equal(series_admit(&s, "a", 1), 0);
	assert_int_equal(series_admit(&s, "b", 1), 1);
	assert_int_equal(series_admit(&s, "a", 1), 0);
	assert_int_equal(series_admit(&s, "c", 1), -ENOSPC);
	assert_int_equal(series_admit(&s, "b", 1), 1);
	assert_int_equal(series_find(&s, "b", 1), 1);
	assert_int_equal(series_find(&s, "c", 1), -ENOENT);
	/* Keys are bytes: "a\0b" and "a" differ, NULs included. */
	assert_int_equal(series_find(&s, "a\0b", 3), -ENOENT);
	series_free(&s);
	assert_int_equal(series_init(&s, 0), -EINVAL);
}

static void test_many(void **state)
{
	struct series_set s;
	char key[32];
	int i;

	(void)state;
	assert_int_equal(series_init(&s, 5000), 0);
	for (i = 0; i < 6000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(series_admit(&s, key, strlen(key)), i < 5000 ? i : -ENOSPC);
	}
	for (i = 0; i < 6000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(series_find(&s, key, strlen(key)), i < 5000 ? i : -ENOENT);
	}
	assert_int_equal(s.count, 5000);
	series_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admit_in_order),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
