#ifndef CPT_HEAP_HUGE_H
#define CPT_HEAP_HUGE_H

/*
 * The ring's memory in one huge page, on both of its ends. On a VM that
 * shadows the guest's page tables, the first touch of each small page of a
 * mapping costs 6 to 25 us even when mmap(MAP_POPULATE) filled its page
 * table entry: a target touching the 2 MiB ring's 512 pages paid 3 to 13
 * ms for them (1 to 3 % of bench/heap.sh's run), at random moments of its
 * run. A memfd's pages are small unless the system turns on huge pages
 * for shared memory (shmem_enabled, most often "never"), but
 * MADV_COLLAPSE (Linux 6.1) makes one of its first 2 MiB anyway; each
 * process that maps the file at a 2 MiB-aligned address then maps the
 * whole of it in one fault (~0.2 ms, measured). Where the kernel says no,
 * the pages stay small: slower first touches, nothing wrong. Used by
 * cproftop (heap/source.c) and by the interposer (heap/sample.c): no
 * allocation, no message.
 */

#include <stddef.h>

#define HEAP_HUGE_BYTES ((size_t)2 << 20)

/*
 * Maps bytes of fd from offset 0, shared, read-write (plus extra_flags,
 * e.g. MAP_POPULATE), at a HEAP_HUGE_BYTES-aligned address. Returns the
 * mapping, or MAP_FAILED with errno. Unmap it with munmap(p, bytes).
 */
void *heap_huge_map(int fd, size_t bytes, int extra_flags);

/*
 * Asks the kernel to back fd's first HEAP_HUGE_BYTES (a memfd at least as
 * long, not yet written) with one huge page: writes a byte of zero at
 * offset 0 (a range of holes is not collapsed) and collapses the range.
 * Returns 0, or -1 with errno when it was not done (an older kernel, huge
 * pages denied or none free): the file is then as before, all zeroes. Costs
 * ~5 ms on a VM (a huge page allocated and cleared); call it before the
 * file's users map it.
 */
int heap_huge_back(int fd);

#endif
