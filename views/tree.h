#ifndef CPT_VIEWS_TREE_H
#define CPT_VIEWS_TREE_H

/*
 * The call tree (perf top -g, pprof -tree, hotspot's top-down/bottom-up)
 * and the layout of the flame view drawn from it.
 *
 * Top-down: the roots are the outermost frames (main, thread entry points),
 * each node's children the functions it called on the sampled stacks.
 * Bottom-up: the roots are the leaf functions, each node's children its
 * callers. A node is one path of function names from a root (function
 * granularity, inline frames included as in pprof), with
 *   cum:  the selected samples whose stack has this path,
 *   flat: those whose stack ends there (top-down: the path's last frame is
 *         the leaf; bottom-up: only the roots have flat, all of their cum).
 * Samples are selected as in the top table (struct filter: mode, scope,
 * threads, focus, hide); percentages are of total (mode and scope), as in
 * the table. Children are sorted by cum (biggest first), then name.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"
#include "views/weights.h"

struct profile_snapshot;

#define TREE_NONE SIZE_MAX

struct tree_node {
	uint32_t function; /* the lowest function id with this name */
	const char *name;  /* borrowed from the snapshot */
	size_t parent;	   /* TREE_NONE for a root */
	size_t first_child, next_sibling; /* TREE_NONE at the end */
	uint32_t depth;			  /* 0 for a root */
	uint64_t cum, flat;
	uint64_t path; /* a hash of the names from the root: a key that
			  survives rebuilds */
};

struct tree_view {
	struct tree_node *nodes; /* freed by tree_free() */
	size_t nnodes;
	size_t first_root; /* roots chain through next_sibling */
	uint64_t total;	   /* samples in mode and scope: the 100 % */
	uint64_t selected; /* of those, after threads, focus and hide */
	/* tree_build_weights(): the value of the stacks that came out
	   negative (a delta's shrinking in-use bytes), left out, as a
	   positive number; 0 otherwise */
	uint64_t left_out;
	bool bottom_up;
};

/*
 * Builds the tree of s under f into *out (overwritten). Cost: O(frames of
 * the sampled stacks). Any thread; s is only read; names stay valid as
 * long as the snapshot's strings.
 */
void tree_build(const struct profile_snapshot *s, const struct filter *f,
		bool bottom_up, struct tree_view *out);

/*
 * As tree_build(), over the (stack, value) pairs of w (the heap's bytes,
 * views/heap.h) instead of s's counts: cum and flat are sums of values,
 * total the sum of the stacks with a positive value. f's focus, hide and
 * noinlines apply; its mode, scope and thread set do not (w's values have
 * no threads or seconds). A stack whose values add up to a negative sum
 * is left out, its sum counted in left_out. Names are borrowed from
 * w->tables. Any thread; w's source is only read.
 */
void tree_build_weights(const struct view_weights *w, const struct filter *f,
			bool bottom_up, struct tree_view *out);

/* Frees what v owns; v is then an empty tree. */
void tree_free(struct tree_view *v);

/* The node whose path is path, or TREE_NONE. */
size_t tree_find(const struct tree_view *v, uint64_t path);

/*
 * The hottest path from node (TREE_NONE: from the hottest root): node,
 * its child with the most cum, that one's, ... down to a leaf. Stores up
 * to max node ids in out; returns how many.
 */
size_t tree_hottest_path(const struct tree_view *v, size_t node, size_t *out,
			 size_t max);

/* One frame of the flame view: node's box on row row, columns [x, x+w). */
struct flame_cell {
	size_t node; /* TREE_NONE: the "all" box of an unzoomed view */
	int row, x, width;
};

struct flame_layout {
	struct flame_cell *cells; /* by row, then x; freed by flame_free() */
	size_t ncells;
	int nrows;
	uint64_t root_cum; /* the samples the full width stands for */
};

/*
 * Lays out the icicle of top-down tree v in width columns: row 0 is root
 * (a node id, zoomed into) or, with TREE_NONE, an "all" box over every
 * root; each node's children lie below it, left to right by cum, each as
 * wide as its share of the samples (rounded down at both edges, so a
 * child never pokes out of its parent); frames narrower than one column
 * are left out with their callees. Caller frees with flame_free().
 */
void flame_layout(const struct tree_view *v, size_t root, int width,
		  struct flame_layout *out);

void flame_free(struct flame_layout *l);

#endif
