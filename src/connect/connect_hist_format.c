// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include "addr.h"
#include "connect_hist_format.h"
#include "hist_text.h"
#include "json.h"

/* The --by fields in the order they are shown. */
static const struct {
	uint32_t field;
	const char *name;
} fields_shown[] = {
	{ CONNECT_KEY_DPORT, "dport" },
	{ CONNECT_KEY_DADDR, "daddr" },
	{ CONNECT_KEY_COMM, "comm" },
	{ CONNECT_KEY_CGROUP, "cgroup" },
};

#define NFIELDS (sizeof(fields_shown) / sizeof(fields_shown[0]))

const char *connect_key_label(uint32_t fields, const struct connect_key *key, const char *cgroup,
			      char *buf, size_t len)
{
	char a[ADDR_STRLEN];
	size_t n = 0;

	buf[0] = '\0';
	if (!fields) {
		snprintf(buf, len, "all");
		return buf;
	}
	for (size_t i = 0; i < NFIELDS && n < len; i++) {
		const char *sep = n ? " " : "";

		switch (fields & fields_shown[i].field) {
		case CONNECT_KEY_DPORT:
			n += snprintf(buf + n, len - n, "%sdport %u", sep, key->dport);
			break;
		case CONNECT_KEY_DADDR:
			n += snprintf(buf + n, len - n, "%sdaddr %s", sep,
				      addr_format(key->family, key->daddr, a, sizeof(a)));
			break;
		case CONNECT_KEY_COMM:
			n += snprintf(buf + n, len - n, "%scomm %.*s", sep, (int)sizeof(key->comm),
				      key->comm);
			break;
		case CONNECT_KEY_CGROUP:
			if (cgroup)
				n += snprintf(buf + n, len - n, "%scgroup %s", sep, cgroup);
			else
				n += snprintf(buf + n, len - n, "%scgroup %llu", sep,
					      (unsigned long long)key->cgroup_id);
			break;
		}
	}
	return buf;
}

static __u64 failed_total(const struct connect_agg *a)
{
	__u64 n = 0;

	for (int i = 0; i < CONNECT_OC_MAX; i++)
		n += a->failed[i];
	return n;
}

void connect_print_interval_text(FILE *out, const char *when, const char *label,
				 const struct connect_interval *iv, bool unit_us)
{
	const struct connect_agg *d = &iv->diff;

	hist_print_interval_header(out, when, label, &iv->sum, unit_us);
	fprintf(out, "%*s failed %llu:", (int)strlen(when), "",
		(unsigned long long)failed_total(d));
	for (int i = 0; i < CONNECT_OC_MAX; i++)
		fprintf(out, "%s%s %llu", i ? "  " : " ", connect_outcome_class_name(i),
			(unsigned long long)d->failed[i]);
	fprintf(out, "; syn_retrans %llu\n", (unsigned long long)d->syn_retrans);
	lat_hist_print_log2(out, d->latency.log2, HIST_LOG2_SLOTS, unit_us ? "usecs" : "msecs");
	fputc('\n', out);
}

void connect_print_no_connects(FILE *out, const char *when)
{
	fprintf(out, "%s: no connects\n\n", when);
}

static void print_key_json(FILE *out, uint32_t fields, const struct connect_key *key,
			   const char *cgroup)
{
	char a[ADDR_STRLEN];
	bool first = true;
	size_t i;

	if (!fields)
		return;
	fputs(",\"by\":\"", out);
	for (i = 0; i < NFIELDS; i++) {
		if (!(fields & fields_shown[i].field))
			continue;
		fprintf(out, "%s%s", first ? "" : ",", fields_shown[i].name);
		first = false;
	}
	fputc('"', out);
	if (fields & CONNECT_KEY_DPORT)
		fprintf(out, ",\"dport\":%u", key->dport);
	if (fields & CONNECT_KEY_DADDR)
		fprintf(out, ",\"family\":%d,\"daddr\":\"%s\"", addr_family_version(key->family),
			addr_format(key->family, key->daddr, a, sizeof(a)));
	if (fields & CONNECT_KEY_COMM) {
		fputs(",\"comm\":", out);
		json_write_string(out, key->comm, sizeof(key->comm));
	}
	if (fields & CONNECT_KEY_CGROUP) {
		fprintf(out, ",\"cgroup_id\":%llu,\"cgroup\":", (unsigned long long)key->cgroup_id);
		if (cgroup)
			json_write_string(out, cgroup, strlen(cgroup));
		else
			fputs("null", out);
	}
}

void connect_print_interval_json(FILE *out, uint64_t ts_ns, uint64_t interval_ns, uint32_t fields,
				 const char *cgroup, const struct connect_interval *iv,
				 bool unit_us)
{
	const struct connect_agg *d = &iv->diff;

	fprintf(out, "{\"type\":\"connect_hist\",\"ts_ns\":%" PRIu64 ",\"interval_ns\":%" PRIu64,
		ts_ns, interval_ns);
	print_key_json(out, fields, &d->key, cgroup);
	lat_hist_print_json(out, &d->latency, unit_us ? 1 : 1000);
	for (int i = 0; i < CONNECT_OC_MAX; i++)
		fprintf(out, ",\"%s\":%llu", connect_outcome_class_name(i),
			(unsigned long long)d->failed[i]);
	fprintf(out, ",\"failed\":%llu,\"syn_retrans\":%llu}\n",
		(unsigned long long)failed_total(d), (unsigned long long)d->syn_retrans);
}
