// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <bpf/bpf.h>
#include "connect_hist.h"

int connect_hist_walk(int map_fd, connect_hist_fn fn, void *ctx)
{
	struct connect_key key, prev;
	struct connect_hist_value value;
	bool first = true;
	int err;

	/* get_next_key after a key deleted meanwhile restarts at the first
	 * key: that cannot loop, as the kernel side never deletes. */
	while (!bpf_map_get_next_key(map_fd, first ? NULL : &prev, &key)) {
		first = false;
		prev = key;
		if (bpf_map_lookup_elem(map_fd, &key, &value)) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		err = fn(ctx, &key, &value);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

static int collect_one(void *ctx, const struct connect_key *key,
		       const struct connect_hist_value *value)
{
	return connect_agg_add(ctx, key, value);
}

int connect_hist_collect(int map_fd, struct connect_agg_table *t)
{
	connect_agg_reset(t);
	return connect_hist_walk(map_fd, collect_one, t);
}
