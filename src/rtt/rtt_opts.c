// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "parse.h"
#include "rtt_opts.h"

enum {
	OPT_US = 0x300,
	OPT_DETAIL,
	OPT_BY,
	OPT_TOP,
	OPT_FILTER_RTT,
	OPT_FILTER_SRTT,
	OPT_FILTER_MINRTT,
	OPT_LADDR,
	OPT_RADDR,
	OPT_LPORT,
	OPT_RPORT,
	OPT_MAX_KEYS,
};

/* Thresholds are kept in microseconds as __u32: about 71 minutes. */
#define MAX_THRESHOLD_MS 4000000.0

static const char rtt_doc[] =
	"Measure the round-trip time of established TCP connections from the kernel's own RTT "
	"samples, and print every INTERVAL seconds (default 1) a log2 histogram of that "
	"interval's samples, with count, min, p50, p90, p99 and max. COUNT stops after that "
	"many intervals.\n"
	"\v"
	"A sample is the RTT measurement the kernel feeds its estimator (tcp_rtt_estimator): "
	"with the fentry and kprobe backends, one per ACK that yields one (from "
	"tcp_ack_update_rtt); with the tracepoint backend, one per round trip (cgroup sockops "
	"BPF_SOCK_OPS_RTT_CB). On kernels before 6.10 that callback carries no sample, and the "
	"smoothed RTT stands in for it (tcplat says so). SRTT is the smoothed RTT after the "
	"sample. Connections that existed before the start are traced too (before 6.12, on the "
	"tracepoint backend, through the smoothed RTT at tcp_probe; -v says which); of those, "
	"-p selects the ones the process holds open. A "
	"dual-stack socket with an IPv4-mapped peer is an IPv4 connection.\n"
	"\n"
	"Examples:\n"
	"  tcplat rtt                       # histogram every second, milliseconds\n"
	"  tcplat rtt --us 5 3              # microseconds, three 5-second intervals\n"
	"  tcplat rtt --by raddr --top 5    # the 5 remote hosts with the worst p99\n"
	"  tcplat rtt --detail --filter-rtt 100 --json\n"
	"Exit status: 0 after a clean stop, 1 on a runtime error, 2 on a usage error.";

static const struct argp_option rtt_options[] = {
	{ "ms", 'm', NULL, 0, "Milliseconds (the default)", 0 },
	{ "us", OPT_US, NULL, 0, "Microseconds", 0 },
	{ "detail", OPT_DETAIL, NULL, 0,
	  "One line per sample: time, owner, addresses, RTT, SRTT and the kernel's minimum RTT",
	  0 },
	{ "by", OPT_BY, "KEY", 0,
	  "One histogram per raddr (remote address), rport (remote port) or flow (4-tuple), "
	  "sorted by p99", 0 },
	{ "top", OPT_TOP, "N", 0, "With --by: only the N keys with the highest p99", 0 },
	{ "filter-rtt", OPT_FILTER_RTT, "MS", 0, "Only samples of at least MS", 0 },
	{ "filter-srtt", OPT_FILTER_SRTT, "MS", 0,
	  "Only samples after which the connection's smoothed RTT is at least MS", 0 },
	{ "filter-minrtt", OPT_FILTER_MINRTT, "MS", 0,
	  "Only samples of connections whose minimum RTT (the kernel's windowed minimum, "
	  "including this sample) is at least MS", 0 },
	{ "laddr", OPT_LADDR, "ADDR", 0, "Only connections with this local address", 0 },
	{ "raddr", OPT_RADDR, "ADDR", 0,
	  "Only connections with this remote address (::ffff:a.b.c.d is a.b.c.d)", 0 },
	{ "lport", OPT_LPORT, "PORT", 0, "Only connections with this local port", 0 },
	{ "rport", OPT_RPORT, "PORT", 0, "Only connections with this remote port", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0,
	  "With --by: size of the table of keys (default 1024); samples of keys that find it "
	  "full are counted as dropped", 0 },
	{},
};

static const struct argp_child rtt_children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{},
};

static int threshold(const char *arg, uint32_t *out_us)
{
	uint64_t ns;

	if (parse_ms(arg, MAX_THRESHOLD_MS, &ns))
		return -EINVAL;
	/* Round up: "at least 1.5 us" must not let 1 us through. */
	*out_us = (ns + 999) / 1000;
	return 0;
}

static int port(const char *arg, uint16_t *out)
{
	uint64_t val;

	if (parse_uint(arg, 1, 65535, &val))
		return -EINVAL;
	*out = val;
	return 0;
}

/* ::ffff:a.b.c.d is a.b.c.d: a dual-stack socket talking to an IPv4 peer
 * is an IPv4 connection to tcplat, in its filters as in its output. */
