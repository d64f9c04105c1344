#include "config.h"

#include "sampler/idx.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define IDX_EMPTY UINT32_MAX

uint64_t
idx_hash64(uint64_t v)
{
	/* splitmix64's finalizer */
	v ^= v >> 30;
	v *= 0xbf58476d1ce4e5b9ULL;
	v ^= v >> 27;
	v *= 0x94d049bb133111ebULL;
	v ^= v >> 31;
	return v;
}

uint64_t
idx_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return idx_hash64(h);
}

uint32_t
idx_find(const struct idx *x, uint64_t h, idx_eq_fn eq, const void *key,
	 void *arg)
{
	size_t mask = x->cap - 1;

	if (x->cap == 0)
		return IDX_EMPTY;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		if (x->ids[i] == IDX_EMPTY)
			return IDX_EMPTY;
		if (x->hashes[i] == h && eq(x->ids[i], key, arg))
			return x->ids[i];
	}
}

static void
idx_put(struct idx *x, uint64_t h, uint32_t id)
{
	size_t mask = x->cap - 1, i = h & mask;

	while (x->ids[i] != IDX_EMPTY)
		i = (i + 1) & mask;
	x->hashes[i] = h;
	x->ids[i] = id;
	x->n++;
}

static void
idx_grow(struct idx *x)
{
	struct idx old = *x;

	x->cap = old.cap ? old.cap * 2 : 64;
	x->n = 0;
	x->hashes = xcalloc(x->cap, sizeof(*x->hashes));
	x->ids = xmalloc(x->cap * sizeof(*x->ids));
	memset(x->ids, 0xff, x->cap * sizeof(*x->ids));
	for (size_t i = 0; i < old.cap; i++)
		if (old.ids[i] != IDX_EMPTY)
			idx_put(x, old.hashes[i], old.ids[i]);
	free(old.hashes);
	free(old.ids);
}

void
idx_add(struct idx *x, uint64_t h, uint32_t id)
{
	if ((x->n + 1) * 4 > x->cap * 3)
		idx_grow(x);
	idx_put(x, h, id);
}

void
idx_clear(struct idx *x)
{
	if (x->cap != 0)
		memset(x->ids, 0xff, x->cap * sizeof(*x->ids));
	x->n = 0;
}

void
idx_free(struct idx *x)
{
	free(x->hashes);
	free(x->ids);
	memset(x, 0, sizeof(*x));
}

size_t
idx_bytes(const struct idx *x)
{
	return x->cap * (sizeof(*x->hashes) + sizeof(*x->ids));
}
