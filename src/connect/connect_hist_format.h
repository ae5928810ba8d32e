/* SPDX-License-Identifier: GPL-2.0 */
/* How `tcplat connect --hist` writes an interval: text or NDJSON. Pure. */
#ifndef TCPLAT_CONNECT_HIST_FORMAT_H
#define TCPLAT_CONNECT_HIST_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "connect_agg.h"

/*
 * "all" without fields; else the fields in the order dport, daddr, comm,
 * cgroup: "dport 443", "daddr 10.0.0.2 dport 443", "comm curl", "cgroup
 * /system.slice/x.service". cgroup is the key's cgroup path, NULL when it is
 * not known: then the id is shown. Returns buf.
 */
const char *connect_key_label(uint32_t fields, const struct connect_key *key, const char *cgroup,
			      char *buf, size_t len);

/* "HH:MM:SS LABEL: count ..." (established connects), the failures and
 * SYN retransmits below it, bcc's log2 table and an empty line. */
void connect_print_interval_text(FILE *out, const char *when, const char *label,
				 const struct connect_interval *iv, bool unit_us);
/* "HH:MM:SS: no connects" and an empty line. */
void connect_print_no_connects(FILE *out, const char *when);

/*
 * {"type":"connect_hist","ts_ns":…,"interval_ns":…, the key ("by":"dport",
 * "dport":443; "family","daddr"; "comm"; "cgroup_id","cgroup"), the latency
 * histogram of the established connects (lat_hist_print_json), "refused",
 * "timeout","unreachable","aborted","other","failed","syn_retrans"}
 */
void connect_print_interval_json(FILE *out, uint64_t ts_ns, uint64_t interval_ns, uint32_t fields,
				 const char *cgroup, const struct connect_interval *iv,
				 bool unit_us);

#endif /* TCPLAT_CONNECT_HIST_FORMAT_H */
