/*
 * inlined [-w WORK | -d SECONDS]: a hot function inlined into two callers,
 * so the profile depends on DWARF inline chains.
 *
 * inl_hot() is always_inline; caller_one() and caller_two() (never
 * inlined) each run it for the same number of rounds and main calls them
 * alternately, so each caller -> inl_hot chain takes 50 % of the CPU time.
 * WORK units (default 3000, about 3 s), or units until SECONDS have passed
 * with -d.
 *
 * At exit it prints key=value lines: units, runtime_ms, cpu_ms, checksum.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define INLINED_USAGE "inlined [-w WORK | -d SECONDS]"
#define INLINED_ROUNDS 450000 /* per caller and unit; a unit is ~1 ms */

static inline __attribute__((always_inline)) unsigned long
inl_hot(unsigned long x, unsigned long rounds)
{
	WL_SPIN(x, rounds, 17);
	return x;
}

WL_NOINLINE static unsigned long
caller_one(unsigned long x)
{
	return inl_hot(x, INLINED_ROUNDS);
}

WL_NOINLINE static unsigned long
caller_two(unsigned long x)
{
	return inl_hot(x, INLINED_ROUNDS);
}

int
main(int argc, char **argv)
{
	unsigned long work = 3000, units = 0, x = 1;
	double seconds = 0, start = wl_now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "w:d:")) != -1) {
		if (opt == 'w')
			work = wl_number(optarg, opt, INLINED_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, INLINED_USAGE);
		else
			wl_usage(INLINED_USAGE);
	}
	if (optind != argc)
		wl_usage(INLINED_USAGE);
	while (seconds > 0 ? wl_now_ms() < start + seconds * 1e3
			   : units < work) {
		x = caller_one(x);
		x = caller_two(x);
		units++;
	}
	printf("units=%lu\nruntime_ms=%.0f\ncpu_ms=%.0f\nchecksum=0x%016lx\n",
	       units, wl_now_ms() - start, wl_cpu_ms(), x);
	return 0;
}
