# common/: allocation helpers, fatal errors and the debug log.
noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = common/xmalloc.c common/xmalloc.h common/log.c \
	common/log.h common/exitcodes.h common/clock.c common/clock.h \
	common/outfile.c common/outfile.h common/escape.c common/escape.h \
	common/jobctl.c common/jobctl.h common/sigpoll.c common/sigpoll.h

# The CFI parser of the fast unwinders (heap/ links it into its preloaded
# library too: no allocation, no libc).
libcommon_a_SOURCES += common/cfi.c common/cfi.h

check_PROGRAMS += tests/unit/outfile_test
tests_unit_outfile_test_SOURCES = tests/unit/outfile_test.c tests/tap.h
tests_unit_outfile_test_LDADD = libcommon.a
TESTS += tests/unit/outfile_test

check_PROGRAMS += tests/unit/escape_test
tests_unit_escape_test_SOURCES = tests/unit/escape_test.c tests/tap.h
tests_unit_escape_test_LDADD = libcommon.a
TESTS += tests/unit/escape_test

# The containers: one hash table, one growable array, one binary search.
libcommon_a_SOURCES += common/hash.c common/hash.h common/array.c \
	common/array.h common/sorted.h

check_PROGRAMS += tests/unit/hash_test tests/unit/array_test \
	tests/unit/sorted_test
tests_unit_hash_test_SOURCES = tests/unit/hash_test.c tests/tap.h
tests_unit_hash_test_LDADD = libcommon.a
tests_unit_array_test_SOURCES = tests/unit/array_test.c tests/tap.h
tests_unit_array_test_LDADD = libcommon.a
tests_unit_sorted_test_SOURCES = tests/unit/sorted_test.c tests/tap.h
tests_unit_sorted_test_LDADD = libcommon.a
TESTS += tests/unit/hash_test tests/unit/array_test tests/unit/sorted_test

check_PROGRAMS += tests/unit/sigpoll_test
tests_unit_sigpoll_test_SOURCES = tests/unit/sigpoll_test.c tests/tap.h
tests_unit_sigpoll_test_LDADD = libcommon.a
TESTS += tests/unit/sigpoll_test
