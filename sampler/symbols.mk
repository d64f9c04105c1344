# sampler/symbols.c: symbolization with libelf and libdw; C++ and Rust names
# demangled by libiberty (Debian libiberty-dev, a static library).
libsampler_a_SOURCES += sampler/symbols.c sampler/symbols_int.h \
	sampler/symbols_file.c sampler/symbols_dwarf.c sampler/symbols_code.c \
	sampler/symbols_go.c \
	sampler/perfmap.c sampler/perfmap.h sampler/symbols_debug.c \
	sampler/debugfetch.c sampler/debugfetch.h \
	sampler/gopclntab.c sampler/gopclntab.h

# tests/symbols/symtarget: the live target of symbols_test (never
# sanitized: per-program flags replace AM_CFLAGS and AM_LDFLAGS), and
# symtarget-stripped, its stripped copy.
check_PROGRAMS += tests/symbols/symtarget
tests_symbols_symtarget_SOURCES = tests/symbols/symtarget.c
tests_symbols_symtarget_CFLAGS = $(CPT_WARN) -O2 -g
tests_symbols_symtarget_LDFLAGS = -rdynamic
check_SCRIPTS += tests/symbols/symtarget-stripped
CLEANFILES += tests/symbols/symtarget-stripped
tests/symbols/symtarget-stripped: tests/symbols/symtarget$(EXEEXT)
	$(AM_V_GEN)$(or $(STRIP),strip) -o $@ tests/symbols/symtarget$(EXEEXT)

check_PROGRAMS += tests/unit/symbols_test
TESTS += tests/unit/symbols_test
tests_unit_symbols_test_SOURCES = tests/unit/symbols_test.c tests/tap.h
tests_unit_symbols_test_LDADD = libsampler.a libattach.a libcommon.a \
	$(DEP_LIBS)
# symtarget-noaranges: without .debug_aranges (as clang emits by default).
check_SCRIPTS += tests/symbols/symtarget-noaranges
CLEANFILES += tests/symbols/symtarget-noaranges
tests/symbols/symtarget-noaranges: tests/symbols/symtarget$(EXEEXT)
	$(AM_V_GEN)$(or $(OBJCOPY),objcopy) --remove-section .debug_aranges \
		tests/symbols/symtarget$(EXEEXT) $@
# symtarget-ibt: built with an IBT PLT (.plt.sec, 16-byte .plt.got stubs),
# as -fcf-protection distributions link; a plain copy where the compiler
# or linker cannot (symbols_test then skips its .plt.sec checks).
check_SCRIPTS += tests/symbols/symtarget-ibt
CLEANFILES += tests/symbols/symtarget-ibt
tests/symbols/symtarget-ibt: tests/symbols/symtarget.c \
		tests/symbols/symtarget$(EXEEXT)
	$(AM_V_CCLD)$(CC) $(DEFAULT_INCLUDES) $(INCLUDES) $(CPPFLAGS) \
		$(CPT_WARN) -O2 -g -fcf-protection -rdynamic -Wl,-z,ibtplt \
		-o $@ $(srcdir)/tests/symbols/symtarget.c 2>/dev/null || \
		cp tests/symbols/symtarget$(EXEEXT) $@

# gopclntab_fuzz_test: the .gopclntab reader on a synthetic table, then
# 100,000 mutations of it.
check_PROGRAMS += tests/unit/gopclntab_fuzz_test
TESTS += tests/unit/gopclntab_fuzz_test
tests_unit_gopclntab_fuzz_test_SOURCES = tests/unit/gopclntab_fuzz_test.c \
	tests/tap.h
tests_unit_gopclntab_fuzz_test_LDADD = libsampler.a libcommon.a

# tests/symbols/names.sh: glibc's functions under their public names, on
# the malloc-heavy tests/symbols/mallocs.
check_PROGRAMS += tests/symbols/mallocs
tests_symbols_mallocs_SOURCES = tests/symbols/mallocs.c
tests_symbols_mallocs_CFLAGS = $(CPT_WARN) -O2 -g -pthread
tests_symbols_mallocs_LDFLAGS = -pthread
TESTS += tests/symbols/names.sh
EXTRA_DIST += tests/symbols/names.sh

# tests/symbols/jit.sh: JIT code named from /tmp/perf-PID.map (jitmap
# writes its own; node --perf-basic-prof when installed).
check_PROGRAMS += tests/symbols/jitmap
tests_symbols_jitmap_SOURCES = tests/symbols/jitmap.c
tests_symbols_jitmap_CFLAGS = $(CPT_WARN) -O2 -g
# Never sanitized (per-program flags replace AM_*): ASan's leak check at
# exit cannot ptrace a process cproftop traces.
tests_symbols_jitmap_LDFLAGS = -pthread
TESTS += tests/symbols/jit.sh
EXTRA_DIST += tests/symbols/jit.sh

check_PROGRAMS += tests/unit/perfmap_test
TESTS += tests/unit/perfmap_test
tests_unit_perfmap_test_SOURCES = tests/unit/perfmap_test.c tests/tap.h
tests_unit_perfmap_test_LDADD = libsampler.a libcommon.a
TESTS += tests/symbols/debuginfod.sh
EXTRA_DIST += tests/symbols/debuginfod.sh

# symbols_plt_decode on the stubs ld writes and under the mutation fuzzer.
check_PROGRAMS += tests/unit/plt_fuzz_test
TESTS += tests/unit/plt_fuzz_test
tests_unit_plt_fuzz_test_SOURCES = tests/unit/plt_fuzz_test.c tests/fuzz.h \
	tests/tap.h
tests_unit_plt_fuzz_test_LDADD = libsampler.a libattach.a libcommon.a \
	$(DEP_LIBS)

# elf_fuzz_test: symbols*.c through libelf and libdw on mutated copies of
# symtarget and of its split form (symtarget-split, stripped, with a
# .gnu_debuglink to symtarget-split.debug).
check_SCRIPTS += tests/symbols/symtarget-split
CLEANFILES += tests/symbols/symtarget-split tests/symbols/symtarget-split.debug
tests/symbols/symtarget-split: tests/symbols/symtarget$(EXEEXT)
	$(AM_V_GEN)cd tests/symbols && \
	$(or $(OBJCOPY),objcopy) --only-keep-debug symtarget$(EXEEXT) \
		symtarget-split.debug && \
	$(or $(OBJCOPY),objcopy) --strip-all \
		--add-gnu-debuglink=symtarget-split.debug symtarget$(EXEEXT) \
		symtarget-split
check_PROGRAMS += tests/unit/elf_fuzz_test
TESTS += tests/unit/elf_fuzz_test
tests_unit_elf_fuzz_test_SOURCES = tests/unit/elf_fuzz_test.c tests/fuzz.h \
	tests/tap.h
tests_unit_elf_fuzz_test_LDADD = libsampler.a libattach.a libcommon.a \
	$(DEP_LIBS)
