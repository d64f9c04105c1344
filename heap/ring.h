#ifndef CPT_HEAP_RING_H
#define CPT_HEAP_RING_H

/*
 * The shared-memory ring between the allocation interposer (heap/preload.c,
 * inside the target) and cproftop (heap/source.c): a memfd that cproftop
 * creates and the target inherits (its number in CPROFTOP_HEAP_FD), laid
 * out as one header and a power of two of 64-byte cells. A record takes
 * one cell (a free: kind, pid, address) or more (an allocation: its head
 * cell holds three frames, each further cell seven): a sampled block
 * writes two or three cache lines, not two 512-byte slots, and touches a
 * new page every 64 cells (a first touch of a page costs microseconds on
 * a VM). Many producers (the target's threads; with --follow, the programs
 * it executes, each record saying its pid), one consumer (cproftop): a
 * bounded queue after Vyukov, where cell i's sequence says whose turn it
 * is; a producer claims a record's cells at once (one compare-and-swap of
 * the head), publishes the further cells (marked HEAP_RING_CONT) and then
 * the head cell. A producer that finds the ring full drops its record and
 * counts it: the allocator never waits for cproftop. A producer that
 * claimed cells and never published them (killed, or its program replaced
 * by an exec, in between) would stop the consumer for good: after
 * HEAP_RING_STALL_NS the consumer takes the cells back (those claimed
 * before the stall began, at once), skips further cells whose head it
 * took back, and counts the cells it took. Both ends change a cell's
 * sequence by compare-and-swap, so one of them wins. A producer that was
 * only slow (descheduled for a second on a loaded machine) finds out when
 * a compare-and-swap fails: it counts the cells it lost (retaken), claims
 * new ones and writes the record again, HEAP_RING_TRIES times in all,
 * then gives up and counts the record abandoned. Records lost to stalls
 * are those abandoned and the cells taken back less those retaken, the
 * latter exact when no producer dies mid-record; a producer that does
 * costs one record per cell it held (an overcount of at most a record's
 * cells, never an undercount); a live producer's cells count lost from
 * when they are taken until it writes its record again, so the count can
 * go down. A record written again comes after what other threads put
 * meanwhile, but still before anything that depends on it: an
 * allocation's record is put before the block is returned, a free's
 * before the block is freed.
 * A producer stalled while the ring makes a full lap (32768 cells) may
 * still be writing a cell's payload when the next lap's producer has
 * claimed it: its sequence is never the old one again, so the slow
 * producer cannot publish, but the payload it writes late tears the new
 * record's. So every record carries a check (heap_ring_check()) of its
 * words and its position, which the consumer computes again on its copy
 * and counts the record malformed when they differ: a record written
 * wholly by the late producer fails (its position is not this one), one
 * word of it too (the fold is a bijection in each word), a mix of more
 * only if 64-bit hashes collide. Hostile targets can forge records and
 * the counters (they are the target's word, like everything in the ring).
 * Everything the consumer reads is the target's and is checked before use.
 */

#include <stdatomic.h>
#include <stdint.h>

#define HEAP_RING_MAGIC 0x70616568u /* "heap" */
#define HEAP_RING_VERSION 7u
#define HEAP_RING_CELLS 32768u /* a power of two: 2 MiB */
#define HEAP_MAX_FRAMES 60
/* How long a claimed cell may stay unpublished before cproftop skips it. */
#define HEAP_RING_STALL_NS 1000000000LL
/* How many times a producer writes a record whose cells were taken back
   before it gives up (a test may define it lower, before this header). */
#ifndef HEAP_RING_TRIES
#define HEAP_RING_TRIES 3
#endif
/* A test's hook: called by a producer between claiming a record's cells
   (and writing its head cell) and publishing them, try 1, 2, ... (a test
   defines it before this header to stall the producer there). */
#ifndef HEAP_RING_PAUSE
#define HEAP_RING_PAUSE(r, pos, try) ((void)0)
#endif
/*
 * How long a program whose library just said hello waits at most for
 * cproftop to read the records put so far (done, below): its maps are read
 * with its hello, while it runs (a program that ended first would leave
 * empty maps: every frame unnamed).
 */
