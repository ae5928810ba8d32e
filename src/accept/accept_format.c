// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include "accept_format.h"
#include "accept_table.h"
#include "addr.h"
#include "hist_view.h"
#include "json.h"

static const char *const outcome_names[ACCEPT_OUTCOME_MAX] = {
	[ACCEPT_OK] = "accepted",
	[ACCEPT_RESET] = "reset",
	[ACCEPT_CLOSED] = "closed",
	[ACCEPT_LISTENER_CLOSED] = "listener_closed",
};

const char *accept_outcome_name(__u32 outcome)
{
	return outcome < ACCEPT_OUTCOME_MAX ? outcome_names[outcome] : "unknown";
}

void accept_print_header(FILE *out, const struct accept_view *view)
{
	if (view->timestamp)
		fprintf(out, "%-9s ", "TIME(s)");
	fprintf(out, "%-6s %-12s %-2s %-16s %-6s %-16s %-6s ", "PID", "COMM", "IP", "LADDR",
		"LPORT", "RADDR", "RPORT");
	if (view->retrans)
		fprintf(out, "%-6s ", "SYNRTX");
	fprintf(out, "%-7s %s\n", "HS(ms)", view->failed ? "WAIT(ms) OUTCOME" : "WAIT(ms)");
}

void accept_print_text(FILE *out, const struct accept_view *view, const struct accept_event *e,
		       double time_s)
{
	char laddr[ADDR_STRLEN], raddr[ADDR_STRLEN], hs[32];

	addr_format(e->family, e->laddr, laddr, sizeof(laddr));
	addr_format(e->family, e->raddr, raddr, sizeof(raddr));
	if (e->hs_known)
		snprintf(hs, sizeof(hs), "%.2f", e->hs_ns / 1e6);
	else
		snprintf(hs, sizeof(hs), "-");
	if (view->timestamp)
		fprintf(out, "%-9.3f ", time_s);
	if (e->pid)
		fprintf(out, "%-6u %-12.12s ", e->pid, e->comm);
	else
		fprintf(out, "%-6s %-12s ", "-", "-");
	fprintf(out, "%-2d %-16s %-6u %-16s %-6u ", addr_family_version(e->family), laddr, e->lport,
		raddr, e->rport);
	if (view->retrans)
		fprintf(out, "%-6u ", e->synack_retrans);
	if (view->failed)
		fprintf(out, "%-7s %-8.2f %s\n", hs, e->wait_ns / 1e6, accept_outcome_name(e->outcome));
	else
		fprintf(out, "%-7s %.2f\n", hs, e->wait_ns / 1e6);
}

void accept_print_json(FILE *out, const struct accept_event *e, uint64_t ts_ns)
{
	char laddr[ADDR_STRLEN], raddr[ADDR_STRLEN];

	addr_format(e->family, e->laddr, laddr, sizeof(laddr));
	addr_format(e->family, e->raddr, raddr, sizeof(raddr));
	fprintf(out, "{\"type\":\"accept\",\"ts_ns\":%" PRIu64 ",\"pid\":%u,\"comm\":", ts_ns,
		e->pid);
	json_write_string(out, e->comm, sizeof(e->comm));
	fprintf(out,
		",\"family\":%d,\"laddr\":\"%s\",\"lport\":%u,\"raddr\":\"%s\",\"rport\":%u,",
		addr_family_version(e->family), laddr, e->lport, raddr, e->rport);
	if (e->hs_known)
		fprintf(out, "\"hs_us\":%" PRIu64 ",", (uint64_t)e->hs_ns / 1000);
	else
		fputs("\"hs_us\":null,", out);
	fprintf(out,
		"\"wait_us\":%" PRIu64 ",\"synack_retrans\":%u,\"outcome\":\"%s\",\"v4mapped\":%s}\n",
		(uint64_t)e->wait_ns / 1000, e->synack_retrans, accept_outcome_name(e->outcome),
		e->v4mapped ? "true" : "false");
}

