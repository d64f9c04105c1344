#include "config.h"

#include "sampler/aggregate.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"

struct location_key {
	uint64_t pc;
	bool is_return;
	uint32_t space; /* aggregate_set_space() */
};

struct function_key {
	const char *name, *file;
};

struct mapping_key {
	const char *path;
	uint64_t start;
};

struct stack_key {
	const uint32_t *locs;
	uint32_t depth;
	bool truncated;
};

struct count_key {
	uint32_t stack, thread, second;
};

struct aggregate {
	ARRAY(char *) strings;
	size_t string_bytes;
	ARRAY(struct profile_mapping) mappings;
	ARRAY(struct profile_function) functions;
	ARRAY(struct profile_line) lines;
	ARRAY(struct profile_location) locations;
	ARRAY(bool) location_is_return;
	ARRAY(uint32_t) location_space;
	uint32_t space; /* the address space of new look-ups */
	ARRAY(uint32_t) stack_locations;
	ARRAY(struct profile_stack) stacks;
	ARRAY(struct profile_thread) threads;
	ARRAY(struct profile_count) counts;
	struct hash string_idx, mapping_idx, function_idx, address_idx;
	struct hash stack_idx, thread_idx, count_idx;
};

struct aggregate *
aggregate_new(void)
{
	return xcalloc(1, sizeof(struct aggregate));
}

void
aggregate_free(struct aggregate *g)
{
	if (g == NULL)
		return;
	for (uint32_t i = 0; i < g->strings.n; i++)
		free(g->strings.v[i]);
	free(g->strings.v);
	free(g->mappings.v);
	free(g->functions.v);
	free(g->lines.v);
	free(g->locations.v);
	free(g->location_is_return.v);
	free(g->location_space.v);
	free(g->stack_locations.v);
	free(g->stacks.v);
	free(g->threads.v);
	free(g->counts.v);
	hash_free(&g->string_idx);
	hash_free(&g->mapping_idx);
	hash_free(&g->function_idx);
	hash_free(&g->address_idx);
	hash_free(&g->stack_idx);
	hash_free(&g->thread_idx);
	hash_free(&g->count_idx);
	free(g);
}

static int
aggregate_string_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;

	return strcmp(g->strings.v[id], key) == 0;
}

const char *
aggregate_string(struct aggregate *g, const char *s)
{
	uint64_t h;
	uint32_t id;

	if (s == NULL)
		return NULL;
	h = hash_mem(s, strlen(s), 0);
	id = hash_find(&g->string_idx, h, aggregate_string_eq, s, g);
	if (id == PROFILE_NONE) {
		id = g->strings.n;
		*ARRAY_APPEND(g->strings) = xstrdup(s);
		g->string_bytes += strlen(s) + 1;
		hash_add(&g->string_idx, h, id);
	}
	return g->strings.v[id];
}

static int
aggregate_thread_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;

	return g->threads.v[id].tid == *(const pid_t *)key &&
	       g->threads.v[id].alive;
}

uint32_t
aggregate_thread(struct aggregate *g, pid_t tid)
{
	uint64_t h = hash_u64((uint64_t)tid);
	uint32_t id =
		hash_find(&g->thread_idx, h, aggregate_thread_eq, &tid, g);
	struct profile_thread *t;

	if (id != PROFILE_NONE)
		return id;
	id = g->threads.n;
	t = ARRAY_APPEND(g->threads);
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->alive = true;
	t->state = '?';
	t->last_stack = PROFILE_NONE;
	hash_add(&g->thread_idx, h, id);
	return id;
}

struct profile_thread *
aggregate_thread_at(struct aggregate *g, uint32_t t)
{
	return &g->threads.v[t];
}

static int
aggregate_location_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;
	const struct location_key *k = key;

	return g->locations.v[id].address == k->pc &&
	       g->location_is_return.v[id] == k->is_return &&
	       g->location_space.v[id] == k->space;
}

static uint64_t
aggregate_location_hash(const struct location_key *k)
{
	return hash_u64((k->pc * 2 + k->is_return) ^
			((uint64_t)k->space << 48));
}

uint32_t
aggregate_find_location(struct aggregate *g, uint64_t pc, bool is_return)
{
	struct location_key k = {pc, is_return, g->space};

	return hash_find(&g->address_idx, aggregate_location_hash(&k),
			 aggregate_location_eq, &k, g);
}

static int
aggregate_mapping_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;
	const struct mapping_key *k = key;

	return g->mappings.v[id].path == k->path &&
	       g->mappings.v[id].start == k->start;
}

