/* common/sorted: lower, upper and find against a linear scan, on arrays
   with duplicates, empty arrays and string keys. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/sorted.h"
#include "tests/tap.h"

struct range {
	uint64_t start, end;
};

#define RANGE_CMP(e, x) SORTED_NUM((e)->start, (x))
SORTED_DEFINE(ranges, struct range, uint64_t, RANGE_CMP)

#define INT_CMP(e, x) SORTED_NUM(*(e), (x))
SORTED_DEFINE(ints, int, int, INT_CMP)

#define STR_CMP(e, x) strcmp(*(e), (x))
SORTED_DEFINE(strs, const char *, const char *, STR_CMP)

int
main(void)
{
	int a[64];
	int bad = 0;
	struct range r[] = {
		{0x1000, 0x2000}, {0x3000, 0x3800}, {0x4000, 0x9000}};
	const char *names[] = {"alpha", "beta", "delta", "gamma"};

	srand(7);
	for (int round = 0; round < 200; round++) {
		size_t n = (size_t)(rand() % 64);

		a[0] = rand() % 8;
		for (size_t i = 1; i < n; i++)
			a[i] = a[i - 1] + rand() % 3; /* duplicates */
		for (int x = -1; x < 140; x++) {
			size_t lo = 0, up = 0;

			while (lo < n && a[lo] < x)
				lo++;
			while (up < n && a[up] <= x)
				up++;
			if (ints_lower(a, n, x) != lo ||
			    ints_upper(a, n, x) != up)
				bad++;
			if ((ints_find(a, n, x) != NULL) !=
			    (lo < n && a[lo] == x))
				bad++;
			if (lo < n && a[lo] == x &&
			    ints_find(a, n, x) != &a[lo])
				bad++;
		}
	}
	tap_is_int(bad, 0, "lower/upper/find agree with a scan (200 arrays)");
	tap_is_int(ints_lower(a, 0, 5), 0, "empty: lower 0");
	tap_is_int(ints_upper(a, 0, 5), 0, "empty: upper 0");
	tap_ok(ints_find(a, 0, 5) == NULL, "empty: find NULL");

	tap_is_int(ranges_upper(r, 3, 0x0fff), 0, "below every range");
	tap_is_int(ranges_upper(r, 3, 0x1000), 1, "a range's first address");
	tap_is_int(ranges_upper(r, 3, 0x2800), 1, "in a gap: the range before");
	tap_is_int(ranges_upper(r, 3, UINT64_MAX), 3, "above every range");
	tap_ok(ranges_find(r, 3, 0x3000) == &r[1], "find by start");
	tap_ok(ranges_find(r, 3, 0x3001) == NULL, "no range starts there");

	tap_ok(strs_find(names, 4, "delta") == &names[2], "strings: found");
	tap_ok(strs_find(names, 4, "epsilon") == NULL, "strings: absent");
	tap_is_int(strs_lower(names, 4, "epsilon"), 3, "strings: insertion");
	return tap_done();
}
