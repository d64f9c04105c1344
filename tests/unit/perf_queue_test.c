/*
 * perf/queue.c without a kernel: a sample's user stack is trimmed to its
 * valid bytes and parses back to the same registers and stack; other
 * records pass unchanged; a full queue refuses and counts; records come
 * out whole and in order across the buffer swap; mutated records never
 * make the queue read or write outside its buffers (ASan+UBSan in CI).
 */
#include "config.h"

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf/event.h"
#include "perf/queue.h"
#include "perf/record.h"
#include "tests/fuzz.h"
#include "tests/unit/perf_rec.h"
#include "tests/tap.h"

#define QUEUE_ROUNDS 20000

/* A sample of our layout with a 4096-byte stack copy, dyn valid. */
static void
make_sample(struct perf_rec *r, uint64_t dyn, uint64_t time)
{
	perf_rec_sample(r, 0, time, 1000000, 4096, 7, dyn);
}

static void
check_trim(const struct perf_layout *l)
{
	struct perf_queue q;
	struct perf_record a, b;
	struct perf_rec r;
	const uint8_t *got;
	size_t len;

	perf_queue_init(&q, l, 1 << 20);
	make_sample(&r, 1000, 5);
	tap_ok(perf_queue_push(&q, r.b, r.n) == 0, "a sample is queued");
	got = perf_queue_next(&q, &len);
	tap_ok(got != NULL && len == r.n - (4096 - 1000),
	       "its stack copy is trimmed to dyn_size (8-aligned): %zu bytes",
	       len);
	tap_ok(got != NULL &&
		       perf_record_parse(l, got, len, &b) == (ssize_t)len,
	       "the trimmed record parses to its size");
	perf_record_parse(l, r.b, r.n, &a);
	tap_ok(got != NULL && b.stack_len == 1000 && b.time == 5 &&
		       b.tid == 101 &&
		       memcmp(a.regs, b.regs, sizeof(a.regs)) == 0 &&
		       memcmp(a.stack, b.stack, 1000) == 0,
	       "same registers, time, tid and valid stack bytes");
	tap_ok(perf_queue_next(&q, &len) == NULL, "then the queue is empty");
	perf_queue_mark(&q, 42);
	tap_ok(perf_queue_next(&q, &len) == NULL && perf_queue_until(&q) == 42,
	       "an empty swap still carries the reader's mark");
	perf_queue_free(&q);
}

static void
check_bound(const struct perf_layout *l)
{
	struct perf_queue q;
	struct perf_rec r;
	size_t len, pushed = 0, out = 0;
	uint64_t last = 0;
	bool order = true;
	const uint8_t *got;

	perf_queue_init(&q, l, 64 * 1024);
	for (int i = 0; i < 100; i++) {
		make_sample(&r, 4096, (uint64_t)i + 1);
		if (perf_queue_push(&q, r.b, r.n) == 0)
			pushed++;
	}
	tap_ok(pushed > 0 && pushed < 100, "a full queue refuses (%zu of 100)",
	       pushed);
	tap_is_int((long long)perf_queue_dropped(&q), (long long)(100 - pushed),
		   "the refused are counted");
	while ((got = perf_queue_next(&q, &len)) != NULL) {
		struct perf_record pr;

		out++;
		if (perf_record_parse(l, got, len, &pr) < 0 || pr.time <= last)
			order = false;
		last = pr.time;
	}
	tap_is_int((long long)out, (long long)pushed,
		   "every queued record out");
	tap_ok(order, "whole and in order");
	perf_queue_free(&q);
}

/* fuzz_run()'s check: pushes the mutant, now and then takes all out. */
static int
queue_check(const uint8_t *buf, size_t len, int *bad, void *arg)
{
	struct perf_queue *q = arg;
	static unsigned calls;
	const uint8_t *got;
	size_t n;
	int pushed = len >= 8 && perf_queue_push(q, buf, len) == 0;

	if (++calls % 64 == 0)
		while ((got = perf_queue_next(q, &n)) != NULL) {
			struct perf_record pr;
			struct perf_event_header h;

			memcpy(&h, got, sizeof(h));
			if (n < 8 || h.size != n)
				(*bad)++;
			(void)perf_record_parse(q->layout, got, n, &pr);
		}
	return pushed;
}

static void
check_mutated(const struct perf_layout *l)
{
	struct perf_queue q;
	struct perf_rec r;
	int bad = 0, n;

	perf_queue_init(&q, l, 256 * 1024);
	make_sample(&r, 1000, 7);
	n = fuzz_run(r.b, r.n, QUEUE_ROUNDS, NULL, queue_check, &q, &bad);
	tap_ok(n > 0 && bad == 0,
	       "%d of %d mutated records queued, each out whole (%d bad)", n,
	       QUEUE_ROUNDS, bad);
	perf_queue_free(&q);
}

int
main(void)
{
	struct perf_layout l;

	perf_event_layout(&l);
	check_trim(&l);
	check_bound(&l);
	check_mutated(&l);
	return tap_done();
}
