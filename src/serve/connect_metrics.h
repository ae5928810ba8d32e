/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connect collector's families, from the kernel's aggregation table
 * (struct connect_key -> struct connect_hist_value, connect.h):
 *
 *   tcplat_connect_duration_seconds{family,outcome[,daddr][,dport][,comm][,cgroup]}
 *   tcplat_connect_syn_retransmits_total{family}
 *
 * Pure: the exporter's glue walks the map and hands each entry here; the
 * tests hand synthetic ones.
 */
#ifndef TCPLAT_CONNECT_METRICS_H
#define TCPLAT_CONNECT_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "connect.h"
#include "hist_family.h"

/* The label of a cgroup id: its path below the cgroup v2 root, or the id.
 * Returns buf. */
typedef const char *(*cgroup_namer)(uint64_t id, char *buf, size_t len, void *ctx);

struct connect_metrics {
	unsigned int fields;		/* CONNECT_KEY_* the labels show */
	struct hist_family duration;
	uint64_t syn_retrans[2];	/* IPv4, IPv6 */
	bool family_seen[2];
	cgroup_namer cgroup_name;	/* NULL: the id */
	void *cgroup_ctx;
};

/* "daddr,dport,comm,cgroup" (any subset, any order) into CONNECT_KEY_* bits;
 * -EINVAL for an unknown or repeated name. "" is no label. */
int connect_labels_parse(const char *s, unsigned int *fields);

int connect_metrics_init(struct connect_metrics *m, unsigned int fields, uint32_t max_series);
void connect_metrics_free(struct connect_metrics *m);
void connect_metrics_begin(struct connect_metrics *m);
/* One entry of the kernel's table; 0 or -ENOMEM. */
int connect_metrics_add(struct connect_metrics *m, const struct connect_key *key,
			const struct connect_hist_value *value);
void connect_metrics_write(struct connect_metrics *m, struct prom_writer *w);

/* "ipv4", "ipv6", or "unknown": the family label of every tcplat metric. */
const char *metrics_family_label(uint16_t family);
/* The cgroup label of every tcplat metric: namer's, or the id. Returns buf or
 * namer's string. */
const char *metrics_cgroup_label(cgroup_namer namer, void *ctx, uint64_t id, char *buf,
				 size_t len);

#endif /* TCPLAT_CONNECT_METRICS_H */
