/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user side's view of the kernel's cumulative listener table: snapshots
 * per listener, interval differences, and groups (--by). No printing: the
 * summary, --hist and the exporter read it. accept_table_read() and
 * accept_table_advance() touch the map; everything else is pure.
 */
#ifndef TCPLAT_ACCEPT_TABLE_H
#define TCPLAT_ACCEPT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "accept.h"
#include "accept_opts.h"

struct accept_row {
	__u64 key;			/* the listener table's key */
	struct accept_listener cur;	/* as last read (cumulative) */
	struct accept_listener prev;	/* at the start of the interval */
	bool present;			/* found by the last read */
};

struct accept_table {
	struct accept_row *rows;
	size_t nrows;
	size_t cap;			/* the kernel table's size */
};

int accept_table_init(struct accept_table *t, size_t cap);
void accept_table_free(struct accept_table *t);
/* Reads every listener of the map into cur; new ones start with prev zero.
 * 0 or -errno. */
int accept_table_read(struct accept_table *t, int map_fd);
/*
 * Ends an interval: prev = cur; drops the rows that left the map, and the
 * closed ones, deleting those from the map (after their last interval was
 * shown, so nothing they counted is lost). map_fd < 0: no deletes.
 */
void accept_table_advance(struct accept_table *t, int map_fd);

/*
 * out = cur - prev (prev NULL: out = cur). The queue peak is kept only if it
 * was recorded in `epoch` (this interval); a counter below prev's means the
 * entry was re-created: out = cur. out may alias cur.
 */
void accept_listener_diff(const struct accept_listener *cur, const struct accept_listener *prev,
			  __u32 epoch, struct accept_listener *out);
/* dst += src: counters and histograms added, queue peak the larger,
 * backlogs added (a group's backlog is its listeners' total). */
void accept_listener_add(struct accept_listener *dst, const struct accept_listener *src);
/* Whether two listeners fall in the same --by group. */
bool accept_same_group(const struct accept_listener_id *a, const struct accept_listener_id *b,
		       enum accept_by by);
/*
 * The interval (cur - prev) of every row, grouped by `by`, into out[0..max):
 * a group's id keeps only the fields of its key (and the owner of its first
 * listener). interval false: the totals since tracing started (cur alone).
 * Returns the number of groups.
 */
size_t accept_table_group(const struct accept_table *t, enum accept_by by, bool interval,
			  __u32 epoch, struct accept_listener *out, size_t max);

#endif /* TCPLAT_ACCEPT_TABLE_H */
