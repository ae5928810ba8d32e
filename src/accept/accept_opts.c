// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "accept_opts.h"
#include "addr.h"
#include "parse.h"

enum {
	OPT_FAILED = 0x400,
	OPT_RETRANS,
	OPT_HIST,
	OPT_BY,
	OPT_LPORT,
	OPT_LADDR,
	OPT_MAX_PENDING,
	OPT_MAX_LISTENERS,
};

static const char accept_doc[] =
	"Trace the connections that local TCP listeners accept, and print one line per "
	"connection when accept() returns it: who accepted it, from where, how long the "
	"server's side of the handshake took (HS, ms: from the SYN reaching the listener to "
	"the final ACK) and how long it then waited in the accept queue (WAIT, ms: from the "
	"final ACK to accept() returning it).\n"
	"\n"
	"MIN_MS shows only connections whose HS + WAIT is at least that (fractions allowed).\n"
	"\v"
	"Examples:\n"
	"  tcplat accept                  # every accepted connection\n"
	"  tcplat accept 10               # only those 10 ms or more from SYN to accept()\n"
	"  tcplat accept --lport 80,443 --failed --json\n"
	"  tcplat accept --hist -i 5 -c 3 # HS and WAIT histograms per listener, 3 x 5 s\n"
	"\n"
	"Per listener (the summary, --hist): SYN-ACK retransmits, SYN cookies sent, accept queue "
	"overflows and the SYNs or final ACKs dropped, and the longest accept queue a "
	"connection joined, against the backlog. Overflows and drops are the kernel's own "
	"tests (tcp_conn_request, tcp_v4_syn_recv_sock), made as the packet reaches the "
	"listener: when only that listener overflows they equal the deltas of the kernel's "
	"ListenOverflows and ListenDrops (rare drops of other causes, such as a failed "
	"allocation, are not seen).\n"
	"Backends: the SYN, request sock and cookie side always uses cgroup programs (cgroup_skb "
	"ingress and sockops, attached to --cgroup or the root cgroup), so only listeners "
	"created by processes of that cgroup are seen. accept() is seen by fexit inet_accept "
	"(fentry), kretprobe inet_csk_accept (kprobe), or, with the tracepoint backend, by the "
	"exit of the accept and accept4 system calls (tp_btf sys_exit): a hook on every system call of the host "
	"(see OVERHEAD in the README); accepts by other paths (io_uring, 32-bit compat calls) "
	"have no WAIT and are counted as unseen. -v says which.\n"
	"Without --failed, a connection that reached the accept queue but was never accepted "
	"(reset or closed by the client while queued, or its listener closed) is counted but "
	"not shown; with --failed it is shown with its OUTCOME.\n"
	"Exit status: 0 after a clean stop (Ctrl-C, SIGTERM, --duration, COUNT), 1 on a runtime "
	"error (privileges, no BTF, no usable backend), 2 on a usage error.";

static const struct argp_option accept_options[] = {
	{ "timestamp", 't', NULL, 0, "Add a TIME(s) column: seconds since tracing started", 0 },
	{ "failed", OPT_FAILED, NULL, 0,
	  "Also show connections never accepted, with their OUTCOME: reset, closed or "
	  "listener_closed", 0 },
	{ "retrans", OPT_RETRANS, NULL, 0, "Add a SYNRTX column: SYN-ACK retransmits", 0 },
	{ "lport", OPT_LPORT, "PORT[,PORT...]", 0, "Only listeners of these local ports (up to 8)",
	  0 },
	{ "laddr", OPT_LADDR, "ADDR", 0, "Only connections to this local address", 0 },
	{ "hist", OPT_HIST, NULL, 0,
	  "Every interval, histograms of HS and WAIT per listener, with count, min, p50, p90, "
	  "p99, max and the listener's counters", 0 },
	{ "by", OPT_BY, "KEY", 0,
	  "With --hist: listener (default), lport (every address of a port) or laddr (every "
	  "port of an address)", 0 },
	{ "interval", 'i', "SECONDS", 0, "With --hist: the interval (default 1)", 0 },
	{ "count", 'c', "N", 0, "With --hist: stop after N intervals", 0 },
	{ "max-pending", OPT_MAX_PENDING, "N", 0,
	  "Size of the tables of handshakes and of queued connections (default 16384); "
	  "connections that find them full are counted as dropped", 0 },
	{ "max-listeners", OPT_MAX_LISTENERS, "N", 0,
	  "Size of the listener table (default 512); listeners that find it full are counted", 0 },
	{},
};