const char *accept_listener_label(const struct accept_listener_id *id, enum accept_by by,
				  char *buf, size_t len)
{
	static const __u8 any[16];
	char a[ADDR_STRLEN];
	int alen = id->family == AF_INET ? 4 : 16;

	if (by == ACCEPT_BY_LPORT) {
		snprintf(buf, len, "port %u", id->lport);
		return buf;
	}
	addr_format(id->family, id->laddr, a, sizeof(a));
	if (by == ACCEPT_BY_LADDR)
		snprintf(buf, len, "addr %s", a);
	else if (!memcmp(id->laddr, any, alen))
		snprintf(buf, len, "*:%u", id->lport);
	else if (id->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, id->lport);
	else
		snprintf(buf, len, "%s:%u", a, id->lport);
	return buf;
}

void accept_print_listener_json(FILE *out, const struct accept_listener *l, enum accept_by by)
{
	const struct accept_listener_id *id = &l->id;
	const __u64 *c = l->counters;
	char a[ADDR_STRLEN];

	if (by != ACCEPT_BY_LPORT)
		fprintf(out, ",\"family\":%d,\"laddr\":\"%s\"", addr_family_version(id->family),
			addr_format(id->family, id->laddr, a, sizeof(a)));
	if (by != ACCEPT_BY_LADDR)
		fprintf(out, ",\"lport\":%u", id->lport);
	if (by == ACCEPT_BY_LISTENER) {
		fprintf(out, ",\"owner_pid\":%u,\"owner_comm\":", id->owner_pid);
		json_write_string(out, id->owner_comm, sizeof(id->owner_comm));
	}
	fprintf(out,
		",\"backlog\":%u,\"qlen_peak\":%u,\"syn_queued\":%" PRIu64
		",\"syncookies_sent\":%" PRIu64 ",\"synack_retrans\":%" PRIu64
		",\"overflows\":%" PRIu64 ",\"drops\":%" PRIu64 ",\"established\":%" PRIu64
		",\"accepted\":%" PRIu64 ",\"failed\":%" PRIu64,
		id->backlog, l->qlen_peak, (uint64_t)c[ACC_SYN_QUEUED], (uint64_t)c[ACC_SYNCOOKIES],
		(uint64_t)c[ACC_SYNACK_RETRANS], (uint64_t)c[ACC_OVERFLOWS], (uint64_t)c[ACC_DROPS],
		(uint64_t)c[ACC_ESTABLISHED], (uint64_t)c[ACC_ACCEPTED], (uint64_t)c[ACC_FAILED]);
}

/* "label (pid 123 comm)" for a listener with a known owner. */
static void print_label(FILE *out, const struct accept_listener *l, enum accept_by by)
{
	char label[ADDR_STRLEN + 16];

	fputs(accept_listener_label(&l->id, by, label, sizeof(label)), out);
	if (by == ACCEPT_BY_LISTENER && l->id.owner_pid)
		fprintf(out, " (pid %u %.*s)", l->id.owner_pid, TASK_COMM_LEN, l->id.owner_comm);
}

static void print_counters_text(FILE *out, const struct accept_listener *l)
{
	const __u64 *c = l->counters;

	fprintf(out,
		"accepted %" PRIu64 "  failed %" PRIu64 "  synack_retrans %" PRIu64
		"  syncookies %" PRIu64 "  overflows %" PRIu64 "  drops %" PRIu64
		"  queue peak %u/%u",
		(uint64_t)c[ACC_ACCEPTED], (uint64_t)c[ACC_FAILED], (uint64_t)c[ACC_SYNACK_RETRANS],
		(uint64_t)c[ACC_SYNCOOKIES], (uint64_t)c[ACC_OVERFLOWS], (uint64_t)c[ACC_DROPS],
		l->qlen_peak, l->id.backlog);
}

static void print_one_hist(FILE *out, const char *name, const struct lat_hist *h)
{
	struct lat_summary s;

	lat_hist_summarize(h, &s);
	fprintf(out, "  %s: count %" PRIu64 "  min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f "
		     "(msecs)\n",
		name, (uint64_t)s.count, s.min_us / 1000, s.p50_us / 1000, s.p90_us / 1000,
		s.p99_us / 1000, s.max_us / 1000);
	lat_hist_print_log2(out, h->log2, HIST_LOG2_SLOTS, "usecs");
}

