/*
 * ratio [-t THREADS] [-s SLEEPERS] [-w WORK | -d SECONDS]: a CPU profile
 * known by construction.
 *
 * Each of THREADS threads (default 1; the main thread is the first, the
 * others are named "ratio-1".."ratio-N") runs WORK units (default
 * RATIO_WORK, about 3 s on one core), or units until SECONDS have passed
 * with -d. One unit is
 *   worker -> dispatch -> hot_a / hot_b / hot_c   (iterations 5:3:2), and
 *   worker -> recurse x41 (depth 40 .. 0) -> hot_a / hot_b / hot_c (5:3:2),
 * the recursive path being a tenth of the dispatch path. All three leaves
 * run the same loop, so hot_a, hot_b and hot_c take 50 %, 30 % and 20 % of
 * the CPU time (and instructions), both overall and on each path. A unit's
 * length varies from a half to one and a half of the mean (a fixed
 * sequence): a unit of a fixed ~1.04 ms beside a profiler's 1 ms period
 * aliased -- beside two busy loops `perf record -e cpu-clock -F 1000` saw
 * hot_a/b/c at 48/40/11, 58/26/15, 58/25/17 and 50/25/25 (cproftop in CI:
 * 77/14/8, 37/48/14); with the varying unit 51/29/20, 48/29/22, 51/28/20
 * and 49/30/20 -- while the shares stay those of every unit.
 *
 * With -s, SLEEPERS more threads ("sleeper-N") sleep in nanosleep until the
 * work is done: they cost nothing unprofiled (bench/ measures what they
 * cost profiled).
 *
 * At exit it prints key=value lines: threads, units (all threads),
 * runtime_ms, cpu_ms and checksum (the same for the same -t and -w).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define RATIO_USAGE "ratio [-t THREADS] [-s SLEEPERS] [-w WORK | -d SECONDS]"
#define RATIO_WORK 3000	 /* units per thread by default */
#define RATIO_PART 80000 /* loop rounds per share on the dispatch path */
#define RATIO_RDIV 10	 /* the recursive path: a tenth of that */
#define RATIO_DEPTH 40
#define RATIO_MAX_THREADS 256

struct ratio_thread {
	pthread_t tid;
	unsigned long work; /* units to run; 0: until the deadline */
	double deadline_ms;
	unsigned long units; /* done */
	unsigned long sum;
};

WL_NOINLINE static unsigned long
hot_a(unsigned long x, unsigned long n)
{
	WL_SPIN(x, n, 1);
	return x;
}

WL_NOINLINE static unsigned long
hot_b(unsigned long x, unsigned long n)
{
	WL_SPIN(x, n, 3);
	return x;
}

WL_NOINLINE static unsigned long
hot_c(unsigned long x, unsigned long n)
{
	WL_SPIN(x, n, 5);
	return x;
}

/* This unit's rounds per share on the dispatch path (a global read at each
   call, not an argument: the frames stay as they were, ratio-nofp's
   dispatch without a push). */
static __thread unsigned long ratio_part;

WL_NOINLINE static unsigned long
dispatch(unsigned long x)
{
	x = hot_a(x, 5 * ratio_part);
	x = hot_b(x, 3 * ratio_part);
	return hot_c(x, 2 * ratio_part);
}

WL_NOINLINE static unsigned long
recurse(int depth, unsigned long x)
{
	if (depth == 0) {
		x = hot_a(x, 5 * ratio_part / RATIO_RDIV);
		x = hot_b(x, 3 * ratio_part / RATIO_RDIV);
		return hot_c(x, 2 * ratio_part / RATIO_RDIV);
	}
	x = recurse(depth - 1, x);
	__asm__ volatile("" : "+r"(x)); /* no tail call */
	return x;
}

WL_NOINLINE static void
worker(struct ratio_thread *t)
{
	unsigned long x = 1, seq = 1;

	while (t->work ? t->units < t->work : wl_now_ms() < t->deadline_ms) {
		/* 1/2 to 3/2 of the mean, in 64 steps (mean 1): no period */
		unsigned long k = 32 + (seq >> 58);

		seq = seq * 6364136223846793005UL + 1442695040888963407UL;
		ratio_part = RATIO_PART * k / 64;
		x = dispatch(x);
		x = recurse(RATIO_DEPTH, x);
		t->units++;
	}
	t->sum = x;
}

static void *
ratio_sleeper_main(void *arg)
{
	(void)arg;
	for (;;)
		wl_sleep_ms(1e6);
	return NULL;
}

/* Starts n threads that only sleep; they end with the process. */
static void
ratio_start_sleepers(unsigned long n)
{
	char name[16];
	pthread_t t;

	for (unsigned long i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, ratio_sleeper_main, NULL)) {
			fputs("ratio: cannot create a thread\n", stderr);
			exit(1);
		}
		snprintf(name, sizeof(name), "sleeper-%u",
			 (unsigned)(i % 100000));
		pthread_setname_np(t, name);
	}
}

static void *
ratio_thread_main(void *arg)
{
	worker(arg);
	return NULL;
}

int
main(int argc, char **argv)
{
	static struct ratio_thread th[RATIO_MAX_THREADS];
	unsigned long nthreads = 1, work = RATIO_WORK, units = 0, sum = 0;
	unsigned long sleepers = 0;
	double seconds = 0, start;
	char name[16];
	int opt;

	while ((opt = getopt(argc, argv, "t:s:w:d:")) != -1) {
		if (opt == 't')
			nthreads = wl_number(optarg, opt, RATIO_USAGE);
		else if (opt == 's')
			sleepers = wl_number(optarg, opt, RATIO_USAGE);
		else if (opt == 'w')
			work = wl_number(optarg, opt, RATIO_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, RATIO_USAGE);
		else
			wl_usage(RATIO_USAGE);
	}
	if (optind != argc || nthreads < 1 || nthreads > RATIO_MAX_THREADS)
		wl_usage(RATIO_USAGE);

	ratio_start_sleepers(sleepers);
	start = wl_now_ms();
	for (unsigned long i = 0; i < nthreads; i++) {
		th[i].work = seconds > 0 ? 0 : work;
		th[i].deadline_ms = start + seconds * 1e3;
	}
	for (unsigned long i = 1; i < nthreads; i++) {
		if (pthread_create(&th[i].tid, NULL, ratio_thread_main,
				   &th[i])) {
			fputs("ratio: cannot create a thread\n", stderr);
			return 1;
		}
		snprintf(name, sizeof(name), "ratio-%lu", i);
		pthread_setname_np(th[i].tid, name);
	}
	worker(&th[0]);
	for (unsigned long i = 0; i < nthreads; i++) {
		if (i > 0)
			pthread_join(th[i].tid, NULL);
		units += th[i].units;
		sum += th[i].sum;
	}
	printf("threads=%lu\nunits=%lu\nruntime_ms=%.0f\ncpu_ms=%.0f\n"
	       "checksum=0x%016lx\n",
	       nthreads, units, wl_now_ms() - start, wl_cpu_ms(), sum);
	return 0;
}
