/* Unit tests of sampler/cputime.c: the ptrace source's measured CPU time. */
#include "config.h"

#include <stdlib.h>

#include "sampler/cputime.h"
#include "tests/tap.h"

#define MS 1000000ULL

/* Whatever the gaps between captures, all the time measured is taken or
   flushed: the total is the CPU time, to the nanosecond. */
static void
test_total(void)
{
	struct cputime c;
	uint64_t run = 5 * MS, taken = 0;
	uint32_t st[CPUTIME_RECENT];
	uint64_t ns[CPUTIME_RECENT];
	unsigned seed = 7;

	cputime_init(&c, run);
	for (int i = 0; i < 10000; i++) {
		/* 0 to 30 ms between captures: a sampler that lags at times */
		run += (uint64_t)(rand_r(&seed) % 30000) * 1000;
		cputime_measure(&c, run);
		if (i == 20)
			cputime_set_ticks(&c, 80, 20);
		taken += cputime_take(&c, MS, rand_r(&seed) % 4 == 0);
		c.ran = false;
		if (i % 100 == 0)
			cputime_ran_at(&c, 1, false);
	}
	for (int i = 0; i < 2; i++)
		for (int k = cputime_flush(&c, i, 9, st, ns); k > 0; k--)
			taken += ns[k - 1];
	tap_is_int(taken, run - 5 * MS, "taken + flushed = measured");
	tap_is_int(c.pending_ns[0] + c.pending_ns[1], 0, "nothing left");
}

/* A capture after a long gap takes two periods, the rest goes to the
   next ones; a pile-up drains a sixteenth at a time. */
static void
test_cap(void)
{
	struct cputime c;
	uint64_t w;

	cputime_init(&c, 0);
	cputime_measure(&c, 10 * MS);
	tap_is_int(cputime_take(&c, MS, false), 2 * MS,
		   "10 ms pending: two periods taken");
	tap_is_int(c.pending_ns[0], 8 * MS, "8 ms left for the next captures");
	tap_is_int(cputime_take(&c, MS, false), 2 * MS, "two more");
	cputime_measure(&c, 10 * MS + 320 * MS);
	w = cputime_take(&c, MS, false);
	tap_is_int(w, (6 + 320) * MS / 16, "a pile-up: a sixteenth of it");
	cputime_init(&c, 0);
	cputime_measure(&c, MS / 2);
	tap_is_int(cputime_take(&c, MS, false), MS / 2,
		   "less than the cap: all of it");
	tap_is_int(cputime_take(&c, MS, false), 0, "then none");
	c.ran = false;
	cputime_measure(&c, MS / 4);
	tap_ok(!c.ran, "time going backwards is no run");
}

/* With a system share known, the time splits; a capture stopped at a
   system call's exit takes the kernel part, one in user space the user
   part (and a sixteenth of the kernel part beyond two periods). */
static void
test_pools(void)
{
	struct cputime c;

	cputime_init(&c, 0);
	cputime_set_ticks(&c, 3, 2);
	tap_ok(c.sys_share < 0, "under 10 ticks: share unknown");
	cputime_measure(&c, MS);
	tap_is_int(cputime_take(&c, MS, true), MS,
		   "share unknown: one pool, whatever the stop");
	cputime_set_ticks(&c, 75, 25);
	cputime_measure(&c, 2 * MS);
	tap_is_int(c.pending_ns[0], 3 * MS / 4, "3/4 to user space");
	tap_is_int(c.pending_ns[1], MS / 4, "1/4 to the kernel");
	tap_is_int(cputime_take(&c, MS, true), MS / 4,
		   "a stop at a syscall exit takes the kernel pool");
	tap_is_int(cputime_take(&c, MS, true), 0, "... and only it");
	tap_is_int(cputime_take(&c, MS, false), 3 * MS / 4,
		   "a stop in user space takes the user pool");
	cputime_measure(&c, 2 * MS + 64 * MS);
	/* 48 ms user, 16 ms kernel: a 16th of 48, and a 16th of 16 */
	tap_is_int(cputime_take(&c, MS, false), 3 * MS + MS,
		   "user stop: a 16th of a pile-up + a 16th of the kernel's");
}

/* Captures at the return from a sleep take nothing; counting its own
   stops as voluntary switches, a thread that did not block is no sleeper. */
