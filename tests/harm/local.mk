# tests/harm/: cproftop must not harm the target (issue 9): programs that
# count what a traced target would notice, and the tests that run them.
# Built like the workloads: -O2 -g with frame pointers, never sanitized.
check_PROGRAMS += tests/harm/eintr
tests_harm_eintr_SOURCES = tests/harm/eintr.c tests/workloads/wl.h
tests_harm_eintr_CFLAGS = $(WL_FP_CFLAGS)
tests_harm_eintr_LDFLAGS = $(WL_LINKFLAGS)

TESTS += tests/harm/eintr.sh
EXTRA_DIST += tests/harm/eintr.sh

check_PROGRAMS += tests/harm/leaderexit
tests_harm_leaderexit_SOURCES = tests/harm/leaderexit.c tests/workloads/wl.h
tests_harm_leaderexit_CFLAGS = $(WL_FP_CFLAGS)
tests_harm_leaderexit_LDFLAGS = $(WL_LINKFLAGS)
TESTS += tests/harm/leaderexit.sh
EXTRA_DIST += tests/harm/leaderexit.sh

TESTS += tests/harm/busydump.sh
EXTRA_DIST += tests/harm/busydump.sh

# Issue 9 item 2: no thread stays stopped while cproftop loads symbols.
check_PROGRAMS += tests/harm/pinned tests/harm/stopwatch
tests_harm_pinned_SOURCES = tests/harm/pinned.c tests/workloads/wl.h
tests_harm_pinned_CFLAGS = $(WL_FP_CFLAGS)
tests_harm_pinned_LDFLAGS = $(WL_LINKFLAGS)
tests_harm_stopwatch_SOURCES = tests/harm/stopwatch.c
tests_harm_stopwatch_CFLAGS = $(WL_FP_CFLAGS)
TESTS += tests/harm/slowload.sh
EXTRA_DIST += tests/harm/slowload.sh

# Issue 9 item 2: 1000 sleeping threads, and the ones that wake.
check_PROGRAMS += tests/harm/many
tests_harm_many_SOURCES = tests/harm/many.c tests/workloads/wl.h
tests_harm_many_CFLAGS = $(WL_FP_CFLAGS)
tests_harm_many_LDFLAGS = $(WL_LINKFLAGS)
TESTS += tests/harm/many.sh
EXTRA_DIST += tests/harm/many.sh
