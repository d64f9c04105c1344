#ifndef CPT_VIEWS_WEIGHTS_H
#define CPT_VIEWS_WEIGHTS_H

/*
 * Per-stack values from a profile other than the CPU snapshot's counts
 * (the heap's bytes: views/heap.h), for the views that can draw any
 * (stack, value) pairs: the call tree and the flame layout (views/tree.h).
 * Nothing is copied: each() walks the source as it is.
 */

#include <stdint.h>

struct profile_snapshot;

struct view_weights {
	/* the tables the stacks index (mappings to stacks; counts unused) */
	const struct profile_snapshot *tables;
	/*
	 * Calls add(acc, stack, value) once per (stack, value) pair of src; a
	 * stack may come more than once (its values add up), a value may be
	 * negative (a delta's shrinking in-use bytes). Called on the
	 * builder's thread; src is only read.
	 */
	void (*each)(const void *src,
		     void (*add)(void *acc, uint32_t stack, int64_t value),
		     void *acc);
	const void *src;
};

#endif
