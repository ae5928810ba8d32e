/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The label sets a metric may show: the first max that appear are admitted,
 * for the life of the process; any other is refused, and its caller folds it
 * into "other". Admission never changes once given, so a series never moves
 * between its own label set and "other" (a counter that did would go
 * backwards). Memory is bounded by max keys. Pure, for the tests.
 */
#ifndef TCPLAT_SERIES_H
#define TCPLAT_SERIES_H

#include <stddef.h>
#include <stdint.h>

struct series_slot;

struct series_set {
	struct series_slot *slots;	/* open addressing, a power of two >= 2 * max */
	uint32_t nslots;
	uint32_t count;			/* keys admitted */
	uint32_t max;
};

/* 0 or -ENOMEM. max >= 1. */
int series_init(struct series_set *s, uint32_t max);
void series_free(struct series_set *s);
/*
 * The index (0 .. max-1, in order of admission) of the key of len bytes:
 * the one it was given, or a new one while fewer than max are admitted.
 * -ENOSPC if the set is full and the key is not in it; -ENOMEM.
 */
int series_admit(struct series_set *s, const void *key, size_t len);
/* The index of a key already admitted, or -ENOENT: admits nothing. */
int series_find(const struct series_set *s, const void *key, size_t len);

#endif /* TCPLAT_SERIES_H */
