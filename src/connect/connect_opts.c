// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "addr.h"
#include "connect_opts.h"
#include "parse.h"

enum {
	OPT_COMM = 0x200,
	OPT_DPORT,
	OPT_DADDR,
	OPT_FAILED,
	OPT_MAX_INFLIGHT,
	OPT_HIST,
	OPT_BY,
	OPT_TOP,
	OPT_MAX_KEYS,
	OPT_INTERVAL,
	OPT_COUNT,
	OPT_US,
};

static const char connect_doc[] =
	"Trace active TCP connects (IPv4 and IPv6) and print one line per connection when the "
	"handshake completes: who connected where, and how long it took from connect() to the "
	"answer (LAT, ms).\n"
	"\n"
	"MIN_MS shows only connects at least that slow (fractions allowed: 0.5).\n"
	"\n"
	"With --hist, prints instead every --interval seconds a histogram of that interval's "
	"connect latencies (count, min, p50, p90, p99, max and bcc's log2 table), the failed "
	"connects by outcome and the SYN retransmits, in all or per --by key; aggregated in the "
	"kernel, nothing is sent per connect. MIN_MS, --failed, -t, -L and -r describe "
	"per-connection lines and are refused with --hist (every connect is counted, failures "
	"by outcome).\n"
	"\v"
	"Examples:\n"
	"  tcplat connect                 # every connect\n"
	"  tcplat connect 10              # only connects of 10 ms or more\n"
	"  tcplat connect -tL -p 181      # with time and local port, only PID 181\n"
	"  tcplat connect -r --failed     # SYN retransmits (RETR) and failures too\n"
	"  tcplat connect --dport 80,443 --failed --json\n"
	"  tcplat connect --hist --by dport --interval 10 --count 6\n"
	"  tcplat connect --by cgroup --top 5   # the 5 cgroups with the worst p99\n"
	"\n"
	"A dual-stack connect (an IPv6 socket to an IPv4-mapped address, ::ffff:a.b.c.d) is "
	"IPv4 on the wire and to tcplat: -4, --daddr and --by daddr treat it as IPv4, the "
	"lines show it as IPv4 (IP 4, dotted quads), and JSON says \"family\":4 with "
	"\"v4mapped\":true.\n"
	"RETR and syn_retrans count the SYNs the kernel retransmitted for the connect, the "
	"first SYN not included (a timeout after N retransmitted SYNs says N).\n"
	"\n"
	"Without --failed, a connect that does not complete (refused by a RST, timed out, "
	"unreachable, or closed before the answer) is counted in the summary but never "
	"shown; with --failed it is shown with its OUTCOME and the time to that outcome.\n"
	"Exit status: 0 after a clean stop (Ctrl-C, SIGTERM, --duration), 1 on a runtime error "
	"(privileges, no BTF, no usable backend), 2 on a usage error.";

static const struct argp_option connect_options[] = {
	{ "timestamp", 't', NULL, 0, "Add a TIME(s) column: seconds since tracing started", 0 },
	{ "lport", 'L', NULL, 0, "Add the local port column (LPORT)", 0 },
	{ "comm", OPT_COMM, "NAME", 0, "Only processes whose comm is exactly NAME", 0 },
	{ "dport", OPT_DPORT, "PORT[,PORT...]", 0, "Only these destination ports (up to 8)", 0 },
	{ "daddr", OPT_DADDR, "ADDR", 0, "Only this destination address (IPv4 or IPv6)", 0 },
	{ "failed", OPT_FAILED, NULL, 0,
	  "Also show connects that did not complete, with their OUTCOME: refused, timeout, "
	  "unreachable, aborted (closed before the answer) or the kernel's errno name", 0 },
	{ "max-inflight", OPT_MAX_INFLIGHT, "N", 0,
	  "Size of the table of connects awaiting their answer (default 16384); connects that "
	  "find it full are counted as dropped", 0 },
	{ "retrans", 'r', NULL, 0,
	  "Add a RETR column after LAT(ms): SYNs retransmitted (the first SYN not counted)", 0 },
	{ NULL, 0, NULL, 0, "Histograms (--hist):", 1 },
	{ "hist", OPT_HIST, NULL, 0,
	  "Interval histograms of connect latency, failures by outcome and SYN retransmits, "
	  "aggregated in the kernel", 1 },
	{ "by", OPT_BY, "KEY[,KEY...]", 0,
	  "One histogram per dport, daddr, comm or cgroup (or a combination), sorted by p99; "
	  "implies --hist", 1 },
	{ "top", OPT_TOP, "N", 0, "With --by: only the N keys with the highest p99", 1 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0,
	  "Size of the kernel's key table (default 1024, at most 65536); connects of keys that "
	  "find it full are counted as dropped", 1 },
	{ "interval", OPT_INTERVAL, "SECONDS", 0, "Length of an interval (default 1)", 1 },
	{ "count", OPT_COUNT, "N", 0, "Stop after N intervals", 1 },
	{ "ms", 'm', NULL, 0, "Milliseconds (the default)", 1 },
	{ "us", OPT_US, NULL, 0, "Microseconds", 1 },
	{},
};

static const struct argp_child connect_children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{},
};

int connect_parse_key_fields(const char *s, uint32_t *fields)
{
	static const struct {
		const char *name;
		uint32_t field;
	} names[] = {
		{ "dport", CONNECT_KEY_DPORT },
		{ "daddr", CONNECT_KEY_DADDR },
		{ "comm", CONNECT_KEY_COMM },
		{ "cgroup", CONNECT_KEY_CGROUP },
	};
	const char *p = s;
	size_t len, i;

	*fields = 0;
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0]) || (*fields & names[i].field))
			return -EINVAL;
		*fields |= names[i].field;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* An IPv4-mapped --daddr (::ffff:a.b.c.d) is the IPv4 address it maps, as
 * the kernel side sees a dual-stack connect to it. */
