# tests/lifecycle/: cproftop's own life cycle against the target -- hostile
# unwind info, the watchdog, fatal errors, Ctrl-Z. Never sanitized.
LC_CFLAGS = $(CPT_WARN) -O2 -g -pthread
LC_LIBDIR = $(abs_top_builddir)/tests/lifecycle

# The hostile library: hand-written CFI whose DWARF expression loops.
check_PROGRAMS += tests/lifecycle/libloopcfi.so tests/lifecycle/loopcfi
tests_lifecycle_libloopcfi_so_SOURCES = tests/lifecycle/loopcfi_lib.c \
	tests/lifecycle/loopcfi.h
tests_lifecycle_libloopcfi_so_CFLAGS = $(LC_CFLAGS) -fPIC
tests_lifecycle_libloopcfi_so_LDFLAGS = -shared -fPIC \
	-Wl,-soname,libloopcfi.so
tests_lifecycle_loopcfi_SOURCES = tests/lifecycle/loopcfi.c \
	tests/lifecycle/loopcfi.h
tests_lifecycle_loopcfi_CFLAGS = $(LC_CFLAGS)
tests_lifecycle_loopcfi_LDFLAGS = -pthread -Wl,-rpath,$(LC_LIBDIR)
tests_lifecycle_loopcfi_LDADD = tests/lifecycle/libloopcfi.so

# Sends a signal, then times how long the target's threads stay held.
check_PROGRAMS += tests/lifecycle/freewatch
tests_lifecycle_freewatch_SOURCES = tests/lifecycle/freewatch.c
tests_lifecycle_freewatch_CFLAGS = $(LC_CFLAGS)

LC_TESTS = tests/lifecycle/loopcfi.sh tests/lifecycle/watchdog.sh \
	tests/lifecycle/suspend.sh tests/lifecycle/fatal.sh
TESTS += $(LC_TESTS)
EXTRA_DIST += $(LC_TESTS) tests/lifecycle/common.sh
