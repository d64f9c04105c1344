/*
 * views/heap.c: Go's heap views and the -top table over a heap snapshot
 * (heap.h). The pprof encoding is in heap_pprof.c.
 */
#include "config.h"

#include "views/heap.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/xmalloc.h"
#include "sampler/heapprof.h"
#include "sampler/profile.h"
#include "views/report.h"

static const char *const heap_names[HEAP_VIEW_COUNT] = {
	"alloc_objects", "alloc_space", "inuse_objects", "inuse_space"};

const char *
heap_view_name(enum heap_view v)
{
	return v < HEAP_VIEW_COUNT ? heap_names[v] : "?";
}

int
heap_view_parse(const char *name, enum heap_view *out)
{
	for (int i = 0; i < HEAP_VIEW_COUNT; i++)
		if (strcmp(name, heap_names[i]) == 0) {
			*out = (enum heap_view)i;
			return 0;
		}
	return -1;
}

/*
 * Go's scaleHeapSample (runtime/pprof/protomem.go) for count samples of
 * size bytes each: the count may be negative (a delta profile's in-use
 * objects), the scale depends on the size only.
 */
static void
heap_scale(int64_t count, uint64_t size, uint64_t rate, int64_t *n,
	   int64_t *bytes)
{
	double scale;

	if (count == 0 || size == 0) {
		*n = *bytes = 0;
		return;
	}
	scale = rate <= 1 ? 1 : 1 / (1 - exp(-(double)size / (double)rate));
	*n = (int64_t)((double)count * scale);
	*bytes = (int64_t)((double)count * (double)size * scale);
}

void
heap_bucket_values(const struct heapprof_snapshot *s, uint32_t b,
		   int64_t vals[HEAP_VIEW_COUNT])
{
	const struct heapprof_bucket *k = &s->buckets[b];

	heap_scale((int64_t)k->allocs, k->size, s->rate,
		   &vals[HEAP_VIEW_ALLOC_OBJECTS],
		   &vals[HEAP_VIEW_ALLOC_SPACE]);
	/* frees <= allocs in a profile; a delta's may be more */
	heap_scale((int64_t)k->allocs - (int64_t)k->frees, k->size, s->rate,
		   &vals[HEAP_VIEW_INUSE_OBJECTS],
		   &vals[HEAP_VIEW_INUSE_SPACE]);
}

/* The records s dropped with the ring full. */
static uint64_t
heap_ring_full(const struct heapprof_snapshot *s)
{
	uint64_t known = s->stalled + s->malformed;

	return s->dropped > known ? s->dropped - known : 0;
}

struct heapprof_snapshot *
heap_delta(const struct heapprof_snapshot *s0,
	   const struct heapprof_snapshot *s1)
{
	struct heapprof_snapshot *d = xcalloc(1, sizeof(*d));
	struct heapprof_bucket *b = xcalloc(s1->nbuckets + 1, sizeof(*b));
	uint64_t full0 = heap_ring_full(s0), full1 = heap_ring_full(s1);

	*d = *s1;
	d->tables = profile_snapshot_ref(s1->tables);
	d->left_for = s1->left_for ? xstrdup(s1->left_for) : NULL;
	for (uint32_t i = 0; i < s1->nbuckets; i++) {
		b[i] = s1->buckets[i];
		/* buckets only grow, in order: i is the same in both */
		if (i < s0->nbuckets && s0->buckets[i].stack == b[i].stack &&
		    s0->buckets[i].size == b[i].size) {
			b[i].allocs -= s0->buckets[i].allocs;
			b[i].frees -= s0->buckets[i].frees;
		}
	}
	d->buckets = b;
	d->samples -= s0->samples;
	d->frees -= s0->frees;
	d->unknown_frees -= s0->unknown_frees;
	/* stalled may go down: cells taken back from a stalled producer
	   count lost until it writes its record again; the rest only grow */
	d->stalled = d->stalled > s0->stalled ? d->stalled - s0->stalled : 0;
	d->malformed -= s0->malformed;
	d->dropped =
		(full1 > full0 ? full1 - full0 : 0) + d->stalled + d->malformed;
	d->late -= s0->late;
	d->untracked -= s0->untracked;
	d->overflow -= s0->overflow;
	d->execs -= s0->execs;
	d->forks -= s0->forks;
	d->strays -= s0->strays;
	d->start_unix_ns = s0->start_unix_ns + s0->duration_ns;
	d->duration_ns = s1->duration_ns - s0->duration_ns;
	return d;
}

