# common/: allocation helpers, fatal errors and the debug log.
noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = common/xmalloc.c common/xmalloc.h common/log.c \
	common/log.h common/exitcodes.h common/clock.c common/clock.h \
	common/outfile.c common/outfile.h common/escape.c common/escape.h \
	common/jobctl.c common/jobctl.h

check_PROGRAMS += tests/unit/outfile_test
tests_unit_outfile_test_SOURCES = tests/unit/outfile_test.c tests/tap.h
tests_unit_outfile_test_LDADD = libcommon.a
TESTS += tests/unit/outfile_test

check_PROGRAMS += tests/unit/escape_test
tests_unit_escape_test_SOURCES = tests/unit/escape_test.c tests/tap.h
tests_unit_escape_test_LDADD = libcommon.a
TESTS += tests/unit/escape_test
