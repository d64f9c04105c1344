# perf/: the perf_event sample source (event setup per thread, ring
# buffers, record parsing), beside attach/ on the sources floor.
noinst_LIBRARIES += libperf.a
libperf_a_SOURCES = perf/perf.c perf/perf.h perf/event.c perf/event.h \
	perf/ring.c perf/ring.h perf/record.c perf/record.h \
	perf/queue.c perf/queue.h

# The record parser under mutated inputs; the ring reader over fake rings.
check_PROGRAMS += tests/unit/perf_record_fuzz_test
tests_unit_perf_record_fuzz_test_SOURCES = tests/unit/perf_record_fuzz_test.c \
	tests/unit/perf_rec.h
tests_unit_perf_record_fuzz_test_LDADD = libperf.a libcommon.a
TESTS += tests/unit/perf_record_fuzz_test

# The queue between the reader thread and the sampler thread.
check_PROGRAMS += tests/unit/perf_queue_test
tests_unit_perf_queue_test_SOURCES = tests/unit/perf_queue_test.c \
	tests/unit/perf_rec.h
tests_unit_perf_queue_test_LDADD = libperf.a libcommon.a
TESTS += tests/unit/perf_queue_test
