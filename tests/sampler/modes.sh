# CPU vs wall, idle threads for free, thread churn, --dump.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
need_ptrace

# sleeper: "blocked" sleeps in nanosleep, "reader" in read, "busy" spins.
W=$(workload sleeper)
"$CPROFTOP" -F 200 --top=40 --wall --stats -- "$W" -d 4 \
	>"$TMPD/wall" 2>"$TMPD/wall.err"
ok $? "sleeper wall: cproftop exits 0"
"$CPROFTOP" -F 200 --top=40 -- "$W" -d 3 >"$TMPD/cpu" 2>&1
ok $? "sleeper cpu: cproftop exits 0"
atleast "$(top_col "$TMPD/wall" sleeper_blocked 5)" 15 \
	"wall mode: the blocked thread's stack shows"
atleast "$(top_col "$TMPD/wall" sleeper_reader 5)" 15 \
	"wall mode: the reader blocked in read() shows"
is "$(top_col "$TMPD/cpu" sleeper_blocked 5)" 0 \
	"cpu mode: the blocked thread does not show"
atleast "$(top_col "$TMPD/cpu" spin 2)" 90 "cpu mode: spin is the hot spot"
samples=$(stat_of "$TMPD/wall.err" samples)
stops=$(stat_of "$TMPD/wall.err" stops)
ticks=$(stat_of "$TMPD/wall.err" ticks)
diag "$(grep stats "$TMPD/wall.err")"
# 4 s at 200 Hz: up to 800 ticks (fewer on a loaded machine), a stop of
# the busy thread at most per tick (its samples are the CPU time it got);
# the three sleepers (main, blocked, reader) are counted at every tick
# from their last stack without a stop.
atleast "$ticks" 100 "wall: ticks to count with"
awk -v s="$stops" -v n="$samples" -v t="$ticks" \
	'BEGIN { exit !(n >= 2.5 * t && s < 0.4 * n) }'
ok $? "idle threads are counted without being stopped (stops $stops of $samples samples, $ticks ticks)"

# A busy thread among 8 sleepers keeps being sampled (a thread running
# without a context switch keeps its schedstat run count: only its state
# tells it is not idle). 4 s at 500 Hz: hot_a's 50 % from ~2000 samples
# (from ~1000 in 2 s, ASan runs read 44.95-52.9: too close to the bounds).
"$CPROFTOP" -F 500 --top=10 --stats -- "$(workload ratio)" -s 8 -d 4 \
	>"$TMPD/sl" 2>"$TMPD/sl.err"
ok $? "ratio with sleepers: cproftop exits 0"
diag "$(grep stats "$TMPD/sl.err")"
atleast "$(stat_of "$TMPD/sl.err" stops)" 800 \
	"the busy thread is stopped for its samples (of ~2000 asked)"
within "$(top_col "$TMPD/sl" hot_a 2)" 50 5 "hot_a flat% with sleepers around"

# churn: threads created and joined continuously are sampled, no error.
"$CPROFTOP" -F 200 --top=20 --stats -- "$(workload churn)" -d 3 \
	>"$TMPD/churn" 2>"$TMPD/churn.err"
ok $? "churn: cproftop exits 0"
diag "$(grep stats "$TMPD/churn.err")"
atleast "$(stat_of "$TMPD/churn.err" threads)" 20 \
	"churn: threads born during the run are sampled"
grep -q 'unwind_errors=' "$TMPD/churn.err"
ok $? "churn: the unwind error count is reported"

# --dump of demo: every thread, with its name, down to main/start_thread.
start_bg "$(workload demo)" -d 20
sleep 1
"$CPROFTOP" -p "$BG_PID" --dump >"$TMPD/dump" 2>&1
ok $? "--dump exits 0"
threads=$(ls /proc/"$BG_PID"/task | wc -l)
is "$(grep -c '^Thread ' "$TMPD/dump")" "$threads" "--dump shows every thread"
for name in parser compress render io-wait; do
	grep -q "^Thread [0-9]* \"$name\"" "$TMPD/dump"
	ok $? "--dump names thread $name"
done
# The outermost frame of each thread is where threads begin.
bad=$(awk '/^Thread/ { if (last != "") print last; last = "" }
	/^#/ { last = $3 } END { print last }' "$TMPD/dump" |
	grep -v -E '^(_start|main|__libc_start_call_main|start_thread|clone3?|__clone3?)$' | head -3)
is "$bad" "" "--dump: every stack reaches main or start_thread"
all_untraced "$BG_PID"
ok $? "--dump leaves every thread untraced"
done_testing
