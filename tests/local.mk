# tests/: the TAP helpers and programs that shell tests share.
check_PROGRAMS += tests/ptrace-probe
tests_ptrace_probe_SOURCES = tests/ptrace-probe.c
EXTRA_DIST += tests/lib.sh tests/tap.h tests/fuzz.h
include tests/heap/local.mk
