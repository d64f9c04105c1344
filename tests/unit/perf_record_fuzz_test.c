/*
 * perf/record.c and perf/ring.c without a kernel: records built here the
 * way perf_event_open(2) lays them out must parse back to what was written;
 * the same records mutated 100,000 times (bytes flipped, cut, sizes
 * rewritten) must parse or be refused -- never crash, never read outside
 * the buffer (ASan+UBSan in CI) -- and a ring whose records wrap around its
 * end must hand each one over whole and in order.
 */
#include "config.h"

#include <asm/perf_regs.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "perf/event.h"
#include "perf/record.h"
#include "perf/ring.h"
#include "tests/fuzz.h"
#include "tests/unit/perf_rec.h"
#include "tests/tap.h"

#define FUZZ_ROUNDS 100000

/* sample_id trailer for our layout: TID, TIME, IDENTIFIER. */
static void
trailer(struct perf_rec *r, uint32_t pid, uint32_t tid, uint64_t time,
	uint64_t id)
{
	perf_rec_put32x2(r, pid, tid);
	perf_rec_put64(r, time);
	perf_rec_put64(r, id);
}

/* A sample: id ip pid/tid time period abi regs size stack dyn_size. */
static void
make_sample(struct perf_rec *r, uint64_t dyn)
{
	perf_rec_sample(r, PERF_RECORD_MISC_USER, 123456789, 1001001, 256, 1,
			dyn);
}

static void
check_valid(const struct perf_layout *l)
{
	struct perf_rec r;
	struct perf_record out;
	struct user_regs_struct regs;
	ssize_t n;

	make_sample(&r, 200);
	n = perf_record_parse(l, r.b, r.n, &out);
	tap_is_int(n, (long long)r.n, "sample: parsed to its size");
	tap_ok(out.kind == PERF_RECORD_KIND_SAMPLE && out.id == 77 &&
		       out.ip == 0x4010 && out.pid == 100 && out.tid == 101 &&
		       out.time == 123456789 && out.period == 1001001,
	       "sample: id, ip, pid/tid, time, period");
	tap_ok(out.stack != NULL && out.stack_len == 200 &&
		       out.stack[199] == 199,
	       "sample: dyn_size bytes of stack");
	tap_ok(perf_record_regs(l, &out, &regs) == 0 &&
		       regs.rip == 0x1000 + PERF_REG_X86_IP &&
		       regs.rsp == 0x1000 + PERF_REG_X86_SP &&
		       regs.rbp == 0x1000 + PERF_REG_X86_BP &&
		       regs.r15 == 0x1000 + PERF_REG_X86_R15,
	       "sample: registers in perf_event_x86_regs order");
	make_sample(&r, 257);
	tap_ok(perf_record_parse(l, r.b, r.n, &out) < 0,
	       "sample: dyn_size over size refused");
	make_sample(&r, 200);
	tap_ok(perf_record_parse(l, r.b, r.n - 8, &out) < 0,
	       "sample: a record longer than the buffer refused");

	perf_rec_header(&r, PERF_RECORD_LOST, 0);
	perf_rec_put64(&r, 77);
	perf_rec_put64(&r, 42);
	trailer(&r, 100, 101, 5, 77);
	perf_rec_finish(&r);
	tap_ok(perf_record_parse(l, r.b, r.n, &out) == (ssize_t)r.n &&
		       out.kind == PERF_RECORD_KIND_LOST && out.lost == 42,
	       "lost: the count of dropped records");

	perf_rec_header(&r, PERF_RECORD_SWITCH,
			PERF_RECORD_MISC_SWITCH_OUT |
				PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
	trailer(&r, 100, 102, 999, 78);
	perf_rec_finish(&r);
	tap_ok(perf_record_parse(l, r.b, r.n, &out) == (ssize_t)r.n &&
		       out.kind == PERF_RECORD_KIND_SWITCH && out.switch_out &&
		       out.preempt && out.tid == 102 && out.time == 999 &&
		       out.id == 78,
	       "switch: out, preempted, tid and time from sample_id");
}

static void
check_fuzz(const struct perf_layout *l)
{
	struct perf_rec base[3], r;
	struct perf_record out;
	long accepted = 0, bad = 0;

	make_sample(&base[0], 128);
	perf_rec_header(&base[1], PERF_RECORD_LOST, 0);
	perf_rec_put64(&base[1], 1);
	perf_rec_put64(&base[1], 2);
	trailer(&base[1], 1, 2, 3, 4);
	perf_rec_finish(&base[1]);
	perf_rec_header(&base[2], PERF_RECORD_SWITCH, 0);
	trailer(&base[2], 1, 2, 3, 4);
	perf_rec_finish(&base[2]);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len;
		uint8_t *copy;
		ssize_t n;

		r = base[fuzz_rand() % 3];
		for (int m = fuzz_rand() % 4 + 1; m > 0; m--) {
			size_t at = fuzz_rand() % r.n;

			switch (fuzz_rand() % 4) {
			case 0:
				r.b[at] = (uint8_t)fuzz_rand();
				break;
			case 1: /* rewrite the size */
				r.b[6] = (uint8_t)fuzz_rand();
				r.b[7] = (uint8_t)(fuzz_rand() % 3);
				break;
			case 2: /* a stack size or dyn_size word */
				memset(r.b + (at & ~7UL), 0xff, 8);
				break;
			default:
				r.n = at > 8 ? at : 8;
				break;
			}
		}
		/* An exact-size heap copy so ASan sees any overread. */
		len = r.n;
		copy = xmalloc(len);
		memcpy(copy, r.b, len);
		n = perf_record_parse(l, copy, len, &out);
		if (n >= 0) {
			accepted++;
			if ((size_t)n > len || n < 8 ||
			    (out.stack != NULL &&
			     (out.stack < copy ||
			      out.stack + out.stack_len > copy + n)))
				bad++;
		}
		free(copy);
	}
	tap_ok(bad == 0,
	       "fuzz: what parses stays inside its record (%ld of "
	       "%d accepted)",
	       accepted, FUZZ_ROUNDS);
	tap_ok(accepted > 0 && accepted < FUZZ_ROUNDS,
	       "fuzz: some mutations parse, some are refused");
}

