/*
 * tests/unit/views_heap_test: Go's four heap views over hand-built heap
 * snapshots (views/heap.h): the scaling at a rate of 1 (exact) and at a
 * real rate (Go's scaleHeapSample), the delta of two snapshots (in-use
 * growth, negative where more was freed), totals, and the -top table.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "tests/tap.h"
#include "tests/unit/views_fixture.h"
#include "views/heap.h"

/* A heap snapshot over fx_standard's tables with buckets b[n]. */
static struct heapprof_snapshot *
heap_fx(struct profile_snapshot *tables, const struct heapprof_bucket *b,
	uint32_t n, uint64_t rate, int64_t duration_ns)
{
	struct heapprof_snapshot *s = xcalloc(1, sizeof(*s));
	struct heapprof_bucket *copy = xcalloc(n + 1, sizeof(*copy));

	memcpy(copy, b, n * sizeof(*b));
	s->tables = profile_snapshot_ref(tables);
	s->buckets = copy;
	s->nbuckets = n;
	s->rate = rate;
	s->loaded = true;
	for (uint32_t i = 0; i < n; i++) {
		s->samples += b[i].allocs;
		s->frees += b[i].frees;
	}
	s->duration_ns = duration_ns;
	return s;
}

/* heap_report_top()'s inuse_space table of s, 5 rows (caller frees). */
static char *
top_text(const struct heapprof_snapshot *s)
{
	char *out;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	heap_report_top(f, s, HEAP_VIEW_INUSE_SPACE, 5);
	fclose(f);
	return out;
}

