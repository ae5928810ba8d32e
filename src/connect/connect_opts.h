/* SPDX-License-Identifier: GPL-2.0 */
/* `tcplat connect` options: parsing only, no BPF, so the tests can run it. */
#ifndef TCPLAT_CONNECT_OPTS_H
#define TCPLAT_CONNECT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "connect.h"
#include "opts.h"

struct connect_opts {
	struct trace_opts common;
	bool timestamp;			/* -t */
	bool lport;			/* -L */
	bool failed;			/* --failed */
	const char *comm;		/* --comm */
	uint16_t dports[MAX_DPORTS];	/* --dport */
	int ndports;
	uint16_t daddr_family;		/* --daddr, 0 = any */
	uint8_t daddr[16];
	uint64_t min_ns;		/* MIN_MS */
	uint32_t max_inflight;		/* --max-inflight */
};

/* argv[0] names the command in messages ("tcplat connect"). argp_flags is 0
 * in the binary (errors exit with status 2) and ARGP_NO_EXIT in the tests.
 * Returns 0 or a positive errno. */
int connect_opts_parse(int argc, char **argv, struct connect_opts *opts, unsigned int argp_flags);

#endif /* TCPLAT_CONNECT_OPTS_H */
