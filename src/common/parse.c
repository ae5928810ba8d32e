// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long val;
	char *end;

	/* strtoull accepts leading blanks and a minus sign; we do not. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	val = strtoull(s, &end, 10);
	if (errno || *end || val < min || val > max)
		return -EINVAL;
	*out = val;
	return 0;
}

static int parse_nonneg(const char *s, double max, double *out)
{
	double val;
	char *end;

	/* Decimal only: strtod would also take hex ("0x10"), inf and nan. */
	if (!s || !*s || strspn(s, "0123456789.eE+-") != strlen(s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	val = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(val) || val < 0 || val > max)
		return -EINVAL;
	*out = val;
	return 0;
}

int parse_ms(const char *s, double max_ms, uint64_t *out_ns)
{
	double ms;

	if (parse_nonneg(s, max_ms, &ms))
		return -EINVAL;
	*out_ns = (uint64_t)llround(ms * 1e6);
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	double sec;

	/* A year is plenty, and keeps timerfd arithmetic far from overflow. */
	if (parse_nonneg(s, 365.0 * 24 * 3600, &sec) || sec == 0)
		return -EINVAL;
	*out = sec;
	return 0;
}

int parse_port(const char *s, uint16_t *port)
{
	uint64_t val;

	if (parse_uint(s, 1, 65535, &val))
		return -EINVAL;
	*port = val;
	return 0;
}

int parse_port_list(const char *s, uint16_t *ports, int max)
{
	char buf[256], *tok, *save = NULL;
	int n = 0;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint64_t port;

		if (n == max || parse_uint(tok, 1, 65535, &port))
			return -EINVAL;
		ports[n++] = port;
	}
	/* strtok_r skips empty fields; "80,,443" and "," are typos, not lists. */
	if (!n || strstr(s, ",,") || s[0] == ',' || s[strlen(s) - 1] == ',')
		return -EINVAL;
	return n;
}
