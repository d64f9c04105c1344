#ifndef CPT_SAMPLER_IDX_H
#define CPT_SAMPLER_IDX_H

/*
 * An open-addressing hash index of uint32 ids. The index stores only ids and
 * their hashes; the caller owns the items and supplies equality, so one
 * structure serves strings, locations, stacks and counts. Not thread-safe.
 */

#include <stddef.h>
#include <stdint.h>

struct idx {
	uint64_t *hashes;
	uint32_t *ids;
	size_t cap, n; /* cap is a power of two, 0 when empty */
};

/* Compares the caller's item id with the key being looked up. */
typedef int (*idx_eq_fn)(uint32_t id, const void *key, void *arg);

/*
 * Finds the id whose hash is h and that eq() says equals key. Returns the id,
 * or UINT32_MAX when absent. O(1) expected.
 */
uint32_t idx_find(const struct idx *x, uint64_t h, idx_eq_fn eq,
		  const void *key, void *arg);

/* Adds id under hash h (the caller checked it is absent). Grows as needed. */
void idx_add(struct idx *x, uint64_t h, uint32_t id);

/* Empties the index, keeping its memory. */
void idx_clear(struct idx *x);

/* Frees the index's memory; x may be reused (empty) afterwards. */
void idx_free(struct idx *x);

/* Bytes the index uses. */
size_t idx_bytes(const struct idx *x);

/* Hash helpers: a 64-bit mix of one value, and of a byte string. */
uint64_t idx_hash64(uint64_t v);
uint64_t idx_hash_bytes(const void *p, size_t len, uint64_t seed);

#endif
