#ifndef CPT_HEAP_ADDRSET_H
#define CPT_HEAP_ADDRSET_H

/*
 * The interposer's set of sampled addresses still allocated, so that a
 * free() knows whether its address was sampled. In front, a filter of one
 * bit per bucket of addresses (4 KiB, read-mostly: it stays in the cache):
 * a clear bit says "not sampled" in one load, which is what nearly every
 * free() hears. A bucket is address bits 4 to 18 (blocks are 16-byte
 * aligned): two shifts, no multiply, on free()'s path. Behind it, an
 * open-addressing table (linear probing from a Fibonacci hash's top bits,
 * backward-shift deletion) in static memory: 1024 slots, doubled when
 * half full, up to ADDRSET_SLOTS (1 MiB, in one 2 MiB huge page when the
 * kernel gives one; otherwise few small pages are touched while few
 * samples are live): no allocation, ever. Writers (a sampled allocation,
 * the free of a sampled address: rare) take a spinlock and keep the filter
 * exact (a bit is set while a member falls in its bucket: a count per
 * bucket); lookups take no lock and retry when a writer changed the table
 * meanwhile (a sequence lock).
 * Safe from any thread; async-signal-safe except that a signal handler
 * interrupting a writer of the same thread would spin (the interposer's
 * re-entry flag keeps handlers out).
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDRSET_BITS 17 /* the table's slots at most: 1 << ADDRSET_BITS */
#define ADDRSET_SLOTS (1u << ADDRSET_BITS)
#define ADDRSET_MAX (ADDRSET_SLOTS / 2)
#define ADDRSET_FILTER_BITS 15 /* 32768 buckets: 4 KiB of bits */

/* The filter's words: bit b set while a member falls in bucket b. */
extern _Atomic uint64_t addrset_filter[(1u << ADDRSET_FILTER_BITS) / 64]
	__attribute__((visibility("hidden")));

/*
 * The filter bucket of addr: its bits 4 to 18. (A Fibonacci hash's
 * multiply, on every free(), was a third of its hook's time: bench/heap.sh.)
 * Small blocks spread over every bucket; page-aligned ones (glibc's
 * mmapped blocks) over 128, where a false "maybe" costs their free a
 * lookup, next to a munmap.
 */
static inline size_t
addrset_bucket(uintptr_t addr)
{
	return (size_t)(addr >> 4) & (((size_t)1 << ADDRSET_FILTER_BITS) - 1);
}

/*
 * False when addr is certainly not in the set (one relaxed load; no
 * shared line is written); true when it may be (addrset_remove() tells).
 * An addr added before its pointer reached this thread is always seen.
 */
static inline bool
addrset_maybe(uintptr_t addr)
{
	/* addrset_bucket()'s word and bit, each straight from addr */
	size_t w = (size_t)(addr >> 10) &
		   (((size_t)1 << (ADDRSET_FILTER_BITS - 6)) - 1);

	return (atomic_load_explicit(&addrset_filter[w],
				     memory_order_relaxed) >>
		((addr >> 4) % 64)) &
	       1;
}

/*
 * Asks for the table to be backed by one huge page (madvise), before the
 * first addrset_add(): see addrset.c. Optional; any thread, once.
 */
void addrset_setup(void);

/*
 * Sets addr's filter bit for good (addrset_maybe() then says true for it,
 * and for the few others of its bucket): for the blocks the interposer
 * serves itself, whose free() must take the slow path. Never fails.
 */
void addrset_pin(uintptr_t addr);

/* Adds addr (nonzero). Returns 0, or -1 when the set holds ADDRSET_MAX. */
int addrset_add(uintptr_t addr);

/*
 * Removes addr when present. Returns true when it was there. Costs one
 * load when addr's filter bit is clear (addrset_maybe()).
 */
bool addrset_remove(uintptr_t addr);

/*
 * In a forked child (one thread: the forking one, not inside a writer):
 * empties the set, whatever state the other threads of the parent left it
 * in at the fork (mid-write: its lock held, a member half inserted, the
 * table half grown), and frees its lock. The blocks the child inherited
 * are its parent's samples, not its own. Writes only what is in use, and
 * no lock is held across the fork (one would order it against the
 * parent's other locks: glibc's fork takes some, which a thread may hold
 * while it allocates).
 */
void addrset_fork_reset(void);

#endif
