#include "config.h"

#include "sampler/profile.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Copies n elements of size sz from src into the block at *cursor. */
static const void *
profile_take(char **cursor, const void *src, size_t n, size_t sz)
{
	void *dst = *cursor;

	if (n == 0)
		return NULL;
	memcpy(dst, src, n * sz);
	*cursor += (n * sz + 15) & ~(size_t)15;
	return dst;
}

static size_t
profile_space(size_t n, size_t sz)
{
	return (n * sz + 15) & ~(size_t)15;
}

struct profile_snapshot *
profile_snapshot_copy(const struct profile_snapshot *src)
{
	struct profile_snapshot *s;
	uint32_t nstack_locs = 0;
	size_t size;
	char *cursor;

	for (uint32_t i = 0; i < src->nstacks; i++) {
		uint32_t end = src->stacks[i].first + src->stacks[i].depth;
		if (end > nstack_locs)
			nstack_locs = end;
	}
	size = profile_space(1, sizeof(*s)) +
	       profile_space(src->nmappings, sizeof(*src->mappings)) +
	       profile_space(src->nfunctions, sizeof(*src->functions)) +
	       profile_space(src->nlines, sizeof(*src->lines)) +
	       profile_space(src->nlocations, sizeof(*src->locations)) +
	       profile_space(nstack_locs, sizeof(*src->stack_locations)) +
	       profile_space(src->nstacks, sizeof(*src->stacks)) +
	       profile_space(src->nthreads, sizeof(*src->threads)) +
	       profile_space(src->ncounts, sizeof(*src->counts));
	s = xmalloc(size);
	*s = *src;
	s->refs = 1;
	cursor = (char *)s + profile_space(1, sizeof(*s));
	s->mappings = profile_take(&cursor, src->mappings, src->nmappings,
				   sizeof(*src->mappings));
	s->functions = profile_take(&cursor, src->functions, src->nfunctions,
				    sizeof(*src->functions));
	s->lines = profile_take(&cursor, src->lines, src->nlines,
				sizeof(*src->lines));
	s->locations = profile_take(&cursor, src->locations, src->nlocations,
				    sizeof(*src->locations));
	s->stack_locations =
		profile_take(&cursor, src->stack_locations, nstack_locs,
			     sizeof(*src->stack_locations));
	s->stacks = profile_take(&cursor, src->stacks, src->nstacks,
				 sizeof(*src->stacks));
	s->threads = profile_take(&cursor, src->threads, src->nthreads,
				  sizeof(*src->threads));
	s->counts = profile_take(&cursor, src->counts, src->ncounts,
				 sizeof(*src->counts));
	return s;
}

struct profile_snapshot *
profile_snapshot_ref(struct profile_snapshot *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void
profile_snapshot_unref(struct profile_snapshot *s)
{
	if (s != NULL && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(s);
}
