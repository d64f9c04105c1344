/*
 * libcpthot.so: see cpthot.h. Built with -fPIC -shared by
 * tests/workloads/local.mk.
 */
#include "config.h"

#include "tests/workloads/cpthot.h"

#include "tests/workloads/wl.h"

unsigned long
cpthot_compute(unsigned long x, unsigned long rounds)
{
	WL_SPIN(x, rounds, 11);
	return x;
}
