/*
 * sleeper [-d SECONDS]: one thread on CPU, two off CPU, for SECONDS
 * (default 5).
 *
 *   "busy"    spins in spin() the whole time (on CPU);
 *   "blocked" sleeps in one nanosleep() for the whole run (off CPU);
 *   "reader"  blocks in read() on a pipe until the end (off CPU);
 *   main      waits in pthread_join().
 *
 * At exit it prints key=value lines: spins (rounds of spin(), millions),
 * slept_ms (the blocked thread), reads (bytes the reader got: 1),
 * runtime_ms and cpu_ms.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define SLEEPER_USAGE "sleeper [-d SECONDS]"

static atomic_int sleeper_stop;
static double sleeper_seconds = 5;
static int sleeper_pipe[2];

WL_NOINLINE static unsigned long
spin(unsigned long x)
{
	WL_SPIN(x, 1000000, 7);
	return x;
}

static void *
sleeper_busy(void *arg)
{
	unsigned long *rounds = arg, x = 1;

	while (!atomic_load(&sleeper_stop)) {
		x = spin(x);
		(*rounds)++;
	}
	return (void *)x;
}

static void *
sleeper_blocked(void *arg)
{
	double *slept_ms = arg, start = wl_now_ms();

	wl_sleep_ms(sleeper_seconds * 1e3);
	*slept_ms = wl_now_ms() - start;
	return NULL;
}

static void *
sleeper_reader(void *arg)
{
	long *got = arg;
	char c;

	*got = read(sleeper_pipe[0], &c, 1);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t busy, blocked, reader;
	unsigned long rounds = 0;
	double slept_ms = 0, start = wl_now_ms();
	long got = 0;
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			wl_usage(SLEEPER_USAGE);
		sleeper_seconds = wl_number(optarg, opt, SLEEPER_USAGE);
	}
	if (optind != argc)
		wl_usage(SLEEPER_USAGE);
	if (pipe(sleeper_pipe) != 0 ||
	    pthread_create(&busy, NULL, sleeper_busy, &rounds) ||
	    pthread_create(&blocked, NULL, sleeper_blocked, &slept_ms) ||
	    pthread_create(&reader, NULL, sleeper_reader, &got)) {
		fputs("sleeper: cannot create a pipe or thread\n", stderr);
		return 1;
	}
	pthread_setname_np(busy, "busy");
	pthread_setname_np(blocked, "blocked");
	pthread_setname_np(reader, "reader");

	pthread_join(blocked, NULL);
	atomic_store(&sleeper_stop, 1);
	if (write(sleeper_pipe[1], "x", 1) != 1)
		return 1;
	pthread_join(busy, NULL);
	pthread_join(reader, NULL);
	printf("spins=%lu\nslept_ms=%.0f\nreads=%ld\nruntime_ms=%.0f\n"
	       "cpu_ms=%.0f\n",
	       rounds, slept_ms, got, wl_now_ms() - start, wl_cpu_ms());
	return 0;
}
