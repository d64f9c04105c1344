#ifndef CPT_HEAP_RING_H
#define CPT_HEAP_RING_H

/*
 * The shared-memory ring between the allocation interposer (heap/preload.c,
 * inside the target) and cproftop (heap/ring.c): a memfd that cproftop
 * creates and the target inherits (its number in CPROFTOP_HEAP_FD), laid
 * out as one header and a power of two of fixed-size slots. Many producers
 * (the target's threads), one consumer (cproftop): a bounded queue after
 * Vyukov, where slot i's sequence says whose turn it is. A producer that
 * finds the ring full drops its record and counts it: the allocator never
 * waits for cproftop. Everything the consumer reads is the target's and is
 * checked before use.
 */

#include <stdatomic.h>
#include <stdint.h>

#define HEAP_RING_MAGIC 0x70616568u /* "heap" */
#define HEAP_RING_VERSION 1u
#define HEAP_RING_SLOTS 8192u /* a power of two */
#define HEAP_MAX_FRAMES 60

/* What cproftop tells the interposer through the environment. */
#define HEAP_ENV_FD "CPROFTOP_HEAP_FD"	   /* the ring's memfd */
#define HEAP_ENV_RATE "CPROFTOP_HEAP_RATE" /* mean bytes between samples */
#define HEAP_ENV_LIB "CPROFTOP_HEAP_LIB"   /* the library (LD_PRELOAD) */

enum heap_record_kind {
	HEAP_RECORD_HELLO = 1, /* the library is loaded: addr = pid,
				  size = its rate */
	HEAP_RECORD_ALLOC,     /* a sampled allocation: addr, size, stack */
	HEAP_RECORD_FREE,      /* addr, sampled before, was freed */
};

/* One record: 8 + 16 + 8 * HEAP_MAX_FRAMES = 504 bytes. */
struct heap_record {
	uint32_t kind;
	uint32_t nframes; /* frames[0] is the allocating function's
			     return address, outermost last */
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
	slot->rec.addr = rec->addr;
	slot->rec.size = rec->size;
	for (uint32_t i = 0; i < rec->nframes && i < HEAP_MAX_FRAMES; i++)
		slot->rec.frames[i] = rec->frames[i];
	atomic_store_explicit(&slot->seq, pos + 1, memory_order_release);
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
