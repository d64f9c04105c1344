# tests/follow/: following the processes the target forks (issue 11 item
# 3), with the workloads forker and forkee.
TESTS += tests/follow/follow.sh tests/follow/harm.sh tests/follow/screen.sh \
	tests/follow/stall.sh tests/follow/syscalls.sh \
	tests/follow/slowload.sh
EXTRA_DIST += tests/follow/follow.sh tests/follow/harm.sh \
	tests/follow/screen.sh tests/follow/stall.sh tests/follow/syscalls.sh \
	tests/follow/slowload.sh
