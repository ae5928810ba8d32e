// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "connect_agg.h"

int connect_outcome_class(int32_t outcome)
{
	switch (outcome) {
	case CONNECT_ESTABLISHED:
		return -1;
	case ECONNREFUSED:
		return CONNECT_OC_REFUSED;
	case ETIMEDOUT:
		return CONNECT_OC_TIMEOUT;
	case EHOSTUNREACH:
	case ENETUNREACH:
		return CONNECT_OC_UNREACHABLE;
	case CONNECT_ABORTED:
		return CONNECT_OC_ABORTED;
	}
	return CONNECT_OC_OTHER;
}

const char *connect_outcome_class_name(int cls)
{
	static const char *const names[CONNECT_OC_MAX] = {
		[CONNECT_OC_REFUSED] = "refused",
		[CONNECT_OC_TIMEOUT] = "timeout",
		[CONNECT_OC_UNREACHABLE] = "unreachable",
		[CONNECT_OC_ABORTED] = "aborted",
		[CONNECT_OC_OTHER] = "other",
	};

	return cls >= 0 && cls < CONNECT_OC_MAX ? names[cls] : "?";
}

void connect_key_project(const struct connect_key *key, uint32_t fields, struct connect_key *out)
{
	memset(out, 0, sizeof(*out));
	if (fields & CONNECT_KEY_DADDR) {
		out->family = key->family;
		memcpy(out->daddr, key->daddr, sizeof(out->daddr));
	}
	if (fields & CONNECT_KEY_DPORT)
		out->dport = key->dport;
	if (fields & CONNECT_KEY_COMM)
		memcpy(out->comm, key->comm, sizeof(out->comm));
	if (fields & CONNECT_KEY_CGROUP)
		out->cgroup_id = key->cgroup_id;
}

int connect_agg_init(struct connect_agg_table *t, uint32_t fields, size_t cap)
{
	memset(t, 0, sizeof(*t));
	if (!cap)
		return -EINVAL;
	t->fields = fields;
	t->cap = cap;
	for (t->nslots = 16; t->nslots < 2 * cap; t->nslots *= 2)
		;
	t->aggs = calloc(cap, sizeof(*t->aggs));
	t->slots = calloc(t->nslots, sizeof(*t->slots));
	if (!t->aggs || !t->slots) {
		connect_agg_free(t);
		return -ENOMEM;
	}
	return 0;
}

void connect_agg_free(struct connect_agg_table *t)
{
	free(t->aggs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

void connect_agg_reset(struct connect_agg_table *t)
{
	memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	t->n = 0;
}

void connect_agg_swap(struct connect_agg_table *a, struct connect_agg_table *b)
{
	struct connect_agg_table tmp = *a;

	*a = *b;
	*b = tmp;
}

/* FNV-1a over the key's bytes. */
static size_t key_hash(const struct connect_key *key)
{
	const unsigned char *p = (const unsigned char *)key;
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot holding key, or the empty one where it would go. */
static uint32_t *find_slot(const struct connect_agg_table *t, const struct connect_key *key)
{
	size_t mask = t->nslots - 1, i = key_hash(key) & mask;

	/* Terminates: at most cap of the (at least 2 * cap) slots are used. */
	while (t->slots[i] && memcmp(&t->aggs[t->slots[i] - 1].key, key, sizeof(*key)))
		i = (i + 1) & mask;
	return &t->slots[i];
}

const struct connect_agg *connect_agg_find(const struct connect_agg_table *t,
					   const struct connect_key *key)
{
	uint32_t *slot = find_slot(t, key);

	return *slot ? &t->aggs[*slot - 1] : NULL;
}

int connect_agg_add(struct connect_agg_table *t, const struct connect_key *key,
		    const struct connect_hist_value *value)
{
	struct connect_key view;
	struct connect_agg *a;
	uint32_t *slot;
	int cls;

	connect_key_project(key, t->fields, &view);
	slot = find_slot(t, &view);
	if (!*slot) {
		if (t->n >= t->cap)
			return -ENOSPC;
		a = &t->aggs[t->n++];
		memset(a, 0, sizeof(*a));
		a->key = view;
		*slot = t->n;
	}
	a = &t->aggs[*slot - 1];
	cls = connect_outcome_class(key->outcome);
	if (cls < 0)
		lat_hist_add(&a->latency, &value->hist);
	else
		a->failed[cls] += value->hist.count;
	a->syn_retrans += value->syn_retrans;
	return 0;
}

void connect_agg_diff(const struct connect_agg *cur, const struct connect_agg *prev,
		      struct connect_agg *out)
{
	bool back = false;
	int i;

	out->key = cur->key;
	lat_hist_diff(&cur->latency, prev ? &prev->latency : NULL, &out->latency);
	if (prev) {
		back = cur->syn_retrans < prev->syn_retrans;
		for (i = 0; i < CONNECT_OC_MAX; i++)
			back |= cur->failed[i] < prev->failed[i];
	}
	for (i = 0; i < CONNECT_OC_MAX; i++)
		out->failed[i] = cur->failed[i] - (prev && !back ? prev->failed[i] : 0);
	out->syn_retrans = cur->syn_retrans - (prev && !back ? prev->syn_retrans : 0);
}

__u64 connect_agg_connects(const struct connect_agg *a)
{
	__u64 n = a->latency.count;

	for (int i = 0; i < CONNECT_OC_MAX; i++)
		n += a->failed[i];
	return n;
}

static int by_p99_desc(const void *pa, const void *pb)
{
	const struct connect_interval *a = pa, *b = pb;

	if (a->sum.p99_us != b->sum.p99_us)
		return a->sum.p99_us < b->sum.p99_us ? 1 : -1;
	return memcmp(&a->diff.key, &b->diff.key, sizeof(a->diff.key));
}

size_t connect_agg_intervals(const struct connect_agg_table *cur,
			     const struct connect_agg_table *prev, struct connect_interval *out)
{
	size_t i, n = 0;

	for (i = 0; i < cur->n; i++) {
		const struct connect_agg *a = &cur->aggs[i];
		struct connect_interval *iv = &out[n];

		connect_agg_diff(a, prev ? connect_agg_find(prev, &a->key) : NULL, &iv->diff);
		if (!connect_agg_connects(&iv->diff))
			continue;
		lat_hist_summarize(&iv->diff.latency, &iv->sum);
		n++;
	}
	qsort(out, n, sizeof(*out), by_p99_desc);
	return n;
}