static uint32_t
aggregate_mapping(struct aggregate *g, const struct symbols_module *mod)
{
	struct mapping_key k = {aggregate_string(g, mod->path), mod->start};
	uint64_t h = hash_u64((uintptr_t)k.path ^ hash_u64(k.start));
	uint32_t id =
		hash_find(&g->mapping_idx, h, aggregate_mapping_eq, &k, g);
	struct profile_mapping *m;

	if (id != PROFILE_NONE)
		return id;
	id = g->mappings.n;
	m = ARRAY_APPEND(g->mappings);
	m->start = mod->start;
	m->limit = mod->limit;
	m->offset = mod->offset;
	m->path = k.path;
	m->build_id = aggregate_string(g, mod->build_id);
	hash_add(&g->mapping_idx, h, id);
	return id;
}

static int
aggregate_function_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;
	const struct function_key *k = key;

	return g->functions.v[id].name == k->name &&
	       g->functions.v[id].file == k->file;
}

static uint32_t
aggregate_function(struct aggregate *g, const struct symbols_frame *f)
{
	struct function_key k = {aggregate_string(g, f->name),
				 aggregate_string(g, f->file)};
	uint64_t h = hash_u64((uintptr_t)k.name ^ hash_u64((uintptr_t)k.file));
	uint32_t id =
		hash_find(&g->function_idx, h, aggregate_function_eq, &k, g);
	struct profile_function *fn;

	if (id != PROFILE_NONE)
		return id;
	id = g->functions.n;
	fn = ARRAY_APPEND(g->functions);
	fn->name = k.name;
	fn->file = k.file;
	fn->system_name =
		aggregate_string(g, f->system_name ? f->system_name : f->name);
	fn->start_line = f->start_line;
	hash_add(&g->function_idx, h, id);
	return id;
}

uint32_t
aggregate_add_location(struct aggregate *g, uint64_t pc, bool is_return,
		       const struct symbols_frame *frames, int n,
		       const struct symbols_module *mod)
{
	struct location_key k = {pc, is_return, g->space};
	struct profile_location *loc;
	uint32_t id = g->locations.n, first = g->lines.n;

	for (int i = 0; i < n; i++) {
		struct profile_line *l;
		uint32_t fn = aggregate_function(g, &frames[i]);

		l = ARRAY_APPEND(g->lines);
		l->function = fn;
		l->line = frames[i].line;
	}
	loc = ARRAY_APPEND(g->locations);
	loc->address = pc;
	loc->mapping = mod != NULL && mod->path != NULL
			       ? aggregate_mapping(g, mod)
			       : PROFILE_NONE;
	loc->first_line = first;
	loc->nlines = (uint32_t)n;
	*ARRAY_APPEND(g->location_is_return) = is_return;
	*ARRAY_APPEND(g->location_space) = g->space;
	hash_add(&g->address_idx, aggregate_location_hash(&k), id);
	return id;
}

void
aggregate_set_space(struct aggregate *g, uint32_t space)
{
	g->space = space;
}

void
aggregate_forget_addresses(struct aggregate *g)
{
	hash_clear(&g->address_idx);
}

static int
aggregate_stack_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;
	const struct stack_key *k = key;
	const struct profile_stack *s = &g->stacks.v[id];

	return s->depth == k->depth && s->truncated == k->truncated &&
	       memcmp(&g->stack_locations.v[s->first], k->locs,
		      k->depth * sizeof(*k->locs)) == 0;
}

uint32_t
aggregate_stack(struct aggregate *g, const uint32_t *locs, uint32_t depth,
		bool truncated)
{
	struct stack_key k = {locs, depth, truncated};
	uint64_t h = hash_mem(locs, depth * sizeof(*locs), truncated);
	uint32_t id = hash_find(&g->stack_idx, h, aggregate_stack_eq, &k, g);
	struct profile_stack *s;

	if (id != PROFILE_NONE)
		return id;
	id = g->stacks.n;
	s = ARRAY_APPEND(g->stacks);
	s->first = g->stack_locations.n;
	s->depth = depth;
	s->truncated = truncated;
	ARRAY_RESERVE(g->stack_locations.v, g->stack_locations.cap,
		      g->stack_locations.n + depth);
	memcpy(&g->stack_locations.v[s->first], locs, depth * sizeof(*locs));
	g->stack_locations.n += depth;
	hash_add(&g->stack_idx, h, id);
	return id;
}

const uint32_t *
aggregate_stack_locations(const struct aggregate *g, uint32_t stack,
			  uint32_t *depth, bool *truncated)
{
	const struct profile_stack *s = &g->stacks.v[stack];

	*depth = s->depth;
	*truncated = s->truncated;
	return &g->stack_locations.v[s->first];
}

