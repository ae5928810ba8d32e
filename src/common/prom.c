// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "json.h"
#include "prom.h"

#define PROM_DEFAULT_MAX_LEN	(64U << 20)
#define PROM_MIN_CAP		(16U << 10)

void prom_init(struct prom_writer *w, size_t max_len)
{
	memset(w, 0, sizeof(*w));
	w->max_len = max_len ? max_len : PROM_DEFAULT_MAX_LEN;
}

void prom_free(struct prom_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = 0;
	w->cap = 0;
}

void prom_begin(struct prom_writer *w, enum prom_format format)
{
	w->len = 0;
	w->err = 0;
	w->format = format;
	w->family[0] = '\0';
}

/* Room for n more bytes and a NUL; false (and err set) if there is none. */
static bool reserve(struct prom_writer *w, size_t n)
{
	size_t cap;
	char *buf;

	if (w->err)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	if (w->len + n + 1 > w->max_len) {
		w->err = -E2BIG;
		return false;
	}
	cap = w->cap ? w->cap : PROM_MIN_CAP;
	while (cap < w->len + n + 1)
		cap *= 2;
	if (cap > w->max_len)
		cap = w->max_len;
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->err = -ENOMEM;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

static void put(struct prom_writer *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct prom_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

static void putc_(struct prom_writer *w, char c)
{
	put(w, &c, 1);
}

__attribute__((format(printf, 2, 3))) static void printf_(struct prom_writer *w,
							  const char *fmt, ...)
{
	char small[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->err = w->err ? w->err : -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		put(w, small, n);
		return;
	}
	if (!reserve(w, n))
		return;
	va_start(ap, fmt);
	vsnprintf(w->buf + w->len, n + 1, fmt, ap);
	va_end(ap);
	w->len += n;
}

int prom_end(struct prom_writer *w)
{
	if (w->format == PROM_OPENMETRICS)
		puts_(w, "# EOF\n");
	return w->err;
}

const char *prom_content_type(enum prom_format format)
{
	return format == PROM_OPENMETRICS ? PROM_CONTENT_TYPE_OM : PROM_CONTENT_TYPE_TEXT;
}

/* The q of one media range's parameters ("; version=1.0.0; q=0.5"): 1 if absent. */
static double media_q(const char *params, size_t len)
{
	const char *p = params, *end = params + len;
	char num[16];
	double q;
	size_t n;

	while (p < end) {
		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			p += 2;
			for (n = 0; p + n < end && p[n] != ';' && n < sizeof(num) - 1; n++)
				num[n] = p[n];
			num[n] = '\0';
			q = strtod(num, NULL);
			return q >= 0 && q <= 1 ? q : 0;
		}
		while (p < end && *p != ';')
			p++;
	}
	return 1;
}

enum prom_format prom_negotiate(const char *accept)
{
	double om_q = 0, text_q = 0, q;
	const char *p = accept, *end, *semi;
	size_t tlen;

	if (!accept)
		return PROM_TEXT;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = p + strcspn(p, ",");
		semi = memchr(p, ';', end - p);
		tlen = (semi ? semi : end) - p;
		while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		q = semi ? media_q(semi, end - semi) : 1;
		if (tlen == 28 && !strncasecmp(p, "application/openmetrics-text", 28)) {
			if (q > om_q)
				om_q = q;
		} else if ((tlen == 10 && !strncasecmp(p, "text/plain", 10)) ||
			   (tlen == 6 && !strncasecmp(p, "text/*", 6)) ||
			   (tlen == 3 && !strncmp(p, "*/*", 3))) {
			if (q > text_q)
				text_q = q;
		}
		p = end;
	}
	return om_q > 0 && om_q >= text_q ? PROM_OPENMETRICS : PROM_TEXT;
}

/*
 * Escapes label values (both formats: backslash, quote, newline) and HELP
 * (0.0.4: backslash and newline; OpenMetrics: the quote too). Bytes that
 * are not UTF-8 become U+FFFD: both formats are UTF-8 and a comm is
 * whatever a process wrote.
 */
static void put_escaped(struct prom_writer *w, const char *str, bool quote)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str), i = 0, n;

	while (i < len) {
		switch (s[i]) {
		case '\\':
			puts_(w, "\\\\");
			break;
		case '\n':
			puts_(w, "\\n");
			break;
		case '"':
			if (quote)
				puts_(w, "\\\"");
			else
				putc_(w, '"');
			break;
		default:
			n = utf8_seq_len(s + i, len - i);
			if (!n) {
				puts_(w, "\xef\xbf\xbd");
				break;
			}
			put(w, (const char *)s + i, n);
			i += n;
			continue;
		}
		i++;
	}
}

/* The name samples of the open family carry before any suffix of their own. */
static const char *type_suffix(enum prom_type type)
{
	switch (type) {
	case PROM_COUNTER:
		return "_total";
	case PROM_INFO:
		return "_info";
	default:
		return "";
	}
}

