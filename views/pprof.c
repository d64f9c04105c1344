#include "config.h"

#include "views/pprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/log.h"
#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"
#include "views/pprof_tables.h"
#include "views/profile.pb-c.h"

/* Labels per sample: thread_id, thread_name, pid, process_name. */
#define PPROF_LABELS 4

/* Everything the encoded message points to, freed after packing. */
struct pprof_build {
	const struct profile_snapshot *s;
	const struct filter *f;
	bool threads; /* the threads profile: one type, threads/count */
	Perftools__Profiles__Profile p;
	struct pprof_tables t; /* strings, mappings to locations */
	Perftools__Profiles__ValueType types[2], period_type;
	Perftools__Profiles__ValueType *type_ptrs[2];
	Perftools__Profiles__Sample *samples, **sample_ptrs;
	Perftools__Profiles__Label *labels, **label_ptrs;
	uint64_t *loc_ids;
	int64_t *values;
	int64_t comments[2];
	char *version;
	bool shown_only;	/* thread set and focus applied */
	signed char *loc_focus; /* per location: -1 unknown, 0 no, 1 match */
};

static void
pprof_types(struct pprof_build *b)
{
	const char *kind = b->f->mode == FILTER_MODE_WALL ? "wall" : "cpu";
	Perftools__Profiles__ValueType init =
		PERFTOOLS__PROFILES__VALUE_TYPE__INIT;

	for (int i = 0; i < 2; i++) {
		b->types[i] = init;
		b->type_ptrs[i] = &b->types[i];
	}
	b->types[0].type = pprof_str(&b->t.st, "samples");
	b->types[0].unit = pprof_str(&b->t.st, "count");
	b->types[1].type = pprof_str(&b->t.st, kind);
	b->types[1].unit = pprof_str(&b->t.st, "nanoseconds");
	b->period_type = b->types[1];
	b->p.n_sample_type = 2;
	if (b->threads) {
		b->types[0].type = pprof_str(&b->t.st, "threads");
		b->period_type = b->types[0];
		b->p.n_sample_type = 1;
	}
	b->p.sample_type = b->type_ptrs;
	b->p.period_type = &b->period_type;
	b->p.period = b->s->hz != 0 ? 1000000000 / b->s->hz : 0;
	if (b->threads)
		b->p.period = 1;
}

static bool
pprof_match(const regex_t *re, const char *str)
{
	return str != NULL && regexec(re, str, 0, NULL, 0) == 0;
}

/* Whether location loc has a frame or mapping matching the focus. */
static bool
pprof_loc_focused(struct pprof_build *b, uint32_t loc)
{
	const struct profile_snapshot *s = b->s;
	const struct profile_location *l = &s->locations[loc];
	bool m;

	if (b->loc_focus[loc] >= 0)
		return b->loc_focus[loc] == 1;
	m = l->mapping < s->nmappings &&
	    pprof_match(&b->f->focus_re, s->mappings[l->mapping].path);
	for (uint32_t j = 0; j < l->nlines && !m; j++) {
		const struct profile_function *fn =
			&s->functions[s->lines[l->first_line + j].function];

		m = pprof_match(&b->f->focus_re, fn->name) ||
		    pprof_match(&b->f->focus_re, fn->file);
	}
	b->loc_focus[loc] = m;
	return m;
}

/* With shown_only: whether count c is in the thread set and its stack
   passes the focus (pprof's -tagfocus and -focus). */
static bool
pprof_shown(struct pprof_build *b, const struct profile_count *c)
{
	const struct profile_snapshot *s = b->s;
	const struct profile_stack *st = &s->stacks[c->stack];

	if (!b->shown_only)
		return true;
	if (!filter_thread_selected(b->f, c->thread))
		return false;
	if (b->f->focus == NULL)
		return true;
	for (uint32_t d = 0; d < st->depth; d++)
		if (pprof_loc_focused(b, s->stack_locations[st->first + d]))
			return true;
	return false;
}

/* Sums the counts per (stack, thread) into *n of them; returns the index
   of each count's sample (UINT32_MAX: none) in per_count. */
