#ifndef CPT_VIEWS_GRAPH_H
#define CPT_VIEWS_GRAPH_H

/*
 * Private to views/: the call graph every model is computed from, after
 * go tool pprof's internal/graph. Nodes are keyed by the granularity;
 * each selected sample (a stack weighted by its counts under the filter)
 * adds its weight once to the cum of every node on its stack, to the flat
 * of its leaf node, and once to every edge between adjacent frames.
 *
 * Frames: the stack's locations root first, each location's inline chain
 * outermost first, with hidden lines removed. A frame is "inline" when it
 * is not the outermost remaining line of its location.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"
#include "views/weights.h"
#include "common/hash.h"

struct profile_snapshot;

struct graph_node {
	uint32_t function;	 /* lowest function id with this key */
	const char *name, *file; /* borrowed; file NULL at function level */
	int line;
	uint64_t address;
	uint32_t mapping; /* of the first location seen, or PROFILE_NONE */
	uint64_t flat, cum;
	bool in_inline, in_noinline; /* has inline / non-inline in-edges */
	uint32_t seen;		     /* private: last sample counted */
};

struct graph_edge {
	uint32_t from, to; /* caller, callee node */
	uint64_t weight;
	bool inline_edge; /* every crossing was inline */
	uint32_t seen;
};

struct graph {
	const struct profile_snapshot *s;
	const struct filter *f;
	struct graph_node *nodes;
	size_t nnodes;
	struct graph_edge *edges; /* all of them only with all_edges */
	size_t nedges;
	bool all_edges;
	uint64_t total;	   /* mode + scope, all threads */
	uint64_t selected; /* after threads, focus and hide */
	/* graph_build_weights(): the values of the stacks whose net value
	   was negative (left out), as a positive number */
	uint64_t left_out;

	/* private */
	uint32_t *node_of_line; /* per snapshot line */
	uint64_t *weight;	/* per stack, under threads/mode/scope */
	bool *line_hidden;	/* per snapshot line */
	bool *loc_focus;	/* per location */
	bool *maybe_inline;	/* per node: an inline frame somewhere */
	struct hash edge_index;
	uint32_t *frames; /* lines of the current stack, root first */
	bool *frame_inline;
	size_t frames_cap;
	uint32_t sample;
};

/*
 * Builds the nodes of s under f at granularity gran and accumulates every
 * selected sample (keep NULL) into g. With all_edges, g->edges holds every
 * edge (for peek); without, only the edges needed for the nodes' inline
 * flags (much cheaper on big profiles). Free with graph_free().
 */
void graph_build(struct graph *g, const struct profile_snapshot *s,
		 const struct filter *f, enum filter_granularity gran,
		 bool all_edges);

/*
 * As graph_build(), with the stacks of w->tables weighted by w's values
 * instead of the snapshot's counts: f's focus, hide and noinlines apply,
 * its mode, scope and thread set do not (w's values have none). A stack
 * weighs the sum of its values when positive; one whose sum is negative
 * weighs 0 and its sum goes to g->left_out. g->total is the sum of the
 * positive weights. Stack ids out of range are ignored.
 */
void graph_build_weights(struct graph *g, const struct view_weights *w,
			 const struct filter *f, enum filter_granularity gran,
			 bool all_edges);

/* graph_build_weights() over w when w is not NULL, else graph_build()
   over s. */
void graph_build_any(struct graph *g, const struct profile_snapshot *s,
		     const struct view_weights *w, const struct filter *f,
		     enum filter_granularity gran, bool all_edges);

/*
 * Recomputes the values counting only the nodes with keep[i] true (others
 * are skipped over as pprof does: a sample whose leaf is not kept adds no
 * flat). keep NULL keeps all.
 */
void graph_accumulate(struct graph *g, const bool *keep);

/*
 * Expands stack st into g->frames (snapshot line ids, root first, the
 * outermost inline level first, hidden lines removed; node_of_line[] gives
 * their nodes). Returns the number of frames: 0 when the focus rejects the
 * stack or hide removed every frame. The stack's weight under the thread
 * set, mode and scope is g->weight[st].
 */
size_t graph_frames(struct graph *g, uint32_t st);

/* The node id whose key equals function's name (function level), or -1. */
long graph_find_function(const struct graph *g, uint32_t function);

/* Frees what g owns. */
void graph_free(struct graph *g);

#endif
