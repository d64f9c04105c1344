#include "config.h"

#include "views/top.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/graph.h"

static int
top_strcmp(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "");
}

static int
top_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/*
 * Key order after the primary key, pprof's: the printable name (address,
 * name, file, line as text), then the other count, bigger first.
 */
static int
top_cmp_rest(const struct graph_node *a, const struct graph_node *b,
	     bool cum_first)
{
	char la[16], lb[16];
	int c = top_cmp_u64(a->address, b->address);

	if (c == 0)
		c = top_strcmp(a->name, b->name);
	if (c == 0)
		c = top_strcmp(a->file, b->file);
	if (c == 0 && a->line != b->line) {
		snprintf(la, sizeof(la), "%d", a->line);
		snprintf(lb, sizeof(lb), "%d", b->line);
		c = strcmp(la, lb);
	}
	if (c == 0)
		c = cum_first ? top_cmp_u64(b->cum, a->cum)
			      : top_cmp_u64(b->flat, a->flat);
	return c;
}

static int
top_cmp(const struct graph_node *a, const struct graph_node *b,
	const struct filter *f)
{
	int c = 0, dir = f->reverse ? -1 : 1;

	switch (f->sort) {
	case FILTER_SORT_FLAT:
		c = dir * top_cmp_u64(b->flat, a->flat);
		return c != 0 ? c : top_cmp_rest(a, b, true);
	case FILTER_SORT_CUM:
		c = dir * top_cmp_u64(b->cum, a->cum);
		return c != 0 ? c : top_cmp_rest(a, b, false);
	case FILTER_SORT_NAME:
		c = dir * top_strcmp(a->name, b->name);
		return c != 0 ? c : top_cmp_rest(a, b, false);
	}
	return c;
}

/* qsort has no context argument: the nodes are sorted through an index. */
struct top_sort_ctx {
	const struct graph_node *nodes;
	const struct filter *f;
	uint32_t *order;
};

static void
top_merge(struct top_sort_ctx *c, uint32_t *tmp, size_t lo, size_t hi)
{
	size_t mid = lo + (hi - lo) / 2, i = lo, j = mid, k = lo;

	if (hi - lo < 2)
		return;
	top_merge(c, tmp, lo, mid);
	top_merge(c, tmp, mid, hi);
	while (i < mid && j < hi) {
		if (top_cmp(&c->nodes[c->order[j]], &c->nodes[c->order[i]],
			    c->f) < 0)
			tmp[k++] = c->order[j++];
		else
			tmp[k++] = c->order[i++];
	}
	while (i < mid)
		tmp[k++] = c->order[i++];
	while (j < hi)
		tmp[k++] = c->order[j++];
	memcpy(c->order + lo, tmp + lo, (hi - lo) * sizeof(*tmp));
}

/* The ids of the nodes with keep[id] (all when keep NULL) with samples,
   sorted; returns their number. */
static size_t
top_sorted(const struct graph *g, const struct filter *f, const bool *keep,
	   uint32_t *order)
{
	struct top_sort_ctx c = {g->nodes, f, order};
	uint32_t *tmp;
	size_t n = 0;

	for (size_t i = 0; i < g->nnodes; i++) {
		if ((keep == NULL || keep[i]) && g->nodes[i].cum != 0)
			order[n++] = (uint32_t)i;
	}
	tmp = xmalloc((n + 1) * sizeof(*tmp));
	top_merge(&c, tmp, 0, n);
	free(tmp);
	return n;
}

static double
top_pct(uint64_t v, uint64_t total)
{
	return total == 0 ? 0.0 : 100.0 * (double)v / (double)total;
}

static void
top_fill(struct top_table *t, const struct graph *g, const uint32_t *order,
	 size_t n, const struct profile_snapshot *s)
{
	uint64_t sum = 0;

	t->rows = xcalloc(n + 1, sizeof(*t->rows));
	t->nrows = n;
	for (size_t i = 0; i < n; i++) {
		const struct graph_node *gn = &g->nodes[order[i]];
		struct top_row *r = &t->rows[i];

		r->function = gn->function;
		r->object = gn->mapping < s->nmappings
				    ? s->mappings[gn->mapping].path
				    : NULL;
		r->name = gn->name;
		r->file = gn->file;
		r->line = gn->line;
		r->address = gn->address;
		r->flat = gn->flat;
		r->cum = gn->cum;
		sum += gn->flat;
		r->flat_pct = top_pct(gn->flat, t->total);
		r->sum_pct = top_pct(sum, t->total);
		r->cum_pct = top_pct(gn->cum, t->total);
		r->inl = !gn->in_inline	   ? TOP_INLINE_NONE
			 : gn->in_noinline ? TOP_INLINE_PARTIAL
					   : TOP_INLINE_ALL;
	}
	t->shown = sum;
}

/* Drops the nodes below the node fraction cutoff, as pprof's trimming:
   returns the keep mask (NULL when nothing was dropped). */
static bool *
top_trim(struct graph *g, const struct filter *f, struct top_table *t)
{
	uint64_t sum = 0;
	bool *keep;

	for (size_t i = 0; i < g->nnodes; i++)
		sum += g->nodes[i].flat;
	t->cutoff = (uint64_t)((double)sum * f->node_fraction);
	if (t->cutoff == 0)
		return NULL;
	keep = xcalloc(g->nnodes + 1, sizeof(*keep));
	for (size_t i = 0; i < g->nnodes; i++) {
		keep[i] = g->nodes[i].cum >= t->cutoff;
		if (!keep[i] && g->nodes[i].cum != 0)
			t->ndropped++;
	}
	if (t->ndropped == 0) {
		free(keep);
		return NULL;
	}
	graph_accumulate(g, keep);
	return keep;
}

void
top_build(const struct profile_snapshot *s, const struct filter *f,
	  size_t max_rows, struct top_table *out)
{
	struct graph g;
	uint32_t *order;
	bool *keep;
	size_t n;

	memset(out, 0, sizeof(*out));
	graph_build(&g, s, f, f->granularity, false);
	out->total = g.total;
	out->selected = g.selected;
	keep = top_trim(&g, f, out);
	order = xmalloc((g.nnodes + 1) * sizeof(*order));
	n = top_sorted(&g, f, keep, order);
	out->ncandidates = n;
	if (max_rows != 0 && n > max_rows) {
		free(keep);
		keep = xcalloc(g.nnodes + 1, sizeof(*keep));
		for (size_t i = 0; i < max_rows; i++)
			keep[order[i]] = true;
		graph_accumulate(&g, keep);
		n = top_sorted(&g, f, keep, order);
	}
	top_fill(out, &g, order, n, s);
	free(order);
	free(keep);
	graph_free(&g);
}

void
top_free(struct top_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

long
top_find(const struct top_table *t, const struct top_row *row)
{
	for (size_t i = 0; i < t->nrows; i++) {
		const struct top_row *r = &t->rows[i];

		if (r->line == row->line && r->address == row->address &&
		    top_strcmp(r->name, row->name) == 0 &&
		    top_strcmp(r->file, row->file) == 0)
			return (long)i;
	}
	return -1;
}