void accept_print_hist_text(FILE *out, const char *when, const struct accept_listener *l,
			    enum accept_by by)
{
	fprintf(out, "%s ", when);
	print_label(out, l, by);
	fputs(": ", out);
	print_counters_text(out, l);
	fputc('\n', out);
	print_one_hist(out, "HS", &l->hs);
	print_one_hist(out, "WAIT", &l->wait);
	fputc('\n', out);
}

void accept_print_hist_json(FILE *out, uint64_t ts_ns, uint64_t interval_ns,
			    const struct accept_listener *l, enum accept_by by)
{
	static const char *const by_names[] = { "listener", "lport", "laddr" };

	fprintf(out, "{\"type\":\"accept_hist\",\"ts_ns\":%" PRIu64 ",\"interval_ns\":%" PRIu64
		     ",\"by\":\"%s\"",
		ts_ns, interval_ns, by_names[by]);
	accept_print_listener_json(out, l, by);
	fputs(",\"hs\":{", out);
	/* lat_hist_print_json writes fields each after a comma: open with a
	 * field of our own. */
	fputs("\"unit\":\"us\"", out);
	lat_hist_print_json(out, &l->hs, 1);
	fputs("},\"wait\":{\"unit\":\"us\"", out);
	lat_hist_print_json(out, &l->wait, 1);
	fputs("}}\n", out);
}

void accept_print_summary_text(FILE *out, const struct accept_summary *sum,
			       const struct accept_listener *listeners, size_t n)
{
	fprintf(out,
		"tcplat: %" PRIu64 " connections seen, %" PRIu64 " shown, %" PRIu64
		" dropped (%" PRIu64 " ring buffer full, %" PRIu64 " pending table full, %" PRIu64
		" listener table full); not shown: %" PRIu64 " below MIN_MS, %" PRIu64
		" never accepted (--failed shows them)",
		sum->seen, sum->shown, sum->ringbuf_drops + sum->pending_full + sum->listeners_full,
		sum->ringbuf_drops, sum->pending_full, sum->listeners_full, sum->below_min,
		sum->failed_hidden);
	if (sum->no_syn)
		fprintf(out, "; %" PRIu64 " without HS (SYN not seen)", sum->no_syn);
	if (sum->accept_unseen)
		fprintf(out, "; %" PRIu64 " accepted by a path not traced (no WAIT)",
			sum->accept_unseen);
	if (sum->unmatched_req)
		fprintf(out, "; %" PRIu64 " requests of an unseen SYN", sum->unmatched_req);
	if (sum->expired)
		fprintf(out, "; %" PRIu64 " handshakes the kernel gave up on", sum->expired);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		fputs("tcplat: listener ", out);
		print_label(out, &listeners[i], ACCEPT_BY_LISTENER);
		fputs(": ", out);
		print_counters_text(out, &listeners[i]);
		fputc('\n', out);
	}
}

void accept_print_summary_json(FILE *out, const struct accept_summary *sum, const char *backend,
			       const struct accept_listener *listeners, size_t n)
{
	fprintf(out,
		"{\"type\":\"summary\",\"backend\":\"%s\",\"seen\":%" PRIu64 ",\"shown\":%" PRIu64
		",\"dropped\":%" PRIu64 ",\"dropped_ringbuf\":%" PRIu64
		",\"dropped_pending\":%" PRIu64 ",\"dropped_listeners\":%" PRIu64
		",\"below_min\":%" PRIu64 ",\"failed_hidden\":%" PRIu64 ",\"hs_unknown\":%" PRIu64
		",\"accept_unseen\":%" PRIu64 ",\"unmatched_requests\":%" PRIu64
		",\"handshakes_expired\":%" PRIu64 ",\"listeners\":[",
		backend, sum->seen, sum->shown,
		sum->ringbuf_drops + sum->pending_full + sum->listeners_full, sum->ringbuf_drops,
		sum->pending_full, sum->listeners_full, sum->below_min, sum->failed_hidden,
		sum->no_syn, sum->accept_unseen, sum->unmatched_req, sum->expired);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"type\":\"listener\"" : "{\"type\":\"listener\"", out);
		accept_print_listener_json(out, &listeners[i], ACCEPT_BY_LISTENER);
		fputc('}', out);
	}
	fputs("]}\n", out);
}
