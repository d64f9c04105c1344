#ifndef CPT_VIEWS_HEAP_H
#define CPT_VIEWS_HEAP_H

/*
 * Go's four heap views over a heap snapshot (sampler/heapprof.h): each
 * (stack, size) bucket's sampled allocations and in-use samples scaled up
 * by the sampling probability, as Go's scaleHeapSample does:
 * count / (1 - exp(-size / rate)). Pure functions; any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "views/weights.h"

struct heapprof_snapshot;

/* The four values, in the order of Go's heap profile's sample types. */
enum heap_view {
	HEAP_VIEW_ALLOC_OBJECTS, /* alloc_objects/count */
	HEAP_VIEW_ALLOC_SPACE,	 /* alloc_space/bytes */
	HEAP_VIEW_INUSE_OBJECTS, /* inuse_objects/count */
	HEAP_VIEW_INUSE_SPACE,	 /* inuse_space/bytes (pprof's default) */
	HEAP_VIEW_COUNT,
};

/* The view's name ("inuse_space"); parses one into *out (0 or -1). */
const char *heap_view_name(enum heap_view v);
int heap_view_parse(const char *name, enum heap_view *out);

/*
 * The estimated values of bucket b of s, in vals[HEAP_VIEW_COUNT] (Go's
 * scaleHeapSample, truncated to integers as Go does).
 */
void heap_bucket_values(const struct heapprof_snapshot *s, uint32_t b,
			int64_t vals[HEAP_VIEW_COUNT]);

/*
 * What happened between snapshots s0 and s1 of the same profile (s0 taken
 * first): Go's delta heap profile (/debug/pprof/heap?seconds=N): the
 * allocations of the interval, and the in-use growth (negative where
 * more was freed than allocated); its start is s0's end. Caller frees
 * with heapprof_snapshot_free(); s1's tables are shared (referenced).
 */
struct heapprof_snapshot *heap_delta(const struct heapprof_snapshot *s0,
				     const struct heapprof_snapshot *s1);

/*
 * Fills *out with the (stack, value) pairs of view v over s's buckets, for
 * tree_build_weights() (views/tree.h): each bucket's scaled value, as
 * heap_bucket_values() computes it. Nothing is copied: s must outlive
 * the use of *out. Any thread.
 */
void heap_weights(const struct heapprof_snapshot *s, enum heap_view v,
		  struct view_weights *out);

/* The totals of every view over all buckets, in vals[HEAP_VIEW_COUNT]. */
void heap_totals(const struct heapprof_snapshot *s,
		 int64_t vals[HEAP_VIEW_COUNT]);

/* One function's value in a view: as the allocating frame (flat), and
   anywhere on the stack (cum). */
struct heap_row {
	uint32_t function; /* in s->tables->functions */
	int64_t flat, cum;
};

/*
 * The functions of s with a value in view v (negative in a delta's in-use
 * views), biggest flat first (by_cum: biggest cum first), in *n rows.
 * Caller frees. Any thread.
 */
struct heap_row *heap_table(const struct heapprof_snapshot *s, enum heap_view v,
			    bool by_cum, size_t *n);

/* pprof's label of a value: "12.50MB" (1024-based) when bytes, else the
   count, into buf (size bytes). */
void heap_label(char *buf, size_t size, int64_t v, bool bytes);

/*
 * The split of s's records dropped into buf (size > 0 bytes, always
 * terminated), the words --top, the header and the exit's line share: "N
 * ring full, N in stalls, N malformed" (in stalls: records abandoned
 * after HEAP_RING_TRIES stalls, and one a cell taken back from a producer
 * that never came back). terse: the parts in stalls and malformed that are
 * not zero ("" when none; the rest of the records dropped is ring full).
 * Pure.
 */
void heap_dropped_split(char *buf, size_t size,
			const struct heapprof_snapshot *s, bool terse);

/*
 * The header's counts of s into buf (size > 0 bytes, always terminated),
 * tersely: "1500 samples, 300 frees, 0 dropped, 0 untracked" ("1
 * sample", "1 free"), with heap_dropped_split()'s terse split in
 * parentheses after "dropped" when not empty, then, those not zero, "N
 * unknown frees" (of no known sample), "N stray records" (of no known process),
 * "N past bucket bound" and "N rewritten (not lost)" (records written
 * again after a stall), then ", N processes" with more than one, and
 * ", it executed PATH in its place: unprofiled (--follow)" (escaped) when
 * the target left its profiled program. Returns true when something was
 * lost (any count but the records written again) or left unprofiled, for
 * the alert style. Pure.
 */
bool heap_counts(char *buf, size_t size, const struct heapprof_snapshot *s);

/*
 * Prints the `go tool pprof -sample_index=VIEW -top` table of view v (rows
 * of the `rows` largest flat values) to out, after a line on the sampling
 * and its losses. Names are escaped (common/escape.h). Returns 0, or -1
 * when writing failed.
 */
int heap_report_top(FILE *out, const struct heapprof_snapshot *s,
		    enum heap_view v, size_t rows);

/*
 * Encodes s as Go's heap profile, gzip'd (caller frees *buf, *len bytes):
 * sample types alloc_objects/count, alloc_space/bytes, inuse_objects/count,
 * inuse_space/bytes; period type space/bytes, period the rate; one sample
 * per bucket, labelled bytes (the allocation size) as Go's are; comments:
 * the version, and heap_counts()'s line. The default sample type is view
 * def: what `go tool pprof` shows without -sample_index (Go's heap profile
 * leaves it to the last type, inuse_space; its allocs profile says
 * alloc_space).
 */
void heap_pprof_gzip(const struct heapprof_snapshot *s, enum heap_view def,
		     uint8_t **buf, size_t *len);

#endif
