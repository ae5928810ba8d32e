/* SPDX-License-Identifier: GPL-2.0 */
/* How `tcplat connect` writes events: tcpconnlat's columns, or NDJSON. */
#ifndef TCPLAT_CONNECT_FORMAT_H
#define TCPLAT_CONNECT_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "connect.h"

struct connect_view {
	bool timestamp;		/* -t: TIME(s) first */
	bool lport;		/* -L: LPORT after SADDR */
	bool failed;		/* --failed: OUTCOME last */
	bool retrans;		/* -r: RETR after LAT(ms) */
};

struct connect_summary {
	uint64_t seen;		/* connects traced to their end */
	uint64_t shown;		/* events printed */
	uint64_t below_min;
	uint64_t failed_hidden;
	uint64_t ringbuf_drops;
	uint64_t inflight_full;
	uint64_t keys_full;	/* --hist: key table full */
	bool hist;		/* --hist: shown counts histograms */
	uint64_t intervals;	/* --hist */
};

/* "established", "refused", "timeout", "unreachable", "aborted", or the
 * errno's name ("EADDRNOTAVAIL"). */
const char *connect_outcome_name(int32_t outcome);

void connect_print_header(FILE *out, const struct connect_view *view);
/* time_s: seconds since tracing started, for -t. */
void connect_print_text(FILE *out, const struct connect_view *view,
			const struct connect_event *e, double time_s);
/* ts_ns: the event's wall-clock time, ns since the Unix epoch. */
void connect_print_json(FILE *out, const struct connect_event *e, uint64_t ts_ns);

void connect_print_summary_text(FILE *out, const struct connect_summary *sum);
void connect_print_summary_json(FILE *out, const struct connect_summary *sum,
				const char *backend);

#endif /* TCPLAT_CONNECT_FORMAT_H */
