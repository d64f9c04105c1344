# tests/workloads/: small programs whose profile is known by construction
# (see the comment at the top of each). Each is built twice by make check:
# NAME with frame pointers and NAME-nofp without, both -O2 -g and never
# sanitized (per-program flags replace AM_CFLAGS and AM_LDFLAGS), plus
# ratio-stripped, a stripped copy of ratio-nofp.
WL_FP_CFLAGS = $(CPT_WARN) -O2 -g -fno-omit-frame-pointer -pthread
WL_NOFP_CFLAGS = $(CPT_WARN) -O2 -g -fomit-frame-pointer -pthread
WL_LINKFLAGS = -pthread
# libcpthot.so is found at run time through this rpath.
WL_LIBDIR = $(abs_top_builddir)/tests/workloads

check_PROGRAMS += tests/workloads/ratio tests/workloads/ratio-nofp
tests_workloads_ratio_SOURCES = tests/workloads/ratio.c tests/workloads/wl.h
tests_workloads_ratio_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_ratio_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_ratio_nofp_SOURCES = $(tests_workloads_ratio_SOURCES)
tests_workloads_ratio_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_ratio_nofp_LDFLAGS = $(WL_LINKFLAGS)

check_SCRIPTS += tests/workloads/ratio-stripped
CLEANFILES += tests/workloads/ratio-stripped
tests/workloads/ratio-stripped: tests/workloads/ratio-nofp$(EXEEXT)
	$(AM_V_GEN)$(or $(STRIP),strip) -o $@ tests/workloads/ratio-nofp$(EXEEXT)

check_PROGRAMS += tests/workloads/sleeper tests/workloads/sleeper-nofp
tests_workloads_sleeper_SOURCES = tests/workloads/sleeper.c tests/workloads/wl.h
tests_workloads_sleeper_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_sleeper_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_sleeper_nofp_SOURCES = $(tests_workloads_sleeper_SOURCES)
tests_workloads_sleeper_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_sleeper_nofp_LDFLAGS = $(WL_LINKFLAGS)

# The shared library is a "program" linked with -shared; its soname makes
# the executables record plain "libcpthot.so" as a dependency.
check_PROGRAMS += tests/workloads/libcpthot.so
tests_workloads_libcpthot_so_SOURCES = tests/workloads/cpthot.c \
	tests/workloads/cpthot.h tests/workloads/wl.h
tests_workloads_libcpthot_so_CFLAGS = $(WL_FP_CFLAGS) -fPIC
tests_workloads_libcpthot_so_LDFLAGS = -shared -fPIC \
	-Wl,-soname,libcpthot.so

check_PROGRAMS += tests/workloads/sharedlib tests/workloads/sharedlib-nofp
tests_workloads_sharedlib_SOURCES = tests/workloads/sharedlib.c \
	tests/workloads/cpthot.h tests/workloads/wl.h
tests_workloads_sharedlib_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_sharedlib_LDFLAGS = $(WL_LINKFLAGS) -Wl,-rpath,$(WL_LIBDIR)
tests_workloads_sharedlib_LDADD = tests/workloads/libcpthot.so
tests_workloads_sharedlib_nofp_SOURCES = $(tests_workloads_sharedlib_SOURCES)
tests_workloads_sharedlib_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_sharedlib_nofp_LDFLAGS = $(tests_workloads_sharedlib_LDFLAGS)
tests_workloads_sharedlib_nofp_LDADD = $(tests_workloads_sharedlib_LDADD)

check_PROGRAMS += tests/workloads/inlined tests/workloads/inlined-nofp
tests_workloads_inlined_SOURCES = tests/workloads/inlined.c tests/workloads/wl.h
tests_workloads_inlined_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_inlined_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_inlined_nofp_SOURCES = $(tests_workloads_inlined_SOURCES)
tests_workloads_inlined_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_inlined_nofp_LDFLAGS = $(WL_LINKFLAGS)

check_PROGRAMS += tests/workloads/churn tests/workloads/churn-nofp
tests_workloads_churn_SOURCES = tests/workloads/churn.c tests/workloads/wl.h
tests_workloads_churn_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_churn_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_churn_nofp_SOURCES = $(tests_workloads_churn_SOURCES)
tests_workloads_churn_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_churn_nofp_LDFLAGS = $(WL_LINKFLAGS)

check_PROGRAMS += tests/workloads/signals tests/workloads/signals-nofp
tests_workloads_signals_SOURCES = tests/workloads/signals.c tests/workloads/wl.h
tests_workloads_signals_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_signals_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_signals_nofp_SOURCES = $(tests_workloads_signals_SOURCES)
tests_workloads_signals_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_signals_nofp_LDFLAGS = $(WL_LINKFLAGS)

check_PROGRAMS += tests/workloads/demo tests/workloads/demo-nofp
tests_workloads_demo_SOURCES = tests/workloads/demo.c tests/workloads/demo.h \
	tests/workloads/demo_parse.c tests/workloads/demo_crc.c \
	tests/workloads/demo_render.c tests/workloads/wl.h
tests_workloads_demo_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_demo_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_demo_nofp_SOURCES = $(tests_workloads_demo_SOURCES)
tests_workloads_demo_nofp_CFLAGS = $(WL_NOFP_CFLAGS)
tests_workloads_demo_nofp_LDFLAGS = $(WL_LINKFLAGS)

# Tests of the foundation itself: the workloads and the quick start.
TESTS += tests/foundation/workloads.sh tests/foundation/quickstart.sh
EXTRA_DIST += tests/foundation/workloads.sh tests/foundation/quickstart.sh

# mixed: busy threads plus a 1 ms sleep / 1 ms work thread (tests/perf/).
check_PROGRAMS += tests/workloads/mixed
tests_workloads_mixed_SOURCES = tests/workloads/mixed.c tests/workloads/wl.h
tests_workloads_mixed_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_mixed_LDFLAGS = $(WL_LINKFLAGS)

# forker forks (or vforks) and execs forkee, whose child_hot is the hot
# spot of a followed child process (tests/follow/).
check_PROGRAMS += tests/workloads/forker tests/workloads/forkee
tests_workloads_forker_SOURCES = tests/workloads/forker.c tests/workloads/wl.h
tests_workloads_forker_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_forker_LDFLAGS = $(WL_LINKFLAGS)
tests_workloads_forkee_SOURCES = tests/workloads/forkee.c tests/workloads/wl.h
tests_workloads_forkee_CFLAGS = $(WL_FP_CFLAGS)
tests_workloads_forkee_LDFLAGS = $(WL_LINKFLAGS)
