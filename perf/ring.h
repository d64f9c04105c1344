#ifndef CPT_PERF_RING_H
#define CPT_PERF_RING_H

/*
 * One perf_event ring buffer: the mmap'd metadata page plus 2^n data pages.
 * The kernel writes records at data_head; perf_ring_drain() hands each
 * complete record to a callback (a record that wraps around the end of the
 * data area is copied into a scratch buffer first) and then releases the
 * space by storing data_tail. Single consumer: the sampler thread.
 */

#include <stddef.h>
#include <stdint.h>

struct perf_ring {
	void *base; /* the mapping: metadata page, then data */
	size_t map_len;
	const uint8_t *data;
	uint64_t data_size; /* a power of two */
	uint8_t *scratch;   /* for records that wrap; data_size bytes */
	uint64_t bad;	    /* times a corrupt header made us skip ahead */
};

/*
 * Maps fd's ring buffer with data_pages (a power of two) data pages.
 * Returns 0, or -1 with errno (EPERM: over perf_event_mlock_kb and
 * RLIMIT_MEMLOCK; EINVAL: an inherit event opened per task, or a size
 * that is not a power of two).
 */
int perf_ring_map(struct perf_ring *r, int fd, size_t data_pages);

/* Unmaps and frees r; a zeroed or unmapped ring is a no-op. */
void perf_ring_unmap(struct perf_ring *r);

/* Called with each record (borrowed until the call returns). */
typedef void (*perf_ring_fn)(const uint8_t *rec, size_t len, void *arg);

/*
 * Calls fn for the records written since the last drain, at most
 * max_bytes of them (the rest stay for the next call), then gives their
 * space back to the kernel. Returns the bytes consumed.
 */
uint64_t perf_ring_drain(struct perf_ring *r, uint64_t max_bytes,
			 perf_ring_fn fn, void *arg);

/*
 * perf_ring_drain() over the bytes of any memory laid out like a ring
 * (meta: a struct perf_event_mmap_page; data: data_size bytes), for tests.
 */
uint64_t perf_ring_drain_mem(void *meta, const uint8_t *data,
			     uint64_t data_size, uint8_t *scratch,
			     uint64_t max_bytes, uint64_t *bad, perf_ring_fn fn,
			     void *arg);

#endif
