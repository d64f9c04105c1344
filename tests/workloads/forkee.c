/*
 * forkee [-k KERNEL_MS] [-m MS]: burns KERNEL_MS milliseconds of CPU
 * (default 0) in child_kernel(), nearly all of it inside read(2) of
 * /dev/zero (the kernel's time, each stop landing at the call's exit),
 * then MS (default 1000) in child_hot() and exits 0. The child forker
 * (forker.c) forks and execs: a binary of its own, so a profile that names
 * child_hot read the child's own symbols.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/workloads/wl.h"

#define FORKEE_USAGE "forkee [-k KERNEL_MS] [-m MS]"

WL_NOINLINE static unsigned long
child_hot(unsigned long x, double ms)
{
	double end = wl_cpu_ms() + ms;

	while (wl_cpu_ms() < end)
		WL_SPIN(x, 20000, 7);
	return x;
}

/* Burns ms of CPU reading /dev/zero: 0, or -1 when it cannot be read. */
WL_NOINLINE static int
child_kernel(double ms)
{
	static char buf[256 * 1024];
	double end = wl_cpu_ms() + ms;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (wl_cpu_ms() < end)
		for (int i = 0; i < 8; i++)
			if (read(fd, buf, sizeof(buf)) < 0) {
				close(fd);
				return -1;
			}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	double ms = 1000, kernel_ms = 0;
	int opt;

	while ((opt = getopt(argc, argv, "k:m:")) != -1) {
		if (opt == 'k')
			kernel_ms = wl_number(optarg, opt, FORKEE_USAGE);
		else if (opt == 'm')
			ms = wl_number(optarg, opt, FORKEE_USAGE);
		else
			wl_usage(FORKEE_USAGE);
	}
	if (kernel_ms > 0 && child_kernel(kernel_ms) != 0)
		return 1;
	return child_hot(1, ms) == 42 ? 1 : 0;
}
