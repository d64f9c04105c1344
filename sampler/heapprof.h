#ifndef CPT_SAMPLER_HEAPPROF_H
#define CPT_SAMPLER_HEAPPROF_H

/*
 * The heap profile (--heap): a thread that drains the interposer's records
 * (heap/source.h) every 10 ms and keeps, per (stack, allocation size) as
 * Go's memory profile does, the sampled allocations and frees, and which
 * sampled addresses are still allocated. A stack is kept as its return
 * addresses, the files they fall in opened while the process lives (its
 * own symbols caches, no ptrace; with --follow one per process that
 * reports, the programs the target executes), and named at the next
 * snapshot: the debug info (libc's: ~0.1 s of CPU) is read when a view
 * asks, not beside the allocating target. Readers take immutable
 * snapshots; views/heap.h scales them.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sampler/profile.h"

struct heap_source;
struct heapprof;

/* Sampled allocations of one size from one stack (raw, unscaled). */
struct heapprof_bucket {
	uint32_t stack;		/* in tables->stacks */
	uint64_t size;		/* bytes requested by each */
	uint64_t allocs, frees; /* samples allocated, and freed since */
};

struct heapprof_snapshot {
	struct profile_snapshot *tables; /* mappings to stacks; no counts */
	const struct heapprof_bucket *buckets;
	uint32_t nbuckets;
	uint64_t rate;		/* mean bytes between samples */
	bool loaded;		/* the interposer said hello from the target */
	pid_t pid;		/* the target */
	uint32_t nprocs;	/* processes that said hello (--follow), or were
				   forked and profiled on */
	uint64_t forks;		/* of those, forked children (--follow) */
	uint64_t execs;		/* programs executed in place (same pid) */
	char *left_for;		/* the program the target executed last in its
				   place that never said hello (unprofiled: no
				   --follow), its path (the target's bytes: escape),
				   or NULL */
	uint64_t strays;	/* records of no known process, not counted */
	uint64_t samples;	/* allocation records */
	uint64_t frees;		/* free records of a known sample */
	uint64_t unknown_frees; /* free records of no known sample */
	uint64_t dropped;	/* records lost (heap_losses) */
	uint64_t stalled;	/* of those, lost in producer stalls (dead
				   mid-record, or HEAP_RING_TRIES in a row) */
	uint64_t malformed;	/* of those, malformed (the rest: ring full) */
	uint64_t late;		/* records written again after a stall */
	uint64_t untracked;	/* samples the interposer could not track */
	uint64_t overflow; /* samples past the bound on buckets, not counted */
	int64_t start_unix_ns, duration_ns;
};

/*
 * Starts the heap thread on src (borrowed until heapprof_free()) for target
 * pid, sampled at rate. Returns the handle (caller frees with
 * heapprof_free()). Main thread.
 */
struct heapprof *heapprof_start(struct heap_source *src, pid_t pid,
				uint64_t rate);

/*
 * A copy of the profile as of now, after draining what the ring holds.
 * Caller frees with heapprof_snapshot_free(). Any thread but the heap
 * thread.
 */
struct heapprof_snapshot *heapprof_snapshot(struct heapprof *h);
void heapprof_snapshot_free(struct heapprof_snapshot *s);

/*
 * The profile's buckets (its records) so far, without a snapshot's copy
 * of the tables or a drain: what the --http index counts. Any thread.
 */
uint32_t heapprof_records(struct heapprof *h);

/*
 * Drains the ring a last time and joins the thread. Idempotent. Any thread
 * but the heap thread.
 */
void heapprof_stop(struct heapprof *h);

/*
 * Stops and frees. NULL is a no-op. Free every snapshot first: their
 * strings belong to h.
 */
void heapprof_free(struct heapprof *h);

#endif