static void
test_woke(void)
{
	struct cputime c;

	cputime_init(&c, 0);
	tap_ok(!cputime_wants_nvcsw(&c, false),
	       "user-space stops of a thread never seen at a syscall: no read");
	tap_ok(cputime_wants_nvcsw(&c, true), "a syscall stop: read");
	cputime_stopped(&c);
	tap_ok(cputime_woke(&c, true, 10),
	       "the first syscall stop: nothing to compare, not trusted");
	tap_ok(cputime_wants_nvcsw(&c, false), "from then on every capture");
	cputime_stopped(&c);
	tap_ok(!cputime_woke(&c, false, 11), "a user-space stop never woke");
	cputime_stopped(&c);
	tap_ok(!cputime_woke(&c, true, 12),
	       "one more switch, one more stop: it did not block");
	cputime_stopped(&c);
	tap_ok(cputime_woke(&c, true, 14),
	       "two switches for one stop: it blocked, this is its return");
	cputime_stopped(&c);
	tap_ok(cputime_woke(&c, true, -1), "count unknown (gone): no weight");
	cputime_stopped(&c);
	tap_ok(cputime_woke(&c, true, 20), "after an unknown count: again");
	cputime_stopped(&c);
	tap_ok(cputime_wants_nvcsw(&c, true) && !cputime_woke(&c, true, 21),
	       "and then trusted");
	for (int i = 0; i < CPUTIME_USER_READS; i++) {
		cputime_stopped(&c);
		tap_ok(cputime_wants_nvcsw(&c, false) &&
			       !cputime_woke(&c, false, 22 + i),
		       "a user-space stop %d after a syscall stop: read", i);
	}
	cputime_stopped(&c);
	tap_ok(!cputime_wants_nvcsw(&c, false),
	       "then user-space stops read no more");
	cputime_stopped(&c);
	tap_ok(cputime_wants_nvcsw(&c, true) &&
		       !cputime_woke(&c, true, 21 + CPUTIME_USER_READS + 2),
	       "a syscall stop reads again: the stops between counted");
	tap_ok(cputime_wants_nvcsw(&c, false), "and user-space stops again");
	cputime_stopped(&c);
	tap_ok(!cputime_woke(&c, true, CPUTIME_UNREAD),
	       "a capture with no count read: not a return from a sleep");
	cputime_stopped(&c);
	tap_ok(!cputime_woke(&c, true, 21 + CPUTIME_USER_READS + 4),
	       "and the next count is compared with the last one read");
}

/* Pools flush at the last stacks alike, else the other, else fallback. */
static void
test_flush(void)
{
	struct cputime c;
	uint32_t st[CPUTIME_RECENT];
	uint64_t ns[CPUTIME_RECENT];

	cputime_init(&c, 0);
	cputime_set_ticks(&c, 50, 50);
	cputime_measure(&c, 4 * MS);
	tap_is_int(cputime_flush(&c, 0, 7, st, ns), 1, "user pool: one part");
	tap_is_int(ns[0], 2 * MS, "user pool flushed");
	tap_is_int(st[0], 7, "no stack known: the fallback");
	cputime_ran_at(&c, 3, true);
	cputime_flush(&c, 1, 7, st, ns);
	tap_is_int(ns[0], 2 * MS, "kernel pool flushed");
	tap_is_int(st[0], 3, "at the last syscall-exit stack");
	tap_is_int(cputime_flush(&c, 1, 7, st, ns), 0, "empty: no part");
	cputime_ran_at(&c, 4, false);
	cputime_measure(&c, 6 * MS);
	cputime_flush(&c, 0, 7, st, ns);
	tap_is_int(st[0], 4, "the user pool at the last user-space stack");
	cputime_init(&c, 0);
	cputime_ran_at(&c, 5, false);
	cputime_measure(&c, MS);
	c.pending_ns[1] = c.pending_ns[0];
	cputime_flush(&c, 1, 7, st, ns);
	tap_is_int(st[0], 5, "no syscall stack: the user-space one");
	cputime_measure(&c, 2 * MS);
	cputime_restart(&c, 10 * MS);
	tap_is_int(c.pending_ns[0] + c.pending_ns[1], 0, "restart drops");
	cputime_measure(&c, 11 * MS);
	tap_is_int(c.pending_ns[0], MS, "and counts from its new start");
}

/*
 * A pile-up (a sampler lagging) drains a sixteenth a capture: what is left
 * when the thread ends was run before its last captures, and goes to them
 * evenly, not to the last one alone -- a child's exit path, __cxa_finalize,
 * took 240 ms of its 2 s in child_hot (follow.sh, ASan, loaded).
 */
static void
test_flush_spread(void)
{
	struct cputime c;
	uint32_t st[CPUTIME_RECENT];
	uint64_t ns[CPUTIME_RECENT], hot = 0, exiting = 0, run = 0;
	int n;

	cputime_init(&c, 0);
	for (int i = 0; i < 40; i++) { /* 2 ms a capture, 5 ms periods */
		run += 2 * MS + (i == 30 ? 400 * MS : 0);
		cputime_measure(&c, run);
		cputime_take(&c, 5 * MS, false);
		cputime_ran_at(&c, i < 38 ? 1 : 2, false); /* 2: exit path */
	}
	n = cputime_flush(&c, 0, 9, st, ns);
	tap_is_int(n, CPUTIME_RECENT, "spread over the last 16 stacks");
	for (int k = 0; k < n; k++)
		*(st[k] == 1 ? &hot : &exiting) += ns[k];
	tap_ok(hot > 100 * MS, "most of the pile-up left in child_hot");
	tap_ok(exiting * 16 <= (hot + exiting) * 2 + 16,
	       "the exit path takes its 2 of 16 shares only");
	tap_is_int(c.pending_ns[0], 0, "the pool is empty");
}

int
main(void)
{
	test_total();
	test_cap();
	test_pools();
	test_woke();
	test_flush();
	test_flush_spread();
	return tap_done();
}
