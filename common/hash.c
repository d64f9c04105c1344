#include "config.h"

#include "common/hash.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

uint64_t
hash_u64(uint64_t v)
{
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	return v;
}

uint64_t
hash_mem(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return hash_u64(h);
}

uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s != NULL && *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
hash_mix(uint64_t a, uint64_t b)
{
	return (a ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL ^
	       (b + 0x94d049bb133111ebULL + (a << 6) + (a >> 2));
}

void
hash_init(struct hash *h)
{
	memset(h, 0, sizeof(*h));
}

/* The first slot to probe for hv: hashes made of small integers (ids
   packed into a key) are spread over the table first. */
static size_t
hash_home(const struct hash *h, uint64_t hv)
{
	hv ^= hv >> 33;
	hv *= 0xff51afd7ed558ccdULL;
	hv ^= hv >> 33;
	return hv & (h->cap - 1);
}

uint32_t
hash_find(const struct hash *h, uint64_t hv, hash_eq_fn eq, const void *key,
	  void *arg)
{
	size_t mask = h->cap - 1;

	if (h->cap == 0)
		return HASH_NONE;
	for (size_t i = hash_home(h, hv);; i = (i + 1) & mask) {
		if (h->ids[i] == HASH_NONE)
			return HASH_NONE;
		if (h->hashes[i] == hv &&
		    (eq == NULL || eq(h->ids[i], key, arg)))
			return h->ids[i];
	}
}

static void
hash_put(struct hash *h, uint64_t hv, uint32_t id)
{
	size_t mask = h->cap - 1, i = hash_home(h, hv);

	while (h->ids[i] != HASH_NONE)
		i = (i + 1) & mask;
	h->hashes[i] = hv;
	h->ids[i] = id;
	h->n++;
}

static void
hash_grow(struct hash *h)
{
	struct hash old = *h;

	h->cap = old.cap ? old.cap * 2 : 64;
	h->n = 0;
	h->hashes = xcalloc(h->cap, sizeof(*h->hashes));
	h->ids = xmalloc(h->cap * sizeof(*h->ids));
	memset(h->ids, 0xff, h->cap * sizeof(*h->ids));
	for (size_t i = 0; i < old.cap; i++)
		if (old.ids[i] != HASH_NONE)
			hash_put(h, old.hashes[i], old.ids[i]);
	free(old.hashes);
	free(old.ids);
}

void
hash_add(struct hash *h, uint64_t hv, uint32_t id)
{
	if ((h->n + 1) * 4 > h->cap * 3)
		hash_grow(h);
	hash_put(h, hv, id);
}

void
hash_clear(struct hash *h)
{
	if (h->cap != 0)
		memset(h->ids, 0xff, h->cap * sizeof(*h->ids));
	h->n = 0;
}

void
hash_free(struct hash *h)
{
	free(h->hashes);
	free(h->ids);
	memset(h, 0, sizeof(*h));
}

size_t
hash_bytes(const struct hash *h)
{
	return h->cap * (sizeof(*h->hashes) + sizeof(*h->ids));
}
