/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests share: output captured through open_memstream and
 * compared exactly, and an argv for the option parsers. Each test binary is
 * one file, so the static state here is its own.
 */
#ifndef TCPLAT_UNIT_H
#define TCPLAT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

struct capture {
	char *buf;
	size_t size;
	FILE *f;
};

static inline FILE *cap_open(struct capture *c)
{
	c->buf = NULL;
	c->size = 0;
	c->f = open_memstream(&c->buf, &c->size);
	assert_non_null(c->f);
	return c->f;
}

/* Closes, compares with want (every byte, so no NUL may hide), frees. */
static inline void cap_check(struct capture *c, const char *want)
{
	assert_int_equal(fclose(c->f), 0);
	assert_string_equal(c->buf, want);
	assert_int_equal(c->size, strlen(want));
	free(c->buf);
}

#define UNIT_MAX_ARGS 48

/* argp may permute argv and the options keep pointers into it: each test
 * owns a copy, freed by the teardown or the next args_build. */
static char *unit_args[UNIT_MAX_ARGS + 1];
static int unit_nargs;

static inline void args_free(void)
{
	while (unit_nargs)
		free(unit_args[--unit_nargs]);
	unit_args[0] = NULL;
}

static inline int teardown(void **state)
{
	(void)state;
	args_free();
	return 0;
}

/* argv = cmd, then the strings of ap up to a NULL; returns argc. */
static inline int args_build(const char *cmd, va_list ap)
{
	const char *a;

	args_free();
	unit_args[unit_nargs++] = strdup(cmd);
	while ((a = va_arg(ap, const char *))) {
		assert_true(unit_nargs < UNIT_MAX_ARGS);
		unit_args[unit_nargs] = strdup(a);
		assert_non_null(unit_args[unit_nargs]);
		unit_nargs++;
	}
	unit_args[unit_nargs] = NULL;
	return unit_nargs;
}

#endif /* TCPLAT_UNIT_H */