#define HEAP_HELLO_WAIT_NS 1000000000LL
/* In a cell's sequence: a record's further cell, published. */
#define HEAP_RING_CONT (1ull << 63)

/* What cproftop tells the interposer through the environment. */
/* The ring's memfd as /proc/PID/maps names it ("/memfd:" + its name) */
#define HEAP_RING_NAME "/memfd:cproftop-heap"
#define HEAP_ENV_FD "CPROFTOP_HEAP_FD"	   /* the ring's memfd */
#define HEAP_ENV_RATE "CPROFTOP_HEAP_RATE" /* mean bytes between samples */
#define HEAP_ENV_LIB "CPROFTOP_HEAP_LIB"   /* the library (LD_PRELOAD) */
/* "1": the programs the command executes are profiled too (--follow): the
   library leaves the variables and the ring's descriptor to them. */
#define HEAP_ENV_FOLLOW "CPROFTOP_HEAP_FOLLOW"

enum heap_record_kind {
	HEAP_RECORD_HELLO = 1, /* the library is loaded in a program:
				  size = its rate (a second hello from one
				  pid: it executed a new program) */
	HEAP_RECORD_ALLOC,     /* a sampled allocation: addr, size, stack */
	HEAP_RECORD_FREE,      /* addr, sampled before, was freed */
	HEAP_RECORD_FORK,      /* --follow: the process pid was just forked
				  by process addr and profiles on, counting
				  only what it allocates (its copies of its
				  parent's blocks are not its samples); it
				  waits, as after a hello */
};

/* One record, whole: what a producer puts and the consumer drains. */
struct heap_record {
	uint32_t kind;
	uint32_t nframes; /* frames[0] is the allocating function's
			     return address, outermost last */
	uint32_t pid;	  /* the process whose record it is */
	uint32_t reserved;
	uint64_t addr;
	uint64_t size;
	uint64_t frames[HEAP_MAX_FRAMES];
};

#define HEAP_HEAD_FRAMES 3 /* frames in a record's head cell */
#define HEAP_CONT_FRAMES 7 /* frames in each further cell */

/* One cell of the ring: a record's head, or one of its further cells. */
struct heap_cell {
	_Atomic uint64_t seq; /* pos: free for the producer at pos;
				 pos + 1: the head of a record at pos;
				 (pos + 1) | HEAP_RING_CONT: a further cell */
	union {
		struct {
			uint16_t kind, nframes;
			uint32_t pid;
			uint64_t addr, size;
			uint64_t check; /* heap_ring_check() */
			uint64_t frames[HEAP_HEAD_FRAMES];
		} head;
		uint64_t frames[HEAP_CONT_FRAMES];
	} u;
};

_Static_assert(sizeof(struct heap_cell) == 64, "a cell is a cache line");

/* The cells a record of nframes frames (at most HEAP_MAX_FRAMES) takes. */
static inline uint32_t
heap_record_cells(uint32_t nframes)
{
	if (nframes <= HEAP_HEAD_FRAMES)
		return 1;
	return 1 + (nframes - HEAP_HEAD_FRAMES + HEAP_CONT_FRAMES - 1) /
			   HEAP_CONT_FRAMES;
}

/*
 * Folds a record's words (word0: its head cell's kind, frame count and pid
 * as heap_ring_word0() packs them; nframes of frames) into a hash, for
 * heap_ring_check(). Each step is a bijection in the word and in the hash
 * so far: records that differ in one word fold differently.
 */
static inline uint64_t
heap_ring_fold(uint64_t word0, uint64_t addr, uint64_t size,
	       const uint64_t *frames, uint32_t nframes)
{
	uint64_t h = 0x243f6a8885a308d3ull;

#define HEAP_RING_STEP(w) (h = (h ^ (w)) * 0x9e3779b97f4a7c15ull, h ^= h >> 32)
	HEAP_RING_STEP(word0);
	HEAP_RING_STEP(addr);
	HEAP_RING_STEP(size);
	for (uint32_t f = 0; f < nframes; f++)
		HEAP_RING_STEP(frames[f]);
#undef HEAP_RING_STEP
	return h;
}

