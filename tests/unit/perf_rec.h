#ifndef CPT_TESTS_UNIT_PERF_REC_H
#define CPT_TESTS_UNIT_PERF_REC_H

/*
 * perf records built by hand, the way perf_event_open(2) lays them out
 * for cproftop's layout (perf/event.h), for the tests of perf/ without a
 * kernel (perf_record_fuzz_test, perf_queue_test). Header-only.
 */
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>

#include "perf/event.h"

/* A growing record under construction. */
struct perf_rec {
	uint8_t b[8192];
	size_t n;
};

static inline void
perf_rec_put64(struct perf_rec *r, uint64_t v)
{
	memcpy(r->b + r->n, &v, 8);
	r->n += 8;
}

static inline void
perf_rec_put32x2(struct perf_rec *r, uint32_t a, uint32_t b)
{
	memcpy(r->b + r->n, &a, 4);
	memcpy(r->b + r->n + 4, &b, 4);
	r->n += 8;
}

/* Starts r as a record of type with misc flags (its size set by
   perf_rec_finish()). */
static inline void
perf_rec_header(struct perf_rec *r, uint32_t type, uint16_t misc)
{
	struct perf_event_header h = {.type = type, .misc = misc};

	memcpy(r->b, &h, sizeof(h));
	r->n = sizeof(h);
}

/* Writes r's size into its header. */
static inline void
perf_rec_finish(struct perf_rec *r)
{
	uint16_t size = (uint16_t)r->n;

	memcpy(r->b + 6, &size, 2);
}

/*
 * A sample of our layout: identifier 77, ip 0x4010, pid/tid 100/101, time,
 * period, ABI 64, register i = 0x1000 + i for every register of
 * PERF_EVENT_REGS_MASK, a stack copy of size bytes (byte i is i * mul),
 * then dyn_size dyn.
 */
static inline void
perf_rec_sample(struct perf_rec *r, uint16_t misc, uint64_t time,
		uint64_t period, size_t size, unsigned mul, uint64_t dyn)
{
	perf_rec_header(r, PERF_RECORD_SAMPLE, misc);
	perf_rec_put64(r, 77);	   /* identifier */
	perf_rec_put64(r, 0x4010); /* ip */
	perf_rec_put32x2(r, 100, 101);
	perf_rec_put64(r, time);
	perf_rec_put64(r, period);
	perf_rec_put64(r, 2); /* PERF_SAMPLE_REGS_ABI_64 */
	for (int i = 0; i < 24; i++)
		if (PERF_EVENT_REGS_MASK >> i & 1)
			perf_rec_put64(r, 0x1000 + (uint64_t)i);
	perf_rec_put64(r, size);
	for (size_t i = 0; i < size; i++)
		r->b[r->n++] = (uint8_t)(i * mul);
	perf_rec_put64(r, dyn);
	perf_rec_finish(r);
}

#endif
