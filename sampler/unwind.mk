# sampler/unwind.c: remote unwinding from a stack copy.
libsampler_a_SOURCES += sampler/unwind.c sampler/unwind_fp.c sampler/unwind_fp.h \
	sampler/unwind_int.h sampler/unwind_access.c sampler/unwind_cfi.c \
	sampler/ehframe.c sampler/ehframe.h

# tests/unwind/target.c, built with and without frame pointers, is the
# program tests/unit/unwind_test attaches to and unwinds. Not sanitized:
# it must look like an ordinary optimised binary.
check_PROGRAMS += tests/unwind/target-fp tests/unwind/target-nofp
tests_unwind_target_fp_SOURCES = tests/unwind/target.c
tests_unwind_target_fp_CFLAGS = $(CPT_WARN) -pthread -O2 -g \
	-fexceptions -fno-omit-frame-pointer
tests_unwind_target_fp_LDFLAGS = -pthread
tests_unwind_target_nofp_SOURCES = tests/unwind/target.c
tests_unwind_target_nofp_CFLAGS = $(CPT_WARN) -pthread -O2 -g \
	-fexceptions -fomit-frame-pointer
tests_unwind_target_nofp_LDFLAGS = -pthread

check_PROGRAMS += tests/unit/unwind_test
TESTS += tests/unit/unwind_test
tests_unit_unwind_test_SOURCES = tests/unit/unwind_test.c
tests_unit_unwind_test_LDADD = libsampler.a libattach.a libcommon.a \
	$(UNWIND_LIBS) $(ELF_LIBS)

check_PROGRAMS += tests/unit/unwind_fp_test
TESTS += tests/unit/unwind_fp_test
tests_unit_unwind_fp_test_SOURCES = tests/unit/unwind_fp_test.c tests/tap.h
tests_unit_unwind_fp_test_LDADD = libsampler.a libcommon.a

# tests/unwind/deep.sh: stacks deeper than a capture's copy.
check_PROGRAMS += tests/unwind/deep
tests_unwind_deep_SOURCES = tests/unwind/deep.c
tests_unwind_deep_CFLAGS = $(CPT_WARN) -O1 -g
tests_unwind_deep_LDFLAGS = -pthread
TESTS += tests/unwind/deep.sh
EXTRA_DIST += tests/unwind/deep.sh

# sampler/ehframe.c: the .eh_frame_hdr decoder, on this program's own
# table, on a built one and under the mutation fuzzer.
check_PROGRAMS += tests/unit/ehframe_fuzz_test
TESTS += tests/unit/ehframe_fuzz_test
tests_unit_ehframe_fuzz_test_SOURCES = tests/unit/ehframe_fuzz_test.c \
	tests/fuzz.h tests/tap.h
tests_unit_ehframe_fuzz_test_LDADD = libsampler.a libcommon.a
