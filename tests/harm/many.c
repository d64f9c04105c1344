/*
 * many [-s SLEEPERS] [-d SECONDS] [-b]: SLEEPERS threads (default 1000)
 * asleep in many_idle the whole time, one thread spinning in many_busy,
 * one ("switcher") that sleeps 100 ms in many_nap_a, then 100 ms in
 * many_nap_b, and so on (a few microseconds of CPU per switch), and with
 * -b one ("burst") that spins 2 ms of its CPU time in many_burst, then
 * sleeps 18 ms in nanosleep, and so on. Prints "ready" once every thread
 * runs; after SECONDS (default 3) prints busy_cpu_ms=, burst_cpu_ms= and
 * switcher_cpu_ms= (each thread's CPU clock) and proc_cpu_ms= (the whole
 * process's) and exits 0.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define MANY_USAGE "many [-s SLEEPERS] [-d SECONDS] [-b]"

static atomic_int many_started;
static atomic_bool many_done;
static double many_cpu_ms[3]; /* busy, burst, switcher */

static double
many_thread_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static WL_NOINLINE unsigned long
many_spin(unsigned long x)
{
	WL_SPIN(x, 2000, 5);
	return x;
}

static WL_NOINLINE void
many_idle(void)
{
	while (!atomic_load(&many_done))
		wl_sleep_ms(3600e3);
}

static void *
many_sleeper(void *arg)
{
	(void)arg;
	atomic_fetch_add(&many_started, 1);
	many_idle();
	return NULL;
}

static WL_NOINLINE unsigned long
many_busy(unsigned long x)
{
	while (!atomic_load(&many_done))
		x = many_spin(x);
	return x;
}

static void *
many_busy_main(void *arg)
{
	unsigned long x = many_busy((unsigned long)(size_t)arg);

	many_cpu_ms[0] = many_thread_ms();
	return (void *)(size_t)(x & 1);
}

static WL_NOINLINE unsigned long
many_burst(unsigned long x)
{
	double end = many_thread_ms() + 2;

	while (many_thread_ms() < end)
		x = many_spin(x);
	return x;
}

static void *
many_burst_main(void *arg)
{
	unsigned long x = (unsigned long)(size_t)arg;

	atomic_fetch_add(&many_started, 1);
	while (!atomic_load(&many_done)) {
		x = many_burst(x);
		wl_sleep_ms(18);
	}
	many_cpu_ms[1] = many_thread_ms();
	return (void *)(size_t)(x & 1);
}

static WL_NOINLINE void
many_nap_a(void)
{
	wl_sleep_ms(100);
}

static WL_NOINLINE void
many_nap_b(void)
{
	wl_sleep_ms(100);
}

static void *
many_switcher(void *arg)
{
	(void)arg;
	atomic_fetch_add(&many_started, 1);
	while (!atomic_load(&many_done)) {
		many_nap_a();
		many_nap_b();
	}
	many_cpu_ms[2] = many_thread_ms();
	return NULL;
}

int
main(int argc, char **argv)
{
	int opt, sleepers = 1000, want;
	double seconds = 3;
	bool burst = false;
	pthread_attr_t attr;
	pthread_t busy, burster, switcher, t;

	while ((opt = getopt(argc, argv, "s:d:b")) != -1) {
		if (opt == 's')
			sleepers = (int)wl_number(optarg, opt, MANY_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, MANY_USAGE);
		else if (opt == 'b')
			burst = true;
		else
			wl_usage(MANY_USAGE);
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < sleepers; i++)
		if (pthread_create(&t, &attr, many_sleeper, NULL) != 0) {
			perror("many: pthread_create");
			return 1;
		}
	pthread_create(&switcher, NULL, many_switcher, NULL);
	if (burst)
		pthread_create(&burster, NULL, many_burst_main, (void *)1);
	want = sleepers + 1 + (burst ? 1 : 0);
	while (atomic_load(&many_started) < want)
		wl_sleep_ms(1);
	pthread_create(&busy, NULL, many_busy_main, (void *)3);
	printf("ready\n");
	fflush(stdout);
	wl_sleep_ms(seconds * 1e3);
	atomic_store(&many_done, true);
	pthread_join(busy, NULL);
	pthread_join(switcher, NULL);
	if (burst)
		pthread_join(burster, NULL);
	printf("busy_cpu_ms=%.1f burst_cpu_ms=%.1f switcher_cpu_ms=%.1f "
	       "proc_cpu_ms=%.1f\n",
	       many_cpu_ms[0], many_cpu_ms[1], many_cpu_ms[2], wl_cpu_ms());
	fflush(stdout);
	_exit(0); /* the sleepers sleep on */
}
