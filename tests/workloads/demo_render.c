/* The demo's renderer: see demo.h. */
#include "config.h"

#include "tests/workloads/demo.h"

#include "tests/workloads/wl.h"

#define RENDER_MAX_ITER 200

/* Iterations before the point (cx, cy) escapes, up to RENDER_MAX_ITER. */
WL_NOINLINE static int
render_point(double cx, double cy)
{
	double x = 0, y = 0;
	int i;

	for (i = 0; i < RENDER_MAX_ITER && x * x + y * y < 4; i++) {
		double t = x * x - y * y + cx;

		y = 2 * x * y + cy;
		x = t;
	}
	return i;
}

unsigned long
render_row(unsigned char *out, int x0, int y0, int y, int size)
{
	unsigned long sum = 0;

	for (int x = 0; x < size; x++) {
		int it = render_point((x0 + x) / 256.0 - 2.0,
				      (y0 + y) / 256.0 - 1.0);

		out[x] = (unsigned char)it;
		sum += (unsigned long)it;
	}
	return sum;
}