int
main(void)
{
	struct fx x;
	struct profile_snapshot *t = fx_standard(&x, "/src/b.c");
	/* stack 0: hot_a, stack 1: hot_b */
	struct heapprof_bucket b0[] = {{0, 1000, 10, 4}, {1, 64, 5, 5}};
	struct heapprof_bucket b1[] = {
		{0, 1000, 30, 6}, {1, 64, 5, 7}, {0, 4096, 2, 0}};
	struct heapprof_snapshot *s0 = heap_fx(t, b0, 2, 1, 1000000000);
	struct heapprof_snapshot *s1 = heap_fx(t, b1, 3, 1, 3000000000);
	struct heapprof_snapshot *d, *r;
	int64_t v[HEAP_VIEW_COUNT];
	char *out;

	heap_bucket_values(s0, 0, v);
	tap_ok(v[HEAP_VIEW_ALLOC_OBJECTS] == 10 &&
		       v[HEAP_VIEW_ALLOC_SPACE] == 10000 &&
		       v[HEAP_VIEW_INUSE_OBJECTS] == 6 &&
		       v[HEAP_VIEW_INUSE_SPACE] == 6000,
	       "rate 1: every allocation counts as itself (10, 10000, 6, "
	       "6000)");

	s1->left_for = xstrdup("/bin/next");
	d = heap_delta(s0, s1);
	tap_is_int(d->nbuckets, 3, "the delta keeps every bucket of s1");
	tap_ok(d->left_for != NULL && d->left_for != s1->left_for &&
		       strcmp(d->left_for, "/bin/next") == 0,
	       "the delta has its own copy of s1's program left for");
	heap_bucket_values(d, 0, v);
	tap_ok(v[HEAP_VIEW_ALLOC_OBJECTS] == 20 &&
		       v[HEAP_VIEW_INUSE_SPACE] == 18000,
	       "delta: 20 allocations, in use grew by 18 of 1000 bytes "
	       "(got %lld, %lld)",
	       (long long)v[HEAP_VIEW_ALLOC_OBJECTS],
	       (long long)v[HEAP_VIEW_INUSE_SPACE]);
	heap_bucket_values(d, 1, v);
	tap_ok(v[HEAP_VIEW_ALLOC_OBJECTS] == 0 &&
		       v[HEAP_VIEW_INUSE_OBJECTS] == -2 &&
		       v[HEAP_VIEW_INUSE_SPACE] == -128,
	       "delta: a bucket that only freed shrinks (-2 objects, -128 "
	       "bytes)");
	heap_bucket_values(d, 2, v);
	tap_ok(v[HEAP_VIEW_ALLOC_SPACE] == 8192 &&
		       v[HEAP_VIEW_INUSE_SPACE] == 8192,
	       "delta: a bucket new in s1 counts whole");
	heap_totals(d, v);
	tap_ok(v[HEAP_VIEW_ALLOC_SPACE] == 20000 + 8192 &&
		       v[HEAP_VIEW_INUSE_SPACE] == 18000 - 128 + 8192,
	       "delta totals: allocated 28192, in-use growth 26064");
	tap_ok(d->samples == 22 && d->frees == 4 &&
		       d->duration_ns == 2000000000,
	       "delta: samples, frees and the interval are differences");

	/* the -top table of the growth: hot_a on top */
	out = top_text(d);
	tap_ok(strstr(out, "Type: inuse_space") != NULL &&
		       strstr(out, "of 25.45kB total") != NULL &&
		       strstr(out, "25.58kB 100.49% 100.49%    25.58kB "
				   "100.49%  hot_a\n") != NULL &&
		       strstr(out, "hot_b\n") == NULL &&
		       strstr(out, "Records dropped:") == NULL,
	       "the growth's top table: 25.45kB in all, hot_a grew by "
	       "25.58kB; hot_b, which shrank, is not a row; no split of "
	       "the records dropped when none was in stalls or malformed");
	if (strstr(out, "hot_b\n") != NULL || strstr(out, "hot_a\n") == NULL)
		fprintf(stderr, "%s", out);
	free(out);

	/* frees of no known sample and records written again are shown */
	d->unknown_frees = 7;
	d->late = 2;
	d->overflow = 3;
	d->dropped = 6;
	d->stalled = 2;
	d->malformed = 1;
	out = top_text(d);
	tap_ok(strstr(out, "\nFrees of no known sample: 7\n") != NULL &&
		       strstr(out, "\nRecords written again after a stall "
				   "(not lost): 2\n") != NULL &&
		       strstr(out, "\nSamples past the bound on buckets "
				   "(not counted): 3\n") != NULL &&
		       strstr(out, ", 6 records dropped, ") != NULL &&
		       strstr(out, "\nRecords dropped: 3 ring full, 2 in "
				   "stalls, 1 malformed\n") != NULL,
	       "the top table says the frees of no known sample (7), "
	       "the records written again (2), the samples past the bound "
	       "(3), the records dropped split (3 ring full, 2 in stalls, "
	       "1 malformed)");
	free(out);
	d->overflow = 0;
	d->stalled = 0;
	d->dropped = 1;
	out = top_text(d);
	tap_ok(strstr(out, "\nRecords dropped: 0 ring full, 0 in stalls, 1 "
			   "malformed\n") != NULL,
	       "the split alone for a malformed record");
	free(out);
	{
		char split[128];

		d->stalled = 2;
		d->dropped = 6;
		heap_dropped_split(split, sizeof(split), d, false);
		tap_is_str(split, "3 ring full, 2 in stalls, 1 malformed",
			   "the split in full, as --top and the exit say it");
		heap_dropped_split(split, sizeof(split), d, true);
		tap_is_str(split, "2 in stalls, 1 malformed",
			   "the split, terse: no ring full");
		d->stalled = d->malformed = 0;
		heap_dropped_split(split, sizeof(split), d, true);
		tap_is_str(split, "", "the split, terse: empty when all full");
	}
	d->dropped = d->malformed = d->stalled = 0;

	/* the header's counts: the zeros it always shows, no other */
	{
		struct heapprof_snapshot c = {.samples = 1500, .frees = 300};
		char line[512], tiny[24];
		bool lost;

		lost = heap_counts(line, sizeof(line), &c);
		tap_is_str(line,
			   "1500 samples, 300 frees, 0 dropped, 0 untracked",
			   "counts: dropped and untracked even at zero, no "
			   "other zero");
		tap_ok(!lost, "counts: nothing lost, no alert");
		c.late = 4;
		c.nprocs = 2;
		lost = heap_counts(line, sizeof(line), &c);
		tap_is_str(line,
			   "1500 samples, 300 frees, 0 dropped, 0 untracked, 4 "
			   "rewritten (not lost), 2 processes",
			   "counts: the records written again, the processes");
		tap_ok(!lost, "counts: records written again are not lost");
		c.dropped = 12;
		c.untracked = 1;
		c.unknown_frees = 40;
		c.strays = 3;
		c.overflow = 5;
		lost = heap_counts(line, sizeof(line), &c);
		tap_is_str(line,
			   "1500 samples, 300 frees, 12 dropped, 1 untracked, "
			   "40 unknown frees, 3 stray records, 5 past bucket "
			   "bound, 4 rewritten (not lost), 2 processes",
			   "counts: every loss --top shows, and the bound's, "
			   "tersely");
		tap_ok(lost, "counts: losses, the alert");
		c.stalled = 3;
		heap_counts(line, sizeof(line), &c);
		tap_ok(strstr(line,
			      ", 12 dropped (3 in stalls), 1 untracked,") !=
			       NULL,
		       "counts: the records lost in stalls, after dropped");
		c.malformed = 1;
		heap_counts(line, sizeof(line), &c);
		tap_ok(strstr(line, ", 12 dropped (3 in stalls, 1 malformed), "
				    "1 untracked,") != NULL,
		       "counts: in stalls and malformed, in one parenthesis");
		c.stalled = 0;
		heap_counts(line, sizeof(line), &c);
		tap_ok(strstr(line, ", 12 dropped (1 malformed), 1 "
				    "untracked,") != NULL,
		       "counts: malformed alone");
		c = (struct heapprof_snapshot){.samples = 1,
					       .frees = 1,
					       .unknown_frees = 1,
					       .strays = 1};
		lost = heap_counts(line, sizeof(line), &c);
		tap_is_str(line,
			   "1 sample, 1 free, 0 dropped, 0 untracked, 1 "
			   "unknown free, 1 stray record",
			   "counts: singulars");
		tap_ok(lost, "counts: the singulars' losses alert");
		c = (struct heapprof_snapshot){.unknown_frees = 1};
		tap_ok(heap_counts(line, sizeof(line), &c),
		       "counts: a free of no known sample alone alerts");
		{
			static char path[] = "/bin/x\033[2J";

			c = (struct heapprof_snapshot){.left_for = path};
		}
		lost = heap_counts(line, sizeof(line), &c);
		tap_is_str(line,
			   "0 samples, 0 frees, 0 dropped, 0 untracked, it "
			   "executed /bin/x\\x1b[2J in its place: unprofiled "
			   "(--follow)",
			   "counts: the program executed in place, unprofiled, "
			   "its path escaped");
		tap_ok(lost, "counts: a program left unprofiled alerts");
		c.dropped = 99999;
		heap_counts(tiny, sizeof(tiny), &c);
		tap_ok(strlen(tiny) == sizeof(tiny) - 1,
		       "counts: cut at the buffer's end, terminated");
	}

	/* at a real rate, Go's scaleHeapSample: n / (1 - exp(-size/rate)) */
	r = heap_fx(t, b1, 1, 4096, 1);
	heap_bucket_values(r, 0, v);
	{
		double scale = 1 / (1 - exp(-1000.0 / 4096));

		tap_ok(v[HEAP_VIEW_ALLOC_OBJECTS] == (int64_t)(30 * scale) &&
			       v[HEAP_VIEW_INUSE_SPACE] ==
				       (int64_t)(24 * 1000 * scale),
		       "rate 4096: scaled as Go scales (%lld objects)",
		       (long long)v[HEAP_VIEW_ALLOC_OBJECTS]);
	}
	heapprof_snapshot_free(r);
	heapprof_snapshot_free(d);

	/* the delta's split: lost in stalls may go down (taken back cells
	   written again), ring full and malformed only grow */
	s0->dropped = 5; /* 1 ring full */
	s0->stalled = 3;
	s0->malformed = 1;
	s1->dropped = 6; /* 3 ring full */
	s1->stalled = 1;
	s1->malformed = 2;
	d = heap_delta(s0, s1);
	tap_ok(d->dropped == 3 && d->stalled == 0 && d->malformed == 1,
	       "delta: 2 more ring full, 1 more malformed, none more in "
	       "stalls: 3 dropped (got %llu, %llu, %llu)",
	       (unsigned long long)d->dropped, (unsigned long long)d->stalled,
	       (unsigned long long)d->malformed);
	heapprof_snapshot_free(d);
	heapprof_snapshot_free(s1);
	heapprof_snapshot_free(s0);
	profile_snapshot_unref(t);
	return tap_done();
}
