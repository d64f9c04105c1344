/*
 * tests/unit/heap_sample_test: the interposer's sampler (heap/sample.c,
 * included here so that its statics are at hand) under the sanitizers,
 * outside of any preload: the intervals are exponential with the rate as
 * mean (Go's and tcmalloc's sampling), a sampled allocation reaches the
 * ring with its stack, the free of a sampled address follows it and the
 * free of another does not, a re-entered sampler records nothing, and a
 * forked child stops -- or with --follow profiles on under its own pid,
 * its set empty.
 */
#include "heap/sample.c"

#include <sys/wait.h>

#include "heap/source.h"
#include "tests/tap.h"

static __attribute__((noinline)) void
test_allocating_frame(void *p)
{
	heap_sample(p, 100, __builtin_return_address(0));
}

int
main(void)
{
	struct heap_source *h = NULL;
	struct heap_record *recs = calloc(16, sizeof(*recs));
	char *cause = NULL;
	double sum = 0;
	uint64_t parent_left, parent_rng;
	long above = 0, n = 200000;
	size_t got;
	pid_t pid;
	int st;

	unsetenv("LD_PRELOAD");
	if (!tap_ok(heap_source_open("/x/lib.so", 4096, false, &h, &cause) == 0,
		    "the ring is created")) {
		free(cause);
		return tap_done();
	}
	/* the target's copy of the descriptor, which heap_setup closes */
	{
		char num[16];

		snprintf(num, sizeof(num), "%d",
			 dup(atoi(getenv(HEAP_ENV_FD))));
		setenv(HEAP_ENV_FD, num, 1);
	}
	heap_setup();
	tap_ok(heap_enabled && sample_ring != NULL && sample_rate == 4096,
	       "heap_setup maps the ring and takes the rate");
	tap_ok(getenv(HEAP_ENV_FD) == NULL && getenv(HEAP_ENV_RATE) == NULL,
	       "... and clears its variables");
	got = heap_source_drain(h, recs, 16, 0);
	tap_ok(got == 1 && recs[0].kind == HEAP_RECORD_HELLO &&
		       recs[0].pid == (uint32_t)getpid() &&
		       recs[0].size == 4096,
	       "... and says hello: its pid and rate");

	for (long i = 0; i < n; i++) {
		int64_t v = sample_interval(&sample_tls);

		sum += (double)v;
		above += v > 4096;
	}
	tap_ok(sum / (double)n > 4096 * 0.98 && sum / (double)n < 4096 * 1.02,
	       "intervals: mean %.0f, the rate 4096 within 2 %%",
	       sum / (double)n);
	/* exponential: P(X > mean) = 1/e = 0.368 */
	tap_ok((double)above / (double)n > 0.358 &&
		       (double)above / (double)n < 0.378,
	       "intervals: %.3f above the mean (1/e = 0.368 if exponential)",
	       (double)above / (double)n);

	test_allocating_frame((void *)0x10000);
	got = heap_source_drain(h, recs, 16, 0);
	tap_ok(got == 1 && recs[0].kind == HEAP_RECORD_ALLOC &&
		       recs[0].addr == 0x10000 && recs[0].size == 100 &&
		       recs[0].nframes >= 2,
	       "a sampled allocation: its record, with a stack (%u frames)",
	       got ? recs[0].nframes : 0);
	tap_ok(got == 1 && addrset_maybe(0x10000),
	       "... and its address is kept");
	heap_forget((void *)0x20000);
	tap_is_int((long)heap_source_drain(h, recs, 16, 0), 0,
		   "the free of another address records nothing");
	heap_forget((void *)0x10000);
	got = heap_source_drain(h, recs, 16, 0);
	tap_ok(got == 1 && recs[0].kind == HEAP_RECORD_FREE &&
		       recs[0].addr == 0x10000 && !addrset_maybe(0x10000),
	       "the free of the sampled address: its record, the address gone");

	sample_tls.busy = true; /* as inside the unwinder or a handler */
	heap_sample((void *)0x30000, 100, NULL);
	sample_tls.busy = false;
	tap_is_int((long)heap_source_drain(h, recs, 16, 0), 0,
		   "a re-entered sampler records nothing");

	pid = fork();
	if (pid == 0) {
		/* the child: no ring, no samples, no crash */
		heap_sample((void *)0x40000, 100, NULL);
		heap_forget((void *)0x40000);
		_exit(heap_enabled || sample_ring != NULL ? 1 : 0);
	}
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		       WEXITSTATUS(st) == 0,
	       "a forked child stops sampling");
	tap_is_int((long)heap_source_drain(h, recs, 16, 0), 0,
		   "... and records nothing");

	/* --follow: the child profiles on; the parent's sample is not its */
	sample_follow = true;
	test_allocating_frame((void *)0x50000);
	got = heap_source_drain(h, recs, 16, 0);
	tap_ok(got == 1 && recs[0].kind == HEAP_RECORD_ALLOC &&
		       addrset_maybe(0x50000),
	       "--follow: the parent's sampled allocation");
	parent_left = heap_left;
	parent_rng = sample_tls.rng;
	pid = fork();
	if (pid == 0) {
		int bad = !heap_enabled || sample_ring == NULL ||
			  sample_pid != (uint32_t)getpid() ||
			  addrset_maybe(0x50000) ||
			  /* its own draws, not its parent's */
			  heap_left == parent_left ||
			  sample_tls.rng == parent_rng;

		heap_forget((void *)0x50000); /* not its sample */
		sample_tls.busy = false;
		test_allocating_frame((void *)0x60000);
		_exit(bad);
	}
	{
		/* the child waits until its FORK record is read (as after a
		   hello): read it, then say so */
		size_t k = 0;

		for (int i = 0; i < 5000 && k < 2; i++) {
			k += heap_source_drain(h, recs + k, 16 - k, 0);
			if (k == 1 && recs[0].kind == HEAP_RECORD_FORK)
				heap_source_done(h);
			if (k < 2)
				usleep(1000);
		}
		got = k;
	}
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		       WEXITSTATUS(st) == 0,
	       "--follow: a forked child profiles on under its own pid, "
	       "its set empty, its random draws its own");
	got += heap_source_drain(h, recs + got, 16 - got, 0);
	tap_ok(got == 2 && recs[0].kind == HEAP_RECORD_FORK &&
		       recs[0].pid == (uint32_t)pid &&
		       recs[0].addr == (uint64_t)getpid() &&
		       recs[1].kind == HEAP_RECORD_ALLOC &&
		       recs[1].pid == (uint32_t)pid && recs[1].addr == 0x60000,
	       "... it says FORK (its pid, its parent's), then its own "
	       "sample; the free of its copy of the parent's records nothing");
	tap_ok(addrset_maybe(0x50000), "... and the parent's set is whole");

	heap_source_free(h);
	free(recs);
	return tap_done();
}
