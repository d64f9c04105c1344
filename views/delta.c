#include "config.h"

#include "views/delta.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"

/* The index of (stack, thread) in index; -1 when absent and !add. */
static long
delta_key(struct hash *index, const struct profile_count *c, uint32_t *n,
	  struct profile_count **keys, size_t *cap, int add)
{
	uint64_t key = ((uint64_t)c->stack << 32) | c->thread;
	uint32_t id = hash_find(index, key, NULL, NULL, NULL);

	if (id != HASH_NONE)
		return id;
	if (!add)
		return -1;
	hash_add(index, key, *n);
	*ARRAY_PUSH(*keys, *n, *cap) =
		(struct profile_count){c->stack, c->thread, 0, 0, 0};
	return *n - 1;
}

void
delta_view(const struct profile_snapshot *from,
	   const struct profile_snapshot *to, struct profile_snapshot *out,
	   struct profile_count **counts)
{
	struct profile_count *res = NULL;
	struct hash index;
	uint64_t *sum, *base; /* on, off per key */
	uint32_t n = 0, kept = 0;
	size_t cap = 0;

	*out = *to;
	out->refs = 0;
	if (from != NULL && from->start_unix_ns != to->start_unix_ns)
		from = NULL; /* reset in between: the window starts there */
	hash_init(&index);
	for (uint32_t i = 0; i < to->ncounts; i++)
		delta_key(&index, &to->counts[i], &n, &res, &cap, 1);
	sum = xcalloc((size_t)n * 2 + 1, sizeof(*sum));
	base = xcalloc((size_t)n * 2 + 1, sizeof(*base));
	for (uint32_t i = 0; i < to->ncounts; i++) {
		long k = delta_key(&index, &to->counts[i], &n, &res, &cap, 0);

		sum[2 * k] += to->counts[i].on_cpu;
		sum[2 * k + 1] += to->counts[i].off_cpu;
	}
	for (uint32_t i = 0; from != NULL && i < from->ncounts; i++) {
		long k = delta_key(&index, &from->counts[i], &n, &res, &cap, 0);

		if (k < 0)
			continue; /* counts never vanish but by a reset */
		base[2 * k] += from->counts[i].on_cpu;
		base[2 * k + 1] += from->counts[i].off_cpu;
	}
	out->samples = 0;
	for (uint32_t k = 0; k < n; k++) {
		uint64_t on =
			sum[2 * k] > base[2 * k] ? sum[2 * k] - base[2 * k] : 0;
		uint64_t off = sum[2 * k + 1] > base[2 * k + 1]
				       ? sum[2 * k + 1] - base[2 * k + 1]
				       : 0;

		if (on == 0 && off == 0)
			continue;
		res[kept] = res[k];
		res[kept].second = to->now_second;
		res[kept].on_cpu = on > UINT32_MAX ? UINT32_MAX : (uint32_t)on;
		res[kept].off_cpu =
			off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
		out->samples += (uint64_t)res[kept].on_cpu + res[kept].off_cpu;
		kept++;
	}
	free(sum);
	free(base);
	hash_free(&index);
	if (from != NULL) {
		out->start_unix_ns = from->start_unix_ns + from->duration_ns;
		out->duration_ns = to->duration_ns > from->duration_ns
					   ? to->duration_ns - from->duration_ns
					   : 0;
	}
	*counts = res;
	out->counts = res;
	out->ncounts = kept;
}
