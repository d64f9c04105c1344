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

TESTS += tests/heap/heap.sh tests/heap/cli.sh tests/heap/http.sh \
	tests/heap/follow.sh \
	tests/heap/screen.sh
EXTRA_DIST += tests/heap/heap.sh tests/heap/cli.sh tests/heap/http.sh \
	tests/heap/follow.sh \
	tests/heap/screen.sh

check_PROGRAMS += tests/unit/heap_ring_test
TESTS += tests/unit/heap_ring_test
tests_unit_heap_ring_test_SOURCES = tests/unit/heap_ring_test.c \
	heap/addrset.c tests/tap.h
tests_unit_heap_ring_test_LDADD = libheap.a libcommon.a

# bench/heap.sh's malloc-heavy benchmark.
check_PROGRAMS += tests/heap/mallocs
tests_heap_mallocs_SOURCES = tests/heap/mallocs.c
tests_heap_mallocs_CFLAGS = $(CPT_WARN) -O2 -g
tests_heap_mallocs_LDFLAGS =
tests_heap_mallocs_LDADD = -lm

# Go's four views, the delta and the -top table on hand-built snapshots.
check_PROGRAMS += tests/unit/views_heap_test
TESTS += tests/unit/views_heap_test
tests_unit_views_heap_test_SOURCES = tests/unit/views_heap_test.c \
	tests/unit/views_fixture.h tests/tap.h
tests_unit_views_heap_test_LDADD = libviews.a libsampler.a libheap.a \
	libattach.a libcommon.a $(PROTOBUF_C_LIBS) $(ZLIB_LIBS) $(DEP_LIBS) -lm

# The call tree and flame layout over a heap snapshot's bytes.
check_PROGRAMS += tests/unit/views_heap_tree_test
TESTS += tests/unit/views_heap_tree_test
tests_unit_views_heap_tree_test_SOURCES = \
	tests/unit/views_heap_tree_test.c tests/unit/views_fixture.h \
	tests/tap.h
tests_unit_views_heap_tree_test_LDADD = $(tests_unit_views_heap_test_LDADD)

# The interposer's sampler (heap/sample.c) outside of any preload.
check_PROGRAMS += tests/unit/heap_sample_test
TESTS += tests/unit/heap_sample_test
tests_unit_heap_sample_test_SOURCES = tests/unit/heap_sample_test.c \
	heap/addrset.c heap/unwind.c tests/tap.h
tests_unit_heap_sample_test_LDADD = libheap.a libcommon.a -ldl -lm -lgcc_s

# A hostile --follow command: records under pids that are not its own.
check_PROGRAMS += tests/heap/forge
tests_heap_forge_SOURCES = tests/heap/forge.c
tests_heap_forge_CFLAGS = $(CPT_WARN) -O2 -g
tests_heap_forge_LDFLAGS =
TESTS += tests/heap/forge.sh
EXTRA_DIST += tests/heap/forge.sh

# The interposer's fast unwinder (heap/unwind.c) against libgcc's, through
# two builds of a library opened and closed in turn (never sanitized).
check_PROGRAMS += tests/unit/heap_unwind_test
TESTS += tests/unit/heap_unwind_test
tests_unit_heap_unwind_test_SOURCES = tests/unit/heap_unwind_test.c \
	heap/unwind.c heap/unwind.h common/cfi.c common/cfi.h tests/tap.h
tests_unit_heap_unwind_test_LDADD = -ldl -lgcc_s
check_PROGRAMS += tests/unit/heap_unwind_liba.so tests/unit/heap_unwind_libb.so
tests_unit_heap_unwind_liba_so_SOURCES = tests/unit/heap_unwind_lib.c
tests_unit_heap_unwind_liba_so_CFLAGS = $(CPT_WARN) -fPIC -O2 \
	-fomit-frame-pointer -DHEAP_UNWIND_LIB_BYTES=1024
tests_unit_heap_unwind_liba_so_LDFLAGS = -shared
tests_unit_heap_unwind_libb_so_SOURCES = tests/unit/heap_unwind_lib.c
tests_unit_heap_unwind_libb_so_CFLAGS = $(CPT_WARN) -fPIC -O2 \
	-fomit-frame-pointer -DHEAP_UNWIND_LIB_BYTES=3000
tests_unit_heap_unwind_libb_so_LDFLAGS = -shared

# heap/unwind.c's CFI parser on this program's own CIEs and FDEs (checked
# against libgcc's unwinder) and hand-built ones, then on their mutants.
check_PROGRAMS += tests/unit/heap_cfi_fuzz_test
TESTS += tests/unit/heap_cfi_fuzz_test
tests_unit_heap_cfi_fuzz_test_SOURCES = tests/unit/heap_cfi_fuzz_test.c \
	heap/unwind.c heap/unwind.h heap/unwind_int.h common/cfi.c \
	common/cfi.h tests/fuzz.h tests/tap.h
tests_unit_heap_cfi_fuzz_test_LDADD = -ldl -lgcc_s
