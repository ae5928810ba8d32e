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
	bool min_set;
	uint32_t max_inflight;		/* --max-inflight */
	bool retrans;			/* -r: RETR column */
	/* --hist: interval histograms aggregated in the kernel */
	bool hist;
	uint32_t key_fields;		/* --by: enum connect_key_field bits */
	uint32_t top;			/* --top, 0 = every key */
	uint32_t max_keys;		/* --max-keys */
	bool max_keys_set;
	double interval_s;		/* --interval, default 1 */
	bool interval_set;
	uint64_t count;			/* --count, 0 = until stopped */
	bool unit_us;			/* --us; milliseconds otherwise */
	bool unit_set;
};

/* "dport", "daddr,dport", ...: the --by fields into *fields; 0 or -EINVAL. */
int connect_parse_key_fields(const char *s, uint32_t *fields);

/* argv[0] names the command in messages ("tcplat connect"). argp_flags is 0
 * in the binary (errors exit with status 2) and ARGP_NO_EXIT in the tests.
 * Returns 0 or a positive errno. */
int connect_opts_parse(int argc, char **argv, struct connect_opts *opts, unsigned int argp_flags);

#endif /* TCPLAT_CONNECT_OPTS_H */
