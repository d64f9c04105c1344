/*
 * views/heap_pprof.c: a heap snapshot as Go's heap profile.pb.gz
 * (heap.h, heap_pprof_gzip).
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "views/heap.h"
#include "views/pprof.h"
#include "views/profile.pb-c.h"

typedef Perftools__Profiles__ValueType heap_vt;

/* The string table; strings are borrowed, deduplicated by address. */
struct heap_strings {
	struct hash index;
	const char **strs;
	size_t n, cap;
};

static int64_t
heap_str(struct heap_strings *t, const char *s)
{
	uint64_t key = (uint64_t)(uintptr_t)s;
	uint32_t id;

	if (s == NULL || *s == '\0')
		return 0;
	id = hash_find(&t->index, key, NULL, NULL, NULL);
	if (id != HASH_NONE)
		return id;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->strs = xreallocarray(t->strs, t->cap, sizeof(*t->strs));
	}
	t->strs[t->n] = s;
	hash_add(&t->index, key, (uint32_t)t->n);
	return (int64_t)t->n++;
}

struct heap_build {
	Perftools__Profiles__Profile p;
	struct heap_strings st;
	heap_vt types[HEAP_VIEW_COUNT], *type_ptrs[HEAP_VIEW_COUNT], period;
	Perftools__Profiles__Mapping *maps, **map_ptrs;
	Perftools__Profiles__Function *fns, **fn_ptrs;
	Perftools__Profiles__Location *locs, **loc_ptrs;
	Perftools__Profiles__Line *lines, **line_ptrs;
	Perftools__Profiles__Sample *samples, **sample_ptrs;
	Perftools__Profiles__Label *labels, **label_ptrs;
	uint64_t *loc_ids;
	int64_t *values, comment;
	char *version;
};

static void
heap_tables(struct heap_build *b, const struct profile_snapshot *t)
{
	Perftools__Profiles__Mapping minit = PERFTOOLS__PROFILES__MAPPING__INIT;
	Perftools__Profiles__Function finit =
		PERFTOOLS__PROFILES__FUNCTION__INIT;
	Perftools__Profiles__Location linit =
		PERFTOOLS__PROFILES__LOCATION__INIT;
	Perftools__Profiles__Line init = PERFTOOLS__PROFILES__LINE__INIT;

	b->maps = xcalloc(t->nmappings + 1, sizeof(*b->maps));
	b->map_ptrs = xcalloc(t->nmappings + 1, sizeof(*b->map_ptrs));
	for (uint32_t i = 0; i < t->nmappings; i++) {
		Perftools__Profiles__Mapping *m = &b->maps[i];

		*m = minit;
		m->id = i + 1;
		m->memory_start = t->mappings[i].start;
		m->memory_limit = t->mappings[i].limit;
		m->file_offset = t->mappings[i].offset;
		m->filename = heap_str(&b->st, t->mappings[i].path);
		m->build_id = heap_str(&b->st, t->mappings[i].build_id);
		m->has_functions = m->has_filenames = true;
		m->has_line_numbers = m->has_inline_frames = true;
		b->map_ptrs[i] = m;
	}
	b->fns = xcalloc(t->nfunctions + 1, sizeof(*b->fns));
	b->fn_ptrs = xcalloc(t->nfunctions + 1, sizeof(*b->fn_ptrs));
	for (uint32_t i = 0; i < t->nfunctions; i++) {
		const struct profile_function *fn = &t->functions[i];
		Perftools__Profiles__Function *f = &b->fns[i];

		*f = finit;
		f->id = i + 1;
		f->name = heap_str(&b->st, fn->name);
		f->system_name = heap_str(
			&b->st, fn->system_name ? fn->system_name : fn->name);
		f->filename = heap_str(&b->st, fn->file);
		f->start_line = fn->start_line;
		b->fn_ptrs[i] = f;
	}
	b->lines = xcalloc(t->nlines + 1, sizeof(*b->lines));
	b->line_ptrs = xcalloc(t->nlines + 1, sizeof(*b->line_ptrs));
	for (uint32_t i = 0; i < t->nlines; i++) {
		b->lines[i] = init;
		b->lines[i].function_id = t->lines[i].function + 1;
		b->lines[i].line = t->lines[i].line;
		b->line_ptrs[i] = &b->lines[i];
	}
	b->locs = xcalloc(t->nlocations + 1, sizeof(*b->locs));
	b->loc_ptrs = xcalloc(t->nlocations + 1, sizeof(*b->loc_ptrs));
	for (uint32_t i = 0; i < t->nlocations; i++) {
		const struct profile_location *l = &t->locations[i];
		Perftools__Profiles__Location *pl = &b->locs[i];

		*pl = linit;
		pl->id = i + 1;
		pl->address = l->address;
		if (l->mapping < t->nmappings)
			pl->mapping_id = l->mapping + 1;
		pl->n_line = l->nlines;
		pl->line = b->line_ptrs + l->first_line;
		b->loc_ptrs[i] = pl;
	}
	b->p.n_mapping = t->nmappings;
	b->p.mapping = b->map_ptrs;
	b->p.n_function = t->nfunctions;
	b->p.function = b->fn_ptrs;
	b->p.n_location = t->nlocations;
	b->p.location = b->loc_ptrs;
}

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
		b->labels[n].key = heap_str(&b->st, "bytes");
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
			heap_str(&b->st, heap_view_name((enum heap_view)i));
		b->types[i].unit = heap_str(&b->st, units[i]);
		b->type_ptrs[i] = &b->types[i];
	}
	b->period = init;
	b->period.type = heap_str(&b->st, "space");
	b->period.unit = heap_str(&b->st, "bytes");
	b->p.n_sample_type = HEAP_VIEW_COUNT;
	b->p.sample_type = b->type_ptrs;
	b->p.period_type = &b->period;
	b->p.period = (int64_t)rate;
}

void
heap_pprof_gzip(const struct heapprof_snapshot *s, uint8_t **buf, size_t *len)
{
	struct heap_build b;
	Perftools__Profiles__Profile init = PERFTOOLS__PROFILES__PROFILE__INIT;
	uint8_t *raw;
	size_t n;

	memset(&b, 0, sizeof(b));
	b.p = init;
	hash_init(&b.st.index);
	b.st.cap = 256;
	b.st.strs = xcalloc(b.st.cap, sizeof(*b.st.strs));
	b.st.strs[b.st.n++] = ""; /* index 0 */
	heap_types(&b, s->rate);
	heap_tables(&b, s->tables);
	heap_samples(&b, s);
	b.p.time_nanos = s->start_unix_ns;
	b.p.duration_nanos = s->duration_ns;
	b.version = xasprintf("cproftop %s heap", PACKAGE_VERSION);
	b.comment = heap_str(&b.st, b.version);
	b.p.n_comment = 1;
	b.p.comment = &b.comment;
	b.p.n_string_table = b.st.n;
	b.p.string_table = (char **)b.st.strs;
	n = perftools__profiles__profile__get_packed_size(&b.p);
	raw = xmalloc(n + 1);
	perftools__profiles__profile__pack(&b.p, raw);
	*buf = pprof_gzip(raw, n, len);
	free(raw);
	hash_free(&b.st.index);
	free(b.st.strs);
	free(b.maps);
	free(b.map_ptrs);
	free(b.fns);
	free(b.fn_ptrs);
	free(b.lines);
	free(b.line_ptrs);
	free(b.locs);
	free(b.loc_ptrs);
	free(b.samples);
	free(b.sample_ptrs);
	free(b.labels);
	free(b.label_ptrs);
	free(b.values);
	free(b.loc_ids);
	free(b.version);
}
