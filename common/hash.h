#ifndef CPT_COMMON_HASH_H
#define CPT_COMMON_HASH_H

/*
 * The one hash table: an open-addressing index from 64-bit hashes to
 * uint32 ids. It stores only the ids and their hashes; the caller owns the
 * items the ids name and, where a hash is not the whole key, supplies the
 * equality (so one structure serves strings, locations, stacks, counts and
 * tree nodes). A zeroed struct hash is an empty table. One thread at a time.
 * Cost: O(1) expected per find or add; 12 bytes a slot, at most 3/4 full.
 */

#include <stddef.h>
#include <stdint.h>

struct hash {
	uint64_t *hashes;
	uint32_t *ids;
	size_t cap, n; /* cap is a power of two, 0 when empty */
};

/* The id hash_find() returns for "absent"; never add it. */
#define HASH_NONE UINT32_MAX

/* Nonzero when the caller's item id equals key (arg: the caller's). */
typedef int (*hash_eq_fn)(uint32_t id, const void *key, void *arg);

/* Makes h an empty table (the same as zeroing it). */
void hash_init(struct hash *h);

/*
 * The id added under hash hv that eq() says equals key, or HASH_NONE. With
 * eq NULL, hv is the whole key: the first id added under hv. Borrowed
 * arguments; h is not changed.
 */
uint32_t hash_find(const struct hash *h, uint64_t hv, hash_eq_fn eq,
		   const void *key, void *arg);

/* Adds id under hv (the caller checked it is absent); grows as needed. */
void hash_add(struct hash *h, uint64_t hv, uint32_t id);

/* Empties the table, keeping its memory. */
void hash_clear(struct hash *h);

/* Frees the table's memory; h is an empty table afterwards. */
void hash_free(struct hash *h);

/* Bytes the table uses. */
size_t hash_bytes(const struct hash *h);

/* A 64-bit mix of one value (splitmix64's finalizer). */
uint64_t hash_u64(uint64_t v);

/* A 64-bit hash of len bytes at p (FNV-1a, then mixed), seeded. */
uint64_t hash_mem(const void *p, size_t len, uint64_t seed);

/* A 64-bit hash of a string (FNV-1a); NULL hashes like "". */
uint64_t hash_str(const char *s);

/* Mixes two 64-bit values into one (order matters). */
uint64_t hash_mix(uint64_t a, uint64_t b);

#endif
