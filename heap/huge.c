/*
 * heap/huge.c: the ring's memory in one huge page (huge.h).
 */
#include "config.h"

#include "heap/huge.h"

#include <stdint.h>
#include <sys/mman.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1 */
#endif

void *
heap_huge_map(int fd, size_t bytes, int extra_flags)
{
	size_t span = bytes + HEAP_HUGE_BYTES;
	char *res = mmap(NULL, span, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *at;
	void *p;

	if (res == MAP_FAILED)
		return MAP_FAILED;
	at = (char *)(((uintptr_t)res + HEAP_HUGE_BYTES - 1) &
		      ~(uintptr_t)(HEAP_HUGE_BYTES - 1));
	/* the reservation's two ends go; the file replaces its middle */
	if (at > res)
		munmap(res, (size_t)(at - res));
	if (res + span > at + bytes)
		munmap(at + bytes, (size_t)(res + span - (at + bytes)));
	p = mmap(at, bytes, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | extra_flags, fd, 0);
	if (p == MAP_FAILED)
		munmap(at, bytes);
	return p;
}

int
heap_huge_back(int fd)
{
	char *p = heap_huge_map(fd, HEAP_HUGE_BYTES, 0);
	int rc;

	if (p == MAP_FAILED)
		return -1;
	p[0] = 0;
	rc = madvise(p, HEAP_HUGE_BYTES, MADV_COLLAPSE);
	munmap(p, HEAP_HUGE_BYTES);
	return rc == 0 ? 0 : -1;
}