static int
aggregate_count_eq(uint32_t id, const void *key, void *arg)
{
	const struct aggregate *g = arg;
	const struct count_key *k = key;
	const struct profile_count *c = &g->counts.v[id];

	return c->stack == k->stack && c->thread == k->thread &&
	       c->second == k->second;
}

static void
aggregate_add_counts(struct aggregate *g, uint32_t stack, uint32_t thread,
		     uint32_t second, uint32_t on_cpu, uint32_t off_cpu)
{
	struct count_key k = {stack, thread, second};
	uint64_t h = hash_mem(&k, sizeof(k), 0);
	uint32_t id = hash_find(&g->count_idx, h, aggregate_count_eq, &k, g);
	struct profile_count *c;

	if (id == PROFILE_NONE) {
		id = g->counts.n;
		c = ARRAY_APPEND(g->counts);
		*c = (struct profile_count){stack, thread, second, 0, 0};
		hash_add(&g->count_idx, h, id);
	}
	c = &g->counts.v[id];
	c->on_cpu += on_cpu;
	c->off_cpu += off_cpu;
}

void
aggregate_count(struct aggregate *g, uint32_t stack, uint32_t thread,
		uint32_t second, bool on_cpu)
{
	aggregate_add_counts(g, stack, thread, second, on_cpu, !on_cpu);
	g->threads.v[thread].last_stack = stack;
}

void
aggregate_count_n(struct aggregate *g, uint32_t stack, uint32_t thread,
		  uint32_t second, bool on_cpu, uint32_t n)
{
	aggregate_add_counts(g, stack, thread, second, on_cpu ? n : 0,
			     on_cpu ? 0 : n);
	g->threads.v[thread].last_stack = stack;
}

void
aggregate_fold(struct aggregate *g, uint32_t before)
{
	struct profile_count *old = g->counts.v;
	uint32_t n = g->counts.n;

	g->counts.v = NULL;
	g->counts.n = g->counts.cap = 0;
	hash_clear(&g->count_idx);
	for (uint32_t i = 0; i < n; i++) {
		struct profile_count *c = &old[i];
		uint32_t second = c->second < before ? 0 : c->second;

		aggregate_add_counts(g, c->stack, c->thread, second, c->on_cpu,
				     c->off_cpu);
	}
	free(old);
}

void
aggregate_reset_counts(struct aggregate *g)
{
	g->counts.n = 0;
	hash_clear(&g->count_idx);
}

void
aggregate_view(const struct aggregate *g, struct profile_snapshot *s)
{
	s->mappings = g->mappings.v;
	s->nmappings = g->mappings.n;
	s->functions = g->functions.v;
	s->nfunctions = g->functions.n;
	s->lines = g->lines.v;
	s->nlines = g->lines.n;
	s->locations = g->locations.v;
	s->nlocations = g->locations.n;
	s->stack_locations = g->stack_locations.v;
	s->stacks = g->stacks.v;
	s->nstacks = g->stacks.n;
	s->threads = g->threads.v;
	s->nthreads = g->threads.n;
	s->counts = g->counts.v;
	s->ncounts = g->counts.n;
}

size_t
aggregate_bytes(const struct aggregate *g)
{
	return g->string_bytes + ARRAY_BYTES(g->strings.v, g->strings.cap) +
	       ARRAY_BYTES(g->mappings.v, g->mappings.cap) +
	       ARRAY_BYTES(g->functions.v, g->functions.cap) +
	       ARRAY_BYTES(g->lines.v, g->lines.cap) +
	       ARRAY_BYTES(g->locations.v, g->locations.cap) +
	       ARRAY_BYTES(g->location_is_return.v, g->location_is_return.cap) +
	       ARRAY_BYTES(g->location_space.v, g->location_space.cap) +
	       ARRAY_BYTES(g->stack_locations.v, g->stack_locations.cap) +
	       ARRAY_BYTES(g->stacks.v, g->stacks.cap) +
	       ARRAY_BYTES(g->threads.v, g->threads.cap) +
	       ARRAY_BYTES(g->counts.v, g->counts.cap) +
	       hash_bytes(&g->string_idx) + hash_bytes(&g->mapping_idx) +
	       hash_bytes(&g->function_idx) + hash_bytes(&g->address_idx) +
	       hash_bytes(&g->stack_idx) + hash_bytes(&g->thread_idx) +
	       hash_bytes(&g->count_idx);
}
