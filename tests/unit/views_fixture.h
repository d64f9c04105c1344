#ifndef CPT_TESTS_UNIT_VIEWS_FIXTURE_H
#define CPT_TESTS_UNIT_VIEWS_FIXTURE_H

/*
 * Hand-built profile snapshots for the views/ tests. Fill a struct fx with
 * the fx_* calls (ids are returned in creation order), then fx_snapshot()
 * copies it into a real snapshot (profile_snapshot_unref() it).
 *
 * fx_standard() builds the scenario most tests share, on two threads:
 *   S_A: hot_a <- worker <- main           t0: 60 on-CPU, 10 off-CPU (s 9)
 *   S_B: hot_b:12 <- worker <- main        t1: 30 on-CPU (s 10)
 *   S_I: [inl:20 inlined in hot_b:13] <- worker <- main  t1: 10 on (s 10)
 *   S_R: rec <- rec <- rec <- main         t0: 20 on-CPU (s 2)
 * now_second 10; CPU total 120, wall total 130.
 */

#include <stdarg.h>
#include <string.h>

#include "sampler/profile.h"

struct fx {
	struct profile_mapping maps[8];
	struct profile_function fns[32];
	struct profile_line lines[128];
	struct profile_location locs[64];
	uint32_t stack_locs[256];
	struct profile_stack stacks[64];
	struct profile_thread threads[8];
	struct profile_count counts[128];
	uint32_t nmaps, nfns, nlines, nlocs, nstack_locs, nstacks, nthreads;
	uint32_t ncounts, now_second;
};

static inline uint32_t
fx_map(struct fx *x, uint64_t start, uint64_t limit, const char *path)
{
	x->maps[x->nmaps] =
		(struct profile_mapping){start, limit, 0, path, "abcd"};
	return x->nmaps++;
}

static inline uint32_t
fx_fn(struct fx *x, const char *name, const char *file, int start_line)
{
	x->fns[x->nfns] =
		(struct profile_function){name, name, file, start_line};
	return x->nfns++;
}

/* A location at addr with n (function, line) pairs, innermost first. */
static inline uint32_t
fx_loc(struct fx *x, uint64_t addr, int n, ...)
{
	va_list ap;

	x->locs[x->nlocs] = (struct profile_location){
		addr, x->nmaps ? x->nmaps - 1 : PROFILE_NONE, x->nlines,
		(uint32_t)n};
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		uint32_t fn = va_arg(ap, uint32_t);
		int line = va_arg(ap, int);

		x->lines[x->nlines++] = (struct profile_line){fn, line};
	}
	va_end(ap);
	return x->nlocs++;
}

/* A stack of n location ids, leaf first. */
static inline uint32_t
fx_stack(struct fx *x, int n, ...)
{
	va_list ap;

	x->stacks[x->nstacks] =
		(struct profile_stack){x->nstack_locs, (uint32_t)n, false};
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		x->stack_locs[x->nstack_locs++] = va_arg(ap, uint32_t);
	va_end(ap);
	return x->nstacks++;
}

static inline uint32_t
fx_thread(struct fx *x, pid_t tid, const char *name, char state)
{
	struct profile_thread *t = &x->threads[x->nthreads];

	memset(t, 0, sizeof(*t));
	t->tid = tid;
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->state = state;
	t->alive = true;
	return x->nthreads++;
}

static inline void
fx_count(struct fx *x, uint32_t stack, uint32_t thread, uint32_t second,
	 uint32_t on, uint32_t off)
{
	x->counts[x->ncounts++] =
		(struct profile_count){stack, thread, second, on, off};
}

static inline struct profile_snapshot *
fx_snapshot(const struct fx *x)
{
	struct profile_snapshot s;
	uint64_t samples = 0;

	memset(&s, 0, sizeof(s));
	for (uint32_t i = 0; i < x->ncounts; i++)
		samples += x->counts[i].on_cpu + x->counts[i].off_cpu;
	s.pid = 4242;
	s.cmdline = "./ratio --seconds 3";
	s.exe = "/usr/bin/ratio";
	s.start_unix_ns = 1700000000000000000LL;
	s.duration_ns = 10500000000LL;
	s.hz = 100;
	s.now_second = x->now_second;
	s.samples = samples;
	s.mappings = x->maps;
	s.functions = x->fns;
	s.lines = x->lines;
	s.locations = x->locs;
	s.stack_locations = x->stack_locs;
	s.stacks = x->stacks;
	s.threads = x->threads;
	s.counts = x->counts;
	s.nmappings = x->nmaps;
	s.nfunctions = x->nfns;
	s.nlines = x->nlines;
	s.nlocations = x->nlocs;
	s.nstacks = x->nstacks;
	s.nthreads = x->nthreads;
	s.ncounts = x->ncounts;
	return profile_snapshot_copy(&s);
}

enum { FX_MAIN, FX_WORKER, FX_HOT_A, FX_HOT_B, FX_INL, FX_REC };

/* The shared scenario above; file is the source path of hot_b and inl. */
static inline struct profile_snapshot *
fx_standard(struct fx *x, const char *file)
{
	uint32_t lmain, lwork, la, lb, li, lr1, lr2;

	memset(x, 0, sizeof(*x));
	x->now_second = 10;
	fx_map(x, 0x1000, 0x9000, "/usr/lib/libc.so.6");
	fx_map(x, 0x400000, 0x500000, "/usr/bin/ratio");
	fx_fn(x, "main", "/src/main.c", 1);
	fx_fn(x, "worker", "/src/main.c", 30);
	fx_fn(x, "hot_a", "/src/main.c", 50);
	fx_fn(x, "hot_b", file, 10);
	fx_fn(x, "inl", file, 19);
	fx_fn(x, "rec", "/src/main.c", 70);
	lmain = fx_loc(x, 0x401000, 1, FX_MAIN, 5);
	lwork = fx_loc(x, 0x402000, 1, FX_WORKER, 33);
	la = fx_loc(x, 0x403000, 1, FX_HOT_A, 52);
	lb = fx_loc(x, 0x404000, 1, FX_HOT_B, 12);
	li = fx_loc(x, 0x404100, 2, FX_INL, 20, FX_HOT_B, 13);
	lr1 = fx_loc(x, 0x405000, 1, FX_REC, 72);
	lr2 = fx_loc(x, 0x405100, 1, FX_REC, 74);
	fx_stack(x, 3, la, lwork, lmain);
	fx_stack(x, 3, lb, lwork, lmain);
	fx_stack(x, 3, li, lwork, lmain);
	fx_stack(x, 4, lr1, lr2, lr2, lmain);
	fx_thread(x, 100, "ratio", 'R');
	fx_thread(x, 101, "worker1", 'S');
	/* schedstat over the 10.5 s: 80 % and 20 % on a CPU, 10 % waiting */
	x->threads[0].cpu_ns = 8400000000ULL;
	x->threads[0].wait_ns = 1050000000ULL;
	x->threads[1].cpu_ns = 2100000000ULL;
	fx_count(x, 0, 0, 9, 60, 10);
	fx_count(x, 1, 1, 10, 30, 0);
	fx_count(x, 2, 1, 10, 10, 0);
	fx_count(x, 3, 0, 2, 20, 0);
	return fx_snapshot(x);
}

#endif
