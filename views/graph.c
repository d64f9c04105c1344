#include "config.h"

#include "views/graph.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"

static bool
graph_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a == b || strcmp(a, b) == 0;
}

/* Fills the key fields of n for snapshot line li of location loc. */
static void
graph_key(const struct profile_snapshot *s, enum filter_granularity gran,
	  uint32_t li, const struct profile_location *loc, struct graph_node *n)
{
	const struct profile_line *l = &s->lines[li];
	const struct profile_function *fn = &s->functions[l->function];

	memset(n, 0, sizeof(*n));
	n->function = l->function;
	n->name = fn->name;
	n->mapping = loc->mapping;
	if (gran == FILTER_GRAN_FUNCTION)
		return;
	n->file = fn->file;
	n->line = l->line;
	if (gran == FILTER_GRAN_ADDRESS)
		n->address = loc->address;
}

static uint64_t
graph_key_hash(const struct graph_node *n)
{
	return hash_mix(hash_mix(hash_str(n->name), hash_str(n->file)),
			hash_mix((uint64_t)n->line, n->address));
}

static bool
graph_key_eq(const struct graph_node *a, const struct graph_node *b)
{
	return a->line == b->line && a->address == b->address &&
	       graph_streq(a->name, b->name) && graph_streq(a->file, b->file);
}

static int
graph_node_eq(uint32_t id, const void *key, void *arg)
{
	const struct graph *g = arg;

	return graph_key_eq(&g->nodes[id], key);
}

/* The node of key k, created when new. */
static uint32_t
graph_intern(struct graph *g, struct hash *index, size_t *cap,
	     const struct graph_node *k)
{
	uint64_t h = graph_key_hash(k);
	uint32_t id = hash_find(index, h, graph_node_eq, k, g);
	struct graph_node *n;

	if (id != HASH_NONE) {
		if (k->function < g->nodes[id].function)
			g->nodes[id].function = k->function;
		return id;
	}
	id = (uint32_t)g->nnodes;
	n = ARRAY_PUSH(g->nodes, g->nnodes, *cap);
	*n = *k;
	n->seen = UINT32_MAX;
	hash_add(index, h, id);
	return id;
}

static void
graph_make_nodes(struct graph *g, enum filter_granularity gran)
{
	const struct profile_snapshot *s = g->s;
	struct hash index;
	size_t cap = 0;

	hash_init(&index);
	g->node_of_line = xmalloc((s->nlines + 1) * sizeof(uint32_t));
	for (uint32_t i = 0; i < s->nlocations; i++) {
		const struct profile_location *loc = &s->locations[i];

		for (uint32_t j = 0; j < loc->nlines; j++) {
			struct graph_node k;
			uint32_t li = loc->first_line + j;

			graph_key(s, gran, li, loc, &k);
			g->node_of_line[li] = graph_intern(g, &index, &cap, &k);
		}
	}
	hash_free(&index);
}

static bool
graph_match(const regex_t *re, const char *str)
{
	return str != NULL && regexec(re, str, 0, NULL, 0) == 0;
}

static bool
graph_function_matches(const regex_t *re, const struct profile_function *fn)
{
	return graph_match(re, fn->name) || graph_match(re, fn->file);
}

static bool
graph_mapping_matches(const struct profile_snapshot *s, const regex_t *re,
		      uint32_t mapping)
{
	return mapping != PROFILE_NONE && mapping < s->nmappings &&
	       graph_match(re, s->mappings[mapping].path);
}

/* Marks the nodes of loc's remaining lines but the outermost: the only
   ones that can be inline frames. */
static void
graph_mark_inline(struct graph *g, const struct profile_location *loc)
{
	bool outermost = true;

	for (uint32_t j = loc->nlines; j-- > 0;) {
		uint32_t li = loc->first_line + j;

		if (g->line_hidden[li])
			continue;
		if (!outermost)
			g->maybe_inline[g->node_of_line[li]] = true;
		outermost = false;
	}
}

