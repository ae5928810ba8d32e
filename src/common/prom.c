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

/* The decimal digits of v at the end of buf[24]; returns where they start.
 * A scrape prints tens of thousands of numbers: no printf for them. */
static char *u64_digits(char buf[24], uint64_t v)
{
	char *p = buf + 24;

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	return p;
}

static void put_u64(struct prom_writer *w, uint64_t v)
{
	char buf[24], *p = u64_digits(buf, v);

	put(w, p, buf + 24 - p);
}

/* Copies len bytes the buffer already holds at off to its end. */
static void put_again(struct prom_writer *w, size_t off, size_t len)
{
	if (!reserve(w, len))
		return;
	memcpy(w->buf + w->len, w->buf + off, len);
	w->len += len;
	w->buf[w->len] = '\0';
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

double prom_header_q(const char *header, const char *const *tokens)
{
	const char *p = header, *end, *semi;
	double best = -1, q;
	size_t n;
	int i;

	if (!header)
		return -1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = p + strcspn(p, ",");
		semi = memchr(p, ';', end - p);
		n = (semi ? semi : end) - p;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		for (i = 0; tokens[i]; i++) {
			if (strlen(tokens[i]) != n || strncasecmp(p, tokens[i], n))
				continue;
			q = semi ? media_q(semi, end - semi) : 1;
			if (q > best)
				best = q;
		}
		p = end;
	}
	return best;
}

enum prom_format prom_negotiate(const char *accept)
{
	static const char *const om[] = { "application/openmetrics-text", NULL };
	static const char *const text[] = { "text/plain", "text/*", "*/*", NULL };
	double om_q = prom_header_q(accept, om);

	return om_q > 0 && om_q >= prom_header_q(accept, text) ? PROM_OPENMETRICS : PROM_TEXT;
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

	/* Most values are plain ASCII: one copy. */
	for (n = 0; n < len; n++)
		if (s[n] == '\\' || s[n] == '\n' || s[n] == '"' || s[n] >= 0x80)
			break;
	if (n == len) {
		put(w, str, len);
		return;
	}
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

/* a="1",b="2" */
static void put_labels(struct prom_writer *w, const struct prom_label *labels, int nlabels)
{
	int i;

	for (i = 0; i < nlabels; i++) {
		if (i)
			putc_(w, ',');
		puts_(w, labels[i].name);
		put(w, "=\"", 2);
		put_escaped(w, labels[i].value, true);
		putc_(w, '"');
	}
}

/* "name_suffix{a="1",b="2"} " (the braces only if there are labels). */
static void put_series(struct prom_writer *w, const char *suffix, const struct prom_label *labels,
		       int nlabels, const char *le)
{
	puts_(w, w->family);
	puts_(w, type_suffix(w->type));
	puts_(w, suffix);
	if (nlabels > 0 || le) {
		putc_(w, '{');
		put_labels(w, labels, nlabels);
		if (le) {
			if (nlabels)
				putc_(w, ',');
			put(w, "le=\"", 4);
			puts_(w, le);
			putc_(w, '"');
		}
		putc_(w, '}');
	}
	putc_(w, ' ');
}

void prom_sample_u64(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		     uint64_t value)
{
	put_series(w, "", labels, nlabels, NULL);
	put_u64(w, value);
	putc_(w, '\n');
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
	uint64_t scale = 1, whole, frac;
	char wbuf[24], fbuf[24], *wp, *fp;
	size_t wn, fn, n;
	int i;

	if (digits < 0 || digits > 18 || len < 48)
		return -EINVAL;
	for (i = 0; i < digits; i++)
		scale *= 10;
	whole = value / scale;
	frac = value % scale;
	wp = u64_digits(wbuf, whole);
	wn = wbuf + 24 - wp;
	memcpy(buf, wp, wn);
	n = wn;
	if (frac) {
		fp = u64_digits(fbuf, frac);
		fn = fbuf + 24 - fp;
		buf[n++] = '.';
		/* Leading zeros of the fraction, then its digits without the
		 * trailing zeros, which say nothing: "1.5", not "1.500000". */
		for (i = fn; i < digits; i++)
			buf[n++] = '0';
		while (fp[fn - 1] == '0')
			fn--;
		memcpy(buf + n, fp, fn);
		n += fn;
	}
	buf[n] = '\0';
	return n;
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
	const char *suffix = type_suffix(w->type);
	size_t lab_off = 0, lab_len = 0;
	char le[48];
	int i;

	/*
	 * The labels are escaped once per series, on its first line, and
	 * copied from there onto the others: a histogram of 23 bounds has 26
	 * lines with the same labels.
	 */
	for (i = 0; i <= nbounds; i++) {
		puts_(w, w->family);
		puts_(w, suffix);
		put(w, "_bucket{", 8);
		if (i == 0) {
			lab_off = w->len;
			put_labels(w, labels, nlabels);
			lab_len = w->len - lab_off;
		} else {
			put_again(w, lab_off, lab_len);
		}
		if (nlabels)
			putc_(w, ',');
		put(w, "le=\"", 4);
		if (i < nbounds) {
			prom_format_us(le, sizeof(le), bounds_us[i]);
			puts_(w, le);
		} else {
			put(w, "+Inf", 4);
		}
		put(w, "\"} ", 3);
		put_u64(w, i < nbounds ? cumulative[i] : count);
		putc_(w, '\n');
	}
	for (i = 0; i < 2; i++) {
		puts_(w, w->family);
		puts_(w, suffix);
		puts_(w, i ? "_sum" : "_count");
		if (nlabels) {
			putc_(w, '{');
			put_again(w, lab_off, lab_len);
			putc_(w, '}');
		}
		putc_(w, ' ');
		if (i) {
			prom_format_us(le, sizeof(le), sum_us);
			puts_(w, le);
		} else {
			put_u64(w, count);
		}
		putc_(w, '\n');
	}
}
