/*
 * forkee [-m MS]: burns MS milliseconds of CPU (default 1000) in
 * child_hot() and exits 0. The child forker (forker.c) forks and execs:
 * a binary of its own, so a profile that names child_hot read the child's
 * own symbols.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define FORKEE_USAGE "forkee [-m MS]"

WL_NOINLINE static unsigned long
child_hot(unsigned long x, double ms)
{
	double end = wl_cpu_ms() + ms;

	while (wl_cpu_ms() < end)
		WL_SPIN(x, 20000, 7);
	return x;
}

int
main(int argc, char **argv)
{
	double ms = 1000;
	int opt;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt == 'm')
			ms = wl_number(optarg, opt, FORKEE_USAGE);
		else
			wl_usage(FORKEE_USAGE);
	}
	return child_hot(1, ms) == 42 ? 1 : 0;
}
