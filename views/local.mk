# views/: pure data models over profile snapshots, and pprof export.
VIEWS_LIB = libviews.a
noinst_LIBRARIES += libviews.a
libviews_a_SOURCES = views/filter.c views/filter.h \
	views/pprof_tables.c views/pprof_tables.h \
	views/shortname.c views/shortname.h \
	views/graph.c views/graph.h views/top.c views/top.h \
	views/threads.c views/threads.h views/peek.c views/peek.h \
	views/source.c views/source.h views/report.c views/report.h \
	views/pprof.c views/pprof.h views/delta.c views/delta.h \
	views/tree.c views/tree.h views/annotate.c views/annotate.h \
	views/diff.c views/diff.h views/dump.c views/dump.h \
	views/stats.c views/stats.h views/weights.h
nodist_libviews_a_SOURCES = views/profile.pb-c.c views/profile.pb-c.h
EXTRA_DIST += views/profile.proto

# protoc-c writes both files next to each other in the build tree.
BUILT_SOURCES += views/profile.pb-c.c views/profile.pb-c.h
CLEANFILES += views/profile.pb-c.c views/profile.pb-c.h
views/%.pb-c.c views/%.pb-c.h: views/%.proto
	$(AM_V_GEN)$(MKDIR_P) views && \
	$(PROTOC_C) --proto_path=$(<D) --c_out=views $<

# Unit tests on hand-built snapshots (tests/unit/views_fixture.h).
VIEWS_TEST_LIBS = libviews.a libsampler.a libattach.a libcommon.a $(PROTOBUF_C_LIBS) \
	$(ZLIB_LIBS)
VIEWS_UNIT_TESTS = tests/unit/views_top_test tests/unit/views_filter_test \
	tests/unit/views_threads_test tests/unit/views_peek_test \
	tests/unit/views_source_test tests/unit/views_report_test \
	tests/unit/views_pprof_test tests/unit/views_delta_test \
	tests/unit/views_tree_test tests/unit/views_annotate_test \
	tests/unit/views_dump_test tests/unit/views_stats_test
check_PROGRAMS += $(VIEWS_UNIT_TESTS) tests/views/pprof-fixture
TESTS += $(VIEWS_UNIT_TESTS) tests/views/pprof_readback.sh \
	tests/views/live_pprof.sh
EXTRA_DIST += tests/unit/views_fixture.h tests/views/pprof_readback.sh \
	tests/views/live_pprof.sh \
	tests/views/fixture_src.c
tests_unit_views_top_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_filter_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_threads_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_peek_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_source_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_report_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_pprof_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_tree_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_annotate_test_LDADD = $(VIEWS_TEST_LIBS) $(DEP_LIBS)
tests_unit_views_delta_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_dump_test_LDADD = $(VIEWS_TEST_LIBS)
tests_unit_views_stats_test_LDADD = $(VIEWS_TEST_LIBS)
nodist_tests_unit_views_delta_test_SOURCES = views/profile.pb-c.h
tests_unit_views_delta_test_SOURCES = tests/unit/views_delta_test.c
nodist_tests_unit_views_pprof_test_SOURCES = views/profile.pb-c.h
tests_unit_views_pprof_test_SOURCES = tests/unit/views_pprof_test.c
tests_views_pprof_fixture_LDADD = $(VIEWS_TEST_LIBS)

check_PROGRAMS += tests/unit/shortname_test
tests_unit_shortname_test_SOURCES = tests/unit/shortname_test.c tests/tap.h
tests_unit_shortname_test_LDADD = libviews.a libcommon.a
TESTS += tests/unit/shortname_test

# pprof_roundtrip_test: random snapshots through views/pprof.c, decoded by
# protobuf-c's generated unpacker and compared.
check_PROGRAMS += tests/unit/pprof_roundtrip_test
TESTS += tests/unit/pprof_roundtrip_test
nodist_tests_unit_pprof_roundtrip_test_SOURCES = views/profile.pb-c.h
tests_unit_pprof_roundtrip_test_SOURCES = tests/unit/pprof_roundtrip_test.c \
	tests/fuzz.h tests/tap.h tests/unit/views_fixture.h
tests_unit_pprof_roundtrip_test_LDADD = $(VIEWS_TEST_LIBS)
