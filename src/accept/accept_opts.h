/* SPDX-License-Identifier: GPL-2.0 */
/* `tcplat accept` options: parsing only, no BPF, so the tests can run it. */
#ifndef TCPLAT_ACCEPT_OPTS_H
#define TCPLAT_ACCEPT_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "accept.h"
#include "opts.h"

/* How --hist groups listeners. */
enum accept_by {
	ACCEPT_BY_LISTENER,	/* each listening socket (the default) */
	ACCEPT_BY_LPORT,	/* all listeners of a port, every address */
	ACCEPT_BY_LADDR,	/* all listeners of an address, every port */
};

struct accept_opts {
	struct trace_opts common;
	bool timestamp;			/* -t */
	bool failed;			/* --failed */
	bool retrans;			/* --retrans: SYN-ACK retransmits column */
	bool hist;			/* --hist */
	enum accept_by by;		/* --by */
	double interval_s;		/* -i, default 1 */
	bool interval_set;
	uint64_t count;			/* -c, 0 = until stopped */
	uint16_t lports[ACCEPT_MAX_LPORTS];	/* --lport */
	int nlports;
	uint16_t laddr_family;		/* --laddr, 0 = any */
	uint8_t laddr[16];
	uint64_t min_ns;		/* MIN_MS */
	uint32_t max_pending;		/* --max-pending */
	uint32_t max_listeners;		/* --max-listeners */
};

/* argv[0] names the command in messages ("tcplat accept"). argp_flags is 0
 * in the binary (errors exit with status 2) and ARGP_NO_EXIT in the tests.
 * Returns 0 or a positive errno. */
int accept_opts_parse(int argc, char **argv, struct accept_opts *opts, unsigned int argp_flags);

#endif /* TCPLAT_ACCEPT_OPTS_H */
