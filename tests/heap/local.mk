# tests/heap/: --heap end to end on workloads whose allocations are known
# (never sanitized: per-program flags replace AM_CFLAGS and AM_LDFLAGS),
# and the interposer's shared pieces under the sanitizers.
check_PROGRAMS += tests/heap/workload tests/heap/static
tests_heap_workload_SOURCES = tests/heap/workload.c
tests_heap_workload_CFLAGS = $(CPT_WARN) -O2 -g
tests_heap_workload_LDFLAGS =
tests_heap_workload_LDADD = -lstdc++
tests_heap_static_SOURCES = tests/heap/static.c
tests_heap_static_CFLAGS = $(CPT_WARN) -O2 -g
tests_heap_static_LDFLAGS = -static

TESTS += tests/heap/heap.sh tests/heap/cli.sh
EXTRA_DIST += tests/heap/heap.sh tests/heap/cli.sh
