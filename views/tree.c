/*
 * The call tree over the graph's per-stack frames (views/graph.h), and the
 * flame view's layout over a top-down tree.
 */
#include "config.h"

#include "views/tree.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/graph.h"

struct tree_builder {
	struct tree_view *v;
	size_t cap, cap_gnode;
	struct hash index; /* (parent, graph node) -> tree node */
	uint32_t *gnode;   /* per tree node: its graph node */
};

struct tree_key {
	size_t parent;
	uint32_t gn;
};

static int
tree_key_eq(uint32_t id, const void *key, void *arg)
{
	const struct tree_builder *b = arg;
	const struct tree_key *k = key;

	return b->v->nodes[id].parent == k->parent && b->gnode[id] == k->gn;
}

/* The child of parent for graph node gn (function fn, name), created when
   new. */
static size_t
tree_child(struct tree_builder *b, size_t parent, uint32_t gn,
	   const struct graph_node *node)
{
	struct tree_view *v = b->v;
	struct tree_key k = {parent, gn};
	uint64_t key = hash_mix((uint64_t)parent + 1, gn);
	uint32_t found = hash_find(&b->index, key, tree_key_eq, &k, b);
	size_t id = v->nnodes, ngnode = v->nnodes;
	struct tree_node n;

	if (found != HASH_NONE)
		return found;
	n = (struct tree_node){
		.function = node->function,
		.name = node->name,
		.parent = parent,
		.first_child = TREE_NONE,
		.next_sibling = TREE_NONE,
		.depth = parent == TREE_NONE ? 0 : v->nodes[parent].depth + 1,
		.path = hash_mix(parent == TREE_NONE ? (v->bottom_up ? 2u : 1u)
						     : v->nodes[parent].path,
				 hash_str(node->name)),
	};
	*ARRAY_PUSH(v->nodes, v->nnodes, b->cap) = n;
	*ARRAY_PUSH(b->gnode, ngnode, b->cap_gnode) = gn;
	hash_add(&b->index, key, (uint32_t)id);
	return id;
}

static const struct tree_view *tree_sort_view;

