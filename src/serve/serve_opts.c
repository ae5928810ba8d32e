// SPDX-License-Identifier: GPL-2.0
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "addr.h"
#include "connect_metrics.h"
#include "parse.h"
#include "rtt_metrics.h"
#include "serve_opts.h"

enum {
	OPT_LISTEN = 0x400,
	OPT_PATH,
	OPT_CONNECT_LABELS,
	OPT_RTT_LABELS,
	OPT_MAX_SERIES,
	OPT_MAX_CONNECTIONS,
	OPT_USER,
	OPT_KEEP_PRIVILEGES,
	OPT_COMM,
	OPT_DPORT,
	OPT_DADDR,
	OPT_LADDR,
	OPT_RADDR,
	OPT_LPORT,
	OPT_RPORT,
};

static const char serve_doc[] =
	"Serve Prometheus metrics of TCP connect latency and RTT over HTTP: the kernel's "
	"cumulative histograms and counters, read at scrape time (GET /metrics; GET / links "
	"to it). The connect and rtt tracers run in this one process.\n"
	"\v"
	"Examples:\n"
	"  tcplat serve                              # 127.0.0.1:10140/metrics\n"
	"  tcplat serve --listen :10140              # every address\n"
	"  tcplat serve --connect-labels daddr,dport --max-series 200\n"
	"\n"
	"Once its programs are attached, tcplat serve switches to --user (default nobody), "
	"keeps no capability the kernel does not need to read its own maps, and sets "
	"no_new_privs; --keep-privileges keeps root.\n"
	"Exit status: 0 after SIGTERM, SIGINT or --duration, 1 on a runtime error (privileges, "
	"an address that cannot be bound, no usable backend), 2 on a usage error.";

static const struct argp_option serve_options[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "Where to listen (default " SERVE_DEFAULT_LISTEN "); :PORT or [::]:PORT is every "
	  "address", 0 },
	{ "web.listen-address", 0, NULL, OPTION_ALIAS, NULL, 0 },
	{ "web.telemetry-path", OPT_PATH, "PATH", 0,
	  "Path of the metrics (default " SERVE_DEFAULT_PATH ")", 0 },
	{ "telemetry-path", 0, NULL, OPTION_ALIAS, NULL, 0 },
	{ "connect-labels", OPT_CONNECT_LABELS, "L[,L...]", 0,
	  "Labels of the connect histogram besides family and outcome: daddr, dport, comm, "
	  "cgroup", 0 },
	{ "rtt-labels", OPT_RTT_LABELS, "L[,L...]", 0,
	  "Labels of the RTT histogram besides family: raddr, rport, cgroup", 0 },
	{ "max-series", OPT_MAX_SERIES, "N", 0,
	  "Label sets per metric (default 1000); later ones fold into the value 'other'", 0 },
	{ "max-connections", OPT_MAX_CONNECTIONS, "N", 0,
	  "HTTP connections at once (default 256)", 0 },
	{ "user", OPT_USER, "NAME", 0,
	  "Switch to this user once the programs are attached (default nobody)", 0 },
	{ "keep-privileges", OPT_KEEP_PRIVILEGES, NULL, 0,
	  "Stay root with every capability (not recommended)", 0 },
	{ NULL, 0, NULL, 0, "Connect filters:", 1 },
	{ "comm", OPT_COMM, "NAME", 0, "Only connects of processes whose comm is exactly NAME", 1 },
	{ "dport", OPT_DPORT, "PORT[,PORT...]", 0, "Only connects to these ports (up to 8)", 1 },
	{ "daddr", OPT_DADDR, "ADDR", 0, "Only connects to this address", 1 },
	{ NULL, 0, NULL, 0, "RTT filters:", 2 },
	{ "laddr", OPT_LADDR, "ADDR", 0, "Only connections with this local address", 2 },
	{ "raddr", OPT_RADDR, "ADDR", 0, "Only connections with this remote address", 2 },
	{ "lport", OPT_LPORT, "PORT", 0, "Only connections with this local port", 2 },
	{ "rport", OPT_RPORT, "PORT", 0, "Only connections with this remote port", 2 },
	{},
};

static const struct argp_child serve_children[] = {
	{ &trace_argp, 0, "Both tracers:", 3 },
	{},
};

/* The port after the last ':' of s: 0-65535. */
static int listen_port(const char *s, uint16_t *port)
{
	uint64_t val;

	if (parse_uint(s, 0, 65535, &val))
		return -EINVAL;
	*port = val;
	return 0;
}

int serve_listen_parse(const char *s, struct serve_listen *out)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&out->addr;
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	uint16_t port;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon || listen_port(colon + 1, &port))
		return -EINVAL;
	n = colon - s;
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!n || !strcmp(host, "[::]")) {
		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_any;
		a6->sin6_port = htons(port);
		out->addrlen = sizeof(*a6);
		out->dual_stack = true;
		snprintf(out->text, sizeof(out->text), "[::]:%u", port);
		return 0;
	}
	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return -EINVAL;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		out->addrlen = sizeof(*a6);
		snprintf(out->text, sizeof(out->text), "[%s]:%u", host + 1, port);
		return 0;
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
		return -EINVAL;
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	out->addrlen = sizeof(*a4);
	snprintf(out->text, sizeof(out->text), "%s:%u", host, port);
	return 0;
}

