# sampler/: timing, aggregation and snapshots (unwind.mk and symbols.mk add
# the unwinder and the symbolizer).
noinst_LIBRARIES += libsampler.a
libsampler_a_SOURCES = sampler/sampler.c sampler/sampler.h \
	sampler/sampler_int.h sampler/sampler_account.c sampler/sampler_tick.c \
	sampler/sampler_perf.c sampler/sampler_control.c sampler/sampler_space.c \
	sampler/fault.c sampler/fault.h \
	sampler/aggregate.c sampler/aggregate.h \
	sampler/profile.c sampler/profile.h sampler/unwind.h sampler/symbols.h \
	sampler/capture.h sampler/source_perf.c sampler/source_perf.h \
	sampler/cputime.c sampler/cputime.h \
	sampler/space.c sampler/space.h

check_PROGRAMS += tests/unit/aggregate_test
TESTS += tests/unit/aggregate_test
tests_unit_aggregate_test_SOURCES = tests/unit/aggregate_test.c
tests_unit_aggregate_test_LDADD = libsampler.a libcommon.a

# Live tests of the whole sampler through cproftop's headless modes.
TESTS += tests/sampler/ratio.sh tests/sampler/targets.sh tests/sampler/modes.sh \
	tests/sampler/exitpaths.sh tests/sampler/cli.sh tests/sampler/noinlines.sh \
	tests/sampler/cputime.sh tests/sampler/threadnames.sh
EXTRA_DIST += tests/sampler/top.sh tests/sampler/ratio.sh \
	tests/sampler/targets.sh tests/sampler/modes.sh tests/sampler/exitpaths.sh \
	tests/sampler/cli.sh tests/sampler/noinlines.sh tests/sampler/cputime.sh \
	tests/sampler/threadnames.sh

# sampler/mapped.c: the file behind a mapping, for its bytes (annotate).
libsampler_a_SOURCES += sampler/mapped.c sampler/mapped.h

# sampler/cputime.c: the ptrace source's measured CPU time (pure).
check_PROGRAMS += tests/unit/cputime_test
TESTS += tests/unit/cputime_test
tests_unit_cputime_test_SOURCES = tests/unit/cputime_test.c
tests_unit_cputime_test_LDADD = libsampler.a libcommon.a

# sampler/offload.c: slow work (warming a module's symbols) on a helper
# thread while the sampler thread goes on dispatching ptrace stops.
libsampler_a_SOURCES += sampler/offload.c sampler/offload.h
libsampler_a_SOURCES += sampler/sampler_slow.c
