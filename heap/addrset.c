/*
 * heap/addrset.c: the interposer's set of sampled addresses (addrset.h).
 * Part of libcproftop-heap.so only: no libc allocation, no cproftop code.
 */
#include "config.h"

#include "heap/addrset.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#define ADDRSET_HUGE (2u << 20)
#define ADDRSET_MIN_BITS 10 /* the table's first size: 1024 slots, 8 KiB */

/*
 * The table (1 MiB at most), a growth's scratch and the filter buckets'
 * member counts (64 KiB, a page touched per 2048 buckets used): alone in an
 * aligned 2 MiB of zeroes, which addrset_setup() asks to be one huge page. The
 * table starts at 1024 slots and doubles when half full, so that without
 * the huge page (the kernel has none at hand: ~1 run in 5 on a VM) the
 * first samples fault in a few small pages, not each one of up to 256 at
 * random (10 to 35 us a fault on a VM, where the huge page's one fault
 * took 0.15 ms). A loader that does not align it (glibc < 2.35) or a
 * kernel without transparent huge pages leaves the small pages: slower,
 * not wrong.
 */
static _Alignas(ADDRSET_HUGE) struct {
	_Atomic uintptr_t slots[ADDRSET_SLOTS];
	uintptr_t moving[ADDRSET_MAX]; /* the members while the table grows */
	/* members per filter bucket (under the lock): its bit clears at 0;
	   one stuck at UINT16_MAX (32 GiB sampled, 512 KiB apart) stays */
	uint16_t members[1u << ADDRSET_FILTER_BITS];
	char pad[ADDRSET_HUGE - ADDRSET_SLOTS * sizeof(uintptr_t) -
		 ADDRSET_MAX * sizeof(uintptr_t) -
		 (1u << ADDRSET_FILTER_BITS) * sizeof(uint16_t)];
} addrset_mem;
#define addrset_slots addrset_mem.slots

static _Atomic uint64_t addrset_seq; /* odd while a writer changes slots */
static atomic_flag addrset_lock = ATOMIC_FLAG_INIT;
static _Atomic uint32_t addrset_n;
/* The table's size: 1 << addrset_bits slots (changed under the lock, seq
   odd) */
static _Atomic unsigned addrset_bits = ADDRSET_MIN_BITS;
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

/* The home slot of a in a table of 1 << bits slots: a Fibonacci hash's
   top bits. */
static inline size_t
addrset_home(uintptr_t a, unsigned bits)
{
	return (size_t)(((uint64_t)a * 0x9e3779b97f4a7c15ull) >> (64 - bits));
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
	unsigned bits =
		atomic_load_explicit(&addrset_bits, memory_order_relaxed);
	size_t mask = ((size_t)1 << bits) - 1, i = addrset_home(a, bits);

	for (size_t n = 0; n <= mask; n++) {
		uintptr_t v = atomic_load_explicit(&addrset_slots[i],
						   memory_order_relaxed);

		if (v == a)
			return (long)i;
		if (v == 0)
			return -1;
		i = (i + 1) & mask;
	}
	return -1;
}

/* Puts a in the first empty slot from its home. Caller holds the lock. */
static void
addrset_insert(uintptr_t a, unsigned bits)
{
	size_t mask = ((size_t)1 << bits) - 1, i = addrset_home(a, bits);

	while (atomic_load_explicit(&addrset_slots[i], memory_order_relaxed) !=
	       0)
		i = (i + 1) & mask;
	atomic_store_explicit(&addrset_slots[i], a, memory_order_relaxed);
}

/*
 * Doubles the table of 1 << bits slots: its members move aside, the table
 * is cleared and they go in again at their new homes. Caller holds the
 * lock (lookups retry: seq is odd). Costs O(slots), log2 times at most.
 */