static const char *type_name(enum prom_format format, enum prom_type type)
{
	switch (type) {
	case PROM_COUNTER:
		return "counter";
	case PROM_HISTOGRAM:
		return "histogram";
	case PROM_INFO:
		/* 0.0.4 has no info type: the convention is a gauge of 1. */
		return format == PROM_OPENMETRICS ? "info" : "gauge";
	default:
		return "gauge";
	}
}

void prom_family(struct prom_writer *w, const char *name, enum prom_type type, const char *unit,
		 const char *help)
{
	bool om = w->format == PROM_OPENMETRICS;
	/* 0.0.4 names the family as its samples are named; OpenMetrics
	 * without the type's suffix. */
	const char *suffix = om ? "" : type_suffix(type);

	snprintf(w->family, sizeof(w->family), "%s", name);
	w->type = type;
	printf_(w, "# HELP %s%s ", name, suffix);
	put_escaped(w, help, om);
	printf_(w, "\n# TYPE %s%s %s\n", name, suffix, type_name(w->format, type));
	if (om && unit)
		printf_(w, "# UNIT %s %s\n", name, unit);
}

/* "name_suffix{a="1",b="2"} " (the braces only if there are labels). */
static void put_series(struct prom_writer *w, const char *suffix, const struct prom_label *labels,
		       int nlabels, const char *le)
{
	int i;

	puts_(w, w->family);
	puts_(w, type_suffix(w->type));
	puts_(w, suffix);
	if (nlabels > 0 || le) {
		putc_(w, '{');
		for (i = 0; i < nlabels; i++) {
			printf_(w, "%s%s=\"", i ? "," : "", labels[i].name);
			put_escaped(w, labels[i].value, true);
			putc_(w, '"');
		}
		if (le)
			printf_(w, "%sle=\"%s\"", nlabels ? "," : "", le);
		putc_(w, '}');
	}
	putc_(w, ' ');
}

void prom_sample_u64(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		     uint64_t value)
{
	put_series(w, "", labels, nlabels, NULL);
	printf_(w, "%llu\n", (unsigned long long)value);
}

/* The shortest "%.*g" that reads back as v, so 0.1 is "0.1", not float noise. */
static void put_double(struct prom_writer *w, double v)
{
	char buf[32];
	int prec;

	if (isnan(v)) {
		puts_(w, "NaN");
		return;
	}
	if (isinf(v)) {
		puts_(w, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", v);
	puts_(w, buf);
}

void prom_sample_double(struct prom_writer *w, const struct prom_label *labels, int nlabels,
			double value)
{
	put_series(w, "", labels, nlabels, NULL);
	put_double(w, value);
	putc_(w, '\n');
}

int prom_format_fixed(char *buf, size_t len, uint64_t value, int digits)
{
	unsigned long long scale = 1, whole, frac;
	int n, end, i;

	for (i = 0; i < digits; i++)
		scale *= 10;
	whole = value / scale;
	frac = value % scale;
	if (!frac)
		return snprintf(buf, len, "%llu", whole);
	n = snprintf(buf, len, "%llu.%0*llu", whole, digits, frac);
	if (n < 0 || (size_t)n >= len)
		return n;
	/* Trailing zeros say nothing: "1.5", not "1.500000". */
	for (end = n; buf[end - 1] == '0'; end--)
		;
	buf[end] = '\0';
	return end;
}

int prom_format_us(char *buf, size_t len, uint64_t us)
{
	return prom_format_fixed(buf, len, us, 6);
}

void prom_sample_fixed(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		       uint64_t value, int digits)
{
	char num[48];

	put_series(w, "", labels, nlabels, NULL);
	prom_format_fixed(num, sizeof(num), value, digits);
	puts_(w, num);
	putc_(w, '\n');
}

void prom_sample_us(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    uint64_t us)
{
	prom_sample_fixed(w, labels, nlabels, us, 6);
}

void prom_histogram(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    const uint64_t *bounds_us, const uint64_t *cumulative, int nbounds,
		    uint64_t count, uint64_t sum_us)
{
	char le[48];
	int i;

	for (i = 0; i < nbounds; i++) {
		prom_format_us(le, sizeof(le), bounds_us[i]);
		put_series(w, "_bucket", labels, nlabels, le);
		printf_(w, "%llu\n", (unsigned long long)cumulative[i]);
	}
	put_series(w, "_bucket", labels, nlabels, "+Inf");
	printf_(w, "%llu\n", (unsigned long long)count);
	put_series(w, "_count", labels, nlabels, NULL);
	printf_(w, "%llu\n", (unsigned long long)count);
	put_series(w, "_sum", labels, nlabels, NULL);
	prom_format_us(le, sizeof(le), sum_us);
	puts_(w, le);
	putc_(w, '\n');
}