static uint64_t *
pprof_aggregate(struct pprof_build *b, uint32_t **owner, size_t *n)
{
	const struct profile_snapshot *s = b->s;
	struct hash index;
	uint64_t *sums = NULL;
	size_t cap = 0;

	*owner = xcalloc(s->ncounts + 1, sizeof(**owner));
	*n = 0;
	hash_init(&index);
	for (uint32_t i = 0; i < s->ncounts; i++) {
		const struct profile_count *c = &s->counts[i];
		uint64_t v = filter_count_value(b->f, s, c);
		uint64_t key = ((uint64_t)c->stack << 32) | c->thread;
		uint32_t id;

		(*owner)[i] = UINT32_MAX;
		if (v == 0 || c->stack >= s->nstacks ||
		    s->stacks[c->stack].depth == 0 || !pprof_shown(b, c))
			continue;
		id = hash_find(&index, key, NULL, NULL, NULL);
		if (id == HASH_NONE) {
			id = (uint32_t)*n;
			*ARRAY_PUSH(sums, *n, cap) = 0;
			hash_add(&index, key, id);
		}
		(*owner)[i] = id;
		sums[id] += v;
	}
	hash_free(&index);
	return sums;
}

static void
pprof_sample(struct pprof_build *b, size_t k, const struct profile_count *c,
	     uint64_t n, size_t *loc_pos)
{
	const struct profile_snapshot *s = b->s;
	const struct profile_stack *st = &s->stacks[c->stack];
	Perftools__Profiles__Sample init = PERFTOOLS__PROFILES__SAMPLE__INIT;
	Perftools__Profiles__Label linit = PERFTOOLS__PROFILES__LABEL__INIT;
	Perftools__Profiles__Sample *ps = &b->samples[k];
	Perftools__Profiles__Label *lb = &b->labels[PPROF_LABELS * k];
	Perftools__Profiles__Label **lp = b->label_ptrs + PPROF_LABELS * k;
	const struct profile_thread *th =
		c->thread < s->nthreads ? &s->threads[c->thread] : NULL;
	size_t m = 0;

	*ps = init;
	ps->n_location_id = st->depth;
	ps->location_id = b->loc_ids + *loc_pos;
	for (uint32_t d = 0; d < st->depth; d++)
		b->loc_ids[(*loc_pos)++] =
			s->stack_locations[st->first + d] + 1;
	ps->n_value = b->p.n_sample_type;
	ps->value = b->values + 2 * k;
	ps->value[0] = (int64_t)n;
	ps->value[1] = (int64_t)n * b->p.period;
	for (size_t i = 0; i < PPROF_LABELS; i++)
		lb[i] = linit;
	/* Thread, then process (-tagfocus=pid=N splits followed children). */
	lb[m].key = pprof_str(&b->t.st, "thread_id");
	lb[m].num = th != NULL ? th->tid : 0;
	lp[m] = &lb[m], m++;
	if (th != NULL && th->name[0] != '\0') {
		lb[m].key = pprof_str(&b->t.st, "thread_name");
		lb[m].str = pprof_str(&b->t.st, th->name);
		lp[m] = &lb[m], m++;
	}
	if (th != NULL && th->pid > 0) {
		lb[m].key = pprof_str(&b->t.st, "pid");
		lb[m].num = th->pid;
		lp[m] = &lb[m], m++;
	}
	if (th != NULL && th->pid > 0 && th->process[0] != '\0') {
		lb[m].key = pprof_str(&b->t.st, "process_name");
		lb[m].str = pprof_str(&b->t.st, th->process);
		lp[m] = &lb[m], m++;
	}
	ps->n_label = m;
	ps->label = lp;
	b->sample_ptrs[k] = ps;
}

static void
pprof_samples(struct pprof_build *b)
{
	const struct profile_snapshot *s = b->s;
	uint32_t *owner;
	size_t n, nlocs = 0, pos = 0;
	uint64_t *sums = pprof_aggregate(b, &owner, &n);
	bool *done = xcalloc(n + 1, sizeof(*done));

	for (uint32_t i = 0; i < s->ncounts; i++)
		if (owner[i] != UINT32_MAX && !done[owner[i]]) {
			done[owner[i]] = true;
			nlocs += s->stacks[s->counts[i].stack].depth;
		}
	b->samples = xcalloc(n + 1, sizeof(*b->samples));
	b->sample_ptrs = xcalloc(n + 1, sizeof(*b->sample_ptrs));
	b->labels = xcalloc(PPROF_LABELS * n + 1, sizeof(*b->labels));
	b->label_ptrs = xcalloc(PPROF_LABELS * n + 1, sizeof(*b->label_ptrs));
	b->values = xcalloc(2 * n + 1, sizeof(*b->values));
	b->loc_ids = xcalloc(nlocs + 1, sizeof(*b->loc_ids));
	memset(done, 0, (n + 1) * sizeof(*done));
	for (uint32_t i = 0; i < s->ncounts; i++) {
		uint32_t k = owner[i];

		if (k == UINT32_MAX || done[k])
			continue;
		done[k] = true;
		pprof_sample(b, k, &s->counts[i], sums[k], &pos);
	}
	b->p.n_sample = n;
	b->p.sample = b->sample_ptrs;
	free(done);
	free(owner);
	free(sums);
}

