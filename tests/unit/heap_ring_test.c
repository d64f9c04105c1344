/*
 * tests/unit/heap_ring_test: the pieces --heap shares between the
 * interposer and cproftop, under the sanitizers: the set of sampled
 * addresses (heap/addrset.c) alone and from racing threads, and the ring
 * (heap/ring.h, heap/source.c) with racing producers of records of one
 * cell and of many, a full ring that drops and counts, hostile records,
 * and producers that stall between claim and publish (dead ones, whose
 * cells are taken back, and slow ones, which write their record again).
 */
#include "config.h"

/* The producer's stall: ring_test_pause() below, before the ring's code. */
static void ring_test_pause(int try);
static void ring_test_lap(void *r, unsigned long long pos);
#define HEAP_RING_PAUSE(r, pos, try)                                           \
	(ring_test_pause(try), ring_test_lap(r, pos))
#define HEAP_RING_TRIES 3

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "heap/addrset.h"
#include "heap/ring.h"
#include "heap/source.h"
#include "tests/tap.h"

#define THREADS 4
#define PER_THREAD 20000

/* While set: producers stall on their tries up to pause_tries, for as long
   as pause_src takes to take their cells back (cproftop's clock is
   pause_now: each stall moves it on by HEAP_RING_STALL_NS). */
static struct heap_source *pause_src;
static int pause_tries;
static int64_t pause_now = 1000LL * HEAP_RING_STALL_NS;

static void
ring_test_pause(int try)
{
	static struct heap_record recs[8];

	if (pause_src == NULL || try > pause_tries)
		return;
	heap_source_drain(pause_src, recs, 8, pause_now);
	pause_now += HEAP_RING_STALL_NS;
	heap_source_drain(pause_src, recs, 8, pause_now);
	pause_now += HEAP_RING_STALL_NS;
}

/* While set: the next producer to claim cells stalls while cproftop takes
   them back and the ring goes a full lap, ending with lap_rec put in the
   cells the stalled producer claimed (ring_test_torn()). */
static const struct heap_record *lap_rec;

static void
ring_test_lap(void *ring, unsigned long long pos)
{
	static struct heap_record recs[64];
	const struct heap_record *rec = lap_rec;
	struct heap_record free_rec = {.kind = HEAP_RECORD_FREE};
	struct heap_ring *r = ring;

	if (rec == NULL || pause_src == NULL)
		return;
	lap_rec = NULL; /* the puts below do not stall */
	heap_source_drain(pause_src, recs, 64, pause_now);
	pause_now += HEAP_RING_STALL_NS;
	heap_source_drain(pause_src, recs, 64, pause_now);
	while (atomic_load(&r->head) < pos + HEAP_RING_CELLS) {
		heap_ring_put(r, &free_rec);
		heap_source_drain(pause_src, recs, 64, pause_now);
	}
	heap_ring_put(r, rec);
}

static void
test_addrset(void)
{
	int bad = 0;
	uintptr_t a;

	for (a = 1; a <= 5000; a++)
		bad += addrset_add(a * 16) != 0;
	tap_ok(bad == 0, "5000 addresses added");
	for (a = 1; a <= 5000; a += 2)
		bad += !addrset_remove(a * 16);
	tap_ok(bad == 0, "every other one removed");
	for (a = 1; a <= 5000; a++)
		bad += addrset_remove(a * 16) != (a % 2 == 0);
	tap_ok(bad == 0, "the rest are there, the removed ones are not");
	tap_ok(!addrset_remove(16), "an empty set has nothing");
	for (a = 1; a <= ADDRSET_MAX; a++)
		bad += addrset_add(a * 8) != 0;
	tap_ok(bad == 0 && addrset_add(1) == -1,
	       "the set refuses beyond ADDRSET_MAX");
	for (a = 1; a <= ADDRSET_MAX; a++)
		bad += !addrset_remove(a * 8);
	tap_ok(bad == 0, "a full set empties again");
	/* the table grew from 1024 slots to its most: each bit cleared with
	   its bucket's last member */
	for (a = 0; a < (1u << ADDRSET_FILTER_BITS) / 64; a++)
		bad += atomic_load(&addrset_filter[a]) != 0;
	tap_ok(bad == 0, "... its filter too");
}

