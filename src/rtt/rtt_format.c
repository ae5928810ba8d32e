// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "hist_text.h"
#include "json.h"
#include "rtt_format.h"
#include "text.h"

/* "10.0.0.1:80" or "[fd00::1]:80" */
static const char *endpoint(uint16_t family, const uint8_t addr[16], uint16_t port, char *buf,
			    size_t len)
{
	char a[ADDR_STRLEN];

	addr_format(family, addr, a, sizeof(a));
	snprintf(buf, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

const char *rtt_key_label(enum rtt_mode mode, const struct rtt_key *key, char *buf, size_t len)
{
	char a[ADDR_STRLEN], l[ADDR_STRLEN + 8], r[ADDR_STRLEN + 8];

	switch (mode) {
	case RTT_MODE_BY_RADDR:
		snprintf(buf, len, "raddr %s", addr_format(key->family, key->raddr, a, sizeof(a)));
		break;
	case RTT_MODE_BY_RPORT:
		snprintf(buf, len, "rport %u", key->rport);
		break;
	case RTT_MODE_BY_FLOW:
		snprintf(buf, len, "flow %s -> %s",
			 endpoint(key->family, key->laddr, key->lport, l, sizeof(l)),
			 endpoint(key->family, key->raddr, key->rport, r, sizeof(r)));
		break;
	default:
		snprintf(buf, len, "all");
		break;
	}
	return buf;
}

void rtt_print_interval_header(FILE *out, const char *when, const char *label,
			       const struct lat_summary *sum, bool unit_us)
{
	hist_print_interval_header(out, when, label, sum, unit_us);
}

void rtt_print_key_json(FILE *out, enum rtt_mode mode, const struct rtt_key *key)
{
	char l[ADDR_STRLEN], r[ADDR_STRLEN];

	switch (mode) {
	case RTT_MODE_BY_RADDR:
		fprintf(out, ",\"by\":\"raddr\",\"family\":%d,\"raddr\":\"%s\"",
			addr_family_version(key->family),
			addr_format(key->family, key->raddr, r, sizeof(r)));
		break;
	case RTT_MODE_BY_RPORT:
		fprintf(out, ",\"by\":\"rport\",\"rport\":%u", key->rport);
		break;
	case RTT_MODE_BY_FLOW:
		fprintf(out,
			",\"by\":\"flow\",\"family\":%d,\"laddr\":\"%s\",\"lport\":%u,"
			"\"raddr\":\"%s\",\"rport\":%u,\"v4mapped\":%s",
			addr_family_version(key->family),
			addr_format(key->family, key->laddr, l, sizeof(l)), key->lport,
			addr_format(key->family, key->raddr, r, sizeof(r)), key->rport,
			key->v4mapped ? "true" : "false");
		break;
	default:
		break;
	}
}

void rtt_print_detail_header(FILE *out, bool unit_us)
{
	const char *u = unit_us ? "us" : "ms";
	char rtt[16], srtt[16], minrtt[16];

	snprintf(rtt, sizeof(rtt), "RTT(%s)", u);
	snprintf(srtt, sizeof(srtt), "SRTT(%s)", u);
	snprintf(minrtt, sizeof(minrtt), "MINRTT(%s)", u);
	fprintf(out, "%-12s %-7s %-12s %-2s %-24s %-24s %10s %10s %10s\n", "TIME", "PID", "COMM",
		"IP", "LADDR:LPORT", "RADDR:RPORT", rtt, srtt, minrtt);
}

void rtt_print_detail_text(FILE *out, const char *when, const struct rtt_event *e, bool unit_us)
{
	char l[ADDR_STRLEN + 8], r[ADDR_STRLEN + 8], pid[16], comm[TASK_COMM_LEN + 1];
	double div = unit_us ? 1 : 1000;
	int prec = unit_us ? 0 : 3;

	if (e->pid)
		snprintf(pid, sizeof(pid), "%u", e->pid);
	else
		snprintf(pid, sizeof(pid), "-");
	fprintf(out, "%-12s %-7s %-12.12s %-2d %-24s %-24s %10.*f %10.*f %10.*f\n", when, pid,
		e->pid ? text_printable(e->comm, sizeof(e->comm), comm) : "-",
		addr_family_version(e->flow.family),
		endpoint(e->flow.family, e->flow.laddr, e->flow.lport, l, sizeof(l)),
		endpoint(e->flow.family, e->flow.raddr, e->flow.rport, r, sizeof(r)), prec,
		e->rtt_us / div, prec, e->srtt_us / div, prec, e->min_rtt_us / div);
}

void rtt_print_detail_json(FILE *out, const struct rtt_event *e, uint64_t ts_ns)
{
	char l[ADDR_STRLEN], r[ADDR_STRLEN];

	fprintf(out,
		"{\"type\":\"rtt\",\"ts_ns\":%" PRIu64 ",\"family\":%d,\"laddr\":\"%s\",\"lport\":%u,"
		"\"raddr\":\"%s\",\"rport\":%u,\"v4mapped\":%s,\"rtt_us\":%u,\"srtt_us\":%u,"
		"\"min_rtt_us\":%u,",
		ts_ns, addr_family_version(e->flow.family),
		addr_format(e->flow.family, e->flow.laddr, l, sizeof(l)), e->flow.lport,
		addr_format(e->flow.family, e->flow.raddr, r, sizeof(r)), e->flow.rport,
		e->flow.v4mapped ? "true" : "false", e->rtt_us, e->srtt_us, e->min_rtt_us);
	if (e->pid) {
		fprintf(out, "\"pid\":%u,\"comm\":", e->pid);
		json_write_string(out, e->comm, sizeof(e->comm));
		fputs("}\n", out);
	} else {
		fputs("\"pid\":null,\"comm\":null}\n", out);
	}
}

void rtt_print_summary_text(FILE *out, const struct rtt_totals *t)
{
	fprintf(out,
		"tcplat: %" PRIu64 " rtt samples, %" PRIu64 " filtered out, %" PRIu64 " shown, %" PRIu64
		" dropped (%" PRIu64 " key table full, %" PRIu64 " ring buffer full)",
		t->samples, t->filtered, t->shown, t->dropped_keys + t->dropped_ringbuf,
		t->dropped_keys, t->dropped_ringbuf);
	if (t->owners_full)
		fprintf(out, "; %" PRIu64 " sockets of unknown owner (owner table full)",
			t->owners_full);
	if (t->no_sample)
		fprintf(out, "; %" PRIu64 " samples were the smoothed RTT (this kernel passes "
			     "none to BPF_SOCK_OPS_RTT_CB)", t->no_sample);
	if (t->preexisting)
		fprintf(out, "; %" PRIu64 " connection%s existed before the start", t->preexisting,
			t->preexisting == 1 ? "" : "s");
	if (t->preexisting_srtt)
		fprintf(out, "; %" PRIu64 " samples of those were the smoothed RTT at tcp_probe "
			     "(this kernel cannot enrol them in BPF_SOCK_OPS_RTT_CB)",
			t->preexisting_srtt);
	fputc('\n', out);
}

void rtt_print_summary_json(FILE *out, const struct rtt_totals *t, const char *backend)
{
	fprintf(out,
		"{\"type\":\"summary\",\"backend\":\"%s\",\"samples\":%" PRIu64
		",\"filtered\":%" PRIu64 ",\"shown\":%" PRIu64 ",\"dropped\":%" PRIu64
		",\"dropped_keys\":%" PRIu64 ",\"dropped_ringbuf\":%" PRIu64
		",\"owners_full\":%" PRIu64 ",\"srtt_as_sample\":%" PRIu64
		",\"preexisting\":%" PRIu64 ",\"preexisting_srtt\":%" PRIu64 "}\n",
		backend, t->samples, t->filtered, t->shown, t->dropped_keys + t->dropped_ringbuf,
		t->dropped_keys, t->dropped_ringbuf, t->owners_full, t->no_sample, t->preexisting,
		t->preexisting_srtt);
}

void rtt_print_no_sample_notice(FILE *out, uint32_t matched, uint32_t busy)
{
	fprintf(out, "tcplat: rtt: no RTT sample in this interval, but %" PRIu32 " connection%s "
		     "match%s the filters: ", matched, matched == 1 ? "" : "s",
		matched == 1 ? "es" : "");
	if (!busy)
		fprintf(out, "%s idle (no data of %s own in flight, so no ACK to time)\n",
			matched == 1 ? "it is" : "they are", matched == 1 ? "its" : "their");
	else
		fprintf(out, "%" PRIu32 " idle (no data in flight), %" PRIu32 " with data in flight "
			     "but no ACK yet (a round trip longer than the interval, or a stalled "
			     "peer)\n", matched - busy, busy);
}