static void daddr_unmap(struct connect_opts *opts)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	if (opts->daddr_family != AF_INET6 || memcmp(opts->daddr, prefix, sizeof(prefix)))
		return;
	memmove(opts->daddr, opts->daddr + 12, 4);
	memset(opts->daddr + 4, 0, 12);
	opts->daddr_family = AF_INET;
}

static error_t connect_parse_end(struct argp_state *state, struct connect_opts *opts)
{
	daddr_unmap(opts);
	if (opts->daddr_family && opts->common.family &&
	    opts->daddr_family != opts->common.family)
		return OPT_FAIL(state, "--daddr is not of the family that -%c selects",
				opts->common.family == AF_INET ? '4' : '6');
	if (opts->key_fields)
		opts->hist = true;
	if (opts->hist) {
		if (opts->min_set)
			return OPT_FAIL(state, "MIN_MS selects per-connection lines: --hist counts "
					       "every connect");
		if (opts->failed)
			return OPT_FAIL(state, "--hist counts failed connects by outcome: --failed "
					       "is for per-connection lines");
		if (opts->timestamp || opts->lport || opts->retrans)
			return OPT_FAIL(state, "-t, -L and -r are columns of per-connection lines: "
					       "not with --hist");
	} else if (opts->top || opts->max_keys_set || opts->interval_set || opts->count ||
		   opts->unit_set) {
		return OPT_FAIL(state, "--top, --max-keys, --interval, --count, -m and --us need "
				       "--hist");
	}
	if (opts->top && !opts->key_fields)
		return OPT_FAIL(state, "--top needs --by");
	return 0;
}

static error_t connect_parse(int key, char *arg, struct argp_state *state)
{
	struct connect_opts *opts = state->input;
	uint64_t val;
	int n;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->common;
		break;
	case 't':
		opts->timestamp = true;
		break;
	case 'L':
		opts->lport = true;
		break;
	case OPT_COMM:
		if (!*arg || strlen(arg) >= TASK_COMM_LEN)
			return OPT_FAIL(state, "invalid comm: '%s' (1 to %d characters)", arg,
					TASK_COMM_LEN - 1);
		opts->comm = arg;
		break;
	case OPT_DPORT:
		n = parse_port_list(arg, opts->dports, MAX_DPORTS);
		if (n < 0)
			return OPT_FAIL(state, "invalid port list: %s (up to %d ports, 1-65535)",
					arg, MAX_DPORTS);
		opts->ndports = n;
		break;
	case OPT_DADDR:
		if (addr_parse(arg, &opts->daddr_family, opts->daddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		break;
	case OPT_FAILED:
		opts->failed = true;
		break;
	case OPT_MAX_INFLIGHT:
		if (parse_uint(arg, 1, 1 << 24, &val))
			return OPT_FAIL(state, "invalid table size: %s (1 to %d)", arg, 1 << 24);
		opts->max_inflight = val;
		break;
	case 'r':
		opts->retrans = true;
		break;
	case OPT_HIST:
		opts->hist = true;
		break;
	case OPT_BY:
		if (connect_parse_key_fields(arg, &opts->key_fields))
			return OPT_FAIL(state, "invalid --by: %s (dport, daddr, comm, cgroup, or "
					       "several with commas)", arg);
		break;
	case OPT_TOP:
		if (parse_uint(arg, 1, CONNECT_MAX_KEYS, &val))
			return OPT_FAIL(state, "invalid --top: %s (1 to %d)", arg, CONNECT_MAX_KEYS);
		opts->top = val;
		break;
	case OPT_MAX_KEYS:
		if (parse_uint(arg, 1, CONNECT_MAX_KEYS, &val))
			return OPT_FAIL(state, "invalid table size: %s (1 to %d)", arg,
					CONNECT_MAX_KEYS);
		opts->max_keys = val;
		opts->max_keys_set = true;
		break;
	case OPT_INTERVAL:
		if (parse_seconds(arg, &opts->interval_s))
			return OPT_FAIL(state, "invalid --interval: %s (seconds, more than 0)", arg);
		opts->interval_set = true;
		break;
	case OPT_COUNT:
		if (parse_uint(arg, 1, UINT32_MAX, &opts->count))
			return OPT_FAIL(state, "invalid --count: %s (1 or more)", arg);
		break;
	case 'm':
	case OPT_US:
		opts->unit_us = key == OPT_US;
		opts->unit_set = true;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			return OPT_FAIL(state, "unexpected argument: %s", arg);
		/* A day is a generous upper bound, far from overflowing ns. */
		if (parse_ms(arg, 86400e3, &opts->min_ns))
			return OPT_FAIL(state, "invalid MIN_MS: %s (milliseconds, 0 or more)", arg);
		opts->min_set = true;
		break;
	case ARGP_KEY_END:
		return connect_parse_end(state, opts);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp connect_argp = {
	.options = connect_options,
	.parser = connect_parse,
	.args_doc = "[MIN_MS]",
	.doc = connect_doc,
	.children = connect_children,
};

int connect_opts_parse(int argc, char **argv, struct connect_opts *opts, unsigned int argp_flags)
{
	memset(opts, 0, sizeof(*opts));
	trace_opts_init(&opts->common);
	opts->max_inflight = DEFAULT_MAX_INFLIGHT;
	opts->max_keys = CONNECT_DEFAULT_MAX_KEYS;
	opts->interval_s = 1;
	/* -h/--help and --usage come from trace_argp (ARGP_NO_HELP drops
	 * argp's own, which know no -h). */
	return argp_parse(&connect_argp, argc, argv, argp_flags | ARGP_NO_HELP, NULL, opts);
}
