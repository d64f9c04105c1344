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
