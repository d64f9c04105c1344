#ifndef CPT_COMMON_ARRAY_H
#define CPT_COMMON_ARRAY_H

/*
 * The one growable array, after htop's Vector but typed: an array is a
 * pointer p to cap allocated elements of *p's type, of which the holder uses
 * some count n; the holder owns p (free() it). cap is a size_t. Growth
 * doubles (from 16), so appending is amortised O(1). The macros evaluate
 * their arguments more than once: pass plain lvalues. Any thread, one at a
 * time per array.
 */

#include <stddef.h>

/*
 * Returns p, or p moved to a block of at least need elements of size bytes
 * (*cap updated, contents kept, the new room uninitialised). Never NULL
 * when need > 0: fatal() on overflow or out of memory.
 */
void *array_grow(void *p, size_t *cap, size_t need, size_t size);

/* Makes room for need elements of array p with capacity cap. */
#define ARRAY_RESERVE(p, cap, need)                                            \
	((p) = array_grow((p), &(cap), (need), sizeof(*(p))))

/* Appends one element to array p (n used, cap allocated): its address,
   uninitialised. */
#define ARRAY_PUSH(p, n, cap) (ARRAY_RESERVE(p, cap, (n) + 1), &(p)[(n)++])

/* An array as one struct of T: v[0..n) used, cap allocated (zeroed:
   empty). */
#define ARRAY(T)                                                               \
	struct {                                                               \
		T *v;                                                          \
		size_t n, cap;                                                 \
	}

/* Appends one element to an ARRAY(T) a: its address, uninitialised. */
#define ARRAY_APPEND(a) ARRAY_PUSH((a).v, (a).n, (a).cap)

/* Bytes array p with capacity cap holds. */
#define ARRAY_BYTES(p, cap) ((cap) * sizeof(*(p)))

#endif
