/* SPDX-License-Identifier: GPL-2.0 */
/* How `tcplat rtt` writes: interval headers, keys, detail lines, NDJSON. */
#ifndef TCPLAT_RTT_FORMAT_H
#define TCPLAT_RTT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "rtt.h"
#include "hist_view.h"

struct rtt_totals {
	uint64_t samples;	/* of the connections that pass the filters */
	uint64_t filtered;	/* dropped by --filter-rtt/-srtt/-minrtt */
	uint64_t dropped_keys;
	uint64_t dropped_ringbuf;
	uint64_t owners_full;
	uint64_t no_sample;
	uint64_t preexisting;		/* matching connections found at start-up */
	uint64_t preexisting_srtt;	/* their samples that were tcp_probe's srtt */
	uint64_t shown;		/* --detail lines, or histograms printed */
};

/* "all", "raddr 10.0.0.2", "rport 443", "flow 10.0.0.1:4123 -> 10.0.0.2:443". */
const char *rtt_key_label(enum rtt_mode mode, const struct rtt_key *key, char *buf, size_t len);
/* "HH:MM:SS LABEL: count N  min X  p50 X  p90 X  p99 X  max X (msecs)" */
void rtt_print_interval_header(FILE *out, const char *when, const char *label,
			       const struct lat_summary *sum, bool unit_us);
/* The JSON fields naming a --by key, starting with a comma; nothing in
 * the plain histogram mode. */
void rtt_print_key_json(FILE *out, enum rtt_mode mode, const struct rtt_key *key);

void rtt_print_detail_header(FILE *out, bool unit_us);
void rtt_print_detail_text(FILE *out, const char *when, const struct rtt_event *e, bool unit_us);
void rtt_print_detail_json(FILE *out, const struct rtt_event *e, uint64_t ts_ns);

void rtt_print_summary_text(FILE *out, const struct rtt_totals *t);
/* Why an interval had no sample although MATCHED connections pass the
 * filters (BUSY of them with data in flight): one line for stderr. */
void rtt_print_no_sample_notice(FILE *out, uint32_t matched, uint32_t busy);
void rtt_print_summary_json(FILE *out, const struct rtt_totals *t, const char *backend);

#endif /* TCPLAT_RTT_FORMAT_H */
