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
	return wl_run_units(argc, argv, SHAREDLIB_USAGE, sharedlib_unit);
}
