// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "connect_format.h"
#include "connect_metrics.h"

/* The opt-in labels, in the order they follow family and outcome. */
static const struct label_choice opt_labels[] = {
	{ "daddr", CONNECT_KEY_DADDR },
	{ "dport", CONNECT_KEY_DPORT },
	{ "comm", CONNECT_KEY_COMM },
	{ "cgroup", CONNECT_KEY_CGROUP },
};

#define NOPT (int)(sizeof(opt_labels) / sizeof(opt_labels[0]))

const char *metrics_family_label(uint16_t family)
{
	return family == AF_INET ? "ipv4" : family == AF_INET6 ? "ipv6" : "unknown";
}

int connect_labels_parse(const char *s, unsigned int *fields)
{
	return label_choices_parse(s, opt_labels, NOPT, fields);
}

int connect_metrics_init(struct connect_metrics *m, unsigned int fields, uint32_t max_series)
{
	static const char *const fixed[] = { "family", "outcome" };

	memset(m, 0, sizeof(*m));
	m->fields = fields;
	return hist_family_init_choices(&m->duration, "tcplat_connect_duration_seconds",
					"Time from connect() to its outcome (the SYN-ACK, or the "
					"failure), by family and outcome",
					fixed, 2, opt_labels, NOPT, fields, max_series);
}

const char *metrics_cgroup_label(cgroup_namer namer, void *ctx, uint64_t id, char *buf,
				 size_t len)
{
	if (namer)
		return namer(id, buf, len, ctx);
	snprintf(buf, len, "%llu", (unsigned long long)id);
	return buf;
}

void connect_metrics_free(struct connect_metrics *m)
{
	hist_family_free(&m->duration);
}

void connect_metrics_begin(struct connect_metrics *m)
{
	hist_family_begin(&m->duration);
	memset(m->syn_retrans, 0, sizeof(m->syn_retrans));
	memset(m->family_seen, 0, sizeof(m->family_seen));
}

/* A comm as a C string: the kernel's is NUL-padded, but need not end in one. */
static void comm_string(const char *comm, char *buf)
{
	memcpy(buf, comm, TASK_COMM_LEN);
	buf[TASK_COMM_LEN] = '\0';
}

int connect_metrics_add(struct connect_metrics *m, const struct connect_key *key,
			const struct connect_hist_value *value)
{
	char daddr[ADDR_STRLEN], dport[8], comm[TASK_COMM_LEN + 1], cgroup[512];
	const char *values[2 + NOPT];
	int n = 0, fam;

	values[n++] = metrics_family_label(key->family);
	values[n++] = connect_outcome_name(key->outcome);
	if (m->fields & CONNECT_KEY_DADDR)
		values[n++] = addr_format(key->family, key->daddr, daddr, sizeof(daddr));
	if (m->fields & CONNECT_KEY_DPORT) {
		snprintf(dport, sizeof(dport), "%u", key->dport);
		values[n++] = dport;
	}
	if (m->fields & CONNECT_KEY_COMM) {
		comm_string(key->comm, comm);
		values[n++] = comm;
	}
	if (m->fields & CONNECT_KEY_CGROUP)
		values[n++] = metrics_cgroup_label(m->cgroup_name, m->cgroup_ctx, key->cgroup_id,
						   cgroup, sizeof(cgroup));
	fam = key->family == AF_INET6;
	m->syn_retrans[fam] += value->syn_retrans;
	m->family_seen[fam] = true;
	if (key->cgroup_id == CONNECT_KEY_OVERFLOW_CGROUP)
		return hist_family_add_other(&m->duration, values, &value->hist);
	return hist_family_add(&m->duration, values, &value->hist);
}

void connect_metrics_write(struct connect_metrics *m, struct prom_writer *w)
{
	struct prom_label label = { "family", NULL };
	int fam;

	hist_family_write(&m->duration, w);
	prom_family(w, "tcplat_connect_syn_retransmits", PROM_COUNTER, NULL,
		    "SYNs retransmitted by connects (not counting the first SYN), by family");
	for (fam = 0; fam < 2; fam++) {
		if (!m->family_seen[fam])
			continue;
		label.value = metrics_family_label(fam ? AF_INET6 : AF_INET);
		prom_sample_u64(w, &label, 1, m->syn_retrans[fam]);
	}
}
