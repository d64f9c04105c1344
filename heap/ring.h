#ifndef CPT_HEAP_RING_H
#define CPT_HEAP_RING_H

/*
 * The shared-memory ring between the allocation interposer (heap/preload.c,
 * inside the target) and cproftop (heap/ring.c): a memfd that cproftop
 * creates and the target inherits (its number in CPROFTOP_HEAP_FD), laid
 * out as one header and a power of two of fixed-size slots. Many producers
 * (the target's threads; with --follow, the programs it executes, each
 * record saying its pid), one consumer (cproftop): a bounded queue after
 * Vyukov, where slot i's sequence says whose turn it is. A producer that
 * finds the ring full drops its record and counts it: the allocator never
 * waits for cproftop. A producer that claimed a slot and never published
 * it (killed, or its program replaced by an exec, in between) would stop
 * the consumer for good: after HEAP_RING_STALL_NS the consumer takes the
 * slot back, and a producer publishing too late loses its record. Both
 * ends change a slot's sequence by compare-and-swap, so one of them wins.
 * Everything the consumer reads is the target's and is checked before use.
 */

#include <stdatomic.h>
#include <stdint.h>

#define HEAP_RING_MAGIC 0x70616568u /* "heap" */
#define HEAP_RING_VERSION 2u
#define HEAP_RING_SLOTS 8192u /* a power of two */
#define HEAP_MAX_FRAMES 60
/* How long a claimed slot may stay unpublished before cproftop skips it. */
#define HEAP_RING_STALL_NS 1000000000LL

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
};

/* One record: 16 + 16 + 8 * HEAP_MAX_FRAMES = 512 bytes. */
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

struct heap_slot {
	_Atomic uint64_t seq; /* pos: free for the producer at pos;
				 pos + 1: holds the record of pos */
	struct heap_record rec;
};

struct heap_ring {
	uint32_t magic, version, nslots, slot_size;
	_Alignas(64) _Atomic uint64_t head; /* the producers' next position */
	_Alignas(64) _Atomic uint64_t tail; /* the consumer's (cproftop) */
	_Atomic uint64_t dropped;	    /* records lost to a full ring */
	_Atomic uint64_t untracked;	    /* samples not recorded: the
					       interposer's table was full */
	_Alignas(64) struct heap_slot slots[];
};

#define HEAP_RING_BYTES                                                        \
	(sizeof(struct heap_ring) +                                            \
	 (uint64_t)HEAP_RING_SLOTS * sizeof(struct heap_slot))

/*
 * Claims a slot for one record, fills it with rec and publishes it. Returns
 * 0, or -1 when the ring is full (the record is dropped and counted). Any
 * thread of the producer; never blocks.
 */
static inline int
heap_ring_put(struct heap_ring *r, const struct heap_record *rec)
{
	uint64_t mask = HEAP_RING_SLOTS - 1;
	uint64_t pos = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct heap_slot *slot;

	for (;;) {
		int64_t dif;

		slot = &r->slots[pos & mask];
		dif = (int64_t)(atomic_load_explicit(&slot->seq,
						     memory_order_acquire) -
				pos);
		if (dif == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &r->head, &pos, pos + 1,
				    memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (dif < 0) {
			atomic_fetch_add_explicit(&r->dropped, 1,
						  memory_order_relaxed);
			return -1;
		} else {
			pos = atomic_load_explicit(&r->head,
						   memory_order_relaxed);
		}
	}
	slot->rec.kind = rec->kind;
	slot->rec.nframes = rec->nframes;
	slot->rec.pid = rec->pid;
	slot->rec.addr = rec->addr;
	slot->rec.size = rec->size;
	for (uint32_t i = 0; i < rec->nframes && i < HEAP_MAX_FRAMES; i++)
		slot->rec.frames[i] = rec->frames[i];
	{
		uint64_t mine = pos;

		/* fails only when cproftop took the slot back (stalled
		   past HEAP_RING_STALL_NS): it counted the record lost */
		if (!atomic_compare_exchange_strong_explicit(
			    &slot->seq, &mine, pos + 1, memory_order_release,
			    memory_order_relaxed))
			return -1;
	}
	/* The next slot, last touched by the consumer a ring ago, is cold
	   (and on another page every 8 slots): fetched now, while the
	   program runs on, the next record finds it in the cache (this
	   miss was most of a free record's cost). */
	slot = &r->slots[(pos + 1) & mask];
	__builtin_prefetch(slot, 1, 3);
	__builtin_prefetch((const char *)slot + 64, 1, 3);
	return 0;
}

#endif
