# tui/: the ncurses front end.
TUI_LIB = libtui.a
noinst_LIBRARIES += libtui.a
libtui_a_SOURCES = tui/tui.h tui/tui-int.h tui/tui.c tui/crt.c tui/crt.h \
	tui/text.c tui/text.h tui/browser.c tui/browser.h tui/top_screen.c \
	tui/threads_screen.c tui/source_screen.c tui/help.c tui/script.c \
	tui/keys.c tui/keys.h tui/header.c tui/prompt.c tui/tree_screen.c \
	tui/flame_screen.c tui/annotate_screen.c tui/heap_screen.c \
	tui/script.h

# Tests: a screen over a hand-built profile (deterministic scripted dumps),
# unit tests of the text fitting and of the terminal's Ctrl-Z, and
# tmux-driven tests of the real thing.
TUI_TEST_LIBS = libtui.a $(VIEWS_LIB) libsampler.a libheap.a libattach.a \
	libcommon.a $(DEP_LIBS) -lm
check_PROGRAMS += tests/tui/tui-fake tests/tui/text-test tests/tui/crt-test
tests_tui_tui_fake_SOURCES = tests/tui/tui-fake.c
tests_tui_tui_fake_LDADD = $(TUI_TEST_LIBS)
tests_tui_text_test_SOURCES = tests/tui/text-test.c
tests_tui_text_test_LDADD = $(TUI_TEST_LIBS)
tests_tui_crt_test_SOURCES = tests/tui/crt-test.c
tests_tui_crt_test_LDADD = $(TUI_TEST_LIBS)
TUI_SH_TESTS = tests/tui/fake.sh tests/tui/fake-views.sh tests/tui/live-top.sh \
	tests/tui/live-save.sh tests/tui/live-resize.sh tests/tui/live-quit.sh \
	tests/tui/live-views.sh
TESTS += tests/tui/text-test tests/tui/crt-test $(TUI_SH_TESTS)
EXTRA_DIST += tests/tui/fake_src.c tests/tui/tui-lib.sh $(TUI_SH_TESTS)
