#ifndef CPT_VIEWS_PEEK_H
#define CPT_VIEWS_PEEK_H

/*
 * Callers and callees of one function (pprof's `peek`), at function
 * granularity (functions with the same name are one). An edge joins two
 * adjacent frames of a stack (inline levels included, recursion self-edges
 * skipped); its count is the samples whose stack has that edge, once per
 * sample. Same sample selection as the top table (struct filter).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"
#include "views/weights.h"

struct profile_snapshot;

struct peek_row {
	uint32_t function; /* the caller or callee (lowest id of its name) */
	const char *name;  /* borrowed from the snapshot */
	uint64_t count;	   /* samples through the edge */
	double share;	   /* count / the function's cum * 100 */
	bool inline_edge;  /* every sample crossed it inside an inline chain */
};

struct peek_view {
	uint32_t function;
	const char *name;
	uint64_t flat, cum, total;
	struct peek_row *callers, *callees; /* by count desc, then name */
	size_t ncallers, ncallees;
};

/*
 * Builds the callers and callees of function (an id of s) into *out.
 * Returns 0, or -1 when function is not an id of s (out is then empty).
 * Free with peek_free(). Any thread; s is only read.
 */
int peek_build(const struct profile_snapshot *s, const struct filter *f,
	       uint32_t function, struct peek_view *out);

/*
 * As peek_build(), over the (stack, value) pairs of w (the heap's bytes,
 * views/heap.h): counts are sums of values; function is an id of
 * w->tables; f applies as in tree_build_weights() (views/tree.h).
 */
int peek_build_weights(const struct view_weights *w, const struct filter *f,
		       uint32_t function, struct peek_view *out);

void peek_free(struct peek_view *v);

#endif
