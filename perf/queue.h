#ifndef CPT_PERF_QUEUE_H
#define CPT_PERF_QUEUE_H

/*
 * A bounded queue of perf_event records between the thread that empties
 * the kernel's ring buffers (perf_source's reader: it only copies) and the
 * sampler thread (it parses and unwinds, at its own pace): the kernel never
 * waits on an unwind. Two byte buffers: the reader appends to one, the
 * consumer takes the other whole (a swap under the mutex), so neither holds
 * the lock while it works. Records that do not fit are dropped and counted.
 * A sample's user stack is trimmed to its valid bytes (dyn_size) on the
 * way in. One producer thread, one consumer thread.
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "perf/record.h"

struct perf_qbuf {
	uint8_t *buf;
	size_t len, cap, off; /* off: the consumer's read position */
};

struct perf_queue {
	pthread_mutex_t mu;
	struct perf_qbuf fill; /* the producer's, under mu */
	struct perf_qbuf take; /* the consumer's */
	size_t max_bytes;      /* per buffer */
	const struct perf_layout *layout;
	uint64_t dropped; /* records that did not fit (under mu) */
	uint64_t bytes_in;
	int64_t fill_until; /* every record older is in fill or taken */
	int64_t take_until; /* ... for take, once read to its end */
};

/*
 * Sets up q for records of layout (borrowed: it must outlive q), each
 * buffer growing up to max_bytes. Any thread, before the others use q.
 */
void perf_queue_init(struct perf_queue *q, const struct perf_layout *layout,
		     size_t max_bytes);

/* Frees q's buffers. No thread may use q any more. */
void perf_queue_free(struct perf_queue *q);

/*
 * Producer: appends a copy of the record rec[0..len) (a sample with a user
 * stack copied without its invalid tail). Returns 0, or -1 when it did not
 * fit (counted in dropped).
 */
int perf_queue_push(struct perf_queue *q, const uint8_t *rec, size_t len);

/*
 * Consumer: the next record (borrowed until the next call), its length in
 * *len; NULL when the queue is empty.
 */
const uint8_t *perf_queue_next(struct perf_queue *q, size_t *len);

/*
 * Producer: every record the kernel wrote before t_ns is in the queue
 * now (t_ns: a time taken before the pass over the rings began).
 */
void perf_queue_mark(struct perf_queue *q, int64_t t_ns);

/*
 * Consumer, once perf_queue_next() returned NULL: every record the kernel
 * wrote before the time returned has been returned (0: none known).
 */
int64_t perf_queue_until(const struct perf_queue *q);

/* Records dropped so far (any thread). */
uint64_t perf_queue_dropped(struct perf_queue *q);

#endif
