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

/* One unit: both callers, half the work each. */
WL_NOINLINE static unsigned long
inlined_unit(unsigned long x)
{
	return caller_two(caller_one(x));
}

int
main(int argc, char **argv)
{
	return wl_run_units(argc, argv, INLINED_USAGE, inlined_unit);
}