/* Adds view v's value of every bucket of s (the pairs of heap_weights). */
static void
heap_weights_walk(const struct heapprof_snapshot *s, enum heap_view v,
		  void (*add)(void *acc, uint32_t stack, int64_t value),
		  void *acc)
{
	int64_t vals[HEAP_VIEW_COUNT];

	for (uint32_t b = 0; b < s->nbuckets; b++) {
		heap_bucket_values(s, b, vals);
		if (vals[v] != 0)
			add(acc, s->buckets[b].stack, vals[v]);
	}
}

/* One each() per view: the source is the snapshot itself. */
#define HEAP_WEIGHTS_EACH(fn, view)                                            \
	static void fn(const void *src,                                        \
		       void (*add)(void *acc, uint32_t stack, int64_t value),  \
		       void *acc)                                              \
	{                                                                      \
		heap_weights_walk(src, view, add, acc);                        \
	}
HEAP_WEIGHTS_EACH(heap_each_alloc_objects, HEAP_VIEW_ALLOC_OBJECTS)
HEAP_WEIGHTS_EACH(heap_each_alloc_space, HEAP_VIEW_ALLOC_SPACE)
HEAP_WEIGHTS_EACH(heap_each_inuse_objects, HEAP_VIEW_INUSE_OBJECTS)
HEAP_WEIGHTS_EACH(heap_each_inuse_space, HEAP_VIEW_INUSE_SPACE)

void
heap_weights(const struct heapprof_snapshot *s, enum heap_view v,
	     struct view_weights *out)
{
	static void (*const each[HEAP_VIEW_COUNT])(
		const void *, void (*)(void *, uint32_t, int64_t),
		void *) = {heap_each_alloc_objects, heap_each_alloc_space,
			   heap_each_inuse_objects, heap_each_inuse_space};

	out->tables = s->tables;
	out->each = each[v < HEAP_VIEW_COUNT ? v : HEAP_VIEW_INUSE_SPACE];
	out->src = s;
}

void
heap_totals(const struct heapprof_snapshot *s, int64_t vals[HEAP_VIEW_COUNT])
{
	int64_t v[HEAP_VIEW_COUNT];

	memset(vals, 0, HEAP_VIEW_COUNT * sizeof(*vals));
	for (uint32_t b = 0; b < s->nbuckets; b++) {
		heap_bucket_values(s, b, v);
		for (int i = 0; i < HEAP_VIEW_COUNT; i++)
			vals[i] += v[i];
	}
}

void
heap_label(char *buf, size_t size, int64_t v, bool bytes)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double x = (double)v;
	size_t u = 0;

	if (!bytes) {
		snprintf(buf, size, "%lld", (long long)v);
		return;
	}
	while (u + 1 < sizeof(units) / sizeof(units[0]) && fabs(x) >= 1024) {
		x /= 1024;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f%s" : "%.2f%s", x, units[u]);
}

static int
heap_row_cmp(const void *a, const void *b)
{
	const struct heap_row *x = a, *y = b;

	if (x->flat != y->flat)
		return x->flat < y->flat ? 1 : -1;
	if (x->cum != y->cum)
		return x->cum < y->cum ? 1 : -1;
	return x->function < y->function ? -1 : x->function > y->function;
}

