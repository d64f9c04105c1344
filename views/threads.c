#include "config.h"

#include "views/threads.h"

#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "sampler/profile.h"

/* The function of the innermost frame of stack st, or PROFILE_NONE. */
static uint32_t
threads_leaf_function(const struct profile_snapshot *s, uint32_t st)
{
	const struct profile_stack *stack = &s->stacks[st];
	const struct profile_location *loc;

	if (stack->depth == 0)
		return PROFILE_NONE;
	loc = &s->locations[s->stack_locations[stack->first]];
	return s->lines[loc->first_line].function;
}

/* The lowest function id with the name of function fn (names merge, as in
   the top table; on a hash collision fn stands alone). */
static uint32_t
threads_canonical(const struct profile_snapshot *s, struct hash *names,
		  uint32_t fn)
{
	const char *name = s->functions[fn].name;
	uint64_t h = hash_str(name);
	uint32_t id = hash_find(names, h, NULL, NULL, NULL);

	if (id == HASH_NONE) {
		hash_add(names, h, fn);
		return fn;
	}
	if (strcmp(s->functions[id].name ? s->functions[id].name : "",
		   name ? name : "") != 0)
		return fn;
	return id;
}

struct threads_acc {
	struct hash per;   /* (thread, function) -> index into flat */
	struct hash names; /* name hash -> canonical function */
	uint64_t *flat;
	size_t n, cap;
};

/* Adds v flat samples of function fn to row r and updates its hottest. */
static void
threads_add_flat(struct threads_acc *a, struct threads_row *r, uint32_t fn,
		 uint64_t v)
{
	uint64_t key = ((uint64_t)r->thread << 32) | fn;
	uint32_t idx = hash_find(&a->per, key, NULL, NULL, NULL);

	if (idx == HASH_NONE) {
		idx = (uint32_t)a->n;
		*ARRAY_PUSH(a->flat, a->n, a->cap) = 0;
		hash_add(&a->per, key, idx);
	}
	a->flat[idx] += v;
	if (a->flat[idx] > r->hottest_flat ||
	    (a->flat[idx] == r->hottest_flat && fn < r->hottest)) {
		r->hottest_flat = a->flat[idx];
		r->hottest = fn;
	}
}

static void
threads_count(const struct profile_snapshot *s, const struct filter *f,
	      struct threads_table *t)
{
	struct filter cpu = *f, wall = *f;
	struct threads_acc a = {.flat = NULL};

	cpu.mode = FILTER_MODE_CPU;
	wall.mode = FILTER_MODE_WALL;
	hash_init(&a.per);
	hash_init(&a.names);
	for (uint32_t i = 0; i < s->ncounts; i++) {
		const struct profile_count *c = &s->counts[i];
		struct threads_row *r;
		uint64_t vc = filter_count_value(&cpu, s, c);
		uint64_t vw = filter_count_value(&wall, s, c);
		uint32_t fn;

		if (c->thread >= t->nrows || vw == 0)
			continue;
		r = &t->rows[c->thread];
		r->cpu += vc;
		r->wall += vw;
		t->cpu_total += vc;
		t->wall_total += vw;
		fn = threads_leaf_function(s, c->stack);
		if (fn != PROFILE_NONE &&
		    (f->mode == FILTER_MODE_WALL ? vw : vc) != 0)
			threads_add_flat(&a, r,
					 threads_canonical(s, &a.names, fn),
					 f->mode == FILTER_MODE_WALL ? vw : vc);
	}
	hash_free(&a.per);
	hash_free(&a.names);
	free(a.flat);
}

static double
threads_pct(uint64_t v, uint64_t total)
{
	return total == 0 ? 0.0 : 100.0 * (double)v / (double)total;
}

/* ns of the time profiled in %, at most 100. */
static double
threads_time_pct(uint64_t ns, const struct profile_snapshot *s)
{
	double p = s->duration_ns > 0
			   ? 100.0 * (double)ns / (double)s->duration_ns
			   : 0.0;

	return p > 100.0 ? 100.0 : p;
}

