/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's connect table (connect.h: struct connect_key ->
 * struct connect_hist_value) summed by the keys a view shows: the --by
 * fields, with outcome (and family, unless the address is shown) folded in.
 * Successful connects make the latency histogram, failed ones a count per
 * outcome class. Interval differences and the p99 order of --hist. Pure: no
 * libbpf, no printing.
 */
#ifndef TCPLAT_CONNECT_AGG_H
#define TCPLAT_CONNECT_AGG_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "connect.h"
#include "hist_view.h"

/* How a failed connect is counted: the columns of --hist. */
enum connect_outcome_class {
	CONNECT_OC_REFUSED,	/* ECONNREFUSED: a RST */
	CONNECT_OC_TIMEOUT,	/* ETIMEDOUT: the SYNs went unanswered */
	CONNECT_OC_UNREACHABLE,	/* EHOSTUNREACH, ENETUNREACH */
	CONNECT_OC_ABORTED,	/* CONNECT_ABORTED: closed before the answer */
	CONNECT_OC_OTHER,	/* any other errno */
	CONNECT_OC_MAX,
};

/* The class of a failed outcome; -1 for CONNECT_ESTABLISHED. */
int connect_outcome_class(int32_t outcome);
/* "refused", "timeout", "unreachable", "aborted", "other". */
const char *connect_outcome_class_name(int cls);

/* One key of a view, cumulative like the kernel table it sums. */
struct connect_agg {
	struct connect_key key;		/* the view's fields; outcome always 0 */
	struct lat_hist latency;	/* established connects: time to the answer */
	__u64 failed[CONNECT_OC_MAX];
	__u64 syn_retrans;		/* of every outcome */
};

/* The key a kernel key counts under: only the fields (family with daddr,
 * which it qualifies); everything else zero. */
void connect_key_project(const struct connect_key *key, uint32_t fields,
			 struct connect_key *out);

/* A bounded table of views, found by key (open addressing). */
struct connect_agg_table {
	uint32_t fields;		/* enum connect_key_field bits */
	size_t cap;			/* most keys it holds */
	size_t n;
	struct connect_agg *aggs;	/* [0, n) in use, in insertion order */
	uint32_t *slots;		/* index + 1 into aggs, 0 = empty */
	size_t nslots;			/* a power of two, at least 2 * cap */
};

/* 0, or -ENOMEM / -EINVAL (cap 0). */
int connect_agg_init(struct connect_agg_table *t, uint32_t fields, size_t cap);
void connect_agg_free(struct connect_agg_table *t);
/* Empties the table, keeping its memory. */
void connect_agg_reset(struct connect_agg_table *t);
/* Adds one kernel entry under its projected key; -ENOSPC if that key is
 * new and the table full. */
int connect_agg_add(struct connect_agg_table *t, const struct connect_key *key,
		    const struct connect_hist_value *value);
/* The view of exactly this (projected) key, or NULL. */
const struct connect_agg *connect_agg_find(const struct connect_agg_table *t,
					   const struct connect_key *key);
void connect_agg_swap(struct connect_agg_table *a, struct connect_agg_table *b);

/* out = cur - prev (prev NULL: cur). As lat_hist_diff(): if anything went
 * backwards the entry was re-created, and all of cur is the interval. */
void connect_agg_diff(const struct connect_agg *cur, const struct connect_agg *prev,
		      struct connect_agg *out);
/* Connects of any outcome in it. */
__u64 connect_agg_connects(const struct connect_agg *a);

/* One key's interval, for the p99 order. */
struct connect_interval {
	struct connect_agg diff;
	struct lat_summary sum;		/* of diff.latency */
};

/*
 * The intervals of every key of cur with connects since prev (prev may be
 * NULL), into out (room for cur->n), worst p99 first (keys with only
 * failures last, then by key); returns how many.
 */
size_t connect_agg_intervals(const struct connect_agg_table *cur,
			     const struct connect_agg_table *prev, struct connect_interval *out);

#endif /* TCPLAT_CONNECT_AGG_H */