/* A head cell's first word: its kind, frame count and pid. */
static inline uint64_t
heap_ring_word0(uint16_t kind, uint16_t nframes, uint32_t pid)
{
	return (uint64_t)kind | (uint64_t)nframes << 16 | (uint64_t)pid << 32;
}

/*
 * The check of a record of fold heap_ring_fold() put at pos: a bijection
 * in each (murmur3's finalizer), so a record of the same words put at
 * another position (a lap before) never has this check.
 */
static inline uint64_t
heap_ring_check(uint64_t fold, uint64_t pos)
{
	uint64_t h = fold ^ pos;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

struct heap_ring {
	uint32_t magic, version, nslots, slot_size; /* cells, their size */
	_Alignas(64) _Atomic uint64_t head; /* the producers' next position */
	_Alignas(64) _Atomic uint64_t tail; /* the consumer's (cproftop) */
	_Atomic uint64_t dropped;	    /* records lost to a full ring */
	_Atomic uint64_t untracked;	    /* samples not recorded: the
					       interposer's table was full */
	_Atomic uint64_t late;		    /* records written again after
					       their cells were taken back */
	_Atomic uint64_t retaken;	    /* cells taken back that their
					       producer found so */
	_Atomic uint64_t abandoned;	    /* records given up: their cells
					       were taken back
					       HEAP_RING_TRIES times */
	/* cproftop: the records before it are read, each hello's maps; a
	   producer waiting for it sleeps on its low half (a futex: see
	   heap_ring_done_word()), which cproftop wakes when it moves */
	_Atomic uint64_t done;
	/* a producer waiting for done adds one and wakes cproftop (futex) */
	_Atomic uint32_t bell;
	/* done + 1 when a producer's wait for it ran out (0: never): while
	   done stays there (cproftop gone or stuck), no producer waits, in
	   any process of the ring (a killed cproftop must not cost each fork
	   of a forking server a second) */
	_Atomic uint64_t wait_lost;
	_Alignas(64) struct heap_cell cells[];
};

/*
 * The 32-bit futex word of r->done: its low half, which changes whenever
 * done does by less than 2^32 (a waiter reads done again when woken, or
 * when its wait times out).
 */
static inline _Atomic uint32_t *
heap_ring_done_word(struct heap_ring *r)
{
	return (_Atomic uint32_t *)(void *)&r->done +
	       (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
}

#define HEAP_RING_BYTES                                                        \
	(sizeof(struct heap_ring) +                                            \
	 (uint64_t)HEAP_RING_CELLS * sizeof(struct heap_cell))

/*
 * Claims k free cells at the head. Returns their first position, or
 * UINT64_MAX when the ring is full (the record is dropped and counted).
 */
static inline uint64_t
heap_ring_claim(struct heap_ring *r, uint32_t k)
{
	const uint64_t mask = HEAP_RING_CELLS - 1;
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);

	for (;;) {
		int64_t dif = 0;

		/* every cell free for this lap (a further cell published
		   a lap ago and not drained yet: full) */
		for (uint32_t i = 0; i < k && dif == 0; i++)
			dif = (int64_t)((atomic_load_explicit(
						 &r->cells[(pos + i) & mask]
							  .seq,
						 memory_order_acquire) &
					 ~HEAP_RING_CONT) -
					(pos + i));
		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &r->head, &pos, pos + k,
				    memory_order_relaxed, memory_order_relaxed))
				return pos;
		} else if (dif < 0) {
			atomic_fetch_add_explicit(&r->dropped, 1,
						  memory_order_relaxed);
			return UINT64_MAX;
		} else {
			pos = atomic_load_explicit(&r->head,
						   memory_order_relaxed);
		}
	}
}