/* Focus per location and hidden per line, as pprof's FilterSamplesByName. */
static void
graph_match_names(struct graph *g)
{
	const struct profile_snapshot *s = g->s;
	const struct filter *f = g->f;

	g->line_hidden = xcalloc(s->nlines + 1, sizeof(bool));
	g->loc_focus = xcalloc(s->nlocations + 1, sizeof(bool));
	g->maybe_inline = xcalloc(g->nnodes + 1, sizeof(bool));
	for (uint32_t i = 0; i < s->nlocations; i++) {
		const struct profile_location *loc = &s->locations[i];
		bool map_hide =
			f->hide != NULL &&
			graph_mapping_matches(s, &f->hide_re, loc->mapping);

		g->loc_focus[i] =
			f->focus == NULL ||
			graph_mapping_matches(s, &f->focus_re, loc->mapping);
		for (uint32_t j = 0; j < loc->nlines; j++) {
			uint32_t li = loc->first_line + j;
			const struct profile_function *fn =
				&s->functions[s->lines[li].function];

			if (f->focus != NULL &&
			    graph_function_matches(&f->focus_re, fn))
				g->loc_focus[i] = true;
			g->line_hidden[li] =
				map_hide ||
				(f->hide != NULL &&
				 graph_function_matches(&f->hide_re, fn));
		}
		graph_mark_inline(g, loc);
	}
}

static void
graph_weigh(struct graph *g)
{
	const struct profile_snapshot *s = g->s;

	g->weight = xcalloc(s->nstacks + 1, sizeof(uint64_t));
	for (uint32_t i = 0; i < s->ncounts; i++) {
		const struct profile_count *c = &s->counts[i];
		uint64_t v = filter_count_value(g->f, s, c);

		g->total += v;
		if (v != 0 && filter_thread_selected(g->f, c->thread))
			g->weight[c->stack] += v;
	}
}

struct graph_pairs {
	int64_t *sum; /* per stack */
	uint32_t nstacks;
};

static void
graph_add_pair(void *acc, uint32_t stack, int64_t value)
{
	struct graph_pairs *p = acc;

	if (stack < p->nstacks)
		p->sum[stack] += value;
}

/* The per-stack weights from w's (stack, value) pairs. */
static void
graph_weigh_pairs(struct graph *g, const struct view_weights *w)
{
	const struct profile_snapshot *s = g->s;
	struct graph_pairs p = {xcalloc(s->nstacks + 1, sizeof(int64_t)),
				s->nstacks};

	g->weight = xcalloc(s->nstacks + 1, sizeof(uint64_t));
	w->each(w->src, graph_add_pair, &p);
	for (uint32_t st = 0; st < s->nstacks; st++) {
		if (p.sum[st] > 0) {
			g->weight[st] = (uint64_t)p.sum[st];
			g->total += (uint64_t)p.sum[st];
		} else if (p.sum[st] < 0) {
			g->left_out += (uint64_t)-p.sum[st];
		}
	}
	free(p.sum);
}

static void
graph_push_frame(struct graph *g, size_t n, uint32_t line, bool inl)
{
	/* parallel arrays: from one capacity they grow alike */
	size_t cap = g->frames_cap;

	ARRAY_RESERVE(g->frames, g->frames_cap, n + 1);
	ARRAY_RESERVE(g->frame_inline, cap, n + 1);
	g->frames[n] = line;
	g->frame_inline[n] = inl;
}

/*
 * Expands stack st into g->frames (root first, outermost inline level
 * first, hidden lines removed). Returns the number of frames; 0 when focus
 * rejects the stack or hide removed everything.
 */
size_t
graph_frames(struct graph *g, uint32_t st)
{
	const struct profile_snapshot *s = g->s;
	const struct profile_stack *stack = &s->stacks[st];
	bool focused = false;
	size_t n = 0;

	for (uint32_t i = stack->depth; i-- > 0;) {
		uint32_t locid = s->stack_locations[stack->first + i];
		const struct profile_location *loc = &s->locations[locid];
		bool outermost = true;

		focused = focused || g->loc_focus[locid];
		for (uint32_t j = loc->nlines; j-- > 0;) {
			uint32_t li = loc->first_line + j;

			if (g->line_hidden[li] ||
			    (g->f->noinlines && j + 1 != loc->nlines))
				continue;
			graph_push_frame(g, n++, li, !outermost);
			outermost = false;
		}
	}
	return focused ? n : 0;
}

static struct graph_edge *
graph_edge(struct graph *g, uint32_t from, uint32_t to, bool inl, size_t *cap)
{
	uint64_t key = ((uint64_t)from << 32) | to;
	uint32_t id = hash_find(&g->edge_index, key, NULL, NULL, NULL);
	struct graph_edge *e;

	if (id != HASH_NONE) {
		e = &g->edges[id];
		e->inline_edge = e->inline_edge && inl;
		return e;
	}
	hash_add(&g->edge_index, key, (uint32_t)g->nedges);
	e = ARRAY_PUSH(g->edges, g->nedges, *cap);
	*e = (struct graph_edge){
		.from = from, .to = to, .inline_edge = inl, .seen = UINT32_MAX};
	return e;
}

