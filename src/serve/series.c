// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "series.h"

struct series_slot {
	void *key;		/* NULL: empty */
	size_t len;
	uint64_t hash;
	uint32_t index;
};

/* FNV-1a: label sets are short and this is not exposed to collisions
 * that matter (a collision only costs a compare). */
static uint64_t hash_key(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int series_init(struct series_set *s, uint32_t max)
{
	uint32_t n = 16;

	memset(s, 0, sizeof(*s));
	if (!max || max > (1U << 24))
		return -EINVAL;
	while (n < 2 * max)
		n *= 2;
	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots)
		return -ENOMEM;
	s->nslots = n;
	s->max = max;
	return 0;
}

void series_free(struct series_set *s)
{
	uint32_t i;

	for (i = 0; s->slots && i < s->nslots; i++)
		free(s->slots[i].key);
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* The slot holding key, or the empty slot where it would go. */
static struct series_slot *probe(const struct series_set *s, const void *key, size_t len,
				 uint64_t hash)
{
	uint32_t i = hash & (s->nslots - 1);

	for (;;) {
		struct series_slot *slot = &s->slots[i];

		if (!slot->key)
			return slot;
		if (slot->hash == hash && slot->len == len && !memcmp(slot->key, key, len))
			return slot;
		i = (i + 1) & (s->nslots - 1);
	}
}

int series_find(const struct series_set *s, const void *key, size_t len)
{
	struct series_slot *slot = probe(s, key, len, hash_key(key, len));

	return slot->key ? (int)slot->index : -ENOENT;
}

int series_admit(struct series_set *s, const void *key, size_t len)
{
	uint64_t hash = hash_key(key, len);
	struct series_slot *slot = probe(s, key, len, hash);

	if (slot->key)
		return slot->index;
	/* The table is twice max, so probing always ends on an empty slot. */
	if (s->count >= s->max)
		return -ENOSPC;
	slot->key = malloc(len ? len : 1);
	if (!slot->key)
		return -ENOMEM;
	memcpy(slot->key, key, len);
	slot->len = len;
	slot->hash = hash;
	slot->index = s->count++;
	return slot->index;
}
