# tests/trust/: cproftop against a hostile target (issue 9, "trusting no
# input"): escapes in every name it prints, source files resolved inside
# the target's root only.
check_PROGRAMS += tests/trust/hostile
tests_trust_hostile_SOURCES = tests/trust/hostile.c tests/workloads/wl.h
tests_trust_hostile_CFLAGS = $(WL_FP_CFLAGS)
tests_trust_hostile_LDFLAGS = $(WL_LINKFLAGS)

TRUST_SH_TESTS = tests/trust/escape.sh tests/trust/source.sh
TESTS += $(TRUST_SH_TESTS)
EXTRA_DIST += $(TRUST_SH_TESTS)
