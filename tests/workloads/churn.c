/*
 * churn [-d SECONDS] [-p PARALLEL] [-n THREADS]: threads created and
 * joined continuously for SECONDS (default 3), and on until THREADS threads
 * were created (a loaded machine, a tracer: for at most 60 s more).
 *
 * Round after round, main creates PARALLEL threads (default 4, named
 * "churn-N"), each runs churn_work() for about 0.2 ms, and main joins them
 * all. Exercises a profiler's handling of threads that appear and vanish.
 *
 * At exit it prints key=value lines: threads_created, rounds, runtime_ms,
 * cpu_ms.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define CHURN_USAGE "churn [-d SECONDS] [-p PARALLEL] [-n THREADS]"
#define CHURN_MORE_MS 60000.0
#define CHURN_MAX 64

WL_NOINLINE static unsigned long
churn_work(unsigned long x)
{
	WL_SPIN(x, 150000, 19);
	return x;
}

static void *
churn_thread(void *arg)
{
	return (void *)churn_work((unsigned long)arg);
}

/* Creates and joins n threads; returns how many could be created. */
static unsigned long
churn_round(unsigned long n, unsigned long round)
{
	pthread_t tids[CHURN_MAX];
	unsigned long made = 0;
	char name[16];

	for (unsigned long i = 0; i < n; i++) {
		if (pthread_create(&tids[made], NULL, churn_thread,
				   (void *)(round + i)) != 0)
			continue;
		snprintf(name, sizeof(name), "churn-%u", (unsigned)(i % 100));
		pthread_setname_np(tids[made], name);
		made++;
	}
	for (unsigned long i = 0; i < made; i++)
		pthread_join(tids[i], NULL);
	return made;
}

int
main(int argc, char **argv)
{
	unsigned long parallel = 4, created = 0, rounds = 0, least = 0;
	double seconds = 3, start = wl_now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "d:p:n:")) != -1) {
		if (opt == 'd')
			seconds = wl_number(optarg, opt, CHURN_USAGE);
		else if (opt == 'n')
			least = wl_number(optarg, opt, CHURN_USAGE);
		else if (opt == 'p')
			parallel = wl_number(optarg, opt, CHURN_USAGE);
		else
			wl_usage(CHURN_USAGE);
	}
	if (optind != argc || parallel < 1 || parallel > CHURN_MAX)
		wl_usage(CHURN_USAGE);
	while (wl_now_ms() < start + seconds * 1e3 ||
	       (created < least &&
		wl_now_ms() < start + seconds * 1e3 + CHURN_MORE_MS)) {
		created += churn_round(parallel, rounds);
		rounds++;
	}
	printf("threads_created=%lu\nrounds=%lu\nruntime_ms=%.0f\n"
	       "cpu_ms=%.0f\n",
	       created, rounds, wl_now_ms() - start, wl_cpu_ms());
	return created == parallel * rounds ? 0 : 1;
}
