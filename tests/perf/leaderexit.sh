# The perf backend on a process whose leader called pthread_exit() while
# its other threads run (tests/harm/leaderexit.sh: the ptrace backend).
# The zombie leader's /proc/PID/maps and root read empty and its memory is
# unreadable: every stack failed (unwind_errors = samples) and no function
# was named. The backend reads the process through a live thread instead,
# within 100 ms of the leader's exit. Spawned and -p.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf
L="$top_builddir/tests/harm/leaderexit"

# check LABEL OUT: the hot spot named, the busy thread's stacks whole
check() {
	local samples errors
	is "$(stat_of "$2.err" backend)" perf "$1: the perf backend ran"
	atleast "$(top_col "$2" leaderexit_spin 2)" 80 \
		"$1: the busy thread's function is the hot spot"
	atleast "$(top_col "$2" leaderexit_busy 5)" 80 \
		"$1: its caller is named, its stacks unwound"
	samples=$(stat_of "$2.err" samples)
	errors=$(stat_of "$2.err" unwind_errors)
	awk -v s="$samples" -v e="$errors" 'BEGIN { exit !(s >= 100 &&
		e <= s / 10) }'
	ok $? "$1: stacks unwound ($errors errors of $samples samples)" ||
		diag "$(cat "$2" "$2.err")"
}

"$CPROFTOP" --backend=perf -F 200 --top=10 --stats \
	--child-output "$TMPD/spawn.out" -- "$L" -d 3 >"$TMPD/spawn" \
	2>"$TMPD/spawn.err"
ok $? "spawned: cproftop exits with the command's status 0"
check spawned "$TMPD/spawn"

start_bg "$L" -d 20
wait_until 10 grep -q ready "$BG_OUT"
ok $? "leaderexit started"
wait_until 10 sh -c "grep -q '^State:.*Z' /proc/$BG_PID/status"
ok $? "its leader is a zombie"
"$CPROFTOP" --backend=perf -p "$BG_PID" -F 200 -d 2 --top=10 --stats \
	>"$TMPD/attach" 2>"$TMPD/attach.err"
ok $? "-p PID of a zombie leader: cproftop exits 0"
check "-p" "$TMPD/attach"
kill -0 "$BG_PID"
ok $? "the target still runs"
done_testing
