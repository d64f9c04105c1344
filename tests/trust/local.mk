# tests/trust/: cproftop against a hostile target (issue 9, "trusting no
# input"): escapes in every name it prints, source files resolved inside
# the target's root only.
check_PROGRAMS += tests/trust/hostile
tests_trust_hostile_SOURCES = tests/trust/hostile.c tests/workloads/wl.h
tests_trust_hostile_CFLAGS = $(WL_FP_CFLAGS)
tests_trust_hostile_LDFLAGS = $(WL_LINKFLAGS)

TRUST_SH_TESTS = tests/trust/escape.sh tests/trust/source.sh \
	tests/trust/debuglink.sh
TESTS += $(TRUST_SH_TESTS)
EXTRA_DIST += $(TRUST_SH_TESTS)

# hostile without its DWARF, which a .gnu_debuglink names instead (the
# test puts a FIFO there).
check_SCRIPTS += tests/trust/hostile-debuglink
CLEANFILES += tests/trust/hostile-debuglink
tests/trust/hostile-debuglink: tests/trust/hostile$(EXEEXT)
	$(AM_V_GEN)$(or $(OBJCOPY),objcopy) --only-keep-debug \
		tests/trust/hostile$(EXEEXT) $@.debug && \
	$(or $(OBJCOPY),objcopy) --strip-debug --add-gnu-debuglink=$@.debug \
		tests/trust/hostile$(EXEEXT) $@ && rm -f $@.debug