static error_t serve_parse_end(struct argp_state *state, struct serve_opts *opts)
{
	uint16_t fam = opts->common.family;

	if (opts->common.json)
		return OPT_FAIL(state, "--json does not apply to serve: it writes Prometheus metrics");
	if (fam && ((opts->daddr_family && opts->daddr_family != fam) ||
		    (opts->laddr_family && opts->laddr_family != fam) ||
		    (opts->raddr_family && opts->raddr_family != fam)))
		return OPT_FAIL(state, "an address filter is not of the family that -%c selects",
				fam == AF_INET ? '4' : '6');
	if (opts->laddr_family && opts->raddr_family && opts->laddr_family != opts->raddr_family)
		return OPT_FAIL(state, "--laddr and --raddr are of different families");
	return 0;
}

static error_t serve_parse(int key, char *arg, struct argp_state *state)
{
	struct serve_opts *opts = state->input;
	uint64_t val;
	int n;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &opts->common;
		break;
	case OPT_LISTEN:
		if (serve_listen_parse(arg, &opts->listen))
			return OPT_FAIL(state, "invalid listen address: %s (ADDR:PORT, [ADDR]:PORT "
					       "or :PORT)", arg);
		break;
	case OPT_PATH:
		if (arg[0] != '/' || strlen(arg) >= sizeof(opts->path) || strpbrk(arg, "?# \t<>\"'&\\"))
			return OPT_FAIL(state, "invalid path: %s (starts with /, at most %zu "
					       "characters, no ?, #, blanks or markup)", arg,
					sizeof(opts->path) - 1);
		strcpy(opts->path, arg);
		break;
	case OPT_CONNECT_LABELS:
		if (connect_labels_parse(arg, &opts->connect_labels))
			return OPT_FAIL(state, "invalid --connect-labels: %s (daddr, dport, comm, "
					       "cgroup)", arg);
		break;
	case OPT_RTT_LABELS:
		if (rtt_labels_parse(arg, &opts->rtt_labels))
			return OPT_FAIL(state, "invalid --rtt-labels: %s (raddr, rport, cgroup)", arg);
		break;
	case OPT_MAX_SERIES:
		if (parse_uint(arg, 1, 1 << 20, &val))
			return OPT_FAIL(state, "invalid --max-series: %s (1 to %d)", arg, 1 << 20);
		opts->max_series = val;
		break;
	case OPT_MAX_CONNECTIONS:
		if (parse_uint(arg, 1, 1 << 16, &val))
			return OPT_FAIL(state, "invalid --max-connections: %s (1 to %d)", arg, 1 << 16);
		opts->max_connections = val;
		break;
	case OPT_USER:
		if (!*arg)
			return OPT_FAIL(state, "invalid --user: empty name");
		opts->user = arg;
		break;
	case OPT_KEEP_PRIVILEGES:
		opts->keep_privileges = true;
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
			return OPT_FAIL(state, "invalid port list: %s (up to %d ports, 1-65535)", arg,
					MAX_DPORTS);
		opts->ndports = n;
		break;
	case OPT_DADDR:
		if (addr_parse(arg, &opts->daddr_family, opts->daddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		break;
	case OPT_LADDR:
		if (addr_parse(arg, &opts->laddr_family, opts->laddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		break;
	case OPT_RADDR:
		if (addr_parse(arg, &opts->raddr_family, opts->raddr))
			return OPT_FAIL(state, "invalid address: %s", arg);
		break;
	case OPT_LPORT:
		if (parse_port(arg, &opts->lport))
			return OPT_FAIL(state, "invalid port: %s (1-65535)", arg);
		break;
	case OPT_RPORT:
		if (parse_port(arg, &opts->rport))
			return OPT_FAIL(state, "invalid port: %s (1-65535)", arg);
		break;
	case ARGP_KEY_ARG:
		return OPT_FAIL(state, "unexpected argument: %s", arg);
	case ARGP_KEY_END:
		return serve_parse_end(state, opts);
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp serve_argp = {
	.options = serve_options,
	.parser = serve_parse,
	.doc = serve_doc,
	.children = serve_children,
};

int serve_opts_parse(int argc, char **argv, struct serve_opts *opts, unsigned int argp_flags)
{
	memset(opts, 0, sizeof(*opts));
	trace_opts_init(&opts->common);
	serve_listen_parse(SERVE_DEFAULT_LISTEN, &opts->listen);
	strcpy(opts->path, SERVE_DEFAULT_PATH);
	opts->max_series = SERVE_DEFAULT_MAX_SERIES;
	opts->max_connections = SERVE_DEFAULT_MAX_CONNECTIONS;
	opts->user = SERVE_DEFAULT_USER;
	return argp_parse(&serve_argp, argc, argv, argp_flags | ARGP_NO_HELP, NULL, opts);
}
