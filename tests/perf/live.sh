# The perf_event backend on a running process: no thread is ever traced
# (TracerPid 0 throughout), a thread born after cproftop started is
# sampled, the ticker's sleeps are not CPU, and records the kernel drops
# while cproftop cannot read them are counted and shown.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

# mixed: 3 busy threads and a 1 ms sleep / 1 ms work ticker; "late" starts
# 2 s after the others.
start_bg "$(workload mixed)" -t 3 -l 2 -d 30
W=$BG_PID
wait_until 10 test -e /proc/$W/task
"$CPROFTOP" --backend=perf -p "$W" -F 1000 -d 4 --top=30 --stats \
	>"$TMPD/live.top" 2>"$TMPD/live.err" &
C=$!
wait_until 20 perf_fds "$C"
ok $? "cproftop opened its perf events"
threads_at_start=$(ls /proc/$W/task | wc -l)
traced=0
while kill -0 "$C" 2>/dev/null; do
	all_untraced "$W" || traced=$((traced + 1))
	sleep 0.1
done
wait "$C"
ok $? "cproftop exits 0"
diag "$(grep 'cproftop:' "$TMPD/live.err")"
is "$traced" 0 "TracerPid 0 in every thread at every look while sampling"
is "$(stat_of "$TMPD/live.err" backend)" perf "the perf backend ran"
is "$(stat_of "$TMPD/live.err" stops)" 0 "no thread was stopped"
atleast "$(top_col "$TMPD/live.top" busy_spin 2)" 50 "busy_spin is the hot spot"
atleast "$(top_col "$TMPD/live.top" tick_work 2)" 0.5 "the ticker's work shows"
for f in __GI___clock_nanosleep __clock_nanosleep clock_nanosleep nanosleep \
	__nanosleep; do
	v=$(top_col "$TMPD/live.top" $f 2)
	awk -v v="$v" 'BEGIN { exit !(v < 1) }'
	ok $? "CPU mode: sleep function $f under 1 % (got $v)"
done
if [ "$threads_at_start" -le 5 ]; then
	atleast "$(top_col "$TMPD/live.top" late_spin 1)" 20 \
		"a thread born after cproftop started is sampled"
else
	skip "the late thread started before cproftop (a slow machine)"
fi

# Wall mode: off-CPU time from the kernel's context switches where it
# allows them (tests/perf/offcpu.sh checks the numbers), and auto runs
# perf then; else auto falls back to the ptrace sampler and
# --backend=perf says why it has none.
"$CPROFTOP" --backend=perf --wall -p "$W" -F 200 -d 1 --top=5 --stats \
	>"$TMPD/wall.top" 2>"$TMPD/wall.err"
ok $? "wall: cproftop exits 0"
"$CPROFTOP" --backend=auto --wall -p "$W" -F 200 -d 1 --top=5 --stats \
	>"$TMPD/wall2.top" 2>"$TMPD/wall2.err"
if [ "$(stat_of "$TMPD/wall.err" wall)" != switches ]; then
	grep -q 'off-CPU' "$TMPD/wall.err"
	ok $? "wall: the perf backend says why it has no off-CPU samples"
	is "$(stat_of "$TMPD/wall2.err" backend)" ptrace \
		"wall: auto runs the ptrace backend without context switches"
	is "$(stat_of "$TMPD/wall2.err" wall)" ptrace \
		"wall: --stats says where off-CPU time comes from"
else
	is "$(stat_of "$TMPD/wall2.err" backend)" perf \
		"wall: auto runs the perf backend with context switches"
	is "$(stat_of "$TMPD/wall2.err" wall)" switches \
		"wall: --stats says where off-CPU time comes from"
	grep -q '^Showing nodes accounting for [1-9]' "$TMPD/wall2.top"
	ok $? "wall: auto's --top shows a profile"
fi

# Lost records: cproftop stopped (SIGSTOP) while the target runs at
# 10 kHz with 64 KiB stacks fills the ring buffers; what the kernel drops
# is counted (the target is never stopped).
start_bg "$(workload ratio)" -d 30
R=$BG_PID
"$CPROFTOP" --backend=perf -p "$R" -F 10000 --stack-size 65528 -d 3 \
	--top=5 --stats >"$TMPD/lost.top" 2>"$TMPD/lost.err" &
C=$!
wait_until 20 perf_fds "$C"
kill -STOP "$C"
c0=$(cpu_ms "$R")
wait_until 20 sh -c "test \$(cat /proc/$R/task/*/schedstat | awk '{ s += \$1 } END { printf \"%d\", s / 1e6 }') -ge $((c0 + 300))"
ok $? "the target ran 300 ms while cproftop was stopped"
kill -CONT "$C"
wait "$C"
ok $? "cproftop exits 0 after the stop"
diag "$(grep 'cproftop:' "$TMPD/lost.err")"
atleast "$(stat_of "$TMPD/lost.err" lost)" 1 "lost records are counted in --stats"
done_testing
