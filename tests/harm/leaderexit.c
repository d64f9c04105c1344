/*
 * leaderexit [-d SECONDS]: the main thread starts a busy thread (spinning
 * in leaderexit_spin) and an idle one (in nanosleep), then calls
 * pthread_exit(): the process lives on with a zombie leader, as servers
 * whose main() only sets up threads do. After SECONDS (default 5) the
 * busy thread prints "spins=N" and ends the process with exit(0). Prints
 * "ready" once both threads run.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

static double leaderexit_seconds = 5;
static atomic_int leaderexit_started;

static WL_NOINLINE unsigned long
leaderexit_spin(unsigned long x)
{
	WL_SPIN(x, 100000, 3);
	return x;
}

static void *
leaderexit_busy(void *arg)
{
	double end = wl_now_ms() + leaderexit_seconds * 1e3;
	unsigned long x = 1, spins = 0;

	(void)arg;
	atomic_fetch_add(&leaderexit_started, 1);
	while (wl_now_ms() < end) {
		x = leaderexit_spin(x);
		spins++;
	}
	printf("spins=%lu x=%lu\n", spins, x & 1);
	exit(0);
}

static void *
leaderexit_idle(void *arg)
{
	(void)arg;
	atomic_fetch_add(&leaderexit_started, 1);
	for (;;)
		wl_sleep_ms(1000);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;
	int opt;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd') {
			fprintf(stderr, "usage: leaderexit [-d SECONDS]\n");
			return 2;
		}
		leaderexit_seconds = wl_number(
			optarg, opt, "usage: leaderexit [-d SECONDS]");
	}
	pthread_create(&t, NULL, leaderexit_busy, NULL);
	pthread_create(&t, NULL, leaderexit_idle, NULL);
	while (atomic_load(&leaderexit_started) < 2)
		wl_sleep_ms(1);
	printf("ready\n");
	fflush(stdout);
	pthread_exit(NULL);
}
