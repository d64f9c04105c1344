# tests/perf/: the perf_event backend, live (skipped with the kernel's
# reason where perf_event_open is refused).
TESTS += tests/perf/ratio.sh tests/perf/live.sh tests/perf/vsperf.sh \
	tests/perf/offcpu.sh tests/perf/wallsplit.sh tests/perf/end.sh \
	tests/perf/leaderexit.sh tests/perf/execfile.sh
EXTRA_DIST += tests/perf/perf-lib.sh tests/perf/ratio.sh tests/perf/live.sh \
	tests/perf/vsperf.sh tests/perf/offcpu.sh tests/perf/wallsplit.sh \
	tests/perf/end.sh tests/perf/leaderexit.sh tests/perf/execfile.sh
