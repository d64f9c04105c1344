#ifndef CPT_HEAP_UNWIND_H
#define CPT_HEAP_UNWIND_H

/*
 * Inside libcproftop-heap.so: a fast x86-64 unwinder for the common frames
 * (the CFA is rsp or rbp plus an offset, the return address at CFA-8, rbp
 * saved at CFA-N or kept). Rules are learnt from libgcc's tables
 * (_Unwind_Find_FDE) and kept in a lock-free cache of 512 entries (two-way) by
 * pc, emptied when a library is unloaded. It does not allocate, takes no lock
 * of its own and reads the stack only inside the thread's stack mapping
 * (from /proc/self/maps, read by system calls): callable from malloc and
 * from signal handlers. Any frame it does not know how to step (signal
 * frames, DWARF expressions, no table) makes it give up on the whole
 * stack: the caller then unwinds with libgcc (_Unwind_Backtrace).
 */

#include <stdbool.h>
#include <stdint.h>

/* Takes a frame's ip: false stops the walk. */
typedef bool (*heap_unwind_frame_fn)(void *arg, uintptr_t ip);

/*
 * Walks the calling stack, innermost first, calling frame(arg, ip) with
 * the ip that _Unwind_Backtrace's callback would see from the same call
 * site: first the return address into the caller, then each caller's,
 * until the outermost frame, an ip of 0, at most 128 frames or frame()
 * returning false. Returns 0 when the walk is done, -1 when it could not
 * be (frame() may have been called for some frames already: the caller
 * discards them and unwinds with libgcc). Never allocates.
 */
int heap_unwind_walk(heap_unwind_frame_fn frame, void *arg);

/* What the unwinder has done since the process started (relaxed counts). */
struct heap_unwind_stats {
	uint64_t walks;	    /* heap_unwind_walk() calls that returned 0 */
	uint64_t fallbacks; /* ... that returned -1 */
	uint64_t learnt;    /* rules learnt from the tables (cache misses) */
	uint64_t flushes;   /* cache invalidations (a library unloaded) */
};

/* Copies the counts into *st. */
void heap_unwind_stats(struct heap_unwind_stats *st);

#endif
