/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus exposition writer: text format 0.0.4 or OpenMetrics 1.0.0
 * into one growing buffer that is reused from scrape to scrape. Pure: no
 * sockets, no BPF; the exporter's collectors call it and the HTTP glue sends
 * the buffer.
 *
 * A scrape is prom_begin(), then per metric family prom_family() followed by
 * its samples (families are never interleaved), then prom_end(). Names are
 * given once, as OpenMetrics names families: a counter "x" is written as the
 * samples "x_total" (and is the family "x_total" in 0.0.4), an info "x" as
 * "x_info" (a gauge in 0.0.4).
 */
#ifndef TCPLAT_PROM_H
#define TCPLAT_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prom_format {
	PROM_TEXT,		/* text/plain; version=0.0.4 */
	PROM_OPENMETRICS,	/* application/openmetrics-text; version=1.0.0 */
};

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
	PROM_INFO,
};

#define PROM_CONTENT_TYPE_TEXT	"text/plain; version=0.0.4; charset=utf-8"
#define PROM_CONTENT_TYPE_OM	"application/openmetrics-text; version=1.0.0; charset=utf-8"

/* A label: a name of [a-zA-Z_][a-zA-Z0-9_]* (ours, never a user's), and a
 * value of any bytes: escaped, and made valid UTF-8 (U+FFFD), when written. */
struct prom_label {
	const char *name;
	const char *value;
};

struct prom_writer {
	char *buf;
	size_t len;
	size_t cap;
	size_t max_len;		/* the buffer never grows past this (0: 64 MiB) */
	int err;		/* -ENOMEM or -E2BIG once a write did not fit */
	enum prom_format format;
	/* The family being written. */
	char family[128];
	enum prom_type type;
};

/* A writer with an empty buffer; nothing is allocated until the first write. */
void prom_init(struct prom_writer *w, size_t max_len);
void prom_free(struct prom_writer *w);
/* Starts a scrape: the buffer is emptied (not freed) and err cleared. */
void prom_begin(struct prom_writer *w, enum prom_format format);
/* Ends it: OpenMetrics' "# EOF". Returns 0, or the first error of the
 * scrape (the buffer is then incomplete and must not be sent). */
int prom_end(struct prom_writer *w);
/* The Content-Type of the format. */
const char *prom_content_type(enum prom_format format);
/*
 * Which format an Accept header asks for: OpenMetrics if it names
 * application/openmetrics-text with a q above 0 that is not below text's,
 * else the text format (also for NULL, absent or unparsable headers).
 */
enum prom_format prom_negotiate(const char *accept);
/*
 * The highest q (0 to 1; 1 when not given) of the elements of an HTTP list
 * header (Accept, Accept-Encoding) that are one of tokens (NULL-ended,
 * compared without case); -1 if none is, or header is NULL.
 */
double prom_header_q(const char *header, const char *const *tokens);

/*
 * Opens a family: "# HELP", "# TYPE" and, in OpenMetrics, "# UNIT" when unit
 * is not NULL (the name must then end in "_" unit, as the spec requires).
 * help is escaped as the format wants.
 */
void prom_family(struct prom_writer *w, const char *name, enum prom_type type, const char *unit,
		 const char *help);

/* One sample of the open counter, gauge or info family. */
void prom_sample_u64(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		     uint64_t value);
void prom_sample_double(struct prom_writer *w, const struct prom_label *labels, int nlabels,
			double value);
/* A value in seconds given in microseconds: printed exactly, from integers. */
void prom_sample_us(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    uint64_t us);

/* value / 10^digits (digits <= 18), printed exactly: nanoseconds as seconds
 * are digits 9. */
void prom_sample_fixed(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		       uint64_t value, int digits);

/*
 * One series of the open histogram family: a bucket per bound (bounds_us
 * increasing, in microseconds, printed as seconds from integers) with the
 * cumulative count of that bound, then "+Inf" and _count (both count), and
 * _sum (sum_us as seconds). The caller's labels come first, "le" last.
 */
void prom_histogram(struct prom_writer *w, const struct prom_label *labels, int nlabels,
		    const uint64_t *bounds_us, const uint64_t *cumulative, int nbounds,
		    uint64_t count, uint64_t sum_us);

/* value / 10^digits exactly, without trailing zeros: "0.000016", "67.108864",
 * "1.5", "0". Returns the length written (buf needs 48 bytes at most). */
int prom_format_fixed(char *buf, size_t len, uint64_t value, int digits);
/* Seconds from microseconds: prom_format_fixed(..., 6). */
int prom_format_us(char *buf, size_t len, uint64_t us);

#endif /* TCPLAT_PROM_H */