/* The filter in front of the set: exact bits, collisions kept apart. */
static void
test_addrset_filter(void)
{
	uintptr_t a = 0x7f0000001230, b = 0, c;
	int bad = 0, clear = 0;

	tap_ok(!addrset_maybe(a), "an empty set's filter says no");
	/* b: another address in a's bucket */
	for (c = a + 16; b == 0; c += 16)
		if (addrset_bucket(c) == addrset_bucket(a))
			b = c;
	addrset_add(a);
	addrset_add(b);
	tap_ok(addrset_maybe(a) && addrset_maybe(b),
	       "added addresses pass the filter");
	tap_ok(addrset_remove(a) && addrset_maybe(b) && addrset_remove(b),
	       "removing one of a bucket keeps the other's bit");
	tap_ok(!addrset_maybe(a) && !addrset_maybe(b),
	       "the bucket's bit clears with its last member");
	/* few members: nearly every other address is rejected at once */
	for (c = 1; c <= 100; c++)
		bad += addrset_add(a + c * 4096) != 0;
	for (c = 0; c < 100000; c++)
		clear += !addrset_maybe(0x5500000000 + c * 16);
	tap_ok(bad == 0 && clear > 99000,
	       "100 members: the filter rejects %d of 100000 others", clear);
	for (c = 1; c <= 100; c++)
		bad += !addrset_remove(a + c * 4096);
	for (c = 0; c < (1u << ADDRSET_FILTER_BITS) / 64; c++)
		bad += atomic_load(&addrset_filter[c]) != 0;
	tap_ok(bad == 0, "an emptied set leaves no bit set");
	/* a pinned bucket (the boot buffer's blocks) stays set when a
	   member of it comes and goes */
	addrset_pin(b);
	addrset_add(a);
	tap_ok(addrset_remove(a) && addrset_maybe(a) && addrset_maybe(b) &&
		       !addrset_remove(b),
	       "a pinned bucket keeps its bit after its last member goes");
}

/* A bucket's member count stuck at its most: its bit stays (a false
   maybe, never a false no). */
static void
test_addrset_stuck(void)
{
	uintptr_t a = 0x7f0000004560;
	uint32_t k;
	int bad = 0;

	/* 1 << 19 apart: one bucket (address bits 4 to 18) */
	for (k = 0; k < UINT16_MAX; k++)
		bad += addrset_add(a + ((uintptr_t)k << 19)) != 0;
	for (k = 0; k < UINT16_MAX; k++)
		bad += !addrset_remove(a + ((uintptr_t)k << 19));
	tap_ok(bad == 0 && addrset_maybe(a) && !addrset_remove(a),
	       "a bucket of %d members, emptied, keeps its bit", UINT16_MAX);
}

/* Each thread adds and removes its own addresses, checking as it goes. */
static void *
addrset_racer(void *arg)
{
	uintptr_t base = (uintptr_t)arg << 40;
	long bad = 0;

	for (uintptr_t i = 1; i <= PER_THREAD; i++) {
		bad += addrset_add(base + i * 16) != 0;
		if (i % 3 == 0) {
			bad += !addrset_remove(base + i * 16);
			bad += addrset_remove(base + i * 16);
		}
	}
	for (uintptr_t i = 1; i <= PER_THREAD; i++)
		bad += addrset_remove(base + i * 16) != (i % 3 != 0);
	return (void *)bad;
}

static void
test_addrset_threads(void)
{
	pthread_t t[THREADS];
	long bad = 0;

	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, addrset_racer, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	tap_is_int(bad, 0, "%d threads adding and removing: every answer right",
		   THREADS);
}