/* Flat and cum of view v per function (cum once per stack). */
static struct heap_row *
heap_rows(const struct heapprof_snapshot *s, enum heap_view v)
{
	const struct profile_snapshot *t = s->tables;
	struct heap_row *rows = xcalloc(t->nfunctions + 1, sizeof(*rows));
	uint32_t *seen = xcalloc(t->nfunctions + 1, sizeof(*seen));
	int64_t vals[HEAP_VIEW_COUNT];

	for (uint32_t f = 0; f < t->nfunctions; f++)
		rows[f].function = f;
	for (uint32_t b = 0; b < s->nbuckets; b++) {
		const struct profile_stack *st =
			&t->stacks[s->buckets[b].stack];

		heap_bucket_values(s, b, vals);
		if (vals[v] == 0)
			continue;
		for (uint32_t d = 0; d < st->depth; d++) {
			const struct profile_location *l =
				&t->locations[t->stack_locations[st->first +
								 d]];

			for (uint32_t i = 0; i < l->nlines; i++) {
				uint32_t f =
					t->lines[l->first_line + i].function;

				if (d == 0 && i == 0)
					rows[f].flat += vals[v];
				if (seen[f] != b + 1) {
					seen[f] = b + 1;
					rows[f].cum += vals[v];
				}
			}
		}
	}
	free(seen);
	return rows;
}

static int
heap_row_cmp_cum(const void *a, const void *b)
{
	const struct heap_row *x = a, *y = b;

	if (x->cum != y->cum)
		return x->cum < y->cum ? 1 : -1;
	return heap_row_cmp(a, b);
}

struct heap_row *
heap_table(const struct heapprof_snapshot *s, enum heap_view v, bool by_cum,
	   size_t *n)
{
	struct heap_row *rows = heap_rows(s, v);
	size_t k = 0;

	for (uint32_t f = 0; f < s->tables->nfunctions; f++)
		if (rows[f].flat != 0 || rows[f].cum != 0)
			rows[k++] = rows[f];
	qsort(rows, k, sizeof(*rows), by_cum ? heap_row_cmp_cum : heap_row_cmp);
	*n = k;
	return rows;
}

/* Appends printf's fmt to buf (size bytes, terminated), cut at its end. */
static void __attribute__((format(printf, 3, 4)))
heap_counts_cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Appends ", N ONE" (n is 1) or ", N MANY" to buf when n is not zero. */
static void
heap_counts_add(char *buf, size_t size, uint64_t n, const char *one,
		const char *many)
{
	if (n > 0)
		heap_counts_cat(buf, size, ", %llu %s", (unsigned long long)n,
				n == 1 ? one : many);
}

