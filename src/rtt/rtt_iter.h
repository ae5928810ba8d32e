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

/*
 * At start-up: loads the iterator, probing once and quietly whether this
 * kernel lets it call bpf_setsockopt (a first load with the call, a second
 * without); gives -p's process the sockets it holds now; walks every
 * network namespace this process can enter (RTT_ITER_ENROL); attaches the
 * tcp_probe stand-in if sockets need it. -v says what became of the
 * connections found, losses are said without it. *out stays NULL where
 * the kernel has no usable tcp iterator (not an error). 0 or -errno.
 */
int rtt_iter_start(const struct rtt_iter_cfg *cfg, struct rtt_iter **out, uint64_t *matched);
/*
 * Every interval (or second, with --detail), with the samples counted so
 * far: keeps the stand-in in step (detached once its sockets have closed),
 * and after an interval without a sample walks the sockets, at most every
 * 10 s, to say once on stderr why, when connections match the filters.
 * Cheap while samples flow.
 */
void rtt_iter_tick(struct rtt_iter *it, uint64_t samples, uint64_t now_ns);
void rtt_iter_close(struct rtt_iter *it);

#endif /* TCPLAT_RTT_ITER_H */
