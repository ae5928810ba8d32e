// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "connect_format.h"
#include "json.h"
#include "text.h"

const char *connect_outcome_name(int32_t outcome)
{
	const char *name;

	switch (outcome) {
	case CONNECT_ESTABLISHED:
		return "established";
	case CONNECT_ABORTED:
		return "aborted";
	case ECONNREFUSED:
		return "refused";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "unreachable";
	}
	name = outcome > 0 ? strerrorname_np(outcome) : NULL;
	return name ? name : "unknown";
}

void connect_print_header(FILE *out, const struct connect_view *view)
{
	if (view->timestamp)
		fprintf(out, "%-9s ", "TIME(s)");
	fprintf(out, "%-6s %-12s %-2s %-16s ", "PID", "COMM", "IP", "SADDR");
	if (view->lport)
		fprintf(out, "%-6s ", "LPORT");
	fprintf(out, "%-16s %-5s ", "DADDR", "DPORT");
	if (!view->failed && !view->retrans)
		fprintf(out, "%s\n", "LAT(ms)");
	else if (!view->retrans)
		fprintf(out, "%-8s %s\n", "LAT(ms)", "OUTCOME");
	else if (!view->failed)
		fprintf(out, "%-8s %s\n", "LAT(ms)", "RETR");
	else
		fprintf(out, "%-8s %-4s %s\n", "LAT(ms)", "RETR", "OUTCOME");
}

void connect_print_text(FILE *out, const struct connect_view *view,
			const struct connect_event *e, double time_s)
{
	char saddr[ADDR_STRLEN], daddr[ADDR_STRLEN], comm[TASK_COMM_LEN + 1];
	double lat_ms = e->latency_ns / 1e6;

	addr_format(e->family, e->saddr, saddr, sizeof(saddr));
	addr_format(e->family, e->daddr, daddr, sizeof(daddr));
	if (view->timestamp)
		fprintf(out, "%-9.3f ", time_s);
	fprintf(out, "%-6u %-12.12s %-2d %-16s ", e->pid,
		text_printable(e->comm, sizeof(e->comm), comm), addr_family_version(e->family), saddr);
	if (view->lport)
		fprintf(out, "%-6u ", e->lport);
	fprintf(out, "%-16s %-5u ", daddr, e->dport);
	if (!view->failed && !view->retrans)
		fprintf(out, "%.2f\n", lat_ms);
	else if (!view->retrans)
		fprintf(out, "%-8.2f %s\n", lat_ms, connect_outcome_name(e->outcome));
	else if (!view->failed)
		fprintf(out, "%-8.2f %u\n", lat_ms, e->syn_retrans);
	else
		fprintf(out, "%-8.2f %-4u %s\n", lat_ms, e->syn_retrans,
			connect_outcome_name(e->outcome));
}

void connect_print_json(FILE *out, const struct connect_event *e, uint64_t ts_ns)
{
	char saddr[ADDR_STRLEN], daddr[ADDR_STRLEN];

	addr_format(e->family, e->saddr, saddr, sizeof(saddr));
	addr_format(e->family, e->daddr, daddr, sizeof(daddr));
	fprintf(out, "{\"type\":\"connect\",\"ts_ns\":%" PRIu64 ",\"pid\":%u,\"comm\":", ts_ns,
		e->pid);
	json_write_string(out, e->comm, sizeof(e->comm));
	fprintf(out,
		",\"family\":%d,\"v4mapped\":%s,\"saddr\":\"%s\",\"lport\":%u,\"daddr\":\"%s\","
		"\"dport\":%u,\"latency_us\":%" PRIu64 ",\"syn_retrans\":%u,\"outcome\":\"%s\"}\n",
		addr_family_version(e->family), e->v4mapped ? "true" : "false", saddr, e->lport,
		daddr, e->dport, (uint64_t)e->latency_ns / 1000, e->syn_retrans,
		connect_outcome_name(e->outcome));
}

void connect_print_summary_text(FILE *out, const struct connect_summary *sum)
{
	if (sum->hist) {
		fprintf(out,
			"tcplat: %" PRIu64 " connects seen, %" PRIu64 " counted, %" PRIu64
			" dropped (%" PRIu64 " key table full, %" PRIu64 " in-flight table full); "
			"%" PRIu64 " histograms shown in %" PRIu64 " intervals\n",
			sum->seen, sum->seen - sum->keys_full, sum->keys_full + sum->inflight_full,
			sum->keys_full, sum->inflight_full, sum->shown, sum->intervals);
		return;
	}
	fprintf(out,
		"tcplat: %" PRIu64 " connects seen, %" PRIu64 " shown, %" PRIu64
		" dropped (%" PRIu64 " ring buffer full, %" PRIu64 " in-flight table full); "
		"not shown: %" PRIu64 " below MIN_MS, %" PRIu64 " failed (--failed shows them)\n",
		sum->seen, sum->shown, sum->ringbuf_drops + sum->inflight_full,
		sum->ringbuf_drops, sum->inflight_full, sum->below_min, sum->failed_hidden);
}

void connect_print_summary_json(FILE *out, const struct connect_summary *sum,
				const char *backend)
{
	fprintf(out,
		"{\"type\":\"summary\",\"backend\":\"%s\",\"seen\":%" PRIu64 ",\"shown\":%" PRIu64
		",\"dropped\":%" PRIu64 ",\"dropped_ringbuf\":%" PRIu64
		",\"dropped_inflight\":%" PRIu64 ",\"dropped_keys\":%" PRIu64
		",\"below_min\":%" PRIu64 ",\"failed_hidden\":%" PRIu64,
		backend, sum->seen, sum->shown,
		sum->ringbuf_drops + sum->inflight_full + sum->keys_full, sum->ringbuf_drops,
		sum->inflight_full, sum->keys_full, sum->below_min, sum->failed_hidden);
	if (sum->hist)
		fprintf(out, ",\"intervals\":%" PRIu64, sum->intervals);
	fputs("}\n", out);
}
