// SPDX-License-Identifier: GPL-2.0
/* json.c: json_write_string escaping and UTF-8 validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "json.h"

/* json_write_string(s, len) into memory; the caller frees the result. */
static char *json_of(const char *s, size_t len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	json_write_string(f, s, len);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The whole of s (without its NUL) must come out as want. */
static void check_n(const char *s, size_t len, const char *want)
{
	char *got = json_of(s, len);

	assert_string_equal(got, want);
	free(got);
}

static void check(const char *s, const char *want)
{
	check_n(s, strlen(s), want);
}

static void test_plain(void **state)
{
	(void)state;
	check("", "\"\"");
	check("curl", "\"curl\"");
	check("a b/c~", "\"a b/c~\"");
	check("'", "\"'\"");
}

static void test_quote_backslash(void **state)
{
	(void)state;
	check("\"", "\"\\\"\"");
	check("\\", "\"\\\\\"");
	check("a\"b\\c", "\"a\\\"b\\\\c\"");
}

static void test_short_escapes(void **state)
{
	(void)state;
	check("\n", "\"\\n\"");
	check("\t", "\"\\t\"");
	check("\r", "\"\\r\"");
	check("\b", "\"\\b\"");
	check("\f", "\"\\f\"");
	check("a\r\nb", "\"a\\r\\nb\"");
}

static void test_control_chars(void **state)
{
	(void)state;
	check("\x01", "\"\\u0001\"");
	check("\x07", "\"\\u0007\"");
	check("\x0b", "\"\\u000b\"");
	check("\x1b[0m", "\"\\u001b[0m\"");
	check("\x1f", "\"\\u001f\"");
	check("\x7f", "\"\\u007f\"");
	check("x\x7fy", "\"x\\u007fy\"");
}

static void test_utf8_valid(void **state)
{
	(void)state;
	/* U+0080 and U+07FF: smallest and largest 2-byte forms. */
	check("\xc2\x80", "\"\xc2\x80\"");
	check("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	check("\xdf\xbf", "\"\xdf\xbf\"");
	/* U+0800, U+20AC, U+D7FF, U+E000, U+FFFF */
	check("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");
	check("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	check("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");
	check("\xee\x80\x80", "\"\xee\x80\x80\"");
	check("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");
	/* U+10000, U+1F600, U+10FFFF */
	check("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");
	check("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	check("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
	check("a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d",
	      "\"a\xc3\xa9" "b\xe2\x82\xac" "c\xf0\x9f\x98\x80" "d\"");
}

static void test_utf8_invalid_bytes(void **state)
{
	(void)state;
	/* A lone continuation byte, and bytes never valid in UTF-8. */
	check("\x80", "\"\\ufffd\"");
	check("\xbf", "\"\\ufffd\"");
	check("a\x80z", "\"a\\ufffdz\"");
	check("\xfe", "\"\\ufffd\"");
	check("\xff", "\"\\ufffd\"");
	check("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* A lead byte followed by something that is not a continuation. */
	check("\xc3(", "\"\\ufffd(\"");
	check("\xe2\x82(", "\"\\ufffd\\ufffd(\"");
}

static void test_utf8_overlong(void **state)
{
	(void)state;
	/* '/' as 2, 3 and 4 bytes; U+07FF and U+FFFF one byte too long. */
	check("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	check("\xc1\xbf", "\"\\ufffd\\ufffd\"");
	check("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xe0\x9f\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	check("\xf0\x8f\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_utf8_surrogates_and_beyond(void **state)
{
	(void)state;
	/* U+D800, U+DBFF, U+DC00, U+DFFF */
	check("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xed\xaf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xed\xb0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
	/* U+110000 */
	check("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_utf8_truncated(void **state)
{
	(void)state;
	/* Truncated by the end of the string... */
	check("\xc3", "\"\\ufffd\"");
	check("\xe2\x82", "\"\\ufffd\\ufffd\"");
	check("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
	check("ok\xf0\x9f", "\"ok\\ufffd\\ufffd\"");
	/* ...by len, with the rest of the sequence beyond it... */
	check_n("\xc3\xa9", 1, "\"\\ufffd\"");
	check_n("\xe2\x82\xac", 2, "\"\\ufffd\\ufffd\"");
	check_n("a\xf0\x9f\x98\x80", 4, "\"a\\ufffd\\ufffd\\ufffd\"");
	/* ...and by a NUL within len. */
	check_n("\xe2\x82\0\xac", 4, "\"\\ufffd\\ufffd\"");
}

static void test_stops_at_nul(void **state)
{
	(void)state;
	check_n("ab\0cd", 5, "\"ab\"");
	check_n("\0abc", 4, "\"\"");
	/* A comm as the kernel fills it: NUL-padded to 16. */
	check_n("ssh\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, "\"ssh\"");
}

static void test_stops_at_len(void **state)
{
	char *comm;

	(void)state;
	check_n("abcdef", 3, "\"abc\"");
	check_n("abc", 0, "\"\"");
	/* A 16-byte comm without NUL, alone on the heap so that a read past
	 * its end shows under valgrind. */
	comm = malloc(16);
	assert_non_null(comm);
	memcpy(comm, "0123456789abcdef", 16);
	check_n(comm, 16, "\"0123456789abcdef\"");
	/* A valid sequence cut by the end of the buffer. */
	memcpy(comm, "0123456789abcd\xc3\xa9", 16);
	check_n(comm, 16, "\"0123456789abcd\xc3\xa9\"");
	check_n(comm, 15, "\"0123456789abcd\\ufffd\"");
	memcpy(comm, "0123456789abc\xe2\x82\xac", 16);
	check_n(comm, 16, "\"0123456789abc\xe2\x82\xac\"");
	memcpy(comm, "0123456789abcde\xf0", 16);
	check_n(comm, 16, "\"0123456789abcde\\ufffd\"");
	free(comm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quote_backslash),
		cmocka_unit_test(test_short_escapes),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid_bytes),
		cmocka_unit_test(test_utf8_overlong),
		cmocka_unit_test(test_utf8_surrogates_and_beyond),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_stops_at_nul),
		cmocka_unit_test(test_stops_at_len),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
