// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <errno.h>
#include <sys/socket.h>
#include "opts.h"
#include "parse.h"

enum {
	OPT_BACKEND = 0x100,
	OPT_CGROUP,
	OPT_JSON,
	OPT_USAGE,
};

static const struct argp_option trace_options[] = {
	{ "pid", 'p', "PID", 0, "Only connections of this process (thread group id; rtt: connections it opened)", 0 },
	{ "ipv4", '4', NULL, 0, "Only IPv4", 0 },
	{ "ipv6", '6', NULL, 0, "Only IPv6", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Only processes in this cgroup v2 directory or below it", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS (fractions allowed)", 0 },
	{ "json", OPT_JSON, NULL, 0, "NDJSON on stdout: an object per line, then a summary", 0 },
	{ "backend", OPT_BACKEND, "NAME", 0,
	  "auto (default: fentry, else kprobe, else tracepoint), fentry, kprobe or tracepoint",
	  0 },
	{ "verbose", 'v', NULL, 0,
	  "Say which backend was chosen and why others were refused; twice: libbpf debug log",
	  0 },
	/* Here rather than argp's own, so that -h works as users expect; the
	 * subcommands parse with ARGP_NO_HELP. Help covers the whole command:
	 * argp_state_help works from the root parser. */
	{ "help", 'h', NULL, 0, "Show this help", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "Show a short usage message", -1 },
	{},
};

static error_t trace_parse(int key, char *arg, struct argp_state *state)
{
	struct trace_opts *opts = state->input;
	uint64_t val;

	switch (key) {
	case 'p':
		if (parse_uint(arg, 1, INT32_MAX, &val))
			return OPT_FAIL(state, "invalid PID: %s", arg);
		opts->pid = val;
		break;
	case '4':
	case '6':
		if (opts->family && opts->family != (key == '4' ? AF_INET : AF_INET6))
			return OPT_FAIL(state, "-4 and -6 exclude each other");
		opts->family = key == '4' ? AF_INET : AF_INET6;
		break;
	case OPT_CGROUP:
		opts->cgroup = arg;
		break;
	case 'd':
		if (parse_seconds(arg, &opts->duration_s))
			return OPT_FAIL(state, "invalid duration: %s (seconds, more than 0)", arg);
		break;
	case OPT_JSON:
		opts->json = true;
		break;
	case OPT_BACKEND:
		if (backend_parse(arg, &opts->backend))
			return OPT_FAIL(state, "invalid backend: %s (auto, fentry, kprobe, tracepoint)",
					arg);
		break;
	case 'v':
		opts->verbose++;
		break;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		break;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp trace_argp = {
	.options = trace_options,
	.parser = trace_parse,
};

void trace_opts_init(struct trace_opts *opts)
{
	*opts = (struct trace_opts){ .backend = BACKEND_AUTO };
}
