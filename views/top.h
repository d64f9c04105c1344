#ifndef CPT_VIEWS_TOP_H
#define CPT_VIEWS_TOP_H

/*
 * The flat/cum table (pprof's `top`) over a snapshot and a view state.
 *
 * flat: samples whose leaf frame (innermost inline level) is the row;
 * cum: samples whose stack contains the row anywhere (inline levels
 * included), counted once per sample even under recursion, so cum <= total.
 * Counts are in samples (not nanoseconds). Rows are keyed by the filter's
 * granularity and sorted by its key (and reverse flag); ties are broken as
 * pprof does, by printable name (address, name, file, line as text), then
 * by the other count (bigger first), so the order is deterministic (sort by
 * flat, not reversed: exactly pprof's `-top` order).
 */

#include <stddef.h>
#include <stdint.h>

#include "views/filter.h"

struct profile_snapshot;

/* pprof's "(inline)" / "(partial-inline)" label of a row. */
enum top_inline {
	TOP_INLINE_NONE,    /* never inlined into its callers */
	TOP_INLINE_PARTIAL, /* inlined into some callers only */
	TOP_INLINE_ALL,	    /* always reached through an inline frame */
};

struct top_row {
	uint32_t function;  /* a function id with this name (the lowest) */
	const char *name;   /* borrowed from the snapshot */
	const char *file;   /* line/address granularity: DWARF path or NULL */
	const char *object; /* the mapped file of its code (perf top's
			       "Shared Object"), or NULL */
	int line;	    /* line/address granularity, else 0 */
	uint64_t address;   /* address granularity, else 0 */
	uint64_t flat, cum;
	double flat_pct, sum_pct, cum_pct; /* of total; sum follows the order */
	enum top_inline inl;
};

struct top_table {
	struct top_row *rows; /* caller-owned through top_free() */
	size_t nrows;
	uint64_t total;	    /* samples in mode and scope: the 100 % */
	uint64_t selected;  /* of those, after threads, focus and hide */
	uint64_t shown;	    /* sum of flat over the rows */
	size_t ndropped;    /* rows dropped by node_fraction */
	size_t ncandidates; /* rows left after node_fraction, before max_rows */
	uint64_t cutoff;    /* rows with cum below this were dropped */
};

/*
 * Builds the table of snapshot s under view state f into *out, replacing
 * nothing (out is overwritten; free a previous table first). Keeps at most
 * max_rows rows after sorting (0: all); when limited, flat/cum of the kept
 * rows do not change, only their inline labels may (as in pprof's
 * -nodecount). Cost: O(stack frames) plus a sort. Borrowed names stay valid
 * as long as the snapshot's strings. Any thread, s is only read.
 */
void top_build(const struct profile_snapshot *s, const struct filter *f,
	       size_t max_rows, struct top_table *out);

/* Frees the rows of t (not t itself); t becomes an empty table. */
void top_free(struct top_table *t);

/*
 * Index of the row of t with the same key (name, file, line, address) as
 * row, to keep the selection across rebuilds; -1 when absent.
 */
long top_find(const struct top_table *t, const struct top_row *row);

#endif