static const struct argp_child accept_children[] = {
	{ &trace_argp, 0, NULL, 0 },
	{},
};

static error_t accept_parse_end(struct argp_state *state, struct accept_opts *opts)
{
	uint16_t fam = opts->common.family;

	if (!opts->hist && (opts->interval_set || opts->count))
		return OPT_FAIL(state, "-i and -c need --hist");
	if (!opts->hist && opts->by != ACCEPT_BY_LISTENER)
		return OPT_FAIL(state, "--by needs --hist");
	if (opts->hist && (opts->min_ns || state->arg_num > 0))
		return OPT_FAIL(state, "MIN_MS does not apply to --hist");
	if (opts->hist && (opts->failed || opts->timestamp || opts->retrans))
		return OPT_FAIL(state, "--failed, -t and --retrans are for the per-connection lines, "
				       "not --hist");
	if (fam && opts->laddr_family && opts->laddr_family != fam)
		return OPT_FAIL(state, "--laddr is not of the family that -%c selects",
				fam == AF_INET ? '4' : '6');
	return 0;
}

static error_t accept_parse(int key, char *arg, struct argp_state *state)
{
	struct accept_opts *opts = state->input;
	uint64_t val;
	int n;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->common;
		break;
	case 't':
		opts->timestamp = true;
		break;
	case OPT_FAILED:
		opts->failed = true;
		break;
	case OPT_RETRANS:
		opts->retrans = true;
		break;
	case OPT_HIST:
		opts->hist = true;
		break;
	case OPT_BY:
		if (!strcmp(arg, "listener"))
			opts->by = ACCEPT_BY_LISTENER;
		else if (!strcmp(arg, "lport"))
			opts->by = ACCEPT_BY_LPORT;
		else if (!strcmp(arg, "laddr"))
			opts->by = ACCEPT_BY_LADDR;
		else
			return OPT_FAIL(state, "invalid --by: %s (listener, lport or laddr)", arg);
		break;
	case 'i':
		if (parse_seconds(arg, &opts->interval_s))
			return OPT_FAIL(state, "invalid interval: %s (seconds, more than 0)", arg);
		opts->interval_set = true;
		break;
	case 'c':
		if (parse_uint(arg, 1, UINT32_MAX, &opts->count))
			return OPT_FAIL(state, "invalid count: %s (1 or more)", arg);
		break;
	case OPT_LPORT:
		n = parse_port_list(arg, opts->lports, ACCEPT_MAX_LPORTS);
		if (n < 0)
			return OPT_FAIL(state, "invalid port list: %s (up to %d ports, 1-65535)", arg,
					ACCEPT_MAX_LPORTS);
		opts->nlports = n;
		break;
	case OPT_LADDR:
		if (addr_parse(arg, &opts->laddr_family, opts->laddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		break;
	case OPT_MAX_PENDING:
		if (parse_uint(arg, 1, 1 << 24, &val))
			return OPT_FAIL(state, "invalid table size: %s (1 to %d)", arg, 1 << 24);
		opts->max_pending = val;
		break;
	case OPT_MAX_LISTENERS:
		if (parse_uint(arg, 1, 1 << 16, &val))
			return OPT_FAIL(state, "invalid table size: %s (1 to %d)", arg, 1 << 16);
		opts->max_listeners = val;
		break;
	case ARGP_KEY_ARG:
		if (state->arg_num > 0)
			return OPT_FAIL(state, "unexpected argument: %s", arg);
		if (parse_ms(arg, 86400e3, &opts->min_ns))
			return OPT_FAIL(state, "invalid MIN_MS: %s (milliseconds, 0 or more)", arg);
		break;
	case ARGP_KEY_END:
		return accept_parse_end(state, opts);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp accept_argp = {
	.options = accept_options,
	.parser = accept_parse,
	.args_doc = "[MIN_MS]",
	.doc = accept_doc,
	.children = accept_children,
};

int accept_opts_parse(int argc, char **argv, struct accept_opts *opts, unsigned int argp_flags)
{
	memset(opts, 0, sizeof(*opts));
	trace_opts_init(&opts->common);
	opts->interval_s = 1;
	opts->max_pending = ACCEPT_DEFAULT_MAX_PENDING;
	opts->max_listeners = ACCEPT_DEFAULT_MAX_LISTENERS;
	return argp_parse(&accept_argp, argc, argv, argp_flags | ARGP_NO_HELP, NULL, opts);
}
