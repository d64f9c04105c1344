#ifndef CPT_VIEWS_HASH_H
#define CPT_VIEWS_HASH_H

/*
 * Private to views/: an open-addressing map from 64-bit keys to indexes
 * (uint32_t), for interning edges, samples and strings. Keys that are
 * hashes of longer keys may collide: callers chain and compare. The map owns
 * its slots, not what the indexes refer to. One thread at a time.
 */

#include <stddef.h>
#include <stdint.h>

struct hash {
	uint64_t *keys;
	uint32_t *vals; /* HASH_EMPTY marks a free slot */
	size_t cap, n;	/* cap is a power of two */
};

#define HASH_EMPTY UINT32_MAX

/* An empty map; hash_free() releases it. */
void hash_init(struct hash *h);
void hash_free(struct hash *h);

/*
 * The slot of key: *found tells whether it holds key (then *slot is its
 * value) or is the free slot where key goes (set it with hash_put_at()
 * before any other insertion).
 */
uint32_t *hash_slot(struct hash *h, uint64_t key, int *found);

/* Stores key -> val in the free slot returned by hash_slot(); may grow. */
void hash_put_at(struct hash *h, uint32_t *slot, uint32_t val);

/* 64-bit hash of a string (FNV-1a); NULL hashes like "". */
uint64_t hash_str(const char *s);

/* Mixes two 64-bit values into one key. */
uint64_t hash_mix(uint64_t a, uint64_t b);

#endif
