# attach/: ptrace, process_vm_readv, /proc.
noinst_LIBRARIES += libattach.a
libattach_a_SOURCES = attach/attach.c attach/attach.h attach/attach-int.h \
	attach/dispatch.c attach/check.c attach/spawn.c \
	attach/procfs.c attach/procfs.h attach/memread.c common/log.h \
	attach/rootfs.c attach/rootfs.h

check_PROGRAMS += tests/attach/attach-driver tests/unit/procfs_test
tests_attach_attach_driver_SOURCES = tests/attach/attach-driver.c
tests_attach_attach_driver_LDADD = libattach.a libcommon.a
tests_unit_procfs_test_SOURCES = tests/unit/procfs_test.c tests/tap.h
tests_unit_procfs_test_LDADD = libattach.a libcommon.a
TESTS += tests/unit/procfs_test

# The /proc parsers under 100,000 mutated inputs.
check_PROGRAMS += tests/unit/procfs_fuzz_test
tests_unit_procfs_fuzz_test_SOURCES = tests/unit/procfs_fuzz_test.c \
	tests/fuzz.h tests/tap.h
tests_unit_procfs_fuzz_test_LDADD = libattach.a libcommon.a
TESTS += tests/unit/procfs_fuzz_test
TESTS += tests/attach/badinput.sh tests/attach/signals.sh \
	tests/attach/stopcont.sh tests/attach/churn.sh tests/attach/exitpaths.sh \
	tests/attach/partial.sh
EXTRA_DIST += tests/attach/common.sh tests/attach/badinput.sh \
	tests/attach/signals.sh tests/attach/stopcont.sh tests/attach/churn.sh \
	tests/attach/exitpaths.sh tests/fixtures/proc tests/attach/partial.sh

# The safe opener of target-named files (attach/rootfs.h).
check_PROGRAMS += tests/unit/rootfs_test
tests_unit_rootfs_test_SOURCES = tests/unit/rootfs_test.c tests/tap.h
tests_unit_rootfs_test_LDADD = libattach.a libcommon.a
TESTS += tests/unit/rootfs_test
