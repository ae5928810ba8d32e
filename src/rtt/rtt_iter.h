/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP connections that existed before `tcplat rtt` started: found with a
 * tcp iterator in every network namespace (rtt_iter.bpf.c), enrolled in the
 * RTT callback on the tracepoint backend where the kernel allows it, else
 * followed through rtt.bpf.c's tcp_probe stand-in; counted again after an
 * interval without samples, so that tcplat can say why.
 */
#ifndef TCPLAT_RTT_ITER_H
#define TCPLAT_RTT_ITER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "rtt.h"

struct rtt_bpf;
struct rtt_iter;

struct rtt_iter_cfg {
	struct rtt_bpf *skel;		/* loaded; its owners and standin maps are shared */
	const struct rtt_conn_filter *filter;
	bool enrol;			/* tracepoint backend: enrol, or stand in */
	int verbose;			/* -vv: libbpf's log of the probe loads */
};

/* One walk over the network namespaces. */
struct rtt_walk {
	struct rtt_iter_result found;	/* summed over the namespaces */
	uint32_t netns;			/* namespaces walked */
	uint32_t netns_refused;		/* that could not be entered (CAP_SYS_ADMIN) */
};

/*
 * Loads the iterator, probing once and quietly whether this kernel lets it
 * call bpf_setsockopt (a first load with the call, a second without).
 * NULL, errno set, when the kernel has no usable tcp iterator.
 */
struct rtt_iter *rtt_iter_open(const struct rtt_iter_cfg *cfg);
/* Whether the loaded iterator calls bpf_setsockopt (5.15+). */
bool rtt_iter_has_setsockopt(const struct rtt_iter *it);
/* -p: the sockets PID holds now become its own in the RTT_ITER_ENROL walk.
 * Returns how many it holds (0 if it does not run), or -errno. */
int rtt_iter_add_pid(struct rtt_iter *it, uint32_t pid);
/* Walks every network namespace this process can enter; 0 or -errno. */
int rtt_iter_walk(struct rtt_iter *it, enum rtt_iter_op op, struct rtt_walk *walk);
/*
 * The tcp_probe stand-in runs while the stand-in table has entries: attached
 * after the RTT_ITER_ENROL walk put sockets there, detached once they have
 * all closed. 0 or -errno.
 */
int rtt_iter_standin_sync(struct rtt_iter *it);
bool rtt_iter_standin_attached(const struct rtt_iter *it);
/*
 * All of the above at start-up: open, -p's sockets, the RTT_ITER_ENROL
 * walk, the stand-in; -v says what became of the connections found, and
 * losses are said without it. *out stays NULL where the kernel has no tcp
 * iterator (not an error). 0 or -errno.
 */
int rtt_iter_start(const struct rtt_iter_cfg *cfg, struct rtt_iter **out, uint64_t *matched);
void rtt_iter_close(struct rtt_iter *it);

#endif /* TCPLAT_RTT_ITER_H */
