# bench/: `make bench` measures cproftop against the ratio workload alone,
# perf record, and the bare ptrace floor, side by side in one run.
noinst_PROGRAMS += bench/floor
bench_floor_SOURCES = bench/floor.c
EXTRA_DIST += bench/run.sh bench/http.sh bench/gopprof.go bench/perf.sh \
	bench/heap.sh bench/dump.sh bench/lib.sh

bench: all bench/floor$(EXEEXT)
	$(MAKE) $(AM_MAKEFLAGS) tests/workloads/ratio tests/workloads/ratio-nofp
	CPROFTOP_BACKEND=ptrace $(SHELL) $(top_srcdir)/bench/run.sh \
		$(abs_top_builddir)
	$(SHELL) $(top_srcdir)/bench/http.sh $(abs_top_builddir)
	$(SHELL) $(top_srcdir)/bench/perf.sh $(abs_top_builddir)
	$(MAKE) $(AM_MAKEFLAGS) tests/heap/mallocs tests/heap/workload
	$(SHELL) $(top_srcdir)/bench/heap.sh $(abs_top_builddir)
	$(SHELL) $(top_srcdir)/bench/dump.sh $(abs_top_builddir)
.PHONY: bench
