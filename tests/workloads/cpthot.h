#ifndef CPT_TESTS_WORKLOADS_CPTHOT_H
#define CPT_TESTS_WORKLOADS_CPTHOT_H

/*
 * libcpthot.so: the hot spot of the sharedlib workload, in a shared
 * library of ours so profilers must handle its mapping and load offset.
 */

/*
 * Runs rounds rounds of a multiply-add chain starting from x and returns
 * the result. Pure CPU, no memory; any thread.
 */
unsigned long cpthot_compute(unsigned long x, unsigned long rounds);

#endif
