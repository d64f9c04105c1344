/*
 * A malloc-heavy workload for tests/symbols/names.sh: churn() allocates,
 * touches and frees blocks of assorted sizes under a mutex for SECONDS
 * seconds (argv[1], default 3), so glibc's malloc, free and
 * pthread_mutex_lock show in the profile under the names perf prints.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *volatile keep[64];

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void
churn(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		size_t size = 16 + (i * 7919U) % 4000;
		void *p;

		pthread_mutex_lock(&lock);
		p = malloc(size);
		((char *)p)[0] = (char)i;
		free(keep[i % 64]);
		keep[i % 64] = p;
		pthread_mutex_unlock(&lock);
	}
}

int
main(int argc, char **argv)
{
	double end = now() + (argc > 1 ? atof(argv[1]) : 3);

	while (now() < end)
		churn(10000);
	return 0;
}