struct producer {
	struct heap_ring *ring;
	int id;
	long sent;
};

static atomic_int producers_done;

static void *
producer_main(void *arg)
{
	struct producer *p = arg;
	struct heap_record rec = {.kind = HEAP_RECORD_ALLOC};

	for (long i = 0; i < PER_THREAD; i++) {
		rec.addr = ((uint64_t)p->id << 32) | (uint64_t)i;
		rec.size = (uint64_t)i;
		/* 0 to HEAP_MAX_FRAMES frames: one cell to ten */
		rec.nframes = (uint32_t)(i % (HEAP_MAX_FRAMES + 1));
		for (uint32_t f = 0; f < rec.nframes; f++)
			rec.frames[f] = rec.addr * 61 + f;
		if (heap_ring_put(p->ring, &rec) == 0)
			p->sent++;
	}
	atomic_fetch_add(&producers_done, 1);
	return NULL;
}

/*
 * With cells claimed and left unpublished just before: puts rec and drains
 * from t0 on. Nothing comes out until HEAP_RING_STALL_NS (what), then rec
 * alone, with lost records counted lost in stalls (what_skip).
 */
static void
ring_test_stall(struct heap_source *h, struct heap_ring *r,
		struct heap_record *recs, const struct heap_record *rec,
		int64_t t0, uint64_t lost, const char *what,
		const char *what_skip)
{
	struct heap_losses before, after;
	size_t n;

	heap_source_losses(h, &before);
	heap_ring_put(r, rec);
	n = heap_source_drain(h, recs, 64, t0);
	n += heap_source_drain(h, recs, 64, t0 + HEAP_RING_STALL_NS - 1);
	tap_is_int((long)n, 0, "%s", what);
	n = heap_source_drain(h, recs, 64, t0 + HEAP_RING_STALL_NS);
	heap_source_losses(h, &after);
	tap_ok(n == 1 && recs[0].addr == rec->addr &&
		       after.dropped == before.dropped + lost &&
		       after.taken == before.taken + lost &&
		       after.stalled == before.stalled + lost,
	       "%s", what_skip);
}

/*
 * Producers stalled between claim and publish past HEAP_RING_STALL_NS
 * (ring_test_pause()), alive: cproftop takes their cells back, they write
 * their records again; HEAP_RING_TRIES stalls in a row lose the record.
 */
static void
ring_test_slow(struct heap_source *h, struct heap_ring *r,
	       struct heap_record *recs)
{
	struct heap_record rec = {.kind = HEAP_RECORD_ALLOC, .addr = 11};
	struct heap_losses l0, l1;
	uint64_t full;
	size_t n;
	int rc, bad = 0;

	while (heap_source_drain(h, recs, 64, 0) > 0)
		;
	rec.nframes = HEAP_MAX_FRAMES; /* ten cells */
	for (uint32_t f = 0; f < rec.nframes; f++)
		rec.frames[f] = 1000 + f;
	heap_source_losses(h, &l0);
	pause_src = h;
	pause_tries = 1;
	rc = heap_ring_put(r, &rec);
	n = heap_source_drain(h, recs, 64, pause_now);
	heap_source_losses(h, &l1);
	for (uint32_t f = 0; n == 1 && f < HEAP_MAX_FRAMES; f++)
		bad += recs[0].frames[f] != 1000 + f;
	tap_ok(rc == 0 && n == 1 && recs[0].addr == 11 &&
		       recs[0].nframes == HEAP_MAX_FRAMES && bad == 0,
	       "a producer stalled past HEAP_RING_STALL_NS writes its record "
	       "again, whole");
	tap_ok(l1.taken == l0.taken + 10 && l1.late == l0.late + 1 &&
		       l1.dropped == l0.dropped && l1.stalled == l0.stalled,
	       "... its ten cells taken back are counted, the record late, "
	       "none lost");

