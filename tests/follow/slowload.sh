# A followed child's CPU time goes where it ran while the sampler thread
# waits for slow work. At a new process's first sample the sampler loads
# its modules' symbols and debug info on a helper thread (ld.so's at the
# exec stop or in the loader's relocations, the child's own binary at its
# first frame in it): a second and more under ASan on a loaded machine.
# Nothing was sampled meanwhile, and the child's time went whole to its
# stacks from before, at its end: follow.sh saw child_hot at 48 % of a
# run whose child had 87 % (1 of 13 to 95 loaded ASan runs), once 0 %
# with all of a vfork child's time at its exec stop. The running threads
# are now still sampled during the work.
# CPROFTOP_INJECT_FAULT=slowload:2500:forkee makes the load of forkee's
# symbols take 2.5 s more: forkee -k 60 -m 1000 spends its first 60 ms in
# child_kernel (inside read(2), where its first sample in forkee's code
# is taken), then its 1000 ms in child_hot, and ends before the load does.
# Before: child_hot 0 % (the time on child_kernel's read, or on ld.so's
# entry) in 3 of 3 runs; now 67 to 78 %. Later, 0 % again in 3 of 5 CI
# runs: the child's exit, seen during the load, measured its time before
# the captures taken meanwhile were counted, and the first of them that
# woke gave it to the stacks from before (now 73 to 77 %, 30 runs).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace
need_cmd go
F=$(workload forker)

CPROFTOP_LOG="$TMPD/log" CPROFTOP_INJECT_FAULT=slowload:2500:forkee \
	"$CPROFTOP" --backend=ptrace -F 200 --top=20 --stats -o "$TMPD/p.pb.gz" \
	--child-output "$TMPD/out" -- "$F" -p 300 -k 60 -c 1000 \
	>"$TMPD/top" 2>&1
ok $? "cproftop -- forker exits 0 (a slow load of the child's symbols)"
grep -q '^failed=0' "$TMPD/out"
ok $? "the children ran and exited 0"
grep -q "fault: this symbols load (.*forkee) takes 2500 ms more" "$TMPD/log"
ok $? "the load of forkee's symbols was slow"
# The child's time is about 1.06 s of 1.36 s: 78 %, child_hot's most of
# it (the captures taken during the load are counted after it, the
# earliest first: child_kernel's gets a little more than its 60 ms).
v=$(top_col "$TMPD/top" child_hot 5)
atleast "$v" 50 "the child's time ran during the load is child_hot's (cum%)"
awk -v v="$v" 'BEGIN { exit !(v < 50) }' &&
	diag "$(head -n 30 "$TMPD/top")" "$(grep fault: "$TMPD/log")"
# The child had ended when those captures were unwound: its libc's unwind
# table is read from the file. Before, the table could not be read, and
# the frame pointer chain from the vdso skipped clock_gettime's caller,
# child_hot (a third of the child's time at "clock_gettime <- main"); or
# the child's libc, never opened while it lived, was not found again
# among the parent's files ("libc.so.6+0x... <- main"). Counted: the
# child's stacks (traces, known by its pid label) through clock_gettime
# with wl_cpu_ms as its caller (the parent's parent_spin may have none:
# it need not count), and any with main.
go tool pprof -traces "$TMPD/p.pb.gz" 2>/dev/null |
	awk -v child="$(sed -n 's/^child_pid=//p' "$TMPD/out")" '
		$1 == "pid:" { pid = $2 }
		{ $1 = $1; sub(/^[0-9.]+m?s /, "") }
		prev == "clock_gettime" && pid == child { n[$0]++ }
		prev == "clock_gettime" && $0 == "main" { bad++ }
		/^libc\.so\.6\+0x/ && pid == child { bad++ }
		{ prev = $0 }
		END { printf "%d %d\n", n["wl_cpu_ms (inline)"], bad }' \
		>"$TMPD/callers"
read -r inl bad <"$TMPD/callers"
atleast "$inl" 1 "the child's clock_gettime calls have wl_cpu_ms as caller"
is "$bad" 0 "none has main as caller (no frame skipped), none is in an unnamed libc"
done_testing
