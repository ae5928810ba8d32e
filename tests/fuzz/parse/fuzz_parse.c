// SPDX-License-Identifier: GPL-2.0
/*
 * Option value parsers (src/common/parse.c): integers, milliseconds,
 * seconds, port lists. The first byte picks the parser and its bounds, the
 * rest is the option's text. Beyond memory safety: what is accepted is in
 * range and is what the text says.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include "fuzz.h"
#include "parse.h"

static const struct {
	uint64_t min, max;
} uint_bounds[] = {
	{ 0, UINT64_MAX }, { 1, 65535 }, { 1, INT32_MAX }, { 1, 1 << 24 }, { 1, UINT32_MAX },
};

#define NBOUNDS (sizeof(uint_bounds) / sizeof(uint_bounds[0]))

static void check_uint(const char *s, uint64_t min, uint64_t max)
{
	char back[32];
	uint64_t v = 0xdeadbeef;
	const char *digits = s;

	if (parse_uint(s, min, max, &v))
		return;
	FUZZ_ASSERT(v >= min && v <= max, "%" PRIu64 " outside [%" PRIu64 ", %" PRIu64 "]", v,
		    min, max);
	FUZZ_ASSERT(*s && strspn(s, "0123456789") == strlen(s), "accepted '%s'", s);
	/* The same number: the text without its leading zeros. */
	while (digits[0] == '0' && digits[1])
		digits++;
	snprintf(back, sizeof(back), "%" PRIu64, v);
	FUZZ_ASSERT(!strcmp(back, digits), "'%s' parsed as %s", s, back);
}

static void check_ms(const char *s, double max_ms)
{
	uint64_t ns;

	if (parse_ms(s, max_ms, &ns))
		return;
	FUZZ_ASSERT(strspn(s, "0123456789.eE+-") == strlen(s) && *s != '-' && *s != '+',
		    "accepted '%s'", s);
	FUZZ_ASSERT(ns <= (uint64_t)llround(max_ms * 1e6), "'%s': %" PRIu64 " ns over %g ms", s,
		    ns, max_ms);
	FUZZ_ASSERT(fabs(ns / 1e6 - strtod(s, NULL)) <= 1e-6 * (1 + strtod(s, NULL)),
		    "'%s' parsed as %" PRIu64 " ns", s, ns);
}

static void check_seconds(const char *s)
{
	double sec;

	if (parse_seconds(s, &sec))
		return;
	FUZZ_ASSERT(sec > 0 && sec <= 365.0 * 24 * 3600 && isfinite(sec), "'%s' gave %g s", s,
		    sec);
}

static void check_ports(const char *s, int max)
{
	uint16_t *ports = malloc(sizeof(*ports) * (max ? max : 1));
	int n, commas = 0;

	FUZZ_ASSERT(ports, "out of memory");
	n = parse_port_list(s, ports, max);
	if (n >= 0) {
		for (const char *p = s; *p; p++)
			commas += *p == ',';
		FUZZ_ASSERT(n >= 1 && n <= max, "'%s': %d ports, max %d", s, n, max);
		FUZZ_ASSERT(n == commas + 1, "'%s': %d ports from %d commas", s, n, commas);
		for (int i = 0; i < n; i++)
			FUZZ_ASSERT(ports[i] >= 1, "'%s': port %d is 0", s, i);
	} else {
		FUZZ_ASSERT(n == -EINVAL, "'%s': returned %d", s, n);
	}
	free(ports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	uint8_t sel;

	if (!size)
		return 0;
	sel = data[0];
	s = fuzz_strdup(data + 1, size - 1);
	switch (sel % 4) {
	case 0:
		check_uint(s, uint_bounds[sel / 4 % NBOUNDS].min, uint_bounds[sel / 4 % NBOUNDS].max);
		break;
	case 1:
		/* connect's MIN_MS and rtt's thresholds */
		check_ms(s, sel & 4 ? 86400e3 : 4000000.0);
		break;
	case 2:
		check_seconds(s);
		break;
	case 3:
		check_ports(s, sel / 4 % 9);
		break;
	}
	free(s);
	return 0;
}
