/*
 * tests/heap/mallocs: a malloc-heavy benchmark for the interposer's cost
 * (bench/heap.sh): -n N million small malloc/free pairs (default 20), sizes
 * 16-512 bytes, through a window of 4096 live blocks. Prints
 * runtime_ms=MS, cpu_ms=MS (its own user + system time: on a loaded
 * machine the cost, where the runtime is mostly waiting for a CPU),
 * minflt=N (its page faults) and a checksum.
 *
 * -a: the same pairs in chunks of CHUNK, alternating between malloc/free
 * (an interposer's, when one is preloaded) and glibc's __libc_malloc and
 * __libc_free (never interposed), each on its own window of 2048 blocks.
 * A chunk takes ~1 ms: the VM's speed modes (spells of a second or more)
 * change both sides alike, so each interposed chunk's thread CPU time ÷
 * the geometric mean of the direct chunks on either side is the cost of
 * the hooks and their samples alone, without the process's start or a
 * profiler beside it. Prints hooked_ratio=X (the median of those ratios),
 * its quartiles and their count besides.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 4096
#define CHUNK 50000

/* glibc's own entry points: a preloaded malloc never replaces these. */
extern void *__libc_malloc(size_t n);
extern void __libc_free(void *p);

/*
 * STEPS pairs over window LIVE of WIN blocks, through ALLOC and FREE
 * (called directly, as a program calls malloc: no pointer between): each
 * frees a random slot's block and allocates 16-512 bytes there.
 */
#define MALLOCS_LOOP(ALLOC, FREE, LIVE, WIN, STEPS)                            \
	for (long i = 0; i < (STEPS); i++) {                                   \
		size_t slot, n;                                                \
                                                                               \
		rng ^= rng << 13;                                              \
		rng ^= rng >> 7;                                               \
		rng ^= rng << 17;                                              \
		slot = (size_t)(rng % (WIN));                                  \
		n = 16 + (size_t)((rng >> 20) % 497);                          \
		FREE((LIVE)[slot]);                                            \
		(LIVE)[slot] = ALLOC(n);                                       \
		if ((LIVE)[slot] == NULL)                                      \
			exit(1);                                               \
		(LIVE)[slot][0] = (char)i;                                     \
		sum += (unsigned char)(LIVE)[slot][n / 2];                     \
	}

static int64_t
mallocs_thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
mallocs_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* -a: alternating chunks; prints the ratios. Returns the checksum. */
static uint64_t
mallocs_alternate(long pairs, uint64_t rng)
{
	static char *hooked[WINDOW / 2], *direct[WINDOW / 2];
	long nchunks = pairs / CHUNK;
	int64_t *ns = calloc((size_t)nchunks + 1, sizeof(*ns));
	double *ratio = calloc((size_t)nchunks / 2 + 1, sizeof(*ratio));
	size_t nratio = 0;
	uint64_t sum = 0;

	if (ns == NULL || ratio == NULL)
		exit(1);
	/* chunk c is direct when even: D H D H ... D */
	for (long c = 0; c < nchunks; c++) {
		int64_t t0 = mallocs_thread_ns();

		if (c % 2 == 0) {
			MALLOCS_LOOP(__libc_malloc, __libc_free, direct,
				     WINDOW / 2, CHUNK)
		} else {
			MALLOCS_LOOP(malloc, free, hooked, WINDOW / 2, CHUNK)
		}
		ns[c] = mallocs_thread_ns() - t0;
	}
	for (long c = 1; c + 1 < nchunks; c += 2)
		if (ns[c - 1] > 0 && ns[c + 1] > 0)
			ratio[nratio++] = (double)ns[c] /
					  sqrt((double)ns[c - 1] * ns[c + 1]);
	qsort(ratio, nratio, sizeof(*ratio), mallocs_cmp);
	if (nratio > 0)
		printf("hooked_ratio=%.4f\nhooked_q1=%.4f\nhooked_q3=%.4f\n"
		       "hooked_chunks=%zu\n",
		       ratio[nratio / 2], ratio[nratio / 4],
		       ratio[3 * nratio / 4], nratio);
	for (size_t i = 0; i < WINDOW / 2; i++) {
		free(hooked[i]);
		__libc_free(direct[i]);
	}
	free(ns);
	free(ratio);
	return sum;
}

int
main(int argc, char **argv)
{
	static char *live[WINDOW];
	uint64_t rng = 0x9e3779b97f4a7c15ull, sum = 0;
	long millions = 20;
	int alternate = 0;
	struct timespec t0, t1;
	struct rusage ru;
	int opt;

	while ((opt = getopt(argc, argv, "an:")) != -1)
		if (opt == 'n')
			millions = atol(optarg);
		else if (opt == 'a')
			alternate = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (alternate) {
		sum = mallocs_alternate(millions * 1000000, rng);
	} else {
		MALLOCS_LOOP(malloc, free, live, WINDOW, millions * 1000000)
		for (int i = 0; i < WINDOW; i++)
			free(live[i]);
	}
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