static void
pprof_meta(struct pprof_build *b)
{
	const struct profile_snapshot *s = b->s;
	int64_t duration = s->duration_ns;

	if (b->f->windowed &&
	    (int64_t)b->f->window_seconds * 1000000000 < duration)
		duration = (int64_t)b->f->window_seconds * 1000000000;
	b->p.time_nanos = s->start_unix_ns;
	b->p.duration_nanos = duration;
	b->version = xasprintf("cproftop %s", PACKAGE_VERSION);
	b->comments[0] = pprof_str(&b->t.st, b->version);
	b->comments[1] = pprof_str(&b->t.st, s->cmdline);
	b->p.n_comment = b->comments[1] != 0 ? 2 : 1;
	b->p.comment = b->comments;
}

static void
pprof_build_free(struct pprof_build *b)
{
	pprof_tables_free(&b->t);
	free(b->samples);
	free(b->sample_ptrs);
	free(b->labels);
	free(b->label_ptrs);
	free(b->loc_ids);
	free(b->values);
	free(b->version);
}

static void
pprof_encode_as(const struct profile_snapshot *s, const struct filter *f,
		bool threads, bool shown_only, uint8_t **buf, size_t *len)
{
	struct pprof_build b;
	Perftools__Profiles__Profile init = PERFTOOLS__PROFILES__PROFILE__INIT;

	memset(&b, 0, sizeof(b));
	b.s = s;
	b.f = f;
	b.threads = threads;
	b.shown_only = shown_only;
	b.loc_focus = xmalloc((size_t)s->nlocations + 1);
	memset(b.loc_focus, -1, (size_t)s->nlocations + 1);
	b.p = init;
	pprof_tables_init(&b.t);
	pprof_types(&b);
	pprof_tables_build(&b.t, s, &b.p);
	pprof_samples(&b);
	pprof_meta(&b);
	pprof_tables_strings(&b.t, &b.p);
	*len = perftools__profiles__profile__get_packed_size(&b.p);
	*buf = xmalloc(*len + 1);
	perftools__profiles__profile__pack(&b.p, *buf);
	pprof_build_free(&b);
	free(b.loc_focus);
}

void
pprof_encode(const struct profile_snapshot *s, const struct filter *f,
	     uint8_t **buf, size_t *len)
{
	pprof_encode_as(s, f, false, false, buf, len);
}

uint8_t *
pprof_gzip(const uint8_t *in, size_t n, size_t *len)
{
	z_stream z;
	size_t cap = deflateBound(NULL, (uLong)n) + 64;
	uint8_t *out = xmalloc(cap);
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS,
			 8, Z_DEFAULT_STRATEGY) != Z_OK)
		fatalx("zlib: deflateInit2 failed");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	for (;;) {
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = deflate(&z, Z_FINISH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			fatalx("zlib: deflate failed (%d)", rc);
		ARRAY_RESERVE(out, cap, cap + 1);
	}
	*len = z.total_out;
	deflateEnd(&z);
	return out;
}

void
pprof_encode_gzip(const struct profile_snapshot *s, const struct filter *f,
		  uint8_t **buf, size_t *len)
{
	uint8_t *raw;
	size_t n;

	pprof_encode(s, f, &raw, &n);
	*buf = pprof_gzip(raw, n, len);
	free(raw);
}

void
pprof_encode_gzip_shown(const struct profile_snapshot *s,
			const struct filter *f, uint8_t **buf, size_t *len)
{
	uint8_t *raw;
	size_t n;

	pprof_encode_as(s, f, false, true, &raw, &n);
	*buf = pprof_gzip(raw, n, len);
	free(raw);
}

void
pprof_encode_threads(const struct profile_snapshot *s, bool gzip, uint8_t **buf,
		     size_t *len)
{
	struct profile_snapshot view = *s;
	struct profile_count *counts =
		xcalloc((size_t)s->nthreads + 1, sizeof(*counts));
	struct filter f;

	view.ncounts = 0;
	for (uint32_t t = 0; t < s->nthreads; t++)
		if (s->threads[t].alive &&
		    s->threads[t].last_stack < s->nstacks)
			counts[view.ncounts++] =
				(struct profile_count){s->threads[t].last_stack,
						       t, s->now_second, 1, 0};
	view.counts = counts;
	view.start_unix_ns = s->start_unix_ns + s->duration_ns;
	view.duration_ns = 0;
	filter_init(&f);
	pprof_encode_as(&view, &f, true, false, buf, len);
	filter_free(&f);
	free(counts);
	if (gzip) {
		uint8_t *raw = *buf;

		*buf = pprof_gzip(raw, *len, len);
		free(raw);
	}
}
