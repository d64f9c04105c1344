/*
 * tests/heap/mallocs: a malloc-heavy benchmark for the interposer's cost
 * (bench/heap.sh): -n N million small malloc/free pairs (default 20), sizes
 * 16-512 bytes, through a window of 4096 live blocks. Prints
 * runtime_ms=MS, cpu_ms=MS (its own user + system time: on a loaded
 * machine the cost, where the runtime is mostly waiting for a CPU),
 * minflt=N (its page faults) and a checksum.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 4096

int
main(int argc, char **argv)
{
	static char *live[WINDOW];
	uint64_t rng = 0x9e3779b97f4a7c15ull, sum = 0;
	long millions = 20;
	struct timespec t0, t1;
	struct rusage ru;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1)
		if (opt == 'n')
			millions = atol(optarg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < millions * 1000000; i++) {
		size_t slot, n;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		slot = (size_t)(rng % WINDOW);
		n = 16 + (size_t)((rng >> 20) % 497);
		free(live[slot]);
		live[slot] = malloc(n);
		if (live[slot] == NULL)
			return 1;
		live[slot][0] = (char)i;
		sum += (unsigned char)live[slot][n / 2];
	}
	for (int i = 0; i < WINDOW; i++)
		free(live[i]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &ru);
	printf("runtime_ms=%ld\ncpu_ms=%ld\nminflt=%ld\nchecksum=%llu\n",
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		      (t1.tv_nsec - t0.tv_nsec) / 1000000),
	       (long)((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
		      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000),
	       ru.ru_minflt, (unsigned long long)sum);
	return 0;
}
