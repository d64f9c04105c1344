/*
 * heap/addrset.c: the interposer's set of sampled addresses (addrset.h).
 * Part of libcproftop-heap.so only: no libc allocation, no cproftop code.
 */
#include "config.h"

#include "heap/addrset.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

#define ADDRSET_HUGE (2u << 20)

/*
 * The table and the bucket counts (1.1 MiB), written only by samples:
 * alone in an aligned 2 MiB of zeroes, which addrset_setup() asks to be
 * one huge page. Otherwise the first samples each fault in one of its 288
 * small pages at random (~290 faults in the first thousands of samples:
 * 10 to 35 us each on a VM, where the huge page's one fault took 0.15 ms).
 * A loader that does not align it (glibc < 2.35) or a kernel without
 * transparent huge pages leaves the small pages: slower, not wrong.
 */
static _Alignas(ADDRSET_HUGE) struct {
	_Atomic uintptr_t slots[ADDRSET_SLOTS];
	/* members per filter bucket: written under the lock only */
	uint32_t count[1u << ADDRSET_FILTER_BITS];
	char pad[ADDRSET_HUGE - ADDRSET_SLOTS * sizeof(uintptr_t) -
		 (1u << ADDRSET_FILTER_BITS) * sizeof(uint32_t)];
} addrset_mem;
#define addrset_slots addrset_mem.slots
#define addrset_count addrset_mem.count

static _Atomic uint64_t addrset_seq; /* odd while a writer changes slots */
static atomic_flag addrset_lock = ATOMIC_FLAG_INIT;
static _Atomic uint32_t addrset_n;
_Atomic uint64_t addrset_filter[(1u << ADDRSET_FILTER_BITS) / 64];
/* Buckets pinned for good (addrset_pin): under the lock only. */
static uint64_t addrset_pinned[(1u << ADDRSET_FILTER_BITS) / 64];

_Static_assert(sizeof(addrset_mem) == ADDRSET_HUGE, "one huge page");

void
addrset_setup(void)
{
	/* before any sample touches it: one fault then maps it all */
	(void)madvise(&addrset_mem, sizeof(addrset_mem), MADV_HUGEPAGE);
}

/* Counts a member in (delta 1) or out (-1) of a's bucket, under the lock. */
static void
addrset_filter_count(uintptr_t a, int delta)
{
	size_t b = addrset_bucket(a);
	uint64_t bit = (uint64_t)1 << (b % 64);

	if (delta > 0 && addrset_count[b]++ == 0)
		atomic_fetch_or_explicit(&addrset_filter[b / 64], bit,
					 memory_order_relaxed);
	else if (delta < 0 && --addrset_count[b] == 0 &&
		 !(addrset_pinned[b / 64] & bit))
		atomic_fetch_and_explicit(&addrset_filter[b / 64], ~bit,
					  memory_order_relaxed);
}

static inline size_t
addrset_home(uintptr_t a)
{
	uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 40) & (ADDRSET_SLOTS - 1);
}

static void
addrset_write_begin(void)
{
	while (atomic_flag_test_and_set_explicit(&addrset_lock,
						 memory_order_acquire))
		;
	atomic_fetch_add_explicit(&addrset_seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static void
addrset_write_end(void)
{
	atomic_fetch_add_explicit(&addrset_seq, 1, memory_order_release);
	atomic_flag_clear_explicit(&addrset_lock, memory_order_release);
}

/* The slot holding a, or -1. Caller holds the lock or rechecks seq. */
static long
addrset_find(uintptr_t a)
{
	size_t i = addrset_home(a);

	for (size_t n = 0; n < ADDRSET_SLOTS; n++) {
		uintptr_t v = atomic_load_explicit(&addrset_slots[i],
						   memory_order_relaxed);

		if (v == a)
			return (long)i;
		if (v == 0)
			return -1;
		i = (i + 1) & (ADDRSET_SLOTS - 1);
	}
	return -1;
}

int
addrset_add(uintptr_t a)
{
	size_t i = addrset_home(a);
	int rc = -1;

	addrset_write_begin();
	if (atomic_load_explicit(&addrset_n, memory_order_relaxed) <
	    ADDRSET_MAX) {
		while (atomic_load_explicit(&addrset_slots[i],
					    memory_order_relaxed) != 0)
			i = (i + 1) & (ADDRSET_SLOTS - 1);
		atomic_store_explicit(&addrset_slots[i], a,
				      memory_order_relaxed);
		atomic_fetch_add_explicit(&addrset_n, 1, memory_order_relaxed);
		addrset_filter_count(a, 1);
		rc = 0;
	}
	addrset_write_end();
	return rc;
}

void
addrset_pin(uintptr_t a)
{
	size_t b = addrset_bucket(a);
	uint64_t bit = (uint64_t)1 << (b % 64);

	/* not counted: the counts are the samples' (addrset_mem) */
	addrset_write_begin();
	addrset_pinned[b / 64] |= bit;
	atomic_fetch_or_explicit(&addrset_filter[b / 64], bit,
				 memory_order_relaxed);
	addrset_write_end();
}

/* Deletes slot i, shifting back the entries that probed past it. */
static void
addrset_delete(size_t i)
{
	size_t j = i;

	for (;;) {
		uintptr_t v;
		size_t home;

		j = (j + 1) & (ADDRSET_SLOTS - 1);
		v = atomic_load_explicit(&addrset_slots[j],
					 memory_order_relaxed);
		if (v == 0)
			break;
		home = addrset_home(v);
		/* v stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		atomic_store_explicit(&addrset_slots[i], v,
				      memory_order_relaxed);
		i = j;
	}
	atomic_store_explicit(&addrset_slots[i], 0, memory_order_relaxed);
}

bool
addrset_remove(uintptr_t a)
{
	uint64_t s;
	long i;

	if (!addrset_maybe(a))
		return false; /* most freed addresses were never sampled */
	/* Lock-free look next: a bucket holds others too. */
	do {
		s = atomic_load_explicit(&addrset_seq, memory_order_acquire);
		if (s & 1)
			continue;
		i = addrset_find(a);
		atomic_thread_fence(memory_order_acquire);
	} while ((s & 1) ||
		 atomic_load_explicit(&addrset_seq, memory_order_relaxed) != s);
	if (i < 0)
		return false;
	addrset_write_begin();
	i = addrset_find(a);
	if (i >= 0) {
		addrset_delete((size_t)i);
		atomic_fetch_sub_explicit(&addrset_n, 1, memory_order_relaxed);
		addrset_filter_count(a, -1);
	}
	addrset_write_end();
	return i >= 0;
}
