/* SPDX-License-Identifier: GPL-2.0 */
/* How `tcplat accept` writes: tcpconnlat-like lines, listener rows,
 * interval histograms, NDJSON. Pure: data in, text out. */
#ifndef TCPLAT_ACCEPT_FORMAT_H
#define TCPLAT_ACCEPT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "accept.h"
#include "accept_opts.h"

struct accept_view {
	bool timestamp;		/* -t: TIME(s) first */
	bool retrans;		/* --retrans: SYNRTX before HS */
	bool failed;		/* --failed: OUTCOME last */
};

struct accept_summary {
	uint64_t seen;		/* connections traced to their end */
	uint64_t shown;		/* lines printed */
	uint64_t below_min;
	uint64_t failed_hidden;
	uint64_t ringbuf_drops;
	uint64_t pending_full;
	uint64_t listeners_full;
	uint64_t no_syn;	/* accepted, SYN not seen: HS unknown */
	uint64_t accept_unseen;	/* accepted by a path not hooked */
	uint64_t unmatched_req;
	uint64_t expired;	/* handshakes swept: the kernel gave up on them */
};

/* "accepted", "reset", "closed", "listener_closed" or "unknown". */
const char *accept_outcome_name(__u32 outcome);

void accept_print_header(FILE *out, const struct accept_view *view);
/* time_s: seconds since tracing started, for -t. */
void accept_print_text(FILE *out, const struct accept_view *view, const struct accept_event *e,
		       double time_s);
/* ts_ns: the event's wall-clock time, ns since the Unix epoch. */
void accept_print_json(FILE *out, const struct accept_event *e, uint64_t ts_ns);

/* "198.18.0.2:5000", "[fd00::2]:5000", "*:5000"; "port 5000" and
 * "addr 198.18.0.2" for the --by groups. Returns buf. */
const char *accept_listener_label(const struct accept_listener_id *id, enum accept_by by,
				  char *buf, size_t len);
/* The listener's fields and counters for JSON, each preceded by a comma. */
void accept_print_listener_json(FILE *out, const struct accept_listener *l, enum accept_by by);
/* One interval of one listener or group: a line of counters, then HS and
 * WAIT (count, percentiles, bcc's log2 table in usecs). */
void accept_print_hist_text(FILE *out, const char *when, const struct accept_listener *l,
			    enum accept_by by);
void accept_print_hist_json(FILE *out, uint64_t ts_ns, uint64_t interval_ns,
			    const struct accept_listener *l, enum accept_by by);

/* The summary: totals, then one line (text, on stderr) or object (JSON)
 * per listener, since tracing started. */
void accept_print_summary_text(FILE *out, const struct accept_summary *sum,
			       const struct accept_listener *listeners, size_t n);
void accept_print_summary_json(FILE *out, const struct accept_summary *sum, const char *backend,
			       const struct accept_listener *listeners, size_t n);

#endif /* TCPLAT_ACCEPT_FORMAT_H */