static void
addrset_grow(unsigned bits)
{
	size_t m = 0;

	for (size_t i = 0; i < (size_t)1 << bits; i++) {
		uintptr_t v = atomic_load_explicit(&addrset_slots[i],
						   memory_order_relaxed);

		if (v != 0) {
			addrset_mem.moving[m++] = v;
			atomic_store_explicit(&addrset_slots[i], 0,
					      memory_order_relaxed);
		}
	}
	atomic_store_explicit(&addrset_bits, bits + 1, memory_order_relaxed);
	for (size_t j = 0; j < m; j++)
		addrset_insert(addrset_mem.moving[j], bits + 1);
}

int
addrset_add(uintptr_t a)
{
	uint32_t n;
	unsigned bits;
	int rc = -1;

	addrset_write_begin();
	n = atomic_load_explicit(&addrset_n, memory_order_relaxed);
	if (n < ADDRSET_MAX) {
		size_t b = addrset_bucket(a);

		bits = atomic_load_explicit(&addrset_bits,
					    memory_order_relaxed);
		if (n + 1 > ((uint32_t)1 << bits) / 2)
			addrset_grow(bits++);
		addrset_insert(a, bits);
		atomic_fetch_add_explicit(&addrset_n, 1, memory_order_relaxed);
		if (addrset_mem.members[b] < UINT16_MAX)
			addrset_mem.members[b]++;
		atomic_fetch_or_explicit(&addrset_filter[b / 64],
					 (uint64_t)1 << (b % 64),
					 memory_order_relaxed);
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

	addrset_write_begin();
	addrset_pinned[b / 64] |= bit;
	atomic_fetch_or_explicit(&addrset_filter[b / 64], bit,
				 memory_order_relaxed);
	addrset_write_end();
}

/* A member a left the set: its filter bit clears with its bucket's last
   member (one not pinned). Caller holds the lock. */
static void
addrset_left(uintptr_t a)
{
	size_t b = addrset_bucket(a);
	uint64_t bit = (uint64_t)1 << (b % 64);

	if (addrset_mem.members[b] < UINT16_MAX &&
	    --addrset_mem.members[b] == 0 && !(addrset_pinned[b / 64] & bit))
		atomic_fetch_and_explicit(&addrset_filter[b / 64], ~bit,
					  memory_order_relaxed);
}

/* Deletes slot i, shifting back the entries that probed past it. */
static void
addrset_delete(size_t i)
{
	unsigned bits =
		atomic_load_explicit(&addrset_bits, memory_order_relaxed);
	size_t mask = ((size_t)1 << bits) - 1, j = i;

	for (;;) {
		uintptr_t v;
		size_t home;

		j = (j + 1) & mask;
		v = atomic_load_explicit(&addrset_slots[j],
					 memory_order_relaxed);
		if (v == 0)
			break;
		home = addrset_home(v, bits);
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
		addrset_left(a);
	}
	addrset_write_end();
	return i >= 0;
}

void
addrset_fork_reset(void)
{
	unsigned bits =
		atomic_load_explicit(&addrset_bits, memory_order_relaxed);
	/* (a table the fork caught growing holds members in both sizes) */
	size_t slots = (size_t)1 << (bits < ADDRSET_BITS ? bits + 1 : bits);

	/* only what is in use is written: the child's copy-on-write pages
	   stay shared where the set is empty */
	for (size_t i = 0; i < slots; i++)
		if (atomic_load_explicit(&addrset_slots[i],
					 memory_order_relaxed) != 0)
			atomic_store_explicit(&addrset_slots[i], 0,
					      memory_order_relaxed);
	for (size_t w = 0; w < (1u << ADDRSET_FILTER_BITS) / 64; w++) {
		uint64_t f = atomic_load_explicit(&addrset_filter[w],
						  memory_order_relaxed);

		for (uint64_t m = f; m != 0; m &= m - 1)
			addrset_mem
				.members[w * 64 + (size_t)__builtin_ctzll(m)] =
				0;
		if (f != addrset_pinned[w])
			atomic_store_explicit(&addrset_filter[w],
					      addrset_pinned[w],
					      memory_order_relaxed);
	}
	atomic_store_explicit(&addrset_n, 0, memory_order_relaxed);
	atomic_store_explicit(&addrset_seq, 0, memory_order_relaxed);
	atomic_flag_clear_explicit(&addrset_lock, memory_order_relaxed);
}
