/*
 * tests/heap/static: a statically linked program that allocates: LD_PRELOAD
 * cannot reach it, and cproftop --heap must say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(void)
{
	size_t total = 0;

	for (int i = 0; i < 1000; i++) {
		char *p = malloc(100000);

		if (p == NULL)
			return 1;
		memset(p, 1, 100000);
		total += 100000;
		free(p);
	}
	printf("allocated %zu\n", total);
	return 0;
}
