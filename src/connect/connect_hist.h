/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the kernel's connect table (connect.bpf.c `hists`: struct
 * connect_key -> struct connect_hist_value, cumulative), for `tcplat connect
 * --hist` and for an exporter: given the map's fd, nothing printed.
 */
#ifndef TCPLAT_CONNECT_HIST_H
#define TCPLAT_CONNECT_HIST_H

#include "connect.h"
#include "connect_agg.h"

/* Called once per entry; a non-zero return stops the walk and is returned. */
typedef int (*connect_hist_fn)(void *ctx, const struct connect_key *key,
			       const struct connect_hist_value *value);

/* Calls fn for every entry of the table (an entry deleted during the walk
 * is skipped). 0, fn's non-zero return, or -errno. */
int connect_hist_walk(int map_fd, connect_hist_fn fn, void *ctx);

/* Resets t and sums the whole table into it by t's fields. 0, -ENOSPC (t
 * smaller than the table), or -errno. */
int connect_hist_collect(int map_fd, struct connect_agg_table *t);

#endif /* TCPLAT_CONNECT_HIST_H */
