# http/: the pprof HTTP endpoint (--http), on libmicrohttpd.
HTTP_LIB = libhttp.a
noinst_LIBRARIES += libhttp.a
libhttp_a_SOURCES = http/http.h http/server.c http/addr.c http/addr.h \
	http/pages.c http/pages.h
libhttp_a_CPPFLAGS = $(AM_CPPFLAGS) $(MHD_CFLAGS)
nodist_libhttp_a_SOURCES = views/profile.pb-c.h

HTTP_SH_TESTS = tests/http/serve.sh tests/http/screen.sh
TESTS += $(HTTP_SH_TESTS)
EXTRA_DIST += $(HTTP_SH_TESTS)

# Unit tests: the parsers and pages on fixtures, with a mutation fuzzer.
check_PROGRAMS += tests/unit/http_pages_test
TESTS += tests/unit/http_pages_test
tests_unit_http_pages_test_SOURCES = tests/unit/http_pages_test.c
tests_unit_http_pages_test_LDADD = libhttp.a $(VIEWS_TEST_LIBS)
