/* SPDX-License-Identifier: GPL-2.0 */
/* `tcplat rtt` options: parsing only, no BPF, so the tests can run it. */
#ifndef TCPLAT_RTT_OPTS_H
#define TCPLAT_RTT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "opts.h"
#include "rtt.h"

struct rtt_opts {
	struct trace_opts common;
	double interval_s;		/* INTERVAL, default 1 */
	uint64_t count;			/* COUNT, 0 = until stopped */
	bool unit_us;			/* --us; milliseconds otherwise */
	bool detail;			/* --detail */
	enum rtt_mode mode;		/* --by (or RTT_MODE_DETAIL) */
	uint32_t top;			/* --top, 0 = all keys */
	uint32_t min_rtt_us;		/* --filter-rtt */
	uint32_t min_srtt_us;		/* --filter-srtt */
	uint32_t min_minrtt_us;		/* --filter-minrtt */
	uint16_t laddr_family;		/* --laddr, 0 = any */
	uint8_t laddr[16];
	uint16_t raddr_family;		/* --raddr */
	uint8_t raddr[16];
	uint16_t lport;			/* --lport */
	uint16_t rport;			/* --rport */
	uint32_t max_keys;		/* --max-keys */
	bool max_keys_set;
};

/* As connect_opts_parse: argv[0] names the command, argp_flags is 0 in the
 * binary and ARGP_NO_EXIT in the tests; 0 or a positive errno. */
int rtt_opts_parse(int argc, char **argv, struct rtt_opts *opts, unsigned int argp_flags);
/* The connection filters the BPF objects test (rtt.h); the cgroup's id
 * and level are left to the caller, which resolves --cgroup's path. */
void rtt_opts_conn_filter(const struct rtt_opts *opts, struct rtt_conn_filter *f);

#endif /* TCPLAT_RTT_OPTS_H */
