/*
 * tests/heap/static: a statically linked program that allocates: LD_PRELOAD
 * cannot reach it, and cproftop --heap must say so. (About 40 GB of memset, a
 * second or so: long enough to be seized before it ends, even beside a
 * sanitized cproftop; a spawned command that ends first is reported as a
 * zombie.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* through a volatile pointer: the compiler may not elide the pairs */
static void *(*volatile alloc)(size_t) = malloc;

int
main(void)
{
	size_t total = 0;

	for (int i = 0; i < 400000; i++) {
		char *p = alloc(100000);

		if (p == NULL)
			return 1;
		memset(p, i, 100000);
		total += (unsigned char)p[i % 100000] + 100000 - (i & 255);
		free(p);
	}
	printf("allocated %zu\n", total);
	return 0;
}
