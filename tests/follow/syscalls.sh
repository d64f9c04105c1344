# A followed child's CPU time at its system calls' exits counts where it
# ran. Most stops of a thread that runs in the kernel land at a system
# call's exit; such a capture takes the CPU time measured since the last
# one unless the thread blocked in that call meanwhile, which its count of
# voluntary context switches tells. For a followed child that count was
# read from the target's /proc/PID/task, where the child's threads are
# not: always unknown, every capture of a child at a system call's exit
# took nothing, and the child's time waited for a flush at the one stack
# where it was last seen in user space: forkee -k 800 -m 200 below gave
# child_kernel 0 to 50 % (child_hot the rest) for 80 % by construction;
# 71-80 % since (ASan, two busy loops beside). (Once in CI follow.sh's
# vfork child had all of its 1.0 s on one stack, the one-frame _start:
# the same collapse, by a path not reproduced here.)
# Both ways a child is started: vfork (forker -s, as posix_spawn does) and
# a shell script's fork. forkee burns 800 ms in child_kernel (in read(2)
# of /dev/zero), then 200 ms in child_hot.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
F=$(workload forker)
printf '#!/bin/sh\n"%s" -k 800 -m 200\nexit 0\n' "$(workload forkee)" \
	>"$TMPD/script"
chmod +x "$TMPD/script"

# check LABEL COMMAND...: profiles COMMAND, checks both shares.
check() {
	local label=$1 k h
	shift
	"$CPROFTOP" --backend=ptrace -F 200 --top=20 --stats -- "$@" \
		>"$TMPD/$label.top" 2>&1
	ok $? "$label: cproftop exits 0"
	k=$(top_col "$TMPD/$label.top" child_kernel 5)
	h=$(top_col "$TMPD/$label.top" child_hot 5)
	within "$k" 80 20 "$label: child_kernel's share (cum%, 80 by construction)"
	within "$h" 20 15 "$label: child_hot's share (cum%, 20 by construction)"
	awk -v k="$k" -v h="$h" 'BEGIN { exit !(k < 60 || h < 5 || h > 35) }' &&
		diag "$(head -n 30 "$TMPD/$label.top")"
}

check vfork "$F" -s -p 0 -k 800 -c 200
check script "$TMPD/script"
done_testing
