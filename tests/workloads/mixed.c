/*
 * mixed [-t BUSY] [-d SECONDS] [-l LATE]: an oversubscribed process whose
 * CPU profile a sampler that counts runnable threads gets wrong.
 *
 *   "busy-N"  BUSY threads (default 3) spin in busy_spin() the whole time;
 *   "ticker"  alternates 1 ms of sleep (nanosleep) and 1 ms of work in
 *             tick_work(), so half its time is off CPU;
 *   "late"    with -l LATE, a thread started LATE seconds after the others
 *             that spins in late_spin() (threads born after a profiler
 *             attached).
 *
 * With more busy threads than CPUs the ticker waits for a CPU after each
 * sleep; the kernel's cpu-clock samples only the time it runs. At exit it
 * prints key=value lines: ticks (work slices done), runtime_ms, cpu_ms.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define MIXED_USAGE "mixed [-t BUSY] [-d SECONDS] [-l LATE]"
#define MIXED_MAX 64

static atomic_int mixed_stop;

WL_NOINLINE static unsigned long
busy_spin(unsigned long x)
{
	WL_SPIN(x, 100000, 3);
	return x;
}

WL_NOINLINE static unsigned long
late_spin(unsigned long x)
{
	WL_SPIN(x, 100000, 5);
	return x;
}

/* About 1 ms of CPU: spins until the thread's own CPU clock says so. */
WL_NOINLINE static unsigned long
tick_work(unsigned long x)
{
	struct timespec ts;
	double start, now;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	start = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
	do {
		WL_SPIN(x, 5000, 11);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
		now = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
	} while (now - start < 1.0);
	return x;
}

static void *
mixed_busy(void *arg)
{
	unsigned long x = 1;

	while (!atomic_load(&mixed_stop))
		x = busy_spin(x);
	return (void *)x;
}

static void *
mixed_late(void *arg)
{
	unsigned long x = 1;

	while (!atomic_load(&mixed_stop))
		x = late_spin(x);
	return (void *)x;
}

static void *
mixed_ticker(void *arg)
{
	unsigned long *ticks = arg, x = 1;

	while (!atomic_load(&mixed_stop)) {
		wl_sleep_ms(1);
		x = tick_work(x);
		(*ticks)++;
	}
	return (void *)x;
}

int
main(int argc, char **argv)
{
	pthread_t busy[MIXED_MAX], ticker, late;
	unsigned long ticks = 0;
	double seconds = 5, late_s = -1, start = wl_now_ms();
	int opt, nbusy = 3;

	while ((opt = getopt(argc, argv, "t:d:l:")) != -1) {
		if (opt == 't')
			nbusy = (int)wl_number(optarg, opt, MIXED_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, MIXED_USAGE);
		else if (opt == 'l')
			late_s = wl_number(optarg, opt, MIXED_USAGE);
		else
			wl_usage(MIXED_USAGE);
	}
	if (optind != argc || nbusy > MIXED_MAX)
		wl_usage(MIXED_USAGE);
	for (int i = 0; i < nbusy; i++) {
		char name[16];

		if (pthread_create(&busy[i], NULL, mixed_busy, NULL) != 0)
			return 1;
		snprintf(name, sizeof(name), "busy-%d", i);
		pthread_setname_np(busy[i], name);
	}
	if (pthread_create(&ticker, NULL, mixed_ticker, &ticks) != 0)
		return 1;
	pthread_setname_np(ticker, "ticker");
	if (late_s >= 0) {
		wl_sleep_ms(late_s * 1e3);
		if (pthread_create(&late, NULL, mixed_late, NULL) != 0)
			return 1;
		pthread_setname_np(late, "late");
	}
	while (wl_now_ms() - start < seconds * 1e3)
		wl_sleep_ms(10);
	atomic_store(&mixed_stop, 1);
	for (int i = 0; i < nbusy; i++)
		pthread_join(busy[i], NULL);
	pthread_join(ticker, NULL);
	if (late_s >= 0)
		pthread_join(late, NULL);
	printf("ticks=%lu\nruntime_ms=%.0f\ncpu_ms=%.0f\n", ticks,
	       wl_now_ms() - start, wl_cpu_ms());
	return 0;
}