/*
 * Fills the further cells of the record claimed at pos (k cells, its head
 * cell written) and publishes them, then the head cell. Returns 0, or the
 * number of its cells cproftop took back (the head cell always among them:
 * cproftop takes cells in order, and the head is published last); the
 * further cells not taken are then published still, to be skipped.
 */
static inline uint32_t
heap_ring_publish(struct heap_ring *r, const struct heap_record *rec,
		  uint64_t pos, uint32_t k, uint32_t nframes)
{
	const uint64_t mask = HEAP_RING_CELLS - 1;
	uint32_t taken = 0,
		 f = nframes < HEAP_HEAD_FRAMES ? nframes : HEAP_HEAD_FRAMES;
	uint64_t mine;

	for (uint32_t i = 1; i < k; i++) {
		struct heap_cell *d = &r->cells[(pos + i) & mask];

		for (uint32_t j = 0; j < HEAP_CONT_FRAMES && f < nframes; j++)
			if (taken == 0)
				d->u.frames[j] = rec->frames[f++];
		mine = pos + i;
		if (!atomic_compare_exchange_strong_explicit(
			    &d->seq, &mine, (pos + i + 1) | HEAP_RING_CONT,
			    memory_order_release, memory_order_relaxed))
			taken += taken == 0 ? 2 : 1; /* it, and the head */
	}
	if (taken > 0)
		return taken;
	mine = pos;
	if (!atomic_compare_exchange_strong_explicit(
		    &r->cells[pos & mask].seq, &mine, pos + 1,
		    memory_order_release, memory_order_relaxed))
		return 1;
	return 0;
}

/*
 * Claims the cells of one record, fills them with rec and publishes it;
 * when cproftop took them back meanwhile (a stall past
 * HEAP_RING_STALL_NS), counts the cells lost and writes the record again
 * in new cells, HEAP_RING_TRIES times in all. Returns 0, or -1 when the
 * ring is full (the record is counted dropped) or the tries are spent
 * (counted abandoned). Any thread of the producer; never blocks.
 */
static inline int
heap_ring_put(struct heap_ring *r, const struct heap_record *rec)
{
	const uint64_t mask = HEAP_RING_CELLS - 1;
	uint32_t nframes =
		rec->nframes < HEAP_MAX_FRAMES ? rec->nframes : HEAP_MAX_FRAMES;
	uint32_t k = heap_record_cells(nframes), taken;
	uint64_t fold =
		heap_ring_fold(heap_ring_word0((uint16_t)rec->kind,
					       (uint16_t)nframes, rec->pid),
			       rec->addr, rec->size, rec->frames, nframes);

	for (int try = 1;; try++) {
		uint64_t pos = heap_ring_claim(r, k);
		struct heap_cell *c;

		if (pos == UINT64_MAX)
			return -1;
		c = &r->cells[pos & mask];
		c->u.head.kind = rec->kind;
		c->u.head.pid = rec->pid;
		c->u.head.addr = rec->addr;
		c->u.head.size = rec->size;
		c->u.head.nframes = (uint16_t)nframes;
		c->u.head.check = heap_ring_check(fold, pos);
		for (uint32_t f = 0; f < nframes && f < HEAP_HEAD_FRAMES; f++)
			c->u.head.frames[f] = rec->frames[f];
		HEAP_RING_PAUSE(r, pos, try);
		taken = heap_ring_publish(r, rec, pos, k, nframes);
		if (taken == 0) {
			if (try > 1)
				atomic_fetch_add_explicit(&r->late, 1,
							  memory_order_relaxed);
			/* The next cell, last touched by cproftop a ring
			   ago, is cold: fetched now, while the program runs
			   on, the next record finds it in the cache. */
			__builtin_prefetch(&r->cells[(pos + k) & mask], 1, 3);
			return 0;
		}
		atomic_fetch_add_explicit(&r->retaken, taken,
					  memory_order_relaxed);
		if (try >= HEAP_RING_TRIES) {
			atomic_fetch_add_explicit(&r->abandoned, 1,
						  memory_order_relaxed);
			return -1;
		}
	}
}

#endif