static int
threads_cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int
threads_cmp_key(const struct threads_row *a, const struct threads_row *b,
		enum threads_sort key)
{
	switch (key) {
	case THREADS_SORT_TID:
		return (a->tid > b->tid) - (a->tid < b->tid);
	case THREADS_SORT_NAME:
		return strcmp(a->name, b->name);
	case THREADS_SORT_CPU:
		return threads_cmp_u64(b->cpu, a->cpu);
	case THREADS_SORT_WALL:
		return threads_cmp_u64(b->wall, a->wall);
	case THREADS_SORT_ONCPU:
		return (b->on_cpu_pct > a->on_cpu_pct) -
		       (b->on_cpu_pct < a->on_cpu_pct);
	case THREADS_SORT_WAIT:
		return (b->wait_pct > a->wait_pct) -
		       (b->wait_pct < a->wait_pct);
	}
	return 0;
}

/* Insertion sort: thread lists are short, and it is stable. */
static void
threads_sort(struct threads_table *t, enum threads_sort key, bool reverse)
{
	for (size_t i = 1; i < t->nrows; i++) {
		struct threads_row r = t->rows[i];
		size_t j = i;

		while (j > 0) {
			const struct threads_row *p = &t->rows[j - 1];
			int c = threads_cmp_key(p, &r, key);

			if (reverse)
				c = -c;
			if (c == 0)
				c = (p->tid > r.tid) - (p->tid < r.tid);
			if (c <= 0)
				break;
			t->rows[j] = *p;
			j--;
		}
		t->rows[j] = r;
	}
}

void
threads_build(const struct profile_snapshot *s, const struct filter *f,
	      enum threads_sort key, bool reverse, struct threads_table *out)
{
	memset(out, 0, sizeof(*out));
	out->nrows = s->nthreads;
	out->rows = xcalloc(s->nthreads + 1, sizeof(*out->rows));
	for (uint32_t i = 0; i < s->nthreads; i++) {
		struct threads_row *r = &out->rows[i];
		const struct profile_thread *th = &s->threads[i];

		r->thread = i;
		r->tid = th->tid;
		r->pid = th->pid;
		r->process = th->process;
		r->name = th->name;
		out->processes |= th->pid != s->threads[0].pid;
		r->state = th->state;
		r->alive = th->alive;
		r->selected = f->nthreads != 0 && filter_thread_selected(f, i);
		r->hottest = PROFILE_NONE;
	}
	threads_count(s, f, out);
	for (size_t i = 0; i < out->nrows; i++) {
		struct threads_row *r = &out->rows[i];

		r->cpu_share = threads_pct(r->cpu, out->cpu_total);
		r->wall_share = threads_pct(r->wall, out->wall_total);
		r->on_cpu_pct = threads_time_pct(s->threads[i].cpu_ns, s);
		r->wait_pct = threads_time_pct(s->threads[i].wait_ns, s);
		if (r->hottest != PROFILE_NONE)
			r->hottest_name = s->functions[r->hottest].name;
	}
	threads_sort(out, key, reverse);
}

void
threads_select_process(const struct profile_snapshot *s, struct filter *f,
		       pid_t pid)
{
	bool exact = f->nthreads > 0;

	for (uint32_t i = 0; i < s->nthreads && exact; i++)
		exact = filter_thread_selected(f, i) ==
			(s->threads[i].pid == pid);
	filter_threads_clear(f);
	if (exact)
		return;
	for (uint32_t i = 0; i < s->nthreads; i++)
		if (s->threads[i].pid == pid)
			filter_thread_toggle(f, i);
}

static int
threads_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

uint32_t
threads_other_processes(const struct profile_snapshot *s)
{
	pid_t *pids;
	uint32_t n = 0;

	if (s->nthreads == 0)
		return 0;
	pids = xcalloc(s->nthreads, sizeof(*pids));
	for (uint32_t i = 0; i < s->nthreads; i++)
		pids[i] = s->threads[i].pid;
	qsort(pids, s->nthreads, sizeof(*pids), threads_pid_cmp);
	for (uint32_t i = 0; i < s->nthreads; i++)
		n += pids[i] != s->pid && pids[i] != 0 &&
		     (i == 0 || pids[i] != pids[i - 1]);
	free(pids);
	return n;
}

void
threads_free(struct threads_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