	pause_tries = 2;
	rec.nframes = 0;
	rec.addr = 12;
	rc = heap_ring_put(r, &rec);
	n = heap_source_drain(h, recs, 64, pause_now);
	heap_source_losses(h, &l0);
	tap_ok(rc == 0 && n == 1 && recs[0].addr == 12 &&
		       l0.taken == l1.taken + 2 && l0.late == l1.late + 1 &&
		       l0.dropped == l1.dropped,
	       "stalled twice: written the third time, late once");

	pause_tries = HEAP_RING_TRIES;
	rec.addr = 13;
	full = r->dropped;
	rc = heap_ring_put(r, &rec);
	n = heap_source_drain(h, recs, 64, pause_now);
	heap_source_losses(h, &l1);
	tap_ok(rc == -1 && n == 0 && l1.taken == l0.taken + HEAP_RING_TRIES &&
		       l1.late == l0.late && l1.dropped == l0.dropped + 1,
	       "stalled %d times: the tries are spent, one record counted "
	       "lost",
	       HEAP_RING_TRIES);
	tap_ok(l1.abandoned == l0.abandoned + 1 &&
		       l1.stalled == l0.stalled + 1 && r->dropped == full,
	       "... abandoned, lost in stalls, not to a full ring");
	pause_src = NULL;
	rec.addr = 14;
	n = heap_ring_put(r, &rec) == 0 ? heap_source_drain(h, recs, 64, 0) : 0;
	tap_ok(n == 1 && recs[0].addr == 14, "the ring goes on");
}

/*
 * A producer stalled between claim and publish while cproftop takes its
 * cells back and the ring goes a full lap: the next lap's record in those
 * cells is published when the stalled producer goes on and writes its
 * frames into them. That torn record is never taken for data.
 */
static void
ring_test_torn(struct heap_source *h, struct heap_ring *r,
	       struct heap_record *recs)
{
	struct heap_record late = {.kind = HEAP_RECORD_ALLOC, .addr = 21},
			   next = {.kind = HEAP_RECORD_ALLOC, .addr = 22};
	struct heap_losses l0, l1;
	long torn = 0, whole = 0, others = 0;
	size_t n;
	int rc;

	while (heap_source_drain(h, recs, 64, pause_now) > 0)
		;
	late.nframes = next.nframes = HEAP_MAX_FRAMES;
	for (uint32_t f = 0; f < HEAP_MAX_FRAMES; f++) {
		late.frames[f] = 2000 + f;
		next.frames[f] = 3000 + f;
	}
	heap_source_losses(h, &l0);
	pause_src = h;
	pause_tries = 0;
	lap_rec = &next;
	rc = heap_ring_put(r, &late);
	while ((n = heap_source_drain(h, recs, 64, pause_now)) > 0)
		for (size_t i = 0; i < n; i++) {
			int bad = 0;

			for (uint32_t f = 0; f < recs[i].nframes; f++)
				bad += recs[i].frames[f] !=
				       (recs[i].addr == 21 ? 2000 : 3000) + f;
			if (recs[i].addr == 22 && bad > 0)
				torn++;
			else if (recs[i].addr == 21 && bad == 0)
				whole++;
			else if (recs[i].addr != 22)
				others++;
		}
	heap_source_losses(h, &l1);
	pause_src = NULL;
	tap_ok(rc == 0 && torn == 0 && whole == 1 && others == 0,
	       "a producer stalled a full lap tears the next lap's record: "
	       "never taken (%ld torn taken), its own written again whole",
	       torn);
	tap_ok(l1.malformed == l0.malformed + 1 && l1.late == l0.late + 1,
	       "... the torn record counted malformed (%llu), the late one "
	       "late",
	       (unsigned long long)(l1.malformed - l0.malformed));
}

static struct heap_ring *
test_map(void)
{
	const char *fd = getenv(HEAP_ENV_FD);
	void *m;

	if (fd == NULL)
		return NULL;
	m = mmap(NULL, HEAP_RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		 atoi(fd), 0);
	return m == MAP_FAILED ? NULL : m;
}

