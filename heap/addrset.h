#ifndef CPT_HEAP_ADDRSET_H
#define CPT_HEAP_ADDRSET_H

/*
 * The interposer's set of sampled addresses still allocated, so that a
 * free() knows in a few loads whether its address was sampled. A fixed
 * open-addressing table (linear probing, backward-shift deletion) in static
 * memory: no allocation, ever. Writers (a sampled allocation, the free of a
 * sampled address: rare) take a spinlock; lookups (every free) take no lock
 * and retry when a writer changed the table meanwhile (a sequence lock).
 * Safe from any thread; async-signal-safe except that a signal handler
 * interrupting a writer of the same thread would spin (the interposer's
 * re-entry flag keeps handlers out).
 */

#include <stdbool.h>
#include <stdint.h>

#define ADDRSET_SLOTS (1u << 17) /* a power of two */
#define ADDRSET_MAX (ADDRSET_SLOTS / 2)

/* Adds addr (nonzero). Returns 0, or -1 when the set holds ADDRSET_MAX. */
int addrset_add(uintptr_t addr);

/*
 * Removes addr when present. Returns true when it was there. Costs one
 * atomic load when the set is empty.
 */
bool addrset_remove(uintptr_t addr);

#endif