static void unmap_v4(uint16_t *family, uint8_t addr[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (*family != AF_INET6 || memcmp(addr, mapped, sizeof(mapped)))
		return;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	*family = AF_INET;
}

static error_t rtt_parse_end(struct argp_state *state, struct rtt_opts *opts)
{
	uint16_t fam = opts->common.family;

	if (opts->detail && opts->mode != RTT_MODE_HIST)
		return OPT_FAIL(state, "--detail and --by exclude each other");
	if (opts->detail && state->arg_num > 0)
		return OPT_FAIL(state, "--detail prints samples as they come: INTERVAL and COUNT "
				       "do not apply (use -d to stop)");
	if (opts->top && (opts->mode == RTT_MODE_HIST || opts->detail))
		return OPT_FAIL(state, "--top needs --by");
	if (opts->max_keys_set && (opts->mode == RTT_MODE_HIST || opts->detail))
		return OPT_FAIL(state, "--max-keys needs --by");
	if (fam && ((opts->laddr_family && opts->laddr_family != fam) ||
		    (opts->raddr_family && opts->raddr_family != fam)))
		return OPT_FAIL(state, "--laddr/--raddr is not of the family that -%c selects",
				fam == AF_INET ? '4' : '6');
	if (opts->laddr_family && opts->raddr_family && opts->laddr_family != opts->raddr_family)
		return OPT_FAIL(state, "--laddr and --raddr are of different families");
	if (opts->detail)
		opts->mode = RTT_MODE_DETAIL;
	return 0;
}

static error_t rtt_parse(int key, char *arg, struct argp_state *state)
{
	struct rtt_opts *opts = state->input;
	uint64_t val;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->common;
		break;
	case 'm':
		opts->unit_us = false;
		break;
	case OPT_US:
		opts->unit_us = true;
		break;
	case OPT_DETAIL:
		opts->detail = true;
		break;
	case OPT_BY:
		if (!strcmp(arg, "raddr"))
			opts->mode = RTT_MODE_BY_RADDR;
		else if (!strcmp(arg, "rport"))
			opts->mode = RTT_MODE_BY_RPORT;
		else if (!strcmp(arg, "flow"))
			opts->mode = RTT_MODE_BY_FLOW;
		else
			return OPT_FAIL(state, "invalid --by: %s (raddr, rport or flow)", arg);
		break;
	case OPT_TOP:
		if (parse_uint(arg, 1, 1 << 20, &val))
			return OPT_FAIL(state, "invalid --top: %s (1 or more)", arg);
		opts->top = val;
		break;
	case OPT_FILTER_RTT:
		if (threshold(arg, &opts->min_rtt_us))
			return OPT_FAIL(state, "invalid --filter-rtt: %s (milliseconds, 0 or more)", arg);
		break;
	case OPT_FILTER_SRTT:
		if (threshold(arg, &opts->min_srtt_us))
			return OPT_FAIL(state, "invalid --filter-srtt: %s (milliseconds, 0 or more)",
					arg);
		break;
	case OPT_FILTER_MINRTT:
		if (threshold(arg, &opts->min_minrtt_us))
			return OPT_FAIL(state, "invalid --filter-minrtt: %s (milliseconds, 0 or more)",
					arg);
		break;
	case OPT_LADDR:
		if (addr_parse(arg, &opts->laddr_family, opts->laddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		unmap_v4(&opts->laddr_family, opts->laddr);
		break;
	case OPT_RADDR:
		if (addr_parse(arg, &opts->raddr_family, opts->raddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		unmap_v4(&opts->raddr_family, opts->raddr);
		break;
	case OPT_LPORT:
		if (port(arg, &opts->lport))
			return OPT_FAIL(state, "invalid port: %s (1-65535)", arg);
		break;
	case OPT_RPORT:
		if (port(arg, &opts->rport))
			return OPT_FAIL(state, "invalid port: %s (1-65535)", arg);
		break;
	case OPT_MAX_KEYS:
		if (parse_uint(arg, 1, 1 << 20, &val))
			return OPT_FAIL(state, "invalid table size: %s (1 to %d)", arg, 1 << 20);
		opts->max_keys = val;
		opts->max_keys_set = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			if (parse_seconds(arg, &opts->interval_s))
				return OPT_FAIL(state, "invalid INTERVAL: %s (seconds, more than 0)",
						arg);
		} else if (state->arg_num == 1) {
			if (parse_uint(arg, 1, UINT32_MAX, &opts->count))
				return OPT_FAIL(state, "invalid COUNT: %s (1 or more)", arg);
		} else {
			return OPT_FAIL(state, "unexpected argument: %s", arg);
		}
		break;
	case ARGP_KEY_END:
		return rtt_parse_end(state, opts);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp rtt_argp = {
	.options = rtt_options,
	.parser = rtt_parse,
	.args_doc = "[INTERVAL [COUNT]]",
	.doc = rtt_doc,
	.children = rtt_children,
};

int rtt_opts_parse(int argc, char **argv, struct rtt_opts *opts, unsigned int argp_flags)
{
	memset(opts, 0, sizeof(*opts));
	trace_opts_init(&opts->common);
	opts->interval_s = 1;
	opts->mode = RTT_MODE_HIST;
	opts->max_keys = RTT_DEFAULT_MAX_KEYS;
	return argp_parse(&rtt_argp, argc, argv, argp_flags | ARGP_NO_HELP, NULL, opts);
}

void rtt_opts_conn_filter(const struct rtt_opts *opts, struct rtt_conn_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->family = opts->common.family;
	f->laddr_family = opts->laddr_family;
	memcpy(f->laddr, opts->laddr, sizeof(f->laddr));
	f->raddr_family = opts->raddr_family;
	memcpy(f->raddr, opts->raddr, sizeof(f->raddr));
	f->lport = opts->lport;
	f->rport = opts->rport;
	f->tgid = opts->common.pid;
}
