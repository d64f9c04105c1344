# Wall mode on the perf backend: off-CPU time from the kernel's context
# switches, no thread stopped (skipped with the reason where the kernel
# refuses them: they need perf_event_paranoid <= 1 or CAP_PERFMON).
# Threads blocked since before cproftop started show at once (read once
# without a stop); the wall totals are the threads' wall time, not more;
# a thread alternating 1 ms of sleep and 1 ms of work on an oversubscribed
# machine gets its off-CPU share within 8 points of its schedstat over the
# same seconds (the blocked / waiting split is shown beside schedstat's).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/sampler/top.sh"
. "$top_srcdir/tests/perf/perf-lib.sh"
need_perf

# sleeper: busy, blocked (one long nanosleep), reader (read on a pipe) and
# main (pthread_join) all exist, three of them blocked, before we start.
start_bg "$(workload sleeper)" -d 30
S=$BG_PID
wait_until 10 sh -c "test \$(ls /proc/$S/task | wc -l) -ge 4"
"$CPROFTOP" --backend=perf --wall -p "$S" -F 200 -d 2 --top=40 --stats \
	>"$TMPD/sleep.top" 2>"$TMPD/sleep.err"
ok $? "cproftop exits 0"
diag "$(grep 'cproftop:' "$TMPD/sleep.err")"
if [ "$(stat_of "$TMPD/sleep.err" wall)" != switches ]; then
	skip_all "no kernel off-CPU samples: $(grep 'cproftop: backend' \
		"$TMPD/sleep.err")"
fi
is "$(stat_of "$TMPD/sleep.err" backend)" perf "the perf backend ran"
is "$(stat_of "$TMPD/sleep.err" stops)" 0 "no thread was stopped"
for f in sleeper_blocked sleeper_reader sleeper_busy main; do
	within "$(top_col "$TMPD/sleep.top" $f 5)" 25 4 \
		"$f: a quarter of the wall time (4 threads)"
done
# Every thread's wall time once, not more (the ticks before the events
# were open are not there: at least 85 %).
n=$(sed -n 's/.*Total samples = \([0-9]*\).*/\1/p' "$TMPD/sleep.top")
want=$(awk -v s="$(stat_of "$TMPD/sleep.err" seconds)" \
	'BEGIN { printf "%d", s * 200 * 4 }')
atleast "${n:-0}" "$((want * 85 / 100))" "wall samples: 4 threads x 200 Hz"
atleast "$((want * 105 / 100))" "${n:-0}" "wall samples: no more than that"
kill "$S"

# mixed: 3 busy threads and the ticker (1 ms sleep, 1 ms work) on 2 CPUs.
start_bg "$(workload mixed)" -t 3 -d 30
W=$BG_PID
wait_until 10 sh -c "grep -qx ticker /proc/$W/task/*/comm"
T=$(grep -lx ticker /proc/$W/task/*/comm | head -n 1 | cut -d/ -f5)
"$CPROFTOP" --backend=perf --wall -p "$W" -F 500 -d 4 --top=60 \
	--focus mixed_ticker --stats >"$TMPD/tick.top" 2>"$TMPD/tick.err" &
C=$!
# The same seconds: from when cproftop's events are open to its exit
# (schedstat: run ns, run-queue wait ns).
wait_until 20 perf_fds "$C"
read -r r0 w0 _ </proc/$W/task/$T/schedstat
t0=$(date +%s%N)
wait "$C"
ok $? "mixed: cproftop exits 0"
t1=$(date +%s%N)
read -r r1 w1 _ </proc/$W/task/$T/schedstat
diag "$(grep 'cproftop:' "$TMPD/tick.err")"
total=$(top_col "$TMPD/tick.top" mixed_ticker 4)
slept=$(awk '/^ *flat +flat%/ { t = 1; next }
	t && NF >= 6 && $6 ~ /nanosleep/ { s += $1 } END { print s + 0 }' \
	"$TMPD/tick.top")
waited=$(top_col "$TMPD/tick.top" '[waiting' 1)
read -r tb tw <<EOT
$(awk -v r="$((r1 - r0))" -v w="$((w1 - w0))" -v d="$((t1 - t0))" \
	'BEGIN { printf "%.1f %.1f\n", 100 * (d - r - w) / d, 100 * w / d }')
EOT
read -r cb cw <<EOT
$(awk -v t="$total" -v s="$slept" -v w="$waited" \
	'BEGIN { if (t == 0) t = 1; printf "%.1f %.1f\n", 100 * s / t, 100 * w / t }')
EOT
diag "ticker: cproftop blocked $cb % waiting $cw % of $total samples;" \
	"schedstat blocked $tb % waiting $tw %"
atleast "$total" 500 "the ticker's wall samples"
# Its off-CPU share (blocked + waiting) is schedstat's; the split between
# the two is shown here, asserted in tests/perf/wallsplit.sh (over the
# profile's own seconds).
within "$(awk -v a="$cb" -v b="$cw" 'BEGIN { print a + b }')" \
	"$(awk -v a="$tb" -v b="$tw" 'BEGIN { print a + b }')" 8 \
	"ticker: off-CPU share as schedstat's"
done_testing
