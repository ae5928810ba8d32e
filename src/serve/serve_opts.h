/* SPDX-License-Identifier: GPL-2.0 */
/* `tcplat serve` options: parsing only, no BPF or sockets, so the tests can run it. */
#ifndef TCPLAT_SERVE_OPTS_H
#define TCPLAT_SERVE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/types.h>
#include "connect.h"
#include "opts.h"

/*
 * The default port: the Prometheus project's list of default port
 * allocations (its wiki, "Default port allocations") has no room left in
 * 9100-9999 and continues upwards from 10000; 10140 was free there when
 * chosen (see README, tcplat-serve(8)).
 */
#define SERVE_DEFAULT_PORT		10140
#define SERVE_DEFAULT_LISTEN		"127.0.0.1:10140"
#define SERVE_DEFAULT_PATH		"/metrics"
#define SERVE_DEFAULT_MAX_SERIES	1000
#define SERVE_DEFAULT_MAX_CONNECTIONS	256
#define SERVE_DEFAULT_USER		"nobody"
#define SERVE_MAX_PATH			256

/* Where to listen: what --listen parsed into. */
struct serve_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool dual_stack;		/* [::] with IPv4 too (":PORT", "[::]:PORT") */
	char text[80];			/* as the messages name it: "127.0.0.1:10140" */
};

struct serve_opts {
	struct trace_opts common;	/* -p, -4/-6, --cgroup, -d, --backend, -v */
	struct serve_listen listen;
	char path[SERVE_MAX_PATH];	/* --web.telemetry-path */
	unsigned int connect_labels;	/* CONNECT_KEY_* */
	unsigned int rtt_labels;	/* RTT_LABEL_* */
	uint32_t max_series;
	uint32_t max_connections;
	const char *user;		/* --user */
	bool keep_privileges;
	/* connect's filters */
	const char *comm;
	uint16_t dports[MAX_DPORTS];
	int ndports;
	uint16_t daddr_family;
	uint8_t daddr[16];
	/* rtt's connection filters */
	uint16_t laddr_family;
	uint8_t laddr[16];
	uint16_t raddr_family;
	uint8_t raddr[16];
	uint16_t lport;
	uint16_t rport;
};

/*
 * "127.0.0.1:9100", "[::1]:9100", ":9100" or "[::]:9100" (every address,
 * IPv4 too), "0.0.0.0:9100" (every IPv4 address), "localhost:9100"; port 0
 * lets the kernel choose. 0 or -EINVAL.
 */
int serve_listen_parse(const char *s, struct serve_listen *out);

/* As connect_opts_parse: argv[0] names the command, argp_flags is 0 in the
 * binary and ARGP_NO_EXIT in the tests; 0 or a positive errno. */
int serve_opts_parse(int argc, char **argv, struct serve_opts *opts, unsigned int argp_flags);

#endif /* TCPLAT_SERVE_OPTS_H */
