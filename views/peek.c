#include "config.h"

#include "views/peek.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/graph.h"

static int
peek_cmp(const void *pa, const void *pb)
{
	const struct peek_row *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return strcmp(a->name != NULL ? a->name : "",
		      b->name != NULL ? b->name : "");
}

/* The edges of g into (callers) or out of node id, as sorted rows. */
static struct peek_row *
peek_edges(const struct graph *g, uint32_t id, bool callers, size_t *n)
{
	struct peek_row *rows = xcalloc(g->nedges + 1, sizeof(*rows));
	uint64_t cum = g->nodes[id].cum;

	*n = 0;
	for (size_t i = 0; i < g->nedges; i++) {
		const struct graph_edge *e = &g->edges[i];
		const struct graph_node *other;
		struct peek_row *r;

		if ((callers ? e->to : e->from) != id)
			continue;
		other = &g->nodes[callers ? e->from : e->to];
		r = &rows[(*n)++];
		r->function = other->function;
		r->name = other->name;
		r->count = e->weight;
		r->share = cum == 0 ? 0.0
				    : 100.0 * (double)e->weight / (double)cum;
		r->inline_edge = e->inline_edge;
	}
	qsort(rows, *n, sizeof(*rows), peek_cmp);
	return rows;
}

/* peek_build() over s's counts (w NULL) or w's values (s = w->tables). */
static int
peek_build_any(const struct profile_snapshot *s, const struct view_weights *w,
	       const struct filter *f, uint32_t function, struct peek_view *out)
{
	struct graph g;
	long id;

	memset(out, 0, sizeof(*out));
	if (function >= s->nfunctions)
		return -1;
	out->function = function;
	out->name = s->functions[function].name;
	graph_build_any(&g, s, w, f, FILTER_GRAN_FUNCTION, true);
	out->total = g.total;
	id = graph_find_function(&g, function);
	if (id >= 0) {
		out->function = g.nodes[id].function;
		out->flat = g.nodes[id].flat;
		out->cum = g.nodes[id].cum;
		out->callers =
			peek_edges(&g, (uint32_t)id, true, &out->ncallers);
		out->callees =
			peek_edges(&g, (uint32_t)id, false, &out->ncallees);
	}
	graph_free(&g);
	return 0;
}

int
peek_build(const struct profile_snapshot *s, const struct filter *f,
	   uint32_t function, struct peek_view *out)
{
	return peek_build_any(s, NULL, f, function, out);
}

int
peek_build_weights(const struct view_weights *w, const struct filter *f,
		   uint32_t function, struct peek_view *out)
{
	return peek_build_any(w->tables, w, f, function, out);
}

void
peek_free(struct peek_view *v)
{
	free(v->callers);
	free(v->callees);
	memset(v, 0, sizeof(*v));
}
