/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtt collector's family, from the kernel's per-key RTT histograms:
 *
 *   tcplat_rtt_seconds{family[,raddr][,rport][,cgroup]}
 *
 * Pure, like connect_metrics. The glue turns each kernel key (rtt.h) into a
 * struct rtt_series_key with the fields the labels show; the others zero.
 */
#ifndef TCPLAT_RTT_METRICS_H
#define TCPLAT_RTT_METRICS_H

#include <stdint.h>
#include "connect_metrics.h"
#include "hist_family.h"

enum rtt_label {
	RTT_LABEL_RADDR		= 1 << 0,
	RTT_LABEL_RPORT		= 1 << 1,
	RTT_LABEL_CGROUP	= 1 << 2,
};

struct rtt_series_key {
	uint8_t raddr[16];
	uint64_t cgroup_id;
	uint16_t family;
	uint16_t rport;
};

struct rtt_metrics {
	unsigned int labels;		/* RTT_LABEL_* */
	struct hist_family rtt;
	cgroup_namer cgroup_name;	/* NULL: the id */
	void *cgroup_ctx;
};

/* "raddr,rport,cgroup" (any subset) into RTT_LABEL_* bits; -EINVAL. */
int rtt_labels_parse(const char *s, unsigned int *labels);

int rtt_metrics_init(struct rtt_metrics *m, unsigned int labels, uint32_t max_series);
void rtt_metrics_free(struct rtt_metrics *m);
void rtt_metrics_begin(struct rtt_metrics *m);
int rtt_metrics_add(struct rtt_metrics *m, const struct rtt_series_key *key,
		    const struct lat_hist *h);
void rtt_metrics_write(struct rtt_metrics *m, struct prom_writer *w);

#endif /* TCPLAT_RTT_METRICS_H */
