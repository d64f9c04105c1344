# common/: allocation helpers, fatal errors and the debug log.
noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = common/xmalloc.c common/xmalloc.h common/log.c \
	common/log.h common/exitcodes.h common/clock.c common/clock.h