void
heap_dropped_split(char *buf, size_t size, const struct heapprof_snapshot *s,
		   bool terse)
{
	const uint64_t n[] = {heap_ring_full(s), s->stalled, s->malformed};
	static const char *const words[] = {"ring full", "in stalls",
					    "malformed"};
	const char *sep = "";

	buf[0] = '\0';
	for (size_t i = terse ? 1 : 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (!terse || n[i] > 0) {
			heap_counts_cat(buf, size, "%s%llu %s", sep,
					(unsigned long long)n[i], words[i]);
			sep = ", ";
		}
}

bool
heap_counts(char *buf, size_t size, const struct heapprof_snapshot *s)
{
	char split[128];

	buf[0] = '\0';
	heap_counts_cat(buf, size, "%llu sample%s, %llu free%s, %llu dropped",
			(unsigned long long)s->samples,
			s->samples == 1 ? "" : "s",
			(unsigned long long)s->frees, s->frees == 1 ? "" : "s",
			(unsigned long long)s->dropped);
	heap_dropped_split(split, sizeof(split), s, true);
	if (split[0] != '\0')
		heap_counts_cat(buf, size, " (%s)", split);
	heap_counts_cat(buf, size, ", %llu untracked",
			(unsigned long long)s->untracked);
	heap_counts_add(buf, size, s->unknown_frees, "unknown free",
			"unknown frees");
	heap_counts_add(buf, size, s->strays, "stray record", "stray records");
	heap_counts_add(buf, size, s->overflow, "past bucket bound",
			"past bucket bound");
	heap_counts_add(buf, size, s->late, "rewritten (not lost)",
			"rewritten (not lost)");
	if (s->nprocs > 1)
		heap_counts_cat(buf, size, ", %u processes", s->nprocs);
	if (s->left_for != NULL) {
		char *e = escape_text(s->left_for);

		heap_counts_cat(buf, size,
				", it executed %s in its place: unprofiled "
				"(--follow)",
				e);
		free(e);
	}
	return s->dropped > 0 || s->untracked > 0 || s->unknown_frees > 0 ||
	       s->strays > 0 || s->overflow > 0 || s->left_for != NULL;
}

int
heap_report_top(FILE *out, const struct heapprof_snapshot *s, enum heap_view v,
		size_t rows_max)
{
	const struct profile_snapshot *t = s->tables;
	bool bytes = v == HEAP_VIEW_ALLOC_SPACE || v == HEAP_VIEW_INUSE_SPACE;
	struct heap_row *rows = heap_rows(s, v);
	int64_t tot[HEAP_VIEW_COUNT], shown = 0, sum = 0;
	char a[32], b[32], p1[16], p2[16], p3[16], split[128];
	size_t n = 0;

	heap_totals(s, tot);
	qsort(rows, t->nfunctions, sizeof(*rows), heap_row_cmp);
	while (n < t->nfunctions && n < rows_max && rows[n].flat > 0)
		shown += rows[n++].flat;
	fprintf(out,
		"Heap: %llu samples (one per %llu bytes on average), "
		"%llu frees seen, %llu records dropped, %llu samples "
		"untracked\n",
		(unsigned long long)s->samples, (unsigned long long)s->rate,
		(unsigned long long)s->frees, (unsigned long long)s->dropped,
		(unsigned long long)s->untracked);
	if (s->stalled > 0 || s->malformed > 0) {
		heap_dropped_split(split, sizeof(split), s, false);
		fprintf(out, "Records dropped: %s\n", split);
	}
	/* frees whose address matched no sampled allocation: its record
	   was lost, or it came before the profile began */
	fprintf(out, "Frees of no known sample: %llu\n",
		(unsigned long long)s->unknown_frees);
	if (s->overflow > 0)
		fprintf(out,
			"Samples past the bound on buckets (not counted): "
			"%llu\n",
			(unsigned long long)s->overflow);
	if (s->late > 0)
		fprintf(out,
			"Records written again after a stall (not lost): "
			"%llu\n",
			(unsigned long long)s->late);
	if (s->nprocs > 1 || s->execs > 0 || s->strays > 0) {
		fprintf(out, "Processes: %u reported (", s->nprocs);
		if (s->forks > 0)
			fprintf(out, "%llu forked, ",
				(unsigned long long)s->forks);
		fprintf(out,
			"%llu exec%s in place), %llu records of no known "
			"process\n",
			(unsigned long long)s->execs, s->execs == 1 ? "" : "s",
			(unsigned long long)s->strays);
	}
	fprintf(out, "Type: %s\n", heap_view_name(v));
	heap_label(a, sizeof(a), shown, bytes);
	heap_label(b, sizeof(b), tot[v], bytes);
	fprintf(out, "Showing nodes accounting for %s, %s of %s total\n", a,
		report_percent(p1, (uint64_t)shown, (uint64_t)tot[v]), b);
	fprintf(out, "%10s %6s %6s %10s %6s\n", "flat", "flat%", "sum%", "cum",
		"cum%");
	for (size_t i = 0; i < n; i++) {
		sum += rows[i].flat;
		heap_label(a, sizeof(a), rows[i].flat, bytes);
		heap_label(b, sizeof(b), rows[i].cum, bytes);
		fprintf(out, "%10s %s %s %10s %s  ", a,
			report_percent(p1, (uint64_t)rows[i].flat,
				       (uint64_t)tot[v]),
			report_percent(p2, (uint64_t)sum, (uint64_t)tot[v]), b,
			report_percent(p3, (uint64_t)rows[i].cum,
				       (uint64_t)tot[v]));
		escape_fputs(t->functions[rows[i].function].name, out);
		fputc('\n', out);
	}
	free(rows);
	fflush(out);
	return ferror(out) ? -1 : 0;
}