/* Ring reader: collects what it is handed. */
struct collect {
	uint8_t out[1 << 16];
	size_t n, count;
};

static void
collect_fn(const uint8_t *rec, size_t len, void *arg)
{
	struct collect *c = arg;

	memcpy(c->out + c->n, rec, len);
	c->n += len;
	c->count++;
}

static void
check_ring(const struct perf_layout *l)
{
	enum { SIZE = 4096 };
	struct perf_event_mmap_page *meta = xcalloc(1, sizeof(*meta));
	uint8_t *data = xcalloc(1, SIZE), *scratch = xmalloc(SIZE);
	uint8_t *want = xmalloc(1 << 16);
	struct collect *c = xcalloc(1, sizeof(*c));
	struct perf_rec r;
	uint64_t head = 3000, bad = 0, got;
	size_t wn = 0, records = 0;
	struct perf_record out;

	/* Start near the end so that records wrap around it. */
	meta->data_tail = head;
	make_sample(&r, 100);
	while (head - meta->data_tail + r.n <= SIZE) {
		for (size_t i = 0; i < r.n; i++)
			data[(head + i) % SIZE] = r.b[i];
		memcpy(want + wn, r.b, r.n);
		wn += r.n;
		head += r.n;
		records++;
	}
	meta->data_head = head;
	got = perf_ring_drain_mem(meta, data, SIZE, scratch, UINT64_MAX, &bad,
				  collect_fn, c);
	tap_is_int(got, wn, "ring: every byte consumed");
	tap_is_int(c->count, records, "ring: every record handed over");
	tap_ok(c->n == wn && memcmp(c->out, want, wn) == 0,
	       "ring: records whole and in order across the wrap");
	tap_ok(perf_record_parse(l, c->out + c->n - r.n, r.n, &out) > 0 &&
		       out.stack_len == 100,
	       "ring: a record read across the wrap parses");
	tap_is_int(meta->data_tail, head, "ring: data_tail released");
	/* A corrupt header (size 0) must not loop forever. */
	memset(data + (head % SIZE), 0, 8);
	meta->data_head = head + 64;
	bad = 0;
	perf_ring_drain_mem(meta, data, SIZE, scratch, UINT64_MAX, &bad,
			    collect_fn, c);
	tap_ok(bad == 1 && meta->data_tail == head + 64,
	       "ring: a corrupt header skips to data_head, counted");
	free(meta);
	free(data);
	free(scratch);
	free(want);
	free(c);
}

int
main(void)
{
	struct perf_layout l;

	tap_ok(perf_layout_init(&l, 1ULL << 31, 0, true) < 0,
	       "layout: an unknown sample_type bit is refused");
	perf_event_layout(&l);
	tap_is_int(l.nregs, 18, "layout: 18 user registers");
	check_valid(&l);
	check_fuzz(&l);
	check_ring(&l);
	return tap_done();
}