static void
test_ring(void)
{
	struct heap_source *h = NULL;
	char *cause = NULL;
	struct heap_ring *r;
	struct producer p[THREADS];
	pthread_t t[THREADS];
	struct heap_record *recs = calloc(64, sizeof(*recs));
	int64_t last[THREADS];
	long got = 0, sent = 0, order = 0, content = 0;
	struct heap_losses l;
	uint64_t dropped;
	size_t n;
	int live = THREADS;

	if (!tap_ok(heap_source_open("/x/lib.so", 4096, false, &h, &cause) == 0,
		    "the ring is created") ||
	    (r = test_map()) == NULL) {
		free(cause);
		free(recs);
		return;
	}
	tap_is_str(getenv("LD_PRELOAD"), "/x/lib.so", "LD_PRELOAD is set");
	for (int i = 0; i < THREADS; i++) {
		p[i] = (struct producer){r, i, 0};
		last[i] = -1;
		pthread_create(&t[i], NULL, producer_main, &p[i]);
	}
	/* consume while they produce, then what is left */
	while (live > 0 || (n = heap_source_drain(h, recs, 64, 0)) > 0) {
		if (live > 0) {
			n = heap_source_drain(h, recs, 64, 0);
			if (n == 0 && atomic_load(&producers_done) == THREADS) {
				for (int i = 0; i < THREADS; i++)
					pthread_join(t[i], NULL);
				live = 0;
				continue;
			}
		}
		for (size_t i = 0; i < n; i++) {
			int id = (int)(recs[i].addr >> 32);
			int64_t seq = (int64_t)(recs[i].addr & 0xffffffff);

			got++;
			if (id < 0 || id >= THREADS || seq <= last[id])
				order++;
			else
				last[id] = seq;
			content +=
				recs[i].size != (uint64_t)seq ||
				recs[i].nframes !=
					(uint32_t)(seq % (HEAP_MAX_FRAMES + 1));
			for (uint32_t f = 0; f < recs[i].nframes; f++)
				content += recs[i].frames[f] !=
					   recs[i].addr * 61 + f;
		}
	}
	for (int i = 0; i < THREADS; i++)
		sent += p[i].sent;
	heap_source_losses(h, &l);
	dropped = l.dropped;
	tap_is_int(got, sent, "every record put is drained (%ld)", got);
	tap_is_int(sent + (long)dropped, THREADS * PER_THREAD,
		   "records put + dropped = records offered (%llu dropped)",
		   (unsigned long long)dropped);
	tap_is_int(order, 0, "each producer's records in its order");
	tap_is_int(content, 0, "records arrive whole");

	/* a full ring drops and counts; hostile records are filtered */
	{
		struct heap_record rec = {.kind = HEAP_RECORD_FREE};
		long put = 0;

		for (unsigned i = 0; i < HEAP_RING_CELLS + 10; i++)
			put += heap_ring_put(r, &rec) == 0;
		heap_source_losses(h, &l);
		dropped = l.dropped;
		tap_ok(put == HEAP_RING_CELLS && dropped >= 10,
		       "a full ring takes %u frees (a cell each) and drops "
		       "the rest",
		       HEAP_RING_CELLS);
		while (heap_source_drain(h, recs, 64, 0) > 0)
			;
		/* a record of 60 frames takes ten cells */
		rec.kind = HEAP_RECORD_ALLOC;
		rec.nframes = HEAP_MAX_FRAMES;
		put = 0;
		for (unsigned i = 0; i < HEAP_RING_CELLS / 10 + 10; i++)
			put += heap_ring_put(r, &rec) == 0;
		tap_ok(put == HEAP_RING_CELLS / 10,
		       "... or %u records of %d frames", HEAP_RING_CELLS / 10,
		       HEAP_MAX_FRAMES);
		while (heap_source_drain(h, recs, 64, 0) > 0)
			;
		heap_source_losses(h, &l);
		dropped = l.dropped;
		rec.kind = 77;
		heap_ring_put(r, &rec);
		rec.kind = HEAP_RECORD_ALLOC;
		rec.nframes = 1000;
		heap_ring_put(r, &rec);
		n = heap_source_drain(h, recs, 64, 0);
		tap_ok(n == 1 && recs[0].nframes == HEAP_MAX_FRAMES,
		       "an unknown kind is skipped, a frame count clamped");
		heap_source_losses(h, &l);
		tap_ok(l.malformed == 1 && l.dropped == dropped + 1,
		       "... the unknown kind counted lost, not dropped "
		       "silently");
	}

	/* a head cell that says more frames than its further cells hold
	   (a hostile target): the head alone is taken and dropped */
	{
		uint64_t pos = atomic_load(&r->head);
		struct heap_cell *c = &r->cells[pos & (HEAP_RING_CELLS - 1)];
		struct heap_record rec = {.kind = HEAP_RECORD_FREE, .addr = 5};

		heap_source_losses(h, &l);
		dropped = l.dropped;
		atomic_store(&r->head, pos + 1);
		c->u.head.kind = HEAP_RECORD_ALLOC;
		c->u.head.nframes = 20;
		atomic_store(&c->seq, pos + 1);
		heap_ring_put(r, &rec);
		n = heap_source_drain(h, recs, 64, 0);
		tap_ok(n == 1 && recs[0].kind == HEAP_RECORD_FREE &&
			       recs[0].addr == 5,
		       "a record without its further cells is skipped, the "
		       "next one read");
		heap_source_losses(h, &l);
		tap_ok(l.malformed == 2 && l.dropped == dropped + 1,
		       "... and counted lost");
	}

	/* a slot claimed and never published (its producer killed, or
	   replaced by an exec, between claim and publish) */
	{
		struct heap_record rec = {.kind = HEAP_RECORD_FREE, .addr = 9};
		uint64_t pos = atomic_fetch_add(&r->head, 1);
		long ok = 0;

		ring_test_stall(
			h, r, recs, &rec, 1000, 1,
			"an unpublished slot holds the records after it",
			"... for HEAP_RING_STALL_NS: then it is skipped "
			"and counted lost");
		/* its late producer loses: the slot's next lap is open */
		tap_ok(atomic_load(
			       &r->cells[pos & (HEAP_RING_CELLS - 1)].seq) ==
			       pos + HEAP_RING_CELLS,
		       "... and given to the next lap");
		for (unsigned i = 0; i < 2 * HEAP_RING_CELLS; i++) {
			ok += heap_ring_put(r, &rec) == 0;
			ok -= (long)heap_source_drain(h, recs, 64, 0);
		}
		tap_is_int(ok, 0, "the ring goes on: two laps put and drained");
	}

	/* a record of three cells claimed and never published, its second
	   cell published (the producer stopped before the third) */
	{
		struct heap_record rec = {.kind = HEAP_RECORD_FREE, .addr = 7};
		uint64_t pos = atomic_fetch_add(&r->head, 3);

		atomic_store(&r->cells[(pos + 1) & (HEAP_RING_CELLS - 1)].seq,
			     (pos + 2) | HEAP_RING_CONT);
		ring_test_stall(
			h, r, recs, &rec, 5000, 2,
			"unpublished cells hold the records after them",
			"... for one HEAP_RING_STALL_NS: then all three "
			"are skipped, the two unpublished counted lost");
	}
	ring_test_slow(h, r, recs);
	ring_test_torn(h, r, recs);
	munmap(r, HEAP_RING_BYTES);
	heap_source_free(h);
	tap_ok(getenv("LD_PRELOAD") == NULL && getenv(HEAP_ENV_FD) == NULL,
	       "heap_source_free restores the environment");
	free(recs);
}

int
main(void)
{
	unsetenv("LD_PRELOAD");
	test_addrset();
	test_addrset_filter();
	test_addrset_threads();
	test_addrset_stuck();
	test_ring();
	return tap_done();
}
