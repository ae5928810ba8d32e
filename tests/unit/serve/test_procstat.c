// SPDX-License-Identifier: GPL-2.0
/* procstat.c: the /proc parsers, and the process families of this process. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "procstat.h"

static void test_starttime(void **state)
{
	uint64_t t = 0;

	(void)state;
	assert_int_equal(procstat_parse_starttime("1234 (tcplat) S 1 1234 1234 0 -1 4194560 "
						  "100 0 0 0 5 3 0 0 20 0 1 0 98765 1000 200 ",
						  &t),
			 0);
	assert_int_equal(t, 98765);
	/* A comm with spaces and parentheses: fields count from the last ')'. */
	assert_int_equal(procstat_parse_starttime("1 (a) b (c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 "
						  "20 0 1 0 42\n",
						  &t),
			 0);
	assert_int_equal(t, 42);
	assert_int_equal(procstat_parse_starttime("1 (x) S 1 2 3", &t), -EINVAL);
	assert_int_equal(procstat_parse_starttime("no paren", &t), -EINVAL);
}

static void test_statm(void **state)
{
	uint64_t size, res;

	(void)state;
	assert_int_equal(procstat_parse_statm("21537 1559 1262 210 0 1180 0\n", &size, &res), 0);
	assert_int_equal(size, 21537);
	assert_int_equal(res, 1559);
	assert_int_equal(procstat_parse_statm("x", &size, &res), -EINVAL);
}

static void test_self(void **state)
{
	struct procstat p;
	struct prom_writer w;

	(void)state;
	assert_int_equal(procstat_open(&p), 0);
	prom_init(&w, 0);
	prom_begin(&w, PROM_TEXT);
	assert_int_equal(procstat_write(&p, &w), 0);
	assert_int_equal(prom_end(&w), 0);
	assert_non_null(strstr(w.buf, "# TYPE process_cpu_seconds_total counter\n"
				      "process_cpu_seconds_total "));
	assert_non_null(strstr(w.buf, "\nprocess_resident_memory_bytes "));
	assert_non_null(strstr(w.buf, "\nprocess_virtual_memory_bytes "));
	assert_non_null(strstr(w.buf, "\nprocess_open_fds "));
	assert_non_null(strstr(w.buf, "\nprocess_max_fds "));
	assert_non_null(strstr(w.buf, "\nprocess_start_time_seconds 1"));
	assert_null(strstr(w.buf, "process_resident_memory_bytes 0\n"));
	prom_free(&w);
	procstat_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttime),
		cmocka_unit_test(test_statm),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
