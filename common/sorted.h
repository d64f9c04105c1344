#ifndef CPT_COMMON_SORTED_H
#define CPT_COMMON_SORTED_H

/*
 * The one binary search, after tmux's tree.h: SORTED_DEFINE generates
 * typed searches over an array a[0..n) of type sorted by a key, with CMP
 * (an expression or function-like macro CMP(const type *e, keytype x)
 * giving <0, 0 or >0 as e's key is below, equal to or above x):
 *
 *   size_t name_lower(type const *a, size_t n, keytype x)
 *       the first index whose key is not below x (n when none): where x is
 *       or would be inserted;
 *   size_t name_upper(type const *a, size_t n, keytype x)
 *       the first index whose key is above x; the element before it (if
 *       any) is the last whose key is at most x: for "the range holding x";
 *   type *name_find(type *a, size_t n, keytype x)
 *       the element whose key equals x, or NULL.
 *
 * O(log n) compares, no allocation, pure. SORTED_NUM compares numbers
 * without subtracting (no overflow).
 */

#include <stddef.h>

#define SORTED_NUM(a, b) (((a) > (b)) - ((a) < (b)))

/* The first index whose key compares at least `past` (0: lower, 1: upper). */
#define SORTED_DEFINE(name, type, keytype, CMP)                                \
	static inline __attribute__((unused))                                  \
	size_t name##_bound(type const *a, size_t n, keytype x, int past)      \
	{                                                                      \
		size_t lo = 0, hi = n;                                         \
                                                                               \
		while (lo < hi) {                                              \
			size_t mid = lo + (hi - lo) / 2;                       \
                                                                               \
			if (CMP(&a[mid], x) < past)                            \
				lo = mid + 1;                                  \
			else                                                   \
				hi = mid;                                      \
		}                                                              \
		return lo;                                                     \
	}                                                                      \
	static inline __attribute__((unused))                                  \
	size_t name##_lower(type const *a, size_t n, keytype x)                \
	{                                                                      \
		return name##_bound(a, n, x, 0);                               \
	}                                                                      \
	static inline __attribute__((unused))                                  \
	size_t name##_upper(type const *a, size_t n, keytype x)                \
	{                                                                      \
		return name##_bound(a, n, x, 1);                               \
	}                                                                      \
	static inline __attribute__((unused))                                  \
	type *name##_find(type *a, size_t n, keytype x)                        \
	{                                                                      \
		size_t i = name##_lower(a, n, x);                              \
                                                                               \
		return i < n && CMP(&a[i], x) == 0 ? &a[i] : NULL;             \
	}

#endif
