// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "accept_table.h"
#include "hist_view.h"

int accept_table_init(struct accept_table *t, size_t cap)
{
	t->rows = calloc(cap, sizeof(*t->rows));
	t->nrows = 0;
	t->cap = cap;
	return t->rows ? 0 : -ENOMEM;
}

void accept_table_free(struct accept_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

static struct accept_row *find_row(struct accept_table *t, __u64 key)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].key == key)
			return &t->rows[i];
	return NULL;
}

int accept_table_read(struct accept_table *t, int map_fd)
{
	__u64 key, *prev_key = NULL, probe;
	struct accept_row *row;

	for (size_t i = 0; i < t->nrows; i++)
		t->rows[i].present = false;
	while (!bpf_map_get_next_key(map_fd, prev_key, &key)) {
		probe = key;
		prev_key = &probe;
		row = find_row(t, key);
		if (!row) {
			if (t->nrows >= t->cap)
				break;	/* cannot happen: the map holds cap keys */
			row = &t->rows[t->nrows++];
			memset(row, 0, sizeof(*row));
			row->key = key;
		}
		if (bpf_map_lookup_elem(map_fd, &key, &row->cur)) {
			if (errno != ENOENT)
				return -errno;
			continue;	/* deleted under us */
		}
		row->present = true;
	}
	if (errno != ENOENT)
		return -errno;
	return 0;
}

void accept_table_advance(struct accept_table *t, int map_fd)
{
	for (size_t i = 0; i < t->nrows;) {
		struct accept_row *row = &t->rows[i];

		if (row->present && row->cur.closed && map_fd >= 0)
			bpf_map_delete_elem(map_fd, &row->key);
		if (!row->present || row->cur.closed) {
			*row = t->rows[--t->nrows];
			continue;
		}
		row->prev = row->cur;
		i++;
	}
}

void accept_listener_diff(const struct accept_listener *cur, const struct accept_listener *prev,
			  __u32 epoch, struct accept_listener *out)
{
	bool fresh = !prev;
	int i;

	for (i = 0; !fresh && i < ACC_COUNTER_MAX; i++)
		if (cur->counters[i] < prev->counters[i])
			fresh = true;
	if (out != cur)
		out->id = cur->id;
	for (i = 0; i < ACC_COUNTER_MAX; i++)
		out->counters[i] = cur->counters[i] - (fresh ? 0 : prev->counters[i]);
	lat_hist_diff(&cur->hs, fresh ? NULL : &prev->hs, &out->hs);
	lat_hist_diff(&cur->wait, fresh ? NULL : &prev->wait, &out->wait);
	out->qlen_peak = cur->qlen_peak_epoch == epoch ? cur->qlen_peak : 0;
	out->qlen_peak_epoch = epoch;
	out->closed = cur->closed;
	out->pad = 0;
}

void accept_listener_add(struct accept_listener *dst, const struct accept_listener *src)
{
	for (int i = 0; i < ACC_COUNTER_MAX; i++)
		dst->counters[i] += src->counters[i];
	lat_hist_add(&dst->hs, &src->hs);
	lat_hist_add(&dst->wait, &src->wait);
	if (src->qlen_peak > dst->qlen_peak)
		dst->qlen_peak = src->qlen_peak;
	dst->id.backlog += src->id.backlog;
	dst->closed &= src->closed;
}

bool accept_same_group(const struct accept_listener_id *a, const struct accept_listener_id *b,
		       enum accept_by by)
{
	switch (by) {
	case ACCEPT_BY_LPORT:
		return a->lport == b->lport;
	case ACCEPT_BY_LADDR:
		return a->family == b->family && !memcmp(a->laddr, b->laddr, sizeof(a->laddr));
	default:
		return false;	/* every listener on its own */
	}
}

/* The id a group shows: the fields of its key, and its first owner. */
static void group_id(const struct accept_listener_id *src, enum accept_by by,
		     struct accept_listener_id *dst)
{
	*dst = *src;
	dst->backlog = 0;
	if (by == ACCEPT_BY_LPORT) {
		dst->family = 0;
		memset(dst->laddr, 0, sizeof(dst->laddr));
	} else if (by == ACCEPT_BY_LADDR) {
		dst->lport = 0;
	}
	if (by != ACCEPT_BY_LISTENER)
		dst->netns = 0;
}

size_t accept_table_group(const struct accept_table *t, enum accept_by by, bool interval,
			  __u32 epoch, struct accept_listener *out, size_t max)
{
	struct accept_listener diff;
	size_t n = 0, g;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct accept_row *row = &t->rows[i];

		if (!row->present)
			continue;
		accept_listener_diff(&row->cur, interval ? &row->prev : NULL, epoch, &diff);
		if (!interval)
			diff.qlen_peak = row->cur.qlen_peak;
		for (g = 0; g < n; g++)
			if (accept_same_group(&out[g].id, &diff.id, by))
				break;
		if (g == n) {
			if (n >= max)
				break;
			memset(&out[n], 0, sizeof(out[n]));
			group_id(&diff.id, by, &out[n].id);
			out[n].closed = 1;
			n++;
		}
		accept_listener_add(&out[g], &diff);
	}
	return n;
}
