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
};

static const char connect_doc[] =
	"Trace active TCP connects (IPv4 and IPv6) and print one line per connection when the "
	"handshake completes: who connected where, and how long it took from connect() to the "
	"answer (LAT, ms).\n"
	"\n"
	"MIN_MS shows only connects at least that slow (fractions allowed: 0.5).\n"
	"\v"
	"Examples:\n"
	"  tcplat connect                 # every connect\n"
	"  tcplat connect 10              # only connects of 10 ms or more\n"
	"  tcplat connect -tL -p 181      # with time and local port, only PID 181\n"
	"  tcplat connect --dport 80,443 --failed --json\n"
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
	{},
};

static const struct argp_child connect_children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{},
};

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
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			return OPT_FAIL(state, "unexpected argument: %s", arg);
		/* A day is a generous upper bound, far from overflowing ns. */
		if (parse_ms(arg, 86400e3, &opts->min_ns))
			return OPT_FAIL(state, "invalid MIN_MS: %s (milliseconds, 0 or more)", arg);
		break;
	case ARGP_KEY_END:
		if (opts->daddr_family && opts->common.family &&
		    opts->daddr_family != opts->common.family)
			return OPT_FAIL(state, "--daddr is not of the family that -%c selects",
					opts->common.family == AF_INET ? '4' : '6');
		break;
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
	/* -h/--help and --usage come from trace_argp (ARGP_NO_HELP drops
	 * argp's own, which know no -h). */
	return argp_parse(&connect_argp, argc, argv, argp_flags | ARGP_NO_HELP, NULL, opts);
}
