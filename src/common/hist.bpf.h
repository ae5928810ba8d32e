/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel side of the shared latency histogram (hist.h): adding a value, and
 * finding or creating the value of a key in a bounded per-key table. Every
 * feature's BPF object uses these, so that connect, rtt and the exporter
 * read one layout filled one way.
 */
#ifndef TCPLAT_HIST_BPF_H
#define TCPLAT_HIST_BPF_H

#include "hist.h"

#ifndef EEXIST
#define EEXIST 17
#endif

/*
 * Adds one value in microseconds. Atomic adds: the per-key tables are
 * shared between CPUs (a per-CPU hash of 4 KiB values would cost keys x
 * CPUs x 4 KiB). log2_ms: the bcc-style slots count milliseconds, not
 * microseconds; the fine buckets always count microseconds.
 */
static __always_inline void lat_hist_record(struct lat_hist *h, __u32 us, bool log2_ms)
{
	__u32 slot = hist_log2(log2_ms ? us / 1000 : us);
	__u32 fine = hist_fine_index(us);

	__sync_fetch_and_add(&h->count, 1);
	__sync_fetch_and_add(&h->sum_us, us);
	if (slot < HIST_LOG2_SLOTS)
		__sync_fetch_and_add(&h->log2[slot], 1);
	if (fine < HIST_FINE_SLOTS)
		__sync_fetch_and_add(&h->fine[fine], 1);
}

/*
 * The value of key in a BPF hash `table`, inserted as a copy of the single
 * element of the array `zero_table` when missing (values are too large for
 * the BPF stack). NULL when the table is full: the caller counts that, so no
 * value is lost silently. Not LRU on purpose: an eviction would drop a key's
 * history without a trace.
 */
static __always_inline void *hist_table_get(void *table, const void *key, void *zero_table)
{
	__u32 idx = 0;
	void *value, *zero;
	long err;

	value = bpf_map_lookup_elem(table, key);
	if (value)
		return value;
	zero = bpf_map_lookup_elem(zero_table, &idx);
	if (!zero)
		return NULL;
	/* -EEXIST is another CPU winning the race: fine; anything else
	 * (-E2BIG, -ENOMEM) means the table is full. */
	err = bpf_map_update_elem(table, key, zero, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return NULL;
	return bpf_map_lookup_elem(table, key);
}

#endif /* TCPLAT_HIST_BPF_H */
