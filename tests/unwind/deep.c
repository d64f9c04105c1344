/*
 * Deep stacks for tests/unwind/deep.sh: recurse() nests 200 frames of
 * about 1 KiB each (some 200 KiB of stack, far more than the 32 KiB a
 * capture copies) and spins at the bottom, in leaf(), for SECONDS seconds
 * (argv[1], default 3). It says "deep: in leaf" on stdout when it gets
 * there.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DEPTH 200

static volatile unsigned long sink;
static double end;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void
leaf(void)
{
	while (now() < end)
		for (int i = 0; i < 100000; i++)
			sink = sink * 31 + (unsigned long)i;
}

__attribute__((noinline)) static void
recurse(int depth)
{
	volatile char pad[1024];

	pad[0] = (char)depth;
	if (depth > 0) {
		recurse(depth - 1);
	} else {
		/* deep.sh attaches once the whole stack is there. */
		fputs("deep: in leaf\n", stdout);
		fflush(stdout);
		leaf();
	}
	sink += (unsigned long)pad[0];
}

int
main(int argc, char **argv)
{
	end = now() + (argc > 1 ? atof(argv[1]) : 3);
	recurse(DEPTH);
	return 0;
}
