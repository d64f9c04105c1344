#include "config.h"

#include "common/array.h"

#include "common/xmalloc.h"

void *
array_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;

	if (need <= c)
		return p;
	c = c ? c * 2 : 16;
	if (c < need)
		c = need;
	p = xreallocarray(p, c, size);
	*cap = c;
	return p;
}
