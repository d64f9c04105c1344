/*
 * views/pprof_tables.c: a snapshot's tables as profile.proto messages,
 * shared by the CPU and heap encodings (pprof_tables.h).
 */
#include "config.h"

#include "views/pprof_tables.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"

static int
pprof_str_eq(uint32_t id, const void *key, void *arg)
{
	const struct pprof_strings *t = arg;

	return strcmp(t->strs[id], key) == 0;
}

int64_t
pprof_str(struct pprof_strings *t, const char *s)
{
	uint64_t h;
	uint32_t id;

	if (s == NULL || *s == '\0')
		return 0;
	h = hash_str(s);
	id = hash_find(&t->index, h, pprof_str_eq, s, t);
	if (id != HASH_NONE)
		return id;
	id = (uint32_t)t->n;
	*ARRAY_PUSH(t->strs, t->n, t->cap) = s;
	hash_add(&t->index, h, id);
	return id;
}

/* Mappings, the main binary (path == exe) first. */
static void
pprof_mappings(struct pprof_tables *b, const struct profile_snapshot *s,
	       Perftools__Profiles__Profile *p)
{
	Perftools__Profiles__Mapping init = PERFTOOLS__PROFILES__MAPPING__INIT;
	uint32_t next = 1;

	b->maps = xcalloc(s->nmappings + 1, sizeof(*b->maps));
	b->map_ptrs = xcalloc(s->nmappings + 1, sizeof(*b->map_ptrs));
	b->map_id = xcalloc(s->nmappings + 1, sizeof(*b->map_id));
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < s->nmappings; i++) {
			const struct profile_mapping *m = &s->mappings[i];
			bool main_bin = s->exe != NULL && m->path != NULL &&
					strcmp(m->path, s->exe) == 0 &&
					next == 1;
			Perftools__Profiles__Mapping *pm;

			if (b->map_id[i] != 0 || (pass == 0 && !main_bin))
				continue;
			b->map_id[i] = next++;
			pm = &b->maps[b->map_id[i] - 1];
			*pm = init;
			pm->id = b->map_id[i];
			pm->memory_start = m->start;
			pm->memory_limit = m->limit;
			pm->file_offset = m->offset;
			pm->filename = pprof_str(&b->st, m->path);
			pm->build_id = pprof_str(&b->st, m->build_id);
			pm->has_functions = pm->has_filenames = true;
			pm->has_line_numbers = pm->has_inline_frames = true;
			b->map_ptrs[pm->id - 1] = pm;
		}
	}
	p->n_mapping = s->nmappings;
	p->mapping = b->map_ptrs;
}

static void
pprof_functions(struct pprof_tables *b, const struct profile_snapshot *s,
		Perftools__Profiles__Profile *p)
{
	Perftools__Profiles__Function init =
		PERFTOOLS__PROFILES__FUNCTION__INIT;

	b->fns = xcalloc(s->nfunctions + 1, sizeof(*b->fns));
	b->fn_ptrs = xcalloc(s->nfunctions + 1, sizeof(*b->fn_ptrs));
	for (uint32_t i = 0; i < s->nfunctions; i++) {
		const struct profile_function *fn = &s->functions[i];
		Perftools__Profiles__Function *pf = &b->fns[i];

		*pf = init;
		pf->id = i + 1;
		pf->name = pprof_str(&b->st, fn->name);
		pf->system_name = pprof_str(
			&b->st, fn->system_name ? fn->system_name : fn->name);
		pf->filename = pprof_str(&b->st, fn->file);
		pf->start_line = fn->start_line;
		b->fn_ptrs[i] = pf;
	}
	p->n_function = s->nfunctions;
	p->function = b->fn_ptrs;
}

static void
pprof_locations(struct pprof_tables *b, const struct profile_snapshot *s,
		Perftools__Profiles__Profile *p)
{
	Perftools__Profiles__Location linit =
		PERFTOOLS__PROFILES__LOCATION__INIT;
	Perftools__Profiles__Line init = PERFTOOLS__PROFILES__LINE__INIT;

	b->locs = xcalloc(s->nlocations + 1, sizeof(*b->locs));
	b->loc_ptrs = xcalloc(s->nlocations + 1, sizeof(*b->loc_ptrs));
	b->lines = xcalloc(s->nlines + 1, sizeof(*b->lines));
	b->line_ptrs = xcalloc(s->nlines + 1, sizeof(*b->line_ptrs));
	for (uint32_t i = 0; i < s->nlines; i++) {
		b->lines[i] = init;
		b->lines[i].function_id = s->lines[i].function + 1;
		b->lines[i].line = s->lines[i].line;
		b->line_ptrs[i] = &b->lines[i];
	}
	for (uint32_t i = 0; i < s->nlocations; i++) {
		const struct profile_location *l = &s->locations[i];
		Perftools__Profiles__Location *pl = &b->locs[i];

		*pl = linit;
		pl->id = i + 1;
		pl->address = l->address;
		if (l->mapping != PROFILE_NONE && l->mapping < s->nmappings)
			pl->mapping_id = b->map_id[l->mapping];
		pl->n_line = l->nlines;
		pl->line = b->line_ptrs + l->first_line;
		b->loc_ptrs[i] = pl;
	}
	p->n_location = s->nlocations;
	p->location = b->loc_ptrs;
}

void
pprof_tables_init(struct pprof_tables *t)
{
	memset(t, 0, sizeof(*t));
	hash_init(&t->st.index);
	*ARRAY_PUSH(t->st.strs, t->st.n, t->st.cap) = "";
}

void
pprof_tables_build(struct pprof_tables *t, const struct profile_snapshot *s,
		   Perftools__Profiles__Profile *p)
{
	pprof_mappings(t, s, p);
	pprof_functions(t, s, p);
	pprof_locations(t, s, p);
}

void
pprof_tables_strings(struct pprof_tables *t, Perftools__Profiles__Profile *p)
{
	p->n_string_table = t->st.n;
	p->string_table = (char **)t->st.strs;
}

void
pprof_tables_free(struct pprof_tables *t)
{
	hash_free(&t->st.index);
	free(t->st.strs);
	free(t->maps);
	free(t->map_ptrs);
	free(t->map_id);
	free(t->fns);
	free(t->fn_ptrs);
	free(t->locs);
	free(t->loc_ptrs);
	free(t->lines);
	free(t->line_ptrs);
	memset(t, 0, sizeof(*t));
}
