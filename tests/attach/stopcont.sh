#!/bin/sh
# Job control of a sampled target: kill -STOP stops it, kill -CONT resumes
# it, as if untraced; the same for kill -TSTP of a spawned command.
# Scratch files in the build tree, out of reach of anything that cleans /tmp.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/attach/common.sh"
need_ptrace

RATIO=$(workload ratio)

start_bg "$RATIO" -t 3 -d 8 # lives through the checks on a loaded machine
target=$BG_PID
"$DRIVER" -p "$target" -F 1000 >"$TMPD/driver" 2>&1 &
drv=$!
wait_until 5 traced_by "$target" "$drv"
ok $? "driver attached"
sleep 0.2

kill -STOP "$target"
wait_until 3 all_stopped "$target"
ok $? "SIGSTOP stops every thread ($(thread_states "$target"))"
t0=$(cpu_ticks "$target")
sleep 0.5
is "$(cpu_ticks "$target")" "$t0" "no CPU time while stopped"
all_stopped "$target"
ok $? "still stopped after 0.5 s under sampling"

kill -CONT "$target"
wait_until 3 all_running "$target"
ok $? "SIGCONT resumes every thread ($(thread_states "$target"))"
sleep 0.5
t1=$(cpu_ticks "$target")
# (gone already on a saturated machine: then it ran to its end, checked
# below, which it could only do resumed)
[ -z "$t1" ] || [ "$t1" -gt "$t0" ]
ok $? "CPU time advances again ($t0 -> ${t1:-its end})"

wait "$target"
is $? 0 "target exits 0"
wait "$drv"
is $? 0 "driver exits 0"
grep -q '^units=' "$BG_OUT"
ok $? "target finished its work"

# Attaching to an already stopped target keeps it stopped; detaching from
# a stopped target leaves it stopped (untraced), and SIGCONT then resumes it.
start_bg "$RATIO" -t 2 -d 3
target=$BG_PID
# both threads born before the stop
wait_until 5 sh -c "[ \$(ls /proc/$target/task | wc -l) -ge 2 ]"
kill -STOP "$target"
wait_until 3 all_stopped "$target"
"$DRIVER" -p "$target" -F 1000 >/dev/null 2>&1 &
drv=$!
wait_until 5 traced_by "$target" "$drv"
ok $? "driver attached to the stopped target"
sleep 0.3
all_stopped "$target"
ok $? "attaching did not resume it ($(thread_states "$target"))"
kill -TERM "$drv"
wait "$drv"
is $? 0 "driver detached on SIGTERM"
wait_until 3 all_untraced "$target"
ok $? "untraced after detach"
is "$(thread_states "$target")" "TT" "still stopped (T) after detach"
kill -CONT "$target"
wait_until 3 all_running "$target"
ok $? "SIGCONT resumes it after detach ($(thread_states "$target"))"
wait "$target"
is $? 0 "target exits 0"

# A spawned command stopped with SIGTSTP, then continued: as it would be
# untraced. Untraced first: in an orphaned process group (no job control,
# as under CI) the kernel discards SIGTSTP, and a traced child must then
# not stop either.
start_bg "$RATIO" -t 2 -d 3
kill -TSTP "$BG_PID"
if wait_until 2 all_stopped "$BG_PID"; then untraced=stops; else untraced=runs; fi
kill -CONT "$BG_PID"
diag "untraced, SIGTSTP here: the process $untraced"
"$DRIVER" -F 1000 -o "$TMPD/spawned" -- "$RATIO" -t 2 -d 6 >/dev/null &
drv=$!
child_of() {
	child=$(ps -o pid= --ppid "$drv" | tr -d ' ')
	[ -n "$child" ] && traced_by "$child" "$drv"
}
wait_until 5 child_of
ok $? "spawned child traced"
kill -TSTP "$child"
if [ "$untraced" = stops ]; then
	wait_until 3 all_stopped "$child"
else
	# (polled: at 1000 Hz a thread is often in a sampling stop, t)
	sleep 0.5
	wait_until 2 all_running "$child"
fi
ok $? "SIGTSTP: the spawned child $untraced, as untraced ($(thread_states "$child"))"
kill -CONT "$child"
wait_until 3 all_running "$child"
ok $? "SIGCONT resumes it ($(thread_states "$child"))"
wait "$drv"
is $? 0 "driver exits with the child's status 0"
grep -q '^units=' "$TMPD/spawned"
ok $? "spawned child finished its work"

done_testing
