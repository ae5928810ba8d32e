// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "addr.h"
#include "rtt_metrics.h"
#include "rtt.h"

static const struct label_choice opt_labels[] = {
	{ "raddr", RTT_LABEL_RADDR },
	{ "rport", RTT_LABEL_RPORT },
	{ "cgroup", RTT_LABEL_CGROUP },
};

#define NOPT (int)(sizeof(opt_labels) / sizeof(opt_labels[0]))

int rtt_labels_parse(const char *s, unsigned int *labels)
{
	return label_choices_parse(s, opt_labels, NOPT, labels);
}

int rtt_metrics_init(struct rtt_metrics *m, unsigned int labels, uint32_t max_series)
{
	static const char *const fixed[] = { "family" };

	memset(m, 0, sizeof(*m));
	m->labels = labels;
	return hist_family_init_choices(&m->rtt, "tcplat_rtt_seconds",
					"RTT samples of established TCP connections (the kernel's "
					"measurements fed to its estimator), by family",
					fixed, 1, opt_labels, NOPT, labels, max_series);
}

void rtt_metrics_free(struct rtt_metrics *m)
{
	hist_family_free(&m->rtt);
}

void rtt_metrics_begin(struct rtt_metrics *m)
{
	hist_family_begin(&m->rtt);
}

int rtt_metrics_add(struct rtt_metrics *m, const struct rtt_series_key *key,
		    const struct lat_hist *h)
{
	char raddr[ADDR_STRLEN], rport[8], cgroup[512];
	const char *values[1 + NOPT];
	int n = 0;

	values[n++] = metrics_family_label(key->family);
	if (m->labels & RTT_LABEL_RADDR)
		values[n++] = addr_format(key->family, key->raddr, raddr, sizeof(raddr));
	if (m->labels & RTT_LABEL_RPORT) {
		snprintf(rport, sizeof(rport), "%u", key->rport);
		values[n++] = rport;
	}
	if (m->labels & RTT_LABEL_CGROUP)
		values[n++] = metrics_cgroup_label(m->cgroup_name, m->cgroup_ctx, key->cgroup_id,
						   cgroup, sizeof(cgroup));
	if (key->cgroup_id == RTT_KEY_OVERFLOW_CGROUP)
		return hist_family_add_other(&m->rtt, values, h);
	return hist_family_add(&m->rtt, values, h);
}

void rtt_metrics_write(struct rtt_metrics *m, struct prom_writer *w)
{
	hist_family_write(&m->rtt, w);
}
