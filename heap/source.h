#ifndef CPT_HEAP_SOURCE_H
#define CPT_HEAP_SOURCE_H

/*
 * cproftop's end of the heap ring (heap/ring.h): creates the shared memory
 * a spawned command inherits, prepares the environment that preloads
 * libcproftop-heap.so into it, and drains the records the interposer
 * writes. No ptrace, no symbols: a source of records, like perf/.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap/ring.h"

struct heap_source;

/*
 * Creates the ring and sets, in cproftop's own environment (inherited by
 * the command it spawns next; cproftop spawns nothing else), LD_PRELOAD
 * (the library first, before any LD_PRELOAD already set),
 * CPROFTOP_HEAP_FD and CPROFTOP_HEAP_RATE (rate: mean bytes between
 * samples), and with follow CPROFTOP_HEAP_FOLLOW (the programs the command
 * executes, itself or its children, load the library too). lib is the library's
 * path (heap_source_library()). Returns 0 with *out set (caller frees with
 * heap_source_free()), or -1 with *cause set (caller frees). Main thread,
 * before any other thread reads the environment.
 */
int heap_source_open(const char *lib, uint64_t rate, bool follow,
		     struct heap_source **out, char **cause);

/*
 * The library to preload: $CPROFTOP_HEAP_LIB when set; else heap/ beside
 * the running cproftop (a build tree); else the installed one in pkglibdir.
 * Returns a caller-freed path, or NULL with *cause set (caller frees) when
 * none exists or the path cannot go in LD_PRELOAD (a space or colon).
 */
char *heap_source_library(char **cause);

/*
 * Copies up to max records from the ring into recs[0..) (the target's data:
 * kinds and frame counts are checked, values are not) and frees their cells.
 * A cell claimed and left unpublished for HEAP_RING_STALL_NS by now_ns
 * (CLOCK_MONOTONIC) is taken back and counted (its producer, if alive,
 * writes the record again); a malformed record is skipped and counted
 * lost. Returns the number copied;
 * 0 when the ring is empty. One consumer thread.
 */
size_t heap_source_drain(struct heap_source *h, struct heap_record *recs,
			 size_t max, int64_t now_ns);

/*
 * Tells the target the records drained so far are read: the library of a
 * program that said hello waits for it (ring.h, HEAP_HELLO_WAIT_NS), so
 * call it once their maps are read (heap_source_free() says all are, for
 * good); wakes them (a futex on done, ring.h) when done moved. One
 * consumer thread.
 */
void heap_source_done(struct heap_source *h);

/* The ring's bell now, to pass to heap_source_wait() after a drain. */
uint32_t heap_source_bell(const struct heap_source *h);

/*
 * Sleeps for timeout_ns at most, less when a producer rang the bell since
 * it read bell (heap_source_bell(), before the drain): a program waiting
 * for its hello to be read. One consumer thread.
 */
void heap_source_wait(struct heap_source *h, uint32_t bell, int64_t timeout_ns);

/*
 * The ring's inode: /proc/PID/maps shows it on the line of HEAP_RING_NAME
 * in every process that maps the ring (the library loaded), and in no
 * other. 0 when unknown. Any thread.
 */
uint64_t heap_source_inode(const struct heap_source *h);

/* What the ring lost or recovered, as far as cproftop can tell. */
struct heap_losses {
	uint64_t dropped;   /* records lost: the ring was full, they were
			       lost in stalls, or they were malformed */
	uint64_t untracked; /* samples the interposer did not track */
	uint64_t late;	    /* records written again after a stall */
	uint64_t taken;	    /* cells taken back from stalled producers */
	uint64_t malformed; /* records skipped as malformed (in dropped) */
	uint64_t stalled;   /* records lost in stalls (in dropped): those
			       abandoned, and one a cell taken back that no
			       producer came back for */
	uint64_t abandoned; /* records whose producer gave up after
			       HEAP_RING_TRIES stalls (in stalled) */
};

/* Fills l with the ring's losses so far. The draining thread (or one
   holding its lock). */
void heap_source_losses(const struct heap_source *h, struct heap_losses *l);

/*
 * Unmaps and closes the ring and removes the variables set above from the
 * environment. NULL is a no-op.
 */
void heap_source_free(struct heap_source *h);

#endif