/* Adds one sample of weight w whose frames are g->frames[0..n). */
static void
graph_add_sample(struct graph *g, size_t n, uint64_t w, const bool *keep,
		 size_t *edge_cap)
{
	uint32_t parent = UINT32_MAX, sample = g->sample++;
	bool residual = false;

	for (size_t i = 0; i < n; i++) {
		uint32_t id = g->node_of_line[g->frames[i]];
		struct graph_node *node = &g->nodes[id];

		if (keep != NULL && !keep[id]) {
			residual = true;
			continue;
		}
		if (node->seen != sample) {
			node->seen = sample;
			node->cum += w;
		}
		if (parent != UINT32_MAX && parent != id && !g->all_edges &&
		    !g->maybe_inline[id]) {
			node->in_noinline = true;
		} else if (parent != UINT32_MAX && parent != id) {
			struct graph_edge *e = graph_edge(
				g, parent, id, g->frame_inline[i], edge_cap);

			if (e->seen != sample) {
				e->seen = sample;
				e->weight += w;
			}
		}
		parent = id;
		residual = false;
	}
	if (parent != UINT32_MAX && !residual)
		g->nodes[parent].flat += w;
}

void
graph_accumulate(struct graph *g, const bool *keep)
{
	const struct profile_snapshot *s = g->s;
	size_t edge_cap = 0;

	for (size_t i = 0; i < g->nnodes; i++) {
		struct graph_node *n = &g->nodes[i];

		n->flat = n->cum = 0;
		n->in_inline = n->in_noinline = false;
		n->seen = UINT32_MAX;
	}
	free(g->edges);
	g->edges = NULL;
	g->nedges = 0;
	hash_free(&g->edge_index);
	hash_init(&g->edge_index);
	g->selected = 0;
	g->sample = 0;
	for (uint32_t st = 0; st < s->nstacks; st++) {
		size_t n;

		if (g->weight[st] == 0)
			continue;
		n = graph_frames(g, st);
		if (n == 0)
			continue;
		g->selected += g->weight[st];
		graph_add_sample(g, n, g->weight[st], keep, &edge_cap);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		struct graph_node *to = &g->nodes[g->edges[i].to];

		if (g->edges[i].inline_edge)
			to->in_inline = true;
		else
			to->in_noinline = true;
	}
}

/* The common start of graph_build() and graph_build_weights(). */
static void
graph_start(struct graph *g, const struct profile_snapshot *s,
	    const struct filter *f, enum filter_granularity gran,
	    bool all_edges)
{
	memset(g, 0, sizeof(*g));
	g->s = s;
	g->f = f;
	g->all_edges = all_edges;
	hash_init(&g->edge_index);
	graph_make_nodes(g, gran);
	graph_match_names(g);
}

void
graph_build(struct graph *g, const struct profile_snapshot *s,
	    const struct filter *f, enum filter_granularity gran,
	    bool all_edges)
{
	graph_start(g, s, f, gran, all_edges);
	graph_weigh(g);
	graph_accumulate(g, NULL);
}

void
graph_build_weights(struct graph *g, const struct view_weights *w,
		    const struct filter *f, enum filter_granularity gran,
		    bool all_edges)
{
	graph_start(g, w->tables, f, gran, all_edges);
	graph_weigh_pairs(g, w);
	graph_accumulate(g, NULL);
}

void
graph_build_any(struct graph *g, const struct profile_snapshot *s,
		const struct view_weights *w, const struct filter *f,
		enum filter_granularity gran, bool all_edges)
{
	if (w != NULL)
		graph_build_weights(g, w, f, gran, all_edges);
	else
		graph_build(g, s, f, gran, all_edges);
}

long
graph_find_function(const struct graph *g, uint32_t function)
{
	const char *name;

	if (function >= g->s->nfunctions)
		return -1;
	name = g->s->functions[function].name;
	for (size_t i = 0; i < g->nnodes; i++) {
		if (graph_streq(g->nodes[i].name, name))
			return (long)i;
	}
	return -1;
}

void
graph_free(struct graph *g)
{
	free(g->nodes);
	free(g->edges);
	free(g->node_of_line);
	free(g->weight);
	free(g->line_hidden);
	free(g->loc_focus);
	free(g->maybe_inline);
	free(g->frames);
	free(g->frame_inline);
	hash_free(&g->edge_index);
	memset(g, 0, sizeof(*g));
}
