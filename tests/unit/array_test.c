/* common/array: pushes keep every element, growth doubles, reserve keeps
   contents, sizes of any element type. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/array.h"
#include "tests/tap.h"

struct pair {
	uint64_t a;
	char b;
};

int
main(void)
{
	uint32_t *v = NULL;
	size_t n = 0, cap = 0, grows = 0, last = 0;
	struct pair *p = NULL;
	size_t np = 0, capp = 0;
	int bad = 0;

	for (uint32_t i = 0; i < 100000; i++) {
		*ARRAY_PUSH(v, n, cap) = i * 3;
		if (cap != last)
			grows++, last = cap;
	}
	for (uint32_t i = 0; i < 100000; i++)
		if (v[i] != i * 3)
			bad++;
	tap_is_int(bad, 0, "100000 pushes kept in order");
	tap_is_int(n, 100000, "n counts them");
	tap_ok(cap >= n && cap < 2 * n, "cap %zu within twice n", cap);
	tap_ok(grows <= 14, "%zu growths (doubling from 16)", grows);
	tap_is_int(ARRAY_BYTES(v, cap), cap * sizeof(uint32_t), "bytes");

	ARRAY_RESERVE(v, cap, 10);
	tap_ok(cap == last && v[99999] == 99999 * 3,
	       "reserve below cap changes nothing");
	ARRAY_RESERVE(v, cap, 1000000);
	tap_ok(cap == 1000000 && v[99999] == 99999 * 3,
	       "reserve beyond twice cap takes the need, keeps the contents");
	free(v);

	for (int i = 0; i < 40; i++) {
		struct pair *e = ARRAY_PUSH(p, np, capp);

		e->a = (uint64_t)i << 40;
		e->b = (char)('a' + i % 26);
	}
	for (int i = 0; i < 40; i++)
		if (p[i].a != (uint64_t)i << 40 || p[i].b != 'a' + i % 26)
			bad++;
	tap_is_int(bad, 0, "structs pushed whole");
	tap_is_int(capp, 64, "16, 32, 64");
	free(p);

	v = NULL;
	cap = 0;
	tap_ok(array_grow(v, &cap, 0, 4) == NULL && cap == 0,
	       "no need, no allocation");
	return tap_done();
}
