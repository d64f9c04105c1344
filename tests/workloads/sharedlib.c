/*
 * sharedlib [-w WORK | -d SECONDS]: the hot spot lives in a shared library
 * of ours, libcpthot.so (function cpthot_compute), a normal dependency
 * found through the rpath.
 *
 * One unit is main -> sharedlib_unit -> cpthot_compute (90 % of the
 * rounds) and sharedlib_local (10 %, in the executable). WORK units
 * (default 3000, about 3 s), or units until SECONDS have passed with -d.
 *
 * At exit it prints key=value lines: units, runtime_ms, cpu_ms, checksum.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "tests/workloads/cpthot.h"
#include "tests/workloads/wl.h"

#define SHAREDLIB_USAGE "sharedlib [-w WORK | -d SECONDS]"
#define SHAREDLIB_ROUNDS 900000 /* rounds per unit, about 1 ms */

WL_NOINLINE static unsigned long
sharedlib_local(unsigned long x, unsigned long rounds)
{
	WL_SPIN(x, rounds, 13);
	return x;
}

WL_NOINLINE static unsigned long
sharedlib_unit(unsigned long x)
{
	x = cpthot_compute(x, SHAREDLIB_ROUNDS / 10 * 9);
	return sharedlib_local(x, SHAREDLIB_ROUNDS / 10);
}

int
main(int argc, char **argv)
{
	unsigned long work = 3000, units = 0, x = 1;
	double seconds = 0, start = wl_now_ms();
	int opt;

	while ((opt = getopt(argc, argv, "w:d:")) != -1) {
		if (opt == 'w')
			work = wl_number(optarg, opt, SHAREDLIB_USAGE);
		else if (opt == 'd')
			seconds = wl_number(optarg, opt, SHAREDLIB_USAGE);
		else
			wl_usage(SHAREDLIB_USAGE);
	}
	if (optind != argc)
		wl_usage(SHAREDLIB_USAGE);
	while (seconds > 0 ? wl_now_ms() < start + seconds * 1e3
			   : units < work) {
		x = sharedlib_unit(x);
		units++;
	}
	printf("units=%lu\nruntime_ms=%.0f\ncpu_ms=%.0f\nchecksum=0x%016lx\n",
	       units, wl_now_ms() - start, wl_cpu_ms(), x);
	return 0;
}
