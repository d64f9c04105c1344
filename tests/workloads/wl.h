#ifndef CPT_TESTS_WORKLOADS_WL_H
#define CPT_TESTS_WORKLOADS_WL_H

/*
 * Helpers shared by the test workloads: clocks, option parsing, a busy
 * loop the optimiser cannot remove, and the key=value report lines that
 * tests read on stdout. Header-only so each workload stays one program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/*
 * WL_NOINLINE: a function that keeps its own symbol and frame: never
 * inlined, cloned (.constprop/.isra/.part) or merged with an identical one.
 */
#ifdef __clang__
#define WL_NOINLINE __attribute__((noinline))
#else
#define WL_NOINLINE __attribute__((noinline, noipa))
#endif

/*
 * WL_SPIN(x, n, salt): n rounds of a multiply-add chain on x. Each round
 * costs the same handful of instructions; the empty asm keeps the compiler
 * from vectorising, folding or removing the loop.
 */
#define WL_SPIN(x, n, salt)                                                    \
	do {                                                                   \
		for (unsigned long wl_i = 0; wl_i < (n); wl_i++) {             \
			(x) = (x)*6364136223846793005UL + (salt);              \
			__asm__ volatile("" : "+r"(x));                        \
		}                                                              \
	} while (0)

/* Milliseconds on the monotonic clock. */
static inline double
wl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the whole process, in milliseconds. */
static inline double
wl_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Sleeps ms milliseconds, resuming after signals. */
static inline void
wl_sleep_ms(double ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ms / 1e3),
		.tv_nsec = (long)((ms - (time_t)(ms / 1e3) * 1e3) * 1e6),
	};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Parses a non-negative number for option -opt; prints the usage line and
 * exits 2 when s is not one.
 */
static inline double
wl_number(const char *s, int opt, const char *usage)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0) {
		fprintf(stderr, "bad value for -%c: '%s'\nusage: %s\n", opt, s,
			usage);
		exit(2);
	}
	return v;
}

/* Prints the usage line and exits 2 (bad option or argument). */
static inline void
wl_usage(const char *usage)
{
	fprintf(stderr, "usage: %s\n", usage);
	exit(2);
}

/*
 * The main loop of a single-threaded workload with options -w WORK (units,
 * default 3000) and -d SECONDS: calls unit until done, then prints units,
 * runtime_ms, cpu_ms and checksum. Returns main's exit status.
 */
static inline int
wl_run_units(int argc, char **argv, const char *usage,
	     unsigned long (*unit)(unsigned long))
{
	unsigned long work = 3000, units = 0, x = 1;
	double seconds = 0, start = wl_now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "w:d:")) != -1) {
		if (opt == 'w')
			work = (unsigned long)wl_number(optarg, opt, usage);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, usage);
		else
			wl_usage(usage);
	}
	if (optind != argc)
		wl_usage(usage);
	while (seconds > 0 ? wl_now_ms() < start + seconds * 1e3
			   : units < work) {
		x = unit(x);
		units++;
	}
	printf("units=%lu\nruntime_ms=%.0f\ncpu_ms=%.0f\nchecksum=0x%016lx\n",
	       units, wl_now_ms() - start, wl_cpu_ms(), x);
	return 0;
}

#endif
