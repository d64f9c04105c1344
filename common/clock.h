#ifndef CPT_COMMON_CLOCK_H
#define CPT_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_NS_PER_S 1000000000LL

/* Nanoseconds on clock (CLOCK_MONOTONIC, ...) now. Any thread. */
int64_t clock_ns(clockid_t clock);

#endif
