#include "config.h"

#include "views/hash.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static void
hash_alloc(struct hash *h, size_t cap)
{
	h->cap = cap;
	h->n = 0;
	h->keys = xcalloc(cap, sizeof(*h->keys));
	h->vals = xmalloc(cap * sizeof(*h->vals));
	memset(h->vals, 0xff, cap * sizeof(*h->vals));
}

void
hash_init(struct hash *h)
{
	hash_alloc(h, 64);
}

void
hash_free(struct hash *h)
{
	free(h->keys);
	free(h->vals);
	memset(h, 0, sizeof(*h));
}

static size_t
hash_index(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key & (cap - 1);
}

uint32_t *
hash_slot(struct hash *h, uint64_t key, int *found)
{
	size_t i = hash_index(key, h->cap);

	while (h->vals[i] != HASH_EMPTY) {
		if (h->keys[i] == key) {
			*found = 1;
			return &h->vals[i];
		}
		i = (i + 1) & (h->cap - 1);
	}
	*found = 0;
	h->keys[i] = key;
	return &h->vals[i];
}

static void
hash_grow(struct hash *h)
{
	struct hash old = *h;
	int found;

	hash_alloc(h, old.cap * 2);
	for (size_t i = 0; i < old.cap; i++) {
		if (old.vals[i] == HASH_EMPTY)
			continue;
		*hash_slot(h, old.keys[i], &found) = old.vals[i];
		h->n++;
	}
	hash_free(&old);
}

void
hash_put_at(struct hash *h, uint32_t *slot, uint32_t val)
{
	*slot = val;
	if (++h->n * 2 > h->cap)
		hash_grow(h);
}

uint64_t
hash_str(const char *s)
{
	uint64_t x = 0xcbf29ce484222325ULL;

	for (; s != NULL && *s != '\0'; s++) {
		x ^= (unsigned char)*s;
		x *= 0x100000001b3ULL;
	}
	return x;
}

uint64_t
hash_mix(uint64_t a, uint64_t b)
{
	return (a ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL ^
	       (b + 0x94d049bb133111ebULL + (a << 6) + (a >> 2));
}