static int
tree_cmp(const void *pa, const void *pb)
{
	const struct tree_node *a = &tree_sort_view->nodes[*(const size_t *)pa];
	const struct tree_node *b = &tree_sort_view->nodes[*(const size_t *)pb];

	if (a->cum != b->cum)
		return a->cum < b->cum ? 1 : -1;
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* Links the children of every node (and the roots) in sorted order. */
static void
tree_link(struct tree_view *v)
{
	size_t *order = xmalloc((v->nnodes + 1) * sizeof(*order));

	for (size_t i = 0; i < v->nnodes; i++)
		order[i] = i;
	tree_sort_view = v;
	qsort(order, v->nnodes, sizeof(*order), tree_cmp);
	/* children of each parent in sorted order: walk backwards so each
	   insertion at the head leaves them in order */
	for (size_t k = v->nnodes; k-- > 0;) {
		struct tree_node *n = &v->nodes[order[k]];

		if (n->parent == TREE_NONE) {
			n->next_sibling = v->first_root;
			v->first_root = order[k];
		} else {
			n->next_sibling = v->nodes[n->parent].first_child;
			v->nodes[n->parent].first_child = order[k];
		}
	}
	free(order);
}

/* The tree over graph g's weighted stacks (g is then freed). */
static void
tree_from_graph(struct graph *g, bool bottom_up, struct tree_view *out)
{
	const struct profile_snapshot *s = g->s;
	struct tree_builder b = {.v = out};

	memset(out, 0, sizeof(*out));
	out->first_root = TREE_NONE;
	out->bottom_up = bottom_up;
	out->total = g->total;
	out->selected = g->selected;
	out->left_out = g->left_out;
	hash_init(&b.index);
	for (uint32_t st = 0; st < s->nstacks; st++) {
		uint64_t w = g->weight[st];
		size_t n, at = TREE_NONE;

		if (w == 0 || (n = graph_frames(g, st)) == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			uint32_t line = g->frames[bottom_up ? n - 1 - i : i];
			uint32_t gn = g->node_of_line[line];

			at = tree_child(&b, at, gn, &g->nodes[gn]);
			out->nodes[at].cum += w;
			if (bottom_up && i == 0)
				out->nodes[at].flat += w;
		}
		if (!bottom_up)
			out->nodes[at].flat += w;
	}
	tree_link(out);
	hash_free(&b.index);
	free(b.gnode);
	graph_free(g);
}

void
tree_build(const struct profile_snapshot *s, const struct filter *f,
	   bool bottom_up, struct tree_view *out)
{
	struct graph g;

	graph_build(&g, s, f, FILTER_GRAN_FUNCTION, false);
	tree_from_graph(&g, bottom_up, out);
}

void
tree_build_weights(const struct view_weights *w, const struct filter *f,
		   bool bottom_up, struct tree_view *out)
{
	struct graph g;

	graph_build_weights(&g, w, f, FILTER_GRAN_FUNCTION, false);
	tree_from_graph(&g, bottom_up, out);
}

void
tree_free(struct tree_view *v)
{
	free(v->nodes);
	memset(v, 0, sizeof(*v));
	v->first_root = TREE_NONE;
}

size_t
tree_find(const struct tree_view *v, uint64_t path)
{
	for (size_t i = 0; i < v->nnodes; i++)
		if (v->nodes[i].path == path)
			return i;
	return TREE_NONE;
}

size_t
tree_hottest_path(const struct tree_view *v, size_t node, size_t *out,
		  size_t max)
{
	size_t n = 0;

	if (node == TREE_NONE)
		node = v->first_root;
	while (node != TREE_NONE && n < max) {
		out[n++] = node;
		node = v->nodes[node].first_child; /* children by cum */
	}
	return n;
}

static void
flame_add(struct flame_layout *l, size_t *cap, size_t node, int row, int x,
	  int w)
{
	*ARRAY_PUSH(l->cells, l->ncells, *cap) =
		(struct flame_cell){node, row, x, w};
	if (row + 1 > l->nrows)
		l->nrows = row + 1;
}

/* Lays out the children chain from first under a box [x, x+w) standing
   for cum samples, on row. */
static void
flame_children(const struct tree_view *v, struct flame_layout *l, size_t *cap,
	       size_t first, uint64_t cum, int row, int x, int w)
{
	uint64_t acc = 0;

	if (cum == 0)
		return;
	for (size_t c = first; c != TREE_NONE; c = v->nodes[c].next_sibling) {
		const struct tree_node *n = &v->nodes[c];
		int x0 = x + (int)((unsigned __int128)acc * (unsigned)w / cum);
		int x1;

		acc += n->cum;
		x1 = x + (int)((unsigned __int128)acc * (unsigned)w / cum);
		if (x1 - x0 < 1)
			continue;
		flame_add(l, cap, c, row, x0, x1 - x0);
		flame_children(v, l, cap, n->first_child, n->cum, row + 1, x0,
			       x1 - x0);
	}
}

static int
flame_cell_cmp(const void *pa, const void *pb)
{
	const struct flame_cell *a = pa, *b = pb;

	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return a->x < b->x ? -1 : a->x > b->x;
}

void
flame_layout(const struct tree_view *v, size_t root, int width,
	     struct flame_layout *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (width < 1)
		return;
	if (root == TREE_NONE) {
		for (size_t r = v->first_root; r != TREE_NONE;
		     r = v->nodes[r].next_sibling)
			out->root_cum += v->nodes[r].cum;
		if (out->root_cum == 0)
			return;
		flame_add(out, &cap, TREE_NONE, 0, 0, width);
		flame_children(v, out, &cap, v->first_root, out->root_cum, 1, 0,
			       width);
	} else {
		out->root_cum = v->nodes[root].cum;
		flame_add(out, &cap, root, 0, 0, width);
		flame_children(v, out, &cap, v->nodes[root].first_child,
			       out->root_cum, 1, 0, width);
	}
	qsort(out->cells, out->ncells, sizeof(*out->cells), flame_cell_cmp);
}

void
flame_free(struct flame_layout *l)
{
	free(l->cells);
	memset(l, 0, sizeof(*l));
}
