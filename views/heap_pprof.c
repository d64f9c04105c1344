/*
 * views/heap_pprof.c: a heap snapshot as Go's heap profile.pb.gz
 * (heap.h, heap_pprof_gzip).
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "views/heap.h"
#include "views/pprof.h"
#include "views/pprof_tables.h"
#include "views/profile.pb-c.h"

typedef Perftools__Profiles__ValueType heap_vt;

struct heap_build {
	Perftools__Profiles__Profile p;
	struct pprof_tables t; /* strings, mappings to locations */
	heap_vt types[HEAP_VIEW_COUNT], *type_ptrs[HEAP_VIEW_COUNT], period;
	Perftools__Profiles__Sample *samples, **sample_ptrs;
	Perftools__Profiles__Label *labels, **label_ptrs;
	uint64_t *loc_ids;
	int64_t *values, comments[2];
	char *version, counts[512];
};

/* One sample per bucket with any value: Go's heap profile's layout. */
static void
heap_samples(struct heap_build *b, const struct heapprof_snapshot *s)
{
	const struct profile_snapshot *t = s->tables;
	Perftools__Profiles__Sample init = PERFTOOLS__PROFILES__SAMPLE__INIT;
	Perftools__Profiles__Label linit = PERFTOOLS__PROFILES__LABEL__INIT;
	size_t nlocs = 0, pos = 0, n = 0;

	for (uint32_t k = 0; k < s->nbuckets; k++)
		nlocs += t->stacks[s->buckets[k].stack].depth;
	b->samples = xcalloc(s->nbuckets + 1, sizeof(*b->samples));
	b->sample_ptrs = xcalloc(s->nbuckets + 1, sizeof(*b->sample_ptrs));
	b->labels = xcalloc(s->nbuckets + 1, sizeof(*b->labels));
	b->label_ptrs = xcalloc(s->nbuckets + 1, sizeof(*b->label_ptrs));
	b->values = xcalloc(HEAP_VIEW_COUNT * (s->nbuckets + 1),
			    sizeof(*b->values));
	b->loc_ids = xcalloc(nlocs + 1, sizeof(*b->loc_ids));
	for (uint32_t k = 0; k < s->nbuckets; k++) {
		const struct profile_stack *st =
			&t->stacks[s->buckets[k].stack];
		Perftools__Profiles__Sample *ps = &b->samples[n];
		int64_t *v = b->values + HEAP_VIEW_COUNT * n;

		heap_bucket_values(s, k, v);
		/* (a delta's bucket may hold frees only) */
		if ((v[HEAP_VIEW_ALLOC_OBJECTS] == 0 &&
		     v[HEAP_VIEW_INUSE_OBJECTS] == 0) ||
		    st->depth == 0)
			continue;
		*ps = init;
		ps->n_value = HEAP_VIEW_COUNT;
		ps->value = v;
		ps->n_location_id = st->depth;
		ps->location_id = b->loc_ids + pos;
		for (uint32_t d = 0; d < st->depth; d++)
			b->loc_ids[pos++] =
				t->stack_locations[st->first + d] + 1;
		b->labels[n] = linit;
		b->labels[n].key = pprof_str(&b->t.st, "bytes");
		b->labels[n].num = (int64_t)s->buckets[k].size;
		b->label_ptrs[n] = &b->labels[n];
		ps->n_label = 1;
		ps->label = b->label_ptrs + n;
		b->sample_ptrs[n++] = ps;
	}
	b->p.n_sample = n;
	b->p.sample = b->sample_ptrs;
}

static void
heap_types(struct heap_build *b, uint64_t rate)
{
	static const char *const units[HEAP_VIEW_COUNT] = {"count", "bytes",
							   "count", "bytes"};
	heap_vt init = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;

	for (int i = 0; i < HEAP_VIEW_COUNT; i++) {
		b->types[i] = init;
		b->types[i].type =
			pprof_str(&b->t.st, heap_view_name((enum heap_view)i));
		b->types[i].unit = pprof_str(&b->t.st, units[i]);
		b->type_ptrs[i] = &b->types[i];
	}
	b->period = init;
	b->period.type = pprof_str(&b->t.st, "space");
	b->period.unit = pprof_str(&b->t.st, "bytes");
	b->p.n_sample_type = HEAP_VIEW_COUNT;
	b->p.sample_type = b->type_ptrs;
	b->p.period_type = &b->period;
	b->p.period = (int64_t)rate;
}

void
heap_pprof_gzip(const struct heapprof_snapshot *s, enum heap_view def,
		uint8_t **buf, size_t *len)
{
	struct heap_build b;
	Perftools__Profiles__Profile init = PERFTOOLS__PROFILES__PROFILE__INIT;
	uint8_t *raw;
	size_t n;

	memset(&b, 0, sizeof(b));
	b.p = init;
	pprof_tables_init(&b.t);
	heap_types(&b, s->rate);
	b.p.default_sample_type = pprof_str(&b.t.st, heap_view_name(def));
	pprof_tables_build(&b.t, s->tables, &b.p);
	heap_samples(&b, s);
	b.p.time_nanos = s->start_unix_ns;
	b.p.duration_nanos = s->duration_ns;
	b.version = xasprintf("cproftop %s heap", PACKAGE_VERSION);
	b.comments[0] = pprof_str(&b.t.st, b.version);
	/* the samples and what was lost, as the live screen's header says
	   (go tool pprof -comments) */
	heap_counts(b.counts, sizeof(b.counts), s);
	b.comments[1] = pprof_str(&b.t.st, b.counts);
	b.p.n_comment = 2;
	b.p.comment = b.comments;
	pprof_tables_strings(&b.t, &b.p);
	n = perftools__profiles__profile__get_packed_size(&b.p);
	raw = xmalloc(n + 1);
	perftools__profiles__profile__pack(&b.p, raw);
	*buf = pprof_gzip(raw, n, len);
	free(raw);
	pprof_tables_free(&b.t);
	free(b.samples);
	free(b.sample_ptrs);
	free(b.labels);
	free(b.label_ptrs);
	free(b.values);
	free(b.loc_ids);
	free(b.version);
}
