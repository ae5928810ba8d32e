// SPDX-License-Identifier: GPL-2.0
/* text.c: text_printable, what a comm looks like in a text table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "text.h"

static void check(const char *s, size_t len, const char *want)
{
	char buf[64];

	assert_ptr_equal(text_printable(s, len, buf), buf);
	assert_string_equal(buf, want);
}

static void test_plain(void **state)
{
	(void)state;
	check("curl", 16, "curl");
	check("", 16, "");
	check("a b/c~:", 16, "a b/c~:");
	/* UTF-8 passes as it is */
	check("caf\xc3\xa9", 16, "caf\xc3\xa9");
}

static void test_controls(void **state)
{
	(void)state;
	/* A newline would start a forged row; an escape drives the terminal. */
	check("evil\n1234 x", 16, "evil?1234 x");
	check("\x1b[2Jclear", 16, "?[2Jclear");
	check("\t\r\x7f\x01", 16, "????");
}

static void test_length(void **state)
{
	(void)state;
	/* No NUL within len: len bytes, then the terminator. */
	check("0123456789abcdefXYZ", 16, "0123456789abcdef");
	check("abc\0def", 16, "abc");
	check("abc", 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
