/*
 * A "JIT" for tests/symbols/jit.sh: copies a small function into anonymous
 * executable memory (it sets up a frame pointer, as JITs do, and counts
 * down a register), names it in /tmp/perf-PID.map as perf expects --
 * first as old_jit_name, then again as jit_spin_loop (a later line wins) --
 * and calls it from runner() for SECONDS seconds (argv[1], default 3).
 * Removes its map at exit.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static char map_path[64];

static void
remove_map(void)
{
	unlink(map_path);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void
runner(void (*code)(void), double seconds)
{
	double end = now() + seconds;

	while (now() < end)
		code();
}

int
main(int argc, char **argv)
{
	/* push %rbp; mov %rsp,%rbp; mov $0x100000,%ecx; 1: dec %rcx;
	 * jnz 1b; pop %rbp; ret */
	static const unsigned char code[] = {0x55, 0x48, 0x89, 0xe5, 0xb9, 0x00,
					     0x00, 0x10, 0x00, 0x48, 0xff, 0xc9,
					     0x75, 0xfb, 0x5d, 0xc3};
	unsigned char *page;
	FILE *f;

	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 1;
	memcpy(page + 0x40, code, sizeof(code));
	if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0)
		return 1;
	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(map_path, "w");
	if (f == NULL)
		return 1;
	atexit(remove_map);
	fprintf(f, "%lx %zx old_jit_name\n", (unsigned long)(page + 0x40),
		sizeof(code));
	fprintf(f, "%lx %zx jit_spin_loop\n", (unsigned long)(page + 0x40),
		sizeof(code));
	fclose(f);
	runner((void (*)(void))(page + 0x40), argc > 1 ? atof(argv[1]) : 3);
	return 0;
}
